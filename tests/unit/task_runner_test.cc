// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "sink/task_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <map>
#include <set>
#include <thread>

#include "sink/commit_mark.h"
#include "storage/memory_store.h"

namespace k2c {
namespace {

constexpr int64_t kWindow = 10'000;
constexpr int64_t kT0 = 1'764'103'500'000;

// A scripted Kafka: per-partition logs, a committed offset per partition,
// pause flags, and an optional revoke to deliver on the next poll.
class FakeSource final : public RecordSource {
 public:
  struct Rec {
    int64_t ts;
    std::optional<std::string> value;
    std::vector<HeaderView> headers;  // Views of strings the test keeps.
  };

  void AddEmptyPartition(int32_t p) { logs_[p]; }
  void Append(int32_t p, int64_t ts, std::optional<std::string> value,
              std::vector<HeaderView> headers = {}) {
    logs_[p].push_back(Rec{ts, std::move(value), std::move(headers)});
  }

  Status Poll(std::chrono::milliseconds, RecordSourceListener* listener) override {
    if (!assigned_) {
      std::vector<int32_t> parts;
      for (auto& [p, log] : logs_) parts.push_back(p), position_[p] = committed(p);
      listener->OnAssigned(parts);
      assigned_ = true;
    }
    if (!revoke_.empty()) {
      // Like librdkafka, a revoke leaves the partitions' pause flags as they
      // were (librdkafka issue 1849).
      listener->OnRevoked(revoke_, revoke_lost_);
      for (int32_t p : revoke_) position_.erase(p);
      if (reassign_) {
        for (int32_t p : revoke_) position_[p] = committed(p);
        listener->OnAssigned(revoke_);
      }
      revoke_.clear();
    }
    for (auto& [p, log] : logs_) {
      if (!position_.count(p) || paused_.count(p)) continue;
      int64_t& pos = position_[p];
      if (pos >= static_cast<int64_t>(log.size())) {
        listener->OnPartitionEof(p, pos);
        continue;
      }
      const Rec& rec = log[pos];
      RecordView view;
      view.partition = p;
      view.offset = pos;
      view.timestamp_ms = rec.ts;
      if (rec.value) view.value = *rec.value;
      view.headers = rec.headers;
      ++pos;
      listener->OnRecord(view);
    }
    return Status::Ok();
  }

  using RecordSource::Commit;
  Status Commit(const std::vector<OffsetCommit>& commits) override {
    if (fail_commits_) return Status::Unavailable("commit refused by test");
    largest_commit_ = std::max(largest_commit_, commits.size());
    for (const OffsetCommit& c : commits) {
      EXPECT_GE(c.next_offset, committed(c.partition)) << "commits must never go backwards";
      // A mark commit repeats the offset; only offset changes count.
      if (c.next_offset != committed(c.partition)) ++commit_calls_;
      commits_[c.partition] = c.next_offset;
      metadata_[c.partition] = c.metadata;
    }
    return Status::Ok();
  }
  // The metadata last committed for `p` ("" if none).
  std::string metadata(int32_t p) const {
    auto it = metadata_.find(p);
    return it == metadata_.end() ? "" : it->second;
  }
  Status Pause(int32_t p) override {
    paused_.insert(p);
    ++pauses_;
    return Status::Ok();
  }
  Status Resume(int32_t p) override {
    paused_.erase(p);
    return Status::Ok();
  }

  Status SeekToCommitted(int32_t p) override {
    position_[p] = committed(p);
    ++seeks_;
    return Status::Ok();
  }
  Status Seek(int32_t p, int64_t offset) override {
    position_[p] = offset;
    ++seeks_;
    return Status::Ok();
  }
  bool AssignmentLost() const override { return assignment_lost_.load(); }

  std::map<int32_t, std::string> metadata_;
  int64_t committed(int32_t p) const {
    auto it = commits_.find(p);
    return it == commits_.end() ? 0 : it->second;
  }
  void Revoke(std::vector<int32_t> parts) { revoke_ = std::move(parts); }
  // On the next poll, takes `parts` away (lost: the group moved on without
  // this consumer) and hands them back at once, as after a session timeout.
  void LoseAndReassign(std::vector<int32_t> parts) {
    revoke_ = std::move(parts);
    revoke_lost_ = true;
    reassign_ = true;
  }
  // Forgets the consumer position, as a restarted worker would.
  void Restart() {
    assigned_ = false;
    position_.clear();
    paused_.clear();
  }

  std::map<int32_t, std::vector<Rec>> logs_;
  std::map<int32_t, int64_t> position_;
  std::map<int32_t, int64_t> commits_;
  std::set<int32_t> paused_;
  std::vector<int32_t> revoke_;
  bool revoke_lost_ = false;
  bool reassign_ = false;
  bool assigned_ = false;
  bool fail_commits_ = false;
  std::atomic<bool> assignment_lost_{false};  // Read from upload threads.
  int commit_calls_ = 0;
  size_t largest_commit_ = 0;  // Partitions in the largest Commit call.
  int pauses_ = 0;
  int seeks_ = 0;
};

class TaskRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_.CreateBucket(bucket_);
    auto format = MakeFormat(FormatSettings{});
    ASSERT_TRUE(format.ok());
    format_ = std::move(format.value());
  }

