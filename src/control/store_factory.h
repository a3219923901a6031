// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>

#include "common/status.h"
#include "control/config.h"
#include "storage/object_store.h"

namespace k2c {

// Builds the object store named by [storage]. InvalidArgument for unusable
// settings. Never puts credentials into a message or the log.
Result<std::unique_ptr<ObjectStore>> MakeObjectStore(const StorageConfig& storage);

}  // namespace k2c
