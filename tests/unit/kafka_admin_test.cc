// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "kafka/admin.h"
#include "mock_kafka.h"

namespace k2c {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Nothing listens on port 1 of the loopback address: connections are refused.
constexpr char kNowhere[] = "127.0.0.1:1";

// One one-broker librdkafka mock cluster for the whole suite: destroying a
// mock cluster shortly after creating it costs a second (its thread's poll
// interval). Each test therefore uses topic and group names of its own.
class KafkaAdminTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    kafka_ = std::make_unique<MockKafka>();
    ASSERT_EQ(kafka_->error(), "");
    mock_ = kafka_->cluster();
  }

  static void TearDownTestSuite() {
    kafka_.reset();
    mock_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(mock_, nullptr);
    options_.bootstrap_servers = rd_kafka_mock_cluster_bootstraps(mock_);
    options_.timeout = std::chrono::milliseconds(5'000);
  }

  void CreateTopic(const std::string& name, int partitions) {
    ASSERT_EQ(rd_kafka_mock_topic_create(mock_, name.c_str(), partitions, 1),
              RD_KAFKA_RESP_ERR_NO_ERROR);
  }

  // Writes `count` records to one partition and waits until all are acked.
  void Produce(const std::string& topic, int32_t partition, int count) {
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    std::string err;
    ASSERT_EQ(conf->set("bootstrap.servers", options_.bootstrap_servers, err),
              RdKafka::Conf::CONF_OK);
    std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), err));
    ASSERT_TRUE(producer) << err;
    for (int i = 0; i < count; ++i) {
      std::string value = "record-" + std::to_string(i);
      ASSERT_EQ(producer->produce(topic, partition, RdKafka::Producer::RK_MSG_COPY, value.data(),
                                  value.size(), nullptr, 0, 0, nullptr),
                RdKafka::ERR_NO_ERROR);
    }
    ASSERT_EQ(producer->flush(5'000), RdKafka::ERR_NO_ERROR);
  }

  // Commits `offsets` (partition, next offset) for `group`. Explicit offsets need
  // no assignment: the broker stores them as for a member of the group.
  void Commit(const std::string& group, const std::string& topic,
              const std::vector<std::pair<int32_t, int64_t>>& offsets) {
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    std::string err;
    ASSERT_EQ(conf->set("bootstrap.servers", options_.bootstrap_servers, err),
              RdKafka::Conf::CONF_OK);
    ASSERT_EQ(conf->set("group.id", group, err), RdKafka::Conf::CONF_OK);
    ASSERT_EQ(conf->set("enable.auto.commit", "false", err), RdKafka::Conf::CONF_OK);
    std::unique_ptr<RdKafka::KafkaConsumer> consumer(
        RdKafka::KafkaConsumer::create(conf.get(), err));
    ASSERT_TRUE(consumer) << err;
    std::vector<RdKafka::TopicPartition*> list;
    for (const auto& [partition, offset] : offsets) {
      list.push_back(RdKafka::TopicPartition::create(topic, partition, offset));
    }
    const RdKafka::ErrorCode cerr = consumer->commitSync(list);
    for (const auto* tp : list) EXPECT_EQ(tp->err(), RdKafka::ERR_NO_ERROR);
    RdKafka::TopicPartition::destroy(list);
    consumer->close();
    ASSERT_EQ(cerr, RdKafka::ERR_NO_ERROR) << RdKafka::err2str(cerr);
  }

  // The mock answers Metadata only up to a version without the "allow auto
  // creation" flag, so it creates every topic a client asks about. A topic
  // error makes it answer like a broker that does not have the topic.
  void MakeMissing(const std::string& name) {
    rd_kafka_mock_topic_set_error(mock_, name.c_str(), RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  }

  static inline std::unique_ptr<MockKafka> kafka_;
  static inline rd_kafka_mock_cluster_t* mock_ = nullptr;
  KafkaAdminOptions options_;
};

TEST_F(KafkaAdminTest, ListTopicsSortsByNameAndSkipsInternalTopics) {
  CreateTopic("list-zebra", 1);
  CreateTopic("__list-internal", 2);
  CreateTopic("list-alpha", 3);
  CreateTopic("list-middle", 2);

  Result<std::vector<TopicInfo>> topics = ListTopics(options_);

  ASSERT_TRUE(topics.ok()) << topics.status().ToString();
  std::vector<std::string> names;
  for (const TopicInfo& t : *topics) {
    EXPECT_THAT(t.name, Not(StartsWith("__")));
    names.push_back(t.name);
  }
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end())) << ::testing::PrintToString(names);
  // Other tests share the cluster: look only at this test's topics.
  std::vector<TopicInfo> mine;
  std::copy_if(topics->begin(), topics->end(), std::back_inserter(mine),
               [](const TopicInfo& t) { return t.name.rfind("list-", 0) == 0; });
  ASSERT_EQ(mine.size(), 3u);
  EXPECT_EQ(mine[0].name, "list-alpha");
  EXPECT_EQ(mine[0].partitions, 3);
  EXPECT_EQ(mine[1].name, "list-middle");
  EXPECT_EQ(mine[1].partitions, 2);
  EXPECT_EQ(mine[2].name, "list-zebra");
  EXPECT_EQ(mine[2].partitions, 1);
}

