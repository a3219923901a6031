// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

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
  struct Options {
    // Objects per ListObjects page (at least 1), S3's default by default.
    // Tests make it small to exercise paging on small trees.
    size_t list_page_size = 1000;
  };

  explicit LocalStore(std::filesystem::path root) : LocalStore(std::move(root), Options()) {}
  LocalStore(std::filesystem::path root, Options options);

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
  // Reads only the range (pread), never the whole file.
  Result<std::string> GetObjectRange(const Bucket& bucket, const ObjectKey& key, uint64_t offset,
                                     uint64_t length) override;
  Status DeleteObject(const Bucket& bucket, const ObjectKey& key) override;
  // Walks only what the page needs: from the deepest directory `prefix`
  // names, in key order, skipping subtrees that cannot match or lie wholly at
  // or before the token, and stopping one object past the page. A page costs
  // the directories along its keys, not the size of the bucket.
  Result<ListPage> ListObjects(const Bucket& bucket, const std::string& prefix,
                               const std::string& continuation_token) override;
  // The directories under the root whose names are valid bucket names.
  Result<std::vector<std::string>> ListBuckets() override;

  // Directory entries ListObjects has read since construction, so a test can
  // check what a page costs without timing it.
  uint64_t list_entries_read() const { return list_entries_read_.load(); }

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

  // Appends to `out`, in key order, the files under `dir` (whose keys start
  // with `dir_key`, "" or ending in '/') that match `prefix` and sort after
  // `token` ("" for none), until `out` holds `limit`.
  Status ListInto(const std::filesystem::path& dir, const std::string& dir_key,
                  const std::string& prefix, const std::string& token, size_t limit,
                  std::vector<ObjectInfo>* out);

  std::filesystem::path root_;
  const Options options_;
  std::atomic<uint64_t> list_entries_read_{0};
};

}  // namespace k2c
