// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "common/random_id.h"

#include <fmt/format.h>

#include <random>

namespace k2c {

std::string RandomHex64() {
  std::random_device rd;
  return fmt::format("{:08x}{:08x}", rd(), rd());
}

}  // namespace k2c
