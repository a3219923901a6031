// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/console_routes.h"

#include <nlohmann/json.hpp>

#include "control/api_reply.h"
#include "control/console_assets.h"
#include "format/format.h"

namespace k2c {

using nlohmann::json;

std::optional<ServerResponse> ConsoleFileReply(const std::string& path) {
  const ConsoleAsset* asset = FindConsoleAsset(path);
  if (asset == nullptr) return std::nullopt;
  ServerResponse reply{200, std::string(asset->content_type), {}, std::string(asset->body)};
  // Everything the page loads or calls is on this worker; it is never framed.
  reply.headers.emplace_back("Content-Security-Policy",
                             "default-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
                             "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
                             "form-action 'self'");
  reply.headers.emplace_back("X-Content-Type-Options", "nosniff");
  reply.headers.emplace_back("Referrer-Policy", "no-referrer");
  // Hashed names never change content; index.html names the current ones.
  reply.headers.emplace_back("Cache-Control",
                             asset->immutable ? "public, max-age=31536000, immutable" : "no-cache");
  return reply;
}

ServerResponse InfoReply(const ControlPlane& plane) {
  const SinkConfig& sink = plane.sink();
  const TaskConfig defaults;
  json formats = json::array();
  for (const FormatInfo& format : KnownFormats()) {
    json compressions = json::array();
    for (std::string_view c : format.compressions) compressions.push_back(c);
    formats.push_back(json{{"name", format.name},
                           {"compressions", compressions},
                           {"lossless", format.lossless},
                           {"summary", format.summary}});
  }
  const StoreSummary store = plane.store_summary();
  return JsonReply(
      200, json{{"instance", plane.instance()},
                {"version", K2C_VERSION},
                {"store", json{{"type", store.type}, {"presigned_urls", store.presigned_urls}}},
                {"window", json{{"min", FormatDuration(sink.min_window)},
                                {"max", FormatDuration(sink.max_window)},
                                {"min_ms", sink.min_window.count()},
                                {"max_ms", sink.max_window.count()},
                                {"default", FormatDuration(defaults.window)},
                                {"default_ms", defaults.window.count()}}},
                {"formats", formats}});
}

ServerResponse BucketsReply(ControlPlane& plane) {
  auto names = plane.ListBuckets();
  if (!names.ok()) {
    const Status& s = names.status();
    if (s.code() == StatusCode::kPermissionDenied) {
      return ErrorReply({403, "forbidden",
                         s.message() + " (the store's credentials may not list buckets: type the "
                                       "bucket's name)"});
    }
    if (s.code() == StatusCode::kFailedPrecondition) {
      return ErrorReply({409, "cannot_list_buckets", s.message()});
    }
    return ErrorReply(FromStatus(s));
  }
  json list = json::array();
  for (const std::string& name : *names) list.push_back(json{{"name", name}});
  return JsonReply(200, json{{"buckets", list}});
}

ServerResponse HistoryReply(ControlPlane& plane, const std::string& topic) {
  json samples = json::array();
  for (const HistorySample& s : plane.History(topic)) {
    samples.push_back(json{{"at_ms", s.at_ms},
                           {"records_archived", s.records_archived},
                           {"lag", s.lag ? json(*s.lag) : json(nullptr)}});
  }
  return JsonReply(200,
                   json{{"interval_ms", plane.history_interval().count()}, {"samples", samples}});
}

}  // namespace k2c
