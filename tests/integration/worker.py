# Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
"""Runs the kafka2cos binary under test: writes its config, starts, stops,
kills it, and reads its log."""
from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Optional

from conftest import WORKER_BIN


def toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def s3_storage_toml(s3, access_key: Optional[str] = None, secret_key: Optional[str] = None,
                    extra: str = "") -> str:
    return f"""
[storage]
type = "s3"
endpoint = {toml_str(s3.endpoint)}
region = {toml_str(s3.region)}
path_style = true
access_key_id = {toml_str(access_key or s3.access_key)}
secret_access_key = {toml_str(secret_key or s3.secret_key)}
part_size = "5MiB"
request_timeout = "20s"
{extra}
"""


def task_toml(topic: str, bucket: str, window: str = "2s", **extra) -> str:
    lines = [f"topic = {toml_str(topic)}", f"bucket = {toml_str(bucket)}",
             f"window = {toml_str(window)}"]
    for k, v in extra.items():
        lines.append(f"{k} = {toml_str(v) if isinstance(v, str) else v}")
    return "[[task]]\n" + "\n".join(lines) + "\n"


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return toml_str(str(v))


class Worker:
    """One kafka2cos process. Its log goes to `<workdir>/<name>-<n>.log` (n counts
    the starts of this object), its config to `<workdir>/kafka2cos.toml`
    (`kafka2cos-<name>.toml` for another name), so several Workers, e.g. of
    one consumer group, can share a directory when their names differ.

    `kafka_properties` adds (or overrides) entries of [kafka.properties].

    Tasks live in Kafka topics; every Worker of one test directory shares a
    pair named after that directory (`control_id`), so tests never see each
    other's tasks. `api=True` serves the API on a free port (`api_url`),
    `token` protects it."""

    def __init__(self, workdir: Path, bootstrap: str, storage: str, tasks: str = "",
                 sink: str = 'min_window = "1s"\nflush_grace = "1s"\n',
                 name: str = "worker", kafka_properties: Optional[dict] = None,
                 api: bool = False, token: Optional[str] = None,
                 control_id: Optional[str] = None, status_interval: str = "1s"):
        self.workdir = workdir
        self.name = name
        self.api_url: Optional[str] = None
        control_id = control_id or hashlib.sha1(str(workdir).encode()).hexdigest()[:12]
        self.tasks_topic = f"k2c-test-{control_id}-tasks"
        self.status_topic = f"k2c-test-{control_id}-status"
        control = (f"[control]\ntasks_topic = {toml_str(self.tasks_topic)}\n"
                   f"status_topic = {toml_str(self.status_topic)}\n"
                   f"worker_id = {toml_str(name)}\n"
                   f"status_interval = {toml_str(status_interval)}\n")
        if api:
            control += '[http]\nlisten = "127.0.0.1:0"\n'
            if token is not None:
                control += f"token = {toml_str(token)}\n"
        self.config = workdir / ("kafka2cos.toml" if name == "worker"
                                 else f"kafka2cos-{name}.toml")
        # A short session lets a restarted worker take over the partitions
        # of a killed one in seconds instead of librdkafka's default 45 s.
        props = {"topic.metadata.refresh.interval.ms": 5000, "session.timeout.ms": 6000,
                 "heartbeat.interval.ms": 1000}
        props.update(kafka_properties or {})
        props_toml = "".join(f"{toml_str(k)} = {toml_value(v)}\n" for k, v in props.items())
        self.config.write_text(
            f"[kafka]\nbootstrap_servers = {toml_str(bootstrap)}\n"
            f"[kafka.properties]\n{props_toml}"
            f"{storage}\n[sink]\n{sink}\n{control}\n{tasks}")
        self.proc: Optional[subprocess.Popen] = None
        self.runs = 0
        self.log_path: Optional[Path] = None

    def start(self, wait_assigned: int = 0, timeout: float = 60,
              wait_ready: bool = True) -> "Worker":
        """Starts the worker; with `wait_assigned` > 0, waits until that many
        partitions are assigned (so start=latest offsets are pinned). With an
        API, waits until it listens and, unless `wait_ready` is False, until
        the worker reached Kafka and its store (`event=worker_ready`): the
        /v1/ endpoints answer 503 before that."""
        assert WORKER_BIN.exists(), f"build the worker first: {WORKER_BIN} is missing"
        self.runs += 1
        self.log_path = self.workdir / f"{self.name}-{self.runs}.log"
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([str(WORKER_BIN), "run", "--config", str(self.config)],
                                     stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        log.close()
        if "[http]" in self.config.read_text():
            self.wait_for_log(r"event=api_listening", timeout=timeout)
            port = re.findall(r"event=api_listening address=127\.0\.0\.1:(\d+)", self.log())[-1]
            self.api_url = f"http://127.0.0.1:{port}"
            if wait_ready:
                self.wait_for_log(r"event=worker_ready", timeout=timeout)
        if wait_assigned:
            self.wait_for_log(r"event=partition_assigned", count=wait_assigned, timeout=timeout)
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def log_paths(self) -> list[Path]:
        """The logs of every start of this Worker, oldest first."""
        return [self.workdir / f"{self.name}-{n}.log" for n in range(1, self.runs + 1)
                if (self.workdir / f"{self.name}-{n}.log").exists()]

    def all_logs(self) -> str:
        """Every `<name>-<n>.log` in the directory (also those of an earlier
        Worker object of the same name), in start order."""
        paths = self.workdir.glob(f"{self.name}-*.log")
        runs = [(int(m[1]), p) for p in paths
                if (m := re.fullmatch(rf"{re.escape(self.name)}-(\d+)\.log", p.name))]
        return "".join(p.read_text(errors="replace") for _, p in sorted(runs))

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_for_log(self, pattern: str, count: int = 1, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(re.findall(pattern, self.log())) >= count:
                return
            if self.proc and self.proc.poll() is not None:
                raise AssertionError(
                    f"worker exited with {self.proc.returncode} while waiting for "
                    f"{pattern!r}:\n{self.log()}")
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {count}x {pattern!r} in log:\n{self.log()}")

    def wait_exit(self, timeout: float = 60) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout=timeout)

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM and wait for a clean exit."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)

    def kill9(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def close(self) -> None:
        """For finalizers: never leaves a process behind."""
        try:
            self.stop(timeout=30)
        except Exception:
            self.kill9()
