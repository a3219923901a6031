// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/api_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "control/console_assets.h"
#include "format/format.h"
#include "sink/key_template.h"
#include "sink/task_runner.h"
#include "storage/http_client.h"

namespace k2c {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kToken[] = "t0ken-for-the-api";

// A ControlPlane held in memory, with configurable answers and call counters.
// Every member is guarded by `mu` since the server calls it from its threads.
class FakeControlPlane : public ControlPlane {
 public:
  FakeControlPlane() {
    sink_.min_window = std::chrono::minutes(1);
    sink_.max_window = std::chrono::hours(1);
  }

  std::string instance() const override { return "inst"; }
  const SinkConfig& sink() const override { return sink_; }
  Status Started() const override {
    std::lock_guard<std::mutex> lock(mu);
    return started;
  }
  Status Ready() const override {
    std::lock_guard<std::mutex> lock(mu);
    return ready;
  }
  Result<std::vector<TopicInfo>> ListTopics() override {
    std::lock_guard<std::mutex> lock(mu);
    ++list_topics_calls;
    return list_topics;
  }
  Status CheckTopicExists(const std::string& topic) override {
    std::lock_guard<std::mutex> lock(mu);
    ++check_calls;
    checked_topic = topic;
    return topic_exists;
  }
  std::map<std::string, TaskDefinition> Tasks() override {
    std::lock_guard<std::mutex> lock(mu);
    return tasks;
  }
  std::optional<TaskDefinition> GetTask(const std::string& topic) override {
    std::lock_guard<std::mutex> lock(mu);
    auto it = tasks.find(topic);
    if (it == tasks.end()) return std::nullopt;
    return it->second;
  }
  Status Preflight(const TaskConfig& task) override {
    std::lock_guard<std::mutex> lock(mu);
    ++preflight_calls;
    preflighted = task;
    return preflight;
  }
  Status PutTask(const TaskDefinition& definition) override {
    std::lock_guard<std::mutex> lock(mu);
    ++put_calls;
    if (put.ok()) tasks[definition.config.topic] = definition;
    return put;
  }
  Status RemoveTask(const std::string& topic) override {
    std::lock_guard<std::mutex> lock(mu);
    ++remove_calls;
    if (remove.ok()) tasks.erase(topic);
    return remove;
  }
  std::vector<WorkerTaskStatus> WorkerStatuses(const std::string& topic) override {
    std::lock_guard<std::mutex> lock(mu);
    ++statuses_calls;
    auto it = statuses.find(topic);
    return it == statuses.end() ? std::vector<WorkerTaskStatus>{} : it->second;
  }
  Result<std::vector<PartitionLag>> FetchLag(const std::string& topic) override {
    std::lock_guard<std::mutex> lock(mu);
    ++lag_calls;
    lag_topic = topic;
    return lag;
  }
  std::string RenderMetrics() override {
    std::lock_guard<std::mutex> lock(mu);
    return metrics;
  }
  StoreSummary store_summary() const override { return StoreSummary{"s3", true}; }
  Result<std::vector<std::string>> ListBuckets() override {
    std::lock_guard<std::mutex> lock(mu);
    return buckets;
  }
  std::vector<HistorySample> History(const std::string& topic) override {
    std::lock_guard<std::mutex> lock(mu);
    return topic == "orders" ? history : std::vector<HistorySample>{};
  }

  // Locks `mu` around `f(*this)`: for tests to set answers and read counters.
  template <typename F>
  auto With(F f) {
    std::lock_guard<std::mutex> lock(mu);
    return f(*this);
  }

  mutable std::mutex mu;
  SinkConfig sink_;
  Status started = Status::Ok();
  Status ready = Status::Ok();
  Result<std::vector<TopicInfo>> list_topics = std::vector<TopicInfo>{};
  Status topic_exists = Status::Ok();
  Status preflight = Status::Ok();
  Status put = Status::Ok();
  Status remove = Status::Ok();
  std::map<std::string, TaskDefinition> tasks;
  std::map<std::string, std::vector<WorkerTaskStatus>> statuses;
  Result<std::vector<PartitionLag>> lag = std::vector<PartitionLag>{};
  std::string metrics = "# TYPE k2c_up gauge\nk2c_up 1\n";
  Result<std::vector<std::string>> buckets = std::vector<std::string>{"archive", "logs"};
  std::vector<HistorySample> history;

  int list_topics_calls = 0;
  int check_calls = 0;
  int preflight_calls = 0;
  int put_calls = 0;
  int remove_calls = 0;
  int statuses_calls = 0;
  int lag_calls = 0;
  std::string checked_topic;
  std::string lag_topic;
  TaskConfig preflighted;
};

TaskDefinition Def(const std::string& topic, const std::string& bucket) {
  TaskDefinition def;
  def.config.topic = topic;
  def.config.bucket = bucket;
  def.created_ms = 1'700'000'000'000;
  def.updated_ms = 1'700'000'000'000;
  return def;
}

struct Reply {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string www_authenticate;
  std::string csp;
  std::string cache_control;
  json parsed;  // discarded if the body is not JSON.
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// Limits for a request that should be answered.
constexpr HttpTimeouts kAnswerTimeouts{.connect = std::chrono::seconds(5),
                                       .total = std::chrono::seconds(10)};
// Limits for a request that should fail (nobody serving): it must not hang.
constexpr HttpTimeouts kRefusedTimeouts{.connect = std::chrono::seconds(2),
                                        .total = std::chrono::seconds(5)};

// Requests to the server under test at 127.0.0.1:`port`, over the project's
// own libcurl client, so the tests do not depend on the server's HTTP
// library. Headers are sent as given; libcurl adds Host (unless one is
// given), Accept and Content-Length, and HttpClient suppresses curl's default
// form Content-Type and "Expect: 100-continue". The connection is kept
// alive between requests, so every fixture's TearDown also checks that the
// server stops at once with an idle client connection open.
class ApiClient {
 public:
  ApiClient(int port, HttpTimeouts timeouts)
      : base_url_("http://127.0.0.1:" + std::to_string(port)), timeouts_(timeouts) {}

  Result<HttpResponse> Get(const std::string& path, Headers headers = {}) {
    return Send("GET", path, std::move(headers), "");
  }
  Result<HttpResponse> Put(const std::string& path, Headers headers, std::string_view body,
                           const std::string& content_type) {
    headers.emplace_back("Content-Type", content_type);
    return Send("PUT", path, std::move(headers), body);
  }
  Result<HttpResponse> Post(const std::string& path, Headers headers, std::string_view body,
                            const std::string& content_type) {
    headers.emplace_back("Content-Type", content_type);
    return Send("POST", path, std::move(headers), body);
  }
  Result<HttpResponse> Delete(const std::string& path, Headers headers = {}) {
    return Send("DELETE", path, std::move(headers), "");
  }

