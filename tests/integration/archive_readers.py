# Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
"""Decodes archive objects with readers kafka2cos did not write: Python's
gzip and json, the `zstandard` package, fastavro and pyarrow (DuckDB is
queried by the tests themselves). Every record comes back as a dict with the
envelope's fields, byte strings as bytes, so a test compares them with what
it produced."""
from __future__ import annotations

import base64
import gzip
import io
import json
import re

import fastavro
import pyarrow.parquet as pq
import zstandard

# <instance>/<topic>/<UTC window start>_p<partition>_o<first offset><ext>
OBJECT_KEY_RE = re.compile(
    r"^(?P<instance>[^/]+)/(?P<topic>[^/]+)/(?P<ts>\d{8}T\d{6}Z)_p(?P<partition>\d+)"
    r"_o(?P<offset>\d{20})(?P<ext>\.txt|\.jsonl|\.avro|\.parquet)(?P<comp>\.gz|\.zst)?$")

ENVELOPE_FIELDS = ["topic", "partition", "offset", "timestamp", "timestamp_type", "key", "value",
                   "headers"]


def uncompress(body: bytes, comp: str | None) -> bytes:
    """The bytes of a text or jsonl object, whatever its compression."""
    if comp == ".gz":
        return gzip.decompress(body)  # Reads every member.
    if comp == ".zst":
        # The objects are sequences of frames (docs/formats.md).
        return zstandard.ZstdDecompressor().stream_reader(
            io.BytesIO(body), read_across_frames=True).read()
    return body


def _jsonl_bytes(line: dict, name: str):
    value, encoding = line[name], line[f"{name}_encoding"]
    if value is None:
        assert encoding is None, line
        return None
    if encoding == "utf8":
        return value.encode("utf-8")
    assert encoding == "base64", line
    return base64.b64decode(value, validate=True)


def _from_jsonl_line(line: dict) -> dict:
    assert list(line) == ["topic", "partition", "offset", "timestamp", "timestamp_type", "key",
                          "key_encoding", "value", "value_encoding", "headers"], list(line)
    return {
        "topic": line["topic"], "partition": line["partition"], "offset": line["offset"],
        "timestamp": line["timestamp"], "timestamp_type": line["timestamp_type"],
        "key": _jsonl_bytes(line, "key"), "value": _jsonl_bytes(line, "value"),
        "headers": [(_jsonl_bytes(h, "key").decode("utf-8", "surrogateescape"),
                     _jsonl_bytes(h, "value")) for h in line["headers"]],
    }


def _timestamp_ms(ts):
    """fastavro and pyarrow give timestamp-millis as datetimes."""
    if ts is None:
        return None
    return round(ts.timestamp() * 1000)


def _from_binary_row(row: dict) -> dict:
    assert set(row) == set(ENVELOPE_FIELDS), sorted(row)
    return {
        "topic": row["topic"], "partition": row["partition"], "offset": row["offset"],
        "timestamp": _timestamp_ms(row["timestamp"]), "timestamp_type": row["timestamp_type"],
        "key": row["key"], "value": row["value"],
        "headers": [(h["key"], h["value"]) for h in row["headers"]],
    }


def decode_object(key: str, body: bytes) -> list[dict]:
    """The records of one object, in their order. `text` objects give only
    {"value": ...} per line (values must not contain the newline)."""
    m = OBJECT_KEY_RE.match(key)
    assert m, f"unexpected key {key!r}"
    ext, comp = m["ext"], m["comp"]
    if ext == ".txt":
        data = uncompress(body, comp)
        assert data == b"" or data.endswith(b"\n"), f"{key} does not end with the delimiter"
        return [{"value": v} for v in data.split(b"\n")[:-1]]
    if ext == ".jsonl":
        data = uncompress(body, comp)
        assert data == b"" or data.endswith(b"\n"), f"{key} does not end with a newline"
        return [_from_jsonl_line(json.loads(line)) for line in data.split(b"\n")[:-1]]
    if ext == ".avro":
        return [_from_binary_row(r) for r in fastavro.reader(io.BytesIO(body))]
    assert ext == ".parquet", key
    return [_from_binary_row(r) for r in pq.read_table(io.BytesIO(body)).to_pylist()]
