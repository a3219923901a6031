// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "common/log_text.h"

#include <fmt/format.h>

#include <algorithm>

namespace k2c {

std::string LogEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (IsControlChar(c)) {
          out += fmt::format("\\x{:02x}", u);
        } else {
          out += c;
        }
    }
  }
  return out;
}

bool HasControlChar(std::string_view text) {
  return std::any_of(text.begin(), text.end(), IsControlChar);
}

std::string ControlCharsToSpaces(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (IsControlChar(c)) c = ' ';
  }
  return out;
}

}  // namespace k2c
