#!/usr/bin/env bash
# `make test`: unit, integration and browser tests against the real OpenSearch, Tika and Keycloak
# (started by the Makefile). Test indices carry their own prefix; the demo's are untouched.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$PROJECT_DIR"

export OPENSEARCH_URL="http://127.0.0.1:$OPENSEARCH_PORT"
export TIKA_SERVER_ENDPOINT="http://127.0.0.1:$TIKA_PORT"
export SECRET_KEY="test-only-$(date +%s)-$$"
# Rate limits counted in the Redis of scripts/redis.sh, as in production (each test app has its own keys).
if [ -z "${REDIS_URL:-}" ] && [ "${TEST_REDIS:-1}" != 0 ]; then
  "$PROJECT_DIR/scripts/redis.sh" start
  REDIS_URL="$("$PROJECT_DIR/scripts/redis.sh" url)"
  export REDIS_URL
fi
# A made-up key for the tests' readers' ID numbers (a Fernet key: 32 bytes, url-safe base64).
export PERSONAL_DATA_KEY="$(.venv/bin/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
export PYTHONDONTWRITEBYTECODE=1
# Database-touching tests run on SQLite and on the PostgreSQL of scripts/postgres.sh.
if [ -z "${TEST_POSTGRES_URL:-}" ] && [ "${TEST_POSTGRES:-1}" != 0 ]; then
  "$PROJECT_DIR/scripts/postgres.sh" start
  TEST_POSTGRES_URL="$("$PROJECT_DIR/scripts/postgres.sh" url)"
  export TEST_POSTGRES_URL
fi
# The session's demo portal writes its audit rows here; its chain is verified after the tests.
AUDIT_DB_DIR="$(mktemp -d)"
export TEST_AUDIT_DATABASE_URL="sqlite:///$AUDIT_DB_DIR/portal.db"
trap 'rm -rf "$AUDIT_DB_DIR"' EXIT
# Officials' sign-in: the Keycloak that `make test` starts (scripts/keycloak.sh), with the client
# secret that script generated (never in the repository; the tests read the demo passwords there too).
export OIDC_ISSUER="${OIDC_ISSUER:-http://127.0.0.1:$KEYCLOAK_PORT/realms/archives}"
export OIDC_CLIENT_ID="${OIDC_CLIENT_ID:-archives-portal}"
keycloak_secrets="$RUNTIME_DIR/keycloak/secrets.env"
if [ -z "${OIDC_CLIENT_SECRET:-}" ] && [ -r "$keycloak_secrets" ]; then
  OIDC_CLIENT_SECRET="$(sed -n 's/^ARCHIVES_OIDC_CLIENT_SECRET=//p' "$keycloak_secrets")"
  export OIDC_CLIENT_SECRET
fi
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  log "pytest collected no tests: that is a failure, not a pass"
  exit 1
fi
if [ -f "$AUDIT_DB_DIR/portal.db" ]; then
  log "verifying the audit chain the test session wrote (flask audit chain, then flask audit verify)"
  # The session's portal runs no sequencer (tests use no gunicorn worker): one pass chains its rows.
  if ! DATABASE_URL="$TEST_AUDIT_DATABASE_URL" FLASK_APP=app .venv/bin/flask audit chain \
     || ! DATABASE_URL="$TEST_AUDIT_DATABASE_URL" FLASK_APP=app .venv/bin/flask audit verify; then
    log "the audit chain written by the tests does not verify"
    [ "$status" -eq 0 ] && status=1
  fi
fi
exit "$status"
