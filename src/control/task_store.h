// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "control/task_definition.h"
#include "kafka/admin.h"

namespace k2c {

struct TaskStoreOptions {
  KafkaAdminOptions kafka;  // Cluster, pass-through properties, call timeout.
  std::string tasks_topic;
  std::string status_topic;
  int replication_factor = -1;  // -1: the broker's default.
  // How long Open() waits to have read both topics to their end.
  std::chrono::milliseconds open_timeout{30'000};
};

// Task definitions and worker statuses kept in two compacted Kafka topics,
// the way Kafka Connect keeps its configs: every worker reads both topics
// from the beginning with a consumer of its own (assigned, no group), so
// every worker holds the same view, and writes go through Kafka (the last
// record per key wins; a tombstone deletes). Thread-safe.
class TaskStore {
 public:
  // Creates the topics if missing (compacted, one partition), starts the
  // reader thread and returns once both topics were read to their end.
  // Unavailable if the cluster does not answer within open_timeout.
  static Result<std::unique_ptr<TaskStore>> Open(TaskStoreOptions options);
  ~TaskStore();  // Stops the reader thread.
  TaskStore(const TaskStore&) = delete;
  TaskStore& operator=(const TaskStore&) = delete;

  // The current definitions, by topic.
  std::map<std::string, TaskDefinition> Tasks() const;
  std::optional<TaskDefinition> Get(const std::string& topic) const;

  // Writes `definition` and returns once it was acknowledged by the broker
  // and read back by this store's reader, so a Get() right after sees it
  // (read-your-writes). Unavailable/DeadlineExceeded after the call timeout.
  Status Put(const TaskDefinition& definition);
  // Writes a tombstone for `topic`'s definition; same guarantees as Put.
  Status Remove(const std::string& topic);

  // Publishes one worker's status of one task (not waited for read-back,
  // but acknowledged by the broker).
  Status PublishStatus(const WorkerTaskStatus& status);
  // Writes a tombstone for (topic, worker_id): the worker no longer runs it.
  Status RemoveStatus(const std::string& topic, const std::string& worker_id);
  // Statuses of `topic` from all workers, sorted by worker id.
  std::vector<WorkerTaskStatus> Statuses(const std::string& topic) const;

  // Grows by one on every change of Tasks() seen by the reader.
  uint64_t version() const;
  // Waits until version() != `seen` or `timeout` passes; returns version().
  uint64_t WaitForChange(uint64_t seen, std::chrono::milliseconds timeout) const;

  // Not OK while the reader cannot reach the cluster (last error).
  Status health() const;

 private:
  struct Impl;
  explicit TaskStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace k2c
