// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <string>

#include "archive/archive_index.h"
#include "archive/archive_reader.h"
#include "common/status.h"
#include "control/config.h"
#include "storage/object_store.h"

namespace k2c {

// Where `task`'s objects are and how their keys read back. `topic_id` is
// needed only when the key template uses {topic_id} ("" matches any).
Result<ArchiveLocation> ArchiveLocationFor(const TaskConfig& task, const std::string& instance,
                                           const std::string& topic_id);

// A task's archive opened with a worker's config, for the read commands run
// by an operator who has the storage credentials.
struct DirectArchive {
  std::unique_ptr<ObjectStore> store;
  TaskConfig task;
  std::string instance;
  std::unique_ptr<StoreArchive> archive;
};

// Finds `topic`'s task in the config's [[tasks]], else in the task topic
// that workers share (which needs Kafka), and opens its bucket. The
// instance id is the config's, else the Kafka cluster id. NotFound naming
// where it looked when no task archives `topic`.
Result<DirectArchive> OpenDirectArchive(const Config& config, const std::string& topic);

}  // namespace k2c
