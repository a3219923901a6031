// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "format/format.h"
#include "sink/key_template.h"
#include "sink/multipart_stream.h"
#include "sink/object_uploader.h"
#include "sink/partition_buffer.h"
#include "sink/record_source.h"
#include "sink/upload_pool.h"
#include "storage/object_store.h"

namespace k2c {

// Everything fixed about one archiving task once its config is resolved.
struct TaskSpec {
  std::string topic;
  std::string topic_id;  // Kafka's topic UUID, when the template needs it.
  std::string instance;
  Bucket bucket;
  WindowPolicy policy;
  KeyTemplate key_template;
  UploadOptions upload;
  // How long a revoke or shutdown waits for a healthy in-flight upload to
  // finish before cancelling it.
  std::chrono::milliseconds finish_timeout{10'000};
  // Who writes, recorded in each object's metadata (the worker id).
  std::string writer_id;
  // Publish create-only (P7 in docs/design.md): false only for a store found
  // not to honour it, which falls back to overwriting (P3).
  bool create_only = true;
  // Called on the task thread with the seconds from an object's upload start
  // to it being durable (retries included); may be empty.
  std::function<void(double)> observe_upload_seconds;
};

// Counters and the last error of a task, readable from any thread.
struct TaskStats {
  uint64_t records_consumed = 0;  // Records read from Kafka (re-reads included).
  uint64_t bytes_consumed = 0;    // Value bytes read.
  uint64_t records_archived = 0;  // Records committed, nulls included.
  uint64_t bytes_archived = 0;    // Object bytes written.
  uint64_t objects_written = 0;
  uint64_t nulls_skipped = 0;
  uint64_t objects_adopted = 0;  // Publishes refused because another writer was first.
  uint64_t upload_failures = 0;  // Failed upload attempts (each was retried).
  uint64_t commit_failures = 0;  // Failed offset commits (each was retried).
  std::map<std::string, uint64_t> errors_by_kind;  // StatusCodeName -> count.
  std::vector<int32_t> partitions;                 // Assigned now, sorted.
  // Partitions held because the store refuses their objects as such (or
  // another writer's object is in the way), and the first one's reason: they
  // keep their offsets and go on when the settings change or the task is
  // resumed.
  std::vector<int32_t> blocked_partitions;
  std::string blocked_reason;
  bool create_only = true;  // Objects are published create-only (P7), not overwritten.
  std::string last_object_key;
  int64_t last_object_ms = 0;  // Wall clock when it became durable; 0: none.
  std::string last_error;
  int64_t last_error_ms = 0;  // 0: none.
};

// Milliseconds since the Unix epoch; injected so tests control time.
using WallClock = std::function<int64_t()>;
int64_t SystemNowMs();

// The archiving loop of one task: reads records, cuts them into objects,
// uploads them on the pool and commits offsets.
//
// Exactly-once protocol, per partition (argued in docs/design.md):
//  1. an object's offsets are committed only after the object is durable;
//  2. at most one object is uploaded-but-not-committed at any time: the next
//     object's upload starts only after the previous commit succeeded;
//  3. keys depend only on the object's first record, so after a crash the
//     re-read records are written over that one uncommitted object;
//  4. on revoke, in-flight uploads are finished (and committed) or cancelled
//     before the partition is given away; a lost partition's at once;
//  7. objects are published create-only: a writer that finds its key taken
//     adopts the object there (commits its range and reads on after it)
//     instead of overwriting it, so a writer that lost its partition without
//     knowing it (a zombie) can never replace what the new owner published.
// A window that grows past the part size streams its parts while it is still
// open (MultipartStream); they are invisible until the object's turn comes
// in rule 2 and its upload is completed. If such an upload is lost, the
// partition is rewound to its committed offset and read again.
// Not thread-safe: Step/Shutdown and the listener calls run on one thread.
class TaskRunner final : public RecordSourceListener {
 public:
  // `source`, `format`, `store`, `pool`, `budget` and `spool` must outlive
  // the runner; `budget` and `spool` may be null (no memory limit, no spill).
  TaskRunner(TaskSpec spec, RecordSource* source, const Format* format, ObjectStore* store,
             UploadPool* pool, WallClock clock = SystemNowMs, MemoryBudget* budget = nullptr,
             Spool* spool = nullptr);
  ~TaskRunner() override;

