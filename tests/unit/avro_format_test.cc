// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "format/format.h"

namespace k2c {
namespace {

// The writer schema docs/formats.md promises, byte for byte as in headers.
constexpr std::string_view kSchemaJson =
    R"({"type":"record","name":"Record","namespace":"kafka2cos","fields":[)"
    R"({"name":"topic","type":"string"},)"
    R"({"name":"partition","type":"int"},)"
    R"({"name":"offset","type":"long"},)"
    R"({"name":"timestamp","type":["null",{"type":"long","logicalType":"timestamp-millis"}]},)"
    R"({"name":"timestamp_type","type":["null","string"]},)"
    R"({"name":"key","type":["null","bytes"]},)"
    R"({"name":"value","type":["null","bytes"]},)"
    R"({"name":"headers","type":{"type":"array","items":{"type":"record","name":"Header",)"
    R"("fields":[{"name":"key","type":"string"},{"name":"value","type":["null","bytes"]}]}}}]})";

const std::vector<std::string> kCompressions = {"deflate", "snappy", "none"};

// A record that owns its bytes, and the view of it a writer takes.
struct TestRecord {
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  TimestampType timestamp_type = TimestampType::kNone;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;

  std::vector<HeaderView> header_views;
  RecordView View() {
    header_views.clear();
    for (const auto& [k, v] : headers) {
      HeaderView h{k, std::nullopt};
      if (v.has_value()) h.value = *v;
      header_views.push_back(h);
    }
    RecordView view;
    view.partition = partition;
    view.offset = offset;
    view.timestamp_ms = timestamp_ms;
    view.timestamp_type = timestamp_type;
    if (key.has_value()) view.key = *key;
    if (value.has_value()) view.value = *value;
    view.headers = header_views;
    return view;
  }

