// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "storage/s3_store.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "storage/sigv4.h"

namespace k2c {
namespace {

using std::chrono::milliseconds;

// ----------------------------------------------------------------------------
// A tiny HTTP/1.1 server on 127.0.0.1 that records requests and answers with
// canned responses, byte for byte as a test wants them (including malformed
// ones a real server library would not send). Supports keep-alive,
// Content-Length bodies and delays. It
// also serves as an HTTP proxy (absolute request targets), which lets a test
// send requests for any host name to it (ScopedHttpProxy).

struct ReceivedRequest {
  std::string method;
  std::string target;                          // As sent: encoded path plus "?query".
  std::string path;                            // Encoded path only (also when proxied).
  std::string query;                           // Encoded query only, without '?'.
  std::map<std::string, std::string> headers;  // Lower-case names.
  std::string body;

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

struct CannedResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  milliseconds delay{0};  // Before answering, to provoke client timeouts.
};

CannedResponse WithStatus(int status) {
  CannedResponse r;
  r.status = status;
  return r;
}

using Handler = std::function<CannedResponse(const ReceivedRequest&)>;

class FakeS3Server {
 public:
  explicit FakeS3Server(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;  // Any free port.
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        listen(listen_fd_, 64) != 0) {
      ADD_FAILURE() << "fake server: bind/listen failed";
      return;
    }
    socklen_t len = sizeof(addr);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }

  ~FakeS3Server() {
    stop_ = true;
    if (acceptor_.joinable()) acceptor_.join();
    std::vector<std::thread> workers;
    {
      std::lock_guard<std::mutex> lock(mu_);
      workers.swap(workers_);
    }
    for (std::thread& t : workers) t.join();
    close(listen_fd_);
  }

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<ReceivedRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  // Waits up to 50 ms for `fd` to become readable; false when stopping.
  bool WaitReadable(int fd) {
    pollfd p{fd, POLLIN, 0};
    while (!stop_) {
      const int r = poll(&p, 1, 50);
      if (r > 0) return true;
      if (r < 0) return false;
    }
    return false;
  }

  void AcceptLoop() {
    while (WaitReadable(listen_fd_)) {
      const int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      std::lock_guard<std::mutex> lock(mu_);
      workers_.emplace_back([this, fd] {
        Serve(fd);
        close(fd);
      });
    }
  }

  // Reads until `buf` holds at least `n` bytes; false on EOF, error or stop.
  bool ReadAtLeast(int fd, std::string& buf, size_t n) {
    char chunk[65536];
    while (buf.size() < n) {
      if (!WaitReadable(fd)) return false;
      const ssize_t got = recv(fd, chunk, sizeof(chunk), 0);
      if (got <= 0) return false;
      buf.append(chunk, static_cast<size_t>(got));
    }
    return true;
  }

  void Serve(int fd) {
    std::string buf;
    while (!stop_) {
      size_t header_end;
      while ((header_end = buf.find("\r\n\r\n")) == std::string::npos) {
        if (!ReadAtLeast(fd, buf, buf.size() + 1)) return;
      }
      ReceivedRequest req;
      const std::string head = buf.substr(0, header_end);
      size_t line_end = head.find("\r\n");
      const std::string request_line = head.substr(0, line_end);
      const size_t sp1 = request_line.find(' ');
      const size_t sp2 = request_line.rfind(' ');
      req.method = request_line.substr(0, sp1);
      req.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
      // A proxied request names the origin: "http://host/path?query".
      const std::string origin_form = req.target.starts_with("http://")
                                          ? req.target.substr(req.target.find('/', 7))
                                          : req.target;
      const size_t q = origin_form.find('?');
      req.path = origin_form.substr(0, q);
      req.query = q == std::string::npos ? "" : origin_form.substr(q + 1);
      while (line_end != std::string::npos && line_end < head.size()) {
        const size_t next = head.find("\r\n", line_end + 2);
        const std::string line = head.substr(line_end + 2, next - line_end - 2);
        const size_t colon = line.find(':');
        if (colon != std::string::npos) {
          std::string name = line.substr(0, colon);
          for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          size_t v = colon + 1;
          while (v < line.size() && line[v] == ' ') ++v;
          req.headers[name] = line.substr(v);
        }
        line_end = next;
      }
      const size_t body_len =
          req.headers.count("content-length") ? std::stoul(req.headers["content-length"]) : 0;
      if (!ReadAtLeast(fd, buf, header_end + 4 + body_len)) return;
      req.body = buf.substr(header_end + 4, body_len);
      buf.erase(0, header_end + 4 + body_len);
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(req);
      }

      const CannedResponse resp = handler_(req);
      for (auto waited = milliseconds(0); waited < resp.delay && !stop_;
           waited += milliseconds(10)) {
        std::this_thread::sleep_for(milliseconds(10));
      }
      std::string out = "HTTP/1.1 " + std::to_string(resp.status) + " X\r\n";
      bool has_length = false;  // A canned one describes the object a HEAD is about.
      for (const auto& [name, value] : resp.headers) {
        out += name + ": " + value + "\r\n";
        has_length |= name == "Content-Length" || name == "content-length";
      }
      const bool head_request = req.method == "HEAD";
      if (!has_length) {
        out += "Content-Length: " + std::to_string(head_request ? 0 : resp.body.size()) + "\r\n";
      }
      out += "\r\n";
      if (!head_request) out += resp.body;
      size_t sent = 0;
      while (sent < out.size()) {
        // MSG_NOSIGNAL: the client may have hung up after timing out.
        const ssize_t n = send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;
        sent += static_cast<size_t>(n);
      }
    }
  }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::vector<std::thread> workers_;       // Guarded by mu_.
  std::vector<ReceivedRequest> requests_;  // Guarded by mu_.
};

// ----------------------------------------------------------------------------

constexpr char kAccessKey[] = "AKIDTESTKEY12345";
constexpr char kSecret[] = "TopSecretValue/For+Tests0123456789abcdef";
constexpr char kToken[] = "SessionTokenSecretValue==";
// 2026-01-02T03:04:05Z.
const std::chrono::system_clock::time_point kNow =
    std::chrono::system_clock::from_time_t(1767323045);

S3Options OptionsFor(const std::string& endpoint) {
  S3Options o;
  o.endpoint = endpoint;
  o.region = "us-west-2";
  o.path_style = true;
  o.access_key_id = kAccessKey;
  o.secret_access_key = kSecret;
  o.connect_timeout_ms = 2000;
  o.request_timeout_ms = 5000;
  return o;
}

