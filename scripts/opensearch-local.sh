#!/usr/bin/env bash
# A real single-node OpenSearch with the k-NN plugin on 127.0.0.1, built from Maven Central artifacts
# (no Docker). Usage: scripts/opensearch-local.sh start|stop|status
#
# What it does and why (details and what was verified: docs/OPENSEARCH.md):
# - core = integ-test-zip (no bundled JDK, only transport-netty4); plugin = opensearch-knn zip.
#   Versions must match exactly. Maven Central has opensearch-knn 2.19.0.0 and 2.19.1.0 but no
#   2.19.2.0, hence 2.19.1.
# - k-NN extends lang-painless, which the integ-test-zip lacks: we lay out the lang-painless jars from
#   Maven Central as modules/lang-painless with a descriptor and a security policy.
# - k-NN's Maven zip has no native faiss/nmslib libraries: indexes must use engine "lucene".
# - OpenSearch refuses to run as root: as root we run it as a system user, and the default home is
#   outside /root (mode 0700, unreadable to that user).
#
# Environment (all optional):
#   BEIR_BENCH_OPENSEARCH_HOME     cache for downloads, install, data, logs
#                                  (default $HOME/.cache/beir-bench/opensearch; as root /var/cache/beir-bench/opensearch)
#   BEIR_BENCH_OPENSEARCH_VERSION  core version (default 2.19.1; the k-NN plugin version is <version>.0)
#   BEIR_BENCH_OPENSEARCH_PORT     HTTP port on 127.0.0.1 (default 9200; transport port = HTTP port + 100)
#   BEIR_BENCH_OPENSEARCH_HEAP     JVM heap (default 1g)
#   BEIR_BENCH_OPENSEARCH_USER     user to run as when started by root (default opensearch)
set -euo pipefail

VERSION="${BEIR_BENCH_OPENSEARCH_VERSION:-2.19.1}"
PORT="${BEIR_BENCH_OPENSEARCH_PORT:-9200}"
HEAP="${BEIR_BENCH_OPENSEARCH_HEAP:-1g}"
RUN_USER="${BEIR_BENCH_OPENSEARCH_USER:-opensearch}"
if [[ $(id -u) -eq 0 ]]; then
  OS_HOME="${BEIR_BENCH_OPENSEARCH_HOME:-/var/cache/beir-bench/opensearch}"
else
  OS_HOME="${BEIR_BENCH_OPENSEARCH_HOME:-$HOME/.cache/beir-bench/opensearch}"
fi
DOWNLOADS="$OS_HOME/downloads/$VERSION"
INSTALL="$OS_HOME/opensearch-$VERSION"
NODE_DIR="$OS_HOME/node-$PORT"            # data, logs, config and pid of the node on this port
PIDFILE="$NODE_DIR/opensearch.pid"
URL="http://127.0.0.1:$PORT"

