// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace k2c {

// A point in time as the read side's commands and API accept it, always UTC
// unless an offset is written:
//   RFC 3339:  2026-12-02T09:30:00Z, 2026-12-02T09:30:00.250+08:00
//   a prefix of one (the start of what it names): 2026-12-02T09,
//     2026-12-02T09:30, 2026-12-02, 2026-12 (a space may stand for the T)
//   relative to `now_ms`: now, -2h, -90m, -7d, -30s, -1w (and + forms)
//   milliseconds since the epoch: @1764666000000
// Times are clamped to [the epoch, kLastTimeSpecMs]: no archived window lies
// outside. InvalidArgument quoting the text and listing these forms otherwise.
Result<int64_t> ParseTimeSpec(std::string_view text, int64_t now_ms);

// 10000-01-01T00:00:00Z: after the last window a four-digit year can name.
inline constexpr int64_t kLastTimeSpecMs = 253'402'300'800'000;

// "2026-12-02T09:30:00Z", with ".250" when the milliseconds are not zero.
std::string FormatTimeSpec(int64_t ms);

}  // namespace k2c