std::unique_ptr<S3Store> MakeStore(S3Options options) {
  Result<std::unique_ptr<S3Store>> store = S3Store::Create(std::move(options), [] { return kNow; });
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

CannedResponse XmlError(int status, const std::string& code, const std::string& request_id) {
  return {status,
          {{"Content-Type", "application/xml"}, {"x-amz-request-id", request_id}},
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code +
              "</Code><Message>msg</Message><RequestId>" + request_id + "</RequestId></Error>",
          milliseconds(0)};
}

// Re-signs what the server received, so the test proves that the bytes on the
// wire (path encoding, host, headers) are exactly what was signed.
void ExpectSignatureMatchesWire(const ReceivedRequest& r, const std::string& raw_path,
                                const HttpFields& raw_query, const std::string& session_token) {
  const std::string auth = r.Header("authorization");
  const size_t sh = auth.find("SignedHeaders=");
  ASSERT_NE(sh, std::string::npos) << auth;
  const std::string signed_list = auth.substr(sh + 14, auth.find(',', sh) - sh - 14);
  SigV4Request req;
  req.method = r.method;
  req.path = raw_path;
  req.query = raw_query;
  req.payload_sha256 = r.Header("x-amz-content-sha256");
  size_t start = 0;
  while (start <= signed_list.size()) {
    const size_t end = std::min(signed_list.find(';', start), signed_list.size());
    const std::string name = signed_list.substr(start, end - start);
    if (name != "x-amz-date" && name != "x-amz-content-sha256" && name != "x-amz-security-token") {
      req.headers.emplace_back(name, r.Header(name));
    }
    start = end + 1;
  }
  Result<SigV4Signature> sig =
      SignRequest(req, {kAccessKey, kSecret, session_token}, {"us-west-2", "s3"}, kNow);
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  EXPECT_EQ(sig->authorization, auth);
}

// Sends this process's plain-HTTP requests to `proxy` (libcurl reads
// http_proxy when a transfer starts) for the guard's lifetime, so requests for
// a host name such as a COS endpoint's reach the fake server without DNS.
class ScopedHttpProxy {
 public:
  explicit ScopedHttpProxy(const std::string& proxy) {
    for (const char* name : {"http_proxy", "no_proxy", "NO_PROXY"}) {
      const char* value = std::getenv(name);
      saved_.emplace_back(name, value ? std::optional<std::string>(value) : std::nullopt);
      unsetenv(name);
    }
    setenv("http_proxy", proxy.c_str(), 1);
  }
  ~ScopedHttpProxy() {
    for (const auto& [name, value] : saved_) {
      if (value.has_value()) {
        setenv(name.c_str(), value->c_str(), 1);
      } else {
        unsetenv(name.c_str());
      }
    }
  }
  ScopedHttpProxy(const ScopedHttpProxy&) = delete;
  ScopedHttpProxy& operator=(const ScopedHttpProxy&) = delete;

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST(S3StoreTest, PutObjectSignsWithScopeAndRealPayloadHash) {
  FakeS3Server server([](const ReceivedRequest&) {
    return CannedResponse{200, {{"ETag", "\"5d41402abc4b2a76b9719d911017c592\""}}, "", {}};
  });
  std::unique_ptr<S3Store> store = MakeStore(OptionsFor(server.endpoint()));
  const std::string key = "topic=t 1/dt=2026-01-01/\xC3\xBC+x~y.bin";
  ASSERT_TRUE(store->PutObject(Bucket{"bkt"}, ObjectKey{key}, "hello").ok());

  const std::vector<ReceivedRequest> reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const ReceivedRequest& r = reqs[0];
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.target, "/bkt/topic%3Dt%201/dt%3D2026-01-01/%C3%BC%2Bx~y.bin");
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(r.Header("host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(r.Header("x-amz-content-sha256"), Sha256Hex("hello"));
  EXPECT_EQ(r.Header("content-md5"), "XUFAKrxLKna5cZ2REBfFkg==");  // MD5("hello").
  EXPECT_EQ(r.Header("x-amz-acl"), "private");
  EXPECT_EQ(r.Header("x-amz-date"), "20260102T030405Z");
  EXPECT_EQ(r.Header("x-amz-server-side-encryption"), "");
  EXPECT_EQ(r.Header("expect"), "");
  EXPECT_TRUE(r.Header("authorization")
                  .starts_with("AWS4-HMAC-SHA256 Credential=AKIDTESTKEY12345/20260102/us-west-2/"
                               "s3/aws4_request, SignedHeaders=content-md5;content-type;host;"
                               "x-amz-acl;x-amz-content-sha256;x-amz-date, Signature="))
      << r.Header("authorization");
  ExpectSignatureMatchesWire(r, "/bkt/" + key, {}, "");
}

TEST(S3StoreTest, SessionTokenAndEncryptionHeadersAreSentAndSigned) {
  FakeS3Server server([](const ReceivedRequest&) { return CannedResponse{}; });
  S3Options options = OptionsFor(server.endpoint());
  options.session_token = kToken;
  options.server_side_encryption = "aws:kms";
  options.canned_acl = "";
  std::unique_ptr<S3Store> store = MakeStore(options);
  ASSERT_TRUE(store->PutObject(Bucket{"bkt"}, ObjectKey{"k"}, "").ok());
  const ReceivedRequest r = server.requests().at(0);
  EXPECT_EQ(r.Header("x-amz-security-token"), kToken);
  EXPECT_EQ(r.Header("x-amz-server-side-encryption"), "aws:kms");
  EXPECT_EQ(r.headers.count("x-amz-acl"), 0u);
  EXPECT_EQ(r.Header("content-length"), "0");
  EXPECT_NE(r.Header("authorization").find("x-amz-security-token;x-amz-server-side-encryption"),
            std::string::npos);
  ExpectSignatureMatchesWire(r, "/bkt/k", {}, kToken);
}

TEST(S3StoreTest, VirtualHostedStylePutsBucketInHost) {
  FakeS3Server server([](const ReceivedRequest&) { return CannedResponse{}; });
  S3Options options = OptionsFor("http://localhost:" + std::to_string(server.port()));
  options.path_style = false;
  std::unique_ptr<S3Store> store = MakeStore(options);
  // curl resolves *.localhost to loopback, so no DNS is needed.
  ASSERT_TRUE(store->PutObject(Bucket{"bkt"}, ObjectKey{"a/b"}, "x").ok());
  const ReceivedRequest r = server.requests().at(0);
  EXPECT_EQ(r.Header("host"), "bkt.localhost:" + std::to_string(server.port()));
  EXPECT_EQ(r.target, "/a/b");
  ExpectSignatureMatchesWire(r, "/a/b", {}, "");
}

TEST(S3StoreTest, ABucketNameCannotSendTheSignedRequestToAnotherHost) {
  // Issue 11: with a virtual-hosted endpoint, the bucket "127.0.0.1:<port>#"
  // made the host "127.0.0.1:<port>#.s3.example.invalid", which libcurl
  // reads as host 127.0.0.1, port <port>: a signed PUT to a server of the
  // requester's choosing (here, the fake server).
  FakeS3Server server([](const ReceivedRequest&) { return CannedResponse{}; });
  S3Options options = OptionsFor("http://s3.example.invalid");
  options.path_style = false;
  std::unique_ptr<S3Store> store = MakeStore(options);
  const std::string hostile = "127.0.0.1:" + std::to_string(server.port()) + "#";
  for (const Status& s :
       {store->PutObject(Bucket{hostile}, ObjectKey{"k"}, "x"),
        store->DeleteObject(Bucket{hostile}, ObjectKey{"k"}), store->HeadBucket(Bucket{hostile})}) {
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
    EXPECT_NE(s.message().find("S3 bucket naming rules"), std::string::npos) << s.ToString();
  }
  EXPECT_TRUE(server.requests().empty());
}

TEST(S3StoreTest, AnEndlessAnswerIsCutOffNotKeptInMemory) {
  // Issue 11: responses from the storage endpoint are size-bounded.
  FakeS3Server server([](const ReceivedRequest&) {
    CannedResponse r;
    r.body = std::string(9 << 20, 'x');  // 9 MiB of "XML".
    return r;
  });
  std::unique_ptr<S3Store> store = MakeStore(OptionsFor(server.endpoint()));
  auto page = store->ListObjects(Bucket{"bkt"}, "", "");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kInternal) << page.status().ToString();
  EXPECT_NE(page.status().message().find("larger than 8388608 bytes"), std::string::npos)
      << page.status().ToString();
}

TEST(S3StoreTest, UrlAuthorityIsWhatLibcurlConnectsTo) {
  EXPECT_EQ(UrlAuthority("http://bkt.s3.example.com:9000/a/b?x=1").value(),
            "bkt.s3.example.com:9000");
  EXPECT_EQ(UrlAuthority("https://s3.example.com/k").value(), "s3.example.com");
  // The attack above, as libcurl reads it.
  EXPECT_EQ(UrlAuthority("http://127.0.0.1:44657#.s3.example.invalid/k").value(),
            "127.0.0.1:44657");
  EXPECT_FALSE(UrlAuthority("not a url").ok());
}

TEST(S3StoreTest, SlowDownIsThrottled) {
  FakeS3Server server([](const ReceivedRequest&) { return XmlError(503, "SlowDown", "RID-503"); });
  std::unique_ptr<S3Store> store = MakeStore(OptionsFor(server.endpoint()));
  const Status s = store->PutObject(Bucket{"bkt"}, ObjectKey{"k"}, "data");
  EXPECT_EQ(s.code(), StatusCode::kThrottled) << s.ToString();
  EXPECT_NE(s.message().find("SlowDown"), std::string::npos);
  EXPECT_NE(s.message().find("RID-503"), std::string::npos);
  EXPECT_NE(s.message().find("HTTP 503"), std::string::npos);
}

TEST(S3StoreTest, AccessDeniedIsPermissionDenied) {
  FakeS3Server server(
      [](const ReceivedRequest&) { return XmlError(403, "AccessDenied", "RID-403"); });
  std::unique_ptr<S3Store> store = MakeStore(OptionsFor(server.endpoint()));
  const Status s = store->PutObject(Bucket{"bkt"}, ObjectKey{"k"}, "data");
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << s.ToString();
  EXPECT_NE(s.message().find("'bkt'"), std::string::npos);
  EXPECT_NE(s.message().find("PutObject"), std::string::npos);
}

TEST(S3StoreTest, NoSuchBucketIsNotFound) {
  FakeS3Server server(
      [](const ReceivedRequest&) { return XmlError(404, "NoSuchBucket", "RID-404"); });
  std::unique_ptr<S3Store> store = MakeStore(OptionsFor(server.endpoint()));
  const Status s = store->PutObject(Bucket{"nope"}, ObjectKey{"k"}, "data");
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  EXPECT_NE(s.message().find("bucket 'nope' does not exist"), std::string::npos);
}

TEST(S3StoreTest, HeadBucketStatuses) {
  std::atomic<int> status{200};
  FakeS3Server server([&](const ReceivedRequest&) { return WithStatus(status.load()); });
  std::unique_ptr<S3Store> store = MakeStore(OptionsFor(server.endpoint()));
  EXPECT_TRUE(store->HeadBucket(Bucket{"bkt"}).ok());
  status = 404;
  EXPECT_EQ(store->HeadBucket(Bucket{"bkt"}).code(), StatusCode::kNotFound);
  status = 403;
  EXPECT_EQ(store->HeadBucket(Bucket{"bkt"}).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(server.requests().at(0).method, "HEAD");
  EXPECT_EQ(server.requests().at(0).target, "/bkt");
}

TEST(S3StoreTest, ConnectionRefusedIsUnavailable) {
  // Bind a port, then free it: nothing listens there afterwards.
  int port;
  {
    FakeS3Server closed([](const ReceivedRequest&) { return CannedResponse{}; });
    port = closed.port();
  }
  std::unique_ptr<S3Store> store =
      MakeStore(OptionsFor("http://127.0.0.1:" + std::to_string(port)));
  const Status s = store->PutObject(Bucket{"bkt"}, ObjectKey{"k"}, "data");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_TRUE(s.IsRetryable());
}

TEST(S3StoreTest, UnresolvableHostIsUnavailable) {
  std::unique_ptr<S3Store> store = MakeStore(OptionsFor("http://no-such-host.invalid"));
  const Status s = store->HeadBucket(Bucket{"bkt"});
  // Unavailable when the resolver says "no such name" at once; a resolver
  // that cannot be reached at all runs into the connect timeout instead.
  EXPECT_TRUE(s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kDeadlineExceeded)
      << s.ToString();
}

TEST(S3StoreTest, SlowServerIsDeadlineExceeded) {
  FakeS3Server server([](const ReceivedRequest&) {
    return CannedResponse{200, {}, "", milliseconds(3000)};
  });
  S3Options options = OptionsFor(server.endpoint());
  options.request_timeout_ms = 300;
  std::unique_ptr<S3Store> store = MakeStore(options);
  const auto start = std::chrono::steady_clock::now();
  const Status s = store->PutObject(Bucket{"bkt"}, ObjectKey{"k"}, "data");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded) << s.ToString();
  EXPECT_LT(elapsed, milliseconds(2000));
}

TEST(S3StoreTest, ListObjectsV2Paging) {
  FakeS3Server server([](const ReceivedRequest& r) {
    if (r.query.find("continuation-token=") == std::string::npos) {
      return CannedResponse{
          200,
          {},
          "<ListBucketResult><IsTruncated>true</IsTruncated>"
          "<Contents><Key>logs/a b</Key><Size>3</Size><ETag>\"e1\"</ETag></Contents>"
          "<Contents><Key>logs/b</Key><Size>4</Size><ETag>\"e2\"</ETag></Contents>"
          "<NextContinuationToken>tok/1+=</NextContinuationToken></ListBucketResult>",
          {}};
    }
    return CannedResponse{200,
                          {},
                          "<ListBucketResult><IsTruncated>false</IsTruncated>"
                          "<Contents><Key>logs/c</Key><Size>5</Size><ETag>\"e3\"</ETag></Contents>"
                          "</ListBucketResult>",
                          {}};
  });
  std::unique_ptr<S3Store> store = MakeStore(OptionsFor(server.endpoint()));
  Result<ListPage> first = store->ListObjects(Bucket{"bkt"}, "logs/", "");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->objects.size(), 2u);
  EXPECT_EQ(first->objects[0].key.value, "logs/a b");
  EXPECT_EQ(first->objects[1].size, 4u);
  EXPECT_EQ(first->next_token, "tok/1+=");
  Result<ListPage> second = store->ListObjects(Bucket{"bkt"}, "logs/", first->next_token);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_EQ(second->objects.size(), 1u);
  EXPECT_EQ(second->objects[0].key.value, "logs/c");
  EXPECT_EQ(second->next_token, "");

  const std::vector<ReceivedRequest> reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].target, "/bkt?list-type=2&prefix=logs%2F");
  EXPECT_EQ(reqs[1].target, "/bkt?continuation-token=tok%2F1%2B%3D&list-type=2&prefix=logs%2F");
  ExpectSignatureMatchesWire(
      reqs[1], "/bkt", {{"list-type", "2"}, {"prefix", "logs/"}, {"continuation-token", "tok/1+="}},
      "");
}

