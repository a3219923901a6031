// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/cancel.h"
#include "common/status.h"
#include "sink/object_uploader.h"
#include "sink/segment_body.h"
#include "sink/upload_pool.h"
#include "storage/object_store.h"

namespace k2c {

// The multipart upload of one object whose window is still open. Parts are
// uploaded while the window is being read, so upload overlaps reading and an
// open window holds about one part in memory instead of its whole body.
// Nothing is visible to readers before Finish() completes the upload, so
// streaming parts early changes neither what readers see nor when offsets
// are committed (docs/design.md).
//
// Parts upload one at a time, in order, on the upload pool. Each is retried
// with capped, jittered backoff until it succeeds or the stream is cancelled,
// except when the store answers NotFound for an upload it had begun: the
// upload is gone (aborted by a lifecycle rule or by hand), its parts cannot
// be sent again from memory, and the stream is broken; the caller must read
// the records again. Thread-safe; owned through shared_ptr because pool jobs
// keep it alive.
class MultipartStream : public std::enable_shared_from_this<MultipartStream> {
 public:
  // `store` and `pool` must outlive every job of the stream (they outlive
  // tasks). `report` is called after each failed attempt until Cancel() or
  // the end of Finish(); it may be empty.
  // `write` is given to CreateMultipart and CompleteMultipart: with
  // `if_absent`, Finish() returns AlreadyExists when another writer
  // published the key first.
  MultipartStream(ObjectStore* store, UploadPool* pool, Bucket bucket, ObjectKey key,
                  UploadOptions options, UploadErrorReporter report,
                  WriteOptions write = WriteOptions{});

  const ObjectKey& key() const { return key_; }

  // Queues `part` (all but the last part must be >= 5 MiB for S3; a spilled
  // body must be flushed) and returns at once.
  void AddPart(SegmentBody part);

  // Uploads what is still queued, then `tail` as the last part (none if
  // empty) and completes the upload. Blocks until the object is durable (OK),
  // the stream is cancelled (Cancelled) or broken (any other code: see
  // broken()). Anything but OK leaves no object published by this call and
  // the upload aborted. Call once.
  Status Finish(const SegmentBody& tail, int* attempts = nullptr);

  // Stops part uploads (a running attempt ends within the store's request
  // timeout) and aborts the upload in the background. After it returns,
  // `report` is not called again. No-op once Finish() succeeded. Idempotent.
  void Cancel();

  // Not OK once a part upload found the upload gone: see the class comment.
  Status broken() const;

  // Parts accepted so far (queued or uploaded).
  int parts_added() const;

 private:
  // Uploads queued parts in order until the queue is empty, the stream is
  // cancelled or broken. Requires holding the uploader role (running_).
  Status Drain(std::unique_lock<std::mutex>& lock);
  // SendPart of a body's bytes (read back from the spool if spilled).
  Status SendBody(const SegmentBody& body);
  // One part, retried; requires the uploader role. Lock not held.
  Status SendPart(std::string_view body);
  Status Complete(int* attempts);
  // Pool job: takes the uploader role if free and drains the queue.
  void Pump();
  void AbortWhenIdle();
  void Report(const Status& error, int attempt);
  // Stops calls of `report_`, waiting for one in progress.
  void DetachReport();
  Status Cancelled() const;

  ObjectStore* const store_;
  UploadPool* const pool_;
  const Bucket bucket_;
  const ObjectKey key_;
  const UploadOptions options_;
  const WriteOptions write_;
  CancelToken cancel_;

  mutable std::mutex mu_;
  std::condition_variable idle_cv_;
  std::deque<SegmentBody> queue_;        // Guarded by mu_.
  bool running_ = false;                 // A thread holds the uploader role. Guarded by mu_.
  bool completed_ = false;               // Guarded by mu_.
  bool abort_scheduled_ = false;         // Guarded by mu_.
  int parts_added_ = 0;                  // Guarded by mu_.
  Status broken_;                        // Guarded by mu_.
  std::optional<MultipartId> id_;        // Written by the role holder only.
  std::vector<CompletedPart> uploaded_;  // Written by the role holder only.
  std::string scratch_;                  // Spilled part read back; role holder only.

  std::mutex report_mu_;
  UploadErrorReporter report_;  // Guarded by report_mu_.
};

}  // namespace k2c