 private:
  Result<HttpResponse> Send(const std::string& method, const std::string& path, Headers headers,
                            std::string_view body) {
    HttpRequest request;
    request.method = method;
    request.url = base_url_ + path;
    request.headers = std::move(headers);
    request.body = body;
    request.timeouts = timeouts_;
    return http_.Send(request);
  }

  const std::string base_url_;
  const HttpTimeouts timeouts_;
  HttpClient http_;
};

Reply ToReply(const Result<HttpResponse>& res) {
  Reply r;
  if (!res.ok()) {
    ADD_FAILURE() << "request failed: " << res.status().ToString();
    return r;
  }
  r.status = static_cast<int>(res->status);
  r.body = res->body;
  r.content_type = res->Header("content-type");
  r.www_authenticate = res->Header("www-authenticate");
  r.csp = res->Header("content-security-policy");
  r.cache_control = res->Header("cache-control");
  r.parsed = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  return r;
}

// Checks an error answer: status, {"error":{"code":string,"message":string}}
// and nothing else, the code, and part of the message.
void ExpectError(const Reply& r, int status, const std::string& code,
                 const std::string& message_part = "") {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_THAT(r.content_type, StartsWith("application/json"));
  ASSERT_TRUE(r.parsed.is_object()) << r.body;
  ASSERT_EQ(r.parsed.size(), 1u) << r.body;
  ASSERT_TRUE(r.parsed.contains("error")) << r.body;
  const json& e = r.parsed["error"];
  ASSERT_TRUE(e.is_object()) << r.body;
  ASSERT_EQ(e.size(), 2u) << r.body;
  ASSERT_TRUE(e.contains("code") && e["code"].is_string()) << r.body;
  ASSERT_TRUE(e.contains("message") && e["message"].is_string()) << r.body;
  EXPECT_EQ(e["code"], code) << r.body;
  EXPECT_FALSE(e["message"].get<std::string>().empty()) << r.body;
  EXPECT_THAT(e["message"].get<std::string>(), HasSubstr(message_part)) << r.body;
}

std::set<std::string> Keys(const json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.insert(key);
  return keys;
}

const std::set<std::string> kTaskFields = {"topic",
                                           "bucket",
                                           "window",
                                           "start",
                                           "format",
                                           "compression",
                                           "compression_level",
                                           "delimiter",
                                           "max_object_bytes",
                                           "row_group_bytes",
                                           "key_template",
                                           "state",
                                           "origin",
                                           "group",
                                           "created_ms",
                                           "updated_ms"};

class ApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ApiServer>(&plane_, kToken);
    Status started = server_->Start("127.0.0.1:0");
    ASSERT_TRUE(started.ok()) << started.ToString();
    ASSERT_GT(server_->port(), 0);
    client_ = MakeClient(server_->port());
  }
  void TearDown() override { server_.reset(); }

  static std::unique_ptr<ApiClient> MakeClient(int port) {
    return std::make_unique<ApiClient>(port, kAnswerTimeouts);
  }

  Headers Auth() const { return {{"Authorization", std::string("Bearer ") + kToken}}; }

  Reply Get(const std::string& path) { return ToReply(client_->Get(path.c_str(), Auth())); }
  Reply Put(const std::string& path, const std::string& body) {
    return ToReply(client_->Put(path.c_str(), Auth(), body, "application/json"));
  }
  Reply Put(const std::string& path, const json& body) { return Put(path, body.dump()); }
  Reply Post(const std::string& path) {
    return ToReply(client_->Post(path.c_str(), Auth(), "", "application/json"));
  }
  Reply Delete(const std::string& path) { return ToReply(client_->Delete(path.c_str(), Auth())); }

  void Seed(const TaskDefinition& def) {
    plane_.With([&](FakeControlPlane& p) { p.tasks[def.config.topic] = def; });
  }
  int PutCalls() {
    return plane_.With([](FakeControlPlane& p) { return p.put_calls; });
  }
  int PreflightCalls() {
    return plane_.With([](FakeControlPlane& p) { return p.preflight_calls; });
  }
  std::optional<TaskDefinition> Stored(const std::string& topic) { return plane_.GetTask(topic); }

  FakeControlPlane plane_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<ApiClient> client_;
};

TEST_F(ApiServerTest, HealthzIsOpenEvenWithAToken) {
  Reply r = ToReply(client_->Get("/healthz"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.parsed, json({{"status", "ok"}}));
  EXPECT_THAT(r.content_type, StartsWith("application/json"));
}

TEST_F(ApiServerTest, ReadyzAnswersReadyOrNotReadyWithTheReason) {
  Reply ready = ToReply(client_->Get("/readyz"));
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.parsed, json({{"status", "ready"}}));

  plane_.With([](FakeControlPlane& p) {
    p.ready = Status::Unavailable("still reading kafka2cos.inst.tasks");
  });
  Reply not_ready = ToReply(client_->Get("/readyz"));
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(not_ready.parsed,
            json({{"status", "not_ready"}, {"reason", "still reading kafka2cos.inst.tasks"}}));
}

TEST_F(ApiServerTest, V1AnswersUnavailableUntilTheWorkerStarted) {
  Seed(Def("orders", "bkt"));
  plane_.With([](FakeControlPlane& p) {
    p.started =
        Status::Unavailable("the worker is starting, waiting for Kafka (connection refused)");
    p.ready = p.started;
  });
  // The token is still checked first; then nothing reaches the plane.
  ExpectError(ToReply(client_->Get("/v1/tasks")), 401, "unauthorized");
  Reply list = Get("/v1/tasks");
  ExpectError(list, 503, "unavailable", "waiting for Kafka (connection refused); see GET /readyz");
  Reply put =
      ToReply(client_->Put("/v1/tasks/orders", {{"Authorization", "Bearer " + std::string(kToken)}},
                           R"({"bucket":"x"})", "application/json"));
  ExpectError(put, 503, "unavailable");
  EXPECT_EQ(PutCalls(), 0);
  EXPECT_EQ(PreflightCalls(), 0);
  // Health and metrics stay open.
  EXPECT_EQ(ToReply(client_->Get("/healthz")).status, 200);
  EXPECT_EQ(ToReply(client_->Get("/readyz")).status, 503);
  EXPECT_EQ(ToReply(client_->Get("/metrics")).status, 200);
}