TEST(S3StoreTest, ListBucketsIsASignedGetOfTheEndpointAndADenialIsPermissionDenied) {
  std::atomic<bool> deny{false};
  FakeS3Server server([&deny](const ReceivedRequest&) {
    if (deny.load()) return XmlError(403, "AccessDenied", "RID-lb");
    return CannedResponse{200,
                          {},
                          "<ListAllMyBucketsResult><Owner><ID>o</ID></Owner><Buckets>"
                          "<Bucket><Name>archive</Name><CreationDate>2026-01-01T00:00:00Z"
                          "</CreationDate></Bucket><Bucket><Name>logs.eu</Name></Bucket>"
                          "</Buckets></ListAllMyBucketsResult>",
                          {}};
  });
  std::unique_ptr<S3Store> store = MakeStore(OptionsFor(server.endpoint()));
  auto names = store->ListBuckets();
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  EXPECT_EQ(*names, (std::vector<std::string>{"archive", "logs.eu"}));
  const std::vector<ReceivedRequest> reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "GET");
  EXPECT_EQ(reqs[0].target, "/");
  ExpectSignatureMatchesWire(reqs[0], "/", {}, "");
  deny.store(true);
  EXPECT_EQ(store->ListBuckets().status().code(), StatusCode::kPermissionDenied);
}

