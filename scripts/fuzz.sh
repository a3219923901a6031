#!/usr/bin/env bash
# fuzz.sh — builds the libFuzzer targets (tests/fuzz/*_fuzz.cc: the parsers of
# outside input) with clang, ASan and UBSan into build-fuzz/, then runs each one
# for a few seconds on a copy of its seed corpus (tests/fuzz/corpus/<name>/) in
# a temporary directory, so the repository's corpus is never changed.
#
# Fails when a target finds a crash, a sanitizer error, a leak, a timeout
# (one input over 5 s) or an out-of-memory (over 1 GiB). The input that did it
# is kept as build-fuzz/artifacts/<name>/crash-* (or timeout-*, oom-*, leak-*);
# reproduce with `build-fuzz/<name>_fuzz <that file>`. Full logs are in
# build-fuzz/logs/<name>.log.
#
# Usage: bash scripts/fuzz.sh [SECONDS_PER_TARGET]    (default 15)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-15}"
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || {
    echo "usage: $0 [SECONDS_PER_TARGET]" >&2
    exit 2
}
targets=(config key_template s3_xml kafka_metadata format_reader)
build=build-fuzz

command -v clang++ >/dev/null || {
    echo "fuzz: clang++ not found; run scripts/install-deps.sh" >&2
    exit 1
}
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DK2C_FUZZ=ON >/dev/null
cmake --build "$build" --target fuzz_targets

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$build/logs"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"

failed=()
t0=$SECONDS
for name in "${targets[@]}"; do
    corpus="$work/$name"
    artifacts="$build/artifacts/$name"
    log="$build/logs/$name.log"
    cp -r "tests/fuzz/corpus/$name" "$corpus"
    rm -rf "$artifacts"
    mkdir -p "$artifacts"
    rc=0
    "./$build/${name}_fuzz" "$corpus" -max_total_time="$seconds" -timeout=5 \
        -rss_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$(pwd)/$artifacts/" \
        >"$log" 2>&1 || rc=$?
    # libFuzzer's last status line ("#123 DONE cov: 45 ft: 67 corp: 8/1kb ...")
    # and its final stats give the summary.
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)"
    cov="$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -n1 || true)"
    seeds="$(find "tests/fuzz/corpus/$name" -type f | wc -l)"
    if ((rc == 0)); then
        printf 'fuzz: %-15s ok     %s executions in %s s, %s (from %s seeds)\n' \
            "$name" "${runs:-?}" "$seconds" "${cov:-no coverage line}" "$seeds"
    else
        printf 'fuzz: %-15s FAILED (exit %s) after %s executions, %s\n' \
            "$name" "$rc" "${runs:-?}" "${cov:-no coverage line}"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error:|artifact_prefix|Test unit written)' \
            "$log" | head -n 20 | sed 's/^/    /' || true
        echo "    full log: $log"
        failed+=("$name")
    fi
done

if ((${#failed[@]} > 0)); then
    echo "fuzz: FAILED: ${failed[*]} (${#failed[@]} of ${#targets[@]} targets, $((SECONDS - t0)) s)"
    exit 1
fi
echo "fuzz: all ${#targets[@]} targets ok, ${seconds} s each, no crash ($((SECONDS - t0)) s)"
