#!/usr/bin/env python3
# Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
"""Replay benchmark: `kafka2cos replay` side by side with kcat producing the
same records, on one machine, in one run (docs/benchmarks.md).

Starts a real Kafka broker (and SeaweedFS, unused but started by the shared
helpers), pre-fills a topic, archives it once with kafka2cos to the local
store in a lossless format (untimed), dumps the values with kcat (untimed),
then runs the contenders in turns (A B A B ...), each into a new target
topic with the source's partition count:

  kcat-produce  kcat -P reading the values (one per line) from a file, with
                the idempotent producer: the produce-only bound
  replay        kafka2cos replay --to-topic: lists the archive, checks the
                range against Kafka (verify's gap probe), reads and decodes
                the objects, produces keys, values, headers and timestamps
                to the same partitions in Kafka transactions, each with its
                checkpoint

Both are timed from start to exit (kcat exits once its last record is
acknowledged; replay once its last transaction committed). After each run,
untimed, the target's committed records are counted with kcat
(isolation.level=read_committed) and must equal the source's.

  python3 bench/replay.py                       # 1,000,000 x 256 B, avro, 3 runs
  python3 bench/replay.py --format parquet --records 200000 --runs 5
  python3 bench/replay.py --smoke               # a few seconds

Target (issue 13): replay at least 0.8x of kcat's records/s.
"""
from __future__ import annotations

import argparse
import datetime
import json
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import run as bench  # bench/run.py: servers, measuring, report

PARTITIONS = 8
VALUE_BYTES = 256
TARGET = 0.8


def archive(b: bench.Bench, fmt: str) -> Path:
    """Archives the whole topic once with kafka2cos to the local store;
    returns the worker's config (replay reads the archive through it)."""
    instance = f"replay-{uuid.uuid4().hex[:6]}"
    root = b.workdir / f"local-{instance}"
    config = b.workdir / f"{instance}.toml"
    bench.kafka2cos_config(b.servers, b.topic, "archive", instance, config, root, fmt=fmt)
    t0 = time.monotonic()
    with open(b.workdir / f"{instance}.log", "wb") as log:
        bench.run_measured([str(bench.WORKER_BIN), "run", "--config", str(config)],
                           stderr=log, until=b.group_watch(f"kafka2cos.{instance}.{b.topic}"))
    print(f"archived as {fmt} in {time.monotonic() - t0:.0f} s: "
          f"{bench.tree_bytes(root / 'archive'):,} B", flush=True)
    return config


def count_committed(b: bench.Bench, topic: str) -> int:
    """Records a read_committed consumer sees in `topic` (aborted and
    control records excluded), counted by kcat."""
    out = subprocess.run(["kcat", "-C", "-b", b.servers.kafka, "-t", topic, "-o", "beginning",
                          "-e", "-q", "-X", "isolation.level=read_committed", "-f", "\\n"],
                         stdout=subprocess.PIPE, check=True, timeout=600).stdout
    return out.count(b"\n")


def new_target(b: bench.Bench, name: str) -> str:
    topic = f"{b.topic}-{name}-{uuid.uuid4().hex[:6]}"
    bench.create_topic(b.servers.kafka, topic, b.partitions)
    return topic


def run_kcat_produce(b: bench.Bench, target: str) -> bench.Measure:
    with open(b.dump, "rb") as values:
        return b.measure(["kcat", "-P", "-b", b.servers.kafka, "-t", target, "-q",
                          "-X", "enable.idempotence=true", "-X", "linger.ms=20"],
                         stdin=values)


def run_replay(b: bench.Bench, target: str, config: Path, to: str,
               extra: list[str]) -> bench.Measure:
    return b.measure([str(bench.WORKER_BIN), "replay", b.topic, "--config", str(config),
                      "--from", "@0", "--to", to, "--to-topic", target, *extra])


def main() -> int:
    # SIGTERM unwinds like ^C, so the finally blocks stop what was started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--format", default="avro", choices=("avro", "jsonl", "parquet"),
                    help="the archive's lossless format (default avro)")
    ap.add_argument("--transaction-records", type=int,
                    help="passed to replay (default: replay's own)")
    ap.add_argument("--smoke", action="store_true", help="20,000 records, one run")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()
    if args.smoke:
        args.records, args.runs = 20_000, 1
    extra = ([f"--transaction-records={args.transaction_records}"]
             if args.transaction_records else [])
    assert bench.WORKER_BIN.exists(), f"build the worker first: {bench.WORKER_BIN}"

    with bench.bench_servers() as (servers, workdir):
        topic = "bench-replay"
        total_bytes = bench.prefill(servers.kafka, topic, PARTITIONS, args.records, VALUE_BYTES)
        ends = bench.end_offsets(servers.kafka, topic, PARTITIONS)
        time.sleep(7)  # let the prefill's last 5 s window end (as run.py does)
        b = bench.Bench(workdir, servers, topic, PARTITIONS, args.records, VALUE_BYTES, ends,
                        servers.s3_client())
        config = archive(b, args.format)
        with open(b.dump, "wb") as out:
            subprocess.run(["kcat", "-C", "-b", servers.kafka, "-t", topic, "-o", "beginning",
                            "-e", "-q", "-f", "%s\n"], stdout=out, check=True)
        # Absolute times: the same range at every run (a relative --to would
        # also do, but the replay id comes from the arguments as written).
        to = (datetime.datetime.now(datetime.timezone.utc) +
              datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

        # Untimed: the cluster's first transaction creates Kafka's
        # transaction log (__transaction_state, 50 partitions), a cost of
        # the cluster's first transactional client, not of each replay.
        run_replay(b, new_target(b, "warm-up"), config, to, extra)

        contenders = {n: bench.Contender(n) for n in ("kcat-produce", "replay")}
        for run in range(args.runs):
            for name, c in contenders.items():
                target = new_target(b, name)
                m = (run_kcat_produce(b, target) if name == "kcat-produce" else
                     run_replay(b, target, config, to, extra))
                got = count_committed(b, target)
                if got != args.records:
                    raise SystemExit(f"{name}: {target} holds {got} records, "
                                     f"expected {args.records}")
                c.runs.append(m)
            print(f"run {run + 1}/{args.runs}: " + ", ".join(
                f"{c.name} {c.runs[-1].seconds:.2f} s" for c in contenders.values()), flush=True)

        rows = [bench.summarize(c, args.records, total_bytes) for c in contenders.values()]
        print(f"\nreplay of {args.records} records x {VALUE_BYTES} B from {args.format}, "
              f"{PARTITIONS} partitions, {args.runs} runs, medians; {bench.CORES} cores")
        bench.print_table(rows)
        by = {r["contender"]: r for r in rows}
        ratio = by["replay"]["records_per_s"] / by["kcat-produce"]["records_per_s"]
        print(f"replay vs kcat producing the same records: {ratio:.2f}x records/s "
              f"(target >= {TARGET}x)")
        if args.json:
            args.json.write_text(json.dumps({"records": args.records, "value_bytes": VALUE_BYTES,
                                             "partitions": PARTITIONS, "format": args.format,
                                             "runs": args.runs, "cores": bench.CORES,
                                             "rows": rows, "replay_vs_kcat": ratio}, indent=2))
        return 0


if __name__ == "__main__":
    sys.exit(main())
