// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/cluster_view.h"

#include "control/config.h"

namespace k2c {

Result<std::vector<TopicInfo>> ClusterView::ListTopics() const {
  auto topics = k2c::ListTopics(admin_);
  if (!topics.ok()) return topics.status();
  std::vector<TopicInfo> visible;
  for (TopicInfo& t : *topics) {
    if (!control_topics_.count(t.name)) visible.push_back(std::move(t));
  }
  return visible;
}

Status ClusterView::CheckTopicExists(const std::string& topic) const {
  auto info = DescribeTopic(admin_, topic);
  if (!info.ok() && info.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("topic '" + topic +
                            "' does not exist in the Kafka cluster; create it first");
  }
  return info.status();
}

Result<std::vector<PartitionLag>> ClusterView::FetchLag(const std::string& topic) const {
  return FetchGroupLag(admin_, TaskGroupId(instance_, topic), topic);
}

}  // namespace k2c
