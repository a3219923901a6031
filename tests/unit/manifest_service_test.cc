// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/manifest_service.h"

#include <gtest/gtest.h>

#include "sink/commit_mark.h"
#include "storage/memory_store.h"

namespace k2c {
namespace {

constexpr int64_t k20h = 1764100800000;  // 2025-11-25T20:00:00Z
constexpr int64_t kWindow = 5 * 60'000;

TEST(ManifestServiceTest, ProgressReadsMarksAndEmptyPartitions) {
  std::vector<PartitionLag> lags = {{0, 10, 12, 2, EncodeCommitMark(k20h)},
                                    {1, std::nullopt, 0, 0, ""},
                                    {2, std::nullopt, 5, 5, ""},
                                    {3, 4, 4, 0, "written by another tool"}};
  auto progress = ProgressFromLags(lags);
  ASSERT_EQ(progress.size(), 4u);
  EXPECT_EQ(progress[0].complete_before_ms, k20h);
  EXPECT_EQ(progress[0].committed, 10);
  EXPECT_TRUE(progress[1].empty);
  EXPECT_FALSE(progress[2].empty);  // Records nobody committed: it holds back.
  EXPECT_FALSE(progress[3].complete_before_ms.has_value());
  EXPECT_FALSE(ManifestWriter::CompleteBefore(progress).has_value());
  progress.erase(progress.begin() + 2, progress.end());
  EXPECT_EQ(ManifestWriter::CompleteBefore(progress), k20h);
}

TEST(ManifestServiceTest, WritesTheManifestsOfLedTasksOnly) {
  MemoryStore store;
  store.CreateBucket(Bucket{"archive"});
  TaskConfig led;
  led.topic = "orders";
  led.bucket = "archive";
  led.window = std::chrono::milliseconds(kWindow);
  TaskConfig other = led;
  other.topic = "payments";
  int fetches = 0;
  ManifestService service(
      &store, "inst", "w1", [&] { return std::vector<TaskConfig>{led}; },
      [&](const std::string& topic) -> Result<std::vector<PartitionLag>> {
        ++fetches;
        EXPECT_EQ(topic, "orders");
        return std::vector<PartitionLag>{{0, 0, 0, 0, EncodeCommitMark(k20h + 2 * kWindow)}};
      },
      std::chrono::hours(1), [] { return k20h + 2 * kWindow; });
  service.RunOnce();
  EXPECT_EQ(fetches, 1);
  const auto objects = store.Objects(Bucket{"archive"});
  // No object anywhere: the first manifest is the last complete window's.
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(objects.begin()->first, "inst/orders/_manifests/20251125T200500Z.json");
}

}  // namespace
}  // namespace k2c
