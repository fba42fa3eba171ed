#!/usr/bin/env bash
# Start, stop or check the Apache Tika server that extracts text from harvested files.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PIDFILE="$RUNTIME_DIR/tika.pid"
LOG="$RUNTIME_DIR/tika.log"
URL="http://127.0.0.1:$TIKA_PORT"

start() {
  if curl -fsS -m 3 "$URL/version" >/dev/null 2>&1; then log "already running at $URL"; return 0; fi
  local jar
  jar="$(maven_artifact "org.apache.tika:tika-server-standard:$TIKA_VERSION")"
  log "starting Tika server $TIKA_VERSION on $URL"
  nohup "$JAVA17_HOME/bin/java" -Xmx512m -jar "$jar" --host 127.0.0.1 --port "$TIKA_PORT" \
    >"$LOG" 2>&1 &
  echo $! > "$PIDFILE"
  wait_for_http "$URL/version" 120 Tika "$PIDFILE" || { tail -30 "$LOG" >&2; die "Tika did not start"; }
}

case "${1:-start}" in
  start) start ;;
  stop) stop_pidfile "$PIDFILE" Tika ;;
  status) curl -fsS -m 3 "$URL/version" ;;
  *) die "usage: $0 start|stop|status" ;;
esac
