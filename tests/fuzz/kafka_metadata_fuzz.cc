// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// libFuzzer target for DecodeMetadataResponse: the input is a Metadata v12
// response body as a broker would send it after the 4-byte size prefix. The
// expected correlation id is taken from the input itself so that the fuzzer
// gets past the header; the requested topic is "events", as in the seeds.
// Built with -DK2C_FUZZ=ON; run by scripts/fuzz.sh.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "kafka/topic_id.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string kTopic = "events";
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  uint32_t correlation_id = 0;
  for (size_t i = 0; i < std::min<size_t>(size, 4); ++i)
    correlation_id = (correlation_id << 8) | data[i];
  const auto expected = static_cast<int32_t>(correlation_id);

  k2c::Result<k2c::TopicMetadata> md = k2c::DecodeMetadataResponse(body, expected, kTopic);
  if (md.ok()) {
    if (md->name != kTopic || md->partition_count < 0) __builtin_trap();
    if (std::all_of(md->topic_id.begin(), md->topic_id.end(), [](uint8_t b) { return b == 0; })) {
      __builtin_trap();
    }
    if (k2c::KafkaUuidToString(md->topic_id).size() != 22) __builtin_trap();
  } else {
    const k2c::StatusCode code = md.status().code();
    if (code != k2c::StatusCode::kInternal && code != k2c::StatusCode::kNotFound &&
        code != k2c::StatusCode::kFailedPrecondition) {
      __builtin_trap();
    }
  }

  // Any other correlation id is refused before the rest is looked at.
  k2c::Result<k2c::TopicMetadata> other =
      k2c::DecodeMetadataResponse(body, static_cast<int32_t>(correlation_id ^ 1u), kTopic);
  if (size >= 4 && (other.ok() || other.status().code() != k2c::StatusCode::kInternal)) {
    __builtin_trap();
  }
  return 0;
}