TEST(S3StoreTest, MultipartFlow) {
  FakeS3Server server([](const ReceivedRequest& r) {
    if (r.method == "POST" && r.query == "uploads") {
      return CannedResponse{200,
                            {},
                            "<InitiateMultipartUploadResult><UploadId>up/1+2</UploadId>"
                            "</InitiateMultipartUploadResult>",
                            {}};
    }
    if (r.method == "PUT") {
      return CannedResponse{200, {{"ETag", "\"etag-" + r.body + "\""}}, "", {}};
    }
    if (r.method == "POST") {
      return CannedResponse{200,
                            {},
                            "<CompleteMultipartUploadResult><ETag>\"x-2\"</ETag>"
                            "</CompleteMultipartUploadResult>",
                            {}};
    }
    return XmlError(404, "NoSuchUpload", "RID");  // DELETE (abort) of a finished upload.
  });
  std::unique_ptr<S3Store> store = MakeStore(OptionsFor(server.endpoint()));
  const Bucket b{"bkt"};
  const ObjectKey k{"obj"};
  Result<MultipartId> id = store->CreateMultipart(b, k);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->value, "up/1+2");
  Result<std::string> e1 = store->UploadPart(b, k, *id, 1, "p1");
  Result<std::string> e2 = store->UploadPart(b, k, *id, 2, "p2");
  ASSERT_TRUE(e1.ok() && e2.ok());
  EXPECT_EQ(*e1, "\"etag-p1\"");
  ASSERT_TRUE(store->CompleteMultipart(b, k, *id, {{1, *e1}, {2, *e2}}).ok());
  EXPECT_TRUE(store->AbortMultipart(b, k, *id).ok());  // NoSuchUpload counts as done.

  const std::vector<ReceivedRequest> reqs = server.requests();
  ASSERT_EQ(reqs.size(), 5u);
  EXPECT_EQ(reqs[0].target, "/bkt/obj?uploads");
  EXPECT_EQ(reqs[0].Header("x-amz-acl"), "private");
  ExpectSignatureMatchesWire(reqs[0], "/bkt/obj", {{"uploads", ""}}, "");
  EXPECT_EQ(reqs[1].target, "/bkt/obj?partNumber=1&uploadId=up%2F1%2B2");
  EXPECT_EQ(reqs[1].Header("x-amz-content-sha256"), Sha256Hex("p1"));
  EXPECT_FALSE(reqs[1].Header("content-md5").empty());
  EXPECT_EQ(reqs[3].target, "/bkt/obj?uploadId=up%2F1%2B2");
  EXPECT_EQ(reqs[3].body,
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Part><PartNumber>1</PartNumber><ETag>&quot;etag-p1&quot;</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>&quot;etag-p2&quot;</ETag></Part>"
            "</CompleteMultipartUpload>");
  EXPECT_EQ(reqs[4].method, "DELETE");
}

TEST(S3StoreTest, CompleteWithErrorInsideA200IsClassified) {
  FakeS3Server server([](const ReceivedRequest&) {
    return CannedResponse{200,
                          {},
                          "\n\n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>"
                          "InternalError</Code><Message>try again</Message><RequestId>RID-C"
                          "</RequestId></Error>",
                          {}};
  });
  std::unique_ptr<S3Store> store = MakeStore(OptionsFor(server.endpoint()));
  const Status s =
      store->CompleteMultipart(Bucket{"bkt"}, ObjectKey{"k"}, MultipartId{"u"}, {{1, "\"e\""}});
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_NE(s.message().find("RID-C"), std::string::npos);
}

TEST(S3StoreTest, PutSendsCreateOnlyAndMetadataHeadersOnlyWhenAsked) {
  FakeS3Server server([](const ReceivedRequest&) { return CannedResponse{}; });
  std::unique_ptr<S3Store> store = MakeStore(OptionsFor(server.endpoint()));
  const Bucket b{"bkt"};
  ASSERT_TRUE(store->PutObject(b, ObjectKey{"plain"}, "x").ok());
  ASSERT_TRUE(store->PutObject(b, ObjectKey{"meta"}, "x", {.metadata = {{"writer", "w-1"}}}).ok());
  const WriteOptions create_only{.if_absent = true,
                                 .metadata = {{"first-offset", "42"}, {"writer", "w-1"}}};
  ASSERT_TRUE(store->PutObject(b, ObjectKey{"fenced"}, "x", create_only).ok());

  const std::vector<ReceivedRequest> reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  for (const ReceivedRequest& r : reqs) {
    // Not a COS endpoint: COS's header is never sent.
    EXPECT_EQ(r.headers.count("x-cos-forbid-overwrite"), 0u) << r.target;
  }
  EXPECT_EQ(reqs[0].headers.count("if-none-match"), 0u);
  for (const auto& header : reqs[0].headers) EXPECT_FALSE(header.first.starts_with("x-amz-meta-"));
  EXPECT_EQ(reqs[1].headers.count("if-none-match"), 0u);
  EXPECT_EQ(reqs[1].Header("x-amz-meta-writer"), "w-1");
  EXPECT_EQ(reqs[1].headers.count("x-amz-meta-first-offset"), 0u);

  const ReceivedRequest& r = reqs[2];
  EXPECT_EQ(r.Header("if-none-match"), "*");
  EXPECT_EQ(r.Header("x-amz-meta-first-offset"), "42");
  EXPECT_EQ(r.Header("x-amz-meta-writer"), "w-1");
  EXPECT_NE(r.Header("authorization")
                .find("SignedHeaders=content-md5;content-type;host;if-none-match;x-amz-acl;"
                      "x-amz-content-sha256;x-amz-date;x-amz-meta-first-offset;"
                      "x-amz-meta-writer, "),
            std::string::npos)
      << r.Header("authorization");
  ExpectSignatureMatchesWire(r, "/bkt/fenced", {}, "");
}

TEST(S3StoreTest, CreateOnlyPutThatFindsAnObjectIsAlreadyExists) {
  FakeS3Server server(
      [](const ReceivedRequest&) { return XmlError(412, "PreconditionFailed", "RID-412"); });
  std::unique_ptr<S3Store> store = MakeStore(OptionsFor(server.endpoint()));
  const Status s = store->PutObject(Bucket{"bkt"}, ObjectKey{"t/p=0/x.bin"}, "x",
                                    {.if_absent = true, .metadata = {}});
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.ToString();
  EXPECT_FALSE(s.IsRetryable());
  EXPECT_NE(s.message().find("already exists at key 't/p=0/x.bin'"), std::string::npos)
      << s.ToString();
  EXPECT_NE(s.message().find("another writer published it first"), std::string::npos)
      << s.ToString();
  EXPECT_NE(s.message().find("RID-412"), std::string::npos) << s.ToString();
}

