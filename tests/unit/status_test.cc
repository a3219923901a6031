// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "common/status.h"

#include <gtest/gtest.h>

namespace k2c {
namespace {

TEST(StatusTest, RetryableCodes) {
  EXPECT_TRUE(Status::Unavailable("x").IsRetryable());
  EXPECT_TRUE(Status::Throttled("x").IsRetryable());
  EXPECT_TRUE(Status::DeadlineExceeded("x").IsRetryable());
  EXPECT_FALSE(Status::PermissionDenied("x").IsRetryable());
  EXPECT_FALSE(Status::Ok().IsRetryable());
  EXPECT_EQ(Status::NotFound("no bucket").WithContext("put").ToString(),
            "NotFound: put: no bucket");
}

TEST(StatusTest, ResultHoldsValueOrError) {
  Result<int> good(5);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 5);
  Result<int> bad(Status::Internal("boom"));
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace k2c
