#!/usr/bin/env bash
# A real single-node OpenSearch for the tests, the benchmarks and local runs.
#
#   opensearch.sh start    download (once), assemble, start on 127.0.0.1:$OPENSEARCH_PORT, wait
#                          until healthy; a node already running from this cache is reused
#   opensearch.sh stop     stop the node started from this cache (by its pid file)
#   opensearch.sh status   exit 0 and print the pid when the node runs and answers, else 3
#   opensearch.sh remove   stop, then delete the node's folder (data, logs): for a node on a
#                          port picked for one test run, so the cache does not grow per port
#
# Everything comes from Maven Central through `mvn`: the integ-test distribution of OpenSearch,
# the k-NN plugin zip, and the jars of the modules that distribution leaves out but we need —
# lang-painless (k-NN extends it; the index's ordering script is Painless) and analysis-common
# (cjk_width, cjk_bigram, lowercase, n-grams, the mapping char filter). The modules are
# assembled into modules/<name>/ with a plugin descriptor, as the full distribution ships them.
# The kuromoji plugin is assembled the same way from jars (see below).
#
# OpenSearch refuses to run as root: as root, the node runs as the system user
# `cis-opensearch` (created here), and the cache lives in /var/cache/cis-worker so that user
# can reach it. Environment: OPENSEARCH_PORT (9200), OPENSEARCH_HEAP (512m),
# OPENSEARCH_CACHE (the folder that holds opensearch-<version>/), OPENSEARCH_START_TIMEOUT
# (seconds to wait for a started node to become healthy, 300: a cold start on a loaded 2-core
# machine can take over 3 minutes).
# Snapshots: the node's `path.repo` is $NODE/snapshots, so an `fs` snapshot repository can
# live there (worker/search/snapshots.py; a node started before this setting existed needs a
# restart to get it).
set -euo pipefail
shopt -s inherit_errexit  # a failing download inside $(...) stops the script too

VERSION=2.19.1
KNN_VERSION=2.19.1.0
ASM_VERSION=9.7          # what lang-painless 2.19.1's pom asks for
ANTLR_VERSION=4.13.1
LUCENE_VERSION=9.12.1    # the Lucene of OpenSearch 2.19.1 (lib/lucene-core-9.12.1.jar)
KUROMOJI_PLUGIN_VERSION=2.16.0  # the newest analysis-kuromoji jar on Maven Central
PORT="${OPENSEARCH_PORT:-9200}"
HEAP="${OPENSEARCH_HEAP:-512m}"
START_TIMEOUT="${OPENSEARCH_START_TIMEOUT:-300}"
case "$START_TIMEOUT" in
  ''|*[!0-9]*) echo "opensearch.sh: OPENSEARCH_START_TIMEOUT must be whole seconds, not '$START_TIMEOUT'" >&2; exit 2 ;;
esac
RUN_USER=cis-opensearch

if [ "$(id -u)" -eq 0 ]; then
  default_cache=/var/cache/cis-worker
else
  default_cache="${XDG_CACHE_HOME:-$HOME/.cache}/cis-worker"
fi
CACHE="${OPENSEARCH_CACHE:-$default_cache}/opensearch-$VERSION"
DOWNLOADS="$CACHE/downloads"
DIST="$CACHE/dist-2"               # the assembled distribution (-N: layout version)
NODE="$CACHE/node-$PORT"           # data, logs and pid of the node on this port
PIDFILE="$NODE/opensearch.pid"
URL="http://127.0.0.1:$PORT"

log() { echo "opensearch.sh: $*" >&2; }

fetch() {  # fetch GROUP:ARTIFACT:VERSION[:TYPE] -> path of the file in $DOWNLOADS
  local coords="$1" artifact version type
  IFS=: read -r _ artifact version type <<<"$coords"
  type="${type:-jar}"
  local file="$DOWNLOADS/$artifact-$version.$type"
  if [ ! -s "$file" ]; then
    command -v mvn >/dev/null || { log "mvn is missing (scripts/install-system-deps.sh dev)"; exit 2; }
    log "downloading $coords"
    mvn -B -q -Dstyle.color=never dependency:copy -Dartifact="$coords" \
      -DoutputDirectory="$DOWNLOADS" >&2 || true
  fi
  [ -s "$file" ] || { log "could not download $coords from Maven Central"; return 1; }
  echo "$file"
}

