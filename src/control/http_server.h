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
//
// An answer may stream its body (an archived object, up to GiBs) instead of
// holding it: the server holds one chunk of it at a time, and bounds how many
// streams run at once, since each keeps a handler thread for its duration.

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
  // Streamed bodies sent at once. Each keeps its handler thread until its
  // last byte is written, so keep this below `handler_threads`: the threads
  // left over answer the small API calls however many clients download. An
  // answer that would start one more is replaced by a 503.
  size_t max_streams = 2;
  // The most of a streamed body read (and held) at once, per stream.
  size_t stream_chunk_bytes = 1 << 20;

  // The most request data the server holds at once, the bound that
  // docs/operations.md states.
  size_t MaxRequestBytes() const;
  // The most streamed body data the server holds at once: one chunk per
  // stream. Answers with a `body` are the handlers' to bound.
  size_t MaxStreamBytes() const;
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

// A body sent as it is read, for answers too large to hold (an archived
// object). The server sends the head with `Content-Length: length`, then asks
// `read` for one chunk at a time and writes it before asking for the next.
struct StreamedBody {
  uint64_t length = 0;
  // Appends up to `max` bytes of the body, from `offset` on, to `out` (empty
  // when called). Called on the handler thread that ran `handle`, one call at
  // a time, with `max` at most HttpServerLimits::stream_chunk_bytes; may block
  // (it reads from the store), which holds up Stop, so bound it. Fewer bytes
  // than `max` are fine, but not none: an error, none, more than `max` or a
  // throw before `length` bytes went out closes the connection. The head has
  // gone out by then, Content-Length included, so the client sees a body cut
  // short, never a wrong one; and there is no way to answer with an error
  // any more: check what can be checked (the object exists) in `handle`.
  std::function<Status(uint64_t offset, size_t max, std::string* out)> read;
};

struct ServerResponse {
  int status = 200;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Set (only by `handle`, for a status that has a body) to stream the body
  // instead: `body` is then ignored, and a Content-Length or
  // Transfer-Encoding in `headers` replaced. If `max_streams` are running,
  // the answer is a 503 from `error` instead, so do the expensive work in
  // `read`, not in `handle`. `= std::nullopt` so that initializing the
  // fields above, as most answers do, is not an incomplete initializer.
  std::optional<StreamedBody> stream = std::nullopt;
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
  // Streamed bodies: started = completed + aborted + those running now.
  uint64_t streams_started = 0;
  uint64_t streams_completed = 0;  // Every byte written.
  // Cut short: `read` failed, the client left or was too slow (timed_out
  // counts that too), or the server stopped.
  uint64_t streams_aborted = 0;
  uint64_t streams_refused = 0;  // Answered 503: `max_streams` running.
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
  // now (their answers are not sent), a stream's for the `read` under way if
  // any, not for its client. Idempotent.
  void Stop();

  HttpServerCounters counters() const;

  struct Core;  // The I/O state; defined in http_server.cc.

 private:
  std::unique_ptr<Core> core_;
  int port_ = 0;
};

// Bytes `first` to `last` (both included) of a representation.
struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;
  uint64_t length() const { return last - first + 1; }
};

// What a Range header asks of a representation of `size` bytes.
struct RangeRequest {
  enum class Kind {
    // Answer 200 with the whole representation: no Range header, or one the
    // server may ignore (RFC 9110 14.2): malformed, another unit, several
    // ranges (sending them would take a multipart body), or a suffix range
    // of a representation of 0 bytes (satisfiable, and yet no range of it
    // can be named in a Content-Range).
    kWhole,
    // Answer 206 with `range` and Content-Range: FormatContentRange.
    kPartial,
    // Answer 416 with Content-Range: FormatUnsatisfiedRange: the range
    // starts at or after the end, or is "-0".
    kUnsatisfiable,
  };
  Kind kind = Kind::kWhole;
  ByteRange range;  // For kPartial: within 0..size-1.
};

// Parses the value of a Range header (RFC 9110 14.1.2, 14.2): a single
// "bytes=first-last", "bytes=first-" or "bytes=-suffix_length", the unit in
// any case, the ranges a comma-separated list (spaces and tabs around an
// element, empty elements ignored). A last position past the end, or a
// suffix longer than the representation, stops at its end; a number beyond
// 64 bits counts as past any end, not wrapped. Range handling is defined for
// GET only: callers ignore the header on other methods.
RangeRequest ParseRangeHeader(std::string_view value, uint64_t size);
// "bytes first-last/size", for a 206.
std::string FormatContentRange(const ByteRange& range, uint64_t size);
// "bytes */size", for a 416.
std::string FormatUnsatisfiedRange(uint64_t size);

}  // namespace k2c
