// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "storage/object_store.h"

namespace k2c {

// What kafka2cos records in each object's metadata (S3: x-amz-meta-kafka2cos-*)
// so that a writer whose create-only publish was refused can adopt the
// winner's object: its offsets, and who wrote it (docs/design.md, P7).
struct ObjectRange {
  int64_t first_offset = -1;
  // Known for objects put whole; a streamed object's metadata is fixed when
  // its multipart upload begins, before its window closes, so it has none.
  std::optional<int64_t> last_offset;
  std::optional<uint64_t> records;
  std::string writer;

  ObjectMetadata ToMetadata() const;
  // Empty when `metadata` has no valid kafka2cos range (an object written by
  // something else, or by a local store that crashed before its sidecar).
  static std::optional<ObjectRange> FromMetadata(const ObjectMetadata& metadata);
};

}  // namespace k2c
