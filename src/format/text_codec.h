// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace k2c {

// Byte-string helpers of the lossless formats: a Kafka key, value or header
// is any bytes; the archive keeps valid UTF-8 as text and the rest as base64.

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, <= U+10FFFF.
bool IsValidUtf8(std::string_view bytes);

// Appends standard base64 (RFC 4648 section 4, with padding).
void AppendBase64(std::string_view bytes, std::string* out);

// Decodes standard base64 with padding; InvalidArgument for anything else.
Result<std::string> DecodeBase64(std::string_view text);

// Appends `text` (valid UTF-8) as a JSON string with its quotes (RFC 8259):
// `"` and `\` and control characters escaped, everything else as is.
void AppendJsonString(std::string_view text, std::string* out);

}  // namespace k2c
