// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <latch>
#include <limits>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace k2c {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

bool IsNameChar(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
         (!first && c >= '0' && c <= '9');
}

// Whether `line` matches ^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? \S+$. Hand-written
// because GCC 12 with -fsanitize=address at -O1 and above warns
// (-Wmaybe-uninitialized, an error here) inside libstdc++'s <regex>.
bool IsSampleLine(const std::string& line) {
  size_t i = 0;
  while (i < line.size() && IsNameChar(line[i], i == 0)) ++i;
  if (i == 0) return false;
  // The value is what follows the last space; a space inside the labels
  // cannot be that one, because the value itself has none.
  const size_t space = line.rfind(' ');
  if (space == std::string::npos || space < i) return false;
  const std::string value = line.substr(space + 1);
  if (value.empty() || value.find_first_of(" \t\n\r\f\v") != std::string::npos) return false;
  if (space == i) return true;  // No labels.
  return line[i] == '{' && line[space - 1] == '}' && space - i >= 2;
}

TEST(MetricsTestHelperTest, IsSampleLineFollowsTheRegex) {
  EXPECT_TRUE(IsSampleLine("a 1"));
  EXPECT_TRUE(IsSampleLine(":a_1{x=\"y z\"} +Inf"));
  EXPECT_TRUE(IsSampleLine("a{} 1"));
  EXPECT_FALSE(IsSampleLine("1a 1"));
  EXPECT_FALSE(IsSampleLine("a-b 1"));
  EXPECT_FALSE(IsSampleLine("a"));
  EXPECT_FALSE(IsSampleLine("a "));
  EXPECT_FALSE(IsSampleLine("a  1"));
  EXPECT_FALSE(IsSampleLine("a{x=\"y\"}1"));
  EXPECT_FALSE(IsSampleLine("a{x=\"y\" 1"));
  EXPECT_FALSE(IsSampleLine("a x=\"y\"} 1"));
  EXPECT_FALSE(IsSampleLine("a 1 2"));
  EXPECT_FALSE(IsSampleLine("a 1\t"));
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(MetricsCounterTest, IncrementsAndIgnoresNegativeAndNaN) {
  Counter c;
  EXPECT_EQ(c.value(), 0);
  c.Increment();
  c.Increment(2.5);
  c.Increment(-10);
  c.Increment(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(c.value(), 3.5);
}

TEST(MetricsCounterTest, Renders) {
  MetricsRegistry registry;
  registry.GetCounter("k2c_uploads_total", "Objects uploaded.", {{"topic", "orders"}}).Increment(3);
  EXPECT_EQ(registry.Render(),
            "# HELP k2c_uploads_total Objects uploaded.\n"
            "# TYPE k2c_uploads_total counter\n"
            "k2c_uploads_total{topic=\"orders\"} 3\n");
}

TEST(MetricsGaugeTest, SetAndAdd) {
  MetricsRegistry registry;
  Gauge& g = registry.GetGauge("k2c_lag", "Consumer lag.");
  g.Set(10);
  g.Add(-3);
  g.Add(0.5);
  EXPECT_EQ(g.value(), 7.5);
  EXPECT_EQ(registry.Render(),
            "# HELP k2c_lag Consumer lag.\n"
            "# TYPE k2c_lag gauge\n"
            "k2c_lag 7.5\n");
}

TEST(MetricsValueTest, FormatsIntegersFractionsAndSpecials) {
  MetricsRegistry registry;
  registry.GetGauge("g", "", {{"v", "a"}}).Set(-42);
  registry.GetGauge("g", "", {{"v", "b"}}).Set(0.1);
  registry.GetGauge("g", "", {{"v", "c"}}).Set(1e20);
  registry.GetGauge("g", "", {{"v", "d"}}).Set(std::numeric_limits<double>::infinity());
  registry.GetGauge("g", "", {{"v", "e"}}).Set(-std::numeric_limits<double>::infinity());
  registry.GetGauge("g", "", {{"v", "f"}}).Set(std::numeric_limits<double>::quiet_NaN());
  registry.GetGauge("g", "", {{"v", "g"}}).Set(9007199254740991.0);  // 2^53 - 1
  const std::vector<std::string> lines = Lines(registry.Render());
  // No HELP line for empty help.
  EXPECT_THAT(lines, ElementsAre("# TYPE g gauge", "g{v=\"a\"} -42", "g{v=\"b\"} 0.1",
                                 "g{v=\"c\"} 1e+20", "g{v=\"d\"} +Inf", "g{v=\"e\"} -Inf",
                                 "g{v=\"f\"} NaN", "g{v=\"g\"} 9007199254740991"));
}

TEST(MetricsHistogramTest, CumulativeBucketsSumAndCount) {
  Histogram h({1, 0.1, 0.5, 0.5, std::numeric_limits<double>::infinity()});
  EXPECT_THAT(h.bucket_bounds(), ElementsAre(0.1, 0.5, 1));
  h.Observe(0.05);
  h.Observe(0.1);  // On a bound: `le` is inclusive.
  h.Observe(0.3);
  h.Observe(2);
  h.Observe(100);
  EXPECT_THAT(h.cumulative_counts(), ElementsAre(2, 3, 3, 5));
  EXPECT_DOUBLE_EQ(h.sum(), 102.45);
  EXPECT_EQ(h.count(), 5u);
}

TEST(MetricsHistogramTest, Renders) {
  MetricsRegistry registry;
  Histogram& h =
      registry.GetHistogram("k2c_upload_seconds", "Upload latency.", {0.1, 1}, {{"topic", "t"}});
  h.Observe(0.05);
  h.Observe(0.5);
  h.Observe(3);
  EXPECT_EQ(registry.Render(),
            "# HELP k2c_upload_seconds Upload latency.\n"
            "# TYPE k2c_upload_seconds histogram\n"
            "k2c_upload_seconds_bucket{topic=\"t\",le=\"0.1\"} 1\n"
            "k2c_upload_seconds_bucket{topic=\"t\",le=\"1\"} 2\n"
            "k2c_upload_seconds_bucket{topic=\"t\",le=\"+Inf\"} 3\n"
            "k2c_upload_seconds_sum{topic=\"t\"} 3.55\n"
            "k2c_upload_seconds_count{topic=\"t\"} 3\n");
}

TEST(MetricsHistogramTest, LaterBoundsAreIgnoredAndLeLabelIsRejected) {
  MetricsRegistry registry;
  Histogram& a = registry.GetHistogram("h", "", {1, 2}, {{"x", "a"}});
  Histogram& b = registry.GetHistogram("h", "", {5}, {{"x", "b"}});
  EXPECT_THAT(a.bucket_bounds(), ElementsAre(1, 2));
  EXPECT_THAT(b.bucket_bounds(), ElementsAre(1, 2));
  Histogram& bad = registry.GetHistogram("h", "", {1, 2}, {{"le", "1"}});
  bad.Observe(1);
  EXPECT_THAT(registry.Render(), Not(HasSubstr("le=\"1\"} 1\n")));
  EXPECT_EQ(a.count(), 0u);
}

TEST(MetricsHistogramTest, LatencyBucketsAreSortedFrom5msTo60s) {
  const std::vector<double> b = LatencyBucketsSeconds();
  ASSERT_FALSE(b.empty());
  EXPECT_EQ(b.front(), 0.005);
  EXPECT_EQ(b.back(), 60);
  EXPECT_TRUE(std::is_sorted(b.begin(), b.end()));
}

TEST(MetricsRegistryTest, EscapesLabelValuesAndHelp) {
  MetricsRegistry registry;
  registry.GetCounter("c", "a \\ back\nslash \"q\"", {{"path", "C:\\dir\n\"x\""}}).Increment();
  EXPECT_EQ(registry.Render(),
            "# HELP c a \\\\ back\\nslash \"q\"\n"
            "# TYPE c counter\n"
            "c{path=\"C:\\\\dir\\n\\\"x\\\"\"} 1\n");
}

TEST(MetricsRegistryTest, OutputIsSortedWhateverTheCreationOrder) {
  MetricsRegistry one;
  one.GetGauge("zeta", "z", {{"p", "2"}}).Set(1);
  one.GetGauge("zeta", "z", {{"p", "1"}}).Set(2);
  one.GetCounter("alpha", "a", {{"b", "1"}, {"a", "1"}}).Increment();
  MetricsRegistry two;
  two.GetCounter("alpha", "a", {{"a", "1"}, {"b", "1"}}).Increment();
  two.GetGauge("zeta", "z", {{"p", "1"}}).Set(2);
  two.GetGauge("zeta", "z", {{"p", "2"}}).Set(1);
  EXPECT_EQ(one.Render(), two.Render());
  EXPECT_THAT(
      Lines(one.Render()),
      ElementsAre("# HELP alpha a", "# TYPE alpha counter", "alpha{a=\"1\",b=\"1\"} 1",
                  "# HELP zeta z", "# TYPE zeta gauge", "zeta{p=\"1\"} 2", "zeta{p=\"2\"} 1"));
}

TEST(MetricsRegistryTest, SameNameAndLabelsReturnTheSameSeries) {
  MetricsRegistry registry;
  Counter& a = registry.GetCounter("c", "first help", {{"x", "1"}, {"y", "2"}});
  Counter& b = registry.GetCounter("c", "other help", {{"y", "2"}, {"x", "1"}});
  Counter& other = registry.GetCounter("c", "first help", {{"x", "2"}, {"y", "2"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &other);
  EXPECT_THAT(registry.Render(), HasSubstr("# HELP c first help\n"));
}

TEST(MetricsRegistryTest, TypeClashReturnsADummyThatIsNotRendered) {
  MetricsRegistry registry;
  Counter& c = registry.GetCounter("m", "help");
  c.Increment(5);
  Gauge& g = registry.GetGauge("m", "help");
  g.Set(99);
  Histogram& h = registry.GetHistogram("m", "help", {1});
  h.Observe(0.5);
  EXPECT_EQ(c.value(), 5);
  EXPECT_EQ(registry.Render(),
            "# HELP m help\n"
            "# TYPE m counter\n"
            "m 5\n");
  // Every clash of a type gets the same dummy; it stays usable.
  EXPECT_EQ(&g, &registry.GetGauge("m", "help", {{"x", "y"}}));
}

TEST(MetricsRegistryTest, InvalidNamesReturnADummyThatIsNotRendered) {
  MetricsRegistry registry;
  Counter& dummy = registry.GetCounter("1bad", "h");
  dummy.Increment();
  EXPECT_EQ(&dummy, &registry.GetCounter("bad-name", "h"));
  EXPECT_EQ(&dummy, &registry.GetCounter("", "h"));
  EXPECT_EQ(&dummy, &registry.GetCounter("ok", "h", {{"bad:label", "v"}}));
  EXPECT_EQ(&dummy, &registry.GetCounter("ok", "h", {{"9x", "v"}}));
  EXPECT_EQ(&dummy, &registry.GetCounter("ok", "h", {{"", "v"}}));
  EXPECT_EQ(&dummy, &registry.GetCounter("ok", "h", {{"x", "1"}, {"x", "2"}}));
  EXPECT_EQ(registry.Render(), "");
  // The valid forms are accepted.
  registry.GetCounter("ns:sub_name_total", "h", {{"_label9", "v"}}).Increment();
  EXPECT_EQ(Lines(registry.Render()).back(), "ns:sub_name_total{_label9=\"v\"} 1");
}

TEST(MetricsRegistryTest, RemoveSeriesStopsRenderingButReferenceStaysUsable) {
  MetricsRegistry registry;
  Gauge& kept = registry.GetGauge("lag", "Lag.", {{"partition", "0"}});
  Gauge& removed = registry.GetGauge("lag", "Lag.", {{"partition", "1"}});
  kept.Set(1);
  removed.Set(2);
  registry.RemoveSeries("lag", {{"partition", "1"}});
  registry.RemoveSeries("lag", {{"partition", "7"}});  // Unknown: no-op.
  registry.RemoveSeries("nope", {});
  removed.Set(3);  // Still a live object; ASan would flag a dangling one.
  EXPECT_EQ(removed.value(), 3);
  EXPECT_EQ(registry.Render(),
            "# HELP lag Lag.\n"
            "# TYPE lag gauge\n"
            "lag{partition=\"0\"} 1\n");

  // Asking again revives the same object.
  EXPECT_EQ(&registry.GetGauge("lag", "Lag.", {{"partition", "1"}}), &removed);
  EXPECT_THAT(registry.Render(), HasSubstr("lag{partition=\"1\"} 3\n"));

  // A family without live series is not rendered at all.
  registry.RemoveSeries("lag", {{"partition", "0"}});
  registry.RemoveSeries("lag", {{"partition", "1"}});
  EXPECT_EQ(registry.Render(), "");
}

TEST(MetricsRegistryTest, ConcurrentUpdatesAreExact) {
  MetricsRegistry registry;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 100000;
  // Threads run tight loops released together, to give a non-atomic add the
  // best chance of losing an update; TSan in CI catches unlocked histograms.
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&registry, &start] {
      // Each thread looks the series up itself, so creation races too.
      Counter& c = registry.GetCounter("c_total", "h", {{"k", "v"}});
      Gauge& g = registry.GetGauge("g", "h");
      Histogram& h = registry.GetHistogram("h", "h", {0.5});
      start.arrive_and_wait();
      for (int i = 0; i < kPerThread; ++i) c.Increment();
      for (int i = 0; i < kPerThread; ++i) g.Add(1);
      for (int i = 0; i < kPerThread; ++i) {
        h.Observe(i % 2 == 0 ? 0.25 : 1.0);
        if (i % 10000 == 0) registry.Render();  // Scrapes race with updates.
      }
    });
  }
  for (std::thread& t : threads) t.join();
  constexpr int kTotal = kThreads * kPerThread;
  EXPECT_EQ(registry.GetCounter("c_total", "h", {{"k", "v"}}).value(), kTotal);
  EXPECT_EQ(registry.GetGauge("g", "h").value(), kTotal);
  Histogram& h = registry.GetHistogram("h", "h", {0.5});
  EXPECT_THAT(h.cumulative_counts(), ElementsAre(kTotal / 2, kTotal));
  EXPECT_EQ(h.sum(), kTotal / 2 * 0.25 + kTotal / 2 * 1.0);
  EXPECT_THAT(registry.Render(), HasSubstr("c_total{k=\"v\"} 400000\n"));
}

TEST(MetricsRegistryTest, EverySampleLineParses) {
  MetricsRegistry registry;
  registry.GetCounter("a_total", "multi\nline help", {{"v", "sp ace\n\"q\" \\"}}).Increment(0.1);
  registry.GetGauge("b", "").Set(-std::numeric_limits<double>::infinity());
  registry.GetGauge("b", "", {{"x", ""}}).Set(std::numeric_limits<double>::quiet_NaN());
  Histogram& h = registry.GetHistogram("c:seconds", "h", LatencyBucketsSeconds(), {{"t", "}{"}});
  h.Observe(0.007);
  h.Observe(1e9);
  const std::string text = registry.Render();
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  int samples = 0;
  for (const std::string& line : Lines(text)) {
    if (line.starts_with("#")) {
      EXPECT_TRUE(line.starts_with("# HELP ") || line.starts_with("# TYPE ")) << line;
    } else {
      EXPECT_TRUE(IsSampleLine(line)) << line;
      ++samples;
    }
  }
  // 1 counter + 2 gauges + 13 buckets + +Inf + sum + count.
  EXPECT_EQ(samples, 1 + 2 + 13 + 1 + 2);
}

}  // namespace
}  // namespace k2c
