// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/cluster_view.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "mock_kafka.h"

namespace k2c {
namespace {

using ::testing::HasSubstr;

class ClusterViewTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    kafka_ = std::make_unique<MockKafka>();
    ASSERT_EQ(kafka_->error(), "");
    for (const char* topic : {"cv-orders", "cv-k2c.tasks", "cv-k2c.status"}) {
      ASSERT_EQ(rd_kafka_mock_topic_create(kafka_->cluster(), topic, 3, 1),
                RD_KAFKA_RESP_ERR_NO_ERROR);
    }
  }
  static void TearDownTestSuite() { kafka_.reset(); }

  ClusterView View() const {
    KafkaAdminOptions admin;
    admin.bootstrap_servers = kafka_->bootstraps();
    admin.timeout = std::chrono::milliseconds(5'000);
    return ClusterView(admin, "inst", {"cv-k2c.tasks", "cv-k2c.status"});
  }

  static inline std::unique_ptr<MockKafka> kafka_;
};

TEST_F(ClusterViewTest, ListsTopicsWithoutKafka2cosOwnControlTopics) {
  auto topics = View().ListTopics();
  ASSERT_TRUE(topics.ok()) << topics.status().ToString();
  auto named = [&](const std::string& name) {
    return std::find_if(topics->begin(), topics->end(),
                        [&](const TopicInfo& t) { return t.name == name; });
  };
  ASSERT_NE(named("cv-orders"), topics->end());
  EXPECT_EQ(named("cv-orders")->partitions, 3);
  EXPECT_EQ(named("cv-k2c.tasks"), topics->end());
  EXPECT_EQ(named("cv-k2c.status"), topics->end());
}

TEST_F(ClusterViewTest, AMissingTopicIsNotFoundWithWhatToDo) {
  rd_kafka_mock_topic_set_error(kafka_->cluster(), "cv-missing",
                                RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  Status missing = View().CheckTopicExists("cv-missing");
  EXPECT_EQ(missing.code(), StatusCode::kNotFound) << missing.ToString();
  EXPECT_THAT(missing.message(), HasSubstr("create it first"));
  EXPECT_TRUE(View().CheckTopicExists("cv-orders").ok());
}

TEST_F(ClusterViewTest, LagOfAGroupThatNeverCommittedHasNoCommittedOffset) {
  auto lag = View().FetchLag("cv-orders");
  ASSERT_TRUE(lag.ok()) << lag.status().ToString();
  ASSERT_EQ(lag->size(), 3u);
  for (const PartitionLag& p : *lag) EXPECT_FALSE(p.committed.has_value());
}

}  // namespace
}  // namespace k2c
