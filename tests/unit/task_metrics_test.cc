// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/task_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace k2c {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(TaskMetricsTest, CountersGrowByWhatHappenedSinceTheLastFold) {
  MetricsRegistry registry;
  TaskMetrics metrics(&registry, "orders");
  TaskStats stats;
  stats.records_archived = 10;
  stats.objects_written = 1;
  stats.errors_by_kind["Unavailable"] = 2;
  metrics.Fold(stats, {});
  metrics.Fold(stats, {});  // Nothing new: nothing added.
  stats.records_archived = 15;
  stats.errors_by_kind["Unavailable"] = 3;
  metrics.Fold(stats, {});
  const MetricLabels topic = {{"topic", "orders"}};
  EXPECT_EQ(registry.GetCounter("kafka2cos_records_archived_total", "", topic).value(), 15);
  EXPECT_EQ(registry.GetCounter("kafka2cos_objects_written_total", "", topic).value(), 1);
  EXPECT_EQ(
      registry
          .GetCounter("kafka2cos_errors_total", "", {{"topic", "orders"}, {"kind", "Unavailable"}})
          .value(),
      3);
}

// A task restarted with new settings begins its statistics at zero; the
// counters of a new TaskMetrics add to what the registry holds.
TEST(TaskMetricsTest, ARestartedTaskAddsToTheCounters) {
  MetricsRegistry registry;
  TaskStats stats;
  stats.records_archived = 10;
  TaskMetrics(&registry, "t").Fold(stats, {});
  stats.records_archived = 4;
  TaskMetrics(&registry, "t").Fold(stats, {});
  EXPECT_EQ(registry.GetCounter("kafka2cos_records_archived_total", "", {{"topic", "t"}}).value(),
            14);
}

TEST(TaskMetricsTest, GaugesShowThePresentAndLagSeriesFollowThePartitions) {
  MetricsRegistry registry;
  TaskMetrics metrics(&registry, "t");
  TaskStats stats;
  stats.partitions = {0, 1};
  stats.blocked_partitions = {1};
  stats.create_only = false;
  metrics.Fold(stats, {{0, 5}, {1, 7}});
  const MetricLabels topic = {{"topic", "t"}};
  EXPECT_EQ(registry.GetGauge("kafka2cos_partitions_assigned", "", topic).value(), 2);
  EXPECT_EQ(registry.GetGauge("kafka2cos_partitions_blocked", "", topic).value(), 1);
  EXPECT_EQ(registry.GetGauge("kafka2cos_create_only", "", topic).value(), 0);
  EXPECT_THAT(registry.Render(),
              HasSubstr("kafka2cos_partition_lag{partition=\"1\",topic=\"t\"} 7"));
  stats.partitions = {0};
  metrics.Fold(stats, {{0, 2}});
  const std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("kafka2cos_partition_lag{partition=\"0\",topic=\"t\"} 2"));
  EXPECT_THAT(text, Not(HasSubstr("partition=\"1\"")));
}

}  // namespace
}  // namespace k2c
