// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "format/record.h"

namespace k2c {

// Turns records into the bytes of an archive object. One encoder serves all
// partitions of a task; it keeps no per-object state, so objects can be cut
// anywhere between records. Thread-compatible (const methods only).
class RecordEncoder {
 public:
  virtual ~RecordEncoder() = default;

  // Appends the encoding of `record` to `out`. Returns false, leaving `out`
  // untouched, when the format drops the record (e.g. a null value in text).
  virtual bool Append(const RecordView& record, std::string* out) const = 0;

  // File name extension including the dot, e.g. ".txt"; fills `{ext}`.
  virtual std::string_view extension() const = 0;
};

// Options of the `text` format, the seed's: values as strings, each followed
// by the delimiter. Null values are skipped; empty values keep their line.
struct TextFormatOptions {
  std::string delimiter = "\n";
};

// Creates the encoder for `format` ("text"). InvalidArgument for an unknown
// format name, listing the known ones.
Result<std::unique_ptr<RecordEncoder>> MakeEncoder(const std::string& format,
                                                   const TextFormatOptions& text);

}  // namespace k2c
