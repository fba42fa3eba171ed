#!/usr/bin/env bash
# The demo's SMTP server: keeps every mail the portal sends as an .eml file in
# $RUNTIME_DIR/mail (sign-up confirmations, password resets, notifications). Relays nothing.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PIDFILE="$RUNTIME_DIR/mail-sink.pid"
MAIL_DIR="$RUNTIME_DIR/mail"

start() {
  if pid_alive "$PIDFILE"; then log "already running on 127.0.0.1:$MAIL_SINK_PORT"; return 0; fi
  mkdir -p "$MAIL_DIR"
  cd "$PROJECT_DIR"
  nohup .venv/bin/python -m demo.mail_sink --port "$MAIL_SINK_PORT" --dir "$MAIL_DIR" \
    >"$RUNTIME_DIR/mail-sink.log" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 20); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$MAIL_SINK_PORT") 2>/dev/null; then
      log "SMTP sink on 127.0.0.1:$MAIL_SINK_PORT, mails in $MAIL_DIR"; return 0
    fi
    sleep 0.5
  done
  cat "$RUNTIME_DIR/mail-sink.log" >&2; die "the SMTP sink did not start"
}

case "${1:-start}" in
  start) start ;;
  stop) stop_pidfile "$PIDFILE" "SMTP sink" ;;
  status) pid_alive "$PIDFILE" && log "running" || { log "not running"; exit 1; } ;;
  *) die "usage: $0 start|stop|status" ;;
esac
