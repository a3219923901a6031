// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
// ParseJsonBounded: nlohmann-json with a nesting limit.
#include "format/bounded_json.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

namespace k2c {
namespace {

TEST(BoundedJsonTest, NestingAtTheLimitIsParsed) {
  const std::string at_limit[] = {
      "[[[]]]",
      R"({"a":[{"b":1}]})",
      "[[[1]],[[2]],{\"c\":[3]}]",  // Depth is counted down again on the way out.
      " \"a scalar\" ",
  };
  for (const std::string& text : at_limit) {
    const Result<nlohmann::json> parsed = ParseJsonBounded(text, 3);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
    EXPECT_EQ(*parsed, nlohmann::json::parse(text)) << text;
  }
  const Result<nlohmann::json> scalar = ParseJsonBounded("42", 0);
  ASSERT_TRUE(scalar.ok()) << scalar.status().ToString();
  EXPECT_EQ(*scalar, 42);
}

TEST(BoundedJsonTest, OneLevelDeeperIsRefused) {
  const std::string deeper[] = {
      "[[[[]]]]", R"({"a":[{"b":{}}]})", R"([[[1]],[[[2]]]])",
      "[[[[",  // Refused for its depth before its end is seen.
  };
  for (const std::string& text : deeper) {
    const Result<nlohmann::json> parsed = ParseJsonBounded(text, 3);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_EQ(parsed.status().message(), "nested deeper than 3 levels") << text;
  }
  EXPECT_EQ(ParseJsonBounded("[]", 0).status().message(), "nested deeper than 0 levels");
}

TEST(BoundedJsonTest, InvalidJsonIsRefusedWithoutThrowing) {
  const std::string invalid[] = {
      "",
      "   ",
      "{",
      "[1,]",
      R"({"a":1,})",
      "{} trailing",
      "nul",
      "NaN",
      "1e999",                 // Out of range for a double.
      "\"\xff\"",              // Not UTF-8.
      R"("\ud800")",           // A lone surrogate.
      "\"tab\there\"",         // A control character in a string.
      "// comment\n{}",        // Comments are not JSON.
      std::string("{}\0", 3),  // nlohmann alone stops at a NUL byte.
      std::string("{\0}", 3),
  };
  for (const std::string& text : invalid) {
    Result<nlohmann::json> parsed = Status::Internal("not parsed");
    EXPECT_NO_THROW(parsed = ParseJsonBounded(text, 64)) << testing::PrintToString(text);
    ASSERT_FALSE(parsed.ok()) << testing::PrintToString(text);
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << testing::PrintToString(text);
    EXPECT_EQ(parsed.status().message(), "not valid JSON") << testing::PrintToString(text);
  }
}

TEST(BoundedJsonTest, MebibyteOfOpenBracketsIsRefusedQuickly) {
  // Built into a DOM, this would cost some 75 MiB and a walk of it a
  // million stack frames; the parse stops at bracket 65.
  const std::string text(1 << 20, '[');
  const auto start = std::chrono::steady_clock::now();
  const Result<nlohmann::json> parsed = ParseJsonBounded(text, 64);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().message(), "nested deeper than 64 levels");
  EXPECT_LT(elapsed, std::chrono::milliseconds(100));
}

}  // namespace
}  // namespace k2c