TEST(S3StoreTest, MultipartSendsMetadataAtCreateAndConditionAtComplete) {
  std::atomic<bool> object_exists{false};
  FakeS3Server server([&](const ReceivedRequest& r) {
    if (r.method == "POST" && r.query == "uploads") {
      return CannedResponse{200,
                            {},
                            "<InitiateMultipartUploadResult><UploadId>up1</UploadId>"
                            "</InitiateMultipartUploadResult>",
                            {}};
    }
    if (r.Header("if-none-match") == "*" && object_exists) {
      return XmlError(412, "PreconditionFailed", "RID-C412");
    }
    return CannedResponse{200,
                          {},
                          "<CompleteMultipartUploadResult><ETag>\"x-1\"</ETag>"
                          "</CompleteMultipartUploadResult>",
                          {}};
  });
  std::unique_ptr<S3Store> store = MakeStore(OptionsFor(server.endpoint()));
  const Bucket b{"bkt"};
  const ObjectKey k{"obj"};
  const WriteOptions create_only{.if_absent = true, .metadata = {{"first-offset", "7"}}};
  Result<MultipartId> id = store->CreateMultipart(b, k, create_only);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  ASSERT_TRUE(store->CompleteMultipart(b, k, *id, {{1, "\"e1\""}}, create_only).ok());
  ASSERT_TRUE(store->CompleteMultipart(b, k, *id, {{1, "\"e1\""}}).ok());
  object_exists = true;
  const Status lost = store->CompleteMultipart(b, k, *id, {{1, "\"e1\""}}, create_only);
  EXPECT_EQ(lost.code(), StatusCode::kAlreadyExists) << lost.ToString();

  const std::vector<ReceivedRequest> reqs = server.requests();
  ASSERT_EQ(reqs.size(), 4u);
  // Metadata goes with the upload's creation; S3 takes the condition only on Complete.
  EXPECT_EQ(reqs[0].Header("x-amz-meta-first-offset"), "7");
  EXPECT_EQ(reqs[0].headers.count("if-none-match"), 0u);
  ExpectSignatureMatchesWire(reqs[0], "/bkt/obj", {{"uploads", ""}}, "");
  EXPECT_EQ(reqs[1].target, "/bkt/obj?uploadId=up1");
  EXPECT_EQ(reqs[1].Header("if-none-match"), "*");
  EXPECT_EQ(reqs[1].headers.count("x-cos-forbid-overwrite"), 0u);
  ExpectSignatureMatchesWire(reqs[1], "/bkt/obj", {{"uploadId", "up1"}}, "");
  EXPECT_EQ(reqs[2].headers.count("if-none-match"), 0u);
}

TEST(S3StoreTest, CosEndpointAlsoSendsForbidOverwrite) {
  FakeS3Server server([](const ReceivedRequest& r) {
    if (r.method == "HEAD") {
      return CannedResponse{
          200, {{"Content-Length", "3"}, {"ETag", "\"e\""}, {"x-cos-meta-writer", "w-2"}}, "", {}};
    }
    if (r.method == "POST" && r.path == "/taken") {
      return XmlError(409, "FileAlreadyExists", "RID-COS");
    }
    return CannedResponse{200,
                          {},
                          "<CompleteMultipartUploadResult><ETag>\"x-1\"</ETag>"
                          "</CompleteMultipartUploadResult>",
                          {}};
  });
  ScopedHttpProxy proxy(server.endpoint());
  S3Options options = OptionsFor("http://cos.ap-guangzhou.myqcloud.com");
  options.path_style = false;
  std::unique_ptr<S3Store> store = MakeStore(options);
  const Bucket b{"logs-1250000000"};
  ASSERT_TRUE(store->PutObject(b, ObjectKey{"k"}, "x", {.if_absent = true, .metadata = {}}).ok());
  ASSERT_TRUE(store->PutObject(b, ObjectKey{"k"}, "x").ok());
  ASSERT_TRUE(store
                  ->CompleteMultipart(b, ObjectKey{"k"}, MultipartId{"u"}, {{1, "\"e\""}},
                                      {.if_absent = true, .metadata = {}})
                  .ok());
  const Status lost = store->CompleteMultipart(b, ObjectKey{"taken"}, MultipartId{"u"},
                                               {{1, "\"e\""}}, {.if_absent = true, .metadata = {}});
  EXPECT_EQ(lost.code(), StatusCode::kAlreadyExists) << lost.ToString();
  // COS may name user metadata its own way; the S3 way is tested elsewhere.
  Result<ObjectHead> head = store->HeadObject(b, ObjectKey{"k"});
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->metadata, (ObjectMetadata{{"writer", "w-2"}}));

  const std::vector<ReceivedRequest> reqs = server.requests();
  ASSERT_EQ(reqs.size(), 5u);
  EXPECT_EQ(reqs[0].Header("host"), "logs-1250000000.cos.ap-guangzhou.myqcloud.com");
  EXPECT_EQ(reqs[0].path, "/k");
  EXPECT_EQ(reqs[0].Header("if-none-match"), "*");
  EXPECT_EQ(reqs[0].Header("x-cos-forbid-overwrite"), "true");
  ExpectSignatureMatchesWire(reqs[0], "/k", {}, "");
  EXPECT_EQ(reqs[1].headers.count("x-cos-forbid-overwrite"), 0u);
  EXPECT_EQ(reqs[1].headers.count("if-none-match"), 0u);
  EXPECT_EQ(reqs[2].Header("if-none-match"), "*");
  EXPECT_EQ(reqs[2].Header("x-cos-forbid-overwrite"), "true");
  ExpectSignatureMatchesWire(reqs[2], "/k", {{"uploadId", "u"}}, "");
}

TEST(S3StoreTest, TencentCosEndpointsAreRecognisedByHostName) {
  EXPECT_TRUE(IsTencentCosEndpoint("https://cos.ap-guangzhou.myqcloud.com"));
  EXPECT_TRUE(IsTencentCosEndpoint("https://cos.ap-guangzhou.myqcloud.com/"));
  EXPECT_TRUE(IsTencentCosEndpoint("http://COS.AP-Beijing.MyQcloud.COM:8080"));
  EXPECT_TRUE(IsTencentCosEndpoint("https://cos-internal.ap-shanghai.tencentcos.cn"));
  EXPECT_TRUE(IsTencentCosEndpoint("https://cos.accelerate.myqcloud.com."));
  EXPECT_FALSE(IsTencentCosEndpoint("https://s3.us-east-1.amazonaws.com"));
  EXPECT_FALSE(IsTencentCosEndpoint("http://127.0.0.1:8333"));
  EXPECT_FALSE(IsTencentCosEndpoint("http://[::1]:9000"));
  EXPECT_FALSE(IsTencentCosEndpoint("https://notmyqcloud.com"));
  EXPECT_FALSE(IsTencentCosEndpoint("https://myqcloud.com.example.org"));
  EXPECT_FALSE(IsTencentCosEndpoint("https://tencentcos.cn.example.org:443"));
}

