// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "archive/time_spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <limits>

namespace k2c {
namespace {

Status Bad(std::string_view text) {
  return Status::InvalidArgument(
      "cannot read '" + std::string(text) +
      "' as a time; use RFC 3339 (2026-12-02T09:30:00Z), a prefix of it in UTC (2026-12-02T09, "
      "2026-12-02), a time relative to now (now, -2h, -30m, -7d) or epoch milliseconds "
      "(@1764666000000)");
}

// Reads exactly `width` digits at `*pos`.
bool Digits(std::string_view text, size_t* pos, size_t width, int* out) {
  if (*pos + width > text.size()) return false;
  int value = 0;
  for (size_t i = 0; i < width; ++i) {
    const char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *pos += width;
  *out = value;
  return true;
}

Result<int64_t> ParseRelative(std::string_view text, int64_t now_ms) {
  const int sign = text[0] == '-' ? -1 : 1;
  std::string_view body = text.substr(1);
  if (body.size() < 2) return Bad(text);
  const char unit = body.back();
  int64_t amount = 0;
  auto [end, ec] = std::from_chars(body.data(), body.data() + body.size() - 1, amount);
  if (ec != std::errc() || end != body.data() + body.size() - 1 || amount < 0) return Bad(text);
  int64_t unit_ms = 0;
  switch (unit) {
    case 's':
      unit_ms = 1000;
      break;
    case 'm':
      unit_ms = 60'000;
      break;
    case 'h':
      unit_ms = 3'600'000;
      break;
    case 'd':
      unit_ms = 86'400'000;
      break;
    case 'w':
      unit_ms = 7 * 86'400'000LL;
      break;
    default:
      return Bad(text);
  }
  int64_t delta = 0;
  int64_t result = 0;
  if (__builtin_mul_overflow(amount, unit_ms, &delta) ||
      __builtin_add_overflow(now_ms, sign * delta, &result)) {
    return Bad(text);
  }
  return result;
}

Result<int64_t> ParseCalendar(std::string_view text) {
  std::tm tm{};
  tm.tm_mday = 1;
  size_t pos = 0;
  int year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0;
  if (!Digits(text, &pos, 4, &year)) return Bad(text);
  auto at = [&](char c) { return pos < text.size() && text[pos] == c; };
  if (at('-')) {
    ++pos;
    if (!Digits(text, &pos, 2, &month)) return Bad(text);
    if (at('-')) {
      ++pos;
      if (!Digits(text, &pos, 2, &day)) return Bad(text);
      if (at('T') || at('t') || at(' ')) {
        ++pos;
        if (!Digits(text, &pos, 2, &hour)) return Bad(text);
        if (at(':')) {
          ++pos;
          if (!Digits(text, &pos, 2, &minute)) return Bad(text);
          if (at(':')) {
            ++pos;
            if (!Digits(text, &pos, 2, &second)) return Bad(text);
            if (at('.')) {
              ++pos;
              // Fractions beyond milliseconds are cut, not rounded.
              int digits = 0;
              while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
                if (digits < 3) millis = millis * 10 + (text[pos] - '0');
                ++digits;
                ++pos;
              }
              if (digits == 0) return Bad(text);
              for (; digits < 3; ++digits) millis *= 10;
            }
          }
        }
      }
    }
  }
  int64_t offset_s = 0;
  if (at('Z') || at('z')) {
    ++pos;
  } else if (at('+') || at('-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0, om = 0;
    if (!Digits(text, &pos, 2, &oh) || !at(':')) return Bad(text);
    ++pos;
    if (!Digits(text, &pos, 2, &om) || oh > 23 || om > 59) return Bad(text);
    offset_s = sign * (oh * 3600 + om * 60);
  }
  if (pos != text.size()) return Bad(text);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return Bad(text);
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second == 60 ? 59 : second;  // A leap second reads as its eve.
  const int64_t seconds = static_cast<int64_t>(timegm(&tm));
  // timegm normalises the 31st of April into May: refuse what it moved.
  std::tm check{};
  const std::time_t t = static_cast<std::time_t>(seconds);
  gmtime_r(&t, &check);
  if (check.tm_mday != day || check.tm_mon != month - 1) return Bad(text);
  return (seconds - offset_s) * 1000 + millis;
}

Result<int64_t> ParseUnclamped(std::string_view text, int64_t now_ms) {
  if (text.empty()) return Bad(text);
  if (text == "now") return now_ms;
  if (text[0] == '-' || text[0] == '+') return ParseRelative(text, now_ms);
  if (text[0] == '@') {
    int64_t ms = 0;
    auto [end, ec] = std::from_chars(text.data() + 1, text.data() + text.size(), ms);
    if (ec != std::errc() || end != text.data() + text.size() || text.size() == 1) {
      return Bad(text);
    }
    return ms;
  }
  return ParseCalendar(text);
}

}  // namespace

Result<int64_t> ParseTimeSpec(std::string_view text, int64_t now_ms) {
  auto parsed = ParseUnclamped(text, now_ms);
  if (!parsed.ok()) return parsed;
  // Archived windows lie between the epoch (the untimed window) and the end
  // of year 9999; a time outside says no more than that edge, and keeps the
  // arithmetic on times (window starts, range lengths) far from overflow.
  return std::clamp<int64_t>(*parsed, 0, kLastTimeSpecMs);
}

std::string FormatTimeSpec(int64_t ms) {
  int64_t seconds = ms / 1000;
  int64_t millis = ms % 1000;
  if (millis < 0) {
    millis += 1000;
    --seconds;
  }
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  return millis == 0 ? fmt::format("{}Z", buf) : fmt::format("{}.{:03d}Z", buf, millis);
}

}  // namespace k2c
