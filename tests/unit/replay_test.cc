// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "archive/replay.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>

#include "format/format.h"
#include "sink/object_range.h"
#include "storage/memory_store.h"

namespace k2c {
namespace {

constexpr int64_t kWindow = 5 * 60'000;
constexpr int64_t k20h = 1764100800000;

// Records what a Kafka transaction would make visible: only committed
// batches, and the checkpoint committed with them. Fails on request.
class RecordingSink final : public ReplaySink {
 public:
  struct Produced {
    int32_t partition;
    int64_t timestamp;
    std::optional<std::string> key, value;
    std::vector<DecodedHeader> headers;
    bool operator==(const Produced&) const = default;
  };
  Status Begin() override {
    EXPECT_FALSE(open_);
    open_ = true;
    return Status::Ok();
  }
  Status Produce(int32_t partition, const RecordView& r) override {
    EXPECT_TRUE(open_);
    if (fail_after_ >= 0 && produced_calls_++ >= fail_after_) {
      return Status::Unavailable("killed by the test");
    }
    Produced p{partition, r.timestamp_ms, std::nullopt, std::nullopt, {}};
    if (r.key) p.key = std::string(*r.key);
    if (r.value) p.value = std::string(*r.value);
    for (const HeaderView& h : r.headers) {
      p.headers.push_back(
          {std::string(h.key),
           h.value ? std::optional<std::string>(std::string(*h.value)) : std::nullopt});
    }
    pending_.push_back(std::move(p));
    return Status::Ok();
  }
  Status Commit(const std::string& checkpoint) override {
    for (auto& p : pending_) committed_.push_back(std::move(p));
    pending_.clear();
    checkpoint_ = checkpoint;
    open_ = false;
    return Status::Ok();
  }
  // A new instance after a crash: the open transaction is aborted.
  void Crash() {
    pending_.clear();
    open_ = false;
    fail_after_ = -1;
  }

  std::vector<Produced> committed_;
  std::vector<Produced> pending_;
  std::string checkpoint_;
  int fail_after_ = -1;
  int produced_calls_ = 0;
  bool open_ = false;
};

class ReplayTest : public ::testing::Test {
 protected:
  ReplayTest() {
    store_.CreateBucket(Bucket{"b"});
    location_.bucket = Bucket{"b"};
    location_.key_template = KeyTemplate::Parse(kDefaultKeyTemplate).value();
    location_.constants = KeyConstants{"inst", "orders", ""};
    location_.window_ms = kWindow;
    archive_ = std::make_unique<StoreArchive>(&store_, location_, "\n");
  }

  // `pad` bytes are added to every value.
  void Put(const std::string& format, int window, int32_t partition, int64_t first, int count,
           size_t pad = 0) {
    FormatSettings settings;
    settings.format = format;
    auto made = MakeFormat(settings).value();
    auto writer = made->NewWriter(ObjectContext{"orders", partition}).value();
    std::string body;
    for (int i = 0; i < count; ++i) {
      keys_.push_back("k" + std::to_string(partition) + "-" + std::to_string(first + i));
      values_.push_back(i % 4 == 3 ? std::nullopt
                                   : std::optional<std::string>("v" + std::to_string(first + i) +
                                                                std::string(pad, 'x')));
      const HeaderView headers[] = {{"h", std::string_view("\x00\x01", 2)}, {"h", std::nullopt}};
      RecordView r;
      r.partition = partition;
      r.offset = first + i;
      r.timestamp_ms = k20h + window * kWindow + i;
      r.timestamp_type = TimestampType::kCreate;
      r.key = keys_.back();
      if (values_.back()) r.value = *values_.back();
      r.headers = headers;
      bool kept = false;
      ASSERT_TRUE(writer->Append(r, &body, &kept).ok());
      if (!kept) continue;
      expected_.push_back({partition,
                           r.timestamp_ms,
                           keys_.back(),
                           values_.back(),
                           {{"h", std::string("\x00\x01", 2)}, {"h", std::nullopt}}});
    }
    ASSERT_TRUE(writer->Finish(&body).ok());
    KeyFields f{"inst", "orders", "", partition, first, k20h + window * kWindow, made->extension()};
    ObjectRange range{first, first + count - 1, static_cast<uint64_t>(count), "w"};
    ASSERT_TRUE(store_
                    .PutObject(Bucket{"b"}, ObjectKey{location_.key_template.Render(f)}, body,
                               WriteOptions{false, range.ToMetadata()})
                    .ok());
  }

  std::vector<ArchivedObject> Objects() { return archive_->List(ArchiveQuery{}).value(); }

  // Partitions are produced interleaved: the order that matters is each one's.
  static std::map<int32_t, std::vector<RecordingSink::Produced>> ByPartition(
      const std::vector<RecordingSink::Produced>& produced) {
    std::map<int32_t, std::vector<RecordingSink::Produced>> out;
    for (const auto& p : produced) out[p.partition].push_back(p);
    return out;
  }