TEST(S3StoreTest, HeadObjectReturnsSizeEtagAndMetadata) {
  FakeS3Server server([](const ReceivedRequest& r) {
    if (r.path != "/bkt/dir/obj.bin") return WithStatus(404);  // HEAD errors have no body.
    // The length of the object, not of this (empty) answer: the client must
    // not wait for 123456 bytes.
    return CannedResponse{200,
                          {{"Content-Length", "123456"},
                           {"ETag", "\"0123abcd-2\""},
                           {"X-Amz-Meta-First-Offset", "42"},
                           {"x-amz-meta-writer", "w-1"},
                           {"x-cos-meta-ignored", "not COS"},
                           {"x-amz-request-id", "RID-H"}},
                          "",
                          {}};
  });
  std::unique_ptr<S3Store> store = MakeStore(OptionsFor(server.endpoint()));
  const auto start = std::chrono::steady_clock::now();
  Result<ObjectHead> head = store->HeadObject(Bucket{"bkt"}, ObjectKey{"dir/obj.bin"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->size, 123456u);
  EXPECT_EQ(head->etag, "\"0123abcd-2\"");
  EXPECT_EQ(head->metadata, (ObjectMetadata{{"first-offset", "42"}, {"writer", "w-1"}}));

  const Result<ObjectHead> missing = store->HeadObject(Bucket{"bkt"}, ObjectKey{"absent"});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound) << missing.status().ToString();
  EXPECT_NE(missing.status().message().find("object 'absent' does not exist"), std::string::npos)
      << missing.status().ToString();

  const std::vector<ReceivedRequest> reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].method, "HEAD");
  EXPECT_EQ(reqs[0].target, "/bkt/dir/obj.bin");
  ExpectSignatureMatchesWire(reqs[0], "/bkt/dir/obj.bin", {}, "");
}

TEST(S3StoreTest, GetAndDelete) {
  FakeS3Server server([](const ReceivedRequest& r) {
    if (r.method == "GET" && r.path == "/bkt/present") return CannedResponse{200, {}, "body!", {}};
    if (r.method == "GET") return XmlError(404, "NoSuchKey", "RID-G");
    if (r.path == "/bkt/gone") return XmlError(404, "NoSuchKey", "RID-D");
    return WithStatus(204);
  });
  std::unique_ptr<S3Store> store = MakeStore(OptionsFor(server.endpoint()));
  Result<std::string> got = store->GetObject(Bucket{"bkt"}, ObjectKey{"present"});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, "body!");
  EXPECT_EQ(store->GetObject(Bucket{"bkt"}, ObjectKey{"absent"}).status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(store->DeleteObject(Bucket{"bkt"}, ObjectKey{"present"}).ok());
  EXPECT_TRUE(store->DeleteObject(Bucket{"bkt"}, ObjectKey{"gone"}).ok());
}

// Serves the object "0123456789" at /bkt/digits as S3 does ranges: a 206 with
// Content-Range, 416 InvalidRange from the end on; NoSuchKey elsewhere.
CannedResponse ServeDigits(const ReceivedRequest& r) {
  const std::string object = "0123456789";
  if (r.path != "/bkt/digits") {
    return r.method == "HEAD" ? WithStatus(404) : XmlError(404, "NoSuchKey", "RID-R");
  }
  if (r.method == "HEAD") {
    return CannedResponse{200, {{"Content-Length", std::to_string(object.size())}}, "", {}};
  }
  const std::string range = r.Header("range");
  if (range.empty()) return CannedResponse{200, {}, object, {}};
  const size_t dash = range.find('-');
  const uint64_t first = std::stoull(range.substr(6, dash - 6));
  const uint64_t last = std::min<uint64_t>(std::stoull(range.substr(dash + 1)), object.size() - 1);
  if (first >= object.size()) return XmlError(416, "InvalidRange", "RID-416");
  return CannedResponse{
      206,
      {{"Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" +
                             std::to_string(object.size())}},
      object.substr(first, last - first + 1),
      {}};
}

TEST(S3StoreTest, GetObjectRangeSendsASignedRangeHeader) {
  FakeS3Server server(ServeDigits);
  std::unique_ptr<S3Store> store = MakeStore(OptionsFor(server.endpoint()));
  const Bucket b{"bkt"};
  const ObjectKey digits{"digits"};
  const uint64_t kAll = std::numeric_limits<uint64_t>::max();
  struct Case {
    uint64_t offset, length;
    std::string want, range_header;
  };
  const std::vector<Case> cases = {
      {0, 3, "012", "bytes=0-2"},
      {9, 1, "9", "bytes=9-9"},    // The last byte.
      {8, 5, "89", "bytes=8-12"},  // Crossing the end.
      {0, 10, "0123456789", "bytes=0-9"},
      {10, 1, "", "bytes=10-10"},                          // At the end: 416, no error.
      {100, 5, "", "bytes=100-104"},                       // Past it.
      {5, kAll, "56789", "bytes=5-18446744073709551615"},  // offset + length overflows.
  };
  for (const Case& c : cases) {
    Result<std::string> got = store->GetObjectRange(b, digits, c.offset, c.length);
    ASSERT_TRUE(got.ok()) << c.offset << "+" << c.length << ": " << got.status().ToString();
    EXPECT_EQ(*got, c.want) << c.offset << "+" << c.length;
    const ReceivedRequest r = server.requests().back();
    EXPECT_EQ(r.method, "GET");
    EXPECT_EQ(r.Header("range"), c.range_header);
    EXPECT_NE(r.Header("authorization").find("SignedHeaders=host;range;"), std::string::npos)
        << r.Header("authorization");
    ExpectSignatureMatchesWire(r, "/bkt/digits", {}, "");
  }
  const size_t sent = server.requests().size();

  // Length 0 is a HEAD (S3 has no empty range): empty if there, NotFound if not.
  Result<std::string> none = store->GetObjectRange(b, digits, 3, 0);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(*none, "");
  EXPECT_EQ(server.requests().at(sent).method, "HEAD");
  EXPECT_EQ(store->GetObjectRange(b, ObjectKey{"absent"}, 0, 0).status().code(),
            StatusCode::kNotFound);
  for (const uint64_t offset : {uint64_t{0}, uint64_t{100}}) {
    const Status absent = store->GetObjectRange(b, ObjectKey{"absent"}, offset, 5).status();
    EXPECT_EQ(absent.code(), StatusCode::kNotFound) << absent.ToString();
  }
}

TEST(S3StoreTest, GetObjectRangeCutsTheWholeObjectFromAServerIgnoringRange) {
  FakeS3Server server([](const ReceivedRequest&) {
    return CannedResponse{200, {}, "0123456789", {}};
  });
  std::unique_ptr<S3Store> store = MakeStore(OptionsFor(server.endpoint()));
  const Bucket b{"bkt"};
  const ObjectKey k{"digits"};
  EXPECT_EQ(store->GetObjectRange(b, k, 2, 3).value(), "234");
  EXPECT_EQ(store->GetObjectRange(b, k, 9, 1).value(), "9");
  EXPECT_EQ(store->GetObjectRange(b, k, 8, 5).value(), "89");
  EXPECT_EQ(store->GetObjectRange(b, k, 10, 1).value(), "");
  EXPECT_EQ(store->GetObjectRange(b, k, 1, std::numeric_limits<uint64_t>::max()).value(),
            "123456789");
  EXPECT_EQ(server.requests().at(0).Header("range"), "bytes=2-4");
}

