// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// Client of the control API of a kafka2cos worker (docs/openapi.yaml).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "storage/http_client.h"

namespace k2c {

// One method per operation of docs/openapi.yaml (every /v1 path plus
// /healthz). Each returns the parsed JSON body of a 2xx answer, or a Status:
//   - an HTTP error answer gives "HTTP <code>: <error.message>" with the code
//     mapped to a StatusCode (400 InvalidArgument, 401 Unauthenticated,
//     403 PermissionDenied, 404 NotFound, 422 FailedPrecondition,
//     503 Unavailable, anything else Internal);
//   - a server that cannot be reached gives Unavailable ("cannot reach the
//     kafka2cos API at <url>: ...").
// The bearer token is sent in the Authorization header only; it never
// appears in a Status message. Redirects are not followed (they could carry
// the token to another host). Not thread-safe; cheap to construct.
class ApiClient {
 public:
  struct Options {
    int connect_timeout_ms = 5000;
    // Long: enabling a task runs a preflight against the bucket first.
    int read_timeout_ms = 60000;
    int write_timeout_ms = 60000;
  };

  // `base_url` is http://host[:port][/prefix] or https://...; a malformed
  // URL or token makes every call fail with InvalidArgument (see status()).
  ApiClient(std::string base_url, std::string token);
  ApiClient(std::string base_url, std::string token, Options options);

  // OK if the base URL and token are usable.
  const Status& status() const { return init_status_; }
  // The base URL as given (without a trailing slash).
  const std::string& base_url() const { return base_url_; }

  // GET /healthz.
  Result<nlohmann::json> Health();
  // GET /v1/topics: TopicList.
  Result<nlohmann::json> ListTopics();
  // GET /v1/tasks: TaskList.
  Result<nlohmann::json> ListTasks();
  // GET /v1/tasks/{topic}: Task.
  Result<nlohmann::json> GetTask(const std::string& topic);
  // PUT /v1/tasks/{topic} with a TaskSettings object: Task (created or updated).
  Result<nlohmann::json> PutTask(const std::string& topic, const nlohmann::json& settings);
  // DELETE /v1/tasks/{topic}: Deleted.
  Result<nlohmann::json> DeleteTask(const std::string& topic);
  // POST /v1/tasks/{topic}/pause: Task.
  Result<nlohmann::json> PauseTask(const std::string& topic);
  // POST /v1/tasks/{topic}/resume: Task.
  Result<nlohmann::json> ResumeTask(const std::string& topic);
  // GET /v1/tasks/{topic}/status: TaskStatus.
  Result<nlohmann::json> GetTaskStatus(const std::string& topic);
  // GET /v1/tasks/{topic}/objects?<query>: ObjectList. `query` is already
  // encoded ("from=...&cursor=...").
  Result<nlohmann::json> ListObjects(const std::string& topic, const std::string& query);
  // GET /v1/tasks/{topic}/objects/{key} with a Range: the bytes [offset,
  // offset + length) of the object, fewer at its end, none past it.
  Result<std::string> ReadObjectRange(const std::string& topic, const std::string& key,
                                      uint64_t offset, uint64_t length);

 private:
  Result<nlohmann::json> Call(const char* method, const std::string& path, const std::string* body);
  // One request; a non-2xx answer becomes a Status as described above.
  Result<HttpResponse> Send(const char* method, const std::string& path, const std::string* body,
                            std::vector<std::pair<std::string, std::string>> headers,
                            uint64_t max_response_bytes = 8ull << 20);
  Result<std::string> TaskPath(const std::string& topic, const char* suffix) const;
  // Replaces the token in `text` (defence against servers echoing it).
  std::string Redact(std::string text) const;

  std::string base_url_;
  std::string token_;
  Options options_;
  Status init_status_;
};

// Where the CLI finds a worker and its token unless told.
inline constexpr char kDefaultServer[] = "http://127.0.0.1:8080";
inline constexpr char kServerEnv[] = "KAFKA2COS_SERVER";
inline constexpr char kTokenEnv[] = "KAFKA2COS_API_TOKEN";

// The API token: the content of `token_file` (surrounding whitespace cut)
// when given, else $KAFKA2COS_API_TOKEN, else "" (no token). There is no
// token flag, so a token never shows in `ps`. InvalidArgument for a file
// that cannot be read or is empty.
Result<std::string> ResolveApiToken(const std::string& token_file);

// Maps an HTTP status of an error answer to a StatusCode (see ApiClient).
StatusCode StatusCodeForHttp(int http_status);

}  // namespace k2c
