// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "common/backoff.h"

#include <algorithm>
#include <cmath>

namespace k2c {
namespace {

uint64_t RandomSeed() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

}  // namespace

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
                 double multiplier)
    : Backoff(initial, max, multiplier, RandomSeed()) {}

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
                 double multiplier, uint64_t seed)
    : initial_(std::max(initial, std::chrono::milliseconds(1))),
      max_(std::max(max, initial_)),
      multiplier_(std::isfinite(multiplier) ? std::max(multiplier, 1.0) : 1.0),
      engine_(seed) {}

std::chrono::milliseconds Backoff::NextCeiling() {
  // Computed in double and clamped, so a long outage (attempt in the
  // thousands) saturates at max instead of overflowing.
  const double grown =
      static_cast<double>(initial_.count()) * std::pow(multiplier_, static_cast<double>(attempt_));
  if (attempt_ < 1'000'000) ++attempt_;
  const double capped = std::min(grown, static_cast<double>(max_.count()));
  return std::chrono::milliseconds(static_cast<int64_t>(capped));
}

std::chrono::milliseconds Backoff::Uniform(std::chrono::milliseconds lo,
                                           std::chrono::milliseconds hi) {
  std::uniform_int_distribution<int64_t> dist(lo.count(), std::max(lo, hi).count());
  return std::chrono::milliseconds(dist(engine_));
}

std::chrono::milliseconds Backoff::NextDelay() {
  return Uniform(std::chrono::milliseconds(0), NextCeiling());
}

std::chrono::milliseconds Backoff::NextDelay(const Status& status) {
  if (status.code() != StatusCode::kThrottled) return NextDelay();
  const std::chrono::milliseconds ceiling = NextCeiling();
  const std::chrono::milliseconds floor =
      std::clamp(throttled_floor_, std::chrono::milliseconds(0), max_);
  // Keep some spread even when the exponential ceiling is still below the
  // floor; otherwise every throttled client would retry at exactly `floor`.
  const std::chrono::milliseconds hi = std::min(max_, std::max(ceiling, 2 * floor));
  return Uniform(floor, hi);
}

}  // namespace k2c
