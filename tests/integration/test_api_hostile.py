# Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
"""Hostile clients against the real worker's API port: a 2 GiB chunked body,
a 1 MiB header line, 500 idle connections and a slow-loris crowd. Anyone who
reaches the port can do this without a token, so the worker must stay within
its stated memory bound (docs/operations.md) and /healthz must keep
answering throughout."""
from __future__ import annotations

import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from worker import Worker

# docs/operations.md: the API holds at most max_connections x (head + read
# buffer + body) = 256 x (16 + 4 + 64) KiB = 21 MiB of request data; the bound
# adds room for the server's own bookkeeping and the allocator.
RSS_BOUND_MIB = 48
TOKEN = "hostile-test-token"


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def healthz(url: str, timeout: float = 5) -> int:
    with urllib.request.urlopen(f"{url}/healthz", timeout=timeout) as resp:
        return resp.status


def connect(port: int, timeout: float = 10) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.settimeout(timeout)
    return s


def read_status(s: socket.socket) -> int:
    """The status code of the answer on `s`, or 0 if it closed without one."""
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    if not data.startswith(b"HTTP/1."):
        return 0
    return int(data.split(b" ", 2)[1])


@pytest.fixture
def worker(kafka, tmp_path):
    root = tmp_path / "archive"
    storage = f'[storage]\ntype = "local"\nroot = "{root}"\n'
    w = Worker(tmp_path, kafka.bootstrap, storage, api=True, token=TOKEN)
    w.start()
    port = int(w.api_url.rsplit(":", 1)[1])
    for _ in range(20):  # Warm the allocator and the server before measuring.
        assert healthz(w.api_url) == 200
    yield w, port
    w.close()


class Watch:
    """Polls /healthz and the worker's resident memory while an attack runs."""

    def __init__(self, url: str, pid: int):
        self.url, self.pid = url, pid
        self.answers, self.failures, self.peak_kib = 0, [], 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self.stop.is_set():
            self.peak_kib = max(self.peak_kib, rss_kib(self.pid))
            try:
                assert healthz(self.url) == 200
                self.answers += 1
            except Exception as e:  # noqa: BLE001 - every failure is reported.
                self.failures.append(repr(e))
            self.stop.wait(0.2)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=30)
        # The kernel's high-water mark catches a peak between two samples.
        self.peak_kib = max(self.peak_kib, rss_kib(self.pid, "VmHWM"))


def test_hostile_clients_cannot_grow_memory_or_silence_healthz(worker):
    w, port = worker
    pid = w.proc.pid
    baseline_kib = rss_kib(pid)

    with Watch(w.api_url, pid) as watch:
        # 1. A 2 GiB chunked body, without a token to /healthz and with one to
        # a route that reads bodies: the first is answered from the head, the
        # second refused at the body limit; neither is read to its end.
        chunk = b"x" * (1 << 20)
        frame = b"100000\r\n" + chunk + b"\r\n"
        for head in (
                b"POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n",
                b"PUT /v1/tasks/hostile HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Authorization: Bearer " + TOKEN.encode() + b"\r\n"
                b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"):
            s = connect(port)
            s.sendall(head)
            sent = 0
            try:
                while sent < 2048 * len(chunk):
                    s.sendall(frame)
                    sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError, socket.timeout):
                pass
            status = read_status(s)
            s.close()
            assert sent < 2048 * len(chunk), "the worker read a 2 GiB body to its end"
            assert status in (0, 405, 413), status

        # 2. A 1 MiB header line.
        s = connect(port)
        try:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Fill: " +
                      b"a" * (1 << 20) + b"\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        assert read_status(s) in (0, 431)
        s.close()

        # 3. 500 idle connections, held while /healthz is asked on new ones.
        idle = [connect(port) for _ in range(500)]
        for _ in range(10):
            assert healthz(w.api_url) == 200
        # 4. Slow loris: 300 clients sending one byte of a head per second, for
        # longer than the head timeout (10 s).
        loris = [connect(port) for _ in range(300)]
        closed_by_worker = 0
        started = time.monotonic()
        text = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"z" * 64
        step = 0
        while time.monotonic() - started < 14:
            for s in list(loris):
                try:
                    s.send(text[step % len(text):step % len(text) + 1])
                except OSError:
                    closed_by_worker += 1
                    loris.remove(s)
            step += 1
            time.sleep(1)
        for s in idle + loris:
            s.close()

    assert not watch.failures, f"/healthz failed during the attack: {watch.failures[:5]}"
    assert watch.answers >= 20, watch.answers
    assert closed_by_worker > 0, "the worker kept every slow-loris connection open"
    grown_mib = (watch.peak_kib - baseline_kib) / 1024
    assert grown_mib < RSS_BOUND_MIB, (
        f"RSS grew {grown_mib:.1f} MiB (baseline {baseline_kib // 1024} MiB, peak "
        f"{watch.peak_kib // 1024} MiB) during the attack")
    assert w.running()
    # Still serving the API proper.
    req = urllib.request.Request(f"{w.api_url}/v1/tasks",
                                 headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 200
    print(f"baseline {baseline_kib // 1024} MiB, peak {watch.peak_kib // 1024} MiB, "
          f"grew {grown_mib:.1f} MiB; healthz answered {watch.answers}x; "
          f"slow-loris connections closed by the worker: {closed_by_worker}")