java_home() {
  local java
  java="$(command -v java)" || { log "java is missing (scripts/install-system-deps.sh dev)"; exit 2; }
  dirname "$(dirname "$(readlink -f "$java")")"
}

module() {  # module DIR/KIND NAME CLASSNAME EXTENDED JAR... : a module or plugin folder
  local dir="$1/$2" name="$2" classname="$3" extended="$4"
  shift 4
  mkdir -p "$dir"
  cp "$@" "$dir/"
  cat >"$dir/plugin-descriptor.properties" <<EOF
description=$name, assembled from its Maven Central jars by cis-worker
version=$VERSION
name=$name
classname=$classname
java.version=11
opensearch.version=$VERSION
extended.plugins=$extended
has.native.controller=false
EOF
}

assemble() {
  [ -x "$DIST/bin/opensearch" ] && return 0
  mkdir -p "$DOWNLOADS"
  local core knn tmp jars=()
  core="$(fetch "org.opensearch.distribution.integ-test-zip:opensearch:$VERSION:zip")"
  knn="$(fetch "org.opensearch.plugin:opensearch-knn:$KNN_VERSION:zip")"
  local coords
  for coords in "org.opensearch.plugin:lang-painless:$VERSION" \
      "org.opensearch.plugin:opensearch-scripting-painless-spi:$VERSION" \
      "org.antlr:antlr4-runtime:$ANTLR_VERSION" "org.ow2.asm:asm:$ASM_VERSION" \
      "org.ow2.asm:asm-util:$ASM_VERSION" "org.ow2.asm:asm-tree:$ASM_VERSION" \
      "org.ow2.asm:asm-commons:$ASM_VERSION" "org.ow2.asm:asm-analysis:$ASM_VERSION"; do
    jars+=("$(fetch "$coords")") || exit 1
  done
  local common kuromoji=()
  common="$(fetch "org.opensearch.plugin:analysis-common:$VERSION")"
  kuromoji+=("$(fetch "org.opensearch.plugin:analysis-kuromoji:$KUROMOJI_PLUGIN_VERSION")") ||
    exit 1
  kuromoji+=("$(fetch "org.apache.lucene:lucene-analysis-kuromoji:$LUCENE_VERSION")") || exit 1

  tmp="$(mktemp -d "$CACHE/assemble.XXXXXX")"
  unzip -q "$core" -d "$tmp"
  local home="$tmp/opensearch-$VERSION"
  module "$home/modules" lang-painless org.opensearch.painless.PainlessPlugin "" "${jars[@]}"
  # Painless generates classes at run time (the policy the module ships with says the same).
  printf 'grant {\n  permission java.lang.RuntimePermission "createClassLoader";\n  permission java.lang.RuntimePermission "getClassLoader";\n};\n' \
    >"$home/modules/lang-painless/plugin-security.policy"
  module "$home/modules" analysis-common org.opensearch.analysis.common.CommonAnalysisPlugin \
    lang-painless "$common"
  # Kuromoji (the optional Japanese morphological analyzer): Maven Central has no 2.19.1
  # plugin zip and no 2.19.1 plugin jar, so the plugin is its 2.16.0 jar (whose analysis API
  # is unchanged) with the Lucene kuromoji of 2.19.1, described as a 2.19.1 plugin.
  module "$home/plugins" analysis-kuromoji \
    org.opensearch.plugin.analysis.kuromoji.AnalysisKuromojiPlugin "" "${kuromoji[@]}"
  OPENSEARCH_JAVA_HOME="$(java_home)" "$home/bin/opensearch-plugin" install --batch \
    "file://$knn" >&2 2> >(grep -v "no-jdk distributions" >&2)
  # No GC log, heap dump or error file inside the shared distribution folder (the node user
  # cannot write there, and a test node does not need them).
  sed -i -e '/-Xlog:gc/d' -e '/HeapDump/d' -e '/ErrorFile/d' "$home/config/jvm.options"
  cat >>"$home/config/opensearch.yml" <<EOF
# cis-worker: a single local node for tests and development
cluster.name: cis-worker-local
network.host: 127.0.0.1
discovery.type: single-node
cluster.routing.allocation.disk.threshold_enabled: false
EOF
  mv "$home" "$DIST"
  rm -rf "$tmp"
  log "assembled OpenSearch $VERSION with k-NN $KNN_VERSION and kuromoji in $DIST"
}