TEST(ApiHostTest, OnlyIpLiteralsLocalhostAndConfiguredNamesAreServed) {
  const std::vector<std::string> names = {"k2c.example.com", "Archive.Lan:8080"};
  for (const char* ok : {"127.0.0.1:8080", "10.1.2.3", "[::1]:9000", "localhost:1", "LOCALHOST",
                         "k2c.example.com:443", "k2c.example.com", "archive.lan:8080"}) {
    EXPECT_TRUE(HostAllowed(ok, names)) << ok;
  }
  for (const char* refused : {"", "evil.example", "evil.example:8080", "archive.lan:9999",
                              "127.0.0.1.evil.example", "k2c.example.com.evil"}) {
    EXPECT_FALSE(HostAllowed(refused, names)) << refused;
  }
}

TEST_F(ApiServerTest, ARebindingHostIsRefusedOnEveryPath) {
  // A page on evil.example whose name now resolves to this worker: the
  // browser sends its own name as Host (issue 11, DNS rebinding).
  for (const char* path : {"/healthz", "/metrics", "/v1/tasks"}) {
    Headers headers = Auth();
    headers.emplace_back("Host", "evil.example:8080");
    Reply r = ToReply(client_->Get(path, headers));
    ExpectError(r, 403, "forbidden_host", "http.allowed_hosts");
  }
}

TEST_F(ApiServerTest, WritesMustBeJsonSoNoCrossSiteFormCanSendThem) {
  Seed(Def("orders", "bkt"));
  for (const char* type :
       {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}) {
    ExpectError(ToReply(client_->Post("/v1/tasks/orders/pause", Auth(), "{}", type)), 415,
                "unsupported_media_type", "application/json");
    ExpectError(ToReply(client_->Put("/v1/tasks/orders", Auth(), R"({"bucket":"bkt"})", type)), 415,
                "unsupported_media_type");
  }
  EXPECT_EQ(PutCalls(), 0);
  EXPECT_EQ(Stored("orders")->state, TaskState::kRunning);
}

TEST_F(ApiServerTest, MetricsIsPlainTextFromThePlane) {
  plane_.With([](FakeControlPlane& p) { p.metrics = "k2c_records_total{topic=\"a\"} 42\n"; });
  Reply r = ToReply(client_->Get("/metrics"));
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.content_type, StartsWith("text/plain"));
  EXPECT_EQ(r.body, "k2c_records_total{topic=\"a\"} 42\n");
}

TEST_F(ApiServerTest, V1NeedsTheBearerToken) {
  Seed(Def("orders", "bkt"));
  Reply none = ToReply(client_->Get("/v1/tasks"));
  ExpectError(none, 401, "unauthorized", "Authorization: Bearer");
  EXPECT_EQ(none.www_authenticate, "Bearer");

  const std::string t = kToken;
  for (const std::string& header :
       std::vector<std::string>{"Bearer wrong", "Bearer " + t.substr(0, t.size() - 1),
                                "Bearer " + t + "x", "Basic " + t, "Bearer", "bearer" + t, t}) {
    Reply r = ToReply(client_->Get("/v1/tasks", {{"Authorization", header}}));
    ExpectError(r, 401, "unauthorized");
    EXPECT_EQ(r.www_authenticate, "Bearer") << header;
  }
  // A rejected write never reaches the plane.
  Reply put = ToReply(client_->Put("/v1/tasks/orders", {{"Authorization", "Bearer nope"}},
                                   R"({"bucket":"x"})", "application/json"));
  ExpectError(put, 401, "unauthorized", "wrong");
  EXPECT_EQ(PutCalls(), 0);
  EXPECT_EQ(PreflightCalls(), 0);
  EXPECT_EQ(Stored("orders")->config.bucket, "bkt");

  Reply ok = Get("/v1/tasks");
  EXPECT_EQ(ok.status, 200);
  EXPECT_TRUE(ok.www_authenticate.empty());
  ASSERT_EQ(ok.parsed["tasks"].size(), 1u);
}

TEST(ApiServerNoTokenTest, V1IsOpenWithoutAToken) {
  FakeControlPlane plane;
  ApiServer server(&plane, "");
  ASSERT_TRUE(server.Start("127.0.0.1:0").ok());
  ApiClient client(server.port(), kAnswerTimeouts);
  Reply r = ToReply(client.Get("/v1/tasks"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.parsed, json({{"tasks", json::array()}}));
}

TEST_F(ApiServerTest, ListsTopicsWithTheirTaskState) {
  TaskDefinition paused = Def("b-topic", "bk");
  paused.state = TaskState::kPaused;
  Seed(Def("a-topic", "bk"));
  Seed(paused);
  plane_.With([](FakeControlPlane& p) {
    p.list_topics = std::vector<TopicInfo>{{"a-topic", 3}, {"b-topic", 1}, {"c-topic", 12}};
  });
  Reply r = Get("/v1/topics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.parsed,
            json({{"instance", "inst"},
                  {"topics",
                   {{{"topic", "a-topic"}, {"partitions", 3}, {"task_state", "running"}},
                    {{"topic", "b-topic"}, {"partitions", 1}, {"task_state", "paused"}},
                    {{"topic", "c-topic"}, {"partitions", 12}, {"task_state", "none"}}}}}));

  plane_.With([](FakeControlPlane& p) { p.list_topics = Status::Unavailable("brokers down"); });
  ExpectError(Get("/v1/topics"), 503, "unavailable", "brokers down");
}

TEST_F(ApiServerTest, ListsTasksSortedWithEveryField) {
  TaskDefinition zeta = Def("zeta", "bucket-z");
  TaskDefinition alpha = Def("alpha", "bucket-a");
  alpha.state = TaskState::kPaused;
  alpha.origin = "config";
  alpha.created_ms = 11;
  alpha.updated_ms = 22;
  alpha.config.window = std::chrono::minutes(10);
  alpha.config.start = "earliest";
  alpha.config.delimiter = "|";
  alpha.config.max_object_bytes = 4096;
  alpha.config.key_template = "{topic}/{partition}/{first_offset}";
  Seed(zeta);
  Seed(alpha);

  Reply r = Get("/v1/tasks");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Keys(r.parsed), std::set<std::string>{"tasks"});
  const json& tasks = r.parsed["tasks"];
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(Keys(tasks[0]), kTaskFields);
  EXPECT_EQ(Keys(tasks[1]), kTaskFields);
  EXPECT_EQ(tasks[0], json({{"topic", "alpha"},
                            {"bucket", "bucket-a"},
                            {"window", "10m"},
                            {"start", "earliest"},
                            {"format", "text"},
                            {"compression", "none"},
                            {"compression_level", 0},
                            {"delimiter", "|"},
                            {"max_object_bytes", 4096},
                            {"row_group_bytes", 16 << 20},
                            {"key_template", "{topic}/{partition}/{first_offset}"},
                            {"state", "paused"},
                            {"origin", "config"},
                            {"group", "kafka2cos.inst.alpha"},
                            {"created_ms", 11},
                            {"updated_ms", 22}}));
  EXPECT_EQ(tasks[1]["topic"], "zeta");
  EXPECT_EQ(tasks[1]["window"], "5m");
  EXPECT_EQ(tasks[1]["delimiter"], "\n");
  EXPECT_EQ(tasks[1]["max_object_bytes"], 64ull << 20);
  EXPECT_EQ(tasks[1]["key_template"], kDefaultKeyTemplate);
  EXPECT_EQ(tasks[1]["state"], "running");
  EXPECT_EQ(tasks[1]["origin"], "api");
  EXPECT_EQ(tasks[1]["group"], "kafka2cos.inst.zeta");
  EXPECT_EQ(TaskGroupFor(plane_, "zeta"), "kafka2cos.inst.zeta");
}

