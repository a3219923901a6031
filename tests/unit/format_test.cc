// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
// The format registry and its validation, the `text` and `jsonl` formats
// (written, read back, and read by other tools), and SummarizeObject.
#include "format/format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "format/stream_compression.h"
#include "format/text_codec.h"

namespace k2c {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

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

  // What a lossless format reads back.
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

TestRecord Value(std::optional<std::string> value, int64_t offset = 0) {
  TestRecord r;
  r.offset = offset;
  r.value = std::move(value);
  return r;
}

const ObjectContext kContext{"orders.v1", 3};

FormatSettings Settings(std::string format, std::string compression = "",
                        std::string delimiter = "\n") {
  FormatSettings s;
  s.format = std::move(format);
  s.compression = std::move(compression);
  s.delimiter = std::move(delimiter);
  return s;
}

std::unique_ptr<Format> Make(const FormatSettings& settings) {
  auto format = MakeFormat(settings);
  EXPECT_TRUE(format.ok()) << format.status().ToString();
  return format.ok() ? std::move(*format) : nullptr;
}

struct Written {
  std::string object;
  std::vector<bool> kept;
  size_t before_finish = 0;  // Bytes appended before Finish.
};

Written Write(const Format& format, std::vector<TestRecord>& records,
              const ObjectContext& context = kContext) {
  Written w;
  auto writer = format.NewWriter(context);
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  if (!writer.ok()) return w;
  for (TestRecord& r : records) {
    bool kept = false;
    const Status s = (*writer)->Append(r.View(), &w.object, &kept);
    EXPECT_TRUE(s.ok()) << s.ToString();
    w.kept.push_back(kept);
  }
  w.before_finish = w.object.size();
  const Status s = (*writer)->Finish(&w.object);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return w;
}

Result<std::vector<DecodedRecord>> ReadAll(const Format& format, std::string_view object,
                                           const ReadLimits& limits = {}) {
  std::vector<DecodedRecord> out;
  Status s = format.Read(object, limits, [&](const DecodedRecord& r) {
    out.push_back(r);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

std::vector<std::optional<std::string>> Values(const std::vector<DecodedRecord>& records) {
  std::vector<std::optional<std::string>> out;
  for (const DecodedRecord& r : records) out.push_back(r.value);
  return out;
}

std::string RandomBytes(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

// Frames (zstd) or members (gzip) in a stream; -1 when it is not one.
int CountFrames(const std::string& compression, std::string_view in) {
  int frames = 0;
  while (!in.empty()) {
    if (compression == "zstd") {
      const size_t n = ZSTD_findFrameCompressedSize(in.data(), in.size());
      if (ZSTD_isError(n)) return -1;
      in.remove_prefix(n);
    } else {
      z_stream zs{};
      if (inflateInit2(&zs, 15 + 16) != Z_OK) return -1;
      std::string sink(1 << 16, '\0');
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      zs.avail_in = static_cast<uInt>(in.size());
      int rc;
      do {
        zs.next_out = reinterpret_cast<Bytef*>(sink.data());
        zs.avail_out = static_cast<uInt>(sink.size());
        rc = inflate(&zs, Z_NO_FLUSH);
      } while (rc == Z_OK);
      const size_t used = zs.total_in;
      inflateEnd(&zs);
      if (rc != Z_STREAM_END) return -1;
      in.remove_prefix(used);
    }
    ++frames;
  }
  return frames;
}

// ---------------------------------------------------------------------------
// The registry and validation.

TEST(FormatRegistryTest, KnownFormatsInOrderTextFirst) {
  std::vector<std::string_view> names;
  for (const FormatInfo& info : KnownFormats()) names.push_back(info.name);
  EXPECT_THAT(names, ElementsAre("text", "jsonl", "avro", "parquet"));
  EXPECT_EQ(KnownFormatNames(), "text, jsonl, avro, parquet");
  EXPECT_EQ(FormatSettings().format, KnownFormats().front().name);

  const FormatInfo& text = KnownFormats()[0];
  EXPECT_FALSE(text.lossless);
  EXPECT_THAT(text.compressions, ElementsAre("none", "gzip", "zstd"));
  for (const FormatInfo& info : KnownFormats()) {
    EXPECT_EQ(info.lossless, info.name != "text") << info.name;
    EXPECT_FALSE(info.summary.empty()) << info.name;
    EXPECT_THAT(std::string(info.extension), StartsWith(".")) << info.name;
  }
  EXPECT_THAT(KnownFormats()[1].compressions, ElementsAre("none", "gzip", "zstd"));
  EXPECT_THAT(KnownFormats()[2].compressions, ElementsAre("snappy", "deflate", "none"));
  EXPECT_THAT(KnownFormats()[3].compressions, ElementsAre("zstd", "snappy", "gzip", "none"));
}

TEST(FormatRegistryTest, FindFormatByExactName) {
  for (const FormatInfo& info : KnownFormats()) {
    EXPECT_EQ(FindFormat(info.name), &info);
  }
  ASSERT_NE(FindFormat("jsonl"), nullptr);
  EXPECT_EQ(FindFormat("jsonl")->extension, ".jsonl");
  for (const char* name : {"", "JSONL", "json", "txt", "csv", "text "}) {
    EXPECT_EQ(FindFormat(name), nullptr) << name;
  }
}

TEST(FormatRegistryTest, ValidateAcceptsEveryFormatWithEachOfItsCompressions) {
  EXPECT_TRUE(ValidateFormatSettings(FormatSettings()).ok());
  for (const FormatInfo& info : KnownFormats()) {
    EXPECT_TRUE(ValidateFormatSettings(Settings(std::string(info.name))).ok()) << info.name;
    for (std::string_view compression : info.compressions) {
      const Status s =
          ValidateFormatSettings(Settings(std::string(info.name), std::string(compression)));
      EXPECT_TRUE(s.ok()) << info.name << "/" << compression << ": " << s.ToString();
    }
  }
}

TEST(FormatRegistryTest, ValidateNamesTheKnownFormatsForAnUnknownOne) {
  const Status s = ValidateFormatSettings(Settings("csv"));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "format is 'csv'; supported formats: \"text\", \"jsonl\", \"avro\", \"parquet\"");
  EXPECT_EQ(MakeFormat(Settings("csv")).status().code(), StatusCode::kInvalidArgument);
}

TEST(FormatRegistryTest, ValidateNamesTheFormatsCompressionsForOneItLacks) {
  Status s = ValidateFormatSettings(Settings("text", "deflate"));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "compression is 'deflate'; format \"text\" supports \"none\", \"gzip\", \"zstd\"");
  s = ValidateFormatSettings(Settings("avro", "zstd"));
  EXPECT_EQ(s.message(),
            "compression is 'zstd'; format \"avro\" supports \"snappy\", \"deflate\", \"none\"");
  s = ValidateFormatSettings(Settings("jsonl", "snappy"));
  EXPECT_THAT(s.message(), HasSubstr("format \"jsonl\" supports \"none\", \"gzip\", \"zstd\""));
  s = ValidateFormatSettings(Settings("parquet", "lz4"));
  EXPECT_THAT(s.message(), HasSubstr("\"zstd\", \"snappy\", \"gzip\", \"none\""));
  EXPECT_EQ(MakeFormat(Settings("text", "deflate")).status().code(), StatusCode::kInvalidArgument);
}

TEST(FormatRegistryTest, ValidateCompressionLevelsPerCodec) {
  auto level = [](std::string format, std::string compression, int level) {
    FormatSettings s = Settings(std::move(format), std::move(compression));
    s.compression_level = level;
    return ValidateFormatSettings(s);
  };
  // gzip 1..9; zstd 1..19; 0 is the default. Avro's deflate has none (Avro
  // C fixes it at 9).
  for (int l : {0, 1, 9}) {
    EXPECT_TRUE(level("text", "gzip", l).ok()) << l;
    EXPECT_TRUE(level("parquet", "gzip", l).ok()) << l;
  }
  for (int l : {0, 1, 19}) {
    EXPECT_TRUE(level("jsonl", "zstd", l).ok()) << l;
    EXPECT_TRUE(level("parquet", "", l).ok()) << l;  // Its default is zstd.
  }
  Status s = level("jsonl", "gzip", 10);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "compression_level is 10; \"gzip\" takes 1..9 (0: the codec's default)");
  EXPECT_THAT(level("text", "gzip", -1).message(), HasSubstr("takes 1..9"));
  EXPECT_THAT(level("avro", "deflate", 6).message(), HasSubstr("\"deflate\" has no levels"));
  s = level("text", "zstd", 20);
  EXPECT_EQ(s.message(), "compression_level is 20; \"zstd\" takes 1..19 (0: the codec's default)");
  EXPECT_THAT(level("parquet", "zstd", -5).message(), HasSubstr("takes 1..19"));
  // Codecs without levels.
  s = level("avro", "snappy", 1);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "compression_level is 1; \"snappy\" has no levels: remove it");
  EXPECT_THAT(level("text", "", 3).message(), HasSubstr("\"none\" has no levels"));
  EXPECT_THAT(level("parquet", "none", 3).message(), HasSubstr("\"none\" has no levels"));
  EXPECT_TRUE(level("avro", "snappy", 0).ok());
}

TEST(FormatRegistryTest, ValidateRowGroupBytesBounds) {
  FormatSettings s = Settings("parquet");
  for (uint64_t ok : {64ull << 10, 16ull << 20, 1ull << 30}) {
    s.row_group_bytes = ok;
    EXPECT_TRUE(ValidateFormatSettings(s).ok()) << ok;
  }
  for (uint64_t bad : {0ull, (64ull << 10) - 1, (1ull << 30) + 1}) {
    s.row_group_bytes = bad;
    const Status status = ValidateFormatSettings(s);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(status.message(),
              "row_group_bytes is " + std::to_string(bad) + ", allowed 64KiB..1GiB");
  }
}

TEST(FormatRegistryTest, EffectiveCompressionDefaults) {
  EXPECT_EQ(EffectiveCompression(Settings("text")), "none");
  EXPECT_EQ(EffectiveCompression(Settings("jsonl")), "none");
  EXPECT_EQ(EffectiveCompression(Settings("avro")), "snappy");
  EXPECT_EQ(EffectiveCompression(Settings("parquet")), "zstd");
  EXPECT_EQ(EffectiveCompression(Settings("jsonl", "gzip")), "gzip");
  EXPECT_EQ(EffectiveCompression(Settings("avro", "none")), "none");
  EXPECT_EQ(EffectiveCompression(Settings("unknown")), "none");
}

TEST(FormatRegistryTest, ExtensionsAndCompressionOfMadeFormats) {
  struct Case {
    std::string format, compression, extension, effective;
  };
  const Case cases[] = {
      {"text", "", ".txt", "none"},
      {"text", "none", ".txt", "none"},
      {"text", "gzip", ".txt.gz", "gzip"},
      {"text", "zstd", ".txt.zst", "zstd"},
      {"jsonl", "", ".jsonl", "none"},
      {"jsonl", "gzip", ".jsonl.gz", "gzip"},
      {"jsonl", "zstd", ".jsonl.zst", "zstd"},
      {"avro", "", ".avro", "snappy"},
      {"avro", "snappy", ".avro", "snappy"},
      {"parquet", "", ".parquet", "zstd"},
      {"parquet", "gzip", ".parquet", "gzip"},
  };
  for (const Case& c : cases) {
    auto format = Make(Settings(c.format, c.compression));
    ASSERT_NE(format, nullptr) << c.format << "/" << c.compression;
    EXPECT_EQ(format->extension(), c.extension) << c.format << "/" << c.compression;
    EXPECT_EQ(format->compression(), c.effective) << c.format << "/" << c.compression;
    EXPECT_EQ(format->info().name, c.format);
    EXPECT_EQ(format->settings().compression, c.compression);
  }
}

// ---------------------------------------------------------------------------
// text

TEST(FormatTextTest, ValuesFollowedByTheDelimiterNullsDroppedEmptyAndBinaryKept) {
  auto format = Make(Settings("text"));
  std::vector<TestRecord> records = {Value("a"), Value(std::nullopt), Value(""),
                                     Value(std::string("x\0y\xff\n", 5)), Value("last")};
  const Written w = Write(*format, records);
  EXPECT_EQ(w.object, std::string("a\n\nx\0y\xff\n\nlast\n", 14));
  EXPECT_THAT(w.kept, ElementsAre(true, false, true, true, true));
}

TEST(FormatTextTest, CustomDelimiterIsWrittenAndSplitOn) {
  auto format = Make(Settings("text", "", "||"));
  std::vector<TestRecord> records = {Value("a"), Value("b|c"), Value(""), Value("d")};
  const Written w = Write(*format, records);
  EXPECT_EQ(w.object, "a||b|c||||d||");
  auto back = ReadAll(*format, w.object);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_THAT(Values(*back), ElementsAre("a", "b|c", "", "d"));
}

TEST(FormatTextTest, EmptyDelimiterConcatenatesAndReadsBackAsOneValue) {
  auto format = Make(Settings("text", "", ""));
  std::vector<TestRecord> records = {Value("ab"), Value("c"), Value("")};
  const Written w = Write(*format, records);
  EXPECT_EQ(w.object, "abc");
  auto back = ReadAll(*format, w.object);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_THAT(Values(*back), ElementsAre("abc"));
  auto summary = SummarizeObject(*format, w.object, {});
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->text_bytes, 3u);
}

