// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>

#include "common/cancel.h"
#include "common/status.h"
#include "sink/segment_body.h"
#include "storage/object_store.h"

namespace k2c {

struct UploadOptions {
  // Bodies up to this size go in one PutObject; larger ones in parts of this
  // size by multipart upload (S3 needs >= 5 MiB for all but the last part).
  uint64_t part_size = 16ull << 20;
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{30'000};
};

// S3's limit on the parts of one multipart upload.
constexpr int kMaxParts = 10'000;

// Called after every failed attempt, e.g. to log and to set a task's "last
// error". `attempt` counts from 1.
using UploadErrorReporter = std::function<void(const Status& error, int attempt)>;

// Asked right before a request that would publish an object (PutObject,
// CompleteMultipartUpload); a non-OK answer stops the attempt with that
// status instead (P7 in docs/design.md: a writer that lost its partition
// does not publish). May be empty.
using PublishGuard = std::function<Status()>;

// The status of an upload stopped because its partition is given away or
// the task stops (one wording wherever an upload notices it).
Status UploadCancelled(const ObjectKey& key);

// Whether an upload attempt that failed with `status` is tried again later:
// everything but cancellation, a create-only write finding the key taken
// (the caller adopts), and InvalidArgument (the store refuses the request as
// such: a key or part count it does not take; retrying cannot fix it, the
// task is blocked instead). Access denied, a missing bucket, timeouts are
// retried, because the records behind the object are not committed and the
// task heals by itself once the operator fixes the store (seed S5).
bool IsRetriedUploadError(const Status& status);

// Writes one object in one attempt: a PutObject, or for a body larger than
// `part_size` a whole multipart upload (aborted again if any step fails).
// The caller schedules retries (TaskRunner, on the upload pool), so a broken
// store never holds a pool thread longer than one attempt. A retried upload
// writes the same key with the same bytes; a create-only one that finds its
// own earlier attempt published (an answer lost on the way) gets
// AlreadyExists, and the caller adopts what it finds there, its own object.
// Thread-compatible: one call at a time per instance, any number of instances.
class ObjectUploader {
 public:
  ObjectUploader(ObjectStore* store, UploadOptions options);

  // OK once `body` is durable at `key`; Cancelled when `cancel` is set (any
  // multipart upload begun is aborted, nothing is published by this call
  // after it returns); with `write.if_absent`, AlreadyExists when another
  // writer published the key first; `guard`'s status when it refuses. A
  // spilled body is read from its spool file one part at a time, so an
  // attempt holds at most `part_size` bytes of it in memory.
  Status Attempt(const Bucket& bucket, const ObjectKey& key, const SegmentBody& body,
                 const CancelToken& cancel, const WriteOptions& write = WriteOptions{},
                 const PublishGuard& guard = nullptr);

 private:
  Status Multipart(const Bucket& bucket, const ObjectKey& key, const SegmentBody& body,
                   const CancelToken& cancel, const WriteOptions& write, const PublishGuard& guard);

  std::string scratch_;  // A part read back from the spool.

  ObjectStore* store_;
  UploadOptions options_;
};

}  // namespace k2c
