// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "storage/local_upload.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "storage/file_io.h"

namespace k2c {
namespace {

namespace fs = std::filesystem;

class LocalUploadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("k2c-upload-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes the parts and returns their CompletedPart list (number order).
  std::vector<CompletedPart> Write(LocalUpload& upload, const std::vector<int>& order) {
    std::vector<CompletedPart> parts;
    for (int n : order) {
      auto etag = upload.WritePart(n, Body(n));
      EXPECT_TRUE(etag.ok()) << etag.status().message();
      parts.push_back(CompletedPart{n, etag.ok() ? *etag : ""});
    }
    std::sort(parts.begin(), parts.end(),
              [](const CompletedPart& a, const CompletedPart& b) { return a.number < b.number; });
    return parts;
  }
  // Distinct bytes and sizes per part number.
  static std::string Body(int n) {
    return std::string(1000 + 37 * n, static_cast<char>('a' + n % 26));
  }
  static std::string Join(const std::vector<int>& numbers) {
    std::string out;
    for (int n : numbers) out += Body(n);
    return out;
  }
  int FilesStartingWith(const std::string& prefix) const {
    int count = 0;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      count += entry.path().filename().string().rfind(prefix, 0) == 0;
    }
    return count;
  }

  fs::path dir_;
};

TEST_F(LocalUploadTest, PartsSentInOrderAreWrittenOnceAndPublishedWithoutACopy) {
  LocalUpload upload(dir_);
  auto parts = Write(upload, {1, 2, 3, 4});
  EXPECT_EQ(FilesStartingWith("part-"), 0) << "no part has a file of its own";
  auto assembled = upload.Assemble(parts);
  ASSERT_TRUE(assembled.ok()) << assembled.status().message();
  EXPECT_EQ(assembled->filename(), "data") << "the data file itself is the object";
  EXPECT_FALSE(fs::exists(dir_ / "complete"));
  EXPECT_EQ(*ReadFile(*assembled), Join({1, 2, 3, 4}));
}

TEST_F(LocalUploadTest, PartsOutOfOrderAreAssembledInTheirNumbersOrder) {
  LocalUpload upload(dir_);
  auto parts = Write(upload, {2, 1, 4, 3});
  auto assembled = upload.Assemble(parts);
  ASSERT_TRUE(assembled.ok()) << assembled.status().message();
  EXPECT_EQ(assembled->filename(), "complete");
  EXPECT_EQ(*ReadFile(*assembled), Join({1, 2, 3, 4}));
}

TEST_F(LocalUploadTest, APartSentAgainReplacesTheOneInPlace) {
  LocalUpload upload(dir_);
  auto parts = Write(upload, {1, 2, 3});
  auto again = upload.WritePart(2, "second copy of part two");
  ASSERT_TRUE(again.ok());
  auto assembled = upload.Assemble(parts);
  ASSERT_TRUE(assembled.ok()) << assembled.status().message();
  EXPECT_EQ(*ReadFile(*assembled), Body(1) + "second copy of part two" + Body(3));
}

TEST_F(LocalUploadTest, CompletingWithFewerPartsThanSentCopiesAndKeepsTheRest) {
  LocalUpload upload(dir_);
  auto parts = Write(upload, {1, 2, 3});
  auto first_two = upload.Assemble({parts[0], parts[1]});
  ASSERT_TRUE(first_two.ok()) << first_two.status().message();
  EXPECT_EQ(first_two->filename(), "complete") << "data holds part 3 as well";
  EXPECT_EQ(*ReadFile(*first_two), Join({1, 2}));
  auto all = upload.Assemble(parts);
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_EQ(all->filename(), "data");
  EXPECT_EQ(*ReadFile(*all), Join({1, 2, 3}));
}

TEST_F(LocalUploadTest, NumbersMayBeSkippedButNotMissing) {
  LocalUpload upload(dir_);
  auto parts = Write(upload, {1, 3});
  auto assembled = upload.Assemble(parts);
  ASSERT_TRUE(assembled.ok()) << assembled.status().message();
  EXPECT_EQ(*ReadFile(*assembled), Join({1, 3}));
  parts.push_back(CompletedPart{7, "x"});
  auto missing = upload.Assemble(parts);
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("has no part 7"), std::string::npos);
}

TEST_F(LocalUploadTest, AClaimLeftEmptyByACrashIsNotTakenForAPart) {
  LocalUpload upload(dir_);
  ASSERT_TRUE(upload.WritePart(1, Body(1)).ok());
  std::ofstream(dir_ / "at-00002").flush();  // Claimed, then the writer died.
  auto parts = Write(upload, {3, 2});
  EXPECT_FALSE(fs::exists(dir_ / "at-00002")) << "part 2 sent again drops the stale claim";
  parts.insert(parts.begin(), CompletedPart{1, "e1"});
  auto assembled = upload.Assemble(parts);
  ASSERT_TRUE(assembled.ok()) << assembled.status().message();
  EXPECT_EQ(*ReadFile(*assembled), Join({1, 2, 3}));
}

TEST_F(LocalUploadTest, PartsWrittenConcurrentlyInAnyOrderAssembleExactly) {
  constexpr int kParts = 24;
  for (unsigned seed = 0; seed < 5; ++seed) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    LocalUpload upload(dir_);
    std::vector<int> order(kParts);
    for (int i = 0; i < kParts; ++i) order[i] = i + 1;
    // Mostly in order, as the uploaders send them, with some swapped.
    std::mt19937 random(seed);
    for (int i = 0; i < kParts / 4; ++i) {
      std::swap(order[random() % kParts], order[random() % kParts]);
    }
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([&, t] {
        for (size_t i = t; i < order.size(); i += 3) {
          ASSERT_TRUE(upload.WritePart(order[i], Body(order[i])).ok());
        }
      });
    }
    for (auto& thread : threads) thread.join();
    std::vector<CompletedPart> parts;
    std::vector<int> all;
    for (int n = 1; n <= kParts; ++n) {
      parts.push_back(CompletedPart{n, ""});
      all.push_back(n);
    }
    auto assembled = upload.Assemble(parts);
    ASSERT_TRUE(assembled.ok()) << assembled.status().message();
    EXPECT_EQ(*ReadFile(*assembled), Join(all)) << "seed " << seed;
  }
}

}  // namespace
}  // namespace k2c
