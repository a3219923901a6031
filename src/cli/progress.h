// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

namespace k2c {

// A one-line progress display for long commands (get, replay): done/total,
// rate and ETA, redrawn in place at most every `interval` on a terminal;
// nothing but the final line elsewhere, so logs and pipes stay clean.
class Progress {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // `unit` is "bytes" (shown as KiB/MiB/GiB) or a noun for counts
  // ("records"). `total` 0: unknown (no ETA).
  Progress(std::FILE* out, bool terminal, std::string unit, uint64_t total,
           Clock clock = std::chrono::steady_clock::now,
           std::chrono::milliseconds interval = std::chrono::milliseconds(200));

  // Records `done` so far and `note` (e.g. "3/12 objects"); redraws if due.
  void Update(uint64_t done, const std::string& note = "");
  // Draws the last state and ends the line.
  void Finish();

  // "12.3 MiB", "512 B": for bytes; plain numbers otherwise.
  static std::string Amount(uint64_t amount, bool bytes);
  // The line as it would be drawn now (for tests).
  std::string Line() const;

 private:
  std::FILE* out_;
  bool terminal_;
  std::string unit_;
  uint64_t total_;
  Clock clock_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_{};
  uint64_t done_ = 0;
  std::string note_;
  bool drawn_ = false;
  bool finished_ = false;
};

}  // namespace k2c