TEST_F(KafkaAdminTest, DescribeTopicCountsPartitions) {
  CreateTopic("orders", 4);

  Result<TopicInfo> info = DescribeTopic(options_, "orders");

  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->name, "orders");
  EXPECT_EQ(info->partitions, 4);
}

TEST_F(KafkaAdminTest, DescribeMissingTopicIsNotFound) {
  MakeMissing("no-such-topic");

  Result<TopicInfo> info = DescribeTopic(options_, "no-such-topic");

  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().code(), StatusCode::kNotFound) << info.status().ToString();
  EXPECT_THAT(info.status().message(), HasSubstr("no-such-topic"));
}

TEST_F(KafkaAdminTest, GroupLagWithoutCommitsCountsTheWholeLog) {
  CreateTopic("lag-uncommitted", 3);
  Produce("lag-uncommitted", 0, 5);
  Produce("lag-uncommitted", 2, 2);

  Result<std::vector<PartitionLag>> lags = FetchGroupLag(options_, "archiver", "lag-uncommitted");

  ASSERT_TRUE(lags.ok()) << lags.status().ToString();
  ASSERT_EQ(lags->size(), 3u);
  for (int32_t p = 0; p < 3; ++p) {
    EXPECT_EQ((*lags)[p].partition, p);
    EXPECT_FALSE((*lags)[p].committed.has_value()) << "partition " << p;
  }
  EXPECT_EQ((*lags)[0].end_offset, 5);
  EXPECT_EQ((*lags)[0].lag, 5);
  EXPECT_EQ((*lags)[1].end_offset, 0);
  EXPECT_EQ((*lags)[1].lag, 0);
  EXPECT_EQ((*lags)[2].end_offset, 2);
  EXPECT_EQ((*lags)[2].lag, 2);
}

TEST_F(KafkaAdminTest, GroupLagFollowsCommittedOffsets) {
  CreateTopic("lag-committed", 2);
  Produce("lag-committed", 0, 7);
  Produce("lag-committed", 1, 4);
  Commit("archiver", "lag-committed", {{0, 3}, {1, 4}});
  // Another group's commits are not ours.
  Commit("someone-else", "lag-committed", {{0, 7}});

  Result<std::vector<PartitionLag>> lags = FetchGroupLag(options_, "archiver", "lag-committed");

  ASSERT_TRUE(lags.ok()) << lags.status().ToString();
  ASSERT_EQ(lags->size(), 2u);
  EXPECT_EQ((*lags)[0].partition, 0);
  EXPECT_EQ((*lags)[0].committed, 3);
  EXPECT_EQ((*lags)[0].end_offset, 7);
  EXPECT_EQ((*lags)[0].lag, 4);
  EXPECT_EQ((*lags)[1].partition, 1);
  EXPECT_EQ((*lags)[1].committed, 4);
  EXPECT_EQ((*lags)[1].end_offset, 4);
  EXPECT_EQ((*lags)[1].lag, 0);
}

TEST_F(KafkaAdminTest, GroupLagMixesCommittedAndUncommittedPartitions) {
  CreateTopic("lag-mixed", 2);
  Produce("lag-mixed", 0, 6);
  Produce("lag-mixed", 1, 3);
  Commit("archiver", "lag-mixed", {{1, 1}});

  Result<std::vector<PartitionLag>> lags = FetchGroupLag(options_, "archiver", "lag-mixed");

  ASSERT_TRUE(lags.ok()) << lags.status().ToString();
  ASSERT_EQ(lags->size(), 2u);
  EXPECT_FALSE((*lags)[0].committed.has_value());
  EXPECT_EQ((*lags)[0].lag, 6);
  EXPECT_EQ((*lags)[1].committed, 1);
  EXPECT_EQ((*lags)[1].lag, 2);
}

