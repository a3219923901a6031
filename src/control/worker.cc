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
#include "control/archive_access.h"
#include "control/cluster_view.h"
#include "control/reconcile.h"
#include "control/store_factory.h"

namespace k2c {

struct Worker::Task {
  Task(PreparedTask prepared, MetricsRegistry* registry)
      : config(std::move(prepared.config)),
        source(std::move(prepared.source)),
        format(std::move(prepared.format)),
        runner(std::move(prepared.runner)),
        metrics(registry, config.topic) {}

  TaskConfig config;
  std::unique_ptr<KafkaSource> source;
  std::unique_ptr<Format> format;
  std::unique_ptr<TaskRunner> runner;
  std::thread thread;
  std::atomic<bool> stop{false};
  std::atomic<bool> paused{false};  // The task's stored state.
  // Written by the task thread (the source is not thread-safe), read by
  // metrics.
  std::mutex lags_mu;
  std::map<int32_t, int64_t> lags;
  TaskMetrics metrics;  // Guarded by Worker::metrics_mu_.
};

namespace {

// How long a task that could not start waits before the next attempt.
constexpr std::chrono::seconds kStartRetry{30};

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

}  // namespace

Worker::Worker(Config config, const MonotonicClock& clock)
    : config_(std::move(config)), clock_(clock) {}

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
  pool_ = std::make_unique<UploadPool>("upload", config_.sink.upload_threads, clock_);

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

