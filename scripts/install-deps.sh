#!/usr/bin/env bash
# install-deps.sh — install everything kafka2cos needs to build and to run its
# integration tests, on a fresh Debian 12 machine (run as root).
#
# Usage:  bash scripts/install-deps.sh [--demo]
#
# What it installs (each step is skipped when already present, so running it a
# second time is fast and changes nothing):
#   1. Debian packages: C++ toolchain and libraries, kcat, clang-format,
#      clang with its compiler-rt runtimes (libFuzzer and the sanitizers, for
#      scripts/fuzz.sh), a Java runtime, Maven, Go and Node.js with npm (the
#      last four only if not on PATH), and Chromium for the web console's
#      end-to-end test (not with --demo).
#   2. Python packages, with the `python3 -m pip` that is first on PATH:
#      pyarrow $PYARROW_VERSION (its wheel carries the Arrow/Parquet C++
#      libraries the build links: the `parquet` format), and for the pytest
#      harness boto3 awscli pytest pytest-xdist (runs the integration tests
#      side by side) confluent-kafka moto[server] schemathesis and the
#      archive readers fastavro (cramjam: its snappy) zstandard duckdb.
#   3. Apache Kafka broker jars (kafka_2.13 $KAFKA_VERSION and its runtime
#      dependencies, plus a log4j2 slf4j binding), resolved with Maven into
#      ${K2C_CACHE:-$HOME/.cache/kafka2cos}/kafka-$KAFKA_VERSION/libs/
#      (used by scripts/kafka-broker.sh).
#   4. SeaweedFS `weed` (S3 gateway used by scripts/s3-server.sh), built from
#      the Go module github.com/seaweedfs/seaweedfs at $SEAWEEDFS_VERSION into
#      $(go env GOPATH)/bin/weed.
#
# Environment knobs:
#   K2C_CACHE          cache dir for the Kafka jars (default ~/.cache/kafka2cos)
#   KAFKA_VERSION      default 4.1.1 (Kafka 4.x needs Java 17+)
#   SEAWEEDFS_VERSION  Go pseudo-version of github.com/seaweedfs/seaweedfs
set -euo pipefail

KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
LOG4J_VERSION="${LOG4J_VERSION:-2.24.3}"
SEAWEEDFS_VERSION="${SEAWEEDFS_VERSION:-v0.0.0-20261109003541-7506e5f91cd6}"
PYARROW_VERSION="${PYARROW_VERSION:-26.0.1}"
K2C_CACHE="${K2C_CACHE:-$HOME/.cache/kafka2cos}"

export DEBIAN_FRONTEND=noninteractive
# Go may live in /usr/local/go (preinstalled toolchain) and its binaries in ~/go/bin.
export PATH="$PATH:/usr/local/go/bin:$HOME/go/bin"

# shellcheck source=lib/maven.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/maven.sh"

