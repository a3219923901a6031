// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include <arrow/api.h>
#include <arrow/io/memory.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <malloc.h>
#include <parquet/arrow/writer.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "format/format.h"

namespace k2c {
namespace {

using ::testing::HasSubstr;

// A record that owns its bytes, and the RecordView over them.
struct TestRecord {
  int32_t partition = 3;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  TimestampType timestamp_type = TimestampType::kNone;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<DecodedHeader> headers;
  std::vector<HeaderView> header_views;

  RecordView View() {
    header_views.clear();
    for (const DecodedHeader& h : headers) {
      header_views.push_back(
          {h.key, h.value ? std::optional<std::string_view>(*h.value) : std::nullopt});
    }
    RecordView view;
    view.partition = partition;
    view.offset = offset;
    view.timestamp_ms = timestamp_ms;
    view.timestamp_type = timestamp_type;
    if (key) view.key = *key;
    if (value) view.value = *value;
    view.headers = header_views;
    return view;
  }

  DecodedRecord Decoded(const std::string& topic) const {
    DecodedRecord d;
    d.topic = topic;
    d.partition = partition;
    d.offset = offset;
    d.timestamp_type = timestamp_type;
    d.timestamp_ms = timestamp_type == TimestampType::kNone ? -1 : timestamp_ms;
    d.key = key;
    d.value = value;
    d.headers = headers;
    return d;
  }
};

std::unique_ptr<Format> Parquet(const std::string& compression = "", int level = 0,
                                uint64_t row_group_bytes = 16ull << 20) {
  FormatSettings settings;
  settings.format = "parquet";
  settings.compression = compression;
  settings.compression_level = level;
  settings.row_group_bytes = row_group_bytes;
  auto format = MakeFormat(settings);
  EXPECT_TRUE(format.ok()) << format.status().ToString();
  return format.ok() ? std::move(*format) : nullptr;
}

const ObjectContext kContext{"orders", 3};

// Writes `records` as one object, the concatenation of every call's output;
// `flush_every` > 0 calls Flush after that many records.
std::string WriteObject(const Format& format, std::vector<TestRecord>& records,
                        size_t flush_every = 0) {
  auto writer = format.NewWriter(kContext);
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  std::string object;
  for (size_t i = 0; i < records.size(); ++i) {
    std::string out;
    bool kept = false;
    Status s = (*writer)->Append(records[i].View(), &out, &kept);
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_TRUE(kept);
    object += out;
    if (flush_every > 0 && (i + 1) % flush_every == 0) {
      out.clear();
      s = (*writer)->Flush(&out);
      EXPECT_TRUE(s.ok()) << s.ToString();
      object += out;
    }
  }
  std::string out;
  Status s = (*writer)->Finish(&out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return object + out;
}

Result<std::vector<DecodedRecord>> ReadObject(const Format& format, std::string_view object,
                                              const ReadLimits& limits = {}) {
  std::vector<DecodedRecord> records;
  Status s = format.Read(object, limits, [&](const DecodedRecord& r) {
    records.push_back(r);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return records;
}

std::shared_ptr<parquet::FileMetaData> Metadata(const std::string& object) {
  auto reader = parquet::ParquetFileReader::Open(
      std::make_shared<arrow::io::BufferReader>(arrow::Buffer::FromString(object)));
  return reader->metadata();
}

// Every kind of record the envelope must keep apart.
std::vector<TestRecord> MixedRecords() {
  std::vector<TestRecord> records;
  auto add = [&](TestRecord r) {
    r.offset = 100 + static_cast<int64_t>(records.size());
    records.push_back(std::move(r));
  };
  TestRecord r;
  r.timestamp_type = TimestampType::kCreate;
  r.timestamp_ms = 1764662400123;
  r.key = "k";
  r.value = "v";
  add(r);
  // Null key and value (a tombstone), no timestamp.
  add(TestRecord{});
  // Empty key and value, log append time.
  r = TestRecord{};
  r.timestamp_type = TimestampType::kLogAppend;
  r.timestamp_ms = 1;
  r.key = "";
  r.value = "";
  add(r);
  // Binary: invalid UTF-8 and NULs.
  r = TestRecord{};
  r.key = std::string("\xff\xfe\x00k", 4);
  r.value = std::string("\x00\x01\x80\xc3\x28", 5);
  add(r);
  // Headers: order, duplicates, a null value, an empty value, binary value.
  r = TestRecord{};
  r.value = "with headers";
  r.headers = {{"b", "1"},
               {"a", std::nullopt},
               {"b", "2"},
               {"", ""},
               {"caf\xc3\xa9", std::string("\xff\x00", 2)}};
  add(r);
  // A timestamp of 0 with a type is kept as 0 (only kNone means none).
  r = TestRecord{};
  r.timestamp_type = TimestampType::kCreate;
  r.timestamp_ms = 0;
  r.value = "epoch";
  r.headers = {{"only", "one"}};
  add(r);
  return records;
}

TEST(ParquetFormat, Info) {
  auto format = Parquet();
  ASSERT_NE(format, nullptr);
  EXPECT_EQ(format->extension(), ".parquet");
  EXPECT_EQ(format->compression(), "zstd");
}

// Whether HeapInUse() sees the heap: AddressSanitizer replaces malloc, and
// glibc's mallinfo2 then reports nothing.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kHeapMeasurable = false;
#else
constexpr bool kHeapMeasurable = true;
#endif

// Bytes malloc has handed out and not taken back (all arenas and mmaps).
uint64_t HeapInUse() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

// First of the tests that use much memory: the Arrow pool's peak it reports
// is process-wide, and only meaningful before the others raised it.
TEST(ParquetFormat, MemoryStaysWithinOneRowGroup) {
  constexpr uint64_t kRowGroup = 4 << 20;
  constexpr size_t kRecords = 100 << 10;  // 100 MiB of 1 KiB records.
  auto format = Parquet("zstd", 0, kRowGroup);
  auto writer = format->NewWriter(kContext);
  ASSERT_TRUE(writer.ok());
  std::mt19937_64 random(1);
  TestRecord r;
  r.key = std::string(16, 'k');
  r.value = std::string(1000, 'v');
  r.headers = {{"trace", std::string(8, 't')}};
  r.timestamp_type = TimestampType::kCreate;

  // Reserved, so that their growth does not blur the heap figures.
  std::string object;
  object.reserve(120 << 20);
  std::string out;
  out.reserve(8 << 20);
  const uint64_t heap_before = HeapInUse();
  const int64_t pool_before = arrow::default_memory_pool()->bytes_allocated();
  const int64_t arrow_peak_before = arrow::system_memory_pool()->max_memory();
  uint64_t max_buffered = 0;
  uint64_t max_held = 0;  // Measured: heap the writer holds between calls.
  size_t calls_with_output = 0;
  for (size_t i = 0; i < kRecords; ++i) {
    r.offset = static_cast<int64_t>(i);
    r.timestamp_ms = 1700000000000 + static_cast<int64_t>(i);
    // Half random: pages compress, but not to nothing.
    for (size_t j = 0; j < 500; j += 8) {
      const uint64_t word = random();
      std::memcpy(r.value->data() + j, &word, 8);
    }
    out.clear();
    bool kept = false;
    ASSERT_TRUE((*writer)->Append(r.View(), &out, &kept).ok());
    if (!out.empty()) ++calls_with_output;
    object += out;
    const uint64_t buffered = (*writer)->buffered_bytes();
    max_buffered = std::max(max_buffered, buffered);
    ASSERT_LE(buffered, 2 * kRowGroup) << "after record " << i;
    if (i % 97 == 0) {
      const uint64_t held = HeapInUse() - heap_before;
      max_held = std::max(max_held, held);
      // buffered_bytes() does not understate what the writer holds.
      ASSERT_LE(held, buffered + buffered / 8 + (64 << 10)) << "after record " << i;
      ASSERT_EQ(arrow::default_memory_pool()->bytes_allocated(), pool_before);
    }
  }
  const size_t before_finish = object.size();
  out.clear();
  ASSERT_TRUE((*writer)->Finish(&out).ok());
  object += out;
  // The Parquet writer's own buffers (pages, compression) while it writes
  // a row group: freed by the end of the call, but part of the peak. The
  // pool's peak is process-wide: only meaningful if this test raised it.
  const int64_t arrow_peak = arrow::system_memory_pool()->max_memory();
  std::printf(
      "[ memory ] 100 MiB of 1 KiB records, 4 MiB row groups: max buffered_bytes %.2f MiB, "
      "max measured heap between calls %.2f MiB, peak Arrow buffers during a cut %s%.2f MiB, "
      "%zu calls emitted output, object %.1f MiB (%.1f MiB before Finish)\n",
      max_buffered / 1048576.0, max_held / 1048576.0,
      arrow_peak > arrow_peak_before ? "" : "<= ", arrow_peak / 1048576.0, calls_with_output,
      object.size() / 1048576.0, before_finish / 1048576.0);
  EXPECT_GE(calls_with_output, 20u);
  EXPECT_GT(before_finish, object.size() * 9 / 10);
  EXPECT_GT(max_buffered, kRowGroup);  // It does hold about one row group.

  auto metadata = Metadata(object);
  EXPECT_EQ(metadata->num_rows(), static_cast<int64_t>(kRecords));
  EXPECT_GE(metadata->num_row_groups(), 20);
  size_t count = 0;
  int64_t last = -1;
  ASSERT_TRUE(format
                  ->Read(object, ReadLimits{},
                         [&](const DecodedRecord& d) {
                           if (d.offset != last + 1 || d.value->size() != 1000) {
                             return Status::Internal("unexpected record");
                           }
                           last = d.offset;
                           ++count;
                           return Status::Ok();
                         })
                  .ok());
  EXPECT_EQ(count, kRecords);
}

TEST(ParquetFormat, RoundTripsEveryKindOfRecordWithEveryCompression) {
  for (const auto& [compression, level, codec] :
       std::vector<std::tuple<std::string, int, parquet::Compression::type>>{
           {"", 0, parquet::Compression::ZSTD},
           {"zstd", 19, parquet::Compression::ZSTD},
           {"snappy", 0, parquet::Compression::SNAPPY},
           {"gzip", 0, parquet::Compression::GZIP},
           {"gzip", 9, parquet::Compression::GZIP},
           {"none", 0, parquet::Compression::UNCOMPRESSED}}) {
    SCOPED_TRACE(compression + " " + std::to_string(level));
    auto format = Parquet(compression, level);
    ASSERT_NE(format, nullptr);
    std::vector<TestRecord> records = MixedRecords();
    const std::string object = WriteObject(*format, records);
    auto read = ReadObject(*format, object);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    ASSERT_EQ(read->size(), records.size());
    for (size_t i = 0; i < records.size(); ++i) {
      EXPECT_EQ((*read)[i], records[i].Decoded("orders")) << "record " << i;
    }
    auto metadata = Metadata(object);
    ASSERT_EQ(metadata->num_row_groups(), 1);
    for (int c = 0; c < metadata->num_columns(); ++c) {
      EXPECT_EQ(metadata->RowGroup(0)->ColumnChunk(c)->compression(), codec);
    }
  }
}

TEST(ParquetFormat, ConcatenatedCallOutputsAreOneFileWithSeveralRowGroups) {
  // 64 KiB row groups (the smallest allowed) of ~1 KiB records.
  auto format = Parquet("zstd", 0, 64 << 10);
  ASSERT_NE(format, nullptr);
  std::vector<TestRecord> records(500);
  for (size_t i = 0; i < records.size(); ++i) {
    records[i].offset = static_cast<int64_t>(i);
    records[i].timestamp_type = TimestampType::kCreate;
    records[i].timestamp_ms = 1700000000000 + static_cast<int64_t>(i);
    records[i].value = std::string(1000, static_cast<char>('a' + i % 26));
    records[i].headers = {{"i", std::to_string(i)}};
  }
  auto writer = format->NewWriter(kContext);
  ASSERT_TRUE(writer.ok());
  std::string object;
  size_t calls_with_output = 0;
  for (TestRecord& r : records) {
    std::string out;
    bool kept = false;
    ASSERT_TRUE((*writer)->Append(r.View(), &out, &kept).ok());
    if (!out.empty()) ++calls_with_output;
    if (object.empty() && !out.empty()) {
      EXPECT_EQ(out.substr(0, 4), "PAR1");
    }
    object += out;
  }
  const size_t before_finish = object.size();
  EXPECT_GT(calls_with_output, 5u);  // Row groups went out as they were cut.
  std::string out;
  ASSERT_TRUE((*writer)->Finish(&out).ok());
  object += out;
  EXPECT_EQ(out.substr(out.size() - 4), "PAR1");
  EXPECT_GT(before_finish, 0u);

  auto metadata = Metadata(object);
  EXPECT_GT(metadata->num_row_groups(), 5);
  EXPECT_EQ(metadata->num_rows(), 500);
  auto read = ReadObject(*format, object);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    ASSERT_EQ((*read)[i], records[i].Decoded("orders")) << i;
  }
}

TEST(ParquetFormat, FlushCutsTheRowGroupAndEmitsIt) {
  auto format = Parquet();
  auto writer = format->NewWriter(kContext);
  ASSERT_TRUE(writer.ok());
  std::vector<TestRecord> records = MixedRecords();
  std::string object;
  for (TestRecord& r : records) {
    std::string out;
    bool kept = false;
    ASSERT_TRUE((*writer)->Append(r.View(), &out, &kept).ok());
    EXPECT_TRUE(out.empty());  // Far below a row group.
    const uint64_t held = (*writer)->buffered_bytes();
    ASSERT_TRUE((*writer)->Flush(&out).ok());
    EXPECT_GT(out.size(), 0u);
    EXPECT_LT((*writer)->buffered_bytes(), held + (32 << 10));
    object += out;
  }
  std::string out;
  ASSERT_TRUE((*writer)->Flush(&out).ok());  // Nothing buffered: nothing to emit.
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE((*writer)->Finish(&out).ok());
  object += out;
  EXPECT_EQ(Metadata(object)->num_row_groups(), static_cast<int>(records.size()));
  auto read = ReadObject(*format, object);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ((*read)[i], records[i].Decoded("orders"));
  }
  // The writer is done.
  bool kept = true;
  EXPECT_EQ((*writer)->Append(records[0].View(), &out, &kept).code(),
            StatusCode::kFailedPrecondition);
}

TEST(ParquetFormat, ZeroRecordObjectIsAValidFile) {
  auto format = Parquet();
  std::vector<TestRecord> none;
  const std::string object = WriteObject(*format, none);
  EXPECT_EQ(object.substr(0, 4), "PAR1");
  auto metadata = Metadata(object);
  EXPECT_EQ(metadata->num_rows(), 0);
  EXPECT_EQ(metadata->num_columns(), 9);
  auto read = ReadObject(*format, object);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_TRUE(read->empty());
}

TEST(ParquetFormat, TruncatedObjectIsDataLoss) {
  auto format = Parquet("zstd", 0, 64 << 10);
  std::vector<TestRecord> records = MixedRecords();
  const std::string object = WriteObject(*format, records, /*flush_every=*/3);
  ASSERT_TRUE(ReadObject(*format, object).ok());
  for (size_t size = 0; size < object.size(); ++size) {
    auto read = ReadObject(*format, std::string_view(object).substr(0, size));
    ASSERT_FALSE(read.ok()) << size;
    EXPECT_EQ(read.status().code(), StatusCode::kDataLoss)
        << size << ": " << read.status().ToString();
  }
}

TEST(ParquetFormat, GarbageIsInvalidArgument) {
  auto format = Parquet();
  std::mt19937 random(7);
  std::string noise(4096, '\0');
  for (char& c : noise) c = static_cast<char>(random());
  std::string framed = "PAR1" + noise + std::string("\x10\x00\x00\x00", 4) + "PAR1";
  for (const std::string& garbage :
       {std::string("hello, world\n"), std::string("{\"topic\":\"orders\"}\n"), noise, framed,
        std::string("PAR1\x00\x00\x00\x00PAR1", 12)}) {
    auto read = ReadObject(*format, garbage);
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.status().code(), StatusCode::kInvalidArgument) << read.status().ToString();
  }
}

TEST(ParquetFormat, CorruptPageIsInvalidArgument) {
  auto format = Parquet("none");
  std::vector<TestRecord> records = MixedRecords();
  records[0].value = "a value to damage: 0123456789";
  std::string object = WriteObject(*format, records);
  const size_t at = object.find("a value to damage");
  ASSERT_NE(at, std::string::npos);
  object[at + 5] ^= 0x20;  // Page checksums catch it.
  auto read = ReadObject(*format, object);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kInvalidArgument) << read.status().ToString();
}

TEST(ParquetFormat, MutatedObjectsFailCleanly) {
  // A small fuzz: damaged objects must give an error (or, rarely, records),
  // never crash or hang. The real fuzzing runs under ASan and UBSan.
  auto format = Parquet("snappy", 0, 64 << 10);
  std::vector<TestRecord> records = MixedRecords();
  const std::string object = WriteObject(*format, records, /*flush_every=*/2);
  std::mt19937 random(42);
  ReadLimits limits;
  limits.max_decoded_bytes = 64 << 20;
  limits.max_record_bytes = 1 << 20;
  int failed = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string mutated = object;
    const int flips = 1 + static_cast<int>(random() % 4);
    for (int f = 0; f < flips; ++f) {
      mutated[random() % mutated.size()] = static_cast<char>(random());
    }
    if (!ReadObject(*format, mutated, limits).ok()) ++failed;
  }
  EXPECT_GT(failed, 1000);
}

