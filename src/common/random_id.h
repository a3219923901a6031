// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace k2c {

// 16 lowercase hex digits from std::random_device: names for temporary
// files, upload ids and probe objects that must not collide between
// processes. Not for secrets.
std::string RandomHex64();

}  // namespace k2c
