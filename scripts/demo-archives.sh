#!/usr/bin/env bash
# Start or stop the demo archives: simulated provincial OAI-PMH providers (demo/).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PIDFILE="$RUNTIME_DIR/demo-archives.pid"
LOG="$RUNTIME_DIR/demo-archives.log"
URL="http://127.0.0.1:$DEMO_ARCHIVES_PORT"

start() {
  if curl -fsS -m 3 "$URL/vinhlong/oai?verb=Identify" >/dev/null 2>&1; then log "already running at $URL"; return 0; fi
  log "starting the demo archives on $URL"
  cd "$PROJECT_DIR"
  nohup .venv/bin/python -m demo serve --host 127.0.0.1 --port "$DEMO_ARCHIVES_PORT" >"$LOG" 2>&1 &
  echo $! > "$PIDFILE"
  wait_for_http "$URL/vinhlong/oai?verb=Identify" 60 "demo archives" "$PIDFILE" \
    || { tail -20 "$LOG" >&2; die "the demo archives did not start"; }
}

case "${1:-start}" in
  start) start ;;
  stop) stop_pidfile "$PIDFILE" "demo archives" ;;
  *) die "usage: $0 start|stop" ;;
esac
