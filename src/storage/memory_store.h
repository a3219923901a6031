// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "storage/object_store.h"

namespace k2c {

// An ObjectStore in memory, for tests. Buckets must be created first.
// `fail_next` lets a test inject a failure into the next N calls of any
// operation. Thread-safe.
class MemoryStore final : public ObjectStore {
 public:
  // Creates `bucket` (idempotent).
  void CreateBucket(const Bucket& bucket);

  // Every call fails with `status` while `remaining` > 0 (decremented per
  // call); set `remaining` to -1 to fail until cleared.
  void FailCalls(Status status, int remaining);

  // A copy of all objects of `bucket`, by key.
  std::map<std::string, std::string> Objects(const Bucket& bucket) const;

  // Number of PutObject/CompleteMultipart calls that published an object.
  int publishes() const;
  // Number of calls of any operation so far.
  int calls() const;

  // false: behave like a store that ignores create-only writes (overwrites).
  void set_honours_if_absent(bool honours);

  // Every call of `hook` runs before a publishing call (PutObject,
  // CompleteMultipart) takes effect, outside the store's lock, so a test can
  // let "another writer" publish first. Empty: none.
  void set_before_publish(std::function<void(const ObjectKey&)> hook);

  using ObjectStore::CompleteMultipart;
  using ObjectStore::CreateMultipart;
  using ObjectStore::PutObject;
  Status HeadBucket(const Bucket& bucket) override;
  Status CheckKey(const ObjectKey& key) const override;
  Status EnsureBucket(const Bucket& bucket) override;
  Status PutObject(const Bucket& bucket, const ObjectKey& key, std::string_view body,
                   const WriteOptions& options) override;
  Result<MultipartId> CreateMultipart(const Bucket& bucket, const ObjectKey& key,
                                      const WriteOptions& options) override;
  Result<std::string> UploadPart(const Bucket& bucket, const ObjectKey& key, const MultipartId& id,
                                 int number, std::string_view body) override;
  Status CompleteMultipart(const Bucket& bucket, const ObjectKey& key, const MultipartId& id,
                           const std::vector<CompletedPart>& parts,
                           const WriteOptions& options) override;
  Result<ObjectHead> HeadObject(const Bucket& bucket, const ObjectKey& key) override;
  Status AbortMultipart(const Bucket& bucket, const ObjectKey& key, const MultipartId& id) override;
  Result<std::string> GetObject(const Bucket& bucket, const ObjectKey& key) override;
  Result<std::string> GetObjectRange(const Bucket& bucket, const ObjectKey& key, uint64_t offset,
                                     uint64_t length) override;
  Status DeleteObject(const Bucket& bucket, const ObjectKey& key) override;
  Result<ListPage> ListObjects(const Bucket& bucket, const std::string& prefix,
                               const std::string& continuation_token) override;
  Result<std::vector<std::string>> ListBuckets() override;

  // Uploads begun and neither completed nor aborted.
  size_t open_uploads() const;

 private:
  struct Upload {
    std::map<int, std::string> parts;
    ObjectMetadata metadata;
  };

  Status MaybeFail();                              // Requires mu_.
  Status CheckBucket(const Bucket& bucket) const;  // Requires mu_.
  void RunBeforePublish(const ObjectKey& key);     // Must not hold mu_.
  // The object's body, after an injected failure if any. Requires mu_.
  Result<const std::string*> FindObject(const Bucket& bucket, const ObjectKey& key);
  // Stores `body` at `key` unless the write is create-only and one exists.
  // Requires mu_.
  Status Publish(const Bucket& bucket, const ObjectKey& key, std::string body,
                 ObjectMetadata metadata, bool if_absent);

  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, std::string>> buckets_;
  std::map<std::string, std::map<std::string, ObjectMetadata>> metadata_;  // bucket -> key ->
  std::map<std::string, Upload> uploads_;                                  // id ->
  bool honours_if_absent_ = true;
  std::function<void(const ObjectKey&)> before_publish_;
  int next_upload_ = 1;
  int publishes_ = 0;
  int calls_ = 0;
  Status fail_status_;
  int fail_remaining_ = 0;
};

}  // namespace k2c
