// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/task_history.h"

#include <pthread.h>

namespace k2c {

TaskHistory::TaskHistory(SampleAll sample, std::chrono::milliseconds interval, size_t capacity,
                         WallClock clock)
    : sample_(std::move(sample)),
      interval_(interval),
      capacity_(capacity),
      clock_(std::move(clock)) {}

TaskHistory::~TaskHistory() { Stop(); }

void TaskHistory::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "history");
    // A first point at once, so a chart has something soon after a start.
    do {
      SampleOnce();
    } while (!stop_.WaitFor(interval_));
  });
}

void TaskHistory::Stop() {
  stop_.Cancel();
  if (thread_.joinable()) thread_.join();
}

void TaskHistory::SampleOnce() {
  std::map<std::string, HistorySample> now = sample_();
  const int64_t at_ms = clock_();
  std::lock_guard<std::mutex> lock(mu_);
  // Tasks that went are forgotten; tasks that came start a ring.
  for (auto it = rings_.begin(); it != rings_.end();) {
    it = now.count(it->first) ? std::next(it) : rings_.erase(it);
  }
  for (auto& [topic, sample] : now) {
    std::deque<HistorySample>& ring = rings_[topic];
    sample.at_ms = at_ms;
    ring.push_back(sample);
    while (ring.size() > capacity_) ring.pop_front();
  }
}

std::vector<HistorySample> TaskHistory::Samples(const std::string& topic) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = rings_.find(topic);
  if (it == rings_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

}  // namespace k2c
