// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "sink/commit_mark.h"

#include <charconv>

namespace k2c {
namespace {

// Versioned, so a later kafka2cos can say more without being misread.
constexpr std::string_view kPrefix = "kafka2cos/1 complete_before_ms=";

}  // namespace

std::string EncodeCommitMark(int64_t complete_before_ms) {
  return std::string(kPrefix) + std::to_string(complete_before_ms);
}

std::optional<int64_t> DecodeCommitMark(std::string_view metadata) {
  if (metadata.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  const std::string_view digits = metadata.substr(kPrefix.size());
  int64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace k2c