TEST(S3StoreTest, GetObjectRangeRefusesA206ForAnotherRange) {
  std::atomic<int> variant{0};
  FakeS3Server server([&](const ReceivedRequest&) {
    switch (variant.load()) {
      case 0:  // Starts elsewhere.
        return CannedResponse{206, {{"Content-Range", "bytes 0-2/10"}}, "012", {}};
      case 1:  // Says nothing of where it starts.
        return CannedResponse{206, {}, "345", {}};
      default:  // More bytes than asked for.
        return CannedResponse{206, {{"Content-Range", "bytes 3-9/10"}}, "3456789", {}};
    }
  });
  std::unique_ptr<S3Store> store = MakeStore(OptionsFor(server.endpoint()));
  for (int v = 0; v < 3; ++v) {
    variant = v;
    const Status s = store->GetObjectRange(Bucket{"bkt"}, ObjectKey{"k"}, 3, 3).status();
    EXPECT_EQ(s.code(), StatusCode::kInternal) << v << ": " << s.ToString();
    EXPECT_NE(s.message().find("bytes=3-5"), std::string::npos) << s.ToString();
  }
}

// The query parameters of `url`, decoded enough for the checks below (the
// values compared are given encoded).
std::map<std::string, std::string> QueryOf(const std::string& url) {
  std::map<std::string, std::string> params;
  std::string query = url.substr(url.find('?') + 1);
  size_t start = 0;
  while (start < query.size()) {
    const size_t end = std::min(query.find('&', start), query.size());
    const std::string pair = query.substr(start, end - start);
    const size_t eq = pair.find('=');
    params[pair.substr(0, eq)] = pair.substr(eq + 1);
    start = end + 1;
  }
  return params;
}

TEST(S3StoreTest, PresignGetUrlPathStyleIsSignedAndEncodedOnce) {
  S3Options options = OptionsFor("http://127.0.0.1:9000");
  std::unique_ptr<S3Store> store = MakeStore(options);
  const std::string key = "topic=t 1/a+b%2F~\xC3\xBC.bin";
  Result<std::string> url =
      store->PresignGetUrl(Bucket{"bkt"}, ObjectKey{key}, std::chrono::seconds(3600));
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  // The path exactly as a request of this store would carry it: '%' in the
  // key is encoded once (%25), never twice.
  const std::string path = "/bkt/topic%3Dt%201/a%2Bb%252F~%C3%BC.bin";
  EXPECT_TRUE(url->starts_with("http://127.0.0.1:9000" + path + "?X-Amz-Algorithm=")) << *url;
  EXPECT_EQ(url->find("%2525"), std::string::npos) << *url;
  // The parameters in canonical order, the signature last.
  Result<SigV4PresignedUrl> expected =
      PresignGet({kAccessKey, kSecret, ""}, {"us-west-2", "s3"}, "127.0.0.1:9000", "/bkt/" + key,
                 kNow, std::chrono::seconds(3600));
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(*url, "http://127.0.0.1:9000" + path + "?" +
                      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDTESTKEY12345%2F"
                      "20260102%2Fus-west-2%2Fs3%2Faws4_request&X-Amz-Date=20260102T030405Z&"
                      "X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=" +
                      expected->signature);
  EXPECT_EQ(url->find(kSecret), std::string::npos);
  EXPECT_EQ(QueryOf(*url).count("X-Amz-Security-Token"), 0u);
}

TEST(S3StoreTest, PresignGetUrlVirtualHostedCarriesTheSessionToken) {
  S3Options options = OptionsFor("https://s3.us-west-2.amazonaws.com");
  options.path_style = false;
  options.session_token = kToken;
  std::unique_ptr<S3Store> store = MakeStore(options);
  Result<std::string> url =
      store->PresignGetUrl(Bucket{"bkt"}, ObjectKey{"dir/obj.bin"}, std::chrono::seconds(60));
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_TRUE(url->starts_with("https://bkt.s3.us-west-2.amazonaws.com/dir/obj.bin?")) << *url;
  const std::map<std::string, std::string> params = QueryOf(*url);
  EXPECT_EQ(params.at("X-Amz-Security-Token"), "SessionTokenSecretValue%3D%3D");
  EXPECT_EQ(params.at("X-Amz-Expires"), "60");
  EXPECT_EQ(params.at("X-Amz-SignedHeaders"), "host");
  Result<SigV4PresignedUrl> expected =
      PresignGet({kAccessKey, kSecret, kToken}, {"us-west-2", "s3"},
                 "bkt.s3.us-west-2.amazonaws.com", "/dir/obj.bin", kNow, std::chrono::seconds(60));
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(params.at("X-Amz-Signature"), expected->signature);
  EXPECT_EQ(url->find(kSecret), std::string::npos);

  // Addressed as the store's requests are: a dotted bucket cannot be a
  // host name under TLS, a bad name or key is refused.
  EXPECT_EQ(store->PresignGetUrl(Bucket{"my.bucket"}, ObjectKey{"k"}, std::chrono::seconds(60))
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(store->PresignGetUrl(Bucket{"B_ad"}, ObjectKey{"k"}, std::chrono::seconds(60))
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      store->PresignGetUrl(Bucket{"bkt"}, ObjectKey{""}, std::chrono::seconds(60)).status().code(),
      StatusCode::kInvalidArgument);
}

TEST(S3StoreTest, PresignGetUrlExpiresWithinSevenDays) {
  std::unique_ptr<S3Store> store = MakeStore(OptionsFor("http://127.0.0.1:9000"));
  for (const std::chrono::seconds bad :
       {std::chrono::seconds(0), std::chrono::seconds(-60), std::chrono::seconds(604801)}) {
    const Status s = store->PresignGetUrl(Bucket{"bkt"}, ObjectKey{"k"}, bad).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad.count();
    EXPECT_NE(s.message().find("604800"), std::string::npos) << s.ToString();
    EXPECT_NE(s.message().find("PresignGetUrl"), std::string::npos) << s.ToString();
  }
  Result<std::string> second =
      store->PresignGetUrl(Bucket{"bkt"}, ObjectKey{"k"}, std::chrono::seconds(1));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(QueryOf(*second).at("X-Amz-Expires"), "1");
  Result<std::string> week =
      store->PresignGetUrl(Bucket{"bkt"}, ObjectKey{"k"}, std::chrono::hours(24 * 7));
  ASSERT_TRUE(week.ok()) << week.status().ToString();
  EXPECT_EQ(QueryOf(*week).at("X-Amz-Expires"), "604800");
}

TEST(S3StoreTest, APresignedUrlReachesTheServerUnchanged) {
  FakeS3Server server([](const ReceivedRequest&) { return CannedResponse{200, {}, "body", {}}; });
  std::unique_ptr<S3Store> store = MakeStore(OptionsFor(server.endpoint()));
  Result<std::string> url =
      store->PresignGetUrl(Bucket{"bkt"}, ObjectKey{"a b/c%d"}, std::chrono::seconds(60));
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  HttpClient client;
  HttpRequest get;
  get.method = "GET";
  get.url = *url;
  Result<HttpResponse> got = client.Send(get);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->body, "body");
  const ReceivedRequest r = server.requests().at(0);
  // What the server verifies: the path and query it gets are the signed ones.
  EXPECT_EQ(r.target, url->substr(server.endpoint().size()));
  EXPECT_EQ(r.path, "/bkt/a%20b/c%25d");
  EXPECT_EQ(r.headers.count("authorization"), 0u);
}

TEST(S3StoreTest, ConcurrentUploadsShareThePool) {
  FakeS3Server server([](const ReceivedRequest&) { return CannedResponse{}; });
  std::unique_ptr<S3Store> store = MakeStore(OptionsFor(server.endpoint()));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        const std::string key = "t" + std::to_string(t) + "/" + std::to_string(i);
        if (!store->PutObject(Bucket{"bkt"}, ObjectKey{key}, key).ok()) ++failures;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(server.requests().size(), 40u);
}