  MemoryStore store_;
  ArchiveLocation location_;
  std::unique_ptr<StoreArchive> archive_;
  std::deque<std::string> keys_;
  std::deque<std::optional<std::string>> values_;
  std::vector<RecordingSink::Produced> expected_;
};

TEST_F(ReplayTest, EveryRecordOnceInOrderWithKeysHeadersTombstonesAndTimestamps) {
  Put("jsonl", 0, 0, 0, 7);
  Put("avro", 1, 0, 7, 5);
  Put("parquet", 0, 1, 0, 6);
  RecordingSink sink;
  ReplayOptions options;
  options.batch_records = 4;
  auto stats = ReplayObjects(*archive_, Objects(), {}, sink, options);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(ByPartition(sink.committed_), ByPartition(expected_));
  EXPECT_EQ(stats->records, 18u);
  EXPECT_GE(stats->transactions, 5u);
  auto done = DecodeReplayCheckpoint(sink.checkpoint_);
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(done->done);
  EXPECT_EQ(done->next_offsets.at(0), 12);
  EXPECT_EQ(done->next_offsets.at(1), 6);
}

TEST_F(ReplayTest, ACrashedReplayGoesOnFromItsCheckpointWithoutDuplicates) {
  Put("jsonl", 0, 0, 0, 9);
  Put("parquet", 1, 0, 9, 9);
  Put("avro", 0, 2, 100, 9);
  ReplayOptions options;
  options.batch_records = 4;
  for (int crash_at : {0, 3, 5, 10, 17, 26}) {
    RecordingSink sink;
    sink.fail_after_ = crash_at;
    auto first = ReplayObjects(*archive_, Objects(), {}, sink, options);
    ASSERT_FALSE(first.ok());
    sink.Crash();
    ReplayCheckpoint from;
    if (!sink.checkpoint_.empty()) from = DecodeReplayCheckpoint(sink.checkpoint_).value();
    auto second = ReplayObjects(*archive_, Objects(), from, sink, options);
    ASSERT_TRUE(second.ok()) << second.status().ToString();
    EXPECT_EQ(sink.committed_.size(), expected_.size()) << "crash after " << crash_at;
    EXPECT_EQ(ByPartition(sink.committed_), ByPartition(expected_)) << "crash after " << crash_at;
  }
}

TEST_F(ReplayTest, RecordsReadAheadOfTheProducerArriveWholeAndInOrder) {
  // 4 objects of ~10 MiB: several read-ahead batches per object, and more
  // than the read-ahead holds, so the reading side waits for the producing one.
  for (int32_t partition : {0, 1}) {
    Put("avro", 0, partition, 0, 2500, 4096);
    Put("jsonl", 1, partition, 2500, 2500, 4096);
  }
  RecordingSink sink;
  auto stats = ReplayObjects(*archive_, Objects(), {}, sink, ReplayOptions{});
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->records, 10'000u);
  // Not EXPECT_EQ: 40 MiB of diff on failure.
  EXPECT_TRUE(ByPartition(sink.committed_) == ByPartition(expected_));
  // Both partitions were read at once and produced in turn.
  const auto first_of_1 =
      std::find_if(sink.committed_.begin(), sink.committed_.end(),
                   [](const RecordingSink::Produced& p) { return p.partition == 1; });
  const auto last_of_0 =
      std::find_if(sink.committed_.rbegin(), sink.committed_.rend(),
                   [](const RecordingSink::Produced& p) { return p.partition == 0; });
  EXPECT_LT(first_of_1 - sink.committed_.begin(), sink.committed_.rend() - last_of_0 - 1);
}

TEST_F(ReplayTest, AnUnreadableObjectStopsTheReplayAfterTheRecordsBeforeIt) {
  Put("jsonl", 0, 0, 0, 6);
  Put("avro", 1, 0, 6, 5);
  const std::vector<ArchivedObject> objects = Objects();
  ASSERT_EQ(objects.size(), 2u);
  ASSERT_TRUE(store_
                  .PutObject(Bucket{"b"}, ObjectKey{objects[1].key}, "not avro at all",
                             WriteOptions{false, {}})
                  .ok());
  RecordingSink sink;
  ReplayOptions options;
  options.batch_records = 4;
  auto stats = ReplayObjects(*archive_, objects, {}, sink, options);
  ASSERT_FALSE(stats.ok());
  ASSERT_EQ(sink.committed_.size(), 4u);  // The first transaction; the open one is not committed.
  EXPECT_TRUE(std::equal(sink.committed_.begin(), sink.committed_.end(), expected_.begin()));
  EXPECT_EQ(DecodeReplayCheckpoint(sink.checkpoint_).value().next_offsets.at(0), 4);
}

TEST_F(ReplayTest, CheckpointsRoundTripAndForeignTextIsRefused) {
  ReplayCheckpoint c;
  c.next_offsets = {{0, 5}, {7, 1 << 30}};
  c.done = true;
  auto back = DecodeReplayCheckpoint(EncodeReplayCheckpoint(c));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->next_offsets, c.next_offsets);
  EXPECT_TRUE(back->done);
  EXPECT_FALSE(DecodeReplayCheckpoint("{}").ok());
  EXPECT_FALSE(
      DecodeReplayCheckpoint("{\"version\":1,\"next_offsets\":{\"x\":1},\"done\":false}").ok());
}

}  // namespace
}  // namespace k2c
