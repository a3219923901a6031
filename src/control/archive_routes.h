// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "archive/archive_index.h"
#include "common/status.h"
#include "control/http_server.h"
#include "storage/object_store.h"

namespace k2c {

// A task's archive as the read endpoints serve it.
struct TaskArchive {
  ObjectStore* store = nullptr;
  ArchiveLocation location;
  // How long a presigned URL stays valid ([http] presign_expiry).
  std::chrono::seconds presign_expiry{900};
};

// The parameters of a query string, percent-decoded ('+' is a space);
// InvalidArgument for a bad escape or a parameter given twice.
Result<std::map<std::string, std::string>> ParseQuery(const std::string& query);

// GET /v1/tasks/{topic}/objects?from=&to=&partition=&cursor=&limit=: one page
// of the task's objects, each described (offsets, records) from its metadata.
ServerResponse ListObjectsReply(const TaskArchive& archive, const ServerRequest& request,
                                int64_t now_ms);

// GET /v1/tasks/{topic}/objects/{key}: the object, streamed (Range honoured);
// with ?presign=1 (or true) a presigned URL of the existing object as JSON,
// with ?redirect=1 a 307 to it. Only
// keys of the task's own objects are served (404 for any other key of the
// bucket, manifests included: they have their endpoint).
ServerResponse ObjectReply(const TaskArchive& archive, const ServerRequest& request,
                           const std::string& key, int64_t now_ms);

// GET /v1/tasks/{topic}/manifests?from=&to=: the manifests of windows
// starting in the range (default: from two days before `to`, which defaults
// to a day ahead of now; at most a year).
ServerResponse ListManifestsReply(const TaskArchive& archive, const ServerRequest& request,
                                  int64_t now_ms);

}  // namespace k2c
