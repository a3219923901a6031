// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "control/config.h"
#include "control/metrics.h"
#include "format/format.h"
#include "kafka/kafka_source.h"
#include "sink/memory_budget.h"
#include "sink/segment_body.h"
#include "sink/task_runner.h"
#include "sink/upload_pool.h"
#include "storage/object_store.h"

namespace k2c {

// A task ready to run: its consumer, format and archiving loop.
struct PreparedTask {
  TaskConfig config;
  std::unique_ptr<KafkaSource> source;
  std::unique_ptr<Format> format;
  std::unique_ptr<TaskRunner> runner;
};

// What a worker shares with every task it prepares.
struct TaskEnvironment {
  const Config* config = nullptr;
  std::string instance;
  std::string worker_id;
  ObjectStore* store = nullptr;
  MemoryBudget* budget = nullptr;
  Spool* spool = nullptr;
  UploadPool* pool = nullptr;
  MetricsRegistry* metrics = nullptr;
  WallClock clock = SystemNowMs;
};

// Turns a task's settings into a running task, after checking everything
// that can be checked before a record is read: the settings' own rules
// (ValidateTaskConfig), what only the store can judge (its part limit, its
// key rules on the longest key the template makes), and write access to
// the bucket. Whichever way a task arrives (config file, API, tasks topic),
// it passes here. Thread-safe as far as the store and registry are.
class TaskPreparer {
 public:
  explicit TaskPreparer(TaskEnvironment env) : env_(std::move(env)) {}

  // The task, ready to run; the first problem found otherwise.
  Result<PreparedTask> Prepare(const TaskConfig& task);

  // The checks of Prepare that need no Kafka: the store's limits and a
  // write probe (the API's preflight).
  Status Preflight(const TaskConfig& task);

  // The largest object fits in the store's part limit, and the longest key
  // of the task's template is one the store takes (ObjectStore::CheckKey).
  Status CheckAgainstStore(const TaskConfig& task) const;

  // Proves write access to `bucket` under `prefix`; true if the store
  // honours create-only writes.
  Result<bool> WriteProbe(const Bucket& bucket, const std::string& prefix);

 private:
  const TaskEnvironment env_;
};

}  // namespace k2c
