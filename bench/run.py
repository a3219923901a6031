#!/usr/bin/env python3
# Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
"""End-to-end benchmark: kafka2cos side by side with what a user would run
instead, on one machine, in one run (docs/benchmarks.md).

Starts a real Kafka broker and a real S3 server (SeaweedFS) on 127.0.0.1,
pre-fills a topic with a fixed workload, then runs the contenders in turns
(A B C D E A B C D E ...) and reports medians and ratios measured in this
same run:

  kcat             the consume-only bound: kcat reads the topic to a file
  kafka2cos        consume + encode + upload + commit, text format, to the S3 server
  awscli           the upload bound: the same bytes uploaded by `aws s3 cp`
  kafka2cos-local  kafka2cos with [storage] type = "local": to files in the work dir
  connect          the JVM anchor: Kafka Connect standalone with Kafka's
                   FileStreamSinkConnector, to a file in the work dir (bench/connect.sh)
  flink            the JVM peer that archives: an Apache Flink job, Kafka source ->
                   FileSink with exactly-once checkpoints, to files in the work dir
                   (bench/flink.sh, bench/flink/)

Per contender: records/s, MB/s, CPU seconds per GB and peak RSS, from the
kernel's rusage of the contender's process (children included); and, over
the same span, the CPU seconds of the broker and of the S3 server
(/proc/<pid>/stat) and how busy the whole machine was (/proc/stat).

  python3 bench/run.py --workload w1 --runs 3           # 8 partitions x 256 B
  python3 bench/run.py --workload w1 --records 200000   # smaller, quicker
  python3 bench/run.py --contenders kafka2cos-local,connect
  python3 bench/run.py --contenders kafka2cos-local --formats text,jsonl/zstd,parquet
  python3 bench/run.py --smoke                          # a few seconds, for CI
  python3 bench/run.py --workload w3 --duration 120     # 1,000 partitions at rest
  python3 bench/run.py --latency --duration 120         # window end to object visible

--formats runs the kafka2cos contenders once per archive format (format or
format/compression, docs/formats.md), e.g. `kafka2cos-local:jsonl/zstd`, and
reports each one's records/s against the first format's, measured in the same
run (target: jsonl/zstd at least 0.8x of text).

Two modes run one kafka2cos worker and nothing else (the other contenders
need a backlog that ends): w3, 1,000 partitions with a trickle of records
(200/s round-robin) into 60 min windows, reports the worker's peak RSS and
CPU at rest (target: peak RSS under 128 MiB); --latency, 8 partitions at
2,000 records/s into 10 s windows, reports when each window's objects
appear in the bucket after the window's end (target: p99 within 5 s).

Needs the same tools as the tests (bash scripts/install-deps.sh) and a built
worker (build/kafka2cos, or $K2C_BIN). The connect and flink contenders
resolve their jars with `bash bench/connect.sh install` and `bash
bench/flink.sh install` (Maven) on first use; --smoke only runs them if they
are already there.
"""
from __future__ import annotations

import argparse
import calendar
import collections
import contextlib
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORKER_BIN = Path(os.environ.get("K2C_BIN") or REPO / "build" / "kafka2cos")
CONNECT_SH = REPO / "bench" / "connect.sh"
CONNECT_TEMPLATES = REPO / "bench" / "connect"
FLINK_SH = REPO / "bench" / "flink.sh"
KEEP = bool(os.environ.get("K2C_BENCH_KEEP"))

WORKLOADS = {
    # name: (partitions, records, value bytes)
    "w1": (8, 4_000_000, 256),
    "w2-small": (8, 4_000_000, 64),
    "w2-large": (8, 16_000, 65536),
}
# The turn order of one run.
CONTENDERS = ("kcat", "kafka2cos", "awscli", "kafka2cos-local", "connect", "flink")
# The JVM contenders: (install script, what to print when --smoke skips them).
JVM_CONTENDERS = {"connect": "bench/connect.sh", "flink": "bench/flink.sh"}

CLK_TCK = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1


def parse_env(path: Path) -> dict[str, str]:
    env = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            env[k.strip()] = v.strip()
    return env


@dataclass
class Measure:
    seconds: float            # wall time, until the contender was done
    cpu_seconds: float        # the contender's user+sys (rusage, children included)
    peak_rss_mib: float       # the contender's VmHWM
    # Over the contender's whole life (start to reaped, shutdown included):
    span_seconds: float = 0.0
    broker_cpu_seconds: float = 0.0
    s3_cpu_seconds: float = 0.0
    machine_busy_seconds: float = 0.0  # all CPUs, not idle and not iowait

    @property
    def machine_busy_pct(self) -> float:
        return 100 * self.machine_busy_seconds / (self.span_seconds * CORES)


@dataclass
class Contender:
    name: str
    runs: list[Measure] = field(default_factory=list)


# --------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------

def proc_status_mib(pid: int, key: str) -> float:
    """A kB line of /proc/<pid>/status (VmHWM, VmRSS) in MiB, 0 if gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def vm_hwm_mib(pid: int) -> float:
    """Peak RSS of the process's current image (after exec), 0 if gone."""
    return proc_status_mib(pid, "VmHWM")


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of a running process (all its threads), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        # The command name (field 2) may hold spaces: split after its ')'.
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # fields 14, 15 of stat


def machine_busy_seconds() -> float:
    """CPU seconds all CPUs spent neither idle nor in iowait since boot."""
    with open("/proc/stat") as f:
        ticks = [int(v) for v in f.readline().split()[1:9]]  # user .. steal (guest is in user)
    idle, iowait = ticks[3], ticks[4]
    return (sum(ticks) - idle - iowait) / CLK_TCK


@dataclass
class Snapshot:
    at: float
    broker: float
    s3: float
    busy: float


