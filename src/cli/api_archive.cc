// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "cli/api_archive.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <tuple>

#include "archive/archive_json.h"
#include "storage/sigv4.h"

namespace k2c {

ApiArchive::ApiArchive(ApiClient* client, std::string topic)
    : client_(client), topic_(std::move(topic)) {}

Status ApiArchive::Open() {
  auto task = client_->GetTask(topic_);
  if (!task.ok()) return task.status();
  auto it = task->find("delimiter");
  if (it != task->end() && it->is_string()) delimiter_ = it->get<std::string>();
  return Status::Ok();
}

Result<std::vector<ArchivedObject>> ApiArchive::List(const ArchiveQuery& query) {
  std::string base;
  auto param = [&base](const char* name, const std::string& value) {
    base += (base.empty() ? "" : "&") + std::string(name) + "=" + UriEncode(value, true);
  };
  // Epoch milliseconds say the instant exactly, whatever the server's clock.
  if (query.from_ms) param("from", "@" + std::to_string(*query.from_ms));
  if (query.to_ms) param("to", "@" + std::to_string(*query.to_ms));
  if (query.partition) param("partition", std::to_string(*query.partition));
  param("limit", "1000");
  std::vector<ArchivedObject> all;
  std::string cursor;
  do {
    std::string q = base;
    if (!cursor.empty()) q += "&cursor=" + UriEncode(cursor, true);
    auto page = client_->ListObjects(topic_, q);
    if (!page.ok()) return page.status();
    auto objects = page->find("objects");
    if (objects == page->end() || !objects->is_array()) {
      return Status::Internal("the object listing of " + client_->base_url() +
                              " has no 'objects' array");
    }
    for (const auto& entry : *objects) {
      auto object = ArchivedObjectFromJson(entry);
      if (!object.ok()) return object.status();
      all.push_back(std::move(object.value()));
    }
    auto next = page->find("cursor");
    cursor = next != page->end() && next->is_string() ? next->get<std::string>() : "";
  } while (!cursor.empty());
  std::sort(all.begin(), all.end(), [](const ArchivedObject& a, const ArchivedObject& b) {
    return std::tie(a.partition, a.first_offset) < std::tie(b.partition, b.first_offset);
  });
  return all;
}

Result<std::string> ApiArchive::ReadRange(const ObjectKey& key, uint64_t offset, uint64_t length) {
  return client_->ReadObjectRange(topic_, key.value, offset, length);
}

}  // namespace k2c
