// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "common/clock.h"

namespace k2c {
namespace {

class RealSteadyClock final : public MonotonicClock {
 public:
  time_point Now() const override { return std::chrono::steady_clock::now(); }
  void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                 time_point deadline) const override {
    cv.wait_until(lock, deadline);
  }
};

}  // namespace

const MonotonicClock& SteadyClock() {
  static const RealSteadyClock clock;  // Immutable: no shared mutable state.
  return clock;
}

}  // namespace k2c
