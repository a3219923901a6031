// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
// The read side of the API (GET /v1/tasks/{topic}/objects, /objects/{key},
// /manifests), tested through a real ApiServer on 127.0.0.1 and the project's
// own HTTP client, over a MemoryStore holding objects under their rendered
// keys, as the worker's sink writes them.
#include "control/archive_routes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "archive/manifest.h"
#include "archive/time_spec.h"
#include "archive_test_util.h"
#include "control/api_server.h"
#include "control/archive_access.h"
#include "sink/key_template.h"
#include "sink/object_range.h"
#include "sink/task_runner.h"
#include "storage/http_client.h"
#include "storage/memory_store.h"

namespace k2c {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kToken[] = "t0ken-for-the-archive";
constexpr int64_t kWindow = 5 * 60'000;
constexpr int64_t kHour = 3'600'000;
constexpr int64_t kDay = 86'400'000;
constexpr int64_t k20h = 1764100800000;  // 2025-11-25T20:00:00Z

std::string At(int64_t ms) { return "@" + std::to_string(ms); }

TaskConfig OrdersTask(const std::string& topic, const std::string& key_template = "") {
  TaskConfig config;
  config.topic = topic;
  config.bucket = "archive";
  config.window = std::chrono::milliseconds(kWindow);
  config.format = "jsonl";
  config.key_template = key_template;
  return config;
}

// A ControlPlane that knows tasks and serves their archives from one store,
// located as the Worker locates them (ArchiveLocationFor, instance "inst").
// Guarded by `mu_`: the server calls it from its handler threads.
class ArchivePlane : public ControlPlane {
 public:
  std::string instance() const override { return "inst"; }
  const SinkConfig& sink() const override { return sink_; }
  Status Ready() const override { return Status::Ok(); }
  Result<std::vector<TopicInfo>> ListTopics() override { return std::vector<TopicInfo>{}; }
  Status CheckTopicExists(const std::string&) override { return Status::Ok(); }
  std::map<std::string, TaskDefinition> Tasks() override {
    std::lock_guard<std::mutex> lock(mu_);
    return tasks_;
  }
  std::optional<TaskDefinition> GetTask(const std::string& topic) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tasks_.find(topic);
    if (it == tasks_.end()) return std::nullopt;
    return it->second;
  }
  // The read side never writes: these fail loudly if it tried.
  Status Preflight(const TaskConfig&) override { return Status::Internal("unexpected Preflight"); }
  Status PutTask(const TaskDefinition&) override { return Status::Internal("unexpected PutTask"); }
  Status RemoveTask(const std::string&) override { return Status::Internal("unexpected Remove"); }
  std::vector<WorkerTaskStatus> WorkerStatuses(const std::string&) override { return {}; }
  Result<std::vector<PartitionLag>> FetchLag(const std::string&) override {
    return std::vector<PartitionLag>{};
  }
  std::string RenderMetrics() override { return ""; }

  Result<TaskArchive> Archive(const std::string& topic) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++archive_calls_;
    if (!archive_status_.ok()) return archive_status_;
    auto it = tasks_.find(topic);
    if (it == tasks_.end()) return Status::NotFound("no task for topic '" + topic + "'");
    auto location = ArchiveLocationFor(it->second.config, "inst", "");
    if (!location.ok()) return location.status();
    return TaskArchive{store_, std::move(location.value()), presign_expiry_};
  }

  void AddTask(const TaskConfig& config) {
    std::lock_guard<std::mutex> lock(mu_);
    TaskDefinition def;
    def.config = config;
    def.created_ms = def.updated_ms = 1'700'000'000'000;
    tasks_[config.topic] = def;
  }
  void SetStore(ObjectStore* store, std::chrono::seconds presign_expiry) {
    std::lock_guard<std::mutex> lock(mu_);
    store_ = store;
    presign_expiry_ = presign_expiry;
  }
  void FailArchive(Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    archive_status_ = std::move(status);
  }
  int archive_calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return archive_calls_;
  }

 private:
  mutable std::mutex mu_;
  SinkConfig sink_;
  std::map<std::string, TaskDefinition> tasks_;
  ObjectStore* store_ = nullptr;
  std::chrono::seconds presign_expiry_{900};
  Status archive_status_ = Status::Ok();
  int archive_calls_ = 0;
};

// A store that serves presigned URLs (as S3 does) over a MemoryStore, which
// has none: every call but PresignGetUrl and HeadObject goes to `inner`.
// MemoryStore is final, hence the wrapping.
class PresigningStore final : public ObjectStore {
 public:
  struct Presigned {
    std::string bucket;
    std::string key;
    std::chrono::seconds expires;
  };

  static constexpr char kEtag[] = "\"5eed-e7a9\"";

  explicit PresigningStore(MemoryStore* inner) : inner_(inner) {}

  static std::string UrlFor(const std::string& key) {
    // A '&' and a '=' in it: the URL must come back verbatim.
    return "https://cos.example.test/archive/" + key + "?X-Amz-Expires=1&X-Amz-Signature=5ig";
  }

  using ObjectStore::CompleteMultipart;
  using ObjectStore::CreateMultipart;
  using ObjectStore::PutObject;
  Status HeadBucket(const Bucket& bucket) override { return inner_->HeadBucket(bucket); }
  Status CheckKey(const ObjectKey& key) const override { return inner_->CheckKey(key); }
  Status EnsureBucket(const Bucket& bucket) override { return inner_->EnsureBucket(bucket); }
  Status PutObject(const Bucket& bucket, const ObjectKey& key, std::string_view body,
                   const WriteOptions& options) override {
    return inner_->PutObject(bucket, key, body, options);
  }
  Result<MultipartId> CreateMultipart(const Bucket& bucket, const ObjectKey& key,
                                      const WriteOptions& options) override {
    return inner_->CreateMultipart(bucket, key, options);
  }
  Result<std::string> UploadPart(const Bucket& bucket, const ObjectKey& key, const MultipartId& id,
                                 int number, std::string_view body) override {
    return inner_->UploadPart(bucket, key, id, number, body);
  }
  Status CompleteMultipart(const Bucket& bucket, const ObjectKey& key, const MultipartId& id,
                           const std::vector<CompletedPart>& parts,
                           const WriteOptions& options) override {
    return inner_->CompleteMultipart(bucket, key, id, parts, options);
  }
  Status AbortMultipart(const Bucket& bucket, const ObjectKey& key,
                        const MultipartId& id) override {
    return inner_->AbortMultipart(bucket, key, id);
  }
  // With an ETag, as S3 gives (the MemoryStore gives none).
  Result<ObjectHead> HeadObject(const Bucket& bucket, const ObjectKey& key) override {
    auto head = inner_->HeadObject(bucket, key);
    if (head.ok()) head->etag = kEtag;
    return head;
  }
  Result<std::string> GetObject(const Bucket& bucket, const ObjectKey& key) override {
    return inner_->GetObject(bucket, key);
  }
  Result<std::string> GetObjectRange(const Bucket& bucket, const ObjectKey& key, uint64_t offset,
                                     uint64_t length) override {
    return inner_->GetObjectRange(bucket, key, offset, length);
  }
  Status DeleteObject(const Bucket& bucket, const ObjectKey& key) override {
    return inner_->DeleteObject(bucket, key);
  }
  Result<ListPage> ListObjects(const Bucket& bucket, const std::string& prefix,
                               const std::string& continuation_token) override {
    return inner_->ListObjects(bucket, prefix, continuation_token);
  }
  Result<std::string> PresignGetUrl(const Bucket& bucket, const ObjectKey& key,
                                    std::chrono::seconds expires) override {
    std::lock_guard<std::mutex> lock(mu_);
    presigned_.push_back({bucket.name, key.value, expires});
    return UrlFor(key.value);
  }

