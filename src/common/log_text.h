// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace k2c {

// `text` made safe for a quoted logfmt value (field="..."): backslashes and
// double quotes are escaped and control characters written as \n, \r, \t or
// \xNN, so text from outside (a server's error message, a record, a broker's
// log line) can neither end the field early nor start a forged log line.
std::string LogEscape(std::string_view text);

// ASCII control characters (below 0x20, and DEL): the one definition of
// what keys, templates, credentials and printed text must not contain.
inline bool IsControlChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}
bool HasControlChar(std::string_view text);

// `text` with each control character replaced by a space: for one line of a
// terminal table or message.
std::string ControlCharsToSpaces(std::string_view text);

// The status as LogEscape(status.ToString()).
inline std::string LogEscape(const Status& status) { return LogEscape(status.ToString()); }

}  // namespace k2c
