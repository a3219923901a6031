// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/archive_access.h"

#include <chrono>

#include "control/store_factory.h"
#include "control/task_store.h"
#include "kafka/kafka_source.h"
#include "kafka/topic_id.h"
#include "sink/key_template.h"

namespace k2c {

Result<ArchiveLocation> ArchiveLocationFor(const TaskConfig& task, const std::string& instance,
                                           const std::string& topic_id) {
  auto key_template =
      KeyTemplate::Parse(task.key_template.empty() ? kDefaultKeyTemplate : task.key_template);
  if (!key_template.ok()) return key_template.status();
  ArchiveLocation location;
  location.bucket = Bucket{task.bucket};
  location.key_template = std::move(key_template.value());
  location.constants = KeyConstants{instance, task.topic, topic_id};
  location.window_ms = task.window.count();
  const FormatSettings settings = FormatSettingsOf(task);
  location.default_format = settings.format;
  location.default_compression = EffectiveCompression(settings);
  return location;
}

Result<DirectArchive> OpenDirectArchive(const Config& config, const std::string& topic) {
  DirectArchive direct;
  direct.instance = config.instance_id;
  if (direct.instance.empty()) {
    KafkaSourceOptions probe;
    probe.bootstrap_servers = config.kafka.bootstrap_servers;
    probe.properties = config.kafka.properties;
    auto id = FetchClusterId(probe);
    if (!id.ok()) return id.status().WithContext("learn the Kafka cluster id (the instance id)");
    direct.instance = *id;
  }
  bool found = false;
  for (const TaskConfig& task : config.tasks) {
    if (task.topic == topic) {
      direct.task = task;
      found = true;
    }
  }
  if (!found) {
    TaskStoreOptions options;
    options.kafka.bootstrap_servers = config.kafka.bootstrap_servers;
    options.kafka.properties = config.kafka.properties;
    options.tasks_topic = config.control.tasks_topic.empty()
                              ? DefaultControlTopic(direct.instance, "tasks")
                              : config.control.tasks_topic;
    options.status_topic = config.control.status_topic.empty()
                               ? DefaultControlTopic(direct.instance, "status")
                               : config.control.status_topic;
    options.replication_factor = config.control.replication_factor;
    auto tasks = TaskStore::Open(options);
    if (!tasks.ok()) return tasks.status().WithContext("read the task definitions");
    auto definition = (*tasks)->Get(topic);
    if (!definition) {
      return Status::NotFound("no task archives topic '" + topic +
                              "': it is neither in the "
                              "config's [[tasks]] nor in the task topic '" +
                              options.tasks_topic + "'");
    }
    direct.task = definition->config;
  }
  auto location = ArchiveLocationFor(direct.task, direct.instance, "");
  if (!location.ok()) return location.status();
  auto protocol = config.kafka.properties.find("security.protocol");
  const bool plaintext = protocol == config.kafka.properties.end() ||
                         protocol->second == "plaintext" || protocol->second == "PLAINTEXT";
  if (location->key_template.uses_topic_id() && plaintext) {
    // Keys of a deleted and re-created topic carry another id: without it
    // they match any id (see KeyConstants), with a listing of the whole task.
    auto id = FetchTopicId(config.kafka.bootstrap_servers, topic, std::chrono::seconds(10));
    if (id.ok()) location->constants.topic_id = *id;
  }
  auto store = MakeObjectStore(config.storage);
  if (!store.ok()) return store.status();
  direct.store = std::move(store.value());
  direct.archive = std::make_unique<StoreArchive>(direct.store.get(), std::move(location.value()),
                                                  direct.task.delimiter);
  return direct;
}

}  // namespace k2c