  if (!cluster_) {
    cluster_ = std::make_unique<ClusterView>(
        AdminOptions(), instance_,
        std::set<std::string>{config_.control.tasks_topic, config_.control.status_topic,
                              DefaultControlTopic(instance_, "tasks"),
                              DefaultControlTopic(instance_, "status")});
  }
  if (!preparer_) {
    TaskEnvironment env;
    env.config = &config_;
    env.instance = instance_;
    env.worker_id = worker_id_;
    env.store = store_.get();
    env.budget = budget_.get();
    env.spool = spool_.get();
    env.pool = pool_.get();
    env.metrics = &metrics_;
    preparer_ = std::make_unique<TaskPreparer>(std::move(env));
  }
  if (!manifests_ && config_.sink.manifests) {
    manifests_ = std::make_unique<ManifestService>(
        store_.get(), instance_, worker_id_, [this] { return LeadingTasks(); },
        [this](const std::string& topic) { return cluster_->FetchLag(topic); },
        config_.sink.manifest_interval);
    manifests_->Start();
  }
  if (!history_) {
    history_ = std::make_unique<TaskHistory>([this] { return SampleHistory(); }, kHistoryInterval,
                                             kHistorySamples);
    history_->Start();
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
    auto task = preparer_->Prepare(tc);
    if (!task.ok()) return task.status().WithContext("task for topic '" + tc.topic + "'");
    (*prepared)[tc.topic] = std::make_unique<Task>(std::move(task.value()), &metrics_);
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
  auto next_lag = clock_.Now();
  while (!stopping_.load() && !task->stop.load() && task->runner->fatal().ok()) {
    task->runner->SetPaused(want_paused_.load() || task->paused.load());
    task->runner->Step(std::chrono::milliseconds(200));
    if (clock_.Now() >= next_lag) {
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
  auto next_status = clock_.Now();
  while (!stopping_.load()) {
    seen = task_store_->WaitForChange(seen, std::chrono::milliseconds(500));
    if (stopping_.load()) break;
    Reconcile();
    const bool due = clock_.Now() >= next_status;
    if (due) next_status = clock_.Now() + config_.control.status_interval;
    PublishStatuses(/*all=*/due);
  }
}

std::vector<TaskConfig> Worker::LeadingTasks() {
  std::vector<TaskConfig> led;
  std::lock_guard<std::mutex> lock(tasks_mu_);
  for (const auto& [topic, task] : tasks_) {
    const TaskStats stats = task->runner->stats();
    if (!stats.partitions.empty() && stats.partitions.front() == 0) led.push_back(task->config);
  }
  return led;
}

void Worker::Reconcile() {
  const std::map<std::string, TaskDefinition> wanted = task_store_->Tasks();
  const auto now = clock_.Now();
  ReconcilePlan plan;
  std::vector<std::unique_ptr<Task>> to_stop;
  {
    std::lock_guard<std::mutex> lock(tasks_mu_);
    std::map<std::string, RunningTask> running;
    for (const auto& [topic, task] : tasks_) running[topic] = {task->config, task->paused.load()};
    std::map<std::string, std::chrono::steady_clock::time_point> retry_at;
    for (const auto& [topic, failure] : start_failures_) retry_at[topic] = failure.retry_at;
    plan = PlanReconcile(wanted, running, retry_at, now);
    for (const auto& [topic, paused] : plan.set_paused) tasks_[topic]->paused.store(paused);
    for (const std::string& topic : plan.forget_failures) start_failures_.erase(topic);
    for (const auto* list : {&plan.remove, &plan.restart}) {
      for (const std::string& topic : *list) {
        to_stop.push_back(std::move(tasks_[topic]));
        tasks_.erase(topic);
      }
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
  for (const std::string& topic : plan.start) {
    const TaskDefinition& def = wanted.at(topic);
    auto task = preparer_->Prepare(def.config);
    if (!task.ok()) {
      spdlog::warn("event=task_start_failed topic={} retry_in={}s error=\"{}\"", topic,
                   kStartRetry.count(), LogEscape(task.status()));
      std::lock_guard<std::mutex> lock(tasks_mu_);
      start_failures_[topic] = {task.status(), SystemNowMs(), now + kStartRetry};
      continue;
    }
    StartTask(std::make_unique<Task>(std::move(task.value()), &metrics_), def.state);
  }
}

WorkerTaskStatus Worker::StatusOf(const Task& task) const {
  const TaskStats stats = task.runner->stats();
  const bool paused = task.paused.load() || want_paused_.load();
  return RunningTaskStatus(task.config.topic, StatusIdentity{worker_id_, worker_url_},
                           TaskStateLabel(!task.runner->fatal().ok(), paused, stats), stats,
                           SystemNowMs());
}

void Worker::PublishStatuses(bool all) {
  std::vector<WorkerTaskStatus> running;
  std::vector<WorkerTaskStatus> failed;
  {
    std::lock_guard<std::mutex> lock(tasks_mu_);
    for (const auto& [topic, task] : tasks_) running.push_back(StatusOf(*task));
    for (const auto& [topic, failure] : start_failures_) {
      failed.push_back(FailedStartStatus(topic, StatusIdentity{worker_id_, worker_url_},
                                         failure.error, failure.at_ms, SystemNowMs()));
    }
  }
  for (const WorkerTaskStatus& s :
       status_selector_.Select(std::move(running), std::move(failed), all)) {
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
  if (manifests_) manifests_->Stop();
  if (history_) history_->Stop();
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

Result<std::vector<TopicInfo>> Worker::ListTopics() { return cluster_->ListTopics(); }

Status Worker::CheckTopicExists(const std::string& topic) {
  return cluster_->CheckTopicExists(topic);
}

std::map<std::string, TaskDefinition> Worker::Tasks() { return task_store_->Tasks(); }

std::optional<TaskDefinition> Worker::GetTask(const std::string& topic) {
  return task_store_->Get(topic);
}

Status Worker::Preflight(const TaskConfig& task) {
  if (!preparer_) return Status::Unavailable("the worker is starting");
  return preparer_->Preflight(task);
}

Status Worker::PutTask(const TaskDefinition& definition) { return task_store_->Put(definition); }

Status Worker::RemoveTask(const std::string& topic) { return task_store_->Remove(topic); }

std::vector<WorkerTaskStatus> Worker::WorkerStatuses(const std::string& topic) {
  // Three missed intervals, and some slack for the status topic's delivery.
  const int64_t oldest = SystemNowMs() - 3 * config_.control.status_interval.count() - 5'000;
  std::optional<WorkerTaskStatus> live;
  {
    std::lock_guard<std::mutex> lock(tasks_mu_);
    auto own = tasks_.find(topic);
    if (own != tasks_.end()) live = StatusOf(*own->second);
  }
  return StatusesToShow(task_store_->Statuses(topic), worker_id_, std::move(live), oldest);
}

Result<std::vector<PartitionLag>> Worker::FetchLag(const std::string& topic) {
  return cluster_->FetchLag(topic);
}

Result<TaskArchive> Worker::Archive(const std::string& topic) {
  auto def = GetTask(topic);
  if (!def) return Status::NotFound("no task for topic '" + topic + "'");
  auto location = ArchiveLocationFor(def->config, instance_, "");
  if (!location.ok()) return location.status();
  return TaskArchive{store_.get(), std::move(location.value()), config_.http.presign_expiry};
}

StoreSummary Worker::store_summary() const {
  const bool s3 = config_.storage.type == StorageConfig::Type::kS3;
  return StoreSummary{s3 ? "s3" : "local", s3};
}

Result<std::vector<std::string>> Worker::ListBuckets() {
  if (!store_) return Status::Unavailable("the worker is starting");
  return store_->ListBuckets();
}

std::vector<HistorySample> Worker::History(const std::string& topic) {
  return history_ ? history_->Samples(topic) : std::vector<HistorySample>{};
}

std::map<std::string, HistorySample> Worker::SampleHistory() {
  std::map<std::string, HistorySample> samples;
  for (const auto& [topic, definition] : task_store_->Tasks()) {
    // Each lag request may wait for Kafka's timeout: a stop does not wait
    // for the whole round.
    if (samples.size() >= kHistoryTasks || stopping_.load()) break;
    HistorySample& sample = samples[topic];
    for (const WorkerTaskStatus& status : WorkerStatuses(topic)) {
      sample.records_archived += status.records_archived;
    }
    auto lags = cluster_->FetchLag(topic);
    if (!lags.ok()) continue;
    int64_t lag = 0;
    for (const PartitionLag& partition : *lags) lag += partition.lag;
    sample.lag = lag;
  }
  return samples;
}

std::string Worker::RenderMetrics() {
  UpdateMetrics();
  return metrics_.Render();
}

void Worker::FoldTaskMetrics(Task& task) {
  std::map<int32_t, int64_t> lags;
  {
    std::lock_guard<std::mutex> lags_lock(task.lags_mu);
    lags = task.lags;
  }
  task.metrics.Fold(task.runner->stats(), lags);
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
