# Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
"""Combined faults (issue 10): the scenarios of the independent chaos run,
end to end against the real broker and SeaweedFS.

1. Chaos: three workers of one task, twelve `kill -9` and restarts, the
   store behind one FaultProxy that first resets every connection, then
   answers slowly, then normally; a broker restart; one worker frozen
   (SIGSTOP) past its session timeout. Afterwards every partition is
   committed up to its end and the bucket holds every record exactly once.
   Also checked: after the freeze, each partition that a worker is given
   shows an object within a bound (the chaos run found partitions assigned
   with nothing written for 134 s), and a worker started while the store
   resets connections stays up, not ready, and archives once the store
   answers (it used to exit at start with code 3).
2. Zombie writer: a worker frozen past its session timeout while its upload
   is held in flight by its proxy; another worker takes the partitions over
   and moves on. When the frozen one wakes, its late create must not
   overwrite or duplicate anything (objects are created with
   `If-None-Match: *`).

Random choices use K2C_FAULT_SEED like test_faults_workers.py; each test
appends its numbers to $K2C_RELIABILITY_REPORT (archive_check.report).
"""
from __future__ import annotations

import contextlib
import os
import re
import signal
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from confluent_kafka import TopicPartition
import pytest

from archive_check import (assert_exactly_once, cluster_id, count_exactly_once, is_manifest,
                           is_probe, report, wait_until_complete)
from faultproxy import FaultProxy
from test_api import api
from test_faults_storage import Stream, s3_port, storage_toml
# `workers` and `producers` are fixtures: imported so that pytest finds them here.
from test_faults_workers import (SEED, StreamProducer, create_ready_topic,  # noqa: F401
                                 current_assignment, kill_after_next_object, objects_written,
                                 producers, rng_for, wait_until, workers)
from worker import Worker, task_toml

# --------------------------------------------------------------------------
# Log and group helpers
# --------------------------------------------------------------------------

_PARTITION_EVENT_RE = re.compile(
    r"^(?P<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z) level=\w+ "
    r"event=(?P<event>partition_assigned|partition_revoked|object_written|object_adopted) "
    r"[^\n]*?\bpartition=(?P<partition>\d+)", re.M)
_OBJECT_RANGE_RE = re.compile(
    r"event=(?:object_written|object_adopted) [^\n]*?\bpartition=(\d+) first_offset=(\d+)")


def log_time(ts: str) -> float:
    """Wall-clock seconds of a worker log timestamp (UTC, `...T23:52:20.678Z`)."""
    return datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=timezone.utc).timestamp()


def partition_events(log: str) -> list[tuple[float, str, int]]:
    """(wall time, event, partition) of the assigned / revoked / written /
    adopted lines of one log, in order."""
    return [(log_time(m["ts"]), m["event"], int(m["partition"]))
            for m in _PARTITION_EVENT_RE.finditer(log)]


def lines_since(log: str, since: float, pattern: str) -> list[str]:
    """Timestamped lines matching `pattern` logged at or after wall time `since`."""
    out = []
    for line in log.splitlines():
        ts = line.split(" ", 1)[0]
        if re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+Z", ts) and log_time(ts) >= since \
                and re.search(pattern, line):
            out.append(line)
    return out


def stalled_assignments(runs, since: float, until: float, bound: float) -> tuple[list, int]:
    """Finds assignments that archived nothing for `bound` seconds.

    `runs` yields (label, log, end): one worker run's log and the wall time
    it was killed or stopped (None: still running). Every partition_assigned
    logged in [since, until) is followed to the first object_written /
    object_adopted of that partition in the same run. It is a stall if no
    such line came within `bound` s although the run held the partition (no
    revoke, not killed) for `bound` s before `until` (the producer's stop:
    records kept coming all that time). Returns (stalls, assignments that
    were held long enough to judge)."""
    stalls, judged = [], 0
    for label, log, end in runs:
        horizon = until if end is None else min(until, end)
        events = partition_events(log)
        for i, (t, event, p) in enumerate(events):
            if event != "partition_assigned" or not since <= t < until:
                continue
            held_until, progress = horizon, None
            for t2, e2, p2 in events[i + 1:]:
                if p2 != p:
                    continue
                if e2 in ("object_written", "object_adopted"):
                    progress = t2
                else:  # Revoked (or assigned again): this assignment ended.
                    held_until = min(held_until, t2)
                break
            if progress is not None and progress - t <= bound:
                judged += 1
            elif min(held_until, progress or held_until) - t >= bound:
                judged += 1
                first = "never" if progress is None else f"{progress - t:.1f}s later"
                stalls.append(f"{label}: partition {p} assigned at "
                              f"{datetime.fromtimestamp(t, timezone.utc):%H:%M:%S.%f}Z, "
                              f"first object {first}")
    return stalls, judged


