#!/usr/bin/env bash
# demo.sh — kafka2cos's main job on a fresh machine, in one command:
# installs what it needs, builds the worker, starts a local Kafka (KRaft),
# creates a topic, runs `kafka2cos run` with the local-disk store, produces
# sample messages with kcat and prints the archived objects and their content.
#
# Usage: bash scripts/demo.sh          (everything it starts is stopped on exit)
#        bash scripts/demo.sh --keep   (keeps Kafka and the worker running, for
#                                       the web console, until Ctrl-C)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
KEEP=0
[[ "${1:-}" == "--keep" ]] && KEEP=1

bash scripts/install-deps.sh --demo
bash scripts/build-web.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target kafka2cos

WORK=$(mktemp -d /tmp/kafka2cos-demo.XXXXXX)
WORKER_PID=
cleanup() {
    if [[ -n "$WORKER_PID" ]] && kill -0 "$WORKER_PID" 2>/dev/null; then
        kill -TERM "$WORKER_PID" && wait "$WORKER_PID" || true
    fi
    bash "$REPO/scripts/kafka-broker.sh" stop "$WORK/kafka" >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "== starting a local Kafka broker"
bash scripts/kafka-broker.sh start "$WORK/kafka" >/dev/null
# shellcheck disable=SC1091
source "$WORK/kafka/env"
bash scripts/kafka-broker.sh create-topic "$WORK/kafka" orders 2

# shellcheck source=lib/ports.sh
source scripts/lib/ports.sh
API_PORT=$(free_ports 1)
cat >"$WORK/kafka2cos.toml" <<CONF
# The demo shortens the window to 10 s; the seed's default range is 5m..60m.
[kafka]
bootstrap_servers = "$KAFKA_BOOTSTRAP"

[storage]
type = "local"
root = "$WORK/archive"

[sink]
min_window = "5s"
flush_grace = "2s"

[http]
listen = "127.0.0.1:$API_PORT"

[[task]]
topic = "orders"
bucket = "demo"
window = "10s"
CONF
echo "== config ($WORK/kafka2cos.toml)"
cat "$WORK/kafka2cos.toml"

echo "== starting kafka2cos"
./build/kafka2cos run --config "$WORK/kafka2cos.toml" >"$WORK/worker.log" 2>&1 &
WORKER_PID=$!
for _ in $(seq 1 300); do
    [[ $(grep -c 'event=partition_assigned' "$WORK/worker.log" || true) -ge 2 ]] && break
    kill -0 "$WORKER_PID" 2>/dev/null || { cat "$WORK/worker.log"; exit 1; }
    sleep 0.1
done

echo "== producing 20 messages to topic 'orders'"
for i in $(seq 1 20); do echo "order-$i {\"item\":\"book\",\"qty\":$i}"; done |
    kcat -P -b "$KAFKA_BOOTSTRAP" -t orders -K ' '

echo "== waiting for the window to close (10 s window + 2 s grace)"
for _ in $(seq 1 60); do
    lines=$(find "$WORK/archive/demo" -name '*.txt' -exec cat {} + 2>/dev/null | wc -l)
    [[ "$lines" -ge 20 ]] && break
    sleep 1
done

echo "== archived objects (bucket 'demo' = $WORK/archive/demo)"
(cd "$WORK/archive/demo" && find . -name '*.txt' | sort | while read -r f; do
    echo "--- ${f#./} ($(wc -l <"$f") records)"
    cat "$f"
done)
echo "== worker log: one line per object"
grep 'event=object_written' "$WORK/worker.log" || true
echo "== the task as the control API reports it: ./build/kafka2cos status orders"
./build/kafka2cos status orders --server "http://127.0.0.1:$API_PORT" || true
echo "== the archive read back through the API: ./build/kafka2cos ls orders / cat orders"
./build/kafka2cos ls orders --server "http://127.0.0.1:$API_PORT" --from -1h
./build/kafka2cos cat orders --server "http://127.0.0.1:$API_PORT" --from -1h --to now | sed -n 1,3p
echo "   ... (docs/archive.md: ls, cat, get, verify)"
total=$(find "$WORK/archive/demo" -name '*.txt' -exec cat {} + | wc -l)
echo "== $total of 20 messages archived"
[[ "$total" -eq 20 ]]
echo "== the web console: http://127.0.0.1:$API_PORT/ (docs/console.md)"
if [[ $KEEP -eq 1 ]]; then
    echo "   Kafka: $KAFKA_BOOTSTRAP; produce more with:"
    echo "   kcat -P -b $KAFKA_BOOTSTRAP -t orders"
    echo "== running until Ctrl-C"
    wait "$WORKER_PID" || true
else
    echo "   (bash scripts/demo.sh --keep keeps it running to open it)"
fi