TEST(FormatTextTest, ReadRoundTripKeepsOnlyValues) {
  for (const char* compression : {"none", "gzip", "zstd"}) {
    auto format = Make(Settings("text", compression));
    std::vector<TestRecord> records = {Value("one", 10), Value(std::nullopt, 11), Value("", 12),
                                       Value(std::string("\0\x01\xfe", 3), 13)};
    records[0].key = "dropped";
    records[0].timestamp_type = TimestampType::kCreate;
    records[0].timestamp_ms = 5;
    const Written w = Write(*format, records);
    auto back = ReadAll(*format, w.object);
    ASSERT_TRUE(back.ok()) << compression << ": " << back.status().ToString();
    ASSERT_EQ(back->size(), 3u) << compression;
    EXPECT_THAT(Values(*back), ElementsAre("one", "", std::string("\0\x01\xfe", 3)));
    DecodedRecord expected;
    expected.value = "one";
    EXPECT_EQ((*back)[0], expected) << "text keeps no key, offset, partition or timestamp";
  }
}

TEST(FormatTextTest, LastRecordWithoutDelimiterIsDataLoss) {
  auto format = Make(Settings("text"));
  int visited = 0;
  const Status s = format->Read("complete\ncut", {}, [&](const DecodedRecord&) {
    ++visited;
    return Status::Ok();
  });
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
  EXPECT_THAT(s.message(), HasSubstr("delimiter"));
  EXPECT_EQ(visited, 1);
  // The same inside a valid compressed stream.
  auto zstd = Make(Settings("text", "zstd"));
  std::string object;
  ASSERT_TRUE(CompressFrame(StreamCodec::kZstd, 0, "a\nb", &object).ok());
  EXPECT_EQ(ReadAll(*zstd, object).status().code(), StatusCode::kDataLoss);
  // Written with another delimiter.
  auto pipe = Make(Settings("text", "", "|"));
  EXPECT_EQ(ReadAll(*pipe, "a\nb\n").status().code(), StatusCode::kDataLoss);
}

