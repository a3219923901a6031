// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

#include "common/status.h"

namespace k2c {

// Exponential backoff with "full jitter": the n-th delay (n from 0) is drawn
// uniformly from [0, min(max, initial * multiplier^n)]. Randomising the whole
// interval spreads many clients that failed together (one S3 hiccup seen by
// every uploader) instead of having them retry in lock-step.
//
// Only computes delays; the caller sleeps (preferably on a CancelToken so that
// shutdown interrupts the wait). Not thread-safe: one object per retry loop.
class Backoff {
 public:
  // Throttled errors never wait less than this (capped at `max`), see
  // NextDelay(const Status&).
  static constexpr std::chrono::milliseconds kDefaultThrottledFloor{1000};

  // `initial` > 0, `max` >= `initial`, `multiplier` >= 1; out-of-range values
  // are clamped into range rather than rejected. The engine is seeded from
  // std::random_device.
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
          double multiplier = 2.0);
  // As above with a fixed seed, so tests get a reproducible sequence.
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, double multiplier,
          uint64_t seed);

  // The delay before the next attempt, in [0, min(max, initial * mult^n)]
  // where n counts calls since construction or Reset(). Never above `max`.
  std::chrono::milliseconds NextDelay();

  // As NextDelay(), but a Throttled status (the server said SlowDown) draws
  // from [floor, max(ceiling, 2 * floor)] capped at `max`, where floor is
  // throttled_floor(): hammering a server that asked us to slow down only
  // prolongs the throttling, so even the first retry waits a while. Other
  // codes behave exactly like NextDelay().
  std::chrono::milliseconds NextDelay(const Status& status);

  // Starts over from `initial`, e.g. after a success.
  void Reset() { attempt_ = 0; }

  // Replaces the throttled floor (kDefaultThrottledFloor by default).
  void set_throttled_floor(std::chrono::milliseconds floor) { throttled_floor_ = floor; }
  std::chrono::milliseconds throttled_floor() const { return throttled_floor_; }

  // Number of delays handed out since construction or Reset().
  int attempt() const { return attempt_; }

 private:
  // min(max, initial * multiplier^attempt), advancing attempt.
  std::chrono::milliseconds NextCeiling();
  std::chrono::milliseconds Uniform(std::chrono::milliseconds lo, std::chrono::milliseconds hi);

  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  double multiplier_;
  std::chrono::milliseconds throttled_floor_ = kDefaultThrottledFloor;
  int attempt_ = 0;
  std::mt19937_64 engine_;
};

}  // namespace k2c
