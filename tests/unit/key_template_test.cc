// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "sink/key_template.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace k2c {
namespace {

using ::testing::HasSubstr;

KeyFields SampleFields() {
  KeyFields f;
  f.instance = "cluster-A";
  f.topic = "orders";
  f.topic_id = "Zx9q";
  f.partition = 3;
  f.first_offset = 1234;
  f.window_start_ms = 1764103500000;  // 2025-11-25T20:45:00Z
  f.ext = ".txt";
  return f;
}

TEST(KeyTemplateTest, DefaultTemplateStartsWithInstanceTopicAndTimestamp) {
  auto t = KeyTemplate::Parse(kDefaultKeyTemplate);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->Render(SampleFields()),
            "cluster-A/orders/20251125T204500Z_p3_o00000000000000001234.txt");
}

TEST(KeyTemplateTest, HiveStyleFoldersAndAllPlaceholders) {
  auto t = KeyTemplate::Parse(
      "{instance}/{topic_id}/dt=%Y-%m-%d/hour=%H/%y%j-%M%S-{window_start_ms}-{partition}-"
      "{first_offset}{ext}-100%%");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_TRUE(t->uses_topic_id());
  EXPECT_EQ(t->Render(SampleFields()),
            "cluster-A/Zx9q/dt=2025-11-25/hour=20/25329-4500-1764103500000-3-"
            "00000000000000001234.txt-100%");
}

TEST(KeyTemplateTest, KeysSortByOffsetWithinPartition) {
  auto t = KeyTemplate::Parse(kDefaultKeyTemplate);
  ASSERT_TRUE(t.ok());
  KeyFields a = SampleFields(), b = SampleFields();
  a.first_offset = 99;
  b.first_offset = 100;
  EXPECT_LT(t->Render(a), t->Render(b));
}

// Window starts come from producers' record timestamps, so any int64 value
// must render without undefined behaviour; INT64_MIN used to overflow a
// negation (found by tests/fuzz/key_template_fuzz.cc).
TEST(KeyTemplateTest, RendersExtremeWindowStarts) {
  auto t = KeyTemplate::Parse("{topic}/%Y%m%dT%H%M%S/{window_start_ms}_{partition}_{first_offset}");
  ASSERT_TRUE(t.ok());
  KeyFields f = SampleFields();
  f.window_start_ms = INT64_MIN;
  EXPECT_THAT(t->Render(f), HasSubstr("/-9223372036854775808_3_"));
  f.window_start_ms = INT64_MIN + 1;
  EXPECT_THAT(t->Render(f), HasSubstr("/-9223372036854775807_3_"));
  f.window_start_ms = INT64_MAX;
  EXPECT_THAT(t->Render(f), HasSubstr("/9223372036854775807_3_"));
  // Negative times still round down to the second before.
  f.window_start_ms = -1;
  EXPECT_EQ(t->Render(f), "orders/19691231T235959/-1_3_00000000000000001234");
  f.window_start_ms = -1000;
  EXPECT_EQ(t->Render(f), "orders/19691231T235959/-1000_3_00000000000000001234");
  f.window_start_ms = -1001;
  EXPECT_EQ(t->Render(f), "orders/19691231T235958/-1001_3_00000000000000001234");
}

struct BadTemplate {
  std::string text;
  std::string expected_in_message;
};

class KeyTemplateErrorTest : public ::testing::TestWithParam<BadTemplate> {};

TEST_P(KeyTemplateErrorTest, RejectsWithMessageNamingTheProblem) {
  auto t = KeyTemplate::Parse(GetParam().text);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr(GetParam().expected_in_message));
}

INSTANTIATE_TEST_SUITE_P(
    All, KeyTemplateErrorTest,
    ::testing::Values(
        BadTemplate{"", "empty"},
        BadTemplate{"/{topic}/{partition}{first_offset}", "must not start with '/'"},
        BadTemplate{"{topic}/{partiton}/{first_offset}", "unknown placeholder '{partiton}'"},
        BadTemplate{"{topic}/{partition", "never closed"},
        BadTemplate{"{topic}}/{partition}{first_offset}", "unmatched '}'"},
        BadTemplate{"{topic}/%c/{partition}{first_offset}", "unsupported time field '%c'"},
        BadTemplate{"{topic}/{partition}{first_offset}%", "lone '%'"},
        BadTemplate{"{topic}/%Y/{first_offset}", "must contain {partition}"},
        BadTemplate{"{topic}/%Y/{partition}", "must contain {partition} and {first_offset}"},
        // Issue 11: two tasks in one bucket would write each other's keys.
        BadTemplate{"{instance}/%Y/{partition}_{first_offset}", "must contain {topic} or"},
        // Issue 11: a NUL made every local object land on one file.
        BadTemplate{std::string("{topic}/\0/{partition}_{first_offset}", 36),
                    "control character (code 0) at position 8"},
        BadTemplate{"{topic}/\n{partition}_{first_offset}", "control character (code 10)"}));

TEST(KeyTemplateTest, SampleIsTheLongestKey) {
  auto t = KeyTemplate::Parse(kDefaultKeyTemplate);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->RenderSample("inst", "orders", ".txt"),
            "inst/orders/99991231T235959Z_p2147483647_o09223372036854775807.txt");
}

}  // namespace
}  // namespace k2c