TEST_F(ApiServerTest, GetsOneTask) {
  Seed(Def("orders", "bkt"));
  Reply r = Get("/v1/tasks/orders");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Keys(r.parsed), kTaskFields);
  EXPECT_EQ(r.parsed["bucket"], "bkt");
  EXPECT_EQ(r.parsed["created_ms"], 1'700'000'000'000);
  ExpectError(Get("/v1/tasks/missing"), 404, "not_found", "PUT /v1/tasks/missing");
}

TEST_F(ApiServerTest, PutCreatesATaskWithDefaults) {
  const int64_t before = SystemNowMs();
  Reply r = Put("/v1/tasks/orders", json{{"bucket", "archive"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Keys(r.parsed), kTaskFields);
  EXPECT_EQ(r.parsed["topic"], "orders");
  EXPECT_EQ(r.parsed["bucket"], "archive");
  EXPECT_EQ(r.parsed["window"], "5m");
  EXPECT_EQ(r.parsed["start"], "latest");
  EXPECT_EQ(r.parsed["format"], "text");
  EXPECT_EQ(r.parsed["delimiter"], "\n");
  EXPECT_EQ(r.parsed["max_object_bytes"], 64ull << 20);
  EXPECT_EQ(r.parsed["key_template"], kDefaultKeyTemplate);
  EXPECT_EQ(r.parsed["state"], "running");
  EXPECT_EQ(r.parsed["origin"], "api");
  EXPECT_EQ(r.parsed["group"], "kafka2cos.inst.orders");
  EXPECT_GE(r.parsed["created_ms"].get<int64_t>(), before);
  EXPECT_EQ(r.parsed["created_ms"], r.parsed["updated_ms"]);

  plane_.With([](FakeControlPlane& p) {
    EXPECT_EQ(p.check_calls, 1);
    EXPECT_EQ(p.checked_topic, "orders");
    EXPECT_EQ(p.preflight_calls, 1);
    EXPECT_EQ(p.preflighted.bucket, "archive");
    EXPECT_EQ(p.preflighted.topic, "orders");
    EXPECT_EQ(p.put_calls, 1);
  });
  auto stored = Stored("orders");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->config.topic, "orders");
  EXPECT_EQ(stored->config.bucket, "archive");
  EXPECT_EQ(stored->config.window, std::chrono::minutes(5));
  EXPECT_EQ(stored->config.key_template, "");  // Stored as "the default".
  EXPECT_EQ(stored->state, TaskState::kRunning);
}

TEST_F(ApiServerTest, PutChangesOneFieldAndKeepsTheOthers) {
  Reply created =
      Put("/v1/tasks/orders", json{{"bucket", "archive"},
                                   {"window", "10m"},
                                   {"start", "earliest"},
                                   {"delimiter", "|"},
                                   {"max_object_bytes", "1MiB"},
                                   {"key_template", "{topic}/{partition}_{first_offset}"}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.parsed["max_object_bytes"], 1 << 20);

  Reply updated = Put("/v1/tasks/orders", json{{"window", "15m"}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.parsed["window"], "15m");
  json expected = created.parsed;
  expected["window"] = "15m";
  expected["updated_ms"] = updated.parsed["updated_ms"];
  EXPECT_EQ(updated.parsed, expected);
  EXPECT_GE(updated.parsed["updated_ms"].get<int64_t>(), created.parsed["updated_ms"]);
  EXPECT_EQ(PreflightCalls(), 2);
  EXPECT_EQ(PutCalls(), 2);
  EXPECT_EQ(Stored("orders")->config.window, std::chrono::minutes(15));
  EXPECT_EQ(Stored("orders")->config.max_object_bytes, 1u << 20);

  // An integer byte count works as well.
  Reply bytes = Put("/v1/tasks/orders", json{{"max_object_bytes", 2048}});
  ASSERT_EQ(bytes.status, 200) << bytes.body;
  EXPECT_EQ(bytes.parsed["max_object_bytes"], 2048);
  EXPECT_EQ(bytes.parsed["window"], "15m");
}

TEST_F(ApiServerTest, PutKeepsStateOriginAndCreationTimeOfAnExistingTask) {
  TaskDefinition def = Def("orders", "old-bucket");
  def.state = TaskState::kPaused;
  def.origin = "config";
  Seed(def);
  Reply r = Put("/v1/tasks/orders", json{{"bucket", "new-bucket"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.parsed["bucket"], "new-bucket");
  EXPECT_EQ(r.parsed["state"], "paused");
  EXPECT_EQ(r.parsed["origin"], "config");
  EXPECT_EQ(r.parsed["created_ms"], def.created_ms);
  EXPECT_GT(r.parsed["updated_ms"].get<int64_t>(), def.updated_ms);
  EXPECT_EQ(Stored("orders")->state, TaskState::kPaused);
  EXPECT_EQ(PreflightCalls(), 1);
}

TEST_F(ApiServerTest, PutWithTheSameSettingsChangesNothing) {
  Seed(Def("orders", "archive"));
  for (const json& body : {json{{"bucket", "archive"}}, json::object(),
                           json{{"window", "5m"}, {"max_object_bytes", "64MiB"}}}) {
    Reply r = Put("/v1/tasks/orders", body);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.parsed["bucket"], "archive");
    EXPECT_EQ(r.parsed["updated_ms"], 1'700'000'000'000);
  }
  plane_.With([](FakeControlPlane& p) {
    EXPECT_EQ(p.preflight_calls, 0);
    EXPECT_EQ(p.put_calls, 0);
    EXPECT_EQ(p.check_calls, 0);
  });
}

TEST_F(ApiServerTest, PutOfANewTaskNeedsABucket) {
  ExpectError(Put("/v1/tasks/orders", json{{"window", "5m"}}), 400, "invalid_argument", "'bucket'");
  ExpectError(Put("/v1/tasks/orders", json::object()), 400, "invalid_argument", "'bucket'");
  ExpectError(Put("/v1/tasks/orders", json{{"bucket", ""}}), 400, "invalid_argument", "bucket");
  EXPECT_FALSE(Stored("orders").has_value());
  EXPECT_EQ(PreflightCalls(), 0);
  EXPECT_EQ(PutCalls(), 0);
}

TEST_F(ApiServerTest, PutRejectsUnknownFields) {
  Reply r = Put("/v1/tasks/orders", json{{"bucket", "bkt"}, {"colour", "red"}});
  ExpectError(r, 400, "invalid_argument", "unknown field 'colour'");
  EXPECT_THAT(r.parsed["error"]["message"].get<std::string>(), HasSubstr("max_object_bytes"));
  ExpectError(Put("/v1/tasks/orders", json{{"bucket", "bkt"}, {"state", "paused"}}), 400,
              "invalid_argument", "unknown field 'state'");
  EXPECT_EQ(PutCalls(), 0);
}

TEST_F(ApiServerTest, PutRejectsWrongTypesNamingTheField) {
  Seed(Def("orders", "archive"));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"window": 5})", "'window'"},
      {R"({"window": "5"})", "'window'"},
      {R"({"bucket": 1})", "'bucket'"},
      {R"({"start": true})", "'start'"},
      {R"({"delimiter": null})", "'delimiter'"},
      {R"({"key_template": ["a"]})", "'key_template'"},
      {R"({"max_object_bytes": -1})", "'max_object_bytes'"},
      {R"({"max_object_bytes": 1.5})", "'max_object_bytes'"},
      {R"({"max_object_bytes": "12XB"})", "'max_object_bytes'"},
      {R"({"max_object_bytes": true})", "'max_object_bytes'"},
      {R"({"max_object_bytes": 100})", "max_object_bytes is 100B, allowed 1KiB..1TiB"},
      {R"({"start": "beginning"})", "start is 'beginning'"},
      {R"({"format": "orc"})", "format is 'orc'"},
      {R"({"format": "avro", "compression": "zstd"})", "format \"avro\" supports"},
      {R"({"compression_level": 99})", "compression_level"},
      {R"({"format": "jsonl", "compression_level": 12, "compression": "gzip"})", "takes 1..9"},
      {R"({"key_template": "{topic}"})", "{partition}"},
  };
  for (const auto& [body, field] : cases) {
    SCOPED_TRACE(body);
    ExpectError(Put("/v1/tasks/orders", body), 400, "invalid_argument", field);
  }
  EXPECT_EQ(PutCalls(), 0);
  EXPECT_EQ(PreflightCalls(), 0);
  EXPECT_EQ(Stored("orders")->config.bucket, "archive");
}

TEST_F(ApiServerTest, PutRejectsABodyThatIsNotAJsonObject) {
  for (const std::string body :
       {"not json", "{\"bucket\": ", "", "[1, 2]", "[]", "null", "\"b\"", "42"}) {
    SCOPED_TRACE(body);
    ExpectError(Put("/v1/tasks/orders", body), 400, "invalid_argument", "bucket");
  }
  EXPECT_EQ(PutCalls(), 0);
}

TEST_F(ApiServerTest, PutRejectsABucketNameOutsideTheS3Rules) {
  // Issue 11: this name reached the preflight, which sent a signed PUT to
  // 127.0.0.1:44657.
  for (const char* bucket : {"127.0.0.1:44657#", "a/b", "Upper", "x"}) {
    ExpectError(Put("/v1/tasks/orders", json{{"bucket", bucket}}), 400, "invalid_argument",
                "S3 bucket naming rules");
  }
  EXPECT_EQ(PreflightCalls(), 0);
  EXPECT_EQ(PutCalls(), 0);
}

TEST_F(ApiServerTest, PutRejectsAWindowOutsideTheSinkRange) {
  // The fake's sink allows 1m..1h.
  for (const std::string window : {"30s", "59999ms", "61m", "2h"}) {
    SCOPED_TRACE(window);
    ExpectError(Put("/v1/tasks/orders", json{{"bucket", "bkt"}, {"window", window}}), 400,
                "invalid_argument", "outside the allowed range 1m..1h");
  }
  EXPECT_EQ(PutCalls(), 0);
  Reply low = Put("/v1/tasks/orders", json{{"bucket", "bkt"}, {"window", "60s"}});
  EXPECT_EQ(low.status, 201) << low.body;
  EXPECT_EQ(low.parsed["window"], "1m");
  Reply high = Put("/v1/tasks/orders", json{{"window", "1h"}});
  EXPECT_EQ(high.status, 200) << high.body;
  EXPECT_EQ(high.parsed["window"], "1h");
}

TEST_F(ApiServerTest, RejectsAnInvalidTopicNameInThePath) {
  const std::string too_long(250, 'a');
  for (const std::string& topic : {std::string("a%20b"), std::string("a%2Ab"), too_long}) {
    SCOPED_TRACE(topic);
    const std::string path = "/v1/tasks/" + topic;
    ExpectError(Put(path, json{{"bucket", "bkt"}}), 400, "invalid_argument",
                "is not a Kafka topic name");
    ExpectError(Get(path), 400, "invalid_argument", "is not a Kafka topic name");
    ExpectError(Delete(path), 400, "invalid_argument", "is not a Kafka topic name");
    ExpectError(Post(path + "/pause"), 400, "invalid_argument", "is not a Kafka topic name");
    ExpectError(Post(path + "/resume"), 400, "invalid_argument", "is not a Kafka topic name");
    ExpectError(Get(path + "/status"), 400, "invalid_argument", "is not a Kafka topic name");
  }
  plane_.With([](FakeControlPlane& p) {
    EXPECT_EQ(p.check_calls, 0);
    EXPECT_EQ(p.put_calls, 0);
    EXPECT_EQ(p.remove_calls, 0);
  });
  // 249 characters is the longest legal name.
  const std::string longest(249, 'a');
  EXPECT_EQ(Put("/v1/tasks/" + longest, json{{"bucket", "bkt"}}).status, 201);
  EXPECT_TRUE(Stored(longest).has_value());
}

TEST_F(ApiServerTest, PutOfATopicMissingInTheClusterIs404) {
  plane_.With([](FakeControlPlane& p) {
    p.topic_exists = Status::NotFound("topic 'orders' does not exist in the cluster");
  });
  ExpectError(Put("/v1/tasks/orders", json{{"bucket", "bkt"}}), 404, "not_found",
              "topic 'orders' does not exist");
  EXPECT_EQ(PreflightCalls(), 0);
  EXPECT_EQ(PutCalls(), 0);
}

TEST_F(ApiServerTest, FailedPreflightIs422WithTheReason) {
  plane_.With([](FakeControlPlane& p) {
    p.preflight = Status::PermissionDenied("PutObject on bucket 'archive' was denied (403)");
  });
  ExpectError(Put("/v1/tasks/orders", json{{"bucket", "archive"}}), 422, "preflight_failed",
              "PutObject on bucket 'archive' was denied (403)");
  plane_.With([](FakeControlPlane& p) {
    p.preflight = Status::NotFound("bucket 'archive' does not exist");
  });
  ExpectError(Put("/v1/tasks/orders", json{{"bucket", "archive"}}), 422, "preflight_failed",
              "bucket 'archive' does not exist");
  EXPECT_EQ(PutCalls(), 0);
  EXPECT_FALSE(Stored("orders").has_value());
}

TEST_F(ApiServerTest, UnreachableStorageOrKafkaIs503) {
  plane_.With([](FakeControlPlane& p) { p.preflight = Status::Unavailable("cos unreachable"); });
  ExpectError(Put("/v1/tasks/orders", json{{"bucket", "archive"}}), 503, "unavailable",
              "cos unreachable");
  plane_.With(
      [](FakeControlPlane& p) { p.preflight = Status::DeadlineExceeded("probe timed out"); });
  ExpectError(Put("/v1/tasks/orders", json{{"bucket", "archive"}}), 503, "unavailable",
              "probe timed out");
  EXPECT_EQ(PutCalls(), 0);

  plane_.With([](FakeControlPlane& p) {
    p.preflight = Status::Ok();
    p.put = Status::Unavailable("tasks topic not writable");
  });
  ExpectError(Put("/v1/tasks/orders", json{{"bucket", "archive"}}), 503, "unavailable",
              "tasks topic not writable");
  plane_.With([](FakeControlPlane& p) {
    p.put = Status::Ok();
    p.topic_exists = Status::Unavailable("metadata timeout");
  });
  ExpectError(Put("/v1/tasks/orders", json{{"bucket", "archive"}}), 503, "unavailable",
              "metadata timeout");
  EXPECT_FALSE(Stored("orders").has_value());
}

TEST_F(ApiServerTest, PauseAndResumeChangeTheStateOnce) {
  Seed(Def("orders", "bkt"));
  Reply paused = Post("/v1/tasks/orders/pause");
  ASSERT_EQ(paused.status, 200) << paused.body;
  EXPECT_EQ(Keys(paused.parsed), kTaskFields);
  EXPECT_EQ(paused.parsed["state"], "paused");
  EXPECT_GT(paused.parsed["updated_ms"].get<int64_t>(), 1'700'000'000'000);
  EXPECT_EQ(PutCalls(), 1);
  EXPECT_EQ(Stored("orders")->state, TaskState::kPaused);

  Reply again = Post("/v1/tasks/orders/pause");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.parsed["state"], "paused");
  EXPECT_EQ(PutCalls(), 1);

  Reply resumed = Post("/v1/tasks/orders/resume");
  EXPECT_EQ(resumed.status, 200);
  EXPECT_EQ(resumed.parsed["state"], "running");
  EXPECT_EQ(PutCalls(), 2);
  EXPECT_EQ(Stored("orders")->state, TaskState::kRunning);
  EXPECT_EQ(Post("/v1/tasks/orders/resume").status, 200);
  EXPECT_EQ(PutCalls(), 2);
  EXPECT_EQ(PreflightCalls(), 0);

  plane_.With([](FakeControlPlane& p) { p.put = Status::Unavailable("kafka down"); });
  ExpectError(Post("/v1/tasks/orders/pause"), 503, "unavailable", "kafka down");
  EXPECT_EQ(Stored("orders")->state, TaskState::kRunning);
}

