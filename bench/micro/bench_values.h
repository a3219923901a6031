// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <string>

namespace k2c::bench {

// A deterministic JSON-looking value of exactly `size` bytes, without the
// delimiter (newline) in it, like the values of a typical event topic.
inline std::string MakeValue(size_t size) {
  std::string value = R"({"event":"order_created","order_id":1234567,"payload":")";
  if (size < 2) return std::string(size, 'x');
  if (value.size() > size - 2) value.resize(size - 2);
  while (value.size() < size - 2) value.push_back(static_cast<char>('a' + value.size() % 26));
  value += "\"}";
  return value;
}

}  // namespace k2c::bench
