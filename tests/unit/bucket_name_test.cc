// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "storage/bucket_name.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace k2c {
namespace {

TEST(BucketNameTest, AcceptsS3AndCosNames) {
  for (const std::string& name :
       std::vector<std::string>{"orders-archive", "orders-archive-1250000000", "my.bucket.name",
                                "abc", "a1b", "123", std::string(63, 'a')}) {
    EXPECT_TRUE(ValidateBucketName(name).ok())
        << name << ": " << ValidateBucketName(name).ToString();
  }
}

TEST(BucketNameTest, RefusesNamesThatCouldChangeTheRequestOrBreakTheRules) {
  // The review's example: a name that made the preflight's signed PUT go to
  // 127.0.0.1:44657 (issue 11).
  for (const char* name : {"127.0.0.1:44657#",
                           "evil.example.com/x",
                           "a?b=c",
                           "a@b",
                           "a b",
                           "a\nb",
                           "a%2fb",
                           "ab",
                           "",
                           "Orders",
                           "under_score",
                           "-start",
                           "end-",
                           ".dot",
                           "dot.",
                           "a..b",
                           "192.168.5.4",
                           "xn--bucket",
                           "sthree-bucket",
                           "bucket-s3alias",
                           "bucket--ol-s3",
                           "bucket--x-s3"}) {
    Status s = ValidateBucketName(name);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << name;
    EXPECT_NE(s.message().find("S3 bucket naming rules"), std::string::npos) << s.ToString();
  }
  EXPECT_FALSE(ValidateBucketName(std::string(64, 'a')).ok());
  EXPECT_FALSE(ValidateBucketName(std::string("nul\0byte", 8)).ok());
}

}  // namespace
}  // namespace k2c
