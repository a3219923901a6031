# Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
"""The web console (docs/console.md) end to end in a real browser: Debian's
Chromium driven by playwright-core (web/e2e/console.e2e.test.ts) against two
real workers, the broker and the S3 server. One worker may write to the
store; the other has the read-only identity, so its preflight refuses the
bucket. The browser signs in, switches a topic on with a bucket picked from
the list, sees the refusal inline, watches the lag fall to 0 and an object
appear, downloads the object, pauses and resumes; here the download is
compared byte for byte with boto3's copy, and the task with the API.
Screenshots land in the test's directory (K2C_CONSOLE_SHOTS keeps a copy)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from test_api import api
from test_faults_workers import workers  # noqa: F401 (fixture)
from worker import Worker, s3_storage_toml

TOKEN = "console-token-0123456789"
CHROMIUM = os.environ.get("K2C_E2E_CHROMIUM", "/usr/bin/chromium")
WEB = REPO_ROOT / "web"
# The form's window is in minutes; 1 min is the shortest a test can wait for.
SINK = 'min_window = "1m"\nflush_grace = "2s"\n'


def test_console_in_a_real_browser(kafka, s3, unique_name, tmp_path, workers):  # noqa: F811
    assert Path(CHROMIUM).exists(), (
        f"{CHROMIUM} is missing: bash scripts/install-deps.sh installs Debian's chromium")
    assert (WEB / "node_modules" / "playwright-core").exists(), (
        "the console's npm packages are missing: bash scripts/build-web.sh")
    topic, ro_topic = unique_name, unique_name + "-ro"
    kafka.create_topic(topic, partitions=2)
    kafka.create_topic(ro_topic, partitions=1)
    bucket = s3.create_bucket(unique_name)
    producer = kafka.producer()
    for i in range(40):
        producer.produce(topic, value=f"console-{i}".encode(), key=f"k{i}".encode(),
                         partition=i % 2)
    assert producer.flush(30) == 0

    writer = Worker(tmp_path, kafka.bootstrap, s3_storage_toml(s3), sink=SINK, name="writer",
                    api=True, token=TOKEN)
    workers.append(writer)
    writer.start()
    # Its own task topics: it must not run the writer's task with read-only keys.
    reader = Worker(tmp_path, kafka.bootstrap,
                    s3_storage_toml(s3, s3.ro_access_key, s3.ro_secret_key), sink=SINK,
                    name="readonly", api=True, token=TOKEN, control_id="ro-" + unique_name[-6:])
    workers.append(reader)
    reader.start()

    out = tmp_path / "console"
    env = {**os.environ, "K2C_E2E_URL": writer.api_url + "/", "K2C_E2E_RO_URL": reader.api_url + "/",
           "K2C_E2E_TOKEN": TOKEN, "K2C_E2E_TOPIC": topic, "K2C_E2E_RO_TOPIC": ro_topic,
           "K2C_E2E_BUCKET": bucket, "K2C_E2E_OUT": str(out), "K2C_E2E_CHROMIUM": CHROMIUM,
           "NO_COLOR": "1", "FORCE_COLOR": "0"}
    run = subprocess.run(["npm", "run", "--silent", "e2e"], cwd=WEB, env=env,
                         capture_output=True, text=True, timeout=900)
    keep = os.environ.get("K2C_CONSOLE_SHOTS")
    if keep and out.exists():
        shutil.copytree(out, keep, dirs_exist_ok=True)
    if run.returncode != 0:  # Shown by pytest with the failure, whole.
        print(run.stdout, run.stderr, "--- writer log", writer.log()[-4000:],
              "--- read-only worker log", reader.log()[-2000:], sep="\n")
    assert run.returncode == 0, "the browser test failed: see its output above"

    result = json.loads((out / "result.json").read_text())
    assert result["pageProblems"] == []
    assert len(result["screenshots"]) == 9 and all(Path(p).stat().st_size > 0
                                                   for p in result["screenshots"])

    # The browser's download is the object, byte for byte, as boto3 reads it.
    [download] = result["downloads"]
    body = s3.client().get_object(Bucket=bucket, Key=download["key"])["Body"].read()
    assert Path(download["path"]).read_bytes() == body and body

    # What the browser did is what the API says.
    status, task = api(f"{writer.api_url}/v1/tasks/{topic}", token=TOKEN)
    assert status == 200 and task["bucket"] == bucket and task["window"] == "1m", task
    assert task["format"] == "jsonl" and task["compression"] == "zstd" and task["state"] == "running"
    status, _ = api(f"{reader.api_url}/v1/tasks/{ro_topic}", token=TOKEN)
    assert status == 404, "the refused task was not saved"
