// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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

// What a key tells about its object, read back through the template that
// made it (KeyTemplate::Match).
struct ParsedKey {
  int32_t partition = 0;
  int64_t first_offset = 0;
  // The window starts the key allows, inclusive: one instant when the
  // template has {window_start_ms} or time fields down to the second; a span
  // when its finest time field is coarser (e.g. the whole day for %Y%m%d),
  // or everything when it has none.
  int64_t window_start_min_ms = 0;
  int64_t window_start_max_ms = 0;
  std::string ext;
};

// What is the same for every key of one task, for matching and listing.
// An empty `topic_id` matches any topic id (a reader that does not know it).
struct KeyConstants {
  std::string instance;
  std::string topic;
  std::string topic_id;
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

  // Reads `key` back: nullopt unless this template, with `constants` and
  // one of `extensions` for {ext}, renders exactly `key` (so a key of
  // another task, another template or a stray file never matches).
  std::optional<ParsedKey> Match(std::string_view key, const KeyConstants& constants,
                                 const std::vector<std::string>& extensions) const;

  // The part of every key of the task that comes before anything depending
  // on the object: the template rendered up to its first time field,
  // {partition}, {first_offset}, {window_start_ms} or {ext} (or unknown
  // {topic_id}).
  std::string StaticPrefix(const KeyConstants& constants) const;

  // Key prefixes that together cover every key of the task whose window
  // starts in [from_ms, to_ms): the range is cut into whole calendar units
  // (years, months, days, hours, minutes, seconds, UTC) and each unit names
  // the template's time fields down to its own size, so an hour of a
  // year-old topic lists only that hour. At most `max_prefixes` (the range
  // is widened to coarser units until it fits); never two where one is a
  // prefix of the other. Listing them yields a superset: filter by Match.
  std::vector<std::string> ListingPrefixes(const KeyConstants& constants, int64_t from_ms,
                                           int64_t to_ms, size_t max_prefixes = 64) const;

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
