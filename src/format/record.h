// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace k2c {

// What a record's timestamp means (Kafka's message.timestamp.type).
enum class TimestampType { kNone, kCreate, kLogAppend };

// "create", "log_append", or "" for kNone: the names every format writes.
std::string_view TimestampTypeName(TimestampType type);
// The inverse of TimestampTypeName; nullopt for an unknown name.
std::optional<TimestampType> TimestampTypeFromName(std::string_view name);

// One record header: Kafka keeps their order and allows duplicate names.
// `value` is not engaged for a null header value.
struct HeaderView {
  std::string_view key;
  std::optional<std::string_view> value;
};

// A Kafka record as the sink sees it, borrowed from the consumer's message
// for the duration of one call. `value` is empty (not engaged) for a null
// value (a tombstone), which is different from an empty value.
struct RecordView {
  int32_t partition = 0;
  int64_t offset = 0;
  // Milliseconds since the Unix epoch; <= 0 when the record has none.
  int64_t timestamp_ms = 0;
  TimestampType timestamp_type = TimestampType::kNone;
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;
  std::span<const HeaderView> headers;
};

// A header read back from an archive object.
struct DecodedHeader {
  std::string key;
  std::optional<std::string> value;
  bool operator==(const DecodedHeader&) const = default;
};

// A record read back from an archive object, owning its bytes. Fields the
// format does not keep (everything but the value in `text`) are left at
// their defaults: an empty topic, partition and offset -1.
struct DecodedRecord {
  std::string topic;
  int32_t partition = -1;
  int64_t offset = -1;
  int64_t timestamp_ms = -1;  // -1: none.
  TimestampType timestamp_type = TimestampType::kNone;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<DecodedHeader> headers;
  bool operator==(const DecodedRecord&) const = default;
};

}  // namespace k2c
