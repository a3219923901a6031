// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "format/stream_compression.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace k2c {
namespace {

using ::testing::HasSubstr;

constexpr StreamCodec kCodecs[] = {StreamCodec::kGzip, StreamCodec::kZstd};

std::string Name(StreamCodec codec) { return codec == StreamCodec::kGzip ? "gzip" : "zstd"; }

std::string RandomBytes(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

// Text that compresses, but not to nothing.
std::string Lines(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out;
  while (out.size() < size) {
    out += "record " + std::to_string(rng() % 100000) +
           " of the test, value=" + std::to_string(rng()) + "\n";
  }
  out.resize(size);
  return out;
}

std::string Compress(StreamCodec codec, std::string_view in, int level = 0) {
  std::string out;
  const Status s = CompressFrame(codec, level, in, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

Result<std::string> Decompress(StreamCodec codec, std::string_view in,
                               uint64_t max_bytes = UINT64_MAX) {
  std::string out;
  Status s = DecompressAll(codec, in, max_bytes, &out);
  if (!s.ok()) return s;
  return out;
}

// The number of zstd frames in `in`, or -1 when it is not a sequence of them.
int ZstdFrames(std::string_view in) {
  int frames = 0;
  while (!in.empty()) {
    const size_t n = ZSTD_findFrameCompressedSize(in.data(), in.size());
    if (ZSTD_isError(n)) return -1;
    in.remove_prefix(n);
    ++frames;
  }
  return frames;
}

// The number of gzip members in `in`, or -1 when it is not a sequence of them.
int GzipMembers(std::string_view in) {
  int members = 0;
  std::string sink(1 << 16, '\0');
  while (!in.empty()) {
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 16) != Z_OK) return -1;
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
    ++members;
  }
  return members;
}

int Frames(StreamCodec codec, std::string_view in) {
  return codec == StreamCodec::kGzip ? GzipMembers(in) : ZstdFrames(in);
}

TEST(StreamCompressionTest, CodecNamesAndSuffixes) {
  ASSERT_TRUE(StreamCodecFromName("none").ok());
  EXPECT_EQ(*StreamCodecFromName("none"), StreamCodec::kNone);
  EXPECT_EQ(*StreamCodecFromName("gzip"), StreamCodec::kGzip);
  EXPECT_EQ(*StreamCodecFromName("zstd"), StreamCodec::kZstd);
  for (const char* bad : {"", "GZIP", "deflate", "snappy", "zst"}) {
    auto codec = StreamCodecFromName(bad);
    ASSERT_FALSE(codec.ok()) << bad;
    EXPECT_EQ(codec.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(codec.status().message(), HasSubstr("none, gzip, zstd"));
  }
  EXPECT_EQ(StreamCodecSuffix(StreamCodec::kNone), "");
  EXPECT_EQ(StreamCodecSuffix(StreamCodec::kGzip), ".gz");
  EXPECT_EQ(StreamCodecSuffix(StreamCodec::kZstd), ".zst");
}

TEST(StreamCompressionTest, FramesRoundTripAtEveryLevel) {
  const std::string text = Lines(300000, 1);
  for (StreamCodec codec : kCodecs) {
    const int max_level = codec == StreamCodec::kGzip ? 9 : 19;
    for (int level : {0, 1, 5, max_level}) {
      const std::string frame = Compress(codec, text, level);
      EXPECT_LT(frame.size(), text.size() / 2) << Name(codec) << " " << level;
      EXPECT_EQ(Frames(codec, frame), 1) << Name(codec) << " " << level;
      auto back = Decompress(codec, frame);
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      EXPECT_TRUE(*back == text) << Name(codec) << " " << level;
    }
  }
  // The gzip and zstd magic numbers: what every other reader looks for.
  EXPECT_EQ(Compress(StreamCodec::kGzip, "x").substr(0, 2), "\x1f\x8b");
  EXPECT_EQ(Compress(StreamCodec::kZstd, "x").substr(0, 4), "\x28\xb5\x2f\xfd");
}

TEST(StreamCompressionTest, EmptyInputMakesAValidEmptyFrame) {
  for (StreamCodec codec : kCodecs) {
    const std::string frame = Compress(codec, "");
    EXPECT_FALSE(frame.empty()) << Name(codec);
    EXPECT_EQ(Frames(codec, frame), 1) << Name(codec);
    auto back = Decompress(codec, frame);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, "");
  }
}

TEST(StreamCompressionTest, NoneCopiesAsIs) {
  const std::string bytes = RandomBytes(1000, 2);
  std::string out = "kept";
  ASSERT_TRUE(CompressFrame(StreamCodec::kNone, 0, bytes, &out).ok());
  EXPECT_EQ(out, "kept" + bytes);
  auto back = Decompress(StreamCodec::kNone, bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, bytes);
  auto too_large = Decompress(StreamCodec::kNone, bytes, 999);
  EXPECT_EQ(too_large.status().code(), StatusCode::kResourceExhausted);
}

TEST(StreamCompressionTest, ConcatenatedFramesDecodeAsOneStream) {
  for (StreamCodec codec : kCodecs) {
    const std::string a = Lines(200000, 3);
    const std::string b = RandomBytes(70000, 4);
    const std::string c = "the end\n";
    std::string stream;
    ASSERT_TRUE(CompressFrame(codec, 0, a, &stream).ok());
    ASSERT_TRUE(CompressFrame(codec, 3, b, &stream).ok());
    ASSERT_TRUE(CompressFrame(codec, 0, "", &stream).ok());
    ASSERT_TRUE(CompressFrame(codec, 9, c, &stream).ok());
    EXPECT_EQ(Frames(codec, stream), 4) << Name(codec);
    std::string out = "prefix|";
    ASSERT_TRUE(DecompressAll(codec, stream, UINT64_MAX, &out).ok()) << Name(codec);
    EXPECT_TRUE(out == "prefix|" + a + b + c) << Name(codec);
  }
}

TEST(StreamCompressionTest, EveryTruncationIsDataLoss) {
  for (StreamCodec codec : kCodecs) {
    const std::string first = Compress(codec, Lines(3000, 5));
    const std::string stream = first + Compress(codec, RandomBytes(500, 6));
    for (size_t cut = 1; cut < stream.size(); ++cut) {
      if (cut == first.size()) continue;  // A whole frame: a valid stream.
      auto back = Decompress(codec, std::string_view(stream).substr(0, cut));
      ASSERT_FALSE(back.ok()) << Name(codec) << " cut at " << cut;
      EXPECT_EQ(back.status().code(), StatusCode::kDataLoss)
          << Name(codec) << " cut at " << cut << ": " << back.status().ToString();
    }
    auto whole_first = Decompress(codec, first);
    EXPECT_TRUE(whole_first.ok()) << Name(codec);
  }
}

TEST(StreamCompressionTest, GarbageIsInvalidArgument) {
  for (StreamCodec codec : kCodecs) {
    const std::string frame = Compress(codec, Lines(5000, 7));
    const std::vector<std::string> bad = {
        "this is not a compressed stream at all",
        frame + "trailing garbage after a valid frame",
        std::string(64, '\0'),
    };
    for (const std::string& in : bad) {
      auto back = Decompress(codec, in);
      ASSERT_FALSE(back.ok()) << Name(codec);
      EXPECT_EQ(back.status().code(), StatusCode::kInvalidArgument)
          << Name(codec) << ": " << back.status().ToString();
      EXPECT_THAT(back.status().message(), HasSubstr("not a valid " + Name(codec) + " stream"));
    }
  }
  // gzip checks each member's CRC-32: a flipped byte of data is caught.
  std::string frame = Compress(StreamCodec::kGzip, RandomBytes(5000, 8), 1);
  frame[frame.size() / 2] ^= 0x55;
  auto back = Decompress(StreamCodec::kGzip, frame);
  EXPECT_EQ(back.status().code(), StatusCode::kInvalidArgument) << back.status().ToString();
}

TEST(StreamCompressionTest, MaxBytesIsResourceExhaustedWithoutDecodingEverything) {
  for (StreamCodec codec : kCodecs) {
    const std::string text = Lines(1 << 20, 9);
    const std::string frame = Compress(codec, text);
    EXPECT_TRUE(Decompress(codec, frame, text.size()).ok()) << Name(codec);
    auto over = Decompress(codec, frame, text.size() - 1);
    ASSERT_FALSE(over.ok()) << Name(codec);
    EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted) << over.status().ToString();
    EXPECT_THAT(over.status().message(), HasSubstr(std::to_string(text.size() - 1)));

    // A bomb: 64 MiB of zeros in a few KiB. The decoder stops soon after
    // the bound instead of producing it all.
    std::string bomb;
    const std::string zeros(16 << 20, '\0');
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(CompressFrame(codec, 1, zeros, &bomb).ok());
    std::string out;
    const Status s = DecompressAll(codec, bomb, 1 << 20, &out);
    EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << Name(codec);
    EXPECT_LE(out.size(), (1u << 20) + (1u << 17)) << Name(codec);
  }
}

TEST(StreamCompressionTest, ZstdFrameWithAHugeWindowIsRefusedBeforeAllocating) {
  // A frame header (RFC 8878, 3.1.1.1) declaring a 2 GiB window (Window_Log
  // 31, exponent 21), then one raw block of one byte. Decoding it would need
  // the whole window reserved first; the decoder must refuse instead.
  std::string frame = "\x28\xb5\x2f\xfd";
  frame += '\x00';                          // Frame_Header_Descriptor: no FCS.
  frame += static_cast<char>(21 << 3);      // Window_Descriptor.
  frame += std::string("\x09\x00\x00", 3);  // Last block, raw, 1 byte.
  frame += 'x';
  // The same with single segment and a 1 TiB Frame_Content_Size.
  std::string declared = "\x28\xb5\x2f\xfd";
  declared += static_cast<char>(0xE0);  // FCS_Field_Size 8, Single_Segment.
  declared += std::string("\x00\x00\x00\x00\x00\x01\x00\x00", 8);
  declared += std::string("\x09\x00\x00", 3);
  declared += 'x';
  for (const std::string* in : {&frame, &declared}) {
    const auto start = std::chrono::steady_clock::now();
    std::string out;
    const Status s = DecompressAll(StreamCodec::kZstd, *in, UINT64_MAX, &out);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
    EXPECT_THAT(s.message(), HasSubstr("too much memory"));
    EXPECT_TRUE(out.empty());
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  }
  // A small window of the same shape is fine: the test's frame is valid.
  std::string small = frame;
  small[5] = 0;  // Window_Log 10.
  auto back = Decompress(StreamCodec::kZstd, small);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, "x");
}

