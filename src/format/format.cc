// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "format/format.h"

#include <algorithm>
#include <utility>

#include "format/format_factories.h"
#include "format/stream_compression.h"
#include "format/text_codec.h"

namespace k2c {
namespace {

struct LevelRange {
  int min = 0;
  int max = 0;  // 0: the codec has no levels.
};

LevelRange LevelsOf(std::string_view compression) {
  // Avro's deflate has none: Avro C's codec is fixed at level 9.
  if (compression == "gzip") return {1, 9};
  if (compression == "zstd") return {1, 19};
  return {};
}

std::string Quoted(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::string_view name : names) {
    if (!out.empty()) out += ", ";
    out += '"';
    out += name;
    out += '"';
  }
  return out;
}

}  // namespace

std::string_view TimestampTypeName(TimestampType type) {
  switch (type) {
    case TimestampType::kCreate:
      return "create";
    case TimestampType::kLogAppend:
      return "log_append";
    case TimestampType::kNone:
      break;
  }
  return "";
}

std::optional<TimestampType> TimestampTypeFromName(std::string_view name) {
  if (name == "create") return TimestampType::kCreate;
  if (name == "log_append") return TimestampType::kLogAppend;
  return std::nullopt;
}

const std::vector<FormatInfo>& KnownFormats() {
  // Avro's C library (Debian's 1.11) has no zstd codec, and its deflate
  // runs at level 9 only (22 MB/s a core), so snappy is avro's default; Parquet's pages
  // compress with Arrow's codecs. text and jsonl are compressed as a whole
  // (see stream_compression.h).
  static const std::vector<FormatInfo> kFormats = {
      {"text",
       ".txt",
       {"none", "gzip", "zstd"},
       false,
       "record values, each followed by the delimiter (the seed's format)"},
      {"jsonl",
       ".jsonl",
       {"none", "gzip", "zstd"},
       true,
       "one JSON object per record: topic, partition, offset, timestamp, key, value, headers"},
      {"avro",
       ".avro",
       {"snappy", "deflate", "none"},
       true,
       "an Avro object container file with the same envelope"},
      {"parquet",
       ".parquet",
       {"zstd", "snappy", "gzip", "none"},
       true,
       "a Parquet file with the same envelope as columns"},
  };
  return kFormats;
}