TEST(FormatTextTest, EmptyObjectHasNoRecords) {
  auto format = Make(Settings("text"));
  auto back = ReadAll(*format, "");
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->empty());
}

TEST(FormatTextTest, ReadLimitsAreHonoured) {
  auto format = Make(Settings("text"));
  const std::string object = "short\n" + std::string(100, 'v') + "\n";
  ReadLimits limits;
  limits.max_record_bytes = 100;
  EXPECT_TRUE(ReadAll(*format, object, limits).ok());
  limits.max_record_bytes = 99;
  EXPECT_EQ(ReadAll(*format, object, limits).status().code(), StatusCode::kResourceExhausted);
  limits = ReadLimits();
  limits.max_decoded_bytes = object.size();
  EXPECT_TRUE(ReadAll(*format, object, limits).ok());
  limits.max_decoded_bytes = object.size() - 1;
  EXPECT_EQ(ReadAll(*format, object, limits).status().code(), StatusCode::kResourceExhausted);
  // Compressed: the bound is on the decompressed bytes.
  auto gzip = Make(Settings("text", "gzip"));
  std::vector<TestRecord> records;
  for (int i = 0; i < 1000; ++i) records.push_back(Value(std::string(1000, 'z')));
  const Written w = Write(*gzip, records);
  limits.max_decoded_bytes = 1001 * 1000;
  EXPECT_TRUE(ReadAll(*gzip, w.object, limits).ok());
  limits.max_decoded_bytes = 1001 * 1000 - 1;
  EXPECT_EQ(ReadAll(*gzip, w.object, limits).status().code(), StatusCode::kResourceExhausted);
}

TEST(FormatTextTest, CompressedObjectsAreSeveralFramesOnceOverABlockAndReadBack) {
  for (const char* compression : {"gzip", "zstd"}) {
    auto format = Make(Settings("text", compression));
    std::vector<TestRecord> records;
    std::string expected;
    std::mt19937 rng(7);
    while (expected.size() < 3 * kCompressionBlockBytes + 1000) {
      records.push_back(Value("line " + std::to_string(rng()) + " " + std::to_string(rng())));
      expected += *records.back().value + "\n";
    }
    const Written w = Write(*format, records);
    EXPECT_GT(w.before_finish, 0u) << compression << ": frames are emitted while appending";
    EXPECT_EQ(CountFrames(compression, w.object), 4) << compression;
    std::string plain;
    ASSERT_TRUE(
        DecompressAll(compression == std::string("gzip") ? StreamCodec::kGzip : StreamCodec::kZstd,
                      w.object, UINT64_MAX, &plain)
            .ok());
    EXPECT_TRUE(plain == expected) << compression;
    auto back = ReadAll(*format, w.object);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    ASSERT_EQ(back->size(), records.size()) << compression;
    EXPECT_EQ((*back)[12345].value, records[12345].value);
  }
}

TEST(FormatTextTest, AllNullObjectIsAValidEmptyStream) {
  for (const char* compression : {"none", "gzip", "zstd"}) {
    auto format = Make(Settings("text", compression));
    std::vector<TestRecord> records = {Value(std::nullopt), Value(std::nullopt)};
    const Written w = Write(*format, records);
    EXPECT_THAT(w.kept, ElementsAre(false, false));
    if (std::string(compression) == "none") {
      EXPECT_TRUE(w.object.empty());
    } else {
      EXPECT_EQ(CountFrames(compression, w.object), 1) << compression;
    }
    auto back = ReadAll(*format, w.object);
    ASSERT_TRUE(back.ok()) << compression << ": " << back.status().ToString();
    EXPECT_TRUE(back->empty());
  }
}

// ---------------------------------------------------------------------------
// jsonl

