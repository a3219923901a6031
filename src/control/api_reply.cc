// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/api_reply.h"

namespace k2c {

using nlohmann::json;

ServerResponse JsonReply(int status, const json& body) {
  // Replace, not throw, on invalid UTF-8 (a topic name or object key never
  // is, but an error message from a server could be).
  return ServerResponse{
      status, "application/json", {}, body.dump(-1, ' ', false, json::error_handler_t::replace)};
}

ServerResponse ErrorReply(const ApiError& error) {
  return JsonReply(error.http_status,
                   json{{"error", json{{"code", error.code}, {"message", error.message}}}});
}

ApiError FromStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return {400, "invalid_argument", status.message()};
    case StatusCode::kNotFound:
      return {404, "not_found", status.message()};
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kThrottled:
      return {503, "unavailable", status.message() + " (retry later)"};
    default:
      return {500, "internal", status.ToString()};
  }
}

}  // namespace k2c
