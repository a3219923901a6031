// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "storage/memory_store.h"

namespace k2c {

void MemoryStore::CreateBucket(const Bucket& bucket) {
  std::lock_guard<std::mutex> lock(mu_);
  buckets_[bucket.name];
}

void MemoryStore::FailCalls(Status status, int remaining) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_status_ = std::move(status);
  fail_remaining_ = remaining;
}

std::map<std::string, std::string> MemoryStore::Objects(const Bucket& bucket) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(bucket.name);
  return it == buckets_.end() ? std::map<std::string, std::string>{} : it->second;
}

int MemoryStore::calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}

int MemoryStore::publishes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return publishes_;
}

void MemoryStore::set_honours_if_absent(bool honours) {
  std::lock_guard<std::mutex> lock(mu_);
  honours_if_absent_ = honours;
}

void MemoryStore::set_before_publish(std::function<void(const ObjectKey&)> hook) {
  std::lock_guard<std::mutex> lock(mu_);
  before_publish_ = std::move(hook);
}

void MemoryStore::RunBeforePublish(const ObjectKey& key) {
  std::function<void(const ObjectKey&)> hook;
  {
    std::lock_guard<std::mutex> lock(mu_);
    hook = before_publish_;
  }
  if (hook) hook(key);
}

Status MemoryStore::Publish(const Bucket& bucket, const ObjectKey& key, std::string body,
                            ObjectMetadata metadata, bool if_absent) {
  auto& objects = buckets_[bucket.name];
  if (if_absent && honours_if_absent_ && objects.count(key.value)) {
    return Status::AlreadyExists("object '" + key.value + "' already exists");
  }
  objects[key.value] = std::move(body);
  metadata_[bucket.name][key.value] = std::move(metadata);
  ++publishes_;
  return Status::Ok();
}

size_t MemoryStore::open_uploads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return uploads_.size();
}

Status MemoryStore::CheckKey(const ObjectKey& key) const {
  if (key.value.empty()) return Status::InvalidArgument("object keys must not be empty");
  return Status::Ok();
}

Status MemoryStore::MaybeFail() {
  ++calls_;
  if (fail_remaining_ == 0) return Status::Ok();
  if (fail_remaining_ > 0) --fail_remaining_;
  return fail_status_;
}

Status MemoryStore::CheckBucket(const Bucket& bucket) const {
  if (buckets_.count(bucket.name) == 0) {
    return Status::NotFound("bucket '" + bucket.name + "' does not exist");
  }
  return Status::Ok();
}

Status MemoryStore::HeadBucket(const Bucket& bucket) {
  std::lock_guard<std::mutex> lock(mu_);
  K2C_RETURN_IF_ERROR(MaybeFail());
  return CheckBucket(bucket);
}

Status MemoryStore::PutObject(const Bucket& bucket, const ObjectKey& key, std::string_view body,
                              const WriteOptions& options) {
  RunBeforePublish(key);
  std::lock_guard<std::mutex> lock(mu_);
  K2C_RETURN_IF_ERROR(MaybeFail());
  K2C_RETURN_IF_ERROR(CheckBucket(bucket));
  return Publish(bucket, key, std::string(body), options.metadata, options.if_absent);
}

Result<MultipartId> MemoryStore::CreateMultipart(const Bucket& bucket, const ObjectKey&,
                                                 const WriteOptions& options) {
  std::lock_guard<std::mutex> lock(mu_);
  K2C_RETURN_IF_ERROR(MaybeFail());
  K2C_RETURN_IF_ERROR(CheckBucket(bucket));
  const std::string id = std::to_string(next_upload_++);
  uploads_[id].metadata = options.metadata;
  return MultipartId{id};
}

Result<std::string> MemoryStore::UploadPart(const Bucket&, const ObjectKey&, const MultipartId& id,
                                            int number, std::string_view body) {
  std::lock_guard<std::mutex> lock(mu_);
  K2C_RETURN_IF_ERROR(MaybeFail());
  auto it = uploads_.find(id.value);
  if (it == uploads_.end()) return Status::NotFound("no such upload " + id.value);
  it->second.parts[number] = std::string(body);
  return "etag-" + std::to_string(number);
}

