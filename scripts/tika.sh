#!/usr/bin/env bash
# Start, stop or check the Apache Tika server that extracts text from harvested files, with the
# project's configuration (deploy/tika/tika-config.xml: OCR of scans through Tesseract, vie+eng).
# TIKA_PORT, TIKA_PIDFILE and TIKA_LOG let a second server run beside the usual one (development).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PIDFILE="${TIKA_PIDFILE:-$RUNTIME_DIR/tika.pid}"
LOG="${TIKA_LOG:-$RUNTIME_DIR/tika.log}"
CONFIG="${TIKA_CONFIG:-$PROJECT_DIR/deploy/tika/tika-config.xml}"
URL="http://127.0.0.1:$TIKA_PORT"

start() {
  if curl -fsS -m 3 "$URL/version" >/dev/null 2>&1; then log "already running at $URL"; return 0; fi
  command -v tesseract >/dev/null || log "WARNING: tesseract is not installed (scripts/install.sh): scans get no text"
  local jar
  jar="$(maven_artifact "org.apache.tika:tika-server-standard:$TIKA_VERSION")"
  log "starting Tika server $TIKA_VERSION on $URL with $CONFIG"
  nohup "$JAVA17_HOME/bin/java" -Xmx512m -jar "$jar" --host 127.0.0.1 --port "$TIKA_PORT" --config "$CONFIG" \
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
