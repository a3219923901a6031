// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "format/record.h"

namespace k2c {

// Receives what a RecordSource delivers. All calls come from inside
// RecordSource::Poll, on the polling thread.
class RecordSourceListener {
 public:
  virtual ~RecordSourceListener() = default;
  // A record; views are valid only during the call.
  virtual void OnRecord(const RecordView& record) = 0;
  // The consumer has read everything `partition` holds right now: every
  // record before `next_offset` was delivered.
  virtual void OnPartitionEof(int32_t partition, int64_t next_offset) = 0;
  // `partitions` now belong to this consumer.
  virtual void OnAssigned(const std::vector<int32_t>& partitions) = 0;
  // `partitions` are being taken away. When this returns, the listener must
  // not write objects for them any more. If `lost` is false it may still
  // Commit() for them during the call; if true the group already moved on.
  virtual void OnRevoked(const std::vector<int32_t>& partitions, bool lost) = 0;
};

// One partition's commit: the offset of the next record to read, and what
// the group stores with it (see sink/commit_mark.h).
struct OffsetCommit {
  int32_t partition = 0;
  int64_t next_offset = 0;
  std::string metadata;
};

// The Kafka side of one task as the sink needs it: a partitioned stream with
// manual commits and per-partition flow control. Not thread-safe: one thread
// owns it (polls, commits, pauses).
class RecordSource {
 public:
  virtual ~RecordSource() = default;

  // Waits at most `timeout` for records or events and dispatches them to
  // `listener`. Errors that only need reporting are returned, not fatal.
  virtual Status Poll(std::chrono::milliseconds timeout, RecordSourceListener* listener) = 0;

  // Synchronously commits each partition's `next_offset` with its metadata,
  // in one request. OK means every one is stored in the group.
  virtual Status Commit(const std::vector<OffsetCommit>& commits) = 0;
  Status Commit(int32_t partition, int64_t next_offset, std::string metadata = {}) {
    return Commit(std::vector<OffsetCommit>{{partition, next_offset, std::move(metadata)}});
  }

  // Stops / restarts fetching for one partition; records already delivered
  // are not redelivered, records not yet delivered follow after Resume.
  virtual Status Pause(int32_t partition) = 0;
  virtual Status Resume(int32_t partition) = 0;

  // Moves the read position of `partition` back (or forward) to the group's
  // committed offset: the next record delivered is the first uncommitted one.
  virtual Status SeekToCommitted(int32_t partition) = 0;

  // Moves the read position of `partition` to `offset`: the next record
  // delivered for it is the one at `offset`.
  virtual Status Seek(int32_t partition, int64_t offset) = 0;

  // True once the consumer knows its current assignment is lost (its
  // session expired or it was fenced) before the revoke reaches the
  // listener. Unlike the others, callable from any thread.
  virtual bool AssignmentLost() const { return false; }
};

}  // namespace k2c