TEST(ParquetFormat, OtherParquetFilesNameWhatDiffers) {
  auto format = Parquet();
  auto write = [](const std::shared_ptr<arrow::Schema>& schema) {
    auto table = arrow::Table::MakeEmpty(schema).ValueOrDie();
    auto sink = arrow::io::BufferOutputStream::Create().ValueOrDie();
    EXPECT_TRUE(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), sink).ok());
    return sink->Finish().ValueOrDie()->ToString();
  };
  auto read = ReadObject(*format, write(arrow::schema({arrow::field("a", arrow::int32())})));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(read.status().message(), HasSubstr("1 leaf columns"));

  // The envelope but with a 32-bit offset.
  auto header = arrow::struct_(
      {arrow::field("key", arrow::utf8(), false), arrow::field("value", arrow::binary())});
  auto schema = arrow::schema({
      arrow::field("topic", arrow::utf8(), false),
      arrow::field("partition", arrow::int32(), false),
      arrow::field("offset", arrow::int32(), false),
      arrow::field("timestamp", arrow::timestamp(arrow::TimeUnit::MILLI, "UTC")),
      arrow::field("timestamp_type", arrow::utf8()),
      arrow::field("key", arrow::binary()),
      arrow::field("value", arrow::binary()),
      arrow::field("headers", arrow::list(arrow::field("element", header, false)), false),
  });
  read = ReadObject(*format, write(schema));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(read.status().message(), HasSubstr("column 2 is \"offset: int32 not null\""));
  EXPECT_THAT(read.status().message(), HasSubstr("expected \"offset: int64 not null\""));

  // Written by another tool without the stored Arrow schema (topic a plain
  // string, list item named "item"): still ours.
  schema = arrow::schema({
      arrow::field("topic", arrow::utf8(), false),
      arrow::field("partition", arrow::int32(), false),
      arrow::field("offset", arrow::int64(), false),
      arrow::field("timestamp", arrow::timestamp(arrow::TimeUnit::MILLI, "UTC")),
      arrow::field("timestamp_type", arrow::utf8()),
      arrow::field("key", arrow::binary()),
      arrow::field("value", arrow::binary()),
      arrow::field("headers", arrow::list(header), false),
  });
  read = ReadObject(*format, write(schema));
  EXPECT_TRUE(read.ok()) << read.status().ToString();
}

