// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// JSON from outside (a jsonl line, a foreign Avro writer schema) parsed
// with nlohmann-json, refusing to nest deeper than a limit before the DOM is
// built: a DOM costs some 75 bytes of memory per byte of "[[[[...", which a
// small compressed object holds millions of, and code walking the DOM
// recursively must not exhaust the stack.
#ifndef K2C_FORMAT_BOUNDED_JSON_H_
#define K2C_FORMAT_BOUNDED_JSON_H_

#include <nlohmann/json.hpp>
#include <string_view>

#include "common/status.h"

namespace k2c {

// `text` (RFC 8259 JSON, UTF-8, nothing after the value) as a DOM whose
// arrays and objects nest at most `max_depth` deep (a scalar or `[]` at the
// top is depth 0 or 1 respectively; `[[1]]` is 2). InvalidArgument "nested
// deeper than <max_depth> levels" when they nest deeper, "not valid JSON"
// when `text` is not JSON. Throws nothing nlohmann-json throws.
Result<nlohmann::json> ParseJsonBounded(std::string_view text, int max_depth);

}  // namespace k2c

#endif  // K2C_FORMAT_BOUNDED_JSON_H_
