"""Checks that the integration-test infrastructure is real: a working Kafka
broker and an S3 store that really verifies SigV4 signatures and permissions.
These must fail if either server misbehaves (accepts bad credentials, drops
records, auto-creates topics or buckets, loses data over a restart, ...)."""

import base64
import urllib.error
import urllib.request

import pytest
from botocore import UNSIGNED
from botocore.exceptions import ClientError
from confluent_kafka import KafkaError


def _error(exc_info) -> tuple[str, int]:
    resp = exc_info.value.response
    return resp["Error"]["Code"], resp["ResponseMetadata"]["HTTPStatusCode"]


# --------------------------------------------------------------------------
# Kafka
# --------------------------------------------------------------------------

def test_kafka_listens_on_loopback(kafka):
    host, port = kafka.bootstrap.rsplit(":", 1)
    assert host == "127.0.0.1" and int(port) > 0


def test_kafka_produce_consume_round_trip(kafka, unique_name):
    kafka.create_topic(unique_name, partitions=3)
    records = []
    for i in range(30):
        headers = [("seq", str(i)), ("kind", b"\x00bin")] if i % 2 else None
        records.append((i % 3, f"key-{i}", f"value-{i}".encode(), headers, 1_700_000_000_000 + i))
    records.append((0, None, None))  # null key and value (a tombstone)
    records.append((1, b"", b""))  # empty, not null

    delivered = kafka.produce(unique_name, records)
    assert [p for p, _ in delivered] == [r[0] for r in records]
    # offsets are dense per partition, starting at 0
    for part in range(3):
        offs = [o for p, o in delivered if p == part]
        assert offs == list(range(len(offs)))

    msgs = kafka.consume(unique_name, len(records))
    got = {(m.partition(), m.offset()): m for m in msgs}
    assert len(got) == len(records)
    for rec, (part, off) in zip(records, delivered):
        m = got[(part, off)]
        key, value = rec[1], rec[2]
        assert m.key() == (key.encode() if isinstance(key, str) else key)
        assert m.value() == value
        headers = rec[3] if len(rec) > 3 else None
        if headers:
            assert m.headers() == [(h, v.encode() if isinstance(v, str) else v) for h, v in headers]
            assert m.timestamp()[1] == rec[4]
        else:
            assert not m.headers()


def test_kafka_topic_id(kafka, unique_name):
    kafka.create_topic(unique_name, partitions=1)
    tid = kafka.topic_id(unique_name)
    assert tid is not None
    assert len(base64.urlsafe_b64decode(tid + "==")) == 16
    assert tid != "AAAAAAAAAAAAAAAAAAAAAA"  # Kafka's ZERO_UUID
    assert kafka.topic_id(unique_name) == tid  # stable
    other = unique_name + "-b"
    kafka.create_topic(other, partitions=1)
    assert kafka.topic_id(other) != tid


def test_kafka_does_not_auto_create_topics(kafka, unique_name):
    md = kafka.admin().list_topics(topic=unique_name, timeout=10)
    t = md.topics[unique_name]
    assert t.error is not None and t.error.code() == KafkaError.UNKNOWN_TOPIC_OR_PART
    assert unique_name not in kafka.admin().list_topics(timeout=10).topics


# --------------------------------------------------------------------------
# S3
# --------------------------------------------------------------------------

def test_s3_listens_on_loopback(s3):
    assert s3.endpoint.startswith("http://127.0.0.1:")
    assert s3.region == "us-east-1"
    assert s3.access_key == "k2c-test-access"
    assert s3.ro_access_key == "k2c-readonly-access"
    assert len(s3.secret_key) >= 32 and s3.secret_key != s3.ro_secret_key


def test_s3_put_get_list(s3, unique_name):
    bucket = s3.create_bucket(unique_name)
    c = s3.client()
    c.put_object(Bucket=bucket, Key="a/1.txt", Body=b"one")
    c.put_object(Bucket=bucket, Key="a/2.bin", Body=bytes(range(256)) * 1000)
    c.put_object(Bucket=bucket, Key="b/3.txt", Body=b"")
    assert c.get_object(Bucket=bucket, Key="a/1.txt")["Body"].read() == b"one"
    assert s3.read_all(bucket, "a/") == {"a/1.txt": b"one", "a/2.bin": bytes(range(256)) * 1000}
    assert s3.read_all(bucket).keys() == {"a/1.txt", "a/2.bin", "b/3.txt"}
    with pytest.raises(ClientError) as e:
        c.get_object(Bucket=bucket, Key="a/missing")
    assert _error(e)[0] in ("NoSuchKey", "404")
    c.delete_object(Bucket=bucket, Key="b/3.txt")
    assert s3.read_all(bucket, "b/") == {}