  DecodedRecord Decoded(const std::string& topic) const {
    DecodedRecord d;
    d.topic = topic;
    d.partition = partition;
    d.offset = offset;
    d.timestamp_ms = timestamp_type == TimestampType::kNone ? -1 : timestamp_ms;
    d.timestamp_type = timestamp_type;
    d.key = key;
    d.value = value;
    for (const auto& [k, v] : headers) d.headers.push_back({k, v});
    return d;
  }
};

std::unique_ptr<Format> MakeAvro(const std::string& compression = "") {
  FormatSettings settings;
  settings.format = "avro";
  settings.compression = compression;
  auto format = MakeFormat(settings);
  EXPECT_TRUE(format.ok()) << format.status().ToString();
  return format.ok() ? std::move(*format) : nullptr;
}

// Writes `records` as one object; each call's output is one piece.
struct Written {
  std::string object;
  std::vector<std::string> pieces;
};

Written WriteObject(const Format& format, std::vector<TestRecord>& records, size_t flush_every = 0,
                    const std::string& topic = "orders") {
  Written w;
  auto writer = format.NewWriter(ObjectContext{topic, 0});
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  if (!writer.ok()) return w;
  const auto piece = [&w](std::string out) {
    w.object += out;
    w.pieces.push_back(std::move(out));
  };
  for (size_t i = 0; i < records.size(); ++i) {
    std::string out;
    bool kept = false;
    const Status s = (*writer)->Append(records[i].View(), &out, &kept);
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_TRUE(kept);
    piece(std::move(out));
    if (flush_every > 0 && (i + 1) % flush_every == 0) {
      std::string flushed;
      EXPECT_TRUE((*writer)->Flush(&flushed).ok());
      piece(std::move(flushed));
    }
  }
  std::string out;
  const Status s = (*writer)->Finish(&out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  piece(std::move(out));
  return w;
}

Status ReadAll(const Format& format, std::string_view object, std::vector<DecodedRecord>* out,
               ReadLimits limits = {}) {
  out->clear();
  return format.Read(object, limits, [out](const DecodedRecord& r) {
    out->push_back(r);
    return Status::Ok();
  });
}

// Every Kafka shape the envelope keeps apart.
std::vector<TestRecord> EdgeCaseRecords() {
  std::vector<TestRecord> records;
  TestRecord r;
  r.partition = 7;
  r.offset = 0;
  r.timestamp_ms = 1700000000123;
  r.timestamp_type = TimestampType::kCreate;
  r.key = "user-1";
  r.value = R"({"a":1})";
  r.headers = {{"trace", "abc"}, {"trace", std::nullopt}, {"dup", ""}, {"trace", "x"}};
  records.push_back(r);

  r = TestRecord();  // Null key and value (a tombstone), no timestamp.
  r.partition = 7;
  r.offset = 1;
  r.timestamp_ms = 0;
  records.push_back(r);

  r = TestRecord();  // Empty key and value, log-append time.
  r.partition = 7;
  r.offset = 2;
  r.timestamp_ms = 1;
  r.timestamp_type = TimestampType::kLogAppend;
  r.key = "";
  r.value = "";
  records.push_back(r);

  r = TestRecord();  // Binary: invalid UTF-8 and NUL bytes everywhere.
  r.partition = -1;
  r.offset = (int64_t{1} << 62) + 5;
  r.timestamp_ms = -5;
  r.timestamp_type = TimestampType::kCreate;
  r.key = std::string("\xff\x00\xfe", 3);
  r.value = std::string("\x00\x01\xc3\x28\x00", 5);
  r.headers = {{"bin", std::string("\x00\xff", 2)}, {"ü-ключ", std::string(1000, '\0')}};
  records.push_back(r);
  return records;
}

std::vector<TestRecord> SmallRecords(size_t n, size_t value_bytes = 40) {
  std::vector<TestRecord> records;
  std::mt19937 rng(42);
  for (size_t i = 0; i < n; ++i) {
    TestRecord r;
    r.partition = 3;
    r.offset = static_cast<int64_t>(1000 + i);
    r.timestamp_ms = 1700000000000 + static_cast<int64_t>(i);
    r.timestamp_type = TimestampType::kCreate;
    r.key = "k" + std::to_string(i % 97);
    std::string value(value_bytes, ' ');
    for (char& c : value) c = static_cast<char>('a' + rng() % 16);
    r.value = value;
    if (i % 5 == 0) r.headers = {{"h", std::to_string(i)}};
    records.push_back(std::move(r));
  }
  return records;
}

// How many blocks `object` has: its sync marker ends the header and each block.
size_t CountBlocks(const std::string& object, size_t header_size) {
  const std::string sync = object.substr(header_size - 16, 16);
  size_t count = 0;
  for (size_t pos = object.find(sync, header_size); pos != std::string::npos;
       pos = object.find(sync, pos + 1)) {
    ++count;
  }
  return count;
}

// The header alone: what a writer emits for an object with no records.
std::string HeaderOf(const Format& format) {
  auto writer = format.NewWriter(ObjectContext{"orders", 0});
  std::string out;
  EXPECT_TRUE((*writer)->Finish(&out).ok());
  return out;
}

void AppendLong(int64_t value, std::string* out) {
  uint64_t n = (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
  while (n >= 0x80) {
    out->push_back(static_cast<char>((n & 0x7F) | 0x80));
    n >>= 7;
  }
  out->push_back(static_cast<char>(n));
}

void AppendBytes(std::string_view bytes, std::string* out) {
  AppendLong(static_cast<int64_t>(bytes.size()), out);
  out->append(bytes);
}

// A header as another writer might write it.
std::string ForeignHeader(std::string_view schema, std::string_view codec = "null") {
  std::string h("Obj\x01", 4);
  AppendLong(2, &h);
  AppendBytes("avro.schema", &h);
  AppendBytes(schema, &h);
  AppendBytes("avro.codec", &h);
  AppendBytes(codec, &h);
  AppendLong(0, &h);
  h.append("0123456789abcdef");
  return h;
}

std::string Replace(std::string s, std::string_view from, std::string_view to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

class AvroFormatCodecTest : public testing::TestWithParam<std::string> {};

INSTANTIATE_TEST_SUITE_P(AvroCodecs, AvroFormatCodecTest, testing::ValuesIn(kCompressions),
                         [](const testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

TEST_P(AvroFormatCodecTest, RoundTripsEveryEnvelopeShape) {
  auto format = MakeAvro(GetParam());
  ASSERT_NE(format, nullptr);
  EXPECT_EQ(format->extension(), ".avro");
  std::vector<TestRecord> records = EdgeCaseRecords();
  const Written w = WriteObject(*format, records);
  std::vector<DecodedRecord> got;
  ASSERT_TRUE(ReadAll(*format, w.object, &got).ok());
  ASSERT_EQ(got.size(), records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(got[i], records[i].Decoded("orders")) << "record " << i;
  }
  // Kafka's header order and duplicate names survive.
  ASSERT_EQ(got[0].headers.size(), 4u);
  EXPECT_EQ(got[0].headers[1].key, "trace");
  EXPECT_FALSE(got[0].headers[1].value.has_value());
  EXPECT_EQ(got[0].headers[2].value, "");
  EXPECT_FALSE(got[1].key.has_value());
  EXPECT_FALSE(got[1].value.has_value());
  EXPECT_EQ(got[1].timestamp_ms, -1);
  EXPECT_EQ(got[2].key, "");
  EXPECT_EQ(got[2].value, "");
}

TEST_P(AvroFormatCodecTest, HeaderCarriesTheDocumentedSchemaAndCodec) {
  auto format = MakeAvro(GetParam());
  const std::string header = HeaderOf(*format);
  ASSERT_EQ(header.substr(0, 4), std::string("Obj\x01", 4));
  EXPECT_NE(header.find(kSchemaJson), std::string::npos);
  const std::string codec = GetParam() == "none" ? "null" : GetParam();
  std::string entry;
  AppendBytes("avro.codec", &entry);
  AppendBytes(codec, &entry);
  EXPECT_NE(header.find(entry), std::string::npos);
}

TEST_P(AvroFormatCodecTest, ManyRecordsCrossSeveralBlocks) {
  auto format = MakeAvro(GetParam());
  std::vector<TestRecord> records = SmallRecords(30000);  // About 2.4 MB encoded.
  const Written w = WriteObject(*format, records);
  EXPECT_GT(CountBlocks(w.object, HeaderOf(*format).size()), 5u);
  std::vector<DecodedRecord> got;
  ASSERT_TRUE(ReadAll(*format, w.object, &got).ok());
  ASSERT_EQ(got.size(), records.size());
  for (size_t i = 0; i < records.size(); i += 997) {
    EXPECT_EQ(got[i], records[i].Decoded("orders")) << "record " << i;
  }
  EXPECT_EQ(got.back(), records.back().Decoded("orders"));
}

TEST_P(AvroFormatCodecTest, TenMiBValueRoundTripsAndIsCharged) {
  auto format = MakeAvro(GetParam());
  std::vector<TestRecord> records = SmallRecords(3);
  std::string big(10 << 20, '\0');
  std::mt19937 rng(7);
  for (size_t i = 0; i < big.size(); i += 64) big[i] = static_cast<char>(rng());
  records[1].value = big;
  records[1].key = big.substr(0, 1 << 20);

  auto writer = format->NewWriter(ObjectContext{"orders", 0});
  ASSERT_TRUE(writer.ok());
  std::string object;
  bool kept = false;
  for (TestRecord& r : records) {
    ASSERT_TRUE((*writer)->Append(r.View(), &object, &kept).ok());
    // The block buffer's pages stay resident once the big record touched them.
    if (&r == &records[1]) {
      EXPECT_GE((*writer)->buffered_bytes(), big.size());
    }
  }
  EXPECT_LT((*writer)->buffered_bytes(), 2 * (big.size() + (1u << 20)) + (3u << 20));
  ASSERT_TRUE((*writer)->Finish(&object).ok());
  EXPECT_EQ((*writer)->buffered_bytes(), 0u);

  std::vector<DecodedRecord> got;
  ASSERT_TRUE(ReadAll(*format, object, &got).ok());
  ASSERT_EQ(got.size(), 3u);
  EXPECT_TRUE(got[1].value == big);
  EXPECT_EQ(got[2], records[2].Decoded("orders"));
}

TEST_P(AvroFormatCodecTest, ZeroRecordsIsStillAValidFile) {
  auto format = MakeAvro(GetParam());
  std::vector<TestRecord> none;
  const Written w = WriteObject(*format, none);
  EXPECT_FALSE(w.object.empty());
  std::vector<DecodedRecord> got;
  const Status s = ReadAll(*format, w.object, &got);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(got.empty());
}

TEST_P(AvroFormatCodecTest, PiecesOfEveryCallConcatenateToTheFile) {
  auto format = MakeAvro(GetParam());
  std::vector<TestRecord> records = SmallRecords(5000, 100);
  const Written w = WriteObject(*format, records, /*flush_every=*/700);
  ASSERT_GT(w.pieces.size(), records.size());
  // The header comes with the first call; calls that only buffer add nothing.
  EXPECT_EQ(w.pieces[0].substr(0, 4), std::string("Obj\x01", 4));
  size_t empty = 0;
  for (const std::string& piece : w.pieces) empty += piece.empty() ? 1 : 0;
  EXPECT_GT(empty, records.size() / 2);
  // Every call ends at a block boundary: each prefix is a complete file.
  std::string prefix;
  size_t previous = 0;
  for (const std::string& piece : w.pieces) {
    if (piece.empty()) continue;
    prefix += piece;
    std::vector<DecodedRecord> got;
    const Status s = ReadAll(*format, prefix, &got);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_GE(got.size(), previous);
    previous = got.size();
  }
  EXPECT_EQ(prefix, w.object);
  EXPECT_EQ(previous, records.size());
}

TEST_P(AvroFormatCodecTest, TruncatedObjectIsDataLoss) {
  auto format = MakeAvro(GetParam());
  std::vector<TestRecord> records = EdgeCaseRecords();
  for (TestRecord& r : SmallRecords(8)) records.push_back(r);
  const Written w = WriteObject(*format, records, /*flush_every=*/3);
  ASSERT_GT(w.object.size(), 1000u);
  std::vector<size_t> boundaries = {HeaderOf(*format).size()};
  size_t end = 0;
  for (const std::string& piece : w.pieces) boundaries.push_back(end += piece.size());
  for (size_t cut = 0; cut < w.object.size(); ++cut) {
    std::vector<DecodedRecord> got;
    const Status s = ReadAll(*format, std::string_view(w.object).substr(0, cut), &got);
    if (std::find(boundaries.begin(), boundaries.end(), cut) != boundaries.end()) {
      // Avro has no trailer: an object cut after a block reads as a shorter one.
      EXPECT_TRUE(s.ok()) << "cut at " << cut << ": " << s.ToString();
      continue;
    }
    ASSERT_EQ(s.code(), StatusCode::kDataLoss) << "cut at " << cut << ": " << s.ToString();
    EXPECT_NE(s.message().find("truncated"), std::string::npos) << s.message();
    EXPECT_TRUE(got.empty()) << "records visited before a truncation was found";
  }
}

TEST_P(AvroFormatCodecTest, CorruptBytesNeverCrashTheReader) {
  // A small in-process fuzz: every byte flipped, and random cuts and
  // splices. Run under ASan/UBSan this checks the reader's bounds.
  auto format = MakeAvro(GetParam());
  std::vector<TestRecord> records = EdgeCaseRecords();
  const Written w = WriteObject(*format, records, /*flush_every=*/2);
  ReadLimits limits;
  limits.max_decoded_bytes = 1 << 20;
  limits.max_record_bytes = 4096;
  const auto check = [&](const std::string& object) {
    size_t visited = 0;
    const Status s = format->Read(object, limits, [&visited](const DecodedRecord&) {
      ++visited;
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok() || s.code() == StatusCode::kInvalidArgument ||
                s.code() == StatusCode::kDataLoss || s.code() == StatusCode::kResourceExhausted)
        << s.ToString();
  };
  for (size_t i = 0; i < w.object.size(); ++i) {
    for (unsigned char mask : {0x01, 0x80, 0xFF}) {
      std::string mutated = w.object;
      mutated[i] = static_cast<char>(mutated[i] ^ mask);
      check(mutated);
    }
  }
  std::mt19937 rng(1234);
  for (int round = 0; round < 2000; ++round) {
    std::string mutated = w.object;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % mutated.size();
      switch (rng() % 3) {
        case 0:
          mutated[at] = static_cast<char>(rng());
          break;
        case 1:
          mutated.insert(at, 1 + rng() % 9, static_cast<char>(rng()));
          break;
        default:
          mutated.erase(at, 1 + rng() % 9);
          break;
      }
      if (mutated.empty()) mutated = "O";
    }
    check(mutated);
  }
}

TEST(AvroFormatTest, GarbageIsInvalidArgument) {
  auto format = MakeAvro();
  std::vector<DecodedRecord> got;
  for (std::string garbage : {std::string("hello, world"), std::string("PAR1\x15\x04", 6),
                              std::string("Obj\x02\x00\x00", 6), std::string(100, '\xff')}) {
    const Status s = ReadAll(*format, garbage, &got);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  }
  // A sync marker that is not the header's.
  std::vector<TestRecord> records = SmallRecords(10);
  Written w = WriteObject(*format, records);
  w.object[w.object.size() - 3] ^= 0x55;
  const Status s = ReadAll(*format, w.object, &got);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("sync marker"), std::string::npos) << s.message();
}

TEST(AvroFormatTest, UnknownCodecIsInvalidArgument) {
  auto format = MakeAvro();
  std::vector<DecodedRecord> got;
  const Status s = ReadAll(*format, ForeignHeader(kSchemaJson, "zstandard"), &got);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("zstandard"), std::string::npos) << s.message();
}

TEST(AvroFormatTest, ForeignSchemaIsInvalidArgumentNamingTheField) {
  auto format = MakeAvro();
  std::vector<DecodedRecord> got;
  const std::string wrong_type =
      Replace(std::string(kSchemaJson), R"("offset","type":"long")", R"("offset","type":"int")");
  Status s = ReadAll(*format, ForeignHeader(wrong_type), &got);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("field 3 is \"offset\" (int), expected \"offset\" (long)"),
            std::string::npos)
      << s.message();

  const std::string renamed =
      Replace(std::string(kSchemaJson), R"("name":"headers")", R"("name":"hdrs")");
  s = ReadAll(*format, ForeignHeader(renamed), &got);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("\"hdrs\""), std::string::npos) << s.message();

  const std::string fewer =
      Replace(std::string(kSchemaJson), R"({"name":"partition","type":"int"},)", "");
  s = ReadAll(*format, ForeignHeader(fewer), &got);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();

  s = ReadAll(*format, ForeignHeader(R"("string")"), &got);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("not a record"), std::string::npos) << s.message();

  s = ReadAll(*format, ForeignHeader(R"({"type":"record",)"), &got);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("JSON"), std::string::npos) << s.message();
}

TEST(AvroFormatTest, SameSchemaFromAnotherWriterIsAccepted) {
  // Another writer's spelling: whitespace, full names, no logical type,
  // primitive types as objects, extra attributes.
  const std::string schema = R"( {
    "type": "record", "name": "kafka2cos.Record", "doc": "from elsewhere", "fields": [
      {"name": "topic", "type": {"type": "string"}},
      {"name": "partition", "type": "int"},
      {"name": "offset", "type": "long"},
      {"name": "timestamp", "type": ["null", "long"], "default": null},
      {"name": "timestamp_type", "type": ["null", "string"]},
      {"name": "key", "type": ["null", "bytes"]},
      {"name": "value", "type": ["null", "bytes"]},
      {"name": "headers", "type": {"type": "array", "items": {"type": "record",
        "name": "kafka2cos.Header", "fields": [{"name": "key", "type": "string"},
        {"name": "value", "type": ["null", "bytes"]}]}}}]} )";
  auto format = MakeAvro();
  std::string object = ForeignHeader(schema);
  // One block of one record: topic "t", partition 1, offset 2, no
  // timestamp, no type, null key, value "v", no headers.
  std::string record;
  AppendBytes("t", &record);
  AppendLong(1, &record);
  AppendLong(2, &record);
  AppendLong(0, &record);
  AppendLong(0, &record);
  AppendLong(0, &record);
  AppendLong(1, &record);
  AppendBytes("v", &record);
  AppendLong(0, &record);
  AppendLong(1, &object);
  AppendBytes(record, &object);
  object += "0123456789abcdef";
  std::vector<DecodedRecord> got;
  const Status s = ReadAll(*format, object, &got);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].topic, "t");
  EXPECT_EQ(got[0].partition, 1);
  EXPECT_EQ(got[0].offset, 2);
  EXPECT_EQ(got[0].timestamp_ms, -1);
  EXPECT_EQ(got[0].value, "v");
}

