// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "control/config.h"

namespace k2c {

// Whether a defined task archives. A paused task keeps its group and offsets
// and fetches nothing; resuming continues exactly where it stopped.
enum class TaskState { kRunning, kPaused };
std::string_view TaskStateName(TaskState state);  // "running" / "paused"

// One task as stored in the tasks topic, keyed by its Kafka topic: what the
// operator asked for, not how it is going.
struct TaskDefinition {
  TaskConfig config;
  TaskState state = TaskState::kRunning;
  std::string origin = "api";  // "api" or "config" (declared in a config file).
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

// What settings of two definitions differ in a way that needs the task's
// runner to be rebuilt (everything but state and the timestamps).
bool SameSettings(const TaskConfig& a, const TaskConfig& b);

// How one worker is doing with one task, as published to the status topic
// under the key "<topic>/<worker_id>" (topic names cannot contain '/').
// Counters count since that worker started the task.
struct WorkerTaskStatus {
  std::string topic;
  std::string worker_id;
  std::string worker_url;  // The worker's API base URL, empty if it serves none.
  // "running", "blocked" (some partitions), "paused", "failed" or "starting".
  std::string state;
  std::vector<int32_t> partitions;  // Assigned to this worker, sorted.
  // Partitions held because the store refuses their objects as such, and
  // why (TaskStats::blocked_partitions).
  std::vector<int32_t> blocked_partitions;
  std::string blocked_reason;
  // False when the store ignores create-only writes and objects are
  // published with the overwrite rule (docs/design.md, P3 and P7).
  bool create_only = true;
  uint64_t records_archived = 0;
  uint64_t bytes_archived = 0;
  uint64_t objects_written = 0;
  uint64_t upload_failures = 0;
  std::string last_object_key;
  int64_t last_object_ms = 0;  // 0: none yet.
  std::string last_error;
  int64_t last_error_ms = 0;  // 0: none.
  int64_t updated_ms = 0;     // When the worker published this.
};

// JSON codecs for the two record kinds. The JSON carries a "version": 1
// field; Decode rejects other versions and malformed input with
// InvalidArgument naming the field, and ignores unknown fields (written by a
// newer worker).
std::string EncodeTaskDefinition(const TaskDefinition& definition);
Result<TaskDefinition> DecodeTaskDefinition(std::string_view json);
std::string EncodeWorkerTaskStatus(const WorkerTaskStatus& status);
Result<WorkerTaskStatus> DecodeWorkerTaskStatus(std::string_view json);

// The status-topic key of (topic, worker).
std::string StatusKey(const std::string& topic, const std::string& worker_id);

}  // namespace k2c
