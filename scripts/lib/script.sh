#!/usr/bin/env bash
# script.sh — log, die and usage for the repo's scripts (sourced, not run).
# The caller sets SCRIPT_TAG first: it prefixes every line. usage() prints
# the caller's header comment (from line 2 to `set -euo`).

log() { printf '[%s] %s\n' "$SCRIPT_TAG" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$SCRIPT_TAG" "$*" >&2; exit 1; }

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}