def run_measured(cmd: list[str], env=None, stdout=None, timeout: float = 3600,
                 until=None, poll: float = 0.05, stderr=None,
                 stop_timeout: float = 60, ok_codes=(0,), stdin=None) -> Measure:
    """Runs `cmd`; returns wall time, CPU time (user+sys, from rusage) and
    peak RSS (VmHWM, sampled while it runs: rusage's maxrss would include the
    memory of this Python process the child was forked from). With `until`,
    the process gets SIGTERM once until() is true, and the wall time is taken
    at that moment; it must then exit within stop_timeout with one of
    ok_codes. The process is killed if anything goes wrong (or on ^C)."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdin=stdin, stdout=stdout or subprocess.DEVNULL,
                            stderr=stderr or subprocess.DEVNULL)
    deadline = start + timeout
    peak = 0.0
    elapsed = None
    next_check = start
    waited = None  # (status, rusage) once reaped; Popen.poll() would lose the rusage.
    try:
        while True:
            peak = max(peak, vm_hwm_mib(proc.pid))
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                waited = (status, usage)
                break
            now = time.monotonic()
            if now > deadline:
                raise TimeoutError(f"{cmd[0]} did not finish within {timeout} s")
            if until is not None and elapsed is None and now >= next_check:
                next_check = now + 0.25
                if until():
                    elapsed = time.monotonic() - start
                    deadline = now + stop_timeout
                    timeout = stop_timeout
                    # os.kill, not send_signal(): that polls first and may
                    # reap the child, losing its rusage. Not reaped by us,
                    # the pid cannot have been reused.
                    os.kill(proc.pid, signal.SIGTERM)
            time.sleep(poll)
    finally:
        if waited is None:  # an error: do not leave it running
            os.kill(proc.pid, signal.SIGKILL)
            _, status, _ = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    code = proc.returncode
    if until is not None and elapsed is None:
        raise RuntimeError(f"{cmd[0]} exited early with {code}")
    if elapsed is None:
        elapsed = time.monotonic() - start
    if code not in ok_codes:
        raise RuntimeError(f"{' '.join(cmd[:3])} failed with exit code {code}")
    usage = waited[1]
    return Measure(elapsed, usage.ru_utime + usage.ru_stime, peak)


class GroupWatch:
    """until() for run_measured: true once `group` has committed the end
    offset of every partition. One AdminClient for the whole run (polled
    every 0.25 s)."""

    def __init__(self, bootstrap: str, group: str, topic: str, partitions: int, end: dict):
        from confluent_kafka import ConsumerGroupTopicPartitions, TopicPartition
        from confluent_kafka.admin import AdminClient
        self.admin = AdminClient({"bootstrap.servers": bootstrap})
        self.group, self.partitions, self.end = group, partitions, end
        self.request = ConsumerGroupTopicPartitions(group, [TopicPartition(topic, p)
                                                            for p in range(partitions)])

    def __call__(self) -> bool:
        try:
            result = self.admin.list_consumer_group_offsets(
                [self.request])[self.group].result(timeout=10)
        except Exception:
            return False
        committed = {tp.partition: tp.offset for tp in result.topic_partitions}
        return all(committed.get(p, -1) >= self.end[p] for p in range(self.partitions))


# --------------------------------------------------------------------------
# Servers and workload
# --------------------------------------------------------------------------

@contextlib.contextmanager
def bench_servers():
    """A fresh work directory with Kafka and SeaweedFS started in it; both
    stopped and the directory removed (kept with K2C_BENCH_KEEP=1) on exit."""
    workdir = Path(tempfile.mkdtemp(prefix="k2c-bench-"))
    servers = Servers(workdir)
    try:
        servers.start()
        yield servers, workdir
    finally:
        servers.stop()
        if KEEP:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


class Servers:
    """Kafka and SeaweedFS from the repository's scripts; stop() stops
    whatever of them was started."""

    def __init__(self, workdir: Path):
        self.workdir = workdir

    def start(self):
        subprocess.run(["bash", str(REPO / "scripts/kafka-broker.sh"), "start",
                        str(self.workdir / "kafka")], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["bash", str(REPO / "scripts/s3-server.sh"), "start",
                        str(self.workdir / "s3")], check=True, stdout=subprocess.DEVNULL)
        self.kafka = parse_env(self.workdir / "kafka" / "env")["KAFKA_BOOTSTRAP"]
        self.s3 = parse_env(self.workdir / "s3" / "env")
        self.broker_pid = int((self.workdir / "kafka" / "kafka.pid").read_text())
        self.s3_pid = int((self.workdir / "s3" / "weed.pid").read_text())

    def stop(self):
        for script, sub in (("kafka-broker.sh", "kafka"), ("s3-server.sh", "s3")):
            subprocess.run(["bash", str(REPO / "scripts" / script), "stop",
                            str(self.workdir / sub)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)

    def snapshot(self) -> Snapshot:
        return Snapshot(time.monotonic(), process_cpu_seconds(self.broker_pid),
                        process_cpu_seconds(self.s3_pid), machine_busy_seconds())

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


# KRaft refuses one request that makes more than 10,000 metadata records
# ("excessively large batch operation"): larger topics grow in steps.
PARTITIONS_PER_REQUEST = 5000


def create_topic(bootstrap: str, topic: str, partitions: int, config: dict | None = None):
    """Creates the topic (replication factor 1, topic `config`) and gives the
    broker a moment."""
    from confluent_kafka.admin import AdminClient, NewPartitions, NewTopic
    admin = AdminClient({"bootstrap.servers": bootstrap})
    made = min(partitions, PARTITIONS_PER_REQUEST)
    admin.create_topics([NewTopic(topic, made, 1, config=config or {})])[topic].result(timeout=120)
    while made < partitions:
        made = min(partitions, made + PARTITIONS_PER_REQUEST)
        admin.create_partitions([NewPartitions(topic, made)])[topic].result(timeout=120)
    time.sleep(1)


def prefill(bootstrap: str, topic: str, partitions: int, records: int, size: int) -> int:
    """Creates the topic and fills it with `records` values of `size` bytes,
    spread round-robin over the partitions; returns the value bytes."""
    from confluent_kafka import Producer
    create_topic(bootstrap, topic, partitions)
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


def end_offsets(bootstrap: str, topic: str, partitions: int) -> dict:
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "k2c-bench-watermarks"})
    ends = {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
            for p in range(partitions)}
    c.close()
    return ends


@dataclass
class Bench:
    """What every contender needs: the servers, the prefilled topic, the work dir."""
    workdir: Path
    servers: Servers
    topic: str
    partitions: int
    records: int
    size: int
    ends: dict
    s3: object  # boto3 client

    @property
    def dump(self) -> Path:
        """kcat's output, uploaded by awscli."""
        return self.workdir / "kcat.out"

    def measure(self, cmd: list[str], **kw) -> Measure:
        """run_measured(cmd), plus the broker's and the S3 server's CPU and
        the machine's busy time from its start until it was reaped."""
        before = self.servers.snapshot()
        m = run_measured(cmd, **kw)
        after = self.servers.snapshot()
        m.span_seconds = after.at - before.at
        m.broker_cpu_seconds = after.broker - before.broker
        m.s3_cpu_seconds = after.s3 - before.s3
        m.machine_busy_seconds = after.busy - before.busy
        return m

    def group_watch(self, group: str) -> GroupWatch:
        return GroupWatch(self.servers.kafka, group, self.topic, self.partitions, self.ends)

    def expected_output_bytes(self) -> int:
        """Every value followed by a newline (kcat -f '%s\\n', the text format, FileStreamSink)."""
        return self.records * (self.size + 1)


def check_output(name: str, got: int, want: int):
    note = "" if got == want else f"  <-- expected {want:,} B"
    print(f"  {name}: wrote {got:,} B{note}", flush=True)


def tree_bytes(root: Path) -> int:
    # Objects only: the local store's metadata sidecars live under .k2c-meta,
    # the completeness manifests under _manifests.
    return sum(p.stat().st_size for p in root.rglob("*")
               if p.is_file() and ".k2c-meta" not in p.parts and "_manifests" not in p.parts)


def remove(path: Path):
    """Drops a contender's output (the disk would fill up over the runs)."""
    if KEEP:
        return
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


# --------------------------------------------------------------------------
# Contenders: each runs once and returns its Measure
# --------------------------------------------------------------------------

def run_kcat(b: Bench, run: int) -> Measure:
    """kcat: the consume-only bound. Every partition from the beginning to
    its end (-e), values only, to a file (kept for awscli)."""
    with open(b.dump, "wb") as out:
        return b.measure(["kcat", "-C", "-b", b.servers.kafka, "-t", b.topic, "-o",
                          "beginning", "-e", "-q", "-f", "%s\n"], stdout=out)


def run_awscli(b: Bench, run: int) -> Measure:
    """awscli: the upload bound. `aws s3 cp` of kcat's output (the same
    bytes, one newline per record) to the same S3 server, in a new bucket."""
    if not b.dump.exists():  # kcat not among the contenders: make the file untimed
        with open(b.dump, "wb") as out:
            subprocess.run(["kcat", "-C", "-b", b.servers.kafka, "-t", b.topic, "-o",
                            "beginning", "-e", "-q", "-f", "%s\n"], stdout=out, check=True)
    bucket = f"bench-awscli{run}-{uuid.uuid4().hex[:6]}"
    b.s3.create_bucket(Bucket=bucket)
    return b.measure(["aws", "--endpoint-url", b.servers.s3["S3_ENDPOINT"], "s3", "cp",
                      "--only-show-errors", str(b.dump), f"s3://{bucket}/awscli-copy"],
                     env=b.servers.aws_env())


