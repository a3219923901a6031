// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/api_server.h"

#include <httplib.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <strings.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>

#include "common/log_text.h"
#include "sink/task_runner.h"

namespace k2c {
namespace {

using nlohmann::json;

constexpr const char* kSettingFields =
    "bucket, window, start, format, delimiter, max_object_bytes, key_template";

// An API error: HTTP status, a stable code and a message saying what to fix.
struct ApiError {
  int http_status;
  std::string code;
  std::string message;
};

void SendJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  // Replace, not throw, on invalid UTF-8 (a topic name or object key never
  // is, but an error message from a server could be).
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void SendError(httplib::Response& res, const ApiError& error) {
  SendJson(res, error.http_status,
           json{{"error", json{{"code", error.code}, {"message", error.message}}}});
}

// The usual mapping of a Status from the control plane to an answer.
ApiError FromStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return {400, "invalid_argument", status.message()};
    case StatusCode::kNotFound:
      return {404, "not_found", status.message()};
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kThrottled:
      return {503, "unavailable", status.message() + " (retry later)"};
    default:
      return {500, "internal", status.ToString()};
  }
}

// Preflight failures other than an unreachable store mean the bucket cannot
// take the task's objects: the operator has to fix the bucket or credentials.
ApiError FromPreflight(const Status& status) {
  if (status.code() == StatusCode::kUnavailable || status.code() == StatusCode::kDeadlineExceeded ||
      status.code() == StatusCode::kThrottled) {
    return FromStatus(status);
  }
  return {422, "preflight_failed", "preflight failed: " + status.message()};
}

// The API's view of a task: the stored definition, with its group and the
// key template in effect.
json TaskJson(const TaskDefinition& def, const std::string& group) {
  json j = json::parse(EncodeTaskDefinition(def));
  j.erase("version");
  if (def.config.key_template.empty()) j["key_template"] = kDefaultKeyTemplate;
  j["group"] = group;
  return j;
}

// Applies the fields of a PUT body to `config`; an error names the field.
std::optional<ApiError> ApplySettings(const json& body, TaskConfig* config) {
  if (!body.is_object()) {
    return ApiError{
        400, "invalid_argument",
        "the request body must be a JSON object with some of: " + std::string(kSettingFields)};
  }
  auto bad = [](const std::string& field, const std::string& what) {
    return ApiError{400, "invalid_argument", "field '" + field + "' " + what};
  };
  for (const auto& [field, value] : body.items()) {
    if (field == "max_object_bytes") {
      if (value.is_number_unsigned()) {
        config->max_object_bytes = value.get<uint64_t>();
      } else if (value.is_string()) {
        auto n = ParseByteSize(value.get<std::string>());
        if (!n.ok()) return bad(field, n.status().message());
        config->max_object_bytes = *n;
      } else {
        return bad(field, "must be a byte count or a size string such as \"64MiB\"");
      }
      continue;
    }
    static const char* const kStringFields[] = {"bucket", "window",    "start",
                                                "format", "delimiter", "key_template"};
    const std::string& name = field;
    if (std::none_of(std::begin(kStringFields), std::end(kStringFields),
                     [&name](const char* f) { return name == f; })) {
      return ApiError{400, "invalid_argument",
                      "unknown field '" + field + "'; allowed: " + std::string(kSettingFields)};
    }
    if (!value.is_string()) return bad(field, "must be a string");
    const std::string text = value.get<std::string>();
    if (field == "bucket") {
      config->bucket = text;
    } else if (field == "window") {
      auto d = ParseDuration(text);
      if (!d.ok()) return bad(field, d.status().message());
      config->window = *d;
    } else if (field == "start") {
      config->start = text;
    } else if (field == "format") {
      config->format = text;
    } else if (field == "delimiter") {
      config->delimiter = text;
    } else {
      config->key_template = text;
    }
  }
  return std::nullopt;
}

// The API's view of a worker status: the stored record, with the names of
// docs/openapi.yaml.
json WorkerJson(const WorkerTaskStatus& s) {
  json j = json::parse(EncodeWorkerTaskStatus(s));
  j.erase("version");
  j.erase("topic");
  j["worker"] = std::move(j["worker_id"]);
  j.erase("worker_id");
  j["url"] = std::move(j["worker_url"]);
  j.erase("worker_url");
  return j;
}

