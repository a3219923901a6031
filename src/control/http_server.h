// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// A bounded HTTP/1.1 server (Boost.Beast) for the worker's API. Anyone who
// reaches the port is a client, token or not, so every resource a client can
// make the server hold has a limit: the request head's size and the time it
// may take to arrive (slow-loris), the body's size (chunked or not) and time,
// the number of open connections (the one idle longest makes room for a new
// one), and the number of requests waiting for a handler thread. The head is
// screened before any body is read, so a request that will be refused never
// has its body read at all. Why not cpp-httplib: Debian 12's 0.11 reads
// chunked and compressed bodies without a bound, before routing.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace k2c {

struct HttpServerLimits {
  // Open connections; at the limit a new one closes the connection that has
  // waited longest for a request, or is closed itself if none waits.
  size_t max_connections = 256;
  // Request line plus headers.
  size_t max_head_bytes = 16 << 10;
  // The decoded body, whatever its transfer encoding.
  size_t max_body_bytes = 64 << 10;
  // From the moment a connection waits for a request until its head is in:
  // an idle keep-alive connection is closed after this too.
  std::chrono::milliseconds head_timeout{10000};
  std::chrono::milliseconds body_timeout{30000};
  std::chrono::milliseconds write_timeout{30000};
  // Threads that run `handle`; requests beyond them wait, up to
  // `max_waiting_requests`, then are answered 503 at once.
  size_t handler_threads = 4;
  size_t max_waiting_requests = 32;

  // The most request data the server holds at once, the bound that
  // docs/operations.md states.
  size_t MaxRequestBytes() const;
};

// A request as the server read it.
struct ServerRequest {
  std::string method;  // As sent: "GET", "PUT", ...
  std::string path;    // The target before '?', still percent-encoded.
  std::string query;   // After '?', without it; "" if none.
  std::vector<std::pair<std::string, std::string>> headers;
  // True if the request declared a body (a Content-Length above 0 or a
  // chunked transfer encoding); `body` is filled only for `handle`.
  bool declares_body = false;
  std::string body;

  // The first header of that name (case-insensitive), or "" if absent.
  std::string Header(std::string_view name) const;
};

struct ServerResponse {
  int status = 200;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// How many connections and requests the server saw; for tests and metrics.
struct HttpServerCounters {
  uint64_t accepted = 0;
  uint64_t evicted = 0;    // Idle connections closed to make room.
  uint64_t refused = 0;    // New connections closed: no room, none idle.
  uint64_t timed_out = 0;  // Head, body or write took too long.
  uint64_t too_large = 0;  // Head or body over its limit (431/413).
  uint64_t busy = 0;       // Answered 503: every handler thread busy.
  size_t open = 0;         // Connections open now.
};

class HttpServer {
 public:
  struct Handlers {
    // Sees each request's head (no body yet) on the I/O thread, so it must
    // not block. Returns the answer for a request that needs no handler
    // thread (refusals, /healthz), or nullopt to read the body and pass the
    // request to `handle`. A body left unread closes the connection.
    std::function<std::optional<ServerResponse>(const ServerRequest&)> screen;
    // Answers a screened request, body included, on a handler thread; may block.
    std::function<ServerResponse(const ServerRequest&)> handle;
    // The answer the server itself gives: 400 (unparsable), 413, 431, 503
    // (busy), 500 (a handler threw); `message` says which and what to do.
    std::function<ServerResponse(int status, const std::string& message)> error;
  };

  explicit HttpServer(Handlers handlers, HttpServerLimits limits = {});
  ~HttpServer();  // Stops.
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds host:port (port 0 picks a free one; host an address or a name that
  // resolves to one) and starts the I/O and handler threads. Unavailable if
  // the address cannot be bound (in use, not local). Without SO_REUSEPORT: a
  // second server on a bound port fails instead of sharing its connections.
  Status Start(const std::string& host, int port);
  int port() const { return port_; }
  // Closes the listener and every connection; waits for handlers running
  // now (their answers are not sent). Idempotent.
  void Stop();

  HttpServerCounters counters() const;

  struct Core;  // The I/O state; defined in http_server.cc.

 private:
  std::unique_ptr<Core> core_;
  int port_ = 0;
};

}  // namespace k2c
