// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "archive/archive_reader.h"
#include "common/status.h"
#include "format/record.h"

namespace k2c {

// How far a replay got: per archived partition, the offset of the next
// record to produce (records of `text` objects, which keep no offsets, count
// from their object's first offset). Committed with the records it covers.
struct ReplayCheckpoint {
  std::map<int32_t, int64_t> next_offsets;
  bool done = false;
};
std::string EncodeReplayCheckpoint(const ReplayCheckpoint& checkpoint);
// InvalidArgument for text that is not a checkpoint.
Result<ReplayCheckpoint> DecodeReplayCheckpoint(std::string_view text);

// Where replayed records go: Kafka transactions in production, a recorder
// in tests.
class ReplaySink {
 public:
  virtual ~ReplaySink() = default;
  virtual Status Begin() = 0;
  // `partition` -1: the key chooses.
  virtual Status Produce(int32_t partition, const RecordView& record) = 0;
  // Commits what was produced since Begin together with `checkpoint`.
  virtual Status Commit(const std::string& checkpoint) = 0;
};

struct ReplayOptions {
  bool same_partitions = true;  // Else by key (the sink's partitioner).
  // A transaction is committed every this many records or bytes.
  uint64_t batch_records = 1'000'000;
  uint64_t batch_bytes = 64ull << 20;
};

struct ReplayStats {
  uint64_t records = 0;  // Produced by this run.
  uint64_t bytes = 0;    // Keys and values.
  uint64_t skipped = 0;  // Before the checkpoint: produced by an earlier run.
  uint64_t transactions = 0;
};

// Produces the records of `objects` (ordered by partition, then first
// offset) into `sink`, partition by partition in offset order, starting
// after `start`, committing a checkpoint with every transaction and a last
// one marked done. `progress` is called after each transaction.
Result<ReplayStats> ReplayObjects(ArchiveSource& source, const std::vector<ArchivedObject>& objects,
                                  ReplayCheckpoint start, ReplaySink& sink,
                                  const ReplayOptions& options,
                                  const std::function<void(const ReplayStats&)>& progress = {});

}  // namespace k2c