// One record as another writer encodes it: no timestamp, null key, no
// headers.
std::string EncodeRecord(std::string_view topic, int64_t offset, std::string_view value) {
  std::string record;
  AppendBytes(topic, &record);
  AppendLong(0, &record);       // partition
  AppendLong(offset, &record);  // offset
  AppendLong(0, &record);       // timestamp: null
  AppendLong(0, &record);       // timestamp_type: null
  AppendLong(0, &record);       // key: null
  AppendLong(1, &record);       // value: bytes
  AppendBytes(value, &record);
  AppendLong(0, &record);  // headers: none
  return record;
}

void AppendBlock(int64_t records, std::string_view data, std::string* object) {
  AppendLong(records, object);
  AppendBytes(data, object);
  object->append("0123456789abcdef");
}

TEST(AvroFormatTest, ReadsDeflateBlocksWithTheTrailerPythonLeaves) {
  // Python's avro and fastavro store zlib.compress(block)[2:-1]: a raw
  // deflate stream followed by three bytes of the zlib trailer.
  auto format = MakeAvro();
  std::string object = ForeignHeader(kSchemaJson, "deflate");
  for (int block = 0; block < 3; ++block) {
    const std::string data = EncodeRecord("t", 2 * block, std::string(500, 'a' + block)) +
                             EncodeRecord("t", 2 * block + 1, "");
    std::string zlib(compressBound(data.size()), '\0');
    uLongf size = zlib.size();
    ASSERT_EQ(compress2(reinterpret_cast<Bytef*>(zlib.data()), &size,
                        reinterpret_cast<const Bytef*>(data.data()), data.size(), 6),
              Z_OK);
    AppendBlock(2, std::string_view(zlib).substr(2, size - 3), &object);
  }
  std::vector<DecodedRecord> got;
  const Status s = ReadAll(*format, object, &got);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(got[4].value, std::string(500, 'c'));
  EXPECT_EQ(got[5].offset, 5);
}

