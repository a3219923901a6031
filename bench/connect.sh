#!/usr/bin/env bash
# connect.sh — the JVM anchor of bench/run.py: Apache Kafka Connect standalone
# with Apache Kafka's own FileStreamSinkConnector, from jars resolved with
# Maven (kept out of scripts/install-deps.sh so the test suite does not pay
# for them).
#
# Usage:
#   bench/connect.sh install                      # resolve the jars (idempotent)
#   bench/connect.sh libs                         # print the jar dir; fails if not installed
#   bench/connect.sh run WORKER CONNECTOR LOG4J2  # exec Connect standalone
#
# install resolves org.apache.kafka:connect-runtime and connect-file
# $CONNECT_VERSION and their runtime dependencies, plus log4j-slf4j-impl (binds
# slf4j 1.7 to log4j2 so Connect logs), into
# ${K2C_CACHE:-$HOME/.cache/kafka2cos}/connect-$CONNECT_VERSION/libs; a
# .complete marker there makes a second call a no-op.
#
# run replaces this shell with the JVM (exec, no fork), so the caller's child
# process IS the java process: its rusage and VmHWM are Connect's own. Flags:
# $CONNECT_HEAP (default -Xms256m -Xmx1g) and the JVM options Kafka's
# kafka-run-class.sh uses by default (G1, MaxGCPauseMillis=20, ...).
#
# Environment knobs: CONNECT_VERSION (default $KAFKA_VERSION, else 4.1.1),
# LOG4J_VERSION (default 2.24.3, as scripts/install-deps.sh), K2C_CACHE,
# CONNECT_HEAP.
set -euo pipefail

CONNECT_VERSION="${CONNECT_VERSION:-${KAFKA_VERSION:-4.1.1}}"
LOG4J_VERSION="${LOG4J_VERSION:-2.24.3}"
K2C_CACHE="${K2C_CACHE:-$HOME/.cache/kafka2cos}"
LIBS="$K2C_CACHE/connect-$CONNECT_VERSION/libs"
CONNECT_HEAP="${CONNECT_HEAP:--Xms256m -Xmx1g}"
# kafka-run-class.sh's default KAFKA_JVM_PERFORMANCE_OPTS.
JVM_OPTS=(-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true)

# shellcheck source=../scripts/lib/maven.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/maven.sh"

SCRIPT_TAG=connect
# shellcheck source=../scripts/lib/script.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/script.sh"

installed() {
    [[ -f "$LIBS/.complete" && -f "$LIBS/connect-runtime-$CONNECT_VERSION.jar" &&
        -f "$LIBS/connect-file-$CONNECT_VERSION.jar" ]]
}

cmd_install() {
    if installed; then
        log "connect $CONNECT_VERSION jars already in $LIBS"
        return
    fi
    command -v mvn >/dev/null || die "mvn not found; run scripts/install-deps.sh"
    log "resolving org.apache.kafka:connect-runtime and connect-file $CONNECT_VERSION into $LIBS"
    maven_copy_jars "$LIBS" "org.apache.kafka:connect-runtime:$CONNECT_VERSION" \
        "org.apache.kafka:connect-file:$CONNECT_VERSION" \
        "org.apache.logging.log4j:log4j-slf4j-impl:$LOG4J_VERSION" ||
        die "mvn could not resolve Kafka Connect $CONNECT_VERSION"
    [[ -f "$LIBS/connect-runtime-$CONNECT_VERSION.jar" && -f "$LIBS/connect-file-$CONNECT_VERSION.jar" ]] ||
        die "connect-runtime/connect-file $CONNECT_VERSION jars missing after resolution"
    touch "$LIBS/.complete"
    log "installed $(find "$LIBS" -name '*.jar' | wc -l) jars into $LIBS"
}

cmd_run() {
    # No command substitution or pipes here: nothing may fork before the exec.
    installed || die "Kafka Connect jars not found in $LIBS; run bench/connect.sh install"
    local worker=$1 connector=$2 log4j=$3 heap
    read -r -a heap <<<"$CONNECT_HEAP"
    exec java "${heap[@]}" "${JVM_OPTS[@]}" -Dlog4j2.configurationFile="$log4j" \
        -cp "$LIBS/*" org.apache.kafka.connect.cli.ConnectStandalone "$worker" "$connector"
}

[[ $# -ge 1 ]] || usage
case "$1" in
    install) cmd_install ;;
    libs) installed || die "not installed: $LIBS"; echo "$LIBS" ;;
    run) [[ $# -eq 4 ]] || usage; cmd_run "$2" "$3" "$4" ;;
    *) usage ;;
esac