TEST_F(KafkaAdminTest, GroupLagOfManyPartitionsKeepsEachPartitionsOwnOffsets) {
  // More partitions than one request asks for (offsets are asked in chunks):
  // every answer must land on its own partition, committed or not, in every
  // chunk.
  CreateTopic("lag-many", 600);
  Produce("lag-many", 0, 5);
  Produce("lag-many", 300, 4);
  Produce("lag-many", 599, 3);
  Commit("archiver", "lag-many", {{300, 1}, {599, 3}, {1, 0}});

  Result<std::vector<PartitionLag>> lags = FetchGroupLag(options_, "archiver", "lag-many");

  ASSERT_TRUE(lags.ok()) << lags.status().ToString();
  ASSERT_EQ(lags->size(), 600u);
  for (int32_t p = 0; p < 600; ++p) EXPECT_EQ((*lags)[p].partition, p);
  EXPECT_FALSE((*lags)[0].committed.has_value());
  EXPECT_EQ((*lags)[0].end_offset, 5);
  EXPECT_EQ((*lags)[0].lag, 5);
  EXPECT_EQ((*lags)[1].committed, 0);
  EXPECT_EQ((*lags)[300].committed, 1);
  EXPECT_EQ((*lags)[300].lag, 3);
  EXPECT_EQ((*lags)[599].committed, 3);
  EXPECT_EQ((*lags)[599].end_offset, 3);
  EXPECT_EQ((*lags)[599].lag, 0);
  int64_t total = 0;
  for (const PartitionLag& lag : *lags) total += lag.lag;
  EXPECT_EQ(total, 5 + 3);
}

TEST_F(KafkaAdminTest, GroupLagOfMissingTopicIsNotFound) {
  MakeMissing("gone");

  Result<std::vector<PartitionLag>> lags = FetchGroupLag(options_, "archiver", "gone");

  ASSERT_FALSE(lags.ok());
  EXPECT_EQ(lags.status().code(), StatusCode::kNotFound) << lags.status().ToString();
  EXPECT_THAT(lags.status().message(), HasSubstr("gone"));
}

TEST_F(KafkaAdminTest, EmptyNamesAreInvalidArguments) {
  EXPECT_EQ(DescribeTopic(options_, "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FetchGroupLag(options_, "", "events").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EnsureCompactedTopic(options_, "", -1).code(), StatusCode::kInvalidArgument);
  KafkaAdminOptions no_servers = options_;
  no_servers.bootstrap_servers.clear();
  EXPECT_EQ(ListTopics(no_servers).status().code(), StatusCode::kInvalidArgument);
}

TEST(KafkaAdminErrorsTest, BadPropertyIsInvalidArgumentWithoutItsValue) {
  KafkaAdminOptions options;
  options.bootstrap_servers = kNowhere;
  options.properties["socket.timeout.ms"] = "not-a-number-s3cr3t";

  Result<std::vector<TopicInfo>> topics = ListTopics(options);

  ASSERT_FALSE(topics.ok());
  EXPECT_EQ(topics.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(topics.status().message(), HasSubstr("socket.timeout.ms"));
  EXPECT_THAT(topics.status().message(), Not(HasSubstr("s3cr3t")));
}

// Every call gives up after options.timeout when no broker answers, and says
// so without echoing credentials.
TEST(KafkaAdminErrorsTest, UnreachableClusterIsUnavailableWithinTheTimeout) {
  KafkaAdminOptions options;
  options.bootstrap_servers = kNowhere;
  options.timeout = std::chrono::milliseconds(1'000);
  options.properties = {{"security.protocol", "sasl_plaintext"},
                        {"sasl.mechanisms", "PLAIN"},
                        {"sasl.username", "archiver"},
                        {"sasl.password", "hunter2-s3cr3t"}};
  const auto check = [&options](const Status& status, const char* call,
                                std::chrono::steady_clock::time_point started) {
    const auto elapsed = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(status.code(), StatusCode::kUnavailable) << call << ": " << status.ToString();
    EXPECT_THAT(status.message(), HasSubstr(kNowhere)) << call;
    EXPECT_THAT(status.message(), Not(HasSubstr("s3cr3t"))) << call;
    EXPECT_LT(elapsed, options.timeout + std::chrono::milliseconds(800)) << call;
  };

  auto started = std::chrono::steady_clock::now();
  check(ListTopics(options).status(), "ListTopics", started);
  started = std::chrono::steady_clock::now();
  check(DescribeTopic(options, "orders").status(), "DescribeTopic", started);
  started = std::chrono::steady_clock::now();
  check(FetchGroupLag(options, "archiver", "orders").status(), "FetchGroupLag", started);
  started = std::chrono::steady_clock::now();
  check(EnsureCompactedTopic(options, "k2c-state", -1), "EnsureCompactedTopic", started);
}

}  // namespace
}  // namespace k2c
