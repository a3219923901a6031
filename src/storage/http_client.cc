// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "storage/http_client.h"

#include <curl/curl.h>

#include <memory>

namespace k2c {
namespace {

// libcurl must be initialised once per process before any handle exists. A
// function-local static gives that once, thread-safely, with no other global
// state; cleanup is left to process exit (handles may outlive main's locals).
void EnsureCurlGlobalInit() {
  static const CURLcode kInit = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)kInit;  // A failure surfaces as curl_easy_init() returning null.
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// The URL as it may appear in messages: without query (upload ids, and
// presigned signatures if ever used) and without user:password@.
std::string RedactUrl(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const size_t host_start = scheme_end + 3;
  const size_t path_start = url.find('/', host_start);
  const size_t at = url.substr(0, path_start).rfind('@');
  if (at == std::string_view::npos || at < host_start) return std::string(url);
  return std::string(url.substr(0, host_start)) + std::string(url.substr(at + 1));
}

// Maps a libcurl failure to the action the caller should take.
Status TransportError(CURLcode rc, const char* errbuf, const HttpRequest& req, bool connected) {
  const std::string what = req.method + " " + RedactUrl(req.url) + ": ";
  const std::string detail = " (curl " + std::to_string(static_cast<int>(rc)) + ": " +
                             (errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc)) + ")";
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      if (!connected) {
        return Status::DeadlineExceeded(what + "could not connect within " +
                                        std::to_string(req.timeouts.connect.count()) + " ms" +
                                        detail);
      }
      return Status::DeadlineExceeded(
          what + "no complete response in time (total limit " +
          std::to_string(req.timeouts.total.count()) +
          " ms, or the transfer stalled); the request may or may not have been applied" + detail);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return Status::Unavailable(what + "could not resolve the host name" + detail);
    case CURLE_COULDNT_CONNECT:
      return Status::Unavailable(what + "could not connect (refused or unreachable)" + detail);
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return Status::Unavailable(what + "connection broken (reset or closed mid-exchange)" +
                                 detail);
    case CURLE_WEIRD_SERVER_REPLY:
      return Status::Unavailable(what + "the server's reply was not valid HTTP" + detail);
    case CURLE_SSL_CONNECT_ERROR:
      // Also what a reset during the handshake looks like, so it stays
      // retryable; the usual persistent cause is named in the message.
      return Status::Unavailable(what +
                                 "TLS handshake failed; if this persists, check that the "
                                 "endpoint's scheme (https vs http) and port are right" +
                                 detail);
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
      return Status::FailedPrecondition(
          what + "the CA bundle could not be loaded: check [storage] ca_file" + detail);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
      return Status::FailedPrecondition(
          what +
          "TLS verification failed: the server certificate is not trusted or does not match "
          "the host; fix the certificate or set [storage] ca_file to the issuing CA bundle" +
          detail);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Status::InvalidArgument(what + "malformed URL or unsupported scheme" + detail);
    default:
      return Status::Internal(what + "transfer failed" + detail);
  }
}

// Where OnBody collects a response body, and how much it may take.
struct BodySink {
  std::string* body;
  uint64_t max_bytes;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  const size_t n = size * count;
  if (sink->body->size() + n > sink->max_bytes) {
    sink->too_large = true;
    return 0;  // Makes curl fail the transfer (CURLE_WRITE_ERROR).
  }
  try {
    sink->body->append(data, n);
  } catch (...) {
    return 0;  // Fails the transfer instead of unwinding C code.
  }
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  const size_t n = size * count;
  try {
    auto* headers = static_cast<std::map<std::string, std::string>*>(user);
    const std::string_view line(data, n);
    // A new status line starts a new header block (after "100 Continue").
    if (line.starts_with("HTTP/")) {
      headers->clear();
      return n;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return n;
    const std::string name = ToLower(Trim(line.substr(0, colon)));
    const std::string_view value = Trim(line.substr(colon + 1));
    auto [it, inserted] = headers->emplace(name, std::string(value));
    if (!inserted) {
      it->second += ", ";
      it->second += value;
    }
  } catch (...) {
    return 0;
  }
  return n;
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

bool HasCrLf(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

}  // namespace

std::string HttpResponse::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)), curl_(nullptr) {
  EnsureCurlGlobalInit();
  curl_ = curl_easy_init();
}