json StatusJson(const TaskDefinition& def, const std::string& group,
                const std::vector<WorkerTaskStatus>& workers,
                const std::vector<PartitionLag>& lags) {
  std::map<int32_t, std::string> holder;
  json worker_list = json::array();
  uint64_t records = 0, bytes = 0, objects = 0;
  const WorkerTaskStatus* last_object = nullptr;
  const WorkerTaskStatus* last_error = nullptr;
  json blocked = json::array();
  std::string blocked_reason;
  bool create_only = true;
  for (const WorkerTaskStatus& w : workers) {
    for (int32_t p : w.partitions) holder[p] = w.worker_id;
    for (int32_t p : w.blocked_partitions) blocked.push_back(p);
    if (blocked_reason.empty()) blocked_reason = w.blocked_reason;
    create_only = create_only && w.create_only;
    records += w.records_archived;
    bytes += w.bytes_archived;
    objects += w.objects_written;
    if (w.last_object_ms > 0 && (!last_object || w.last_object_ms > last_object->last_object_ms)) {
      last_object = &w;
    }
    if (w.last_error_ms > 0 && (!last_error || w.last_error_ms > last_error->last_error_ms)) {
      last_error = &w;
    }
    worker_list.push_back(WorkerJson(w));
  }
  json partitions = json::array();
  int64_t total_lag = 0;
  for (const PartitionLag& lag : lags) {
    total_lag += lag.lag;
    partitions.push_back(
        json{{"partition", lag.partition},
             {"worker", holder.count(lag.partition) ? holder[lag.partition] : ""},
             {"committed_offset", lag.committed ? json(*lag.committed) : json(nullptr)},
             {"end_offset", lag.end_offset},
             {"lag", lag.lag}});
  }
  return json{{"topic", def.config.topic},
              {"state", std::string(TaskStateName(def.state))},
              {"blocked_partitions", blocked},
              {"blocked_reason", blocked_reason},
              {"create_only", create_only},
              {"group", group},
              {"partitions", partitions},
              {"workers", worker_list},
              {"records_archived", records},
              {"bytes_archived", bytes},
              {"objects_written", objects},
              {"lag", total_lag},
              {"last_object_key", last_object ? last_object->last_object_key : ""},
              {"last_object_ms", last_object ? last_object->last_object_ms : 0},
              {"last_error", last_error ? last_error->last_error : ""},
              {"last_error_ms", last_error ? last_error->last_error_ms : 0}};
}

// Compares without an early exit, so response times do not reveal how much
// of a guessed token was right.
bool TokenMatches(const std::string& given, const std::string& expected) {
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < given.size(); ++i) {
    diff |=
        static_cast<unsigned char>(given[i] ^ expected[i % std::max<size_t>(1, expected.size())]);
  }
  return diff == 0;
}

}  // namespace

bool HostAllowed(const std::string& host_header, const std::vector<std::string>& allowed_hosts) {
  std::string host = host_header;
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (host.empty()) return false;
  if (host.front() == '[') return true;  // An IPv6 literal.
  const std::string name = host.substr(0, host.rfind(':'));
  if (name == "localhost") return true;
  const bool ipv4 = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= '0' && c <= '9') || c == '.';
  });
  if (ipv4) return true;
  return std::any_of(allowed_hosts.begin(), allowed_hosts.end(), [&](std::string allowed) {
    std::transform(allowed.begin(), allowed.end(), allowed.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return allowed == host || allowed == name;
  });
}

std::string TaskGroupFor(const ControlPlane& plane, const std::string& topic) {
  return TaskGroupId(plane.instance(), topic);
}

ApiServer::ApiServer(ControlPlane* plane, std::string token, std::vector<std::string> allowed_hosts)
    : plane_(plane),
      token_(std::move(token)),
      allowed_hosts_(std::move(allowed_hosts)),
      server_(std::make_unique<httplib::Server>()) {}

ApiServer::~ApiServer() { Stop(); }

Status ApiServer::Start(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return Status::InvalidArgument("http.listen '" + listen + "' is not host:port");
  }
  const std::string host = listen.substr(0, colon);
  int port = -1;
  const char* end = listen.data() + listen.size();
  const auto parsed = std::from_chars(listen.data() + colon + 1, end, port);
  if (parsed.ec != std::errc() || parsed.ptr != end || port < 0 || port > 65535) {
    return Status::InvalidArgument("http.listen '" + listen + "' has no valid port (0..65535)");
  }
  Routes();
  // cpp-httplib sets SO_REUSEPORT by default, which would let a second
  // worker bind the same address and silently take half the requests.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server_->set_payload_max_length(1 << 20);
  server_->set_read_timeout(10, 0);
  server_->set_write_timeout(10, 0);
  if (port == 0) {
    port_ = server_->bind_to_any_port(host);
  } else if (server_->bind_to_port(host, port)) {
    port_ = port;
  }
  if (port_ <= 0) {
    return Status::Unavailable("cannot listen on " + listen +
                               " (address in use or not local?); change http.listen");
  }
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "http");
    server_->listen_after_bind();
  });
  // stop() is ignored until the server runs: wait for it, so that a Stop()
  // right after Start() cannot leave the thread listening forever.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server_->is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  spdlog::info("event=api_listening address={}:{} auth={}", host, port_,
               token_.empty() ? "none" : "bearer");
  return Status::Ok();
}

void ApiServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

void ApiServer::Routes() {
  httplib::Server& s = *server_;
  ControlPlane* plane = plane_;

  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!HostAllowed(req.get_header_value("Host"), allowed_hosts_)) {
      SendError(res, {403, "forbidden_host",
                      "the Host header names a host this worker does not serve; add it to "
                      "http.allowed_hosts if it is a name of this worker"});
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.path.rfind("/v1/", 0) != 0) return httplib::Server::HandlerResponse::Unhandled;
    const std::string header = req.get_header_value("Authorization");
    // The scheme name is case-insensitive (RFC 7235).
    const bool bearer = header.size() > 7 && strncasecmp(header.c_str(), "Bearer ", 7) == 0;
    if (!token_.empty() && (!bearer || !TokenMatches(header.substr(7), token_))) {
      res.set_header("WWW-Authenticate", "Bearer");
      SendError(res, {401, "unauthorized",
                      header.empty() ? "this API needs 'Authorization: Bearer <token>'"
                                     : "the bearer token is wrong"});
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.method == "PUT" || req.method == "POST") {
      // A cross-site form always declares its (non-JSON) type; clients that
      // send no body may leave the header out.
      const std::string type = req.get_header_value("Content-Type");
      if (!type.empty() && type.rfind("application/json", 0) != 0) {
        SendError(res, {415, "unsupported_media_type",
                        req.method + " needs 'Content-Type: application/json'"});
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    // Until the worker reached Kafka it has no tasks to show or change.
    const Status started = plane_->Started();
    if (!started.ok()) {
      res.set_header("Retry-After", "5");
      SendError(res, {503, "unavailable", started.message() + "; see GET /readyz"});
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 404) {
      SendError(res,
                {404, "not_found",
                 "no such endpoint: " + req.method + " " + req.path + " (see docs/openapi.yaml)"});
    } else {
      SendError(res, {res.status, "invalid_argument", "the request was rejected"});
    }
  });
  s.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        spdlog::error("event=api_exception method={} path=\"{}\" error=\"{}\"",
                      LogEscape(req.method), LogEscape(req.path), LogEscape(what));
        SendError(res, {500, "internal", "internal error; see the worker's log"});
      });

  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    SendJson(res, 200, json{{"status", "ok"}});
  });
  s.Get("/readyz", [plane](const httplib::Request&, httplib::Response& res) {
    Status ready = plane->Ready();
    if (ready.ok()) return SendJson(res, 200, json{{"status", "ready"}});
    SendJson(res, 503, json{{"status", "not_ready"}, {"reason", ready.message()}});
  });
  s.Get("/metrics", [plane](const httplib::Request&, httplib::Response& res) {
    res.set_content(plane->RenderMetrics(), "text/plain; version=0.0.4; charset=utf-8");
  });

  s.Get("/v1/topics", [plane](const httplib::Request&, httplib::Response& res) {
    auto topics = plane->ListTopics();
    if (!topics.ok()) return SendError(res, FromStatus(topics.status()));
    const auto tasks = plane->Tasks();
    json list = json::array();
    for (const TopicInfo& t : *topics) {
      auto task = tasks.find(t.name);
      list.push_back(json{
          {"topic", t.name},
          {"partitions", t.partitions},
          {"task_state", task == tasks.end() ? std::string("none")
                                             : std::string(TaskStateName(task->second.state))}});
    }
    SendJson(res, 200, json{{"instance", plane->instance()}, {"topics", list}});
  });
  s.Get("/v1/tasks", [plane](const httplib::Request&, httplib::Response& res) {
    json list = json::array();
    for (const auto& [topic, def] : plane->Tasks()) {
      list.push_back(TaskJson(def, TaskGroupFor(*plane, topic)));
    }
    SendJson(res, 200, json{{"tasks", list}});
  });

  // The topic of /v1/tasks/{topic}[/...]; nullopt after answering 400/404.
  auto existing = [plane](const httplib::Request& req, httplib::Response& res,
                          std::string* topic) -> std::optional<TaskDefinition> {
    *topic = req.matches[1];
    if (!IsValidTopicName(*topic)) {
      SendError(res, {400, "invalid_argument",
                      "'" + *topic + "' is not a Kafka topic name (1..249 of a-z A-Z 0-9 . _ -)"});
      return std::nullopt;
    }
    auto def = plane->GetTask(*topic);
    if (!def) {
      SendError(res,
                {404, "not_found",
                 "no task for topic '" + *topic + "'; enable it with PUT /v1/tasks/" + *topic});
    }
    return def;
  };

  const std::string task_path = R"(/v1/tasks/([^/]+))";
  s.Get(task_path, [plane, existing](const httplib::Request& req, httplib::Response& res) {
    std::string topic;
    auto def = existing(req, res, &topic);
    if (def) SendJson(res, 200, TaskJson(*def, TaskGroupFor(*plane, topic)));
  });
  s.Put(task_path, [plane](const httplib::Request& req, httplib::Response& res) {
    const std::string topic = req.matches[1];
    if (!IsValidTopicName(topic)) {
      return SendError(res, {400, "invalid_argument",
                             "'" + topic +
                                 "' is not a Kafka topic name (1..249 of a-z A-Z 0-9 . "
                                 "_ -)"});
    }
    const json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) {
      return SendError(res, {400, "invalid_argument",
                             "the request body is not valid JSON; send an object with some of: " +
                                 std::string(kSettingFields)});
    }
    const std::optional<TaskDefinition> current = plane->GetTask(topic);
    TaskConfig config = current ? current->config : TaskConfig{};
    config.topic = topic;
    if (auto error = ApplySettings(body, &config)) return SendError(res, *error);
    if (!current && config.bucket.empty()) {
      return SendError(res,
                       {400, "invalid_argument", "field 'bucket' is required to enable a topic"});
    }
    Status valid = ValidateTaskConfig(config, plane->sink());
    if (!valid.ok()) return SendError(res, {400, "invalid_argument", valid.message()});
    if (current && SameSettings(current->config, config)) {
      return SendJson(res, 200, TaskJson(*current, TaskGroupFor(*plane, topic)));
    }
    Status exists = plane->CheckTopicExists(topic);
    if (!exists.ok()) return SendError(res, FromStatus(exists));
    Status preflight = plane->Preflight(config);
    if (!preflight.ok()) return SendError(res, FromPreflight(preflight));
    TaskDefinition def = current.value_or(TaskDefinition{});
    def.config = config;
    def.updated_ms = SystemNowMs();
    if (!current) def.created_ms = def.updated_ms;
    Status put = plane->PutTask(def);
    if (!put.ok()) return SendError(res, FromStatus(put));
    spdlog::info("event=task_{} topic={} bucket={} window={} source=api",
                 current ? "updated" : "enabled", topic, config.bucket,
                 FormatDuration(config.window));
    SendJson(res, current ? 200 : 201, TaskJson(def, TaskGroupFor(*plane, topic)));
  });
  s.Delete(task_path, [plane, existing](const httplib::Request& req, httplib::Response& res) {
    std::string topic;
    if (!existing(req, res, &topic)) return;
    Status removed = plane->RemoveTask(topic);
    if (!removed.ok()) return SendError(res, FromStatus(removed));
    spdlog::info("event=task_disabled topic={} source=api", topic);
    SendJson(res, 200, json{{"topic", topic}, {"deleted", true}});
  });
  for (const auto& [suffix, state] :
       {std::pair<std::string, TaskState>{"pause", TaskState::kPaused},
        {"resume", TaskState::kRunning}}) {
    const TaskState target = state;
    s.Post(task_path + "/" + suffix,
           [plane, existing, target](const httplib::Request& req, httplib::Response& res) {
             std::string topic;
             auto def = existing(req, res, &topic);
             if (!def) return;
             if (def->state != target) {
               def->state = target;
               def->updated_ms = SystemNowMs();
               Status put = plane->PutTask(*def);
               if (!put.ok()) return SendError(res, FromStatus(put));
               spdlog::info("event=task_{} topic={} source=api",
                            target == TaskState::kPaused ? "paused" : "resumed", topic);
             }
             SendJson(res, 200, TaskJson(*def, TaskGroupFor(*plane, topic)));
           });
  }
  s.Get(task_path + "/status", [plane, existing](const httplib::Request& req,
                                                 httplib::Response& res) {
    std::string topic;
    auto def = existing(req, res, &topic);
    if (!def) return;
    auto lag = plane->FetchLag(topic);
    if (!lag.ok()) return SendError(res, FromStatus(lag.status()));
    SendJson(res, 200,
             StatusJson(*def, TaskGroupFor(*plane, topic), plane->WorkerStatuses(topic), *lag));
  });
}

}  // namespace k2c