TEST(AvroFormatTest, ReadsEverySnappyElement) {
  const std::string topic(70, 't');  // Makes the first literal need a length byte.
  const std::string encoded = EncodeRecord(topic, 9, std::string(32, '?'));
  const std::string prefix = encoded.substr(0, encoded.size() - 32 - 1);  // Up to the value.
  // A literal (prefix + "abcdefgh"), a copy with a 4-byte offset, an
  // overlapping copy with a 1-byte offset (a run), a copy with a 2-byte
  // offset, and a literal for the headers' end.
  std::string body;
  std::string expect = prefix + "abcdefgh";
  body += static_cast<char>(60 << 2);
  body += static_cast<char>(expect.size() - 1);
  body += expect;
  body += static_cast<char>(((8 - 1) << 2) | 3);
  body += std::string("\x08\x00\x00\x00", 4);
  expect += expect.substr(expect.size() - 8, 8);
  body += static_cast<char>(((6 - 4) << 2) | 1);
  body += '\x01';
  for (int i = 0; i < 6; ++i) expect += expect.back();
  body += static_cast<char>(((10 - 1) << 2) | 2);
  body += std::string("\x10\x00", 2);
  expect += expect.substr(expect.size() - 16, 10);
  body += '\0';  // A literal of one byte (tag, then the byte): the headers' end.
  body += '\0';
  expect += '\0';

  std::string data;
  uint64_t n = expect.size();
  while (n >= 0x80) {
    data += static_cast<char>((n & 0x7F) | 0x80);
    n >>= 7;
  }
  data += static_cast<char>(n);
  data += body;
  const uint32_t crc = crc32(0, reinterpret_cast<const Bytef*>(expect.data()), expect.size());
  for (int shift = 24; shift >= 0; shift -= 8) data += static_cast<char>(crc >> shift);

  auto format = MakeAvro();
  std::string object = ForeignHeader(kSchemaJson, "snappy");
  AppendBlock(1, data, &object);
  std::vector<DecodedRecord> got;
  Status s = ReadAll(*format, object, &got);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].topic, topic);
  EXPECT_EQ(got[0].value, "abcdefghabcdefghhhhhhhghabcdefgh");
  EXPECT_EQ(got[0].value->size(), 32u);

  // The checksum is checked.
  object = ForeignHeader(kSchemaJson, "snappy");
  data.back() ^= 1;
  AppendBlock(1, data, &object);
  s = ReadAll(*format, object, &got);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("CRC"), std::string::npos) << s.message();
}

