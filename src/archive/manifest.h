// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "archive/archive_index.h"
#include "common/status.h"
#include "storage/object_store.h"

namespace k2c {

// The completeness manifest of one window (docs/archive.md): written once
// every partition of the task has committed past the window's end, listing
// the window's objects with their offset ranges, so a batch job waits for
// it instead of guessing when a window is whole (Hadoop's _SUCCESS habit).
struct Manifest {
  std::string instance;
  std::string topic;
  int64_t window_start_ms = 0;
  int64_t window_ms = 0;
  // Per partition, the group's committed offset when the manifest was
  // written: every record of the window is in an object below it. An
  // object of this window first seen later, starting at or after it, holds
  // late records (docs/archive.md).
  std::map<int32_t, int64_t> committed_offsets;
  std::vector<ArchivedObject> objects;  // By partition, then first offset.
  std::string written_by;
  int64_t written_at_ms = 0;
};

// "<prefix>_manifests/" where <prefix> is the task's key prefix up to its
// last '/' (e.g. "inst/orders/"), or "<instance>/<topic>/" when that prefix
// does not name the topic.
std::string ManifestPrefix(const ArchiveLocation& location);
// ManifestPrefix + "20261202T090000Z.json" (the window start, UTC).
ObjectKey ManifestKey(const ArchiveLocation& location, int64_t window_start_ms);
// The window start a manifest key names, or nullopt for another key.
std::optional<int64_t> ManifestWindow(const ArchiveLocation& location, const std::string& key);

std::string ManifestToJson(const Manifest& manifest);
// InvalidArgument naming what is wrong when `text` is not a manifest.
Result<Manifest> ManifestFromJson(std::string_view text);

// The manifests of windows starting in [from_ms, to_ms), by window start.
// Manifests that cannot be read are an error (DataLoss naming the key).
Result<std::vector<Manifest>> ListManifests(ObjectStore* store, const ArchiveLocation& location,
                                            int64_t from_ms, int64_t to_ms);

// One partition as the group's committed offsets describe it.
struct PartitionProgress {
  int32_t partition = 0;
  std::optional<int64_t> committed;
  // The commit mark (sink/commit_mark.h); nullopt when none was committed.
  std::optional<int64_t> complete_before_ms;
  // True when the partition holds nothing the task would read (empty log,
  // nothing committed): it holds no window back.
  bool empty = false;
};

// Writes the manifests of a task's complete windows, in order, each once (P8).
// Whichever worker runs it, the content is made from the store and the
// group's commits and written create-only, so two runs racing write one
// manifest. Not thread-safe; keeps where it got to between runs.
class ManifestWriter {
 public:
  struct Options {
    std::string writer_id;
    // How far back a first run looks for the last manifest written.
    int64_t lookback_ms = 7 * 86'400'000LL;
    // Manifests written per Run at most (a long catch-up goes on next time).
    int max_per_run = 64;
  };

  ManifestWriter(ObjectStore* store, ArchiveLocation location, Options options);

  // Writes the manifest of every window that ended at or before the
  // earliest commit mark of `partitions` and has none yet. Returns how many
  // it wrote. Nothing while a partition has no mark.
  Result<int> Run(const std::vector<PartitionProgress>& partitions, int64_t now_ms);

  // The first window not yet known to have a manifest (for tests, status).
  std::optional<int64_t> next_window() const { return next_window_; }

  // The earliest mark of `partitions`: every window starting before it is
  // complete; nullopt while a partition has none.
  static std::optional<int64_t> CompleteBefore(const std::vector<PartitionProgress>& partitions);

 private:
  // Where the first run starts: after the last manifest of the lookback, or
  // at the first object of it, or at the last complete window.
  Result<int64_t> FindStart(int64_t complete_before);
  // The manifest of the window at `start`, its objects described.
  Result<Manifest> Build(int64_t start, const std::vector<PartitionProgress>& partitions,
                         int64_t now_ms);

  ObjectStore* store_;
  ArchiveLocation location_;
  ArchiveIndex index_;
  Options options_;
  std::optional<int64_t> next_window_;
};

}  // namespace k2c
