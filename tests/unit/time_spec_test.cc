// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "archive/time_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace k2c {
namespace {

constexpr int64_t kNow = 1764666000000;  // 2025-12-02T09:00:00Z

int64_t Parse(const char* text) {
  auto ms = ParseTimeSpec(text, kNow);
  EXPECT_TRUE(ms.ok()) << text << ": " << ms.status().ToString();
  return ms.ok() ? *ms : -1;
}

TEST(TimeSpecTest, Rfc3339AndItsPrefixesInUtc) {
  EXPECT_EQ(Parse("2025-12-02T09:00:00Z"), kNow);
  EXPECT_EQ(Parse("2025-12-02T17:00:00+08:00"), kNow);
  EXPECT_EQ(Parse("2025-12-02T09:00:00.25Z"), kNow + 250);
  EXPECT_EQ(Parse("2025-12-02T09:00:00.123456Z"), kNow + 123);
  EXPECT_EQ(Parse("2025-12-02T09"), kNow);
  EXPECT_EQ(Parse("2025-12-02 09:30"), kNow + 30 * 60'000);
  EXPECT_EQ(Parse("2025-12-02"), kNow - 9 * 3'600'000);
  EXPECT_EQ(Parse("2025-12"), kNow - (9 * 3'600'000 + 86'400'000));
  EXPECT_EQ(Parse("1970-01-01T00:00:00Z"), 0);
}

TEST(TimeSpecTest, RelativeAndEpochForms) {
  EXPECT_EQ(Parse("now"), kNow);
  EXPECT_EQ(Parse("-2h"), kNow - 2 * 3'600'000);
  EXPECT_EQ(Parse("-90m"), kNow - 90 * 60'000);
  EXPECT_EQ(Parse("+1d"), kNow + 86'400'000);
  EXPECT_EQ(Parse("-1w"), kNow - 7 * 86'400'000LL);
  EXPECT_EQ(Parse("@1764666000000"), kNow);
}

TEST(TimeSpecTest, RefusesWhatItCannotRead) {
  for (const char* bad : {"", "yesterday", "2025-13-01", "2025-02-30", "2025-12-02T24",
                          "2025-12-02T09:00:00+0800", "-2", "-h", "-2y", "@", "@12x",
                          "2025-12-02T09:00:00.Z", "-99999999999999999d", "2025-12-02x"}) {
    auto ms = ParseTimeSpec(bad, kNow);
    EXPECT_EQ(ms.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(ms.status().message(), ::testing::HasSubstr("RFC 3339")) << bad;
  }
}

TEST(TimeSpecTest, TimesAreClampedToTheYearsWindowsCanHave) {
  EXPECT_EQ(Parse("@-9223372036854775808"), 0);
  EXPECT_EQ(Parse("@9223372036854775807"), kLastTimeSpecMs);
  EXPECT_EQ(Parse("1969-12-31T23:59:59Z"), 0);
  EXPECT_EQ(Parse("-100000w"), 0);
}

TEST(TimeSpecTest, FormatsUtcWithMillisWhenThereAreSome) {
  EXPECT_EQ(FormatTimeSpec(kNow), "2025-12-02T09:00:00Z");
  EXPECT_EQ(FormatTimeSpec(kNow + 7), "2025-12-02T09:00:00.007Z");
  EXPECT_EQ(FormatTimeSpec(0), "1970-01-01T00:00:00Z");
}

}  // namespace
}  // namespace k2c
