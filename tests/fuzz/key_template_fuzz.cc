// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// libFuzzer target for object-key templates: KeyTemplate::Parse on the whole
// input, and Render of every template it accepts with a few sets of fields,
// extreme values included (record timestamps, hence window starts, come from
// producers); each rendered key read back with Match (the read side), which
// must never claim a key its fields do not render, and the listing prefixes
// of a range, one of which every key of a window in it must start with.
// Built with -DK2C_FUZZ=ON; run by scripts/fuzz.sh.

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
    const k2c::KeyConstants constants{fields.instance, fields.topic, fields.topic_id};
    if (auto parsed = tmpl->Match(key, constants, {fields.ext})) {
      k2c::KeyFields back = fields;
      back.partition = parsed->partition;
      back.first_offset = parsed->first_offset;
      back.window_start_ms = parsed->window_start_min_ms;
      back.ext = parsed->ext;
      if (tmpl->Render(back) != key) __builtin_trap();
    }
  }
  // A day of windows: every key of a window in the range is under a prefix.
  const int64_t from = 1764103500000;
  const int64_t to = from + 86'400'000;
  const std::vector<std::string> prefixes =
      tmpl->ListingPrefixes(k2c::KeyConstants{"i", "t", "x"}, from, to, 16);
  for (int64_t w = from; w < to; w += 3'600'000 + 7'000) {
    const std::string key = tmpl->Render({"i", "t", "x", 1, 2, w, ""});
    bool covered = false;
    for (const std::string& p : prefixes) covered |= key.compare(0, p.size(), p) == 0;
    if (!covered) __builtin_trap();
  }
  return 0;
}
