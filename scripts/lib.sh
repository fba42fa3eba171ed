# Shared by the service scripts: where things live, and how to wait for a service.
# Sourced, not run.

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Services' files live outside the clone: OpenSearch must run as a non-root user, who cannot
# read a clone under /root; and a second clone reuses the unpacked distributions.
RUNTIME_DIR="${PORTAL_RUNTIME_DIR:-/var/tmp/archives-portal}"
M2_REPO="${M2_REPO:-$HOME/.m2/repository}"
JAVA17_HOME="${JAVA17_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"

OPENSEARCH_VERSION="${OPENSEARCH_VERSION:-2.19.6}"
OPENSEARCH_PORT="${OPENSEARCH_PORT:-9200}"
TIKA_VERSION="${TIKA_VERSION:-3.2.2}"
TIKA_PORT="${TIKA_PORT:-9998}"
DEMO_ARCHIVES_PORT="${DEMO_ARCHIVES_PORT:-5100}"
MAIL_SINK_PORT="${MAIL_SINK_PORT:-8025}"
# Not Redis's usual 6379: a Redis of the machine's own may be there.
REDIS_PORT="${REDIS_PORT:-6380}"
KEYCLOAK_VERSION="${KEYCLOAK_VERSION:-26.7.3}"
KEYCLOAK_PORT="${KEYCLOAK_PORT:-8180}"
# Keycloak 26 needs Java 21 or newer; the machine's default java is 17.
KEYCLOAK_JAVA_HOME="${KEYCLOAK_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
SERVICE_USER="${SERVICE_USER:-archportal}"

mkdir -p "$RUNTIME_DIR"

log() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Fetch a Maven artifact into ~/.m2 once; print its path. $1 = G:A:V[:packaging].
maven_artifact() {
  local coords="$1" group artifact version packaging path
  IFS=: read -r group artifact version packaging <<<"$coords"
  packaging="${packaging:-jar}"
  path="$M2_REPO/${group//.//}/$artifact/$version/$artifact-$version.$packaging"
  if [ ! -s "$path" ]; then
    log "fetching $coords from Maven Central (once; cached in ~/.m2)"
    mvn -q dependency:get -Dartifact="$coords" -Dtransitive=false >&2 \
      || die "could not fetch $coords"
  fi
  printf '%s\n' "$path"
}

# Wait until $1 answers HTTP 2xx, for at most $2 seconds; $3 names the service;
# $4, a pid file, lets a service that died on start fail at once instead of at the timeout.
wait_for_http() {
  local url="$1" timeout="$2" name="$3" pidfile="${4:-}" waited=0
  until curl -fsS -o /dev/null -m 5 "$url" 2>/dev/null; do
    sleep 1; waited=$((waited + 1))
    [ "$waited" -ge "$timeout" ] && return 1
    # A pid file still empty: the service has not written it yet (OpenSearch does once it has booted).
    if [ -n "$pidfile" ] && [ -s "$pidfile" ] && [ "$waited" -ge 5 ] && ! pid_alive "$pidfile"; then
      log "$name exited while starting"; return 1
    fi
  done
  log "$name is up at $url (${waited}s)"
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Stop the process in pid file $1, politely then firmly.
stop_pidfile() {
  local pidfile="$1" name="$2" pid
  if pid_alive "$pidfile"; then
    pid="$(cat "$pidfile")"
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$pid" 2>/dev/null || true
    log "$name stopped"
  fi
  rm -f "$pidfile"
}