// An inner writer that appends record values, or holds them until Flush or
// Finish when `holds`; Finish adds `trailer`.
class FakeWriter final : public ObjectWriter {
 public:
  explicit FakeWriter(bool holds = false, std::string trailer = "<trailer>")
      : holds_(holds), trailer_(std::move(trailer)) {}
  Status Append(const RecordView& record, std::string* out, bool* kept) override {
    *kept = record.value.has_value();
    if (record.value && *record.value == "fail") return Status::Internal("inner failed");
    if (*kept) (holds_ ? held_ : *out).append(*record.value);
    return Status::Ok();
  }
  Status Flush(std::string* out) override {
    out->append(held_);
    held_.clear();
    return Status::Ok();
  }
  Status Finish(std::string* out) override {
    K2C_RETURN_IF_ERROR(Flush(out));
    out->append(trailer_);
    return Status::Ok();
  }
  uint64_t buffered_bytes() const override { return held_.size(); }

 private:
  const bool holds_;
  const std::string trailer_;
  std::string held_;
};

RecordView ValueRecord(std::string_view value) {
  RecordView r;
  r.value = value;
  return r;
}

TEST(StreamCompressionWriterTest, NoneIsTheInnerWriterItself) {
  auto inner = std::make_unique<FakeWriter>();
  ObjectWriter* raw = inner.get();
  EXPECT_EQ(CompressingWriter(std::move(inner), StreamCodec::kNone, 0).get(), raw);
}

