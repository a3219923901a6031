// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "format/encoder.h"

namespace k2c {
namespace {

TEST(TextEncoderTest, ValuesFollowedByDelimiterNullsSkippedBinaryKept) {
  auto enc = MakeEncoder("text", TextFormatOptions{"|"});
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ((*enc)->extension(), ".txt");
  std::string out;
  RecordView r;
  const std::string binary("a\0b|c", 5);
  r.value = binary;
  EXPECT_TRUE((*enc)->Append(r, &out));
  r.value.reset();
  EXPECT_FALSE((*enc)->Append(r, &out));
  r.value = std::string_view();
  EXPECT_TRUE((*enc)->Append(r, &out));
  EXPECT_EQ(out, std::string("a\0b|c||", 7));
}

TEST(TextEncoderTest, UnknownFormatIsRejectedWithKnownList) {
  auto enc = MakeEncoder("parquet", TextFormatOptions{});
  ASSERT_FALSE(enc.ok());
  EXPECT_EQ(enc.status().message(), "unknown format 'parquet' (known formats: text)");
}

}  // namespace
}  // namespace k2c
