// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace k2c {

// What a task's offset commit says besides the offset (Kafka stores a
// metadata string with each committed offset, atomically with it): the time
// before which every window of the partition is complete, i.e. all its
// objects are durable and committed and any record read later belongs to a
// window starting at or after it (a late record that finds no window open
// excepted; docs/archive.md). The manifest writer reads it for all
// partitions to know which windows are whole (docs/design.md, P8).
std::string EncodeCommitMark(int64_t complete_before_ms);

// The time of a mark, or nullopt for metadata that is not one (committed by
// an older kafka2cos, by another tool, or empty).
std::optional<int64_t> DecodeCommitMark(std::string_view metadata);

}  // namespace k2c
