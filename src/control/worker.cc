// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/worker.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "format/encoder.h"
#include "kafka/topic_id.h"
#include "storage/local_store.h"
#include "storage/s3_store.h"

namespace k2c {

struct Worker::Task {
  TaskConfig config;
  std::unique_ptr<KafkaSource> source;
  std::unique_ptr<RecordEncoder> encoder;
  std::unique_ptr<TaskRunner> runner;
  std::thread thread;
};

Result<std::unique_ptr<ObjectStore>> MakeObjectStore(const StorageConfig& storage) {
  if (storage.type == StorageConfig::Type::kLocal) {
    return std::unique_ptr<ObjectStore>(std::make_unique<LocalStore>(storage.root));
  }
  S3Options options;
  options.endpoint = storage.endpoint;
  options.region = storage.region;
  options.path_style = storage.path_style;
  options.access_key_id = storage.access_key_id;
  options.secret_access_key = storage.secret_access_key;
  options.session_token = storage.session_token;
  options.verify_tls = storage.verify_tls;
  options.ca_file = storage.ca_file;
  options.connect_timeout_ms = static_cast<int>(storage.connect_timeout.count());
  options.request_timeout_ms = static_cast<int>(storage.request_timeout.count());
  options.server_side_encryption = storage.server_side_encryption;
  options.canned_acl = storage.canned_acl;
  auto store = S3Store::Create(options);
  if (!store.ok()) return store.status().WithContext("[storage]");
  spdlog::info("event=storage_configured {}", options.ToString());
  return std::unique_ptr<ObjectStore>(std::move(store.value()));
}

Worker::Worker(Config config) : config_(std::move(config)) {}

Worker::~Worker() { Stop(); }

Status Worker::Start() {
  if (config_.tasks.empty()) {
    return Status::InvalidArgument("no [[task]] in the config: nothing to archive");
  }
  auto store = MakeObjectStore(config_.storage);
  if (!store.ok()) return store.status();
  store_ = std::move(store.value());
  instance_ = config_.instance_id;
  budget_ = std::make_unique<MemoryBudget>(config_.sink.memory_budget);
  K2C_RETURN_IF_ERROR(PrepareSpool());
  pool_ = std::make_unique<UploadPool>("upload", config_.sink.upload_threads);
  for (const TaskConfig& task_config : config_.tasks) {
    auto task = PrepareTask(task_config);
    if (!task.ok()) {
      return task.status().WithContext("task for topic '" + task_config.topic + "'");
    }
    tasks_.push_back(std::move(task.value()));
  }
  for (auto& task : tasks_) {
    Task* t = task.get();
    t->thread = std::thread([this, t] {
      const std::string name = "task-" + t->config.topic;
      pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
      RunTask(t);
    });
  }
  return Status::Ok();
}

Result<std::unique_ptr<Worker::Task>> Worker::PrepareTask(const TaskConfig& tc) {
  auto task = std::make_unique<Task>();
  task->config = tc;

  // The group id depends on the instance id, which defaults to the cluster
  // id; a first connection without a group learns it.
  if (instance_.empty()) {
    KafkaSourceOptions probe;
    probe.bootstrap_servers = config_.kafka.bootstrap_servers;
    probe.properties = config_.kafka.properties;
    auto id = FetchClusterId(probe);
    if (!id.ok()) return id.status();
    instance_ = *id;
    spdlog::info("event=instance_id instance={} source=kafka_cluster_id", instance_);
  }

  KafkaSourceOptions options;
  options.bootstrap_servers = config_.kafka.bootstrap_servers;
  options.properties = config_.kafka.properties;
  options.group_id = TaskGroupId(instance_, tc.topic);
  options.topic = tc.topic;
  options.start = tc.start == "earliest" ? StartPosition::kEarliest : StartPosition::kLatest;
  // librdkafka prefetches up to 64 MiB per consumer by default; 16 MiB keeps
  // that part of memory small and still fills the pipeline.
  options.properties.emplace("queued.max.messages.kbytes", "16384");
  // One fetch response is held whole in memory: 8 MiB instead of 50 MiB.
  // Raise it (with receive.message.max.bytes) for records larger than that.
  options.properties.emplace("fetch.max.bytes", "8388608");

  auto tmpl = KeyTemplate::Parse(tc.key_template.empty() ? kDefaultKeyTemplate : tc.key_template);
  if (!tmpl.ok()) return tmpl.status();
  TaskSpec spec;
  spec.topic = tc.topic;
  spec.instance = instance_;
  spec.bucket = Bucket{tc.bucket};
  spec.policy.window_ms = tc.window.count();
  spec.policy.grace_ms = config_.sink.flush_grace.count();
  spec.policy.max_object_bytes = tc.max_object_bytes;
  spec.upload.part_size = config_.storage.part_size;
  spec.key_template = std::move(tmpl.value());
  if (spec.key_template.uses_topic_id()) {
    auto protocol = config_.kafka.properties.find("security.protocol");
    if (protocol != config_.kafka.properties.end() && protocol->second != "plaintext" &&
        protocol->second != "PLAINTEXT") {
      return Status::FailedPrecondition(
          "key_template uses {topic_id}, which kafka2cos can only look up over PLAINTEXT; use "
          "{topic} instead");
    }
    auto id = FetchTopicId(config_.kafka.bootstrap_servers, tc.topic, std::chrono::seconds(10));
    if (!id.ok()) return id.status().WithContext("look up the topic id");
    spec.topic_id = *id;
  }

  if (config_.storage.type == StorageConfig::Type::kLocal) {
    // The embedded store has no separate bucket creation step.
    K2C_RETURN_IF_ERROR(static_cast<LocalStore*>(store_.get())->CreateBucket(spec.bucket));
  }
  // A PUT (not a HEAD, whose error answers carry no body) tells a missing
  // bucket, bad credentials and missing permissions apart.
  K2C_RETURN_IF_ERROR(WriteProbe(spec.bucket, instance_ + "/" + tc.topic + "/"));

  auto source = KafkaSource::Create(options);
  if (!source.ok()) return source.status();
  task->source = std::move(source.value());
  auto encoder = MakeEncoder(tc.format, TextFormatOptions{tc.delimiter});
  if (!encoder.ok()) return encoder.status();
  task->encoder = std::move(encoder.value());
  spdlog::info(
      "event=task_ready topic={} group={} bucket={} window={} start={} key_template=\"{}\"",
      tc.topic, options.group_id, tc.bucket, FormatDuration(tc.window), tc.start,
      spec.key_template.text());
  task->runner = std::make_unique<TaskRunner>(std::move(spec), task->source.get(),
                                              task->encoder.get(), store_.get(), pool_.get(),
                                              SystemNowMs, budget_.get(), spool_.get());
  return task;
}

Status Worker::WriteProbe(const Bucket& bucket, const std::string& prefix) {
  // Proves write access before any record is read, so missing permissions
  // fail the start with a message instead of a retry loop.
  const ObjectKey probe{prefix + "_kafka2cos_write_probe"};
  K2C_RETURN_IF_ERROR(
      store_->PutObject(bucket, probe, "kafka2cos write probe\n")
          .WithContext("write probe object '" + probe.value + "' to bucket '" + bucket.name + "'"));
  Status s = store_->DeleteObject(bucket, probe);
  if (!s.ok()) {
    spdlog::warn("event=probe_delete_failed bucket={} key={} error=\"{}\"", bucket.name,
                 probe.value, s.ToString());
  }
  return Status::Ok();
}

Status Worker::PrepareSpool() {
  std::error_code ec;
  std::filesystem::create_directories(config_.sink.spool_dir, ec);
  spool_ = std::make_unique<Spool>(config_.sink.spool_dir, config_.sink.spool_max_bytes);
  // Prove that anonymous spool files can be made there before any record
  // depends on it.
  SegmentBody probe(nullptr, spool_.get());
  K2C_RETURN_IF_ERROR(probe.Append("probe"));
  return probe.Spill().WithContext("sink.spool_dir");
}

Status Worker::failure() const {
  for (const auto& task : tasks_) {
    if (!task->runner->fatal().ok()) {
      return task->runner->fatal().WithContext("task for topic '" + task->config.topic + "'");
    }
  }
  return Status::Ok();
}

void Worker::RunTask(Task* task) {
  while (!stopping_.load() && task->runner->fatal().ok()) {
    task->runner->SetPaused(want_paused_.load());
    task->runner->Step(std::chrono::milliseconds(200));
  }
  task->runner->Shutdown();
  task->source->Close(task->runner.get());
  const TaskStats stats = task->runner->stats();
  spdlog::info("event=task_stopped topic={} objects={} records={} bytes={}", task->config.topic,
               stats.objects_written, stats.records_archived, stats.bytes_archived);
}

void Worker::Stop() {
  stopping_.store(true);
  for (auto& task : tasks_) {
    if (task->thread.joinable()) task->thread.join();
  }
  tasks_.clear();
  pool_.reset();
}

}  // namespace k2c
