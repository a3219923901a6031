// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "archive/verify.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "archive_test_util.h"
#include "sink/object_range.h"
#include "storage/memory_store.h"

namespace k2c {
namespace {

constexpr int64_t kWindow = 5 * 60'000;
constexpr int64_t k20h = 1764100800000;  // 2025-11-25T20:00:00Z

class VerifyTest : public ::testing::Test {
 protected:
  VerifyTest() {
    store_.CreateBucket(bucket_);
    location_.bucket = bucket_;
    location_.key_template = KeyTemplate::Parse(kDefaultKeyTemplate).value();
    location_.constants = KeyConstants{"inst", "orders", ""};
    location_.window_ms = kWindow;
    archive_ = std::make_unique<StoreArchive>(&store_, location_, "\n");
    inputs_.source = archive_.get();
    inputs_.window_ms = kWindow;
    inputs_.manifests = [this](int64_t from, int64_t to) {
      return ListManifests(&store_, location_, from, to);
    };
    inputs_.progress = [this]() -> Result<std::vector<PartitionProgress>> { return progress_; };
    inputs_.probe = [this](int32_t p, int64_t from,
                           int64_t before) -> Result<VerifyInputs::GapContent> {
      ++probes_;
      // The test's Kafka: partition 0 holds every offset; partition 1 none
      // in 10..19 (transaction markers), and nothing below 5 any more.
      if (p == 1 && from < 5) return VerifyInputs::GapContent{std::nullopt, true};
      if (p == 1 && from >= 10 && before <= 20) return VerifyInputs::GapContent{};
      return VerifyInputs::GapContent{from, false};
    };
  }

  std::string Put(int window, int32_t partition, int64_t first, int count,
                  std::optional<int64_t> claimed_last = std::nullopt) {
    const int64_t start = k20h + window * kWindow;
    return PutArchivedObject(store_, location_, start, partition, first, count,
                             EncodeTestObject("jsonl", partition, first, count, start), ".jsonl",
                             false, claimed_last);
  }

  void WriteManifests(int64_t complete_before) {
    progress_ = {{0, 1000, complete_before, false}, {1, 1000, complete_before, false}};
    ManifestWriter writer(&store_, location_, {"w"});
    ASSERT_TRUE(writer.Run(progress_, complete_before).ok());
  }

  Result<VerifyReport> Verify() {
    return VerifyArchive(inputs_, ArchiveQuery{k20h, k20h + 3'600'000, std::nullopt});
  }

  static std::vector<std::string> Errors(const VerifyReport& report) {
    std::vector<std::string> kinds;
    for (const auto& f : report.findings) {
      if (f.severity == VerifyFinding::Severity::kError) kinds.push_back(f.kind);
    }
    return kinds;
  }

  MemoryStore store_;
  Bucket bucket_{"archive"};
  ArchiveLocation location_;
  std::unique_ptr<StoreArchive> archive_;
  VerifyInputs inputs_;
  std::vector<PartitionProgress> progress_;
  int probes_ = 0;
};

TEST_F(VerifyTest, AWholeRangeIsWholeAndGapsKafkaExplainsAreFine) {
  Put(0, 0, 0, 5);
  Put(1, 0, 5, 5);
  Put(0, 1, 5, 5);
  Put(1, 1, 20, 5);  // 10..19 hold no records in Kafka.
  WriteManifests(k20h + 2 * kWindow);
  auto report = Verify();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->whole()) << ::testing::PrintToString(Errors(*report));
  EXPECT_EQ(report->objects_read, 4u);
  EXPECT_EQ(report->manifests, 2u);
  EXPECT_EQ(probes_, 1);
  ASSERT_EQ(report->partitions.size(), 2u);
  EXPECT_EQ(report->partitions[1].records, 10u);
  EXPECT_EQ(report->partitions[1].last_offset, 24);
}

TEST_F(VerifyTest, FindsADeletedObjectAnOverlapAndAMissingManifest) {
  Put(0, 0, 0, 5);
  const std::string deleted = Put(1, 0, 5, 5);
  Put(2, 0, 10, 5);
  WriteManifests(k20h + 3 * kWindow);
  ASSERT_TRUE(store_.DeleteObject(bucket_, ObjectKey{deleted}).ok());
  // Planted by hand: offsets 12..13 again, in a window of its own.
  Put(3, 0, 12, 2);
  progress_ = {{0, 1000, k20h + 5 * kWindow, false}};
  auto report = Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->whole());
  EXPECT_THAT(Errors(*report), ::testing::UnorderedElementsAre("missing_object", "gap", "overlap",
                                                               "missing_manifest"));
}

TEST_F(VerifyTest, AnArchiveFromBeforeManifestsIsWholeWithAWarning) {
  Put(0, 0, 0, 5);
  Put(1, 0, 5, 5);
  progress_ = {{0, 10, k20h + 3 * kWindow, false}};
  auto report = Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->whole()) << ::testing::PrintToString(Errors(*report));
  int warnings = 0;
  for (const auto& f : report->findings) warnings += f.kind == "missing_manifest";
  EXPECT_EQ(warnings, 2);
}

TEST_F(VerifyTest, UnreadableObjectsAndLyingMetadataAreErrors) {
  Put(0, 0, 0, 5, /*claimed_last=*/7);
  const std::string key = Put(1, 0, 5, 3);
  ASSERT_TRUE(store_
                  .PutObject(bucket_, ObjectKey{key}, "not jsonl",
                             WriteOptions{false, ObjectRange{5, 7, 3, "w"}.ToMetadata()})
                  .ok());
  WriteManifests(k20h + 2 * kWindow);
  auto report = Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_THAT(Errors(*report),
              ::testing::UnorderedElementsAre("metadata_mismatch", "unreadable", "overlap"));
}

TEST_F(VerifyTest, AnOpenWindowIsNotWholeAndLateObjectsAreWarnings) {
  Put(0, 0, 0, 5);
  progress_ = {{0, 5, k20h + kWindow, false}};
  ManifestWriter writer(&store_, location_, {"w"});
  ASSERT_EQ(writer.Run(progress_, k20h + kWindow).value(), 1);
  Put(0, 0, 5, 1);  // Late: at the manifest's committed offset.
  Put(1, 0, 6, 1);  // Window 1 is not complete.
  progress_ = {{0, 7, k20h + kWindow, false}};
  auto report = Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_THAT(Errors(*report), ::testing::ElementsAre("incomplete"));
  bool late = false;
  for (const auto& f : report->findings) late |= f.kind == "late_object";
  EXPECT_TRUE(late);
}

}  // namespace
}  // namespace k2c