  std::vector<Presigned> presigned() const {
    std::lock_guard<std::mutex> lock(mu_);
    return presigned_;
  }

 private:
  MemoryStore* inner_;
  mutable std::mutex mu_;
  std::vector<Presigned> presigned_;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // Names lower-cased.
  std::string body;
  json parsed;  // Discarded if the body is not JSON.

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

// Requests to the server under test over the project's libcurl client
// (which keeps "/../" in paths as given). Bodies up to 64 MiB are taken, so
// that a streamed download of several MiB comes back whole.
class Client {
 public:
  explicit Client(int port) : base_url_("http://127.0.0.1:" + std::to_string(port)) {}

  Reply Send(const std::string& method, const std::string& path, const Headers& headers) {
    HttpRequest request;
    request.method = method;
    request.url = base_url_ + path;
    request.headers = headers;
    request.timeouts =
        HttpTimeouts{.connect = std::chrono::seconds(5), .total = std::chrono::seconds(30)};
    request.max_response_bytes = 64ull << 20;
    Reply reply;
    auto response = http_.Send(request);
    if (!response.ok()) {
      ADD_FAILURE() << method << " " << path << " failed: " << response.status().ToString();
      return reply;
    }
    reply.status = static_cast<int>(response->status);
    reply.headers = response->headers;
    reply.body = response->body;
    reply.parsed = json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
    return reply;
  }

 private:
  const std::string base_url_;
  HttpClient http_;
};

// Checks an error answer: the status, {"error":{"code","message"}} and part
// of the message.
void ExpectError(const Reply& r, int status, const std::string& code,
                 const std::string& message_part = "") {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_THAT(r.Header("content-type"), StartsWith("application/json"));
  ASSERT_TRUE(r.parsed.is_object()) << r.body;
  ASSERT_TRUE(r.parsed.contains("error")) << r.body;
  const json& e = r.parsed["error"];
  ASSERT_TRUE(e.is_object() && e.contains("code") && e.contains("message")) << r.body;
  EXPECT_EQ(e["code"], code) << r.body;
  ASSERT_TRUE(e["message"].is_string()) << r.body;
  EXPECT_THAT(e["message"].get<std::string>(), HasSubstr(message_part)) << r.body;
}

// Where two byte strings first differ, for a failure message that does not
// print MiBs.
std::string Difference(const std::string& got, const std::string& want) {
  if (got == want) return "equal";
  size_t i = 0;
  while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
  return "got " + std::to_string(got.size()) + " bytes, want " + std::to_string(want.size()) +
         "; first difference at byte " + std::to_string(i);
}

// Deterministic bytes of every value, so a byte dropped, repeated or
// re-encoded anywhere shows.
std::string Noise(size_t size, uint32_t seed) {
  std::string out(size, '\0');
  uint32_t x = seed;
  for (char& c : out) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  return out;
}

std::string PercentEncodeAll(const std::string& text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    out.push_back('%');
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

class ArchiveRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_.CreateBucket(bucket_);
    plane_.AddTask(OrdersTask("orders"));
    plane_.SetStore(&store_, std::chrono::seconds(900));
    location_ = ArchiveLocationFor(OrdersTask("orders"), "inst", "").value();
    server_ = std::make_unique<ApiServer>(&plane_, kToken);
    Status started = server_->Start("127.0.0.1:0");
    ASSERT_TRUE(started.ok()) << started.ToString();
    client_ = std::make_unique<Client>(server_->port());
  }
  void TearDown() override { server_.reset(); }

  Reply Get(const std::string& path, Headers headers = {}) {
    headers.emplace_back("Authorization", std::string("Bearer ") + kToken);
    return client_->Send("GET", path, headers);
  }

  // Puts an object of `location` (default: the "orders" task's) under its
  // rendered key, with its offset range in the metadata unless `streamed`
  // (a multipart object's metadata has none). Returns the key.
  std::string Put(int64_t window_start_ms, int32_t partition, int64_t first_offset, int64_t records,
                  const std::string& body, bool streamed = false,
                  const ArchiveLocation* location = nullptr) {
    return PutArchivedObject(store_, location ? *location : location_, window_start_ms, partition,
                             first_offset, records, body, ".jsonl", streamed);
  }

  // The keys of a listing answer, checking its shape on the way.
  static std::vector<std::string> KeysOf(const Reply& r) {
    std::vector<std::string> keys;
    EXPECT_EQ(r.status, 200) << r.body;
    if (!r.parsed.is_object() || !r.parsed.contains("objects") || !r.parsed["objects"].is_array()) {
      ADD_FAILURE() << "not a listing: " << r.body;
      return keys;
    }
    for (const json& object : r.parsed["objects"]) keys.push_back(object.value("key", ""));
    return keys;
  }

