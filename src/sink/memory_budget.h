// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>

namespace k2c {

// The worker's one memory budget for record data held in memory (open and
// closed objects not yet uploaded). Tasks charge and release it as bodies
// grow and are freed; when it runs high they spill bodies to the spool and,
// if that is not enough, pause fetching. Thread-safe (lock-free counters).
class MemoryBudget {
 public:
  explicit MemoryBudget(uint64_t capacity) : capacity_(capacity) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  void Charge(uint64_t bytes) {
    const uint64_t now = used_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
    uint64_t peak = peak_.load(std::memory_order_relaxed);
    while (now > peak && !peak_.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
    }
  }
  void Release(uint64_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

  uint64_t used() const { return used_.load(std::memory_order_relaxed); }
  uint64_t peak() const { return peak_.load(std::memory_order_relaxed); }
  uint64_t capacity() const { return capacity_; }

  // Above this, tasks spill their largest in-memory bodies to disk.
  bool AboveSpillMark() const { return used() > capacity_ / 10 * 7; }
  // Above this, tasks also stop fetching until usage falls below the
  // resume mark (hysteresis, so partitions do not flap).
  bool AbovePauseMark() const { return used() > capacity_; }
  bool BelowResumeMark() const { return used() < capacity_ / 10 * 8; }

 private:
  const uint64_t capacity_;
  std::atomic<uint64_t> used_{0};
  std::atomic<uint64_t> peak_{0};
};

// Memory held outside a SegmentBody (a format writer's buffers), charged to
// a budget for as long as the charge lives. Move-only; a null budget
// charges nothing.
class BudgetCharge {
 public:
  explicit BudgetCharge(MemoryBudget* budget = nullptr) : budget_(budget) {}
  ~BudgetCharge() { Set(0); }
  BudgetCharge(BudgetCharge&& other) noexcept
      : budget_(other.budget_), bytes_(std::exchange(other.bytes_, 0)) {}
  BudgetCharge& operator=(BudgetCharge&& other) noexcept {
    if (this != &other) {
      Set(0);
      budget_ = other.budget_;
      bytes_ = std::exchange(other.bytes_, 0);
    }
    return *this;
  }
  BudgetCharge(const BudgetCharge&) = delete;
  BudgetCharge& operator=(const BudgetCharge&) = delete;

  // Brings the charge to `bytes`.
  void Set(uint64_t bytes) {
    if (budget_ != nullptr) {
      if (bytes > bytes_) budget_->Charge(bytes - bytes_);
      if (bytes < bytes_) budget_->Release(bytes_ - bytes);
    }
    bytes_ = bytes;
  }
  uint64_t bytes() const { return bytes_; }

 private:
  MemoryBudget* budget_;
  uint64_t bytes_ = 0;
};

}  // namespace k2c
