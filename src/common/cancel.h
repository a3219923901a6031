// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace k2c {

// A one-way flag that also interrupts sleeps: retry loops wait on it instead
// of sleeping so that shutdown and partition revocation take effect at once.
// Thread-safe.
class CancelToken {
 public:
  // Sets the flag and wakes every waiter. Idempotent.
  void Cancel() {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    cv_.notify_all();
  }

  bool cancelled() const {
    std::lock_guard<std::mutex> lock(mu_);
    return cancelled_;
  }

  // Sleeps for `delay` unless cancelled first. Returns true if cancelled.
  bool WaitFor(std::chrono::milliseconds delay) const {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, delay, [this] { return cancelled_; });
  }

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool cancelled_ = false;
};

}  // namespace k2c
