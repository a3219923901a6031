// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "cli/api_commands.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/api_client.h"
#include "control/http_server.h"

namespace k2c {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kToken[] = "s3cr3t-T0KEN-value";

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

json Task(const std::string& topic, const std::string& state) {
  return {{"topic", topic},
          {"bucket", "archive-bucket"},
          {"window", "5m"},
          {"start", "latest"},
          {"format", "text"},
          {"delimiter", "\n"},
          {"max_object_bytes", 67108864},
          {"key_template", "{topic}/{partition}/{start_offset}"},
          {"state", state},
          {"origin", "api"},
          {"group", "kafka2cos-" + topic},
          {"created_ms", 1767225600000},
          {"updated_ms", 1767225600000}};
}

json Error(const std::string& code, const std::string& message) {
  return {{"error", {{"code", code}, {"message", message}}}};
}

// Returns the port of a socket that was bound and closed: nothing listens there.
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string ReadAll(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string text;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof(buf), f)) > 0;) text.append(buf, n);
  return text;
}

class ApiCommandsTest : public ::testing::Test {
 protected:
  struct Request {
    std::string method;
    std::string path;
    std::string body;
    std::string authorization;
    bool has_authorization = false;
  };
  struct Output {
    std::optional<int> code;
    std::string out;
    std::string err;
  };

  void SetUp() override {
    for (const char* name : {"KAFKA2COS_API_TOKEN", "KAFKA2COS_SERVER"}) {
      const char* value = std::getenv(name);
      saved_env_[name] = value ? std::optional<std::string>(value) : std::nullopt;
      unsetenv(name);
    }
    HttpServer::Handlers handlers;
    handlers.screen = [](const ServerRequest&) { return std::nullopt; };
    handlers.handle = [this](const ServerRequest& req) {
      std::lock_guard<std::mutex> lock(mu_);
      const std::string authorization = req.Header("Authorization");
      bool has_authorization = false;
      for (const auto& [name, value] : req.headers) {
        has_authorization = has_authorization || strcasecmp(name.c_str(), "Authorization") == 0;
      }
      requests_.push_back(
          Request{req.method, req.path, req.body, authorization, has_authorization});
      auto it = answers_.find(req.method + " " + req.path);
      if (it == answers_.end()) {
        return ServerResponse{404,
                              "application/json",
                              {},
                              Error("not_found", "no canned answer for " + req.path).dump()};
      }
      return ServerResponse{it->second.first, "application/json", {}, it->second.second};
    };
    handlers.error = [](int status, const std::string& message) {
      return ServerResponse{status, "text/plain", {}, message};
    };
    server_ = std::make_unique<HttpServer>(std::move(handlers));
    ASSERT_TRUE(server_->Start("127.0.0.1", 0).ok());
    port_ = server_->port();
    ASSERT_GT(port_, 0);
    url_ = "http://127.0.0.1:" + std::to_string(port_);
  }

  void TearDown() override {
    server_.reset();
    for (const auto& [name, value] : saved_env_) {
      if (value) {
        setenv(name.c_str(), value->c_str(), 1);
      } else {
        unsetenv(name.c_str());
      }
    }
  }

  void Answer(const std::string& method, const std::string& path, int status, const json& body) {
    AnswerRaw(method, path, status, body.dump());
  }

  void AnswerRaw(const std::string& method, const std::string& path, int status,
                 const std::string& body) {
    std::lock_guard<std::mutex> lock(mu_);
    answers_[method + " " + path] = {status, body};
  }

  std::vector<Request> Requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

  // Parses `args` like main() does and runs the API command.
  Output Run(const std::vector<std::string>& args) {
    CLI::App app{"kafka2cos"};
    app.require_subcommand(1);
    app.add_subcommand("run", "Run the worker");
    ApiCommands api(app);
    std::vector<std::string> storage = {"kafka2cos"};
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : storage) argv.push_back(s.data());
    Output output;
    try {
      app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::ParseError& e) {
      ADD_FAILURE() << "parse error: " << e.what();
      return output;
    }
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    output.code = api.Run(out, err);
    output.out = ReadAll(out);
    output.err = ReadAll(err);
    std::fclose(out);
    std::fclose(err);
    return output;
  }

  Output RunWithServer(std::vector<std::string> args) {
    args.push_back("--server");
    args.push_back(url_);
    return Run(args);
  }

  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
  std::string url_;
  std::mutex mu_;
  std::map<std::string, std::pair<int, std::string>> answers_;
  std::vector<Request> requests_;
  std::map<std::string, std::optional<std::string>> saved_env_;
};

