// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/task_preparer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "control/store_factory.h"
#include "mock_kafka.h"
#include "storage/local_store.h"
#include "storage/memory_store.h"

namespace k2c {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

class TaskPreparerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    kafka_ = std::make_unique<MockKafka>();
    ASSERT_EQ(kafka_->error(), "");
    ASSERT_EQ(rd_kafka_mock_topic_create(kafka_->cluster(), "orders", 2, 1),
              RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  static void TearDownTestSuite() { kafka_.reset(); }

  void SetUp() override {
    ASSERT_NE(kafka_, nullptr);
    config_.kafka.bootstrap_servers = kafka_->bootstraps();
    config_.storage.part_size = 5ull << 20;
    store_.CreateBucket(Bucket{"archive"});
  }

  TaskPreparer Preparer(ObjectStore* store) {
    TaskEnvironment env;
    env.config = &config_;
    env.instance = "inst";
    env.worker_id = "w1";
    env.store = store;
    env.budget = &budget_;
    env.spool = &spool_;
    env.pool = &pool_;
    env.metrics = &metrics_;
    return TaskPreparer(std::move(env));
  }

  TaskConfig Task() const {
    TaskConfig task;
    task.topic = "orders";
    task.bucket = "archive";
    task.window = std::chrono::minutes(5);
    return task;
  }

  Config config_;
  MemoryStore store_;
  MemoryBudget budget_{64 << 20};
  Spool spool_{std::filesystem::temp_directory_path().string(), 1 << 20};
  UploadPool pool_{"prep-test", 1};
  MetricsRegistry metrics_;
  static inline std::unique_ptr<MockKafka> kafka_;
};

TEST_F(TaskPreparerTest, PreparesARunnableTaskAfterProvingWriteAccess) {
  auto prepared = Preparer(&store_).Prepare(Task());
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  EXPECT_EQ(prepared->config.topic, "orders");
  EXPECT_NE(prepared->source, nullptr);
  EXPECT_NE(prepared->format, nullptr);
  EXPECT_NE(prepared->runner, nullptr);
  EXPECT_GT(store_.calls(), 0) << "the write probe ran";
  EXPECT_THAT(store_.Objects(Bucket{"archive"}), IsEmpty()) << "the probe was deleted";
}

TEST_F(TaskPreparerTest, SettingsOutsideTheRulesAreRefusedBeforeTheStoreIsAsked) {
  TaskConfig task = Task();
  task.window = std::chrono::hours(48);
  auto prepared = Preparer(&store_).Prepare(task);
  EXPECT_EQ(prepared.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(prepared.status().message(), HasSubstr("window"));
  EXPECT_EQ(store_.calls(), 0);
}

TEST_F(TaskPreparerTest, AnObjectLargerThanThePartLimitIsRefused) {
  TaskConfig task = Task();
  task.max_object_bytes = config_.storage.part_size * 10'000 + 1;
  Status checked = Preparer(&store_).CheckAgainstStore(task);
  EXPECT_EQ(checked.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(checked.message(), HasSubstr("storage.part_size"));
  task.max_object_bytes = config_.storage.part_size * 10'000;
  EXPECT_TRUE(Preparer(&store_).CheckAgainstStore(task).ok());
}

TEST_F(TaskPreparerTest, ATemplateWhoseKeysTheStoreRefusesIsRefusedUpFront) {
  const auto root = std::filesystem::temp_directory_path() / "k2c-preparer-test";
  std::filesystem::remove_all(root);
  LocalStore local(root.string());
  TaskConfig task = Task();
  // A path segment longer than a file name may be.
  task.key_template = "{topic}/" + std::string(300, 'a') + "/{partition}_{first_offset}";
  Status checked = Preparer(&local).CheckAgainstStore(task);
  EXPECT_FALSE(checked.ok());
  EXPECT_THAT(checked.message(), HasSubstr("which the store refuses"));
  std::filesystem::remove_all(root);
}

TEST_F(TaskPreparerTest, TheWriteProbeTellsWhetherCreateOnlyIsHonoured) {
  auto honoured = Preparer(&store_).WriteProbe(Bucket{"archive"}, "inst/orders/");
  ASSERT_TRUE(honoured.ok()) << honoured.status().ToString();
  EXPECT_TRUE(*honoured);
  store_.set_honours_if_absent(false);
  auto ignored = Preparer(&store_).WriteProbe(Bucket{"archive"}, "inst/orders/");
  ASSERT_TRUE(ignored.ok()) << ignored.status().ToString();
  EXPECT_FALSE(*ignored);
  EXPECT_THAT(store_.Objects(Bucket{"archive"}), IsEmpty());
}

TEST_F(TaskPreparerTest, APreflightFailureNamesTheBucketAndTheProbe) {
  TaskConfig task = Task();
  task.bucket = "missing";
  Status preflight = Preparer(&store_).Preflight(task);
  EXPECT_FALSE(preflight.ok());
  EXPECT_THAT(preflight.message(), HasSubstr("bucket 'missing'"));
  EXPECT_THAT(preflight.message(), HasSubstr("_kafka2cos_write_probe."));
}

TEST(StoreFactoryTest, MakesTheStoreTheConfigNames) {
  StorageConfig local;
  local.type = StorageConfig::Type::kLocal;
  local.root = (std::filesystem::temp_directory_path() / "k2c-factory-test").string();
  auto store = MakeObjectStore(local);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_NE(dynamic_cast<LocalStore*>(store->get()), nullptr);

  StorageConfig s3;
  s3.type = StorageConfig::Type::kS3;
  s3.endpoint = "ftp://nowhere";
  s3.secret_access_key = "very-secret-key";
  auto refused = MakeObjectStore(s3);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().ToString(), HasSubstr("[storage]"));
  EXPECT_THAT(refused.status().ToString(), ::testing::Not(HasSubstr("very-secret-key")));
}

}  // namespace
}  // namespace k2c
