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
