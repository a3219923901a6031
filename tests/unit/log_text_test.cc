// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "common/log_text.h"

#include <gtest/gtest.h>

#include <string>

namespace k2c {
namespace {

TEST(LogTextTest, OutsideTextCannotEndAFieldOrForgeALine) {
  // A server's error message, say, trying to close error="..." and start a
  // log line of its own.
  EXPECT_EQ(LogEscape("bad\" event=object_written key=x\n2026 level=info event=forged"),
            "bad\\\" event=object_written key=x\\n2026 level=info event=forged");
  EXPECT_EQ(LogEscape(std::string("a\\b\r\t\0\x1b\x7f", 8)), "a\\\\b\\r\\t\\x00\\x1b\\x7f");
  EXPECT_EQ(LogEscape("plain text, UTF-8 \xc3\xa9"), "plain text, UTF-8 \xc3\xa9");
  EXPECT_EQ(LogEscape(Status::Unavailable("reset\nagain")), "Unavailable: reset\\nagain");
}

TEST(LogTextTest, ControlCharactersAreAsciiBelowSpaceAndDelete) {
  EXPECT_TRUE(HasControlChar(std::string("a\0b", 3)));
  EXPECT_TRUE(HasControlChar("tab\there"));
  EXPECT_TRUE(HasControlChar("del\x7f"));
  EXPECT_FALSE(HasControlChar("plain ~ text, UTF-8 \xc3\xa9"));
  EXPECT_FALSE(HasControlChar(""));
  EXPECT_EQ(ControlCharsToSpaces("a\nb\x1b[31mc\x7f"), "a b [31mc ");
}

}  // namespace
}  // namespace k2c
