// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/cancel.h"
#include "common/clock.h"
#include "control/api_server.h"
#include "control/cluster_view.h"
#include "control/config.h"
#include "control/manifest_service.h"
#include "control/metrics.h"
#include "control/status_report.h"
#include "control/task_history.h"
#include "control/task_metrics.h"
#include "control/task_preparer.h"
#include "control/task_store.h"
#include "kafka/admin.h"
#include "kafka/kafka_source.h"
#include "sink/memory_budget.h"
#include "sink/segment_body.h"
#include "sink/task_runner.h"
#include "sink/upload_pool.h"
#include "storage/object_store.h"

namespace k2c {

// The `run` command. Tasks live in the TaskStore (two compacted Kafka
// topics), so every worker started with the same [control] settings runs
// the same tasks, sharing each task's partitions through its consumer group.
// A control thread keeps the running tasks equal to the stored definitions
// (start, stop, pause, rebuild on changed settings) and publishes this
// worker's status; the optional API serves the same view from any worker.
//
// Start() checks everything it can for the tasks of the config file before
// archiving begins (topic exists, bucket writable, templates resolvable) and
// fails with the first configuration problem, so a misconfigured worker
// stops at once with a clear message. Kafka or a store that does not answer
// for now is not a configuration problem: the worker then starts not ready
// (/readyz says why) and its control thread retries with backoff. Tasks added later through the API
// were checked by the API's preflight; if one cannot start here, its status says why and the worker
// retries it. Thread-safe: Stop() may be called from any thread.
class Worker final : public ControlPlane {
 public:
  // `clock` times retries, status intervals and upload delays; it must
  // outlive the worker.
  explicit Worker(Config config, const MonotonicClock& clock = SteadyClock());
  ~Worker() override;
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Starts the API, then opens the task store, applies the config file's
  // tasks and starts them and the control thread. A configuration error is
  // returned (nothing archives); a transient one is retried by the control
  // thread, and a configuration error found then is reported by failure()
  // while started() is false.
  Status Start();

  // True once the worker reached Kafka and its task store and started the
  // config file's tasks.
  bool started() const { return started_.load(); }

  // Pauses or resumes every task of this worker (SIGUSR1/SIGUSR2), on top of
  // each task's own state; takes effect within one poll interval.
  void SetPaused(bool paused) { want_paused_.store(paused); }

  // Not OK once a task stopped on an error it cannot recover from in place
  // (see TaskRunner::fatal), or when a start retried after a transient error
  // met a configuration error; the caller should Stop() and exit non-zero.
  Status failure() const;

  // Stops the API, then asks every task to finish in-flight uploads, commit
  // and leave its group; returns when they have. Idempotent.
  void Stop();

  // The API's port once started (0 without [http] listen).
  int api_port() const { return api_ ? api_->port() : 0; }

  // ControlPlane:
  std::string instance() const override { return instance_; }
  const SinkConfig& sink() const override { return config_.sink; }
  Status Started() const override;
  Status Ready() const override;
  Result<std::vector<TopicInfo>> ListTopics() override;
  Status CheckTopicExists(const std::string& topic) override;
  std::map<std::string, TaskDefinition> Tasks() override;
  std::optional<TaskDefinition> GetTask(const std::string& topic) override;
  Status Preflight(const TaskConfig& task) override;
  Status PutTask(const TaskDefinition& definition) override;
  Status RemoveTask(const std::string& topic) override;
  std::vector<WorkerTaskStatus> WorkerStatuses(const std::string& topic) override;
  Result<std::vector<PartitionLag>> FetchLag(const std::string& topic) override;
  std::string RenderMetrics() override;
  StoreSummary store_summary() const override;
  Result<std::vector<std::string>> ListBuckets() override;
  std::vector<HistorySample> History(const std::string& topic) override;
  std::chrono::milliseconds history_interval() const override { return kHistoryInterval; }
  Result<TaskArchive> Archive(const std::string& topic) override;

 private:
  struct Task;
  // A task that could not be started here, and when to try again.
  struct StartFailure {
    Status error;
    int64_t at_ms = 0;
    std::chrono::steady_clock::time_point retry_at;
  };

  KafkaAdminOptions AdminOptions() const;
  // Learns the instance id, opens the task store, applies and starts the
  // config file's tasks; each step that succeeded is kept for the next try.
  Status Connect();
  // Retries Connect() with backoff while it fails with a retryable error.
  // False when stopped or when a non-retryable error ends the start.
  bool ConnectWithRetry(Status error);
  Status PrepareSpool();
  Status ApplyConfigTasks(std::map<std::string, std::unique_ptr<Task>>* prepared);
  void StartTask(std::unique_ptr<Task> task, TaskState state);
  void StopTask(Task* task);
  void RunTask(Task* task);
  void ControlLoop();
  // The tasks whose partition 0 this worker holds (ManifestService).
  std::vector<TaskConfig> LeadingTasks();
  // One round of the console's history (TaskHistory's sampler).
  std::map<std::string, HistorySample> SampleHistory();
  void Reconcile();
  // Publishes every task's status when `all`, else only those that changed
  // visibly since the last publication.
  void PublishStatuses(bool all);
  WorkerTaskStatus StatusOf(const Task& task) const;
  void UpdateMetrics();
  // Adds what `task` did since last time to the counters and refreshes its
  // gauges. Needs metrics_mu_.
  void FoldTaskMetrics(Task& task);

  Config config_;
  const MonotonicClock& clock_;
  std::string instance_;
  std::string worker_id_;
  std::string worker_url_;
  std::unique_ptr<ObjectStore> store_;
  std::unique_ptr<MemoryBudget> budget_;
  std::unique_ptr<Spool> spool_;
  std::unique_ptr<UploadPool> pool_;
  std::unique_ptr<TaskStore> task_store_;
  MetricsRegistry metrics_;
  // Made once the instance id is known (Connect); read by the API after
  // started_.
  std::unique_ptr<TaskPreparer> preparer_;
  std::unique_ptr<ClusterView> cluster_;  // Made with preparer_.
  StatusSelector status_selector_;        // Control thread only.
  std::unique_ptr<ApiServer> api_;
  std::unique_ptr<ManifestService> manifests_;  // Made with preparer_, if enabled.
  // The console's charts: every task's archived records and lag, every
  // kHistoryInterval for the last hour, for at most kHistoryTasks tasks (one
  // lag request each per interval). Made with preparer_.
  static constexpr std::chrono::milliseconds kHistoryInterval{30'000};
  static constexpr size_t kHistorySamples = 120;
  static constexpr size_t kHistoryTasks = 200;
  std::unique_ptr<TaskHistory> history_;

  mutable std::mutex tasks_mu_;  // Guards tasks_ and start_failures_.
  std::map<std::string, std::unique_ptr<Task>> tasks_;
  std::map<std::string, StartFailure> start_failures_;

  std::thread control_thread_;
  std::mutex metrics_mu_;  // Serializes UpdateMetrics().
  std::atomic<bool> started_{false};
  std::atomic<bool> ready_{false};
  CancelToken stop_token_;       // Interrupts the start's retry waits.
  mutable std::mutex start_mu_;  // Guards start_error_ and start_failed_.
  Status start_error_;           // Why the start waits (or failed).
  bool start_failed_ = false;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> want_paused_{false};
};

}  // namespace k2c
