#!/usr/bin/env bash
# Start, stop or check the Redis the portal's gunicorn workers share their state in (the rate-limit
# counts): Debian's redis-server (scripts/install.sh installs it), daemonized, on 127.0.0.1 only and a
# port of the project's own, its pid, log and socket files under $RUNTIME_DIR/redis, nothing persisted
# (counts that a restart forgets are fine). `url` prints the REDIS_URL to give the portal.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

REDIS_DIR="$RUNTIME_DIR/redis"
PID_FILE="$REDIS_DIR/redis.pid"
LOG_FILE="$REDIS_DIR/redis.log"

cli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }
running() { cli ping 2>/dev/null | grep -q PONG; }

start() {
  command -v redis-server >/dev/null || die "redis-server is missing: run scripts/install.sh"
  if running; then
    log "already running on 127.0.0.1:$REDIS_PORT"
    return 0
  fi
  mkdir -p "$REDIS_DIR"
  log "starting Redis on 127.0.0.1:$REDIS_PORT"
  # No RDB snapshots, no append-only file: what it holds is worth losing on a restart.
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes --daemonize yes \
    --pidfile "$PID_FILE" --logfile "$LOG_FILE" --dir "$REDIS_DIR" \
    --save '' --appendonly no --maxmemory 256mb --maxmemory-policy volatile-ttl \
    || die "Redis did not start (see $LOG_FILE)"
  for _ in $(seq 1 20); do running && { log "Redis is up on 127.0.0.1:$REDIS_PORT"; return 0; }; sleep 0.5; done
  tail -20 "$LOG_FILE" >&2
  die "Redis did not answer on 127.0.0.1:$REDIS_PORT"
}

stop() {
  if running; then
    cli shutdown nosave >/dev/null 2>&1 || true
    for _ in $(seq 1 20); do running || break; sleep 0.5; done
    log "Redis stopped"
  fi
  rm -f "$PID_FILE"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) running && log "running on 127.0.0.1:$REDIS_PORT" || { log "not running"; exit 1; } ;;
  url) printf 'redis://127.0.0.1:%s/0\n' "$REDIS_PORT" ;;
  *) die "usage: $0 start|stop|status|url" ;;
esac