TEST(StreamCompressionWriterTest, BuffersAboutOneBlockAndEmitsFramesWhileAppending) {
  for (StreamCodec codec : kCodecs) {
    auto writer = CompressingWriter(std::make_unique<FakeWriter>(), codec, 1);
    // Odd-sized records, so that blocks do not end on a record boundary.
    const std::string data = RandomBytes(20 << 20, 10);
    const size_t record = 3001;
    std::string out;
    uint64_t max_buffered = 0;
    size_t appends_that_emitted = 0;
    for (size_t at = 0; at < data.size(); at += record) {
      const size_t before = out.size();
      bool kept = false;
      ASSERT_TRUE(
          writer->Append(ValueRecord(std::string_view(data).substr(at, record)), &out, &kept).ok());
      EXPECT_TRUE(kept);
      if (out.size() > before) ++appends_that_emitted;
      max_buffered = std::max(max_buffered, writer->buffered_bytes());
    }
    // A block of kCompressionBlockBytes, and what string growth adds to it.
    EXPECT_LE(max_buffered, 2 * kCompressionBlockBytes + record) << Name(codec);
    EXPECT_GE(max_buffered, kCompressionBlockBytes / 2) << Name(codec);
    // 20 blocks: all but the last emitted before Finish, as they filled.
    EXPECT_GE(appends_that_emitted, 19u) << Name(codec);
    EXPECT_GE(Frames(codec, out), 19) << Name(codec);
    EXPECT_GT(out.size(), data.size() * 9 / 10) << Name(codec);
    ASSERT_TRUE(writer->Finish(&out).ok());
    EXPECT_GE(Frames(codec, out), 20) << Name(codec);
    auto back = Decompress(codec, out);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_TRUE(*back == data + "<trailer>") << Name(codec);
  }
}