Status MemoryStore::CompleteMultipart(const Bucket& bucket, const ObjectKey& key,
                                      const MultipartId& id,
                                      const std::vector<CompletedPart>& parts,
                                      const WriteOptions& options) {
  RunBeforePublish(key);
  std::lock_guard<std::mutex> lock(mu_);
  K2C_RETURN_IF_ERROR(MaybeFail());
  auto it = uploads_.find(id.value);
  if (it == uploads_.end()) return Status::NotFound("no such upload " + id.value);
  std::string body;
  for (const CompletedPart& part : parts) body += it->second.parts.at(part.number);
  // A refused create leaves the upload open, as S3 does: the caller aborts it.
  K2C_RETURN_IF_ERROR(
      Publish(bucket, key, std::move(body), it->second.metadata, options.if_absent));
  uploads_.erase(it);
  return Status::Ok();
}

Result<const std::string*> MemoryStore::FindObject(const Bucket& bucket, const ObjectKey& key) {
  K2C_RETURN_IF_ERROR(MaybeFail());
  K2C_RETURN_IF_ERROR(CheckBucket(bucket));
  auto& objects = buckets_[bucket.name];
  auto it = objects.find(key.value);
  if (it == objects.end()) return Status::NotFound("no object '" + key.value + "'");
  return &it->second;
}

Result<ObjectHead> MemoryStore::HeadObject(const Bucket& bucket, const ObjectKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto body = FindObject(bucket, key);
  if (!body.ok()) return body.status();
  ObjectHead head;
  head.size = (*body)->size();
  head.metadata = metadata_[bucket.name][key.value];
  return head;
}

Status MemoryStore::AbortMultipart(const Bucket&, const ObjectKey&, const MultipartId& id) {
  std::lock_guard<std::mutex> lock(mu_);
  uploads_.erase(id.value);
  return Status::Ok();
}

Result<std::string> MemoryStore::GetObject(const Bucket& bucket, const ObjectKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto body = FindObject(bucket, key);
  if (!body.ok()) return body.status();
  return **body;
}

Result<std::string> MemoryStore::GetObjectRange(const Bucket& bucket, const ObjectKey& key,
                                                uint64_t offset, uint64_t length) {
  std::lock_guard<std::mutex> lock(mu_);
  auto body = FindObject(bucket, key);
  if (!body.ok()) return body.status();
  if (offset >= (*body)->size()) return std::string();
  return (*body)->substr(static_cast<size_t>(offset), static_cast<size_t>(length));
}

Status MemoryStore::DeleteObject(const Bucket& bucket, const ObjectKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  K2C_RETURN_IF_ERROR(MaybeFail());
  K2C_RETURN_IF_ERROR(CheckBucket(bucket));
  buckets_[bucket.name].erase(key.value);
  metadata_[bucket.name].erase(key.value);
  return Status::Ok();
}

Result<std::vector<std::string>> MemoryStore::ListBuckets() {
  std::lock_guard<std::mutex> lock(mu_);
  K2C_RETURN_IF_ERROR(MaybeFail());
  std::vector<std::string> names;
  for (const auto& [name, objects] : buckets_) names.push_back(name);
  return names;
}

Result<ListPage> MemoryStore::ListObjects(const Bucket& bucket, const std::string& prefix,
                                          const std::string& continuation_token) {
  std::lock_guard<std::mutex> lock(mu_);
  K2C_RETURN_IF_ERROR(MaybeFail());
  K2C_RETURN_IF_ERROR(CheckBucket(bucket));
  ListPage page;
  for (const auto& [key, body] : buckets_[bucket.name]) {
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    if (!continuation_token.empty() && key <= continuation_token) continue;
    page.objects.push_back(ObjectInfo{ObjectKey{key}, body.size(), ""});
  }
  return page;
}

Status MemoryStore::EnsureBucket(const Bucket&) {
  // Like S3: tests create buckets (or leave them missing) on purpose.
  return Status::Ok();
}

}  // namespace k2c
