#!/usr/bin/env python3
# Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
"""End-to-end benchmark: kafka2cos side by side with what a user would run
instead, on one machine, in one run (docs/benchmarks.md).

Starts a real Kafka broker and a real S3 server (SeaweedFS) on 127.0.0.1,
pre-fills a topic with a fixed workload, then runs the contenders in turns
(A B C A B C ...) and reports medians and ratios measured in this same run:

  kcat       the consume-only bound: kcat reads the topic to a file
  kafka2cos  consume + encode + upload + commit, text format, to the S3 server
  awscli     the upload bound: the same bytes uploaded by `aws s3 cp`

Per contender: records/s, MB/s, CPU seconds per GB and peak RSS, from the
kernel's rusage of the contender's process (children included).

  python3 bench/run.py --workload w1 --runs 3           # 8 partitions x 256 B
  python3 bench/run.py --workload w1 --records 200000   # smaller, quicker
  python3 bench/run.py --smoke                          # a few seconds, for CI

Needs the same tools as the tests (bash scripts/install-deps.sh) and a built
worker (build/kafka2cos, or $K2C_BIN).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORKER_BIN = Path(os.environ.get("K2C_BIN") or REPO / "build" / "kafka2cos")

WORKLOADS = {
    # name: (partitions, records, value bytes)
    "w1": (8, 4_000_000, 256),
    "w2-small": (8, 4_000_000, 64),
    "w2-large": (8, 16_000, 65536),
}


def parse_env(path: Path) -> dict[str, str]:
    env = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            env[k.strip()] = v.strip()
    return env


@dataclass
class Measure:
    seconds: float
    cpu_seconds: float
    peak_rss_mib: float


@dataclass
class Contender:
    name: str
    runs: list[Measure] = field(default_factory=list)


def vm_hwm_mib(pid: int) -> float:
    """Peak RSS of the process's current image (after exec), 0 if gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_measured(cmd: list[str], env=None, stdout=None, timeout: float = 3600,
                 until=None, poll: float = 0.05, stderr=None) -> Measure:
    """Runs `cmd`; returns wall time, CPU time (user+sys, from rusage) and
    peak RSS (VmHWM, sampled while it runs: rusage's maxrss would include the
    memory of this Python process the child was forked from). With `until`,
    the process gets SIGTERM once until() is true, and the wall time is taken
    at that moment."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=stdout or subprocess.DEVNULL,
                            stderr=stderr or subprocess.DEVNULL)
    deadline = start + timeout
    peak = 0.0
    elapsed = None
    next_check = start
    waited = None  # (status, rusage) once reaped; Popen.poll() would lose the rusage.
    while waited is None:
        peak = max(peak, vm_hwm_mib(proc.pid))
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            waited = (status, usage)
            break
        now = time.monotonic()
        if now > deadline:
            proc.kill()
            raise TimeoutError(f"{cmd[0]} did not finish within {timeout} s")
        if until is not None and elapsed is None and now >= next_check:
            next_check = now + 0.25
            if until():
                elapsed = time.monotonic() - start
                proc.send_signal(signal.SIGTERM)
        time.sleep(poll)
    status, usage = waited
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    if until is not None and elapsed is None:
        raise RuntimeError(f"{cmd[0]} exited early with {code}")
    if elapsed is None:
        elapsed = time.monotonic() - start
    if code != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} failed with exit code {code}")
    return Measure(elapsed, usage.ru_utime + usage.ru_stime, peak)


class Servers:
    """Kafka and SeaweedFS from the repository's scripts, stopped on exit."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        subprocess.run(["bash", str(REPO / "scripts/kafka-broker.sh"), "start",
                        str(workdir / "kafka")], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["bash", str(REPO / "scripts/s3-server.sh"), "start",
                        str(workdir / "s3")], check=True, stdout=subprocess.DEVNULL)
        self.kafka = parse_env(workdir / "kafka" / "env")["KAFKA_BOOTSTRAP"]
        self.s3 = parse_env(workdir / "s3" / "env")

    def stop(self):
        for script, sub in (("kafka-broker.sh", "kafka"), ("s3-server.sh", "s3")):
            subprocess.run(["bash", str(REPO / "scripts" / script), "stop",
                            str(self.workdir / sub)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)

    def aws_env(self) -> dict:
        return {**os.environ, "AWS_ACCESS_KEY_ID": self.s3["S3_ACCESS_KEY"],
                "AWS_SECRET_ACCESS_KEY": self.s3["S3_SECRET_KEY"],
                "AWS_DEFAULT_REGION": self.s3["S3_REGION"]}

    def s3_client(self):
        import boto3
        return boto3.client("s3", endpoint_url=self.s3["S3_ENDPOINT"],
                            aws_access_key_id=self.s3["S3_ACCESS_KEY"],
                            aws_secret_access_key=self.s3["S3_SECRET_KEY"],
                            region_name=self.s3["S3_REGION"])


def prefill(bootstrap: str, topic: str, partitions: int, records: int, size: int) -> int:
    """Creates the topic and fills it with `records` values of `size` bytes,
    spread round-robin over the partitions; returns the value bytes."""
    from confluent_kafka import Producer
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, partitions, 1)])[topic].result(timeout=60)
    time.sleep(1)
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20,
                         "batch.size": 1_000_000, "compression.type": "none",
                         "queue.buffering.max.kbytes": 1_048_576})
    # Fixed content (no randomness), different per record so nothing dedups.
    base = (b"kafka2cos-benchmark-" * (size // 20 + 1))[: max(0, size - 12)]
    for i in range(records):
        value = b"%011d " % i + base
        while True:
            try:
                producer.produce(topic, value[:size], partition=i % partitions)
                break
            except BufferError:
                producer.poll(0.05)
        if i % 10000 == 0:
            producer.poll(0)
    assert producer.flush(300) == 0, "prefill not acknowledged"
    return records * size


def group_done(bootstrap: str, group: str, topic: str, partitions: int, end: dict) -> bool:
    from confluent_kafka import ConsumerGroupTopicPartitions, TopicPartition
    from confluent_kafka.admin import AdminClient
    admin = AdminClient({"bootstrap.servers": bootstrap})
    request = ConsumerGroupTopicPartitions(group, [TopicPartition(topic, p)
                                                   for p in range(partitions)])
    try:
        result = admin.list_consumer_group_offsets([request])[group].result(timeout=10)
    except Exception:
        return False
    committed = {tp.partition: tp.offset for tp in result.topic_partitions}
    return all(committed.get(p, -1) >= end[p] for p in range(partitions))


def end_offsets(bootstrap: str, topic: str, partitions: int) -> dict:
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "k2c-bench-watermarks"})
    ends = {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
            for p in range(partitions)}
    c.close()
    return ends


