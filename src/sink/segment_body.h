// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "format/record.h"
#include "sink/memory_budget.h"

namespace k2c {

// Where bodies go when memory runs short: an anonymous file (O_TMPFILE) per
// body in `dir`, so nothing is left behind after a crash, and a cap on the
// bytes all spool files may hold. Thread-safe.
class Spool {
 public:
  Spool(std::string dir, uint64_t max_bytes) : dir_(std::move(dir)), max_bytes_(max_bytes) {}
  const std::string& dir() const { return dir_; }
  bool Full() const { return used_.load(std::memory_order_relaxed) >= max_bytes_; }
  uint64_t used() const { return used_.load(std::memory_order_relaxed); }
  void Charge(uint64_t bytes) { used_.fetch_add(bytes, std::memory_order_relaxed); }
  void Release(uint64_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

 private:
  const std::string dir_;
  const uint64_t max_bytes_;
  std::atomic<uint64_t> used_{0};
};

// The bytes of one object, in memory or spilled to an anonymous spool file.
// Memory held is charged to the budget for as long as the body lives.
// Move-only; not thread-safe (one owner at a time: the task thread while the
// window is open, then one upload thread).
class SegmentBody {
 public:
  // A body charging `budget` (may be null in tests) and spilling to `spool`
  // (may be null: then Spill() fails with FailedPrecondition).
  SegmentBody(MemoryBudget* budget, Spool* spool) : budget_(budget), spool_(spool) {}
  SegmentBody() = default;
  ~SegmentBody();
  SegmentBody(SegmentBody&& other) noexcept;
  SegmentBody& operator=(SegmentBody&& other) noexcept;
  SegmentBody(const SegmentBody&) = delete;
  SegmentBody& operator=(const SegmentBody&) = delete;

  // Appends bytes. IOError if a spilled body cannot be written (the spool's
  // disk is full); the body is then unusable and the caller re-reads.
  Status Append(std::string_view data);

  // Appends what `produce(std::string* out)` appends to `out`: straight into
  // the body's memory (no intermediate copy) unless it is spilled, then
  // through `*scratch`. `expected` is the room to make first (a guess).
  // `produce` returns a Status; an error from it is returned as is.
  template <class Produce>
  Status AppendFrom(Produce&& produce, uint64_t expected, std::string* scratch);
  // Once the body passes a quarter of `bytes` in memory it gets `bytes` of
  // capacity at once instead of doubling its way there: a body that will
  // grow to one upload part is not copied on every doubling, nor held at up
  // to twice its size. 0 (the default): ordinary growth.
  void set_reserve(uint64_t bytes) { reserve_ = bytes; }
  // Moves the in-memory bytes to a spool file; later appends go there too.
  // No-op if already spilled.
  Status Spill();

  // Writes buffered bytes of a spilled body to its file and frees the
  // buffer. No-op for a body in memory.
  Status Flush();

  uint64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool spilled() const { return fd_ >= 0; }
  // Bytes of this body currently held in memory.
  uint64_t memory_bytes() const { return memory_.capacity(); }

  // The bytes [offset, offset+length): a view into memory, or read from the
  // spool file into `*scratch` (sized to `length`). Call Flush() first if the
  // body was appended to after spilling.
  Result<std::string_view> Read(uint64_t offset, uint64_t length, std::string* scratch) const;

  // Whole body as a string (for tests and small bodies).
  Result<std::string> ToString() const;

 private:
  void Recharge();                // Brings the budget charge in line with memory_bytes().
  void MakeRoom(uint64_t total);  // Applies reserve_ before memory_ grows to `total`.
  void Reset();

  MemoryBudget* budget_ = nullptr;
  Spool* spool_ = nullptr;
  std::string memory_;  // The whole body, or (spilled) the write buffer.
  uint64_t charged_ = 0;
  uint64_t size_ = 0;
  uint64_t file_bytes_ = 0;  // Bytes written to the file.
  uint64_t reserve_ = 0;
  int fd_ = -1;
};

template <class Produce>
Status SegmentBody::AppendFrom(Produce&& produce, uint64_t expected, std::string* scratch) {
  if (fd_ >= 0) {
    scratch->clear();
    Status s = produce(scratch);
    if (s.ok() && !scratch->empty()) s = Append(*scratch);
    // A row group or a huge record passed through: do not keep its room.
    if (scratch->capacity() > (1u << 20)) std::string().swap(*scratch);
    return s;
  }
  MakeRoom(memory_.size() + expected);
  const size_t before = memory_.size();
  Status s = produce(&memory_);
  size_ += memory_.size() - before;
  Recharge();
  return s;
}

}  // namespace k2c