TEST_F(ApiServerTest, MissingTaskIs404Everywhere) {
  ExpectError(Post("/v1/tasks/orders/pause"), 404, "not_found", "no task for topic 'orders'");
  ExpectError(Post("/v1/tasks/orders/resume"), 404, "not_found", "no task for topic 'orders'");
  ExpectError(Get("/v1/tasks/orders/status"), 404, "not_found", "no task for topic 'orders'");
  ExpectError(Delete("/v1/tasks/orders"), 404, "not_found", "no task for topic 'orders'");
  plane_.With([](FakeControlPlane& p) {
    EXPECT_EQ(p.put_calls, 0);
    EXPECT_EQ(p.remove_calls, 0);
    EXPECT_EQ(p.lag_calls, 0);
  });
}

TEST_F(ApiServerTest, DeleteRemovesTheTask) {
  Seed(Def("orders", "bkt"));
  Seed(Def("other", "bkt"));
  Reply r = Delete("/v1/tasks/orders");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.parsed, json({{"topic", "orders"}, {"deleted", true}}));
  EXPECT_FALSE(Stored("orders").has_value());
  EXPECT_TRUE(Stored("other").has_value());
  ExpectError(Delete("/v1/tasks/orders"), 404, "not_found");
  EXPECT_EQ(plane_.With([](FakeControlPlane& p) { return p.remove_calls; }), 1);

  plane_.With([](FakeControlPlane& p) { p.remove = Status::Unavailable("kafka down"); });
  ExpectError(Delete("/v1/tasks/other"), 503, "unavailable", "kafka down");
}

