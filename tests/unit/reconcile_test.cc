// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/reconcile.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace k2c {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using Clock = std::chrono::steady_clock;

TaskDefinition Def(const std::string& topic, const std::string& bucket = "b",
                   TaskState state = TaskState::kRunning) {
  TaskDefinition def;
  def.config.topic = topic;
  def.config.bucket = bucket;
  def.state = state;
  return def;
}

RunningTask Running(const TaskDefinition& def, bool paused = false) {
  return RunningTask{def.config, paused};
}

const Clock::time_point kNow = Clock::time_point(std::chrono::hours(1000));

TEST(ReconcileTest, NothingToDoWhenRunningEqualsStored) {
  const auto a = Def("a");
  const auto plan = PlanReconcile({{"a", a}}, {{"a", Running(a)}}, {}, kNow);
  EXPECT_THAT(plan.remove, IsEmpty());
  EXPECT_THAT(plan.restart, IsEmpty());
  EXPECT_THAT(plan.start, IsEmpty());
  EXPECT_THAT(plan.set_paused, IsEmpty());
}

TEST(ReconcileTest, NewTasksStartAndRemovedOnesAreRemoved) {
  const auto a = Def("a"), b = Def("b");
  const auto plan = PlanReconcile({{"b", b}}, {{"a", Running(a)}}, {}, kNow);
  EXPECT_THAT(plan.remove, ElementsAre("a"));
  EXPECT_THAT(plan.start, ElementsAre("b"));
  EXPECT_THAT(plan.restart, IsEmpty());
}

TEST(ReconcileTest, ChangedSettingsRestartTheTask) {
  const auto old_def = Def("a", "old-bucket");
  const auto new_def = Def("a", "new-bucket");
  const auto plan = PlanReconcile({{"a", new_def}}, {{"a", Running(old_def)}}, {}, kNow);
  EXPECT_THAT(plan.restart, ElementsAre("a"));
  EXPECT_THAT(plan.start, ElementsAre("a"));
  EXPECT_THAT(plan.remove, IsEmpty());
}

TEST(ReconcileTest, AChangedStateOnlyPausesOrResumes) {
  const auto paused = Def("a", "b", TaskState::kPaused);
  const auto running = Def("c");
  const auto plan =
      PlanReconcile({{"a", paused}, {"c", running}},
                    {{"a", Running(paused, false)}, {"c", Running(running, true)}}, {}, kNow);
  EXPECT_THAT(plan.set_paused, ElementsAre(Pair("a", true), Pair("c", false)));
  EXPECT_THAT(plan.restart, IsEmpty());
  EXPECT_THAT(plan.start, IsEmpty());
}

TEST(ReconcileTest, AFailedStartIsRetriedOnlyOnceItsTimeCame) {
  const auto a = Def("a");
  const std::map<std::string, Clock::time_point> retry = {{"a", kNow + std::chrono::seconds(30)}};
  EXPECT_THAT(PlanReconcile({{"a", a}}, {}, retry, kNow).start, IsEmpty());
  EXPECT_THAT(PlanReconcile({{"a", a}}, {}, retry, kNow + std::chrono::seconds(29)).start,
              IsEmpty());
  EXPECT_THAT(PlanReconcile({{"a", a}}, {}, retry, kNow + std::chrono::seconds(30)).start,
              ElementsAre("a"));
}

TEST(ReconcileTest, FailuresOfTasksNoLongerStoredAreForgotten) {
  const auto a = Def("a");
  const std::map<std::string, Clock::time_point> retry = {{"a", kNow}, {"gone", kNow}};
  const auto plan = PlanReconcile({{"a", a}}, {}, retry, kNow);
  EXPECT_THAT(plan.forget_failures, ElementsAre("gone"));
  EXPECT_THAT(plan.start, ElementsAre("a"));
}

}  // namespace
}  // namespace k2c
