// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "archive/manifest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "archive_test_util.h"
#include "storage/memory_store.h"

namespace k2c {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kWindow = 5 * 60'000;
constexpr int64_t k20h = 1764100800000;  // 2025-11-25T20:00:00Z

class ManifestTest : public ::testing::Test {
 protected:
  ManifestTest() {
    store_.CreateBucket(bucket_);
    location_.bucket = bucket_;
    location_.key_template = KeyTemplate::Parse(kDefaultKeyTemplate).value();
    location_.constants = KeyConstants{"inst", "orders", ""};
    location_.window_ms = kWindow;
    location_.default_format = "jsonl";
  }

  // An object of `count` records from `first` in window `window` (from 20:00);
  // `streamed` leaves the last offset out of its metadata, as a multipart
  // object's is.
  std::string Put(int window, int32_t partition, int64_t first, int count, bool streamed = false) {
    const int64_t start = k20h + window * kWindow;
    return PutArchivedObject(store_, location_, start, partition, first, count,
                             EncodeTestObject("jsonl", partition, first, count, start), ".jsonl",
                             streamed);
  }

  static PartitionProgress Progress(int32_t p, int64_t committed, std::optional<int64_t> mark) {
    return PartitionProgress{p, committed, mark, false};
  }

  MemoryStore store_;
  Bucket bucket_{"archive"};
  ArchiveLocation location_;
};

TEST_F(ManifestTest, KeysNameTheWindowUnderTheTasksPrefix) {
  EXPECT_EQ(ManifestKey(location_, k20h).value, "inst/orders/_manifests/20251125T200000Z.json");
  EXPECT_EQ(ManifestWindow(location_, ManifestKey(location_, k20h + 1500).value), k20h + 1500);
  EXPECT_FALSE(ManifestWindow(location_, "inst/orders/_manifests/x.json").has_value());
  EXPECT_FALSE(ManifestWindow(location_, "inst/orders/20251125T200000Z.json").has_value());
  // A template whose prefix does not name the task still gets its own place.
  ArchiveLocation by_time = location_;
  by_time.key_template = KeyTemplate::Parse("%Y/{topic}/{partition}-{first_offset}").value();
  EXPECT_EQ(ManifestPrefix(by_time), "inst/orders/_manifests/");
}

TEST_F(ManifestTest, WritesEachCompleteWindowOnceWithItsCommittedObjects) {
  Put(0, 0, 0, 3);
  Put(0, 1, 0, 2);
  Put(1, 0, 3, 4, /*streamed=*/true);
  Put(2, 1, 2, 1);  // Past the mark: not complete yet.
  ManifestWriter writer(&store_, location_, {"w1"});
  // Partition 1 has no mark yet: nothing is complete.
  auto none = writer.Run({Progress(0, 7, k20h + 2 * kWindow), Progress(1, 2, std::nullopt)}, k20h);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
  std::vector<PartitionProgress> progress = {Progress(0, 7, k20h + 2 * kWindow),
                                             Progress(1, 2, k20h + 2 * kWindow)};
  auto wrote = writer.Run(progress, k20h + 3 * kWindow);
  ASSERT_TRUE(wrote.ok()) << wrote.status().ToString();
  EXPECT_EQ(*wrote, 2);
  EXPECT_EQ(writer.next_window(), k20h + 2 * kWindow);
  auto manifests = ListManifests(&store_, location_, k20h, k20h + 3'600'000);
  ASSERT_TRUE(manifests.ok()) << manifests.status().ToString();
  ASSERT_EQ(manifests->size(), 2u);
  const Manifest& w0 = (*manifests)[0];
  EXPECT_EQ(w0.window_start_ms, k20h);
  ASSERT_EQ(w0.objects.size(), 2u);
  EXPECT_EQ(w0.objects[0].last_offset, 2);
  EXPECT_EQ(w0.committed_offsets.at(1), 2);
  // The streamed object's range was read from the object itself.
  const Manifest& w1 = (*manifests)[1];
  ASSERT_EQ(w1.objects.size(), 1u);
  EXPECT_EQ(w1.objects[0].first_offset, 3);
  EXPECT_EQ(w1.objects[0].last_offset, 6);
  EXPECT_EQ(w1.objects[0].records, 4u);
  // Run again, or by another worker: nothing new, nothing rewritten.
  EXPECT_EQ(writer.Run(progress, k20h + 3 * kWindow).value(), 0);
  ManifestWriter other(&store_, location_, {"w2"});
  EXPECT_EQ(other.Run(progress, k20h + 3 * kWindow).value(), 0);
  EXPECT_EQ(other.next_window(), k20h + 2 * kWindow);
}

TEST_F(ManifestTest, UncommittedObjectsAreLeftOutAndEmptyPartitionsDoNotHoldBack) {
  Put(0, 0, 0, 3);
  Put(0, 0, 3, 1);  // Uploaded, not committed (committed offset is 3).
  ManifestWriter writer(&store_, location_, {"w1"});
  std::vector<PartitionProgress> progress = {
      Progress(0, 3, k20h + kWindow), PartitionProgress{1, std::nullopt, std::nullopt, true}};
  ASSERT_EQ(writer.Run(progress, k20h + kWindow).value(), 1);
  auto manifests = ListManifests(&store_, location_, k20h, k20h + kWindow);
  ASSERT_TRUE(manifests.ok());
  ASSERT_EQ(manifests->size(), 1u);
  ASSERT_EQ((*manifests)[0].objects.size(), 1u);
  EXPECT_EQ((*manifests)[0].objects[0].first_offset, 0);
}

TEST_F(ManifestTest, ReadsBackWhatItWritesAndRefusesOtherJson) {
  Manifest m;
  m.instance = "inst";
  m.topic = "orders";
  m.window_start_ms = k20h;
  m.window_ms = kWindow;
  m.committed_offsets = {{0, 10}, {3, 7}};
  ArchivedObject o;
  o.key = ObjectKey{"k"};
  o.partition = 3;
  o.first_offset = 5;
  o.last_offset = 6;
  o.records = 2;
  o.size = 99;
  o.format = "avro";
  m.objects.push_back(o);
  auto back = ManifestFromJson(ManifestToJson(m));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->committed_offsets, m.committed_offsets);
  ASSERT_EQ(back->objects.size(), 1u);
  EXPECT_EQ(back->objects[0].records, 2u);
  EXPECT_THAT(ManifestFromJson("{}").status().message(), HasSubstr("version"));
  EXPECT_FALSE(ManifestFromJson("[1,2").ok());
}

}  // namespace
}  // namespace k2c