  // Every key of a listing, following its cursor to the end; `pages`, if
  // given, counts the pages and `last_cursor` gets the last cursor that was
  // not null; no page may hold more than `limit` objects.
  std::vector<std::string> ListAll(const std::string& query, int* pages = nullptr,
                                   size_t limit = 1000, std::string* last_cursor = nullptr) {
    std::vector<std::string> keys;
    std::string cursor;
    int count = 0;
    do {
      Reply r =
          Get("/v1/tasks/orders/objects?" + query + (cursor.empty() ? "" : "&cursor=" + cursor));
      const std::vector<std::string> page = KeysOf(r);
      EXPECT_LE(page.size(), limit) << query << "\n" << r.body;
      keys.insert(keys.end(), page.begin(), page.end());
      if (!r.parsed.is_object() || !r.parsed.contains("cursor") ||
          !(r.parsed["cursor"].is_null() || r.parsed["cursor"].is_string())) {
        ADD_FAILURE() << "no cursor: " << r.body;
        break;
      }
      cursor = r.parsed["cursor"].is_null() ? "" : r.parsed["cursor"].get<std::string>();
      if (!cursor.empty() && last_cursor) *last_cursor = cursor;
      ++count;
    } while (!cursor.empty() && count < 1000);
    EXPECT_TRUE(cursor.empty()) << "the listing never ended: " << query;
    if (pages) *pages = count;
    return keys;
  }

  static std::string ObjectPath(const std::string& key) {
    return "/v1/tasks/orders/objects/" + key;
  }

  MemoryStore store_;
  PresigningStore presigning_{&store_};
  const Bucket bucket_{"archive"};
  ArchiveLocation location_;
  ArchivePlane plane_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<Client> client_;
};

// ---------------------------------------------------------------------------
// ParseQuery

TEST(ArchiveRoutesQueryTest, DecodesPlusAndPercentEscapes) {
  auto params = ParseQuery("a=b+c&d=%2Fx%2fy&%66rom=%41%3d&k=a=b&t=2026-12-02T09:30:00%2B08:00");
  ASSERT_TRUE(params.ok()) << params.status().ToString();
  const std::map<std::string, std::string> want = {{"a", "b c"},
                                                   {"d", "/x/y"},
                                                   {"from", "A="},
                                                   {"k", "a=b"},
                                                   {"t", "2026-12-02T09:30:00+08:00"}};
  EXPECT_EQ(*params, want);
  // An escaped '&' or '=' is data, not a separator.
  auto escaped = ParseQuery("a%3Db=c%26d");
  ASSERT_TRUE(escaped.ok());
  EXPECT_EQ(*escaped, (std::map<std::string, std::string>{{"a=b", "c&d"}}));
  // Any byte, NUL and high bytes included, may be escaped.
  auto bytes = ParseQuery("v=%00%ff");
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->at("v"), std::string("\0\xff", 2));
}

TEST(ArchiveRoutesQueryTest, RefusesBadPercentEscapes) {
  for (const char* query : {"a=%G1", "a=%1G", "a=%", "a=%4", "a=b%", "%=1", "a%=1", "a=%-1",
                            "a=%+1", "a=% 1", "a=%%41", "ok=1&a=%zz"}) {
    auto params = ParseQuery(query);
    EXPECT_FALSE(params.ok()) << query;
    EXPECT_EQ(params.status().code(), StatusCode::kInvalidArgument) << query;
    EXPECT_THAT(params.status().message(), HasSubstr("percent escape")) << query;
  }
}

TEST(ArchiveRoutesQueryTest, SkipsEmptyPartsAndKeepsValuelessParameters) {
  using Params = std::map<std::string, std::string>;
  for (const char* empty : {"", "&", "&&&"}) {
    auto params = ParseQuery(empty);
    ASSERT_TRUE(params.ok()) << empty;
    EXPECT_TRUE(params->empty()) << empty;
  }
  auto params = ParseQuery("&a=1&&b=2&");
  ASSERT_TRUE(params.ok());
  EXPECT_EQ(*params, (Params{{"a", "1"}, {"b", "2"}}));
  // "?presign" alone and "?presign=" both name the parameter with no value.
  auto valueless = ParseQuery("presign&redirect=");
  ASSERT_TRUE(valueless.ok());
  EXPECT_EQ(*valueless, (Params{{"presign", ""}, {"redirect", ""}}));
}

TEST(ArchiveRoutesQueryTest, RefusesAParameterGivenTwice) {
  // Names compare decoded: an escaped or '+' spelling is the same name.
  for (const char* query : {"a=1&a=2", "a=1&a=1", "a=1&%61=2", "a+b=1&a%20b=2", "a&a="}) {
    auto params = ParseQuery(query);
    EXPECT_EQ(params.status().code(), StatusCode::kInvalidArgument) << query;
    EXPECT_THAT(params.status().message(), HasSubstr("given twice")) << query;
  }
  EXPECT_THAT(ParseQuery("from=1&fr%6Fm=2").status().message(), HasSubstr("'from'"));
}

// ---------------------------------------------------------------------------
// GET /v1/tasks/{topic}/objects

