// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "sink/object_range.h"

#include <charconv>

namespace k2c {
namespace {

constexpr const char* kFirst = "kafka2cos-first-offset";
constexpr const char* kLast = "kafka2cos-last-offset";
constexpr const char* kRecords = "kafka2cos-records";
constexpr const char* kWriter = "kafka2cos-writer";

template <typename Int>
std::optional<Int> ParseInt(const ObjectMetadata& metadata, const char* name) {
  auto it = metadata.find(name);
  if (it == metadata.end()) return std::nullopt;
  Int value{};
  const std::string& text = it->second;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

ObjectMetadata ObjectRange::ToMetadata() const {
  ObjectMetadata metadata;
  metadata[kFirst] = std::to_string(first_offset);
  if (last_offset) metadata[kLast] = std::to_string(*last_offset);
  if (records) metadata[kRecords] = std::to_string(*records);
  if (!writer.empty()) metadata[kWriter] = writer;
  return metadata;
}

std::optional<ObjectRange> ObjectRange::FromMetadata(const ObjectMetadata& metadata) {
  auto first = ParseInt<int64_t>(metadata, kFirst);
  if (!first || *first < 0) return std::nullopt;
  ObjectRange range;
  range.first_offset = *first;
  range.last_offset = ParseInt<int64_t>(metadata, kLast);
  if (range.last_offset && *range.last_offset < *first) return std::nullopt;
  range.records = ParseInt<uint64_t>(metadata, kRecords);
  auto writer = metadata.find(kWriter);
  if (writer != metadata.end()) range.writer = writer->second;
  return range;
}

}  // namespace k2c