def startup_phases(log: Path) -> str:
    """Seconds from the first log line to the worker's milestones."""
    import datetime
    stamps = {}
    for line in log.read_text(errors="replace").splitlines():
        for event in ("worker_ready", "partition_assigned", "object_written"):
            if f"event={event}" in line and event not in stamps:
                stamps[event] = line.split()[0]
        stamps.setdefault("first", line.split()[0] if line[:4].isdigit() else None)
    def at(name):
        if not stamps.get(name) or not stamps.get("first"):
            return "-"
        parse = lambda t: datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ")
        return f"{(parse(stamps[name]) - parse(stamps['first'])).total_seconds():.2f}s"
    return (f"  kafka2cos: ready {at('worker_ready')}, first partition "
            f"{at('partition_assigned')}, first object {at('object_written')}")


def kafka2cos_config(servers: Servers, topic: str, bucket: str, instance: str, path: Path):
    s3 = servers.s3
    path.write_text(f"""
instance_id = "{instance}"
[kafka]
bootstrap_servers = "{servers.kafka}"
[storage]
type = "s3"
endpoint = "{s3['S3_ENDPOINT']}"
region = "{s3['S3_REGION']}"
path_style = true
access_key_id = "{s3['S3_ACCESS_KEY']}"
secret_access_key = "{s3['S3_SECRET_KEY']}"
[sink]
min_window = "1s"
flush_grace = "1s"
[control]
tasks_topic = "k2c-bench-{instance}-tasks"
status_topic = "k2c-bench-{instance}-status"
[[task]]
topic = "{topic}"
bucket = "{bucket}"
window = "5s"
start = "earliest"
max_object_bytes = "64MiB"
""")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workload", choices=sorted(WORKLOADS), default="w1")
    ap.add_argument("--records", type=int, help="override the workload's record count")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--smoke", action="store_true", help="tiny workload, one run (for CI)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()
    partitions, records, size = WORKLOADS[args.workload]
    if args.records:
        records = args.records
    if args.smoke:
        records, args.runs = 20_000, 1
    assert WORKER_BIN.exists(), f"build the worker first: {WORKER_BIN}"
    for tool in ("kcat", "aws"):
        assert shutil.which(tool), f"{tool} is missing: run bash scripts/install-deps.sh"

    workdir = Path(tempfile.mkdtemp(prefix="k2c-bench-"))
    servers = Servers(workdir)
    try:
        topic = f"bench-{args.workload}"
        t0 = time.monotonic()
        total_bytes = prefill(servers.kafka, topic, partitions, records, size)
        print(f"prefilled {records} records x {size} B over {partitions} partitions "
              f"({total_bytes / 1e6:.0f} MB) in {time.monotonic() - t0:.0f} s", flush=True)
        ends = end_offsets(servers.kafka, topic, partitions)
        # kafka2cos closes a window at its end + flush_grace (wall clock): let
        # the last 5 s window of the prefill end before timing anything.
        time.sleep(7)
        s3 = servers.s3_client()
        contenders = {n: Contender(n) for n in ("kcat", "kafka2cos", "awscli")}
        dump = workdir / "kcat.out"
        for run in range(args.runs):
            # kcat: every partition from the beginning to its end, values only.
            with open(dump, "wb") as out:
                m = run_measured(["kcat", "-C", "-b", servers.kafka, "-t", topic, "-o",
                                  "beginning", "-e", "-q", "-f", "%s\n"], stdout=out)
            contenders["kcat"].runs.append(m)
            # kafka2cos: a new instance id per run, so a new group from the start.
            instance = f"bench{run}-{uuid.uuid4().hex[:6]}"
            bucket = f"bench-{instance}"
            s3.create_bucket(Bucket=bucket)
            config = workdir / f"{instance}.toml"
            kafka2cos_config(servers, topic, bucket, instance, config)
            group = f"kafka2cos.{instance}.{topic}"
            with open(workdir / f"{instance}.log", "wb") as log:
                m = run_measured([str(WORKER_BIN), "run", "--config", str(config)], stderr=log,
                                 until=lambda: group_done(servers.kafka, group, topic,
                                                          partitions, ends))
            print(startup_phases(workdir / f"{instance}.log"), flush=True)
            contenders["kafka2cos"].runs.append(m)
            # awscli: the same bytes (kcat's output) to the same server.
            m = run_measured(["aws", "--endpoint-url", servers.s3["S3_ENDPOINT"], "s3", "cp",
                              "--only-show-errors", str(dump), f"s3://{bucket}/awscli-copy"],
                             env=servers.aws_env())
            contenders["awscli"].runs.append(m)
            print(f"run {run + 1}/{args.runs}: " + ", ".join(
                f"{c.name} {c.runs[-1].seconds:.2f} s" for c in contenders.values()), flush=True)

        rows = []
        for c in contenders.values():
            secs = statistics.median(m.seconds for m in c.runs)
            cpu = statistics.median(m.cpu_seconds for m in c.runs)
            rss = max(m.peak_rss_mib for m in c.runs)
            rows.append({"contender": c.name, "seconds": secs, "records_per_s": records / secs,
                         "mb_per_s": total_bytes / 1e6 / secs,
                         "cpu_s_per_gb": cpu / (total_bytes / 1e9), "peak_rss_mib": rss})
        by = {r["contender"]: r for r in rows}
        print(f"\nworkload {args.workload}: {records} records x {size} B, {partitions} "
              f"partitions, {args.runs} runs, medians")
        print(f"{'contender':<10} {'records/s':>12} {'MB/s':>8} {'CPU s/GB':>9} {'peak RSS':>9}")
        for r in rows:
            print(f"{r['contender']:<10} {r['records_per_s']:>12,.0f} {r['mb_per_s']:>8.1f} "
                  f"{r['cpu_s_per_gb']:>9.2f} {r['peak_rss_mib']:>7.0f} MiB")
        ratio = by["kcat"]["seconds"] / by["kafka2cos"]["seconds"]
        print(f"kafka2cos end-to-end vs kcat consume-only: {ratio:.2f}x "
              f"(target >= 1.0x); vs awscli upload-only: "
              f"{by['awscli']['seconds'] / by['kafka2cos']['seconds']:.2f}x")
        if args.json:
            args.json.write_text(json.dumps({"workload": args.workload, "records": records,
                                             "value_bytes": size, "partitions": partitions,
                                             "runs": args.runs, "rows": rows,
                                             "kafka2cos_vs_kcat": ratio}, indent=2))
        return 0
    finally:
        servers.stop()
        if os.environ.get("K2C_BENCH_KEEP"):
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
