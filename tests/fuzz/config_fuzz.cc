// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// libFuzzer target for the TOML configuration parser: ParseConfig on the whole
// input, and ParseDuration / ParseByteSize (which ParseConfig also reaches
// through duration and size keys) on it directly. Built with -DK2C_FUZZ=ON;
// run by scripts/fuzz.sh.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "control/config.h"

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  // ParseConfig falls back to these for S3 credentials: fix them so that a
  // run does not depend on the caller's environment.
  setenv("AWS_ACCESS_KEY_ID", "fuzz-access-key", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "fuzz-secret-key", 1);
  unsetenv("AWS_SESSION_TOKEN");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  k2c::Result<k2c::Config> config = k2c::ParseConfig(text, "fuzz.toml");
  if (config.ok()) {
    // Whatever ParseConfig accepts satisfies the documented ranges.
    const k2c::SinkConfig& sink = config->sink;
    if (sink.min_window.count() <= 0 || sink.min_window > sink.max_window) __builtin_trap();
    for (const k2c::TaskConfig& task : config->tasks) {
      if (task.topic.empty() || task.bucket.empty()) __builtin_trap();
      if (task.window < sink.min_window || task.window > sink.max_window) __builtin_trap();
    }
  } else if (config.status().code() != k2c::StatusCode::kInvalidArgument) {
    __builtin_trap();
  }

  // A parsed duration survives FormatDuration unchanged.
  k2c::Result<std::chrono::milliseconds> duration = k2c::ParseDuration(text);
  if (duration.ok()) {
    if (duration->count() < 0) __builtin_trap();
    k2c::Result<std::chrono::milliseconds> again =
        k2c::ParseDuration(k2c::FormatDuration(*duration));
    if (!again.ok() || *again != *duration) __builtin_trap();
  }

  k2c::Result<uint64_t> bytes = k2c::ParseByteSize(text);
  if (bytes.ok() && (*bytes == 0 || *bytes > (uint64_t{1} << 40))) __builtin_trap();
  return 0;
}
