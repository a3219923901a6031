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
bucket = "b"
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
        BadConfig{"no kafka", "[[task]]\ntopic='a'\nbucket='b'\n", "[kafka] table is required"},
        BadConfig{"unknown root key", "instance = 'x'\n" + std::string(kKafka),
                  "bad.toml:1:12: unknown key 'instance' (did you mean 'instance_id'?)"},
        BadConfig{"unknown kafka key", std::string(kKafka) + "bootstrap = 'x'\n",
                  "unknown key 'kafka.bootstrap' (did you mean 'bootstrap_servers'?)"},
        BadConfig{"unknown task key",
                  std::string(kKafka) + "[[task]]\ntopic='a'\nbucket='b'\nwindw='5m'\n",
                  "unknown key 'task[0].windw' (did you mean 'window'?)"},
        BadConfig{"window out of range",
                  std::string(kKafka) + "[[task]]\ntopic='a'\nbucket='b'\nwindow='2m'\n",
                  "window 2m is outside the allowed range 5m..1h"},
        BadConfig{"window no unit",
                  std::string(kKafka) + "[[task]]\ntopic='a'\nbucket='b'\nwindow='5'\n",
                  "'task[0].window' '5' has no valid unit"},
        BadConfig{"window not string",
                  std::string(kKafka) + "[[task]]\ntopic='a'\nbucket='b'\nwindow=300\n",
                  "must be a duration string with a unit"},
        BadConfig{"missing bucket", std::string(kKafka) + "[[task]]\ntopic='a'\n",
                  "'task[0].bucket' is required"},
        BadConfig{"bad start",
                  std::string(kKafka) + "[[task]]\ntopic='a'\nbucket='b'\nstart='beginning'\n",
                  "start is 'beginning'; use \"latest\""},
        BadConfig{"bad format",
                  std::string(kKafka) + "[[task]]\ntopic='a'\nbucket='b'\nformat='avro'\n",
                  "format is 'avro'"},
        BadConfig{"bad template",
                  std::string(kKafka) + "[[task]]\ntopic='a'\nbucket='b'\nkey_template='{topic}'\n",
                  "must contain {partition} and {first_offset}"},
        BadConfig{"duplicate topic",
                  std::string(kKafka) +
                      "[[task]]\ntopic='a'\nbucket='b'\n[[task]]\ntopic='a'\nbucket='c'\n",
                  "topic 'a' already has a task"},
        BadConfig{
            "bad size",
            std::string(kKafka) + "[[task]]\ntopic='a'\nbucket='b'\nmax_object_bytes='10MB'\n",
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
                  "'sink.memory_budget' must be at least 1MiB"},
        BadConfig{"part too small", std::string(kKafka) + "[storage]\npart_size='1MiB'\n",
                  "'storage.part_size' must be 5MiB..5GiB"}),
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

}  // namespace
}  // namespace k2c
