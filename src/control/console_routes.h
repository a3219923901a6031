// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>

#include "control/api_server.h"
#include "control/http_server.h"

namespace k2c {

// What the web console (docs/console.md) needs beside the task endpoints:
// the page itself and what its forms and charts show. The console uses the
// public API only, so anything it shows can be scripted.

// GET / and /assets/...: the console's files, compiled into the binary
// (control/console_assets.h), with a Content-Security-Policy that allows
// nothing from elsewhere. nullopt for another path.
std::optional<ServerResponse> ConsoleFileReply(const std::string& path);

// GET /v1/info: instance, version, the store's kind, the window limits and
// the formats with their compressions.
ServerResponse InfoReply(const ControlPlane& plane);

// GET /v1/buckets: the buckets the store lists (403 when the credentials
// may not list them, 409 when the store cannot).
ServerResponse BucketsReply(ControlPlane& plane);

// GET /v1/tasks/{topic}/history: the task's samples of the last hour.
ServerResponse HistoryReply(ControlPlane& plane, const std::string& topic);

}  // namespace k2c
