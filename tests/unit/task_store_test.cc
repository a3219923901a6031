// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/task_store.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "mock_kafka.h"

namespace k2c {
namespace {

using std::chrono::milliseconds;

#define ASSERT_OK(expr)                              \
  do {                                               \
    const ::k2c::Status status_ = (expr);            \
    ASSERT_TRUE(status_.ok()) << status_.ToString(); \
  } while (0)

constexpr milliseconds kWait{5'000};
// The mock broker names no controller, so EnsureCompactedTopic waits for one
// until this timeout on every Open before the store falls back to the
// pre-created topics; short keeps the tests fast, and the in-process broker
// answers everything else within milliseconds.
constexpr milliseconds kCallTimeout{600};

// One in-process broker for the suite (starting and stopping one takes about
// a second); every test has topics of its own.
class TaskStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    kafka_ = std::make_unique<MockKafka>();
    ASSERT_EQ(kafka_->error(), "");
    cluster_ = kafka_->cluster();
  }

  static void TearDownTestSuite() {
    kafka_.reset();
    cluster_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(cluster_, nullptr);
    bootstrap_ = rd_kafka_mock_cluster_bootstraps(cluster_);
    const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    tasks_topic_ = "_k2c_tasks_" + test;
    status_topic_ = "_k2c_status_" + test;
    // The mock broker does not implement CreateTopics: the store must find
    // the topics already there.
    ASSERT_EQ(rd_kafka_mock_topic_create(cluster_, tasks_topic_.c_str(), 1, 1),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(rd_kafka_mock_topic_create(cluster_, status_topic_.c_str(), 1, 1),
              RD_KAFKA_RESP_ERR_NO_ERROR);
  }

  TaskStoreOptions Options() const {
    TaskStoreOptions options;
    options.kafka.bootstrap_servers = bootstrap_;
    options.kafka.timeout = kCallTimeout;
    // The mock broker holds every fetch for the full wait even when records
    // arrive (a real one answers at once), which would delay each read-back.
    options.kafka.properties["fetch.wait.max.ms"] = "20";
    options.tasks_topic = tasks_topic_;
    options.status_topic = status_topic_;
    options.open_timeout = kWait;
    return options;
  }

  std::unique_ptr<TaskStore> OpenStore() {
    auto store = TaskStore::Open(Options());
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // Writes a record straight to `topic`, bypassing the store's encoding.
  void ProduceRaw(const std::string& topic, const std::string& key, const std::string& value) {
    std::string err;
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    ASSERT_EQ(conf->set("bootstrap.servers", bootstrap_, err), RdKafka::Conf::CONF_OK) << err;
    std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), err));
    ASSERT_TRUE(producer) << err;
    ASSERT_EQ(
        producer->produce(topic, 0, RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(value.data()),
                          value.size(), key.empty() ? nullptr : key.data(), key.size(), 0, nullptr),
        RdKafka::ERR_NO_ERROR);
    ASSERT_EQ(producer->flush(static_cast<int>(kWait.count())), RdKafka::ERR_NO_ERROR);
  }

  static inline std::unique_ptr<MockKafka> kafka_;
  static inline rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstrap_;
  std::string tasks_topic_;
  std::string status_topic_;
};

TaskDefinition Definition(const std::string& topic, const std::string& bucket = "archive") {
  TaskDefinition d;
  d.config.topic = topic;
  d.config.bucket = bucket;
  d.config.window = std::chrono::minutes(5);
  d.created_ms = 1'000;
  d.updated_ms = 2'000;
  return d;
}

WorkerTaskStatus MakeStatus(const std::string& topic, const std::string& worker) {
  WorkerTaskStatus s;
  s.topic = topic;
  s.worker_id = worker;
  s.state = "running";
  s.partitions = {0, 1};
  s.records_archived = 42;
  s.updated_ms = 3'000;
  return s;
}

// Waits for `condition`, which holds once another store's reader caught up.
bool Eventually(const std::function<bool()>& condition, milliseconds timeout = kWait) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

std::vector<std::string> WorkerIds(const std::vector<WorkerTaskStatus>& statuses) {
  std::vector<std::string> ids;
  for (const auto& s : statuses) ids.push_back(s.worker_id);
  return ids;
}

