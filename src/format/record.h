// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace k2c {

// A Kafka record as the sink sees it, borrowed from the consumer's message
// for the duration of one call. `value` is empty (not engaged) for a null
// value (a tombstone), which is different from an empty value.
struct RecordView {
  int32_t partition = 0;
  int64_t offset = 0;
  // Milliseconds since the Unix epoch; <= 0 when the record has none.
  int64_t timestamp_ms = 0;
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;
};

}  // namespace k2c
