// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "sink/object_uploader.h"

#include <algorithm>
#include <vector>

#include "common/backoff.h"

namespace k2c {

ObjectUploader::ObjectUploader(ObjectStore* store, UploadOptions options)
    : store_(store), options_(options) {}

Status ObjectUploader::Upload(const Bucket& bucket, const ObjectKey& key, const SegmentBody& body,
                              const CancelToken& cancel, const UploadErrorReporter& report,
                              int* attempts, const WriteOptions& write) {
  Backoff backoff(options_.initial_backoff, options_.max_backoff);
  for (int attempt = 1;; ++attempt) {
    if (attempts != nullptr) *attempts = attempt;
    if (cancel.cancelled()) return Status::Cancelled("upload of " + key.value + " cancelled");
    Status s;
    if (body.size() <= options_.part_size) {
      auto view = body.Read(0, body.size(), &scratch_);
      s = view.ok() ? store_->PutObject(bucket, key, *view, write) : view.status();
    } else {
      s = MultipartOnce(bucket, key, body, cancel, write);
    }
    // Spool bytes read back are not kept between attempts.
    std::string().swap(scratch_);
    if (s.ok()) return s;
    if (s.code() == StatusCode::kCancelled || s.code() == StatusCode::kAlreadyExists) return s;
    if (report) report(s, attempt);
    if (cancel.WaitFor(backoff.NextDelay(s))) {
      return Status::Cancelled("upload of " + key.value + " cancelled");
    }
  }
}

Status ObjectUploader::MultipartOnce(const Bucket& bucket, const ObjectKey& key,
                                     const SegmentBody& body, const CancelToken& cancel,
                                     const WriteOptions& write) {
  auto id = store_->CreateMultipart(bucket, key, write);
  if (!id.ok()) return id.status().WithContext("create multipart upload");
  std::vector<CompletedPart> parts;
  Status s;
  for (uint64_t pos = 0; pos < body.size() && s.ok(); pos += options_.part_size) {
    if (cancel.cancelled()) {
      s = Status::Cancelled("upload of " + key.value + " cancelled");
      break;
    }
    const int number = static_cast<int>(parts.size()) + 1;
    const uint64_t length = std::min<uint64_t>(options_.part_size, body.size() - pos);
    auto part = body.Read(pos, length, &scratch_);
    if (!part.ok()) {
      s = part.status();
      break;
    }
    auto etag = store_->UploadPart(bucket, key, *id, number, *part);
    if (etag.ok()) {
      parts.push_back(CompletedPart{number, std::move(etag.value())});
    } else {
      s = etag.status().WithContext("upload part " + std::to_string(number));
    }
  }
  if (s.ok()) {
    s = store_->CompleteMultipart(bucket, key, *id, parts, write).WithContext("complete");
  }
  // A failed upload is aborted so that no orphaned parts are billed or left
  // behind; a failed abort is harmless for correctness (never published).
  if (!s.ok()) (void)store_->AbortMultipart(bucket, key, *id);
  return s;
}

}  // namespace k2c
