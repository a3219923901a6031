// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

// A thin blocking HTTP/1.1 client over one libcurl easy handle. Every call is
// bounded by timeouts; transport failures (no HTTP answer) become a Status
// here, while HTTP answers of any status are returned as responses for the
// caller to classify.

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace k2c {

// Limits for one request. A call never blocks longer than `total`.
struct HttpTimeouts {
  // TCP + TLS handshake.
  std::chrono::milliseconds connect{5000};
  // The whole exchange, including sending the body and reading the response.
  std::chrono::milliseconds total{60000};
  // A transfer slower than this many bytes/s for `low_speed_window` is
  // abandoned before `total` runs out: a stalled peer is caught early.
  long low_speed_bytes_per_sec = 1;
  std::chrono::seconds low_speed_window{30};
};

struct HttpRequest {
  std::string method;  // "GET", "HEAD", "PUT", "POST", "DELETE".
  // Absolute and already percent-encoded, e.g. "https://h/b/a%20b?uploads".
  std::string url;
  // Sent as given. Values may be secret (Authorization): they never appear in
  // a Status or a log line.
  std::vector<std::pair<std::string, std::string>> headers;
  // Not copied; must stay valid until Send returns.
  std::string_view body;
  HttpTimeouts timeouts;
  // A response body larger than this ends the request (Internal): a
  // misbehaving or hostile endpoint cannot grow the worker's memory. S3's
  // answers other than object bodies are small XML documents.
  uint64_t max_response_bytes = 8ull << 20;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // Names lower-cased; repeats joined with ", ".
  std::string body;

  // The header's value, or "" when absent. `lower_name` must be lower case.
  std::string Header(const std::string& lower_name) const;
};

// TLS settings for a client; fixed for its lifetime.
struct HttpClientOptions {
  // Verify the server certificate and host name. Turning this off is only for
  // test endpoints with self-signed certificates and must be explicit config.
  bool verify_tls = true;
  // PEM bundle of trusted CAs; empty uses the system store.
  std::string ca_file;
};

// The "host[:port]" a request to `url` connects to, as libcurl's own URL
// parser reads it (the parser Send() uses), so a caller can check that a URL
// it built goes where it meant. InvalidArgument if `url` does not parse.
Result<std::string> UrlAuthority(const std::string& url);

// One libcurl easy handle. Not thread-safe: use one object per thread (or
// lend objects out from a pool). Consecutive requests reuse the open
// connection (and TLS session) to the same host.
class HttpClient {
 public:
  // Initialises libcurl process-wide on first use (thread-safe).
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Performs one request. Returns the response for any HTTP status (including
  // 4xx/5xx). Errors, when no complete HTTP answer arrived:
  //   DeadlineExceeded  - a timeout fired (the request may have been applied);
  //   Unavailable       - refused, reset, DNS failure, TLS handshake failure,
  //                       truncated response;
  //   FailedPrecondition - TLS certificate not trusted / CA file unusable;
  //   InvalidArgument   - malformed URL or unsupported scheme;
  //   Internal          - anything else (including failing to create the handle).
  // Messages name the method and URL without its query, never header values.
  Result<HttpResponse> Send(const HttpRequest& request);

 private:
  HttpClientOptions options_;
  void* curl_;  // CURL*; kept opaque so this header does not pull in curl.h.
};

}  // namespace k2c
