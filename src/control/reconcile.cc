// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/reconcile.h"

namespace k2c {

ReconcilePlan PlanReconcile(
    const std::map<std::string, TaskDefinition>& wanted,
    const std::map<std::string, RunningTask>& running,
    const std::map<std::string, std::chrono::steady_clock::time_point>& retry_at,
    std::chrono::steady_clock::time_point now) {
  ReconcilePlan plan;
  for (const auto& [topic, task] : running) {
    auto def = wanted.find(topic);
    if (def == wanted.end()) {
      plan.remove.push_back(topic);
    } else if (!SameSettings(def->second.config, task.config)) {
      plan.restart.push_back(topic);
    } else if ((def->second.state == TaskState::kPaused) != task.paused) {
      plan.set_paused[topic] = def->second.state == TaskState::kPaused;
    }
  }
  for (const auto& [topic, at] : retry_at) {
    if (!wanted.count(topic)) plan.forget_failures.push_back(topic);
  }
  for (const auto& [topic, def] : wanted) {
    auto run = running.find(topic);
    if (run != running.end() && SameSettings(def.config, run->second.config)) continue;
    auto failed = retry_at.find(topic);
    // A restart is a new start: it does not wait for an old failure's retry.
    if (run == running.end() && failed != retry_at.end() && now < failed->second) continue;
    plan.start.push_back(topic);
  }
  return plan;
}

}  // namespace k2c
