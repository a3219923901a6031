"""pytest harness for kafka2cos integration tests.

Session-scoped fixtures start real servers on 127.0.0.1 through the scripts in
scripts/ (install them first with `bash scripts/install-deps.sh`):

  kafka  single-node KRaft Apache Kafka (scripts/kafka-broker.sh)
  s3     SeaweedFS S3 gateway with SigV4 authentication (scripts/s3-server.sh)

Both are stopped when the session ends, also after failures, Ctrl-C or SIGTERM.

Helpers:
  kafka.bootstrap, kafka.env, kafka.create_topic(name, partitions, config=None),
  kafka.produce(topic, records), kafka.consume(topic, count), kafka.topic_id(name),
  kafka.restart()
  s3.endpoint, s3.region, s3.access_key/secret_key, s3.ro_access_key/ro_secret_key,
  s3.env, s3.client(), s3.readonly_client(), s3.create_bucket(name),
  s3.read_all(bucket, prefix), s3.restart()

WORKER_BIN is the kafka2cos binary under test: $K2C_BIN, or build/kafka2cos
in the repository root.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path
from typing import Iterable, Optional, Sequence

import boto3
import pytest
from botocore.config import Config
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicCollection
from confluent_kafka.admin import AdminClient, NewTopic

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPTS_DIR = REPO_ROOT / "scripts"
WORKER_BIN = Path(os.environ.get("K2C_BIN") or REPO_ROOT / "build" / "kafka2cos").resolve()

# Seconds allowed for a start script (it has its own 60 s readiness timeout,
# plus time for formatting storage or a graceful stop on restart).
_SCRIPT_TIMEOUT = 180


def parse_env_file(path: Path) -> dict[str, str]:
    """Parses KEY=VALUE lines (as written by the scripts) into a dict."""
    env: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        env[key.strip()] = value.strip()
    return env


def _run_script(script: str, action: str, workdir: Path, extra_env: Optional[dict] = None) -> None:
    env = dict(os.environ)
    env.update(extra_env or {})
    proc = subprocess.run(
        ["bash", str(SCRIPTS_DIR / script), action, str(workdir)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=_SCRIPT_TIMEOUT,
        env=env,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{script} {action} {workdir} failed ({proc.returncode}):\n{proc.stdout}")


def _timeout_env(prefix: str, timeout: Optional[int]) -> Optional[dict]:
    return {f"{prefix}_STOP_TIMEOUT": str(int(timeout))} if timeout is not None else None


def _as_bytes(v) -> Optional[bytes]:
    if v is None or isinstance(v, bytes):
        return v
    return str(v).encode()


class KafkaBroker:
    """A single-node Kafka broker run by scripts/kafka-broker.sh."""

    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        self.env: dict[str, str] = {}
        self.bootstrap: str = ""

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> None:
        _run_script("kafka-broker.sh", "start", self.workdir)
        self._load_env()

    def stop(self, timeout: Optional[int] = None) -> None:
        """SIGTERM, then SIGKILL after `timeout` s (script default: 30)."""
        _run_script("kafka-broker.sh", "stop", self.workdir, _timeout_env("KAFKA", timeout))

    def restart(self, stop_timeout: Optional[int] = None) -> None:
        """Stops and starts the broker on the same port and data."""
        _run_script("kafka-broker.sh", "restart", self.workdir, _timeout_env("KAFKA", stop_timeout))
        self._load_env()

    def _load_env(self) -> None:
        self.env = parse_env_file(self.workdir / "env")
        self.bootstrap = self.env["KAFKA_BOOTSTRAP"]

    # -- clients -----------------------------------------------------------
    def admin(self) -> AdminClient:
        return AdminClient({"bootstrap.servers": self.bootstrap})

    def producer(self, **conf) -> Producer:
        base = {"bootstrap.servers": self.bootstrap, "acks": "all", "linger.ms": 5}
        base.update(conf)
        return Producer(base)

    def consumer(self, group: Optional[str] = None, **conf) -> Consumer:
        base = {
            "bootstrap.servers": self.bootstrap,
            "group.id": group or f"k2c-test-{uuid.uuid4().hex[:8]}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
        base.update(conf)
        return Consumer(base)

    # -- helpers -----------------------------------------------------------
    def create_topic(self, name: str, partitions: int = 1, config: Optional[dict] = None,
                     timeout: float = 30) -> None:
        """Creates a topic and waits until every partition has a leader."""
        admin = self.admin()
        futures = admin.create_topics(
            [NewTopic(name, num_partitions=partitions, replication_factor=1, config=config or {})],
            operation_timeout=timeout, request_timeout=timeout)
        futures[name].result(timeout=timeout)
        deadline = time.monotonic() + timeout
        while True:
            md = admin.list_topics(topic=name, timeout=10).topics.get(name)
            if (md is not None and md.error is None and len(md.partitions) == partitions
                    and all(p.leader >= 0 for p in md.partitions.values())):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"topic {name} not ready: {md}")
            time.sleep(0.2)

    def produce(self, topic: str, records: Iterable[Sequence], timeout: float = 30,
                **producer_conf) -> list[tuple[int, int]]:
        """Produces records and waits until all are acknowledged.

        Each record is a tuple (partition, key, value[, headers[, timestamp_ms]]);
        key/value may be bytes, str or None; headers a list of (name, value)
        pairs or a dict. Returns the (partition, offset) of each record, in
        order. Raises if any record is not delivered.
        """
        producer = self.producer(**producer_conf)
        results: list = []
        errors: list = []

        def on_delivery(idx):
            def cb(err, msg):
                if err is not None:
                    errors.append((idx, err))
                else:
                    results[idx] = (msg.partition(), msg.offset())
            return cb

        for rec in records:
            partition, key, value, *rest = rec
            headers = rest[0] if len(rest) > 0 else None
            timestamp = rest[1] if len(rest) > 1 else None
            if isinstance(headers, dict):
                headers = list(headers.items())
            kwargs = {}
            if headers:
                kwargs["headers"] = [(h, _as_bytes(v)) for h, v in headers]
            if timestamp is not None:
                kwargs["timestamp"] = int(timestamp)
            results.append(None)
            producer.produce(topic, value=_as_bytes(value), key=_as_bytes(key),
                             partition=partition, on_delivery=on_delivery(len(results) - 1),
                             **kwargs)
            producer.poll(0)
        remaining = producer.flush(timeout)
        if remaining:
            raise TimeoutError(f"{remaining} record(s) to {topic} not delivered within {timeout}s")
        if errors:
            raise KafkaException(errors[0][1])
        if any(r is None for r in results):
            raise RuntimeError(f"missing delivery reports for {topic}")
        return results

    def consume(self, topic: str, count: int, timeout: float = 30, group: Optional[str] = None):
        """Reads `count` messages of `topic` from the beginning (new group by
        default). Returns confluent_kafka.Message objects; raises on timeout."""
        consumer = self.consumer(group)
        try:
            consumer.subscribe([topic])
            out = []
            deadline = time.monotonic() + timeout
            while len(out) < count:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"got {len(out)}/{count} messages from {topic}")
                msg = consumer.poll(0.5)
                if msg is None:
                    continue
                if msg.error():
                    if msg.error().code() == KafkaError._PARTITION_EOF:
                        continue
                    raise KafkaException(msg.error())
                out.append(msg)
            return out
        finally:
            consumer.close()

    def topic_id(self, name: str) -> Optional[str]:
        """The topic's Kafka UUID in Kafka's base64 form, or None if unknown."""
        admin = self.admin()
        try:
            fut = admin.describe_topics(TopicCollection([name]), request_timeout=10)[name]
            desc = fut.result(timeout=15)
        except (AttributeError, NotImplementedError):
            return None
        tid = getattr(desc, "topic_id", None)
        return str(tid) if tid is not None else None


class S3Server:
    """A SeaweedFS S3 gateway run by scripts/s3-server.sh."""

    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        self.env: dict[str, str] = {}

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> None:
        _run_script("s3-server.sh", "start", self.workdir)
        self._load_env()

    def stop(self, timeout: Optional[int] = None) -> None:
        """SIGTERM, then SIGKILL after `timeout` s (script default: 20; weed
        needs ~15 s to stop gracefully)."""
        _run_script("s3-server.sh", "stop", self.workdir, _timeout_env("S3", timeout))

    def restart(self, stop_timeout: Optional[int] = None) -> None:
        """Stops and starts the store with the same ports, data and keys.
        Returns once a new bucket can be written: after a restart that takes
        up to ~15 s more (SeaweedFS master warm-up)."""
        _run_script("s3-server.sh", "restart", self.workdir, _timeout_env("S3", stop_timeout))
        self._load_env()

    def _load_env(self) -> None:
        self.env = parse_env_file(self.workdir / "env")

    @property
    def endpoint(self) -> str:
        return self.env["S3_ENDPOINT"]

    @property
    def region(self) -> str:
        return self.env["S3_REGION"]

    @property
    def access_key(self) -> str:
        return self.env["S3_ACCESS_KEY"]

    @property
    def secret_key(self) -> str:
        return self.env["S3_SECRET_KEY"]

    @property
    def ro_access_key(self) -> str:
        return self.env["S3_RO_ACCESS_KEY"]

    @property
    def ro_secret_key(self) -> str:
        return self.env["S3_RO_SECRET_KEY"]

    # -- clients -----------------------------------------------------------
    def client(self, access_key: Optional[str] = None, secret_key: Optional[str] = None,
               **config):
        """boto3 S3 client: path-style addressing, SigV4, this store's region.
        Defaults to the admin identity."""
        cfg = {"signature_version": "s3v4", "s3": {"addressing_style": "path"},
               "retries": {"max_attempts": 2, "mode": "standard"}}
        cfg.update(config)
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id=access_key or self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            config=Config(**cfg),
        )

    def readonly_client(self):
        return self.client(self.ro_access_key, self.ro_secret_key)

    # -- helpers -----------------------------------------------------------
    def create_bucket(self, name: str) -> str:
        self.client().create_bucket(Bucket=name)
        return name

    def read_all(self, bucket: str, prefix: str = "",
                 manifests: bool = False) -> dict[str, bytes]:
        """Every object under `prefix` as {key: body}; the completeness
        manifests (`.../_manifests/`, docs/archive.md) only if `manifests`."""
        client = self.client()
        out: dict[str, bytes] = {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                if not manifests and "/_manifests/" in obj["Key"]:
                    continue
                out[obj["Key"]] = client.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
        return out


def _sigterm_as_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def _own_port_range():
    """With pytest-xdist, each worker starts its own broker and S3 server at
    the same time as the others: give each a slice of the servers' port
    range (scripts/lib/ports.sh) so two never pick the same free port."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if worker.startswith("gw") and count > 1:
        span = 12000 // count
        low = 20000 + int(worker[2:]) * span
        os.environ["K2C_PORT_RANGE"] = f"{low}-{low + span}"


