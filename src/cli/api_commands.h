// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// The CLI subcommands that talk to a running worker's control API:
// topics, tasks, enable, disable, pause, resume, status.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace k2c {

// Registers the API subcommands on a CLI11 app and runs the parsed one.
//   kafka2cos::ApiCommands api(app);  // before parsing
//   CLI11_PARSE(app, argc, argv);
//   if (auto code = api.Run(stdout, stderr)) return *code;
// Every subcommand takes --server URL (default $KAFKA2COS_SERVER, else
// http://127.0.0.1:8080), --token-file PATH (default: the token in
// $KAFKA2COS_API_TOKEN; there is no --token flag, so a token never shows in
// `ps`) and --json (print the server's answer as JSON instead of text).
// The options of the app's subcommands are bound to members: the object must
// outlive parsing and Run(), and cannot be copied or moved.
class ApiCommands {
 public:
  explicit ApiCommands(CLI::App& app);
  ApiCommands(const ApiCommands&) = delete;
  ApiCommands& operator=(const ApiCommands&) = delete;

  // After app.parse(): runs the parsed API subcommand, writing its output to
  // `out` and errors ("kafka2cos: ...") to `err`, and returns its exit code
  // (0, or 1 on any error); nullopt if none of the API subcommands was parsed.
  std::optional<int> Run(std::FILE* out, std::FILE* err);

 private:
  void AddCommonOptions(CLI::App* sub);

  CLI::App* topics_ = nullptr;
  CLI::App* tasks_ = nullptr;
  CLI::App* enable_ = nullptr;
  CLI::App* disable_ = nullptr;
  CLI::App* pause_ = nullptr;
  CLI::App* resume_ = nullptr;
  CLI::App* status_ = nullptr;

  // Common options (only one subcommand is parsed, so they can be shared).
  std::string server_;
  std::string token_file_;
  bool json_ = false;
  std::string topic_;

  // enable's settings; only those given are sent.
  std::string bucket_, window_, start_, format_, compression_, delimiter_, max_object_bytes_,
      row_group_bytes_, key_template_;
  int compression_level_ = 0;
  CLI::Option* bucket_opt_ = nullptr;
  CLI::Option* window_opt_ = nullptr;
  CLI::Option* start_opt_ = nullptr;
  CLI::Option* format_opt_ = nullptr;
  CLI::Option* compression_opt_ = nullptr;
  CLI::Option* compression_level_opt_ = nullptr;
  CLI::Option* row_group_bytes_opt_ = nullptr;
  CLI::Option* delimiter_opt_ = nullptr;
  CLI::Option* max_object_bytes_opt_ = nullptr;
  CLI::Option* key_template_opt_ = nullptr;
};

// Renders an aligned text table: columns padded with spaces and separated by
// three spaces, no trailing spaces, one '\n'-terminated line per row, the
// header first (left out when `header` is empty). Rows may have fewer or more
// cells than the header. Widths count UTF-8 code points; control characters
// in cells are shown as spaces.
std::string RenderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows);

// "2026-01-02T03:04:05Z" (UTC, ISO 8601) for milliseconds since the epoch;
// "" for ms <= 0.
std::string FormatUtcMillis(int64_t ms);

}  // namespace k2c
