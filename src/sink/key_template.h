// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace k2c {

// Everything an object key may depend on. All fields are fixed by the first
// record of the object, so a retried or replayed upload of an object that
// starts at the same offset gets the same key (see docs/design.md).
struct KeyFields {
  std::string instance;
  std::string topic;
  std::string topic_id;
  int32_t partition = 0;
  int64_t first_offset = 0;
  int64_t window_start_ms = 0;
  std::string ext;
};

// The default template: `<instance>/<topic>/<UTC window start>_p<partition>_o<first offset><ext>`.
inline constexpr const char* kDefaultKeyTemplate =
    "{instance}/{topic}/%Y%m%dT%H%M%SZ_p{partition}_o{first_offset}{ext}";

// A parsed object-key template. Placeholders: {instance} {topic} {topic_id}
// {partition} {first_offset} (20 digits, zero-padded so keys sort by offset)
// {window_start_ms} {ext}, and strftime fields of the window start in UTC:
// %Y %m %d %H %M %S %y %j %%. `{partition}` and `{first_offset}` are
// required: without them two objects could share a key; so is `{topic}` or
// `{topic_id}`, so that two tasks sharing a bucket cannot. No control
// characters.
class KeyTemplate {
 public:
  // Parses `text`. InvalidArgument naming the offending placeholder or field.
  static Result<KeyTemplate> Parse(const std::string& text);

  // The key for `fields`. Never fails: every field was validated at Parse.
  std::string Render(const KeyFields& fields) const;

  // The longest key this template makes for `instance`, `topic` and `ext`
  // (largest partition and offset numbers), for checking it against a
  // store's key rules before any record is read.
  std::string RenderSample(const std::string& instance, const std::string& topic,
                           const std::string& ext) const;

  // True when the template refers to {topic_id}.
  bool uses_topic_id() const { return uses_topic_id_; }

  const std::string& text() const { return text_; }

 private:
  enum class Field { kInstance, kTopic, kTopicId, kPartition, kFirstOffset, kWindowStartMs, kExt };
  // One piece of the template: literal text, a placeholder or a time field.
  // (A plain struct rather than std::variant: GCC 12 warns falsely on the latter.)
  struct Piece {
    enum class Kind { kLiteral, kField, kTime } kind = Kind::kLiteral;
    std::string literal;
    Field field = Field::kInstance;
    char conversion = 0;
  };

  std::string text_;
  std::vector<Piece> pieces_;
  bool uses_topic_id_ = false;
};

}  // namespace k2c