TEST(AvroFormatTest, TimestampAndItsTypeAreNullTogether) {
  auto format = MakeAvro();
  std::vector<DecodedRecord> got;
  for (bool has_time : {false, true}) {
    std::string record;
    AppendBytes("t", &record);
    AppendLong(0, &record);  // partition
    AppendLong(1, &record);  // offset
    AppendLong(has_time ? 1 : 0, &record);
    if (has_time) AppendLong(1700000000000, &record);
    AppendLong(has_time ? 0 : 1, &record);  // The type's branch disagrees.
    if (!has_time) AppendBytes("create", &record);
    AppendLong(0, &record);  // key
    AppendLong(0, &record);  // value
    AppendLong(0, &record);  // headers
    std::string object = ForeignHeader(kSchemaJson);
    AppendBlock(1, record, &object);
    const Status s = ReadAll(*format, object, &got);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
    EXPECT_NE(s.message().find("both null or both set"), std::string::npos) << s.message();
  }
}

TEST(AvroFormatTest, TopicAndHeaderKeysAreBoundedToo) {
  auto format = MakeAvro();
  std::vector<TestRecord> records = SmallRecords(3);
  records[1].headers = {{std::string(300, 'k'), "v"}};
  const Written w = WriteObject(*format, records, 0, std::string(200, 't'));
  std::vector<DecodedRecord> got;
  ReadLimits limits;
  limits.max_record_bytes = 250;
  Status s = ReadAll(*format, w.object, &got, limits);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.ToString();
  EXPECT_NE(s.message().find("header key"), std::string::npos) << s.message();
  limits.max_record_bytes = 150;
  s = ReadAll(*format, w.object, &got, limits);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.ToString();
  EXPECT_NE(s.message().find("topic"), std::string::npos) << s.message();
}

