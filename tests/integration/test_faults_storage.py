# Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
"""Reliability suite: the store or the broker fails while the worker archives
a stream; afterwards every record is in the bucket exactly once.

Each test streams uniquely numbered records into a 4-partition topic from a
background producer (idempotent, so Kafka holds each exactly once), injects
faults mid-stream, stops the stream, waits until the bucket (read with boto3)
holds every record, and counts lost and duplicated records. The numbers go to
the file named by $K2C_RELIABILITY_REPORT (one JSON line per test) if set.

Faults on the storage path come from faultproxy.FaultProxy (latency, resets,
refused connections, a blackhole, canned S3 errors) between the worker and
SeaweedFS; the others are real: the S3 server killed and restarted, the
Kafka broker restarted, and SeaweedFS's identities file changed and reloaded
(SIGHUP) to revoke write access and to rotate the secret.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from pathlib import Path
from typing import Callable, Optional
from urllib.parse import urlparse

import pytest
from botocore.exceptions import ClientError
from confluent_kafka import TopicPartition

import archive_check
from archive_check import KEY_RE, check_exactly_once, cluster_id
from faultproxy import FaultProxy
from worker import Worker, task_toml, toml_str

PARTITIONS = 4
RATE = 200  # records per second, over all partitions
# Upper bound for a SIGTERM while uploads hang: the 10 s finish timeout, the
# 3 s request timeout of the attempt in progress, and slack for the group leave.
STOP_BOUND_S = 25


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def storage_toml(endpoint: str, s3, request_timeout: str = "3s", connect_timeout: str = "2s",
                 access_key: Optional[str] = None, secret_key: Optional[str] = None) -> str:
    """Like worker.s3_storage_toml, but with any endpoint (the proxy) and
    short timeouts, so a blackholed request fails in seconds."""
    return f"""
