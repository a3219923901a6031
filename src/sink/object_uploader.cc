// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "sink/object_uploader.h"

#include <algorithm>
#include <vector>

namespace k2c {

Status UploadCancelled(const ObjectKey& key) {
  return Status::Cancelled("upload of " + key.value + " cancelled");
}

bool IsRetriedUploadError(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
    case StatusCode::kCancelled:
    case StatusCode::kAlreadyExists:
    case StatusCode::kInvalidArgument:
      return false;
    default:
      return true;
  }
}

ObjectUploader::ObjectUploader(ObjectStore* store, UploadOptions options)
    : store_(store), options_(options) {}

Status ObjectUploader::Attempt(const Bucket& bucket, const ObjectKey& key, const SegmentBody& body,
                               const CancelToken& cancel, const WriteOptions& write,
                               const PublishGuard& guard) {
  if (cancel.cancelled()) return UploadCancelled(key);
  Status s;
  if (body.size() <= options_.part_size) {
    auto view = body.Read(0, body.size(), &scratch_);
    s = view.status();
    if (s.ok() && cancel.cancelled()) s = UploadCancelled(key);
    if (s.ok() && guard) s = guard();
    if (s.ok()) s = store_->PutObject(bucket, key, *view, write);
  } else {
    s = Multipart(bucket, key, body, cancel, write, guard);
  }
  // Spool bytes read back are not kept between attempts.
  std::string().swap(scratch_);
  return s;
}

Status ObjectUploader::Multipart(const Bucket& bucket, const ObjectKey& key,
                                 const SegmentBody& body, const CancelToken& cancel,
                                 const WriteOptions& write, const PublishGuard& guard) {
  const uint64_t parts_needed = (body.size() + options_.part_size - 1) / options_.part_size;
  if (parts_needed > kMaxParts) {
    return Status::InvalidArgument(
        "object '" + key.value + "' of " + std::to_string(body.size()) + " bytes needs " +
        std::to_string(parts_needed) + " parts of storage.part_size, more than the store's " +
        std::to_string(kMaxParts) + ": raise storage.part_size or lower max_object_bytes");
  }
  auto id = store_->CreateMultipart(bucket, key, write);
  if (!id.ok()) return id.status().WithContext("create multipart upload");
  std::vector<CompletedPart> parts;
  Status s;
  for (uint64_t pos = 0; pos < body.size() && s.ok(); pos += options_.part_size) {
    if (cancel.cancelled()) {
      s = UploadCancelled(key);
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
  if (s.ok() && cancel.cancelled()) s = UploadCancelled(key);
  if (s.ok() && guard) s = guard();
  if (s.ok()) {
    s = store_->CompleteMultipart(bucket, key, *id, parts, write).WithContext("complete");
  }
  // A failed upload is aborted so that no orphaned parts are billed or left
  // behind; a failed abort is harmless for correctness (never published).
  if (!s.ok()) (void)store_->AbortMultipart(bucket, key, *id);
  return s;
}

}  // namespace k2c