TEST_F(ArchiveRoutesTest, ListsTheObjectsOfARangeDescribedFromTheirMetadata) {
  const std::string p0 = Put(k20h, 0, 0, 5, "01234");
  const std::string p1 = Put(k20h, 1, 0, 3, "abc");
  const std::string next = Put(k20h + kWindow, 0, 5, 4, "0123456789", /*streamed=*/true);
  const std::string later = Put(k20h + kHour, 0, 9, 1, "later");  // 21:00: outside the hour.
  // Keys of the bucket that are not this task's objects.
  ASSERT_TRUE(store_.PutObject(bucket_, ManifestKey(location_, k20h), "{}").ok());
  ASSERT_TRUE(
      store_
          .PutObject(bucket_,
                     ObjectKey{"inst/orders2/20251125T200000Z_p0_o00000000000000000000.jsonl"}, "x")
          .ok());
  ASSERT_TRUE(store_.PutObject(bucket_, ObjectKey{"inst/orders/20251125T20-notes.txt"}, "x").ok());

  const std::set<std::string> want = {p0, p1, next};
  // RFC 3339 in UTC, with an offset ('+' escaped: a bare one is a space),
  // and epoch milliseconds all name the same hour.
  for (const std::string& range :
       {std::string("from=2025-11-25T20:00:00Z&to=2025-11-25T21:00:00Z"),
        std::string("from=2025-11-26T04:00:00%2B08:00&to=2025-11-25T21:00:00.000Z"),
        "from=" + At(k20h) + "&to=" + At(k20h + kHour)}) {
    Reply r = Get("/v1/tasks/orders/objects?" + range);
    const std::vector<std::string> keys = KeysOf(r);
    EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()), want) << range << "\n" << r.body;
    EXPECT_EQ(keys.size(), want.size()) << r.body;
    EXPECT_TRUE(r.parsed.contains("cursor") && r.parsed["cursor"].is_null()) << r.body;
    EXPECT_THAT(r.Header("content-type"), StartsWith("application/json"));
  }

  Reply r = Get("/v1/tasks/orders/objects?from=2025-11-25T20:00:00Z&to=2025-11-25T21:00:00Z");
  ASSERT_EQ(r.status, 200) << r.body;
  std::map<std::string, json> by_key;
  for (const json& object : r.parsed["objects"]) by_key[object["key"]] = object;
  ASSERT_EQ(by_key.count(p1), 1u) << r.body;
  EXPECT_EQ(by_key[p1], json({{"key", p1},
                              {"window_start", "2025-11-25T20:00:00Z"},
                              {"window_start_ms", k20h},
                              {"partition", 1},
                              {"first_offset", 0},
                              {"last_offset", 2},
                              {"records", 3},
                              {"size", 3},
                              {"format", "jsonl"},
                              {"compression", "none"}}));
  // A streamed object's metadata has no last offset: unknown, not made up.
  ASSERT_EQ(by_key.count(next), 1u) << r.body;
  EXPECT_EQ(by_key[next]["window_start"], "2025-11-25T20:05:00Z");
  EXPECT_EQ(by_key[next]["first_offset"], 5);
  EXPECT_TRUE(by_key[next]["last_offset"].is_null()) << by_key[next];
  EXPECT_TRUE(by_key[next]["records"].is_null()) << by_key[next];
  EXPECT_EQ(by_key[next]["size"], 10);

  // A `from` inside a window includes that window's objects; an open `from`
  // or `to` lists from the start or to the end.
  std::vector<std::string> inside =
      KeysOf(Get("/v1/tasks/orders/objects?from=2025-11-25T20:07:00Z&to=2025-11-25T20:10:00Z"));
  EXPECT_EQ(inside, std::vector<std::string>{next});
  // (A page may be empty before the end: follow the cursor.)
  std::vector<std::string> until = ListAll("to=" + At(k20h + kHour));
  EXPECT_EQ(std::set<std::string>(until.begin(), until.end()), want);
  EXPECT_EQ(ListAll("from=2025-11-25T20:30:00Z"), std::vector<std::string>{later});

  // Without a range: the whole task, foreign keys still left out.
  const std::vector<std::string> all = KeysOf(Get("/v1/tasks/orders/objects"));
  EXPECT_EQ(all.size(), 4u);
  // A bare '+' is a space, which no time has.
  ExpectError(Get("/v1/tasks/orders/objects?from=2025-11-26T04:00:00+08:00"), 400,
              "invalid_argument", "from");
}

TEST_F(ArchiveRoutesTest, FiltersByPartition) {
  const std::string a = Put(k20h, 0, 0, 5, "x");
  const std::string b = Put(k20h, 1, 0, 3, "x");
  const std::string c = Put(k20h + kWindow, 1, 3, 2, "x");
  const std::string d = Put(k20h + kWindow, 10, 0, 2, "x");
  std::vector<std::string> one = KeysOf(Get("/v1/tasks/orders/objects?partition=1"));
  EXPECT_EQ(std::set<std::string>(one.begin(), one.end()), (std::set<std::string>{b, c}));
  // Partition 1 is not a prefix match of 10, nor 0 of 10.
  EXPECT_EQ(ListAll("partition=0&from=" + At(k20h)), std::vector<std::string>{a});
  EXPECT_EQ(KeysOf(Get("/v1/tasks/orders/objects?partition=10")), std::vector<std::string>{d});
  EXPECT_TRUE(KeysOf(Get("/v1/tasks/orders/objects?partition=2")).empty());
}

TEST_F(ArchiveRoutesTest, PagesWithTheCursorUntilItIsNullListingEveryObjectOnce) {
  // Three days of objects, so the listing spans several prefixes.
  std::set<std::string> keys;
  for (int i = 0; i < 12; ++i) {
    keys.insert(Put(k20h + (i % 3) * kDay + (i % 4) * kWindow, i % 2, i * 10, 10, "x"));
  }
  const std::string query = "from=2025-11-25T00:00:00Z&to=2025-11-28T00:00:00Z&limit=1";
  int pages = 0;
  std::string last_cursor;
  const std::vector<std::string> seen = ListAll(query, &pages, /*limit=*/1, &last_cursor);
  // A page of one object each, and maybe an empty last one.
  EXPECT_GE(pages, 12);
  EXPECT_LE(pages, 13);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), keys);
  EXPECT_EQ(seen.size(), keys.size()) << "an object was listed twice";

  // A cursor is for the query it came from: one into the third day's
  // listing does not fit a query of one hour (one listing prefix).
  ASSERT_FALSE(last_cursor.empty());
  ExpectError(Get("/v1/tasks/orders/objects?from=2025-11-27T00:00:00Z&to=2025-11-27T01:00:00Z"
                  "&cursor=" +
                  last_cursor),
              400, "invalid_argument", "cursor");
}

TEST_F(ArchiveRoutesTest, APageHoldsAtMostLimitObjects) {
  // Five objects in one store listing page (the MemoryStore lists a whole
  // prefix at once), one more in the next prefix: pages of 2 cut the store
  // page and go on from inside it.
  std::set<std::string> keys;
  for (int i = 0; i < 5; ++i) keys.insert(Put(k20h, 0, i * 10, 10, "x"));
  keys.insert(Put(k20h + kDay, 1, 0, 10, "x"));
  const std::string query = "from=2025-11-25&to=2025-11-27&limit=2";
  Reply first = Get("/v1/tasks/orders/objects?" + query);
  EXPECT_EQ(KeysOf(first).size(), 2u) << first.body;
  int pages = 0;
  const std::vector<std::string> all = ListAll(query, &pages, /*limit=*/2);
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()), keys);
  EXPECT_EQ(all.size(), keys.size()) << "an object was listed twice";
  EXPECT_GE(pages, 3);
  // The default page is 100.
  for (int i = 0; i < 120; ++i) Put(k20h + 2 * kWindow, 2, i * 10, 10, "x");
  Reply defaulted = Get("/v1/tasks/orders/objects");
  EXPECT_EQ(KeysOf(defaulted).size(), 100u);
  EXPECT_TRUE(defaulted.parsed["cursor"].is_string()) << defaulted.body;
}

