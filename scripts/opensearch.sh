#!/usr/bin/env bash
# Start, stop or check the OpenSearch the portal searches: one node (the default), or a cluster of
# OPENSEARCH_NODES nodes on loopback, node i answering HTTP on OPENSEARCH_PORT + i - 1.
# The real distribution from Maven Central, run on Java 17 as a non-root user (it refuses root).
#   scripts/opensearch.sh start|stop|status
#   scripts/opensearch.sh start-node I|stop-node I     one node of a cluster (after a crash, for a test)
# A cluster keeps its nodes' configuration, data, logs and pid files under OPENSEARCH_CLUSTER_DIR
# (default $RUNTIME_DIR/opensearch-cluster); the unpacked distribution is shared.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

NODES="${OPENSEARCH_NODES:-1}"
HOME_DIR="$RUNTIME_DIR/opensearch-$OPENSEARCH_VERSION"
CLUSTER_DIR="${OPENSEARCH_CLUSTER_DIR:-$RUNTIME_DIR/opensearch-cluster}"
DATA_DIR="$RUNTIME_DIR/opensearch-data"
LOG_DIR="$RUNTIME_DIR/opensearch-logs"
PIDFILE="$RUNTIME_DIR/opensearch.pid"
# Snapshots (`flask index snapshot`) go under this directory, listed in every node's path.repo; the single
# node and a loopback cluster share it, so one can restore what the other took.
SNAPSHOT_DIR="${OPENSEARCH_SNAPSHOT_DIR:-$RUNTIME_DIR/opensearch-snapshots}"
URL="http://127.0.0.1:$OPENSEARCH_PORT"
# Heap a node: the single node gets 1 GiB; a loopback cluster shares the machine three ways.
HEAP="${OPENSEARCH_HEAP:-$([ "$NODES" -gt 1 ] && echo 512m || echo 1g)}"

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
  mkdir -p "$DATA_DIR" "$LOG_DIR" "$SNAPSHOT_DIR"
  cat > "$HOME_DIR/config/opensearch.yml" <<YML
cluster.name: archives-portal
node.name: node-1
discovery.type: single-node
network.host: 127.0.0.1
http.port: $OPENSEARCH_PORT
transport.port: $((OPENSEARCH_PORT + 100))
path.data: $DATA_DIR
path.logs: $LOG_DIR
path.repo: ["$SNAPSHOT_DIR"]
# A developer's disk may be nearly full; a read-only index would fail every harvest.
cluster.routing.allocation.disk.threshold_enabled: false
action.auto_create_index: false
YML
  # Heap sized for a 24 GiB machine shared with Tika, the portal and the tests.
  sed -i -e "s/^-Xms.*/-Xms$HEAP/" -e "s/^-Xmx.*/-Xmx$HEAP/" "$HOME_DIR/config/jvm.options"
}

# A cluster node: its own configuration directory (OPENSEARCH_PATH_CONF), data, logs and pid file.
node_dir() { printf '%s/node-%s\n' "$CLUSTER_DIR" "$1"; }
node_port() { echo $((OPENSEARCH_PORT + $1 - 1)); }

write_node_config() {
  local i="$1" dir seeds="" managers="" n
  dir="$(node_dir "$i")"
  mkdir -p "$dir/data" "$dir/logs" "$SNAPSHOT_DIR"
  rm -rf "$dir/config" && cp -r "$HOME_DIR/config" "$dir/config"
  for n in $(seq 1 "$NODES"); do
    seeds="$seeds${seeds:+, }\"127.0.0.1:$(( $(node_port "$n") + 100 ))\""
    managers="$managers${managers:+, }\"node-$n\""
  done
  cat > "$dir/config/opensearch.yml" <<YML
cluster.name: archives-portal-cluster-$OPENSEARCH_PORT
node.name: node-$i
network.host: 127.0.0.1
http.port: $(node_port "$i")
transport.port: $(( $(node_port "$i") + 100 ))
discovery.seed_hosts: [$seeds]
cluster.initial_cluster_manager_nodes: [$managers]
path.data: $dir/data
path.logs: $dir/logs
path.repo: ["$SNAPSHOT_DIR"]
cluster.routing.allocation.disk.threshold_enabled: false
action.auto_create_index: false
YML
  sed -i -e "s/^-Xms.*/-Xms$HEAP/" -e "s/^-Xmx.*/-Xmx$HEAP/" "$dir/config/jvm.options"
}

