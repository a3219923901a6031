// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "control/task_definition.h"

namespace k2c {

// What this worker runs now, per topic.
struct RunningTask {
  TaskConfig config;
  bool paused = false;
};

// The steps that make the running tasks equal to the stored definitions.
struct ReconcilePlan {
  // Removed from the store: stop, and remove this worker's status.
  std::vector<std::string> remove;
  // Settings changed: stop, then start again with the new ones (from the
  // committed offsets, so open windows are rebuilt and nothing is lost or
  // written twice).
  std::vector<std::string> restart;
  // Running with unchanged settings whose stored state (paused or not)
  // differs from what it runs with.
  std::map<std::string, bool> set_paused;
  // Not running (new, restarted, or a failed start whose retry is due).
  std::vector<std::string> start;
  // Failed starts of tasks that are no longer stored: forget them.
  std::vector<std::string> forget_failures;
};

// Pure: compares the stored definitions with what runs and when each failed
// start may be retried (`retry_at`), at `now`.
ReconcilePlan PlanReconcile(
    const std::map<std::string, TaskDefinition>& wanted,
    const std::map<std::string, RunningTask>& running,
    const std::map<std::string, std::chrono::steady_clock::time_point>& retry_at,
    std::chrono::steady_clock::time_point now);

}  // namespace k2c
