// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// libFuzzer target for the archive object readers: the whole input is read
// by Format::Read of every format and compression (text and jsonl with none,
// gzip and zstd; avro with deflate; parquet with zstd) under tight
// ReadLimits, with a visitor that touches every field. A read may fail, but
// only with the codes format.h documents, and never with a record past the
// limits. What text and jsonl accept is checked further: written again, it
// reads back the same. Built with -DK2C_FUZZ=ON; run by scripts/fuzz.sh.
//
// Seeds (tests/fuzz/corpus/format_reader/) are small objects of each kind.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "format/format.h"
#include "format/stream_compression.h"
#include "format/text_codec.h"

namespace {

constexpr k2c::ReadLimits kLimits{/*max_decoded_bytes=*/16ull << 20,
                                  /*max_record_bytes=*/4ull << 20};

struct Reader {
  std::unique_ptr<k2c::Format> format;
  bool text = false;   // `text`: keeps values only.
  bool jsonl = false;  // `jsonl`: rewritten and compared.
};

std::vector<Reader> MakeReaders() {
  struct Spec {
    const char* format;
    const char* compression;
  };
  const Spec specs[] = {{"text", "none"},    {"text", "gzip"},   {"text", "zstd"},
                        {"jsonl", "none"},   {"jsonl", "gzip"},  {"jsonl", "zstd"},
                        {"avro", "deflate"}, {"avro", "snappy"}, {"avro", "none"},
                        {"parquet", "zstd"}};
  std::vector<Reader> readers;
  for (const Spec& spec : specs) {
    k2c::FormatSettings settings;
    settings.format = spec.format;
    settings.compression = spec.compression;
    k2c::Result<std::unique_ptr<k2c::Format>> format = k2c::MakeFormat(settings);
    if (!format.ok()) __builtin_trap();
    Reader reader;
    reader.format = std::move(*format);
    reader.text = settings.format == "text";
    reader.jsonl = settings.format == "jsonl";
    readers.push_back(std::move(reader));
  }
  return readers;
}

const std::vector<Reader>& Readers() {
  static const std::vector<Reader>* readers = new std::vector<Reader>(MakeReaders());
  return *readers;
}

// Reads every byte of `bytes` (so that ASan sees a dangling one), and checks
// the per-record limit.
uint64_t Touch(std::string_view bytes) {
  if (bytes.size() > kLimits.max_record_bytes) __builtin_trap();
  uint64_t sum = 0;
  for (unsigned char c : bytes) sum += c;
  return sum;
}

uint64_t TouchOptional(const std::optional<std::string>& bytes) {
  return bytes ? Touch(*bytes) + 1 : 0;
}

uint64_t Size(const std::optional<std::string>& bytes) { return bytes ? bytes->size() : 0; }

// The records of `records` written again, one jsonl object each (each may
// have its own topic), concatenated: a valid jsonl object.
std::string RewriteAsJsonl(const k2c::Format& jsonl,
                           const std::vector<k2c::DecodedRecord>& records) {
  std::string out;
  for (const k2c::DecodedRecord& r : records) {
    auto writer = jsonl.NewWriter({r.topic, r.partition});
    if (!writer.ok()) __builtin_trap();
    std::vector<k2c::HeaderView> headers;
    for (const k2c::DecodedHeader& h : r.headers) {
      headers.push_back(
          {h.key, h.value ? std::optional<std::string_view>(*h.value) : std::nullopt});
    }
    k2c::RecordView view;
    view.partition = r.partition;
    view.offset = r.offset;
    view.timestamp_ms = r.timestamp_ms;
    view.timestamp_type = r.timestamp_type;
    if (r.key) view.key = *r.key;
    if (r.value) view.value = *r.value;
    view.headers = headers;
    bool kept = false;
    if (!(*writer)->Append(view, &out, &kept).ok() || !kept) __builtin_trap();
    if (!(*writer)->Finish(&out).ok()) __builtin_trap();
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view object(reinterpret_cast<const char*>(data), size);
  const std::vector<Reader>& readers = Readers();
  const k2c::Format& plain_jsonl = *readers[3].format;

  for (const Reader& reader : readers) {
    const k2c::Format& format = *reader.format;
    std::vector<k2c::DecodedRecord> records;
    uint64_t decoded = 0;
    volatile uint64_t sink = 0;
    const k2c::Status status = format.Read(object, kLimits, [&](const k2c::DecodedRecord& r) {
      uint64_t sum = Touch(r.topic) + TouchOptional(r.key) + TouchOptional(r.value);
      sum += static_cast<uint64_t>(r.partition) + static_cast<uint64_t>(r.offset) +
             static_cast<uint64_t>(r.timestamp_ms) + static_cast<uint64_t>(r.timestamp_type);
      decoded += r.topic.size() + Size(r.key) + Size(r.value);
      for (const k2c::DecodedHeader& h : r.headers) {
        sum += Touch(h.key) + TouchOptional(h.value);
        decoded += h.key.size() + Size(h.value);
      }
      sink = sink + sum;
      if (reader.text) {
        // `text` keeps nothing but the value, which it always has.
        if (!r.value || r.key || !r.headers.empty() || r.offset != -1 || r.partition != -1 ||
            !r.topic.empty() || r.timestamp_ms != -1) {
          __builtin_trap();
        }
      } else if (r.timestamp_type == k2c::TimestampType::kNone && r.timestamp_ms != -1) {
        __builtin_trap();
      }
      if (reader.text || reader.jsonl) records.push_back(r);
      return k2c::Status::Ok();
    });
    if (!status.ok()) {
      const k2c::StatusCode code = status.code();
      if (code != k2c::StatusCode::kInvalidArgument && code != k2c::StatusCode::kDataLoss &&
          code != k2c::StatusCode::kResourceExhausted) {
        __builtin_trap();
      }
      continue;
    }
    if (!reader.text && !reader.jsonl) continue;
    // The records of text and jsonl are read from the decompressed object:
    // they cannot hold more bytes than it.
    if (decoded > kLimits.max_decoded_bytes) __builtin_trap();

    std::string storage;
    k2c::Result<std::string_view> uncompressed =
        k2c::Uncompressed(format, object, kLimits, &storage);
    if (!uncompressed.ok()) __builtin_trap();
    if (reader.text) {
      // Every value followed by the delimiter is the whole object again.
      std::string again;
      for (const k2c::DecodedRecord& r : records) {
        again += *r.value;
        again += format.settings().delimiter;
      }
      if (again != *uncompressed) __builtin_trap();
    } else {
      // Lossless: written again (the topic comes from the context), the
      // records read back the same. A topic that is not UTF-8 cannot come
      // from JSON.
      for (const k2c::DecodedRecord& r : records) {
        if (!k2c::IsValidUtf8(r.topic)) __builtin_trap();
      }
      const std::string again = RewriteAsJsonl(plain_jsonl, records);
      size_t index = 0;
      const k2c::Status reread =
          plain_jsonl.Read(again, k2c::ReadLimits{}, [&](const k2c::DecodedRecord& r) {
            if (index >= records.size() || !(r == records[index])) __builtin_trap();
            ++index;
            return k2c::Status::Ok();
          });
      if (!reread.ok() || index != records.size()) __builtin_trap();
    }
  }
  return 0;
}
