// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace k2c {

// A fixed set of named threads running upload jobs in FIFO order, so that
// slow storage never blocks the Kafka poll loop. Owns its threads: the
// destructor stops taking jobs, lets running ones finish and joins.
// Thread-safe.
class UploadPool {
 public:
  // Starts `threads` threads named `<name>-<n>` (names are cut to 15 chars).
  UploadPool(std::string name, int threads);
  ~UploadPool();
  UploadPool(const UploadPool&) = delete;
  UploadPool& operator=(const UploadPool&) = delete;

  // Queues `job`. Jobs still queued at destruction run before the threads
  // exit, so owners cancel their jobs first to make that quick.
  void Submit(std::function<void()> job);

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace k2c
