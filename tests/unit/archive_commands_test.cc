// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "cli/archive_commands.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "format/format.h"
#include "sink/key_template.h"
#include "sink/object_range.h"
#include "storage/local_store.h"

namespace k2c {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr int64_t kWindow = 5 * 60'000;
constexpr int64_t k20h = 1764100800000;  // 2025-11-25T20:00:00Z

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class ArchiveCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("k2c-archive-cli-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "root");
    store_ = std::make_unique<LocalStore>(dir_ / "root");
    ASSERT_TRUE(store_->EnsureBucket(Bucket{"archive"}).ok());
    std::ofstream(dir_ / "k.toml") << "instance_id = \"inst\"\n[kafka]\nbootstrap_servers = "
                                      "\"127.0.0.1:1\"\n[storage]\ntype = \"local\"\nroot = \""
                                   << (dir_ / "root").string()
                                   << "\"\n[[task]]\ntopic = \"orders\"\nbucket = \"archive\"\n"
                                      "format = \"jsonl\"\ncompression = \"zstd\"\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes an object of `count` records from `first` in window `window`
  // (counted from 20:00) of `partition`, as the sink would.
  std::string PutObject(const std::string& format, const std::string& compression, int window,
                        int32_t partition, int64_t first, int count) {
    FormatSettings settings;
    settings.format = format;
    settings.compression = compression;
    auto made = MakeFormat(settings);
    EXPECT_TRUE(made.ok());
    auto writer = (*made)->NewWriter(ObjectContext{"orders", partition});
    std::string body;
    for (int i = 0; i < count; ++i) {
      const std::string key = "k" + std::to_string(first + i);
      const std::string value = "v" + std::to_string(first + i);
      RecordView record;
      record.partition = partition;
      record.offset = first + i;
      record.timestamp_ms = k20h + window * kWindow + i;
      record.timestamp_type = TimestampType::kCreate;
      record.key = key;
      record.value = value;
      bool kept = false;
      EXPECT_TRUE((*writer)->Append(record, &body, &kept).ok());
    }
    EXPECT_TRUE((*writer)->Finish(&body).ok());
    KeyFields f;
    f.instance = "inst";
    f.topic = "orders";
    f.partition = partition;
    f.first_offset = first;
    f.window_start_ms = k20h + window * kWindow;
    f.ext = (*made)->extension();
    const std::string key = KeyTemplate::Parse(kDefaultKeyTemplate)->Render(f);
    ObjectRange range;
    range.first_offset = first;
    range.last_offset = first + count - 1;
    range.records = count;
    WriteOptions write;
    write.metadata = range.ToMetadata();
    EXPECT_TRUE(store_->PutObject(Bucket{"archive"}, ObjectKey{key}, body, write).ok());
    return key;
  }

  // Runs the CLI with `args`; returns the exit code, fills out_/err_.
  int Run(std::vector<std::string> args) {
    CLI::App app;
    app.require_subcommand(1);
    ArchiveCommands commands(app);
    args.insert(args.begin(), "kafka2cos");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    app.parse(static_cast<int>(argv.size()), argv.data());
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    const int code = commands.Run(out, err, k20h + 3'600'000).value_or(-1);
    auto slurp = [](std::FILE* f) {
      std::rewind(f);
      std::string s;
      char buf[4096];
      size_t n;
      while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) s.append(buf, n);
      std::fclose(f);
      return s;
    };
    out_ = slurp(out);
    err_ = slurp(err);
    return code;
  }

  fs::path dir_;
  std::unique_ptr<LocalStore> store_;
  std::string out_, err_;
};

TEST_F(ArchiveCommandsTest, LsListsARangeWithOffsetsRecordsAndSize) {
  PutObject("jsonl", "zstd", 0, 0, 0, 3);
  PutObject("jsonl", "zstd", 1, 0, 3, 2);
  PutObject("jsonl", "zstd", 0, 1, 0, 4);
  PutObject("jsonl", "zstd", 13, 0, 5, 1);  // 21:05: outside.
  const std::string config = (dir_ / "k.toml").string();
  ASSERT_EQ(Run({"ls", "orders", "-c", config, "--from", "2025-11-25T20", "--to", "2025-11-25T21",
                 "--json"}),
            0)
      << err_;
  auto listing = nlohmann::json::parse(out_);
  ASSERT_EQ(listing["objects"].size(), 3u);
  EXPECT_EQ(listing["objects"][0]["partition"], 0);
  EXPECT_EQ(listing["objects"][1]["first_offset"], 3);
  EXPECT_EQ(listing["objects"][1]["last_offset"], 4);
  EXPECT_EQ(listing["objects"][1]["window_start"], "2025-11-25T20:05:00Z");
  EXPECT_EQ(listing["objects"][2]["records"], 4);
  EXPECT_EQ(listing["objects"][2]["format"], "jsonl");
  EXPECT_EQ(listing["objects"][2]["compression"], "zstd");

  ASSERT_EQ(Run({"ls", "orders", "-c", config, "--partition", "1"}), 0) << err_;
  EXPECT_THAT(out_, HasSubstr("2025-11-25T20:00:00Z   1"));
  EXPECT_THAT(err_, HasSubstr("1 object,"));
}

