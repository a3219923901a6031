// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "control/metrics.h"
#include "sink/task_runner.h"

namespace k2c {

// Turns one task's cumulative statistics into the series of /metrics: the
// counters grow by what happened since the last fold (a task restarted with
// new settings starts its statistics at zero, the counters do not), the
// gauges show the present, and a partition's lag series goes when the
// partition does. Not thread-safe: the owner serialises Fold and Drop.
class TaskMetrics {
 public:
  TaskMetrics(MetricsRegistry* registry, std::string topic)
      : registry_(registry), topic_(std::move(topic)) {}

  // `now`: the task's statistics; `lags`: per assigned partition, records
  // between its committed offset and the end of the log.
  void Fold(const TaskStats& now, const std::map<int32_t, int64_t>& lags);

 private:
  MetricsRegistry* registry_;
  const std::string topic_;
  TaskStats counted_;             // What the counters already hold.
  std::set<int32_t> lag_series_;  // Partitions with a lag series.
};

}  // namespace k2c