TEST_F(ApiCommandsTest, EnableSendsOnlyTheGivenFieldsAndTheEnvToken) {
  setenv("KAFKA2COS_API_TOKEN", kToken, 1);
  Answer("PUT", "/v1/tasks/x", 201, Task("x", "running"));
  Output o = RunWithServer({"enable", "x", "--bucket", "archive-bucket", "--window", "5m",
                            "--max-object-bytes", "64MiB"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out, "enabled topic 'x': bucket=archive-bucket window=5m state=running\n");
  EXPECT_EQ(o.err, "");
  auto requests = Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(requests[0].path, "/v1/tasks/x");
  EXPECT_EQ(requests[0].authorization, std::string("Bearer ") + kToken);
  EXPECT_EQ(json::parse(requests[0].body),
            (json{{"bucket", "archive-bucket"}, {"window", "5m"}, {"max_object_bytes", "64MiB"}}));
}

TEST_F(ApiCommandsTest, EnableSendsEveryOptionTyped) {
  Answer("PUT", "/v1/tasks/logs.v1", 200, Task("logs.v1", "running"));
  Output o = RunWithServer({"enable", "logs.v1", "--start", "earliest", "--format", "text",
                            "--delimiter", "\\t|\\n", "--max-object-bytes", "1048576",
                            "--key-template", "{topic}/{partition}"});
  ASSERT_EQ(o.code, 0) << o.err;
  auto requests = Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_FALSE(requests[0].has_authorization);
  EXPECT_EQ(json::parse(requests[0].body), (json{{"start", "earliest"},
                                                 {"format", "text"},
                                                 {"delimiter", "\t|\n"},
                                                 {"max_object_bytes", 1048576},
                                                 {"key_template", "{topic}/{partition}"}}));
}

TEST_F(ApiCommandsTest, EnableRejectsAnUnknownDelimiterEscape) {
  Output o = RunWithServer({"enable", "x", "--bucket", "b", "--delimiter", "\\q"});
  EXPECT_EQ(o.code, 1);
  EXPECT_THAT(o.err, HasSubstr("kafka2cos: --delimiter: unknown escape"));
  EXPECT_TRUE(Requests().empty());
}

TEST_F(ApiCommandsTest, PauseResumeDisable) {
  Answer("POST", "/v1/tasks/x/pause", 200, Task("x", "paused"));
  Answer("POST", "/v1/tasks/x/resume", 200, Task("x", "running"));
  Answer("DELETE", "/v1/tasks/x", 200, {{"topic", "x"}, {"deleted", true}});
  Output paused = RunWithServer({"pause", "x"});
  Output resumed = RunWithServer({"resume", "x"});
  Output disabled = RunWithServer({"disable", "x"});
  EXPECT_EQ(paused.code, 0);
  EXPECT_EQ(paused.out, "paused topic 'x': bucket=archive-bucket window=5m state=paused\n");
  EXPECT_EQ(resumed.code, 0);
  EXPECT_EQ(resumed.out, "resumed topic 'x': bucket=archive-bucket window=5m state=running\n");
  EXPECT_EQ(disabled.code, 0);
  EXPECT_EQ(disabled.out, "disabled topic 'x'\n");
  auto requests = Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].method + " " + requests[0].path, "POST /v1/tasks/x/pause");
  EXPECT_EQ(requests[1].method + " " + requests[1].path, "POST /v1/tasks/x/resume");
  EXPECT_EQ(requests[2].method + " " + requests[2].path, "DELETE /v1/tasks/x");
}

