// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "kafka/client_config.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafkacpp.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <sstream>
#include <thread>

namespace k2c {
namespace {

TEST(ClientConfigTest, ConnectionOnlyHandlesTakeOnlyConnectionProperties) {
  const std::map<std::string, std::string> properties = {
      {"security.protocol", "plaintext"}, {"fetch.min.bytes", "7"}, {"client.id", "mine"}};
  auto producer_conf =
      NewClientConf(ClientKind::kConnectionOnly, "127.0.0.1:1", properties, "kafka2cos-x");
  ASSERT_TRUE(producer_conf.ok()) << producer_conf.status().ToString();
  std::string value;
  EXPECT_EQ((*producer_conf)->get("client.id", value), RdKafka::Conf::CONF_OK);
  EXPECT_EQ(value, "mine");  // The operator's id wins over the default.
  EXPECT_EQ((*producer_conf)->get("fetch.min.bytes", value), RdKafka::Conf::CONF_OK);
  EXPECT_EQ(value, "1");  // librdkafka's default; the operator's consumer setting is not applied.
  EXPECT_TRUE(IsConnectionProperty("sasl.password"));
  EXPECT_FALSE(IsConnectionProperty("fetch.min.bytes"));
}

TEST(ClientConfigTest, RefusedPropertyIsNamedWithoutItsValue) {
  auto conf = NewClientConf(ClientKind::kConsumer, "127.0.0.1:1",
                            {{"no.such.property", "s3cr3t-value"}}, "kafka2cos");
  ASSERT_FALSE(conf.ok());
  EXPECT_EQ(conf.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(conf.status().message().find("no.such.property"), std::string::npos);
  EXPECT_EQ(conf.status().message().find("s3cr3t-value"), std::string::npos);
}

TEST(ClientConfigTest, LibrdkafkaLogLinesGoThroughTheWorkerLogger) {
  // Issue 11: librdkafka printed "%3|...|FAIL|rdkafka#producer-1| ..." on
  // stderr beside the worker's key=value lines.
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  auto logger = std::make_shared<spdlog::logger>("client-config-test", sink);
  logger->set_pattern("level=%l %v");
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);
  {
    auto conf = NewClientConf(ClientKind::kConnectionOnly, "127.0.0.1:1", {}, "kafka2cos-test");
    ASSERT_TRUE(conf.ok());
    std::string err;
    std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf->get(), err));
    ASSERT_TRUE(producer) << err;
    // Nothing listens on port 1: librdkafka logs the failed connection.
    for (int i = 0; i < 100 && captured.str().find("event=kafka_client_log") == std::string::npos;
         ++i) {
      producer->poll(100);
    }
  }
  spdlog::set_default_logger(previous);
  const std::string log = captured.str();
  EXPECT_NE(log.find("level=error event=kafka_client_log client=kafka2cos-test#producer-"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("facility=FAIL"), std::string::npos) << log;
}

}  // namespace
}  // namespace k2c
