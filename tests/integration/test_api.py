# Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
"""The control plane like the CKafka console: tasks enabled, paused, resumed
and disabled through the REST API and the CLI, kept in Kafka so that several
workers share them, with status, lag and metrics. Real broker, real S3
server; archives checked with boto3, groups with confluent-kafka's admin."""
from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.error
import urllib.request
from typing import Optional

import pytest

from archive_check import check_exactly_once, cluster_id, produce_values, wait_for_lines
from conftest import REPO_ROOT, WORKER_BIN
from worker import Worker, s3_storage_toml

SINK = 'min_window = "1s"\nflush_grace = "1s"\n'


def api(url: str, method: str = "GET", body=None, token: Optional[str] = None,
        timeout: float = 60) -> tuple[int, dict]:
    """One API call; returns (HTTP status, parsed JSON body)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def cli(*args: str, env: Optional[dict] = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(WORKER_BIN), *args], capture_output=True, text=True, timeout=120,
                          env=env)


def wait_until(predicate, timeout: float = 60, what: str = "condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


def group_state(kafka, group: str) -> str:
    """The group's state as the broker lists it ("STABLE", "EMPTY", ...)."""
    admin = kafka.admin()  # Held until the answer: a dropped client cancels its requests.
    listed = admin.list_consumer_groups(request_timeout=15).result(timeout=30)
    for g in listed.valid:
        if g.group_id == group:
            return g.state.name
    return f"UNKNOWN among {[g.group_id for g in listed.valid]} errors {listed.errors}"


@pytest.fixture
def workers(tmp_path):
    made = []
    yield made
    for w in made:
        w.close()


def api_worker(workers, tmp_path, kafka, s3, name="worker", storage=None, **kw) -> Worker:
    w = Worker(tmp_path, kafka.bootstrap, storage or s3_storage_toml(s3), sink=SINK, name=name,
               api=True, **kw)
    workers.append(w)
    return w.start()


def test_enable_via_api_archives_and_reports_status(kafka, s3, unique_name, tmp_path, workers):
    topic = unique_name
    kafka.create_topic(topic, partitions=4)
    bucket = s3.create_bucket(unique_name)
    w = api_worker(workers, tmp_path, kafka, s3)

    status, topics = api(f"{w.api_url}/v1/topics")
    assert status == 200
    listed = {t["topic"]: t for t in topics["topics"]}
    assert listed[topic] == {"topic": topic, "partitions": 4, "task_state": "none"}
    assert w.tasks_topic not in listed and w.status_topic not in listed, "control topics hidden"

    status, task = api(f"{w.api_url}/v1/tasks/{topic}", "PUT",
                       {"bucket": bucket, "window": "2s", "start": "earliest"})
    assert status == 201, task
    assert task["state"] == "running" and task["window"] == "2s" and task["origin"] == "api"
    instance = cluster_id(kafka)
    assert task["group"] == f"kafka2cos.{instance}.{topic}"
    w.wait_for_log(r"event=partition_assigned topic=" + re.escape(topic), count=4)

    positions = produce_values(kafka, topic, {p: [f"{p}-{i}" for i in range(50)]
                                              for p in range(4)})
    objects = wait_for_lines(s3, bucket, f"{instance}/{topic}/", len(positions))
    check_exactly_once(objects, positions, instance, topic)
    # Issue 11: the worker answers for itself from its live counters, so the
    # status counts what its log already says was written, at once (it used
    # to show the last published status, "archived: 0 records").
    # (The bucket can hold an object a moment before the task thread has
    # collected its upload and logged it, so wait for the log first.)
    def logged_records() -> int:
        return sum(map(int, re.findall(r"event=object_written topic=" + re.escape(topic) +
                                       r" [^\n]*? records=(\d+)", w.log())))

    wait_until(lambda: logged_records() == len(positions) or None,
               what="the object_written lines of all records")
    code, now = api(f"{w.api_url}/v1/tasks/{topic}/status")
    assert code == 200 and now["records_archived"] == len(positions), now

    def settled():
        code, st = api(f"{w.api_url}/v1/tasks/{topic}/status")
        assert code == 200, st
        return st if st["lag"] == 0 and st["records_archived"] == 200 else None

    st = wait_until(settled, what="lag 0 and 200 records in the status")
    assert st["state"] == "running" and st["group"] == task["group"]
    assert [p["partition"] for p in st["partitions"]] == [0, 1, 2, 3]
    assert {p["worker"] for p in st["partitions"]} == {"worker"}
    assert all(p["committed_offset"] == p["end_offset"] == 50 for p in st["partitions"])
    assert st["last_object_key"] in objects and st["last_object_ms"] > 0
    assert st["objects_written"] == len(objects)
    assert st["workers"][0]["partitions"] == [0, 1, 2, 3]

    def scrape():
        text = urllib.request.urlopen(f"{w.api_url}/metrics", timeout=30).read().decode()
        # The lag gauges are refreshed every second by the task thread.
        caught_up = re.search(rf'kafka2cos_partition_lag\{{partition="0",topic="{topic}"\}} 0\b',
                              text)
        return text if caught_up else None

    metrics = wait_until(scrape, timeout=20, what="partition 0's lag gauge at 0")
    assert re.search(rf'kafka2cos_records_archived_total\{{topic="{topic}"\}} 200\b', metrics)
    assert re.search(rf'kafka2cos_objects_written_total\{{topic="{topic}"\}} {len(objects)}\b',
                     metrics)
    assert re.search(rf'kafka2cos_upload_duration_seconds_count\{{topic="{topic}"\}} '
                     rf'{len(objects)}\b', metrics)
    assert re.search(r"kafka2cos_buffer_bytes \d+", metrics)

    status, listed = api(f"{w.api_url}/v1/topics")
    assert {t["topic"]: t["task_state"] for t in listed["topics"]}[topic] == "running"
    assert api(f"{w.api_url}/healthz") == (200, {"status": "ok"})
    assert api(f"{w.api_url}/readyz") == (200, {"status": "ready"})


