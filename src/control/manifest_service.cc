// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/manifest_service.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <set>

#include "common/log_text.h"
#include "control/archive_access.h"
#include "control/task_definition.h"
#include "sink/commit_mark.h"

namespace k2c {

std::vector<PartitionProgress> ProgressFromLags(const std::vector<PartitionLag>& lags) {
  std::vector<PartitionProgress> progress;
  for (const PartitionLag& lag : lags) {
    PartitionProgress p;
    p.partition = lag.partition;
    p.committed = lag.committed;
    p.complete_before_ms = DecodeCommitMark(lag.commit_metadata);
    // Nothing committed and nothing to read: no record will ever be late.
    p.empty = !lag.committed && lag.lag == 0;
    progress.push_back(p);
  }
  return progress;
}

ManifestService::ManifestService(ObjectStore* store, std::string instance, std::string writer_id,
                                 LeadingTasks leading, FetchProgress fetch,
                                 std::chrono::milliseconds interval, WallClock clock)
    : store_(store),
      instance_(std::move(instance)),
      writer_id_(std::move(writer_id)),
      leading_(std::move(leading)),
      fetch_(std::move(fetch)),
      interval_(interval),
      clock_(std::move(clock)) {}

ManifestService::~ManifestService() { Stop(); }

void ManifestService::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "manifests");
    while (!stop_.WaitFor(interval_)) RunOnce();
  });
}

void ManifestService::Stop() {
  stop_.Cancel();
  if (thread_.joinable()) thread_.join();
}

void ManifestService::RunOnce() {
  std::set<std::string> led;
  for (const TaskConfig& task : leading_()) {
    if (stop_.cancelled()) return;
    led.insert(task.topic);
    Writer& entry = writers_[task.topic];
    if (!entry.writer || !SameSettings(entry.config, task)) {
      auto location = ArchiveLocationFor(task, instance_, "");
      if (!location.ok()) continue;  // Refused when the task was set; nothing to do.
      entry.config = task;
      entry.writer = std::make_unique<ManifestWriter>(store_, std::move(location.value()),
                                                      ManifestWriter::Options{writer_id_});
    }
    auto lags = fetch_(task.topic);
    if (!lags.ok()) {
      spdlog::warn("event=manifest_skipped topic={} error=\"{}\"", task.topic,
                   LogEscape(lags.status()));
      continue;
    }
    auto written = entry.writer->Run(ProgressFromLags(*lags), clock_());
    if (!written.ok()) {
      spdlog::warn("event=manifest_failed topic={} error=\"{}\"", task.topic,
                   LogEscape(written.status()));
      continue;
    }
    if (*written > 0) {
      spdlog::info("event=manifests_written topic={} count={} next_window_ms={}", task.topic,
                   *written, entry.writer->next_window().value_or(0));
    }
  }
  // A task no longer led: whoever leads it now starts from the store.
  std::erase_if(writers_, [&led](const auto& entry) { return !led.count(entry.first); });
}

}  // namespace k2c
