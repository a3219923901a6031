// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "format/record.h"

namespace k2c {

// The formats an archive object can have, and what each allows. This table
// is the one place that knows them: config validation, the API, the CLI's
// help, key extensions and docs/formats.md all follow it.
struct FormatInfo {
  std::string_view name;       // "text", "jsonl", "avro", "parquet"
  std::string_view extension;  // ".txt", ...; a compression may add to it
  // Accepted values of `compression`, the default first.
  std::vector<std::string_view> compressions;
  // Keeps key, headers, timestamp, offset and null values (not `text`).
  bool lossless = false;
  std::string_view summary;  // One line for help texts.
};

// All formats, `text` (the default) first.
const std::vector<FormatInfo>& KnownFormats();
// The format called `name`, or null.
const FormatInfo* FindFormat(std::string_view name);
// "text, jsonl, avro, parquet": for messages and help.
std::string KnownFormatNames();

// What an object key's extension says about the object: its format, and its
// compression where the compression wraps the whole stream (text, jsonl);
// Avro and Parquet name their codec inside the object ("" here).
struct ExtensionInfo {
  std::string extension;  // ".txt", ".jsonl.zst", ".parquet", ...
  std::string_view format;
  std::string_view compression;
};
// Every extension the formats write, longest first (so ".txt.gz" is tried
// before ".txt" when a key is read back).
const std::vector<ExtensionInfo>& KnownExtensions();
// The entry for `extension`, or null.
const ExtensionInfo* FindExtension(std::string_view extension);

// How a task's objects are written; see docs/config.md and docs/formats.md.
struct FormatSettings {
  std::string format = "text";
  // Empty: the format's default (the first of FormatInfo::compressions).
  std::string compression;
  std::string delimiter = "\n";  // `text` only.
  // 0: the codec's default level. gzip 1..9, zstd 1..19.
  int compression_level = 0;
  // `parquet`: a row group is cut once its records hold this many bytes.
  uint64_t row_group_bytes = 16ull << 20;
};

// InvalidArgument saying what to change when `settings` are not a known
// format with one of its compressions and a level its codec accepts.
Status ValidateFormatSettings(const FormatSettings& settings);

// The compression `settings` resolve to (their own, or the format's default).
std::string EffectiveCompression(const FormatSettings& settings);

// What an object is written for; formats may record it in the object.
struct ObjectContext {
  std::string topic;
  int32_t partition = 0;
};

// Writes the records of one object, in offset order. Each call appends the
// bytes that are ready to `*out` (possibly none: formats buffer blocks, row
// groups or compressor input); Finish appends the rest, so the object is the
// concatenation of everything appended, in order. The object is readable
// only once Finish returned OK. Not thread-safe; one per open window.
class ObjectWriter {
 public:
  virtual ~ObjectWriter() = default;

  // Adds `record`. `*kept` is false when the format drops it (a null value
  // in `text`). An error leaves the writer unusable: the window's records
  // must be read again (or, for a record the format cannot hold, the
  // partition blocked with the message).
  virtual Status Append(const RecordView& record, std::string* out, bool* kept) = 0;

  // Emits what the writer buffers and can emit without ending the object
  // (compresses its block, writes its row group), so the memory it holds
  // can be spilled or uploaded. Objects may be larger for it.
  virtual Status Flush(std::string* out) = 0;

  // Ends the object (trailer, footer, last compressed frame). Call once.
  virtual Status Finish(std::string* out) = 0;

  // Bytes the writer holds in memory besides what it appended: charged to
  // the memory budget by its owner.
  virtual uint64_t buffered_bytes() const = 0;
};

// Bounds a reader keeps to, so a corrupt or hostile object cannot make it
// allocate without limit.
struct ReadLimits {
  uint64_t max_decoded_bytes = 4ull << 30;  // Decompressed bytes of one object.
  uint64_t max_record_bytes = 1ull << 30;   // One key, value or header value.
};

// Called with each record of an object, in the object's order; a non-OK
// status stops the read and is returned by Read. The record is the reader's
// scratch space: a visitor may move its fields out (readers set every field
// again before the next call), which spares a copy per record.
using RecordVisitor = std::function<Status(DecodedRecord&)>;

// One task's format: makes writers and reads objects back. Thread-safe
// (const methods only); writers it makes are independent.
class Format {
 public:
  virtual ~Format() = default;

  const FormatInfo& info() const { return *info_; }
  const FormatSettings& settings() const { return settings_; }
  // The compression in effect (never empty).
  const std::string& compression() const { return compression_; }
  // The object key's extension, e.g. ".jsonl.zst": fills `{ext}`.
  const std::string& extension() const { return extension_; }

  virtual Result<std::unique_ptr<ObjectWriter>> NewWriter(const ObjectContext& context) const = 0;

  // Decodes a whole object. InvalidArgument (DataLoss for a truncated one)
  // saying what is wrong and where, when it is not a complete object of
  // this format and compression.
  virtual Status Read(std::string_view object, const ReadLimits& limits,
                      const RecordVisitor& visit) const = 0;

 protected:
  Format(const FormatInfo& info, FormatSettings settings);

 private:
  const FormatInfo* info_;
  FormatSettings settings_;
  std::string compression_;
  std::string extension_;
};

// What an object holds, read back (an adopted object whose metadata has no
// last offset, verify).
struct ObjectSummary {
  uint64_t records = 0;  // Records read (text: non-null values).
  // From the records (lossless formats); -1 for `text`, which keeps none.
  int64_t first_offset = -1;
  int64_t last_offset = -1;
  // `text`: the bytes of its records uncompressed (values and delimiters).
  uint64_t text_bytes = 0;
};
Result<ObjectSummary> SummarizeObject(const Format& format, std::string_view object,
                                      const ReadLimits& limits);

// The format `settings` describe, after ValidateFormatSettings.
Result<std::unique_ptr<Format>> MakeFormat(const FormatSettings& settings);

}  // namespace k2c
