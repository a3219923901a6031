// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace RdKafka {
class Handle;
}  // namespace RdKafka

namespace k2c {

// How to reach the cluster for administrative calls: the same bootstrap
// servers and pass-through properties (TLS, SASL) as the consumers.
struct KafkaAdminOptions {
  std::string bootstrap_servers;
  std::map<std::string, std::string> properties;
  // Bound on every call below.
  std::chrono::milliseconds timeout{10'000};
};

struct TopicInfo {
  std::string name;
  int32_t partitions = 0;
};

// One partition of a consumer group's topic: where the group stands and
// where the log ends.
struct PartitionLag {
  int32_t partition = 0;
  std::optional<int64_t> committed;  // Next offset to read; none if never committed.
  int64_t end_offset = 0;            // High watermark.
  // end_offset - committed, or end_offset - log start when nothing is
  // committed yet (what the group would still have to read).
  int64_t lag = 0;
  // What the group stored with its committed offset (sink/commit_mark.h).
  std::string commit_metadata;
};

// Every topic of the cluster, sorted by name, internal ones (`__…`) left
// out. Unavailable when no broker answers within options.timeout.
Result<std::vector<TopicInfo>> ListTopics(const KafkaAdminOptions& options);

// The partitions of `topic`; NotFound if it does not exist.
Result<TopicInfo> DescribeTopic(const KafkaAdminOptions& options, const std::string& topic);

// The partition count of `topic` asked through the client `handle`, which
// also puts the topic into that client's metadata cache (a producer then
// sends to it at once instead of after librdkafka's next 1 s topic scan).
// NotFound if it does not exist; the handle's allow.auto.create.topics
// decides whether asking creates it.
Result<int32_t> CountPartitions(RdKafka::Handle* handle, const KafkaAdminOptions& options,
                                const std::string& topic);

// Creates `topic` with one partition and cleanup.policy=compact unless it
// exists; an existing topic is accepted as it is (a warning names a
// cleanup.policy other than compact). replication_factor -1 takes the
// broker's default.
Status EnsureCompactedTopic(const KafkaAdminOptions& options, const std::string& topic,
                            int replication_factor);

// Committed offsets of `group` on every partition of `topic`, with end
// offsets and lag, sorted by partition. Joins no group and commits nothing.
Result<std::vector<PartitionLag>> FetchGroupLag(const KafkaAdminOptions& options,
                                                const std::string& group, const std::string& topic);

}  // namespace k2c
