# Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
"""Reliability scenario 7: memory stays within the budget plus a fixed
overhead, whatever the data volume held in open windows and however many
partitions are open. Verified with the kernel's peak RSS (VmHWM) of the
worker process, and the archive checked with boto3."""
from __future__ import annotations

import os
import time

import pytest

from archive_check import check_exactly_once, cluster_id, wait_for_lines
from worker import Worker, s3_storage_toml, task_toml

PARTITIONS = 1000
RECORDS_PER_PARTITION = 80
VALUE_BYTES = 2000
BUDGET_MIB = int(os.environ.get("K2C_TEST_BUDGET_MIB", "32"))
# Process memory that does not hold record data: code and libraries, one
# librdkafka consumer with 1,000 partitions and its 16 MiB prefetch queue,
# upload threads and their HTTP buffers. Documented in docs/operations.md.
FIXED_OVERHEAD_MIB = 64


def peak_rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM in /proc status")


@pytest.mark.long_running(seconds=105)
def test_memory_stays_within_budget_with_many_open_partitions(kafka, s3, tmp_path, unique_name):
    topic = unique_name
    kafka.create_topic(topic, partitions=PARTITIONS, timeout=120)
    bucket = s3.create_bucket(unique_name)
    spool = tmp_path / "spool"
    w = Worker(tmp_path, kafka.bootstrap, s3_storage_toml(s3),
               task_toml(topic, bucket, window="20s", max_object_bytes="64MiB"),
               sink=f'min_window = "1s"\nflush_grace = "2s"\nmemory_budget = "{BUDGET_MIB}MiB"\n'
                    f'spool_dir = "{spool}"\nupload_threads = 4\n')
    try:
        w.start(wait_assigned=PARTITIONS, timeout=120)
        # ~150 MiB of values land in open windows of 1,000 partitions, far
        # more than the 32 MiB budget, before any window may close.
        pad = "x" * VALUE_BYTES
        records = [(p, None, f"{p}-{i}-{pad}") for i in range(RECORDS_PER_PARTITION)
                   for p in range(PARTITIONS)]
        t0 = time.monotonic()
        positions = kafka.produce(topic, records, timeout=120, **{"linger.ms": 50})
        produced_in = time.monotonic() - t0
        expected = {rec[2]: pos for rec, pos in zip(records, positions)}
        total_mib = len(records) * VALUE_BYTES / 2**20
        instance = cluster_id(kafka)
        objects = wait_for_lines(s3, bucket, f"{instance}/{topic}/", len(records), timeout=360)
        peak = peak_rss_mib(w.proc.pid)
        print(f"records={len(records)} data={total_mib:.0f}MiB produced_in={produced_in:.1f}s "
              f"peak_rss={peak:.0f}MiB budget={BUDGET_MIB}MiB")
        assert total_mib > 3 * 32, "the data must not fit in the budget"
        assert peak <= BUDGET_MIB + FIXED_OVERHEAD_MIB, \
            f"peak RSS {peak:.0f} MiB > budget {BUDGET_MIB} + overhead {FIXED_OVERHEAD_MIB} MiB"
        check_exactly_once(objects, expected, instance, topic)
        assert w.stop() == 0
    finally:
        w.close()
