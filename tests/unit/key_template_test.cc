// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "sink/key_template.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>

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

namespace k2c {
namespace {

using ::testing::ElementsAre;

const std::vector<std::string> kExts = {".txt", ".txt.gz", ".jsonl", ".jsonl.zst", ".avro"};

KeyConstants Constants() { return KeyConstants{"cluster-A", "orders", "Zx9q"}; }

TEST(KeyTemplateMatchTest, ReadsTheDefaultKeyBack) {
  auto t = KeyTemplate::Parse(kDefaultKeyTemplate);
  ASSERT_TRUE(t.ok());
  KeyFields f = SampleFields();
  f.ext = ".jsonl.zst";
  auto parsed = t->Match(t->Render(f), Constants(), kExts);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->partition, 3);
  EXPECT_EQ(parsed->first_offset, 1234);
  EXPECT_EQ(parsed->window_start_min_ms, f.window_start_ms);
  // Seconds are the finest time field: a window may start within one.
  EXPECT_EQ(parsed->window_start_max_ms, f.window_start_ms + 999);
  EXPECT_EQ(parsed->ext, ".jsonl.zst");
}

TEST(KeyTemplateMatchTest, RefusesKeysOfOtherTasksTemplatesAndStrayFiles) {
  auto t = KeyTemplate::Parse(kDefaultKeyTemplate);
  ASSERT_TRUE(t.ok());
  const std::string key = t->Render(SampleFields());
  EXPECT_TRUE(t->Match(key, Constants(), kExts).has_value());
  EXPECT_FALSE(t->Match(key, KeyConstants{"cluster-A", "order", ""}, kExts).has_value());
  EXPECT_FALSE(t->Match(key, KeyConstants{"cluster-B", "orders", ""}, kExts).has_value());
  EXPECT_FALSE(t->Match(key, Constants(), {".jsonl"}).has_value());
  EXPECT_FALSE(t->Match(key + "x", Constants(), kExts).has_value());
  EXPECT_FALSE(t->Match("cluster-A/orders/_manifests/20251125T204500Z.json", Constants(), kExts)
                   .has_value());
  // A leading zero or an impossible date is not what the template renders.
  EXPECT_FALSE(t->Match("cluster-A/orders/20251125T204500Z_p03_o00000000000000001234.txt",
                        Constants(), kExts)
                   .has_value());
  EXPECT_FALSE(
      t->Match("cluster-A/orders/20250231T204500Z_p3_o00000000000000001234.txt", Constants(), kExts)
          .has_value());
}

// Fixed-width {first_offset} may touch other numbers; {partition} next to
// digits would be ambiguous (docs/archive.md), so it is kept apart here.
TEST(KeyTemplateMatchTest, AdjacentVariableFieldsAndUnknownTopicId) {
  auto t = KeyTemplate::Parse("{topic_id}_{partition}_{first_offset}{window_start_ms}{ext}");
  ASSERT_TRUE(t.ok());
  KeyFields f = SampleFields();
  f.partition = 12;
  const std::string key = t->Render(f);
  auto parsed = t->Match(key, KeyConstants{"cluster-A", "orders", ""}, kExts);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->partition, 12);
  EXPECT_EQ(parsed->first_offset, 1234);
  EXPECT_EQ(parsed->window_start_min_ms, f.window_start_ms);
}

TEST(KeyTemplateMatchTest, CoarseTimeFieldsGiveASpanOfWindowStarts) {
  auto t = KeyTemplate::Parse("{topic}/dt=%Y-%m-%d/{partition}-{first_offset}{ext}");
  ASSERT_TRUE(t.ok());
  auto parsed = t->Match("orders/dt=2025-11-25/3-00000000000000001234.txt", Constants(), kExts);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->window_start_min_ms, 1764028800000);      // 2025-11-25T00:00:00Z
  EXPECT_EQ(parsed->window_start_max_ms, 1764115200000 - 1);  // the day's last ms
  auto by_day = KeyTemplate::Parse("{topic}/%y%j/{partition}-{first_offset}");
  ASSERT_TRUE(by_day.ok());
  auto day = by_day->Match("orders/25329/3-00000000000000001234", Constants(), {""});
  ASSERT_TRUE(day.has_value());
  EXPECT_EQ(day->window_start_min_ms, 1764028800000);
}