// Every kind of byte string, header list and timestamp the envelope keeps.
std::vector<TestRecord> LosslessRecords() {
  std::vector<TestRecord> r(9);
  for (size_t i = 0; i < r.size(); ++i) r[i].offset = 100 + static_cast<int64_t>(i);
  // 0: a null key.
  r[0].timestamp_type = TimestampType::kCreate;
  r[0].timestamp_ms = 1764662400000;
  r[0].value = "plain value";
  // 1: an empty key, a null value (a tombstone).
  r[1].timestamp_type = TimestampType::kLogAppend;
  r[1].timestamp_ms = 1764662400001;
  r[1].key = "";
  // 2: a UTF-8 key, a value that is not UTF-8, no timestamp.
  r[2].key = "\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87 \xf0\x9f\x94\x91";  // "ключ 🔑"
  r[2].value = std::string(
      "\xff\xfe\x00"
      "a",
      4);
  // 3: NUL bytes (valid UTF-8).
  r[3].timestamp_type = TimestampType::kCreate;
  r[3].timestamp_ms = 1;
  r[3].key = std::string("a\0b", 3);
  r[3].value = std::string(3, '\0');
  // 4: headers in order, with duplicate names, null and empty values, a
  // value and a name that are not UTF-8.
  r[4].key = "k";
  r[4].value = "";
  r[4].headers = {{"h", "1"},        {"h", std::nullopt}, {"dup", ""},       {"h", "\xff"},
                  {"\xc3\x28", "v"}, {"dup", "2"},        {"", std::nullopt}};
  // 5: quotes, backslashes and control characters.
  r[5].timestamp_type = TimestampType::kLogAppend;
  r[5].timestamp_ms = 1764662400005;
  r[5].key = "line1\nline2\r\t";
  r[5].value = "\"quoted\" \\back\\slash\\ \x01\x1f\x7f </script> \xe2\x80\xa8";
  r[5].headers = {{"q\"h", "\b\f"}};
  // 6: no timestamp type: its timestamp is not kept; the largest offset; a
  // partition other than the context's.
  r[6].timestamp_ms = 1234;
  r[6].offset = INT64_MAX;
  r[6].partition = 7;
  r[6].value = "v";
  // 7: a key that is a lone continuation byte, a value with 4-byte UTF-8.
  r[7].timestamp_type = TimestampType::kCreate;
  r[7].timestamp_ms = 0;
  r[7].key = "\x80";
  r[7].value = "\xf4\x8f\xbf\xbf";
  // 8: a value that looks like base64 but is text.
  r[8].timestamp_type = TimestampType::kCreate;
  r[8].timestamp_ms = 1764662400008;
  r[8].value = "aGk=";
  return r;
}

std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      lines.emplace_back(text.substr(start));
      break;
    }
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::set<std::string> Keys(const nlohmann::json& object) {
  std::set<std::string> keys;
  for (const auto& item : object.items()) keys.insert(item.key());
  return keys;
}

TEST(FormatJsonlTest, LosslessRoundTripWithEveryCompression) {
  for (const char* compression : {"none", "gzip", "zstd"}) {
    SCOPED_TRACE(compression);
    auto format = Make(Settings("jsonl", compression));
    std::vector<TestRecord> records = LosslessRecords();
    const Written w = Write(*format, records);
    EXPECT_THAT(w.kept, ::testing::Each(true));
    auto back = ReadAll(*format, w.object);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    ASSERT_EQ(back->size(), records.size());
    for (size_t i = 0; i < records.size(); ++i) {
      EXPECT_EQ((*back)[i], records[i].Decoded(kContext.topic)) << "record " << i;
    }
  }
}

TEST(FormatJsonlTest, ReadBackOfTheFirstRecordsFields) {
  auto format = Make(Settings("jsonl"));
  std::vector<TestRecord> records = LosslessRecords();
  auto back = ReadAll(*format, Write(*format, records).object);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  const DecodedRecord& tombstone = (*back)[1];
  EXPECT_EQ(tombstone.topic, "orders.v1");
  EXPECT_EQ(tombstone.partition, 3);
  EXPECT_EQ(tombstone.offset, 101);
  EXPECT_EQ(tombstone.timestamp_ms, 1764662400001);
  EXPECT_EQ(tombstone.timestamp_type, TimestampType::kLogAppend);
  EXPECT_EQ(tombstone.key, std::optional<std::string>(""));
  EXPECT_EQ(tombstone.value, std::nullopt);
  EXPECT_EQ((*back)[0].key, std::nullopt);
  EXPECT_EQ((*back)[2].timestamp_ms, -1);
  EXPECT_EQ((*back)[2].timestamp_type, TimestampType::kNone);
  EXPECT_EQ((*back)[6].timestamp_ms, -1) << "a timestamp without a type is not kept";
  EXPECT_EQ((*back)[6].partition, 7);
  ASSERT_EQ((*back)[4].headers.size(), 7u);
  EXPECT_EQ((*back)[4].headers[1].value, std::nullopt);
  EXPECT_EQ((*back)[4].headers[2].value, std::optional<std::string>(""));
  EXPECT_EQ((*back)[4].headers[4].key, "\xc3\x28");
}

TEST(FormatJsonlTest, EnvelopeOfOneRecordIsExactly) {
  auto format = Make(Settings("jsonl"));
  std::vector<TestRecord> records(1);
  records[0].partition = 0;
  records[0].offset = 42;
  records[0].timestamp_type = TimestampType::kCreate;
  records[0].timestamp_ms = 1764662400000;
  records[0].key = "k";
  records[0].value = "\xffhi";
  records[0].headers = {{"trace", std::nullopt}};
  const Written w = Write(*format, records, {"orders", 0});
  EXPECT_EQ(w.object,
            "{\"topic\":\"orders\",\"partition\":0,\"offset\":42,\"timestamp\":1764662400000,"
            "\"timestamp_type\":\"create\",\"key\":\"k\",\"key_encoding\":\"utf8\","
            "\"value\":\"/2hp\",\"value_encoding\":\"base64\","
            "\"headers\":[{\"key\":\"trace\",\"key_encoding\":\"utf8\",\"value\":null,"
            "\"value_encoding\":null}]}\n");
}

