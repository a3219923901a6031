// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/api_server.h"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <strings.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>
#include <nlohmann/json.hpp>
#include <variant>

#include "common/log_text.h"
#include "control/api_reply.h"
#include "control/archive_routes.h"
#include "control/console_routes.h"
#include "sink/task_runner.h"

namespace k2c {
namespace {

using nlohmann::json;

constexpr const char* kSettingFields =
    "bucket, window, start, format, compression, compression_level, delimiter, "
    "max_object_bytes, row_group_bytes, key_template";

// The code of an answer the HTTP server gives by itself.
ApiError ServerError(int status, const std::string& message) {
  switch (status) {
    case 413:
      return {status, "payload_too_large", message};
    case 431:
      return {status, "header_too_large", message};
    case 503:
      return {status, "unavailable", message};
    case 500:
      return {status, "internal", message};
    default:
      return {status, "invalid_argument", message};
  }
}

ApiError InvalidTopic(const std::string& topic) {
  return {400, "invalid_argument",
          "'" + topic + "' is not a Kafka topic name (1..249 of a-z A-Z 0-9 . _ -)"};
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
  j["compression"] = EffectiveCompression(FormatSettingsOf(def.config));
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
    if (field == "max_object_bytes" || field == "row_group_bytes") {
      uint64_t* out =
          field == "max_object_bytes" ? &config->max_object_bytes : &config->row_group_bytes;
      if (value.is_number_unsigned()) {
        *out = value.get<uint64_t>();
      } else if (value.is_string()) {
        auto n = ParseByteSize(value.get<std::string>());
        if (!n.ok()) return bad(field, n.status().message());
        *out = *n;
      } else {
        return bad(field, "must be a byte count or a size string such as \"64MiB\"");
      }
      continue;
    }
    if (field == "compression_level") {
      if (!value.is_number_integer() || value.get<int64_t>() < 0 || value.get<int64_t>() > 22) {
        return bad(field, "must be an integer 0..22 (0: the codec's default)");
      }
      config->compression_level = value.get<int>();
      continue;
    }
    static const char* const kStringFields[] = {"bucket",    "window",       "start",      "format",
                                                "delimiter", "key_template", "compression"};
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
    } else if (field == "compression") {
      config->compression = text;
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

std::optional<std::vector<std::string>> SplitPath(const std::string& path) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  std::vector<std::string> segments;
  size_t begin = 1;
  for (;;) {
    const size_t end = std::min(path.find('/', begin), path.size());
    std::string segment;
    for (size_t i = begin; i < end; ++i) {
      if (path[i] != '%') {
        segment.push_back(path[i]);
        continue;
      }
      unsigned value = 0;
      const char* first = path.data() + i + 1;
      if (end - i < 3 || std::from_chars(first, first + 2, value, 16).ptr != first + 2) {
        return std::nullopt;
      }
      segment.push_back(static_cast<char>(value));
      i += 2;
    }
    segments.push_back(std::move(segment));
    if (end == path.size()) return segments;
    begin = end + 1;
  }
}

struct ApiServer::Route {
  std::string method;
  // Path segments; "{}" matches any one segment, which is passed as an argument.
  std::vector<std::string> pattern;
  // Answered on the server's I/O thread (must not block): what has to keep
  // answering while every handler thread waits on Kafka or the store.
  bool quick = false;
  std::function<ServerResponse(const ServerRequest&, const std::vector<std::string>&)> run;
};

ApiServer::ApiServer(ControlPlane* plane, std::string token, std::vector<std::string> allowed_hosts,
                     HttpServerLimits limits)
    : plane_(plane),
      token_(std::move(token)),
      allowed_hosts_(std::move(allowed_hosts)),
      limits_(limits) {
  Routes();
}

ApiServer::~ApiServer() { Stop(); }

Status ApiServer::Start(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return Status::InvalidArgument("http.listen '" + listen + "' is not host:port");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = -1;
  const char* end = listen.data() + listen.size();
  const auto parsed = std::from_chars(listen.data() + colon + 1, end, port);
  if (parsed.ec != std::errc() || parsed.ptr != end || port < 0 || port > 65535) {
    return Status::InvalidArgument("http.listen '" + listen + "' has no valid port (0..65535)");
  }
  if (server_) return Status::FailedPrecondition("the API server was started already");
  HttpServer::Handlers handlers;
  handlers.screen = [this](const ServerRequest& request) { return Screen(request); };
  handlers.handle = [this](const ServerRequest& request) { return Handle(request); };
  handlers.error = [](int status, const std::string& message) {
    return ErrorReply(ServerError(status, message));
  };
  auto server = std::make_unique<HttpServer>(std::move(handlers), limits_);
  Status started = server->Start(host, port);
  if (!started.ok()) {
    return Status::Unavailable(started.message() + "; change http.listen");
  }
  server_ = std::move(server);
  spdlog::info("event=api_listening address={}:{} auth={}", listen.substr(0, colon),
               server_->port(), token_.empty() ? "none" : "bearer");
  return Status::Ok();
}

int ApiServer::port() const { return server_ ? server_->port() : 0; }

void ApiServer::Stop() {
  if (server_) server_->Stop();
}

HttpServerCounters ApiServer::counters() const {
  return server_ ? server_->counters() : HttpServerCounters{};
}

// The route for `request`, with its arguments; or the answer when there is
// none (404, or 405 naming the methods the path has).
std::variant<std::pair<const ApiServer::Route*, std::vector<std::string>>, ServerResponse>
ApiServer::Find(const ServerRequest& request) const {
  const auto segments = SplitPath(request.path);
  std::vector<std::string> allowed;
  if (segments) {
    for (const Route& route : routes_) {
      // "{*}" last takes the rest of the path, slashes and all (an object key).
      const bool rest = !route.pattern.empty() && route.pattern.back() == "{*}";
      if (rest ? segments->size() < route.pattern.size()
               : route.pattern.size() != segments->size()) {
        continue;
      }
      std::vector<std::string> args;
      bool match = true;
      for (size_t i = 0; i < route.pattern.size() && match; ++i) {
        if (route.pattern[i] == "{*}") {
          std::string joined;
          for (size_t j = i; j < segments->size(); ++j) {
            joined += (j == i ? "" : "/") + (*segments)[j];
          }
          args.push_back(std::move(joined));
        } else if (route.pattern[i] == "{}") {
          args.push_back((*segments)[i]);
        } else {
          match = route.pattern[i] == (*segments)[i];
        }
      }
      if (!match) continue;
      if (route.method == request.method) return std::make_pair(&route, std::move(args));
      allowed.push_back(route.method);
    }
  }
  if (!allowed.empty()) {
    std::string list;
    for (const std::string& method : allowed) list += (list.empty() ? "" : ", ") + method;
    ServerResponse reply =
        ErrorReply({405, "method_not_allowed",
                    request.method + " is not served on " + request.path + "; use " + list});
    reply.headers.emplace_back("Allow", list);
    return reply;
  }
  return ErrorReply(
      {404, "not_found",
       "no such endpoint: " + request.method + " " + request.path + " (see docs/openapi.yaml)"});
}

std::optional<ServerResponse> ApiServer::Screen(const ServerRequest& request) const {
  if (!HostAllowed(request.Header("Host"), allowed_hosts_)) {
    return ErrorReply({403, "forbidden_host",
                       "the Host header names a host this worker does not serve; add it to "
                       "http.allowed_hosts if it is a name of this worker"});
  }
  if (request.path.rfind("/v1/", 0) == 0) {
    const std::string header = request.Header("Authorization");
    // The scheme name is case-insensitive (RFC 7235).
    const bool bearer = header.size() > 7 && strncasecmp(header.c_str(), "Bearer ", 7) == 0;
    if (!token_.empty() && (!bearer || !TokenMatches(header.substr(7), token_))) {
      ServerResponse reply =
          ErrorReply({401, "unauthorized",
                      header.empty() ? "this API needs 'Authorization: Bearer <token>'"
                                     : "the bearer token is wrong"});
      reply.headers.emplace_back("WWW-Authenticate", "Bearer");
      return reply;
    }
    if (request.method == "PUT" || request.method == "POST") {
      // A cross-site form always declares its (non-JSON) type; clients that
      // send no body may leave the header out.
      const std::string type = request.Header("Content-Type");
      if (!type.empty() && type.rfind("application/json", 0) != 0) {
        return ErrorReply({415, "unsupported_media_type",
                           request.method + " needs 'Content-Type: application/json'"});
      }
    }
    // Until the worker reached Kafka it has no tasks to show or change.
    const Status started = plane_->Started();
    if (!started.ok()) {
      ServerResponse reply =
          ErrorReply({503, "unavailable", started.message() + "; see GET /readyz"});
      reply.headers.emplace_back("Retry-After", "5");
      return reply;
    }
  }
  auto found = Find(request);
  if (auto* answer = std::get_if<ServerResponse>(&found)) return std::move(*answer);
  const auto& [route, args] = std::get<0>(found);
  if (route->quick) return route->run(request, args);
  return std::nullopt;
}

ServerResponse ApiServer::Handle(const ServerRequest& request) const {
  auto found = Find(request);
  if (auto* answer = std::get_if<ServerResponse>(&found)) return std::move(*answer);
  const auto& [route, args] = std::get<0>(found);
  return route->run(request, args);
}

void ApiServer::Routes() {
  ControlPlane* plane = plane_;
  auto add = [this](std::string method, const std::string& path, bool quick, auto run) {
    routes_.push_back(Route{std::move(method), *SplitPath(path), quick, std::move(run)});
  };
  using Args = std::vector<std::string>;

  add("GET", "/healthz", true, [](const ServerRequest&, const Args&) {
    return JsonReply(200, json{{"status", "ok"}});
  });
  add("GET", "/readyz", true, [plane](const ServerRequest&, const Args&) {
    Status ready = plane->Ready();
    if (ready.ok()) return JsonReply(200, json{{"status", "ready"}});
    return JsonReply(503, json{{"status", "not_ready"}, {"reason", ready.message()}});
  });
  add("GET", "/metrics", false, [plane](const ServerRequest&, const Args&) {
    return ServerResponse{
        200, "text/plain; version=0.0.4; charset=utf-8", {}, plane->RenderMetrics()};
  });

  // The web console (docs/console.md): its files need no token; the page
  // asks for one and sends it with each API call.
  for (const char* page : {"/", "/index.html"}) {
    add("GET", page, true,
        [](const ServerRequest& request, const Args&) { return *ConsoleFileReply(request.path); });
  }
  add("GET", "/assets/{*}", true, [](const ServerRequest&, const Args& args) {
    auto reply = ConsoleFileReply("/assets/" + args[0]);
    if (reply) return std::move(*reply);
    return ErrorReply({404, "not_found", "no console file /assets/" + args[0]});
  });
  add("GET", "/v1/info", false,
      [plane](const ServerRequest&, const Args&) { return InfoReply(*plane); });
  add("GET", "/v1/buckets", false,
      [plane](const ServerRequest&, const Args&) { return BucketsReply(*plane); });

  add("GET", "/v1/topics", false, [plane](const ServerRequest&, const Args&) {
    auto topics = plane->ListTopics();
    if (!topics.ok()) return ErrorReply(FromStatus(topics.status()));
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
    return JsonReply(200, json{{"instance", plane->instance()}, {"topics", list}});
  });
  add("GET", "/v1/tasks", false, [plane](const ServerRequest&, const Args&) {
    json list = json::array();
    for (const auto& [topic, def] : plane->Tasks()) {
      list.push_back(TaskJson(def, TaskGroupFor(*plane, topic)));
    }
    return JsonReply(200, json{{"tasks", list}});
  });

  // The task of /v1/tasks/{topic}[/...], or the answer (400, 404).
  auto existing = [plane](const std::string& topic) -> std::variant<TaskDefinition, ApiError> {
    if (!IsValidTopicName(topic)) return InvalidTopic(topic);
    auto def = plane->GetTask(topic);
    if (!def) {
      return ApiError{404, "not_found",
                      "no task for topic '" + topic + "'; enable it with PUT /v1/tasks/" + topic};
    }
    return *def;
  };

  add("GET", "/v1/tasks/{}", false, [plane, existing](const ServerRequest&, const Args& args) {
    auto def = existing(args[0]);
    if (auto* error = std::get_if<ApiError>(&def)) return ErrorReply(*error);
    return JsonReply(200, TaskJson(std::get<TaskDefinition>(def), TaskGroupFor(*plane, args[0])));
  });
  add("PUT", "/v1/tasks/{}", false, [plane](const ServerRequest& request, const Args& args) {
    const std::string& topic = args[0];
    if (!IsValidTopicName(topic)) return ErrorReply(InvalidTopic(topic));
    const json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) {
      return ErrorReply({400, "invalid_argument",
                         "the request body is not valid JSON; send an object with some of: " +
                             std::string(kSettingFields)});
    }
    const std::optional<TaskDefinition> current = plane->GetTask(topic);
    TaskConfig config = current ? current->config : TaskConfig{};
    config.topic = topic;
    if (auto error = ApplySettings(body, &config)) return ErrorReply(*error);
    if (!current && config.bucket.empty()) {
      return ErrorReply({400, "invalid_argument", "field 'bucket' is required to enable a topic"});
    }
    Status valid = ValidateTaskConfig(config, plane->sink());
    if (!valid.ok()) return ErrorReply({400, "invalid_argument", valid.message()});
    if (current && SameSettings(current->config, config)) {
      return JsonReply(200, TaskJson(*current, TaskGroupFor(*plane, topic)));
    }
    Status exists = plane->CheckTopicExists(topic);
    if (!exists.ok()) return ErrorReply(FromStatus(exists));
    Status preflight = plane->Preflight(config);
    if (!preflight.ok()) return ErrorReply(FromPreflight(preflight));
    TaskDefinition def = current.value_or(TaskDefinition{});
    def.config = config;
    def.updated_ms = SystemNowMs();
    if (!current) def.created_ms = def.updated_ms;
    Status put = plane->PutTask(def);
    if (!put.ok()) return ErrorReply(FromStatus(put));
    spdlog::info("event=task_{} topic={} bucket={} window={} source=api",
                 current ? "updated" : "enabled", topic, config.bucket,
                 FormatDuration(config.window));
    return JsonReply(current ? 200 : 201, TaskJson(def, TaskGroupFor(*plane, topic)));
  });
  add("DELETE", "/v1/tasks/{}", false, [plane, existing](const ServerRequest&, const Args& args) {
    auto def = existing(args[0]);
    if (auto* error = std::get_if<ApiError>(&def)) return ErrorReply(*error);
    Status removed = plane->RemoveTask(args[0]);
    if (!removed.ok()) return ErrorReply(FromStatus(removed));
    spdlog::info("event=task_disabled topic={} source=api", args[0]);
    return JsonReply(200, json{{"topic", args[0]}, {"deleted", true}});
  });
  for (const auto& [suffix, state] :
       {std::pair<std::string, TaskState>{"pause", TaskState::kPaused},
        {"resume", TaskState::kRunning}}) {
    const TaskState target = state;
    add("POST", "/v1/tasks/{}/" + suffix, false,
        [plane, existing, target](const ServerRequest&, const Args& args) {
          auto found = existing(args[0]);
          if (auto* error = std::get_if<ApiError>(&found)) return ErrorReply(*error);
          TaskDefinition& def = std::get<TaskDefinition>(found);
          if (def.state != target) {
            def.state = target;
            def.updated_ms = SystemNowMs();
            Status put = plane->PutTask(def);
            if (!put.ok()) return ErrorReply(FromStatus(put));
            spdlog::info("event=task_{} topic={} source=api",
                         target == TaskState::kPaused ? "paused" : "resumed", args[0]);
          }
          return JsonReply(200, TaskJson(def, TaskGroupFor(*plane, args[0])));
        });
  }
  // The read side (docs/archive.md): every handler first finds the task.
  auto archive_of = [plane,
                     existing](const std::string& topic) -> std::variant<TaskArchive, ApiError> {
    auto def = existing(topic);
    if (auto* error = std::get_if<ApiError>(&def)) return *error;
    auto archive = plane->Archive(topic);
    if (!archive.ok()) return FromStatus(archive.status());
    return *archive;
  };
  add("GET", "/v1/tasks/{}/objects", false,
      [archive_of](const ServerRequest& request, const Args& args) {
        auto archive = archive_of(args[0]);
        if (auto* error = std::get_if<ApiError>(&archive)) return ErrorReply(*error);
        return ListObjectsReply(std::get<TaskArchive>(archive), request, SystemNowMs());
      });
  add("GET", "/v1/tasks/{}/objects/{*}", false,
      [archive_of](const ServerRequest& request, const Args& args) {
        auto archive = archive_of(args[0]);
        if (auto* error = std::get_if<ApiError>(&archive)) return ErrorReply(*error);
        return ObjectReply(std::get<TaskArchive>(archive), request, args[1], SystemNowMs());
      });
  add("GET", "/v1/tasks/{}/manifests", false,
      [archive_of](const ServerRequest& request, const Args& args) {
        auto archive = archive_of(args[0]);
        if (auto* error = std::get_if<ApiError>(&archive)) return ErrorReply(*error);
        return ListManifestsReply(std::get<TaskArchive>(archive), request, SystemNowMs());
      });
  add("GET", "/v1/tasks/{}/history", false,
      [plane, existing](const ServerRequest&, const Args& args) {
        auto def = existing(args[0]);
        if (auto* error = std::get_if<ApiError>(&def)) return ErrorReply(*error);
        return HistoryReply(*plane, args[0]);
      });
  add("GET", "/v1/tasks/{}/status", false,
      [plane, existing](const ServerRequest&, const Args& args) {
        auto def = existing(args[0]);
        if (auto* error = std::get_if<ApiError>(&def)) return ErrorReply(*error);
        auto lag = plane->FetchLag(args[0]);
        if (!lag.ok()) return ErrorReply(FromStatus(lag.status()));
        return JsonReply(200,
                         StatusJson(std::get<TaskDefinition>(def), TaskGroupFor(*plane, args[0]),
                                    plane->WorkerStatuses(args[0]), *lag));
      });
}

}  // namespace k2c