def new_task(kafka, s3, name: str, partitions: int) -> tuple[str, str, str, str, str]:
    """A topic and a bucket named `name`; returns (topic, bucket, instance,
    the task's key prefix, its consumer group as TaskGroupId names it)."""
    create_ready_topic(kafka, name, partitions)
    bucket = s3.create_bucket(name)
    instance = cluster_id(kafka)
    return name, bucket, instance, f"{instance}/{name}/", f"kafka2cos.{instance}.{name}"


def committed_and_end(kafka, group: str, topic: str, partitions: int) -> dict[int, tuple]:
    """{partition: (committed offset of `group`, high watermark)}. Reading the
    group's offsets does not join it."""
    consumer = kafka.consumer(group)
    try:
        tps = consumer.committed([TopicPartition(topic, p) for p in range(partitions)],
                                 timeout=10)
        return {tp.partition: (tp.offset, consumer.get_watermark_offsets(
            TopicPartition(topic, tp.partition), timeout=10)[1]) for tp in tps}
    finally:
        consumer.close()


def wait_caught_up(kafka, group: str, topic: str, partitions: int, timeout: float) -> dict:
    """Polls until every partition's committed offset equals its end offset,
    at most `timeout` s; returns the last {partition: (committed, end)}
    (the caller asserts)."""
    deadline = time.monotonic() + timeout
    while True:
        offsets = committed_and_end(kafka, group, topic, partitions)
        if all(c == e for c, e in offsets.values()) or time.monotonic() > deadline:
            return offsets
        time.sleep(1)


def held_by(members: list[Worker]) -> dict[str, set[int]]:
    """Partitions each running worker holds according to its current log."""
    return {w.name: current_assignment(w.log()) for w in members if w.running()}


def settled(members: list[Worker], partitions: int) -> bool:
    """Every partition held by exactly one running worker, and every running
    worker holds at least one."""
    held = held_by(members)
    return (len(held) == len(members) and all(held.values())
            and sum(len(h) for h in held.values()) == partitions
            and set().union(*held.values()) == set(range(partitions)))


def readyz(worker: Worker) -> tuple:
    """(HTTP status, reason) of the worker's /readyz, or ("down", error)."""
    try:
        status, body = api(f"{worker.api_url}/readyz", timeout=3)
        return status, body.get("reason", "")
    except OSError as e:
        return "down", str(e)


# --------------------------------------------------------------------------
# 1. Chaos
# --------------------------------------------------------------------------

PARTITIONS = 8
RATE = 300              # records/s over all partitions: ~37/s each, objects every window
WINDOW = "3s"
KILLS = 12
# A shortish session (librdkafka's default is 45 s, the broker's minimum 6 s)
# keeps the test bounded: a killed member holds its partitions until it
# expires, so each kill costs about this much. The freeze is 1.8x the
# session, surely past it (the chaos run froze a worker for 60 s with the
# default session; what matters is being expelled, not for how long).
SESSION_TIMEOUT_MS = 10_000
FREEZE_S = 18
RESET_S = 10            # the store resets every connection for at least this long...
RESET_AFTER_RESTART_S = 6   # ...and this long after the worker restarted into it
LATENCY_MS = 300
# Normally a partition shows its first object ~window + flush_grace (4 s)
# after it is assigned (at once for a backlog). 20 s is 5x that and far below
# the 134 s stall of the chaos run.
PROGRESS_BOUND_S = 20
SETTLE_S = 60           # for the group to settle after the last kill (10 s session + joins)
CATCH_UP_S = 60         # for the committed offsets to reach the end once producing stops