TEST_F(ArchiveCommandsTest, CatPrintsRecordsInOffsetOrderPerPartition) {
  PutObject("jsonl", "zstd", 1, 0, 3, 2);
  PutObject("avro", "snappy", 0, 0, 0, 3);
  PutObject("parquet", "zstd", 0, 1, 0, 2);
  const std::string config = (dir_ / "k.toml").string();
  ASSERT_EQ(Run({"cat", "orders", "-c", config, "--from", "-1h", "--to", "now"}), 0) << err_;
  EXPECT_EQ(out_, "v0\nv1\nv2\nv3\nv4\nv0\nv1\n");
  ASSERT_EQ(Run({"cat", "orders", "-c", config, "--from", "-1h", "--to", "now", "-p", "1",
                 "--output-format", "jsonl"}),
            0)
      << err_;
  std::istringstream lines(out_);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    auto record = nlohmann::json::parse(line);
    EXPECT_EQ(record["partition"], 1);
    EXPECT_EQ(record["offset"], n);
    EXPECT_EQ(record["key"], "k" + std::to_string(n));
    ++n;
  }
  EXPECT_EQ(n, 2);
  // cat needs a range.
  EXPECT_THROW(Run({"cat", "orders", "-c", config}), CLI::RequiredError);
}

TEST_F(ArchiveCommandsTest, GetDownloadsByKeyAndResumes) {
  const std::string a = PutObject("jsonl", "zstd", 0, 0, 0, 300);
  const std::string b = PutObject("jsonl", "none", 1, 0, 300, 10);
  const std::string config = (dir_ / "k.toml").string();
  const fs::path out = dir_ / "out";
  ASSERT_EQ(
      Run({"get", "orders", "-c", config, "--from", "-1h", "--to", "now", "-o", out.string()}), 0)
      << err_;
  EXPECT_THAT(out_, HasSubstr("2 objects downloaded, 0 already complete"));
  EXPECT_EQ(ReadFile(out / a), store_->GetObject(Bucket{"archive"}, ObjectKey{a}).value());
  EXPECT_EQ(ReadFile(out / b), store_->GetObject(Bucket{"archive"}, ObjectKey{b}).value());
  // A partial download goes on from where it stopped; a complete one stays.
  const std::string whole = ReadFile(out / a);
  fs::remove(out / a);
  std::ofstream(out / (a + ".part"), std::ios::binary) << whole.substr(0, whole.size() / 2);
  ASSERT_EQ(
      Run({"get", "orders", "-c", config, "--from", "-1h", "--to", "now", "-o", out.string()}), 0)
      << err_;
  EXPECT_THAT(out_, HasSubstr("1 object downloaded, 1 already complete"));
  EXPECT_EQ(ReadFile(out / a), whole);
  EXPECT_FALSE(fs::exists(out / (a + ".part")));
}

TEST_F(ArchiveCommandsTest, BadTimesAndUnknownTopicsAreClearErrors) {
  const std::string config = (dir_ / "k.toml").string();
  EXPECT_EQ(Run({"ls", "orders", "-c", config, "--from", "yesterday"}), 1);
  EXPECT_THAT(err_, HasSubstr("--from: cannot read 'yesterday' as a time"));
  EXPECT_EQ(Run({"ls", "orders", "-c", config, "--from", "now", "--to", "-1h"}), 1);
  EXPECT_THAT(err_, HasSubstr("must be before --to"));
  EXPECT_EQ(Run({"ls", "orders", "-c", config, "--server", "http://127.0.0.1:1"}), 1);
  EXPECT_THAT(err_, HasSubstr("not both"));
}

}  // namespace
}  // namespace k2c
