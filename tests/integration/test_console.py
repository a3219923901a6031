# Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
"""The web console (docs/console.md) end to end in a real browser: Debian's
Chromium driven by playwright-core (web/e2e/console.e2e.test.ts) against two
real workers, the broker and the S3 server. One worker may write to the
store; the other has the read-only identity, so its preflight refuses the
bucket. The browser signs in, switches a topic on with a bucket picked from
the list, sees the refusal inline, watches the lag fall to 0 and an object
appear, downloads the object, pauses, resumes and disables it (confirmed),
operates the switches by keyboard, and opens the console through a reverse
proxy under a path prefix; here the download is compared byte for byte with
boto3's copy, and the task with the API.
Screenshots land in the test's directory (K2C_CONSOLE_SHOTS keeps a copy)."""
from __future__ import annotations

import contextlib
import http.client
import http.server
import json
import os
import shutil
import subprocess
import threading
import urllib.parse
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


PREFIX = "/kafka2cos"


@contextlib.contextmanager
def prefix_proxy(upstream: str):
    """A reverse proxy on a free port serving `upstream` under PREFIX/, as an
    operator's nginx would (`location /kafka2cos/ { proxy_pass ...; }`):
    PREFIX alone is redirected to PREFIX/, and anything outside it is a 404
    (so a page that asks for /assets/... or /v1/... without the prefix
    breaks). Yields its URL (with the trailing slash) and the paths asked."""
    target = urllib.parse.urlsplit(upstream)
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _forward(self):
            asked.append(self.path)
            if self.path == PREFIX:
                self.send_response(301)
                self.send_header("Location", PREFIX + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if not self.path.startswith(PREFIX + "/"):
                self.send_error(404, "outside the proxied prefix")
                return
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() not in ("host", "connection", "content-length")}
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
            conn.request(self.command, self.path[len(PREFIX):], body=body or None,
                         headers=headers)
            answer = conn.getresponse()
            data = answer.read()
            self.send_response(answer.status)
            for k, v in answer.getheaders():
                if k.lower() not in ("connection", "transfer-encoding", "content-length"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            conn.close()

        do_GET = do_PUT = do_POST = do_DELETE = _forward

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="prefix-proxy", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}/", asked
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.long_running(seconds=75)
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
    with prefix_proxy(writer.api_url) as (prefixed_url, proxied):
        env = {**os.environ, "K2C_E2E_URL": writer.api_url + "/",
               "K2C_E2E_RO_URL": reader.api_url + "/", "K2C_E2E_PREFIX_URL": prefixed_url,
               "K2C_E2E_TOKEN": TOKEN, "K2C_E2E_TOPIC": topic, "K2C_E2E_RO_TOPIC": ro_topic,
               "K2C_E2E_BUCKET": bucket, "K2C_E2E_OUT": str(out),
               "K2C_E2E_CHROMIUM": CHROMIUM, "NO_COLOR": "1", "FORCE_COLOR": "0"}
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
    assert len(result["screenshots"]) == 10 and all(Path(p).stat().st_size > 0
                                                    for p in result["screenshots"])
    # Behind the proxy, the page asked for nothing outside its prefix.
    assert proxied and all(p.startswith(PREFIX + "/") for p in proxied[1:]), proxied

    # The browser's download is the object, byte for byte, as boto3 reads it.
    [download] = result["downloads"]
    body = s3.client().get_object(Bucket=bucket, Key=download["key"])["Body"].read()
    assert Path(download["path"]).read_bytes() == body and body

    # What the browser did is what the API says: the task it enabled
    # (jsonl + zstd, 1 min) as it was before the browser disabled it at the
    # end, gone now, its objects kept; the refused one never saved.
    before = result["taskBeforeDisable"]
    assert before["bucket"] == bucket and before["window"] == "1m", before
    assert before["format"] == "jsonl" and before["compression"] == "zstd", before
    assert download["key"].endswith(".jsonl.zst")
    assert api(f"{writer.api_url}/v1/tasks/{topic}", token=TOKEN)[0] == 404
    assert s3.client().head_object(Bucket=bucket, Key=download["key"])
    status, _ = api(f"{reader.api_url}/v1/tasks/{ro_topic}", token=TOKEN)
    assert status == 404, "the refused task was not saved"
