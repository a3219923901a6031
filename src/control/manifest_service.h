// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "archive/manifest.h"
#include "common/cancel.h"
#include "common/status.h"
#include "control/config.h"
#include "kafka/admin.h"
#include "sink/task_runner.h"
#include "storage/object_store.h"

namespace k2c {

// The group's view of a task's partitions as the manifest writer needs it:
// committed offsets, commit marks, and which partitions are empty.
std::vector<PartitionProgress> ProgressFromLags(const std::vector<PartitionLag>& lags);

// Writes the completeness manifests (archive/manifest.h) of the tasks this
// worker leads, on a thread of its own ("manifests"), every `interval`. A
// task is led by the worker holding its partition 0, so exactly one worker
// normally writes a task's manifests and another takes over with the
// partition; two for a moment write the same manifest create-only, once.
class ManifestService {
 public:
  // The tasks this worker leads now.
  using LeadingTasks = std::function<std::vector<TaskConfig>()>;
  // The group's committed offsets and marks of a task (FetchGroupLag).
  using FetchProgress = std::function<Result<std::vector<PartitionLag>>(const std::string& topic)>;

  ManifestService(ObjectStore* store, std::string instance, std::string writer_id,
                  LeadingTasks leading, FetchProgress fetch, std::chrono::milliseconds interval,
                  WallClock clock = SystemNowMs);
  ~ManifestService();  // Stops.
  ManifestService(const ManifestService&) = delete;
  ManifestService& operator=(const ManifestService&) = delete;

  void Start();
  // Returns once the thread has ended; idempotent.
  void Stop();

  // One pass over the led tasks (what the thread does every interval).
  void RunOnce();

 private:
  ObjectStore* store_;
  const std::string instance_;
  const std::string writer_id_;
  LeadingTasks leading_;
  FetchProgress fetch_;
  const std::chrono::milliseconds interval_;
  WallClock clock_;
  CancelToken stop_;
  std::thread thread_;
  // Per topic, with the settings it was made for (a changed task gets a new
  // writer). Only the service's thread touches them.
  struct Writer {
    TaskConfig config;
    std::unique_ptr<ManifestWriter> writer;
  };
  std::map<std::string, Writer> writers_;
};

}  // namespace k2c
