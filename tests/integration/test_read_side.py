# Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
"""The read side (docs/archive.md): ls, cat, get and verify against the real
broker and S3 server, through the store (--config) and through a worker's
API (--server); the object endpoints with Range and presigned URLs fetched
with curl and compared with boto3's own presigner; completeness manifests;
verify finding an object deleted behind its back, an overlap planted by
hand and a missing manifest."""
from __future__ import annotations

import datetime
import json
import random
import re
import subprocess
import time
import urllib.parse
from pathlib import Path
from typing import Optional

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest

from archive_check import cluster_id
from archive_readers import OBJECT_KEY_RE, _from_jsonl_line, decode_object
from conftest import WORKER_BIN
from test_api import api, wait_until
from test_faults_workers import create_ready_topic, workers  # noqa: F401 (fixture)
from worker import Worker, s3_storage_toml

TOKEN = "read-side-token-0123456789"
PARTITIONS = 3
MiB = 1024 * 1024


def cli(*args: str, token_file: Optional[Path] = None, check: bool = True,
        timeout: float = 180) -> subprocess.CompletedProcess:
    argv = [str(WORKER_BIN), *args]
    if token_file is not None:
        argv += ["--token-file", str(token_file)]
    res = subprocess.run(argv, capture_output=True, timeout=timeout)
    if check:
        assert res.returncode == 0, (argv, res.returncode, res.stdout[-2000:], res.stderr[-4000:])
    return res


def curl(*args: str) -> bytes:
    res = subprocess.run(["curl", "-sS", "-f", *args], capture_output=True, timeout=60)
    assert res.returncode == 0, (args, res.stderr)
    return res.stdout


def records_for(rng: random.Random, window: int, t0_ms: int) -> list[tuple]:
    """Keys, headers, tombstones and binary values, spread over partitions."""
    out = []
    for i in range(60):
        p = i % PARTITIONS
        key = rng.choice([None, b"", f"k{window}-{i}".encode(), b"\x00\xff"])
        value = rng.choice([None, b"", rng.randbytes(rng.randrange(1, 200)),
                            f"v{window}-{i}".encode()])
        headers = rng.choice([None, [("h", b"\x00\x01"), ("h", None)], [("trace", b"t")]])
        out.append((p, key, value, headers, t0_ms + i))
    return out


def wait_archived(s3, bucket: str, prefix: str, count: int, timeout: float = 120) -> dict:
    def done():
        objects = s3.read_all(bucket, prefix)
        n = sum(len(decode_object(k, b)) for k, b in objects.items())
        return objects if n >= count else None
    return wait_until(done, timeout=timeout, what=f"{count} records archived")


def by_partition(records: list[dict]) -> dict[int, list[tuple]]:
    out: dict[int, list[tuple]] = {}
    for r in records:
        out.setdefault(r["partition"], []).append(
            (r["offset"], r["key"], r["value"], r["headers"], r["timestamp"]))
    return out


