// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/backoff.h"
#include "common/status.h"
#include "sink/object_uploader.h"
#include "sink/segment_body.h"
#include "sink/upload_pool.h"
#include "storage/object_store.h"

namespace k2c {

// The multipart upload of one object whose window is still open. Parts are
// uploaded while the window is being read, so upload overlaps reading and an
// open window holds about one part in memory instead of its whole body.
// Nothing is visible to readers before the upload is completed, so streaming
// parts early changes neither what readers see nor when offsets are
// committed (docs/design.md).
//
// Asynchronous, one request per pool job: a job sends the next part (or
// completes the upload) and submits the next job; a failed request is
// reported and tried again by a job submitted after a jittered backoff, so
// no pool thread ever waits for a retry. Parts go in order, one at a time.
// The stream breaks (the caller must read the records again) when the store
// answers NotFound for the upload it had begun (aborted by a lifecycle rule
// or by hand: its parts cannot be sent again from memory) or refuses a
// request as InvalidArgument (see IsRetriedUploadError). Thread-safe; owned
// through shared_ptr because pool jobs keep it alive.
class MultipartStream : public std::enable_shared_from_this<MultipartStream> {
 public:
  // Called once on a pool thread with the end of Finish(): OK (durable),
  // AlreadyExists (another writer published first), Cancelled, or the error
  // that broke the stream; and the number of completion attempts.
  using FinishCallback = std::function<void(const Status& result, int attempts)>;

  // `store` and `pool` must outlive every job of the stream (they outlive
  // tasks); jobs go to `lane` of the pool. `report` is called after each
  // failed attempt until Cancel() or the end of Finish(); it may be empty.
  // `write` is given to CreateMultipart and CompleteMultipart: with
  // `if_absent`, Finish() ends in AlreadyExists when another writer published
  // the key first. `guard` is asked right before completing.
  MultipartStream(ObjectStore* store, UploadPool* pool, std::string lane, Bucket bucket,
                  ObjectKey key, UploadOptions options, UploadErrorReporter report,
                  WriteOptions write = WriteOptions{}, PublishGuard guard = nullptr);

  const ObjectKey& key() const { return key_; }

  // Queues `part` (all but the last part must be >= 5 MiB for S3; a spilled
  // body must be flushed) and returns at once.
  void AddPart(SegmentBody part);

  // Queues `tail` as the last part (none if empty) and the completion, and
  // returns at once; `done` is called when the object is durable or the
  // stream ends otherwise. Anything but OK leaves no object published by
  // the stream and the upload aborted. Call once.
  void Finish(SegmentBody tail, FinishCallback done);

  // Stops the stream: a request in progress ends within the store's request
  // timeout, then the upload is aborted and a pending Finish() callback is
  // called with Cancelled. After it returns, `report` is not called again.
  // No-op once the object is durable. Idempotent.
  void Cancel();

  // Not OK once the stream broke: see the class comment.
  Status broken() const;

  // Parts accepted so far (queued or uploaded).
  int parts_added() const;

 private:
  // One step: the next part or the completion; submits the next step.
  void Pump();
  // Submits Pump() now (or after `delay`). Needs mu_.
  void Schedule(std::chrono::milliseconds delay = std::chrono::milliseconds(0));
  // Sends `part` as the next part, creating the upload first if needed.
  Status SendPart(const SegmentBody& part);
  // Ends the stream with `result` (needs mu_ held through `lock`): calls the
  // Finish() callback and aborts an unfinished upload, both unlocked.
  void End(std::unique_lock<std::mutex>& lock, Status result);
  void Report(const Status& error, int attempt);
  void DetachReport();
  Status Cancelled() const;

  ObjectStore* const store_;
  UploadPool* const pool_;
  const std::string lane_;
  const Bucket bucket_;
  const ObjectKey key_;
  const UploadOptions options_;
  const WriteOptions write_;
  const PublishGuard guard_;

  mutable std::mutex mu_;
  std::deque<SegmentBody> queue_;  // Parts to send, the tail last. Guarded by mu_.
  bool running_ = false;           // A job is sending a request. Guarded by mu_.
  bool waiting_retry_ = false;     // A Pump() waits for its backoff. Guarded by mu_.
  bool cancelled_ = false;         // Guarded by mu_.
  bool ended_ = false;             // Completed, broken or cancelled. Guarded by mu_.
  bool completed_ = false;         // Guarded by mu_.
  FinishCallback done_;            // Set by Finish(). Guarded by mu_.
  int parts_added_ = 0;            // Guarded by mu_.
  Status broken_;                  // Guarded by mu_.
  // Touched only by the job holding running_:
  std::optional<MultipartId> id_;
  std::vector<CompletedPart> uploaded_;
  std::string scratch_;  // A spilled part read back.
  Backoff backoff_;
  int failed_attempts_ = 0;  // Of the request being retried.
  int complete_attempts_ = 0;

  std::mutex report_mu_;
  UploadErrorReporter report_;  // Guarded by report_mu_.
};

}  // namespace k2c
