// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/status_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace k2c {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

const StatusIdentity kMe{"w1", "http://h:1"};

TEST(StatusReportTest, StateLabelsInOrderOfWhatMattersMost) {
  TaskStats blocked;
  blocked.blocked_partitions = {2};
  EXPECT_EQ(TaskStateLabel(true, true, blocked), "failed");
  EXPECT_EQ(TaskStateLabel(false, true, blocked), "paused");
  EXPECT_EQ(TaskStateLabel(false, false, blocked), "blocked");
  EXPECT_EQ(TaskStateLabel(false, false, TaskStats{}), "running");
}

TEST(StatusReportTest, RunningStatusCarriesTheStatsAndWho) {
  TaskStats stats;
  stats.partitions = {0, 3};
  stats.records_archived = 10;
  stats.bytes_archived = 100;
  stats.objects_written = 2;
  stats.upload_failures = 1;
  stats.last_object_key = "k";
  stats.last_object_ms = 5;
  stats.create_only = false;
  const WorkerTaskStatus s = RunningTaskStatus("t", kMe, "running", stats, 42);
  EXPECT_EQ(s.topic, "t");
  EXPECT_EQ(s.worker_id, "w1");
  EXPECT_EQ(s.worker_url, "http://h:1");
  EXPECT_EQ(s.state, "running");
  EXPECT_THAT(s.partitions, ElementsAre(0, 3));
  EXPECT_EQ(s.records_archived, 10u);
  EXPECT_EQ(s.bytes_archived, 100u);
  EXPECT_EQ(s.objects_written, 2u);
  EXPECT_EQ(s.upload_failures, 1u);
  EXPECT_EQ(s.last_object_key, "k");
  EXPECT_EQ(s.last_object_ms, 5);
  EXPECT_FALSE(s.create_only);
  EXPECT_EQ(s.updated_ms, 42);
}

TEST(StatusReportTest, FailedStartStatusSaysWhy) {
  const WorkerTaskStatus s =
      FailedStartStatus("t", kMe, Status::NotFound("bucket 'b' does not exist"), 7, 9);
  EXPECT_EQ(s.state, "failed");
  EXPECT_THAT(s.last_error, ::testing::HasSubstr("bucket 'b' does not exist"));
  EXPECT_EQ(s.last_error_ms, 7);
  EXPECT_EQ(s.updated_ms, 9);
}

TEST(StatusSelectorTest, BetweenIntervalsOnlyVisibleChangesArePublished) {
  StatusSelector selector;
  TaskStats stats;
  stats.partitions = {0};
  auto status = [&](const std::string& state, int64_t now) {
    return RunningTaskStatus("t", kMe, state, stats, now);
  };
  EXPECT_THAT(selector.Select({status("running", 1)}, {}, false), SizeIs(1));
  // Only the time moved: nothing to say.
  EXPECT_THAT(selector.Select({status("running", 2)}, {}, false), IsEmpty());
  // At the interval everything is published.
  EXPECT_THAT(selector.Select({status("running", 3)}, {}, true), SizeIs(1));
  stats.objects_written = 1;
  EXPECT_THAT(selector.Select({status("running", 4)}, {}, false), SizeIs(1));
  EXPECT_THAT(selector.Select({status("paused", 5)}, {}, false), SizeIs(1));
  stats.partitions = {0, 1};
  EXPECT_THAT(selector.Select({status("paused", 6)}, {}, false), SizeIs(1));
  stats.last_error_ms = 6;
  EXPECT_THAT(selector.Select({status("paused", 7)}, {}, false), SizeIs(1));
  EXPECT_THAT(selector.Select({status("paused", 8)}, {}, false), IsEmpty());
}

TEST(StatusSelectorTest, ATaskThatStopsAndStartsAgainIsShownAfresh) {
  StatusSelector selector;
  const WorkerTaskStatus s = RunningTaskStatus("t", kMe, "running", TaskStats{}, 1);
  EXPECT_THAT(selector.Select({s}, {}, false), SizeIs(1));
  EXPECT_THAT(selector.Select({}, {}, false), IsEmpty());
  EXPECT_THAT(selector.Select({s}, {}, false), SizeIs(1));
}

TEST(StatusSelectorTest, FailedStartsArePublishedWhenTheirNumberChangesOrAtTheInterval) {
  StatusSelector selector;
  const WorkerTaskStatus failed = FailedStartStatus("t", kMe, Status::Internal("x"), 1, 1);
  EXPECT_THAT(selector.Select({}, {failed}, false), SizeIs(1));
  EXPECT_THAT(selector.Select({}, {failed}, false), IsEmpty());
  EXPECT_THAT(selector.Select({}, {failed}, true), SizeIs(1));
  EXPECT_THAT(selector.Select({}, {}, false), IsEmpty());
  EXPECT_THAT(selector.Select({}, {failed}, false), SizeIs(1));
}

WorkerTaskStatus Published(const std::string& worker, int64_t updated_ms, uint64_t records) {
  WorkerTaskStatus s;
  s.topic = "t";
  s.worker_id = worker;
  s.updated_ms = updated_ms;
  s.records_archived = records;
  return s;
}

TEST(StatusesToShowTest, StaleStatusesGoAndTheOwnOneIsLive) {
  const std::vector<WorkerTaskStatus> published = {Published("w1", 100, 0), Published("w2", 100, 5),
                                                   Published("dead", 10, 7)};
  WorkerTaskStatus live = Published("w1", 200, 42);
  const auto shown = StatusesToShow(published, "w1", live, 50);
  ASSERT_THAT(shown, SizeIs(2));
  EXPECT_EQ(shown[0].worker_id, "w2");
  EXPECT_EQ(shown[1].worker_id, "w1");
  EXPECT_EQ(shown[1].records_archived, 42u) << "the live counters, not the published ones";
}

TEST(StatusesToShowTest, WithoutTheTaskHereThePublishedOwnStatusStays) {
  const auto shown = StatusesToShow({Published("w1", 100, 3)}, "w1", std::nullopt, 50);
  ASSERT_THAT(shown, SizeIs(1));
  EXPECT_EQ(shown[0].records_archived, 3u);
}

}  // namespace
}  // namespace k2c
