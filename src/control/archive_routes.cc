// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/archive_routes.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "archive/archive_json.h"
#include "archive/manifest.h"
#include "archive/time_spec.h"
#include "control/api_reply.h"

namespace k2c {
namespace {

using nlohmann::json;

constexpr size_t kDefaultPageObjects = 100;
constexpr size_t kMaxPageObjects = 1000;
constexpr int64_t kDay = 86'400'000;

ServerResponse BadRequest(const std::string& message) {
  return ErrorReply({400, "invalid_argument", message});
}

// from/to/partition of a query (MakeArchiveQuery: `to` defaults to a day
// ahead when only `from` is given, as in the CLI).
Result<ArchiveQuery> QueryOf(const std::map<std::string, std::string>& params, int64_t now_ms) {
  auto param = [&params](const char* name) -> std::optional<std::string> {
    auto it = params.find(name);
    if (it == params.end()) return std::nullopt;
    return it->second;
  };
  std::optional<int32_t> partition;
  if (auto text = param("partition")) {
    int32_t value = -1;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size() || value < 0) {
      return Status::InvalidArgument("partition '" + *text + "' is not a partition number");
    }
    partition = value;
  }
  return MakeArchiveQuery(param("from"), param("to"), partition, now_ms, false, "'from'", "'to'");
}

// The file name a browser saves a download as: the key's last segment.
std::string DownloadName(const std::string& key) {
  std::string name = key.substr(key.rfind('/') + 1);
  for (char& c : name) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) c = '_';
  }
  return name;
}

}  // namespace

Result<std::map<std::string, std::string>> ParseQuery(const std::string& query) {
  std::map<std::string, std::string> params;
  auto decode = [](std::string_view in) -> std::optional<std::string> {
    std::string out;
    for (size_t i = 0; i < in.size(); ++i) {
      if (in[i] == '+') {
        out.push_back(' ');
      } else if (in[i] != '%') {
        out.push_back(in[i]);
      } else {
        unsigned value = 0;
        if (i + 3 > in.size()) return std::nullopt;
        auto [end, ec] = std::from_chars(in.data() + i + 1, in.data() + i + 3, value, 16);
        if (ec != std::errc() || end != in.data() + i + 3) return std::nullopt;
        out.push_back(static_cast<char>(value));
        i += 2;
      }
    }
    return out;
  };
  size_t start = 0;
  while (start <= query.size()) {
    const size_t end = std::min(query.find('&', start), query.size());
    const std::string_view part(query.data() + start, end - start);
    if (!part.empty()) {
      const size_t eq = part.find('=');
      auto name = decode(part.substr(0, eq));
      auto value = decode(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1));
      if (!name || !value) {
        return Status::InvalidArgument("the query string has a bad percent escape");
      }
      if (!params.emplace(*name, *value).second) {
        return Status::InvalidArgument("query parameter '" + *name + "' is given twice");
      }
    }
    start = end + 1;
  }
  return params;
}

ServerResponse ListObjectsReply(const TaskArchive& archive, const ServerRequest& request,
                                int64_t now_ms) {
  auto params = ParseQuery(request.query);
  if (!params.ok()) return BadRequest(params.status().message());
  auto query = QueryOf(*params, now_ms);
  if (!query.ok()) return BadRequest(query.status().message());
  size_t limit = kDefaultPageObjects;
  if (auto it = params->find("limit"); it != params->end()) {
    const std::string& text = it->second;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (ec != std::errc() || end != text.data() + text.size() || limit < 1 ||
        limit > kMaxPageObjects) {
      return BadRequest("limit must be 1.." + std::to_string(kMaxPageObjects));
    }
  }
  const std::string cursor = params->count("cursor") ? params->at("cursor") : "";
  ArchiveIndex index(archive.store, archive.location);
  auto page = index.List(*query, cursor, limit);
  if (!page.ok()) return ErrorReply(FromStatus(page.status()));
  json objects = json::array();
  for (ArchivedObject& object : page->objects) {
    Status described = index.Describe(&object);
    if (described.code() == StatusCode::kNotFound) continue;  // Deleted since listed.
    if (!described.ok()) return ErrorReply(FromStatus(described));
    objects.push_back(ArchivedObjectJson(object));
  }
  return JsonReply(200,
                   json{{"objects", objects},
                        {"cursor", page->cursor.empty() ? json(nullptr) : json(page->cursor)}});
}

