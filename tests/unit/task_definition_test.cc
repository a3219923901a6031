// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/task_definition.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace k2c {
namespace {

using Json = nlohmann::json;

TaskDefinition SampleDefinition() {
  TaskDefinition d;
  d.config.topic = "orders";
  d.config.bucket = "archive";
  d.config.window = std::chrono::milliseconds(90'000);
  d.config.start = "earliest";
  d.config.format = "text";
  d.config.delimiter = "\r\n";
  d.config.max_object_bytes = 1ull << 30;
  d.config.key_template = "{topic}/{date}/{partition}";
  d.state = TaskState::kPaused;
  d.origin = "config";
  d.created_ms = 1'764'103'500'000;
  d.updated_ms = 1'764'103'600'000;
  return d;
}

WorkerTaskStatus SampleStatus() {
  WorkerTaskStatus s;
  s.topic = "orders";
  s.worker_id = "worker-1";
  s.worker_url = "http://10.0.0.1:8080";
  s.state = "running";
  s.partitions = {0, 3, 7};
  s.blocked_partitions = {3};
  s.blocked_reason = "InvalidArgument: key refused";
  s.create_only = false;
  s.records_archived = 1'000'000;
  s.bytes_archived = 1ull << 40;
  s.objects_written = 12;
  s.upload_failures = 2;
  s.last_object_key = "orders/2026/01/01/0.txt";
  s.last_object_ms = 1'764'103'500'000;
  s.last_error = "Unavailable: \"quoted\" error";
  s.last_error_ms = 1'764'103'400'000;
  s.updated_ms = 1'764'103'600'000;
  return s;
}

// Decodes `json` and expects InvalidArgument naming `field`.
void ExpectDefinitionError(const Json& json, const std::string& field) {
  auto decoded = DecodeTaskDefinition(json.dump());
  ASSERT_FALSE(decoded.ok()) << json.dump();
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(decoded.status().message().find("'" + field + "'"), std::string::npos)
      << decoded.status().ToString();
}

void ExpectStatusError(const Json& json, const std::string& field) {
  auto decoded = DecodeWorkerTaskStatus(json.dump());
  ASSERT_FALSE(decoded.ok()) << json.dump();
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(decoded.status().message().find("'" + field + "'"), std::string::npos)
      << decoded.status().ToString();
}

TEST(TaskDefinitionTest, StateNames) {
  EXPECT_EQ(TaskStateName(TaskState::kRunning), "running");
  EXPECT_EQ(TaskStateName(TaskState::kPaused), "paused");
}

TEST(TaskDefinitionTest, RoundTrip) {
  const TaskDefinition d = SampleDefinition();
  auto decoded = DecodeTaskDefinition(EncodeTaskDefinition(d));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_TRUE(SameSettings(decoded->config, d.config));
  EXPECT_EQ(decoded->config.window, d.config.window);
  EXPECT_EQ(decoded->config.delimiter, "\r\n");
  EXPECT_EQ(decoded->state, TaskState::kPaused);
  EXPECT_EQ(decoded->origin, "config");
  EXPECT_EQ(decoded->created_ms, d.created_ms);
  EXPECT_EQ(decoded->updated_ms, d.updated_ms);
}

TEST(TaskDefinitionTest, EncodingHasDocumentedFields) {
  const Json j = Json::parse(EncodeTaskDefinition(SampleDefinition()));
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["topic"], "orders");
  EXPECT_EQ(j["bucket"], "archive");
  EXPECT_EQ(j["window"], "90s");
  EXPECT_EQ(j["start"], "earliest");
  EXPECT_EQ(j["format"], "text");
  EXPECT_EQ(j["delimiter"], "\r\n");
  EXPECT_EQ(j["max_object_bytes"], 1ull << 30);
  EXPECT_EQ(j["key_template"], "{topic}/{date}/{partition}");
  EXPECT_EQ(j["state"], "paused");
  EXPECT_EQ(j["origin"], "config");
  EXPECT_EQ(j["created_ms"], 1'764'103'500'000);
  EXPECT_EQ(j["updated_ms"], 1'764'103'600'000);
}

TEST(TaskDefinitionTest, DefaultsForOptionalFields) {
  auto decoded = DecodeTaskDefinition(R"({"version":1,"topic":"t","bucket":"b","window":"5m"})");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const TaskDefinition defaults;
  EXPECT_EQ(decoded->config.topic, "t");
  EXPECT_EQ(decoded->config.bucket, "b");
  EXPECT_EQ(decoded->config.window, std::chrono::minutes(5));
  EXPECT_EQ(decoded->config.start, defaults.config.start);
  EXPECT_EQ(decoded->config.format, defaults.config.format);
  EXPECT_EQ(decoded->config.delimiter, defaults.config.delimiter);
  EXPECT_EQ(decoded->config.max_object_bytes, defaults.config.max_object_bytes);
  EXPECT_EQ(decoded->config.key_template, "");
  EXPECT_EQ(decoded->state, TaskState::kRunning);
  EXPECT_EQ(decoded->origin, "api");
  EXPECT_EQ(decoded->created_ms, 0);
  EXPECT_EQ(decoded->updated_ms, 0);
}

TEST(TaskDefinitionTest, UnknownFieldsIgnored) {
  auto decoded = DecodeTaskDefinition(
      R"({"version":1,"topic":"t","bucket":"b","window":"1h","compression":"zstd",)"
      R"("nested":{"a":[1,2]}})");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->config.window, std::chrono::hours(1));
}

