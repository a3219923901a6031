#!/usr/bin/env bash
# test.sh — the whole test suite, as CI runs it, on a fresh machine or this one:
#   1. installs every dependency (scripts/install-deps.sh),
#   2. checks formatting (clang-format, Google style, 100 columns),
#   3. builds the web console and runs its unit tests (scripts/build-web.sh),
#      then builds with -Wall -Wextra -Werror and runs the unit tests (ctest),
#   4. builds and runs the unit tests again under ASan + UBSan,
#   5. builds the libFuzzer targets with clang and runs each for 10 s
#      (scripts/fuzz.sh),
#   6. runs the integration tests (pytest, four at a time) against a real
#      Kafka broker and a real S3 server (SeaweedFS), which the tests start
#      and stop themselves,
#   7. a smoke run of the end-to-end benchmark (bench/run.py --smoke: 20,000
#      records; it fails if kafka2cos does not archive and commit them all).
#
# Usage: bash scripts/test.sh    (K2C_SKIP_ASAN=1 skips step 4 locally,
#                                 K2C_SKIP_FUZZ=1 skips step 5,
#                                 K2C_SKIP_BENCH=1 skips step 7,
#                                 K2C_TEST_JOBS=N runs N integration tests
#                                 at a time; default 4)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin:$HOME/go/bin"

# Each step's time is printed when it ends, so a slow step shows in CI's log.
suite_start=$SECONDS
step_start=$SECONDS
step() {
    if [[ -n "${step_name:-}" ]]; then
        echo "-- ${step_name}: $((SECONDS - step_start)) s"
    fi
    step_name="$1"
    step_start=$SECONDS
    [[ -n "$1" ]] && echo "== $1"
    return 0
}
trap 'step ""; echo "-- whole suite: $((SECONDS - suite_start)) s"' EXIT

step "install dependencies"
bash scripts/install-deps.sh

step "clang-format"
mapfile -t sources < <(git ls-files '*.cc' '*.h')
clang-format --dry-run --Werror "${sources[@]}"

step "web console: build (compiled into the binary) + unit tests (vitest)"
bash scripts/build-web.sh --test

step "build + unit tests"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build
ctest --test-dir build --output-on-failure -j2 --timeout 300

if [[ "${K2C_SKIP_ASAN:-0}" != 1 ]]; then
    step "unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
    cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DK2C_SANITIZE=ON >/dev/null
    cmake --build build-asan --target unit_tests
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
        ./build-asan/unit_tests --gtest_brief=1
fi

if [[ "${K2C_SKIP_FUZZ:-0}" != 1 ]]; then
    step "fuzz targets (briefly)"
    bash scripts/fuzz.sh 10
fi

step "integration tests (real Kafka + SeaweedFS S3)"
# Four pytest-xdist workers, each with its own broker and S3 server: the tests
# mostly wait (windows, session timeouts), so four share two cores well
# (measured: 18 min one at a time, 8.5 min with four). K2C_TEST_JOBS=1 runs
# them one at a time.
K2C_BIN="$(pwd)/build/kafka2cos" python3 -m pytest -q -n "${K2C_TEST_JOBS:-4}" --maxschedchunk 1 \
    --durations=10 tests/integration

if [[ "${K2C_SKIP_BENCH:-0}" != 1 ]]; then
    step "benchmark smoke run (figures are not checked; docs/benchmarks.md)"
    K2C_BIN="$(pwd)/build/kafka2cos" python3 bench/run.py --smoke
fi