TEST(ParquetFormat, HeaderKeyThatIsNotUtf8IsInvalidArgument) {
  auto format = Parquet();
  auto writer = format->NewWriter(kContext);
  ASSERT_TRUE(writer.ok());
  TestRecord r;
  r.offset = 7;
  r.value = "v";
  r.headers = {{"fine", "1"}, {std::string("\xc3\x28", 2), "2"}};
  std::string out;
  bool kept = true;
  Status s = (*writer)->Append(r.View(), &out, &kept);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(kept);
  EXPECT_THAT(s.message(), HasSubstr("offset 7 of partition 3"));
  EXPECT_THAT(s.message(), HasSubstr("not valid UTF-8"));
  EXPECT_THAT(s.message(), HasSubstr("\"jsonl\""));
  // Overlong and surrogate encodings are not UTF-8 either.
  for (const std::string& key : {std::string("\xc0\xaf"), std::string("\xed\xa0\x80")}) {
    r.headers = {{key, "x"}};
    EXPECT_EQ((*writer)->Append(r.View(), &out, &kept).code(), StatusCode::kInvalidArgument);
  }
}

TEST(ParquetFormat, ReadLimits) {
  auto format = Parquet();
  std::vector<TestRecord> records = MixedRecords();
  records[0].value = std::string(2000, 'v');
  const std::string object = WriteObject(*format, records);
  ReadLimits limits;
  limits.max_record_bytes = 1999;
  auto read = ReadObject(*format, object, limits);
  EXPECT_EQ(read.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(read.status().message(), HasSubstr("offset 100"));
  limits = ReadLimits{};
  limits.max_decoded_bytes = 100;
  read = ReadObject(*format, object, limits);
  EXPECT_EQ(read.status().code(), StatusCode::kResourceExhausted);
  // The visitor's error stops the read.
  int seen = 0;
  Status s = format->Read(object, ReadLimits{}, [&](const DecodedRecord&) {
    return ++seen == 2 ? Status::Cancelled("enough") : Status::Ok();
  });
  EXPECT_EQ(s.code(), StatusCode::kCancelled);
  EXPECT_EQ(seen, 2);
}

TEST(ParquetFormat, DecodingPastTheMemoryCapIsResourceExhausted) {
  // One record with a million empty headers: runs of levels and dictionary
  // indices that the footer declares as a few KiB but that decode to tens
  // of MiB of Arrow arrays. The pool's cap (twice max_decoded_bytes) stops
  // the read, whatever the footer claims.
  auto format = Parquet();
  std::vector<TestRecord> records(1);
  records[0].headers.assign(1'000'000, DecodedHeader{"", std::nullopt});
  const std::string object = WriteObject(*format, records);
  auto metadata = Metadata(object);
  int64_t declared = 0;
  for (int c = 0; c < metadata->num_columns(); ++c) {
    declared += metadata->RowGroup(0)->ColumnChunk(c)->total_uncompressed_size();
  }
  ReadLimits limits;
  limits.max_decoded_bytes = 1 << 20;
  ASSERT_LT(declared, 1 << 20);
  auto read = ReadObject(*format, object, limits);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kResourceExhausted) << read.status().ToString();
  // Within the default limits it reads.
  read = ReadObject(*format, object);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ((*read)[0].headers.size(), 1'000'000u);
}

