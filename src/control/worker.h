// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "control/config.h"
#include "kafka/kafka_source.h"
#include "sink/memory_budget.h"
#include "sink/segment_body.h"
#include "sink/task_runner.h"
#include "sink/upload_pool.h"
#include "storage/object_store.h"

namespace k2c {

// Builds the object store named by [storage]. InvalidArgument for unusable
// settings. Never puts credentials into a message.
Result<std::unique_ptr<ObjectStore>> MakeObjectStore(const StorageConfig& storage);

// The `run` command: one consumer thread per task, a shared upload pool.
// Start() checks everything it can before archiving begins (topic exists,
// bucket exists and is writable, templates resolvable) and fails with the
// first problem, so a misconfigured worker stops at once with a clear message.
// Thread-safe: Stop() may be called from any thread.
class Worker {
 public:
  explicit Worker(Config config);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Prepares every task and starts their threads. On error nothing runs.
  Status Start();

  // Pauses or resumes every task (see TaskRunner::SetPaused); takes effect
  // on the task threads within one poll interval.
  void SetPaused(bool paused) { want_paused_.store(paused); }

  // Not OK once a task stopped on an error it cannot recover from in place
  // (see TaskRunner::fatal); the caller should Stop() and exit non-zero.
  Status failure() const;

  // Asks every task to finish in-flight uploads, commit and leave its group;
  // returns when they have. Idempotent.
  void Stop();

 private:
  struct Task;
  Result<std::unique_ptr<Task>> PrepareTask(const TaskConfig& task_config);
  Status WriteProbe(const Bucket& bucket, const std::string& prefix);
  Status PrepareSpool();
  void RunTask(Task* task);

  Config config_;
  std::string instance_;
  std::unique_ptr<ObjectStore> store_;
  std::unique_ptr<MemoryBudget> budget_;
  std::unique_ptr<Spool> spool_;
  std::unique_ptr<UploadPool> pool_;
  std::vector<std::unique_ptr<Task>> tasks_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> want_paused_{false};
};

}  // namespace k2c
