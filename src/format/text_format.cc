// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
// The `text` format, the seed's: record values as they are, each followed
// by the delimiter (not only between values, so that two objects
// concatenated still hold one record per line). Null values are skipped;
// empty values keep their line. Keys, headers and offsets are not kept.
#include <memory>
#include <utility>

#include "format/format_factories.h"
#include "format/stream_compression.h"

namespace k2c {
namespace {

class TextWriter final : public ObjectWriter {
 public:
  explicit TextWriter(std::string delimiter) : delimiter_(std::move(delimiter)) {}

  Status Append(const RecordView& record, std::string* out, bool* kept) override {
    *kept = record.value.has_value();
    if (*kept) {
      out->append(record.value->data(), record.value->size());
      out->append(delimiter_);
    }
    return Status::Ok();
  }
  Status Flush(std::string*) override { return Status::Ok(); }
  Status Finish(std::string*) override { return Status::Ok(); }
  uint64_t buffered_bytes() const override { return 0; }

 private:
  const std::string delimiter_;
};

class TextFormat final : public Format {
 public:
  TextFormat(const FormatInfo& info, const FormatSettings& settings, StreamCodec codec)
      : Format(info, settings), codec_(codec) {}

  Result<std::unique_ptr<ObjectWriter>> NewWriter(const ObjectContext&) const override {
    return CompressingWriter(std::make_unique<TextWriter>(settings().delimiter), codec_,
                             settings().compression_level);
  }

  Status Read(std::string_view object, const ReadLimits& limits,
              const RecordVisitor& visit) const override {
    std::string storage;
    auto text = Uncompressed(*this, object, limits, &storage);
    if (!text.ok()) return text.status();
    const std::string& delimiter = settings().delimiter;
    std::string_view rest = *text;
    DecodedRecord record;
    while (!rest.empty()) {
      const size_t end = delimiter.empty() ? rest.size() : rest.find(delimiter);
      if (end == std::string_view::npos) {
        return Status::DataLoss(
            "the last record has no delimiter after it: the object is "
            "truncated or was written with another delimiter");
      }
      if (end > limits.max_record_bytes) {
        return Status::ResourceExhausted("a value is longer than " +
                                         std::to_string(limits.max_record_bytes) + " bytes");
      }
      record.value = std::string(rest.substr(0, end));
      K2C_RETURN_IF_ERROR(visit(record));
      rest.remove_prefix(std::min(rest.size(), end + delimiter.size()));
    }
    return Status::Ok();
  }

 private:
  const StreamCodec codec_;
};

}  // namespace

Result<std::unique_ptr<Format>> MakeTextFormat(const FormatInfo& info,
                                               const FormatSettings& settings) {
  auto codec = StreamCodecFromName(EffectiveCompression(settings));
  if (!codec.ok()) return codec.status();
  return std::unique_ptr<Format>(std::make_unique<TextFormat>(info, settings, *codec));
}

}  // namespace k2c
