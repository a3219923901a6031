// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/status_report.h"

#include <set>

namespace k2c {

std::string TaskStateLabel(bool failed, bool paused, const TaskStats& stats) {
  if (failed) return "failed";
  if (paused) return "paused";
  if (!stats.blocked_partitions.empty()) return "blocked";
  return "running";
}

WorkerTaskStatus RunningTaskStatus(const std::string& topic, const StatusIdentity& identity,
                                   const std::string& state, const TaskStats& stats,
                                   int64_t now_ms) {
  WorkerTaskStatus s;
  s.topic = topic;
  s.worker_id = identity.worker_id;
  s.worker_url = identity.worker_url;
  s.state = state;
  s.partitions = stats.partitions;
  s.blocked_partitions = stats.blocked_partitions;
  s.blocked_reason = stats.blocked_reason;
  s.create_only = stats.create_only;
  s.records_archived = stats.records_archived;
  s.bytes_archived = stats.bytes_archived;
  s.objects_written = stats.objects_written;
  s.upload_failures = stats.upload_failures;
  s.last_object_key = stats.last_object_key;
  s.last_object_ms = stats.last_object_ms;
  s.last_error = stats.last_error;
  s.last_error_ms = stats.last_error_ms;
  s.updated_ms = now_ms;
  return s;
}

WorkerTaskStatus FailedStartStatus(const std::string& topic, const StatusIdentity& identity,
                                   const Status& error, int64_t at_ms, int64_t now_ms) {
  WorkerTaskStatus s;
  s.topic = topic;
  s.worker_id = identity.worker_id;
  s.worker_url = identity.worker_url;
  s.state = "failed";
  s.last_error = error.ToString();
  s.last_error_ms = at_ms;
  s.updated_ms = now_ms;
  return s;
}

std::vector<WorkerTaskStatus> StatusesToShow(std::vector<WorkerTaskStatus> published,
                                             const std::string& own_worker_id,
                                             std::optional<WorkerTaskStatus> live,
                                             int64_t oldest_ms) {
  std::vector<WorkerTaskStatus> shown;
  for (WorkerTaskStatus& s : published) {
    if (live && s.worker_id == own_worker_id) continue;
    if (s.updated_ms >= oldest_ms) shown.push_back(std::move(s));
  }
  if (live) shown.push_back(std::move(*live));
  return shown;
}

std::vector<WorkerTaskStatus> StatusSelector::Select(std::vector<WorkerTaskStatus> running,
                                                     std::vector<WorkerTaskStatus> failed,
                                                     bool all) {
  std::vector<WorkerTaskStatus> out;
  std::set<std::string> present;
  for (WorkerTaskStatus& s : running) {
    present.insert(s.topic);
    const std::string fingerprint = std::to_string(s.objects_written) + "|" + s.state + "|" +
                                    std::to_string(s.last_error_ms) + "|" +
                                    std::to_string(s.partitions.size()) + "|" +
                                    (s.partitions.empty() ? "" : std::to_string(s.partitions[0]));
    std::string& shown = published_[s.topic];
    if (!all && shown == fingerprint) continue;
    shown = fingerprint;
    out.push_back(std::move(s));
  }
  // A task that stops and starts again is shown afresh.
  for (auto it = published_.begin(); it != published_.end();) {
    it = present.count(it->first) ? std::next(it) : published_.erase(it);
  }
  const bool failed_changed = failed.size() != failed_published_;
  failed_published_ = failed.size();
  if (all || failed_changed) {
    for (WorkerTaskStatus& s : failed) out.push_back(std::move(s));
  }
  return out;
}

}  // namespace k2c