TEST(FormatJsonlTest, EveryLineIsJsonWithTheSameFields) {
  auto format = Make(Settings("jsonl"));
  std::vector<TestRecord> records = LosslessRecords();
  const Written w = Write(*format, records);
  ASSERT_FALSE(w.object.empty());
  EXPECT_EQ(w.object.back(), '\n');
  const std::vector<std::string> lines = Lines(w.object);
  ASSERT_EQ(lines.size(), records.size());
  const std::set<std::string> fields = {"topic",          "partition", "offset",       "timestamp",
                                        "timestamp_type", "key",       "key_encoding", "value",
                                        "value_encoding", "headers"};
  const std::set<std::string> header_fields = {"key", "key_encoding", "value", "value_encoding"};
  std::vector<nlohmann::json> parsed;
  for (const std::string& line : lines) {
    for (char c : line) ASSERT_GE(static_cast<unsigned char>(c), 0x20) << line;
    nlohmann::json json = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(json.is_object()) << line;
    // In the documented order, too (first occurrences: "headers" is last).
    EXPECT_THAT(line, StartsWith("{\"topic\":"));
    size_t at = 0;
    for (const char* field : {"partition", "offset", "timestamp", "timestamp_type", "key",
                              "key_encoding", "value", "value_encoding", "headers"}) {
      const size_t next = line.find(",\"" + std::string(field) + "\":");
      EXPECT_TRUE(next != std::string::npos && next > at) << field << " in " << line;
      at = next;
    }
    EXPECT_EQ(Keys(json), fields) << line;
    ASSERT_TRUE(json["headers"].is_array());
    for (const nlohmann::json& h : json["headers"]) EXPECT_EQ(Keys(h), header_fields) << line;
    EXPECT_EQ(json["topic"], "orders.v1");
    parsed.push_back(std::move(json));
  }
  using nlohmann::json;
  EXPECT_EQ(parsed[0]["partition"], 3);
  EXPECT_EQ(parsed[0]["offset"], 100);
  EXPECT_EQ(parsed[0]["timestamp"], 1764662400000);
  EXPECT_EQ(parsed[0]["timestamp_type"], "create");
  EXPECT_TRUE(parsed[0]["key"].is_null());
  EXPECT_TRUE(parsed[0]["key_encoding"].is_null());
  EXPECT_EQ(parsed[0]["value"], "plain value");
  EXPECT_EQ(parsed[0]["value_encoding"], "utf8");
  EXPECT_EQ(parsed[1]["timestamp_type"], "log_append");
  EXPECT_EQ(parsed[1]["key"], "");
  EXPECT_EQ(parsed[1]["key_encoding"], "utf8");
  EXPECT_TRUE(parsed[1]["value"].is_null());
  EXPECT_TRUE(parsed[1]["value_encoding"].is_null());
  EXPECT_TRUE(parsed[2]["timestamp"].is_null());
  EXPECT_TRUE(parsed[2]["timestamp_type"].is_null());
  EXPECT_EQ(parsed[2]["key_encoding"], "utf8");
  EXPECT_EQ(parsed[2]["value"], "//4AYQ==");
  EXPECT_EQ(parsed[2]["value_encoding"], "base64");
  EXPECT_EQ(parsed[3]["value"], std::string(3, '\0'));
  EXPECT_EQ(parsed[3]["value_encoding"], "utf8");
  const json& headers = parsed[4]["headers"];
  ASSERT_EQ(headers.size(), 7u);
  EXPECT_EQ(headers[0]["key"], "h");
  EXPECT_EQ(headers[0]["value"], "1");
  EXPECT_TRUE(headers[1]["value"].is_null());
  EXPECT_TRUE(headers[1]["value_encoding"].is_null());
  EXPECT_EQ(headers[3]["value"], "/w==");
  EXPECT_EQ(headers[3]["value_encoding"], "base64");
  EXPECT_EQ(headers[4]["key"], "wyg=");
  EXPECT_EQ(headers[4]["key_encoding"], "base64");
  EXPECT_EQ(headers[6]["key"], "");
  EXPECT_TRUE(parsed[6]["timestamp"].is_null()) << "no type: no timestamp";
  EXPECT_EQ(parsed[6]["offset"], INT64_MAX);
  EXPECT_EQ(parsed[6]["partition"], 7);
  EXPECT_EQ(parsed[7]["key"], "gA==");
  EXPECT_EQ(parsed[7]["timestamp"], 0);
  EXPECT_EQ(parsed[8]["value"], "aGk=");
  EXPECT_EQ(parsed[8]["value_encoding"], "utf8");
  // The escapes, as written.
  EXPECT_THAT(lines[3], HasSubstr("\"key\":\"a\\u0000b\""));
  EXPECT_THAT(lines[5], HasSubstr("\"key\":\"line1\\nline2\\r\\t\""));
  EXPECT_THAT(lines[5], HasSubstr("\\\"quoted\\\" \\\\back\\\\slash\\\\ \\u0001\\u001f\x7f"));
  EXPECT_THAT(lines[5], HasSubstr("\"key\":\"q\\\"h\""));
  EXPECT_THAT(lines[5], HasSubstr("\"value\":\"\\u0008\\u000c\""));
}

TEST(FormatJsonlTest, TenMebibyteBinaryValueRoundTrips) {
  std::vector<TestRecord> records(3);
  records[0].value = "before";
  records[1].value = RandomBytes(10 << 20, 11);
  records[1].key = RandomBytes(1000, 12);
  records[1].offset = 1;
  records[2].value = "after";
  records[2].offset = 2;
  ASSERT_FALSE(IsValidUtf8(*records[1].value));
  for (const char* compression : {"none", "gzip", "zstd"}) {
    SCOPED_TRACE(compression);
    auto format = Make(Settings("jsonl", compression));
    const Written w = Write(*format, records);
    auto back = ReadAll(*format, w.object);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    ASSERT_EQ(back->size(), 3u);
    EXPECT_TRUE((*back)[1].value == records[1].value);
    EXPECT_TRUE((*back)[1].key == records[1].key);
    EXPECT_EQ((*back)[2].value, "after");
  }
}

// A valid line to break, as nlohmann::json.
nlohmann::json ValidLine() {
  auto format = Make(Settings("jsonl"));
  std::vector<TestRecord> records(1);
  records[0].offset = 5;
  records[0].timestamp_type = TimestampType::kCreate;
  records[0].timestamp_ms = 77;
  records[0].key = "k";
  records[0].value = "\xff";
  records[0].headers = {{"h", "v"}};
  return nlohmann::json::parse(Write(*format, records).object);
}

TEST(FormatJsonlTest, ReadRejectsMissingWrongAndBadFieldsNamingThem) {
  auto format = Make(Settings("jsonl"));
  const nlohmann::json valid = ValidLine();
  ASSERT_TRUE(ReadAll(*format, valid.dump() + "\n").ok());
  struct Case {
    std::string what;
    std::function<void(nlohmann::json&)> change;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"no offset", [](auto& j) { j.erase("offset"); }, "\"offset\" is not an integer"},
      {"no topic", [](auto& j) { j.erase("topic"); }, "\"topic\" is not a string"},
      {"no value_encoding", [](auto& j) { j.erase("value_encoding"); }, "\"value\""},
      {"no headers", [](auto& j) { j.erase("headers"); }, "\"headers\" is not an array"},
      {"no timestamp", [](auto& j) { j.erase("timestamp"); }, "\"timestamp\" missing"},
      {"string partition", [](auto& j) { j["partition"] = "3"; }, "\"partition\""},
      {"negative partition", [](auto& j) { j["partition"] = -1; }, "\"partition\" out of range"},
      {"huge partition", [](auto& j) { j["partition"] = 1ll << 31; }, "\"partition\""},
      {"fractional offset", [](auto& j) { j["offset"] = 1.5; }, "\"offset\" is not an integer"},
      {"offset over int64", [](auto& j) { j["offset"] = UINT64_MAX; },
       "\"offset\" is out of range"},
      {"numeric key", [](auto& j) { j["key"] = 5; }, "\"key\" is not a string"},
      {"bad base64", [](auto& j) { j["value"] = "@@@@"; }, "\"value\" not base64"},
      {"base64 length", [](auto& j) { j["value"] = "Zg="; }, "\"value\" base64 length"},
      {"unknown encoding", [](auto& j) { j["value_encoding"] = "hex"; },
       "\"value_encoding\" is not \"utf8\" or \"base64\""},
      {"null value, set encoding", [](auto& j) { j["value"] = nullptr; }, "both null"},
      {"value, null encoding", [](auto& j) { j["key_encoding"] = nullptr; }, "both null"},
      {"timestamp without type", [](auto& j) { j["timestamp_type"] = nullptr; }, "both null"},
      {"unknown timestamp type", [](auto& j) { j["timestamp_type"] = "later"; },
       "\"timestamp_type\""},
      {"string timestamp", [](auto& j) { j["timestamp"] = "77"; }, "\"timestamp\""},
      {"header not an object", [](auto& j) { j["headers"][0] = 1; }, "\"headers\""},
      {"null header key",
       [](auto& j) {
         j["headers"][0]["key"] = nullptr;
         j["headers"][0]["key_encoding"] = nullptr;
       },
       "\"headers.key\" is null"},
      {"header value encoding", [](auto& j) { j["headers"][0]["value_encoding"] = "utf16"; },
       "\"value_encoding\""},
      {"not an object",
       [](auto& j) {
         j = nlohmann::json::array({1, 2});
       },
       "not a JSON object"},
  };
  for (const Case& c : cases) {
    nlohmann::json line = valid;
    c.change(line);
    // The bad line second: the message names it.
    const std::string object = valid.dump() + "\n" + line.dump() + "\n";
    int visited = 0;
    const Status s = format->Read(object, {}, [&](const DecodedRecord&) {
      ++visited;
      return Status::Ok();
    });
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.what << ": " << s.ToString();
    EXPECT_THAT(s.message(), StartsWith("line 2: ")) << c.what;
    EXPECT_THAT(s.message(), HasSubstr(c.message)) << c.what;
    EXPECT_EQ(visited, 1) << c.what;
  }
}

