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

Per contender: records/s, MB/s, CPU seconds per GB and peak RSS, from the
kernel's rusage of the contender's process (children included); and, over
the same span, the CPU seconds of the broker and of the S3 server
(/proc/<pid>/stat) and how busy the whole machine was (/proc/stat).

  python3 bench/run.py --workload w1 --runs 3           # 8 partitions x 256 B
  python3 bench/run.py --workload w1 --records 200000   # smaller, quicker
  python3 bench/run.py --contenders kafka2cos-local,connect
  python3 bench/run.py --smoke                          # a few seconds, for CI

Needs the same tools as the tests (bash scripts/install-deps.sh) and a built
worker (build/kafka2cos, or $K2C_BIN). The connect contender resolves its jars
with `bash bench/connect.sh install` (Maven) on first use; --smoke only runs
it if they are already there.
"""
from __future__ import annotations

import argparse
import json
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
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORKER_BIN = Path(os.environ.get("K2C_BIN") or REPO / "build" / "kafka2cos")
CONNECT_SH = REPO / "bench" / "connect.sh"
CONNECT_TEMPLATES = REPO / "bench" / "connect"
KEEP = bool(os.environ.get("K2C_BENCH_KEEP"))

WORKLOADS = {
    # name: (partitions, records, value bytes)
    "w1": (8, 4_000_000, 256),
    "w2-small": (8, 4_000_000, 64),
    "w2-large": (8, 16_000, 65536),
}
# The turn order of one run.
CONTENDERS = ("kcat", "kafka2cos", "awscli", "kafka2cos-local", "connect")

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
                 stop_timeout: float = 60, ok_codes=(0,)) -> Measure:
    """Runs `cmd`; returns wall time, CPU time (user+sys, from rusage) and
    peak RSS (VmHWM, sampled while it runs: rusage's maxrss would include the
    memory of this Python process the child was forked from). With `until`,
    the process gets SIGTERM once until() is true, and the wall time is taken
    at that moment; it must then exit within stop_timeout with one of
    ok_codes. The process is killed if anything goes wrong (or on ^C)."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=stdout or subprocess.DEVNULL,
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
                    proc.send_signal(signal.SIGTERM)
            time.sleep(poll)
    finally:
        if waited is None:  # an error: do not leave it running
            proc.kill()
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
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


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


