#!/usr/bin/env bash
# `make test`: unit, integration and browser tests against the real OpenSearch and Tika
# (started by the Makefile). Test indices carry their own prefix; the demo's are untouched.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$PROJECT_DIR"

export OPENSEARCH_URL="http://127.0.0.1:$OPENSEARCH_PORT"
export TIKA_SERVER_ENDPOINT="http://127.0.0.1:$TIKA_PORT"
export SECRET_KEY="test-only-$(date +%s)-$$"
export PYTHONDONTWRITEBYTECODE=1
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  log "pytest collected no tests: that is a failure, not a pass"
  exit 1
fi
exit "$status"