TEST_F(ArchiveRoutesTest, AListingFromTheEarliestTimeListsEverything) {
  const std::string key = Put(k20h, 0, 0, 5, "x");
  EXPECT_EQ(ListAll("from=@-9223372036854775808"), std::vector<std::string>{key});
  EXPECT_EQ(ListAll("from=@-9223372036854775808&to=@9223372036854775807"),
            std::vector<std::string>{key});
}

TEST_F(ArchiveRoutesTest, RefusesBadListingParametersWithAMessage) {
  Put(k20h, 0, 0, 5, "x");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"from=yesterday", "cannot read 'yesterday' as a time"},
      {"from=yesterday", "from"},
      {"to=2025-13-01", "to"},
      {"from=2025-02-30", "from"},
      {"from=@12x", "from"},
      {"from=@", "from"},
      {"from=", "from"},
      {"from=" + At(k20h + kHour) + "&to=" + At(k20h), "'from' must be before 'to'"},
      {"from=" + At(k20h) + "&to=" + At(k20h), "'from' must be before 'to'"},
      {"partition=-1", "partition '-1' is not a partition number"},
      {"partition=x", "not a partition number"},
      {"partition=1x", "not a partition number"},
      {"partition=", "not a partition number"},
      {"partition=%2B1", "not a partition number"},
      {"partition=2147483648", "not a partition number"},
      {"limit=0", "limit must be 1..1000"},
      {"limit=1001", "limit must be 1..1000"},
      {"limit=-1", "limit must be 1..1000"},
      {"limit=ten", "limit must be 1..1000"},
      {"limit=", "limit must be 1..1000"},
      {"limit=5x", "limit must be 1..1000"},
      {"limit=99999999999999999999999", "limit must be 1..1000"},
      {"cursor=zz", "cursor"},
      {"cursor=39393a", "cursor"},
      {"cursor=" + std::string(7, 'a'), "cursor"},
      {"partition=0&partition=1", "'partition' is given twice"},
      {"limit=5&limit=5", "given twice"},
      {"from=%G1", "percent escape"},
  };
  for (const auto& [query, message] : cases) {
    SCOPED_TRACE(query);
    ExpectError(Get("/v1/tasks/orders/objects?" + query), 400, "invalid_argument", message);
  }
  // The bounds themselves are fine.
  EXPECT_EQ(Get("/v1/tasks/orders/objects?limit=1").status, 200);
  EXPECT_EQ(Get("/v1/tasks/orders/objects?limit=1000").status, 200);
  EXPECT_EQ(Get("/v1/tasks/orders/objects?partition=2147483647").status, 200);
}

TEST_F(ArchiveRoutesTest, AnUnknownTopicIs404AndAnInvalidOneIs400) {
  const std::string key = Put(k20h, 0, 0, 5, "x");
  for (const std::string& path :
       {std::string("/v1/tasks/nope/objects"), "/v1/tasks/nope/objects/" + key,
        std::string("/v1/tasks/nope/manifests")}) {
    SCOPED_TRACE(path);
    ExpectError(Get(path), 404, "not_found", "no task for topic 'nope'");
  }
  EXPECT_EQ(plane_.archive_calls(), 0) << "no task, so no archive was asked for";
  ExpectError(Get("/v1/tasks/bad%20topic/objects"), 400, "invalid_argument",
              "not a Kafka topic name");
  ExpectError(Get("/v1/tasks/%2E%2E/objects/" + key), 400, "invalid_argument");
  // A task whose archive cannot be opened answers with the reason.
  plane_.FailArchive(Status::Unavailable("the store is unreachable"));
  ExpectError(Get("/v1/tasks/orders/objects"), 503, "unavailable", "the store is unreachable");
  ExpectError(Get(ObjectPath(key)), 503, "unavailable");
  ExpectError(Get("/v1/tasks/orders/manifests"), 503, "unavailable");
}

TEST_F(ArchiveRoutesTest, TheReadRoutesNeedTheBearerToken) {
  const std::string key = Put(k20h, 0, 0, 5, "secret");
  for (const std::string& path :
       {std::string("/v1/tasks/orders/objects"), ObjectPath(key), ObjectPath(key) + "?presign=1",
        std::string("/v1/tasks/orders/manifests")}) {
    SCOPED_TRACE(path);
    Reply none = client_->Send("GET", path, {});
    ExpectError(none, 401, "unauthorized", "Authorization: Bearer");
    EXPECT_EQ(none.Header("www-authenticate"), "Bearer");
    EXPECT_THAT(none.body, Not(HasSubstr("secret")));
    Reply wrong = client_->Send("GET", path, {{"Authorization", "Bearer not-the-token"}});
    ExpectError(wrong, 401, "unauthorized", "the bearer token is wrong");
  }
  EXPECT_EQ(plane_.archive_calls(), 0);
  // And with it, the object is there.
  EXPECT_EQ(Get(ObjectPath(key)).body, "secret");
}

// ---------------------------------------------------------------------------
// GET /v1/tasks/{topic}/objects/{key}

TEST_F(ArchiveRoutesTest, DownloadsAWholeObject) {
  const std::string body = Noise(1000, 7);
  const std::string key = Put(k20h, 3, 42, 10, body);
  Reply r = Get(ObjectPath(key));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, body) << Difference(r.body, body);
  EXPECT_EQ(r.Header("content-length"), "1000");
  EXPECT_EQ(r.Header("content-type"), "application/octet-stream");
  EXPECT_EQ(r.Header("accept-ranges"), "bytes");
  EXPECT_EQ(r.Header("content-disposition"),
            "attachment; filename=\"20251125T200000Z_p3_o00000000000000000042.jsonl\"");
  EXPECT_EQ(r.Header("content-range"), "");

  // An empty object is a 200 of no bytes, not an error.
  const std::string empty = Put(k20h, 3, 52, 0, "");
  Reply nothing = Get(ObjectPath(empty));
  EXPECT_EQ(nothing.status, 200);
  EXPECT_EQ(nothing.body, "");
  EXPECT_EQ(nothing.Header("content-length"), "0");
}

