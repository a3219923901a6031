// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "archive/archive_json.h"

#include "archive/time_spec.h"

namespace k2c {

using nlohmann::json;

json ArchivedObjectJson(const ArchivedObject& object) {
  json out = json::object();
  out["key"] = object.key.value;
  out["window_start"] = FormatTimeSpec(object.window_start_ms);
  out["window_start_ms"] = object.window_start_ms;
  out["partition"] = object.partition;
  out["first_offset"] = object.first_offset;
  out["last_offset"] = object.last_offset ? json(*object.last_offset) : json(nullptr);
  out["records"] = object.records ? json(*object.records) : json(nullptr);
  out["size"] = object.size;
  out["format"] = object.format;
  out["compression"] = object.compression;
  return out;
}

Result<ArchivedObject> ArchivedObjectFromJson(const json& in) {
  auto bad = [](const char* field) {
    return Status::InvalidArgument(std::string("an archived object's '") + field +
                                   "' is missing or not of the documented type");
  };
  if (!in.is_object()) return Status::InvalidArgument("an archived object is not a JSON object");
  ArchivedObject object;
  auto text = [&](const char* field, std::string* out) {
    auto it = in.find(field);
    if (it == in.end() || !it->is_string()) return false;
    *out = it->get<std::string>();
    return true;
  };
  auto integer = [&](const char* field, auto* out) {
    auto it = in.find(field);
    if (it == in.end() || !it->is_number_integer()) return false;
    *out = it->get<std::decay_t<decltype(*out)>>();
    return true;
  };
  if (!text("key", &object.key.value)) return bad("key");
  if (!integer("window_start_ms", &object.window_start_ms)) return bad("window_start_ms");
  if (!integer("partition", &object.partition)) return bad("partition");
  if (!integer("first_offset", &object.first_offset)) return bad("first_offset");
  if (!integer("size", &object.size)) return bad("size");
  if (!text("format", &object.format)) return bad("format");
  if (!text("compression", &object.compression)) return bad("compression");
  if (auto it = in.find("last_offset"); it != in.end() && !it->is_null()) {
    int64_t last = 0;
    if (!integer("last_offset", &last)) return bad("last_offset");
    object.last_offset = last;
  }
  if (auto it = in.find("records"); it != in.end() && !it->is_null()) {
    uint64_t records = 0;
    if (!integer("records", &records)) return bad("records");
    object.records = records;
  }
  return object;
}

}  // namespace k2c
