// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "format/format.h"

namespace k2c {

// The worker's configuration, as loaded from TOML. docs/config.md documents
// every key, its default and its range; keep the two in step.

struct KafkaConfig {
  std::string bootstrap_servers;
  // Passed to librdkafka as they are (TLS, SASL, tuning).
  std::map<std::string, std::string> properties;
};

struct StorageConfig {
  enum class Type { kLocal, kS3 };
  Type type = Type::kLocal;
  std::string root = "./archive";  // local: a bucket is a directory under root.
  // s3:
  std::string endpoint;
  std::string region = "us-east-1";
  bool path_style = false;
  std::string access_key_id;      // Falls back to AWS_ACCESS_KEY_ID.
  std::string secret_access_key;  // Falls back to AWS_SECRET_ACCESS_KEY. Never logged.
  std::string session_token;      // Falls back to AWS_SESSION_TOKEN. Never logged.
  bool verify_tls = true;
  std::string ca_file;
  std::string server_side_encryption;  // "", "AES256" or "aws:kms".
  std::string canned_acl = "private";  // "" for buckets with ACLs disabled.
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds request_timeout{60'000};
  uint64_t part_size = 16ull << 20;
};

struct SinkConfig {
  std::chrono::milliseconds flush_grace{5'000};
  // Records stamped further than this ahead of the wall clock never close
  // the open window (see PartitionBuffer).
  std::chrono::milliseconds max_future_skew{60 * 60'000};
  std::chrono::milliseconds min_window{5 * 60'000};
  std::chrono::milliseconds max_window{60 * 60'000};
  int upload_threads = 4;
  // Record data held in memory by all tasks; above 70% bodies spill to the
  // spool, above 100% fetching pauses.
  uint64_t memory_budget = 256ull << 20;
  std::string spool_dir = "/var/tmp";
  uint64_t spool_max_bytes = 8ull << 30;
  // Completeness manifests (docs/archive.md): written by the worker holding
  // each task's partition 0, checked every `manifest_interval`.
  bool manifests = true;
  std::chrono::milliseconds manifest_interval{10'000};
};

struct TaskConfig {
  std::string topic;
  std::string bucket;
  std::chrono::milliseconds window{5 * 60'000};
  std::string start = "latest";  // "latest" | "earliest"
  std::string format = "text";
  std::string compression;    // Empty: the format's default (docs/formats.md).
  int compression_level = 0;  // 0: the codec's default.
  std::string delimiter = "\n";
  uint64_t row_group_bytes = 16ull << 20;  // `parquet` only.
  uint64_t max_object_bytes = 64ull << 20;
  std::string key_template;  // Empty: kDefaultKeyTemplate.
};

// The control API. No API is served when `listen` is empty.
struct HttpConfig {
  std::string listen;  // "host:port", e.g. "127.0.0.1:8080".
  std::string token;   // Falls back to KAFKA2COS_API_TOKEN. Never logged.
  // Without a token the API may only listen on a loopback address, unless
  // this is set.
  bool allow_unauthenticated = false;
  // Host names (besides IP literals and localhost) the API answers to.
  std::vector<std::string> allowed_hosts;
  // How long the presigned URLs of GET .../objects/{key}?presign=1 stay valid.
  std::chrono::seconds presign_expiry{900};
};

// Where tasks and their status live (see TaskStore).
struct ControlConfig {
  std::string tasks_topic;      // Empty: kafka2cos.<instance>.tasks
  std::string status_topic;     // Empty: kafka2cos.<instance>.status
  int replication_factor = -1;  // -1: the broker's default.
  std::string worker_id;        // Empty: <hostname>:<http port> or <hostname>-<pid>.
  std::chrono::milliseconds status_interval{5'000};
};

struct Config {
  std::string instance_id;  // Empty: the Kafka cluster id.
  std::string log_level = "info";
  KafkaConfig kafka;
  StorageConfig storage;
  SinkConfig sink;
  HttpConfig http;
  ControlConfig control;
  std::vector<TaskConfig> tasks;
};

// The format part of a task's settings.
FormatSettings FormatSettingsOf(const TaskConfig& task);

// Checks one task's settings against the sink's window limits: topic name,
// window range, start, format, max_object_bytes, key template.
// InvalidArgument saying what to change, without a location prefix.
Status ValidateTaskConfig(const TaskConfig& task, const SinkConfig& sink);

// True for a legal Kafka topic name: 1..249 of [a-zA-Z0-9._-].
bool IsValidTopicName(std::string_view topic);

// Parses and validates `text`; `source` names it in messages (a file path).
// InvalidArgument with "source:line:column: what is wrong and how to fix it"
// for the first problem: unknown keys (with a suggestion), wrong types, values
// out of range, missing required keys. Credentials missing from the file are
// taken from the standard AWS environment variables.
Result<Config> ParseConfig(std::string_view text, const std::string& source);

// Reads `path` and parses it. NotFound if it cannot be read.
Result<Config> LoadConfig(const std::string& path);

// "90s" / "5m" / "1h" / "250ms" to a duration. InvalidArgument otherwise.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);
// "64MiB" / "1GiB" / "512KiB" / "100" (bytes). InvalidArgument otherwise.
Result<uint64_t> ParseByteSize(std::string_view text);
// The shortest form ParseByteSize accepts, e.g. "64MiB" (or "1TiB").
std::string FormatByteSize(uint64_t bytes);
// The shortest form ParseDuration accepts, e.g. "5m".
std::string FormatDuration(std::chrono::milliseconds d);

// Where tasks ("tasks") and statuses ("status") live unless [control] names
// the topics: kafka2cos.<instance>.<kind>.
std::string DefaultControlTopic(const std::string& instance, const char* kind);

// The consumer group of a task: kafka2cos.<instance>.<topic>.
std::string TaskGroupId(const std::string& instance, const std::string& topic);

// Bytes of records each task's Kafka consumer may prefetch: a quarter of
// `memory_budget`, at least 1 MiB and at most 64 MiB.
uint64_t PrefetchBytes(uint64_t memory_budget);

}  // namespace k2c
