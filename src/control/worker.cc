// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/worker.h"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "common/backoff.h"
#include "common/log_text.h"
#include "common/random_id.h"
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
  std::atomic<bool> stop{false};
  std::atomic<bool> paused{false};  // The task's stored state.
  // Written by the task thread (the source is not thread-safe), read by
  // metrics.
  std::mutex lags_mu;
  std::map<int32_t, int64_t> lags;
  // Guarded by Worker::metrics_mu_: what was already added to the counters,
  // and which lag series this task has.
  TaskStats counted;
  std::set<int32_t> lag_series;
  // Control thread only: what the last published status showed.
  std::string published;
};

namespace {

// How long a task that could not start waits before the next attempt.
constexpr std::chrono::seconds kStartRetry{30};

// Where tasks and statuses live unless [control] names the topics.
std::string DefaultControlTopic(const std::string& instance, const char* kind) {
  return "kafka2cos." + instance + "." + kind;
}

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

}  // namespace

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

KafkaAdminOptions Worker::AdminOptions() const {
  KafkaAdminOptions options;
  options.bootstrap_servers = config_.kafka.bootstrap_servers;
  options.properties = config_.kafka.properties;
  return options;
}

Status Worker::Start() {
  auto store = MakeObjectStore(config_.storage);
  if (!store.ok()) return store.status();
  store_ = std::move(store.value());
  instance_ = config_.instance_id;
  budget_ = std::make_unique<MemoryBudget>(config_.sink.memory_budget);
  K2C_RETURN_IF_ERROR(PrepareSpool());
  pool_ = std::make_unique<UploadPool>("upload", config_.sink.upload_threads);

  // The API comes first so that /readyz can say why the worker is not
  // archiving yet while Kafka or the store do not answer.
  if (!config_.http.listen.empty()) {
    api_ = std::make_unique<ApiServer>(this, config_.http.token, config_.http.allowed_hosts);
    K2C_RETURN_IF_ERROR(api_->Start(config_.http.listen));
    std::string host = config_.http.listen.substr(0, config_.http.listen.rfind(':'));
    if (host.empty() || host == "0.0.0.0" || host == "[::]") host = HostName();
    worker_url_ = "http://" + host + ":" + std::to_string(api_->port());
  }
  worker_id_ = config_.control.worker_id;
  if (worker_id_.empty()) {
    worker_id_ = HostName() + (api_ ? ":" + std::to_string(api_->port())
                                    : "-" + std::to_string(static_cast<long>(getpid())));
  }

  // A store or broker that does not answer *for now* (connection refused or
  // reset, timeouts, 5xx) is waited for; anything else (a missing topic or
  // bucket, refused credentials, a bad template) is a configuration error
  // that stops the worker at once with nothing archived.
  const Status connected = Connect();
  if (!connected.ok() && !connected.IsRetryable()) return connected;
  control_thread_ = std::thread([this, connected] {
    pthread_setname_np(pthread_self(), "control");
    if (!connected.ok() && !ConnectWithRetry(connected)) return;
    ControlLoop();
  });
  return Status::Ok();
}

