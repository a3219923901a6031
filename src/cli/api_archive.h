// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "archive/archive_reader.h"
#include "cli/api_client.h"

namespace k2c {

// A task's archive read through a worker's API (GET /v1/tasks/{topic}/objects
// and /objects/{key}), for operators who have an API token but no storage
// credentials. `client` must outlive this.
class ApiArchive final : public ArchiveSource {
 public:
  ApiArchive(ApiClient* client, std::string topic);

  // Reads the task (for its text delimiter). NotFound without a task.
  Status Open();

  Result<std::vector<ArchivedObject>> List(const ArchiveQuery& query) override;
  Result<std::string> ReadRange(const ObjectKey& key, uint64_t offset, uint64_t length) override;
  std::string text_delimiter() const override { return delimiter_; }

 private:
  ApiClient* client_;
  std::string topic_;
  std::string delimiter_ = "\n";
};

}  // namespace k2c
