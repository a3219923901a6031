# Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
"""Checks an archive against what was produced: every record exactly once,
in offset order, under the expected keys. Reads the bucket with boto3."""
from __future__ import annotations

import re
import time
from collections import Counter

KEY_RE = re.compile(r"^(?P<instance>[^/]+)/(?P<topic>[^/]+)/(?P<ts>\d{8}T\d{6}Z)"
                    r"_p(?P<partition>\d+)_o(?P<offset>\d{20})\.txt$")


def cluster_id(kafka) -> str:
    return kafka.admin().list_topics(timeout=10).cluster_id


def produce_values(kafka, topic, values_by_partition):
    """Produces {partition: [value,...]}; returns {value: (partition, offset)}."""
    records = [(p, None, v) for p, values in values_by_partition.items() for v in values]
    positions = kafka.produce(topic, records)
    return {rec[2]: pos for rec, pos in zip(records, positions)}


def wait_for_lines(s3, bucket, prefix, expected_count, timeout=90):
    """Polls the bucket with boto3 until it holds `expected_count` lines."""
    deadline = time.monotonic() + timeout
    objects = {}
    while time.monotonic() < deadline:
        objects = s3.read_all(bucket, prefix)
        lines = sum(body.count(b"\n") for body in objects.values())
        if lines >= expected_count:
            return objects
        time.sleep(0.5)
    lines = sum(body.count(b"\n") for body in objects.values())
    raise AssertionError(f"bucket holds {lines} lines, expected {expected_count}: "
                         f"{sorted(objects)}")


def check_exactly_once(objects, positions, instance, topic):
    """Every produced value appears exactly once, under a key that names its
    partition and the first offset of its object, in offset order."""
    seen = Counter()
    for key, body in objects.items():
        m = KEY_RE.match(key)
        assert m, f"unexpected key {key!r}"
        assert m["instance"] == instance and m["topic"] == topic, key
        values = body.decode().split("\n")
        assert values[-1] == "", f"object {key} does not end with the delimiter"
        values = values[:-1]
        offsets = []
        for v in values:
            assert v in positions, f"{key} holds {v!r}, which was never produced (or is old)"
            partition, offset = positions[v]
            assert partition == int(m["partition"]), f"{v} of partition {partition} in {key}"
            offsets.append(offset)
            seen[v] += 1
        assert offsets == sorted(offsets), f"{key} is not in offset order"
        assert offsets[0] == int(m["offset"]), f"{key} does not start at its first offset"
    duplicated = {v: n for v, n in seen.items() if n > 1}
    lost = set(positions) - set(seen)
    assert not duplicated, f"{len(duplicated)} duplicated, e.g. {list(duplicated)[:5]}"
    assert not lost, f"{len(lost)} lost, e.g. {sorted(lost)[:5]}"


# ---------------------------------------------------------------------------
# Counting variants for the fault suite: they return numbers instead of
# asserting at the first problem, so a test can report and then assert.
# ---------------------------------------------------------------------------

PROBE_RE = re.compile(r"(^|/)_kafka2cos_write_probe\.[0-9a-f]{16}$")


def is_manifest(key: str) -> bool:
    """A completeness manifest (`<prefix>_manifests/<window>.json`)."""
    return "/_manifests/" in key


def is_probe(key: str) -> bool:
    """A start-up write probe (`<prefix>_kafka2cos_write_probe.<16 hex>`),
    left behind when a worker is killed between its create and delete."""
    return PROBE_RE.search(key) is not None


def _new_result(expected: int) -> dict:
    return {"records": expected, "lost": 0, "duplicated": 0, "objects": 0,
            "probes": 0, "problems": []}


def _archived_objects(objects, instance, topic, res):
    """Yields (key, body, key match) for the task's objects in key order.
    Counts them and leftover write probes in `res`, and any other key as a
    problem."""
    for key, body in sorted(objects.items()):
        if is_manifest(key):
            continue
        if is_probe(key):
            res["probes"] += 1
            continue
        res["objects"] += 1
        m = KEY_RE.match(key)
        if not m or m["instance"] != instance or m["topic"] != topic:
            res["problems"].append(f"unexpected key {key!r}")
            continue
        yield key, body, m


