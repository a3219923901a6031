// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include <memory>
#include <utility>

#include "format/encoder.h"

namespace k2c {
namespace {

// The seed's format: message values as strings, concatenated. The delimiter
// follows every value (not only between values) so that concatenating two
// objects still yields one record per line.
class TextEncoder final : public RecordEncoder {
 public:
  explicit TextEncoder(TextFormatOptions options) : options_(std::move(options)) {}

  bool Append(const RecordView& record, std::string* out) const override {
    if (!record.value.has_value()) return false;
    out->append(record.value->data(), record.value->size());
    out->append(options_.delimiter);
    return true;
  }

  std::string_view extension() const override { return ".txt"; }

 private:
  TextFormatOptions options_;
};

}  // namespace

Result<std::unique_ptr<RecordEncoder>> MakeEncoder(const std::string& format,
                                                   const TextFormatOptions& text) {
  if (format == "text") return std::unique_ptr<RecordEncoder>(std::make_unique<TextEncoder>(text));
  return Status::InvalidArgument("unknown format '" + format + "' (known formats: text)");
}

}  // namespace k2c
