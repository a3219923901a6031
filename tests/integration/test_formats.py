# Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
"""Every format x compression, written through kill -9 cycles against the
real broker and S3 server, read back with readers kafka2cos did not write
(Python's json and gzip, zstandard, fastavro, pyarrow, DuckDB): every record
exactly once, and keys, values (a 10 MiB binary value, invalid UTF-8, empty
and null), headers and timestamps byte-exact. docs/formats.md describes the
formats."""
from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from pathlib import Path

import duckdb
import jsonschema
import pytest

from archive_check import cluster_id, report
from archive_readers import OBJECT_KEY_RE, decode_object
from conftest import REPO_ROOT
from test_faults_workers import (LARGE_PRODUCER_CONFIG, LARGE_RECORD_PROPERTIES,
                                 LARGE_TOPIC_CONFIG, SEED, create_ready_topic, rng_for,
                                 wait_until, workers)  # noqa: F401 (fixture)
from worker import Worker, s3_storage_toml, task_toml

MiB = 1024 * 1024
PARTITIONS = 2

# (format, compression); the first of each format is its default.
COMBOS = [("text", "none"), ("text", "gzip"), ("text", "zstd"),
          ("jsonl", "none"), ("jsonl", "gzip"), ("jsonl", "zstd"),
          ("avro", "snappy"), ("avro", "deflate"), ("avro", "none"),
          ("parquet", "zstd"), ("parquet", "snappy"), ("parquet", "gzip"), ("parquet", "none")]


def hostile_records(rng, newline_free: bool, t0_ms: int) -> list[tuple]:
    """(partition, key, value, headers, timestamp_ms) records: partition 0
    small hostile ones, partition 1 a 10 MiB binary value between two small
    ones. `newline_free` for the text format, whose delimiter is the
    newline (values are otherwise the same kinds)."""
    def nl(v):
        return v.replace(b"\n", b" ") if newline_free and v is not None else v
    values = [None, b"", b"\xff\xfe\xfd", b"a\"b\\c\n\t\x00\x01", "héllo ✓ 日本".encode(),
              b"{\"json\": [1, 2]}", b"\xc0\x80 overlong", b"\xed\xa0\x80 surrogate"]
    keys = [None, b"", b"\x00\xff", "ключ".encode(), b"order-17"]
    headers = [None, [("trace-id", b"\x00\x01\n\xff"), ("trace-id", None), ("utf8", "ключ✓")],
               [("empty", b"")]]
    out = []
    for i in range(200):
        v = values[i] if i < len(values) else rng.choice(values + [rng.randbytes(rng.randrange(64))])
        out.append((0, rng.choice(keys), nl(v), rng.choice(headers), t0_ms + i))
    big = rng.randbytes(10 * MiB)
    out += [(1, b"before", b"small before", None, t0_ms),
            (1, b"big", nl(big), [("size", b"10MiB")], t0_ms + 1),
            (1, None, b"small after", None, t0_ms + 2)]
    return out