def count_exactly_once(objects, positions, instance, topic):
    """Like check_exactly_once, for newline-free text values, but returns
    {records, lost, duplicated, objects, probes, problems, lost_sample,
    duplicated_sample}: `records` produced values, `lost` never archived,
    `duplicated` extra copies (a value stored 3 times counts 2), `problems`
    any other defect (unknown key or value, wrong partition, order, first
    offset). A leftover write probe (a kill between its put and delete) is
    counted in `probes`, not a problem."""
    res = _new_result(len(positions))
    seen = Counter()
    for key, body, m in _archived_objects(objects, instance, topic, res):
        if not body.endswith(b"\n"):
            res["problems"].append(f"{key} does not end with the delimiter")
        offsets = []
        for raw in body.split(b"\n")[:-1]:
            v = raw.decode(errors="replace")
            if v not in positions:
                res["problems"].append(f"{key} holds {v[:60]!r}, never produced (or old)")
                continue
            partition, offset = positions[v]
            if partition != int(m["partition"]):
                res["problems"].append(f"{v} of partition {partition} in {key}")
            offsets.append(offset)
            seen[v] += 1
        if offsets != sorted(offsets):
            res["problems"].append(f"{key} is not in offset order")
        if offsets and offsets[0] != int(m["offset"]):
            res["problems"].append(f"{key} starts at {offsets[0]}, not its key's first offset")
    dup = {v: n for v, n in seen.items() if n > 1}
    lost = sorted(set(positions) - set(seen), key=lambda v: positions[v])
    res["duplicated"] = sum(n - 1 for n in dup.values())
    res["lost"] = len(lost)
    res["lost_sample"] = [(v, positions[v]) for v in lost[:10]]
    res["duplicated_sample"] = sorted(dup.items(), key=lambda kv: positions[kv[0]])[:10]
    return res


def count_exactly_once_bytes(objects, records, instance, topic, delimiter=b"\n"):
    """Exactly-once check for arbitrary bytes (values holding the delimiter,
    NUL, invalid UTF-8, empty values, tombstones).

    `records` is {(partition, offset): value bytes, or None for a null}. An
    object's key names its partition and first offset; its body must be the
    concatenation of value + delimiter for consecutive offsets from there
    (nulls are skipped by the format and cover no bytes). Matching walks
    offsets and consumes the expected bytes, so it never has to split by the
    delimiter. Returns the same dict as count_exactly_once; `records` counts
    the non-null values only."""
    expected = {pos for pos, v in records.items() if v is not None}
    res = _new_result(len(expected))
    seen = Counter()
    for key, body, m in _archived_objects(objects, instance, topic, res):
        partition, offset = int(m["partition"]), int(m["offset"])
        if (partition, offset) not in records:
            res["problems"].append(f"{key}: no record was produced at p{partition} o{offset}")
            continue
        pos, covered = 0, []
        while (partition, offset) in records:
            v = records[(partition, offset)]
            if v is None:
                offset += 1
                continue
            chunk = v + delimiter
            if body.startswith(chunk, pos):
                covered.append((partition, offset))
                pos += len(chunk)
                offset += 1
            else:
                break
        if pos != len(body) or not covered:
            res["problems"].append(
                f"{key}: {len(body) - pos} of {len(body)} bytes do not match the records from "
                f"offset {m['offset']} on (matched {len(covered)} record(s), stopped at "
                f"offset {offset}; next bytes {body[pos:pos + 40]!r})")
        for p in covered:
            seen[p] += 1
    res["duplicated"] = sum(n - 1 for n in seen.values() if n > 1)
    lost = sorted(expected - set(seen))
    res["lost"] = len(lost)
    res["lost_sample"] = lost[:10]
    res["duplicated_sample"] = sorted(p for p, n in seen.items() if n > 1)[:10]
    return res


def assert_exactly_once(result, what=""):
    """Fails with every number when a counting check found anything."""
    summary = {k: result[k] for k in ("records", "lost", "duplicated", "objects", "probes")}
    assert result["lost"] == 0 and result["duplicated"] == 0 and not result["problems"], (
        f"{what}: {summary}; lost e.g. {result.get('lost_sample')}; duplicated e.g. "
        f"{result.get('duplicated_sample')}; problems: {result['problems'][:10]}")


def wait_until_complete(read, count, timeout=90, settle=3.0):
    """Polls `read()` (returns objects) and `count(objects)` (a counting
    check) until nothing is lost, then waits `settle` seconds and reads once
    more, so a late duplicate would show up. Returns (objects, result); never
    raises on a timeout (the caller asserts on the numbers)."""
    deadline = time.monotonic() + timeout
    while True:
        objects = read()
        result = count(objects)
        if result["lost"] == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    if result["lost"] == 0 and settle:
        time.sleep(settle)
        objects = read()
        result = count(objects)
    return objects, result


def report(scenario, **numbers):
    """Appends one JSON line {scenario, ...numbers} to $K2C_RELIABILITY_REPORT
    when it is set (the reliability suite's summary); prints it either way."""
    import json
    import os
    line = json.dumps({"scenario": scenario, **numbers}, sort_keys=True, default=str)
    print(f"reliability: {line}")
    path = os.environ.get("K2C_RELIABILITY_REPORT")
    if path:
        with open(path, "a") as f:
            f.write(line + "\n")
