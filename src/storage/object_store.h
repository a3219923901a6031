// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace k2c {

// Distinct small types so a bucket and a key cannot be swapped by accident.
struct Bucket {
  std::string name;
  bool operator==(const Bucket&) const = default;
};
struct ObjectKey {
  std::string value;
  bool operator==(const ObjectKey&) const = default;
};

// One entry of a listing.
struct ObjectInfo {
  ObjectKey key;
  uint64_t size = 0;
  std::string etag;
};

// One page of ListObjectsV2. `next_token` is empty when the listing is done.
struct ListPage {
  std::vector<ObjectInfo> objects;
  std::string next_token;
};

// Identifies an in-progress multipart upload.
struct MultipartId {
  std::string value;
};

// User metadata stored with an object (S3: x-amz-meta-<name> headers). Names
// are lower case [a-z0-9-]; values printable ASCII.
using ObjectMetadata = std::map<std::string, std::string>;

// How an object is written.
struct WriteOptions {
  // Create only: publish the object only if none exists at the key (S3
  // `If-None-Match: *`, COS `x-cos-forbid-overwrite`, the local store a
  // no-replace link); AlreadyExists otherwise, and nothing is changed. This
  // is what fences a writer that lost its partition (docs/design.md, P7).
  bool if_absent = false;
  // Stored with the object, readable by HeadObject.
  ObjectMetadata metadata;
};

// What HeadObject tells about an object.
struct ObjectHead {
  uint64_t size = 0;
  std::string etag;
  ObjectMetadata metadata;
};

// A finished part: its number (1-based) and the ETag the store returned.
struct CompletedPart {
  int number = 0;
  std::string etag;
};