  std::unique_ptr<TaskRunner> MakeRunner(
      MemoryBudget* budget = nullptr, Spool* spool = nullptr,
      std::chrono::milliseconds finish_timeout = std::chrono::milliseconds(10'000)) {
    return MakeRunnerFor("t", bucket_, &source_, budget, spool, finish_timeout);
  }

  // A runner of topic `topic` archiving `source` into `bucket` (several
  // tasks on one pool and store).
  std::unique_ptr<TaskRunner> MakeRunnerFor(
      const std::string& topic, const Bucket& bucket, FakeSource* source,
      MemoryBudget* budget = nullptr, Spool* spool = nullptr,
      std::chrono::milliseconds finish_timeout = std::chrono::milliseconds(10'000)) {
    TaskSpec spec;
    spec.topic = topic;
    spec.instance = "i";
    spec.bucket = bucket;
    spec.policy.window_ms = kWindow;
    spec.policy.grace_ms = 1000;
    spec.policy.max_object_bytes = max_object_bytes_;
    spec.upload.part_size = part_size_;
    spec.upload.initial_backoff = std::chrono::milliseconds(1);
    spec.upload.max_backoff = std::chrono::milliseconds(5);
    spec.key_template = KeyTemplate::Parse(kDefaultKeyTemplate).value();
    spec.finish_timeout = finish_timeout;
    return std::make_unique<TaskRunner>(
        std::move(spec), source, format_.get(), &store_, &pool_, [this] { return now_; }, budget,
        spool);
  }

  // Steps until `done` holds or a bound is hit (uploads run on the pool).
  template <typename Pred>
  void StepUntil(TaskRunner& runner, Pred done) {
    for (int i = 0; i < 2000 && !done(); ++i) {
      runner.Step(std::chrono::milliseconds(0));
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_TRUE(done());
  }

  // Lets "another writer" publish `body` with `metadata` first, at the key
  // of this runner's next publish (once).
  void PublishFirstAtNextKey(std::string body, ObjectMetadata metadata) {
    auto raced = std::make_shared<bool>(false);
    store_.set_before_publish([this, raced, body, metadata](const ObjectKey& key) {
      if (std::exchange(*raced, true)) return;  // The hook runs for its own put too.
      WriteOptions other;
      other.metadata = metadata;
      ASSERT_TRUE(store_.PutObject(bucket_, key, body, other).ok());
    });
  }

  // Every record value of the bucket, by line, counted.
  std::map<std::string, int> ArchivedLines() {
    std::map<std::string, int> lines;
    for (const auto& [key, body] : store_.Objects(bucket_)) {
      size_t start = 0;
      while (start < body.size()) {
        const size_t nl = body.find('\n', start);
        ++lines[body.substr(start, nl - start)];
        start = nl + 1;
      }
    }
    return lines;
  }

  Bucket bucket_{"b"};
  MemoryStore store_;
  FakeSource source_;
  std::unique_ptr<Format> format_;
  UploadPool pool_{"test-upload", 2};
  int64_t now_ = kT0;
  uint64_t part_size_ = 16ull << 20;  // Default: windows in these tests never stream.
  uint64_t max_object_bytes_ = 1 << 20;
};

TEST_F(TaskRunnerTest, CommitsOnlyAfterObjectIsDurableAndInOrder) {
  for (int i = 0; i < 5; ++i) source_.Append(0, kT0 + i, "w0-" + std::to_string(i));
  for (int i = 0; i < 3; ++i) source_.Append(0, kT0 + kWindow + i, "w1-" + std::to_string(i));
  source_.Append(0, kT0 + 2 * kWindow, "w2-0");
  store_.FailCalls(Status::Unavailable("injected 503"), 3);
  auto runner = MakeRunner();
  StepUntil(*runner, [&] { return source_.committed(0) == 8; });
  auto objects = store_.Objects(bucket_);
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(objects.begin()->second, "w0-0\nw0-1\nw0-2\nw0-3\nw0-4\n");
  EXPECT_EQ(objects.begin()->first, "i/t/20251125T204500Z_p0_o00000000000000000000.txt");
  EXPECT_EQ(std::next(objects.begin())->first, "i/t/20251125T204510Z_p0_o00000000000000000005.txt");
  // The third window is open: its record is not committed.
  EXPECT_EQ(runner->stats().records_archived, 8u);
  EXPECT_EQ(runner->stats().upload_failures, 3u);
  EXPECT_NE(runner->stats().last_error.find("injected 503"), std::string::npos);
}

TEST_F(TaskRunnerTest, NothingCommittedWhileStorageFails) {
  source_.Append(0, kT0, "a");
  source_.Append(0, kT0 + kWindow, "b");
  store_.FailCalls(Status::PermissionDenied("access revoked"), -1);
  auto runner = MakeRunner();
  for (int i = 0; i < 50; ++i) {
    runner->Step(std::chrono::milliseconds(0));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(source_.commit_calls_, 0);
  EXPECT_GT(runner->stats().upload_failures, 0u);
  store_.FailCalls(Status::Ok(), 0);  // Access restored: resumes by itself.
  StepUntil(*runner, [&] { return source_.committed(0) == 1; });
  EXPECT_EQ(ArchivedLines()["a"], 1);
}

TEST_F(TaskRunnerTest, ATaskWhoseBucketIsGoneDoesNotStallAnotherOnTheSamePool) {
  // Task B: 8 partitions, each with a closed window, into a bucket that does
  // not exist (deleted while it ran): every upload fails and is retried.
  // When retries waited inside pool jobs, B's eight uploads held both pool
  // threads for good and task A never got a turn (issue 10, section 3).
  FakeSource broken_source;
  for (int32_t p = 0; p < 8; ++p) {
    broken_source.Append(p, kT0, "b" + std::to_string(p));
    broken_source.Append(p, kT0 + kWindow, "next");
  }
  auto b = MakeRunnerFor("tb", Bucket{"deleted"}, &broken_source);
  for (int i = 0; i < 20; ++i) {
    b->Step(std::chrono::milliseconds(0));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_GE(b->stats().upload_failures, 8u);
  for (int i = 0; i < 100; ++i) source_.Append(0, kT0 + i, "a" + std::to_string(i));
  source_.Append(0, kT0 + kWindow, "a-next");
  auto a = MakeRunner();
  StepUntil(*a, [&] {
    b->Step(std::chrono::milliseconds(0));
    return source_.committed(0) == 100;
  });
  EXPECT_EQ(ArchivedLines()["a99"], 1);
  EXPECT_EQ(broken_source.commit_calls_, 0);
  // B heals by itself once its bucket is back.
  store_.CreateBucket(Bucket{"deleted"});
  StepUntil(*b, [&] { return broken_source.commit_calls_ == 8; });
  b->Shutdown();
}

TEST_F(TaskRunnerTest, AnObjectTheStoreRefusesBlocksItsPartitionUntilResumed) {
  for (int i = 0; i < 3; ++i) source_.Append(0, kT0 + i, "p0-" + std::to_string(i));
  source_.Append(0, kT0 + kWindow, "p0-next");
  source_.Append(1, kT0, "p1");
  source_.Append(1, kT0 + kWindow, "p1-next");
  auto runner = MakeRunner();
  // The first publish is refused as such (say, a key too long for the store).
  store_.FailCalls(Status::InvalidArgument("KeyTooLongError"), 1);
  StepUntil(*runner, [&] { return !runner->stats().blocked_partitions.empty(); });
  const int32_t blocked = runner->stats().blocked_partitions[0];
  const int32_t healthy = 1 - blocked;
  const auto full = [](int32_t p) { return p == 0 ? 3 : 1; };
  // The other partition goes on.
  StepUntil(*runner, [&] { return source_.committed(healthy) == full(healthy); });
  const TaskStats stats = runner->stats();
  ASSERT_EQ(stats.blocked_partitions, std::vector<int32_t>{blocked});
  EXPECT_NE(stats.blocked_reason.find("KeyTooLongError"), std::string::npos);
  // Not retried: the blocked partition holds its offsets and fetches nothing.
  for (int i = 0; i < 50; ++i) {
    runner->Step(std::chrono::milliseconds(0));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(source_.committed(blocked), 0);
  EXPECT_EQ(runner->stats().upload_failures, 0u);  // No attempt was retried.
  EXPECT_EQ(runner->stats().errors_by_kind.at("InvalidArgument"), 1u);
  EXPECT_TRUE(source_.paused_.count(blocked));
  // Resuming is the operator's "try again" (after fixing the setting).
  runner->SetPaused(true);
  runner->SetPaused(false);
  StepUntil(*runner, [&] { return source_.committed(blocked) == full(blocked); });
  EXPECT_TRUE(runner->stats().blocked_partitions.empty());
  EXPECT_EQ(ArchivedLines()["p0-2"], 1);
  EXPECT_EQ(ArchivedLines()["p1"], 1);
}

TEST_F(TaskRunnerTest, NothingIsPublishedOnceTheConsumersAssignmentIsLost) {
  source_.Append(0, kT0, "a");
  source_.Append(0, kT0 + kWindow, "b");
  // The session expired (a freeze) and librdkafka knows, but the revoke has
  // not reached the task yet: its upload must not publish.
  source_.assignment_lost_ = true;
  auto runner = MakeRunner();
  for (int i = 0; i < 50; ++i) {
    runner->Step(std::chrono::milliseconds(0));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_TRUE(store_.Objects(bucket_).empty());
  EXPECT_EQ(store_.publishes(), 0);
  EXPECT_EQ(source_.commit_calls_, 0);
  // Then the revoke arrives and the partition comes back: archived once.
  source_.assignment_lost_ = false;
  source_.LoseAndReassign({0});
  StepUntil(*runner, [&] { return source_.committed(0) == 1; });
  EXPECT_EQ(ArchivedLines()["a"], 1);
}

TEST_F(TaskRunnerTest, IdlePartitionPublishesAfterWindowEndPlusGrace) {
  source_.Append(0, kT0 + 5, "quiet");
  auto runner = MakeRunner();
  for (int i = 0; i < 5; ++i) runner->Step(std::chrono::milliseconds(0));
  now_ = kT0 + kWindow + 999;
  runner->Step(std::chrono::milliseconds(0));
  EXPECT_TRUE(store_.Objects(bucket_).empty());
  now_ = kT0 + kWindow + 1000;
  StepUntil(*runner, [&] { return source_.committed(0) == 1; });
  EXPECT_EQ(ArchivedLines()["quiet"], 1);
}

TEST_F(TaskRunnerTest, IdleMarksOfManyPartitionsAreCommittedInBoundedRequests) {
  // The group coordinator stores one commit as one record batch: 8,000
  // partitions' marks in one request were refused. 2,500 idle partitions get
  // their marks in requests of at most 1,000.
  for (int32_t p = 0; p < 2500; ++p) source_.AddEmptyPartition(p);
  now_ = kT0 + 3 * kWindow;
  auto runner = MakeRunner();
  StepUntil(*runner,
            [&] { return !source_.metadata(0).empty() && !source_.metadata(2499).empty(); });
  EXPECT_LE(source_.largest_commit_, 1000u);
  for (int32_t p = 0; p < 2500; ++p) {
    ASSERT_TRUE(DecodeCommitMark(source_.metadata(p)).has_value()) << p;
  }
}

TEST_F(TaskRunnerTest, NullOnlyWindowCommitsWithoutAnObject) {
  source_.Append(0, kT0, std::nullopt);
  source_.Append(0, kT0 + 1, std::nullopt);
  source_.Append(0, kT0 + kWindow, "next");
  auto runner = MakeRunner();
  StepUntil(*runner, [&] { return source_.committed(0) == 2; });
  EXPECT_TRUE(store_.Objects(bucket_).empty());
  EXPECT_EQ(runner->stats().nulls_skipped, 2u);
}

TEST_F(TaskRunnerTest, BackpressurePausesPartitionWhileObjectsQueue) {
  // Slow storage: objects of several windows pile up behind the first.
  store_.FailCalls(Status::Unavailable("slow"), 20);
  for (int w = 0; w < 6; ++w) source_.Append(0, kT0 + w * kWindow, "r" + std::to_string(w));
  auto runner = MakeRunner();
  StepUntil(*runner, [&] { return source_.committed(0) == 5; });
  EXPECT_GT(source_.pauses_, 0);
  EXPECT_TRUE(source_.paused_.empty());
  EXPECT_EQ(ArchivedLines().size(), 5u);
}

TEST_F(TaskRunnerTest, CommitFailureBlocksTheNextUpload) {
  for (int w = 0; w < 4; ++w) source_.Append(0, kT0 + w * kWindow, "r" + std::to_string(w));
  source_.fail_commits_ = true;
  auto runner = MakeRunner();
  for (int i = 0; i < 200; ++i) {
    runner->Step(std::chrono::milliseconds(0));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  // Exactly one object may be durable but uncommitted.
  EXPECT_EQ(store_.Objects(bucket_).size(), 1u);
  EXPECT_EQ(runner->uncommitted_objects(), 1u);
  // Counted as what they are (issue 11: commit failures were upload failures).
  EXPECT_GT(runner->stats().commit_failures, 0u);
  EXPECT_EQ(runner->stats().upload_failures, 0u);
  source_.fail_commits_ = false;
  StepUntil(*runner, [&] { return source_.committed(0) == 3; });
}

TEST_F(TaskRunnerTest, CrashAfterUploadBeforeCommitRewritesSameKeyNoDuplicates) {
  for (int i = 0; i < 4; ++i) source_.Append(0, kT0 + i, "a" + std::to_string(i));
  source_.Append(0, kT0 + kWindow, "b0");
  source_.fail_commits_ = true;
  {
    auto runner = MakeRunner();
    StepUntil(*runner, [&] { return store_.Objects(bucket_).size() == 1; });
    // Commits still fail while this runner shuts down, so it ends like a
    // kill -9 after the upload: object durable, offsets not committed.
  }
  EXPECT_EQ(source_.commit_calls_, 0);
  source_.fail_commits_ = false;
  source_.Restart();
  auto runner = MakeRunner();
  StepUntil(*runner, [&] { return source_.committed(0) == 4; });
  auto lines = ArchivedLines();
  EXPECT_EQ(store_.Objects(bucket_).size(), 1u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(lines["a" + std::to_string(i)], 1);
}

TEST_F(TaskRunnerTest, RevokeCommitsFinishedUploadAndDropsOpenWindow) {
  source_.Append(0, kT0, "a");
  source_.Append(0, kT0 + kWindow, "b");
  source_.Append(1, kT0, "c");
  auto runner = MakeRunner();
  StepUntil(*runner, [&] { return source_.committed(0) == 1; });
  source_.Revoke({0});
  runner->Step(std::chrono::milliseconds(0));
  EXPECT_EQ(source_.committed(0), 1) << "open window 'b' is left for the next owner";
  runner->Shutdown();
  EXPECT_EQ(source_.committed(1), 0);
  EXPECT_EQ(runner->uncommitted_objects(), 0u);
}

TEST_F(TaskRunnerTest, PauseCommitsWhatIsDurableAndResumeRereadsTheRest) {
  for (int i = 0; i < 3; ++i) source_.Append(0, kT0 + i, "a" + std::to_string(i));
  source_.Append(0, kT0 + kWindow, "b0");
  auto runner = MakeRunner();
  StepUntil(*runner, [&] { return source_.committed(0) == 3; });
  runner->SetPaused(true);
  EXPECT_TRUE(runner->paused());
  EXPECT_TRUE(source_.paused_.count(0));
  source_.Append(0, kT0 + kWindow + 1, "b1");
  for (int i = 0; i < 20; ++i) runner->Step(std::chrono::milliseconds(0));
  EXPECT_EQ(source_.committed(0), 3) << "the open window 'b0' was dropped, not committed";
  EXPECT_EQ(store_.Objects(bucket_).size(), 1u);
  runner->SetPaused(false);
  EXPECT_EQ(source_.seeks_, 1);
  source_.Append(0, kT0 + 2 * kWindow, "c0");
  StepUntil(*runner, [&] { return source_.committed(0) == 5; });
  auto lines = ArchivedLines();
  EXPECT_EQ(lines["b0"], 1);
  EXPECT_EQ(lines["b1"], 1);
  EXPECT_EQ(lines["a0"], 1);
}

TEST_F(TaskRunnerTest, ShutdownWaitsOneDeadlineForAllStuckUploadsNotOnePerPartition) {
  UploadPool pool("stuck", 8);
  store_.FailCalls(Status::Unavailable("store down"), -1);
  for (int p = 0; p < 8; ++p) {
    source_.Append(p, kT0, "a");
    source_.Append(p, kT0 + kWindow, "b");
  }
  TaskSpec spec;
  spec.topic = "t";
  spec.instance = "i";
  spec.bucket = bucket_;
  spec.policy.window_ms = kWindow;
  spec.upload.initial_backoff = std::chrono::milliseconds(1);
  spec.upload.max_backoff = std::chrono::milliseconds(5);
  spec.key_template = KeyTemplate::Parse(kDefaultKeyTemplate).value();
  spec.finish_timeout = std::chrono::milliseconds(500);
  TaskRunner runner(std::move(spec), &source_, format_.get(), &store_, &pool,
                    [this] { return now_; });
  for (int i = 0; i < 10; ++i) runner.Step(std::chrono::milliseconds(0));
  ASSERT_EQ(runner.uncommitted_objects(), 8u);
  const auto start = std::chrono::steady_clock::now();
  runner.Shutdown();
  const auto took = std::chrono::steady_clock::now() - start;
  // One shared 0.5 s deadline; one per partition would take 4 s.
  EXPECT_LT(took, std::chrono::milliseconds(2500));
  EXPECT_EQ(source_.commit_calls_, 0);
  store_.FailCalls(Status::Ok(), 0);
  EXPECT_TRUE(store_.Objects(bucket_).empty());
}

TEST_F(TaskRunnerTest, ManyOpenWindowsSpillToStayWithinTheBudget) {
  MemoryBudget budget(256 << 10);
  Spool spool(::testing::TempDir(), 1ull << 30);
  const std::string value(1000, 'v');
  for (int p = 0; p < 50; ++p) {
    for (int i = 0; i < 100; ++i) source_.Append(p, kT0 + i, value + std::to_string(i));
  }
  auto runner = MakeRunner(&budget, &spool);
  for (int i = 0; i < 120; ++i) runner->Step(std::chrono::milliseconds(0));
  // 50 open windows of ~100 KB each: 5 MB without spilling.
  EXPECT_GT(spool.used(), 4u << 20);
  EXPECT_LT(budget.peak(), 1u << 20);
  now_ = kT0 + 2 * kWindow + 1000;
  StepUntil(*runner, [&] {
    for (int p = 0; p < 50; ++p) {
      if (source_.committed(p) != 100) return false;
    }
    return true;
  });
  EXPECT_EQ(store_.Objects(bucket_).size(), 50u);
  for (const auto& [line, count] : ArchivedLines()) ASSERT_EQ(count, 50) << line;
  runner->Shutdown();
  EXPECT_EQ(budget.used(), 0u);
  EXPECT_EQ(spool.used(), 0u);
}

TEST_F(TaskRunnerTest, FullSpoolPausesFetchingUntilObjectsDrain) {
  MemoryBudget budget(64 << 10);
  Spool spool(::testing::TempDir(), 32 << 10);
  const std::string value(1000, 'v');
  for (int p = 0; p < 4; ++p) {
    for (int i = 0; i < 200; ++i) source_.Append(p, kT0 + i, value);
  }
  auto runner = MakeRunner(&budget, &spool);
  for (int i = 0; i < 300 && !runner->memory_paused(); ++i) {
    runner->Step(std::chrono::milliseconds(0));
  }
  ASSERT_TRUE(runner->memory_paused());
  EXPECT_EQ(source_.paused_.size(), 4u) << "every partition stops fetching";
  const int64_t delivered = source_.position_[0];
  for (int i = 0; i < 20; ++i) runner->Step(std::chrono::milliseconds(0));
  EXPECT_EQ(source_.position_[0], delivered) << "nothing is read while paused";
  // Paused partitions never reach their end; the timer closes their windows
  // once they have been quiet for the grace period, then uploads drain the
  // spool and fetching resumes. The wall clock moves on while it does.
  now_ = kT0 + 2 * kWindow + 1000;
  StepUntil(*runner, [&] {
    now_ += 100;
    for (int p = 0; p < 4; ++p) {
      if (source_.committed(p) != 200) return false;
    }
    return true;
  });
  EXPECT_FALSE(runner->memory_paused());
}

// Streaming: a window larger than a part uploads its parts while it is open.

TEST_F(TaskRunnerTest, OpenWindowStreamsPartsButPublishesOnlyWhenItCloses) {
  part_size_ = 10;  // Two 5-byte records ("rec-N\n" is 6) make a part.
  for (int i = 0; i < 8; ++i) source_.Append(0, kT0 + i, "rec-" + std::to_string(i));
  auto runner = MakeRunner();
  // All eight records read, window still open: parts are on their way, no
  // object is visible, nothing is committed.
  StepUntil(*runner, [&] { return store_.open_uploads() == 1 && source_.position_[0] == 8; });
  for (int i = 0; i < 20; ++i) runner->Step(std::chrono::milliseconds(0));
  EXPECT_TRUE(store_.Objects(bucket_).empty());
  EXPECT_EQ(source_.commit_calls_, 0);
  source_.Append(0, kT0 + kWindow, "next");
  StepUntil(*runner, [&] { return source_.committed(0) == 8; });
  auto objects = store_.Objects(bucket_);
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(objects.begin()->first, "i/t/20251125T204500Z_p0_o00000000000000000000.txt");
  EXPECT_EQ(objects.begin()->second, "rec-0\nrec-1\nrec-2\nrec-3\nrec-4\nrec-5\nrec-6\nrec-7\n");
  EXPECT_EQ(store_.open_uploads(), 0u);
  EXPECT_EQ(runner->stats().bytes_archived, 48u);
  EXPECT_EQ(store_.publishes(), 1);
}

TEST_F(TaskRunnerTest, StreamedWindowStillClosesAtMaxObjectBytes) {
  part_size_ = 10;
  max_object_bytes_ = 30;  // Five 6-byte records, counting the streamed parts.
  for (int i = 0; i < 12; ++i) source_.Append(0, kT0 + i, "rec-" + std::to_string(i % 10));
  source_.Append(0, kT0 + kWindow, "next");
  auto runner = MakeRunner();
  StepUntil(*runner, [&] { return source_.committed(0) == 12; });
  auto objects = store_.Objects(bucket_);
  ASSERT_EQ(objects.size(), 3u);  // 5 + 5 records by size, then 2 by the next window.
  EXPECT_EQ(objects.begin()->second.size(), 30u);
  EXPECT_EQ(std::next(objects.begin())->first, "i/t/20251125T204500Z_p0_o00000000000000000005.txt");
  EXPECT_EQ(store_.open_uploads(), 0u);
}

TEST_F(TaskRunnerTest, RevokeAbortsTheOpenWindowsStreamedUpload) {
  part_size_ = 10;
  for (int i = 0; i < 6; ++i) source_.Append(0, kT0 + i, "rec-" + std::to_string(i));
  auto runner = MakeRunner();
  StepUntil(*runner, [&] { return store_.open_uploads() == 1 && source_.position_[0] == 6; });
  source_.Revoke({0});
  runner->Step(std::chrono::milliseconds(0));
  // The abort runs on the pool once the part in progress has finished.
  for (int i = 0; i < 2000 && store_.open_uploads() != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(store_.open_uploads(), 0u);
  EXPECT_TRUE(store_.Objects(bucket_).empty());
  EXPECT_EQ(source_.commit_calls_, 0);
}

TEST_F(TaskRunnerTest, LostStreamedUploadRewindsAndArchivesEveryRecordOnce) {
  part_size_ = 10;
  for (int i = 0; i < 6; ++i) source_.Append(0, kT0 + i, "rec-" + std::to_string(i));
  auto runner = MakeRunner();
  StepUntil(*runner, [&] { return store_.open_uploads() == 1 && source_.position_[0] == 6; });
  // The upload disappears (a lifecycle rule aborted it): its next call says so.
  store_.FailCalls(Status::NotFound("NoSuchUpload: the upload was aborted"), 1);
  for (int i = 6; i < 10; ++i) source_.Append(0, kT0 + i, "rec-" + std::to_string(i));
  source_.Append(0, kT0 + kWindow, "next");
  StepUntil(*runner, [&] { return source_.committed(0) == 10; });
  EXPECT_GE(source_.seeks_, 1);  // Read again from the committed offset.
  auto lines = ArchivedLines();
  ASSERT_EQ(lines.size(), 10u);
  for (const auto& [line, count] : lines) EXPECT_EQ(count, 1) << line;
  EXPECT_EQ(store_.Objects(bucket_).size(), 1u);
  EXPECT_GE(runner->stats().errors_by_kind.at("NotFound"), 1u);
  for (int i = 0; i < 2000 && store_.open_uploads() != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(store_.open_uploads(), 0u);
}

TEST_F(TaskRunnerTest, PartFailuresAreRetriedWithoutLosingTheStream) {
  part_size_ = 10;
  store_.FailCalls(Status::Unavailable("injected 503"), 5);
  for (int i = 0; i < 10; ++i) source_.Append(0, kT0 + i, "rec-" + std::to_string(i));
  source_.Append(0, kT0 + kWindow, "next");
  auto runner = MakeRunner();
  StepUntil(*runner, [&] { return source_.committed(0) == 10; });
  EXPECT_EQ(source_.seeks_, 0);
  EXPECT_EQ(ArchivedLines().size(), 10u);
  EXPECT_EQ(runner->stats().upload_failures, 5u);
}

TEST_F(TaskRunnerTest, PartitionHeldBehindItsObjectKeepsItsWindowOpen) {
  // Window 0 cannot be uploaded yet; window 1 is sealed by window 2's first
  // record and waits behind it, so the task pauses the partition. Window 2
  // must not be cut by the timer while the task itself holds the partition.
  store_.FailCalls(Status::Unavailable("slow"), -1);
  source_.Append(0, kT0, "w0");
  source_.Append(0, kT0 + kWindow, "w1");
  source_.Append(0, kT0 + 2 * kWindow, "w2-a");
  source_.Append(0, kT0 + 2 * kWindow + 1, "w2-b");
  now_ = kT0 + 10 * kWindow;  // Every window is long past its end + grace.
  auto runner = MakeRunner();
  StepUntil(*runner, [&] { return source_.paused_.count(0) == 1; });
  now_ += 5000;  // Held for longer than the grace period.
  for (int i = 0; i < 5; ++i) runner->Step(std::chrono::milliseconds(0));
  store_.FailCalls(Status::Ok(), 0);
  StepUntil(*runner, [&] { return source_.committed(0) == 2; });
  now_ += 5000;  // Quiet for longer than the grace again: now window 2 closes.
  StepUntil(*runner, [&] { return source_.committed(0) == 4; });
  auto objects = store_.Objects(bucket_);
  ASSERT_EQ(objects.size(), 3u);
  EXPECT_EQ(std::prev(objects.end())->second, "w2-a\nw2-b\n");
}

TEST_F(TaskRunnerTest, PartitionLostWhilePausedArchivesAgainOnceReassigned) {
  // Section 0 of the chaos run: the partition is paused behind its in-flight
  // object (slow store) when the group declares it lost; it is handed back
  // with librdkafka's pause flag still set, and must start archiving again.
  store_.FailCalls(Status::Unavailable("slow"), -1);
  for (int w = 0; w < 3; ++w) source_.Append(0, kT0 + w * kWindow, "r" + std::to_string(w));
  auto runner = MakeRunner();
  StepUntil(*runner, [&] { return source_.paused_.count(0) == 1; });
  source_.LoseAndReassign({0});
  runner->Step(std::chrono::milliseconds(0));
  EXPECT_EQ(runner->uncommitted_objects(), 0u) << "nothing of the lost owner stays in flight";
  store_.FailCalls(Status::Ok(), 0);
  for (int w = 3; w < 5; ++w) source_.Append(0, kT0 + w * kWindow, "r" + std::to_string(w));
  StepUntil(*runner, [&] { return source_.committed(0) == 4; });
  auto lines = ArchivedLines();
  for (int w = 0; w < 4; ++w) EXPECT_EQ(lines["r" + std::to_string(w)], 1) << w;
}

TEST_F(TaskRunnerTest, LostPartitionCancelsItsUploadAtOnce) {
  // An orderly revoke would wait finish_timeout for a healthy upload; a lost
  // partition has a new owner already, so its upload is cancelled at once.
  store_.FailCalls(Status::Unavailable("store down"), -1);
  source_.Append(0, kT0, "a");
  source_.Append(0, kT0 + kWindow, "b");
  auto runner = MakeRunner(nullptr, nullptr, std::chrono::hours(1));
  StepUntil(*runner, [&] { return runner->uncommitted_objects() == 1; });
  source_.LoseAndReassign({0});
  runner->Step(std::chrono::milliseconds(0));  // Would block for an hour before the fix.
  EXPECT_EQ(source_.commit_calls_, 0);
  store_.FailCalls(Status::Ok(), 0);
  StepUntil(*runner, [&] { return source_.committed(0) == 1; });
  EXPECT_EQ(ArchivedLines()["a"], 1);
}

TEST_F(TaskRunnerTest, RefusedPublishAdoptsTheWinnersObjectAndReadsOnAfterIt) {
  // P7: a zombie (or a crashed earlier owner) published the same key first,
  // cut after two records. This writer must not overwrite it: it commits the
  // winner's range and archives the rest in the next object.
  for (int i = 0; i < 4; ++i) source_.Append(0, kT0 + i, "a" + std::to_string(i));
  source_.Append(0, kT0 + kWindow, "b0");
  PublishFirstAtNextKey("a0\na1\n", {{"kafka2cos-first-offset", "0"},
                                     {"kafka2cos-last-offset", "1"},
                                     {"kafka2cos-writer", "zombie"}});
  auto runner = MakeRunner();
  StepUntil(*runner, [&] { return source_.committed(0) == 4; });
  EXPECT_EQ(runner->stats().objects_adopted, 1u);
  auto lines = ArchivedLines();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(lines["a" + std::to_string(i)], 1) << i;
  EXPECT_EQ(store_.Objects(bucket_).size(), 2u);
  EXPECT_EQ(store_.Objects(bucket_).begin()->second, "a0\na1\n") << "the winner's object stays";
}

TEST_F(TaskRunnerTest, RefusedPublishWithoutALastOffsetMeasuresTheWinnersObject) {
  // A streamed winner's metadata has no last offset: the writer reads again
  // from the first offset and finds the end by the object's size.
  for (int i = 0; i < 4; ++i) source_.Append(0, kT0 + i, "a" + std::to_string(i));
  source_.Append(0, kT0 + kWindow, "b0");
  PublishFirstAtNextKey("a0\na1\na2\n", {{"kafka2cos-first-offset", "0"}});
  auto runner = MakeRunner();
  StepUntil(*runner, [&] { return source_.committed(0) == 4; });
  auto lines = ArchivedLines();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(lines["a" + std::to_string(i)], 1) << i;
}

TEST_F(TaskRunnerTest, ForeignObjectAtTheKeyBlocksThePartitionAndCommitsNothing) {
  source_.Append(0, kT0, "mine");
  for (int i = 0; i < 10; ++i) source_.Append(0, kT0 + kWindow + i, "next");
  PublishFirstAtNextKey("something much longer than one record\n", {});
  auto runner = MakeRunner();
  for (int i = 0; i < 200 && runner->stats().last_error.find("move it") == std::string::npos; ++i) {
    runner->Step(std::chrono::milliseconds(0));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_NE(runner->stats().last_error.find("FailedPrecondition"), std::string::npos);
  EXPECT_EQ(source_.commit_calls_, 0);
  EXPECT_TRUE(source_.paused_.count(0));
}

}  // namespace
}  // namespace k2c

namespace k2c {
namespace {

// The object `format` makes of values[i] at offset i of partition 0.
std::string ObjectOf(const Format& format, const std::vector<std::string>& values) {
  auto writer = format.NewWriter(ObjectContext{"t", 0}).value();
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    RecordView r;
    r.offset = static_cast<int64_t>(i);
    r.timestamp_ms = kT0 + static_cast<int64_t>(i);
    r.timestamp_type = TimestampType::kCreate;
    r.value = values[i];
    bool kept = false;
    EXPECT_TRUE(writer->Append(r, &out, &kept).ok());
  }
  EXPECT_TRUE(writer->Finish(&out).ok());
  return out;
}

TEST_F(TaskRunnerTest, AdoptedLosslessObjectWithoutALastOffsetSaysWhereItEnds) {
  // A streamed jsonl winner (no last offset in its metadata, compressed so
  // its size says nothing): the writer reads it back and commits after its
  // last record instead of measuring.
  FormatSettings settings;
  settings.format = "jsonl";
  settings.compression = "zstd";
  format_ = MakeFormat(settings).value();
  for (int i = 0; i < 4; ++i) source_.Append(0, kT0 + i, "a" + std::to_string(i));
  source_.Append(0, kT0 + kWindow, "b0");
  PublishFirstAtNextKey(ObjectOf(*format_, {"a0", "a1", "a2"}), {{"kafka2cos-first-offset", "0"}});
  auto runner = MakeRunner();
  StepUntil(*runner, [&] { return source_.committed(0) == 4; });
  EXPECT_EQ(runner->stats().objects_adopted, 1u);
  std::map<int64_t, int> offsets;
  for (const auto& [key, body] : store_.Objects(bucket_)) {
    EXPECT_NE(key.find(".jsonl.zst"), std::string::npos) << key;
    ASSERT_TRUE(format_
                    ->Read(body, ReadLimits{},
                           [&](const DecodedRecord& r) {
                             ++offsets[r.offset];
                             return Status::Ok();
                           })
                    .ok());
  }
  EXPECT_EQ(offsets, (std::map<int64_t, int>{{0, 1}, {1, 1}, {2, 1}, {3, 1}}))
      << "a3 follows the winner's a2 in the next object, once";
}

TEST_F(TaskRunnerTest, AdoptedCompressedTextObjectIsMeasuredUncompressed) {
  FormatSettings settings;
  settings.compression = "gzip";
  format_ = MakeFormat(settings).value();
  for (int i = 0; i < 4; ++i) source_.Append(0, kT0 + i, "a" + std::to_string(i));
  source_.Append(0, kT0 + kWindow, "b0");
  PublishFirstAtNextKey(ObjectOf(*format_, {"a0", "a1", "a2"}), {{"kafka2cos-first-offset", "0"}});
  auto runner = MakeRunner();
  StepUntil(*runner, [&] { return source_.committed(0) == 4; });
  std::map<std::string, int> values;
  for (const auto& [key, body] : store_.Objects(bucket_)) {
    ASSERT_TRUE(format_
                    ->Read(body, ReadLimits{},
                           [&](const DecodedRecord& r) {
                             ++values[*r.value];
                             return Status::Ok();
                           })
                    .ok());
  }
  EXPECT_EQ(values, (std::map<std::string, int>{{"a0", 1}, {"a1", 1}, {"a2", 1}, {"a3", 1}}));
}

TEST_F(TaskRunnerTest, ARecordTheFormatCannotHoldBlocksItsPartitionAndCommitsNothing) {
  FormatSettings settings;
  settings.format = "parquet";
  format_ = MakeFormat(settings).value();
  source_.Append(0, kT0, "fine");
  const std::string bad_key("\xff\xfe", 2);
  const HeaderView header{bad_key, std::nullopt};
  source_.Append(0, kT0 + 1, "bad", {header});
  auto runner = MakeRunner();
  StepUntil(*runner, [&] { return !runner->stats().blocked_partitions.empty(); });
  EXPECT_NE(runner->stats().blocked_reason.find("use format \"jsonl\""), std::string::npos)
      << runner->stats().blocked_reason;
  EXPECT_EQ(source_.commit_calls_, 0) << "the window with the good record is read again later";
  EXPECT_TRUE(store_.Objects(bucket_).empty());
}

}  // namespace
}  // namespace k2c

namespace k2c {
namespace {

// P8: every commit says before which time the partition's windows are
// complete; the manifest writer trusts it, so it must never run ahead.
TEST_F(TaskRunnerTest, CommitsMarkTheOldestWindowStillHeld) {
  for (int i = 0; i < 3; ++i) source_.Append(0, kT0 + i, "w0-" + std::to_string(i));
  source_.Append(0, kT0 + kWindow + 1, "w1-0");
  auto runner = MakeRunner();
  // Late enough that the clock does not bound the mark (see CompleteBefore).
  now_ = kT0 + 2 * kWindow + 5000;
  // w0 is sealed by the w1 record; once committed, w1 is what is held.
  StepUntil(*runner, [&] { return source_.committed(0) == 3; });
  EXPECT_EQ(DecodeCommitMark(source_.metadata(0)), WindowStartFor(kT0 + kWindow, kWindow));
}

TEST_F(TaskRunnerTest, QuietPartitionsCommitTheClocksWindowOncePerWindow) {
  source_.Append(0, kT0 + 1, "a");
  source_.Append(1, kT0 + 2, "b");
  source_.Append(2, kT0 + 3, std::nullopt);  // A null only: an empty object.
  source_.AddEmptyPartition(3);              // Empty: it still says where it stands.
  auto runner = MakeRunner();
  now_ = kT0 + kWindow + 2000;  // Past w0's end + grace: w0 closes by the timer.
  StepUntil(*runner, [&] {
    return source_.committed(0) == 1 && source_.committed(1) == 1 && source_.committed(2) == 1 &&
           !source_.metadata(3).empty();
  });
  StepUntil(*runner, [&] { return !source_.metadata(0).empty(); });
  const int64_t w1 = WindowStartFor(kT0 + kWindow, kWindow);
  for (int32_t p : {0, 1, 2, 3}) EXPECT_EQ(DecodeCommitMark(source_.metadata(p)), w1) << p;
  EXPECT_EQ(source_.committed(3), 0);
  // A window later the marks move on, with the same offsets.
  now_ += kWindow;
  StepUntil(*runner, [&] { return DecodeCommitMark(source_.metadata(3)) == w1 + kWindow; });
  for (int32_t p : {0, 1, 2}) {
    EXPECT_EQ(DecodeCommitMark(source_.metadata(p)), w1 + kWindow) << p;
    EXPECT_EQ(source_.committed(p), 1) << p;
  }
  // Paused, nothing is claimed: records dropped by the pause are read again.
  runner->SetPaused(true);
  now_ += kWindow;
  for (int i = 0; i < 20; ++i) runner->Step(std::chrono::milliseconds(0));
  EXPECT_EQ(DecodeCommitMark(source_.metadata(0)), w1 + kWindow);
}

TEST_F(TaskRunnerTest, AnOpenWindowHoldsTheMarkBackEvenFromTheFuture) {
  source_.Append(0, kT0 + 1, "a");
  source_.Append(0, kT0 + kWindow + 1, "b");
  source_.Append(0, kT0 + 100 * kWindow, "from a fast clock");
  auto runner = MakeRunner();
  now_ = kT0 + 3 * kWindow;
  StepUntil(*runner, [&] { return source_.committed(0) == 1; });
  // w1 is held: the mark is w1, not the far window nor the clock's.
  EXPECT_EQ(DecodeCommitMark(source_.metadata(0)), WindowStartFor(kT0 + kWindow, kWindow));
}

}  // namespace
}  // namespace k2c