def test_cli_enables_pauses_resumes_and_disables(kafka, s3, unique_name, tmp_path, workers):
    topic = unique_name
    kafka.create_topic(topic, partitions=2)
    bucket = s3.create_bucket(unique_name)
    w = api_worker(workers, tmp_path, kafka, s3)
    server = ["--server", w.api_url]

    r = cli("enable", topic, "--bucket", bucket, "--window", "2s", "--start", "earliest", *server)
    assert r.returncode == 0, r.stderr
    assert topic in r.stdout and "running" in r.stdout
    w.wait_for_log(r"event=partition_assigned topic=" + re.escape(topic), count=2)
    instance = cluster_id(kafka)
    first = produce_values(kafka, topic, {p: [f"a{p}-{i}" for i in range(20)] for p in range(2)})
    wait_for_lines(s3, bucket, f"{instance}/{topic}/", len(first))

    r = cli("pause", topic, *server)
    assert r.returncode == 0 and "paused" in r.stdout, r.stderr
    w.wait_for_log(r"event=task_paused topic=" + re.escape(topic))
    second = produce_values(kafka, topic, {p: [f"b{p}-{i}" for i in range(20)] for p in range(2)})
    time.sleep(5)  # Several windows: nothing may be archived while paused.
    lines = sum(b.count(b"\n") for b in s3.read_all(bucket, f"{instance}/{topic}/").values())
    assert lines == len(first), "records were archived while the task was paused"

    r = cli("resume", topic, *server)
    assert r.returncode == 0 and "running" in r.stdout, r.stderr
    objects = wait_for_lines(s3, bucket, f"{instance}/{topic}/", len(first) + len(second))
    check_exactly_once(objects, {**first, **second}, instance, topic)

    r = cli("tasks", *server)
    assert r.returncode == 0 and re.search(rf"^{re.escape(topic)}\s+running\s+{bucket}", r.stdout,
                                           re.M), r.stdout
    r = cli("status", topic, *server)
    assert r.returncode == 0, r.stderr
    assert "PARTITION" in r.stdout and "LAG" in r.stdout
    r = cli("status", topic, "--json", *server)
    assert json.loads(r.stdout)["topic"] == topic

    group = f"kafka2cos.{instance}.{topic}"
    assert group_state(kafka, group) == "STABLE"
    r = cli("disable", topic, *server)
    assert r.returncode == 0, r.stderr
    wait_until(lambda: group_state(kafka, group) == "EMPTY", what="the group to be released")
    assert api(f"{w.api_url}/v1/tasks/{topic}")[0] == 404
    # Disabled: new records are not archived.
    produce_values(kafka, topic, {0: ["c-after-disable"]})
    time.sleep(4)
    after = s3.read_all(bucket, f"{instance}/{topic}/")
    assert not any(b"c-after-disable" in body for body in after.values())

    r = cli("pause", topic, *server)
    assert r.returncode == 1 and "no task for topic" in r.stderr