TEST_F(ArchiveRoutesTest, AnswersARangeWith206AndExactlyItsBytes) {
  const std::string body = Noise(100, 11);
  const std::string key = Put(k20h, 0, 0, 10, body);
  struct Case {
    std::string range;
    uint64_t first, last;
  };
  for (const Case& c : std::vector<Case>{{"bytes=2-5", 2, 5},
                                         {"bytes=0-0", 0, 0},
                                         {"bytes=99-99", 99, 99},
                                         {"bytes=90-", 90, 99},
                                         {"bytes=-3", 97, 99},
                                         {"bytes=-1000", 0, 99},  // Longer than the object.
                                         {"bytes=40-1000", 40, 99},
                                         {"BYTES=1-2", 1, 2},
                                         // Past 64 bits: past any end, not wrapped.
                                         {"bytes=0-99999999999999999999999", 0, 99}}) {
    SCOPED_TRACE(c.range);
    Reply r = Get(ObjectPath(key), {{"Range", c.range}});
    EXPECT_EQ(r.status, 206);
    const std::string want = body.substr(c.first, c.last - c.first + 1);
    EXPECT_EQ(r.body, want) << Difference(r.body, want);
    EXPECT_EQ(r.Header("content-range"),
              "bytes " + std::to_string(c.first) + "-" + std::to_string(c.last) + "/100");
    EXPECT_EQ(r.Header("content-length"), std::to_string(want.size()));
    EXPECT_EQ(r.Header("accept-ranges"), "bytes");
  }
  // Ranges the server may ignore: the whole object.
  for (const char* ignored : {"bytes=a-b", "bytes=5-2", "items=0-1", "bytes=0-1,4-5"}) {
    SCOPED_TRACE(ignored);
    Reply r = Get(ObjectPath(key), {{"Range", ignored}});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, body) << Difference(r.body, body);
  }
  // Past the end: 416 naming the size, and no byte of the object.
  for (const char* past : {"bytes=100-", "bytes=100-200", "bytes=5000-", "bytes=-0",
                           "bytes=99999999999999999999999-"}) {
    SCOPED_TRACE(past);
    Reply r = Get(ObjectPath(key), {{"Range", past}});
    ExpectError(r, 416, "range_not_satisfiable");
    EXPECT_EQ(r.Header("content-range"), "bytes */100");
  }
}

TEST_F(ArchiveRoutesTest, StreamsAnObjectOfSeveralChunksByteExact) {
  // Well over the server's 1 MiB stream chunk, and not a multiple of it.
  const size_t size = (5u << 20) + 321;
  ASSERT_GT(size, HttpServerLimits{}.stream_chunk_bytes * 3);
  const std::string body = Noise(size, 2026);
  const std::string key = Put(k20h, 0, 0, 1000, body);
  Reply whole = Get(ObjectPath(key));
  EXPECT_EQ(whole.status, 200);
  EXPECT_EQ(whole.Header("content-length"), std::to_string(size));
  EXPECT_TRUE(whole.body == body) << Difference(whole.body, body);

  // A range that starts inside the first chunk and ends inside the fourth:
  // every chunk after the first is read from the range's start on.
  const uint64_t first = (1u << 20) - 7;
  const uint64_t last = (3u << 20) + 12345;
  Reply part = Get(ObjectPath(key),
                   {{"Range", "bytes=" + std::to_string(first) + "-" + std::to_string(last)}});
  EXPECT_EQ(part.status, 206);
  const std::string want = body.substr(first, last - first + 1);
  EXPECT_TRUE(part.body == want) << Difference(part.body, want);
  EXPECT_EQ(part.Header("content-range"), "bytes " + std::to_string(first) + "-" +
                                              std::to_string(last) + "/" + std::to_string(size));
  // The server still answers small calls afterwards (no stream left hanging).
  EXPECT_EQ(Get("/v1/tasks/orders/objects").status, 200);
}

TEST_F(ArchiveRoutesTest, ServesOnlyTheTasksOwnKeys) {
  const std::string own = Put(k20h, 0, 0, 5, "own");
  const std::string manifest = ManifestKey(location_, k20h).value;
  const std::map<std::string, std::string> foreign = {
      {manifest, "{}"},
      {"inst/orders2/20251125T200000Z_p0_o00000000000000000000.jsonl", "other topic"},
      {"other/orders/20251125T200000Z_p0_o00000000000000000000.jsonl", "other instance"},
      {"inst/orders/20251125T200000Z_p0_o00000000000000000000.jsonl.bak", "a stray copy"},
      {"inst/orders/notes.txt", "a stray file"},
  };
  for (const auto& [key, body] : foreign) {
    ASSERT_TRUE(store_.PutObject(bucket_, ObjectKey{key}, body).ok());
  }
  for (const auto& [key, body] : foreign) {
    SCOPED_TRACE(key);
    Reply r = Get(ObjectPath(key));
    ExpectError(r, 404, "not_found", "is not an object of this task");
    EXPECT_THAT(r.body, Not(HasSubstr(body)));
  }
  // Dot segments reach the server as sent, and name no object of the task,
  // even where they would resolve to one.
  const std::string name = own.substr(own.rfind('/') + 1);
  for (const std::string& key : {"inst/orders2/../orders/" + name, "inst/orders/./" + name,
                                 "inst/orders/../../" + own, "inst/orders/%2E%2E/orders/" + name}) {
    SCOPED_TRACE(key);
    ExpectError(Get(ObjectPath(key)), 404, "not_found", "is not an object of this task");
  }
  ExpectError(Get(ObjectPath("inst/orders/../orders/" + name)), 404, "not_found",
              "'inst/orders/../orders/" + name + "'");
  ExpectError(Get(ObjectPath("")), 404, "not_found");
  // A key of the task with no object behind it: the store's 404.
  const std::string absent =
      location_.key_template.Render(KeyFields{"inst", "orders", "", 0, 99, k20h, ".jsonl"});
  Reply missing = Get(ObjectPath(absent));
  EXPECT_EQ(missing.status, 404) << missing.body;
  ExpectError(missing, 404, "not_found");
  // Nothing is written through these routes.
  Reply removed = client_->Send("DELETE", ObjectPath(own),
                                {{"Authorization", std::string("Bearer ") + kToken}});
  ExpectError(removed, 405, "method_not_allowed");
  EXPECT_EQ(Get(ObjectPath(own)).body, "own");
}