Status Worker::Connect() {
  if (instance_.empty()) {
    // Group ids and topic names depend on the instance id, which defaults to
    // the cluster id; a first connection without a group learns it.
    KafkaSourceOptions probe;
    probe.bootstrap_servers = config_.kafka.bootstrap_servers;
    probe.properties = config_.kafka.properties;
    auto id = FetchClusterId(probe);
    if (!id.ok()) return id.status().WithContext("learn the Kafka cluster id");
    instance_ = *id;
    spdlog::info("event=instance_id instance={} source=kafka_cluster_id", instance_);
  }
  if (!task_store_) {
    TaskStoreOptions store_options;
    store_options.kafka = AdminOptions();
    store_options.tasks_topic = config_.control.tasks_topic.empty()
                                    ? DefaultControlTopic(instance_, "tasks")
                                    : config_.control.tasks_topic;
    store_options.status_topic = config_.control.status_topic.empty()
                                     ? DefaultControlTopic(instance_, "status")
                                     : config_.control.status_topic;
    store_options.replication_factor = config_.control.replication_factor;
    auto task_store = TaskStore::Open(store_options);
    if (!task_store.ok()) return task_store.status().WithContext("open the task store");
    task_store_ = std::move(task_store.value());
    spdlog::info("event=task_store_open tasks_topic={} status_topic={} tasks={}",
                 store_options.tasks_topic, store_options.status_topic,
                 task_store_->Tasks().size());
  }

  std::map<std::string, std::unique_ptr<Task>> prepared;
  K2C_RETURN_IF_ERROR(ApplyConfigTasks(&prepared));
  for (auto& [topic, task] : prepared) {
    auto def = task_store_->Get(topic);
    StartTask(std::move(task), def ? def->state : TaskState::kRunning);
  }
  {
    std::lock_guard<std::mutex> lock(start_mu_);
    start_error_ = Status::Ok();
  }
  started_.store(true);
  ready_.store(true);
  spdlog::info("event=worker_ready worker_id={} api={} tasks={}", worker_id_,
               worker_url_.empty() ? "none" : worker_url_, prepared.size());
  return Status::Ok();
}

bool Worker::ConnectWithRetry(Status error) {
  // Full-jitter backoff from 1 s to 30 s: workers restarted together after
  // an outage do not all knock at once.
  Backoff backoff(std::chrono::seconds(1), std::chrono::seconds(30));
  while (true) {
    {
      std::lock_guard<std::mutex> lock(start_mu_);
      start_error_ = error;
    }
    const std::chrono::milliseconds delay =
        std::max(backoff.NextDelay(error), std::chrono::milliseconds(200));
    spdlog::warn("event=start_waiting retry_in_ms={} error=\"{}\"", delay.count(),
                 LogEscape(error));
    if (stop_token_.WaitFor(delay)) return false;
    error = Connect();
    if (error.ok()) return true;
    if (!error.IsRetryable()) {
      spdlog::error("event=start_failed error=\"{}\"", LogEscape(error));
      std::lock_guard<std::mutex> lock(start_mu_);
      start_error_ = error;
      start_failed_ = true;
      return false;
    }
  }
}

Status Worker::ApplyConfigTasks(std::map<std::string, std::unique_ptr<Task>>* prepared) {
  // Every task of the file is checked before any is stored or started, so
  // a bad one stops the worker with nothing changed.
  for (const TaskConfig& tc : config_.tasks) {
    auto task = PrepareTask(tc);
    if (!task.ok()) return task.status().WithContext("task for topic '" + tc.topic + "'");
    (*prepared)[tc.topic] = std::move(task.value());
  }
  // The file decides the settings of the tasks it declares; their state
  // (paused or not) stays what the API last set.
  for (const TaskConfig& tc : config_.tasks) {
    std::optional<TaskDefinition> stored = task_store_->Get(tc.topic);
    if (stored && SameSettings(stored->config, tc)) continue;
    TaskDefinition def = stored.value_or(TaskDefinition{});
    def.config = tc;
    def.origin = "config";
    def.updated_ms = SystemNowMs();
    if (!stored) def.created_ms = def.updated_ms;
    K2C_RETURN_IF_ERROR(
        task_store_->Put(def).WithContext("store the task for topic '" + tc.topic + "'"));
    spdlog::info("event=task_{} topic={} bucket={} window={} source=config",
                 stored ? "updated" : "enabled", tc.topic, tc.bucket, FormatDuration(tc.window));
  }
  return Status::Ok();
}