def test_two_workers_split_one_task_and_both_report(kafka, s3, unique_name, tmp_path, workers):
    topic = unique_name
    kafka.create_topic(topic, partitions=4)
    bucket = s3.create_bucket(unique_name)
    a = api_worker(workers, tmp_path, kafka, s3, name="worker-a")
    b = api_worker(workers, tmp_path, kafka, s3, name="worker-b")
    status, _ = api(f"{a.api_url}/v1/tasks/{topic}", "PUT",
                    {"bucket": bucket, "window": "2s", "start": "earliest"})
    assert status == 201
    # Worker b learns the task from Kafka, not from the call.
    wait_until(lambda: api(f"{b.api_url}/v1/tasks")[1]["tasks"], what="b to see the task")

    def split():
        code, st = api(f"{b.api_url}/v1/tasks/{topic}/status")
        if code != 200:
            return None
        held = [p for w in st["workers"] for p in w["partitions"]]
        holders = {p["worker"] for p in st["partitions"]}
        # Disjoint and complete: no stale report of a partition moved away.
        return st if sorted(held) == [0, 1, 2, 3] and holders == {"worker-a", "worker-b"} else None

    wait_until(split, timeout=90, what="both workers to hold partitions")
    time.sleep(3)  # Statuses are refreshed every second: the split must hold.
    st = wait_until(split, timeout=30, what="a stable split")
    by_worker = {w["worker"]: w["partitions"] for w in st["workers"]}
    assert sorted(by_worker["worker-a"] + by_worker["worker-b"]) == [0, 1, 2, 3]
    assert api(f"{a.api_url}/v1/tasks")[1] == api(f"{b.api_url}/v1/tasks")[1]

    instance = cluster_id(kafka)
    positions = produce_values(kafka, topic, {p: [f"{p}-{i}" for i in range(40)]
                                              for p in range(4)})
    objects = wait_for_lines(s3, bucket, f"{instance}/{topic}/", len(positions))
    check_exactly_once(objects, positions, instance, topic)
    # Each worker logs its objects just after they become visible.
    a.wait_for_log(r"event=object_written", timeout=30)
    b.wait_for_log(r"event=object_written", timeout=30)

    def totals():
        code, st = api(f"{a.api_url}/v1/tasks/{topic}/status")
        return st if st["records_archived"] == len(positions) else None

    st = wait_until(totals, what="both workers' counts in a's status")
    assert len([w for w in st["workers"] if w["records_archived"] > 0]) == 2