TEST(TaskDefinitionTest, NotJson) {
  for (const char* text : {"", "not json", "{\"version\":1", "[1,2]", "\"string\"", "42"}) {
    auto decoded = DecodeTaskDefinition(text);
    ASSERT_FALSE(decoded.ok()) << text;
    EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument) << text;
  }
}

TEST(TaskDefinitionTest, ErrorsNameTheField) {
  const Json base = Json::parse(EncodeTaskDefinition(SampleDefinition()));
  struct Case {
    std::string field;
    Json value;  // null: remove the field.
  };
  const std::vector<Case> cases = {
      {"version", nullptr},
      {"version", "1"},
      {"version", 2},
      {"version", 0},
      {"topic", nullptr},
      {"topic", ""},
      {"topic", 5},
      {"bucket", nullptr},
      {"bucket", Json::array()},
      {"window", nullptr},
      {"window", 300000},
      {"window", "5 minutes"},
      {"window", "0s"},
      {"start", true},
      {"format", 1},
      {"delimiter", Json::object()},
      {"max_object_bytes", "64MiB"},
      {"max_object_bytes", -1},
      {"max_object_bytes", 1.5},
      {"key_template", 3},
      {"state", "stopped"},
      {"state", 1},
      {"origin", "cli"},
      {"created_ms", "now"},
      {"updated_ms", 2.5},
      {"updated_ms", 18446744073709551615ull},
  };
  for (const Case& c : cases) {
    Json j = base;
    if (c.value.is_null()) {
      j.erase(c.field);
    } else {
      j[c.field] = c.value;
    }
    SCOPED_TRACE(c.field + " = " + c.value.dump());
    ExpectDefinitionError(j, c.field);
  }
}

TEST(TaskDefinitionTest, Version2Rejected) {
  Json j = Json::parse(EncodeTaskDefinition(SampleDefinition()));
  j["version"] = 2;
  auto decoded = DecodeTaskDefinition(j.dump());
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("version"), std::string::npos);
  EXPECT_FALSE(DecodeWorkerTaskStatus(R"({"version":2,"topic":"t","worker_id":"w"})").ok());
}

TEST(TaskDefinitionTest, SameSettingsIgnoresNothingButStateAndTimes) {
  const TaskDefinition a = SampleDefinition();
  EXPECT_TRUE(SameSettings(a.config, a.config));
  auto differs = [&](auto change) {
    TaskConfig b = a.config;
    change(b);
    return !SameSettings(a.config, b);
  };
  EXPECT_TRUE(differs([](TaskConfig& c) { c.topic = "x"; }));
  EXPECT_TRUE(differs([](TaskConfig& c) { c.bucket = "x"; }));
  EXPECT_TRUE(differs([](TaskConfig& c) { c.window = std::chrono::minutes(7); }));
  EXPECT_TRUE(differs([](TaskConfig& c) { c.start = "latest"; }));
  EXPECT_TRUE(differs([](TaskConfig& c) { c.format = "json"; }));
  EXPECT_TRUE(differs([](TaskConfig& c) { c.delimiter = "\n"; }));
  EXPECT_TRUE(differs([](TaskConfig& c) { c.max_object_bytes = 1; }));
  EXPECT_TRUE(differs([](TaskConfig& c) { c.key_template = ""; }));
}