ServerResponse ObjectReply(const TaskArchive& archive, const ServerRequest& request,
                           const std::string& key, int64_t now_ms) {
  auto params = ParseQuery(request.query);
  if (!params.ok()) return BadRequest(params.status().message());
  ArchiveIndex index(archive.store, archive.location);
  const ObjectKey object_key{key};
  if (!index.Identify(object_key)) {
    return ErrorReply(
        {404, "not_found", "'" + key + "' is not an object of this task (see GET .../objects)"});
  }
  auto flag = [&params](const char* name) {
    auto it = params->find(name);
    return it != params->end() && (it->second == "1" || it->second == "true");
  };
  const bool presign = flag("presign");
  const bool redirect = flag("redirect");
  if (presign || redirect) {
    // A URL of an absent object would only fail later, at the store.
    auto head = archive.store->HeadObject(archive.location.bucket, object_key);
    if (!head.ok()) return ErrorReply(FromStatus(head.status()));
    auto url =
        archive.store->PresignGetUrl(archive.location.bucket, object_key, archive.presign_expiry);
    if (!url.ok()) {
      if (url.status().code() == StatusCode::kFailedPrecondition) {
        return ErrorReply({409, "no_presigned_urls", url.status().message()});
      }
      return ErrorReply(FromStatus(url.status()));
    }
    const json body = {
        {"url", *url},
        {"expires_at", FormatTimeSpec(now_ms + archive.presign_expiry.count() * 1000)}};
    ServerResponse reply = JsonReply(redirect ? 307 : 200, body);
    if (redirect) reply.headers.emplace_back("Location", *url);
    reply.headers.emplace_back("Cache-Control", "no-store");
    return reply;
  }
  // The size first: a missing object is a 404 before any byte is sent, and
  // the Range is resolved against it.
  auto head = archive.store->HeadObject(archive.location.bucket, object_key);
  if (!head.ok()) return ErrorReply(FromStatus(head.status()));
  const uint64_t size = head->size;
  const RangeRequest range = ParseRangeHeader(request.Header("Range"), size);
  ServerResponse reply;
  reply.content_type = "application/octet-stream";
  reply.headers.emplace_back("Accept-Ranges", "bytes");
  reply.headers.emplace_back("Content-Disposition",
                             "attachment; filename=\"" + DownloadName(key) + "\"");
  if (!head->etag.empty()) reply.headers.emplace_back("ETag", head->etag);
  if (range.kind == RangeRequest::Kind::kUnsatisfiable) {
    ServerResponse refused = ErrorReply(
        {416, "range_not_satisfiable",
         "the object has " + std::to_string(size) + " bytes; the Range starts past its end"});
    refused.headers.emplace_back("Content-Range", FormatUnsatisfiedRange(size));
    return refused;
  }
  uint64_t first = 0;
  uint64_t length = size;
  reply.status = 200;
  if (range.kind == RangeRequest::Kind::kPartial) {
    reply.status = 206;
    first = range.range.first;
    length = range.range.length();
    reply.headers.emplace_back("Content-Range", FormatContentRange(range.range, size));
  }
  if (length == 0) return reply;
  ObjectStore* store = archive.store;
  const Bucket bucket = archive.location.bucket;
  reply.stream = StreamedBody{
      length, [store, bucket, object_key, first](uint64_t offset, size_t max, std::string* out) {
        auto piece = store->GetObjectRange(bucket, object_key, first + offset, max);
        if (!piece.ok()) return piece.status();
        *out = std::move(piece.value());
        return Status::Ok();
      }};
  return reply;
}

ServerResponse ListManifestsReply(const TaskArchive& archive, const ServerRequest& request,
                                  int64_t now_ms) {
  auto params = ParseQuery(request.query);
  if (!params.ok()) return BadRequest(params.status().message());
  auto query = QueryOf(*params, now_ms);
  if (!query.ok()) return BadRequest(query.status().message());
  const int64_t to = query->to_ms.value_or(now_ms + kDay);
  const int64_t from = query->from_ms.value_or(to - 2 * kDay);
  if (to - from > 366 * kDay) {
    return BadRequest("ask for manifests of at most a year at a time");
  }
  auto manifests = ListManifests(archive.store, archive.location, from, to);
  if (!manifests.ok()) return ErrorReply(FromStatus(manifests.status()));
  json list = json::array();
  for (const Manifest& manifest : *manifests) {
    list.push_back(json::parse(ManifestToJson(manifest)));
  }
  return JsonReply(200, json{{"manifests", list}});
}

}  // namespace k2c