prepare_user() {
  [ "$(id -u)" -eq 0 ] || return 0
  id -u "$RUN_USER" >/dev/null 2>&1 ||
    useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_USER"
  # the node writes its keystore into config/ and everything into its node folder
  chown -R "$RUN_USER:" "$DIST/config" "$NODE"
}

pid_alive() {  # the pid file names a live OpenSearch JVM (not a process that reused the pid)
  [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null &&
    grep -q "org.opensearch.bootstrap.OpenSearch" "/proc/$(cat "$PIDFILE")/cmdline" 2>/dev/null
}

healthy() {
  curl -fsS -o /dev/null --max-time 5 "$URL/_cluster/health?wait_for_status=yellow&timeout=2s" 2>/dev/null
}

status() {
  if pid_alive && healthy; then
    echo "running pid $(cat "$PIDFILE") on $URL"
    return 0
  fi
  echo "not running on $URL"
  return 3
}

start() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.lock"
  flock 9
  if status >/dev/null; then
    log "already running (pid $(cat "$PIDFILE")) on $URL"
    return 0
  fi
  if curl -fsS -o /dev/null --max-time 2 "$URL" 2>/dev/null; then
    log "port $PORT answers but not from a node of $CACHE: set OPENSEARCH_PORT"
    return 1
  fi
  assemble
  mkdir -p "$NODE/data" "$NODE/logs" "$NODE/snapshots"
  rm -f "$PIDFILE"
  prepare_user
  log "starting on $URL (heap $HEAP)"
  local launcher=(env OPENSEARCH_JAVA_HOME="$(java_home)" OPENSEARCH_JAVA_OPTS="-Xms$HEAP -Xmx$HEAP"
    "$DIST/bin/opensearch" -q -p "$PIDFILE" -E "http.port=$PORT" -E "node.name=cis-worker-$PORT"
    -E "path.data=$NODE/data" -E "path.logs=$NODE/logs" -E "path.repo=$NODE/snapshots")
  if [ "$(id -u)" -eq 0 ]; then
    launcher=(setpriv --reuid="$RUN_USER" --regid="$RUN_USER" --init-groups "${launcher[@]}")
  fi
  # Its own session, so the node outlives this script; every step execs, so $! is the JVM.
  setsid "${launcher[@]}" >"$NODE/logs/console.log" 2>&1 </dev/null 9>&- &
  wait_healthy "$!"
}

wait_healthy() {  # wait_healthy PID
  local deadline=$((SECONDS + START_TIMEOUT)) failure
  until healthy; do
    failure=""
    if ! kill -0 "$1" 2>/dev/null; then
      failure="the node exited before it became healthy"
    elif [ "$SECONDS" -ge "$deadline" ]; then
      failure="the node did not become healthy within ${START_TIMEOUT} s (OPENSEARCH_START_TIMEOUT; raise it on a loaded machine)"
    fi
    if [ -n "$failure" ]; then
      log "$failure; last output:"
      tail -n 40 "$NODE/logs/console.log" "$NODE/logs/cis-worker-local.log" >&2 || true
      kill -TERM "$1" 2>/dev/null || true
      return 1
    fi
    sleep 1
  done
  until [ -s "$PIDFILE" ]; do sleep 0.2; done
  log "healthy: pid $(cat "$PIDFILE") on $URL"
}

stop() {
  if ! pid_alive; then
    rm -f "$PIDFILE"
    log "not running on $URL"
    return 0
  fi
  local pid
  pid="$(cat "$PIDFILE")"
  kill -TERM "$pid"
  for _ in $(seq 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid did not stop in 60 s; killing it"
    kill -KILL "$pid"
  fi
  rm -f "$PIDFILE"
  log "stopped pid $pid"
}

remove() {
  stop
  rm -rf "$NODE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  remove) remove ;;
  *) echo "usage: $0 start|stop|status|remove" >&2; exit 2 ;;
esac