def test_preflight_refuses_missing_and_read_only_bucket(kafka, s3, unique_name, tmp_path,
                                                        workers):
    topic = unique_name
    kafka.create_topic(topic, partitions=1)
    bucket = s3.create_bucket(unique_name)
    w = api_worker(workers, tmp_path, kafka, s3)
    status, err = api(f"{w.api_url}/v1/tasks/{topic}", "PUT", {"bucket": "no-such-bucket-k2c"})
    assert status == 422, err
    assert err["error"]["code"] == "preflight_failed"
    assert "no-such-bucket-k2c" in err["error"]["message"]
    assert "write probe" in err["error"]["message"]

    ro = api_worker(workers, tmp_path, kafka, s3, name="readonly",
                    storage=s3_storage_toml(s3, s3.ro_access_key, s3.ro_secret_key))
    status, err = api(f"{ro.api_url}/v1/tasks/{topic}", "PUT", {"bucket": bucket})
    assert status == 422, err
    assert bucket in err["error"]["message"] and "write probe" in err["error"]["message"]
    assert s3.ro_secret_key not in json.dumps(err)
    # Nothing was saved.
    assert api(f"{w.api_url}/v1/tasks")[1] == {"tasks": []}

    status, err = api(f"{w.api_url}/v1/tasks/no-such-topic-k2c", "PUT", {"bucket": bucket})
    assert status == 404 and "does not exist" in err["error"]["message"]
    status, err = api(f"{w.api_url}/v1/tasks/{topic}", "PUT", {"bucket": bucket, "colour": "x"})
    assert status == 400 and "unknown field 'colour'" in err["error"]["message"]
    status, err = api(f"{w.api_url}/v1/tasks/{topic}", "PUT", {"bucket": bucket, "window": "2h"})
    assert status == 400 and "window 2h is outside" in err["error"]["message"]
    r = cli("enable", topic, "--bucket", "no-such-bucket-k2c", "--server", w.api_url)
    assert r.returncode == 1 and "no-such-bucket-k2c" in r.stderr
    # Issue 11: refused when given, not retried forever once archiving. A
    # bucket name that would change the request's host, a template without
    # the topic, and one whose keys the store refuses (over 1,024 bytes).
    status, err = api(f"{w.api_url}/v1/tasks/{topic}", "PUT", {"bucket": "127.0.0.1:9#"})
    assert status == 400 and "S3 bucket naming rules" in err["error"]["message"], err
    status, err = api(f"{w.api_url}/v1/tasks/{topic}", "PUT",
                      {"bucket": bucket, "key_template": "%Y/{partition}_{first_offset}"})
    assert status == 400 and "{topic} or {topic_id}" in err["error"]["message"], err
    status, err = api(f"{w.api_url}/v1/tasks/{topic}", "PUT",
                      {"bucket": bucket,
                       "key_template": "{topic}/" + "x" * 1100 + "/{partition}_{first_offset}"})
    assert status == 422 and "which the store refuses" in err["error"]["message"], err
    # More than part_size (5 MiB here) x 10,000 parts: refused now, not
    # retried forever when the object grows past the last part.
    status, err = api(f"{w.api_url}/v1/tasks/{topic}", "PUT",
                      {"bucket": bucket, "max_object_bytes": "1024GiB"})
    assert status == 422 and "10000 parts" in err["error"]["message"], err
    assert api(f"{w.api_url}/v1/tasks")[1] == {"tasks": []}


def test_token_is_required_when_configured(kafka, s3, unique_name, tmp_path, workers):
    token = "t0ken-" + unique_name[-6:]
    w = api_worker(workers, tmp_path, kafka, s3, token=token)
    status, err = api(f"{w.api_url}/v1/tasks")
    assert status == 401 and err["error"]["code"] == "unauthorized"
    status, err = api(f"{w.api_url}/v1/tasks", token="wrong")
    assert status == 401 and token not in json.dumps(err)
    assert api(f"{w.api_url}/v1/tasks", token=token)[0] == 200
    assert api(f"{w.api_url}/healthz")[0] == 200, "health stays open for probes"

    import os
    env = {k: v for k, v in os.environ.items() if k != "KAFKA2COS_API_TOKEN"}
    r = cli("tasks", "--server", w.api_url, env=env)
    assert r.returncode == 1 and "401" in r.stderr
    r = cli("tasks", "--server", w.api_url, env={**env, "KAFKA2COS_API_TOKEN": token})
    assert r.returncode == 0, r.stderr
    assert token not in w.log()


def test_api_fuzzing_finds_no_server_error(kafka, s3, unique_name, tmp_path, workers):
    """schemathesis generates requests from docs/openapi.yaml (valid and
    invalid) and checks that no answer is a 5xx and every answer matches the
    document."""
    schemathesis = pytest.importorskip("schemathesis")
    del schemathesis
    topic = unique_name
    kafka.create_topic(topic, partitions=1)
    s3.create_bucket(unique_name)
    token = "fuzz-token"
    w = api_worker(workers, tmp_path, kafka, s3, token=token)
    spec = REPO_ROOT / "docs" / "openapi.yaml"
    r = subprocess.run(
        ["schemathesis", "run", str(spec), "--url", w.api_url,
         "-H", f"Authorization: Bearer {token}",
         "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                     "response_schema_conformance",
         "--phases", "examples,coverage,fuzzing", "--max-examples", "30",
         "--generation-deterministic", "--request-timeout", "30", "--workers", "1"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)  # Its cache goes there.
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-2000:]
    # Every operation of the document was exercised, with many cases.
    assert re.search(r"Tested: 17\b", r.stdout), r.stdout[-3000:]
    generated = int(re.search(r"(\d+) generated", r.stdout)[1])
    assert generated >= 100, r.stdout[-3000:]
    assert w.running(), w.log()[-4000:]


