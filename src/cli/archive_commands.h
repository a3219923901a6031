// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// The read side's CLI subcommands: ls, cat, get (and verify, replay). They
// read the store directly with a worker's config (--config) or go through a
// worker's API (--server), so an operator without storage credentials can
// still browse. kcat's habits: records to stdout, -o for files, --json for
// scripts. See docs/archive.md.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "archive/archive_reader.h"
#include "archive/replay.h"
#include "common/status.h"

namespace k2c {

class ArchiveCommands {
 public:
  // Registers the subcommands on `app`; bound to members, so the object must
  // outlive parsing and Run().
  explicit ArchiveCommands(CLI::App& app);
  ArchiveCommands(const ArchiveCommands&) = delete;
  ArchiveCommands& operator=(const ArchiveCommands&) = delete;

  // After parsing: runs the parsed subcommand and returns its exit code, or
  // nullopt if none of these was parsed. `now_ms` anchors relative times.
  std::optional<int> Run(std::FILE* out, std::FILE* err, int64_t now_ms);

 private:
  struct Opened;
  Result<Opened> Open();
  Result<ArchiveQuery> Query(int64_t now_ms, bool range_required) const;
  int Ls(ArchiveSource& source, const ArchiveQuery& query, std::FILE* out, std::FILE* err);
  int Cat(ArchiveSource& source, const ArchiveQuery& query, std::FILE* out, std::FILE* err);
  int Get(ArchiveSource& source, const ArchiveQuery& query, std::FILE* out, std::FILE* err);
  int Verify(Opened& opened, const ArchiveQuery& query, std::FILE* out, std::FILE* err);
  int Replay(Opened& opened, const ArchiveQuery& query, std::FILE* out, std::FILE* err);

  CLI::App* ls_ = nullptr;
  CLI::App* cat_ = nullptr;
  CLI::App* get_ = nullptr;
  CLI::App* verify_ = nullptr;
  bool no_read_ = false;
  CLI::App* replay_ = nullptr;
  std::string to_topic_;
  std::string partitioning_ = "same";
  std::string replay_id_;
  bool allow_gaps_ = false;
  uint64_t transaction_records_ = ReplayOptions{}.batch_records;

  std::string topic_;
  std::string config_path_;
  std::string server_;
  std::string token_file_;
  bool json_ = false;
  std::string from_;
  std::string to_;
  std::optional<int32_t> partition_;
  std::string output_format_ = "text";
  std::string output_;
};

}  // namespace k2c