start_node() {
  local i="$1" dir url
  dir="$(node_dir "$i")"; url="http://127.0.0.1:$(node_port "$i")"
  if curl -fsS -m 3 "$url" >/dev/null 2>&1; then log "node-$i already running at $url"; return 0; fi
  [ -f "$dir/config/opensearch.yml" ] || write_node_config "$i"
  : > "$dir/opensearch.pid"  # a node killed leaves its pid behind: the wait below would take it for this one
  log "starting OpenSearch node-$i on $url"
  if [ "$(id -u)" -eq 0 ]; then
    id -u "$SERVICE_USER" >/dev/null 2>&1 \
      || useradd --system --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
    chmod 755 "$RUNTIME_DIR" "$CLUSTER_DIR"
    touch "$dir/opensearch.pid"
    chown -R "$SERVICE_USER" "$HOME_DIR" "$dir" "$SNAPSHOT_DIR"
    runuser -u "$SERVICE_USER" -- env OPENSEARCH_JAVA_HOME="$JAVA17_HOME" OPENSEARCH_PATH_CONF="$dir/config" \
      "$HOME_DIR/bin/opensearch" -d -p "$dir/opensearch.pid" >"$dir/logs/console.log" 2>&1
  else
    env OPENSEARCH_JAVA_HOME="$JAVA17_HOME" OPENSEARCH_PATH_CONF="$dir/config" \
      "$HOME_DIR/bin/opensearch" -d -p "$dir/opensearch.pid" >"$dir/logs/console.log" 2>&1
  fi
}

start_cluster() {
  local i
  install_distribution
  install_analysis_module
  mkdir -p "$CLUSTER_DIR"
  for i in $(seq 1 "$NODES"); do write_node_config "$i"; start_node "$i"; done
  for i in $(seq 1 "$NODES"); do
    wait_for_http "http://127.0.0.1:$(node_port "$i")" 240 "OpenSearch node-$i" "$(node_dir "$i")/opensearch.pid" \
      || { tail -50 "$(node_dir "$i")/logs/console.log" >&2 || true; die "OpenSearch node-$i did not start"; }
  done
  curl -fsS -m 120 "$URL/_cluster/health?wait_for_nodes=$NODES&wait_for_status=green&timeout=120s" >/dev/null \
    || die "the OpenSearch cluster did not form ($NODES nodes)"
  log "OpenSearch cluster of $NODES nodes on ports $OPENSEARCH_PORT-$(node_port "$NODES")"
}

stop_cluster() {
  local i
  for i in $(seq 1 "$NODES"); do stop_pidfile "$(node_dir "$i")/opensearch.pid" "OpenSearch node-$i"; done
}

# OpenSearch refuses to run as root: run it as a system user who owns its files.
as_service_user() {
  if [ "$(id -u)" -eq 0 ]; then
    id -u "$SERVICE_USER" >/dev/null 2>&1 \
      || useradd --system --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
    chown -R "$SERVICE_USER" "$HOME_DIR" "$DATA_DIR" "$LOG_DIR" "$SNAPSHOT_DIR"
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

if [ "$NODES" -gt 1 ]; then
  case "${1:-start}" in
    start) start_cluster ;;
    stop) stop_cluster ;;
    start-node) start_node "${2:?which node}"
                wait_for_http "http://127.0.0.1:$(node_port "$2")" 240 "OpenSearch node-$2" "$(node_dir "$2")/opensearch.pid" \
                  || die "OpenSearch node-$2 did not start" ;;
    stop-node) stop_pidfile "$(node_dir "${2:?which node}")/opensearch.pid" "OpenSearch node-$2" ;;
    status) curl -fsS -m 3 "$URL/_cluster/health?pretty" ;;
    *) die "usage: $0 start|stop|status|start-node I|stop-node I" ;;
  esac
  exit 0
fi
case "${1:-start}" in
  start) start ;;
  stop) stop_pidfile "$PIDFILE" OpenSearch ;;
  status) curl -fsS -m 3 "$URL/_cluster/health?pretty" ;;
  *) die "usage: $0 start|stop|status" ;;
esac
