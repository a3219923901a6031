// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <nlohmann/json.hpp>

#include "archive/archive_index.h"
#include "common/status.h"

namespace k2c {

// An archived object as the API's object listing and `ls --json` show it
// (docs/openapi.yaml, ArchivedObject): key, window_start (RFC 3339 UTC),
// window_start_ms, partition, first_offset, last_offset and records (null
// when unknown), size, format, compression.
nlohmann::json ArchivedObjectJson(const ArchivedObject& object);

// The inverse, for clients of the API. InvalidArgument naming the field
// that is missing or of the wrong type.
Result<ArchivedObject> ArchivedObjectFromJson(const nlohmann::json& json);

}  // namespace k2c