TEST(FormatJsonlTest, ReadRejectsInvalidJson) {
  auto format = Make(Settings("jsonl"));
  const std::string valid = ValidLine().dump() + "\n";
  const std::vector<std::string> bad = {
      "{\"topic\":\"t\",}\n",
      "not json\n",
      "\n",
      valid.substr(0, valid.size() / 2) + "\n",
      valid.substr(0, valid.size() - 1) + " trailing\n",
      "{\"topic\":\"\xff\"}\n",     // Raw bytes that are not UTF-8.
      "{\"topic\":\"\\ud800\"}\n",  // A lone surrogate.
  };
  for (const std::string& line : bad) {
    const Status s = ReadAll(*format, valid + line).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << testing::PrintToString(line);
    EXPECT_THAT(s.message(), StartsWith("line 2: ")) << testing::PrintToString(line);
  }
  EXPECT_EQ(ReadAll(*format, "{\"topic\":\"t\",}\n").status().message(), "line 1: not valid JSON");
}

TEST(FormatJsonlTest, LineNestedDeeperThanTheEnvelopeIsRefusedBeforeItIsBuilt) {
  auto format = Make(Settings("jsonl"));
  const std::string valid = ValidLine().dump() + "\n";
  // The envelope nests three deep (line, headers, header): one more is not it.
  const std::string deeper[] = {
      "{\"topic\":{\"a\":[{}]}}\n",
      "{\"headers\":[{\"key\":[]}]}\n",
      "[[[[]]]]\n",
  };
  for (const std::string& line : deeper) {
    const Status s = ReadAll(*format, valid + line).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << line;
    EXPECT_EQ(s.message(), "line 2: nested deeper than 3 levels") << line;
  }
  // A line of "[[[[..." parsed into a DOM first costs about 75 bytes of
  // memory per byte: 8 MiB of it, 600 MiB. Measured in a process of its own.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto zstd = Make(Settings("jsonl", "zstd"));
  std::string object;
  ASSERT_TRUE(CompressFrame(StreamCodec::kZstd, 1, std::string(8 << 20, '[') + "\n", &object).ok());
  EXPECT_EXIT(
      {
        rusage before{};
        getrusage(RUSAGE_SELF, &before);
        const Status s = ReadAll(*zstd, object).status();
        rusage after{};
        getrusage(RUSAGE_SELF, &after);
        const long grown_mib = (after.ru_maxrss - before.ru_maxrss) / 1024;
        std::fprintf(stderr, "%s; max RSS grew by %ld MiB\n", s.ToString().c_str(), grown_mib);
        std::_Exit(s.code() == StatusCode::kInvalidArgument && grown_mib < 128 ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "InvalidArgument");
}

TEST(FormatJsonlTest, TruncatedLastLineIsDataLoss) {
  for (const char* compression : {"none", "zstd"}) {
    auto format = Make(Settings("jsonl", compression));
    const std::string valid = ValidLine().dump() + "\n";
    const std::string plain = valid + valid.substr(0, valid.size() - 1);  // No newline.
    std::string object;
    ASSERT_TRUE(CompressFrame(*StreamCodecFromName(compression), 0, plain, &object).ok());
    int visited = 0;
    const Status s = format->Read(object, {}, [&](const DecodedRecord&) {
      ++visited;
      return Status::Ok();
    });
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << compression << ": " << s.ToString();
    EXPECT_THAT(s.message(), HasSubstr("line 2"));
    EXPECT_EQ(visited, 1);
  }
  // A cut compressed stream, too.
  auto zstd = Make(Settings("jsonl", "zstd"));
  std::vector<TestRecord> records = LosslessRecords();
  const std::string object = Write(*zstd, records).object;
  EXPECT_EQ(ReadAll(*zstd, std::string_view(object).substr(0, object.size() - 3)).status().code(),
            StatusCode::kDataLoss);
}

TEST(FormatJsonlTest, VisitorErrorStopsTheRead) {
  auto format = Make(Settings("jsonl"));
  std::vector<TestRecord> records = LosslessRecords();
  const Written w = Write(*format, records);
  int visited = 0;
  const Status s = format->Read(w.object, {}, [&](const DecodedRecord&) {
    return ++visited == 2 ? Status::Cancelled("enough") : Status::Ok();
  });
  EXPECT_EQ(s.code(), StatusCode::kCancelled);
  EXPECT_EQ(s.message(), "enough");
  EXPECT_EQ(visited, 2);
}

TEST(FormatJsonlTest, ReadLimitsAreHonoured) {
  auto format = Make(Settings("jsonl"));
  ReadLimits limits;
  limits.max_record_bytes = 100;
  auto read_one = [&](TestRecord record) {
    std::vector<TestRecord> records = {std::move(record)};
    return ReadAll(*format, Write(*format, records).object, limits).status();
  };
  TestRecord r;
  r.value = std::string(100, 'v');
  EXPECT_TRUE(read_one(r).ok());
  r.value = std::string(101, 'v');
  EXPECT_EQ(read_one(r).code(), StatusCode::kResourceExhausted);
  // Decoded bytes count, not base64 characters: 100 binary bytes pass.
  r.value = RandomBytes(100, 13);
  EXPECT_TRUE(read_one(r).ok());
  r.value = RandomBytes(101, 13);
  const Status binary = read_one(r);
  EXPECT_EQ(binary.code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(binary.message(), HasSubstr("\"value\" is longer than 100 bytes"));
  TestRecord k;
  k.key = std::string(101, 'k');
  EXPECT_EQ(read_one(k).code(), StatusCode::kResourceExhausted);
  TestRecord h;
  h.headers = {{"name", std::string(101, 'h')}};
  EXPECT_EQ(read_one(h).code(), StatusCode::kResourceExhausted);
  h.headers = {{"name", std::string(100, 'h')}};
  EXPECT_TRUE(read_one(h).ok());

  // max_decoded_bytes, uncompressed and compressed.
  for (const char* compression : {"none", "gzip", "zstd"}) {
    auto jsonl = Make(Settings("jsonl", compression));
    auto plain = Make(Settings("jsonl"));
    std::vector<TestRecord> records = LosslessRecords();
    const uint64_t size = Write(*plain, records).object.size();
    const std::string object = Write(*jsonl, records).object;
    ReadLimits decoded;
    decoded.max_decoded_bytes = size;
    EXPECT_TRUE(ReadAll(*jsonl, object, decoded).ok()) << compression;
    decoded.max_decoded_bytes = size - 1;
    const Status s = ReadAll(*jsonl, object, decoded).status();
    EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << compression << ": " << s.ToString();
  }
}

// ---------------------------------------------------------------------------
// Other readers of jsonl.gz and jsonl.zst.

class FormatExternalReadersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("k2c_format_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    // Over 2 MiB uncompressed: several frames. Even offsets have a binary
    // value (base64), odd ones text.
    std::mt19937 rng(17);
    for (int i = 0; i < 4000; ++i) {
      TestRecord r;
      r.offset = 1000 + i;
      r.timestamp_type = TimestampType::kCreate;
      r.timestamp_ms = 1764662400000 + i;
      r.key = "key-" + std::to_string(i);
      r.value = i % 2 == 0 ? RandomBytes(600, rng())
                           : "text value " + std::to_string(rng()) + std::string(500, 'x');
      if (i % 3 == 0) r.headers = {{"h", std::to_string(i)}};
      records_.push_back(std::move(r));
    }
    auto plain = Make(Settings("jsonl"));
    plain_ = Write(*plain, records_).object;
    ASSERT_GT(plain_.size(), 2u << 20);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static bool Has(const std::string& command) {
    return std::system((command + " >/dev/null 2>&1").c_str()) == 0;
  }

  std::string WriteFile(const std::string& compression) {
    auto format = Make(Settings("jsonl", compression));
    const std::string object = Write(*format, records_).object;
    EXPECT_GE(CountFrames(compression, object), 3) << compression;
    const std::string path = (dir_ / ("object" + format->extension())).string();
    std::ofstream(path, std::ios::binary) << object;
    return path;
  }

  std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // `tool -dc` of the object, compared with the uncompressed writer's.
  void Decompresses(const std::string& tool, const std::string& compression) {
    if (!Has(tool + " --version")) GTEST_SKIP() << tool << " is not installed";
    const std::string path = WriteFile(compression);
    const std::string out = (dir_ / "out.jsonl").string();
    ASSERT_EQ(std::system((tool + " -dc '" + path + "' > '" + out + "'").c_str()), 0);
    EXPECT_TRUE(ReadFile(out) == plain_) << tool << " read other bytes";
  }

  // DuckDB's read_json: the row count, and the decoded base64 value (hex) at
  // offset 1000 + 2 * 777.
  void DuckDbReads(const std::string& compression) {
    if (!Has("python3 -c 'import duckdb'")) GTEST_SKIP() << "python3 with duckdb is not installed";
    const std::string path = WriteFile(compression);
    const std::string script = (dir_ / "read.py").string();
    std::ofstream(script) << R"py(import base64, duckdb, sys
path, out = sys.argv[1], sys.argv[2]
con = duckdb.connect()
rel = "read_json('" + path + "', format='newline_delimited')"
count = con.execute("SELECT count(*) FROM " + rel).fetchone()[0]
value, encoding, ts_type = con.execute(
    "SELECT value, value_encoding, timestamp_type FROM " + rel + " WHERE \"offset\" = 2554"
).fetchone()
with open(out, "w") as f:
    f.write("%d %s %s %s" % (count, encoding, ts_type, base64.b64decode(value).hex()))
)py";
    const std::string out = (dir_ / "duckdb.txt").string();
    ASSERT_EQ(std::system(("python3 '" + script + "' '" + path + "' '" + out + "'").c_str()), 0);
    std::string hex;
    for (unsigned char c : *records_[1554].value) {
      static constexpr char kHex[] = "0123456789abcdef";
      hex += kHex[c >> 4];
      hex += kHex[c & 0xF];
    }
    EXPECT_EQ(ReadFile(out), "4000 base64 create " + hex);
  }

  std::filesystem::path dir_;
  std::vector<TestRecord> records_;
  std::string plain_;
};

TEST_F(FormatExternalReadersTest, ZstdCliReadsEveryFrame) { Decompresses("zstd", "zstd"); }

TEST_F(FormatExternalReadersTest, GzipCliReadsEveryMember) { Decompresses("gzip", "gzip"); }

TEST_F(FormatExternalReadersTest, DuckDbReadsJsonlZst) { DuckDbReads("zstd"); }

TEST_F(FormatExternalReadersTest, DuckDbReadsJsonlGz) { DuckDbReads("gzip"); }

// What docs/formats.md tells Python users: python-zstandard's stream reader
// across frames, the gzip module, and pyarrow.json read every frame.
TEST_F(FormatExternalReadersTest, PythonReadsAsDocumented) {
  if (!Has("python3 -c 'import zstandard, pyarrow.json'")) {
    GTEST_SKIP() << "python3 with zstandard and pyarrow is not installed";
  }
  const std::string zst = WriteFile("zstd");
  const std::string gz = WriteFile("gzip");
  const std::string script = (dir_ / "read.py").string();
  std::ofstream(script) << R"py(import gzip, sys, zstandard, pyarrow.json
zst, gz, out = sys.argv[1:4]
with open(zst, "rb") as f:
    data = zstandard.ZstdDecompressor().stream_reader(f, read_across_frames=True).read()
with open(gz, "rb") as f:
    assert gzip.decompress(f.read()) == data
rows = [pyarrow.json.read_json(p).num_rows for p in (zst, gz)]
with open(out, "wb") as f:
    f.write(b"%d %d\n" % tuple(rows) + data)
)py";
  const std::string out = (dir_ / "python.txt").string();
  ASSERT_EQ(
      std::system(("python3 '" + script + "' '" + zst + "' '" + gz + "' '" + out + "'").c_str()),
      0);
  EXPECT_TRUE(ReadFile(out) == "4000 4000\n" + plain_);
}

// Every line of LosslessRecords() is valid under docs/jsonl-record.schema.json.
TEST_F(FormatExternalReadersTest, LinesFollowTheDocumentedJsonSchema) {
  if (!Has("python3 -c 'import jsonschema'")) GTEST_SKIP() << "python3 jsonschema is not installed";
  // K2C_TEST_DATA_DIR is <repository>/tests/unit/data (which may not exist).
  const std::string data_dir = K2C_TEST_DATA_DIR;
  const std::string schema =
      data_dir.substr(0, data_dir.rfind("/tests/unit/data")) + "/docs/jsonl-record.schema.json";
  ASSERT_TRUE(std::filesystem::exists(schema)) << schema;
  auto format = Make(Settings("jsonl"));
  std::vector<TestRecord> records = LosslessRecords();
  const std::string path = (dir_ / "lossless.jsonl").string();
  std::ofstream(path, std::ios::binary) << Write(*format, records).object;
  const std::string script = (dir_ / "validate.py").string();
  std::ofstream(script) << R"py(import json, sys, jsonschema
schema, path, out = sys.argv[1:4]
validator = jsonschema.Draft202012Validator(json.load(open(schema)))
errors = []
with open(path, encoding="utf-8") as f:
    for number, line in enumerate(f, 1):
        for e in validator.iter_errors(json.loads(line)):
            errors.append("line %d: %s" % (number, e.message))
open(out, "w").write("\n".join(errors) or "valid")
)py";
  const std::string out = (dir_ / "validate.txt").string();
  ASSERT_EQ(std::system(
                ("python3 '" + script + "' '" + schema + "' '" + path + "' '" + out + "'").c_str()),
            0);
  EXPECT_EQ(ReadFile(out), "valid");
}

