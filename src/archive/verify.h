// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "archive/archive_reader.h"
#include "archive/manifest.h"
#include "common/status.h"

namespace k2c {

// One thing `verify` found (docs/archive.md lists the kinds).
struct VerifyFinding {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  // overlap, gap, unreadable, metadata_mismatch, missing_manifest,
  // missing_object, not_in_manifest, incomplete (errors); gap_unverified,
  // late_object, range_unknown (warnings).
  std::string kind;
  int32_t partition = -1;
  std::string key;
  std::string message;
};

struct PartitionSummary {
  int32_t partition = 0;
  size_t objects = 0;
  uint64_t records = 0;  // Known records (metadata, manifest or read).
  std::optional<int64_t> first_offset;
  std::optional<int64_t> last_offset;
};

struct VerifyReport {
  std::vector<VerifyFinding> findings;
  std::vector<PartitionSummary> partitions;
  size_t objects_read = 0;
  size_t manifests = 0;
  // True when nothing is an error: the range is whole.
  bool whole() const;
};

// What verify reads. `source` is required; the rest may be left empty when
// unavailable (through a worker's API there is no Kafka to ask), and the
// checks that need them are then skipped with a warning.
struct VerifyInputs {
  ArchiveSource* source = nullptr;
  int64_t window_ms = 5 * 60'000;
  // The manifests of windows starting in [from, to).
  std::function<Result<std::vector<Manifest>>(int64_t from_ms, int64_t to_ms)> manifests;
  // The task group's committed offsets and marks, now.
  std::function<Result<std::vector<PartitionProgress>>()> progress;
  // What Kafka holds in [from, before) of a partition: for offset gaps.
  struct GapContent {
    std::optional<int64_t> first_record;
    bool expired = false;
  };
  std::function<Result<GapContent>(int32_t partition, int64_t from, int64_t before)> probe;
  // Read and decode every object (the default); off: metadata only.
  bool read_objects = true;
};

// Checks the archive of `query` against itself and Kafka: offset overlaps
// and gaps per partition (a gap is an error only where Kafka shows records
// in it), objects the store lists but cannot read or whose content
// disagrees with their metadata, windows without a manifest, manifests
// naming objects that are gone, objects missing from their manifest, and
// windows not complete yet. An error of the store itself (cannot list) is
// returned as a Status.
Result<VerifyReport> VerifyArchive(const VerifyInputs& inputs, const ArchiveQuery& query);

}  // namespace k2c