TEST_F(ArchiveRoutesTest, DecodesPercentEncodedKeySegments) {
  const std::string body = Noise(64, 3);
  const std::string key = Put(k20h, 0, 7, 3, body);
  const std::string name = key.substr(key.rfind('/') + 1);
  // Every byte escaped; slashes escaped (%2F, %2f) inside one segment.
  for (const std::string& path : {ObjectPath("inst/orders/" + PercentEncodeAll(name)),
                                  ObjectPath(PercentEncodeAll("inst/orders/") + name),
                                  ObjectPath("inst%2forders%2F" + name)}) {
    SCOPED_TRACE(path);
    Reply r = Get(path);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, body) << Difference(r.body, body);
  }
  ExpectError(Get(ObjectPath("inst/orders/" + name + "%2")), 404, "not_found", "no such endpoint");

  // A task whose template has a space, '+' and quotes: a '+' in a path is
  // itself (not a space, as in a query), and the quotes cannot break out of
  // the Content-Disposition's file name.
  const TaskConfig spaced = OrdersTask(
      "spaced", "{instance}/{topic}/a b+c/\"q\"%Y%m%dT%H%M%SZ_p{partition}_o{first_offset}{ext}");
  plane_.AddTask(spaced);
  const ArchiveLocation spaced_location = ArchiveLocationFor(spaced, "inst", "").value();
  const std::string odd = Put(k20h, 2, 0, 3, "odd", false, &spaced_location);
  ASSERT_EQ(odd, "inst/spaced/a b+c/\"q\"20251125T200000Z_p2_o00000000000000000000.jsonl");
  Reply listed = Get("/v1/tasks/spaced/objects");
  EXPECT_EQ(KeysOf(listed), std::vector<std::string>{odd});
  Reply r =
      Get("/v1/tasks/spaced/objects/inst/spaced/a%20b+c/"
          "%22q%2220251125T200000Z_p2_o00000000000000000000"
          ".jsonl");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "odd");
  EXPECT_EQ(r.Header("content-disposition"),
            "attachment; filename=\"_q_20251125T200000Z_p2_o00000000000000000000.jsonl\"");
  // A UTF-8 segment, escaped byte by byte, is that segment.
  const TaskConfig accented =
      OrdersTask("accented", "{instance}/{topic}/caf\xC3\xA9/p{partition}_o{first_offset}{ext}");
  plane_.AddTask(accented);
  const ArchiveLocation accented_location = ArchiveLocationFor(accented, "inst", "").value();
  const std::string cafe = Put(k20h, 0, 0, 1, "caf\xC3\xA9", false, &accented_location);
  ASSERT_EQ(cafe, "inst/accented/caf\xC3\xA9/p0_o00000000000000000000.jsonl");
  Reply utf8 =
      Get("/v1/tasks/accented/objects/inst/accented/caf%C3%A9/p0_o00000000000000000000.jsonl");
  EXPECT_EQ(utf8.status, 200) << utf8.body;
  EXPECT_EQ(utf8.body, "caf\xC3\xA9");
  Reply accented_list = Get("/v1/tasks/accented/objects");
  EXPECT_EQ(KeysOf(accented_list), std::vector<std::string>{cafe});
  // The same key with the '+' as a space is another key.
  ExpectError(Get("/v1/tasks/spaced/objects/inst/spaced/a%20b%20c/"
                  "%22q%2220251125T200000Z_p2_o00000000000000000000.jsonl"),
              404, "not_found");
}

TEST_F(ArchiveRoutesTest, PresignOnAStoreWithoutUrlsIs409) {
  const std::string key = Put(k20h, 0, 0, 5, "x");
  for (const char* query :
       {"?presign=1", "?redirect=1", "?presign=1&redirect=1", "?presign=true", "?redirect=true"}) {
    SCOPED_TRACE(query);
    ExpectError(Get(ObjectPath(key) + query), 409, "no_presigned_urls",
                "download the object through the API");
  }
  // Any other value is a download.
  for (const char* query : {"?presign=0", "?presign=yes", "?presign", "?redirect=TRUE"}) {
    SCOPED_TRACE(query);
    Reply r = Get(ObjectPath(key) + query);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "x");
  }
  // The object route reads its query as strictly as the listing.
  ExpectError(Get(ObjectPath(key) + "?presign=1&presign=1"), 400, "invalid_argument",
              "'presign' is given twice");
  ExpectError(Get(ObjectPath(key) + "?presign=%G1"), 400, "invalid_argument", "percent escape");
}

TEST_F(ArchiveRoutesTest, PresignsAndRedirectsWhenTheStoreServesUrls) {
  constexpr std::chrono::seconds kExpiry(7 * 86'400);
  plane_.SetStore(&presigning_, kExpiry);
  const std::string key = Put(k20h, 0, 0, 5, "x");
  const std::string url = PresigningStore::UrlFor(key);

  const int64_t before_ms = SystemNowMs();
  Reply r = Get(ObjectPath(key) + "?presign=1");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.Header("content-type"), StartsWith("application/json"));
  EXPECT_EQ(r.Header("cache-control"), "no-store");
  ASSERT_TRUE(r.parsed.is_object()) << r.body;
  EXPECT_EQ(r.parsed.size(), 2u) << r.body;
  EXPECT_EQ(r.parsed["url"], url);
  ASSERT_TRUE(r.parsed["expires_at"].is_string()) << r.body;
  auto expires = ParseTimeSpec(r.parsed["expires_at"].get<std::string>(), 0);
  ASSERT_TRUE(expires.ok()) << r.body;
  // A week from the request (an hour either way: this checks the unit, not
  // the clock).
  EXPECT_NEAR(static_cast<double>(*expires - before_ms), 7.0 * kDay, 1.0 * kHour);
  auto presigned = presigning_.presigned();
  ASSERT_EQ(presigned.size(), 1u);
  EXPECT_EQ(presigned[0].bucket, "archive");
  EXPECT_EQ(presigned[0].key, key);
  EXPECT_EQ(presigned[0].expires, kExpiry);

  Reply moved = Get(ObjectPath(key) + "?redirect=1");
  EXPECT_EQ(moved.status, 307) << moved.body;
  EXPECT_EQ(moved.Header("location"), url);
  EXPECT_EQ(moved.Header("cache-control"), "no-store");
  EXPECT_EQ(moved.parsed["url"], url);
  // `redirect` takes precedence over `presign`.
  Reply both = Get(ObjectPath(key) + "?presign=1&redirect=1");
  EXPECT_EQ(both.status, 307) << both.body;
  EXPECT_EQ(both.Header("location"), url);

  // Only the task's keys are presigned.
  ExpectError(Get(ObjectPath(ManifestKey(location_, k20h).value) + "?presign=1"), 404, "not_found");
  ExpectError(Get(ObjectPath("inst/orders2/20251125T200000Z_p0_o00000000000000000000.jsonl") +
                  "?redirect=1"),
              404, "not_found");
  // Nor a key of the task with no object behind it: that URL would only
  // fail at the store.
  const std::string absent =
      location_.key_template.Render(KeyFields{"inst", "orders", "", 0, 99, k20h, ".jsonl"});
  ExpectError(Get(ObjectPath(absent) + "?presign=1"), 404, "not_found");
  ExpectError(Get(ObjectPath(absent) + "?redirect=1"), 404, "not_found");
  EXPECT_EQ(presigning_.presigned().size(), 3u);
  // Without the parameter the object itself comes, through the same store,
  // with the store's ETag.
  Reply object = Get(ObjectPath(key));
  EXPECT_EQ(object.status, 200);
  EXPECT_EQ(object.body, "x");
  EXPECT_EQ(object.Header("etag"), PresigningStore::kEtag);
  EXPECT_EQ(Get(ObjectPath(key), {{"Range", "bytes=0-0"}}).Header("etag"), PresigningStore::kEtag);
}

