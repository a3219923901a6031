// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// libFuzzer target for object-key templates: KeyTemplate::Parse on the whole
// input, and Render of every template it accepts with a few sets of fields,
// extreme values included (record timestamps, hence window starts, come from
// producers). Built with -DK2C_FUZZ=ON; run by scripts/fuzz.sh.

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "sink/key_template.h"

namespace {

std::vector<k2c::KeyFields> SampleFields() {
  using I32 = std::numeric_limits<int32_t>;
  using I64 = std::numeric_limits<int64_t>;
  std::vector<k2c::KeyFields> out;
  out.push_back({"cluster-A", "orders", "wRPl6VAlQeyE77bDxEESzg", 3, 1234, 1764103500000, ".txt"});
  out.push_back({"", "", "", 0, 0, 0, ""});
  out.push_back({"i", "t", "AAAAAAAAAAAAAAAAAAAAAA", I32::max(), I64::max(), I64::max(), ".gz"});
  out.push_back({"i", "t", "x", I32::min(), I64::min(), I64::min(), "."});
  out.push_back({"i", "t", "x", -1, -1, -1, ""});
  out.push_back({"i", "t", "x", 7, 42, I64::min() + 1, ""});
  out.push_back({"i", "t", "x", 7, 42, -62167219200001, ""});  // Just before year 0.
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<k2c::KeyFields> kFields = SampleFields();
  const std::string text(reinterpret_cast<const char*>(data), size);

  k2c::Result<k2c::KeyTemplate> tmpl = k2c::KeyTemplate::Parse(text);
  if (!tmpl.ok()) {
    if (tmpl.status().code() != k2c::StatusCode::kInvalidArgument) __builtin_trap();
    return 0;
  }
  for (const k2c::KeyFields& fields : kFields) {
    const std::string key = tmpl->Render(fields);
    // {first_offset} is required, so its zero-padded form is in every key.
    if (key.find(fmt::format("{:020d}", fields.first_offset)) == std::string::npos) {
      __builtin_trap();
    }
  }
  return 0;
}
