// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

namespace k2c {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kMinimal = R"(
[kafka]
bootstrap_servers = "127.0.0.1:9092"

[[task]]
topic = "orders"
bucket = "archive"
)";

TEST(ConfigTest, MinimalConfigGetsDocumentedDefaults) {
  auto c = ParseConfig(kMinimal, "k.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->instance_id, "");
  EXPECT_EQ(c->storage.type, StorageConfig::Type::kLocal);
  EXPECT_EQ(c->storage.root, "./archive");
  EXPECT_EQ(c->sink.flush_grace, std::chrono::seconds(5));
  EXPECT_EQ(c->sink.memory_budget, 256ull << 20);
  EXPECT_EQ(c->sink.spool_dir, "/var/tmp");
  ASSERT_EQ(c->tasks.size(), 1u);
  const TaskConfig& t = c->tasks[0];
  EXPECT_EQ(t.window, std::chrono::minutes(5));
  EXPECT_EQ(t.start, "latest");
  EXPECT_EQ(t.format, "text");
  EXPECT_EQ(t.delimiter, "\n");
  EXPECT_EQ(t.max_object_bytes, 64ull << 20);
  EXPECT_EQ(TaskGroupId("cid", "orders"), "kafka2cos.cid.orders");
}

TEST(ConfigTest, PrefetchIsAQuarterOfTheBudgetWithinBounds) {
  EXPECT_EQ(PrefetchBytes(256ull << 20), 64ull << 20);  // The default budget.
  EXPECT_EQ(PrefetchBytes(32ull << 20), 8ull << 20);
  EXPECT_EQ(PrefetchBytes(1ull << 30), 64ull << 20);  // Capped.
  EXPECT_EQ(PrefetchBytes(1ull << 20), 1ull << 20);   // Floor.
}

TEST(ConfigTest, FullConfigParses) {
  auto c = ParseConfig(R"(
instance_id = "ckafka-1"
[log]
level = "debug"
[kafka]
bootstrap_servers = "a:9092,b:9092"
[kafka.properties]
"security.protocol" = "SASL_SSL"
"fetch.max.bytes" = 1048576
[storage]
type = "s3"
endpoint = "https://cos.ap-guangzhou.myqcloud.com"
region = "ap-guangzhou"
path_style = true
access_key_id = "AK"
secret_access_key = "SK"
server_side_encryption = "AES256"
part_size = "8MiB"
request_timeout = "30s"
[sink]
flush_grace = "2s"
min_window = "1s"
max_window = "2h"
upload_threads = 8
memory_budget = "32MiB"
spool_dir = "/tmp/k2c-spool"
spool_max_bytes = "1GiB"
[[task]]
topic = "a"
bucket = "bkt"
window = "10s"
start = "earliest"
delimiter = "|"
max_object_bytes = "1MiB"
key_template = "{instance}/{topic}/dt=%Y-%m-%d/{partition}-{first_offset}{ext}"
)",
                       "full.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->instance_id, "ckafka-1");
  EXPECT_EQ(c->kafka.properties.at("fetch.max.bytes"), "1048576");
  EXPECT_EQ(c->storage.type, StorageConfig::Type::kS3);
  EXPECT_TRUE(c->storage.path_style);
  EXPECT_EQ(c->storage.part_size, 8ull << 20);
  EXPECT_EQ(c->sink.upload_threads, 8);
  EXPECT_EQ(c->sink.memory_budget, 32ull << 20);
  EXPECT_EQ(c->sink.spool_dir, "/tmp/k2c-spool");
  EXPECT_EQ(c->sink.spool_max_bytes, 1ull << 30);
  EXPECT_EQ(c->tasks[0].window, std::chrono::seconds(10));
  EXPECT_EQ(c->tasks[0].max_object_bytes, 1ull << 20);
}

TEST(ConfigTest, S3CredentialsFallBackToEnvironment) {
  setenv("AWS_ACCESS_KEY_ID", "from-env", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
  auto c = ParseConfig(R"(
[kafka]
bootstrap_servers = "k:9092"
[storage]
type = "s3"
endpoint = "http://127.0.0.1:8333"
)",
                       "e.toml");
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->storage.access_key_id, "from-env");
  EXPECT_EQ(c->storage.secret_access_key, "env-secret");
}

struct BadConfig {
  std::string name;
  std::string toml;
  std::string expected;
};