TEST_F(TaskStoreTest, OpensEmpty) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->Tasks().empty());
  EXPECT_FALSE(store->Get("orders").has_value());
  EXPECT_TRUE(store->Statuses("orders").empty());
  EXPECT_TRUE(store->health().ok()) << store->health().ToString();
  EXPECT_EQ(store->Put(Definition("")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->Remove("").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->PublishStatus(MakeStatus("orders", "")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->RemoveStatus("", "w").code(), StatusCode::kInvalidArgument);
}

TEST_F(TaskStoreTest, PutThenGetSeesItImmediately) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  const uint64_t before = store->version();
  TaskDefinition d = Definition("orders");
  d.state = TaskState::kPaused;
  d.origin = "config";
  ASSERT_OK(store->Put(d));

  auto got = store->Get("orders");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->config.bucket, "archive");
  EXPECT_EQ(got->config.window, std::chrono::minutes(5));
  EXPECT_EQ(got->state, TaskState::kPaused);
  EXPECT_EQ(got->origin, "config");
  EXPECT_EQ(got->updated_ms, 2'000);
  EXPECT_EQ(store->Tasks().size(), 1u);
  EXPECT_EQ(store->version(), before + 1);

  // Overwrite: the last record wins.
  d.state = TaskState::kRunning;
  d.updated_ms = 5'000;
  ASSERT_OK(store->Put(d));
  EXPECT_EQ(store->Get("orders")->state, TaskState::kRunning);
  EXPECT_EQ(store->version(), before + 2);

  // Writing the same definition again changes nothing.
  ASSERT_OK(store->Put(d));
  EXPECT_EQ(store->version(), before + 2);
  EXPECT_EQ(store->WaitForChange(before + 2, milliseconds(50)), before + 2);
}

TEST_F(TaskStoreTest, SecondStoreSharesTheView) {
  auto first = OpenStore();
  ASSERT_TRUE(first);
  ASSERT_OK(first->Put(Definition("orders")));
  ASSERT_OK(first->Put(Definition("payments", "pay-archive")));

  // Open returns only after reading what is already there.
  auto second = OpenStore();
  ASSERT_TRUE(second);
  ASSERT_TRUE(second->Get("orders").has_value());
  ASSERT_TRUE(second->Get("payments").has_value());
  EXPECT_EQ(second->Get("payments")->config.bucket, "pay-archive");

  // Later changes by the first reach the second.
  uint64_t seen = second->version();
  ASSERT_OK(first->Put(Definition("invoices")));
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (!second->Get("invoices") && std::chrono::steady_clock::now() < deadline) {
    seen = second->WaitForChange(seen, kWait);
  }
  EXPECT_TRUE(second->Get("invoices").has_value());
  EXPECT_EQ(second->Tasks().size(), 3u);

  // And the other way round.
  ASSERT_OK(second->Put(Definition("refunds")));
  EXPECT_TRUE(Eventually([&] { return first->Get("refunds").has_value(); }));
}

TEST_F(TaskStoreTest, RemoveDeletesForBoth) {
  auto first = OpenStore();
  auto second = OpenStore();
  ASSERT_TRUE(first && second);
  ASSERT_OK(first->Put(Definition("orders")));
  ASSERT_OK(first->Put(Definition("payments")));
  ASSERT_TRUE(Eventually([&] { return second->Tasks().size() == 2; }));

  const uint64_t seen = second->version();
  ASSERT_OK(first->Remove("orders"));
  EXPECT_FALSE(first->Get("orders").has_value());
  EXPECT_NE(second->WaitForChange(seen, kWait), seen);
  EXPECT_TRUE(Eventually([&] { return !second->Get("orders").has_value(); }));
  EXPECT_TRUE(second->Get("payments").has_value());

  // Removing what is not there is harmless and no change.
  const uint64_t version = first->version();
  ASSERT_OK(first->Remove("never-defined"));
  EXPECT_EQ(first->version(), version);

  // A third store sees the state after the tombstone.
  auto third = OpenStore();
  ASSERT_TRUE(third);
  EXPECT_FALSE(third->Get("orders").has_value());
  EXPECT_TRUE(third->Get("payments").has_value());
}