TEST(AvroFormatTest, HeaderKeyThatIsNotUtf8IsRefused) {
  auto format = MakeAvro();
  auto writer = format->NewWriter(ObjectContext{"orders", 4});
  ASSERT_TRUE(writer.ok());
  TestRecord r;
  r.partition = 4;
  r.offset = 99;
  r.value = "v";
  r.headers = {{"ok", "1"}, {std::string("\xc3\x28", 2), "2"}};
  std::string out;
  bool kept = true;
  const Status s = (*writer)->Append(r.View(), &out, &kept);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(kept);
  for (std::string_view part : {"offset 99", "partition 4", "not valid UTF-8", "\"jsonl\""}) {
    EXPECT_NE(s.message().find(part), std::string::npos) << s.message();
  }
  // Nothing was written for it: the object still holds the other records.
  r.headers.pop_back();
  ASSERT_TRUE((*writer)->Append(r.View(), &out, &kept).ok());
  ASSERT_TRUE((*writer)->Finish(&out).ok());
  std::vector<DecodedRecord> got;
  ASSERT_TRUE(ReadAll(*format, out, &got).ok());
  EXPECT_EQ(got.size(), 1u);
}

TEST(AvroFormatTest, ReadLimitsAreEnforced) {
  auto format = MakeAvro();
  std::vector<TestRecord> records = SmallRecords(100);
  records[50].value = std::string(5000, 'x');
  const Written w = WriteObject(*format, records);
  std::vector<DecodedRecord> got;
  ReadLimits limits;
  limits.max_record_bytes = 4999;
  Status s = ReadAll(*format, w.object, &got, limits);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.ToString();
  limits.max_record_bytes = 5000;
  EXPECT_TRUE(ReadAll(*format, w.object, &got, limits).ok());

  limits.max_decoded_bytes = 1000;
  s = ReadAll(*format, w.object, &got, limits);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.ToString();
}