// Object storage as the sink sees it: S3 and the local disk implement it.
//
// Each call makes one attempt and classifies its failure into a StatusCode
// (see common/status.h); retries and backoff belong to the caller. Every call
// is bounded by the store's configured timeouts. Objects are always written
// private. Implementations are thread-safe unless they say otherwise.
class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // OK if the bucket exists and the credentials may access it. NotFound if it
  // does not exist; PermissionDenied / Unauthenticated for credential trouble.
  virtual Status HeadBucket(const Bucket& bucket) = 0;

  // OK if this store takes `key` as an object key, else InvalidArgument
  // naming the rule. The store's calls apply it, and task validation runs a
  // sample key of the task's template through it, so a template the store
  // would refuse is refused when it is given, not retried forever.
  virtual Status CheckKey(const ObjectKey& key) const = 0;

  // Makes `bucket` ready to be written where the store itself owns buckets
  // (the local store creates its directory); a store whose buckets the
  // operator makes (S3) only checks the name: a missing bucket shows in the
  // first write. Called before a task's write probe.
  virtual Status EnsureBucket(const Bucket& bucket) = 0;

  // Writes `body` as the whole object at `key` with `options.metadata`,
  // replacing any previous object unless `options.if_absent` (then
  // AlreadyExists when one is there). When OK is returned the object is
  // durable and visible to readers.
  virtual Status PutObject(const Bucket& bucket, const ObjectKey& key, std::string_view body,
                           const WriteOptions& options) = 0;
  // As above, replacing, without metadata.
  Status PutObject(const Bucket& bucket, const ObjectKey& key, std::string_view body) {
    return PutObject(bucket, key, body, WriteOptions{});
  }

  // Starts a multipart upload whose parts become visible only on Complete.
  // The object gets `options.metadata`; `options.if_absent` is honoured by
  // CompleteMultipart, which must be given the same options.
  virtual Result<MultipartId> CreateMultipart(const Bucket& bucket, const ObjectKey& key,
                                              const WriteOptions& options) = 0;
  Result<MultipartId> CreateMultipart(const Bucket& bucket, const ObjectKey& key) {
    return CreateMultipart(bucket, key, WriteOptions{});
  }

  // Uploads part `number` (1-based, at most 10000). Every part but the last
  // must be at least 5 MiB for S3. Returns the part's ETag.
  virtual Result<std::string> UploadPart(const Bucket& bucket, const ObjectKey& key,
                                         const MultipartId& id, int number,
                                         std::string_view body) = 0;

  // Publishes the object made of `parts` in order. Durable when OK. With
  // `options.if_absent`, AlreadyExists if an object is at the key (the upload
  // stays open: abort it).
  virtual Status CompleteMultipart(const Bucket& bucket, const ObjectKey& key,
                                   const MultipartId& id, const std::vector<CompletedPart>& parts,
                                   const WriteOptions& options) = 0;
  Status CompleteMultipart(const Bucket& bucket, const ObjectKey& key, const MultipartId& id,
                           const std::vector<CompletedPart>& parts) {
    return CompleteMultipart(bucket, key, id, parts, WriteOptions{});
  }

  // Discards an upload and its parts. Aborting an unknown upload is OK.
  virtual Status AbortMultipart(const Bucket& bucket, const ObjectKey& key,
                                const MultipartId& id) = 0;

  // Size, ETag and user metadata of an object. NotFound if absent.
  virtual Result<ObjectHead> HeadObject(const Bucket& bucket, const ObjectKey& key) = 0;

  // Reads a whole object. NotFound if absent.
  virtual Result<std::string> GetObject(const Bucket& bucket, const ObjectKey& key) = 0;

  // Reads the bytes [offset, min(offset + length, size)) of an object, so a
  // reader can fetch a piece of a large object without the rest. An `offset`
  // at or past the end gives OK and an empty string (S3's 416 InvalidRange is
  // mapped to that), as does `length` 0; NotFound if the object is absent,
  // whatever the range. An offset + length beyond 2^64 - 1 reads to the end.
  // Stores override this to read only the range; this default reads the
  // whole object through GetObject and cuts it, so it is correct but not
  // cheap.
  virtual Result<std::string> GetObjectRange(const Bucket& bucket, const ObjectKey& key,
                                             uint64_t offset, uint64_t length) {
    Result<std::string> whole = GetObject(bucket, key);
    if (!whole.ok()) return whole.status();
    if (offset >= whole->size()) return std::string();
    return whole->substr(static_cast<size_t>(offset), static_cast<size_t>(length));
  }

  // A URL by which anyone holding it can GET the object, without credentials
  // of their own, for `expires` from now. Nothing is checked on the server:
  // the URL of an absent object is made just the same and answers 404 when
  // followed. This default is for stores that serve no URLs of their own (the
  // local and memory stores): FailedPrecondition (common/status.h has no
  // Unimplemented; no retry helps, only another kind of store), telling the
  // caller to download through the API instead.
  virtual Result<std::string> PresignGetUrl(const Bucket& /*bucket*/, const ObjectKey& /*key*/,
                                            std::chrono::seconds /*expires*/) {
    return Status::FailedPrecondition(
        "this object store has no URLs of its own to presign; download the object through the "
        "API instead");
  }

  // The buckets the credentials can see, by name: what the console offers
  // when a topic is switched on. PermissionDenied when the credentials may
  // not list buckets (common for keys scoped to one bucket); stores without
  // buckets of their own to list answer FailedPrecondition.
  virtual Result<std::vector<std::string>> ListBuckets() {
    return Status::FailedPrecondition("this object store cannot list its buckets; type the name");
  }

  // Deletes an object. Deleting an absent object is OK.
  virtual Status DeleteObject(const Bucket& bucket, const ObjectKey& key) = 0;

  // Lists keys starting with `prefix` in lexicographic order, one page at a
  // time; pass the previous page's `next_token` to continue.
  virtual Result<ListPage> ListObjects(const Bucket& bucket, const std::string& prefix,
                                       const std::string& continuation_token) = 0;
};

}  // namespace k2c
