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

// Called after every failed attempt, e.g. to log and to set a task's "last
// error". `attempt` counts from 1.
using UploadErrorReporter = std::function<void(const Status& error, int attempt)>;

// Writes one object and does not give up: every failure, transient or not
// (access revoked, bucket missing), is reported and retried with capped,
// jittered backoff, because the records behind the object are not committed
// and must not be lost. Only cancellation, and a create-only write finding
// the key taken, end it early. A retried upload writes the same key with the
// same bytes; a create-only one that finds its own earlier attempt published
// (an answer lost on the way) gets AlreadyExists, and the caller adopts what
// it finds there, which is its own object.
// Thread-compatible: one call at a time per instance, any number of instances.
class ObjectUploader {
 public:
  ObjectUploader(ObjectStore* store, UploadOptions options);

  // Blocks until `body` is durable at `key` (OK) or `cancel` is set
  // (Cancelled; any multipart upload begun is aborted, nothing is published
  // by this call after it returns). With `write.if_absent`, AlreadyExists
  // (not retried) when another writer published the key first. Returns the
  // number of attempts made through `attempts` when given.
  // A spilled body is read from its spool file one part at a time, so an
  // upload holds at most `part_size` bytes of it in memory.
  Status Upload(const Bucket& bucket, const ObjectKey& key, const SegmentBody& body,
                const CancelToken& cancel, const UploadErrorReporter& report,
                int* attempts = nullptr, const WriteOptions& write = WriteOptions{});

 private:
  // One attempt of a multipart upload; aborts the upload on failure.
  Status MultipartOnce(const Bucket& bucket, const ObjectKey& key, const SegmentBody& body,
                       const CancelToken& cancel, const WriteOptions& write);

  std::string scratch_;  // A part read back from the spool.

  ObjectStore* store_;
  UploadOptions options_;
};

}  // namespace k2c