TEST_F(TaskStoreTest, StatusesAcrossStores) {
  auto first = OpenStore();
  auto second = OpenStore();
  ASSERT_TRUE(first && second);
  ASSERT_OK(second->PublishStatus(MakeStatus("orders", "worker-b")));
  ASSERT_OK(first->PublishStatus(MakeStatus("orders", "worker-a")));
  ASSERT_OK(first->PublishStatus(MakeStatus("orders2", "worker-a")));

  const std::vector<std::string> both = {"worker-a", "worker-b"};
  EXPECT_TRUE(Eventually([&] { return WorkerIds(first->Statuses("orders")) == both; }));
  EXPECT_TRUE(Eventually([&] { return WorkerIds(second->Statuses("orders")) == both; }));
  EXPECT_TRUE(Eventually([&] { return second->Statuses("orders2").size() == 1; }));
  EXPECT_TRUE(second->Statuses("order").empty());
  const auto statuses = second->Statuses("orders");
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_EQ(statuses[0].records_archived, 42u);
  EXPECT_EQ(statuses[0].partitions, (std::vector<int32_t>{0, 1}));

  // A newer status replaces the older one of the same worker.
  WorkerTaskStatus update = MakeStatus("orders", "worker-a");
  update.state = "failed";
  update.last_error = "Unavailable: bucket unreachable";
  ASSERT_OK(first->PublishStatus(update));
  EXPECT_TRUE(Eventually([&] {
    const auto s = second->Statuses("orders");
    return !s.empty() && s[0].state == "failed";
  }));

  // Statuses do not count as task changes.
  EXPECT_EQ(first->version(), 0u);

  ASSERT_OK(first->RemoveStatus("orders", "worker-a"));
  const std::vector<std::string> only_b = {"worker-b"};
  EXPECT_TRUE(Eventually([&] { return WorkerIds(first->Statuses("orders")) == only_b; }));
  EXPECT_TRUE(Eventually([&] { return WorkerIds(second->Statuses("orders")) == only_b; }));
  EXPECT_EQ(second->Statuses("orders2").size(), 1u);

  auto third = OpenStore();
  ASSERT_TRUE(third);
  EXPECT_EQ(WorkerIds(third->Statuses("orders")), only_b);
}

TEST_F(TaskStoreTest, MalformedRecordsAreSkipped) {
  ProduceRaw(tasks_topic_, "bad", "this is not json");
  ProduceRaw(tasks_topic_, "wrong-key", R"({"version":1,"topic":"t","bucket":"b","window":"5m"})");
  ProduceRaw(tasks_topic_, "future", R"({"version":2,"topic":"future"})");
  ProduceRaw(tasks_topic_, "", R"({"version":1,"topic":"t","bucket":"b","window":"5m"})");
  ProduceRaw(status_topic_, "orders/w", "{]");

  auto store = OpenStore();
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->Tasks().empty());
  EXPECT_TRUE(store->Statuses("orders").empty());

  // The reader goes on after them.
  ASSERT_OK(store->Put(Definition("orders")));
  EXPECT_TRUE(store->Get("orders").has_value());
  ProduceRaw(tasks_topic_, "orders", "{\"version\":1}");
  ASSERT_OK(store->Put(Definition("payments")));
  ASSERT_TRUE(store->Get("payments").has_value());
  // The bad update left the good definition in place.
  EXPECT_TRUE(store->Get("orders").has_value());
  EXPECT_EQ(store->Tasks().size(), 2u);
  EXPECT_TRUE(store->health().ok()) << store->health().ToString();
}

TEST_F(TaskStoreTest, RejectsBadOptions) {
  TaskStoreOptions options = Options();
  options.status_topic = options.tasks_topic;
  EXPECT_EQ(TaskStore::Open(options).status().code(), StatusCode::kInvalidArgument);
  options = Options();
  options.tasks_topic.clear();
  EXPECT_EQ(TaskStore::Open(options).status().code(), StatusCode::kInvalidArgument);
}

TEST(TaskStoreUnreachableTest, OpenReturnsUnavailable) {
  TaskStoreOptions options;
  options.kafka.bootstrap_servers = "127.0.0.1:1";
  options.tasks_topic = "_k2c_tasks";
  options.status_topic = "_k2c_status";
  options.open_timeout = milliseconds(2'000);
  const auto start = std::chrono::steady_clock::now();
  auto store = TaskStore::Open(options);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable) << store.status().ToString();
  EXPECT_LT(elapsed, milliseconds(4'000));
}

}  // namespace
}  // namespace k2c
