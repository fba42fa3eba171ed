#!/usr/bin/env bash
# Start, stop or check the single-node OpenSearch the portal searches.
# The real distribution from Maven Central, run on Java 17 as a non-root user (it refuses root).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

HOME_DIR="$RUNTIME_DIR/opensearch-$OPENSEARCH_VERSION"
DATA_DIR="$RUNTIME_DIR/opensearch-data"
LOG_DIR="$RUNTIME_DIR/opensearch-logs"
PIDFILE="$RUNTIME_DIR/opensearch.pid"
URL="http://127.0.0.1:$OPENSEARCH_PORT"

install_distribution() {
  [ -x "$HOME_DIR/bin/opensearch" ] && return 0
  local zip
  zip="$(maven_artifact "org.opensearch.distribution.integ-test-zip:opensearch:$OPENSEARCH_VERSION:zip")"
  log "unpacking OpenSearch $OPENSEARCH_VERSION"
  rm -rf "$HOME_DIR.partial" && mkdir -p "$HOME_DIR.partial"
  (cd "$HOME_DIR.partial" && unzip -q "$zip")
  mv "$HOME_DIR.partial/opensearch-$OPENSEARCH_VERSION" "$HOME_DIR"
  rm -rf "$HOME_DIR.partial"
}

# The integ-test distribution carries only the transport module. The analysis module (the
# asciifolding filter, for diacritic-free search) is published on Maven Central as a jar:
# install it as a module beside transport, with the descriptor the distribution would give it.
install_analysis_module() {
  local dir="$HOME_DIR/modules/analysis-common" jar
  [ -f "$dir/plugin-descriptor.properties" ] && return 0
  jar="$(maven_artifact "org.opensearch.plugin:analysis-common:$OPENSEARCH_VERSION")"
  mkdir -p "$dir"
  cp "$jar" "$dir/"
  cat > "$dir/plugin-descriptor.properties" <<PROPS
description=Adds "built in" analyzers to OpenSearch.
version=$OPENSEARCH_VERSION
name=analysis-common
classname=org.opensearch.analysis.common.CommonAnalysisPlugin
java.version=11
opensearch.version=$OPENSEARCH_VERSION
extended.plugins=
has.native.controller=false
PROPS
}

write_config() {
  mkdir -p "$DATA_DIR" "$LOG_DIR"
  cat > "$HOME_DIR/config/opensearch.yml" <<YML
cluster.name: archives-portal
node.name: node-1
discovery.type: single-node
network.host: 127.0.0.1
http.port: $OPENSEARCH_PORT
transport.port: $((OPENSEARCH_PORT + 100))
path.data: $DATA_DIR
path.logs: $LOG_DIR
# A developer's disk may be nearly full; a read-only index would fail every harvest.
cluster.routing.allocation.disk.threshold_enabled: false
action.auto_create_index: false
YML
  # Heap sized for a 24 GiB machine shared with Tika, the portal and the tests.
  sed -i -e 's/^-Xms.*/-Xms1g/' -e 's/^-Xmx.*/-Xmx1g/' "$HOME_DIR/config/jvm.options"
}

# OpenSearch refuses to run as root: run it as a system user who owns its files.
as_service_user() {
  if [ "$(id -u)" -eq 0 ]; then
    id -u "$SERVICE_USER" >/dev/null 2>&1 \
      || useradd --system --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
    chown -R "$SERVICE_USER" "$HOME_DIR" "$DATA_DIR" "$LOG_DIR"
    chmod 755 "$RUNTIME_DIR"
    touch "$PIDFILE" && chown "$SERVICE_USER" "$PIDFILE"
    runuser -u "$SERVICE_USER" -- "$@"
  else
    "$@"
  fi
}

start() {
  if curl -fsS -m 3 "$URL" >/dev/null 2>&1; then log "already running at $URL"; return 0; fi
  install_distribution
  install_analysis_module
  write_config
  log "starting OpenSearch $OPENSEARCH_VERSION on $URL"
  as_service_user env OPENSEARCH_JAVA_HOME="$JAVA17_HOME" \
    "$HOME_DIR/bin/opensearch" -d -p "$PIDFILE" >"$LOG_DIR/console.log" 2>&1
  wait_for_http "$URL" 180 OpenSearch "$PIDFILE" || { tail -50 "$LOG_DIR/console.log" "$LOG_DIR/archives-portal.log" >&2 || true; die "OpenSearch did not start"; }
  curl -fsS -m 60 "$URL/_cluster/health?wait_for_status=yellow&timeout=60s" >/dev/null \
    || die "OpenSearch cluster is not healthy"
}

case "${1:-start}" in
  start) start ;;
  stop) stop_pidfile "$PIDFILE" OpenSearch ;;
  status) curl -fsS -m 3 "$URL/_cluster/health?pretty" ;;
  *) die "usage: $0 start|stop|status" ;;
esac