TEST_F(ApiServerTest, StatusComposesPartitionsWorkersAndTotals) {
  TaskDefinition def = Def("orders", "bkt");
  def.state = TaskState::kPaused;
  Seed(def);
  WorkerTaskStatus w1;
  w1.topic = "orders";
  w1.worker_id = "host-a:8080";
  w1.worker_url = "http://host-a:8080";
  w1.state = "running";
  w1.partitions = {0, 1};
  w1.records_archived = 10;
  w1.bytes_archived = 100;
  w1.objects_written = 2;
  w1.upload_failures = 1;
  w1.last_object_key = "k1";
  w1.last_object_ms = 1000;
  w1.last_error = "e1";
  w1.last_error_ms = 3000;
  w1.updated_ms = 5000;
  WorkerTaskStatus w2;
  w2.topic = "orders";
  w2.worker_id = "host-b:8080";
  w2.state = "running";
  w2.partitions = {2};
  w2.records_archived = 5;
  w2.bytes_archived = 50;
  w2.objects_written = 1;
  w2.last_object_key = "k2";
  w2.last_object_ms = 2000;
  w2.updated_ms = 5001;
  w2.state = "blocked";
  w2.blocked_partitions = {2};
  w2.blocked_reason = "InvalidArgument: key refused";
  WorkerTaskStatus w3;
  w3.topic = "orders";
  w3.worker_id = "host-c:8080";
  w3.state = "failed";
  w3.last_error = "e3";
  w3.last_error_ms = 2500;
  w3.last_object_key = "never-chosen";  // last_object_ms 0: no object.
  w3.create_only = false;               // Its store ignored If-None-Match.
  plane_.With([&](FakeControlPlane& p) {
    p.statuses["orders"] = {w1, w2, w3};
    p.lag = std::vector<PartitionLag>{
        {0, 5, 10, 5, ""}, {1, std::nullopt, 7, 7, ""}, {2, 3, 3, 0, ""}, {3, 1, 4, 3, ""}};
  });

  Reply r = Get("/v1/tasks/orders/status");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(plane_.With([](FakeControlPlane& p) { return p.lag_topic; }), "orders");
  const json& s = r.parsed;
  EXPECT_EQ(Keys(s), (std::set<std::string>{"topic", "state", "group", "partitions", "workers",
                                            "records_archived", "bytes_archived", "objects_written",
                                            "lag", "last_object_key", "last_object_ms",
                                            "last_error", "last_error_ms", "blocked_partitions",
                                            "blocked_reason", "create_only"}));
  EXPECT_EQ(s["blocked_partitions"], json({2}));
  EXPECT_EQ(s["blocked_reason"], "InvalidArgument: key refused");
  EXPECT_EQ(s["create_only"], false);
  EXPECT_EQ(s["topic"], "orders");
  EXPECT_EQ(s["state"], "paused");
  EXPECT_EQ(s["group"], "kafka2cos.inst.orders");
  EXPECT_EQ(s["partitions"], json::parse(R"([
    {"partition": 0, "worker": "host-a:8080", "committed_offset": 5, "end_offset": 10, "lag": 5},
    {"partition": 1, "worker": "host-a:8080", "committed_offset": null, "end_offset": 7, "lag": 7},
    {"partition": 2, "worker": "host-b:8080", "committed_offset": 3, "end_offset": 3, "lag": 0},
    {"partition": 3, "worker": "", "committed_offset": 1, "end_offset": 4, "lag": 3}])"));
  EXPECT_EQ(s["records_archived"], 15);
  EXPECT_EQ(s["bytes_archived"], 150);
  EXPECT_EQ(s["objects_written"], 3);
  EXPECT_EQ(s["lag"], 15);
  EXPECT_EQ(s["last_object_key"], "k2");
  EXPECT_EQ(s["last_object_ms"], 2000);
  EXPECT_EQ(s["last_error"], "e1");
  EXPECT_EQ(s["last_error_ms"], 3000);
  ASSERT_EQ(s["workers"].size(), 3u);
  EXPECT_EQ(s["workers"][0], json::parse(R"({
    "worker": "host-a:8080", "url": "http://host-a:8080", "state": "running",
    "partitions": [0, 1], "records_archived": 10, "bytes_archived": 100,
    "objects_written": 2, "upload_failures": 1, "last_object_key": "k1",
    "last_object_ms": 1000, "last_error": "e1", "last_error_ms": 3000, "updated_ms": 5000,
    "blocked_partitions": [], "blocked_reason": "", "create_only": true})"));
  EXPECT_EQ(s["workers"][1]["state"], "blocked");
  EXPECT_EQ(s["workers"][1]["worker"], "host-b:8080");
  EXPECT_EQ(s["workers"][1]["partitions"], json({2}));
  EXPECT_EQ(s["workers"][2]["state"], "failed");
  EXPECT_EQ(s["workers"][2]["partitions"], json::array());
}

