// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/cancel.h"
#include "sink/task_runner.h"  // WallClock

namespace k2c {

// One point of a task's recent history, cluster-wide: what the console's
// chart draws (archived records/s from consecutive points, and lag).
struct HistorySample {
  int64_t at_ms = 0;
  uint64_t records_archived = 0;  // Sum over the workers' counters (each since it started).
  std::optional<int64_t> lag;     // None when Kafka did not answer.
};

// The last `capacity` samples of every task, taken on a thread of its own
// ("history") every `interval`: a bounded ring per task, forgotten when the
// task goes. Every worker keeps its own, so whichever worker serves the
// console has the chart. Thread-safe.
class TaskHistory {
 public:
  // The samples of every task now (without at_ms, which the history sets).
  using SampleAll = std::function<std::map<std::string, HistorySample>()>;

  TaskHistory(SampleAll sample, std::chrono::milliseconds interval, size_t capacity,
              WallClock clock = SystemNowMs);
  ~TaskHistory();  // Stops.
  TaskHistory(const TaskHistory&) = delete;
  TaskHistory& operator=(const TaskHistory&) = delete;

  void Start();
  // Returns once the thread has ended; idempotent.
  void Stop();
  // Takes one round of samples (what the thread does every interval).
  void SampleOnce();

  // `topic`'s samples, oldest first; empty for an unknown topic.
  std::vector<HistorySample> Samples(const std::string& topic) const;
  std::chrono::milliseconds interval() const { return interval_; }

 private:
  SampleAll sample_;
  const std::chrono::milliseconds interval_;
  const size_t capacity_;
  WallClock clock_;
  mutable std::mutex mu_;
  std::map<std::string, std::deque<HistorySample>> rings_;  // Guarded by mu_.
  CancelToken stop_;
  std::thread thread_;
};

}  // namespace k2c
