// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// A one-broker librdkafka mock cluster in the test process. Starting and
// destroying one costs about a second (its thread's poll interval), so a
// suite keeps one for all its tests, each with topics of its own.

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <string>

namespace k2c {

class MockKafka {
 public:
  MockKafka() {
    char errstr[512] = {};
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    // The mock cluster's own handle only hosts it; keep it quiet.
    rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof(errstr));
    // rd_kafka_new takes the conf only on success.
    handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (handle_ == nullptr) {
      rd_kafka_conf_destroy(conf);
      error_ = errstr;
      return;
    }
    cluster_ = rd_kafka_mock_cluster_new(handle_, 1);
    if (cluster_ == nullptr) error_ = "rd_kafka_mock_cluster_new failed";
  }
  ~MockKafka() {
    if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
    if (handle_ != nullptr) rd_kafka_destroy(handle_);
  }
  MockKafka(const MockKafka&) = delete;
  MockKafka& operator=(const MockKafka&) = delete;

  // Empty once the cluster runs; why not otherwise.
  const std::string& error() const { return error_; }
  rd_kafka_mock_cluster_t* cluster() const { return cluster_; }
  std::string bootstraps() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }

 private:
  rd_kafka_t* handle_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string error_;
};

}  // namespace k2c
