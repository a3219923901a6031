// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"
#include "control/http_server.h"

namespace k2c {

// An API error: HTTP status, a stable code and a message saying what to fix
// (docs/openapi.yaml, Error).
struct ApiError {
  int http_status;
  std::string code;
  std::string message;
};

// A JSON answer; invalid UTF-8 in strings is replaced, never thrown on.
ServerResponse JsonReply(int status, const nlohmann::json& body);
ServerResponse ErrorReply(const ApiError& error);

// The usual mapping of a Status from the control plane to an answer.
ApiError FromStatus(const Status& status);

}  // namespace k2c