TEST_F(ApiCommandsTest, JsonPrintsTheServersJson) {
  const json topics = {{"instance", "ckafka-1"},
                       {"topics",
                        {{{"topic", "a"}, {"partitions", 3}, {"task_state", "none"}},
                         {{"topic", "b"}, {"partitions", 12}, {"task_state", "running"}}}}};
  Answer("GET", "/v1/topics", 200, topics);
  Output o = RunWithServer({"topics", "--json"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(json::parse(o.out), topics);
  EXPECT_EQ(o.out, topics.dump(2) + "\n");
}

TEST_F(ApiCommandsTest, TopicsTableIsAligned) {
  Answer("GET", "/v1/topics", 200,
         {{"instance", "ckafka-1"},
          {"topics",
           {{{"topic", "a"}, {"partitions", 3}, {"task_state", "none"}},
            {{"topic", "a-much-longer-topic"}, {"partitions", 120}, {"task_state", "running"}}}}});
  Output o = RunWithServer({"topics"});
  ASSERT_EQ(o.code, 0) << o.err;
  auto lines = Lines(o.out);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "TOPIC                 PARTITIONS   TASK");
  EXPECT_EQ(lines[1], "a                     3            none");
  EXPECT_EQ(lines[2], "a-much-longer-topic   120          running");
}

TEST_F(ApiCommandsTest, TasksTable) {
  json other = Task("metrics", "paused");
  other["origin"] = "config";
  other["start"] = "earliest";
  other["window"] = "1h";
  Answer("GET", "/v1/tasks", 200, {{"tasks", {Task("logs", "running"), other}}});
  Output o = RunWithServer({"tasks"});
  ASSERT_EQ(o.code, 0) << o.err;
  auto lines = Lines(o.out);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "TOPIC     STATE     BUCKET           WINDOW   START      ORIGIN");
  EXPECT_EQ(lines[1], "logs      running   archive-bucket   5m       latest     api");
  EXPECT_EQ(lines[2], "metrics   paused    archive-bucket   1h       earliest   config");
}

TEST_F(ApiCommandsTest, StatusShowsSummaryPartitionsAndWorkers) {
  const json status = {{"topic", "x"},
                       {"state", "running"},
                       {"group", "kafka2cos-x"},
                       {"partitions",
                        {{{"partition", 0},
                          {"worker", "w1"},
                          {"committed_offset", 1500},
                          {"end_offset", 1540},
                          {"lag", 40}},
                         {{"partition", 1},
                          {"worker", ""},
                          {"committed_offset", nullptr},
                          {"end_offset", 7},
                          {"lag", 7}}}},
                       {"workers",
                        {{{"worker", "w1"},
                          {"url", "http://10.0.0.1:8080"},
                          {"state", "running"},
                          {"partitions", {0, 2, 3, 4}},
                          {"records_archived", 1500},
                          {"bytes_archived", 150000},
                          {"objects_written", 3},
                          {"upload_failures", 0},
                          {"last_object_key", "x/0/1400"},
                          {"last_object_ms", 1767225600000},
                          {"last_error", ""},
                          {"last_error_ms", 0},
                          {"updated_ms", 1767225601000}}}},
                       {"records_archived", 1500},
                       {"bytes_archived", 150000},
                       {"objects_written", 3},
                       {"lag", 47},
                       {"last_object_key", "x/0/1400"},
                       {"last_object_ms", 1767225600000},
                       {"last_error", "PUT x/1/0: SlowDown"},
                       {"last_error_ms", 1767225661000}};
  Answer("GET", "/v1/tasks/x/status", 200, status);
  Output o = RunWithServer({"status", "x"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("topic:         x\n"));
  EXPECT_THAT(o.out, HasSubstr("state:         running\n"));
  EXPECT_THAT(o.out, HasSubstr("group:         kafka2cos-x\n"));
  EXPECT_THAT(o.out, HasSubstr("archived:      1500 records, 150000 bytes, 3 objects\n"));
  EXPECT_THAT(o.out, HasSubstr("total lag:     47 records\n"));
  EXPECT_THAT(o.out, HasSubstr("last object:   x/0/1400 (2026-01-01T00:00:00Z)\n"));
  EXPECT_THAT(o.out, HasSubstr("last error:    PUT x/1/0: SlowDown (2026-01-01T00:01:01Z)\n"));
  EXPECT_THAT(o.out, HasSubstr("PARTITION   WORKER   COMMITTED   END    LAG\n"
                               "0           w1       1500        1540   40\n"
                               "1           -        -           7      7\n"));
  EXPECT_THAT(o.out, HasSubstr("WORKER   STATE     PARTITIONS   RECORDS   LAST_OBJECT\n"
                               "w1       running   0,2-4        1500      2026-01-01T00:00:00Z\n"));

  Output j = RunWithServer({"status", "x", "--json"});
  ASSERT_EQ(j.code, 0);
  EXPECT_EQ(json::parse(j.out), status);
}

TEST_F(ApiCommandsTest, PreflightFailureGivesExit1AndTheServersMessage) {
  setenv("KAFKA2COS_API_TOKEN", kToken, 1);
  Answer("PUT", "/v1/tasks/x", 422,
         Error("preflight_failed", "bucket 'nope': PutObject failed: NoSuchBucket"));
  Output o = RunWithServer({"enable", "x", "--bucket", "nope"});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err, "kafka2cos: HTTP 422: bucket 'nope': PutObject failed: NoSuchBucket\n");
}

