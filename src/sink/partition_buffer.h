// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "format/format.h"
#include "format/record.h"
#include "sink/memory_budget.h"
#include "sink/segment_body.h"

namespace k2c {

class MultipartStream;

// How records are cut into objects. See docs/config.md for the user's view.
struct WindowPolicy {
  int64_t window_ms = 5 * 60 * 1000;
  // How long after a window's end (wall clock) its object is closed even if
  // no later record arrives, so quiet partitions still publish on time.
  int64_t grace_ms = 5000;
  // An object is closed early once its body reaches this size.
  uint64_t max_object_bytes = 256ull << 20;
  // A record stamped more than this ahead of the wall clock is "future": it
  // never closes the open window (see PartitionBuffer).
  int64_t max_future_skew_ms = 60 * 60 * 1000;
  // Capacity a body gets at once when it passes a quarter of it (SegmentBody::
  // set_reserve): the upload part size plus room for the record crossing it.
  // 0: bodies grow as strings do.
  uint64_t body_reserve = 0;
};

// Why an object was closed.
enum class SealReason { kNextWindow, kSize, kTimer };
const char* SealReasonName(SealReason reason);

// The finished content of one object and the offsets it covers. Every record
// in [first_offset, last_offset] of the partition is accounted for: written
// into `body` or counted in `dropped_nulls`. Once sealed, `body` holds a
// complete object of the task's format (its writer has finished).
struct Segment {
  int32_t partition = 0;
  int64_t window_start_ms = 0;
  int64_t first_offset = 0;
  int64_t last_offset = 0;
  uint64_t records = 0;          // Records covered, dropped ones included.
  uint64_t dropped_nulls = 0;    // Null values the format skipped.
  uint64_t late_records = 0;     // Records whose timestamp was before the window.
  uint64_t untimed_records = 0;  // Records without a usable timestamp.
  uint64_t future_records = 0;   // Records stamped beyond now + max_future_skew.
  SealReason reason = SealReason::kNextWindow;
  // The bytes not yet handed out as parts (see PartitionBuffer::TakePart).
  SegmentBody body;
  uint64_t streamed_bytes = 0;  // Bytes handed out as parts before `body`.
  // The upload the streamed parts went to; set by the task that streams.
  std::shared_ptr<MultipartStream> stream;

  // The object's size: streamed parts plus `body`.
  uint64_t bytes() const { return streamed_bytes + body.size(); }
};

// Start of the window holding `timestamp_ms`: floor to a multiple of window_ms
// since the Unix epoch, in UTC.
int64_t WindowStartFor(int64_t timestamp_ms, int64_t window_ms);

// The latest record timestamp taken as a time: 9999-12-31T23:59:59.999Z, the
// last instant a key's four-digit year can name. Later stamps are "untimed".
constexpr int64_t kMaxRecordTimestampMs = 253'402'300'799'999;

// The window of records without a usable timestamp (<= 0, or past
// kMaxRecordTimestampMs) when they open one: the Unix epoch, so that the key
// does not depend on when the record was read.
constexpr int64_t kUntimedWindowStartMs = 0;

// a + b, clamped to int64's range instead of overflowing.
int64_t SaturatingAdd(int64_t a, int64_t b);

// The open window of one partition. Records must be added in offset order.
//
// Window assignment (P3 in docs/design.md: an object's key depends only on its
// first record, never on when it was read): a record belongs to the window of
// its timestamp; a record of a *later* window closes the open one. A record
// whose timestamp falls before the open window (late or out of order) joins
// the open window rather than producing a one-record object; a record without
// a usable timestamp does the same, or opens the fixed kUntimedWindowStartMs
// window when nothing is open. A *future* record (stamped more than
// max_future_skew past the wall clock) never closes the open window: it joins
// it, or opens the window of its own timestamp when nothing is open; that
// window is closed by the timer one window length (plus grace) after it was
// opened, and by the first record that is not future, so one bad clock cannot
// hold every later record in a window that the wall clock never reaches.
// Not thread-safe: owned by the task's consumer thread.
class PartitionBuffer {
 public:
  // Each open window gets a writer of `format` (which must outlive the
  // buffer) for `topic`. Bodies and writers charge `budget` and bodies spill
  // to `spool`; both may be null (tests).
  PartitionBuffer(int32_t partition, WindowPolicy policy, const Format* format,
                  MemoryBudget* budget = nullptr, Spool* spool = nullptr, std::string topic = {});

  // Adds `record`; any object it closes is appended to `sealed` (the previous
  // window, and/or the current one if it reached max_object_bytes). On an
  // error the open window is dropped and its records must be read again:
  // IOError if a spilled body cannot be written; InvalidArgument if the
  // format cannot hold this record (the partition cannot go on as set).
  Status Add(const RecordView& record, int64_t now_ms, std::vector<Segment>* sealed);

  // Closes the open window when the wall clock is past its end + grace and
  // the partition has been read to its end, or has delivered no record for
  // the grace period (idle without an end-of-log event, or paused), so a
  // backlog replay does not cut a window into pieces. Appends it to
  // `sealed`; errors as in Add().
  Status SealIfDue(int64_t now_ms, std::vector<Segment>* sealed);

  // When the open window's body has reached `min_bytes`, hands it out as the
  // next part of the object (the window stays open with an empty body) and
  // returns it; the object's size still counts it. Empty otherwise.
  std::optional<SegmentBody> TakePart(uint64_t min_bytes);

  // Restarts the quiet-period clock of the timer rule (see SealIfDue) when
  // fetching resumes after the task held the partition back itself.
  void NoteFetchResumed(int64_t now_ms) { last_add_ms_ = now_ms; }

  // The open window (its body, offsets and window start), or null.
  const Segment* open_segment() const { return open_ ? &*open_ : nullptr; }

  // Records that the consumer has read everything the partition holds.
  void MarkCaughtUp() { caught_up_ = true; }

  // Drops the open window (its records were not committed; they will be read
  // again by whoever owns the partition next).
  void Clear();

  // Has the writer emit what it buffers (see ObjectWriter::Flush), then
  // moves the open window's body to the spool, or writes out the buffer of
  // one already spilled (see SegmentBody). Errors as in Add().
  Status Spill();

  int32_t partition() const { return partition_; }
  bool has_open_window() const { return open_.has_value(); }
  uint64_t buffered_bytes() const { return open_ ? open_->body.size() : 0; }
  // Bytes of the open window held in memory: its body and its writer.
  uint64_t memory_bytes() const {
    return open_ ? open_->body.memory_bytes() + writer_charge_.bytes() : 0;
  }

 private:
  // Ends the open window's object and moves it to `sealed`.
  Status Seal(SealReason reason, std::vector<Segment>* sealed);
  // Drops the open window after a failed write and returns `error`.
  Status Drop(Status error);
  SegmentBody NewBody();

  int32_t partition_;
  WindowPolicy policy_;
  const Format* format_;
  MemoryBudget* budget_;
  Spool* spool_;
  ObjectContext context_;
  std::optional<Segment> open_;
  // The open window's writer, and the memory it holds, charged to budget_.
  std::unique_ptr<ObjectWriter> writer_;
  BudgetCharge writer_charge_;
  // Wall clock when the open window was opened by a future record; 0 when it
  // was opened by any other.
  int64_t open_future_since_ms_ = 0;
  std::string scratch_;  // One record's encoding for spilled bodies, reused.
  bool caught_up_ = false;
  int64_t last_add_ms_ = 0;  // Wall clock of the last Add().
};

}  // namespace k2c