TEST(KeyTemplateMatchTest, ReadsBackEveryKeyItRenders) {
  auto t = KeyTemplate::Parse(
      "{instance}/{topic_id}/dt=%Y-%m-%d/hour=%H/%y%j-%M%S-{window_start_ms}-{partition}-"
      "{first_offset}{ext}-100%%");
  ASSERT_TRUE(t.ok());
  for (int64_t window : {0LL, 300000LL, 1764103500000LL, 253402300799000LL}) {
    for (int32_t partition : {0, 7, 2147483647}) {
      KeyFields f = SampleFields();
      f.window_start_ms = window;
      f.partition = partition;
      f.first_offset = 9223372036854775807LL;
      auto parsed = t->Match(t->Render(f), KeyConstants{"cluster-A", "orders", ""}, kExts);
      ASSERT_TRUE(parsed.has_value()) << t->Render(f);
      EXPECT_EQ(parsed->window_start_min_ms, window);
      EXPECT_EQ(parsed->partition, partition);
    }
  }
}

int64_t Ms(const char* iso) {
  std::tm tm{};
  strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm);
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

TEST(KeyTemplatePrefixTest, AnHourOfTheDefaultTemplateListsThatHourOnly) {
  auto t = KeyTemplate::Parse(kDefaultKeyTemplate);
  ASSERT_TRUE(t.ok());
  EXPECT_THAT(t->ListingPrefixes(Constants(), Ms("2025-11-25T20:00:00"), Ms("2025-11-25T21:00:00")),
              ElementsAre("cluster-A/orders/20251125T20"));
  EXPECT_EQ(t->StaticPrefix(Constants()), "cluster-A/orders/");
}

TEST(KeyTemplatePrefixTest, RangesAreCutIntoWholeUnits) {
  auto t = KeyTemplate::Parse(kDefaultKeyTemplate);
  ASSERT_TRUE(t.ok());
  EXPECT_THAT(t->ListingPrefixes(Constants(), Ms("2025-11-30T22:00:00"), Ms("2025-12-02T01:00:00")),
              ElementsAre("cluster-A/orders/20251130T22", "cluster-A/orders/20251130T23",
                          "cluster-A/orders/20251201T", "cluster-A/orders/20251202T00"));
  EXPECT_THAT(t->ListingPrefixes(Constants(), Ms("2024-01-01T00:00:00"), Ms("2026-01-01T00:00:00")),
              ElementsAre("cluster-A/orders/2024", "cluster-A/orders/2025"));
  EXPECT_TRUE(t->ListingPrefixes(Constants(), 5000, 5000).empty());
}

TEST(KeyTemplatePrefixTest, TooManyUnitsWidenTheRange) {
  auto t = KeyTemplate::Parse(kDefaultKeyTemplate);
  ASSERT_TRUE(t.ok());
  const int64_t from = Ms("2025-11-25T20:07:13") + 250;
  const int64_t to = Ms("2025-11-27T03:59:59");
  auto prefixes = t->ListingPrefixes(Constants(), from, to, 8);
  EXPECT_LE(prefixes.size(), 8u);
  // Whatever the cut, every key of a window in range is under one prefix.
  for (int64_t w = from - from % 300000; w < to; w += 300000) {
    KeyFields f = SampleFields();
    f.window_start_ms = w;
    const std::string key = t->Render(f);
    EXPECT_TRUE(std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) {
      return key.rfind(p, 0) == 0;
    })) << key;
  }
}

TEST(KeyTemplatePrefixTest, StopsAtTheFirstFieldThatVariesPerObject) {
  auto t = KeyTemplate::Parse("{instance}/p{partition}/%Y/%m/{topic}-{first_offset}");
  ASSERT_TRUE(t.ok());
  EXPECT_THAT(t->ListingPrefixes(Constants(), Ms("2025-11-25T20:00:00"), Ms("2025-11-25T21:00:00")),
              ElementsAre("cluster-A/p"));
  auto by_id = KeyTemplate::Parse("{topic_id}/%Y%m%d/{partition}-{first_offset}");
  ASSERT_TRUE(by_id.ok());
  EXPECT_THAT(by_id->ListingPrefixes(KeyConstants{"cluster-A", "orders", ""}, 0, 1000),
              ElementsAre(""));
}

}  // namespace
}  // namespace k2c