TEST_F(ApiCommandsTest, UnauthorizedNamesWhereTheTokenComesFrom) {
  Answer("GET", "/v1/tasks", 401, Error("unauthorized", "missing or wrong bearer token"));
  Output o = RunWithServer({"tasks"});
  EXPECT_EQ(o.code, 1);
  EXPECT_THAT(o.err, HasSubstr("kafka2cos: HTTP 401: missing or wrong bearer token"));
  EXPECT_THAT(o.err, HasSubstr("KAFKA2COS_API_TOKEN"));
}

TEST_F(ApiCommandsTest, UnreachableServer) {
  const std::string url = "http://127.0.0.1:" + std::to_string(ClosedPort());
  Output o = Run({"tasks", "--server", url});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.out, "");
  EXPECT_THAT(o.err, HasSubstr("kafka2cos: cannot reach the kafka2cos API at " + url + ": "));
  EXPECT_THAT(o.err, HasSubstr("(start a worker with [http] listen, or pass --server)"));
}

TEST_F(ApiCommandsTest, ServerComesFromTheEnvironment) {
  setenv("KAFKA2COS_SERVER", url_.c_str(), 1);
  Answer("GET", "/v1/tasks", 200, {{"tasks", json::array()}});
  Output o = Run({"tasks"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out, "no tasks\n");
  EXPECT_EQ(Requests().size(), 1u);
}

TEST_F(ApiCommandsTest, TokenFileWinsOverTheEnvironment) {
  setenv("KAFKA2COS_API_TOKEN", "env-token-value", 1);
  const std::string path =
      (std::filesystem::temp_directory_path() / ("k2c_token_" + std::to_string(getpid()))).string();
  {
    std::ofstream f(path);
    f << kToken << "\n";
  }
  Answer("GET", "/v1/tasks", 200, {{"tasks", json::array()}});
  Output o = RunWithServer({"tasks", "--token-file", path});
  std::filesystem::remove(path);
  EXPECT_EQ(o.code, 0) << o.err;
  auto requests = Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].authorization, std::string("Bearer ") + kToken);

  Output missing = RunWithServer({"tasks", "--token-file", path});
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("cannot read token file"));
}

TEST_F(ApiCommandsTest, TheTokenNeverAppearsInAnyOutput) {
  setenv("KAFKA2COS_API_TOKEN", kToken, 1);
  Answer("GET", "/v1/topics", 200, {{"instance", "i"}, {"topics", json::array()}});
  Answer("GET", "/v1/tasks", 401, Error("unauthorized", "missing or wrong bearer token"));
  // A server that (wrongly) echoes the token is not believed either.
  Answer("GET", "/v1/tasks/x/status", 500,
         Error("internal", std::string("bad header Bearer ") + kToken));
  Answer("PUT", "/v1/tasks/x", 422, Error("preflight_failed", "no bucket"));
  const std::string closed = "http://127.0.0.1:" + std::to_string(ClosedPort());
  std::vector<Output> outputs = {
      RunWithServer({"topics"}),
      RunWithServer({"topics", "--json"}),
      RunWithServer({"tasks"}),
      RunWithServer({"status", "x"}),
      RunWithServer({"enable", "x", "--bucket", "b"}),
      RunWithServer({"pause", "no-such"}),
      Run({"tasks", "--server", closed}),
      Run({"tasks", "--server", "ftp://nowhere"}),
  };
  for (const Output& o : outputs) {
    EXPECT_THAT(o.out, Not(HasSubstr(kToken)));
    EXPECT_THAT(o.err, Not(HasSubstr(kToken)));
  }
  EXPECT_THAT(outputs[3].err, HasSubstr("HTTP 500: bad header Bearer <token>"));
  for (const Request& r : Requests()) {
    EXPECT_EQ(r.authorization, std::string("Bearer ") + kToken);
  }
}

