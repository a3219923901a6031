// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "cli/api_client.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <memory>
#include <sstream>
#include <string_view>
#include <utility>

#include "common/log_text.h"
#include "storage/http_client.h"
#include "storage/sigv4.h"

namespace k2c {
namespace {

constexpr std::string_view kUnreachableHint =
    "(start a worker with [http] listen, or pass --server)";
constexpr size_t kMaxBodySnippet = 200;

// Control characters (a server's text is printed to a terminal) become spaces.

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

bool IsHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

bool IsTopicChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}

}  // namespace

StatusCode StatusCodeForHttp(int http_status) {
  switch (http_status) {
    case 400:
      return StatusCode::kInvalidArgument;
    case 401:
      return StatusCode::kUnauthenticated;
    case 403:
      return StatusCode::kPermissionDenied;
    case 404:
      return StatusCode::kNotFound;
    case 422:
      return StatusCode::kFailedPrecondition;
    case 503:
      return StatusCode::kUnavailable;
    default:
      return StatusCode::kInternal;
  }
}

ApiClient::ApiClient(std::string base_url, std::string token)
    : ApiClient(std::move(base_url), std::move(token), Options()) {}

ApiClient::ApiClient(std::string base_url, std::string token, Options options)
    : base_url_(std::move(base_url)), token_(std::move(token)), options_(options) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  const Status bad_url = Status::InvalidArgument(
      "invalid server URL '" + ControlCharsToSpaces(base_url_) +
      "': expected http://host[:port] or https://host[:port] (optionally with a path)");
  std::string_view rest = base_url_;
  std::string scheme;
  if (StartsWithNoCase(rest, "http://")) {
    scheme = "http";
  } else if (StartsWithNoCase(rest, "https://")) {
    scheme = "https";
  } else {
    init_status_ = bad_url;
    return;
  }
  rest.remove_prefix(scheme.size() + 3);
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  std::string_view host;
  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      init_status_ = bad_url;
      return;
    }
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        init_status_ = bad_url;
        return;
      }
      port = after.substr(1);
      has_port = true;
    }
    for (char c : host) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') {
        init_status_ = bad_url;
        return;
      }
    }
  } else {
    const size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      has_port = true;
    }
    for (char c : host) {
      if (!IsHostChar(c)) {
        init_status_ = bad_url;
        return;
      }
    }
  }
  if (host.empty()) {
    init_status_ = bad_url;
    return;
  }
  if (has_port) {
    if (port.empty() || port.size() > 5) {
      init_status_ = bad_url;
      return;
    }
    int value = 0;
    for (char c : port) {
      if (!std::isdigit(static_cast<unsigned char>(c))) {
        init_status_ = bad_url;
        return;
      }
      value = value * 10 + (c - '0');
    }
    if (value < 1 || value > 65535) {
      init_status_ = bad_url;
      return;
    }
  }
  for (char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '?' || c == '#') {
      init_status_ = bad_url;
      return;
    }
  }
  if (HasControlChar(token_)) {
    // Never echo the token itself.
    init_status_ = Status::InvalidArgument("the API token contains control characters");
    return;
  }
}

std::string ApiClient::Redact(std::string text) const {
  // A very short token would garble unrelated text; such tokens are not
  // secret in any real sense anyway.
  if (token_.size() < 4) return text;
  for (size_t pos = text.find(token_); pos != std::string::npos; pos = text.find(token_, pos)) {
    text.replace(pos, token_.size(), "<token>");
    pos += 7;
  }
  return text;
}

Result<std::string> ApiClient::TaskPath(const std::string& topic, const char* suffix) const {
  bool valid = !topic.empty() && topic.size() <= 249 && topic != "." && topic != "..";
  for (char c : topic) valid = valid && IsTopicChar(c);
  if (!valid) {
    return Status::InvalidArgument("invalid topic name '" + ControlCharsToSpaces(topic) +
                                   "': use 1 to 249 of the characters a-z A-Z 0-9 . _ -");
  }
  return "/v1/tasks/" + topic + suffix;
}

Result<HttpResponse> ApiClient::Send(const char* method, const std::string& path,
                                     const std::string* body,
                                     std::vector<std::pair<std::string, std::string>> headers,
                                     uint64_t max_response_bytes) {
  if (!init_status_.ok()) return init_status_;
  const std::string_view verb = method;
  try {
    HttpRequest request;
    request.method = method;
    request.url = base_url_ + path;
    request.headers = std::move(headers);
    request.headers.emplace_back("User-Agent", "kafka2cos-cli");
    if (!token_.empty()) request.headers.emplace_back("Authorization", "Bearer " + token_);
    if (body) {
      request.headers.emplace_back("Content-Type", "application/json");
      request.body = *body;
    }
    request.timeouts.connect = std::chrono::milliseconds(options_.connect_timeout_ms);
    request.timeouts.total =
        std::chrono::milliseconds(options_.read_timeout_ms + options_.write_timeout_ms);
    // A preflight can keep the answer back for as long as the read timeout:
    // no early stall detection.
    request.timeouts.low_speed_window = std::chrono::seconds(options_.read_timeout_ms / 1000 + 1);
    request.max_response_bytes = max_response_bytes;
    HttpClient http;
    Result<HttpResponse> res = http.Send(request);

    if (!res.ok()) {
      const std::string where = "the kafka2cos API at " + base_url_;
      const Status& error = res.status();
      std::string message;
      if (error.code() == StatusCode::kDeadlineExceeded) {
        message = "no complete answer from " + where + ": " + error.message();
        if (verb == "GET") message += " (nothing was changed)";
      } else if (error.code() == StatusCode::kUnavailable ||
                 error.code() == StatusCode::kFailedPrecondition) {
        message =
            "cannot reach " + where + ": " + error.message() + " " + std::string(kUnreachableHint);
      } else {
        message = "request to " + where + " failed: " + error.message();
      }
      return Status::Unavailable(Redact(std::move(message)));
    }
    const int http_status = static_cast<int>(res->status);
    if (http_status >= 200 && http_status < 300) return res;
    nlohmann::json parsed = nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false);
    std::string detail;
    if (!parsed.is_discarded() && parsed.is_object()) {
      auto e = parsed.find("error");
      if (e != parsed.end() && e->is_object()) {
        auto m = e->find("message");
        if (m != e->end() && m->is_string()) detail = m->get<std::string>();
      }
    }
    if (detail.empty()) {
      detail = res->body.substr(0, kMaxBodySnippet);
      if (res->body.size() > kMaxBodySnippet) detail += "...";
      if (detail.empty()) detail = "(empty answer)";
      detail = "unexpected answer from " + base_url_ + path + ": " + detail;
    }
    return Status(StatusCodeForHttp(http_status), Redact("HTTP " + std::to_string(http_status) +
                                                         ": " + ControlCharsToSpaces(detail)));
  } catch (const std::exception& e) {
    return Status::Internal(Redact(std::string("request to the kafka2cos API at ") + base_url_ +
                                   " failed: " + e.what()));
  }
}