log() { printf '[install-deps] %s\n' "$*"; }
die() { printf '[install-deps] ERROR: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }
pkg_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

# --------------------------------------------------------------------------
# 1. Debian packages
# --------------------------------------------------------------------------
APT_PACKAGES=(
    build-essential cmake ninja-build pkg-config
    librdkafka-dev libcurl4-openssl-dev libssl-dev zlib1g-dev libzstd-dev
    libtomlplusplus-dev libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
    libtinyxml2-dev libgtest-dev libgmock-dev libbenchmark-dev libboost-dev libavro-dev
    kcat clang-format python3-venv
    clang libclang-rt-14-dev
)

java_major() {
    # Prints the major version of the `java` on PATH, or 0.
    have java || { echo 0; return; }
    java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1
}

install_apt() {
    local missing=() p
    for p in "${APT_PACKAGES[@]}"; do
        if pkg_installed "$p"; then log "apt: $p already installed"; else missing+=("$p"); fi
    done
    # Tools that may come from elsewhere (e.g. a preinstalled JDK or Go toolchain).
    if [[ "$(java_major)" -ge 17 ]]; then
        log "apt: java $(java_major) already on PATH ($(command -v java)), skipping default-jre-headless"
    else
        missing+=(default-jre-headless)
    fi
    if have mvn; then log "apt: mvn already on PATH ($(command -v mvn)), skipping maven"; else missing+=(maven); fi
    if have go; then log "apt: go already on PATH ($(command -v go)), skipping golang"; else missing+=(golang); fi
    # The web console's build (scripts/build-web.sh) needs Node.js 20 or newer
    # with npm; Debian 12's own nodejs is 18, so a preinstalled one is expected.
    if have npm; then log "apt: npm already on PATH ($(command -v npm))"; else missing+=(nodejs npm); fi
    # The console's end-to-end test drives Debian's Chromium (never a
    # browser downloaded by a test tool).
    if [[ $demo_only -eq 0 ]] && ! pkg_installed chromium; then missing+=(chromium); fi

    if ((${#missing[@]} == 0)); then
        log "apt: nothing to install"
        return
    fi
    log "apt: installing ${missing[*]}"
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# --------------------------------------------------------------------------
# 2. Python packages
# --------------------------------------------------------------------------
install_pip() {
    local py
    py="$(command -v python3)" || die "python3 not found"
    # pip distribution name -> python statement that succeeds when it is usable
    # pyarrow is pinned: its wheel also carries the Arrow/Parquet C++ libraries
    # and headers the build links (cmake/ArrowFromPyarrow.cmake). The readers
    # (fastavro, zstandard, duckdb) check archives in the integration tests.
    local -a names=(boto3 awscli pytest pytest-xdist confluent-kafka "moto[server]" schemathesis
                    "pyarrow==$PYARROW_VERSION" fastavro cramjam zstandard duckdb)
    local -a checks=(
        "import boto3"
        "import awscli"
        "import pytest"
        "import xdist"
        "import confluent_kafka"
        "import moto, moto.server, flask, flask_cors"
        "import schemathesis"
        "import pyarrow, sys; sys.exit(pyarrow.__version__ != '$PYARROW_VERSION')"
        "import fastavro"
        "import cramjam"
        "import zstandard"
        "import duckdb"
    )
    local missing=() i
    for i in "${!names[@]}"; do
        if "$py" -c "${checks[$i]}" >/dev/null 2>&1; then
            log "pip: ${names[$i]} already importable ($py)"
        else
            missing+=("${names[$i]}")
        fi
    done
    if ((${#missing[@]} == 0)); then
        return
    fi
    if ! "$py" -m pip --version >/dev/null 2>&1; then
        log "pip: no pip for $py, installing python3-pip"
        apt-get update -q && apt-get install -y -q --no-install-recommends python3-pip
    fi
    log "pip: installing ${missing[*]} with $py -m pip"
    # Debian's system python refuses global installs (PEP 668) unless told otherwise;
    # pyenv and venv pythons ignore the flag's absence either way.
    local extra=()
    if "$py" -c 'import sys; sys.exit(0 if sys.prefix == sys.base_prefix and sys.prefix.startswith("/usr") else 1)'; then
        extra+=(--break-system-packages)
    fi
    "$py" -m pip install -q --disable-pip-version-check --root-user-action=ignore "${extra[@]}" "${missing[@]}"
}

# --------------------------------------------------------------------------
# 3. Kafka broker jars (from Maven Central, via mvn)
# --------------------------------------------------------------------------
install_kafka_jars() {
    local libs="$K2C_CACHE/kafka-$KAFKA_VERSION/libs"
    if [[ -f "$libs/.complete" && -f "$libs/kafka-tools-$KAFKA_VERSION.jar" ]]; then
        log "kafka: $KAFKA_VERSION jars already in $libs ($(find "$libs" -name '*.jar' | wc -l) jars)"
        return
    fi
    have mvn || die "mvn not found"
    log "kafka: resolving org.apache.kafka:kafka_2.13:$KAFKA_VERSION and dependencies into $libs"
    # kafka_2.13 contains kafka.Kafka (the broker main) and kafka.tools.StorageTool
    # (storage format); its runtime deps bring kafka-server, -raft, -metadata,
    # -storage, clients, scala, log4j-core/-api. log4j-slf4j-impl binds slf4j 1.7
    # (used by Kafka) to log4j2 so the broker actually logs. kafka-tools brings
    # TopicCommand (topic creation for the demo).
    maven_copy_jars "$libs" "org.apache.kafka:kafka_2.13:$KAFKA_VERSION" \
        "org.apache.kafka:kafka-tools:$KAFKA_VERSION" \
        "org.apache.logging.log4j:log4j-slf4j-impl:$LOG4J_VERSION" ||
        die "mvn could not resolve Kafka $KAFKA_VERSION"
    [[ -f "$libs/kafka_2.13-$KAFKA_VERSION.jar" ]] || die "kafka_2.13-$KAFKA_VERSION.jar missing after resolution"
    touch "$libs/.complete"
    log "kafka: installed $(find "$libs" -name '*.jar' | wc -l) jars into $libs"
}

# --------------------------------------------------------------------------
# 4. SeaweedFS weed binary (from the Go module proxy)
# --------------------------------------------------------------------------
install_weed() {
    have go || die "go not found (expected on PATH or in /usr/local/go/bin)"
    local gobin
    gobin="$(go env GOPATH)/bin"
    local weed="$gobin/weed"
    if [[ -x "$weed" ]]; then
        log "seaweedfs: $weed already present ($("$weed" version 2>/dev/null | head -n1))"
        return
    fi
    if have weed; then
        log "seaweedfs: $(command -v weed) already on PATH ($(weed version 2>/dev/null | head -n1))"
        return
    fi
    mkdir -p "$gobin"
    log "seaweedfs: building github.com/seaweedfs/seaweedfs/weed@$SEAWEEDFS_VERSION (takes several minutes)"
    # `go install github.com/seaweedfs/seaweedfs/weed@VERSION` is refused by Go
    # because SeaweedFS's go.mod has `replace` directives. So download the module
    # into the module cache and build it there as the main module, which honours
    # its go.mod (replace directives included) and its go.sum.
    if go install "github.com/seaweedfs/seaweedfs/weed@$SEAWEEDFS_VERSION" 2>/dev/null; then
        log "seaweedfs: installed with go install"
    else
        local moddir
        moddir="$(go mod download -json "github.com/seaweedfs/seaweedfs@$SEAWEEDFS_VERSION" |
            python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
        [[ -d "$moddir/weed" ]] || die "module source not found at $moddir"
        (cd "$moddir" && go build -mod=readonly -trimpath -o "$weed.tmp.$$" ./weed)
        mv -f "$weed.tmp.$$" "$weed"
    fi
    log "seaweedfs: installed $weed ($("$weed" version 2>/dev/null | head -n1))"
}

main() {
    [[ "$(id -u)" -eq 0 ]] || die "run as root (apt-get needs it)"
    local t0=$SECONDS
    # --demo: only what the demo needs (build, Kafka, kcat); skips the Python
    # test harness and the SeaweedFS build, which take minutes.
    demo_only=0  # Global: install_apt reads it too.
    [[ "${1:-}" == "--demo" ]] && demo_only=1
    install_apt
    install_kafka_jars
    if [[ $demo_only -eq 0 ]]; then
        install_pip
        install_weed
    fi
    log "done in $((SECONDS - t0)) s"
}

main "$@"
