#!/usr/bin/env bash
# s3-server.sh — run a throw-away S3-compatible object store (SeaweedFS
# `weed server -s3`: master + volume + filer + S3 gateway in ONE process) for
# tests and demos. Needs the `weed` binary from scripts/install-deps.sh.
#
# Usage:
#   scripts/s3-server.sh start   DIR   # start; prints the env lines below
#   scripts/s3-server.sh stop    DIR   # SIGTERM, then SIGKILL after a timeout
#   scripts/s3-server.sh restart DIR   # stop + start with the SAME ports, data and keys
#
# Authentication is real: the S3 gateway gets a static identities file
# (DIR/conf/s3.json) and verifies AWS SigV4 signatures, so a wrong secret is
# rejected (403 SignatureDoesNotMatch) and an unknown key too (403
# InvalidAccessKeyId); anonymous requests are denied. Two identities:
#   admin     access key k2c-test-access,     actions Admin Read List Tagging Write
#   read-only access key k2c-readonly-access, actions Read List
# Their secrets are random, generated at the first start (kept in DIR/keys).
#
# Once the store answers (an authenticated bucket create/put/get/delete round
# trip works), DIR/env is written and printed:
#   S3_ENDPOINT=http://127.0.0.1:PORT  S3_REGION=us-east-1
#   S3_ACCESS_KEY=...  S3_SECRET_KEY=...  S3_RO_ACCESS_KEY=...  S3_RO_SECRET_KEY=...
# Every listener (master, volume, filer, S3, and their gRPC ports) binds to
# 127.0.0.1 on a free port chosen at the first start (kept in DIR/ports).
# DIR also holds data/ (volumes, filer metadata), logs/ and weed.pid.
#
# Environment knobs: WEED_BIN (default: weed on PATH or $(go env GOPATH)/bin/weed),
# S3_START_TIMEOUT (seconds, default 60), S3_STOP_TIMEOUT (seconds, default 20).
set -euo pipefail

START_TIMEOUT="${S3_START_TIMEOUT:-60}"
STOP_TIMEOUT="${S3_STOP_TIMEOUT:-20}"
HOST=127.0.0.1
REGION=us-east-1
ADMIN_ACCESS_KEY=k2c-test-access
RO_ACCESS_KEY=k2c-readonly-access
PORT_NAMES=(master master_grpc volume volume_grpc filer filer_grpc s3 s3_grpc)
# Set by load_ports (from DIR/ports) and load_keys (from DIR/keys).
master="" master_grpc="" volume="" volume_grpc="" filer="" filer_grpc="" s3="" s3_grpc=""
ADMIN_SECRET="" RO_SECRET=""