TEST_F(ApiServerTest, StatusWithoutWorkersOrLagIsEmpty) {
  Seed(Def("orders", "bkt"));
  Reply r = Get("/v1/tasks/orders/status");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.parsed["partitions"], json::array());
  EXPECT_EQ(r.parsed["workers"], json::array());
  EXPECT_EQ(r.parsed["lag"], 0);
  EXPECT_EQ(r.parsed["last_object_key"], "");
  EXPECT_EQ(r.parsed["last_object_ms"], 0);
  EXPECT_EQ(r.parsed["last_error"], "");
  EXPECT_EQ(r.parsed["last_error_ms"], 0);
}

TEST_F(ApiServerTest, StatusWhenLagCannotBeFetchedIs503) {
  Seed(Def("orders", "bkt"));
  plane_.With([](FakeControlPlane& p) { p.lag = Status::Unavailable("offsets fetch timed out"); });
  ExpectError(Get("/v1/tasks/orders/status"), 503, "unavailable", "offsets fetch timed out");
}

TEST_F(ApiServerTest, UnknownPathIsJson404) {
  ExpectError(Get("/v1/nothing"), 404, "not_found", "no such endpoint: GET /v1/nothing");
  ExpectError(ToReply(client_->Get("/nothing")), 404, "not_found", "/nothing");
  ExpectError(Get("/v1/tasks/orders/extra"), 404, "not_found");
  ExpectError(Post("/v1/tasks/orders/stop"), 404, "not_found");
  // Authentication comes first under /v1.
  ExpectError(ToReply(client_->Get("/v1/nothing")), 401, "unauthorized");
}

TEST(ApiServerLifecycleTest, StopIsIdempotentAndTheDestructorStops) {
  FakeControlPlane plane;
  int port = 0;
  {
    ApiServer server(&plane, kToken);
    ASSERT_TRUE(server.Start("127.0.0.1:0").ok());
    port = server.port();
    ApiClient client(port, kAnswerTimeouts);
    ASSERT_EQ(ToReply(client.Get("/healthz")).status, 200);
    server.Stop();
    server.Stop();
    ApiClient late(port, kRefusedTimeouts);
    auto after = late.Get("/healthz");
    EXPECT_FALSE(after.ok()) << "still serving after Stop(): HTTP " << after->status;
  }
  {
    auto server = std::make_unique<ApiServer>(&plane, "");
    ASSERT_TRUE(server->Start("127.0.0.1:0").ok());
    port = server->port();
    ApiClient client(port, kAnswerTimeouts);
    ASSERT_EQ(ToReply(client.Get("/healthz")).status, 200);
    server.reset();
    ApiClient late(port, kRefusedTimeouts);
    auto after = late.Get("/healthz");
    EXPECT_FALSE(after.ok()) << "still serving after the destructor: HTTP " << after->status;
  }
  // Never started: stopping and destroying are harmless.
  ApiServer idle(&plane, "");
  idle.Stop();
}

TEST(ApiServerLifecycleTest, StartRejectsAnAddressWithoutPort) {
  FakeControlPlane plane;
  ApiServer server(&plane, "");
  Status no_port = server.Start("nohost");
  EXPECT_EQ(no_port.code(), StatusCode::kInvalidArgument) << no_port.ToString();
  EXPECT_THAT(no_port.message(), HasSubstr("http.listen"));
  EXPECT_EQ(server.port(), 0);
}

