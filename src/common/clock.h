// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// The monotonic clock that timing decisions read, injectable so that tests
// move time instead of sleeping (and never assert on the wall clock).

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace k2c {

class MonotonicClock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  virtual ~MonotonicClock() = default;

  virtual time_point Now() const = 0;
  // Blocks on `cv` (whose mutex `lock` holds) until notified or until this
  // clock reads `deadline`; spurious wake-ups are possible, as with the
  // condition variable itself.
  virtual void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                         time_point deadline) const = 0;
};

// std::chrono::steady_clock. Stateless; shared by everything that is not
// under test.
const MonotonicClock& SteadyClock();

// A clock that moves only when told to, for tests. Waiters notice a move
// within a millisecond (they poll: the clock does not know their condition
// variables). Thread-safe.
class ManualClock final : public MonotonicClock {
 public:
  time_point Now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                 time_point deadline) const override {
    if (Now() >= deadline) return;
    cv.wait_for(lock, std::chrono::milliseconds(1));
  }
  void Advance(std::chrono::nanoseconds by) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += by;
  }

 private:
  mutable std::mutex mu_;
  time_point now_{std::chrono::hours(1)};
};

}  // namespace k2c