// ---------------------------------------------------------------------------
// SummarizeObject

TEST(FormatSummarizeTest, JsonlCountsRecordsAndTheirOffsets) {
  for (const char* compression : {"none", "zstd"}) {
    auto format = Make(Settings("jsonl", compression));
    std::vector<TestRecord> records;
    for (int i = 0; i < 50; ++i) records.push_back(Value("v", 100 + i));
    records[7].value.reset();  // Kept: jsonl keeps tombstones.
    const Written w = Write(*format, records);
    auto summary = SummarizeObject(*format, w.object, {});
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_EQ(summary->records, 50u) << compression;
    EXPECT_EQ(summary->first_offset, 100) << compression;
    EXPECT_EQ(summary->last_offset, 149) << compression;
  }
}

TEST(FormatSummarizeTest, EmptyObjectHasNoOffsets) {
  auto format = Make(Settings("jsonl"));
  auto summary = SummarizeObject(*format, "", {});
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->records, 0u);
  EXPECT_EQ(summary->first_offset, -1);
  EXPECT_EQ(summary->last_offset, -1);
}

TEST(FormatSummarizeTest, TextCountsValuesAndTheirUncompressedBytes) {
  for (const char* compression : {"none", "gzip", "zstd"}) {
    auto format = Make(Settings("text", compression, "\r\n"));
    std::vector<TestRecord> records = {Value("ab", 1), Value(std::nullopt, 2), Value("", 3),
                                       Value("cde", 4)};
    const Written w = Write(*format, records);
    auto summary = SummarizeObject(*format, w.object, {});
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_EQ(summary->records, 3u) << compression;
    EXPECT_EQ(summary->first_offset, -1) << compression << ": text keeps no offsets";
    EXPECT_EQ(summary->last_offset, -1) << compression;
    EXPECT_EQ(summary->text_bytes, 2u + 2 + 0 + 2 + 3 + 2) << compression;
  }
}

