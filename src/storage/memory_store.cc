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

int MemoryStore::publishes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return publishes_;
}

size_t MemoryStore::open_uploads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return uploads_.size();
}

Status MemoryStore::MaybeFail() {
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

Status MemoryStore::PutObject(const Bucket& bucket, const ObjectKey& key, std::string_view body) {
  std::lock_guard<std::mutex> lock(mu_);
  K2C_RETURN_IF_ERROR(MaybeFail());
  K2C_RETURN_IF_ERROR(CheckBucket(bucket));
  buckets_[bucket.name][key.value] = std::string(body);
  ++publishes_;
  return Status::Ok();
}

Result<MultipartId> MemoryStore::CreateMultipart(const Bucket& bucket, const ObjectKey&) {
  std::lock_guard<std::mutex> lock(mu_);
  K2C_RETURN_IF_ERROR(MaybeFail());
  K2C_RETURN_IF_ERROR(CheckBucket(bucket));
  const std::string id = std::to_string(next_upload_++);
  uploads_[id];
  return MultipartId{id};
}

Result<std::string> MemoryStore::UploadPart(const Bucket&, const ObjectKey&, const MultipartId& id,
                                            int number, std::string_view body) {
  std::lock_guard<std::mutex> lock(mu_);
  K2C_RETURN_IF_ERROR(MaybeFail());
  auto it = uploads_.find(id.value);
  if (it == uploads_.end()) return Status::NotFound("no such upload " + id.value);
  it->second[number] = std::string(body);
  return "etag-" + std::to_string(number);
}

Status MemoryStore::CompleteMultipart(const Bucket& bucket, const ObjectKey& key,
                                      const MultipartId& id,
                                      const std::vector<CompletedPart>& parts) {
  std::lock_guard<std::mutex> lock(mu_);
  K2C_RETURN_IF_ERROR(MaybeFail());
  auto it = uploads_.find(id.value);
  if (it == uploads_.end()) return Status::NotFound("no such upload " + id.value);
  std::string body;
  for (const CompletedPart& part : parts) body += it->second.at(part.number);
  uploads_.erase(it);
  buckets_[bucket.name][key.value] = std::move(body);
  ++publishes_;
  return Status::Ok();
}

Status MemoryStore::AbortMultipart(const Bucket&, const ObjectKey&, const MultipartId& id) {
  std::lock_guard<std::mutex> lock(mu_);
  uploads_.erase(id.value);
  return Status::Ok();
}

Result<std::string> MemoryStore::GetObject(const Bucket& bucket, const ObjectKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  K2C_RETURN_IF_ERROR(MaybeFail());
  K2C_RETURN_IF_ERROR(CheckBucket(bucket));
  auto& objects = buckets_[bucket.name];
  auto it = objects.find(key.value);
  if (it == objects.end()) return Status::NotFound("no object '" + key.value + "'");
  return it->second;
}

Status MemoryStore::DeleteObject(const Bucket& bucket, const ObjectKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  K2C_RETURN_IF_ERROR(MaybeFail());
  K2C_RETURN_IF_ERROR(CheckBucket(bucket));
  buckets_[bucket.name].erase(key.value);
  return Status::Ok();
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

}  // namespace k2c
