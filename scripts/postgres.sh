#!/usr/bin/env bash
# Start, stop or check the PostgreSQL the tests run against (the production database kind).
# Debian's PostgreSQL, a cluster of its own under $RUNTIME_DIR/postgres, run as the non-root
# system user `archportal`, listening on 127.0.0.1 only. The test role's password is generated
# into $RUNTIME_DIR/postgres-password (never in the repository); `url` prints the test URL.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

POSTGRES_PORT="${POSTGRES_PORT:-5433}"
PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
DATA_DIR="$RUNTIME_DIR/postgres"
SOCKET_DIR="$RUNTIME_DIR/postgres-socket"
LOG_FILE="$RUNTIME_DIR/postgres.log"
PASSWORD_FILE="$RUNTIME_DIR/postgres-password"
TEST_ROLE="portal_test"
TEST_DATABASE="portal_test"

as_service_user() {
  if [ "$(id -u)" -eq 0 ]; then
    id -u "$SERVICE_USER" >/dev/null 2>&1 \
      || useradd --system --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
    runuser -u "$SERVICE_USER" -- "$@"
  else
    "$@"
  fi
}

ensure_installed() {
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    log "installing Debian's PostgreSQL"
    apt-get install -y -q postgresql >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q postgresql >/dev/null; } \
      || die "could not install postgresql"
    PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  fi
}

init_cluster() {
  [ -f "$DATA_DIR/PG_VERSION" ] && return 0
  log "creating a PostgreSQL cluster in $DATA_DIR"
  chmod 755 "$RUNTIME_DIR"
  mkdir -p "$DATA_DIR" "$SOCKET_DIR"
  [ "$(id -u)" -eq 0 ] && { id -u "$SERVICE_USER" >/dev/null 2>&1 \
    || useradd --system --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"; chown "$SERVICE_USER" "$DATA_DIR" "$SOCKET_DIR"; }
  chmod 700 "$DATA_DIR"
  # Superuser over the socket only (peer); every TCP connection needs a password.
  as_service_user "$PG_BIN/initdb" -D "$DATA_DIR" -U "$SERVICE_USER" --auth-local=peer \
    --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
}

psql_super() { as_service_user "$PG_BIN/psql" -h "$SOCKET_DIR" -p "$POSTGRES_PORT" -U "$SERVICE_USER" -d postgres -v ON_ERROR_STOP=1 -qtA "$@"; }

ensure_test_role() {
  if [ ! -s "$PASSWORD_FILE" ]; then
    (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$PASSWORD_FILE")
  fi
  local password; password="$(cat "$PASSWORD_FILE")"
  if [ "$(psql_super -c "SELECT 1 FROM pg_roles WHERE rolname = '$TEST_ROLE'")" != "1" ]; then
    psql_super -c "CREATE ROLE $TEST_ROLE LOGIN CREATEDB PASSWORD '$password'"
  else
    psql_super -c "ALTER ROLE $TEST_ROLE PASSWORD '$password'"
  fi
  # Tests drop their databases WITH (FORCE); a backend still starting up there has no role yet, and
  # only pg_signal_backend may end it (otherwise the drop fails now and then).
  psql_super -c "SET client_min_messages = warning; GRANT pg_signal_backend TO $TEST_ROLE"
  if [ "$(psql_super -c "SELECT 1 FROM pg_database WHERE datname = '$TEST_DATABASE'")" != "1" ]; then
    psql_super -c "CREATE DATABASE $TEST_DATABASE OWNER $TEST_ROLE"
  fi
}

running() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$POSTGRES_PORT" 2>/dev/null; }

start() {
  ensure_installed
  if ! running; then
    init_cluster
    mkdir -p "$SOCKET_DIR"; touch "$LOG_FILE"
    [ "$(id -u)" -eq 0 ] && chown "$SERVICE_USER" "$SOCKET_DIR" "$LOG_FILE"
    log "starting PostgreSQL on 127.0.0.1:$POSTGRES_PORT"
    as_service_user "$PG_BIN/pg_ctl" -D "$DATA_DIR" -l "$LOG_FILE" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $POSTGRES_PORT -c unix_socket_directories=$SOCKET_DIR -c fsync=off -c max_connections=200" >/dev/null \
      || { tail -30 "$LOG_FILE" >&2; die "PostgreSQL did not start"; }
  else
    log "already running on 127.0.0.1:$POSTGRES_PORT"
  fi
  ensure_test_role
}

stop() {
  ensure_installed
  [ -f "$DATA_DIR/postmaster.pid" ] || return 0
  as_service_user "$PG_BIN/pg_ctl" -D "$DATA_DIR" -m fast -w stop >/dev/null && log "PostgreSQL stopped"
}

url() {
  [ -s "$PASSWORD_FILE" ] || die "no password file; run $0 start"
  printf 'postgresql+psycopg://%s:%s@127.0.0.1:%s/%s\n' "$TEST_ROLE" "$(cat "$PASSWORD_FILE")" "$POSTGRES_PORT" "$TEST_DATABASE"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) running && log "running on 127.0.0.1:$POSTGRES_PORT" || { log "not running"; exit 1; } ;;
  url) url ;;
  *) die "usage: $0 start|stop|status|url" ;;
esac