TEST_F(ApiCommandsTest, OtherSubcommandsAreNotHandled) {
  CLI::App app{"kafka2cos"};
  auto* run = app.add_subcommand("run", "Run the worker");
  ApiCommands api(app);
  const char* argv[] = {"kafka2cos", "run"};
  app.parse(2, const_cast<char**>(argv));
  ASSERT_TRUE(run->parsed());
  EXPECT_EQ(api.Run(stdout, stderr), std::nullopt);
}

// ApiClient directly.

TEST_F(ApiCommandsTest, ApiClientMapsHttpErrorsToCodes) {
  const std::vector<std::pair<int, StatusCode>> cases = {
      {400, StatusCode::kInvalidArgument},    {401, StatusCode::kUnauthenticated},
      {403, StatusCode::kPermissionDenied},   {404, StatusCode::kNotFound},
      {422, StatusCode::kFailedPrecondition}, {503, StatusCode::kUnavailable},
      {500, StatusCode::kInternal},           {409, StatusCode::kInternal},
  };
  ApiClient client(url_, "");
  for (const auto& [http, code] : cases) {
    Answer("GET", "/v1/tasks/t", http, Error("x", "message " + std::to_string(http)));
    auto r = client.GetTask("t");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), code) << http;
    EXPECT_EQ(r.status().message(),
              "HTTP " + std::to_string(http) + ": message " + std::to_string(http));
  }
}

TEST_F(ApiCommandsTest, ApiClientCallsEveryOperation) {
  Answer("GET", "/healthz", 200, {{"status", "ok"}});
  Answer("GET", "/v1/topics", 200, {{"instance", "i"}, {"topics", json::array()}});
  Answer("GET", "/v1/tasks", 200, {{"tasks", json::array()}});
  Answer("GET", "/v1/tasks/t", 200, Task("t", "running"));
  Answer("PUT", "/v1/tasks/t", 200, Task("t", "running"));
  Answer("DELETE", "/v1/tasks/t", 200, {{"topic", "t"}, {"deleted", true}});
  Answer("POST", "/v1/tasks/t/pause", 200, Task("t", "paused"));
  Answer("POST", "/v1/tasks/t/resume", 200, Task("t", "running"));
  Answer("GET", "/v1/tasks/t/status", 200, {{"topic", "t"}});
  ApiClient client(url_ + "/", "tok");
  EXPECT_EQ(client.base_url(), url_);
  EXPECT_EQ(client.Health()->at("status"), "ok");
  EXPECT_TRUE(client.ListTopics().ok());
  EXPECT_TRUE(client.ListTasks().ok());
  EXPECT_EQ(client.GetTask("t")->at("state"), "running");
  EXPECT_TRUE(client.PutTask("t", {{"window", "1m"}}).ok());
  EXPECT_EQ(client.DeleteTask("t")->at("deleted"), true);
  EXPECT_EQ(client.PauseTask("t")->at("state"), "paused");
  EXPECT_EQ(client.ResumeTask("t")->at("state"), "running");
  EXPECT_EQ(client.GetTaskStatus("t")->at("topic"), "t");
  std::vector<std::string> seen;
  for (const Request& r : Requests()) seen.push_back(r.method + " " + r.path);
  EXPECT_EQ(seen, (std::vector<std::string>{"GET /healthz", "GET /v1/topics", "GET /v1/tasks",
                                            "GET /v1/tasks/t", "PUT /v1/tasks/t",
                                            "DELETE /v1/tasks/t", "POST /v1/tasks/t/pause",
                                            "POST /v1/tasks/t/resume", "GET /v1/tasks/t/status"}));
}