_own_port_range()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "long_running(seconds): a test of a minute or more, with its usual time on "
        "a 4-worker run; see pytest_collection_modifyitems")


def pytest_collection_modifyitems(session, config, items):
    """Starts the long tests first, one per worker, so that a run with several
    pytest-xdist workers (scripts/test.sh: `-n 4 --maxschedchunk 1`) does not
    end waiting for a long test that started last. xdist hands each worker
    two consecutive tests at a time, so the order is long, short, long,
    short, ... (longest first), then the rest in file order."""
    def estimate(item):
        marker = item.get_closest_marker("long_running")
        return marker.kwargs.get("seconds", 60) if marker else 0

    longs = sorted((i for i in items if estimate(i) > 0), key=estimate, reverse=True)
    shorts = [i for i in items if estimate(i) == 0]
    ordered = []
    for long_test in longs:
        ordered.append(long_test)
        if shorts:
            ordered.append(shorts.pop(0))
    items[:] = ordered + shorts


def pytest_sessionstart(session):
    # A SIGTERM (e.g. from `timeout`) becomes a KeyboardInterrupt, so pytest
    # still runs fixture finalizers and the servers get stopped.
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _sigterm_as_interrupt)


@pytest.fixture(scope="session")
def kafka(tmp_path_factory) -> KafkaBroker:
    broker = KafkaBroker(tmp_path_factory.mktemp("kafka"))
    try:
        broker.start()
        yield broker
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def s3(tmp_path_factory) -> S3Server:
    server = S3Server(tmp_path_factory.mktemp("s3"))
    try:
        server.start()
        yield server
    finally:
        # The data is thrown away: no need to wait for weed's slow graceful stop.
        server.stop(timeout=5)


@pytest.fixture
def unique_name(request) -> str:
    """A short name unique to this test, valid as a topic and a bucket name."""
    base = "".join(c if c.isalnum() else "-" for c in request.node.name.lower()).strip("-")
    return f"{base[:40].rstrip('-')}-{uuid.uuid4().hex[:6]}"
