// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "sink/key_template.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <functional>
#include <limits>
#include <map>

#include "common/log_text.h"

namespace k2c {
namespace {

// Only conversions whose output is fixed-width digits, so keys of one
// template sort by time and never depend on the locale.
bool IsAllowedConversion(char c) {
  switch (c) {
    case 'Y':
    case 'm':
    case 'd':
    case 'H':
    case 'M':
    case 'S':
    case 'y':
    case 'j':
      return true;
    default:
      return false;
  }
}

// Calendar units, finest first, so that a larger value is a coarser unit.
enum class TimeUnit { kSecond, kMinute, kHour, kDay, kMonth, kYear };

TimeUnit UnitOf(char conversion) {
  switch (conversion) {
    case 'Y':
    case 'y':
      return TimeUnit::kYear;
    case 'm':
      return TimeUnit::kMonth;
    case 'd':
    case 'j':
      return TimeUnit::kDay;
    case 'H':
      return TimeUnit::kHour;
    case 'M':
      return TimeUnit::kMinute;
    default:
      return TimeUnit::kSecond;
  }
}

// Digits strftime writes for each allowed conversion (years 1000..9999).
size_t WidthOf(char conversion) {
  switch (conversion) {
    case 'Y':
      return 4;
    case 'j':
      return 3;
    default:
      return 2;
  }
}

std::tm UtcTm(int64_t seconds) {
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

// Floor of `ms` to whole seconds (toward negative infinity).
int64_t FloorSeconds(int64_t ms) { return ms / 1000 - (ms % 1000 < 0 ? 1 : 0); }

// Start of the `unit` holding `seconds`, in seconds since the epoch (UTC).
int64_t UnitStart(int64_t seconds, TimeUnit unit) {
  std::tm tm = UtcTm(seconds);
  switch (unit) {
    case TimeUnit::kYear:
      tm.tm_mon = 0;
      [[fallthrough]];
    case TimeUnit::kMonth:
      tm.tm_mday = 1;
      [[fallthrough]];
    case TimeUnit::kDay:
      tm.tm_hour = 0;
      [[fallthrough]];
    case TimeUnit::kHour:
      tm.tm_min = 0;
      [[fallthrough]];
    case TimeUnit::kMinute:
      tm.tm_sec = 0;
      [[fallthrough]];
    case TimeUnit::kSecond:
      break;
  }
  return static_cast<int64_t>(timegm(&tm));
}

// Start of the `unit` after the one starting at `start`.
int64_t NextUnit(int64_t start, TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kSecond:
      return start + 1;
    case TimeUnit::kMinute:
      return start + 60;
    case TimeUnit::kHour:
      return start + 3600;
    case TimeUnit::kDay:
      return start + 86400;
    case TimeUnit::kMonth:
    case TimeUnit::kYear: {
      std::tm tm = UtcTm(start);
      if (unit == TimeUnit::kMonth) {
        ++tm.tm_mon;
      } else {
        ++tm.tm_year;
      }
      return static_cast<int64_t>(timegm(&tm));
    }
  }
  return start + 1;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

template <typename Int>
bool ParseInt(std::string_view s, Int* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool IsTopicIdChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// The largest window start a key can name (see kMaxRecordTimestampMs).
constexpr int64_t kLastTimedSecond = 253'402'300'799;

}  // namespace

Result<KeyTemplate> KeyTemplate::Parse(const std::string& text) {
  static const std::map<std::string, Field> kFields = {{"instance", Field::kInstance},
                                                       {"topic", Field::kTopic},
                                                       {"topic_id", Field::kTopicId},
                                                       {"partition", Field::kPartition},
                                                       {"first_offset", Field::kFirstOffset},
                                                       {"window_start_ms", Field::kWindowStartMs},
                                                       {"ext", Field::kExt}};
  KeyTemplate result;
  result.text_ = text;
  if (text.empty()) return Status::InvalidArgument("key_template is empty");
  if (text.front() == '/') {
    return Status::InvalidArgument("key_template '" + text + "' must not start with '/'");
  }
  for (size_t i = 0; i < text.size(); ++i) {
    if (IsControlChar(text[i])) {
      // A NUL cut every local key at the same point: one file for all.
      return Status::InvalidArgument("key_template has a control character (code " +
                                     std::to_string(static_cast<unsigned char>(text[i])) +
                                     ") at position " + std::to_string(i));
    }
  }
  bool has_topic = false;
  bool has_partition = false;
  bool has_offset = false;
  std::string literal;
  auto flush_literal = [&] {
    if (!literal.empty())
      result.pieces_.push_back(Piece{Piece::Kind::kLiteral, std::move(literal), {}, 0});
    literal.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '{') {
      const size_t close = text.find('}', i);
      if (close == std::string::npos) {
        return Status::InvalidArgument("key_template '" + text + "': '{' at position " +
                                       std::to_string(i) + " is never closed");
      }
      const std::string name = text.substr(i + 1, close - i - 1);
      auto it = kFields.find(name);
      if (it == kFields.end()) {
        return Status::InvalidArgument(
            "key_template '" + text + "': unknown placeholder '{" + name +
            "}' (known: {instance} {topic} {topic_id} {partition} {first_offset} "
            "{window_start_ms} {ext})");
      }
      flush_literal();
      result.pieces_.push_back(Piece{Piece::Kind::kField, {}, it->second, 0});
      has_partition |= it->second == Field::kPartition;
      has_topic |= it->second == Field::kTopic || it->second == Field::kTopicId;
      has_offset |= it->second == Field::kFirstOffset;
      result.uses_topic_id_ |= it->second == Field::kTopicId;
      i = close;
    } else if (c == '}') {
      return Status::InvalidArgument("key_template '" + text + "': unmatched '}' at position " +
                                     std::to_string(i));
    } else if (c == '%') {
      if (i + 1 >= text.size()) {
        return Status::InvalidArgument("key_template '" + text + "' ends with a lone '%'");
      }
      const char conv = text[++i];
      if (conv == '%') {
        literal.push_back('%');
      } else if (IsAllowedConversion(conv)) {
        flush_literal();
        result.pieces_.push_back(Piece{Piece::Kind::kTime, {}, Field::kInstance, conv});
      } else {
        return Status::InvalidArgument(std::string("key_template '") + text +
                                       "': unsupported time field '%" + conv +
                                       "' (allowed: %Y %m %d %H %M %S %y %j %%)");
      }
    } else {
      literal.push_back(c);
    }
  }
  flush_literal();
  if (!has_partition || !has_offset) {
    return Status::InvalidArgument("key_template '" + text +
                                   "' must contain {partition} and {first_offset}: they make "
                                   "every object's key unique and stable across retries");
  }
  if (!has_topic) {
    return Status::InvalidArgument("key_template '" + text +
                                   "' must contain {topic} or {topic_id}: otherwise two tasks "
                                   "archiving into one bucket write each other's keys");
  }
  return result;
}

std::string KeyTemplate::Render(const KeyFields& f) const {
  // Floor division so that a (rare) negative timestamp still maps to the
  // start of its window rather than rounding toward zero. No negation: the
  // window start comes from a producer's timestamp and may be INT64_MIN.
  int64_t secs = f.window_start_ms / 1000;
  if (f.window_start_ms % 1000 < 0) --secs;
  const std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::string out;
  for (const Piece& piece : pieces_) {
    if (piece.kind == Piece::Kind::kLiteral) {
      out += piece.literal;
    } else if (piece.kind == Piece::Kind::kTime) {
      char buf[16];
      const char fmt_str[3] = {'%', piece.conversion, '\0'};
      const size_t n = std::strftime(buf, sizeof(buf), fmt_str, &tm);
      out.append(buf, n);
    } else {
      switch (piece.field) {
        case Field::kInstance:
          out += f.instance;
          break;
        case Field::kTopic:
          out += f.topic;
          break;
        case Field::kTopicId:
          out += f.topic_id;
          break;
        case Field::kPartition:
          out += std::to_string(f.partition);
          break;
        case Field::kFirstOffset:
          out += fmt::format("{:020d}", f.first_offset);
          break;
        case Field::kWindowStartMs:
          out += std::to_string(f.window_start_ms);
          break;
        case Field::kExt:
          out += f.ext;
          break;
      }
    }
  }
  return out;
}

std::string KeyTemplate::RenderSample(const std::string& instance, const std::string& topic,
                                      const std::string& ext) const {
  KeyFields fields;
  fields.instance = instance;
  fields.topic = topic;
  fields.topic_id = std::string(22, 'A');  // A topic id's length (base64 of 16 bytes).
  fields.partition = std::numeric_limits<int32_t>::max();
  fields.first_offset = std::numeric_limits<int64_t>::max();
  fields.window_start_ms = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z.
  fields.ext = ext;
  return Render(fields);
}

std::optional<ParsedKey> KeyTemplate::Match(std::string_view key, const KeyConstants& constants,
                                            const std::vector<std::string>& extensions) const {
  // Fields seen so far; a backtracking walk over the pieces, since the
  // variable-width fields ({partition}, an unknown {topic_id}, {ext}) may
  // sit next to digits or each other.
  struct Seen {
    std::optional<int32_t> partition;
    std::optional<int64_t> first_offset, window_start_ms;
    std::optional<std::string> ext, topic_id;
    std::map<char, int> time;
  } seen;
  std::function<bool(size_t, size_t)> walk = [&](size_t index, size_t pos) -> bool {
    if (index == pieces_.size()) return pos == key.size();
    const std::string_view rest = key.substr(pos);
    const Piece& piece = pieces_[index];
    auto literal = [&](std::string_view text) {
      return rest.substr(0, text.size()) == text && walk(index + 1, pos + text.size());
    };
    // Binds a field to `value` (a field may appear twice; then both must
    // agree), walks on from `next`, and unbinds if that fails.
    auto bind = [&](auto& slot, auto value, size_t next) {
      if (slot && *slot != value) return false;
      const bool fresh = !slot;
      slot = std::move(value);
      if (walk(index + 1, next)) return true;
      if (fresh) slot.reset();
      return false;
    };
    // Tries the longest run of up to `max` characters of `allowed` first,
    // then shorter ones, each read by `read` (false: not a value).
    auto runs = [&](size_t first, size_t max, auto allowed, auto read) {
      size_t n = first;
      while (n < rest.size() && n < max && allowed(rest[n])) ++n;
      for (; n > 0; --n) {
        if (read(rest.substr(0, n), pos + n)) return true;
      }
      return false;
    };
    auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    if (piece.kind == Piece::Kind::kLiteral) return literal(piece.literal);
    if (piece.kind == Piece::Kind::kTime) {
      const size_t width = WidthOf(piece.conversion);
      int value = 0;
      if (rest.size() < width || !AllDigits(rest.substr(0, width)) ||
          !ParseInt(rest.substr(0, width), &value)) {
        return false;
      }
      auto [it, fresh] = seen.time.emplace(piece.conversion, value);
      if (!fresh && it->second != value) return false;  // %Y twice, differing.
      if (walk(index + 1, pos + width)) return true;
      if (fresh) seen.time.erase(it);
      return false;
    }
    switch (piece.field) {
      case Field::kInstance:
        return literal(constants.instance);
      case Field::kTopic:
        return literal(constants.topic);
      case Field::kTopicId:
        if (!constants.topic_id.empty()) return literal(constants.topic_id);
        return runs(0, rest.size(), IsTopicIdChar, [&](std::string_view text, size_t next) {
          return bind(seen.topic_id, std::string(text), next);
        });
      case Field::kPartition:
        return runs(0, 10, is_digit, [&](std::string_view text, size_t next) {
          int32_t value = 0;
          return ParseInt(text, &value) && bind(seen.partition, value, next);
        });
      case Field::kFirstOffset: {
        int64_t value = 0;
        return rest.size() >= 20 && AllDigits(rest.substr(0, 20)) &&
               ParseInt(rest.substr(0, 20), &value) && bind(seen.first_offset, value, pos + 20);
      }
      case Field::kWindowStartMs:
        return runs(rest.empty() || rest[0] != '-' ? 0 : 1, 20, is_digit,
                    [&](std::string_view text, size_t next) {
                      int64_t value = 0;
                      return ParseInt(text, &value) && bind(seen.window_start_ms, value, next);
                    });
      case Field::kExt:
        for (const std::string& ext : extensions) {
          if (rest.substr(0, ext.size()) == ext && bind(seen.ext, ext, pos + ext.size())) {
            return true;
          }
        }
        return false;
    }
    return false;
  };
  if (!walk(0, 0) || !seen.partition || !seen.first_offset) return std::nullopt;

  ParsedKey parsed;
  parsed.partition = *seen.partition;
  parsed.first_offset = *seen.first_offset;
  parsed.ext = seen.ext.value_or("");
  if (seen.window_start_ms) {
    parsed.window_start_min_ms = parsed.window_start_max_ms = *seen.window_start_ms;
  } else if (seen.time.empty()) {
    parsed.window_start_min_ms = std::numeric_limits<int64_t>::min();
    parsed.window_start_max_ms = std::numeric_limits<int64_t>::max();
  } else {
    auto field = [&](char c) -> std::optional<int> {
      auto it = seen.time.find(c);
      if (it == seen.time.end()) return std::nullopt;
      return it->second;
    };
    std::tm tm{};
    TimeUnit finest = TimeUnit::kYear;
    if (auto y = field('Y')) {
      tm.tm_year = *y - 1900;
    } else if (auto yy = field('y')) {
      tm.tm_year = *yy < 69 ? *yy + 100 : *yy;  // POSIX: 69-99 are 19xx.
    } else {
      return std::nullopt;  // A time without its year cannot be placed.
    }
    tm.tm_mday = 1;
    if (auto j = field('j')) {
      tm.tm_mday = *j;
      finest = TimeUnit::kDay;
    }
    if (auto m = field('m')) {
      tm.tm_mon = *m - 1;
      finest = std::min(finest, TimeUnit::kMonth);
    }
    if (auto d = field('d')) {
      tm.tm_mday = *d;
      finest = TimeUnit::kDay;
    }
    for (auto [c, member, unit] : {std::tuple{'H', &std::tm::tm_hour, TimeUnit::kHour},
                                   std::tuple{'M', &std::tm::tm_min, TimeUnit::kMinute},
                                   std::tuple{'S', &std::tm::tm_sec, TimeUnit::kSecond}}) {
      if (auto v = field(c)) {
        tm.*member = *v;
        finest = std::min(finest, unit);
      }
    }
    const int64_t start = static_cast<int64_t>(timegm(&tm));
    parsed.window_start_min_ms = start * 1000;
    parsed.window_start_max_ms = NextUnit(start, finest) * 1000 - 1;
  }
  // Rendering the fields read must give the key back: this refuses what a
  // pattern alone lets through (a partition "007", the 31st of February).
  KeyFields fields;
  fields.instance = constants.instance;
  fields.topic = constants.topic;
  fields.topic_id = constants.topic_id.empty() ? seen.topic_id.value_or("") : constants.topic_id;
  fields.partition = parsed.partition;
  fields.first_offset = parsed.first_offset;
  fields.window_start_ms = seen.window_start_ms.value_or(parsed.window_start_min_ms);
  fields.ext = parsed.ext;
  if (Render(fields) != key) return std::nullopt;
  return parsed;
}

std::string KeyTemplate::StaticPrefix(const KeyConstants& constants) const {
  std::string out;
  for (const Piece& piece : pieces_) {
    if (piece.kind == Piece::Kind::kLiteral) {
      out += piece.literal;
    } else if (piece.kind == Piece::Kind::kField && piece.field == Field::kInstance) {
      out += constants.instance;
    } else if (piece.kind == Piece::Kind::kField && piece.field == Field::kTopic) {
      out += constants.topic;
    } else if (piece.kind == Piece::Kind::kField && piece.field == Field::kTopicId &&
               !constants.topic_id.empty()) {
      out += constants.topic_id;
    } else {
      break;
    }
  }
  return out;
}

std::vector<std::string> KeyTemplate::ListingPrefixes(const KeyConstants& constants,
                                                      int64_t from_ms, int64_t to_ms,
                                                      size_t max_prefixes) const {
  // Window starts outside [epoch, year 9999] do not occur (see
  // kUntimedWindowStartMs), so the range is clamped to it.
  int64_t from = std::clamp<int64_t>(FloorSeconds(from_ms), 0, kLastTimedSecond + 1);
  int64_t to = std::clamp<int64_t>(FloorSeconds(to_ms - 1) + 1, 0, kLastTimedSecond + 1);
  if (from >= to) return {};
  // The prefix every key of windows in the `unit` starting at `start` has.
  auto prefix_of = [&](int64_t start, TimeUnit unit) {
    const std::tm tm = UtcTm(start);
    std::string out;
    for (const Piece& piece : pieces_) {
      if (piece.kind == Piece::Kind::kLiteral) {
        out += piece.literal;
      } else if (piece.kind == Piece::Kind::kTime) {
        if (UnitOf(piece.conversion) < unit) break;
        char buf[16];
        const char fmt_str[3] = {'%', piece.conversion, '\0'};
        out.append(buf, std::strftime(buf, sizeof(buf), fmt_str, &tm));
      } else if (piece.field == Field::kInstance) {
        out += constants.instance;
      } else if (piece.field == Field::kTopic) {
        out += constants.topic;
      } else if (piece.field == Field::kTopicId && !constants.topic_id.empty()) {
        out += constants.topic_id;
      } else {
        break;
      }
    }
    return out;
  };
  std::vector<std::string> prefixes;
  for (TimeUnit widen = TimeUnit::kSecond;;
       widen = static_cast<TimeUnit>(static_cast<int>(widen) + 1)) {
    // Cut [from, to) greedily into the largest whole units.
    prefixes.clear();
    for (int64_t t = from; t < to;) {
      TimeUnit unit = TimeUnit::kYear;
      while (unit > TimeUnit::kSecond && (UnitStart(t, unit) != t || NextUnit(t, unit) > to)) {
        unit = static_cast<TimeUnit>(static_cast<int>(unit) - 1);
      }
      prefixes.push_back(prefix_of(t, unit));
      t = NextUnit(t, unit);
      if (prefixes.size() > 4 * max_prefixes) break;  // Widen instead.
    }
    std::sort(prefixes.begin(), prefixes.end());
    // Drop a prefix another one covers (sorted: a covering one comes first).
    std::vector<std::string> kept;
    for (std::string& p : prefixes) {
      if (!kept.empty() && p.compare(0, kept.back().size(), kept.back()) == 0) continue;
      kept.push_back(std::move(p));
    }
    prefixes = std::move(kept);
    if (prefixes.size() <= std::max<size_t>(max_prefixes, 1) || widen == TimeUnit::kYear) break;
    // Too many: widen the range outward to whole units of the next size.
    const TimeUnit coarser = static_cast<TimeUnit>(static_cast<int>(widen) + 1);
    from = UnitStart(from, coarser);
    const int64_t last = UnitStart(to - 1, coarser);
    to = std::min(NextUnit(last, coarser), kLastTimedSecond + 1);
  }
  if (prefixes.size() > std::max<size_t>(max_prefixes, 1)) return {StaticPrefix(constants)};
  return prefixes;
}

}  // namespace k2c
