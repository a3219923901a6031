// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "control/task_definition.h"
#include "sink/task_runner.h"

namespace k2c {

// Who reports: this worker's id and API address.
struct StatusIdentity {
  std::string worker_id;
  std::string worker_url;
};

// What a task is doing, as the status and the API name it: "failed" (it
// stopped on an error), "paused" (its own state or the whole worker),
// "blocked" (a partition waits on an object the store refuses), "running".
std::string TaskStateLabel(bool failed, bool paused, const TaskStats& stats);

// The status record of a running task.
WorkerTaskStatus RunningTaskStatus(const std::string& topic, const StatusIdentity& identity,
                                   const std::string& state, const TaskStats& stats,
                                   int64_t now_ms);

// The status record of a task that could not start here.
WorkerTaskStatus FailedStartStatus(const std::string& topic, const StatusIdentity& identity,
                                   const Status& error, int64_t at_ms, int64_t now_ms);

// The statuses of one task to show: the published ones updated at or after
// `oldest_ms` (a worker that died without removing its statuses stops
// refreshing them), with this worker's own replaced by `live` when it runs
// the task (the published one can be a status interval old: right after a
// start it said "archived: 0 records" while objects were being written).
std::vector<WorkerTaskStatus> StatusesToShow(std::vector<WorkerTaskStatus> published,
                                             const std::string& own_worker_id,
                                             std::optional<WorkerTaskStatus> live,
                                             int64_t oldest_ms);

// Chooses which statuses to publish: every one at each status interval, and
// in between only those an operator would notice changing (a new object,
// moved partitions, a state change, a new error), so the status topic is
// not written every half second per task. Not thread-safe.
class StatusSelector {
 public:
  // `running`: one status per running task; `failed`: one per task that
  // could not start. Returns what to publish now.
  std::vector<WorkerTaskStatus> Select(std::vector<WorkerTaskStatus> running,
                                       std::vector<WorkerTaskStatus> failed, bool all);

 private:
  std::map<std::string, std::string> published_;  // Topic -> what it showed.
  size_t failed_published_ = 0;
};

}  // namespace k2c