  // One turn of the loop: poll up to `poll_timeout`, close due windows,
  // collect finished uploads, commit, start the next uploads.
  void Step(std::chrono::milliseconds poll_timeout);

  // Finishes (or, after finish_timeout, cancels) in-flight uploads, commits
  // what is durable and drops open windows, whose records stay uncommitted
  // and are read again on restart. Idempotent.
  void Shutdown();

  // A snapshot of the counters.
  TaskStats stats() const;

  // Pauses archiving, as when the seed's instance expires: in-flight uploads
  // finish and are committed, open windows are dropped, and every partition
  // stops fetching while staying assigned. SetPaused(false) seeks each
  // partition back to its committed offset and fetches again, so nothing is
  // lost or archived twice. Idempotent.
  void SetPaused(bool paused);
  bool paused() const { return paused_; }

  // Not OK once the task hit an error it cannot continue from without losing
  // its place (a spool file could not be written). The task then stops
  // archiving; its uncommitted records are read again after a restart.
  // Thread-safe.
  Status fatal() const;

  // True while the whole task is paused because memory or spool is full.
  bool memory_paused() const { return memory_paused_; }

  // Number of objects uploaded but whose offsets are not yet committed,
  // plus uploads in flight (for tests and status).
  size_t uncommitted_objects() const;

  // RecordSourceListener:
  void OnRecord(const RecordView& record) override;
  void OnPartitionEof(int32_t partition, int64_t next_offset) override;
  void OnAssigned(const std::vector<int32_t>& partitions) override;
  void OnRevoked(const std::vector<int32_t>& partitions, bool lost) override;

 private:
  struct Upload;
  struct PartitionState {
    explicit PartitionState(PartitionBuffer b) : buffer(std::move(b)) {}
    PartitionBuffer buffer;
    std::deque<Segment> sealed;             // Closed, waiting for their turn.
    std::shared_ptr<Upload> in_flight;      // At most one.
    std::optional<int64_t> commit_pending;  // Durable, offset not yet committed.
    bool paused = false;
    // Parts of the open window already on their way, and its first offset.
    std::shared_ptr<MultipartStream> open_stream;
    int64_t open_stream_first_offset = -1;
    Status rewind;  // Not OK: an upload was lost; read again from the commit.
    // Set while reading again to find where an adopted `text` object whose
    // metadata has no last offset ends: records from `next_offset` are
    // encoded only to count their bytes until they add up to the object's
    // size (uncompressed). Objects of the lossless formats say their last
    // offset themselves.
    struct Measure {
      ObjectKey key;
      int64_t next_offset = 0;
      uint64_t target_bytes = 0;
      uint64_t seen_bytes = 0;
    };
    std::optional<Measure> measure;
    // Not OK: the partition cannot go on without an operator (its reason);
    // it holds its offsets and fetches nothing.
    Status blocked;
    // The offset of the next record the source delivers, when known: after
    // a record, or from the end-of-log event of a partition not moved since
    // it was assigned. A seek back to the committed offset forgets it.
    std::optional<int64_t> position;
    bool seeked = false;  // Since it was assigned.
    bool at_end = false;  // Everything before `position` was delivered.
    // The commit mark (sink/commit_mark.h) this runner last committed.
    std::optional<int64_t> committed_mark;
  };

