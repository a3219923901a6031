// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "sink/key_template.h"

#include <fmt/format.h>

#include <ctime>
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

}  // namespace k2c