log() { printf '[s3-server] %s\n' "$*" >&2; }
die() { printf '[s3-server] ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

find_weed() {
    if [[ -n "${WEED_BIN:-}" ]]; then echo "$WEED_BIN"; return; fi
    if command -v weed >/dev/null 2>&1; then command -v weed; return; fi
    local gopath
    gopath="$(PATH="$PATH:/usr/local/go/bin" go env GOPATH 2>/dev/null || echo "$HOME/go")"
    [[ -x "$gopath/bin/weed" ]] && { echo "$gopath/bin/weed"; return; }
    die "weed not found; run scripts/install-deps.sh"
}

# shellcheck source=lib/ports.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/ports.sh"
# shellcheck source=lib/process.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/process.sh"

# True while the process exists and is not a zombie.
# Prints the pid from DIR/weed.pid if that process is alive and is our server.
running_pid() {
    local pidfile="$DIR/weed.pid" pid
    [[ -f "$pidfile" ]] || return 1
    pid="$(cat "$pidfile")"
    [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "-dir=$DIR/data" || return 1
    echo "$pid"
}

# Loads ports from DIR/ports (KEY=VALUE lines) or picks and records new ones.
load_ports() {
    if [[ ! -f "$DIR/ports" ]]; then
        local ports i
        read -r -a ports <<<"$(free_ports ${#PORT_NAMES[@]})"
        ((${#ports[@]} == ${#PORT_NAMES[@]})) || die "could not find free ports"
        for i in "${!PORT_NAMES[@]}"; do echo "${PORT_NAMES[$i]}=${ports[$i]}"; done >"$DIR/ports"
    fi
    # shellcheck disable=SC1091
    source "$DIR/ports"
    local name
    for name in "${PORT_NAMES[@]}"; do
        [[ -n "${!name:-}" ]] || die "$DIR/ports lacks $name"
        port_is_free "${!name}" || die "port ${!name} ($name, recorded in $DIR/ports) is in use"
    done
}

# Loads secrets from DIR/keys or generates new random ones.
load_keys() {
    if [[ ! -f "$DIR/keys" ]]; then
        (
            umask 077
            printf 'ADMIN_SECRET=%s\nRO_SECRET=%s\n' \
                "$(python3 -c 'import secrets; print(secrets.token_hex(20))')" \
                "$(python3 -c 'import secrets; print(secrets.token_hex(20))')" >"$DIR/keys"
        )
    fi
    # shellcheck disable=SC1091
    source "$DIR/keys"
    [[ -n "${ADMIN_SECRET:-}" && -n "${RO_SECRET:-}" ]] || die "bad $DIR/keys"
}

write_config() {
    mkdir -p "$DIR/conf"
    (
        umask 077
        cat >"$DIR/conf/s3.json" <<EOF
{
  "identities": [
    {
      "name": "k2c-admin",
      "credentials": [{"accessKey": "$ADMIN_ACCESS_KEY", "secretKey": "$ADMIN_SECRET"}],
      "actions": ["Admin", "Read", "List", "Tagging", "Write"]
    },
    {
      "name": "k2c-readonly",
      "credentials": [{"accessKey": "$RO_ACCESS_KEY", "secretKey": "$RO_SECRET"}],
      "actions": ["Read", "List"]
    }
  ]
}
EOF
    )
    # Read by weed through -config_dir: grow one volume at a time (default 7)
    # so that every bucket (= collection) does not allocate 7 volumes.
    cat >"$DIR/conf/master.toml" <<EOF
# Generated by scripts/s3-server.sh
[master.volume_growth]
copy_1 = 1
copy_2 = 1
copy_3 = 1
copy_other = 1
EOF
}

# Polls until an authenticated create-bucket/put/get/delete round trip works.
wait_ready() {
    local pid=$1
    WAIT_PID=$pid S3_URL="http://$HOST:$s3" TIMEOUT="$START_TIMEOUT" \
        AK="$ADMIN_ACCESS_KEY" SK="$ADMIN_SECRET" REGION="$REGION" python3 - <<'EOF'
import os, sys, time
import boto3
from botocore.config import Config

client = boto3.client(
    "s3", endpoint_url=os.environ["S3_URL"], region_name=os.environ["REGION"],
    aws_access_key_id=os.environ["AK"], aws_secret_access_key=os.environ["SK"],
    config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                  retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10))
pid = int(os.environ["WAIT_PID"])
deadline = time.monotonic() + float(os.environ["TIMEOUT"])
bucket, last = "k2c-readiness-probe", None
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit("weed exited during startup")
    try:
        client.create_bucket(Bucket=bucket)
        client.put_object(Bucket=bucket, Key="probe", Body=b"ok")
        assert client.get_object(Bucket=bucket, Key="probe")["Body"].read() == b"ok"
        client.delete_object(Bucket=bucket, Key="probe")
        client.delete_bucket(Bucket=bucket)
        sys.exit(0)
    except Exception as e:  # not up yet
        last = e
        time.sleep(0.5)
sys.exit(f"not ready after {os.environ['TIMEOUT']}s: {last!r}")
EOF
}

cmd_start() {
    local weed
    weed="$(find_weed)"
    mkdir -p "$DIR/data" "$DIR/logs"
    if pid="$(running_pid)"; then
        die "already running (pid $pid) in $DIR; stop it first"
    fi
    load_ports
    load_keys
    write_config
    rm -f "$DIR/env"

    log "starting SeaweedFS S3 on $HOST:$s3 (master $master, volume $volume, filer $filer), data in $DIR/data"
    # Notes on the flags:
    #  -ip/-ip.bind 127.0.0.1   every listener on loopback only
    #  -s3.config               static identities => SigV4 is enforced
    #  -master.telemetry=false  no phoning home
    #  -s3.port.iceberg/lance=0 do not open the extra catalog listeners
    #  -s3.iam=false            no IAM API on the S3 port (identities stay static)
    #  -s3.autoCreateBucket=false  a put to a missing bucket fails (NoSuchBucket), as on AWS
    #  AWS_* unset              weed would otherwise add an admin identity from them
    (
        cd "$DIR"
        exec env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN \
            "$weed" -logtostderr -config_dir="$DIR/conf" server \
            -ip="$HOST" -ip.bind="$HOST" \
            -dir="$DIR/data" \
            -master.port="$master" -master.port.grpc="$master_grpc" \
            -master.volumeSizeLimitMB=64 -master.telemetry=false \
            -master.electionTimeout=1s \
            -volume.port="$volume" -volume.port.grpc="$volume_grpc" \
            -volume.max=200 -volume.preStopSeconds=0 \
            -filer -filer.port="$filer" -filer.port.grpc="$filer_grpc" \
            -s3 -s3.port="$s3" -s3.port.grpc="$s3_grpc" \
            -s3.port.iceberg=0 -s3.port.lance=0 -s3.iam=false -s3.autoCreateBucket=false \
            -s3.config="$DIR/conf/s3.json" \
            </dev/null >>"$DIR/logs/weed.log" 2>&1
    ) &
    local pid=$!
    echo "$pid" >"$DIR/weed.pid"

    if ! wait_ready "$pid"; then
        tail -n 40 "$DIR/logs/weed.log" >&2 || true
        cmd_stop
        die "SeaweedFS did not become ready (see $DIR/logs/weed.log)"
    fi
    cat >"$DIR/env" <<EOF
S3_ENDPOINT=http://$HOST:$s3
S3_REGION=$REGION
S3_ACCESS_KEY=$ADMIN_ACCESS_KEY
S3_SECRET_KEY=$ADMIN_SECRET
S3_RO_ACCESS_KEY=$RO_ACCESS_KEY
S3_RO_SECRET_KEY=$RO_SECRET
EOF
    chmod 600 "$DIR/env"
    log "ready (pid $pid)"
    cat "$DIR/env"
}

cmd_stop() {
    local pid
    if ! pid="$(running_pid)"; then
        log "not running in $DIR"
        rm -f "$DIR/weed.pid" "$DIR/env"
        return 0
    fi
    log "stopping pid $pid"
    terminate "$pid" "$STOP_TIMEOUT"
    # weed's unix sockets for in-process traffic are named after the ports.
    if [[ -f "$DIR/ports" ]]; then
        # shellcheck disable=SC1091
        source "$DIR/ports"
        rm -f "/tmp/seaweedfs-s3-$s3.sock" "/tmp/seaweedfs-filer-$filer.sock" \
            "/tmp/seaweedfs-master-grpc-$master_grpc.sock" "/tmp/seaweedfs-volume-grpc-$volume_grpc.sock" \
            "/tmp/seaweedfs-filer-grpc-$filer_grpc.sock" "/tmp/seaweedfs-s3-grpc-$s3_grpc.sock"
    fi
    rm -f "$DIR/weed.pid" "$DIR/env"
    log "stopped"
}

[[ $# -eq 2 ]] || usage
ACTION=$1
mkdir -p "$2"
DIR="$(cd "$2" && pwd -P)"

case "$ACTION" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    restart) cmd_stop; cmd_start ;;
    *) usage ;;
esac