class TopicsProducer:
    """Produces small unique values to every topic, round-robin over the
    partitions, from a background thread until stop(); remembers where each
    landed."""

    def __init__(self, kafka, topics: list[str], rate_per_topic: int = 40):
        self.kafka, self.topics, self.rate = kafka, topics, rate_per_topic
        self.producer = kafka.producer()
        # {topic: {(partition, offset): (value, timestamp)}}
        self.positions: dict[str, dict[tuple[int, int], tuple]] = {t: {} for t in topics}
        self.errors: list = []
        self.sent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="produce-formats", daemon=True)

    def _on_delivery(self, err, msg):
        if err is not None:
            self.errors.append(err)
        else:
            self.positions[msg.topic()][(msg.partition(), msg.offset())] = (
                msg.value(), msg.timestamp()[1])

    def _run(self):
        while not self._stop.is_set():
            for _ in range(max(1, self.rate // 10)):
                for t in self.topics:
                    self.producer.produce(t, value=f"s-{self.sent:07d}".encode(),
                                          partition=self.sent % PARTITIONS,
                                          on_delivery=self._on_delivery)
                self.sent += 1
            self.producer.poll(0)
            self._stop.wait(0.1)
        self.producer.flush(30)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=60)
        assert not self._thread.is_alive() and not self.errors, self.errors[:3]


def read_archive(s3, bucket: str, prefix: str, cache: dict) -> dict[str, tuple[bytes, str]]:
    """{key: (body, etag)}: each object version is downloaded once."""
    client = s3.client()
    out = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            k, etag = obj["Key"], obj["ETag"]
            if "/_manifests/" in k:  # Completeness manifests, not objects.
                continue
            if (k, etag) not in cache:
                cache[(k, etag)] = client.get_object(Bucket=bucket, Key=k)["Body"].read()
            out[k] = (cache[(k, etag)], etag)
    return out


def check_topic(objects, expected: dict, fmt: str, topic: str, log_append: bool,
                window_ms: tuple[int, int]) -> dict:
    """Counts lost, duplicated and wrong records of one topic's archive."""
    res = {"records": len(expected), "lost": 0, "duplicated": 0, "wrong": [], "objects": 0}
    if fmt == "text":
        # No offsets in text: the multiset of non-null values per partition.
        want = Counter((p, v) for (p, _), (_, v, _, _) in expected.items() if v is not None)
        got = Counter()
        for key, (body, _) in objects.items():
            res["objects"] += 1
            p = int(OBJECT_KEY_RE.match(key)["partition"])
            got.update((p, r["value"]) for r in decode_object(key, body))
        res["records"] = sum(want.values())
        res["lost"] = sum((want - got).values())
        res["duplicated"] = sum((got - want).values())
        return res
    seen = Counter()
    for key, (body, _) in objects.items():
        res["objects"] += 1
        m = OBJECT_KEY_RE.match(key)
        records = decode_object(key, body)
        offsets = [r["offset"] for r in records]
        if not records or offsets != sorted(offsets) or offsets[0] != int(m["offset"]):
            res["wrong"].append(f"{key}: offsets {offsets[:3]}... not from its first offset")
        for r in records:
            pos = (r["partition"], r["offset"])
            seen[pos] += 1
            if pos not in expected:
                res["wrong"].append(f"{key}: unknown record at {pos}")
                continue
            k, v, headers, ts = expected[pos]
            want_headers = [(h, None if b is None else (b.encode() if isinstance(b, str) else b))
                            for h, b in (headers or [])]
            problems = []
            if r["topic"] != topic or r["partition"] != int(m["partition"]):
                problems.append("topic/partition")
            if r["key"] != k or r["value"] != v:
                problems.append("key/value")
            if r["headers"] != want_headers:
                problems.append(f"headers {r['headers']} != {want_headers}")
            if log_append:
                if r["timestamp_type"] != "log_append" or not (
                        window_ms[0] <= r["timestamp"] <= window_ms[1]):
                    problems.append(f"timestamp {r['timestamp']} {r['timestamp_type']}")
            elif (r["timestamp"], r["timestamp_type"]) != (ts, "create"):
                problems.append(f"timestamp {r['timestamp']} {r['timestamp_type']} != {ts}")
            if problems:
                res["wrong"].append(f"{key} {pos}: {problems}")
    res["lost"] = len(set(expected) - set(seen))
    res["duplicated"] = sum(n - 1 for n in seen.values() if n > 1)
    return res


def duckdb_count(files_dir: Path, fmt: str) -> tuple[int, int]:
    """(records, distinct offsets per partition) as DuckDB reads the files."""
    con = duckdb.connect()
    if fmt == "jsonl":
        rel = f"read_json('{files_dir}/*', format = 'newline_delimited')"
    else:
        rel = f"read_parquet('{files_dir}/*')"
    return con.execute(
        f"select count(*), count(distinct (partition, \"offset\")) from {rel}").fetchone()


@pytest.mark.long_running(seconds=180)
def test_every_format_and_compression_survives_kill9_and_reads_back_exactly(
        kafka, s3, unique_name, tmp_path, workers):
    rng = rng_for("formats")
    t_start = time.monotonic()
    bucket = s3.create_bucket(unique_name)
    instance = cluster_id(kafka)
    tasks, topics = "", {}
    for i, (fmt, comp) in enumerate(COMBOS):
        topic = f"{unique_name}-{fmt}-{comp}"
        # Every other topic has the broker stamp its records (LogAppendTime).
        log_append = i % 2 == 1
        config = dict(LARGE_TOPIC_CONFIG)
        if log_append:
            config["message.timestamp.type"] = "LogAppendTime"
        create_ready_topic(kafka, topic, PARTITIONS, config=config)
        extra = {"format": fmt, "compression": comp}
        if fmt == "parquet":
            extra["row_group_bytes"] = "1MiB"  # Row groups, then parts, while the window is open.
        # Windows long enough for a window to outgrow a part (5 MiB) and
        # stream while open.
        tasks += task_toml(topic, bucket, window="20s", **extra)
        topics[topic] = (fmt, comp, log_append)
    worker = Worker(tmp_path, kafka.bootstrap, s3_storage_toml(s3), tasks,
                    kafka_properties=LARGE_RECORD_PROPERTIES,
                    sink='min_window = "1s"\nflush_grace = "2s"\n')
    workers.append(worker)
    n = len(topics) * PARTITIONS
    worker.start(wait_assigned=n, timeout=120)

    stream = TopicsProducer(kafka, list(topics)).start()
    expected: dict[str, dict] = {t: {} for t in topics}
    t0_ms = int(time.time() * 1000)
    for topic, (fmt, _, _) in topics.items():
        records = hostile_records(rng, fmt == "text", t0_ms)
        positions = kafka.produce(topic, records, timeout=60, **LARGE_PRODUCER_CONFIG)
        for (p, k, v, h, ts), pos in zip(records, positions):
            expected[topic][pos] = (k, v, h, ts)
    # kill -9 while the big windows stream their parts and small ones upload.
    kills = 3
    for _ in range(kills):
        time.sleep(rng.uniform(1.0, 5.0))
        worker.kill9()
        worker.start(wait_assigned=n, timeout=120)
    time.sleep(2)
    stream.stop()
    t1_ms = int(time.time() * 1000)
    for topic in topics:
        for pos, (v, ts) in stream.positions[topic].items():
            expected[topic][pos] = (None, v, None, ts)

    cache: dict = {}
    results: dict[str, dict] = {}

    def complete() -> bool:
        for topic, (fmt, _, log_append) in topics.items():
            objects = read_archive(s3, bucket, f"{instance}/{topic}/", cache)
            results[topic] = check_topic(objects, expected[topic], fmt, topic, log_append,
                                         (t0_ms - 1000, t1_ms + 1000))
        return all(r["lost"] == 0 for r in results.values())

    wait_until(complete, timeout=120, what="every record archived", interval=2)
    assert worker.stop() == 0
    complete()  # Once more after the clean stop: a late duplicate would show.
    log = worker.all_logs()
    streamed = Counter()
    for topic, parts in re.findall(r"event=object_written topic=(\S+) .*?streamed_parts=(\d+)",
                                   log):
        streamed[topic] += int(parts) > 0
    # A worker killed right after completing a streamed upload never logs it,
    # and its successor adopts the object instead: the store's multipart
    # ETag ("<md5>-<parts>") still says it went up in parts.
    for topic in topics:
        objects = read_archive(s3, bucket, f"{instance}/{topic}/", cache)
        streamed[topic] += sum(1 for _, etag in objects.values()
                               if re.search(r"-\d+\"?$", etag))

    summary = {f"{fmt}/{comp}": {k: results[t][k] for k in ("records", "lost", "duplicated",
                                                             "objects")}
               for t, (fmt, comp, _) in topics.items()}
    report("formats.kill9_every_format", seed=SEED, kills=kills, per_format=summary,
           streamed_windows={f"{f}/{c}": streamed[t] for t, (f, c, _) in topics.items()},
           duration_s=round(time.monotonic() - t_start, 1))
    for topic, (fmt, comp, _) in topics.items():
        r = results[topic]
        assert (r["lost"], r["duplicated"], len(r["wrong"])) == (0, 0, 0), (
            f"{fmt}/{comp}: {r['lost']} lost, {r['duplicated']} duplicated, "
            f"{len(r['wrong'])} wrong, e.g. {r['wrong'][:3]}")
        assert r["records"] > 200, (fmt, comp, r)
        # The 10 MiB window outgrew a part: its parts went up while it was open.
        assert streamed[topic] >= 1, f"{fmt}/{comp}: no window streamed its parts"

    # DuckDB reads the jsonl and parquet archives whole, every compression.
    schema = json.loads((REPO_ROOT / "docs" / "jsonl-record.schema.json").read_text())
    for topic, (fmt, comp, _) in topics.items():
        if fmt not in ("jsonl", "parquet"):
            continue
        files = tmp_path / f"duck-{fmt}-{comp}"
        files.mkdir()
        objects = read_archive(s3, bucket, f"{instance}/{topic}/", cache)
        for key, (body, _) in objects.items():
            (files / key.rsplit("/", 1)[1]).write_bytes(body)
            if fmt == "jsonl" and comp == "none":
                for line in body.split(b"\n")[:-1]:
                    jsonschema.validate(json.loads(line), schema)
        count, distinct = duckdb_count(files, fmt)
        assert count == distinct == len(expected[topic]), (fmt, comp, count, distinct)
        check_documented_queries(files, fmt, expected[topic])


def check_documented_queries(files: Path, fmt: str, expected: dict):
    """The queries of docs/formats.md ("Querying an archive") give what was
    produced."""
    con = duckdb.connect()
    if fmt == "jsonl":
        rows = con.execute(
            "select partition, \"offset\", case value_encoding when 'base64' then "
            "from_base64(value) else encode(value) end as value "
            f"from read_json('{files}/*.jsonl*', format = 'newline_delimited') "
            "order by partition, \"offset\"").fetchall()
        assert {(p, o): v for p, o, v in rows} == {pos: e[1] for pos, e in expected.items()}
        return
    rel = f"read_parquet('{files}/*.parquet')"
    in_range = con.execute(
        f"select \"offset\", timestamp, try(decode(value)) as value from {rel} "
        "where partition = 1 and \"offset\" between 100 and 200 order by \"offset\"").fetchall()
    assert [r[0] for r in in_range] == sorted(o for p, o in expected if p == 1 and 100 <= o <= 200)
    per_partition = con.execute(
        f"select partition, count(*) as records, min(\"offset\"), max(\"offset\") from {rel} "
        "group by partition order by partition").fetchall()
    want = Counter(p for p, _ in expected)
    assert [(p, n) for p, n, _, _ in per_partition] == sorted(want.items())
    traced = con.execute(
        f"select \"offset\" from {rel} "
        "where list_contains(list_transform(headers, lambda h: h.key), 'trace-id')").fetchall()
    assert sorted(o for (o,) in traced) == sorted(
        o for (p, o), e in expected.items() if any(h == "trace-id" for h, _ in (e[2] or [])))
    import pyarrow.dataset as ds
    table = ds.dataset(str(files), format="parquet").to_table(
        filter=(ds.field("partition") == 1) & (ds.field("offset") >= 100))
    assert table.num_rows == sum(1 for p, o in expected if p == 1 and o >= 100)