def test_changing_window_and_bucket_mid_stream_loses_and_duplicates_nothing(
        kafka, s3, unique_name, tmp_path, workers):
    """Records keep arriving while the task moves to another bucket and
    window: each one lands exactly once, in one bucket or the other."""
    topic = unique_name
    kafka.create_topic(topic, partitions=2)
    first_bucket = s3.create_bucket(unique_name)
    second_bucket = s3.create_bucket(unique_name + "-2")
    w = api_worker(workers, tmp_path, kafka, s3)
    status, _ = api(f"{w.api_url}/v1/tasks/{topic}", "PUT",
                    {"bucket": first_bucket, "window": "2s", "start": "earliest"})
    assert status == 201
    w.wait_for_log(r"event=partition_assigned topic=" + re.escape(topic), count=2)
    instance = cluster_id(kafka)
    prefix = f"{instance}/{topic}/"

    positions = {}
    for batch in range(6):
        positions.update(produce_values(
            kafka, topic, {p: [f"{batch}-{p}-{i}" for i in range(30)] for p in range(2)}))
        if batch == 2:
            # Change only once the first bucket holds something, so that both
            # buckets get part of the stream whatever the timing of the windows.
            wait_until(lambda: s3.read_all(first_bucket, prefix), timeout=60,
                       what="a first object in the first bucket")
            status, task = api(f"{w.api_url}/v1/tasks/{topic}", "PUT",
                               {"bucket": second_bucket, "window": "3s"})
            assert status == 200 and task["bucket"] == second_bucket, task
            assert task["window"] == "3s" and task["start"] == "earliest", "others are kept"
        time.sleep(1)

    def all_archived():
        first = s3.read_all(first_bucket, prefix)
        second = s3.read_all(second_bucket, prefix)
        lines = sum(b.count(b"\n") for b in [*first.values(), *second.values()])
        return (first, second) if lines >= len(positions) else None

    first, second = wait_until(all_archived, timeout=90, what="every record in the buckets")
    time.sleep(3)  # Anything written twice would show up now.
    first, second = s3.read_all(first_bucket, prefix), s3.read_all(second_bucket, prefix)
    assert first and second, "both buckets should hold part of the stream"
    assert not set(first) & set(second), "the same object key in both buckets"
    check_exactly_once({**first, **second}, positions, instance, topic)
    w.wait_for_log(r"event=task_restarting topic=" + re.escape(topic))


def test_definitions_from_the_tasks_topic_pass_the_same_validation(kafka, s3, unique_name,
                                                                    tmp_path, workers):
    """Issue 11: records read back from the tasks topic skipped validation,
    so anyone able to write to that topic could hand the workers a bucket
    name the API refuses. Written straight into the topic, such a task is
    not started; each worker's status says why."""
    topic = unique_name
    kafka.create_topic(topic, partitions=1)
    w = api_worker(workers, tmp_path, kafka, s3)
    hostile = {"version": 1, "topic": topic, "bucket": "127.0.0.1:9#", "window": "2s",
               "state": "running", "key_template": ""}
    kafka.produce(w.tasks_topic, [(0, topic, json.dumps(hostile))])

    def failed():
        code, st = api(f"{w.api_url}/v1/tasks/{topic}/status")
        mine = [x for x in st.get("workers", []) if x["worker"] == "worker"] if code == 200 else []
        return mine[0] if mine and mine[0]["state"] == "failed" else None

    status = wait_until(failed, what="the worker to report the task as failed")
    assert "S3 bucket naming rules" in status["last_error"], status
    assert "event=task_ready" not in w.log()
    assert "write probe" not in w.log()
