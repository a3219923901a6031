// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"

namespace k2c {

// A fixed set of named threads running upload jobs, so that slow storage
// never blocks a task's Kafka poll loop.
//
// Fair by construction (issue 10, section 3): a job is one attempt of one
// request (or of one small object), never a wait; a job that must retry
// submits its next attempt with SubmitAfter(), which holds no thread while
// the delay runs. Jobs are queued per lane (a task's topic) and threads take
// one job from each non-empty lane in turn, so a task whose bucket is broken
// holds at most one thread per attempt in progress and cannot push another
// task's uploads behind its own queue.
//
// Owns its threads: the destructor stops taking delayed jobs (they are
// dropped: owners cancel their work before that), runs what is queued and
// joins. Thread-safe.
class UploadPool {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts `threads` threads named `<name>-<n>` (names are cut to 15 chars).
  // Delays run on `clock`, which must outlive the pool.
  UploadPool(std::string name, int threads, const MonotonicClock& clock = SteadyClock());
  ~UploadPool();
  UploadPool(const UploadPool&) = delete;
  UploadPool& operator=(const UploadPool&) = delete;

  // Queues `job` on `lane`.
  void Submit(const std::string& lane, std::function<void()> job);
  // Queues `job` on `lane` once `delay` has passed.
  void SubmitAfter(const std::string& lane, std::chrono::milliseconds delay,
                   std::function<void()> job);

  // Jobs queued or waiting for their delay (for tests).
  size_t pending() const;

 private:
  void Run();
  // Moves delayed jobs that are due into their lanes. Needs mu_.
  void PromoteDue(Clock::time_point now);

  const MonotonicClock& clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::deque<std::function<void()>>> lanes_;  // Non-empty lanes only.
  std::deque<std::string> turn_;  // Lanes with jobs, in the order they are served.
  std::multimap<Clock::time_point, std::pair<std::string, std::function<void()>>> delayed_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace k2c