  PartitionState& StateFor(int32_t partition);
  // Queues a closed window for upload, with the parts it already streamed.
  void Enqueue(PartitionState& state, Segment segment);
  // Hands the open window's body to its multipart upload once it is a part.
  void StreamParts(int32_t partition, PartitionState& state);
  // Drops everything uncommitted of the partition and reads it again from
  // its committed offset, because `why` lost data that was only in memory.
  void Rewind(int32_t partition, PartitionState& state, const Status& why);
  ObjectKey KeyFor(int32_t partition, int64_t window_start_ms, int64_t first_offset) const;
  // Logs a failed upload attempt and counts it in the stats.
  UploadErrorReporter ReporterFor(const ObjectKey& key);
  void Advance(int32_t partition, PartitionState& state);
  void StartUpload(int32_t partition, PartitionState& state, Segment segment);
  // One attempt of `upload` (a publish, or reading the winner's metadata),
  // on a pool thread; schedules the next one after a backoff if it failed
  // and may be retried, else ends the upload.
  void Attempt(const std::shared_ptr<Upload>& upload);
  // Reads the winner of a refused publish back when its metadata does not
  // say where it ends (see Adopt); on a pool thread.
  Status ReadWinner(Upload& upload, const ObjectHead& head) const;
  // Refuses to publish `key` once this consumer's assignment is lost.
  PublishGuard OwnershipGuard(const ObjectKey& key) const;
  void CollectUpload(int32_t partition, PartitionState& state);
  // Another writer published `upload`'s key first: commit what its object
  // covers and read on after it (P7).
  void Adopt(int32_t partition, PartitionState& state, const Upload& upload);
  // Counts one record towards the object being measured (see Measure).
  void MeasureRecord(int32_t partition, PartitionState& state, const RecordView& record);
  void Block(int32_t partition, PartitionState& state, const Status& why);
  // A window could not be written: a record the format cannot hold blocks
  // the partition; anything else (the spool's disk) fails the task.
  void WindowFailed(int32_t partition, PartitionState& state, const Status& why);
  WriteOptions WriteOptionsFor(const Segment& segment, bool streamed) const;
  bool TryCommit(int32_t partition, PartitionState& state);
  // The commit mark the partition can claim now (P8 in docs/design.md):
  // the oldest window it has not committed, or, when it holds nothing and
  // has read everything, the window of the wall clock minus grace.
  std::optional<int64_t> CompleteBefore(const PartitionState& state, int64_t now) const;
  // The mark to commit with the partition's next offset: CompleteBefore, or
  // the last one committed while it cannot tell.
  std::string CommitMetadata(PartitionState& state);
  // Commits, in one request, the new mark of every partition that holds
  // nothing and has read all there is, so quiet partitions do not hold the
  // task's manifests back. At most once per window per partition.
  void CommitIdleMarks(int64_t now);
  // Waits for the in-flight uploads of `partitions` until finish_timeout,
  // then cancels the rest together and waits for their last attempts.
  void FinishUploads(const std::vector<int32_t>& partitions);
  void FinishUploads(const std::vector<int32_t>& partitions,
                     std::chrono::milliseconds finish_timeout);
  // Commits what is durable (if `commit`) and drops everything else.
  void ReleasePartition(int32_t partition, PartitionState& state, bool commit);
  std::vector<int32_t> AssignedPartitions() const;
  // Copies the assigned and blocked partitions into stats_.
  void PublishPartitions();
  // What a recorded error counts as, besides last_error and errors_by_kind.
  enum class ErrorKind { kUploadAttempt, kCommit, kOther };
  void RecordError(const Status& status, ErrorKind kind = ErrorKind::kOther);
  void ManageMemory();
  void Fail(const Status& status);

  TaskSpec spec_;
  RecordSource* source_;
  const Format* format_;
  // `text` only: encodes a record as the task's objects hold it before
  // compression, to measure an adopted object (see Measure).
  std::unique_ptr<Format> measure_format_;
  std::unique_ptr<ObjectWriter> measure_writer_;
  ObjectStore* store_;
  UploadPool* pool_;
  WallClock clock_;
  MemoryBudget* budget_;
  Spool* spool_;
  std::map<int32_t, PartitionState> partitions_;
  std::atomic<bool> failed_{false};
  bool memory_paused_ = false;
  bool paused_ = false;
  std::vector<Segment> sealed_scratch_;
  std::string measure_scratch_;
  bool shut_down_ = false;
  int64_t poll_now_ms_ = 0;             // Wall clock when the current Poll began.
  int64_t idle_marks_retry_at_ms_ = 0;  // After a failed CommitIdleMarks.
  uint64_t consumed_records_ = 0;       // Read in this Step, not yet in stats_.
  uint64_t consumed_bytes_ = 0;

  mutable std::mutex stats_mu_;
  TaskStats stats_;  // Guarded by stats_mu_ (uploaders report errors).
  Status fatal_;     // Guarded by stats_mu_.
};

}  // namespace k2c