HttpClient::~HttpClient() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Result<std::string> UrlAuthority(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> handle(curl_url(), curl_url_cleanup);
  if (!handle) return Status::Internal("curl_url failed");
  if (curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return Status::InvalidArgument("malformed URL");
  }
  char* host = nullptr;
  if (curl_url_get(handle.get(), CURLUPART_HOST, &host, 0) != CURLUE_OK || host == nullptr) {
    return Status::InvalidArgument("URL without a host");
  }
  std::string authority = host;
  curl_free(host);
  char* port = nullptr;
  if (curl_url_get(handle.get(), CURLUPART_PORT, &port, 0) == CURLUE_OK && port != nullptr) {
    authority += ":" + std::string(port);
    curl_free(port);
  }
  return authority;
}

Result<HttpResponse> HttpClient::Send(const HttpRequest& req) {
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) return Status::Internal("HTTP client: libcurl handle could not be created");
  if (req.method.empty() || HasCrLf(req.method) || HasCrLf(req.url)) {
    return Status::InvalidArgument("HTTP client: bad method or URL");
  }
  if (req.method == "GET" && !req.body.empty()) {
    return Status::InvalidArgument("HTTP client: GET with a body");
  }

  // Forget the previous request's options but keep its connection, DNS and
  // TLS session caches, which is the point of reusing the handle.
  curl_easy_reset(curl);

  SlistPtr header_list;
  auto append = [&header_list](const std::string& line) {
    curl_slist* next = curl_slist_append(header_list.get(), line.c_str());
    if (next == nullptr) return false;
    (void)header_list.release();
    header_list.reset(next);
    return true;
  };
  bool has_content_type = false;
  bool has_expect = false;
  for (const auto& [name, value] : req.headers) {
    if (name.empty() || HasCrLf(name) || HasCrLf(value)) {
      // The name is safe to show; the value may be a credential.
      return Status::InvalidArgument("HTTP client: header '" + (HasCrLf(name) ? "?" : name) +
                                     "' has an invalid name or value");
    }
    const std::string lower = ToLower(name);
    has_content_type |= lower == "content-type";
    has_expect |= lower == "expect";
    // "Name;" is curl's way of sending a header with an empty value.
    if (!append(value.empty() ? name + ";" : name + ": " + value)) {
      return Status::Internal("HTTP client: out of memory building headers");
    }
  }
  // "Expect: 100-continue" costs a round trip (or a 1 s stall on servers that
  // ignore it) per upload; errors are cheap to detect after sending instead.
  if (!has_expect && !append("Expect:")) return Status::Internal("HTTP client: out of memory");

  HttpResponse response;
  char errbuf[CURL_ERROR_SIZE];
  errbuf[0] = '\0';

  curl_easy_setopt(curl, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // Required with timeouts in threaded programs.
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);  // A redirect is an answer to classify.
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);      // Keys may contain "/../"; keep them.
  curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(req.timeouts.connect.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeouts.total.count()));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, req.timeouts.low_speed_bytes_per_sec);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,
                   static_cast<long>(req.timeouts.low_speed_window.count()));
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
  if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());

  if (req.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (req.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    // Any method with a body: curl's POST machinery sends the buffer with an
    // exact Content-Length, and CUSTOMREQUEST renames the method.
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req.body.empty() ? "" : req.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    if (req.method != "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    // Otherwise curl labels the body as a form.
    if (!has_content_type && !append("Content-Type:")) {
      return Status::Internal("HTTP client: out of memory");
    }
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list.get());
  BodySink sink{&response.body, req.max_response_bytes};
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);

  const CURLcode rc = curl_easy_perform(curl);
  // The options point at locals; drop them before returning.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  if (sink.too_large) {
    return Status::Internal(req.method + " " + RedactUrl(req.url) +
                            ": the response is larger than " +
                            std::to_string(req.max_response_bytes) + " bytes; refused");
  }
  if (rc != CURLE_OK) {
    curl_off_t connect_us = 0;
    curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &connect_us);
    return TransportError(rc, errbuf, req, connect_us > 0);
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace k2c