TEST(S3StoreTest, RejectsBadArgumentsBeforeSending) {
  FakeS3Server server([](const ReceivedRequest&) { return CannedResponse{}; });
  std::unique_ptr<S3Store> store = MakeStore(OptionsFor(server.endpoint()));
  EXPECT_EQ(store->PutObject(Bucket{""}, ObjectKey{"k"}, "x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->PutObject(Bucket{"b"}, ObjectKey{""}, "x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->PutObject(Bucket{"b"}, ObjectKey{"a\nb"}, "x").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store->PutObject(Bucket{"b"}, ObjectKey{std::string(1025, 'k')}, "x").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      store->UploadPart(Bucket{"b"}, ObjectKey{"k"}, MultipartId{"u"}, 0, "x").status().code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(
      store->UploadPart(Bucket{"b"}, ObjectKey{"k"}, MultipartId{"u"}, 10001, "x").status().code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(store->CompleteMultipart(Bucket{"b"}, ObjectKey{"k"}, MultipartId{"u"}, {}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store
                ->CompleteMultipart(Bucket{"b"}, ObjectKey{"k"}, MultipartId{"u"},
                                    {{2, "\"a\""}, {1, "\"b\""}})
                .code(),
            StatusCode::kInvalidArgument);
  // Metadata S3 would reject, or would not give back unchanged.
  const std::vector<ObjectMetadata> bad_metadata = {
      {{"First-Offset", "1"}}, {{"", "1"}},
      {{"a b", "1"}},          {{"a_b", "1"}},
      {{"ok", "line\nbreak"}}, {{"ok", " padded"}},
      {{"ok", "\xC3\xBC"}},    {{"ok", std::string(2047, 'v')}},
  };
  for (const ObjectMetadata& metadata : bad_metadata) {
    const Status put = store->PutObject(Bucket{"b"}, ObjectKey{"k"}, "x", {.metadata = metadata});
    EXPECT_EQ(put.code(), StatusCode::kInvalidArgument) << metadata.begin()->first;
    EXPECT_NE(put.message().find("metadata"), std::string::npos) << put.ToString();
    EXPECT_EQ(
        store->CreateMultipart(Bucket{"b"}, ObjectKey{"k"}, {.metadata = metadata}).status().code(),
        StatusCode::kInvalidArgument)
        << metadata.begin()->first;
  }
  EXPECT_TRUE(server.requests().empty());
}

TEST(S3StoreTest, SecretsNeverAppearInStatusMessages) {
  FakeS3Server server([](const ReceivedRequest& r) {
    // A hostile server echoing everything it got, credentials included.
    std::string echo;
    for (const auto& [name, value] : r.headers) echo += name + "=" + value + ";";
    CannedResponse resp = XmlError(403, "SignatureDoesNotMatch", "RID-S");
    resp.body = "<Error><Code>SignatureDoesNotMatch</Code><Message>" + echo +
                "</Message><StringToSign>" + echo + "</StringToSign></Error>";
    if (r.method == "GET") resp = XmlError(400, "InvalidArgument", "RID-X");
    if (r.method == "GET")
      resp.body = "<Error><Code>InvalidArgument</Code><Message>" + echo + "</Message></Error>";
    return resp;
  });
  S3Options options = OptionsFor(server.endpoint());
  options.session_token = kToken;
  std::unique_ptr<S3Store> store = MakeStore(options);
  std::vector<Status> statuses;
  statuses.push_back(store->PutObject(Bucket{"bkt"}, ObjectKey{"k"}, "x"));
  statuses.push_back(store->HeadBucket(Bucket{"bkt"}));
  statuses.push_back(store->CreateMultipart(Bucket{"bkt"}, ObjectKey{"k"}).status());
  statuses.push_back(store->GetObject(Bucket{"bkt"}, ObjectKey{"k"}).status());
  // Transport failure and options printing too.
  std::unique_ptr<S3Store> dead = MakeStore(OptionsFor("http://127.0.0.1:1"));
  statuses.push_back(dead->PutObject(Bucket{"bkt"}, ObjectKey{"k"}, "x"));
  EXPECT_EQ(statuses[0].code(), StatusCode::kUnauthenticated);
  for (const Status& s : statuses) {
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(s.message().find(kSecret), std::string::npos) << s.ToString();
    EXPECT_EQ(s.message().find(kToken), std::string::npos) << s.ToString();
    EXPECT_EQ(s.message().find("Signature="), std::string::npos) << s.ToString();
  }
  const std::string printed = options.ToString();
  EXPECT_EQ(printed.find(kSecret), std::string::npos);
  EXPECT_EQ(printed.find(kToken), std::string::npos);
  EXPECT_EQ(printed.find(kAccessKey), std::string::npos);
  EXPECT_NE(printed.find("****2345"), std::string::npos) << printed;
  EXPECT_NE(printed.find("secret_access_key=<redacted>"), std::string::npos) << printed;
}

TEST(S3OptionsTest, Validate) {
  EXPECT_TRUE(OptionsFor("http://127.0.0.1:8333").Validate().ok());
  EXPECT_TRUE(OptionsFor("https://s3.us-east-1.amazonaws.com/").Validate().ok());

  S3Options o = OptionsFor("https://cos.ap-guangzhou.myqcloud.com");
  o.path_style = false;
  EXPECT_TRUE(o.Validate().ok());

  auto invalid = [](S3Options bad) {
    return bad.Validate().code() == StatusCode::kInvalidArgument;
  };
  EXPECT_TRUE(invalid(OptionsFor("")));
  EXPECT_TRUE(invalid(OptionsFor("ftp://h")));
  EXPECT_TRUE(invalid(OptionsFor("s3.amazonaws.com")));
  EXPECT_TRUE(invalid(OptionsFor("http://h/path")));
  EXPECT_TRUE(invalid(OptionsFor("http://user:pw@h")));
  S3Options ip_virtual = OptionsFor("http://127.0.0.1:8333");
  ip_virtual.path_style = false;
  EXPECT_TRUE(invalid(ip_virtual));
  S3Options no_region = OptionsFor("http://h");
  no_region.region.clear();
  EXPECT_TRUE(invalid(no_region));
  S3Options no_secret = OptionsFor("http://h");
  no_secret.secret_access_key.clear();
  EXPECT_TRUE(invalid(no_secret));
  S3Options bad_sse = OptionsFor("http://h");
  bad_sse.server_side_encryption = "aes256";
  EXPECT_TRUE(invalid(bad_sse));
  S3Options bad_acl = OptionsFor("http://h");
  bad_acl.canned_acl = "secret";
  EXPECT_TRUE(invalid(bad_acl));
  S3Options bad_timeout = OptionsFor("http://h");
  bad_timeout.request_timeout_ms = 0;
  EXPECT_TRUE(invalid(bad_timeout));
  EXPECT_FALSE(S3Store::Create(OptionsFor("")).ok());
}

TEST(S3OptionsTest, DottedBucketOverTlsNeedsPathStyle) {
  S3Options o = OptionsFor("https://s3.example.com");
  o.path_style = false;
  std::unique_ptr<S3Store> store = MakeStore(o);
  EXPECT_EQ(store->HeadBucket(Bucket{"my.bucket"}).code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace k2c