TEST(ParquetFormat, AbandonedWriterIsDestroyedQuietly) {
  // A window given up before Finish: the open Parquet file is dropped
  // without writing anywhere.
  auto format = Parquet();
  std::vector<TestRecord> records = MixedRecords();
  for (bool flush : {false, true}) {
    auto writer = format->NewWriter(kContext);
    ASSERT_TRUE(writer.ok());
    std::string out;
    bool kept = false;
    ASSERT_TRUE((*writer)->Append(records[0].View(), &out, &kept).ok());
    if (flush) {
      ASSERT_TRUE((*writer)->Flush(&out).ok());
    }
    writer.value().reset();
  }
}

TEST(ParquetFormat, WritersAndReadersOfOneFormatRunOnManyThreads) {
  auto format = Parquet("zstd", 0, 64 << 10);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        std::vector<TestRecord> records = MixedRecords();
        for (TestRecord& r : records) r.partition = t;
        auto writer = format->NewWriter({"orders", t});
        std::string object;
        for (TestRecord& r : records) {
          std::string out;
          bool kept = false;
          if (!(*writer)->Append(r.View(), &out, &kept).ok()) ++failures;
          object += out;
        }
        std::string out;
        if (!(*writer)->Finish(&out).ok()) ++failures;
        object += out;
        auto read = ReadObject(*format, object);
        if (!read.ok() || read->size() != records.size() || (*read)[4].partition != t) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(ParquetFormat, IdleWritersAreSmall) {
  constexpr int kWriters = 1000;
  auto format = Parquet();
  TestRecord r;
  r.key = "key-1";
  r.value = std::string(100, 'v');
  r.headers = {{"trace", "abc"}};
  r.timestamp_type = TimestampType::kCreate;
  std::vector<std::unique_ptr<ObjectWriter>> writers;
  writers.reserve(kWriters);
  const uint64_t heap_before = HeapInUse();
  uint64_t buffered = 0;
  for (int i = 0; i < kWriters; ++i) {
    auto writer = format->NewWriter({"orders", i});
    ASSERT_TRUE(writer.ok());
    std::string out;
    bool kept = false;
    ASSERT_TRUE((*writer)->Append(r.View(), &out, &kept).ok());
    EXPECT_TRUE(out.empty());
    buffered += (*writer)->buffered_bytes();
    writers.push_back(std::move(*writer));
  }
  const uint64_t held = (HeapInUse() - heap_before) / kWriters;
  buffered /= kWriters;
  std::printf("[ memory ] per writer holding 1 record: buffered_bytes %llu B, measured %llu B\n",
              static_cast<unsigned long long>(buffered), static_cast<unsigned long long>(held));
  EXPECT_LT(buffered, 4u << 10);
  EXPECT_LE(held, buffered + buffered / 8);
}

// Between row groups a writer holds an open Parquet file and the footer's
// metadata of each row group written: buffered_bytes() estimates them.
TEST(ParquetFormat, BufferedBytesIsHonest) {
  if (!kHeapMeasurable) GTEST_SKIP() << "mallinfo2 sees no heap under AddressSanitizer";
  constexpr int kWriters = 200;
  auto format = Parquet();
  TestRecord r;
  r.key = "key-1";
  r.value = std::string(100, 'v');
  r.headers = {{"trace", "abc"}};
  r.timestamp_type = TimestampType::kCreate;
  std::vector<std::unique_ptr<ObjectWriter>> writers;
  for (int i = 0; i < kWriters; ++i) {
    auto writer = format->NewWriter({"orders", i});
    ASSERT_TRUE(writer.ok());
    writers.push_back(std::move(*writer));
  }
  const uint64_t heap_before = HeapInUse();
  for (int groups = 1; groups <= 16; ++groups) {
    uint64_t buffered = 0;
    for (auto& writer : writers) {
      std::string out;
      bool kept = false;
      r.offset = groups;
      ASSERT_TRUE(writer->Append(r.View(), &out, &kept).ok());
      ASSERT_TRUE(writer->Flush(&out).ok());
      buffered += writer->buffered_bytes();
    }
    buffered /= kWriters;
    const uint64_t held = (HeapInUse() - heap_before) / kWriters;
    if (groups == 1 || groups == 4 || groups == 16) {
      std::printf(
          "[ memory ] per writer with an open file and %d row groups: buffered_bytes %llu B, "
          "measured %llu B\n",
          groups, static_cast<unsigned long long>(buffered), static_cast<unsigned long long>(held));
    }
    EXPECT_LE(held, buffered + buffered / 4) << groups;
    EXPECT_GE(held, buffered / 2) << groups;
  }
}

TEST(ParquetFormat, LargeValues) {
  auto format = Parquet("zstd", 0, 4 << 20);
  for (size_t size : {size_t{10} << 20, size_t{64} << 20}) {
    SCOPED_TRACE(size);
    std::vector<TestRecord> records(3);
    std::mt19937_64 random(size);
    for (size_t i = 0; i < records.size(); ++i) {
      records[i].offset = static_cast<int64_t>(i);
      records[i].value = i == 1 ? std::string(size, 'x') : "small";
    }
    // Half random, so that pages do not compress to nothing.
    for (size_t i = 0; i < size / 2; i += 8) {
      const uint64_t word = random();
      std::memcpy(records[1].value->data() + i, &word, 8);
    }
    records[1].headers = {{"big", std::string(size / 4, 'h')}};
    const int64_t arrow_peak_before = arrow::system_memory_pool()->max_memory();
    const std::string object = WriteObject(*format, records);
    const int64_t arrow_peak = arrow::system_memory_pool()->max_memory();
    std::printf("[ memory ] a %zu MiB value: peak Arrow buffers while writing %s%.1f MiB\n",
                size >> 20, arrow_peak > arrow_peak_before ? "" : "<= ", arrow_peak / 1048576.0);
    auto read = ReadObject(*format, object);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    ASSERT_EQ(read->size(), 3u);
    EXPECT_TRUE((*read)[1] == records[1].Decoded("orders"));
    EXPECT_EQ((*read)[2].value, "small");
  }
}

TEST(ParquetFormat, ReadableByPyarrowAndDuckdb) {
  if (std::system("python3 -c 'import pyarrow, duckdb' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "python3 with pyarrow and duckdb is not installed";
  }
  auto format = Parquet("zstd", 0, 64 << 10);
  std::vector<TestRecord> records = MixedRecords();
  for (int i = 0; i < 300; ++i) {
    TestRecord r;
    r.offset = 1000 + i;
    r.timestamp_type = TimestampType::kCreate;
    r.timestamp_ms = 1764662400000 + i;
    r.value = std::string(500, 'x');
    records.push_back(r);
  }
  const std::string object = WriteObject(*format, records);
  const std::filesystem::path dir = std::filesystem::temp_directory_path();
  const std::string stem = "k2c_parquet_test_" + std::to_string(getpid());
  const std::filesystem::path file = dir / (stem + ".parquet");
  const std::filesystem::path script = dir / (stem + ".py");
  std::ofstream(file, std::ios::binary) << object;
  std::ofstream(script) << R"(import sys
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
s = t.schema
assert t.num_rows == 306, t.num_rows
assert s.field('topic').type == pa.dictionary(pa.int32(), pa.string()), s.field('topic').type
assert not s.field('topic').nullable
assert s.field('partition').type == pa.int32()
assert s.field('offset').type == pa.int64()
assert s.field('timestamp').type == pa.timestamp('ms', tz='UTC'), s.field('timestamp').type
assert s.field('timestamp_type').type == pa.string()
assert s.field('key').type == pa.binary()
assert s.field('value').type == pa.binary()
h = s.field('headers').type
assert pa.types.is_list(h) and pa.types.is_struct(h.value_type), h
assert h.value_type.field('key').type == pa.string()
assert h.value_type.field('value').type == pa.binary()
rows = t.to_pylist()
assert rows[0]['topic'] == 'orders' and rows[0]['partition'] == 3 and rows[0]['offset'] == 100
assert rows[0]['timestamp_type'] == 'create' and rows[0]['key'] == b'k'
assert rows[1]['key'] is None and rows[1]['timestamp'] is None and rows[1]['headers'] == []
assert rows[3]['value'] == b'\x00\x01\x80\xc3\x28'
assert [(x['key'], x['value']) for x in rows[4]['headers']] == [
    ('b', b'1'), ('a', None), ('b', b'2'), ('', b''), ('caf\u00e9', b'\xff\x00')], rows[4]
md = pq.ParquetFile(sys.argv[1]).metadata
assert md.num_row_groups >= 2, md.num_row_groups
assert md.row_group(0).column(2).statistics.min == 100
c = duckdb.connect()
r = c.execute('select count(*), max("offset"), min("timestamp") from read_parquet(?)',
              [sys.argv[1]]).fetchone()
assert r[0] == 306 and r[1] == 1299, r
assert r[2].timestamp() == 0, r
print('pyarrow and duckdb read', r[0], 'rows')
)";
  const std::string command = "python3 " + script.string() + " " + file.string();
  const int rc = std::system(command.c_str());
  std::filesystem::remove(file);
  std::filesystem::remove(script);
  EXPECT_EQ(rc, 0) << command;
}

}  // namespace
}  // namespace k2c