TEST(TaskDefinitionTest, StatusRoundTrip) {
  const WorkerTaskStatus s = SampleStatus();
  const std::string encoded = EncodeWorkerTaskStatus(s);
  const Json j = Json::parse(encoded);
  EXPECT_EQ(j["version"], 1);
  for (const char* field :
       {"topic", "worker_id", "worker_url", "state", "partitions", "records_archived",
        "bytes_archived", "objects_written", "upload_failures", "last_object_key", "last_object_ms",
        "last_error", "last_error_ms", "updated_ms", "blocked_partitions", "blocked_reason",
        "create_only"}) {
    EXPECT_TRUE(j.contains(field)) << field;
  }
  auto decoded = DecodeWorkerTaskStatus(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->topic, s.topic);
  EXPECT_EQ(decoded->worker_id, s.worker_id);
  EXPECT_EQ(decoded->worker_url, s.worker_url);
  EXPECT_EQ(decoded->state, s.state);
  EXPECT_EQ(decoded->partitions, s.partitions);
  EXPECT_EQ(decoded->blocked_partitions, s.blocked_partitions);
  EXPECT_EQ(decoded->blocked_reason, s.blocked_reason);
  EXPECT_EQ(decoded->create_only, s.create_only);
  EXPECT_EQ(decoded->records_archived, s.records_archived);
  EXPECT_EQ(decoded->bytes_archived, s.bytes_archived);
  EXPECT_EQ(decoded->objects_written, s.objects_written);
  EXPECT_EQ(decoded->upload_failures, s.upload_failures);
  EXPECT_EQ(decoded->last_object_key, s.last_object_key);
  EXPECT_EQ(decoded->last_object_ms, s.last_object_ms);
  EXPECT_EQ(decoded->last_error, s.last_error);
  EXPECT_EQ(decoded->last_error_ms, s.last_error_ms);
  EXPECT_EQ(decoded->updated_ms, s.updated_ms);
}

TEST(TaskDefinitionTest, StatusDefaultsAndUnknownFields) {
  auto decoded =
      DecodeWorkerTaskStatus(R"({"version":1,"topic":"t","worker_id":"w","future":[1]})");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->topic, "t");
  EXPECT_EQ(decoded->worker_id, "w");
  EXPECT_TRUE(decoded->partitions.empty());
  EXPECT_EQ(decoded->records_archived, 0u);
  EXPECT_EQ(decoded->last_object_ms, 0);
  EXPECT_EQ(decoded->worker_url, "");
  EXPECT_TRUE(decoded->blocked_partitions.empty());
  EXPECT_TRUE(decoded->create_only);  // Written by a worker before fencing: the default.
}

TEST(TaskDefinitionTest, StatusErrorsNameTheField) {
  const Json base = Json::parse(EncodeWorkerTaskStatus(SampleStatus()));
  struct Case {
    std::string field;
    Json value;
  };
  const std::vector<Case> cases = {
      {"version", nullptr},
      {"version", 2},
      {"topic", nullptr},
      {"topic", 1},
      {"worker_id", nullptr},
      {"worker_id", ""},
      {"worker_url", false},
      {"state", 0},
      {"partitions", 3},
      {"partitions", Json::array({0, "1"})},
      {"partitions", Json::array({-1})},
      {"partitions", Json::array({1ll << 40})},
      {"blocked_partitions", Json::array({-1})},
      {"blocked_reason", 1},
      {"create_only", "yes"},
      {"records_archived", -5},
      {"bytes_archived", "1GiB"},
      {"objects_written", 1.0},
      {"upload_failures", Json::object()},
      {"last_object_key", 9},
      {"last_object_ms", "yesterday"},
      {"last_error", Json::array()},
      {"last_error_ms", 0.5},
      {"updated_ms", true},
  };
  for (const Case& c : cases) {
    Json j = base;
    if (c.value.is_null()) {
      j.erase(c.field);
    } else {
      j[c.field] = c.value;
    }
    SCOPED_TRACE(c.field + " = " + c.value.dump());
    ExpectStatusError(j, c.field);
  }
  EXPECT_EQ(DecodeWorkerTaskStatus("[]").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeWorkerTaskStatus("{oops").status().code(), StatusCode::kInvalidArgument);
}

TEST(TaskDefinitionTest, StatusKeyFormat) {
  EXPECT_EQ(StatusKey("orders", "worker-1"), "orders/worker-1");
  EXPECT_EQ(StatusKey("a.b_c-d", "host:8080"), "a.b_c-d/host:8080");
}

TEST(TaskDefinitionTest, InvalidUtf8DoesNotThrow) {
  TaskDefinition d = SampleDefinition();
  d.config.delimiter = std::string("\xff\xfe", 2);
  const std::string encoded = EncodeTaskDefinition(d);
  EXPECT_TRUE(DecodeTaskDefinition(encoded).ok());
}

}  // namespace
}  // namespace k2c
