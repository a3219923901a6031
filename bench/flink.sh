#!/usr/bin/env bash
# flink.sh — the JVM peer of bench/run.py that really archives: an Apache
# Flink job (Kafka source -> FileSink, exactly-once checkpoints; the source in
# bench/flink/) run in Flink's local mini-cluster in one JVM. Built with Maven
# here (kept out of scripts/install-deps.sh so the test suite does not pay for
# it).
#
# Usage:
#   bench/flink.sh install      # build the job, resolve its jars (idempotent)
#   bench/flink.sh libs         # print the jar dir; fails if not installed
#   bench/flink.sh run BOOTSTRAP TOPIC GROUP OUTPUT_DIR CHECKPOINT_DIR INTERVAL_MS PARALLELISM LOG
#
# install runs `mvn package dependency:copy-dependencies` on bench/flink/pom.xml
# (Flink $FLINK_VERSION from the pom, flink-connector-kafka, log4j2) with its
# build directory and the resolved jars under
# ${K2C_CACHE:-$HOME/.cache/kafka2cos}/flink/; a .complete marker there (with
# a hash of the job's sources) makes a second call a no-op until they change.
#
# run replaces this shell with the JVM (exec, no fork), so the caller's child
# process IS the java process: its rusage and VmHWM are the job's own. Heap:
# $FLINK_HEAP (default -Xms256m -Xmx1g, as the Connect peer); the other JVM
# flags are the --add-opens/--add-exports list Flink's own config.yaml passes
# on Java 17 (env.java.default-opts.all), and G1.
set -euo pipefail

K2C_CACHE="${K2C_CACHE:-$HOME/.cache/kafka2cos}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT="$HERE/flink"
BASE="$K2C_CACHE/flink"
LIBS="$BASE/libs"
FLINK_HEAP="${FLINK_HEAP:--Xms256m -Xmx1g}"
JVM_OPTS=(-server -XX:+UseG1GC -Djava.awt.headless=true
    --add-exports=java.base/sun.net.util=ALL-UNNAMED
    --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
    --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
    --add-opens=java.base/java.lang=ALL-UNNAMED
    --add-opens=java.base/java.net=ALL-UNNAMED
    --add-opens=java.base/java.io=ALL-UNNAMED
    --add-opens=java.base/java.nio=ALL-UNNAMED
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
    --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
    --add-opens=java.base/java.text=ALL-UNNAMED
    --add-opens=java.base/java.time=ALL-UNNAMED
    --add-opens=java.base/java.util=ALL-UNNAMED
    --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
    --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
    --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED)

SCRIPT_TAG=flink
# shellcheck source=../scripts/lib/script.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/script.sh"

sources_hash() {
    (cd "$PROJECT" && find . -type f -not -path './target/*' -print0 | sort -z |
        xargs -0 sha256sum | sha256sum | cut -c1-16)
}

installed() {
    [[ -f "$LIBS/.complete" && -f "$LIBS/flink-archive-1.jar" ]]
}

cmd_install() {
    local want
    want="$(sources_hash)"
    if installed && [[ "$(cat "$LIBS/.complete")" == "$want" ]]; then
        log "flink job and jars already in $LIBS"
        return
    fi
    command -v mvn >/dev/null || die "mvn not found; run scripts/install-deps.sh"
    log "building bench/flink and resolving its jars into $LIBS"
    rm -rf "$LIBS"
    mkdir -p "$LIBS"
    mvn -q -B -Dstyle.color=never -f "$PROJECT/pom.xml" -Dk2c.build.dir="$BASE/build" \
        package dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIBS" ||
        die "mvn could not build bench/flink"
    cp "$BASE/build/flink-archive-1.jar" "$LIBS/"
    echo "$want" >"$LIBS/.complete"
    log "installed $(find "$LIBS" -name '*.jar' | wc -l) jars into $LIBS"
}

cmd_run() {
    # No command substitution or pipes here: nothing may fork before the exec.
    installed || die "the Flink job is not built in $LIBS; run bench/flink.sh install"
    local heap
    read -r -a heap <<<"$FLINK_HEAP"
    exec java "${heap[@]}" "${JVM_OPTS[@]}" -Dk2c.flink.log="$9" -cp "$LIBS/*" \
        kafka2cos.bench.FlinkArchive "$2" "$3" "$4" "$5" "$6" "$7" "$8"
}

[[ $# -ge 1 ]] || usage
case "$1" in
    install) cmd_install ;;
    libs) installed || die "not installed: $LIBS"; echo "$LIBS" ;;
    run) [[ $# -eq 9 ]] || usage; cmd_run "$@" ;;
    *) usage ;;
esac