// With SO_REUSEPORT (cpp-httplib's default, used before) a second server
// would bind the same port and the two would share its connections.
TEST(ApiServerLifecycleTest, StartFailsOnABusyPort) {
  FakeControlPlane plane;
  ApiServer first(&plane, "");
  ASSERT_TRUE(first.Start("127.0.0.1:0").ok());
  ApiClient client(first.port(), kAnswerTimeouts);
  ASSERT_EQ(ToReply(client.Get("/healthz")).status, 200);

  ApiServer second(&plane, "");
  Status busy = second.Start("127.0.0.1:" + std::to_string(first.port()));
  // Let a wrongly started server reach its accept loop (see the test below).
  if (busy.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(busy.code(), StatusCode::kUnavailable) << busy.ToString();
  EXPECT_THAT(busy.message(), HasSubstr("http.listen"));
}

// A port that is not a number must not become port 0 (any free port).
TEST(ApiServerLifecycleTest, StartRejectsAPortThatIsNotANumber) {
  FakeControlPlane plane;
  for (const std::string listen : {"127.0.0.1:abc", "127.0.0.1:", "127.0.0.1:99999999999"}) {
    ApiServer server(&plane, "");
    Status started = server.Start(listen);
    if (started.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(started.code(), StatusCode::kInvalidArgument)
        << listen << " -> " << started.ToString() << " port " << server.port();
  }
}

// A Stop() right after Start() must not wait for the serving thread to reach
// its loop (cpp-httplib's stop() did nothing until then and the join hung).
// The thread is detached so that such a hang fails the test instead of
// blocking it.
TEST(ApiServerLifecycleTest, StopRightAfterStartReturns) {
  FakeControlPlane plane;
  for (int i = 0; i < 50; ++i) {
    auto done = std::make_shared<std::promise<void>>();
    std::future<void> stopped = done->get_future();
    std::thread([&plane, done] {
      {
        auto server = std::make_unique<ApiServer>(&plane, "");
        if (server->Start("127.0.0.1:0").ok()) server->Stop();
      }
      done->set_value();
    }).detach();
    ASSERT_EQ(stopped.wait_for(std::chrono::seconds(3)), std::future_status::ready)
        << "Stop() right after Start() did not return (iteration " << i << ")";
  }
}

// The console's page needs no token (it asks for one); what it calls does.
TEST_F(ApiServerTest, TheConsolePageIsServedWithoutATokenAndAllowsNothingFromElsewhere) {
  for (const char* path : {"/", "/index.html"}) {
    Reply page = ToReply(client_->Get(path));
    EXPECT_EQ(page.status, 200) << path;
    EXPECT_THAT(page.content_type, StartsWith("text/html")) << path;
    EXPECT_THAT(page.body, HasSubstr("kafka2cos")) << path;
    EXPECT_THAT(page.csp, HasSubstr("default-src 'self'")) << path;
    EXPECT_THAT(page.csp, HasSubstr("frame-ancestors 'none'")) << path;
    EXPECT_EQ(page.cache_control, "no-cache") << path;
  }
  ExpectError(ToReply(client_->Get("/assets/no-such-file.js")), 404, "not_found");
  ExpectError(ToReply(client_->Get("/v1/info")), 401, "unauthorized");
  // Every file of the console is served with its type, the hashed ones for ever.
  for (const ConsoleAsset& asset : ConsoleAssets()) {
    Reply r = ToReply(client_->Get(std::string(asset.path)));
    EXPECT_EQ(r.status, 200) << asset.path;
    EXPECT_EQ(r.body, asset.body) << asset.path;
    EXPECT_EQ(r.content_type, asset.content_type) << asset.path;
    if (asset.immutable) {
      EXPECT_THAT(r.cache_control, HasSubstr("immutable")) << asset.path;
    }
  }
}

TEST_F(ApiServerTest, InfoTellsTheConsoleTheWindowLimitsFormatsAndStore) {
  Reply r = Get("/v1/info");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.parsed["instance"], "inst");
  EXPECT_EQ(r.parsed["store"], (json{{"type", "s3"}, {"presigned_urls", true}}));
  // The plane's limits (this fake's sink allows 1 min .. 60 min).
  EXPECT_EQ(r.parsed["window"]["min_ms"], plane_.sink().min_window.count());
  EXPECT_EQ(r.parsed["window"]["max_ms"], plane_.sink().max_window.count());
  EXPECT_EQ(r.parsed["window"]["min"], FormatDuration(plane_.sink().min_window));
  EXPECT_EQ(r.parsed["window"]["default"], "5m");
  EXPECT_EQ(r.parsed["window"]["default_ms"], 5 * 60'000);
  ASSERT_EQ(r.parsed["formats"].size(), KnownFormats().size());
  EXPECT_EQ(r.parsed["formats"][0]["name"], "text");
  EXPECT_EQ(r.parsed["formats"][0]["compressions"][0], "none");
  EXPECT_FALSE(r.parsed["formats"][0]["lossless"].get<bool>());
}

TEST_F(ApiServerTest, BucketsAreListedOrTheRefusalSaysWhatToDo) {
  Reply ok = Get("/v1/buckets");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.parsed, (json{{"buckets", {{{"name", "archive"}}, {{"name", "logs"}}}}}));
  plane_.With([](FakeControlPlane& p) {
    p.buckets = Status::PermissionDenied("ListBuckets: AccessDenied");
  });
  ExpectError(Get("/v1/buckets"), 403, "forbidden", "type the bucket's name");
  plane_.With([](FakeControlPlane& p) {
    p.buckets = Status::FailedPrecondition("this object store cannot list its buckets");
  });
  ExpectError(Get("/v1/buckets"), 409, "cannot_list_buckets");
  plane_.With([](FakeControlPlane& p) { p.buckets = Status::Unavailable("store down"); });
  ExpectError(Get("/v1/buckets"), 503, "unavailable");
}

TEST_F(ApiServerTest, HistoryOfATaskWithLagUnknownWhereKafkaDidNotAnswer) {
  ExpectError(Get("/v1/tasks/orders/history"), 404, "not_found");
  TaskDefinition def;
  def.config.topic = "orders";
  def.config.bucket = "b";
  Seed(def);
  plane_.With([](FakeControlPlane& p) {
    p.history = {HistorySample{1000, 5, 7}, HistorySample{31000, 905, std::nullopt}};
  });
  Reply r = Get("/v1/tasks/orders/history");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.parsed["interval_ms"], 30'000);
  EXPECT_EQ(r.parsed["samples"],
            json::parse(R"([{"at_ms":1000,"records_archived":5,"lag":7},)"
                        R"({"at_ms":31000,"records_archived":905,"lag":null}])"));
}

}  // namespace
}  // namespace k2c