def test_ls_cat_get_verify_and_the_object_endpoints(kafka, s3, unique_name, tmp_path, workers):
    topic = unique_name
    create_ready_topic(kafka, topic, PARTITIONS)
    bucket = s3.create_bucket(unique_name)
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    w = Worker(tmp_path, kafka.bootstrap, s3_storage_toml(s3),
               sink='min_window = "1s"\nflush_grace = "1s"\nmanifest_interval = "1s"\n',
               api=True, token=TOKEN)
    workers.append(w)
    w.start()
    url = w.api_url
    code, task = api(f"{url}/v1/tasks/{topic}", "PUT",
                     {"bucket": bucket, "window": "2s", "start": "earliest", "format": "jsonl",
                      "compression": "zstd"}, token=TOKEN)
    assert code == 201, task
    instance = cluster_id(kafka)
    prefix = f"{instance}/{topic}/"
    rng = random.Random(1303)
    t_start = int(time.time() * 1000)

    # Three bursts in three windows, the format changed between them, and a
    # record big enough to stream its window's object in parts.
    produced: list[tuple] = []
    for burst, fmt in enumerate([("jsonl", "zstd"), ("avro", "snappy"), ("parquet", "zstd")]):
        if burst:
            code, task = api(f"{url}/v1/tasks/{topic}", "PUT",
                             {"format": fmt[0], "compression": fmt[1]}, token=TOKEN)
            assert code == 200, task
            w.wait_for_log(rf"event=task_restarting topic={re.escape(topic)}", count=burst)
            w.wait_for_log(rf"event=partition_assigned topic={re.escape(topic)}",
                           count=PARTITIONS * (burst + 1))
        batch = records_for(rng, burst, int(time.time() * 1000))
        if burst == 1:
            # 6 MiB in one window of partition 0: past the 5 MiB part size.
            now_ms = int(time.time() * 1000)
            batch += [(0, b"big", rng.randbytes(96 * 1024), None, now_ms + i) for i in range(64)]
        kafka.produce(topic, batch)
        produced += batch
        wait_archived(s3, bucket, prefix, len(produced))
        time.sleep(2.5)  # The next burst lands in a later window.

    objects = s3.read_all(bucket, prefix)
    archived = [r for k, b in objects.items() for r in decode_object(k, b)]
    assert len(archived) == len(produced)
    formats = {OBJECT_KEY_RE.match(k)["ext"] for k in objects}
    assert formats == {".jsonl", ".avro", ".parquet"}, formats
    streamed = [l for l in re.findall(r"event=object_written [^\n]*", w.all_logs())
                if re.search(r"streamed_parts=[1-9]", l)]
    assert streamed, "the 6 MiB window's object was streamed in parts"

    cfg = str(w.config)
    # -- ls, through the store and through the API: the same objects ------
    listing = json.loads(cli("ls", topic, "-c", cfg, "--from", "-1h", "--json").stdout)["objects"]
    assert {o["key"] for o in listing} == set(objects)
    assert all(o["size"] == len(objects[o["key"]]) for o in listing)
    by_api = json.loads(cli("ls", topic, "--server", url, "--from", "-1h", "--json",
                            token_file=token_file).stdout)["objects"]
    assert by_api == listing
    # A range: the first burst's windows only.
    first_windows = {OBJECT_KEY_RE.match(k)["ts"] for k in objects
                     if OBJECT_KEY_RE.match(k)["ext"] == ".jsonl"}
    last_first = max(first_windows)
    to = datetime.datetime.strptime(last_first, "%Y%m%dT%H%M%SZ") + datetime.timedelta(seconds=2)
    ranged = json.loads(cli("ls", topic, "-c", cfg, "--from", "-1h", "--to",
                            to.strftime("%Y-%m-%dT%H:%M:%SZ"), "--json").stdout)["objects"]
    assert {o["key"] for o in ranged} == {k for k in objects if k.endswith(".jsonl.zst")}
    table = cli("ls", topic, "-c", cfg, "--from", "-1h", "-p", "1").stdout.decode()
    assert all(f"_p1_" in line for line in table.splitlines()[1:]), table

    # -- cat: every record, in offset order per partition, in any format ---
    for how in (["-c", cfg], ["--server", url]):
        out = cli("cat", topic, *how, "--from", "-1h", "--to", "+1h", "--output-format", "jsonl",
                  token_file=token_file if "--server" in how else None).stdout
        lines = [_from_jsonl_line(json.loads(l)) for l in out.split(b"\n")[:-1]]
        assert by_partition(lines) == by_partition(archived)
        for recs in by_partition(lines).values():
            assert [r[0] for r in recs] == sorted(r[0] for r in recs)

    # -- get: every object byte-exact, resumable --------------------------
    out_dir = tmp_path / "got"
    res = cli("get", topic, "--server", url, "--from", "-1h", "--to", "+1h", "-o", str(out_dir),
              token_file=token_file)
    assert f"{len(objects)} objects downloaded" in res.stdout.decode()
    for key, body in objects.items():
        assert (out_dir / key).read_bytes() == body, key
    res = cli("get", topic, "-c", cfg, "--from", "-1h", "--to", "+1h", "-o", str(out_dir))
    assert f"0 objects downloaded, {len(objects)} already complete" in res.stdout.decode()

    # -- the object endpoint: Range, presigned URLs (curl) ----------------
    key = max(objects, key=lambda k: len(objects[k]))
    body = objects[key]
    obj_url = f"{url}/v1/tasks/{topic}/objects/{urllib.parse.quote(key)}"
    auth = ["-H", f"Authorization: Bearer {TOKEN}"]
    assert curl(*auth, obj_url) == body
    assert curl(*auth, "-r", "100-4195", obj_url) == body[100:4196]
    assert curl(*auth, "-r", "-7", obj_url) == body[-7:]
    code, presigned = api(obj_url + "?presign=1", token=TOKEN)
    assert code == 200, presigned
    assert curl(presigned["url"]) == body  # No token: the URL is the credential.
    redirected = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}",
                                 *auth, obj_url + "?redirect=1"], capture_output=True, text=True)
    assert redirected.stdout.startswith("307 http"), redirected.stdout
    # Our signature is boto3's own for the same request and instant.
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(presigned["url"]).query)
    assert q["X-Amz-Expires"] == ["900"]
    instant = datetime.datetime.strptime(q["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ")

    signer = botocore.auth.S3SigV4QueryAuth(
        botocore.credentials.Credentials(s3.access_key, s3.secret_key), "s3", s3.region,
        expires=900)
    request = botocore.awsrequest.AWSRequest(
        method="GET", url=f"{s3.endpoint}/{bucket}/{urllib.parse.quote(key)}")
    # boto3 signs "now": frozen at our URL's instant, or the two signatures
    # differ whenever a second passed in between (botocore asks
    # get_current_datetime; it has no other clock to stop).
    real_now = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda *args, **kwargs: instant
    try:
        signer.add_auth(request)
    finally:
        botocore.auth.get_current_datetime = real_now
    boto_q = urllib.parse.parse_qs(urllib.parse.urlsplit(request.url).query)
    assert boto_q["X-Amz-Signature"] == q["X-Amz-Signature"], (request.url, presigned["url"])
    # Keys of the bucket that are not the task's objects are not served.
    code, _ = api(f"{url}/v1/tasks/{topic}/objects/{instance}/other-topic/x.jsonl", token=TOKEN)
    assert code == 404

    # -- manifests: every window complete, each listing its objects --------
    def manifests():
        code, got = api(f"{url}/v1/tasks/{topic}/manifests?from=-1h", token=TOKEN)
        assert code == 200, got
        listed = {o["key"] for m in got["manifests"] for o in m["objects"]}
        return got["manifests"] if listed == set(objects) else None
    listed_manifests = wait_until(manifests, timeout=90, what="manifests naming every object")
    for m in listed_manifests:
        for o in m["objects"]:
            assert OBJECT_KEY_RE.match(o["key"])["ts"] == m["window_start"].replace("-", "") \
                .replace(":", "")[:15] + "Z"
            assert o["last_offset"] is not None and o["records"] >= 1
    windows = [m["window_start_ms"] for m in listed_manifests]
    assert windows == list(range(windows[0], windows[-1] + 1, 2000)), "one per window, in a row"

    # -- verify: whole, then three kinds of damage -------------------------
    res = cli("verify", topic, "-c", cfg, "--from", "-1h", "--to", "-5s")
    assert b"whole:" in res.stdout and b"NOT" not in res.stdout, res.stdout
    client = s3.client()
    p0 = sorted(k for k in objects if "_p0_" in k)
    victim = p0[len(p0) // 2]
    client.delete_object(Bucket=bucket, Key=victim)
    m = OBJECT_KEY_RE.match(p0[0])
    planted = p0[0].replace(f"_o{m['offset']}", f"_o{int(m['offset']) + 1:020d}")
    client.put_object(Bucket=bucket, Key=planted, Body=objects[p0[0]])
    manifest_key = f"{prefix}_manifests/{OBJECT_KEY_RE.match(p0[-1])['ts']}.json"
    client.delete_object(Bucket=bucket, Key=manifest_key)
    res = cli("verify", topic, "-c", cfg, "--from", "-1h", "--to", "-5s", "--json", check=False)
    assert res.returncode == 1, res.stderr
    found = json.loads(res.stdout)
    kinds = {f["kind"] for f in found["findings"] if f["severity"] == "error"}
    assert {"missing_object", "gap", "overlap", "missing_manifest"} <= kinds, found["findings"]
    assert any(f["key"] == victim for f in found["findings"] if f["kind"] == "missing_object")


def messages_by_partition(messages) -> dict[int, list[tuple]]:
    out: dict[int, list[tuple]] = {}
    for m in messages:
        out.setdefault(m.partition(), []).append(
            (m.key(), m.value(), m.headers() or [], m.timestamp()[1]))
    for recs in out.values():
        recs.sort(key=lambda r: r[3])  # Same-timestamp order kept: sort is stable.
    return out


def test_replay_copies_the_topic_exactly_even_when_killed(kafka, s3, unique_name, tmp_path,
                                                          workers):
    topic, copy = unique_name, unique_name + "-copy"
    create_ready_topic(kafka, topic, PARTITIONS)
    create_ready_topic(kafka, copy, PARTITIONS)
    bucket = s3.create_bucket(unique_name)
    w = Worker(tmp_path, kafka.bootstrap, s3_storage_toml(s3),
               sink='min_window = "1s"\nflush_grace = "1s"\nmanifest_interval = "1s"\n',
               api=True, token=TOKEN)
    workers.append(w)
    w.start()
    instance = cluster_id(kafka)
    rng = random.Random(1304)
    records = []
    # Each lossless format in turn, so the replay reads all three.
    for burst, (fmt, comp) in enumerate([("jsonl", "zstd"), ("avro", "snappy"),
                                         ("parquet", "zstd")]):
        code, task = api(f"{w.api_url}/v1/tasks/{topic}", "PUT",
                         {"bucket": bucket, "window": "2s", "start": "earliest", "format": fmt,
                          "compression": comp}, token=TOKEN)
        assert code in (200, 201), task
        w.wait_for_log(rf"event=partition_assigned topic={re.escape(topic)}",
                       count=PARTITIONS * (burst + 1))
        t0 = int(time.time() * 1000)
        batch = []
        for i in range(2000):
            p = i % PARTITIONS
            key = rng.choice([None, b"", f"key-{burst}-{i}".encode(), rng.randbytes(8)])
            value = None if i % 10 == 9 else rng.randbytes(rng.randrange(200, 1200))
            headers = rng.choice([None, [("h", b"\x00\xff"), ("h", None)], [("trace", b"t")]])
            batch.append((p, key, value, headers, t0 + i))
        kafka.produce(topic, batch)
        records += batch
        wait_archived(s3, bucket, f"{instance}/{topic}/", len(records))
        time.sleep(2.5)  # The next format starts in a later window.
    formats = {OBJECT_KEY_RE.match(k)["ext"] for k in s3.read_all(bucket, f"{instance}/{topic}/")}
    assert formats == {".jsonl", ".avro", ".parquet"}, formats

    cfg = str(w.config)
    args = [str(WORKER_BIN), "replay", topic, "-c", cfg, "--from", "-1h", "--to", "+1h",
            "--to-topic", copy, "--transaction-records", "300"]
    checkpoints = f"kafka2cos.{instance}.replay"
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    consumer = kafka.consumer()
    try:
        from confluent_kafka import TopicPartition
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                _, high = consumer.get_watermark_offsets(TopicPartition(checkpoints, 0),
                                                         timeout=5)
            except Exception:  # The topic is made by the replay itself.
                high = 0
            if high >= 6:  # Three transactions: a checkpoint and a marker each.
                proc.kill()
                break
            time.sleep(0.02)
    finally:
        consumer.close()
    proc.wait(timeout=60)
    assert proc.returncode == -9, ("the replay ended before it could be killed",
                                   proc.returncode, proc.stderr.read()[-2000:])

    res = cli(*args[1:])
    out = res.stdout.decode()
    produced, skipped = map(int, re.search(
        r"(\d+) records produced to .* (\d+) before the checkpoint skipped", out).groups())
    assert produced > 0 and skipped > 0, out
    assert b"continuing replay" in res.stderr
    # Another run of the same command has nothing left to do.
    assert b"complete already" in cli(*args[1:]).stdout

    original = messages_by_partition(kafka.consume(topic, len(records), timeout=120))
    # confluent-kafka reads committed records only (its default): what the
    # killed run left in an aborted transaction is not there.
    copied_msgs = kafka.consume(copy, len(records), timeout=120)
    copied = messages_by_partition(copied_msgs)
    assert copied == original
    assert len(copied_msgs) == len(records)
    # Nothing more than the records: a duplicate would show as an extra one.
    extra = kafka.consumer()
    try:
        from confluent_kafka import TopicPartition
        ends = [extra.get_watermark_offsets(TopicPartition(copy, p), timeout=10)[1]
                for p in range(PARTITIONS)]
    finally:
        extra.close()
    # Offsets also hold the aborted records and transaction markers; the
    # committed ones are exactly the records (checked above by content).
    assert sum(ends) >= len(records)
