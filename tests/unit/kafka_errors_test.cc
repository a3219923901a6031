// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "kafka/kafka_errors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

#include "mock_kafka.h"

namespace k2c {
namespace {

using ::testing::HasSubstr;

TEST(KafkaErrorTest, ClassifiesByWhatTheCallerShouldDo) {
  EXPECT_EQ(KafkaError(RdKafka::ERR__TRANSPORT, "x").code(), StatusCode::kUnavailable);
  EXPECT_EQ(KafkaError(RdKafka::ERR_NOT_COORDINATOR, "x").code(), StatusCode::kUnavailable);
  EXPECT_EQ(KafkaError(RdKafka::ERR_REQUEST_TIMED_OUT, "x").code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(KafkaError(RdKafka::ERR_SASL_AUTHENTICATION_FAILED, "x").code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(KafkaError(RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED, "x").code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(KafkaError(RdKafka::ERR_UNKNOWN_TOPIC_OR_PART, "x").code(), StatusCode::kNotFound);
  EXPECT_EQ(KafkaError(RdKafka::ERR_POLICY_VIOLATION, "x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(KafkaError(RdKafka::ERR_THROTTLING_QUOTA_EXCEEDED, "x").code(), StatusCode::kThrottled);
  EXPECT_EQ(KafkaError(RdKafka::ERR_UNSUPPORTED_VERSION, "x").code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(KafkaError(RD_KAFKA_RESP_ERR__TRANSPORT, "x").code(), StatusCode::kUnavailable);
  const Status s = KafkaError(RdKafka::ERR__TRANSPORT, "list topics");
  EXPECT_THAT(s.message(), HasSubstr("list topics: "));
}

TEST(KafkaErrorTest, SettlingMetadataErrorsAreTheOnesOfANewTopic) {
  EXPECT_TRUE(IsSettlingMetadataError(RdKafka::ERR_UNKNOWN_TOPIC_OR_PART));
  EXPECT_TRUE(IsSettlingMetadataError(RdKafka::ERR_LEADER_NOT_AVAILABLE));
  EXPECT_TRUE(IsSettlingMetadataError(RdKafka::ERR__UNKNOWN_PARTITION));
  EXPECT_FALSE(IsSettlingMetadataError(RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED));
}

class QueryWatermarksTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    kafka_ = std::make_unique<MockKafka>();
    ASSERT_EQ(kafka_->error(), "");
    ASSERT_EQ(rd_kafka_mock_topic_create(kafka_->cluster(), "wm-topic", 2, 1),
              RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  static void TearDownTestSuite() { kafka_.reset(); }

  std::unique_ptr<RdKafka::Producer> Handle() {
    std::string err;
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    EXPECT_EQ(conf->set("bootstrap.servers", kafka_->bootstraps(), err), RdKafka::Conf::CONF_OK);
    EXPECT_EQ(conf->set("log_level", "0", err), RdKafka::Conf::CONF_OK);
    return std::unique_ptr<RdKafka::Producer>(RdKafka::Producer::create(conf.get(), err));
  }

  static inline std::unique_ptr<MockKafka> kafka_;
};

TEST_F(QueryWatermarksTest, ReadsThePartitionsOffsets) {
  auto handle = Handle();
  ASSERT_NE(handle, nullptr);
  auto marks = QueryWatermarks(handle.get(), "wm-topic", 1, std::chrono::seconds(10));
  ASSERT_TRUE(marks.ok()) << marks.status().ToString();
  EXPECT_EQ(marks->low, 0);
  EXPECT_EQ(marks->high, 0);
}

TEST_F(QueryWatermarksTest, APartitionThatNeverSettlesIsUnavailableOnceTheBudgetIsSpent) {
  auto handle = Handle();
  ASSERT_NE(handle, nullptr);
  auto marks = QueryWatermarks(handle.get(), "wm-topic", 7, std::chrono::milliseconds(500));
  ASSERT_FALSE(marks.ok());
  EXPECT_TRUE(marks.status().IsRetryable()) << marks.status().ToString();
  EXPECT_THAT(marks.status().message(), HasSubstr("wm-topic/7"));
}

}  // namespace
}  // namespace k2c
