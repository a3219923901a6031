// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>
#include <string>

#include "storage/object_store.h"

namespace k2c {

// The embedded default store: a bucket is a directory under `root`, a key is
// a relative path inside it. Writes are atomic and durable: data goes to a
// temporary file in `<bucket>/.k2c-tmp/`, is fsynced, then renamed into place
// and the directory fsynced, so a reader sees either nothing or the whole
// object, also after a crash. A create-only write links the file into place
// instead (link(2) fails if the name exists), so of two writers of one key the
// first wins. Metadata lives in a sidecar file under `<bucket>/.k2c-meta/`,
// written by the writer whose object was published, right after it: a crash
// between the two leaves an object without metadata (docs/design.md).
// Thread-safe.
class LocalStore final : public ObjectStore {
 public:
  explicit LocalStore(std::filesystem::path root);

  // Creates the bucket's directory if missing. OK if it already exists.
  Status CreateBucket(const Bucket& bucket);

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
  Status DeleteObject(const Bucket& bucket, const ObjectKey& key) override;
  Result<ListPage> ListObjects(const Bucket& bucket, const std::string& prefix,
                               const std::string& continuation_token) override;

  // Name of the per-bucket directory holding temporary files; never listed.
  static constexpr const char* kTempDir = ".k2c-tmp";
  // Name of the per-bucket directory holding metadata sidecars; never listed.
  static constexpr const char* kMetaDir = ".k2c-meta";

 private:
  // Moves `tmp` (a complete, fsynced file) to `dest` and writes its metadata;
  // create-only when `options.if_absent`.
  Status PublishFile(const Bucket& bucket, const std::filesystem::path& tmp,
                     const std::filesystem::path& dest, const ObjectKey& key,
                     const WriteOptions& options);
  Result<std::filesystem::path> MetadataPath(const Bucket& bucket, const ObjectKey& key) const;
  Result<std::filesystem::path> BucketDir(const Bucket& bucket) const;
  Result<std::filesystem::path> ObjectPath(const Bucket& bucket, const ObjectKey& key) const;
  Result<std::filesystem::path> UploadDir(const Bucket& bucket, const MultipartId& id) const;

  std::filesystem::path root_;
};

}  // namespace k2c