// ---------------------------------------------------------------------------
// GET /v1/tasks/{topic}/manifests

TEST_F(ArchiveRoutesTest, ListsTheManifestsOfARange) {
  Put(k20h, 0, 0, 3, "abc");
  Put(k20h, 1, 0, 2, "de");
  Put(k20h + kWindow, 0, 3, 4, "fghi");
  ManifestWriter writer(&store_, location_, {"w1"});
  const std::vector<PartitionProgress> progress = {
      PartitionProgress{0, 7, k20h + 2 * kWindow, false},
      PartitionProgress{1, 2, k20h + 2 * kWindow, false}};
  auto wrote = writer.Run(progress, k20h + 3 * kWindow);
  ASSERT_TRUE(wrote.ok()) << wrote.status().ToString();
  ASSERT_EQ(*wrote, 2);
  auto stored = ListManifests(&store_, location_, k20h, k20h + kHour);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_EQ(stored->size(), 2u);

  Reply r = Get("/v1/tasks/orders/manifests?from=" + At(k20h) + "&to=" + At(k20h + kHour));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(r.parsed.is_object() && r.parsed["manifests"].is_array()) << r.body;
  ASSERT_EQ(r.parsed["manifests"].size(), 2u) << r.body;
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(r.parsed["manifests"][i], json::parse(ManifestToJson((*stored)[i])));
  }
  EXPECT_EQ(r.parsed["manifests"][0]["window_start"], "2025-11-25T20:00:00Z");
  EXPECT_EQ(r.parsed["manifests"][0]["objects"].size(), 2u);
  EXPECT_EQ(r.parsed["manifests"][1]["window_start"], "2025-11-25T20:05:00Z");
  EXPECT_EQ(r.parsed["manifests"][1]["objects"].size(), 1u);

  // Windows starting in [from, to).
  Reply second = Get("/v1/tasks/orders/manifests?from=2025-11-25T20:05:00Z&to=" + At(k20h + kHour));
  ASSERT_EQ(second.status, 200) << second.body;
  ASSERT_EQ(second.parsed["manifests"].size(), 1u) << second.body;
  EXPECT_EQ(second.parsed["manifests"][0]["window_start_ms"], k20h + kWindow);
  Reply first = Get("/v1/tasks/orders/manifests?from=" + At(k20h) + "&to=" + At(k20h + kWindow));
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(first.parsed["manifests"].size(), 1u) << first.body;
  EXPECT_EQ(first.parsed["manifests"][0]["window_start_ms"], k20h);
  // The default is the last day: nothing from 2025.
  Reply recent = Get("/v1/tasks/orders/manifests");
  ASSERT_EQ(recent.status, 200) << recent.body;
  EXPECT_EQ(recent.parsed, json({{"manifests", json::array()}}));
  // The manifests are served here, not as objects.
  ExpectError(Get(ObjectPath(ManifestKey(location_, k20h).value)), 404, "not_found");
  // One that cannot be read fails the range, naming its key.
  const std::string broken = ManifestKey(location_, k20h + 2 * kWindow).value;
  ASSERT_TRUE(store_.PutObject(bucket_, ObjectKey{broken}, "{not json").ok());
  ExpectError(Get("/v1/tasks/orders/manifests?from=" + At(k20h) + "&to=" + At(k20h + kHour)), 500,
              "internal", broken);
  // A range without it is still served.
  EXPECT_EQ(
      Get("/v1/tasks/orders/manifests?from=" + At(k20h) + "&to=" + At(k20h + 2 * kWindow)).status,
      200);
}

TEST_F(ArchiveRoutesTest, RefusesAManifestRangeOverAYear) {
  // 2024 is a leap year: 2024-01-01 to 2025-01-01 is 366 days, the most.
  Reply year = Get("/v1/tasks/orders/manifests?from=2024-01-01&to=2025-01-01");
  EXPECT_EQ(year.status, 200) << year.body;
  ExpectError(Get("/v1/tasks/orders/manifests?from=2024-01-01&to=2025-01-02"), 400,
              "invalid_argument", "at most a year");
  ExpectError(Get("/v1/tasks/orders/manifests?from=2020-01-01&to=2025-01-01"), 400,
              "invalid_argument", "at most a year");
  // `to` defaults to a day ahead of now: a `from` years back is over a year.
  ExpectError(Get("/v1/tasks/orders/manifests?from=2020-01-01"), 400, "invalid_argument",
              "at most a year");
  ExpectError(Get("/v1/tasks/orders/manifests?from=soon"), 400, "invalid_argument", "from");
  ExpectError(Get("/v1/tasks/orders/manifests?from=" + At(k20h) + "&to=" + At(k20h)), 400,
              "invalid_argument", "'from' must be before 'to'");
  ExpectError(Get("/v1/tasks/orders/manifests?to=1&to=2"), 400, "invalid_argument", "given twice");
}

TEST_F(ArchiveRoutesTest, AManifestRangeAtTheEdgesOfInt64IsAnsweredNotWalked) {
  // Times are clamped to 1970..9999 (ParseTimeSpec): no overflow, no walk.
  ExpectError(Get("/v1/tasks/orders/manifests?from=@-5000000000000000000&to=@5000000000000000000"),
              400, "invalid_argument", "at most a year");
  ExpectError(Get("/v1/tasks/orders/manifests?from=@-9223372036854775808"), 400, "invalid_argument",
              "at most a year");
  // No key can name a window past the year 9999: nothing, or a 400.
  Reply edge = Get("/v1/tasks/orders/manifests?from=@9223372028214775807&to=@9223372036854775807");
  EXPECT_TRUE(edge.status == 200 || edge.status == 400) << edge.status << " " << edge.body;
  if (edge.status == 200) {
    EXPECT_EQ(edge.parsed, json({{"manifests", json::array()}}));
  }
}

}  // namespace
}  // namespace k2c