TEST(FormatSummarizeTest, ReadErrorsArePassedOn) {
  auto format = Make(Settings("text"));
  auto summary = SummarizeObject(*format, "no delimiter", {});
  EXPECT_EQ(summary.status().code(), StatusCode::kDataLoss);
  auto jsonl = Make(Settings("jsonl", "gzip"));
  summary = SummarizeObject(*jsonl, "not gzip at all", {});
  EXPECT_EQ(summary.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace k2c

namespace k2c {
namespace {

// docs/openapi.yaml is written by hand: its enums must list what the
// registry accepts, no more and no less.
TEST(FormatRegistryTest, OpenApiListsTheRegistrysFormatsAndCompressions) {
  const std::string data_dir = K2C_TEST_DATA_DIR;
  const std::string path =
      data_dir.substr(0, data_dir.rfind("/tests/unit/data")) + "/docs/openapi.yaml";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  const std::string spec((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string formats;
  std::vector<std::string> compressions;
  for (const FormatInfo& info : KnownFormats()) {
    formats += (formats.empty() ? "" : ", ") + std::string(info.name);
    for (std::string_view c : info.compressions) {
      if (std::find(compressions.begin(), compressions.end(), c) == compressions.end()) {
        compressions.emplace_back(c);
      }
    }
  }
  EXPECT_NE(spec.find("enum: [" + formats + "]"), std::string::npos) << formats;
  const size_t at = spec.find("        compression:\n");
  ASSERT_NE(at, std::string::npos);
  const size_t open = spec.find("enum: [", at);
  const std::string listed = spec.substr(open + 7, spec.find(']', open) - open - 7);
  std::vector<std::string> documented;
  for (size_t start = 0; start <= listed.size();) {
    const size_t comma = std::min(listed.find(", ", start), listed.size());
    documented.push_back(listed.substr(start, comma - start));
    start = comma + 2;
  }
  std::sort(documented.begin(), documented.end());
  std::sort(compressions.begin(), compressions.end());
  EXPECT_EQ(documented, compressions);
}

}  // namespace
}  // namespace k2c

namespace k2c {
namespace {

TEST(FormatRegistryTest, KeyExtensionsNameFormatAndStreamCompression) {
  for (const FormatInfo& info : KnownFormats()) {
    for (std::string_view compression : info.compressions) {
      FormatSettings settings;
      settings.format = std::string(info.name);
      settings.compression = std::string(compression);
      auto format = MakeFormat(settings);
      ASSERT_TRUE(format.ok());
      const ExtensionInfo* ext = FindExtension((*format)->extension());
      ASSERT_NE(ext, nullptr) << (*format)->extension();
      EXPECT_EQ(ext->format, info.name);
      if (info.name == "text" || info.name == "jsonl") {
        EXPECT_EQ(ext->compression, compression);
      }
    }
  }
  // Longest first, so a key ending ".txt.gz" is not read as ".txt".
  const auto& all = KnownExtensions();
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_GE(all[i - 1].extension.size(), all[i].extension.size());
  }
  EXPECT_EQ(FindExtension(".csv"), nullptr);
}

}  // namespace
}  // namespace k2c
