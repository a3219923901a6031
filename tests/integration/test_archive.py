# Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
"""The archive pipeline end to end: a real Kafka broker, a real S3 server
that checks SigV4, the kafka2cos binary, and boto3 (a client we did not
write) reading the bucket back."""
from __future__ import annotations

import re
import signal
import time
import urllib.error
import urllib.request

import pytest

from archive_check import (check_exactly_once, cluster_id, produce_values,
                           wait_for_lines)
from worker import Worker, s3_storage_toml, task_toml

@pytest.fixture
def setup(kafka, s3, unique_name, tmp_path, request):
    """A 4-partition topic, a bucket, and a worker factory cleaned up at the end."""
    topic = unique_name
    kafka.create_topic(topic, partitions=4)
    bucket = s3.create_bucket(unique_name)
    workers = []

    def make_worker(**task_extra):
        w = Worker(tmp_path, kafka.bootstrap, s3_storage_toml(s3),
                   task_toml(topic, bucket, **task_extra))
        workers.append(w)
        return w

    yield topic, bucket, make_worker
    for w in workers:
        w.close()


def test_archives_every_record_exactly_once_and_skips_backlog(kafka, s3, setup):
    topic, bucket, make_worker = setup
    instance = cluster_id(kafka)
    # Backlog produced before the task exists: start = "latest" skips it.
    produce_values(kafka, topic, {p: [f"old-{p}-{i}" for i in range(20)] for p in range(4)})
    worker = make_worker().start(wait_assigned=4)
    positions = {}
    for burst in range(3):  # Several windows of 2 s each.
        positions.update(produce_values(
            kafka, topic, {p: [f"new-{burst}-{p}-{i}" for i in range(150)] for p in range(4)}))
        time.sleep(2.2)
    objects = wait_for_lines(s3, bucket, f"{instance}/{topic}/", len(positions))
    check_exactly_once(objects, positions, instance, topic)
    assert not any(b"old-" in body for body in objects.values()), "backlog was archived"
    assert len(objects) >= 8, "records were spread over several windows and 4 partitions"
    # One structured log line per object written (logged once the task thread
    # has collected the upload, which may be a poll after it became visible).
    worker.wait_for_log("event=object_written ", count=len(objects), timeout=30)
    written = re.findall(r"event=object_written .*key=(\S+) .*records=(\d+)", worker.log())
    assert sorted(k for k, _ in written) == sorted(objects)
    assert sum(int(n) for _, n in written) == len(positions)
    # Objects are private: an unsigned request is refused.
    key = sorted(objects)[0]
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{s3.endpoint}/{bucket}/{key}", timeout=10)
    assert err.value.code in (401, 403)
    assert worker.stop() == 0
    assert "event=worker_stopped" in worker.log()


def test_restart_and_kill9_mid_stream_lose_and_duplicate_nothing(kafka, s3, setup):
    topic, bucket, make_worker = setup
    instance = cluster_id(kafka)
    worker = make_worker().start(wait_assigned=4)
    positions = {}

    def burst(name, n=100):
        positions.update(produce_values(
            kafka, topic, {p: [f"{name}-{p}-{i}" for i in range(n)] for p in range(4)}))

    burst("a")
    time.sleep(3.5)  # At least one window has closed and been committed.
    burst("b")
    assert worker.stop() == 0  # Clean stop with an open window.
    burst("c")  # Produced while no worker runs.
    worker.start(wait_assigned=4)
    burst("d")
    time.sleep(2.5)
    burst("e")
    worker.wait_for_log(r"event=object_written", count=1)
    worker.kill9()  # Crash, possibly between upload and commit.
    burst("f")
    worker.start(wait_assigned=4)
    time.sleep(1)
    burst("g")
    objects = wait_for_lines(s3, bucket, f"{instance}/{topic}/", len(positions))
    time.sleep(3)  # Anything duplicated would show up by now.
    objects = s3.read_all(bucket, f"{instance}/{topic}/")
    check_exactly_once(objects, positions, instance, topic)


