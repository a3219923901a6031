#!/usr/bin/env bash
# build-web.sh — builds the web console (web/) into web/dist, which the C++
# build compiles into the kafka2cos binary (scripts/embed_web.py). Installs
# the console's npm packages from the committed lockfile (npm ci) when
# node_modules is missing or older than the lockfile.
#
# Usage: bash scripts/build-web.sh [--test]    (--test also runs the unit tests)
set -euo pipefail
cd "$(dirname "$0")/../web"

log() { printf '[build-web] %s\n' "$*"; }
command -v npm >/dev/null || { log "ERROR: npm is missing (Node.js 20 or newer)"; exit 1; }
node_major=$(node -p 'process.versions.node.split(".")[0]')
if ((node_major < 20)); then
    log "ERROR: Node.js $(node --version) is too old: the console's build needs 20 or newer"
    exit 1
fi
if [[ ! -d node_modules || package-lock.json -nt node_modules ]]; then
    log "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    touch node_modules
fi
log "building web/dist"
npm run --silent build
if [[ "${1:-}" == "--test" ]]; then
    log "unit tests"
    npm test --silent
fi