Result<nlohmann::json> ApiClient::Call(const char* method, const std::string& path,
                                       const std::string* body) {
  auto res = Send(method, path, body, {{"Accept", "application/json"}});
  if (!res.ok()) return res.status();
  if (res->body.empty()) return nlohmann::json::object();
  nlohmann::json parsed = nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return Status::Internal(Redact("the answer of " + base_url_ + path + " (HTTP " +
                                   std::to_string(res->status) + ") is not JSON"));
  }
  return parsed;
}

Result<nlohmann::json> ApiClient::ListObjects(const std::string& topic, const std::string& query) {
  auto path = TaskPath(topic, "/objects");
  if (!path.ok()) return path.status();
  return Call("GET", *path + (query.empty() ? "" : "?" + query), nullptr);
}

Result<std::string> ApiClient::ReadObjectRange(const std::string& topic, const std::string& key,
                                               uint64_t offset, uint64_t length) {
  auto path = TaskPath(topic, "/objects/");
  if (!path.ok()) return path.status();
  if (length == 0) return std::string();
  const uint64_t last = offset + std::min<uint64_t>(length, UINT64_MAX - offset) - 1;
  auto res = Send("GET", *path + UriEncode(key, /*encode_slash=*/false), nullptr,
                  {{"Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(last)}},
                  length + 4096);
  if (!res.ok()) {
    // 416: the range starts at or past the object's end.
    if (res.status().message().rfind("HTTP 416", 0) == 0) return std::string();
    return res.status();
  }
  if (res->status == 200) {
    // A server that ignored the range sent the whole object.
    if (offset >= res->body.size()) return std::string();
    return res->body.substr(offset, length);
  }
  return std::move(res->body);
}

Result<std::string> ResolveApiToken(const std::string& token_file) {
  if (token_file.empty()) {
    const char* env = std::getenv(kTokenEnv);
    return std::string(env == nullptr ? "" : env);
  }
  std::ifstream in(token_file, std::ios::binary);
  if (!in) {
    return Status::InvalidArgument("cannot read token file '" + token_file +
                                   "': " + std::strerror(errno));
  }
  std::ostringstream content;
  content << in.rdbuf();
  std::string token = content.str();
  const auto is_space = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!token.empty() && is_space(token.back())) token.pop_back();
  size_t start = 0;
  while (start < token.size() && is_space(token[start])) ++start;
  token.erase(0, start);
  if (token.empty()) return Status::InvalidArgument("token file '" + token_file + "' is empty");
  return token;
}

Result<nlohmann::json> ApiClient::Health() { return Call("GET", "/healthz", nullptr); }

Result<nlohmann::json> ApiClient::ListTopics() { return Call("GET", "/v1/topics", nullptr); }

Result<nlohmann::json> ApiClient::ListTasks() { return Call("GET", "/v1/tasks", nullptr); }

Result<nlohmann::json> ApiClient::GetTask(const std::string& topic) {
  auto path = TaskPath(topic, "");
  if (!path.ok()) return path.status();
  return Call("GET", *path, nullptr);
}

Result<nlohmann::json> ApiClient::PutTask(const std::string& topic,
                                          const nlohmann::json& settings) {
  auto path = TaskPath(topic, "");
  if (!path.ok()) return path.status();
  std::string body;
  try {
    body = settings.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("cannot encode the task settings: ") + e.what());
  }
  return Call("PUT", *path, &body);
}

Result<nlohmann::json> ApiClient::DeleteTask(const std::string& topic) {
  auto path = TaskPath(topic, "");
  if (!path.ok()) return path.status();
  return Call("DELETE", *path, nullptr);
}

Result<nlohmann::json> ApiClient::PauseTask(const std::string& topic) {
  auto path = TaskPath(topic, "/pause");
  if (!path.ok()) return path.status();
  return Call("POST", *path, nullptr);
}

Result<nlohmann::json> ApiClient::ResumeTask(const std::string& topic) {
  auto path = TaskPath(topic, "/resume");
  if (!path.ok()) return path.status();
  return Call("POST", *path, nullptr);
}

Result<nlohmann::json> ApiClient::GetTaskStatus(const std::string& topic) {
  auto path = TaskPath(topic, "/status");
  if (!path.ok()) return path.status();
  return Call("GET", *path, nullptr);
}

}  // namespace k2c