TEST_F(ApiCommandsTest, ApiClientKeepsAPathPrefix) {
  Answer("GET", "/k2c/v1/tasks", 200, {{"tasks", json::array()}});
  ApiClient client(url_ + "/k2c/", "");
  EXPECT_TRUE(client.ListTasks().ok());
}

TEST_F(ApiCommandsTest, ApiClientReportsNonJsonErrorBodies) {
  AnswerRaw("GET", "/v1/topics", 502, "<html>Bad Gateway</html>");
  ApiClient client(url_, "");
  auto r = client.ListTopics();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_THAT(r.status().message(), HasSubstr("HTTP 502: unexpected answer"));
  EXPECT_THAT(r.status().message(), HasSubstr("<html>Bad Gateway</html>"));
}

TEST(ApiClientTest, RejectsBadUrlsAndTopicsWithoutCallingOut) {
  for (const char* url : {"", "127.0.0.1:8080", "ftp://h", "http://", "http://h:0",
                          "http://h:99999", "http://h:x", "http://u@h", "http://h/a?b=c"}) {
    ApiClient client(url, "");
    EXPECT_EQ(client.status().code(), StatusCode::kInvalidArgument) << url;
    EXPECT_EQ(client.ListTasks().status().code(), StatusCode::kInvalidArgument) << url;
  }
  for (const char* url : {"http://localhost", "HTTPS://example.com:8443", "http://[::1]:8080",
                          "http://h:8080/prefix"}) {
    EXPECT_TRUE(ApiClient(url, "").status().ok()) << url;
  }
  ApiClient client("http://127.0.0.1:1", "");
  for (const char* topic : {"", ".", "..", "a/b", "a b", "a%2Fb"}) {
    EXPECT_EQ(client.GetTask(topic).status().code(), StatusCode::kInvalidArgument) << topic;
  }
  EXPECT_EQ(client.GetTask(std::string(250, 'a')).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ApiClient("http://h", "bad\ntoken").status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(ApiClient("http://h", "bad\ntoken").status().message(), Not(HasSubstr("token\n")));
}

TEST(ApiClientTest, UnreachableIsUnavailable) {
  const std::string url = "http://127.0.0.1:" + std::to_string(ClosedPort());
  auto r = ApiClient(url, "").ListTasks();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("cannot reach the kafka2cos API at " + url));
}

// RenderTable and FormatUtcMillis.

TEST(ApiCommandsRenderTableTest, PadsColumnsAndTrimsTrailingSpaces) {
  EXPECT_EQ(RenderTable({"A", "LONGER", "C"}, {{"xxxx", "y", ""}, {"z", "", "w"}}),
            "A      LONGER   C\n"
            "xxxx   y\n"
            "z               w\n");
}

TEST(ApiCommandsRenderTableTest, EmptyHeaderShortAndLongRows) {
  EXPECT_EQ(RenderTable({}, {{"k:", "v"}, {"longer:", "v2"}}),
            "k:        v\n"
            "longer:   v2\n");
  EXPECT_EQ(RenderTable({"A", "B"}, {{"1"}, {"1", "2", "3"}}),
            "A   B\n"
            "1\n"
            "1   2   3\n");
  EXPECT_EQ(RenderTable({"A"}, {}), "A\n");
}

TEST(ApiCommandsRenderTableTest, CountsCodePointsAndHidesControlCharacters) {
  EXPECT_EQ(RenderTable({"NAME", "X"}, {{"\xc3\xa9t\xc3\xa9", "1"}, {"a\nb", "2"}}),
            "NAME   X\n"
            "\xc3\xa9t\xc3\xa9    1\n"
            "a b    2\n");
}

TEST(ApiCommandsRenderTableTest, FormatUtcMillis) {
  EXPECT_EQ(FormatUtcMillis(0), "");
  EXPECT_EQ(FormatUtcMillis(-5), "");
  EXPECT_EQ(FormatUtcMillis(1767225600000), "2026-01-01T00:00:00Z");
  EXPECT_EQ(FormatUtcMillis(1767225661999), "2026-01-01T00:01:01Z");
}

}  // namespace
}  // namespace k2c