TEST(AvroFormatTest, CompressionLevelIsRefused) {
  FormatSettings settings;
  settings.format = "avro";
  settings.compression_level = 6;
  auto format = MakeFormat(settings);
  ASSERT_FALSE(format.ok());
  EXPECT_EQ(format.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(format.status().message().find("compression_level"), std::string::npos);
}

TEST(AvroFormatTest, MemoryStaysBoundedWhileAppending50MiB) {
  for (const std::string& compression : kCompressions) {
    auto format = MakeAvro(compression);
    auto writer = format->NewWriter(ObjectContext{"orders", 0});
    ASSERT_TRUE(writer.ok());
    std::vector<TestRecord> records = SmallRecords(1000, 200);
    std::string object;
    uint64_t appended = 0;
    uint64_t peak = 0;
    bool kept = false;
    for (int round = 0; appended < (50u << 20); ++round) {
      for (TestRecord& r : records) {
        std::string out;
        ASSERT_TRUE((*writer)->Append(r.View(), &out, &kept).ok());
        appended += r.value->size() + r.key->size();
        object += out;
        peak = std::max(peak, (*writer)->buffered_bytes());
      }
    }
    // 200-byte records: the bound is about 2 MiB.
    EXPECT_LT(peak, (2u << 20) + 1000) << compression;
    EXPECT_GT(peak, 0u);
    // What the writer held was emitted as it went, not at the end.
    EXPECT_GT(object.size(), compression == "none" ? (50u << 20) : (10u << 20)) << compression;
    ASSERT_TRUE((*writer)->Finish(&object).ok());
    EXPECT_EQ((*writer)->buffered_bytes(), 0u);
  }
}

TEST(AvroFormatTest, WritersOnManyThreadsShareOneFormat) {
  auto format = MakeAvro();
  std::vector<std::string> objects(8);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < objects.size(); ++t) {
    threads.emplace_back([&format, &objects, t] {
      std::vector<TestRecord> records = SmallRecords(3000);
      for (TestRecord& r : records) r.partition = static_cast<int32_t>(t);
      objects[t] = WriteObject(*format, records, 0, "topic-" + std::to_string(t)).object;
    });
  }
  for (std::thread& t : threads) t.join();
  for (size_t t = 0; t < objects.size(); ++t) {
    std::vector<DecodedRecord> got;
    ASSERT_TRUE(ReadAll(*format, objects[t], &got).ok());
    ASSERT_EQ(got.size(), 3000u);
    EXPECT_EQ(got[17].topic, "topic-" + std::to_string(t));
    EXPECT_EQ(got[17].partition, static_cast<int32_t>(t));
  }
}

TEST(AvroFormatTest, WriterDestroyedUnfinishedDoesNotLeakOrWrite) {
  auto format = MakeAvro();
  std::vector<TestRecord> records = SmallRecords(10);
  auto writer = format->NewWriter(ObjectContext{"orders", 0});
  std::string out;
  bool kept = false;
  ASSERT_TRUE((*writer)->Append(records[0].View(), &out, &kept).ok());
  const std::string before = out;
  writer->reset();
  EXPECT_EQ(out, before);
}

TEST(AvroFormatTest, SixtyFourMiBValueRoundTrips) {
  auto format = MakeAvro();  // deflate
  std::vector<TestRecord> records = SmallRecords(2);
  std::string big(64 << 20, 'z');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>(i >> 12);
  records[0].value = big;
  const Written w = WriteObject(*format, records);
  std::vector<DecodedRecord> got;
  ASSERT_TRUE(ReadAll(*format, w.object, &got).ok());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[0].value == big);
  EXPECT_EQ(got[1], records[1].Decoded("orders"));
}

bool HaveFastavro() { return std::system("python3 -c 'import fastavro' >/dev/null 2>&1") == 0; }

