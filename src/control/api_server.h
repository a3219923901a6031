// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/status.h"
#include "control/archive_routes.h"
#include "control/config.h"
#include "control/http_server.h"
#include "control/task_definition.h"
#include "control/task_history.h"
#include "kafka/admin.h"

namespace k2c {

struct StoreSummary {
  std::string type = "local";  // "local" or "s3"
  bool presigned_urls = false;
};

// What the control API needs from a worker. The Worker implements it; tests
// use fakes. Every call may block up to the Kafka or storage timeouts and is
// made from HTTP threads, so implementations are thread-safe.
class ControlPlane {
 public:
  virtual ~ControlPlane() = default;

  virtual std::string instance() const = 0;
  // The window limits that task settings are validated against.
  virtual const SinkConfig& sink() const = 0;
  // OK once the worker reached Kafka and its task store, so that the /v1/
  // endpoints can answer; Unavailable with the reason while it still waits
  // for them (it retries with backoff).
  virtual Status Started() const { return Status::Ok(); }
  // OK once the worker has read the task topics and started; the reason
  // otherwise.
  virtual Status Ready() const = 0;

  // Topics of the cluster (without kafka2cos' own control topics).
  virtual Result<std::vector<TopicInfo>> ListTopics() = 0;
  // NotFound if `topic` does not exist in the cluster.
  virtual Status CheckTopicExists(const std::string& topic) = 0;

  virtual std::map<std::string, TaskDefinition> Tasks() = 0;
  virtual std::optional<TaskDefinition> GetTask(const std::string& topic) = 0;
  // Proves write access to the task's bucket (put, then delete, a probe
  // object); the error names the bucket and the operation that failed.
  virtual Status Preflight(const TaskConfig& task) = 0;
  // Stores the definition; every worker applies it shortly after.
  virtual Status PutTask(const TaskDefinition& definition) = 0;
  virtual Status RemoveTask(const std::string& topic) = 0;

  // What each worker reported about `topic`, and the group's lag.
  virtual std::vector<WorkerTaskStatus> WorkerStatuses(const std::string& topic) = 0;
  virtual Result<std::vector<PartitionLag>> FetchLag(const std::string& topic) = 0;

  // Prometheus text exposition of this worker's metrics.
  virtual std::string RenderMetrics() = 0;

  // Where `topic`'s task archives, for the read endpoints. NotFound without
  // a task.
  virtual Result<TaskArchive> Archive(const std::string& topic) {
    return Status::NotFound("no archive for topic '" + topic + "'");
  }

  // For the console: the kind of store, and whether it presigns URLs.
  virtual StoreSummary store_summary() const { return {}; }
  // The buckets the store lists (ObjectStore::ListBuckets).
  virtual Result<std::vector<std::string>> ListBuckets() {
    return Status::FailedPrecondition("this worker cannot list buckets");
  }
  // `topic`'s recent history, oldest first (TaskHistory), and how often
  // it is sampled.
  virtual std::vector<HistorySample> History(const std::string& /*topic*/) { return {}; }
  virtual std::chrono::milliseconds history_interval() const { return std::chrono::seconds(30); }
};

// The consumer group of a task's topic, as the worker names it.
std::string TaskGroupFor(const ControlPlane& plane, const std::string& topic);

// True if a request with this Host header may be served: an IP literal
// (with or without port), "localhost", or one of `allowed_hosts` (names,
// case-insensitive, with or without port). A browser tricked by DNS
// rebinding sends the attacker's domain name, which is none of these.
bool HostAllowed(const std::string& host_header, const std::vector<std::string>& allowed_hosts);

// The segments of a request path ("/v1/tasks/a%2Eb" -> v1, tasks, a.b), each
// percent-decoded; nullopt if it does not start with '/' or has a bad escape.
std::optional<std::vector<std::string>> SplitPath(const std::string& path);

// The JSON/HTTP API of docs/openapi.yaml over a ControlPlane, served by a
// bounded HttpServer. Bearer-token auth on /v1 when `token` is not empty;
// /healthz, /readyz and /metrics are open. Every request's Host must pass
// HostAllowed; a PUT or POST to /v1 that declares a content type must
// declare JSON (a cross-site form cannot send that type without the browser
// asking first, and always declares its own). All of that, and routing, is
// decided from the request head, before any body is read; /healthz and
// /readyz are answered on the I/O thread, so they answer while every handler
// thread waits on Kafka or the store.
class ApiServer {
 public:
  ApiServer(ControlPlane* plane, std::string token, std::vector<std::string> allowed_hosts = {},
            HttpServerLimits limits = {});
  ~ApiServer();  // Stops serving.
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds `listen` ("host:port"; port 0 picks a free one) and starts the
  // serving threads. InvalidArgument if `listen` is not host:port,
  // Unavailable if the address cannot be bound.
  Status Start(const std::string& listen);
  // The bound port (after Start).
  int port() const;
  // Stops accepting and closes every connection. Idempotent.
  void Stop();
  HttpServerCounters counters() const;

 private:
  struct Route;
  void Routes();
  std::optional<ServerResponse> Screen(const ServerRequest& request) const;
  ServerResponse Handle(const ServerRequest& request) const;
  std::variant<std::pair<const Route*, std::vector<std::string>>, ServerResponse> Find(
      const ServerRequest& request) const;

  ControlPlane* plane_;
  const std::string token_;
  const std::vector<std::string> allowed_hosts_;
  const HttpServerLimits limits_;
  std::vector<Route> routes_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace k2c