def test_large_object_goes_through_multipart_upload(kafka, s3, setup):
    topic, bucket, make_worker = setup
    instance = cluster_id(kafka)
    worker = make_worker(window="5s").start(wait_assigned=4)
    # 12 values of ~900 KiB in one partition: one object of ~10.5 MiB, above
    # the 5 MiB part size.
    values = [f"big-{i}-" + ("x" * (900 * 1024)) for i in range(12)]
    positions = produce_values(kafka, topic, {0: values})
    objects = wait_for_lines(s3, bucket, f"{instance}/{topic}/", len(values), timeout=120)
    assert len(objects) == 1
    (key, body), = objects.items()
    assert len(body) > 10 * 1024 * 1024
    check_exactly_once(objects, positions, instance, topic)
    head = s3.client().head_object(Bucket=bucket, Key=key)
    assert head["ContentLength"] == len(body)
    # No multipart upload is left behind.
    uploads = s3.client().list_multipart_uploads(Bucket=bucket)
    assert not uploads.get("Uploads")
    worker.stop()


def test_null_and_binary_values(kafka, s3, setup):
    topic, bucket, make_worker = setup
    instance = cluster_id(kafka)
    worker = make_worker().start(wait_assigned=4)
    kafka.produce(topic, [(0, b"k", None), (0, None, b"\x00\xffbin"), (0, None, b""),
                          (0, None, b"last")])
    objects = wait_for_lines(s3, bucket, f"{instance}/{topic}/", 3)
    assert b"".join(objects.values()) == b"\x00\xffbin\n\nlast\n"
    worker.wait_for_log(r"nulls_skipped=1")
    worker.stop()


def test_unknown_bucket_fails_with_clear_message(kafka, s3, tmp_path, unique_name):
    kafka.create_topic(unique_name, partitions=1)
    w = Worker(tmp_path, kafka.bootstrap, s3_storage_toml(s3),
               task_toml(unique_name, "no-such-bucket-k2c"))
    w.start()
    assert w.wait_exit(timeout=60) == 3
    assert "bucket 'no-such-bucket-k2c' does not exist" in w.log()


def test_wrong_credentials_fail_without_printing_the_secret(kafka, s3, tmp_path, unique_name):
    kafka.create_topic(unique_name, partitions=1)
    bucket = s3.create_bucket(unique_name)
    wrong_secret = "WrongSecretKey0123456789abcdefghijklmnop"
    w = Worker(tmp_path, kafka.bootstrap, s3_storage_toml(s3, secret_key=wrong_secret),
               task_toml(unique_name, bucket))
    w.start()
    assert w.wait_exit(timeout=60) == 3
    log = w.log()
    assert "Unauthenticated" in log and "secret" in log.lower(), log
    assert wrong_secret not in log
    assert s3.secret_key not in log


def test_read_only_credentials_are_refused_at_start(kafka, s3, tmp_path, unique_name):
    kafka.create_topic(unique_name, partitions=1)
    bucket = s3.create_bucket(unique_name)
    w = Worker(tmp_path, kafka.bootstrap,
               s3_storage_toml(s3, access_key=s3.ro_access_key, secret_key=s3.ro_secret_key),
               task_toml(unique_name, bucket))
    w.start()
    assert w.wait_exit(timeout=60) == 3
    log = w.log()
    assert "PermissionDenied" in log and f"bucket '{bucket}'" in log, log
    assert "write probe" in log


def test_unknown_topic_fails_with_clear_message(kafka, s3, tmp_path, unique_name):
    bucket = s3.create_bucket(unique_name)
    w = Worker(tmp_path, kafka.bootstrap, s3_storage_toml(s3), task_toml("no-such-topic", bucket))
    w.start()
    assert w.wait_exit(timeout=60) == 3
    assert "topic 'no-such-topic' does not exist" in w.log()


def test_bad_config_names_the_key(kafka, s3, tmp_path, unique_name):
    w = Worker(tmp_path, kafka.bootstrap, s3_storage_toml(s3),
               task_toml(unique_name, "bkt", window="90m"))
    w.start()
    assert w.wait_exit(timeout=30) == 2
    assert "window 90m is outside the allowed range 1s..1h" in w.log()