[storage]
type = "s3"
endpoint = {toml_str(endpoint)}
region = {toml_str(s3.region)}
path_style = true
access_key_id = {toml_str(access_key or s3.access_key)}
secret_access_key = {toml_str(secret_key or s3.secret_key)}
part_size = "5MiB"
connect_timeout = {toml_str(connect_timeout)}
request_timeout = {toml_str(request_timeout)}
"""


def s3_port(s3) -> int:
    return urlparse(s3.endpoint).port


class Stream:
    """Produces `tag-<seq>` values round-robin over the partitions at `rate`
    records/s from a background thread until stop(). An idempotent producer
    with a long delivery timeout rides through a broker restart without
    losing or duplicating records; positions maps value -> (partition, offset)."""

    def __init__(self, kafka, topic: str, partitions: int = PARTITIONS, rate: int = RATE,
                 tag: Optional[str] = None):
        self.kafka, self.topic, self.partitions, self.rate = kafka, topic, partitions, rate
        self.tag = tag or uuid.uuid4().hex[:6]
        self.positions: dict[str, tuple[int, int]] = {}
        self.errors: list = []
        self.sent = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._producer = None

    def start(self) -> "Stream":
        self._producer = self.kafka.producer(**{
            "enable.idempotence": True, "message.timeout.ms": 240000,
            "reconnect.backoff.max.ms": 1000})
        self._thread = threading.Thread(target=self._run, name="stream", daemon=True)
        self._thread.start()
        return self

    def _on_delivery(self, err, msg):
        with self._lock:
            if err is not None:
                self.errors.append(err)
            else:
                self.positions[msg.value().decode()] = (msg.partition(), msg.offset())

    def _run(self) -> None:
        per_tick = max(1, self.rate // 20)
        while not self._stop.is_set():
            for _ in range(per_tick):
                value = f"{self.tag}-{self.sent:08d}"
                try:
                    self._producer.produce(self.topic, value=value.encode(),
                                           partition=self.sent % self.partitions,
                                           on_delivery=self._on_delivery)
                except BufferError:
                    break  # queue full (broker down for long): try again next tick
                self.sent += 1
            self._producer.poll(0)
            self._stop.wait(0.05)

    def stop(self, timeout: float = 120) -> dict[str, tuple[int, int]]:
        """Stops producing, waits for every delivery report; returns positions."""
        if self._thread is None:
            return self.positions
        self._stop.set()
        self._thread.join(10)
        remaining = self._producer.flush(timeout)
        self._thread = None
        self._release()
        assert remaining == 0, f"{remaining} record(s) not acknowledged within {timeout}s"
        assert not self.errors, f"{len(self.errors)} delivery errors, e.g. {self.errors[:3]}"
        assert len(self.positions) == self.sent, (len(self.positions), self.sent)
        return dict(self.positions)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        if self._producer is not None:
            self._producer.flush(5)
            self._release()

    def _release(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None and hasattr(producer, "close"):
            producer.close()


def archive_counts(objects: dict[str, bytes], positions: dict, instance: str, topic: str) -> dict:
    """check_exactly_once's rules, counted instead of asserted: lost and
    duplicated records, values never produced, and objects whose key, partition,
    order or first offset is wrong."""
    seen: Counter = Counter()
    problems: list[str] = []
    unexpected = 0
    for key, body in objects.items():
        m = KEY_RE.match(key)
        if not m or m["instance"] != instance or m["topic"] != topic:
            problems.append(f"unexpected key {key!r}")
            continue
        values = body.decode(errors="replace").split("\n")
        if values[-1] != "":
            problems.append(f"{key} does not end with the delimiter")
        offsets = []
        for v in values[:-1]:
            if v not in positions:
                unexpected += 1
                continue
            partition, offset = positions[v]
            if partition != int(m["partition"]):
                problems.append(f"{v} of partition {partition} in {key}")
            offsets.append(offset)
            seen[v] += 1
        if offsets != sorted(offsets):
            problems.append(f"{key} is not in offset order")
        if offsets and offsets[0] != int(m["offset"]):
            problems.append(f"{key} does not start at its first offset {offsets[0]}")
    duplicated = {v: n for v, n in seen.items() if n > 1}
    lost = set(positions) - set(seen)
    return {"records": len(positions), "objects": len(objects), "lost": len(lost),
            "duplicated": len(duplicated), "extra_copies": sum(n - 1 for n in duplicated.values()),
            "unexpected": unexpected, "problems": problems,
            "lost_examples": sorted(lost)[:5], "duplicated_examples": sorted(duplicated)[:5]}


def wait_archived(s3, bucket: str, prefix: str, positions: dict, instance: str, topic: str,
                  timeout: float = 75, settle: float = 3) -> tuple[dict, dict]:
    """Polls the bucket until no record is missing (bounded), waits `settle`
    seconds more for anything late (a duplicate would show up then), and
    returns (objects, counts)."""
    deadline = time.monotonic() + timeout
    while True:
        objects = s3.read_all(bucket, prefix)
        counts = archive_counts(objects, positions, instance, topic)
        if counts["lost"] == 0 or time.monotonic() > deadline:
            break
        time.sleep(1)
    time.sleep(settle)
    objects = s3.read_all(bucket, prefix)
    return objects, archive_counts(objects, positions, instance, topic)


def log_count(worker: Worker, pattern: str) -> int:
    return len(re.findall(pattern, worker.log()))


def upload_failures(worker: Worker) -> list[str]:
    return re.findall(r"event=upload_failed .*", worker.log())


def wait_until(predicate: Callable[[], bool], timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def committed_offsets(kafka, group: str, topic: str) -> dict[int, int]:
    consumer = kafka.consumer(group)
    try:
        tps = consumer.committed([TopicPartition(topic, p) for p in range(PARTITIONS)], timeout=15)
        return {tp.partition: tp.offset for tp in tps}
    finally:
        consumer.close()


def object_etags(client, bucket: str, prefix: str) -> dict[str, str]:
    out = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            if "/_manifests/" not in obj["Key"]:
                out[obj["Key"]] = obj["ETag"]
    return out


class Scenario:
    """Per-test topic, bucket, stream and worker; everything is stopped at the end."""

    def __init__(self, kafka, s3, name: str, tmp_path: Path, stack: contextlib.ExitStack):
        self.kafka, self.s3, self.name, self.tmp_path, self.stack = kafka, s3, name, tmp_path, stack
        self.topic = name
        kafka.create_topic(self.topic, partitions=PARTITIONS)
        self.bucket = s3.create_bucket(name)
        self.instance = cluster_id(kafka)
        self.prefix = f"{self.instance}/{self.topic}/"
        self.group = f"kafka2cos.{self.instance}.{self.topic}"
        self.started = time.monotonic()
        self.worker: Optional[Worker] = None
        self.stream: Optional[Stream] = None

    def start_worker(self, storage: str) -> Worker:
        self.worker = Worker(self.tmp_path, self.kafka.bootstrap, storage,
                             task_toml(self.topic, self.bucket))
        self.stack.callback(self.worker.close)
        return self.worker.start(wait_assigned=PARTITIONS, timeout=60)

    def start_stream(self) -> Stream:
        self.stream = Stream(self.kafka, self.topic)
        self.stack.callback(self.stream.close)
        return self.stream.start()

    def finish(self, test: str, faults: dict, timeout: float = 75, **extra) -> dict:
        """Stops the stream, waits for the archive, records and checks the numbers."""
        positions = self.stream.stop()
        objects, counts = wait_archived(self.s3, self.bucket, self.prefix, positions,
                                        self.instance, self.topic, timeout=timeout)
        log = self.worker.all_logs()
        numbers = {k: v for k, v in counts.items() if k != "problems"}
        numbers.update(
            problems=counts["problems"][:5], faults=faults,
            upload_failed=len(re.findall(r"event=upload_failed", log)),
            commit_failed=len(re.findall(r"event=commit_failed", log)),
            objects_written=len(re.findall(r"event=object_written", log)),
            duration_s=round(time.monotonic() - self.started, 1), **extra)
        archive_check.report(f"storage.{test}", **numbers)
        print(f"\n{test}: {json.dumps(numbers, default=str)}")
        assert counts["lost"] == 0, f"lost {counts['lost']}: {numbers}"
        assert counts["duplicated"] == 0, f"duplicated {counts['duplicated']}: {numbers}"
        assert counts["unexpected"] == 0 and not counts["problems"], numbers
        check_exactly_once(objects, positions, self.instance, self.topic)  # the shared rules
        return numbers


@pytest.fixture
def scenario(kafka, s3, unique_name, tmp_path):
    with contextlib.ExitStack() as stack:
        yield Scenario(kafka, s3, unique_name, tmp_path, stack)


# --------------------------------------------------------------------------
# a. network faults on the storage path
# --------------------------------------------------------------------------

def test_storage_network_faults_through_proxy(scenario, s3):
    sc = scenario
    proxy = sc.stack.enter_context(FaultProxy(s3_port(s3)))
    worker = sc.start_worker(storage_toml(proxy.endpoint, s3, request_timeout="3s"))
    # Runs before worker.close on the way out: never stop a worker behind a fault.
    sc.stack.callback(proxy.passthrough)
    sc.start_stream()
    worker.wait_for_log(r"event=object_written", count=PARTITIONS, timeout=30)

    def stat(key):
        return proxy.stats().get(key, 0)

    def failed(pattern):
        return log_count(worker, r"event=upload_failed [^\n]*" + pattern)

    # (name, switch, evidence that the fault hit the worker). A phase lasts at
    # least 3 s and until its evidence grows (at most 25 s: with backoff, the
    # next attempt of a partition may be that far away).
    phases = [
        ("latency_400ms", lambda: proxy.latency(400), lambda: stat("delayed")),
        # A RST right after accept shows as "connection broken" or, if it beats
        # curl's connect check, "could not connect": count it at the proxy.
        ("reset_at_accept", lambda: proxy.reset("accept"),
         lambda: stat("reset_accept") + stat("reset_request")),
        ("refuse", proxy.refuse, lambda: failed("could not connect")),
        ("blackhole", proxy.blackhole, lambda: failed("no complete response in time")),
        ("slowdown_503", lambda: proxy.http_error(503, "SlowDown"),
         lambda: failed(r"Throttled: .*S3 SlowDown, HTTP 503")),
        ("reset_mid_response", lambda: proxy.reset("response"), lambda: stat("reset_response")),
    ]
    faults = {}
    for name, switch, evidence in phases:
        before = evidence()
        t0 = time.monotonic()
        switch()
        wait_until(lambda: time.monotonic() - t0 >= 3 and evidence() > before, 25,
                   f"phase {name} to hit the worker (proxy stats {proxy.stats()})")
        faults[name] = {"hits": evidence() - before, "seconds": round(time.monotonic() - t0, 1)}
    proxy.passthrough()
    time.sleep(3)  # The stream goes on after the store recovered.
    faults["proxy"] = proxy.stats()

    numbers = sc.finish("storage_network_faults_through_proxy", faults, timeout=75)
    failures = upload_failures(worker)
    assert failures, "no event=upload_failed line: the faults never hit the worker"
    assert numbers["objects_written"] > 0
    assert re.search(r"event=object_written .*attempts=([2-9]|\d\d)", worker.log()), \
        "no object needed a retry"
    assert worker.proc.poll() is None and worker.runs == 1
    assert worker.stop() == 0


# --------------------------------------------------------------------------
# b. the S3 server stopped and restarted
# --------------------------------------------------------------------------

def test_s3_server_restart_mid_stream(scenario, s3):
    sc = scenario
    worker = sc.start_worker(storage_toml(s3.endpoint, s3, request_timeout="5s"))
    sc.start_stream()
    worker.wait_for_log(r"event=object_written", count=PARTITIONS, timeout=30)
    failed_before = len(upload_failures(worker))
    t0 = time.monotonic()
    # SIGTERM, SIGKILL after 3 s (weed's graceful stop takes ~15 s): the store
    # crashes mid-stream and comes back on the same port with the same data.
    s3.restart(stop_timeout=3)
    downtime = round(time.monotonic() - t0, 1)
    time.sleep(3)
    numbers = sc.finish("s3_server_restart_mid_stream",
                        {"s3_restart": 1, "restart_seconds": downtime}, timeout=75)
    assert len(upload_failures(worker)) > failed_before, "no upload failed during the restart"
    assert worker.proc.poll() is None and worker.runs == 1
    assert numbers["lost"] == 0
    assert worker.stop() == 0


# --------------------------------------------------------------------------
# c. the Kafka broker stopped and restarted
# --------------------------------------------------------------------------

def test_kafka_broker_restart_mid_stream(scenario, kafka, s3):
    sc = scenario
    worker = sc.start_worker(storage_toml(s3.endpoint, s3, request_timeout="5s"))
    sc.start_stream()
    worker.wait_for_log(r"event=object_written", count=PARTITIONS, timeout=30)
    pid = worker.proc.pid
    written_before = log_count(worker, r"event=object_written")
    t0 = time.monotonic()
    kafka.restart()
    downtime = round(time.monotonic() - t0, 1)
    time.sleep(5)  # The stream goes on after the broker is back.
    sc.finish(
        "kafka_broker_restart_mid_stream", {"kafka_restart": 1, "restart_seconds": downtime},
        timeout=75,
        partitions_lost=log_count(worker, r"event=partition_revoked [^\n]*lost=true"),
        poll_errors=log_count(worker, r"event=poll_error"))
    # The same process rode through it and kept archiving afterwards.
    assert worker.proc.poll() is None and worker.proc.pid == pid and worker.runs == 1
    assert log_count(worker, r"event=object_written") > written_before + PARTITIONS
    assert worker.stop() == 0


# --------------------------------------------------------------------------
# d. credentials refused, then restored
# --------------------------------------------------------------------------

def _hold_and_check_nothing_committed(sc, readonly, hold: float, extra_wait: Callable[[], None]):
    """Snapshots committed offsets and the bucket listing, keeps the fault for
    `hold` s (and until extra_wait returns), and checks that nothing moved."""
    time.sleep(1)  # Uploads that passed the store just before the switch are committed.
    offsets = committed_offsets(sc.kafka, sc.group, sc.topic)
    listing = object_etags(readonly, sc.bucket, sc.prefix)
    written = log_count(sc.worker, r"event=object_written")
    time.sleep(hold)
    extra_wait()
    assert log_count(sc.worker, r"event=object_written") == written, "an object was written"
    assert object_etags(readonly, sc.bucket, sc.prefix) == listing, "the bucket changed"
    assert committed_offsets(sc.kafka, sc.group, sc.topic) == offsets, "offsets were committed"
    return offsets


def test_credentials_refused_then_restored_through_proxy(scenario, s3):
    sc = scenario
    proxy = sc.stack.enter_context(FaultProxy(s3_port(s3)))
    worker = sc.start_worker(storage_toml(proxy.endpoint, s3, request_timeout="3s"))
    sc.stack.callback(proxy.passthrough)
    sc.start_stream()
    worker.wait_for_log(r"event=object_written", count=PARTITIONS, timeout=30)
    readonly = s3.readonly_client()
    denied = r"event=upload_failed [^\n]*PermissionDenied[^\n]*S3 AccessDenied, HTTP 403"
    unauth = r"event=upload_failed [^\n]*Unauthenticated[^\n]*S3 SignatureDoesNotMatch, HTTP 403"

    # "A policy that denies writes": every PUT/POST gets 403 AccessDenied.
    proxy.http_error(403, "AccessDenied", "Access Denied")
    worker.wait_for_log(denied, timeout=25)
    offsets = _hold_and_check_nothing_committed(sc, readonly, 5, lambda: None)
    # Then the secret is "rotated": the store no longer accepts the signature.
    n_unauth = log_count(worker, unauth)
    proxy.http_error(403, "SignatureDoesNotMatch",
                     "The request signature we calculated does not match the signature you "
                     "provided.")
    _hold_and_check_nothing_committed(
        sc, readonly, 3, lambda: wait_until(lambda: log_count(worker, unauth) > n_unauth, 25,
                                            "an Unauthenticated upload_failed line"))
    assert committed_offsets(sc.kafka, sc.group, sc.topic) == offsets
    faults = {"access_denied": log_count(worker, denied),
              "signature_mismatch": log_count(worker, unauth), "proxy": proxy.stats()}
    proxy.passthrough()
    time.sleep(3)
    sc.finish("credentials_refused_then_restored_through_proxy", faults, timeout=75)
    assert proxy.stats().get("http_403_AccessDenied", 0) > 0
    assert worker.proc.poll() is None and worker.runs == 1
    assert worker.stop() == 0


class SeaweedIdentities:
    """Edits SeaweedFS's identities file (scripts/s3-server.sh writes it to
    DIR/conf/s3.json) and makes the running server reload it with SIGHUP.
    restore() puts the original back; it is always called at the end."""

    def __init__(self, s3):
        self.s3 = s3
        self.path = s3.workdir / "conf" / "s3.json"
        self.original = self.path.read_text()
        self.pid = int((s3.workdir / "weed.pid").read_text())

    def _write(self, config: dict) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(config, indent=2))
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)
        os.kill(self.pid, signal.SIGHUP)

    def _edit(self, fn) -> None:
        config = json.loads(self.original)
        admin = next(i for i in config["identities"]
                     if any(c["accessKey"] == self.s3.access_key for c in i["credentials"]))
        fn(admin)
        self._write(config)

    def revoke_write(self) -> None:
        self._edit(lambda admin: admin.update(actions=["Read", "List"]))

    def rotate_secret(self) -> None:
        new = uuid.uuid4().hex + uuid.uuid4().hex[:8]

        def fn(admin):
            for c in admin["credentials"]:
                if c["accessKey"] == self.s3.access_key:
                    c["secretKey"] = new
        self._edit(fn)

    def restore(self) -> None:
        self.path.write_text(self.original)
        os.kill(self.pid, signal.SIGHUP)


def _admin_put_error(s3, bucket: str) -> Optional[str]:
    """The S3 error code of a PutObject with the configured admin keys, or None."""
    try:
        s3.client().put_object(Bucket=bucket, Key="faults-probe/put", Body=b"probe")
        return None
    except ClientError as e:
        return e.response.get("Error", {}).get("Code", "?")


def test_credentials_revoked_then_restored_on_seaweedfs(scenario, s3):
    """The same for real: SeaweedFS itself revokes the identity's Write
    action, then rejects its secret, then gets the original identities back."""
    sc = scenario
    identities = SeaweedIdentities(s3)
    worker = sc.start_worker(storage_toml(s3.endpoint, s3, request_timeout="5s"))
    sc.start_stream()
    worker.wait_for_log(r"event=object_written", count=PARTITIONS, timeout=30)
    readonly = s3.readonly_client()
    denied = r"event=upload_failed [^\n]*PermissionDenied[^\n]*S3 AccessDenied, HTTP 403"
    unauth = r"event=upload_failed [^\n]*Unauthenticated[^\n]*S3 SignatureDoesNotMatch"

    def restore():
        identities.restore()
        wait_until(lambda: _admin_put_error(s3, sc.bucket) is None, 20,
                   "SeaweedFS to accept the admin identity again")
    sc.stack.callback(restore)  # Also on failure: the server is shared by the session.

    identities.revoke_write()
    wait_until(lambda: _admin_put_error(s3, sc.bucket) == "AccessDenied", 20,
               "SeaweedFS to deny writes")
    worker.wait_for_log(denied, timeout=25)
    offsets = _hold_and_check_nothing_committed(sc, readonly, 4, lambda: None)

    n_unauth = log_count(worker, unauth)
    identities.rotate_secret()
    wait_until(lambda: _admin_put_error(s3, sc.bucket) == "SignatureDoesNotMatch", 20,
               "SeaweedFS to reject the old secret")
    _hold_and_check_nothing_committed(
        sc, readonly, 2, lambda: wait_until(lambda: log_count(worker, unauth) > n_unauth, 25,
                                            "an Unauthenticated upload_failed line"))
    assert committed_offsets(sc.kafka, sc.group, sc.topic) == offsets
    faults = {"access_denied": log_count(worker, denied),
              "signature_mismatch": log_count(worker, unauth)}
    restore()
    time.sleep(3)
    sc.finish("credentials_revoked_then_restored_on_seaweedfs", faults, timeout=75)
    assert worker.proc.poll() is None and worker.runs == 1
    assert worker.stop() == 0


# --------------------------------------------------------------------------
# e. (extra) the worker stopped while the store hangs, started after recovery
# --------------------------------------------------------------------------

def test_worker_stopped_while_storage_blackholed_then_restarted(scenario, s3):
    """SIGTERM while every upload hangs: the worker cancels in-flight uploads
    after its 10 s finish timeout, commits nothing it did not store, exits 0;
    a new run after the store recovered archives everything exactly once."""
    sc = scenario
    proxy = sc.stack.enter_context(FaultProxy(s3_port(s3)))
    worker = sc.start_worker(storage_toml(proxy.endpoint, s3, request_timeout="3s"))
    sc.stack.callback(proxy.passthrough)
    sc.start_stream()
    worker.wait_for_log(r"event=object_written", count=PARTITIONS, timeout=30)
    proxy.blackhole()
    worker.wait_for_log(r"event=upload_failed [^\n]*no complete response in time", timeout=25)
    offsets = committed_offsets(sc.kafka, sc.group, sc.topic)
    listing = object_etags(s3.client(), sc.bucket, sc.prefix)
    t0 = time.monotonic()
    code = worker.stop(timeout=60)
    stop_seconds = round(time.monotonic() - t0, 1)
    assert code == 0, worker.log()
    # Nothing was stored while the store hung, so the stop committed nothing.
    after = committed_offsets(sc.kafka, sc.group, sc.topic)
    assert object_etags(s3.client(), sc.bucket, sc.prefix) == listing
    assert after == offsets, (offsets, after)
    proxy.passthrough()
    worker.start(wait_assigned=PARTITIONS, timeout=60)
    time.sleep(3)
    sc.finish("worker_stopped_while_storage_blackholed_then_restarted",
              {"blackhole_then_sigterm": 1, "stop_seconds": stop_seconds,
               "proxy": proxy.stats()}, timeout=75)
    assert worker.stop() == 0
    # docs/operations.md: "in-flight uploads finish (or are cancelled after
    # 10 s)"; with request_timeout 3 s a stop should take well under 25 s.
    # One shared deadline for all partitions (it used to be one per partition,
    # ~42 s here with 4 partitions).
    assert stop_seconds < STOP_BOUND_S, \
        f"SIGTERM took {stop_seconds}s with {PARTITIONS} uploads hanging"


# --------------------------------------------------------------------------
# e. started while Kafka and the store are both down
# --------------------------------------------------------------------------

def _readyz(worker: Worker) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(worker.api_url + "/readyz", timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_worker_started_while_broker_and_store_are_down_waits_then_archives(scenario, kafka, s3):
    """A store or broker that is unreachable *for now* is not a configuration
    error: the worker stays up, not ready (/readyz says why, the API answers
    503), retries with backoff, and archives once both answer (issue 10,
    section 0: a worker restarted while the store reset connections exited at
    start and stayed down)."""
    sc = scenario
    proxy = sc.stack.enter_context(FaultProxy(s3_port(s3)))
    worker = Worker(sc.tmp_path, kafka.bootstrap, storage_toml(proxy.endpoint, s3),
                    task_toml(sc.topic, sc.bucket), api=True)
    sc.worker = worker
    sc.stack.callback(worker.close)
    sc.stack.callback(proxy.passthrough)
    proxy.reset()
    kafka.stop()
    try:
        worker.start(wait_ready=False)
        worker.wait_for_log(r"event=start_waiting [^\n]*cluster id", timeout=60)
        status, body = _readyz(worker)
        assert status == 503 and "waiting for Kafka or the store" in body["reason"], body
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(worker.api_url + "/v1/tasks", timeout=5)
        assert refused.value.code == 503
    finally:
        kafka.start()
    # Kafka answers, the store still resets every connection: still waiting,
    # now for the write probe.
    worker.wait_for_log(r"event=start_waiting [^\n]*write probe", timeout=90)
    status, body = _readyz(worker)
    assert status == 503 and "write probe" in body["reason"], body
    assert worker.running()
    proxy.passthrough()
    worker.wait_for_log(r"event=worker_ready", timeout=60)
    worker.wait_for_log(r"event=partition_assigned", count=PARTITIONS, timeout=60)
    assert _readyz(worker)[0] == 200
    sc.start_stream()
    worker.wait_for_log(r"event=object_written", count=PARTITIONS, timeout=30)
    sc.finish("worker_started_while_broker_and_store_are_down",
              {"kafka_down_at_start": 1, "store_resetting_at_start": 1,
               "start_waiting": log_count(worker, r"event=start_waiting")})
    assert worker.runs == 1 and worker.stop() == 0


def test_configuration_error_found_after_waiting_still_stops_the_worker(kafka, s3, unique_name,
                                                                        tmp_path):
    """Waiting is for outages only: once the store answers and says the
    bucket does not exist, the worker exits with the start-up code (3) and the
    reason, as it does when the bucket is missing from the start."""
    kafka.create_topic(unique_name, partitions=1)
    with FaultProxy(s3_port(s3)) as proxy:
        worker = Worker(tmp_path, kafka.bootstrap, storage_toml(proxy.endpoint, s3),
                        task_toml(unique_name, "no-such-bucket-k2c"))
        try:
            proxy.reset()
            worker.start()
            worker.wait_for_log(r"event=start_waiting [^\n]*write probe", timeout=60)
            proxy.passthrough()
            assert worker.wait_exit(timeout=60) == 3
            assert "cannot start" in worker.log()
            assert "bucket 'no-such-bucket-k2c' does not exist" in worker.log()
        finally:
            worker.close()


# --------------------------------------------------------------------------
# f. one task's bucket refuses every write; another task shares the uploads
# --------------------------------------------------------------------------

def test_a_task_whose_bucket_refuses_writes_does_not_slow_another(kafka, s3, unique_name,
                                                                   tmp_path):
    """Issue 10, section 3: with `upload_threads = 2`, task B (8 partitions)
    whose bucket refuses every write, and task A (1 partition) on a healthy
    bucket: A keeps archiving while B retries (seen on main before the fix:
    none of A's 500 new records archived within 45 s, because B's retries
    slept inside both pool threads). Then B's bucket is writable again and B
    heals by itself; both archives are exactly once."""
    topic_a, topic_b = f"{unique_name}-a", f"{unique_name}-b"
    kafka.create_topic(topic_a, partitions=1)
    kafka.create_topic(topic_b, partitions=8)
    bucket_a = s3.create_bucket(f"{unique_name}-a")
    bucket_b = s3.create_bucket(f"{unique_name}-b")
    instance = cluster_id(kafka)
    with contextlib.ExitStack() as stack:
        proxy = stack.enter_context(FaultProxy(s3_port(s3)))
        worker = Worker(tmp_path, kafka.bootstrap, storage_toml(proxy.endpoint, s3),
                        task_toml(topic_a, bucket_a, window="1s")
                        + task_toml(topic_b, bucket_b, window="1s"),
                        sink='min_window = "1s"\nflush_grace = "1s"\nupload_threads = 2\n')
        stack.callback(worker.close)
        stack.callback(proxy.passthrough)
        worker.start(wait_assigned=9, timeout=60)
        stream_b = Stream(kafka, topic_b, partitions=8, rate=400)
        stack.callback(stream_b.close)
        stream_b.start()
        worker.wait_for_log(rf"event=object_written topic={re.escape(topic_b)} ", count=8,
                            timeout=30)
        # B's bucket now refuses every write, as under a policy that denies
        # them: retried with backoff (access may come back), never blocked.
        proxy.http_error(403, "AccessDenied", path_prefix=f"/{bucket_b}/")
        worker.wait_for_log(rf"event=upload_failed topic={re.escape(topic_b)} ", count=16,
                            timeout=30)
        stream_a = Stream(kafka, topic_a, partitions=1, rate=100)
        stack.callback(stream_a.close)
        stream_a.start()
        time.sleep(5)  # 500 records for A while B keeps failing.
        t0 = time.monotonic()
        positions_a = stream_a.stop()
        objects_a, counts_a = wait_archived(s3, bucket_a, f"{instance}/{topic_a}/", positions_a,
                                            instance, topic_a, timeout=30, settle=0)
        a_seconds = round(time.monotonic() - t0, 1)
        failing_b = log_count(worker, rf"event=upload_failed topic={re.escape(topic_b)} ")
        assert counts_a["lost"] == 0, \
            f"task A stalled behind task B's failing uploads: {counts_a} after {a_seconds}s"
        # B was still failing all along (the test proves nothing otherwise).
        assert proxy.stats().get("http_403_AccessDenied", 0) >= 16
        proxy.passthrough()
        positions_b = stream_b.stop()
        objects_b, counts_b = wait_archived(s3, bucket_b, f"{instance}/{topic_b}/", positions_b,
                                            instance, topic_b, timeout=90)
        objects_a, counts_a = wait_archived(s3, bucket_a, f"{instance}/{topic_a}/", positions_a,
                                            instance, topic_a, timeout=5)
        numbers = {"a": {k: v for k, v in counts_a.items() if k != "problems"},
                   "b": {k: v for k, v in counts_b.items() if k != "problems"},
                   "a_archived_within_s": a_seconds, "b_upload_failures": failing_b,
                   "proxy": proxy.stats()}
        archive_check.report("storage.task_with_unwritable_bucket_beside_healthy_one", **numbers)
        print(f"\ntwo tasks, one bucket unwritable: {json.dumps(numbers, default=str)}")
        for counts in (counts_a, counts_b):
            assert counts["lost"] == 0 and counts["duplicated"] == 0, numbers
            assert counts["unexpected"] == 0 and not counts["problems"], numbers
        check_exactly_once(objects_a, positions_a, instance, topic_a)
        check_exactly_once(objects_b, positions_b, instance, topic_b)
        assert worker.stop() == 0