TEST(StreamCompressionWriterTest, FlushEmitsAFrameAndFreesTheBlock) {
  for (StreamCodec codec : kCodecs) {
    auto writer = CompressingWriter(std::make_unique<FakeWriter>(), codec, 0);
    std::string out;
    bool kept = false;
    ASSERT_TRUE(writer->Append(ValueRecord("first records"), &out, &kept).ok());
    EXPECT_TRUE(out.empty()) << Name(codec);
    EXPECT_GT(writer->buffered_bytes(), 0u);
    ASSERT_TRUE(writer->Flush(&out).ok());
    EXPECT_EQ(Frames(codec, out), 1) << Name(codec);
    // Freed: what is left is an empty string's inline capacity.
    EXPECT_LE(writer->buffered_bytes(), sizeof(std::string)) << Name(codec);
    EXPECT_EQ(*Decompress(codec, out), "first records");
    // Nothing new: no frame.
    const size_t after_flush = out.size();
    ASSERT_TRUE(writer->Flush(&out).ok());
    EXPECT_EQ(out.size(), after_flush);
    ASSERT_TRUE(writer->Append(ValueRecord(", more"), &out, &kept).ok());
    ASSERT_TRUE(writer->Finish(&out).ok());
    EXPECT_EQ(Frames(codec, out), 2) << Name(codec);
    EXPECT_EQ(*Decompress(codec, out), "first records, more<trailer>");
  }
}

TEST(StreamCompressionWriterTest, FlushAndFinishCompressWhatTheInnerWriterHeld) {
  for (StreamCodec codec : kCodecs) {
    auto writer = CompressingWriter(std::make_unique<FakeWriter>(/*holds=*/true), codec, 0);
    std::string out;
    bool kept = false;
    ASSERT_TRUE(writer->Append(ValueRecord("held"), &out, &kept).ok());
    EXPECT_TRUE(out.empty());
    EXPECT_GE(writer->buffered_bytes(), 4u) << "the inner writer's bytes count";
    ASSERT_TRUE(writer->Flush(&out).ok());
    EXPECT_EQ(Frames(codec, out), 1);
    ASSERT_TRUE(writer->Finish(&out).ok());
    EXPECT_EQ(*Decompress(codec, out), "held<trailer>");
  }
}

TEST(StreamCompressionWriterTest, AnObjectWithNoRecordsIsOneEmptyFrame) {
  for (StreamCodec codec : kCodecs) {
    auto writer = CompressingWriter(std::make_unique<FakeWriter>(false, ""), codec, 0);
    std::string out;
    bool kept = true;
    ASSERT_TRUE(writer->Append(RecordView{}, &out, &kept).ok());
    EXPECT_FALSE(kept);
    ASSERT_TRUE(writer->Flush(&out).ok());
    EXPECT_TRUE(out.empty()) << "an empty Flush emits nothing";
    // One empty frame: a zero-byte object would not be a valid stream.
    ASSERT_TRUE(writer->Finish(&out).ok());
    EXPECT_EQ(Frames(codec, out), 1) << Name(codec);
    auto back = Decompress(codec, out);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, "");
  }
}

TEST(StreamCompressionWriterTest, InnerErrorsArePassedOn) {
  auto writer = CompressingWriter(std::make_unique<FakeWriter>(), StreamCodec::kZstd, 0);
  std::string out;
  bool kept = false;
  const Status s = writer->Append(ValueRecord("fail"), &out, &kept);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_EQ(s.message(), "inner failed");
}

}  // namespace
}  // namespace k2c