def kafka2cos_config(servers: Servers, topic: str, bucket: str, instance: str, path: Path,
                     local_root: Path | None, window: str | None = None,
                     start: str = "earliest", api: bool = False, fmt: str = "text"):
    """Writes the worker's config to `path`. window None: $K2C_BENCH_WINDOW or
    5 s (W1/W2); $K2C_BENCH_SINK and $K2C_BENCH_KAFKA are added in every mode.
    api: serve /metrics on a free port (logged as event=api_listening).
    fmt: "format" or "format/compression"."""
    format_name, _, compression = fmt.partition("/")
    s3 = servers.s3
    if local_root is None:
        storage = f"""type = "s3"
endpoint = "{s3['S3_ENDPOINT']}"
region = "{s3['S3_REGION']}"
path_style = true
access_key_id = "{s3['S3_ACCESS_KEY']}"
secret_access_key = "{s3['S3_SECRET_KEY']}\""""
    else:
        storage = f'type = "local"\nroot = "{local_root}"'
    http = '[http]\nlisten = "127.0.0.1:0"' if api else ""
    path.write_text(f"""
instance_id = "{instance}"
[kafka]
bootstrap_servers = "{servers.kafka}"
[kafka.properties]
{os.environ.get("K2C_BENCH_KAFKA", "")}
[storage]
{storage}
[sink]
min_window = "1s"
max_window = "60m"
flush_grace = "{BENCH_GRACE_S}s"
{os.environ.get("K2C_BENCH_SINK", "")}
{http}
[control]
tasks_topic = "k2c-bench-{instance}-tasks"
status_topic = "k2c-bench-{instance}-status"
[[task]]
topic = "{topic}"
bucket = "{bucket}"
window = "{window or os.environ.get("K2C_BENCH_WINDOW", "5s")}"
start = "{start}"
max_object_bytes = "64MiB"
format = "{format_name}"
{f'compression = "{compression}"' if compression else ""}
""")


def log_phases(log: Path, stamp, events: dict[str, str]) -> dict[str, str]:
    """Seconds from the log's first time stamp to the first line holding
    each of `events` (label: substring); stamp(line) -> datetime or None."""
    first, found = None, {}
    for line in log.read_text(errors="replace").splitlines():
        at = stamp(line)
        if at is None:
            continue
        first = first or at
        for label, needle in events.items():
            if label not in found and needle in line:
                found[label] = f"{(at - first).total_seconds():.2f}s"
    return {label: found.get(label, "-") for label in events}


def _stamp(pattern: str, fmt: str):
    import datetime
    regex = re.compile(pattern)
    def stamp(line: str):
        m = regex.match(line)
        return datetime.datetime.strptime(m.group(1), fmt) if m else None
    return stamp


def startup_phases(name: str, log: Path) -> str:
    """Seconds from kafka2cos's first log line to its milestones."""
    p = log_phases(log, _stamp(r"(\d{4}-\d\d-\d\dT[\d:.]+)Z", "%Y-%m-%dT%H:%M:%S.%f"),
                   {"ready": "event=worker_ready", "first partition": "event=partition_assigned",
                    "first object": "event=object_written"})
    return f"  {name}: " + ", ".join(f"{k} {v}" for k, v in p.items())


def _kafka2cos(b: Bench, run: int, name: str, local: bool, fmt: str = "text",
               binary: Path = WORKER_BIN) -> Measure:
    # A new instance id per run, so a new group that starts from the beginning.
    instance = f"bench{run}-{uuid.uuid4().hex[:6]}"
    bucket = f"bench-{instance}"
    root = b.workdir / f"local-{instance}" if local else None
    if not local:
        b.s3.create_bucket(Bucket=bucket)
    config = b.workdir / f"{instance}.toml"
    kafka2cos_config(b.servers, b.topic, bucket, instance, config, root, fmt=fmt)
    log = b.workdir / f"{instance}.log"
    with open(log, "wb") as out:
        m = b.measure([str(binary), "run", "--config", str(config)], stderr=out,
                      until=b.group_watch(f"kafka2cos.{instance}.{b.topic}"))
    print(startup_phases(name, log), flush=True)
    if root is not None:
        if fmt == "text":
            check_output(name, tree_bytes(root / bucket), b.expected_output_bytes())
        else:
            print(f"  {name}: wrote {tree_bytes(root / bucket):,} B", flush=True)
        remove(root)
    return m


def run_kafka2cos(b: Bench, run: int) -> Measure:
    """kafka2cos: consume + encode (text) + upload to the S3 server + commit,
    5 s windows, start = earliest; timed until its group's committed offsets
    reach the end of every partition (startup included), then SIGTERM."""
    return _kafka2cos(b, run, "kafka2cos", local=False)


