// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "kafka/admin.h"

namespace k2c {

// What the API shows of the Kafka cluster: the topics an operator may
// archive, whether one exists, and a task group's lag. Every call is bounded
// by the admin options' timeout. Thread-safe.
class ClusterView {
 public:
  // `control_topics`: kafka2cos' own topics, never offered for archiving.
  ClusterView(KafkaAdminOptions admin, std::string instance, std::set<std::string> control_topics)
      : admin_(std::move(admin)),
        instance_(std::move(instance)),
        control_topics_(std::move(control_topics)) {}

  Result<std::vector<TopicInfo>> ListTopics() const;
  // NotFound, saying to create it, if `topic` is not in the cluster.
  Status CheckTopicExists(const std::string& topic) const;
  // Per partition of `topic`, the committed offset of its task's group.
  Result<std::vector<PartitionLag>> FetchLag(const std::string& topic) const;

 private:
  const KafkaAdminOptions admin_;
  const std::string instance_;
  const std::set<std::string> control_topics_;
};

}  // namespace k2c