class Chaos:
    """The three workers of the chaos test and what was done to them.

    Kills pick a running worker at random among the least killed so far,
    except the frozen one (watched after its freeze, never killed) and a
    worker `spared` because its current run was started while the store
    reset connections (it must get partitions in that run). A killed worker
    is restarted at once. `ended` keeps the wall time each run's log ended
    (killed or stopped), for the stall analysis. Unexpected exits go to
    `findings`."""

    def __init__(self, rng, members: list[Worker], findings: list[str]):
        self.rng, self.members, self.findings = rng, members, findings
        self.kills: list[tuple[str, str, str]] = []  # (phase, worker, mode)
        self.ended: dict[Path, float] = {}
        self.frozen: Optional[Worker] = None
        self.spared: dict[str, Path] = {}  # worker name -> log of its run started in the outage
        self.restarts_after_exit: list[str] = []

    def kill_count(self, w: Worker) -> int:
        return sum(1 for _, name, _ in self.kills if name == w.name)

    def update_spared(self) -> None:
        """Ends the protection of spared runs that got a partition."""
        for name, path in list(self.spared.items()):
            if "event=partition_assigned" in path.read_text(errors="replace"):
                del self.spared[name]

    def victims(self) -> list[Worker]:
        self.update_spared()
        return [w for w in self.members
                if w.running() and w is not self.frozen and w.name not in self.spared]

    def revive(self, phase: str) -> None:
        """Restarts a worker that exited by itself (always a finding: kills
        are followed by a restart at once)."""
        for w in self.members:
            if w.proc is not None and w.proc.poll() is not None:
                error = re.findall(r"event=(?:start_failed|worker_failed)[^\n]*", w.log())
                self.findings.append(f"{phase}: worker {w.name} exited by itself with code "
                                     f"{w.proc.returncode}: {error[-1:]}")
                self.ended[w.log_path] = time.time()
                self.restarts_after_exit.append(w.name)
                w.start(timeout=60, wait_ready=False)

    def kill_and_restart(self, phase: str, wait: float = 60) -> Optional[Worker]:
        """One `kill -9` ("timed": now; "after_object": at the victim's next
        object_written line, i.e. likely between upload and commit) and a
        restart. Waits at most `wait` s for a worker that may be killed."""
        self.revive(phase)
        deadline = time.monotonic() + wait
        while not (candidates := self.victims()):
            if time.monotonic() > deadline:
                self.findings.append(f"{phase}: no worker could be killed for {wait:.0f}s "
                                     f"(frozen {self.frozen and self.frozen.name}, "
                                     f"spared {sorted(self.spared)})")
                return None
            time.sleep(0.5)
        fewest = min(self.kill_count(w) for w in candidates)
        victim = self.rng.choice([w for w in candidates if self.kill_count(w) == fewest])
        mode = self.rng.choice(("timed", "after_object"))
        if mode == "after_object":
            if not kill_after_next_object(victim, timeout=4):
                mode = "after_object_timeout"
        else:
            victim.kill9()
        self.ended[victim.log_path] = time.time()
        self.kills.append((phase, victim.name, mode))
        time.sleep(self.rng.uniform(0.2, 1.0))
        victim.start(timeout=60, wait_ready=False)
        return victim

    def kill_series(self, phase: str, n: int, gap: tuple[float, float] = (1.5, 4.0)) -> None:
        for _ in range(n):
            time.sleep(self.rng.uniform(*gap))
            self.kill_and_restart(phase)

    def freeze(self, worker: Worker) -> None:
        self.frozen = worker
        os.kill(worker.proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        """SIGCONT for the frozen worker (idempotent; also the finalizer, so
        that no stopped process is left behind)."""
        if self.frozen is not None and self.frozen.running():
            os.kill(self.frozen.proc.pid, signal.SIGCONT)

    def runs(self):
        """(label, log, end) of every run of every worker, for stalled_assignments."""
        for w in self.members:
            for path in w.log_paths():
                yield path.name, path.read_text(errors="replace"), self.ended.get(path)


@pytest.mark.long_running(seconds=220)
def test_chaos_kills_rebalances_storage_outage_broker_restart_and_freeze(
        kafka, s3, unique_name, tmp_path, workers):
    """The chaos run of issue 10, section 0, shortened to stay bounded.

    Phases, all while ~300 records/s keep coming into 8 partitions:
    warm-up (every worker holds partitions and objects are written); the
    store resets every connection for >= 10 s, and one worker is killed and
    restarted into that outage; the store answers with 300 ms latency per
    request, 4 kills, a broker restart, 2 kills; one worker holding
    partitions is frozen for 18 s (session 10 s) with one kill of another
    worker meanwhile; SIGCONT and the store passes through; 4 more kills
    (never the frozen worker); the group settles and archives normally for
    20 s more. Then the producer stops.

    Checked: (a) every partition's committed offset reaches its end within
    60 s; (b) the bucket holds every record exactly once; (c) after the
    freeze, every assignment held for 20 s showed an object within 20 s;
    (d) the worker started during the outage stayed up, /readyz answered 503
    with a reason meanwhile, and it got partitions afterwards; (e) no worker
    exited by itself, the frozen one was expelled from the group (lost=true
    after SIGCONT), all stop cleanly. Findings of (a), (c), (d), (e) are
    collected and asserted together at the end, after report(), so one run
    shows all of them."""
    rng = rng_for("combined-chaos")
    t0 = time.monotonic()
    topic, bucket, instance, prefix, group = new_task(kafka, s3, unique_name, PARTITIONS)
    findings: list[str] = []
    phases: dict[str, float] = {}

    with contextlib.ExitStack() as stack:
        proxy = stack.enter_context(FaultProxy(s3_port(s3)))
        # 5 s per request: the 300 ms latency is no timeout, a reset fails fast.
        storage = storage_toml(proxy.endpoint, s3, request_timeout="5s")
        members = [Worker(tmp_path, kafka.bootstrap, storage,
                          task_toml(topic, bucket, window=WINDOW, start="earliest"), name=n,
                          api=True, kafka_properties={"session.timeout.ms": SESSION_TIMEOUT_MS})
                   for n in ("a", "b", "c")]
        workers.extend(members)
        chaos = Chaos(rng, members, findings)
        # Unwound in reverse: SIGCONT, then the store answers, then the
        # workers stop (before the proxy closes), then the stream.
        for w in members:
            stack.callback(w.close)
        stack.callback(proxy.passthrough)
        stack.callback(chaos.thaw)

        # -- warm-up ---------------------------------------------------------
        for w in members:
            w.start(timeout=60)
        wait_until(lambda: settled(members, PARTITIONS), 60, "every worker to hold partitions")
        stream = Stream(kafka, topic, partitions=PARTITIONS, rate=RATE)
        stack.callback(stream.close)
        stream.start()
        wait_until(lambda: sum(len(objects_written(w.log())) for w in members) >= PARTITIONS,
                   30, "the first objects")
        phases["warm_up"] = round(time.monotonic() - t0, 1)

        # -- the store resets every connection; a worker restarts into it ------
        resets_before = proxy.stats().get("reset_accept", 0)
        reset_start = time.monotonic()
        proxy.reset("accept")
        time.sleep(rng.uniform(0.5, 2.0))
        survivor = chaos.kill_and_restart("store_resetting")
        survivor_run, survivor_log = survivor.runs, survivor.log_path
        chaos.spared[survivor.name] = survivor_log
        ready_seen: list = []
        hold_until = max(reset_start + RESET_S, time.monotonic() + RESET_AFTER_RESTART_S)
        while time.monotonic() < hold_until:
            if survivor.runs == survivor_run and survivor.running():
                ready_seen.append(readyz(survivor))
            time.sleep(0.5)
        resets = proxy.stats().get("reset_accept", 0) - resets_before
        proxy.latency(LATENCY_MS)
        phases["store_resetting"] = round(time.monotonic() - reset_start, 1)

        # (d) The survivor must still run; not ready meanwhile, with a reason.
        if survivor.runs == survivor_run and not survivor.running():
            error = re.findall(r"event=start_failed[^\n]*", survivor.log())
            findings.append(
                f"worker {survivor.name}, restarted while the store reset connections, exited "
                f"with code {survivor.proc.returncode} instead of waiting: {error[-1:]}")
            chaos.spared.pop(survivor.name, None)
            chaos.ended[survivor.log_path] = time.time()
            survivor.start(timeout=60, wait_ready=False)  # The chaos goes on.
        elif not any(s == 503 and reason for s, reason in ready_seen):
            findings.append(f"worker {survivor.name} during the store outage: /readyz never "
                            f"answered 503 with a reason: {ready_seen[:5]}")

        # -- 300 ms per request, kills, a broker restart, kills ---------------
        latency_start = time.monotonic()
        chaos.kill_series("store_slow", 4)
        t = time.monotonic()
        kafka.restart()
        phases["broker_restart"] = round(time.monotonic() - t, 1)
        chaos.kill_series("store_slow_after_broker_restart", 2)

        # -- one worker frozen past its session timeout -----------------------
        chaos.revive("before_freeze")
        deadline = time.monotonic() + 45
        while True:
            holding = [w for w in chaos.victims() if current_assignment(w.log())]
            if holding or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        frozen = rng.choice(holding or chaos.victims())
        frozen_held = sorted(current_assignment(frozen.log()))
        freeze_start = time.monotonic()
        chaos.freeze(frozen)
        time.sleep(rng.uniform(3, 8))
        chaos.kill_and_restart("during_freeze")
        time.sleep(max(0.0, FREEZE_S - (time.monotonic() - freeze_start)))
        chaos.thaw()
        thawed_at = time.time()
        proxy.passthrough()
        phases["store_slow_and_freeze"] = round(time.monotonic() - latency_start, 1)

        # -- passthrough, the last kills, the group settles --------------------
        chaos.kill_series("after_freeze", KILLS - len(chaos.kills))
        last_kill = time.monotonic()
        chaos.revive("settling")
        try:
            wait_until(lambda: settled(members, PARTITIONS), SETTLE_S,
                       "every running worker to hold partitions after the last kill")
            # Run normally for one progress bound, so that the final
            # assignments can be judged by stalled_assignments.
            time.sleep(PROGRESS_BOUND_S + 2)
        except AssertionError as e:
            findings.append(f"{e}: held {held_by(members)}")
        chaos.update_spared()
        if chaos.spared:
            findings.append(f"worker(s) {sorted(chaos.spared)} started during the store outage "
                            f"never got a partition: {held_by(members)}")
        phases["settle"] = round(time.monotonic() - last_kill, 1)

        # -- stop producing; checks --------------------------------------------
        positions = stream.stop()
        stopped_at = time.time()
        offsets = wait_caught_up(kafka, group, topic, PARTITIONS, CATCH_UP_S)
        behind = {p: o for p, o in offsets.items() if o[0] != o[1]}
        if behind:
            findings.append(f"committed offsets not at the end {CATCH_UP_S}s after the producer "
                            f"stopped, {{partition: (committed, end)}}: {behind}")
        objects, result = wait_until_complete(
            lambda: s3.read_all(bucket, prefix),
            lambda objs: count_exactly_once(objs, positions, instance, topic), timeout=30)
        exit_codes = {}
        for w in members:
            exit_codes[w.name] = w.stop(timeout=60)
            chaos.ended[w.log_path] = time.time()
        if any(exit_codes.values()):
            findings.append(f"exit codes of the final SIGTERM: {exit_codes}")
        objects = s3.read_all(bucket, prefix)
        result = count_exactly_once(objects, positions, instance, topic)

    # (c) after the freeze: every assignment archived within the bound.
    stalls, judged = stalled_assignments(chaos.runs(), thawed_at, stopped_at, PROGRESS_BOUND_S)
    if stalls:
        findings.append(f"{len(stalls)} assignment(s) after the freeze wrote nothing for "
                        f"{PROGRESS_BOUND_S}s: {stalls[:8]}")
    frozen_log = frozen.log_paths()[-1].read_text(errors="replace")
    frozen_lost = lines_since(frozen_log, thawed_at - 1, r"event=partition_revoked .*lost=true")
    if frozen_held and not frozen_lost:
        findings.append(f"the frozen worker {frozen.name} did not report its partitions lost "
                        f"after SIGCONT (was the session timeout exceeded?)")
    logs = {w.name: w.all_logs() for w in members}
    report("combined.chaos", seed=SEED, records=result["records"], lost=result["lost"],
           duplicated=result["duplicated"], problems=len(result["problems"]),
           objects=result["objects"], probes=result["probes"], kills=len(chaos.kills),
           kill_modes=dict(Counter(m for *_, m in chaos.kills)),
           kills_per_worker=dict(Counter(n for _, n, _ in chaos.kills)),
           restarts_after_exit=chaos.restarts_after_exit,
           survivor=survivor.name, survivor_readyz=sorted(set(map(str, ready_seen)))[:4],
           store_resets=resets, frozen=frozen.name, frozen_held=frozen_held,
           frozen_lost_lines=len(frozen_lost), freeze_s=FREEZE_S,
           session_timeout_s=SESSION_TIMEOUT_MS // 1000,
           assignments_judged_after_freeze=judged, stalls=len(stalls),
           partitions_lost=sum(len(re.findall(r"event=partition_revoked [^\n]*lost=true", g))
                               for g in logs.values()),
           commit_failed=sum(g.count("event=commit_failed") for g in logs.values()),
           upload_failed=sum(g.count("event=upload_failed") for g in logs.values()),
           objects_adopted=sum(g.count("event=object_adopted") for g in logs.values()),
           objects_written={n: g.count("event=object_written") for n, g in logs.items()},
           offsets=offsets, exit_codes=exit_codes, phases_s=phases, findings=findings,
           proxy=proxy.stats(), duration_s=round(time.monotonic() - t0, 1))
    assert_exactly_once(result, f"chaos, {len(chaos.kills)} kills, seed {SEED}")
    assert not findings, "\n".join(findings)
    assert len(chaos.kills) == KILLS and resets > 0, (len(chaos.kills), resets)


# --------------------------------------------------------------------------
# 2. Zombie writer
# --------------------------------------------------------------------------

ZOMBIE_PARTITIONS = 2
# The proxy holds each of A's requests this long before forwarding it. It
# must outlast A's session timeout (6 s, Worker's default) plus B's start,
# join and first objects (~2-4 s), so that A's held create reaches the store
# after B has published the same range.
HOLD_MS = 15_000
A_MIN_RUN_AFTER_THAW_S = 5


def _b_past(log: str, marks: dict[int, int]) -> bool:
    """True once the log shows, for every partition, an object written or
    adopted that starts at or after `marks[partition]`."""
    firsts: dict[int, int] = {}
    for p, first in _OBJECT_RANGE_RE.findall(log):
        firsts[int(p)] = max(firsts.get(int(p), -1), int(first))
    return all(firsts.get(p, -1) >= m for p, m in marks.items())


def object_versions(client, bucket: str, prefix: str) -> dict[str, tuple]:
    """{key: (ETag, LastModified, kafka2cos-writer metadata, body)} of every
    object but write probes: an overwrite changes LastModified and the
    writer even when it writes the same bytes."""
    out = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for o in page.get("Contents", []):
            if is_probe(o["Key"]) or is_manifest(o["Key"]):
                continue
            got = client.get_object(Bucket=bucket, Key=o["Key"])
            out[o["Key"]] = (got["ETag"], got["LastModified"],
                             got.get("Metadata", {}).get("kafka2cos-writer"), got["Body"].read())
    return out


def test_zombie_writer_frozen_during_upload_is_fenced(kafka, s3, unique_name, tmp_path, workers,
                                                      producers):
    """Worker A (through its own FaultProxy) archives 2 partitions with 2 s
    windows. Once it wrote objects, its proxy holds every request 15 s;
    when A's next upload is held, A is frozen (SIGSTOP). Worker B (same task,
    so same group; S3 directly) joins, gets both partitions after A's 6 s
    session expires, and publishes objects past everything A could have had
    in flight (first offset >= the end offsets at the freeze). Every object
    is snapshotted (ETag, LastModified, writer metadata, body); then A's
    proxy passes through and A gets SIGCONT. Its held create reaches the
    store after B's object at the same key and must be refused (create-only);
    A may adopt, fail or lose the partition, but not overwrite. After A ran
    past the hold, the producer stops; checked: 0 lost, 0 duplicated, every
    snapshotted object unchanged (B's among them), and A never reports
    writing one of B's keys."""
    t0 = time.monotonic()
    topic, bucket, instance, prefix, group = new_task(kafka, s3, unique_name, ZOMBIE_PARTITIONS)
    tasks = task_toml(topic, bucket, window="2s")

    with contextlib.ExitStack() as stack:
        proxy_a = stack.enter_context(FaultProxy(s3_port(s3)))
        # 30 s per request: A's client must keep waiting for the held answer
        # (its timer runs on while it is frozen).
        a = Worker(tmp_path, kafka.bootstrap,
                   storage_toml(proxy_a.endpoint, s3, request_timeout="30s"), tasks, name="a")
        b = Worker(tmp_path, kafka.bootstrap, storage_toml(s3.endpoint, s3, request_timeout="10s"),
                   tasks, name="b")
        workers.extend([a, b])
        stack.callback(b.close)
        stack.callback(a.close)
        stack.callback(proxy_a.passthrough)
        stack.callback(lambda: a.running() and os.kill(a.proc.pid, signal.SIGCONT))

        a.start(wait_assigned=ZOMBIE_PARTITIONS)
        stream = StreamProducer(kafka, topic, ZOMBIE_PARTITIONS, "zw", rate=100).start()
        producers.append(stream)
        a.wait_for_log(r"event=object_written", count=ZOMBIE_PARTITIONS, timeout=30)

        # A's next upload is held in flight, then A freezes.
        delayed = proxy_a.stats().get("delayed", 0)
        proxy_a.latency(HOLD_MS)
        wait_until(lambda: proxy_a.stats().get("delayed", 0) > delayed, 15,
                   "A's next upload to be held by its proxy", interval=0.05)
        held_at = time.monotonic()
        os.kill(a.proc.pid, signal.SIGSTOP)
        frozen_at = time.monotonic()
        a_before = a.log()
        a_keys_before = set(objects_written(a_before))
        marks = {p: e for p, (_, e) in
                 committed_and_end(kafka, group, topic, ZOMBIE_PARTITIONS).items()}

        # B takes over and moves past A's in-flight range.
        b.start()
        b.wait_for_log(r"event=partition_assigned", count=ZOMBIE_PARTITIONS, timeout=45)
        b_assigned_s = round(time.monotonic() - frozen_at, 1)
        wait_until(lambda: _b_past(b.log(), marks), 45,
                   f"B to publish objects starting at or after {marks}")
        b_past_s = round(time.monotonic() - frozen_at, 1)
        b_keys = set(objects_written(b.log()))
        snapshot = object_versions(s3.client(), bucket, prefix)

        # A wakes up, its store reachable again, its held create on its way.
        proxy_a.passthrough()
        thawed_at = time.time()
        os.kill(a.proc.pid, signal.SIGCONT)
        thawed = time.monotonic()
        held_create_after_b = b_past_s < HOLD_MS / 1000 - (frozen_at - held_at)
        time.sleep(max(A_MIN_RUN_AFTER_THAW_S, held_at + HOLD_MS / 1000 + 3 - thawed))
        stream.stop()
        positions = stream.positions
        objects, result = wait_until_complete(
            lambda: s3.read_all(bucket, prefix),
            lambda objs: count_exactly_once(objs, positions, instance, topic), timeout=60)
        offsets = wait_caught_up(kafka, group, topic, ZOMBIE_PARTITIONS, 30)
        a_running_after = a.running()
        codes = {"a": a.stop(timeout=60), "b": b.stop(timeout=60)}
        final = object_versions(s3.client(), bucket, prefix)
        result = count_exactly_once({k: v[3] for k, v in final.items()}, positions, instance,
                                    topic)

    a_log = a.log()
    a_after = lines_since(a_log, thawed_at - 1, r"event=(partition_revoked|object_written|"
                          r"object_adopted|upload_failed|partition_blocked|commit_failed)")
    a_written_after = set(objects_written(a_log)) - a_keys_before
    changed = sorted(k for k, v in snapshot.items() if final.get(k) != v)
    not_b = sorted(k for k in b_keys if snapshot.get(k, (None,) * 4)[2] != "b")
    unsupported = [n for n, w in (("a", a), ("b", b))
                   if "event=create_only_unsupported" in w.all_logs()]
    report("combined.zombie_writer", records=result["records"], lost=result["lost"],
           duplicated=result["duplicated"], problems=len(result["problems"]),
           objects=result["objects"], b_objects=len(b_keys), snapshot_objects=len(snapshot),
           changed_after_thaw=changed, hold_s=HOLD_MS / 1000, b_assigned_s=b_assigned_s,
           b_past_s=b_past_s, held_create_after_b=held_create_after_b,
           a_objects_after_thaw=len(a_written_after),
           a_adopted_after_thaw=sum("object_adopted" in line for line in a_after),
           a_lost_after_thaw=sum("lost=true" in line for line in a_after),
           a_after_thaw=[re.sub(r"^\S+ level=\w+ ", "", line)[:200] for line in a_after[:12]],
           a_running_after=a_running_after, offsets=offsets, exit_codes=codes,
           proxy_a=proxy_a.stats(), duration_s=round(time.monotonic() - t0, 1))
    assert not unsupported, f"the store did not honour create-only writes ({unsupported})"
    assert_exactly_once(result, "zombie writer")
    assert not changed, f"objects changed after A woke up: {changed}"
    assert not not_b, f"B's logged objects with another writer's metadata: {not_b}"
    assert not a_written_after & b_keys, f"A reports writing B's keys: {a_written_after & b_keys}"
    assert all(c == e for c, e in offsets.values()), f"not committed to the end: {offsets}"
    assert a_running_after and codes == {"a": 0, "b": 0}, (a_running_after, codes)