def run_kafka2cos_local(b: Bench, run: int) -> Measure:
    """kafka2cos-local: the same worker and config with [storage] type =
    "local" (files under the work dir), to compare with connect: both write
    the same bytes to local files. Timed as kafka2cos."""
    return _kafka2cos(b, run, "kafka2cos-local", local=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def render(template: str, dest: Path, **values):
    text = (CONNECT_TEMPLATES / template).read_text()
    dest.write_text(string.Template(text).substitute(values))


def jvm_installed(script: str) -> bool:
    return subprocess.run(["bash", str(REPO / script), "libs"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def run_connect(b: Bench, run: int) -> Measure:
    """connect: the JVM anchor. Kafka Connect standalone (connect-runtime,
    same version as the broker) with Kafka's FileStreamSinkConnector,
    StringConverter values, ByteArrayConverter keys, tasks.max = partitions,
    appending every value and a newline to one file in the work dir. No S3
    work: it measures the Connect framework (consumer, converter, task loop)
    and a local file write, like kafka2cos-local. A new connector name per
    run, so a new group (connect-<name>) that starts from the beginning;
    timed like kafka2cos until that group's committed offsets reach the end
    (offsets are committed every offset.flush.interval.ms = 1000), startup
    included, then SIGTERM. The JVM is the direct child (connect.sh execs it)."""
    name = f"k2c-bench{run}-{uuid.uuid4().hex[:6]}"
    d = b.workdir / name
    d.mkdir()
    render("worker.properties", d / "worker.properties", bootstrap=b.servers.kafka,
           dir=d, rest_port=free_port())
    render("file-sink.properties", d / "file-sink.properties", name=name, tasks=b.partitions,
           topic=b.topic, dir=d)
    render("log4j2.properties", d / "log4j2.properties", dir=d)
    with open(d / "connect.out", "wb") as out:
        # 143: the JVM's exit code after SIGTERM (shutdown hooks ran).
        m = b.measure(["bash", str(CONNECT_SH), "run", str(d / "worker.properties"),
                       str(d / "file-sink.properties"), str(d / "log4j2.properties")],
                      stdout=out, stderr=out, until=b.group_watch(f"connect-{name}"),
                      ok_codes=(0, 143))
    p = log_phases(d / "connect.log",
                   _stamp(r"\[(\d{4}-\d\d-\d\dT[\d:.]+)\]", "%Y-%m-%dT%H:%M:%S.%f"),
                   {"started": "Kafka Connect started",
                    "first partition": "Adding newly assigned partitions"})
    print("  connect: " + ", ".join(f"{k} {v}" for k, v in p.items()), flush=True)
    check_output("connect", (d / "sink.out").stat().st_size, b.expected_output_bytes())
    remove(d / "sink.out")
    return m


def bench_window_ms() -> int:
    """The kafka2cos contenders' window ($K2C_BENCH_WINDOW, default 5s) in ms."""
    text = os.environ.get("K2C_BENCH_WINDOW", "5s").strip()
    m = re.fullmatch(r"(\d+)(ms|s|m)", text)
    assert m, f"K2C_BENCH_WINDOW: expected e.g. 5s, 500ms or 1m, got {text!r}"
    return int(m.group(1)) * {"ms": 1, "s": 1000, "m": 60_000}[m.group(2)]


def finished_part_bytes(root: Path) -> int:
    """Bytes in the FileSink's published part files (not the hidden
    in-progress or pending ones, which start with a dot)."""
    return sum(p.stat().st_size for p in root.rglob("part-*") if p.is_file())


def run_flink(b: Bench, run: int) -> Measure:
    """flink: the JVM peer that archives exactly once. An Apache Flink 2.2
    job in the local mini-cluster (one JVM; bench/flink/): KafkaSource from
    the earliest offsets in a new group, FileSink in row format writing each
    value and a newline (the bytes kafka2cos's text format writes), part files
    rolled every window and published on checkpoints, checkpoints every window
    (exactly-once, into the work dir), parallelism = cores. Timed like
    kafka2cos: until the group's committed offsets (committed by the source
    when a checkpoint completes) reach the end *and* the published files hold
    every record, startup included, then SIGTERM."""
    name = f"k2c-bench{run}-{uuid.uuid4().hex[:6]}"
    d = b.workdir / name
    out_dir = d / "out"
    out_dir.mkdir(parents=True)
    group_done = b.group_watch(f"flink-{name}")
    want = b.expected_output_bytes()
    until = lambda: finished_part_bytes(out_dir) >= want and group_done()  # noqa: E731
    with open(d / "flink.out", "wb") as out:
        # 143: the JVM's exit code after SIGTERM.
        m = b.measure(["bash", str(FLINK_SH), "run", b.servers.kafka, b.topic, f"flink-{name}",
                       str(out_dir), str(d / "checkpoints"), str(bench_window_ms()),
                       str(CORES), str(d / "flink.log")],
                      stdout=out, stderr=out, until=until, ok_codes=(0, 143))
    p = log_phases(d / "flink.log",
                   _stamp(r"\[(\d{4}-\d\d-\d\dT[\d:.]+)\]", "%Y-%m-%dT%H:%M:%S.%f"),
                   {"job running": "switched from state CREATED to RUNNING",
                    "first checkpoint": "Completed checkpoint 1 "})
    print("  flink: " + ", ".join(f"{k} {v}" for k, v in p.items()), flush=True)
    check_output("flink", finished_part_bytes(out_dir), want)
    remove(out_dir)
    return m


RUNNERS = {"kcat": run_kcat, "kafka2cos": run_kafka2cos, "awscli": run_awscli,
           "kafka2cos-local": run_kafka2cos_local, "connect": run_connect, "flink": run_flink}


BASELINE_SUFFIX = "@baseline"


def runner(name: str, baseline: Path | None = None):
    """The runner of a contender; `kafka2cos[-local]:<format>` runs that
    kafka2cos contender with another archive format, and a name ending in
    @baseline runs it with the --baseline binary."""
    name_only = name.removesuffix(BASELINE_SUFFIX)
    binary = baseline if name_only != name else WORKER_BIN
    base, _, fmt = name_only.partition(":")
    if not fmt and binary == WORKER_BIN:
        return RUNNERS[name]
    assert binary is not None
    return lambda b, run: _kafka2cos(b, run, name, local=base == "kafka2cos-local",
                                     fmt=fmt or "text", binary=binary)


def add_baselines(contenders: list[str]) -> list[str]:
    """Each kafka2cos contender followed by the same with the baseline binary."""
    out = []
    for name in contenders:
        out.append(name)
        if name.startswith("kafka2cos"):
            out.append(name + BASELINE_SUFFIX)
    return out


def expand_formats(contenders: list[str], formats: list[str]) -> list[str]:
    """Each kafka2cos contender once per format; the first format keeps the
    plain name when it is text."""
    out = []
    for name in contenders:
        if name not in ("kafka2cos", "kafka2cos-local"):
            out.append(name)
            continue
        out += [name if f == "text" else f"{name}:{f}" for f in formats]
    return out


# --------------------------------------------------------------------------
# Steady modes (w3, --latency): one worker left running while a producer
# trickles records in; nothing ends, so nothing else runs
# --------------------------------------------------------------------------

W3_PARTITIONS = 1000
W3_RATE = 200                 # records/s over all partitions: one per partition every 5 s
W3_WINDOW = "60m"
W3_RSS_TARGET_MIB = 128       # issue 5: peak RSS under 128 MiB
LATENCY_PARTITIONS = 8
LATENCY_RATE = 2000
LATENCY_WINDOW_S = 10
BENCH_GRACE_S = 1             # every worker's flush_grace
LATENCY_TARGET_S = BENCH_GRACE_S + 1.0  # issue 15: visible by window end + grace + 1 s at p99
LATENCY_POLL_S = 0.2
STEADY_VALUE_BYTES = 256


class BackgroundWorker:
    """A kafka2cos worker running while the bench does other things. Reaped
    with os.wait4 (Popen.poll would lose the rusage) and signalled with
    os.kill (Popen.send_signal and kill poll first, so they may reap it);
    close() kills it if stop() was not reached. Peak RSS is VmHWM, sampled
    by sample() and while it stops."""

    def __init__(self, config: Path, log: Path):
        self.log = log
        self._out = open(log, "wb")
        self.proc = subprocess.Popen([str(WORKER_BIN), "run", "--config", str(config)],
                                     stdout=subprocess.DEVNULL, stderr=self._out)
        self.peak_rss_mib = 0.0
        self.exit_code: int | None = None
        self.life_cpu_seconds = 0.0  # rusage, startup and shutdown included

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _reap(self, block: bool = False) -> bool:
        try:
            pid, status, usage = os.wait4(self.proc.pid, 0 if block else os.WNOHANG)
        except ChildProcessError:  # reaped elsewhere: status and rusage are lost
            self.exit_code = self.proc.returncode if self.proc.returncode is not None else -1
            return True
        if pid != self.proc.pid:
            return False
        self.exit_code = self.proc.returncode = os.waitstatus_to_exitcode(status)
        self.life_cpu_seconds = usage.ru_utime + usage.ru_stime
        return True

    def check_alive(self):
        """Raises if the worker has exited."""
        if self.exit_code is None and not self._reap():
            return
        raise RuntimeError(f"kafka2cos exited early with {self.exit_code}; see {self.log}"
                           + ("" if KEEP else " (K2C_BENCH_KEEP=1 keeps it)"))

    def sample(self):
        self.peak_rss_mib = max(self.peak_rss_mib, vm_hwm_mib(self.proc.pid))

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.proc.pid)

    def rss_mib(self) -> float:
        return proc_status_mib(self.proc.pid, "VmRSS")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, partitions: int, timeout: float = 180) -> float:
        """Waits for event=worker_ready and `partitions` partition_assigned
        lines; returns the seconds it took."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            self.check_alive()
            self.sample()
            text = self.log_text()
            if "event=worker_ready" in text and text.count("event=partition_assigned") >= partitions:
                return time.monotonic() - start
            time.sleep(0.25)
        raise TimeoutError(f"kafka2cos not ready with {partitions} partitions within "
                           f"{timeout} s; see {self.log}")

    def metrics_url(self) -> str | None:
        m = re.search(r"event=api_listening address=(\S+)", self.log_text())
        return f"http://{m.group(1)}/metrics" if m else None

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM, then waits (sampling VmHWM) for the exit; returns its code."""
        if self.exit_code is None:
            os.kill(self.proc.pid, signal.SIGTERM)  # not reaped yet: the pid is still ours
            deadline = time.monotonic() + timeout
            while not self._reap():
                self.sample()
                if time.monotonic() > deadline:
                    raise TimeoutError(f"kafka2cos did not stop within {timeout} s")
                time.sleep(0.05)
        self._out.close()
        return self.exit_code

    def close(self):
        if self.exit_code is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self._reap(block=True)
        self._out.close()


def scrape_metrics(url: str | None) -> dict[str, float]:
    """The worker's /metrics, each metric summed over its labels ({} if unavailable)."""
    import urllib.request
    if url is None:
        return {}
    try:
        text = urllib.request.urlopen(url, timeout=5).read().decode()
    except OSError:
        return {}
    out: dict[str, float] = {}
    for line in text.splitlines():
        m = re.match(r"([a-zA-Z_:][\w:]*)(?:\{[^}]*\})?\s+(\S+)$", line)
        if m and not line.startswith("#"):
            out[m.group(1)] = out.get(m.group(1), 0.0) + float(m.group(2))
    return out


class SteadyProducer(threading.Thread):
    """Produces `rate` values of `size` bytes per second, round-robin over
    the partitions, from start() until stop(). Each record is stamped by
    librdkafka when produced (CreateTime), so its window is the wall-clock
    window it was produced in, unless the topic stamps records itself
    (LogAppendTime, as --latency's does). first_at/last_at: wall time (time.time()) of
    the first and last produce calls. slow: (produced at, seconds to the
    broker's ack) of the records acked later than SLOW_ACK_S, so a late
    object can be told from a slow broker."""

    SLOW_ACK_S = 0.5

    def __init__(self, bootstrap: str, topic: str, partitions: int, rate: int, size: int):
        super().__init__(name="bench-producer", daemon=True)
        self.bootstrap, self.topic, self.partitions = bootstrap, topic, partitions
        self.rate, self.size = rate, size
        self.sent = self.delivered = self.failed = 0
        self.first_at = self.last_at = 0.0
        self.max_ack_s = 0.0
        self.slow: list[tuple[float, float]] = []
        self.error: BaseException | None = None
        self._halt = threading.Event()

    def run(self):
        try:
            self._produce()
        except BaseException as e:  # reported by stop()
            self.error = e

    def _produce(self):
        from confluent_kafka import Producer
        producer = Producer({"bootstrap.servers": self.bootstrap, "linger.ms": 5,
                             "compression.type": "none"})
        base = (b"kafka2cos-benchmark-" * (self.size // 20 + 1))[: max(0, self.size - 12)]
        start = time.monotonic()
        self.first_at = time.time()
        while not self._halt.is_set():
            due = int((time.monotonic() - start) * self.rate)
            while self.sent < due:
                value = (b"%011d " % self.sent + base)[: self.size]
                try:
                    producer.produce(self.topic, value, partition=self.sent % self.partitions,
                                     on_delivery=self._on_delivery)
                except BufferError:
                    producer.poll(0.05)
                    continue
                self.sent += 1
                self.last_at = time.time()
            producer.poll(0.005)  # serves the delivery reports and paces the loop
        producer.flush(30)

    def _on_delivery(self, err, msg):
        if err is not None:
            self.failed += 1
            return
        self.delivered += 1
        ack = msg.latency() or 0.0
        self.max_ack_s = max(self.max_ack_s, ack)
        if ack > self.SLOW_ACK_S:
            self.slow.append((msg.timestamp()[1] / 1000, ack))

    def report(self) -> dict:
        """Counts and broker acks, for the results."""
        spans = sorted({time.strftime("%H:%M:%S", time.gmtime(at)) for at, _ in self.slow})
        return {"records_produced": self.delivered, "records_failed": self.failed,
                "producer_max_ack_s": self.max_ack_s, "producer_slow_acks": len(self.slow),
                "producer_slow_ack_seconds_utc": spans}

    def describe(self) -> str:
        r = self.report()
        slow = (f"; {r['producer_slow_acks']} acked later than {self.SLOW_ACK_S} s, produced at "
                f"{', '.join(r['producer_slow_ack_seconds_utc'][:10])} UTC" if self.slow else "")
        return (f"records produced {self.delivered:,} (failed {self.failed}); slowest broker "
                f"ack {self.max_ack_s:.2f} s{slow}")

    def stop(self):
        """Stops producing, waits for the outstanding deliveries; raises what
        the thread raised."""
        self._halt.set()
        if self.is_alive():
            self.join(60)
        if self.error is not None:
            raise RuntimeError(f"producer failed: {self.error!r}") from self.error


def start_steady_worker(servers: Servers, workdir: Path, s3, topic: str, window: str,
                        name: str) -> tuple[BackgroundWorker, str, str]:
    """A new bucket and instance, the worker's config (S3 store, start =
    earliest on the still empty topic, /metrics on), and the worker started;
    returns (worker, instance, bucket)."""
    instance = f"{name}-{uuid.uuid4().hex[:6]}"
    bucket = f"bench-{instance}"
    s3.create_bucket(Bucket=bucket)
    config = workdir / f"{instance}.toml"
    kafka2cos_config(servers, topic, bucket, instance, config, None, window=window,
                     start="earliest", api=True)
    return BackgroundWorker(config, workdir / f"{instance}.log"), instance, bucket


def log_events(text: str) -> dict[str, int]:
    """How many times each event=... occurs in a worker log."""
    counts: dict[str, int] = {}
    for event in re.findall(r"event=(\w+)", text):
        counts[event] = counts.get(event, 0) + 1
    return counts


def print_log_notes(worker: BackgroundWorker):
    """Warnings and errors of the worker log, so odd runs show: kafka2cos's
    by event, librdkafka's (%0..%4|time|FACILITY|) by facility."""
    counts: dict[str, int] = {}
    for line in worker.log_text().splitlines():
        ours = re.search(r"level=(?:warn\w*|error|critical) event=(\w+)", line)
        rdkafka = re.match(r"%[0-4]\|[\d.]+\|(\w+)\|", line)
        name = ours.group(1) if ours else f"librdkafka {rdkafka.group(1)}" if rdkafka else None
        if name:
            counts[name] = counts.get(name, 0) + 1
    if counts:
        print("  worker log warnings/errors: " + ", ".join(
            f"{k} x{v}" for k, v in sorted(counts.items())) + f" (see {worker.log})")
    else:
        print("  worker log: no warnings or errors")


def run_w3(servers: Servers, workdir: Path, duration: float, rate: int,
           partitions: int = W3_PARTITIONS) -> dict:
    """W3: 1,000 partitions (or `partitions`), a trickle of records, 60 min windows. One worker;
    once it holds every partition a producer trickles `rate` records/s
    round-robin over all of them (so each holds an open window), for
    `duration` s. Reported over those `duration` s: the worker's CPU and
    the broker's and S3 server's (/proc/<pid>/stat), its peak RSS (VmHWM,
    startup included) and its RSS at the end; then SIGTERM (open windows
    are dropped, not uploaded)."""
    topic, size = f"bench-w3-{partitions}", STEADY_VALUE_BYTES
    t0 = time.monotonic()
    create_topic(servers.kafka, topic, partitions)
    print(f"w3: created {topic} with {partitions} partitions in {time.monotonic() - t0:.0f} s; "
          "only kafka2cos runs (kcat, awscli, kafka2cos-local and connect need a backlog "
          "that ends; w3 is a worker at rest)", flush=True)
    worker, instance, _ = start_steady_worker(servers, workdir, servers.s3_client(), topic,
                                              W3_WINDOW, "w3")
    producer = SteadyProducer(servers.kafka, topic, partitions, rate, size)
    with worker:
        try:
            ready = worker.wait_ready(partitions)
            print(f"  worker ready with {partitions} partitions after {ready:.1f} s", flush=True)
            producer.start()
            before, cpu_before = servers.snapshot(), worker.cpu_seconds()
            end = before.at + duration
            while time.monotonic() < end:
                time.sleep(min(0.5, max(0.0, end - time.monotonic())))
                worker.check_alive()
                worker.sample()
            after, cpu_after = servers.snapshot(), worker.cpu_seconds()
            rss_end = worker.rss_mib()
            metrics = scrape_metrics(worker.metrics_url())
        finally:
            producer.stop()
        code = worker.stop()
    span = after.at - before.at
    cpu = cpu_after - cpu_before
    events = log_events(worker.log_text())
    result = {
        "mode": "w3", "partitions": partitions, "rate_per_s": rate, "value_bytes": size,
        "window": W3_WINDOW, "duration_s": span, "cores": CORES,
        **producer.report(),
        "records_consumed": metrics.get("kafka2cos_records_consumed_total"),
        "partitions_assigned": metrics.get("kafka2cos_partitions_assigned"),
        "buffer_bytes": metrics.get("kafka2cos_buffer_bytes"),
        "objects_written": events.get("object_written", 0),
        "worker_ready_s": ready, "peak_rss_mib": worker.peak_rss_mib, "rss_end_mib": rss_end,
        "cpu_s": cpu, "cpu_pct": 100 * cpu / span, "life_cpu_s": worker.life_cpu_seconds,
        "broker_cpu_s": after.broker - before.broker, "s3_cpu_s": after.s3 - before.s3,
        "machine_busy_pct": 100 * (after.busy - before.busy) / (span * CORES),
        "rss_target_mib": W3_RSS_TARGET_MIB, "worker_exit_code": code,
    }
    result["pass"] = result["peak_rss_mib"] < W3_RSS_TARGET_MIB
    print_w3(result)
    print(f"  producer: {producer.describe()}")
    print_log_notes(worker)
    return result


def print_w3(r: dict):
    fmt = lambda v, spec: "-" if v is None else format(v, spec)
    print(f"\nworkload w3: {r['partitions']} partitions, {r['rate_per_s']} records/s x "
          f"{r['value_bytes']} B round-robin (one record per partition every "
          f"{r['partitions'] / r['rate_per_s']:.1f} s), {r['window']} windows, "
          f"{r['duration_s']:.0f} s; {r['cores']} cores; kafka2cos only")
    print(f"  records consumed by the worker {fmt(r['records_consumed'], ',.0f')}; partitions assigned "
          f"{fmt(r['partitions_assigned'], '.0f')}; buffered {fmt(r['buffer_bytes'], ',.0f')} B; "
          f"objects written {r['objects_written']}"
          + ("  (a window boundary fell inside the run)" if r["objects_written"] else ""))
    print(f"  kafka2cos: peak RSS {r['peak_rss_mib']:.0f} MiB (VmHWM, startup and shutdown "
          f"included), RSS at the end {r['rss_end_mib']:.0f} MiB; CPU {r['cpu_s']:.2f} s over "
          f"the {r['duration_s']:.0f} s = {r['cpu_pct']:.1f}% of one core "
          f"({r['life_cpu_s']:.2f} s over its whole life, startup and shutdown included)")
    print(f"  same {r['duration_s']:.0f} s: broker CPU {r['broker_cpu_s']:.2f} s, S3 server CPU "
          f"{r['s3_cpu_s']:.2f} s, machine busy {r['machine_busy_pct']:.0f}%")
    print(f"  target peak RSS < {r['rss_target_mib']} MiB: {'PASS' if r['pass'] else 'FAIL'}")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def key_pattern(instance: str, topic: str) -> re.Pattern:
    """The default key template: window start, partition, first offset."""
    return re.compile(re.escape(f"{instance}/{topic}/")
                      + r"(\d{8}T\d{6}Z)_p(\d+)_o(\d+)")


def parse_key(pattern: re.Pattern, key: str) -> tuple[int, int] | None:
    """(window start in Unix s, partition) of an object key, None if the key
    is not a window object (the worker's write probe)."""
    m = pattern.match(key)
    if m is None:
        return None
    return calendar.timegm(time.strptime(m.group(1), "%Y%m%dT%H%M%SZ")), int(m.group(2))


def full_windows(first_at: float, last_at: float, window: int) -> list[int]:
    """Starts (Unix s) of the windows wholly inside [first_at, last_at]."""
    start = math.ceil(first_at / window) * window
    return list(range(start, int(last_at) - window + 1, window))


def poll_bucket(s3, bucket: str, prefix: str, seen: dict[str, float], start_after: str = ""):
    """Lists the bucket (keys after `start_after`); records for each key not
    seen before the time the listing returned."""
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix,
                                                              StartAfter=start_after):
        now = time.time()
        for obj in page.get("Contents", []):
            if "/_manifests/" not in obj["Key"]:
                seen.setdefault(obj["Key"], now)


def written_objects(log_text: str) -> dict[str, dict]:
    """key: {reason, upload_ms} from the worker's object_written lines."""
    out = {}
    for line in log_text.splitlines():
        if "event=object_written" in line:
            fields = dict(re.findall(r"(\w+)=(\S+)", line))
            out[fields.get("key", "")] = fields
    return out


def listing_start(prefix: str, window: int, now: float) -> str:
    """Where to start listing: keys sort by window start
    (%Y%m%dT%H%M%SZ after the prefix), and the windows that ended more than
    three windows ago are complete or counted late, so with 1,000 partitions
    each listing reads a few thousand keys, not all written so far."""
    oldest = (int(now) // window - 3) * window
    return prefix + time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(oldest))


def run_latency(servers: Servers, workdir: Path, duration: float, rate: int,
                partitions: int = LATENCY_PARTITIONS, window: int = LATENCY_WINDOW_S) -> dict:
    """--latency: window end to object visible. 8 partitions (or `partitions`), 10 s windows
    (or `window` s),
    flush_grace 1 s, S3 store. A producer sends `rate` records/s for
    `duration` s while the bucket is listed every 0.2 s; for each object of
    a window wholly inside the production (not the first, which the
    producer joins mid-way, nor the last) latency = first listed - window
    end, wall clock. Objects closed by size are left out (the worker log
    names each object's reason)."""
    topic, size = f"bench-latency-{partitions}", STEADY_VALUE_BYTES
    # The broker stamps each record when it appends it: a window ends in the
    # broker's time, so a producer or broker running behind (acks 29 s late
    # with 1,000 partitions on this machine) is not counted as kafka2cos's.
    create_topic(servers.kafka, topic, partitions, {"message.timestamp.type": "LogAppendTime"})
    s3 = servers.s3_client()
    worker, instance, bucket = start_steady_worker(servers, workdir, s3, topic, f"{window}s",
                                                   "lat")
    producer = SteadyProducer(servers.kafka, topic, partitions, rate, size)
    prefix, pattern = f"{instance}/{topic}/", key_pattern(instance, topic)
    seen: dict[str, float] = {}
    with worker:
        try:
            worker.wait_ready(partitions)
            producer.start()
            end = time.monotonic() + duration
            while time.monotonic() < end:
                tick = time.monotonic()
                poll_bucket(s3, bucket, prefix, seen, listing_start(prefix, window, time.time()))
                worker.check_alive()
                worker.sample()
                time.sleep(max(0.0, LATENCY_POLL_S - (time.monotonic() - tick)))
        finally:
            producer.stop()
        # Keep listing until every object of the full windows is seen, or
        # the last one is 20 s late (then the missing count as late).
        windows = full_windows(producer.first_at, producer.last_at, window)
        expected = {(w, p) for w in windows for p in range(partitions)}
        deadline = (windows[-1] + window if windows else time.time()) + 20
        while time.time() < deadline:
            poll_bucket(s3, bucket, prefix, seen, listing_start(prefix, window, time.time()))
            if expected <= {parse_key(pattern, k) for k in seen}:
                break
            time.sleep(LATENCY_POLL_S)
        code = worker.stop()
    result = latency_result(seen, pattern, written_objects(worker.log_text()), windows,
                            partitions, window)
    result.update({"mode": "latency", "partitions": partitions, "rate_per_s": rate,
                   "value_bytes": size, "window_s": window, "flush_grace": f"{BENCH_GRACE_S}s",
                   "duration_s": duration, "poll_s": LATENCY_POLL_S, "cores": CORES,
                   **producer.report(), "peak_rss_mib": worker.peak_rss_mib, "worker_exit_code": code,
                   "target_s": LATENCY_TARGET_S})
    print_latency(result)
    print(f"  producer: {producer.describe()}")
    print_log_notes(worker)
    return result


def latency_result(seen: dict[str, float], pattern: re.Pattern, written: dict[str, dict],
                   windows: list[int], partitions: int, window: int) -> dict:
    """Latencies of the full windows' objects, and what was left out."""
    full = set(windows)
    samples, skipped = [], {"partial_window": 0, "closed_by_size": 0, "not_a_window_object": 0}
    got = set()
    for key, first_seen in sorted(seen.items()):
        parsed = parse_key(pattern, key)
        if parsed is None:
            skipped["not_a_window_object"] += 1
        elif parsed[0] not in full:
            skipped["partial_window"] += 1
        elif written.get(key, {}).get("reason") == "size":
            skipped["closed_by_size"] += 1
        else:
            got.add(parsed)
            samples.append({"key": key, "latency_s": first_seen - (parsed[0] + window),
                            "reason": written.get(key, {}).get("reason"),
                            "upload_ms": int(written.get(key, {}).get("upload_ms", -1))})
    lat = [s["latency_s"] for s in samples]
    stats = ({q: percentile(lat, n) for q, n in (("p50", 50), ("p90", 90), ("p99", 99))}
             | {"max": max(lat)}) if lat else {}
    missing = len(windows) * partitions - len(got)
    per_window = collections.Counter(parse_key(pattern, k) for k in seen if parse_key(pattern, k))
    split = {w for w, n in per_window.items() if n > 1}
    return {"windows": len(windows), "count": len(lat), "missing": missing, "skipped": skipped,
            "split_windows": sorted(f"{time.strftime('%H:%M:%S', time.gmtime(w))} p{p}"
                                    for w, p in split),
            "latency_s": stats, "samples": samples,
            "pass": bool(lat) and missing == 0 and stats["p99"] <= LATENCY_TARGET_S}


def print_latency(r: dict):
    print(f"\nlatency: window end -> object visible; {r['partitions']} partitions, "
          f"{r['rate_per_s']:,} records/s x {r['value_bytes']} B for {r['duration_s']:.0f} s, "
          f"{r['window_s']} s windows, flush_grace {r['flush_grace']}, S3 store; "
          f"{r['cores']} cores; kafka2cos only")
    print(f"  the bucket was listed every {r['poll_s']} s; an object counts as visible when "
          f"the listing showing it returned, so each latency is late by up to "
          f"{r['poll_s']} s plus one listing")
    sk = r["skipped"]
    print(f"  {r['count']} objects of {r['windows']} full windows counted; left out: "
          f"{sk['partial_window']} of the first and last windows (production started/stopped "
          f"inside them; the first also holds the worker's start), {sk['closed_by_size']} "
          f"closed by size, {sk['not_a_window_object']} other keys; missing {r['missing']}")
    if r["split_windows"]:
        print(f"  {len(r['split_windows'])} window/partition pairs were cut into several "
              f"objects (UTC window start): {', '.join(r['split_windows'][:8])}"
              + (" ..." if len(r["split_windows"]) > 8 else ""))
    if r["count"]:
        s = r["latency_s"]
        uploads = [x["upload_ms"] for x in r["samples"] if x["upload_ms"] >= 0]
        print(f"  latency s: p50 {s['p50']:.2f}  p90 {s['p90']:.2f}  p99 {s['p99']:.2f}  "
              f"max {s['max']:.2f}" + (f"  (worker's upload_ms median "
                                       f"{statistics.median(uploads):.0f})" if uploads else ""))
        if r["count"] < 100:
            print(f"  (only {r['count']} samples: p99 is the maximum)")
    print(f"  target p99 <= window end + flush_grace + 1 s = {r['target_s']:.0f} s, none missing: "
          f"{'PASS' if r['pass'] else 'FAIL'}")


def steady_main(args) -> int:
    """Runs w3 or --latency against fresh servers; writes --json."""
    assert WORKER_BIN.exists(), f"build the worker first: {WORKER_BIN}"
    assert shutil.which("java"), "java is missing: run bash scripts/install-deps.sh"
    if args.partitions > 1000 and "KAFKA_HEAP" not in os.environ:
        # The test broker's 512 MiB heap ran out at 10,000 partitions: each
        # fetch request of librdkafka 2.0 (no fetch sessions) names every one.
        os.environ["KAFKA_HEAP"] = "-Xmx2g -Xms512m"
        print(f"{args.partitions} partitions: the broker gets KAFKA_HEAP={os.environ['KAFKA_HEAP']}")
    with bench_servers() as (servers, workdir):
        if args.latency:
            result = run_latency(servers, workdir, args.duration, args.rate, args.partitions,
                                 args.window)
        else:
            result = run_w3(servers, workdir, args.duration, args.rate, args.partitions)
        if args.json:
            args.json.write_text(json.dumps(result, indent=2))
        if result["worker_exit_code"] != 0:
            print(f"kafka2cos exited with {result['worker_exit_code']} after SIGTERM")
            return 1
        return 0


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------

def summarize(c: Contender, records: int, total_bytes: int) -> dict:
    med = lambda attr: statistics.median(getattr(m, attr) for m in c.runs)
    secs, cpu = med("seconds"), med("cpu_seconds")
    return {"contender": c.name, "seconds": secs, "records_per_s": records / secs,
            "mb_per_s": total_bytes / 1e6 / secs, "cpu_s": cpu,
            "cpu_s_per_gb": cpu / (total_bytes / 1e9),
            "records_per_cpu_s": records / cpu if cpu else None,
            "peak_rss_mib": max(m.peak_rss_mib for m in c.runs),
            "broker_cpu_s": med("broker_cpu_seconds"), "s3_cpu_s": med("s3_cpu_seconds"),
            "machine_busy_pct": med("machine_busy_pct")}


def print_table(rows: list[dict]):
    w = max([16] + [len(r["contender"]) for r in rows])
    print(f"{'contender':<{w}} {'records/s':>10} {'MB/s':>7} {'CPU s/GB':>9} {'peak RSS':>9} "
          f"{'broker CPU s':>12} {'S3 CPU s':>9} {'machine busy %':>14}")
    for r in rows:
        print(f"{r['contender']:<{w}} {r['records_per_s']:>10,.0f} {r['mb_per_s']:>7.1f} "
              f"{r['cpu_s_per_gb']:>9.2f} {r['peak_rss_mib']:>5.0f} MiB "
              f"{r['broker_cpu_s']:>12.2f} {r['s3_cpu_s']:>9.2f} {r['machine_busy_pct']:>13.0f}%")


def ratios(by: dict, records: int) -> dict:
    """The ratios of this run, for the contenders that ran; prints them."""
    out = {}
    if "kafka2cos" in by and "kcat" in by:
        out["kafka2cos_vs_kcat"] = by["kcat"]["seconds"] / by["kafka2cos"]["seconds"]
        print(f"kafka2cos end-to-end vs kcat consume-only: {out['kafka2cos_vs_kcat']:.2f}x "
              f"(target >= 1.0x)")
    if "kafka2cos" in by and "awscli" in by:
        out["kafka2cos_vs_awscli"] = by["awscli"]["seconds"] / by["kafka2cos"]["seconds"]
        print(f"kafka2cos end-to-end vs awscli upload-only: {out['kafka2cos_vs_awscli']:.2f}x")
    for name in [n for n in by if n.endswith(BASELINE_SUFFIX)]:
        new, old = by[name.removesuffix(BASELINE_SUFFIX)], by[name]
        key = name.removesuffix(BASELINE_SUFFIX) + "_vs_baseline"
        out[key] = new["records_per_s"] / old["records_per_s"]
        out[key + "_cpu"] = old["cpu_s_per_gb"] / new["cpu_s_per_gb"]
        print(f"{name.removesuffix(BASELINE_SUFFIX)} vs the --baseline binary: {out[key]:.2f}x "
              f"records/s, {out[key + '_cpu']:.2f}x less CPU per GB")
    for jvm in JVM_CONTENDERS:
        if "kafka2cos-local" not in by or jvm not in by:
            continue
        k, c = by["kafka2cos-local"], by[jvm]
        key = f"local_vs_{jvm}"
        out[f"{key}_records_per_cpu_s"] = k["records_per_cpu_s"] / c["records_per_cpu_s"]
        out[f"{key}_peak_rss"] = c["peak_rss_mib"] / k["peak_rss_mib"]
        out[f"{key}_seconds"] = c["seconds"] / k["seconds"]
        print(f"kafka2cos-local vs {jvm}: {k['records_per_cpu_s']:,.0f} vs "
              f"{c['records_per_cpu_s']:,.0f} records per CPU second "
              f"({out[f'{key}_records_per_cpu_s']:.2f}x, target >= 5x); peak RSS "
              f"{k['peak_rss_mib']:.0f} vs {c['peak_rss_mib']:.0f} MiB "
              f"({jvm} {out[f'{key}_peak_rss']:.2f}x, target >= 5x); wall time "
              f"{out[f'{key}_seconds']:.2f}x in kafka2cos-local's favour")
        # The JVM's consumers against one librdkafka client: the broker's side too.
        with_broker = {n: records / (r["cpu_s"] + r["broker_cpu_s"]) for n, r in
                       (("k", k), ("c", c))}
        out[f"{key}_records_per_cpu_s_with_broker"] = with_broker["k"] / with_broker["c"]
        print(f"  counting the broker's CPU too: {with_broker['k']:,.0f} vs "
              f"{with_broker['c']:,.0f} records per CPU second "
              f"({out[f'{key}_records_per_cpu_s_with_broker']:.2f}x)")
    return out


def format_ratios(by: dict, formats: list[str]) -> dict:
    """Records/s of each format against the first, per kafka2cos contender;
    prints them."""
    out = {}
    first = formats[0]
    for base in ("kafka2cos", "kafka2cos-local"):
        name = lambda f: base if f == "text" else f"{base}:{f}"
        if name(first) not in by:
            continue
        for f in formats[1:]:
            if name(f) not in by:
                continue
            r = by[name(f)]["records_per_s"] / by[name(first)]["records_per_s"]
            out[f"{name(f)}_vs_{first}"] = r
            target = " (target >= 0.8x)" if f == "jsonl/zstd" and first == "text" else ""
            print(f"{name(f)} vs {name(first)}: {r:.2f}x records/s{target}")
    return out


# --------------------------------------------------------------------------

def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workload", choices=sorted(WORKLOADS) + ["w3"], default="w1",
                    help="w3: 1,000 partitions, a trickle, 60 min windows: kafka2cos at rest")
    ap.add_argument("--latency", action="store_true",
                    help="window end to object visible, at a steady rate (8 partitions, 10 s windows)")
    ap.add_argument("--duration", type=float,
                    help="w3 and --latency: seconds of steady production (default 120; "
                         "--smoke: 20 for w3, 30 for --latency)")
    ap.add_argument("--rate", type=int,
                    help=f"w3 and --latency: records/s (default {W3_RATE} for w3, "
                         f"{LATENCY_RATE} for --latency)")
    ap.add_argument("--records", type=int, help="override the workload's record count")
    ap.add_argument("--window", type=int, default=LATENCY_WINDOW_S,
                    help=f"--latency: window length in seconds (default {LATENCY_WINDOW_S})")
    ap.add_argument("--partitions", type=int,
                    help=f"w3 and --latency: partitions (default {W3_PARTITIONS} for w3, "
                         f"{LATENCY_PARTITIONS} for --latency)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--contenders",
                    help=f"comma list, run in this order: {','.join(CONTENDERS)} (default: all; "
                         "w3 and --latency run kafka2cos only)")
    ap.add_argument("--smoke", action="store_true",
                    help="20,000 records, one run (for CI); connect only if its jars are "
                         "installed. w3 and --latency: a shorter --duration")
    ap.add_argument("--formats", default="text",
                    help="comma list of archive formats for the kafka2cos contenders, as "
                         "format or format/compression (e.g. text,jsonl/zstd,parquet); "
                         "ratios are against the first")
    ap.add_argument("--baseline", type=Path,
                    help="another kafka2cos binary (e.g. main's, to measure a change): each "
                         "kafka2cos contender also runs with it, in the same turns, as "
                         "<name>@baseline")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()
    args.formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    if args.latency or args.workload == "w3":
        return steady_args(ap, args)
    if args.duration is not None or args.rate is not None:
        ap.error("--duration and --rate apply to --workload w3 and --latency only")
    chosen = {n.strip() for n in (args.contenders or ",".join(CONTENDERS)).split(",")
              if n.strip()}
    unknown = chosen - set(CONTENDERS)
    if unknown or not chosen:
        ap.error(f"--contenders: unknown {sorted(unknown)}; choose from {','.join(CONTENDERS)}")
    args.contenders = expand_formats([n for n in CONTENDERS if n in chosen], args.formats)
    if args.baseline:
        if not args.baseline.is_file():
            ap.error(f"--baseline: no such binary {args.baseline}")
        args.contenders = add_baselines(args.contenders)
    return args


def steady_args(ap, args):
    """Checks and completes the arguments of w3 and --latency."""
    if args.latency and args.workload == "w3":
        ap.error("--latency has its own shape: leave out --workload w3")
    if args.contenders is not None or args.records is not None:
        ap.error("w3 and --latency run kafka2cos only: --contenders and --records do not apply")
    if args.duration is None:
        args.duration = (30 if args.latency else 20) if args.smoke else 120
    if args.rate is None:
        args.rate = LATENCY_RATE if args.latency else W3_RATE
    if args.partitions is None:
        args.partitions = LATENCY_PARTITIONS if args.latency else W3_PARTITIONS
    if args.duration <= 0 or args.rate <= 0:
        ap.error("--duration and --rate must be positive")
    return args


def check_tools(contenders: list[str], smoke: bool) -> list[str]:
    """Asserts the contenders' tools exist; returns the contenders to run."""
    assert WORKER_BIN.exists(), f"build the worker first: {WORKER_BIN}"
    for tool in ("kcat", "aws", "java"):
        assert shutil.which(tool), f"{tool} is missing: run bash scripts/install-deps.sh"
    for name, script in JVM_CONTENDERS.items():
        if name not in contenders:
            continue
        if smoke and not jvm_installed(script):
            print(f"{name}: skipped, its jars are not installed (bash {script} install)")
            contenders = [n for n in contenders if n != name]
            continue
        subprocess.run(["bash", str(REPO / script), "install"], check=True)
    return contenders


def main() -> int:
    # SIGTERM unwinds like ^C, so the finally blocks stop what was started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    args = parse_args()
    if args.latency or args.workload == "w3":
        return steady_main(args)
    partitions, records, size = WORKLOADS[args.workload]
    if args.records:
        records = args.records
    if args.smoke:
        records, args.runs = 20_000, 1
    names = check_tools(args.contenders, args.smoke)
    formats = args.formats

    with bench_servers() as (servers, workdir):
        topic = f"bench-{args.workload}"
        t0 = time.monotonic()
        total_bytes = prefill(servers.kafka, topic, partitions, records, size)
        print(f"prefilled {records} records x {size} B over {partitions} partitions "
              f"({total_bytes / 1e6:.0f} MB) in {time.monotonic() - t0:.0f} s", flush=True)
        ends = end_offsets(servers.kafka, topic, partitions)
        # kafka2cos closes a window at its end + flush_grace (wall clock): let
        # the last 5 s window of the prefill end before timing anything.
        time.sleep(7)
        b = Bench(workdir, servers, topic, partitions, records, size, ends, servers.s3_client())
        contenders = {n: Contender(n) for n in names}
        for run in range(args.runs):
            for c in contenders.values():
                c.runs.append(runner(c.name, args.baseline)(b, run))
            print(f"run {run + 1}/{args.runs}: " + ", ".join(
                f"{c.name} {c.runs[-1].seconds:.2f} s" for c in contenders.values()), flush=True)

        rows = [summarize(c, records, total_bytes) for c in contenders.values()]
        print(f"\nworkload {args.workload}: {records} records x {size} B, {partitions} "
              f"partitions, {args.runs} runs, medians; {CORES} cores")
        print_table(rows)
        result = ratios({r["contender"]: r for r in rows}, records)
        result.update(format_ratios({r["contender"]: r for r in rows}, formats))
        if args.json:
            args.json.write_text(json.dumps({"workload": args.workload, "records": records,
                                             "value_bytes": size, "partitions": partitions,
                                             "runs": args.runs, "cores": CORES, "rows": rows,
                                             **result}, indent=2))
        return 0


if __name__ == "__main__":
    sys.exit(main())
