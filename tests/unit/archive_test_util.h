// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// Archived objects for the read side's tests, written the way the sink
// writes them: a rendered key and the range metadata of the fencing work.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "archive/archive_index.h"
#include "format/format.h"
#include "sink/object_range.h"
#include "storage/object_store.h"

namespace k2c {

// An object of `format` holding `count` records from `first_offset` of
// `partition`, each with the value "x" and a timestamp in the window.
inline std::string EncodeTestObject(const std::string& format, int32_t partition,
                                    int64_t first_offset, int count, int64_t window_start_ms) {
  FormatSettings settings;
  settings.format = format;
  auto made = MakeFormat(settings);
  EXPECT_TRUE(made.ok());
  auto writer = (*made)->NewWriter(ObjectContext{"orders", partition});
  std::string body;
  for (int i = 0; i < count; ++i) {
    RecordView record;
    record.partition = partition;
    record.offset = first_offset + i;
    record.timestamp_ms = window_start_ms + i;
    record.timestamp_type = TimestampType::kCreate;
    record.value = "x";
    bool kept = false;
    EXPECT_TRUE((*writer)->Append(record, &body, &kept).ok());
  }
  EXPECT_TRUE((*writer)->Finish(&body).ok());
  return body;
}

// Puts `body` at the key `location` gives the object, with its range in the
// metadata: `first_offset`..`claimed_last` (default first + records - 1),
// or only the first offset for a `streamed` object. Returns the key.
inline std::string PutArchivedObject(ObjectStore& store, const ArchiveLocation& location,
                                     int64_t window_start_ms, int32_t partition,
                                     int64_t first_offset, int64_t records, std::string_view body,
                                     const std::string& ext, bool streamed = false,
                                     std::optional<int64_t> claimed_last = std::nullopt) {
  KeyFields fields;
  fields.instance = location.constants.instance;
  fields.topic = location.constants.topic;
  fields.partition = partition;
  fields.first_offset = first_offset;
  fields.window_start_ms = window_start_ms;
  fields.ext = ext;
  const std::string key = location.key_template.Render(fields);
  ObjectRange range;
  range.first_offset = first_offset;
  if (!streamed) {
    range.last_offset = claimed_last.value_or(first_offset + records - 1);
    range.records = records;
  }
  WriteOptions write;
  write.metadata = range.ToMetadata();
  EXPECT_TRUE(store.PutObject(location.bucket, ObjectKey{key}, body, write).ok());
  return key;
}

}  // namespace k2c