Result<std::unique_ptr<Worker::Task>> Worker::PrepareTask(const TaskConfig& tc) {
  // Definitions read back from the tasks topic pass the same rules as the
  // config file and the API: anyone who can write to that topic is not
  // trusted more than an API client.
  K2C_RETURN_IF_ERROR(ValidateTaskConfig(tc, config_.sink));
  K2C_RETURN_IF_ERROR(CheckTaskAgainstStore(tc));
  auto task = std::make_unique<Task>();
  task->config = tc;

  KafkaSourceOptions options;
  options.bootstrap_servers = config_.kafka.bootstrap_servers;
  options.properties = config_.kafka.properties;
  options.group_id = TaskGroupId(instance_, tc.topic);
  options.topic = tc.topic;
  options.start = tc.start == "earliest" ? StartPosition::kEarliest : StartPosition::kLatest;
  // librdkafka 2.0's consumer stops fetching while its prefetch queue is
  // full and only looks again on its next wake-up (up to 1 s later), so a
  // queue that holds much less than a second of records leaves the task
  // idle: 16 MiB ran W1 at 0.62x of 64 MiB (docs/benchmarks.md). A quarter
  // of the memory budget, at most 64 MiB, in bytes and in records (librdkafka
  // spends a few hundred bytes per queued record on top of its value).
  const uint64_t prefetch = PrefetchBytes(config_.sink.memory_budget);
  options.properties.emplace("queued.max.messages.kbytes", std::to_string(prefetch >> 10));
  options.properties.emplace("queued.min.messages", std::to_string(prefetch / 256));
  // One fetch response is held whole in memory: 8 MiB instead of 50 MiB.
  // Raise it (with receive.message.max.bytes) for records larger than that.
  options.properties.emplace("fetch.max.bytes", "8388608");
  // Let the broker gather up to 1 MiB (or wait fetch.wait.max.ms, 500 ms)
  // per fetch: with many partitions and a trickle of records, answering
  // every record at once cost a fifth of a core at rest (bench/run.py w3);
  // half a second of delay is nothing against windows of minutes.
  options.properties.emplace("fetch.min.bytes", "1048576");

  auto tmpl = KeyTemplate::Parse(tc.key_template.empty() ? kDefaultKeyTemplate : tc.key_template);
  if (!tmpl.ok()) return tmpl.status();
  TaskSpec spec;
  spec.topic = tc.topic;
  spec.instance = instance_;
  spec.bucket = Bucket{tc.bucket};
  spec.policy.window_ms = tc.window.count();
  spec.policy.grace_ms = config_.sink.flush_grace.count();
  spec.policy.max_future_skew_ms = config_.sink.max_future_skew.count();
  spec.policy.max_object_bytes = tc.max_object_bytes;
  spec.upload.part_size = config_.storage.part_size;
  spec.key_template = std::move(tmpl.value());
  Histogram* latency = &metrics_.GetHistogram(
      "kafka2cos_upload_duration_seconds",
      "Seconds from an object's upload start to it being durable, retries included",
      LatencyBucketsSeconds(), {{"topic", tc.topic}});
  spec.observe_upload_seconds = [latency](double seconds) { latency->Observe(seconds); };
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

  // A PUT (not a HEAD, whose error answers carry no body) tells a missing
  // bucket, bad credentials and missing permissions apart.
  auto create_only = WriteProbe(spec.bucket, instance_ + "/" + tc.topic + "/");
  if (!create_only.ok()) return create_only.status();
  spec.create_only = *create_only;
  spec.writer_id = worker_id_;

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

Status Worker::CheckTaskAgainstStore(const TaskConfig& tc) const {
  const uint64_t largest = config_.storage.part_size * kMaxParts;
  if (tc.max_object_bytes > largest) {
    return Status::InvalidArgument(
        "max_object_bytes " + FormatByteSize(tc.max_object_bytes) +
        " is more than an object of storage.part_size (" +
        FormatByteSize(config_.storage.part_size) + ") x " + std::to_string(kMaxParts) +
        " parts can hold (" + FormatByteSize(largest) + "): lower it or raise storage.part_size");
  }
  auto tmpl = KeyTemplate::Parse(tc.key_template.empty() ? kDefaultKeyTemplate : tc.key_template);
  if (!tmpl.ok()) return tmpl.status();
  auto encoder = MakeEncoder(tc.format, TextFormatOptions{tc.delimiter});
  if (!encoder.ok()) return encoder.status();
  const ObjectKey sample{
      tmpl->RenderSample(instance_, tc.topic, std::string(encoder.value()->extension()))};
  return store_->CheckKey(sample).WithContext("key_template '" + tmpl->text() +
                                              "' makes keys such as '" + sample.value +
                                              "', which the store refuses");
}

Result<bool> Worker::WriteProbe(const Bucket& bucket, const std::string& prefix) {
  // Proves write access before any record is read, so missing permissions
  // fail the start with a message instead of a retry loop. The probe is
  // created twice, create-only: a store that honours the condition refuses
  // the second (P7 in docs/design.md); one that does not is used with the
  // overwrite rule (P3), and the task says so.
  // Its own key per call: workers of one task start together, and with a
  // shared key one's delete or first create races another's create-only
  // pair (seen: a refused first create failed a joining worker's start).
  K2C_RETURN_IF_ERROR(store_->EnsureBucket(bucket));
  const ObjectKey probe{prefix + "_kafka2cos_write_probe." + RandomHex64()};
  const std::string where =
      "write probe object '" + probe.value + "' to bucket '" + bucket.name + "'";
  K2C_RETURN_IF_ERROR(store_->DeleteObject(bucket, probe).WithContext(where));
  WriteOptions create_only;
  create_only.if_absent = true;
  K2C_RETURN_IF_ERROR(
      store_->PutObject(bucket, probe, "kafka2cos write probe\n", create_only).WithContext(where));
  const Status again = store_->PutObject(bucket, probe, "kafka2cos write probe\n", create_only);
  const bool honoured = again.code() == StatusCode::kAlreadyExists;
  if (!honoured && !again.ok()) return again.WithContext(where);
  if (!honoured) {
    spdlog::warn(
        "event=create_only_unsupported bucket={} detail=\"the store overwrote an existing object "
        "despite If-None-Match; publishing with the overwrite rule, which does not fence a "
        "writer frozen past its session (docs/design.md)\"",
        bucket.name);
  }
  Status s = store_->DeleteObject(bucket, probe);
  if (!s.ok()) {
    spdlog::warn("event=probe_delete_failed bucket={} key={} error=\"{}\"", bucket.name,
                 probe.value, LogEscape(s));
  }
  return honoured;
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

void Worker::StartTask(std::unique_ptr<Task> task, TaskState state) {
  Task* t = task.get();
  t->paused.store(state == TaskState::kPaused);
  {
    std::lock_guard<std::mutex> lock(tasks_mu_);
    start_failures_.erase(t->config.topic);
    tasks_[t->config.topic] = std::move(task);
  }
  t->thread = std::thread([this, t] {
    const std::string name = "task-" + t->config.topic;
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    RunTask(t);
  });
}

void Worker::StopTask(Task* task) {
  task->stop.store(true);
  if (task->thread.joinable()) task->thread.join();
  // Counts what it did since the last scrape and drops its lag series.
  {
    std::lock_guard<std::mutex> lock(task->lags_mu);
    task->lags.clear();
  }
  std::lock_guard<std::mutex> metrics_lock(metrics_mu_);
  FoldTaskMetrics(*task);
}

void Worker::RunTask(Task* task) {
  auto next_lag = std::chrono::steady_clock::now();
  while (!stopping_.load() && !task->stop.load() && task->runner->fatal().ok()) {
    task->runner->SetPaused(want_paused_.load() || task->paused.load());
    task->runner->Step(std::chrono::milliseconds(200));
    if (std::chrono::steady_clock::now() >= next_lag) {
      next_lag += std::chrono::seconds(1);
      std::map<int32_t, int64_t> lags = task->source->CachedLags();
      std::lock_guard<std::mutex> lock(task->lags_mu);
      task->lags = std::move(lags);
    }
  }
  task->runner->Shutdown();
  task->source->Close(task->runner.get());
  const TaskStats stats = task->runner->stats();
  spdlog::info("event=task_stopped topic={} objects={} records={} bytes={}", task->config.topic,
               stats.objects_written, stats.records_archived, stats.bytes_archived);
}

void Worker::ControlLoop() {
  uint64_t seen = 0;
  auto next_status = std::chrono::steady_clock::now();
  while (!stopping_.load()) {
    seen = task_store_->WaitForChange(seen, std::chrono::milliseconds(500));
    if (stopping_.load()) break;
    Reconcile();
    const bool due = std::chrono::steady_clock::now() >= next_status;
    if (due) next_status = std::chrono::steady_clock::now() + config_.control.status_interval;
    PublishStatuses(/*all=*/due);
  }
}

void Worker::Reconcile() {
  const std::map<std::string, TaskDefinition> wanted = task_store_->Tasks();
  // Stop what was removed or changed; a changed task restarts from its
  // committed offsets with the new settings, so open windows are rebuilt
  // and nothing is lost or written twice.
  std::vector<std::unique_ptr<Task>> to_stop;
  {
    std::lock_guard<std::mutex> lock(tasks_mu_);
    for (auto it = tasks_.begin(); it != tasks_.end();) {
      auto def = wanted.find(it->first);
      if (def == wanted.end() || !SameSettings(def->second.config, it->second->config)) {
        to_stop.push_back(std::move(it->second));
        it = tasks_.erase(it);
      } else {
        it->second->paused.store(def->second.state == TaskState::kPaused);
        ++it;
      }
    }
    for (auto it = start_failures_.begin(); it != start_failures_.end();) {
      it = wanted.count(it->first) ? std::next(it) : start_failures_.erase(it);
    }
  }
  for (auto& task : to_stop) {
    const bool removed = !wanted.count(task->config.topic);
    spdlog::info("event=task_{} topic={}", removed ? "removing" : "restarting", task->config.topic);
    StopTask(task.get());
    if (removed) {
      Status s = task_store_->RemoveStatus(task->config.topic, worker_id_);
      if (!s.ok()) spdlog::warn("event=status_remove_failed error=\"{}\"", LogEscape(s));
    }
  }
  for (const auto& [topic, def] : wanted) {
    {
      std::lock_guard<std::mutex> lock(tasks_mu_);
      if (tasks_.count(topic)) continue;
      auto failed = start_failures_.find(topic);
      if (failed != start_failures_.end() &&
          std::chrono::steady_clock::now() < failed->second.retry_at) {
        continue;
      }
    }
    auto task = PrepareTask(def.config);
    if (!task.ok()) {
      spdlog::warn("event=task_start_failed topic={} retry_in={}s error=\"{}\"", topic,
                   kStartRetry.count(), LogEscape(task.status()));
      std::lock_guard<std::mutex> lock(tasks_mu_);
      start_failures_[topic] = {task.status(), SystemNowMs(),
                                std::chrono::steady_clock::now() + kStartRetry};
      continue;
    }
    StartTask(std::move(task.value()), def.state);
  }
}

WorkerTaskStatus Worker::StatusOf(const Task& task) const {
  const TaskStats stats = task.runner->stats();
  WorkerTaskStatus s;
  s.topic = task.config.topic;
  s.worker_id = worker_id_;
  s.worker_url = worker_url_;
  s.state = !task.runner->fatal().ok()                    ? "failed"
            : (task.paused.load() || want_paused_.load()) ? "paused"
            : !stats.blocked_partitions.empty()           ? "blocked"
                                                          : "running";
  s.partitions = stats.partitions;
  s.blocked_partitions = stats.blocked_partitions;
  s.blocked_reason = stats.blocked_reason;
  s.create_only = stats.create_only;
  s.records_archived = stats.records_archived;
  s.bytes_archived = stats.bytes_archived;
  s.objects_written = stats.objects_written;
  s.upload_failures = stats.upload_failures;
  s.last_object_key = stats.last_object_key;
  s.last_object_ms = stats.last_object_ms;
  s.last_error = stats.last_error;
  s.last_error_ms = stats.last_error_ms;
  s.updated_ms = SystemNowMs();
  return s;
}

void Worker::PublishStatuses(bool all) {
  std::vector<WorkerTaskStatus> statuses;
  {
    std::lock_guard<std::mutex> lock(tasks_mu_);
    for (const auto& [topic, task] : tasks_) {
      WorkerTaskStatus s = StatusOf(*task);
      // Between intervals, only what an operator would notice: a new object,
      // moved partitions, a state change or a new error.
      const std::string fingerprint = std::to_string(s.objects_written) + "|" + s.state + "|" +
                                      std::to_string(s.last_error_ms) + "|" +
                                      std::to_string(s.partitions.size()) + "|" +
                                      (s.partitions.empty() ? "" : std::to_string(s.partitions[0]));
      if (!all && task->published == fingerprint) continue;
      task->published = fingerprint;
      statuses.push_back(std::move(s));
    }

    const bool failures_changed = start_failures_.size() != start_failures_published_;
    start_failures_published_ = start_failures_.size();
    for (const auto& [topic, failure] : start_failures_) {
      if (!all && !failures_changed) break;
      WorkerTaskStatus s;
      s.topic = topic;
      s.worker_id = worker_id_;
      s.worker_url = worker_url_;
      s.state = "failed";
      s.last_error = failure.error.ToString();
      s.last_error_ms = failure.at_ms;
      s.updated_ms = SystemNowMs();
      statuses.push_back(std::move(s));
    }
  }
  for (const WorkerTaskStatus& s : statuses) {
    Status published = task_store_->PublishStatus(s);
    if (!published.ok()) {
      spdlog::warn("event=status_publish_failed topic={} error=\"{}\"", s.topic,
                   LogEscape(published));
    }
  }
}

Status Worker::failure() const {
  {
    std::lock_guard<std::mutex> lock(start_mu_);
    if (start_failed_) return start_error_;
  }
  std::lock_guard<std::mutex> lock(tasks_mu_);
  for (const auto& [topic, task] : tasks_) {
    if (!task->runner->fatal().ok()) {
      return task->runner->fatal().WithContext("task for topic '" + topic + "'");
    }
  }
  return Status::Ok();
}

void Worker::Stop() {
  if (stopping_.exchange(true)) return;
  stop_token_.Cancel();
  ready_.store(false);
  if (api_) api_->Stop();
  if (control_thread_.joinable()) control_thread_.join();
  std::map<std::string, std::unique_ptr<Task>> tasks;
  {
    std::lock_guard<std::mutex> lock(tasks_mu_);
    tasks.swap(tasks_);
  }
  // All tasks finish their uploads at the same time.
  for (auto& [topic, task] : tasks) task->stop.store(true);
  for (auto& [topic, task] : tasks) StopTask(task.get());
  if (task_store_) {
    for (auto& [topic, task] : tasks) {
      Status s = task_store_->RemoveStatus(topic, worker_id_);
      if (!s.ok()) spdlog::warn("event=status_remove_failed error=\"{}\"", LogEscape(s));
    }
  }
  tasks.clear();
  pool_.reset();
  api_.reset();
  task_store_.reset();
}

// ---- ControlPlane ----

Status Worker::Started() const {
  if (started_.load()) return Status::Ok();
  std::lock_guard<std::mutex> lock(start_mu_);
  if (start_error_.ok()) return Status::Unavailable("the worker is starting");
  return Status::Unavailable("the worker is starting, waiting for Kafka or the store (" +
                             start_error_.ToString() + "); it retries with backoff");
}

Status Worker::Ready() const {
  K2C_RETURN_IF_ERROR(Started());
  if (!ready_.load()) return Status::Unavailable("the worker is stopping");
  return task_store_->health().WithContext("task store");
}

Result<std::vector<TopicInfo>> Worker::ListTopics() {
  auto topics = k2c::ListTopics(AdminOptions());
  if (!topics.ok()) return topics.status();
  std::vector<TopicInfo> visible;
  for (TopicInfo& t : *topics) {
    // kafka2cos' own control topics are not for archiving.
    const bool control = t.name == config_.control.tasks_topic ||
                         t.name == config_.control.status_topic ||
                         t.name == DefaultControlTopic(instance_, "tasks") ||
                         t.name == DefaultControlTopic(instance_, "status");
    if (!control) visible.push_back(std::move(t));
  }
  return visible;
}

Status Worker::CheckTopicExists(const std::string& topic) {
  auto info = DescribeTopic(AdminOptions(), topic);
  if (!info.ok() && info.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("topic '" + topic +
                            "' does not exist in the Kafka cluster; create it first");
  }
  return info.status();
}

std::map<std::string, TaskDefinition> Worker::Tasks() { return task_store_->Tasks(); }

std::optional<TaskDefinition> Worker::GetTask(const std::string& topic) {
  return task_store_->Get(topic);
}

Status Worker::Preflight(const TaskConfig& task) {
  K2C_RETURN_IF_ERROR(CheckTaskAgainstStore(task));
  return WriteProbe(Bucket{task.bucket}, instance_ + "/" + task.topic + "/").status();
}

Status Worker::PutTask(const TaskDefinition& definition) { return task_store_->Put(definition); }

Status Worker::RemoveTask(const std::string& topic) { return task_store_->Remove(topic); }

std::vector<WorkerTaskStatus> Worker::WorkerStatuses(const std::string& topic) {
  // A worker that died without removing its statuses stops refreshing them;
  // after three missed intervals it no longer counts.
  const int64_t oldest = SystemNowMs() - 3 * config_.control.status_interval.count() - 5'000;
  std::vector<WorkerTaskStatus> fresh;
  std::optional<WorkerTaskStatus> live;
  {
    // This worker's own entry comes from its live counters when it runs the
    // task: the published one can be a status interval old (right after a
    // start it said "archived: 0 records" while objects were written).
    std::lock_guard<std::mutex> lock(tasks_mu_);
    auto own = tasks_.find(topic);
    if (own != tasks_.end()) live = StatusOf(*own->second);
  }
  for (WorkerTaskStatus& s : task_store_->Statuses(topic)) {
    if (live && s.worker_id == worker_id_) continue;
    if (s.updated_ms >= oldest) fresh.push_back(std::move(s));
  }
  if (live) fresh.push_back(std::move(*live));
  return fresh;
}

Result<std::vector<PartitionLag>> Worker::FetchLag(const std::string& topic) {
  return FetchGroupLag(AdminOptions(), TaskGroupId(instance_, topic), topic);
}

std::string Worker::RenderMetrics() {
  UpdateMetrics();
  return metrics_.Render();
}

void Worker::FoldTaskMetrics(Task& task) {
  const std::string& topic = task.config.topic;
  const TaskStats now = task.runner->stats();
  TaskStats& was = task.counted;
  const MetricLabels labels = {{"topic", topic}};
  auto add = [&](const char* name, const char* help, uint64_t current, uint64_t previous) {
    if (current > previous) {
      metrics_.GetCounter(name, help, labels).Increment(static_cast<double>(current - previous));
    }
  };
  add("kafka2cos_records_consumed_total", "Records read from Kafka", now.records_consumed,
      was.records_consumed);
  add("kafka2cos_bytes_consumed_total", "Record value bytes read from Kafka", now.bytes_consumed,
      was.bytes_consumed);
  add("kafka2cos_records_archived_total", "Records in durable objects with committed offsets",
      now.records_archived, was.records_archived);
  add("kafka2cos_bytes_archived_total", "Object bytes written", now.bytes_archived,
      was.bytes_archived);
  add("kafka2cos_objects_written_total", "Objects written", now.objects_written,
      was.objects_written);
  add("kafka2cos_upload_retries_total", "Failed upload attempts, each retried", now.upload_failures,
      was.upload_failures);
  add("kafka2cos_commit_retries_total", "Failed offset commits, each retried", now.commit_failures,
      was.commit_failures);
  for (const auto& [kind, count] : now.errors_by_kind) {
    auto before = was.errors_by_kind.find(kind);
    const uint64_t previous = before == was.errors_by_kind.end() ? 0 : before->second;
    if (count > previous) {
      metrics_
          .GetCounter("kafka2cos_errors_total", "Errors by kind (status code)",
                      {{"topic", topic}, {"kind", kind}})
          .Increment(static_cast<double>(count - previous));
    }
  }
  was = now;
  metrics_.GetGauge("kafka2cos_partitions_assigned", "Partitions this worker holds", labels)
      .Set(static_cast<double>(now.partitions.size()));
  metrics_
      .GetGauge("kafka2cos_partitions_blocked",
                "Partitions held because the store refuses their objects as such", labels)
      .Set(static_cast<double>(now.blocked_partitions.size()));
  metrics_
      .GetGauge("kafka2cos_create_only",
                "1 when objects are published create-only (fenced), 0 with the overwrite rule",
                labels)
      .Set(now.create_only ? 1 : 0);
  std::map<int32_t, int64_t> lags;
  {
    std::lock_guard<std::mutex> lags_lock(task.lags_mu);
    lags = task.lags;
  }
  for (int32_t p : task.lag_series) {
    if (!lags.count(p)) {
      metrics_.RemoveSeries("kafka2cos_partition_lag",
                            {{"topic", topic}, {"partition", std::to_string(p)}});
    }
  }
  task.lag_series.clear();
  for (const auto& [p, lag] : lags) {
    metrics_
        .GetGauge("kafka2cos_partition_lag",
                  "Records between the committed offset and the end of the log",
                  {{"topic", topic}, {"partition", std::to_string(p)}})
        .Set(static_cast<double>(lag));
    task.lag_series.insert(p);
  }
}

void Worker::UpdateMetrics() {
  std::lock_guard<std::mutex> metrics_lock(metrics_mu_);
  metrics_.GetGauge("kafka2cos_buffer_bytes", "Record bytes held in memory by all tasks")
      .Set(static_cast<double>(budget_ ? budget_->used() : 0));
  metrics_.GetGauge("kafka2cos_buffer_budget_bytes", "sink.memory_budget")
      .Set(static_cast<double>(config_.sink.memory_budget));
  metrics_
      .GetGauge("kafka2cos_worker_started",
                "1 once the worker reached Kafka and its task store; 0 while it waits")
      .Set(started_.load() ? 1 : 0);
  metrics_.GetGauge("kafka2cos_spool_bytes", "Record bytes spilled to the spool directory")
      .Set(static_cast<double>(spool_ ? spool_->used() : 0));
  std::lock_guard<std::mutex> lock(tasks_mu_);
  std::map<std::string, int> by_state = {
      {"running", 0}, {"paused", 0}, {"failed", 0}, {"blocked", 0}};
  by_state["failed"] += static_cast<int>(start_failures_.size());
  for (auto& [topic, task] : tasks_) {
    FoldTaskMetrics(*task);
    ++by_state[StatusOf(*task).state];
  }
  for (const auto& [state, count] : by_state) {
    metrics_.GetGauge("kafka2cos_tasks", "Tasks on this worker by state", {{"state", state}})
        .Set(count);
  }
}

}  // namespace k2c
