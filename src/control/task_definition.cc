// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/task_definition.h"

#include <limits>
#include <nlohmann/json.hpp>

namespace k2c {
namespace {

using Json = nlohmann::json;

constexpr int kFormatVersion = 1;

// Reads typed fields of one JSON object and names the field (and the kind of
// record) in every error, so an operator can find the bad record.
class FieldReader {
 public:
  FieldReader(const Json& object, const char* what) : object_(object), what_(what) {}

  Status Error(const char* field, const std::string& problem) const {
    return Status::InvalidArgument(std::string(what_) + ": field '" + field + "' " + problem);
  }

  // Leaves *out untouched when the field is absent and not required, so the
  // struct's defaults apply.
  Status String(const char* field, bool required, std::string* out) const {
    const Json* value = Find(field);
    if (value == nullptr) return required ? Error(field, "is missing") : Status::Ok();
    if (!value->is_string()) return Error(field, "must be a string");
    *out = value->get<std::string>();
    if (required && out->empty()) return Error(field, "must not be empty");
    return Status::Ok();
  }

  Status Int64(const char* field, int64_t* out) const {
    const Json* value = Find(field);
    if (value == nullptr) return Status::Ok();
    if (value->is_number_unsigned()) {
      const uint64_t n = value->get<uint64_t>();
      if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Error(field, "is out of range");
      }
      *out = static_cast<int64_t>(n);
      return Status::Ok();
    }
    if (!value->is_number_integer()) return Error(field, "must be an integer");
    *out = value->get<int64_t>();
    return Status::Ok();
  }

  Status Uint64(const char* field, uint64_t* out) const {
    const Json* value = Find(field);
    if (value == nullptr) return Status::Ok();
    if (!value->is_number_unsigned()) return Error(field, "must be a non-negative integer");
    *out = value->get<uint64_t>();
    return Status::Ok();
  }

  Status Bool(const char* field, bool* out) const {
    const Json* value = Find(field);
    if (value == nullptr) return Status::Ok();
    if (!value->is_boolean()) return Error(field, "must be true or false");
    *out = value->get<bool>();
    return Status::Ok();
  }

  Status Partitions(const char* field, std::vector<int32_t>* out) const {
    const Json* value = Find(field);
    if (value == nullptr) return Status::Ok();
    if (!value->is_array()) return Error(field, "must be an array of integers");
    for (const Json& p : *value) {
      if (!p.is_number_integer() || p.get<int64_t>() < 0 ||
          p.get<int64_t>() > std::numeric_limits<int32_t>::max()) {
        return Error(field, "must hold partition numbers (non-negative integers)");
      }
      out->push_back(static_cast<int32_t>(p.get<int64_t>()));
    }
    return Status::Ok();
  }

  Status Version() const {
    const Json* value = Find("version");
    if (value == nullptr) return Error("version", "is missing");
    if (!value->is_number_integer()) return Error("version", "must be an integer");
    if (value->get<int64_t>() != kFormatVersion) {
      // A newer worker wrote a format this one cannot read safely.
      return Error("version", "is " + value->dump() + "; this worker reads version " +
                                  std::to_string(kFormatVersion) + " (upgrade it)");
    }
    return Status::Ok();
  }

  const Json* Find(const char* field) const {
    auto it = object_.find(field);
    if (it == object_.end() || it->is_null()) return nullptr;
    return &*it;
  }

 private:
  const Json& object_;
  const char* what_;
};

Result<Json> ParseObject(std::string_view text, const char* what) {
  Json j;
  try {
    j = Json::parse(text.begin(), text.end());
  } catch (const Json::exception& e) {
    return Status::InvalidArgument(std::string(what) + ": not valid JSON: " + e.what());
  }
  if (!j.is_object()) return Status::InvalidArgument(std::string(what) + ": not a JSON object");
  return j;
}

// Strings come from operators and may hold invalid UTF-8 (e.g. a binary
// delimiter); dump() would throw on it, and an encoder has no error to return.
std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

}  // namespace

std::string_view TaskStateName(TaskState state) {
  switch (state) {
    case TaskState::kRunning:
      return "running";
    case TaskState::kPaused:
      return "paused";
  }
  return "running";
}

bool SameSettings(const TaskConfig& a, const TaskConfig& b) {
  return a.topic == b.topic && a.bucket == b.bucket && a.window == b.window && a.start == b.start &&
         a.format == b.format && a.compression == b.compression &&
         a.compression_level == b.compression_level && a.delimiter == b.delimiter &&
         a.row_group_bytes == b.row_group_bytes && a.max_object_bytes == b.max_object_bytes &&
         a.key_template == b.key_template;
}

std::string EncodeTaskDefinition(const TaskDefinition& definition) {
  const TaskConfig& c = definition.config;
  Json j = {{"version", kFormatVersion},
            {"topic", c.topic},
            {"bucket", c.bucket},
            {"window", FormatDuration(c.window)},
            {"start", c.start},
            {"format", c.format},
            {"compression", c.compression},
            {"compression_level", c.compression_level},
            {"delimiter", c.delimiter},
            {"row_group_bytes", c.row_group_bytes},
            {"max_object_bytes", c.max_object_bytes},
            {"key_template", c.key_template},
            {"state", TaskStateName(definition.state)},
            {"origin", definition.origin},
            {"created_ms", definition.created_ms},
            {"updated_ms", definition.updated_ms}};
  return Dump(j);
}

