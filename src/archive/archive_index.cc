// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "archive/archive_index.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <tuple>

#include "archive/time_spec.h"
#include "format/format.h"
#include "sink/object_range.h"
#include "sink/partition_buffer.h"

namespace k2c {
namespace {

// Store pages read per List() call at most before returning an empty page
// with a cursor, so one call stays bounded however many foreign keys share
// the listed prefixes.
constexpr int kMaxStorePagesPerCall = 8;

constexpr char kHex[] = "0123456789abcdef";

// The cursor is "<prefix index>:<matches to skip>:<store token>", hex-encoded
// so that it travels in a URL query without escaping. A page cut short of a
// store page lists that store page again and skips what it already gave.
struct Cursor {
  size_t prefix_index = 0;
  size_t skip = 0;
  std::string token;
};

std::string EncodeCursor(const Cursor& cursor) {
  const std::string plain =
      std::to_string(cursor.prefix_index) + ":" + std::to_string(cursor.skip) + ":" + cursor.token;
  std::string out;
  out.reserve(plain.size() * 2);
  for (unsigned char c : plain) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

Result<Cursor> DecodeCursor(const std::string& text, size_t prefixes) {
  const Status bad = Status::InvalidArgument(
      "the cursor does not belong to this listing: pass back the `cursor` of the previous page "
      "of the same query, or none to start");
  if (text.size() % 2 != 0) return bad;
  std::string plain;
  for (size_t i = 0; i < text.size(); i += 2) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    const int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return bad;
    plain.push_back(static_cast<char>(hi * 16 + lo));
  }
  Cursor cursor;
  const size_t first = plain.find(':');
  const size_t second = first == std::string::npos ? first : plain.find(':', first + 1);
  if (second == std::string::npos) return bad;
  auto number = [&](size_t from, size_t to, size_t* out) {
    auto [end, ec] = std::from_chars(plain.data() + from, plain.data() + to, *out);
    return ec == std::errc() && end == plain.data() + to;
  };
  if (!number(0, first, &cursor.prefix_index) || !number(first + 1, second, &cursor.skip) ||
      cursor.prefix_index >= prefixes) {
    return bad;
  }
  cursor.token = plain.substr(second + 1);
  return cursor;
}

}  // namespace

Result<ArchiveQuery> MakeArchiveQuery(const std::optional<std::string>& from,
                                      const std::optional<std::string>& to,
                                      std::optional<int32_t> partition, int64_t now_ms,
                                      bool bounded, const std::string& from_name,
                                      const std::string& to_name) {
  ArchiveQuery query;
  query.partition = partition;
  if (from) {
    auto ms = ParseTimeSpec(*from, now_ms);
    if (!ms.ok()) return ms.status().WithContext(from_name);
    query.from_ms = *ms;
  }
  if (to) {
    auto ms = ParseTimeSpec(*to, now_ms);
    if (!ms.ok()) return ms.status().WithContext(to_name);
    query.to_ms = *ms;
  } else if (from || bounded) {
    query.to_ms = now_ms + 86'400'000;
  }
  if (query.from_ms && query.to_ms && *query.from_ms >= *query.to_ms) {
    return Status::InvalidArgument(from_name + " must be before " + to_name + " (" +
                                   FormatTimeSpec(*query.from_ms) + " is not before " +
                                   FormatTimeSpec(*query.to_ms) + ")");
  }
  return query;
}

ArchiveIndex::ArchiveIndex(ObjectStore* store, ArchiveLocation location)
    : store_(store), location_(std::move(location)) {
  for (const ExtensionInfo& info : KnownExtensions()) extensions_.push_back(info.extension);
}

std::vector<std::string> ArchiveIndex::Prefixes(const ArchiveQuery& query) const {
  const KeyTemplate& key_template = location_.key_template;
  if (!query.from_ms && !query.to_ms) return {key_template.StaticPrefix(location_.constants)};
  // The window holding `from` starts before it.
  const int64_t from =
      query.from_ms ? WindowStartFor(*query.from_ms, std::max<int64_t>(location_.window_ms, 1)) : 0;
  const int64_t to = query.to_ms.value_or(kMaxRecordTimestampMs + 1);
  return key_template.ListingPrefixes(location_.constants, from, to);
}

std::optional<ArchivedObject> ArchiveIndex::Parse(const ObjectInfo& info,
                                                  const ArchiveQuery& query) const {
  auto parsed = location_.key_template.Match(info.key.value, location_.constants, extensions_);
  if (!parsed) return std::nullopt;
  if (query.partition && parsed->partition != *query.partition) return std::nullopt;
  if (query.from_ms) {
    const int64_t from = WindowStartFor(*query.from_ms, std::max<int64_t>(location_.window_ms, 1));
    if (parsed->window_start_max_ms < from) return std::nullopt;
  }
  if (query.to_ms && parsed->window_start_min_ms >= *query.to_ms) return std::nullopt;
  ArchivedObject object;
  object.key = info.key;
  object.partition = parsed->partition;
  object.first_offset = parsed->first_offset;
  object.window_start_ms = parsed->window_start_min_ms;
  object.size = info.size;
  object.format = location_.default_format;
  object.compression = location_.default_compression;
  if (const ExtensionInfo* ext = FindExtension(parsed->ext)) {
    object.format = std::string(ext->format);
    object.compression = std::string(ext->compression);
  }
  return object;
}

std::optional<ArchivedObject> ArchiveIndex::Identify(const ObjectKey& key) const {
  return Parse(ObjectInfo{key, 0, ""}, ArchiveQuery{});
}

Result<ArchivePage> ArchiveIndex::List(const ArchiveQuery& query, const std::string& cursor,
                                       size_t max_objects) const {
  const std::vector<std::string> prefixes = Prefixes(query);
  ArchivePage page;
  if (prefixes.empty()) return page;
  max_objects = std::max<size_t>(max_objects, 1);
  Cursor at;
  if (!cursor.empty()) {
    auto decoded = DecodeCursor(cursor, prefixes.size());
    if (!decoded.ok()) return decoded.status();
    at = std::move(decoded.value());
  }
  for (int pages = 0; pages < kMaxStorePagesPerCall && at.prefix_index < prefixes.size(); ++pages) {
    auto listed = store_->ListObjects(location_.bucket, prefixes[at.prefix_index], at.token);
    if (!listed.ok()) return listed.status();
    size_t matches = 0;
    bool cut = false;
    for (const ObjectInfo& info : listed->objects) {
      auto object = Parse(info, query);
      if (!object) continue;
      if (matches++ < at.skip) continue;
      if (page.objects.size() == max_objects) {
        // Full: the next page starts at this match of the same store page.
        at.skip = matches - 1;
        cut = true;
        break;
      }
      page.objects.push_back(std::move(*object));
    }
    if (cut) break;
    at.skip = 0;
    at.token = listed->next_token;
    if (at.token.empty()) ++at.prefix_index;
    if (page.objects.size() == max_objects) break;
  }
  if (at.prefix_index < prefixes.size()) page.cursor = EncodeCursor(at);
  return page;
}

Result<std::vector<ArchivedObject>> ArchiveIndex::ListAll(const ArchiveQuery& query) const {
  std::vector<ArchivedObject> all;
  std::string cursor;
  do {
    auto page = List(query, cursor, std::numeric_limits<size_t>::max());
    if (!page.ok()) return page.status();
    for (ArchivedObject& object : page->objects) all.push_back(std::move(object));
    cursor = page->cursor;
  } while (!cursor.empty());
  std::sort(all.begin(), all.end(), [](const ArchivedObject& a, const ArchivedObject& b) {
    return std::tie(a.partition, a.first_offset) < std::tie(b.partition, b.first_offset);
  });
  return all;
}

Status ArchiveIndex::Describe(ArchivedObject* object) const {
  auto head = store_->HeadObject(location_.bucket, object->key);
  if (!head.ok()) return head.status().WithContext("head " + object->key.value);
  object->size = head->size;
  if (auto range = ObjectRange::FromMetadata(head->metadata)) {
    if (range->first_offset == object->first_offset) {
      object->last_offset = range->last_offset;
      object->records = range->records;
    }
  }
  return Status::Ok();
}

}  // namespace k2c
