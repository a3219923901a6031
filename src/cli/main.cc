// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// kafka2cos: archives Kafka topics into object storage. See README.md.
#include <malloc.h>
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "cli/api_commands.h"
#include "cli/archive_commands.h"
#include "common/log_text.h"
#include "control/config.h"
#include "control/worker.h"

namespace {

constexpr int kExitConfig = 2;
constexpr int kExitStartup = 3;
constexpr int kExitTaskFailed = 4;

void SetUpLogging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("kafka2cos");
  // One line per event, UTC timestamps, logfmt-style key=value fields.
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ level=%l %v", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

// Blocks SIGINT/SIGTERM/SIGUSR1/SIGUSR2 in this thread (and so in every thread started
// later); WaitForSignal() then receives them synchronously: no handler, no
// global flag.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int RunWorker(const std::string& config_path) {
  const sigset_t stop_signals = BlockStopSignals();
  // glibc gives busy threads arenas of their own (up to 8 per core) and
  // keeps freed memory in each; a few arenas keep peak RSS near what is in
  // use, which the memory budget promises. More arenas cost memory but cut
  // lock contention (librdkafka allocates each record on its broker thread
  // and the task frees it): an operator's MALLOC_ARENA_MAX is kept.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
  // Bodies grow by doubling and are freed when spilled or uploaded; blocks of
  // 64 KiB and more come straight from mmap, so freeing them returns the
  // memory at once instead of leaving holes in the heap (a fixed threshold
  // also stops glibc from raising it after each large free).
  mallopt(M_MMAP_THRESHOLD, 64 * 1024);
  mallopt(M_TRIM_THRESHOLD, 1 << 20);
  auto config = k2c::LoadConfig(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "kafka2cos: %s\n", config.status().message().c_str());
    return kExitConfig;
  }
  SetUpLogging(config->log_level);
  k2c::Worker worker(std::move(config.value()));
  k2c::Status started = worker.Start();
  if (!started.ok()) {
    spdlog::error("event=start_failed error=\"{}\"", LogEscape(started));
    std::fprintf(stderr, "kafka2cos: cannot start: %s\n", started.ToString().c_str());
    return kExitStartup;
  }
  spdlog::info("event=worker_started config={}", config_path);
  // Wait for a stop signal, checking once a second that no task has failed.
  const timespec tick{1, 0};
  int sig = -1;
  k2c::Status failure;
  while (sig < 0 && failure.ok()) {
    sig = sigtimedwait(&stop_signals, nullptr, &tick);
    if (sig == SIGUSR1 || sig == SIGUSR2) {
      // Pause (USR1) / resume (USR2) archiving without leaving the groups.
      worker.SetPaused(sig == SIGUSR1);
      sig = -1;
    }
    failure = worker.failure();
  }
  if (sig >= 0) {
    spdlog::info("event=worker_stopping signal={}", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  }
  worker.Stop();
  if (!failure.ok() && !worker.started()) {
    // Kafka or the store answered at last, and said the settings are wrong.
    std::fprintf(stderr, "kafka2cos: cannot start: %s\n", failure.ToString().c_str());
    return kExitStartup;
  }
  if (!failure.ok()) {
    // Uncommitted records are read again by the next start.
    spdlog::error("event=worker_failed error=\"{}\"", LogEscape(failure));
    return kExitTaskFailed;
  }
  spdlog::info("event=worker_stopped");
  return 0;
}

int ValidateConfig(const std::string& config_path) {
  auto config = k2c::LoadConfig(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "kafka2cos: %s\n", config.status().message().c_str());
    return kExitConfig;
  }
  std::printf("%s: OK (%zu task%s)\n", config_path.c_str(), config->tasks.size(),
              config->tasks.size() == 1 ? "" : "s");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kafka2cos: archive Kafka topics into object storage (S3, COS, local disk)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "kafka2cos " K2C_VERSION);
  std::string config_path;
  auto* run = app.add_subcommand(
      "run", "Run the archiving worker until SIGTERM/SIGINT (SIGUSR1 pauses, SIGUSR2 resumes)");
  run->add_option("-c,--config", config_path, "TOML config file (see docs/config.md)")->required();
  auto* validate = app.add_subcommand("validate", "Check a config file and exit");
  validate->add_option("-c,--config", config_path, "TOML config file")->required();
  // topics, tasks, enable, disable, pause, resume, status: clients of a
  // running worker's API.
  k2c::ApiCommands api_commands(app);
  // ls, cat, get: the read side.
  k2c::ArchiveCommands archive_commands(app);
  CLI11_PARSE(app, argc, argv);
  if (run->parsed()) return RunWorker(config_path);
  if (validate->parsed()) return ValidateConfig(config_path);
  // The client commands print results on stdout: the libraries' log lines
  // (librdkafka, the task store) go to stderr, warnings and worse only.
  SetUpLogging("warn");
  if (auto code = api_commands.Run(stdout, stderr)) return *code;
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  if (auto code = archive_commands.Run(stdout, stderr, now_ms)) return *code;
  return 1;
}