def kafka2cos_config(b: Bench, bucket: str, instance: str, path: Path, local_root: Path | None):
    s3 = b.servers.s3
    if local_root is None:
        storage = f"""type = "s3"
endpoint = "{s3['S3_ENDPOINT']}"
region = "{s3['S3_REGION']}"
path_style = true
access_key_id = "{s3['S3_ACCESS_KEY']}"
secret_access_key = "{s3['S3_SECRET_KEY']}\""""
    else:
        storage = f'type = "local"\nroot = "{local_root}"'
    path.write_text(f"""
instance_id = "{instance}"
[kafka]
bootstrap_servers = "{b.servers.kafka}"
[storage]
{storage}
[sink]
min_window = "1s"
flush_grace = "1s"
[control]
tasks_topic = "k2c-bench-{instance}-tasks"
status_topic = "k2c-bench-{instance}-status"
[[task]]
topic = "{b.topic}"
bucket = "{bucket}"
window = "5s"
start = "earliest"
max_object_bytes = "64MiB"
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


def _kafka2cos(b: Bench, run: int, name: str, local: bool) -> Measure:
    # A new instance id per run, so a new group that starts from the beginning.
    instance = f"bench{run}-{uuid.uuid4().hex[:6]}"
    bucket = f"bench-{instance}"
    root = b.workdir / f"local-{instance}" if local else None
    if not local:
        b.s3.create_bucket(Bucket=bucket)
    config = b.workdir / f"{instance}.toml"
    kafka2cos_config(b, bucket, instance, config, root)
    log = b.workdir / f"{instance}.log"
    with open(log, "wb") as out:
        m = b.measure([str(WORKER_BIN), "run", "--config", str(config)], stderr=out,
                      until=b.group_watch(f"kafka2cos.{instance}.{b.topic}"))
    print(startup_phases(name, log), flush=True)
    if root is not None:
        check_output(name, tree_bytes(root / bucket), b.expected_output_bytes())
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


def connect_installed() -> bool:
    return subprocess.run(["bash", str(CONNECT_SH), "libs"], stdout=subprocess.DEVNULL,
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


RUNNERS = {"kcat": run_kcat, "kafka2cos": run_kafka2cos, "awscli": run_awscli,
           "kafka2cos-local": run_kafka2cos_local, "connect": run_connect}


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
    print(f"{'contender':<16} {'records/s':>10} {'MB/s':>7} {'CPU s/GB':>9} {'peak RSS':>9} "
          f"{'broker CPU s':>12} {'S3 CPU s':>9} {'machine busy %':>14}")
    for r in rows:
        print(f"{r['contender']:<16} {r['records_per_s']:>10,.0f} {r['mb_per_s']:>7.1f} "
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
    if "kafka2cos-local" in by and "connect" in by:
        k, c = by["kafka2cos-local"], by["connect"]
        out["local_vs_connect_records_per_cpu_s"] = k["records_per_cpu_s"] / c["records_per_cpu_s"]
        out["local_vs_connect_peak_rss"] = c["peak_rss_mib"] / k["peak_rss_mib"]
        out["local_vs_connect_seconds"] = c["seconds"] / k["seconds"]
        print(f"kafka2cos-local vs connect: {k['records_per_cpu_s']:,.0f} vs "
              f"{c['records_per_cpu_s']:,.0f} records per CPU second "
              f"({out['local_vs_connect_records_per_cpu_s']:.2f}x); peak RSS "
              f"{k['peak_rss_mib']:.0f} vs {c['peak_rss_mib']:.0f} MiB "
              f"(connect {out['local_vs_connect_peak_rss']:.2f}x); wall time "
              f"{out['local_vs_connect_seconds']:.2f}x in kafka2cos-local's favour")
        # Eight Connect consumers vs one librdkafka client: the broker's side too.
        with_broker = {n: records / (r["cpu_s"] + r["broker_cpu_s"]) for n, r in
                       (("k", k), ("c", c))}
        out["local_vs_connect_records_per_cpu_s_with_broker"] = with_broker["k"] / with_broker["c"]
        print(f"  counting the broker's CPU too: {with_broker['k']:,.0f} vs "
              f"{with_broker['c']:,.0f} records per CPU second "
              f"({out['local_vs_connect_records_per_cpu_s_with_broker']:.2f}x)")
    return out


# --------------------------------------------------------------------------

def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workload", choices=sorted(WORKLOADS), default="w1")
    ap.add_argument("--records", type=int, help="override the workload's record count")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--contenders", default=",".join(CONTENDERS),
                    help=f"comma list, run in this order: {','.join(CONTENDERS)} (default: all)")
    ap.add_argument("--smoke", action="store_true",
                    help="20,000 records, one run (for CI); connect only if its jars are installed")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()
    chosen = {n.strip() for n in args.contenders.split(",") if n.strip()}
    unknown = chosen - set(CONTENDERS)
    if unknown or not chosen:
        ap.error(f"--contenders: unknown {sorted(unknown)}; choose from {','.join(CONTENDERS)}")
    args.contenders = [n for n in CONTENDERS if n in chosen]
    return args


def check_tools(contenders: list[str], smoke: bool) -> list[str]:
    """Asserts the contenders' tools exist; returns the contenders to run."""
    assert WORKER_BIN.exists(), f"build the worker first: {WORKER_BIN}"
    for tool in ("kcat", "aws", "java"):
        assert shutil.which(tool), f"{tool} is missing: run bash scripts/install-deps.sh"
    if "connect" in contenders:
        if smoke and not connect_installed():
            print("connect: skipped, its jars are not installed (bash bench/connect.sh install)")
            return [n for n in contenders if n != "connect"]
        subprocess.run(["bash", str(CONNECT_SH), "install"], check=True)
    return contenders


def main() -> int:
    # SIGTERM unwinds like ^C, so the finally blocks stop what was started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    args = parse_args()
    partitions, records, size = WORKLOADS[args.workload]
    if args.records:
        records = args.records
    if args.smoke:
        records, args.runs = 20_000, 1
    names = check_tools(args.contenders, args.smoke)

    workdir = Path(tempfile.mkdtemp(prefix="k2c-bench-"))
    servers = Servers(workdir)
    try:
        servers.start()
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
                c.runs.append(RUNNERS[c.name](b, run))
            print(f"run {run + 1}/{args.runs}: " + ", ".join(
                f"{c.name} {c.runs[-1].seconds:.2f} s" for c in contenders.values()), flush=True)

        rows = [summarize(c, records, total_bytes) for c in contenders.values()]
        print(f"\nworkload {args.workload}: {records} records x {size} B, {partitions} "
              f"partitions, {args.runs} runs, medians; {CORES} cores")
        print_table(rows)
        result = ratios({r["contender"]: r for r in rows}, records)
        if args.json:
            args.json.write_text(json.dumps({"workload": args.workload, "records": records,
                                             "value_bytes": size, "partitions": partitions,
                                             "runs": args.runs, "cores": CORES, "rows": rows,
                                             **result}, indent=2))
        return 0
    finally:
        servers.stop()
        if KEEP:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