class ConfigErrorTest : public ::testing::TestWithParam<BadConfig> {};

TEST_P(ConfigErrorTest, NamesTheKeyAndSaysHowToFix) {
  auto c = ParseConfig(GetParam().toml, "bad.toml");
  ASSERT_FALSE(c.ok()) << GetParam().name;
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(c.status().message(), HasSubstr(GetParam().expected));
  EXPECT_THAT(c.status().message(), HasSubstr("bad.toml"));
}

const char* kKafka = "[kafka]\nbootstrap_servers = \"k:9092\"\n";

INSTANTIATE_TEST_SUITE_P(
    All, ConfigErrorTest,
    ::testing::Values(
        BadConfig{"syntax", "[kafka\n", "TOML syntax error"},
        BadConfig{"no kafka", "[[task]]\ntopic='a'\nbucket='bkt'\n", "[kafka] table is required"},
        BadConfig{"unknown root key", "instance = 'x'\n" + std::string(kKafka),
                  "bad.toml:1:12: unknown key 'instance' (did you mean 'instance_id'?)"},
        BadConfig{"unknown kafka key", std::string(kKafka) + "bootstrap = 'x'\n",
                  "unknown key 'kafka.bootstrap' (did you mean 'bootstrap_servers'?)"},
        BadConfig{"unknown task key",
                  std::string(kKafka) + "[[task]]\ntopic='a'\nbucket='bkt'\nwindw='5m'\n",
                  "unknown key 'task[0].windw' (did you mean 'window'?)"},
        BadConfig{"window out of range",
                  std::string(kKafka) + "[[task]]\ntopic='a'\nbucket='bkt'\nwindow='2m'\n",
                  "window 2m is outside the allowed range 5m..1h"},
        BadConfig{"window no unit",
                  std::string(kKafka) + "[[task]]\ntopic='a'\nbucket='bkt'\nwindow='5'\n",
                  "'task[0].window' '5' has no valid unit"},
        BadConfig{"window not string",
                  std::string(kKafka) + "[[task]]\ntopic='a'\nbucket='bkt'\nwindow=300\n",
                  "must be a duration string with a unit"},
        BadConfig{"missing bucket", std::string(kKafka) + "[[task]]\ntopic='a'\n",
                  "'task[0].bucket' is required"},
        BadConfig{"bad start",
                  std::string(kKafka) + "[[task]]\ntopic='a'\nbucket='bkt'\nstart='beginning'\n",
                  "start is 'beginning'; use \"latest\""},
        BadConfig{"bad format",
                  std::string(kKafka) + "[[task]]\ntopic='a'\nbucket='bkt'\nformat='orc'\n",
                  "format is 'orc'; supported formats: \"text\", \"jsonl\", \"avro\", \"parquet\""},
        BadConfig{
            "compression the format lacks",
            std::string(kKafka) +
                "[[task]]\ntopic='a'\nbucket='bkt'\nformat='avro'\ncompression='zstd'\n",
            "compression is 'zstd'; format \"avro\" supports \"snappy\", \"deflate\", \"none\""},
        BadConfig{"level of a codec without levels",
                  std::string(kKafka) +
                      "[[task]]\ntopic='a'\nbucket='bkt'\nformat='parquet'\ncompression='snappy'\n"
                      "compression_level=3\n",
                  "\"snappy\" has no levels"},
        BadConfig{
            "bad template",
            std::string(kKafka) + "[[task]]\ntopic='a'\nbucket='bkt'\nkey_template='{topic}'\n",
            "must contain {partition} and {first_offset}"},
        BadConfig{"duplicate topic",
                  std::string(kKafka) +
                      "[[task]]\ntopic='a'\nbucket='bkt'\n[[task]]\ntopic='a'\nbucket='ckt'\n",
                  "topic 'a' already has a task"},
        BadConfig{
            "bad size",
            std::string(kKafka) + "[[task]]\ntopic='a'\nbucket='bkt'\nmax_object_bytes='10MB'\n",
            "is not a size"},
        BadConfig{"bad storage type", std::string(kKafka) + "[storage]\ntype='gcs'\n",
                  "'storage.type' is 'gcs'"},
        BadConfig{"s3 no endpoint", std::string(kKafka) + "[storage]\ntype='s3'\n",
                  "'storage.endpoint' is required"},
        BadConfig{"reserved kafka property",
                  std::string(kKafka) + "[kafka.properties]\n'enable.auto.commit'='true'\n",
                  "'kafka.properties.enable.auto.commit' is set by kafka2cos itself"},
        BadConfig{"bad threads", std::string(kKafka) + "[sink]\nupload_threads=0\n",
                  "'sink.upload_threads' is 0, allowed 1..64"},
        BadConfig{"public acl", std::string(kKafka) + "[storage]\ncanned_acl='public-read'\n",
                  "'storage.canned_acl' is 'public-read'"},
        BadConfig{"tiny budget", std::string(kKafka) + "[sink]\nmemory_budget='64KiB'\n",
                  "'sink.memory_budget' is 64KiB, allowed 1MiB..1TiB"},
        BadConfig{"part too small", std::string(kKafka) + "[storage]\npart_size='1MiB'\n",
                  "'storage.part_size' is 1MiB, allowed 5MiB..5GiB"},
        // Issue 11: this became 704 ms in a 32-bit millisecond count.
        BadConfig{"huge timeout", std::string(kKafka) + "[storage]\nrequest_timeout='4294968s'\n",
                  "'storage.request_timeout' is 4294968s, allowed 1s..1h"},
        BadConfig{"huge grace", std::string(kKafka) + "[sink]\nflush_grace='100000h'\n",
                  "'sink.flush_grace' is 100000h, allowed 0s..1h"}),
    [](const auto& info) {
      std::string n = info.param.name;
      for (char& ch : n) {
        if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return n;
    });

TEST(ConfigTest, MissingS3CredentialsMessageNeverEchoesSecrets) {
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  auto c = ParseConfig(
      std::string(kKafka) + "[storage]\ntype='s3'\nendpoint='http://x'\naccess_key_id='AKID'\n",
      "s.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("AWS_SECRET_ACCESS_KEY"));
  EXPECT_THAT(c.status().message(), Not(HasSubstr("AKID")));
}

// toml++ 3.3.0 hit __builtin_unreachable() (undefined behaviour; under UBSan an
// abort) on some non-ASCII characters; found by tests/fuzz/config_fuzz.cc.
TEST(ConfigTest, NonAsciiAfterLineEndingBackslashIsParsed) {
  // A valid document: the line-ending backslash trims the newline, and U+00A7
  // is the first character of the next line.
  auto c = ParseConfig("instance_id = \"\"\"\\\n\u00a7-1\"\"\"\n" + std::string(kKafka), "u.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->instance_id, "\u00a7-1");
}

TEST(ConfigTest, NonAsciiWhereKeyOrValueExpectedIsSyntaxError) {
  for (const std::string& toml :
       {std::string("6\xcb\xb2"), "instance_id = \u0442\u0435\u0441\u0442\n" + std::string(kKafka),
        "instance_id = 'a' \u3002\n" + std::string(kKafka)}) {
    auto c = ParseConfig(toml, "u.toml");
    ASSERT_FALSE(c.ok()) << toml;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(c.status().message(), HasSubstr("TOML syntax error")) << toml;
  }
}

TEST(DurationTest, ParsesAndFormats) {
  EXPECT_EQ(*ParseDuration("250ms"), std::chrono::milliseconds(250));
  EXPECT_EQ(*ParseDuration("90s"), std::chrono::seconds(90));
  EXPECT_EQ(*ParseDuration("1h"), std::chrono::hours(1));
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_FALSE(ParseDuration("m").ok());
  EXPECT_FALSE(ParseDuration("-5m").ok());
  EXPECT_FALSE(ParseDuration("99999999999999999999s").ok());
  EXPECT_EQ(FormatDuration(std::chrono::minutes(60)), "1h");
  EXPECT_EQ(FormatDuration(std::chrono::seconds(90)), "90s");
  EXPECT_EQ(*ParseByteSize("64MiB"), 64ull << 20);
  EXPECT_EQ(*ParseByteSize("100"), 100u);
  EXPECT_FALSE(ParseByteSize("0").ok());
  EXPECT_FALSE(ParseByteSize("5TiB").ok());
}

// ---- [http] ----

// Sets (or, with nullptr, unsets) an environment variable for the lifetime of
// the object and restores the previous value afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(ConfigHttpTest, NoHttpTableMeansNoApi) {
  ScopedEnv env("KAFKA2COS_API_TOKEN", nullptr);
  auto c = ParseConfig(kKafka, "h.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->http.listen, "");
  EXPECT_EQ(c->http.token, "");
}

TEST(ConfigHttpTest, ListenTakesHostAndPort) {
  ScopedEnv env("KAFKA2COS_API_TOKEN", nullptr);
  for (const std::string listen : {"127.0.0.1:8080", "127.0.0.1:0", "[::1]:9000", "localhost:1"}) {
    auto c = ParseConfig(std::string(kKafka) + "[http]\nlisten = '" + listen + "'\n", "h.toml");
    ASSERT_TRUE(c.ok()) << listen << ": " << c.status().ToString();
    EXPECT_EQ(c->http.listen, listen);
    EXPECT_EQ(c->http.token, "");
  }
  // Reachable from other hosts: only with a token, or when the operator
  // says so (issue 11).
  for (const std::string listen : {"0.0.0.0:65535", "worker-1.internal:1", "10.0.0.5:8080"}) {
    const std::string http = std::string(kKafka) + "[http]\nlisten = '" + listen + "'\n";
    auto open = ParseConfig(http, "h.toml");
    ASSERT_FALSE(open.ok()) << listen;
    EXPECT_THAT(open.status().message(), HasSubstr("no token is set: set http.token"));
    EXPECT_TRUE(ParseConfig(http + "token = 't'\n", "h.toml").ok()) << listen;
    auto allowed =
        ParseConfig(http + "allow_unauthenticated = true\nallowed_hosts = ['k2c.lan']\n", "h.toml");
    ASSERT_TRUE(allowed.ok()) << allowed.status().ToString();
    EXPECT_EQ(allowed->http.allowed_hosts, std::vector<std::string>{"k2c.lan"});
  }
}

TEST(ConfigHttpTest, ListenThatIsNotHostPortIsRejected) {
  for (const std::string listen : {"nohost", "host:99999", "host:65536", "host:abc", "host:80x",
                                   "host:-1", ":8080", "host: 80"}) {
    auto c = ParseConfig(std::string(kKafka) + "[http]\nlisten = '" + listen + "'\n", "h.toml");
    ASSERT_FALSE(c.ok()) << listen;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(c.status().message(), HasSubstr("h.toml: 'http.listen' is '" + listen + "'"));
    EXPECT_THAT(c.status().message(), HasSubstr("127.0.0.1:8080"));
  }
}

// An empty port and one too large for int must not pass as port 0 (which
// would bind a random free port).
TEST(ConfigHttpTest, ListenWithAnEmptyOrHugePortIsRejected) {
  for (const std::string listen : {"127.0.0.1:", "127.0.0.1:99999999999"}) {
    auto c = ParseConfig(std::string(kKafka) + "[http]\nlisten = '" + listen + "'\n", "h.toml");
    EXPECT_FALSE(c.ok()) << "listen '" << listen << "' was accepted";
  }
}

TEST(ConfigHttpTest, TokenFallsBackToTheEnvironment) {
  {
    ScopedEnv env("KAFKA2COS_API_TOKEN", "from-env");
    auto c = ParseConfig(std::string(kKafka) + "[http]\nlisten = '127.0.0.1:0'\n", "h.toml");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->http.token, "from-env");
    // Also without an [http] table.
    auto bare = ParseConfig(kKafka, "h.toml");
    ASSERT_TRUE(bare.ok()) << bare.status().ToString();
    EXPECT_EQ(bare->http.token, "from-env");
    // The file wins over the environment.
    auto file = ParseConfig(std::string(kKafka) + "[http]\ntoken = 'from-file'\n", "h.toml");
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    EXPECT_EQ(file->http.token, "from-file");
  }
  {
    ScopedEnv env("KAFKA2COS_API_TOKEN", nullptr);
    auto c = ParseConfig(std::string(kKafka) + "[http]\nlisten = '127.0.0.1:0'\n", "h.toml");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->http.token, "");
  }
}

TEST(ConfigHttpTest, WrongTypeIsRejected) {
  auto c = ParseConfig(std::string(kKafka) + "[http]\nlisten = 8080\n", "h.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("'http.listen' must be a string"));
  auto t = ParseConfig("http = 'x'\n" + std::string(kKafka), "h.toml");
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("'http' must be a table ([http])"));
}

// ---- [control] ----

TEST(ConfigControlTest, DefaultsWithoutTheTable) {
  auto c = ParseConfig(kKafka, "c.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->control.tasks_topic, "");
  EXPECT_EQ(c->control.status_topic, "");
  EXPECT_EQ(c->control.replication_factor, -1);
  EXPECT_EQ(c->control.worker_id, "");
  EXPECT_EQ(c->control.status_interval, std::chrono::seconds(5));
  // An empty table keeps the defaults too.
  auto empty = ParseConfig(std::string(kKafka) + "[control]\n", "c.toml");
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(empty->control.replication_factor, -1);
  EXPECT_EQ(empty->control.status_interval, std::chrono::seconds(5));
}

TEST(ConfigControlTest, AllKeysParse) {
  auto c = ParseConfig(std::string(kKafka) + R"([control]
tasks_topic = "k2c.tasks"
status_topic = "k2c.status"
replication_factor = 3
worker_id = "worker-7:8080"
status_interval = "100ms"
)",
                       "c.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->control.tasks_topic, "k2c.tasks");
  EXPECT_EQ(c->control.status_topic, "k2c.status");
  EXPECT_EQ(c->control.replication_factor, 3);
  EXPECT_EQ(c->control.worker_id, "worker-7:8080");
  EXPECT_EQ(c->control.status_interval, std::chrono::milliseconds(100));
  for (const std::string rf : {"-1", "1", "32"}) {
    auto ok =
        ParseConfig(std::string(kKafka) + "[control]\nreplication_factor = " + rf + "\n", "c.toml");
    ASSERT_TRUE(ok.ok()) << rf << ": " << ok.status().ToString();
    EXPECT_EQ(ok->control.replication_factor, std::stoi(rf));
  }
}

const std::string kHttpKafka = kKafka;

INSTANTIATE_TEST_SUITE_P(
    ConfigHttpAndControl, ConfigErrorTest,
    ::testing::Values(
        BadConfig{"http listen no port", kHttpKafka + "[http]\nlisten='nohost'\n",
                  "'http.listen' is 'nohost'; use host:port"},
        BadConfig{"http listen port range", kHttpKafka + "[http]\nlisten='host:99999'\n",
                  "'http.listen' is 'host:99999'"},
        BadConfig{"http listen port text", kHttpKafka + "[http]\nlisten='host:abc'\n",
                  "'http.listen' is 'host:abc'"},
        BadConfig{"http unknown key", kHttpKafka + "[http]\nlisten='127.0.0.1:0'\nlistn='x'\n",
                  "unknown key 'http.listn' (did you mean 'listen'?)"},
        BadConfig{"http unknown key token", kHttpKafka + "[http]\ntokn='x'\n",
                  "unknown key 'http.tokn' (did you mean 'token'?)"},
        BadConfig{"control tasks topic", kHttpKafka + "[control]\ntasks_topic='my tasks'\n",
                  "'control.tasks_topic' is 'my tasks', not a valid Kafka topic name"},
        BadConfig{"control tasks topic dots", kHttpKafka + "[control]\ntasks_topic='..'\n",
                  "'control.tasks_topic' is '..'"},
        BadConfig{"control status topic", kHttpKafka + "[control]\nstatus_topic='a/b'\n",
                  "'control.status_topic' is 'a/b', not a valid Kafka topic name"},
        BadConfig{"control same topics",
                  kHttpKafka + "[control]\ntasks_topic='k2c.t'\nstatus_topic='k2c.t'\n",
                  "'control.tasks_topic' and 'control.status_topic' must differ"},
        BadConfig{"control worker id", kHttpKafka + "[control]\nworker_id='host/1'\n",
                  "'control.worker_id' must not contain '/'"},
        BadConfig{"control interval", kHttpKafka + "[control]\nstatus_interval='50ms'\n",
                  "'control.status_interval' is 50ms, allowed 100ms..1h"},
        BadConfig{"control interval unit", kHttpKafka + "[control]\nstatus_interval='5'\n",
                  "'control.status_interval' '5' has no valid unit"},
        BadConfig{"control rf high", kHttpKafka + "[control]\nreplication_factor=40\n",
                  "'control.replication_factor' is 40, allowed -1..32"},
        BadConfig{"control rf low", kHttpKafka + "[control]\nreplication_factor=-2\n",
                  "'control.replication_factor' is -2, allowed -1..32"},
        BadConfig{"control rf string", kHttpKafka + "[control]\nreplication_factor='3'\n",
                  "'control.replication_factor' must be an integer"},
        BadConfig{"control unknown key", kHttpKafka + "[control]\nstatus_intervall='5s'\n",
                  "unknown key 'control.status_intervall' (did you mean 'status_interval'?)"}),
    [](const auto& info) {
      std::string n = info.param.name;
      for (char& ch : n) {
        if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return n;
    });

// ---- ValidateTaskConfig / IsValidTopicName ----

TEST(ConfigTopicNameTest, FollowsKafkaRules) {
  EXPECT_TRUE(IsValidTopicName("ok.topic_name-1"));
  EXPECT_TRUE(IsValidTopicName("a"));
  EXPECT_TRUE(IsValidTopicName("..."));
  EXPECT_TRUE(IsValidTopicName(".hidden"));
  EXPECT_TRUE(IsValidTopicName(std::string(249, 'x')));
  EXPECT_FALSE(IsValidTopicName(std::string(250, 'x')));
  EXPECT_FALSE(IsValidTopicName(""));
  EXPECT_FALSE(IsValidTopicName("."));
  EXPECT_FALSE(IsValidTopicName(".."));
  EXPECT_FALSE(IsValidTopicName("a/b"));
  EXPECT_FALSE(IsValidTopicName("a b"));
  EXPECT_FALSE(IsValidTopicName("a:b"));
  EXPECT_FALSE(IsValidTopicName("caf\u00e9"));
  EXPECT_FALSE(IsValidTopicName(std::string_view("a\0b", 3)));
}

TaskConfig ValidTask() {
  TaskConfig t;
  t.topic = "orders";
  t.bucket = "archive";
  return t;
}

TEST(ConfigValidateTaskTest, AcceptsTheDefaults) {
  SinkConfig sink;
  EXPECT_TRUE(ValidateTaskConfig(ValidTask(), sink).ok());
  TaskConfig t = ValidTask();
  t.topic = "ok.topic_name-1";
  t.start = "earliest";
  t.max_object_bytes = 1024;
  t.window = sink.max_window;
  t.key_template = "{topic}/{partition}/{first_offset}";
  Status s = ValidateTaskConfig(t, sink);
  EXPECT_TRUE(s.ok()) << s.ToString();
  t.topic = std::string(249, 't');
  t.window = sink.min_window;
  EXPECT_TRUE(ValidateTaskConfig(t, sink).ok());
}

TEST(ConfigValidateTaskTest, RejectsEachBadSettingSayingWhat) {
  SinkConfig sink;
  sink.min_window = std::chrono::minutes(1);
  sink.max_window = std::chrono::minutes(30);
  struct Case {
    void (*change)(TaskConfig*);
    std::string expected;
  };
  const std::vector<Case> cases = {
      {[](TaskConfig* t) { t->topic = "."; }, "topic '.' is not a valid Kafka topic name"},
      {[](TaskConfig* t) { t->topic = ".."; }, "topic '..' is not a valid Kafka topic name"},
      {[](TaskConfig* t) { t->topic = "a/b"; }, "topic 'a/b' is not a valid Kafka topic name"},
      {[](TaskConfig* t) { t->topic = ""; }, "topic '' is not a valid Kafka topic name"},
      {[](TaskConfig* t) { t->topic = std::string(250, 'a'); }, "is not a valid Kafka topic name"},
      {[](TaskConfig* t) { t->bucket = ""; }, "bucket is required"},
      {[](TaskConfig* t) { t->window = std::chrono::seconds(59); },
       "window 59s is outside the allowed range 1m..30m"},
      {[](TaskConfig* t) { t->window = std::chrono::minutes(31); },
       "window 31m is outside the allowed range 1m..30m"},
      {[](TaskConfig* t) { t->start = "beginning"; }, "start is 'beginning'"},
      {[](TaskConfig* t) { t->format = "json"; }, "format is 'json'"},
      {[](TaskConfig* t) { t->max_object_bytes = 1023; },
       "max_object_bytes is 1023B, allowed 1KiB..1TiB"},
      {[](TaskConfig* t) { t->key_template = "{topic}"; }, "{partition}"},
  };
  for (const Case& c : cases) {
    TaskConfig t = ValidTask();
    t.window = std::chrono::minutes(5);
    c.change(&t);
    Status s = ValidateTaskConfig(t, sink);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.expected;
    EXPECT_THAT(s.message(), HasSubstr(c.expected));
  }
}

}  // namespace
}  // namespace k2c