def test_local_store_with_topic_id_template(kafka, tmp_path, unique_name):
    """The embedded local-disk store, and the {topic_id} placeholder resolved
    to the UUID Kafka itself reports."""
    topic = unique_name
    kafka.create_topic(topic, partitions=2)
    # librdkafka prints the UUID in standard base64; Kafka's own tools (and
    # kafka2cos, since '/' cannot appear in a folder name) use the URL-safe form.
    topic_id = kafka.topic_id(topic).replace("+", "-").replace("/", "_")
    assert len(topic_id) == 22
    root = tmp_path / "archive"
    storage = f'[storage]\ntype = "local"\nroot = "{root}"\n'
    w = Worker(tmp_path, kafka.bootstrap, storage,
               task_toml(topic, "local-bucket",
                         key_template="{instance}/{topic_id}/dt=%Y-%m-%d/{partition}-{first_offset}{ext}"))
    try:
        w.start(wait_assigned=2)
        positions = produce_values(kafka, topic, {p: [f"v-{p}-{i}" for i in range(50)]
                                                  for p in range(2)})
        w.wait_for_log(r"event=object_written", count=2, timeout=60)
        files = sorted(p for p in (root / "local-bucket").rglob("*.txt"))
        lines = [line for f in files for line in f.read_text().splitlines()]
        assert sorted(lines) == sorted(positions)
        instance = cluster_id(kafka)
        for f in files:
            rel = f.relative_to(root / "local-bucket").as_posix()
            assert re.match(rf"^{re.escape(instance)}/{re.escape(topic_id)}/dt=\d{{4}}-\d\d-\d\d/"
                            rf"[01]-\d{{20}}\.txt$", rel), rel
        # No temporary files are left visible next to the objects.
        assert not list((root / "local-bucket").rglob("put-*"))
    finally:
        w.close()


def test_pause_and_resume_lose_and_duplicate_nothing(kafka, s3, setup):
    """The seed's "instance expired / renewed": SIGUSR1 pauses archiving,
    SIGUSR2 resumes it from the committed offsets."""
    topic, bucket, make_worker = setup
    instance = cluster_id(kafka)
    worker = make_worker().start(wait_assigned=4)
    positions = produce_values(kafka, topic, {p: [f"a-{p}-{i}" for i in range(50)]
                                              for p in range(4)})
    time.sleep(1.0)  # Some records are in open windows when the pause comes.
    worker.proc.send_signal(signal.SIGUSR1)
    worker.wait_for_log(r"event=task_paused")
    written_before = len(re.findall(r"event=object_written", worker.log()))
    paused = produce_values(kafka, topic, {p: [f"b-{p}-{i}" for i in range(50)]
                                           for p in range(4)})
    positions.update(paused)
    time.sleep(5)  # Two windows and their grace: nothing may be archived now.
    objects = s3.read_all(bucket, f"{instance}/{topic}/")
    assert not any(b"b-" in body for body in objects.values()), "archived while paused"
    assert len(re.findall(r"event=object_written", worker.log())) == written_before
    worker.proc.send_signal(signal.SIGUSR2)
    worker.wait_for_log(r"event=task_resumed")
    objects = wait_for_lines(s3, bucket, f"{instance}/{topic}/", len(positions))
    check_exactly_once(objects, positions, instance, topic)
    assert worker.stop() == 0


def test_caught_up_window_closes_without_waiting_for_the_end_of_log_event(
        kafka, s3, tmp_path, unique_name):
    """A partition read to its end closes its past window as soon as the
    records that reach the end are delivered. librdkafka reports the end
    only for a later fetch that comes back empty, which the broker holds for
    fetch.wait.max.ms (here 60 s), and the quiet rule would wait flush_grace
    (here 60 s too): either would miss the 40 s below."""
    topic = unique_name
    kafka.create_topic(topic, partitions=2)
    hour_ago_ms = int(time.time() * 1000) - 3600 * 1000
    records = [(p, None, f"v-{p}-{i}", None, hour_ago_ms + i) for p in range(2) for i in range(50)]
    kafka.produce(topic, records)
    root = tmp_path / "archive"
    w = Worker(tmp_path, kafka.bootstrap, f'[storage]\ntype = "local"\nroot = "{root}"\n',
               task_toml(topic, "local-bucket", window="1m", start="earliest"),
               sink='min_window = "1s"\nflush_grace = "60s"\n',
               kafka_properties={"fetch.wait.max.ms": 60000, "fetch.min.bytes": 1})
    try:
        w.start()
        w.wait_for_log(r"event=object_written .*reason=timer", count=2, timeout=40)
        files = sorted((root / "local-bucket").rglob("*.txt"))
        lines = [line for f in files for line in f.read_text().splitlines()]
        assert sorted(lines) == sorted(r[2] for r in records)
    finally:
        w.close()