def test_s3_multipart_upload(s3, unique_name):
    bucket = s3.create_bucket(unique_name)
    c = s3.client()
    part1, part2 = b"x" * (5 * 1024 * 1024), b"tail"
    up = c.create_multipart_upload(Bucket=bucket, Key="big")
    e1 = c.upload_part(Bucket=bucket, Key="big", UploadId=up["UploadId"], PartNumber=1, Body=part1)
    e2 = c.upload_part(Bucket=bucket, Key="big", UploadId=up["UploadId"], PartNumber=2, Body=part2)
    c.complete_multipart_upload(
        Bucket=bucket, Key="big", UploadId=up["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1["ETag"]},
                                   {"PartNumber": 2, "ETag": e2["ETag"]}]})
    assert c.get_object(Bucket=bucket, Key="big")["Body"].read() == part1 + part2


def test_s3_missing_bucket_is_not_auto_created(s3, unique_name):
    with pytest.raises(ClientError) as e:
        s3.client().put_object(Bucket=unique_name, Key="k", Body=b"v")
    assert _error(e) == ("NoSuchBucket", 404)
    names = [b["Name"] for b in s3.client().list_buckets()["Buckets"]]
    assert unique_name not in names


def test_s3_wrong_secret_is_rejected(s3, unique_name):
    bucket = s3.create_bucket(unique_name)
    s3.client().put_object(Bucket=bucket, Key="k", Body=b"v")
    bad = s3.client(s3.access_key, s3.secret_key[:-4] + "beef")
    for call in (lambda: bad.list_buckets(),
                 lambda: bad.get_object(Bucket=bucket, Key="k"),
                 lambda: bad.put_object(Bucket=bucket, Key="evil", Body=b"x")):
        with pytest.raises(ClientError) as e:
            call()
        assert _error(e) == ("SignatureDoesNotMatch", 403)
    assert s3.read_all(bucket) == {"k": b"v"}


def test_s3_unknown_access_key_is_rejected(s3, unique_name):
    bucket = s3.create_bucket(unique_name)
    bad = s3.client("AKIDNOTCONFIGURED000", s3.secret_key)
    with pytest.raises(ClientError) as e:
        bad.put_object(Bucket=bucket, Key="evil", Body=b"x")
    assert _error(e) == ("InvalidAccessKeyId", 403)


def test_s3_anonymous_requests_are_rejected(s3, unique_name):
    bucket = s3.create_bucket(unique_name)
    s3.client().put_object(Bucket=bucket, Key="k", Body=b"v")
    anon = s3.client(signature_version=UNSIGNED)
    for call in (lambda: anon.get_object(Bucket=bucket, Key="k"),
                 lambda: anon.put_object(Bucket=bucket, Key="evil", Body=b"x")):
        with pytest.raises(ClientError) as e:
            call()
        assert _error(e)[1] == 403
    with pytest.raises(urllib.error.HTTPError) as he:
        urllib.request.urlopen(f"{s3.endpoint}/{bucket}/k", timeout=10)
    assert he.value.code == 403
    assert s3.read_all(bucket) == {"k": b"v"}


def test_s3_readonly_identity_can_read_and_list_but_not_write(s3, unique_name):
    bucket = s3.create_bucket(unique_name)
    s3.client().put_object(Bucket=bucket, Key="data/k", Body=b"v")
    ro = s3.readonly_client()

    listed = ro.list_objects_v2(Bucket=bucket, Prefix="data/")
    assert [o["Key"] for o in listed["Contents"]] == ["data/k"]
    assert ro.get_object(Bucket=bucket, Key="data/k")["Body"].read() == b"v"

    for call in (lambda: ro.put_object(Bucket=bucket, Key="data/new", Body=b"x"),
                 lambda: ro.put_object(Bucket=bucket, Key="data/k", Body=b"overwrite"),
                 lambda: ro.delete_object(Bucket=bucket, Key="data/k"),
                 lambda: ro.create_multipart_upload(Bucket=bucket, Key="data/mp"),
                 lambda: ro.create_bucket(Bucket=unique_name + "-ro")):
        with pytest.raises(ClientError) as e:
            call()
        assert _error(e) == ("AccessDenied", 403)
    assert s3.read_all(bucket) == {"data/k": b"v"}


# --------------------------------------------------------------------------
# Restarts (used by fault-injection tests): same address, data and keys
# --------------------------------------------------------------------------


# Restarts of both servers (same port, data and keys) are exercised by
# test_faults_storage.py, mid-stream, with the worker running.
