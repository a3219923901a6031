// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "archive/manifest.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>

#include "archive/archive_json.h"
#include "archive/archive_reader.h"
#include "archive/time_spec.h"
#include "format/bounded_json.h"
#include "sink/partition_buffer.h"

namespace k2c {
namespace {

using nlohmann::json;

constexpr int kManifestVersion = 1;
// A manifest is small (one line per object); a bigger one is not ours.
constexpr size_t kMaxManifestBytes = 64ull << 20;

std::tm UtcTm(int64_t ms) {
  int64_t seconds = ms / 1000 - (ms % 1000 < 0 ? 1 : 0);
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

std::string Strftime(const char* format, int64_t ms) {
  const std::tm tm = UtcTm(ms);
  char buf[64];
  return std::string(buf, std::strftime(buf, sizeof(buf), format, &tm));
}

// Listing prefixes of the manifests of [from, to): a day's (or a month's,
// for long ranges) manifests share a prefix.
std::vector<std::string> ManifestListingPrefixes(const std::string& prefix, int64_t from,
                                                 int64_t to) {
  std::vector<std::string> out;
  const int64_t day = 86'400'000;
  if (to <= from) return out;
  const bool by_month = (to - from) / day > 62;
  for (int64_t t = from - ((from % day) + day) % day; t < to; t += day) {
    std::string p = prefix + Strftime(by_month ? "%Y%m" : "%Y%m%d", t);
    if (out.empty() || out.back() != p) out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

std::string ManifestPrefix(const ArchiveLocation& location) {
  std::string prefix = location.key_template.StaticPrefix(location.constants);
  prefix = prefix.substr(0, prefix.rfind('/') + 1);
  const bool names_task = prefix.find(location.constants.topic) != std::string::npos ||
                          (!location.constants.topic_id.empty() &&
                           prefix.find(location.constants.topic_id) != std::string::npos);
  if (!names_task) prefix = location.constants.instance + "/" + location.constants.topic + "/";
  return prefix + "_manifests/";
}

ObjectKey ManifestKey(const ArchiveLocation& location, int64_t window_start_ms) {
  std::string name = Strftime("%Y%m%dT%H%M%S", window_start_ms);
  const int64_t millis = ((window_start_ms % 1000) + 1000) % 1000;
  if (millis != 0) name += fmt::format(".{:03d}", millis);
  return ObjectKey{ManifestPrefix(location) + name + "Z.json"};
}

std::optional<int64_t> ManifestWindow(const ArchiveLocation& location, const std::string& key) {
  const std::string prefix = ManifestPrefix(location);
  if (key.rfind(prefix, 0) != 0) return std::nullopt;
  std::string name = key.substr(prefix.size());
  if (name.size() < 21 || name.compare(name.size() - 6, 6, "Z.json") != 0) return std::nullopt;
  name.resize(name.size() - 6);
  // "20261202T090000[.250]" -> "2026-12-02T09:00:00[.250]Z".
  if (name.size() < 15 || name[8] != 'T') return std::nullopt;
  const std::string spec = name.substr(0, 4) + "-" + name.substr(4, 2) + "-" + name.substr(6, 2) +
                           "T" + name.substr(9, 2) + ":" + name.substr(11, 2) + ":" +
                           name.substr(13) + "Z";
  auto ms = ParseTimeSpec(spec, 0);
  if (!ms.ok() || ManifestKey(location, *ms).value != key) return std::nullopt;
  return *ms;
}

std::string ManifestToJson(const Manifest& manifest) {
  json committed = json::object();
  for (const auto& [partition, offset] : manifest.committed_offsets) {
    committed[std::to_string(partition)] = offset;
  }
  json objects = json::array();
  for (const ArchivedObject& object : manifest.objects) {
    objects.push_back(ArchivedObjectJson(object));
  }
  const json out = {{"version", kManifestVersion},
                    {"instance", manifest.instance},
                    {"topic", manifest.topic},
                    {"window_start", FormatTimeSpec(manifest.window_start_ms)},
                    {"window_start_ms", manifest.window_start_ms},
                    {"window_end", FormatTimeSpec(manifest.window_start_ms + manifest.window_ms)},
                    {"window_ms", manifest.window_ms},
                    {"committed_offsets", committed},
                    {"objects", objects},
                    {"written_by", manifest.written_by},
                    {"written_at", FormatTimeSpec(manifest.written_at_ms)}};
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Result<Manifest> ManifestFromJson(std::string_view text) {
  if (text.size() > kMaxManifestBytes) {
    return Status::InvalidArgument("a manifest of " + std::to_string(text.size()) +
                                   " bytes is larger than any kafka2cos writes");
  }
  auto parsed = ParseJsonBounded(text, 8);
  if (!parsed.ok()) return parsed.status().WithContext("manifest");
  const json& in = *parsed;
  auto bad = [](const std::string& what) {
    return Status::InvalidArgument("manifest: '" + what + "' is missing or of the wrong type");
  };
  if (!in.is_object()) return bad("(top level)");
  auto version = in.find("version");
  if (version == in.end() || !version->is_number_integer() || *version != kManifestVersion) {
    return Status::InvalidArgument("manifest: version is not " + std::to_string(kManifestVersion) +
                                   " (written by another kafka2cos?)");
  }
  Manifest manifest;
  auto text_field = [&](const char* name, std::string* out) {
    auto it = in.find(name);
    if (it == in.end() || !it->is_string()) return false;
    *out = it->get<std::string>();
    return true;
  };
  auto int_field = [&](const char* name, int64_t* out) {
    auto it = in.find(name);
    if (it == in.end() || !it->is_number_integer()) return false;
    *out = it->get<int64_t>();
    return true;
  };
  if (!text_field("instance", &manifest.instance)) return bad("instance");
  if (!text_field("topic", &manifest.topic)) return bad("topic");
  if (!int_field("window_start_ms", &manifest.window_start_ms)) return bad("window_start_ms");
  if (!int_field("window_ms", &manifest.window_ms)) return bad("window_ms");
  text_field("written_by", &manifest.written_by);
  auto committed = in.find("committed_offsets");
  if (committed == in.end() || !committed->is_object()) return bad("committed_offsets");
  for (const auto& [partition, offset] : committed->items()) {
    int32_t p = 0;
    try {
      size_t used = 0;
      p = std::stoi(partition, &used);
      if (used != partition.size()) return bad("committed_offsets");
    } catch (const std::exception&) {
      return bad("committed_offsets");
    }
    if (!offset.is_number_integer()) return bad("committed_offsets");
    manifest.committed_offsets[p] = offset.get<int64_t>();
  }
  auto objects = in.find("objects");
  if (objects == in.end() || !objects->is_array()) return bad("objects");
  for (const auto& entry : *objects) {
    auto object = ArchivedObjectFromJson(entry);
    if (!object.ok()) return object.status().WithContext("manifest");
    manifest.objects.push_back(std::move(object.value()));
  }
  return manifest;
}

Result<std::vector<Manifest>> ListManifests(ObjectStore* store, const ArchiveLocation& location,
                                            int64_t from_ms, int64_t to_ms) {
  std::vector<Manifest> manifests;
  for (const std::string& prefix :
       ManifestListingPrefixes(ManifestPrefix(location), from_ms, to_ms)) {
    std::string token;
    do {
      auto page = store->ListObjects(location.bucket, prefix, token);
      if (!page.ok()) return page.status();
      for (const ObjectInfo& info : page->objects) {
        auto window = ManifestWindow(location, info.key.value);
        if (!window || *window < from_ms || *window >= to_ms) continue;
        auto body = store->GetObject(location.bucket, info.key);
        if (!body.ok() && body.status().code() == StatusCode::kNotFound) continue;  // Deleted.
        if (!body.ok()) return body.status().WithContext("read " + info.key.value);
        auto manifest = ManifestFromJson(*body);
        if (!manifest.ok()) {
          return Status::DataLoss("manifest " + info.key.value +
                                  " cannot be read: " + manifest.status().message());
        }
        manifests.push_back(std::move(manifest.value()));
      }
      token = page->next_token;
    } while (!token.empty());
  }
  std::sort(manifests.begin(), manifests.end(), [](const Manifest& a, const Manifest& b) {
    return a.window_start_ms < b.window_start_ms;
  });
  return manifests;
}

ManifestWriter::ManifestWriter(ObjectStore* store, ArchiveLocation location, Options options)
    : store_(store), location_(location), index_(store, location), options_(std::move(options)) {}

std::optional<int64_t> ManifestWriter::CompleteBefore(
    const std::vector<PartitionProgress>& partitions) {
  std::optional<int64_t> earliest;
  for (const PartitionProgress& p : partitions) {
    if (p.empty && !p.complete_before_ms) continue;
    if (!p.complete_before_ms) return std::nullopt;
    earliest = earliest ? std::min(*earliest, *p.complete_before_ms) : *p.complete_before_ms;
  }
  return earliest;
}

Result<int64_t> ManifestWriter::FindStart(int64_t complete_before) {
  const int64_t window = std::max<int64_t>(location_.window_ms, 1);
  const int64_t from = complete_before - options_.lookback_ms;
  std::optional<int64_t> last;
  for (const std::string& prefix :
       ManifestListingPrefixes(ManifestPrefix(location_), from, complete_before)) {
    std::string token;
    do {
      auto page = store_->ListObjects(location_.bucket, prefix, token);
      if (!page.ok()) return page.status();
      for (const ObjectInfo& info : page->objects) {
        if (auto w = ManifestWindow(location_, info.key.value))
          last = std::max(last.value_or(*w), *w);
      }
      token = page->next_token;
    } while (!token.empty());
  }
  if (last) return *last + window;
  auto objects = index_.ListAll(ArchiveQuery{from, complete_before, std::nullopt});
  if (!objects.ok()) return objects.status();
  std::optional<int64_t> first;
  for (const ArchivedObject& object : *objects) {
    first = std::min(first.value_or(object.window_start_ms), object.window_start_ms);
  }
  if (first) return WindowStartFor(*first, window);
  return WindowStartFor(complete_before - 1, window);
}

Result<Manifest> ManifestWriter::Build(int64_t start,
                                       const std::vector<PartitionProgress>& partitions,
                                       int64_t now_ms) {
  Manifest manifest;
  manifest.instance = location_.constants.instance;
  manifest.topic = location_.constants.topic;
  manifest.window_start_ms = start;
  manifest.window_ms = location_.window_ms;
  manifest.written_by = options_.writer_id;
  manifest.written_at_ms = now_ms;
  for (const PartitionProgress& p : partitions) {
    if (p.committed) manifest.committed_offsets[p.partition] = *p.committed;
  }
  auto objects = index_.ListAll(ArchiveQuery{start, start + location_.window_ms, std::nullopt});
  if (!objects.ok()) return objects.status();
  StoreArchive reader(store_, location_, "\n");
  for (ArchivedObject& object : *objects) {
    // Only what is committed: an object at or past the committed offset is
    // uploaded but not yet committed (P2), and may yet be adopted or, after a
    // crash, rewritten at the same key.
    auto committed = manifest.committed_offsets.find(object.partition);
    if (committed == manifest.committed_offsets.end() || object.first_offset >= committed->second) {
      continue;
    }
    Status described = index_.Describe(&object);
    if (described.code() == StatusCode::kNotFound) continue;
    if (!described.ok()) return described;
    if (!object.last_offset && object.format != "text") {
      // A streamed object: its metadata was fixed before its window closed.
      // Read it once, here, so that readers of the manifest need not.
      auto bytes = ReadObject(reader, object);
      if (!bytes.ok()) return bytes.status();
      uint64_t records = 0;
      int64_t last = -1;
      K2C_RETURN_IF_ERROR(DecodeObject(object, *bytes, "\n", [&](const DecodedRecord& record) {
        ++records;
        last = record.offset;
        return Status::Ok();
      }));
      if (records > 0) object.last_offset = last;
      object.records = records;
    }
    manifest.objects.push_back(std::move(object));
  }
  return manifest;
}

Result<int> ManifestWriter::Run(const std::vector<PartitionProgress>& partitions, int64_t now_ms) {
  const std::optional<int64_t> complete_before = CompleteBefore(partitions);
  if (!complete_before) return 0;
  const int64_t window = std::max<int64_t>(location_.window_ms, 1);
  if (!next_window_) {
    auto start = FindStart(*complete_before);
    if (!start.ok()) return start.status();
    next_window_ = *start;
  }
  // After a change of window length, go on at the next window boundary.
  if (WindowStartFor(*next_window_, window) != *next_window_) {
    next_window_ = WindowStartFor(*next_window_, window) + window;
  }
  int written = 0;
  for (int tried = 0; tried < options_.max_per_run && *next_window_ + window <= *complete_before;
       ++tried) {
    const ObjectKey key = ManifestKey(location_, *next_window_);
    // Written by another worker (or before a restart): nothing to build.
    auto head = store_->HeadObject(location_.bucket, key);
    if (!head.ok() && head.status().code() != StatusCode::kNotFound) return head.status();
    if (!head.ok()) {
      auto manifest = Build(*next_window_, partitions, now_ms);
      if (!manifest.ok()) return manifest.status();
      WriteOptions write;
      write.if_absent = true;
      Status put = store_->PutObject(location_.bucket, key, ManifestToJson(*manifest), write);
      // Another worker wrote it in between: its manifest stands.
      if (!put.ok() && put.code() != StatusCode::kAlreadyExists) {
        return put.WithContext("write manifest " + key.value);
      }
      if (put.ok()) ++written;
    }
    *next_window_ += window;
  }
  return written;
}

}  // namespace k2c