log() { echo "[opensearch-local] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

http_up() { curl -fsS -m 2 "$URL/" >/dev/null 2>&1; }

node_pid() {
  [[ -s "$PIDFILE" ]] || return 1
  local pid; pid=$(cat "$PIDFILE")
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# One Maven run resolves every artifact (exact versions, no transitive deps) into $DOWNLOADS.
download() {
  [[ -f "$DOWNLOADS/.complete" ]] && return 0
  command -v mvn >/dev/null || die "mvn not found: it is needed once to fetch OpenSearch from Maven Central"
  mkdir -p "$DOWNLOADS"
  log "downloading OpenSearch $VERSION, k-NN $VERSION.0 and lang-painless from Maven Central into $DOWNLOADS"
  dep() { printf '<dependency><groupId>%s</groupId><artifactId>%s</artifactId><version>%s</version><type>%s</type></dependency>\n' "$@"; }
  cat >"$DOWNLOADS/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>beir-bench</groupId><artifactId>opensearch-local</artifactId><version>1</version>
  <dependencies>
$(dep org.opensearch.distribution.integ-test-zip opensearch "$VERSION" zip)
$(dep org.opensearch.plugin opensearch-knn "$VERSION.0" zip)
$(dep org.opensearch.plugin lang-painless "$VERSION" jar)
$(dep org.opensearch.plugin opensearch-scripting-painless-spi "$VERSION" jar)
$(dep org.antlr antlr4-runtime 4.13.1 jar)
$(for a in asm asm-util asm-tree asm-commons asm-analysis; do dep org.ow2.asm "$a" 9.7 jar; done)
  </dependencies>
</project>
EOF
  mvn -q -B -f "$DOWNLOADS/pom.xml" dependency:copy-dependencies \
    -DexcludeTransitive=true -DoutputDirectory="$DOWNLOADS/artifacts" \
    || die "Maven could not fetch the artifacts (is $VERSION.0 of opensearch-knn on Maven Central?)"
  touch "$DOWNLOADS/.complete"
}

install() {
  [[ -f "$INSTALL/.complete" ]] && return 0
  local art="$DOWNLOADS/artifacts"
  rm -rf "$INSTALL" "$INSTALL.tmp"
  mkdir -p "$INSTALL.tmp"
  unzip -q "$art/opensearch-$VERSION.zip" -d "$INSTALL.tmp"
  mv "$INSTALL.tmp/opensearch-$VERSION" "$INSTALL"
  rmdir "$INSTALL.tmp"

  # lang-painless as a module: only its own jars (a stray core jar would cause jar hell).
  local mod="$INSTALL/modules/lang-painless"
  mkdir -p "$mod"
  cp "$art"/lang-painless-"$VERSION".jar "$art"/opensearch-scripting-painless-spi-"$VERSION".jar \
     "$art"/antlr4-runtime-*.jar "$art"/asm-*.jar "$mod/"
  cat >"$mod/plugin-descriptor.properties" <<EOF
description=Painless scripting language (assembled from Maven Central by beir-bench)
version=$VERSION
name=lang-painless
classname=org.opensearch.painless.PainlessPlugin
java.version=11
opensearch.version=$VERSION
extended.plugins=
has.native.controller=false
EOF
  cat >"$mod/plugin-security.policy" <<'EOF'
grant {
  // generate runtime classes for compiled scripts
  permission java.lang.RuntimePermission "createClassLoader";
  // find the class loader holding allow-listed classes
  permission java.lang.RuntimePermission "getClassLoader";
};
EOF
  OPENSEARCH_JAVA_HOME="$JAVA_HOME_DIR" "$INSTALL/bin/opensearch-plugin" install --batch \
    "file://$art/opensearch-knn-$VERSION.0.zip" >&2
  touch "$INSTALL/.complete"
}

java_home() {
  local java; java=$(command -v java) || die "java not found (OpenSearch $VERSION needs Java 11+; 3.x needs 21)"
  dirname "$(dirname "$(readlink -f "$java")")"
}

configure_node() {
  mkdir -p "$NODE_DIR/data" "$NODE_DIR/logs" "$NODE_DIR/config"
  # Per-node config dir, so several ports can share one install.
  cp -r "$INSTALL/config/." "$NODE_DIR/config/"
  cat >"$NODE_DIR/config/opensearch.yml" <<EOF
cluster.name: beir-bench-$PORT
node.name: beir-bench-$PORT
discovery.type: single-node
network.host: 127.0.0.1
http.port: $PORT
transport.port: $((PORT + 100))
path.data: $NODE_DIR/data
path.logs: $NODE_DIR/logs
cluster.routing.allocation.disk.threshold_enabled: false
EOF
  if [[ $(id -u) -eq 0 ]]; then
    id -u "$RUN_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_USER"
    chown -R "$RUN_USER:" "$INSTALL" "$NODE_DIR"
    runuser -u "$RUN_USER" -- test -x "$INSTALL/bin/opensearch" ||
      die "user $RUN_USER cannot reach $INSTALL (a parent directory is private?): set BEIR_BENCH_OPENSEARCH_HOME elsewhere"
  fi
}

start() {
  if pid=$(node_pid); then log "already running (pid $pid)"; status; return; fi
  http_up && die "something else already answers on $URL; stop it or set BEIR_BENCH_OPENSEARCH_PORT"
  JAVA_HOME_DIR=$(java_home)
  local t0=$SECONDS
  download
  install
  configure_node
  rm -f "$NODE_DIR"/logs/*.log "$PIDFILE"   # so a failure report shows this start's log only
  log "starting OpenSearch $VERSION on $URL (heap $HEAP, logs in $NODE_DIR/logs)"
  local -a cmd=(env "OPENSEARCH_JAVA_HOME=$JAVA_HOME_DIR" "OPENSEARCH_PATH_CONF=$NODE_DIR/config"
    "OPENSEARCH_JAVA_OPTS=-Xms$HEAP -Xmx$HEAP" "$INSTALL/bin/opensearch" -d -p "$PIDFILE")
  if [[ $(id -u) -eq 0 ]]; then cmd=(runuser -u "$RUN_USER" -- "${cmd[@]}"); fi
  "${cmd[@]}" >"$NODE_DIR/logs/stdout.log" 2>&1 || {
    tail -n 30 "$NODE_DIR/logs/stdout.log" >&2
    die "bin/opensearch failed to start (see $NODE_DIR/logs)"
  }
  log "waiting for cluster health yellow"
  local deadline=$((SECONDS + 180))
  # bin/opensearch -d may return before the pid file is written: only a written pid that died is fatal.
  until curl -fsS -m 5 "$URL/_cluster/health?wait_for_status=yellow&timeout=5s" >/dev/null 2>&1; do
    if [[ -s "$PIDFILE" ]] && ! node_pid >/dev/null; then
      tail -n 40 "$NODE_DIR/logs/beir-bench-$PORT.log" >&2 2>/dev/null || true
      die "OpenSearch exited during startup (see $NODE_DIR/logs)"
    fi
    ((SECONDS < deadline)) || die "OpenSearch did not become healthy within 180 s (see $NODE_DIR/logs)"
    sleep 2
  done
  log "up in $((SECONDS - t0)) s"
  status
}

stop() {
  local pid
  if ! pid=$(node_pid); then log "not running on port $PORT"; rm -f "$PIDFILE"; return 0; fi
  log "stopping pid $pid"
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || { log "stopped"; return 0; }; sleep 1; done
  log "still alive after 60 s: SIGKILL"
  kill -9 "$pid"
}

status() {
  if ! http_up; then log "not reachable at $URL"; return 1; fi
  curl -fsS "$URL/" | grep -E '"(number|distribution|lucene_version)"' | sed 's/^ */  /'
  echo "plugins:"
  curl -fsS "$URL/_cat/plugins?h=component,version" | sed 's/^/  /'
  echo "modules:"
  curl -fsS "$URL/_nodes/plugins?filter_path=nodes.*.modules.name" | grep -o '"name":"[^"]*"' | cut -d'"' -f4 | sed 's/^/  /'
  echo "url: $URL"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