Result<TaskDefinition> DecodeTaskDefinition(std::string_view json) {
  constexpr const char* kWhat = "task definition";
  auto parsed = ParseObject(json, kWhat);
  if (!parsed.ok()) return parsed.status();
  const FieldReader r(*parsed, kWhat);
  K2C_RETURN_IF_ERROR(r.Version());

  TaskDefinition d;
  TaskConfig& c = d.config;
  K2C_RETURN_IF_ERROR(r.String("topic", true, &c.topic));
  K2C_RETURN_IF_ERROR(r.String("bucket", true, &c.bucket));
  std::string window;
  K2C_RETURN_IF_ERROR(r.String("window", true, &window));
  auto duration = ParseDuration(window);
  if (!duration.ok()) return r.Error("window", duration.status().message());
  if (duration->count() <= 0) return r.Error("window", "must be positive");
  c.window = *duration;
  K2C_RETURN_IF_ERROR(r.String("start", false, &c.start));
  K2C_RETURN_IF_ERROR(r.String("format", false, &c.format));
  K2C_RETURN_IF_ERROR(r.String("compression", false, &c.compression));
  int64_t level = 0;
  K2C_RETURN_IF_ERROR(r.Int64("compression_level", &level));
  if (level < 0 || level > 22) return r.Error("compression_level", "must be 0..22");
  c.compression_level = static_cast<int>(level);
  K2C_RETURN_IF_ERROR(r.String("delimiter", false, &c.delimiter));
  K2C_RETURN_IF_ERROR(r.Uint64("row_group_bytes", &c.row_group_bytes));
  K2C_RETURN_IF_ERROR(r.Uint64("max_object_bytes", &c.max_object_bytes));
  K2C_RETURN_IF_ERROR(r.String("key_template", false, &c.key_template));

  std::string state(TaskStateName(d.state));
  K2C_RETURN_IF_ERROR(r.String("state", false, &state));
  if (state == TaskStateName(TaskState::kRunning)) {
    d.state = TaskState::kRunning;
  } else if (state == TaskStateName(TaskState::kPaused)) {
    d.state = TaskState::kPaused;
  } else {
    return r.Error("state", "is '" + state + "'; expected \"running\" or \"paused\"");
  }
  K2C_RETURN_IF_ERROR(r.String("origin", false, &d.origin));
  if (d.origin != "api" && d.origin != "config") {
    return r.Error("origin", "is '" + d.origin + "'; expected \"api\" or \"config\"");
  }
  K2C_RETURN_IF_ERROR(r.Int64("created_ms", &d.created_ms));
  K2C_RETURN_IF_ERROR(r.Int64("updated_ms", &d.updated_ms));
  return d;
}

std::string EncodeWorkerTaskStatus(const WorkerTaskStatus& status) {
  Json j = {{"version", kFormatVersion},
            {"topic", status.topic},
            {"worker_id", status.worker_id},
            {"worker_url", status.worker_url},
            {"state", status.state},
            {"partitions", status.partitions},
            {"blocked_partitions", status.blocked_partitions},
            {"blocked_reason", status.blocked_reason},
            {"create_only", status.create_only},
            {"records_archived", status.records_archived},
            {"bytes_archived", status.bytes_archived},
            {"objects_written", status.objects_written},
            {"upload_failures", status.upload_failures},
            {"last_object_key", status.last_object_key},
            {"last_object_ms", status.last_object_ms},
            {"last_error", status.last_error},
            {"last_error_ms", status.last_error_ms},
            {"updated_ms", status.updated_ms}};
  return Dump(j);
}

Result<WorkerTaskStatus> DecodeWorkerTaskStatus(std::string_view json) {
  constexpr const char* kWhat = "worker task status";
  auto parsed = ParseObject(json, kWhat);
  if (!parsed.ok()) return parsed.status();
  const FieldReader r(*parsed, kWhat);
  K2C_RETURN_IF_ERROR(r.Version());

  WorkerTaskStatus s;
  K2C_RETURN_IF_ERROR(r.String("topic", true, &s.topic));
  K2C_RETURN_IF_ERROR(r.String("worker_id", true, &s.worker_id));
  K2C_RETURN_IF_ERROR(r.String("worker_url", false, &s.worker_url));
  K2C_RETURN_IF_ERROR(r.String("state", false, &s.state));
  K2C_RETURN_IF_ERROR(r.Partitions("partitions", &s.partitions));
  K2C_RETURN_IF_ERROR(r.Partitions("blocked_partitions", &s.blocked_partitions));
  K2C_RETURN_IF_ERROR(r.String("blocked_reason", false, &s.blocked_reason));
  K2C_RETURN_IF_ERROR(r.Bool("create_only", &s.create_only));
  K2C_RETURN_IF_ERROR(r.Uint64("records_archived", &s.records_archived));
  K2C_RETURN_IF_ERROR(r.Uint64("bytes_archived", &s.bytes_archived));
  K2C_RETURN_IF_ERROR(r.Uint64("objects_written", &s.objects_written));
  K2C_RETURN_IF_ERROR(r.Uint64("upload_failures", &s.upload_failures));
  K2C_RETURN_IF_ERROR(r.String("last_object_key", false, &s.last_object_key));
  K2C_RETURN_IF_ERROR(r.Int64("last_object_ms", &s.last_object_ms));
  K2C_RETURN_IF_ERROR(r.String("last_error", false, &s.last_error));
  K2C_RETURN_IF_ERROR(r.Int64("last_error_ms", &s.last_error_ms));
  K2C_RETURN_IF_ERROR(r.Int64("updated_ms", &s.updated_ms));
  return s;
}

std::string StatusKey(const std::string& topic, const std::string& worker_id) {
  return topic + "/" + worker_id;
}

}  // namespace k2c