const FormatInfo* FindFormat(std::string_view name) {
  for (const FormatInfo& info : KnownFormats()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

std::string KnownFormatNames() {
  std::string out;
  for (const FormatInfo& info : KnownFormats()) {
    if (!out.empty()) out += ", ";
    out += info.name;
  }
  return out;
}

std::string EffectiveCompression(const FormatSettings& settings) {
  if (!settings.compression.empty()) return settings.compression;
  const FormatInfo* info = FindFormat(settings.format);
  return info != nullptr ? std::string(info->compressions.front()) : "none";
}

Status ValidateFormatSettings(const FormatSettings& settings) {
  const FormatInfo* info = FindFormat(settings.format);
  if (info == nullptr) {
    std::vector<std::string_view> names;
    for (const FormatInfo& known : KnownFormats()) names.push_back(known.name);
    return Status::InvalidArgument("format is '" + settings.format +
                                   "'; supported formats: " + Quoted(names));
  }
  const std::string compression = EffectiveCompression(settings);
  const auto& allowed = info->compressions;
  if (std::find(allowed.begin(), allowed.end(), compression) == allowed.end()) {
    return Status::InvalidArgument("compression is '" + compression + "'; format \"" +
                                   std::string(info->name) + "\" supports " + Quoted(allowed));
  }
  const LevelRange levels = LevelsOf(compression);
  if (settings.compression_level != 0) {
    if (levels.max == 0) {
      return Status::InvalidArgument("compression_level is " +
                                     std::to_string(settings.compression_level) + "; \"" +
                                     compression + "\" has no levels: remove it");
    }
    if (settings.compression_level < levels.min || settings.compression_level > levels.max) {
      return Status::InvalidArgument("compression_level is " +
                                     std::to_string(settings.compression_level) + "; \"" +
                                     compression + "\" takes " + std::to_string(levels.min) + ".." +
                                     std::to_string(levels.max) + " (0: the codec's default)");
    }
  }
  if (settings.row_group_bytes < (64ull << 10) || settings.row_group_bytes > (1ull << 30)) {
    return Status::InvalidArgument(
        "row_group_bytes is " + std::to_string(settings.row_group_bytes) + ", allowed 64KiB..1GiB");
  }
  return Status::Ok();
}

Format::Format(const FormatInfo& info, FormatSettings settings)
    : info_(&info), settings_(std::move(settings)) {
  compression_ = EffectiveCompression(settings_);
  extension_ = std::string(info.extension);
  if (info.name == "text" || info.name == "jsonl") {
    auto codec = StreamCodecFromName(compression_);
    if (codec.ok()) extension_ += StreamCodecSuffix(*codec);
  }
}

Status CheckHeaderKeysAreText(const RecordView& record) {
  for (const HeaderView& header : record.headers) {
    if (!IsValidUtf8(header.key)) {
      return Status::InvalidArgument(
          "the record at offset " + std::to_string(record.offset) + " of partition " +
          std::to_string(record.partition) +
          " has a header key that is not valid UTF-8; Avro and Parquet keep header keys as "
          "strings: use format \"jsonl\" (which keeps any bytes) for that topic");
    }
  }
  return Status::Ok();
}

Result<ObjectSummary> SummarizeObject(const Format& format, std::string_view object,
                                      const ReadLimits& limits) {
  ObjectSummary summary;
  const uint64_t delimiter = format.settings().delimiter.size();
  K2C_RETURN_IF_ERROR(format.Read(object, limits, [&](const DecodedRecord& record) {
    if (summary.records == 0) summary.first_offset = record.offset;
    summary.last_offset = record.offset;
    ++summary.records;
    summary.text_bytes += (record.value ? record.value->size() : 0) + delimiter;
    return Status::Ok();
  }));
  return summary;
}

const std::vector<ExtensionInfo>& KnownExtensions() {
  static const std::vector<ExtensionInfo> extensions = [] {
    std::vector<ExtensionInfo> all;
    for (const FormatInfo& info : KnownFormats()) {
      // Formats whose compression wraps the stream name it in the extension
      // (see Format's constructor), the others keep one extension.
      const bool stream_compressed = info.name == "text" || info.name == "jsonl";
      if (!stream_compressed) {
        all.push_back(ExtensionInfo{std::string(info.extension), info.name, ""});
        continue;
      }
      for (std::string_view compression : info.compressions) {
        auto codec = StreamCodecFromName(std::string(compression));
        std::string extension(info.extension);
        if (codec.ok()) extension += StreamCodecSuffix(*codec);
        all.push_back(ExtensionInfo{std::move(extension), info.name, compression});
      }
    }
    std::stable_sort(all.begin(), all.end(), [](const ExtensionInfo& a, const ExtensionInfo& b) {
      return a.extension.size() > b.extension.size();
    });
    return all;
  }();
  return extensions;
}

const ExtensionInfo* FindExtension(std::string_view extension) {
  for (const ExtensionInfo& info : KnownExtensions()) {
    if (info.extension == extension) return &info;
  }
  return nullptr;
}

Result<std::unique_ptr<Format>> MakeFormat(const FormatSettings& settings) {
  K2C_RETURN_IF_ERROR(ValidateFormatSettings(settings));
  const FormatInfo& info = *FindFormat(settings.format);
  if (info.name == "text") return MakeTextFormat(info, settings);
  if (info.name == "jsonl") return MakeJsonlFormat(info, settings);
  if (info.name == "avro") return MakeAvroFormat(info, settings);
  return MakeParquetFormat(info, settings);
}

}  // namespace k2c