void WriteFile(const std::string& path, std::string_view bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

TEST(AvroFormatTest, FastavroReadsWhatWeWriteAndWeReadWhatItWrites) {
  if (!HaveFastavro()) GTEST_SKIP() << "python3 with fastavro is not installed";
  const std::string dir = testing::TempDir() + "k2c_avro_" + std::to_string(::getpid()) + "_";
  const std::string script = dir + "check.py";
  WriteFile(script, R"(import datetime, json, sys, fastavro
mode, path = sys.argv[1], sys.argv[2]
if mode == "read":
    with open(path, "rb") as f:
        reader = fastavro.reader(f)
        records = list(reader)
        codec = reader.metadata.get("avro.codec", "null")
    assert codec == sys.argv[3], codec
    assert len(records) == int(sys.argv[4]), len(records)
    r = records[3]
    assert r["value"] == bytes.fromhex(sys.argv[5]), r["value"]
    assert r["key"] == b"\xff\x00\xfe", r["key"]
    assert r["headers"][0] == {"key": "bin", "value": b"\x00\xff"}, r["headers"]
    assert records[1]["value"] is None and records[1]["timestamp"] is None
    first = records[0]
    ts = first["timestamp"]
    assert round(ts.timestamp() * 1000) == 1700000000123, ts
    assert first["timestamp_type"] == "create"
    assert [h["key"] for h in first["headers"]] == ["trace", "trace", "dup", "trace"]
    assert first["headers"][1]["value"] is None
else:
    schema = fastavro.parse_schema(json.loads(open(sys.argv[3]).read()))
    records = [{"topic": "t", "partition": 3, "offset": i,
                "timestamp": 1700000000000 + i if i % 2 else None,
                "timestamp_type": "log_append" if i % 2 else None,
                "key": None if i % 3 == 0 else b"\x00\xff",
                "value": bytes([i % 256]) * (i % 300),
                "headers": [{"key": "h", "value": None}, {"key": "h", "value": b"2"}]}
               for i in range(5000)]
    with open(path, "wb") as f:
        fastavro.writer(f, schema, records, codec="deflate", sync_interval=8000)
)");
  for (const std::string codec : {"deflate", "none"}) {  // fastavro needs cramjam for snappy.
    auto format = MakeAvro(codec);
    std::vector<TestRecord> records = EdgeCaseRecords();
    for (TestRecord& r : SmallRecords(500)) records.push_back(r);
    const Written w = WriteObject(*format, records, 100);
    const std::string path = dir + codec + ".avro";
    WriteFile(path, w.object);
    std::string hex;
    for (unsigned char c : *records[3].value) {
      static constexpr char kHex[] = "0123456789abcdef";
      hex += kHex[c >> 4];
      hex += kHex[c & 0xF];
    }
    const std::string command = "python3 " + script + " read " + path + " " +
                                (codec == "none" ? "null" : codec) + " " +
                                std::to_string(records.size()) + " " + hex;
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    std::remove(path.c_str());
  }
  // An empty object too.
  {
    auto format = MakeAvro();
    const std::string path = dir + "empty.avro";
    WriteFile(path, HeaderOf(*format));
    const std::string command =
        "python3 -c 'import fastavro,sys; "
        "assert list(fastavro.reader(open(sys.argv[1], \"rb\"))) == []' " +
        path;
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    std::remove(path.c_str());
  }
  // And the other way round.
  const std::string schema_path = dir + "schema.json";
  const std::string path = dir + "fastavro.avro";
  WriteFile(schema_path, kSchemaJson);
  const std::string command = "python3 " + script + " write " + path + " " + schema_path;
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  std::ifstream f(path, std::ios::binary);
  std::stringstream bytes;
  bytes << f.rdbuf();
  auto format = MakeAvro();
  std::vector<DecodedRecord> got;
  const Status s = ReadAll(*format, bytes.str(), &got);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(got.size(), 5000u);
  EXPECT_EQ(got[7].timestamp_ms, 1700000000007);
  EXPECT_EQ(got[7].timestamp_type, TimestampType::kLogAppend);
  EXPECT_EQ(got[7].key, std::string("\x00\xff", 2));
  EXPECT_EQ(got[7].value, std::string(7, '\x07'));
  EXPECT_EQ(got[6].timestamp_ms, -1);
  EXPECT_FALSE(got[6].key.has_value());
  ASSERT_EQ(got[7].headers.size(), 2u);
  EXPECT_FALSE(got[7].headers[0].value.has_value());
  EXPECT_EQ(got[7].headers[1].value, "2");
  std::remove(path.c_str());
  std::remove(schema_path.c_str());
  std::remove(script.c_str());
}

}  // namespace
}  // namespace k2c
