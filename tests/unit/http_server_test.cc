// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/http_server.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace k2c {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

// The longest any single socket call or wait of these tests may take.
constexpr milliseconds kWait = seconds(10);

bool Eventually(const std::function<bool()>& condition, milliseconds timeout = kWait) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

// A response as it came over the wire.
struct RawResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first header of that name (case-insensitive), or nullopt.
  std::optional<std::string> Header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) {
        return value;
      }
    }
    return std::nullopt;
  }
};

// A blocking HTTP/1.1 client on a POSIX socket to 127.0.0.1. Every send and
// recv gives up after `timeout` (SO_SNDTIMEO, SO_RCVTIMEO), so no test can hang
// on a server that does not answer.
class RawClient {
 public:
  // `receive_buffer` (SO_RCVBUF) above 0 makes a client that does not read
  // hold up the server's writes after a few KiB, not a few MiB.
  explicit RawClient(int port, milliseconds timeout = kWait, int receive_buffer = 0) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      connect_errno_ = errno;
      return;
    }
    if (receive_buffer > 0) {  // Before connect: it sets the window offered.
      setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    }
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    if (connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      connect_errno_ = errno;
      close(fd_);
      fd_ = -1;
    }
  }
  ~RawClient() {
    if (fd_ >= 0) close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  int connect_errno() const { return connect_errno_; }
  // The errno of the last failed send or recv; 0 if none failed.
  int last_errno() const { return last_errno_; }
  // Received and not yet taken by ReadResponse.
  const std::string& unread() const { return buffer_; }

  // Sends all of `data`; false if the connection failed or a send timed out.
  bool Send(std::string_view data) {
    if (fd_ < 0) return false;
    while (!data.empty()) {
      const ssize_t sent = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (sent < 0) {
        if (errno == EINTR) continue;
        last_errno_ = errno;
        return false;
      }
      data.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }

  // Reads one response: its head, then a body of its Content-Length, or up to
  // the end of the connection if it has none (1xx, 204 and 304 have no body).
  // nullopt if the connection ended or timed out first.
  std::optional<RawResponse> ReadResponse() {
    size_t head_end;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    RawResponse response;
    const std::string head = buffer_.substr(0, head_end);
    size_t line_end = head.find("\r\n");
    const std::string status_line = head.substr(0, line_end);
    if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) return std::nullopt;
    response.status = std::stoi(status_line.substr(9, 3));
    while (line_end != std::string::npos) {
      const size_t begin = line_end + 2;
      line_end = head.find("\r\n", begin);
      const std::string line = head.substr(begin, line_end - begin);
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      const size_t value = line.find_first_not_of(" \t", colon + 1);
      response.headers.emplace_back(line.substr(0, colon),
                                    value == std::string::npos ? "" : line.substr(value));
    }
    size_t end = head_end + 4;
    const bool bodiless = (response.status >= 100 && response.status < 200) ||
                          response.status == 204 || response.status == 304;
    if (!bodiless) {
      if (auto length = response.Header("Content-Length")) {
        end += std::stoul(*length);
        while (buffer_.size() < end) {
          if (!Fill()) return std::nullopt;
        }
      } else {
        while (Fill()) {
        }
        end = buffer_.size();
      }
    }
    response.body = buffer_.substr(head_end + 4, end - head_end - 4);
    buffer_.erase(0, end);
    return response;
  }

  // Reads (keeping what arrives) until the server ends the connection; true
  // if it did (recv returned 0 or an error), false if a recv timed out.
  bool WaitClosed() {
    while (Fill()) {
    }
    return closed_;
  }

  // Without waiting: true if the server has ended the connection.
  bool PeerClosed() {
    if (fd_ < 0) return true;
    char chunk[4096];
    for (;;) {
      const ssize_t got = recv(fd_, chunk, sizeof chunk, MSG_DONTWAIT);
      if (got > 0) {
        buffer_.append(chunk, static_cast<size_t>(got));
        continue;
      }
      if (got == 0) return closed_ = true;
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
      last_errno_ = errno;
      return closed_ = true;
    }
  }

 private:
  // One recv into `buffer_`; false at the end of the connection, on an error
  // or a timeout.
  bool Fill() {
    if (fd_ < 0) return false;
    char chunk[16384];
    for (;;) {
      const ssize_t got = recv(fd_, chunk, sizeof chunk, 0);
      if (got > 0) {
        buffer_.append(chunk, static_cast<size_t>(got));
        return true;
      }
      if (got == 0) {
        closed_ = true;
        return false;
      }
      if (errno == EINTR) continue;
      last_errno_ = errno;
      if (errno != EAGAIN && errno != EWOULDBLOCK) closed_ = true;
      return false;
    }
  }

  int fd_ = -1;
  int connect_errno_ = 0;
  int last_errno_ = 0;
  bool closed_ = false;
  std::string buffer_;
};

std::string Get(const std::string& path) {
  return "GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n";
}

std::string Put(const std::string& path, const std::string& body) {
  return "PUT " + path +
         " HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         body;
}

// Byte `offset` of the bodies the tests stream: a different run of bytes at
// every offset, so that a chunk sent twice, skipped or misplaced shows.
char PatternByte(uint64_t offset) {
  return static_cast<char>((offset * 0x9E3779B97F4A7C15ull) >> 56);
}

std::string Pattern(uint64_t offset, size_t length) {
  std::string out;
  out.reserve(length);
  for (size_t i = 0; i < length; ++i) out.push_back(PatternByte(offset + i));
  return out;
}

// Where `body` first differs from Pattern(0, length), or `length` if it is
// that; a 5 MiB diff from EXPECT_EQ would help no one.
size_t FirstDifference(const std::string& body, uint64_t length) {
  const size_t common = std::min<size_t>(body.size(), length);
  for (size_t i = 0; i < common; ++i) {
    if (body[i] != PatternByte(i)) return i;
  }
  return body.size() == length ? length : common;
}

// A streamed body of `length` pattern bytes. Each read serves the `max`
// bytes asked unless `adjust`, called first with the offset and `max`,
// lowers them or returns an error.
StreamedBody PatternStream(uint64_t length,
                           std::function<Status(uint64_t offset, size_t* serve)> adjust = {}) {
  StreamedBody body;
  body.length = length;
  body.read = [adjust = std::move(adjust)](uint64_t offset, size_t max, std::string* out) {
    size_t serve = max;
    if (adjust) {
      Status status = adjust(offset, &serve);
      if (!status.ok()) return status;
    }
    out->append(Pattern(offset, serve));
    return Status::Ok();
  };
  return body;
}

// Handlers that send a blocking request's thread ("/block") through it wait
// until it opens; at most 30 s, so that a failing test cannot hang.
class Gate {
 public:
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void Pass() {
    std::unique_lock<std::mutex> lock(mu_);
    ++entered_;
    cv_.notify_all();
    cv_.wait_for(lock, seconds(30), [this] { return open_; });
  }
  // Whether `n` handlers have reached the gate in time.
  bool WaitForEntered(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kWait, [&] { return entered_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  int entered_ = 0;
};

// Small limits, so that the tests run fast; each test changes what it tests.
HttpServerLimits SmallLimits() {
  HttpServerLimits limits;
  limits.max_connections = 8;
  limits.max_head_bytes = 1024;
  limits.max_body_bytes = 4096;
  limits.head_timeout = seconds(5);
  limits.body_timeout = seconds(5);
  limits.write_timeout = seconds(5);
  limits.handler_threads = 2;
  limits.max_waiting_requests = 4;
  return limits;
}

// A server on 127.0.0.1 whose handlers record what they saw:
// - screen answers "/healthz" (200 "ok") and "/denied..." (403) itself;
// - handle echoes the body for "/echo", waits at the gate for "/block",
//   throws for "/throw", streams make_stream_(request) for "/stream", and
//   answers "handled <path>" otherwise;
// - error answers "error <status>: <message>" with an X-From: error header.
class HttpServerTest : public ::testing::Test {
 protected:
  void TearDown() override {
    gate_.Open();  // Stop waits for running handlers.
    stream_gate_.Open();
    server_.reset();
  }

  void StartServer(HttpServerLimits limits) {
    server_ = std::make_unique<HttpServer>(Handlers(), limits);
    ASSERT_TRUE(server_->Start("127.0.0.1", 0).ok());
    ASSERT_GT(server_->port(), 0);
  }

  HttpServer::Handlers Handlers() {
    HttpServer::Handlers handlers;
    handlers.screen = [this](const ServerRequest& request) -> std::optional<ServerResponse> {
      {
        std::lock_guard<std::mutex> lock(mu_);
        screened_.push_back(request);
        cv_.notify_all();
      }
      if (request.path == "/healthz") return ServerResponse{200, "text/plain", {}, "ok"};
      if (request.path.rfind("/denied", 0) == 0) {
        return ServerResponse{403, "text/plain", {}, "denied"};
      }
      return std::nullopt;
    };
    handlers.handle = [this](const ServerRequest& request) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        handled_.push_back(request);
      }
      if (request.path == "/block") gate_.Pass();
      if (request.path == "/throw") throw std::runtime_error("boom");
      ServerResponse response{200, "text/plain", {}, "handled " + request.path};
      if (request.path == "/echo") response.body = request.body;
      if (request.path == "/stream" && make_stream_) {
        response.content_type = "application/octet-stream";
        response.headers.emplace_back("X-Streamed", "yes");
        response.stream = make_stream_(request);  // The body is ignored.
      }
      handle_returned_++;
      return response;
    };
    handlers.error = [](int status, const std::string& message) {
      return ServerResponse{status,
                            "text/plain",
                            {{"X-From", "error"}},
                            "error " + std::to_string(status) + ": " + message};
    };
    return handlers;
  }

  // Whether `screen` has seen a request for `path`, waiting for it if need be.
  bool WaitScreened(const std::string& path) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kWait, [&] {
      for (const ServerRequest& request : screened_) {
        if (request.path == path) return true;
      }
      return false;
    });
  }

  std::vector<ServerRequest> handled() {
    std::lock_guard<std::mutex> lock(mu_);
    return handled_;
  }
  std::vector<ServerRequest> screened() {
    std::lock_guard<std::mutex> lock(mu_);
    return screened_;
  }
  int port() const { return server_->port(); }

  Gate gate_;
  Gate stream_gate_;  // For streams' `read` to wait at; opened by TearDown.
  // The body of "/stream"; set before StartServer.
  std::function<StreamedBody(const ServerRequest&)> make_stream_;
  std::atomic<int> handle_returned_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ServerRequest> screened_;
  std::vector<ServerRequest> handled_;
  std::unique_ptr<HttpServer> server_;  // Last: stopped before the members above go.
};

TEST_F(HttpServerTest, AHeadLineOfOneMebibyteIsAnswered431AndTheConnectionClosed) {
  StartServer(SmallLimits());
  RawClient client(port());
  ASSERT_TRUE(client.connected());
  const std::string request =
      "GET / HTTP/1.1\r\nHost: test\r\nX-Big: " + std::string(1 << 20, 'a') + "\r\n\r\n";
  // The server stops reading at its limit and closes: the send may fail.
  if (!client.Send(request)) {
    EXPECT_TRUE(client.last_errno() == EPIPE || client.last_errno() == ECONNRESET)
        << client.last_errno();
  }
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value()) << "errno " << client.last_errno();
  EXPECT_EQ(response->status, 431);
  EXPECT_EQ(response->Header("X-From"), "error");
  EXPECT_THAT(response->body, HasSubstr("larger than 1024 bytes"));
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_EQ(server_->counters().too_large, 1u);
  EXPECT_THAT(handled(), IsEmpty());
  EXPECT_THAT(screened(), IsEmpty());
}

TEST_F(HttpServerTest, AChunkedBodyOverTheLimitIsAnswered413WithoutCallingHandle) {
  StartServer(SmallLimits());  // max_body_bytes = 4 KiB.
  RawClient client(port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(
      client.Send("POST /upload HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"));
  const std::string chunk = "400\r\n" + std::string(1024, 'c') + "\r\n";
  bool sent_all = true;
  for (int i = 0; i < 1024 && sent_all; ++i) sent_all = client.Send(chunk);
  if (sent_all) sent_all = client.Send("0\r\n\r\n");
  if (!sent_all) {
    EXPECT_TRUE(client.last_errno() == EPIPE || client.last_errno() == ECONNRESET)
        << client.last_errno();
  }
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value()) << "errno " << client.last_errno();
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->Header("X-From"), "error");
  EXPECT_THAT(response->body, HasSubstr("larger than 4096 bytes"));
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_EQ(server_->counters().too_large, 1u);
  EXPECT_THAT(handled(), IsEmpty());
}

TEST_F(HttpServerTest, AContentLengthOverTheLimitIsAnswered413BeforeTheBodyIsSent) {
  StartServer(SmallLimits());
  RawClient client(port());
  ASSERT_TRUE(client.connected());
  // Only the head: the answer must come without the body.
  ASSERT_TRUE(client.Send("PUT /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 100000\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value()) << "errno " << client.last_errno();
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->Header("X-From"), "error");
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_EQ(server_->counters().too_large, 1u);
  EXPECT_THAT(handled(), IsEmpty());
}

TEST_F(HttpServerTest, ScreenAnswersARequestWithABodyUnreadAndClosesTheConnection) {
  StartServer(SmallLimits());
  RawClient client(port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send("PUT /denied HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value()) << "errno " << client.last_errno();
  EXPECT_EQ(response->status, 403);
  EXPECT_EQ(response->body, "denied");
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_THAT(client.unread(), IsEmpty());
  EXPECT_THAT(handled(), IsEmpty());
  ASSERT_EQ(screened().size(), 1u);
  EXPECT_TRUE(screened()[0].declares_body);
  EXPECT_THAT(screened()[0].body, IsEmpty());
}

TEST_F(HttpServerTest, ScreenAnsweringARequestWithoutABodyKeepsTheConnection) {
  StartServer(SmallLimits());
  RawClient client(port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(Get("/denied")));
  auto first = client.ReadResponse();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->status, 403);
  EXPECT_EQ(first->Header("Connection"), std::nullopt);
  ASSERT_TRUE(client.Send(Get("/healthz")));
  auto second = client.ReadResponse();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, "ok");
}

TEST_F(HttpServerTest, KeepAliveAnswersSuccessiveAndPipelinedRequestsOnOneConnection) {
  StartServer(SmallLimits());
  RawClient client(port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(Get("/one")));
  auto first = client.ReadResponse();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "handled /one");
  ASSERT_TRUE(client.Send(Put("/echo", "second body")));
  auto second = client.ReadResponse();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, "second body");

  // Two in one send, the first with a body: answered in order.
  ASSERT_TRUE(client.Send(Put("/echo", "pipelined") + Get("/three")));
  auto third = client.ReadResponse();
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(third->status, 200);
  EXPECT_EQ(third->body, "pipelined");
  auto fourth = client.ReadResponse();
  ASSERT_TRUE(fourth.has_value());
  EXPECT_EQ(fourth->status, 200);
  EXPECT_EQ(fourth->body, "handled /three");
  EXPECT_EQ(server_->counters().accepted, 1u);
  EXPECT_EQ(handled().size(), 4u);
}

TEST_F(HttpServerTest, ASlowLorisHeadIsCutOffAtTheHeadTimeout) {
  HttpServerLimits limits = SmallLimits();
  limits.head_timeout = milliseconds(300);
  StartServer(limits);
  RawClient client(port());
  ASSERT_TRUE(client.connected());
  // A head that never ends, one byte per 100 ms; the server must close the
  // connection long before 10 s.
  const std::string partial = "GET / HTTP/1.1\r\nHost: test\r\nX-Slow: " + std::string(200, 's');
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  bool closed = false;
  for (size_t i = 0; i < partial.size() && !closed; ++i) {
    if (std::chrono::steady_clock::now() > deadline) break;
    closed = !client.Send(partial.substr(i, 1)) || client.PeerClosed();
    if (!closed) std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_TRUE(closed);
  EXPECT_THAT(client.unread(), IsEmpty());
  // Beast's stream closes the socket when its timer fires, and the read it
  // cuts off (which counts) completes a moment later: wait for the count.
  EXPECT_TRUE(Eventually([&] { return server_->counters().timed_out >= 1; }));
  EXPECT_THAT(screened(), IsEmpty());
}

TEST_F(HttpServerTest, AnIdleKeepAliveConnectionIsClosedAfterTheHeadTimeout) {
  HttpServerLimits limits = SmallLimits();
  limits.head_timeout = milliseconds(300);
  StartServer(limits);
  RawClient client(port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(Get("/healthz")));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(client.WaitClosed());  // Within kWait, not the server's 30 s write timeout.
  // Beast's stream closes the socket when its timer fires, and the read it
  // cuts off (which counts) completes a moment later: wait for the count.
  EXPECT_TRUE(Eventually([&] { return server_->counters().timed_out == 1; }));
  EXPECT_TRUE(Eventually([&] { return server_->counters().open == 0; }));
}

TEST_F(HttpServerTest, AtTheConnectionLimitTheLongestIdleConnectionMakesRoom) {
  HttpServerLimits limits = SmallLimits();
  limits.max_connections = 4;
  StartServer(limits);
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 4; ++i) {
    idle.push_back(std::make_unique<RawClient>(port()));
    ASSERT_TRUE(idle.back()->connected());
    // Accepted in order, so that the first is the one idle longest.
    ASSERT_TRUE(Eventually([&] { return server_->counters().open == idle.size(); }));
  }
  RawClient fifth(port());
  ASSERT_TRUE(fifth.connected());
  ASSERT_TRUE(fifth.Send(Get("/fifth")));
  auto response = fifth.ReadResponse();
  ASSERT_TRUE(response.has_value()) << "errno " << fifth.last_errno();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "handled /fifth");
  const HttpServerCounters counters = server_->counters();
  EXPECT_EQ(counters.evicted, 1u);
  EXPECT_EQ(counters.refused, 0u);
  EXPECT_EQ(counters.open, 4u);
  EXPECT_TRUE(idle[0]->WaitClosed());
  EXPECT_THAT(idle[0]->unread(), IsEmpty());
  for (int i = 1; i < 4; ++i) EXPECT_FALSE(idle[i]->PeerClosed()) << i;
}

TEST_F(HttpServerTest, AtTheConnectionLimitWithEveryConnectionBusyANewOneIsRefused) {
  HttpServerLimits limits = SmallLimits();
  limits.max_connections = 4;
  limits.handler_threads = 4;
  StartServer(limits);
  std::vector<std::unique_ptr<RawClient>> busy;
  for (int i = 0; i < 4; ++i) {
    busy.push_back(std::make_unique<RawClient>(port()));
    ASSERT_TRUE(busy.back()->connected());
    ASSERT_TRUE(busy.back()->Send(Get("/block")));
  }
  ASSERT_TRUE(gate_.WaitForEntered(4));
  RawClient fifth(port());
  ASSERT_TRUE(fifth.connected());  // The kernel accepts; the server closes it.
  fifth.Send(Get("/fifth"));       // May fail: the server may have closed already.
  EXPECT_TRUE(fifth.WaitClosed());
  EXPECT_THAT(fifth.unread(), IsEmpty());
  EXPECT_GE(server_->counters().refused, 1u);
  EXPECT_EQ(server_->counters().evicted, 0u);

  gate_.Open();
  for (auto& client : busy) {
    auto response = client->ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 200);
  }
  EXPECT_EQ(handled().size(), 4u);  // Not the refused one.
}

TEST_F(HttpServerTest, WithEveryHandlerThreadBusyRequestsGet503ButScreenedOnesAreAnswered) {
  HttpServerLimits limits = SmallLimits();
  limits.handler_threads = 1;
  limits.max_waiting_requests = 1;
  StartServer(limits);
  RawClient running(port());
  ASSERT_TRUE(running.Send(Get("/block")));
  ASSERT_TRUE(gate_.WaitForEntered(1));  // The only thread is taken.
  RawClient waiting(port());
  ASSERT_TRUE(waiting.Send(Get("/waits")));
  // Screened then queued in the same turn of the I/O thread, so it waits
  // before the next request is read.
  ASSERT_TRUE(WaitScreened("/waits"));

  RawClient refused(port());
  ASSERT_TRUE(refused.Send(Get("/refused")));
  auto busy = refused.ReadResponse();
  ASSERT_TRUE(busy.has_value()) << "errno " << refused.last_errno();
  EXPECT_EQ(busy->status, 503);
  EXPECT_EQ(busy->Header("X-From"), "error");
  EXPECT_EQ(busy->Header("Retry-After"), "1");
  EXPECT_THAT(busy->body, HasSubstr("busy"));
  EXPECT_EQ(server_->counters().busy, 1u);

  // The connection stays open, and what screen answers needs no thread.
  ASSERT_TRUE(refused.Send(Get("/healthz")));
  auto health = refused.ReadResponse();
  ASSERT_TRUE(health.has_value());
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "ok");
  RawClient other(port());
  ASSERT_TRUE(other.Send(Get("/healthz")));
  auto other_health = other.ReadResponse();
  ASSERT_TRUE(other_health.has_value());
  EXPECT_EQ(other_health->status, 200);

  gate_.Open();
  auto first = running.ReadResponse();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->body, "handled /block");
  auto second = waiting.ReadResponse();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->body, "handled /waits");
  EXPECT_EQ(server_->counters().busy, 1u);
}

TEST_F(HttpServerTest, WithNoWaitingRoomAnIdleThreadStillRunsTheRequest) {
  // "requests beyond [the handler threads] wait, up to max_waiting_requests":
  // with none allowed to wait, a request that finds a thread idle still runs.
  HttpServerLimits limits = SmallLimits();
  limits.handler_threads = 1;
  limits.max_waiting_requests = 0;
  StartServer(limits);
  RawClient client(port());
  ASSERT_TRUE(client.Send(Get("/idle")));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value()) << "errno " << client.last_errno();
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(response->body, "handled /idle");
  EXPECT_EQ(server_->counters().busy, 0u);
}

TEST_F(HttpServerTest, ABodyOverOneMebibyteWithinMaxBodyBytesIsHandled) {
  HttpServerLimits limits = SmallLimits();
  limits.max_body_bytes = 2 << 20;
  StartServer(limits);
  RawClient client(port());
  const std::string body((3 << 20) / 2, 'b');  // 1.5 MiB.
  // Not asserted: a server that refuses closes the connection while this sends.
  client.Send(Put("/big", body));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value()) << "errno " << client.last_errno();
  EXPECT_EQ(response->status, 200) << response->body;
  ASSERT_EQ(handled().size(), 1u);
  EXPECT_EQ(handled()[0].body.size(), body.size());
  EXPECT_EQ(server_->counters().too_large, 0u);
}

TEST_F(HttpServerTest, ScreenSeesTheHeadWhateverItsContentLength) {
  // The head is screened before the body's size is judged: screen's answer
  // (a refusal here) comes first, whether Content-Length is 100 KB or 2 MiB.
  StartServer(SmallLimits());
  for (const char* length : {"100000", "2097152"}) {
    RawClient client(port());
    ASSERT_TRUE(client.Send(std::string("PUT /denied HTTP/1.1\r\nHost: test\r\nContent-Length: ") +
                            length + "\r\n\r\n"));
    auto response = client.ReadResponse();
    ASSERT_TRUE(response.has_value()) << "errno " << client.last_errno();
    EXPECT_EQ(response->status, 403) << "Content-Length " << length << ": " << response->body;
  }
  EXPECT_EQ(screened().size(), 2u);
}

TEST_F(HttpServerTest, ASlowBodyIsCutOffAtTheBodyTimeout) {
  HttpServerLimits limits = SmallLimits();
  limits.body_timeout = milliseconds(300);
  StartServer(limits);
  RawClient client(port());
  ASSERT_TRUE(client.Send("PUT /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\nab"));
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_THAT(client.unread(), IsEmpty());
  // Beast's stream closes the socket when its timer fires, and the read it
  // cuts off (which counts) completes a moment later: wait for the count.
  EXPECT_TRUE(Eventually([&] { return server_->counters().timed_out == 1; }));
  EXPECT_THAT(handled(), IsEmpty());
}

TEST_F(HttpServerTest, ExpectContinueGets100ThenTheFinalAnswer) {
  StartServer(SmallLimits());
  RawClient client(port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(
      client.Send("PUT /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 11\r\n"
                  "Expect: 100-continue\r\n\r\n"));
  auto interim = client.ReadResponse();
  ASSERT_TRUE(interim.has_value()) << "errno " << client.last_errno();
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send("hello world"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello world");
  // Kept alive.
  ASSERT_TRUE(client.Send(Get("/healthz")));
  auto health = client.ReadResponse();
  ASSERT_TRUE(health.has_value());
  EXPECT_EQ(health->status, 200);
}

TEST_F(HttpServerTest, ExpectContinueRefusedByScreenGetsTheAnswerWithoutA100) {
  StartServer(SmallLimits());
  RawClient client(port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(
      client.Send("PUT /denied HTTP/1.1\r\nHost: test\r\nContent-Length: 11\r\n"
                  "Expect: 100-continue\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value()) << "errno " << client.last_errno();
  EXPECT_EQ(response->status, 403);
  EXPECT_EQ(response->body, "denied");
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_THAT(client.unread(), Not(HasSubstr("100 Continue")));
  EXPECT_THAT(client.unread(), IsEmpty());
  EXPECT_THAT(handled(), IsEmpty());
}

TEST_F(HttpServerTest, AHandlerThatThrowsGives500FromError) {
  StartServer(SmallLimits());
  RawClient client(port());
  ASSERT_TRUE(client.Send(Get("/throw")));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value()) << "errno " << client.last_errno();
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(response->Header("X-From"), "error");
  EXPECT_THAT(response->body, StartsWith("error 500: internal error"));
  EXPECT_THAT(response->body, Not(HasSubstr("boom")));  // Only in the log.
  // The server goes on serving the connection.
  ASSERT_TRUE(client.Send(Get("/after")));
  auto after = client.ReadResponse();
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->status, 200);
}

TEST_F(HttpServerTest, StopWaitsForARunningHandlerAndThenRefusesConnections) {
  HttpServerLimits limits = SmallLimits();
  limits.handler_threads = 1;
  StartServer(limits);
  const int bound = port();
  RawClient client(bound);
  ASSERT_TRUE(client.Send(Get("/block")));
  ASSERT_TRUE(gate_.WaitForEntered(1));
  std::thread opener([this] {
    std::this_thread::sleep_for(milliseconds(300));
    gate_.Open();
  });
  server_->Stop();
  EXPECT_EQ(handle_returned_.load(), 1);  // Stop returned only after the handler did.
  opener.join();
  // Its answer is not sent.
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_THAT(client.unread(), IsEmpty());

  RawClient late(bound);
  EXPECT_FALSE(late.connected());
  EXPECT_EQ(late.connect_errno(), ECONNREFUSED);
  EXPECT_EQ(server_->counters().open, 0u);
  server_->Stop();  // Again: nothing to do.
  EXPECT_EQ(server_->Start("127.0.0.1", 0).code(), StatusCode::kFailedPrecondition);
}

TEST_F(HttpServerTest, AServerNeverStartedCanBeStoppedAndDestroyed) {
  { HttpServer server(Handlers(), SmallLimits()); }
  HttpServer server(Handlers(), SmallLimits());
  server.Stop();
  server.Stop();
  EXPECT_EQ(server.port(), 0);
}

TEST_F(HttpServerTest, StartingOnAPortAnotherServerHoldsIsUnavailable) {
  StartServer(SmallLimits());
  HttpServer second(Handlers(), SmallLimits());
  const Status started = second.Start("127.0.0.1", port());
  EXPECT_EQ(started.code(), StatusCode::kUnavailable) << started.message();
  // The first one still serves.
  RawClient client(port());
  ASSERT_TRUE(client.Send(Get("/healthz")));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
}

TEST_F(HttpServerTest, TheRequestCarriesMethodPathQueryHeadersAndBody) {
  StartServer(SmallLimits());
  RawClient client(port());
  ASSERT_TRUE(
      client.Send("PATCH /tasks/a%20b/x?dry_run=1&next=%2Fz HTTP/1.1\r\nHost: test\r\n"
                  "X-Custom-Thing: Some Value\r\nX-Custom-Thing: second\r\n"
                  "Content-Length: 4\r\n\r\nbody"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value()) << "errno " << client.last_errno();
  EXPECT_EQ(response->status, 200);
  ASSERT_TRUE(client.Send(Get("/plain")));
  ASSERT_TRUE(client.ReadResponse().has_value());
  ASSERT_TRUE(
      client.Send("POST /chunked? HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
  ASSERT_TRUE(client.ReadResponse().has_value());

  const std::vector<ServerRequest> requests = handled();
  ASSERT_EQ(requests.size(), 3u);
  const ServerRequest& patch = requests[0];
  EXPECT_EQ(patch.method, "PATCH");
  EXPECT_EQ(patch.path, "/tasks/a%20b/x");
  EXPECT_EQ(patch.query, "dry_run=1&next=%2Fz");
  EXPECT_EQ(patch.Header("x-custom-thing"), "Some Value");
  EXPECT_EQ(patch.Header("X-CUSTOM-THING"), "Some Value");
  EXPECT_EQ(patch.Header("content-length"), "4");
  EXPECT_EQ(patch.Header("X-Absent"), "");
  EXPECT_TRUE(patch.declares_body);
  EXPECT_EQ(patch.body, "body");

  const ServerRequest& get = requests[1];
  EXPECT_EQ(get.method, "GET");
  EXPECT_EQ(get.path, "/plain");
  EXPECT_EQ(get.query, "");
  EXPECT_EQ(get.Header("host"), "test");
  EXPECT_FALSE(get.declares_body);
  EXPECT_EQ(get.body, "");

  const ServerRequest& chunked = requests[2];
  EXPECT_EQ(chunked.method, "POST");
  EXPECT_EQ(chunked.path, "/chunked");
  EXPECT_EQ(chunked.query, "");
  EXPECT_TRUE(chunked.declares_body);
  EXPECT_EQ(chunked.body, "abcde");

  // `screen` saw the same head, without the body.
  const std::vector<ServerRequest> heads = screened();
  ASSERT_EQ(heads.size(), 3u);
  EXPECT_EQ(heads[0].method, "PATCH");
  EXPECT_EQ(heads[0].query, "dry_run=1&next=%2Fz");
  EXPECT_TRUE(heads[0].declares_body);
  EXPECT_EQ(heads[0].body, "");
}

TEST_F(HttpServerTest, MalformedRequestIsAnswered400) {
  StartServer(SmallLimits());
  RawClient client(port());
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nHost: test\r\nContent-Length: nope\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value()) << "errno " << client.last_errno();
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(response->Header("X-From"), "error");
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_THAT(screened(), IsEmpty());
}

TEST_F(HttpServerTest, AStreamedBodyArrivesWholeInChunksWithItsContentLength) {
  HttpServerLimits limits = SmallLimits();
  limits.stream_chunk_bytes = 256 << 10;
  constexpr uint64_t kLength = 5 << 20;
  struct Read {
    uint64_t offset;
    size_t max;
    size_t served;
  };
  std::mutex reads_mu;
  std::vector<Read> reads;
  make_stream_ = [&](const ServerRequest&) {
    return PatternStream(kLength, [&](uint64_t offset, size_t* serve) {
      std::lock_guard<std::mutex> lock(reads_mu);
      const size_t max = *serve;
      // Every third read serves less than asked: the next asks from where
      // it ended.
      if (reads.size() % 3 == 2) *serve = max / 3 + 1;
      reads.push_back(Read{offset, max, *serve});
      return Status::Ok();
    });
  };
  StartServer(limits);
  RawClient client(port());
  ASSERT_TRUE(client.Send(Get("/stream")));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value()) << "errno " << client.last_errno();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("Content-Length"), std::to_string(kLength));
  EXPECT_EQ(response->Header("Content-Type"), "application/octet-stream");
  EXPECT_EQ(response->Header("X-Streamed"), "yes");
  EXPECT_EQ(response->Header("Transfer-Encoding"), std::nullopt);
  EXPECT_EQ(response->body.size(), kLength);
  EXPECT_EQ(FirstDifference(response->body, kLength), kLength);

  EXPECT_TRUE(Eventually([&] { return server_->counters().streams_completed == 1; }));
  server_->Stop();  // So that no read uses `reads` once the test returns.
  const HttpServerCounters counters = server_->counters();
  EXPECT_EQ(counters.streams_started, 1u);
  EXPECT_EQ(counters.streams_aborted, 0u);
  EXPECT_EQ(counters.streams_refused, 0u);
  std::lock_guard<std::mutex> lock(reads_mu);
  EXPECT_GT(reads.size(), kLength / limits.stream_chunk_bytes);
  uint64_t next = 0;
  for (const Read& read : reads) {
    EXPECT_EQ(read.offset, next);
    EXPECT_EQ(read.max, std::min<uint64_t>(limits.stream_chunk_bytes, kLength - read.offset));
    next = read.offset + read.served;
  }
  EXPECT_EQ(next, kLength);
}

TEST_F(HttpServerTest, TheConnectionIsKeptAliveAfterAStream) {
  make_stream_ = [](const ServerRequest& request) {
    return PatternStream(request.query == "empty" ? 0 : 100 << 10);
  };
  StartServer(SmallLimits());
  RawClient client(port());
  ASSERT_TRUE(client.Send(Get("/stream")));
  auto first = client.ReadResponse();
  ASSERT_TRUE(first.has_value()) << "errno " << client.last_errno();
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(FirstDifference(first->body, 100 << 10), 100u << 10);
  EXPECT_EQ(first->Header("Connection"), std::nullopt);

  ASSERT_TRUE(client.Send(Get("/healthz")));
  auto health = client.ReadResponse();
  ASSERT_TRUE(health.has_value());
  EXPECT_EQ(health->body, "ok");
  // A body of 0 bytes is a head alone.
  ASSERT_TRUE(client.Send(Get("/stream?empty")));
  auto empty = client.ReadResponse();
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(empty->status, 200);
  EXPECT_EQ(empty->Header("Content-Length"), "0");
  EXPECT_EQ(empty->body, "");
  // Pipelined after a stream: answered in order.
  ASSERT_TRUE(client.Send(Get("/stream") + Get("/plain")));
  auto second = client.ReadResponse();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(FirstDifference(second->body, 100 << 10), 100u << 10);
  auto plain = client.ReadResponse();
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->body, "handled /plain");

  EXPECT_EQ(server_->counters().accepted, 1u);
  EXPECT_TRUE(Eventually([&] { return server_->counters().streams_completed == 3; }));
  EXPECT_FALSE(client.PeerClosed());
}

TEST_F(HttpServerTest, AStreamClosedByTheClientAsksForConnectionClose) {
  make_stream_ = [](const ServerRequest&) { return PatternStream(1000); };
  StartServer(SmallLimits());
  RawClient client(port());
  ASSERT_TRUE(client.Send("GET /stream HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value()) << "errno " << client.last_errno();
  EXPECT_EQ(FirstDifference(response->body, 1000), 1000u);
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_THAT(client.unread(), IsEmpty());
}

// What a client got of an answer cut short: the head, and the body up to
// where the connection ended.
struct CutResponse {
  std::string head;
  std::string body;
};

CutResponse SplitCut(const std::string& received) {
  const size_t head_end = received.find("\r\n\r\n");
  if (head_end == std::string::npos) return CutResponse{received, ""};
  return CutResponse{received.substr(0, head_end + 2), received.substr(head_end + 4)};
}

TEST_F(HttpServerTest, AReadErrorMidStreamClosesTheConnectionAfterAShortBody) {
  HttpServerLimits limits = SmallLimits();
  limits.stream_chunk_bytes = 64 << 10;
  make_stream_ = [](const ServerRequest&) {
    return PatternStream(1 << 20, [](uint64_t offset, size_t*) {
      return offset >= (256 << 10) ? Status::Unavailable("the store went away") : Status::Ok();
    });
  };
  StartServer(limits);
  RawClient client(port());
  ASSERT_TRUE(client.Send(Get("/stream")));  // Keep-alive, but not after this.
  EXPECT_TRUE(client.WaitClosed());
  const CutResponse cut = SplitCut(client.unread());
  EXPECT_THAT(cut.head, StartsWith("HTTP/1.1 200 "));
  EXPECT_THAT(cut.head, HasSubstr("Content-Length: 1048576\r\n"));
  // Each chunk is written before the next is read: all before the error.
  EXPECT_EQ(cut.body.size(), 256u << 10);
  EXPECT_EQ(FirstDifference(cut.body, 256 << 10), 256u << 10);
  EXPECT_TRUE(Eventually([&] { return server_->counters().streams_aborted == 1; }));
  EXPECT_EQ(server_->counters().streams_completed, 0u);
  EXPECT_TRUE(Eventually([&] { return server_->counters().open == 0; }));
}

TEST_F(HttpServerTest, AReadOfNothingOrOfTooMuchOrThatThrowsClosesTheConnection) {
  HttpServerLimits limits = SmallLimits();
  limits.stream_chunk_bytes = 1000;
  make_stream_ = [](const ServerRequest& request) {
    StreamedBody body;
    body.length = 10000;
    const std::string how = request.query;
    body.read = [how](uint64_t offset, size_t max, std::string* out) {
      const bool misbehave = offset >= 2000;
      if (misbehave && how == "throw") throw std::runtime_error("boom");
      size_t serve = max;
      if (misbehave) serve = how == "nothing" ? 0 : max + 1;
      out->append(Pattern(offset, serve));
      return Status::Ok();
    };
    return body;
  };
  StartServer(limits);
  for (const char* how : {"nothing", "too_much", "throw"}) {
    SCOPED_TRACE(how);
    RawClient client(port());
    ASSERT_TRUE(client.Send(Get(std::string("/stream?") + how)));
    EXPECT_TRUE(client.WaitClosed());
    const CutResponse cut = SplitCut(client.unread());
    EXPECT_THAT(cut.head, HasSubstr("Content-Length: 10000\r\n"));
    EXPECT_EQ(cut.body.size(), 2000u);
    EXPECT_EQ(FirstDifference(cut.body, 2000), 2000u);
  }
  EXPECT_TRUE(Eventually([&] { return server_->counters().streams_aborted == 3; }));
}

TEST_F(HttpServerTest, AThirdStreamIsAnswered503WhileTwoRunAndOtherCallsAreStillHandled) {
  HttpServerLimits limits = SmallLimits();
  limits.handler_threads = 4;
  limits.max_streams = 2;
  constexpr uint64_t kLength = 300 << 10;
  make_stream_ = [this](const ServerRequest& request) {
    const bool wait = request.query == "wait";
    return PatternStream(kLength, [this, wait](uint64_t offset, size_t*) {
      if (wait && offset == 0) stream_gate_.Pass();
      return Status::Ok();
    });
  };
  StartServer(limits);
  RawClient first(port());
  RawClient second(port());
  ASSERT_TRUE(first.Send(Get("/stream?wait")));
  ASSERT_TRUE(second.Send(Get("/stream?wait")));
  ASSERT_TRUE(stream_gate_.WaitForEntered(2));  // Both are in flight.

  RawClient third(port());
  ASSERT_TRUE(third.Send(Get("/stream")));
  auto refused = third.ReadResponse();
  ASSERT_TRUE(refused.has_value()) << "errno " << third.last_errno();
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->Header("X-From"), "error");
  EXPECT_EQ(refused->Header("Retry-After"), "5");
  EXPECT_THAT(refused->body, HasSubstr("too many downloads at once"));
  EXPECT_EQ(server_->counters().streams_refused, 1u);
  EXPECT_EQ(server_->counters().streams_started, 2u);
  EXPECT_EQ(server_->counters().busy, 0u);
  // The connection stays open, and a call that does not stream finds a
  // handler thread.
  ASSERT_TRUE(third.Send(Get("/plain")));
  auto plain = third.ReadResponse();
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->body, "handled /plain");

  stream_gate_.Open();
  for (RawClient* client : {&first, &second}) {
    auto response = client->ReadResponse();
    ASSERT_TRUE(response.has_value()) << "errno " << client->last_errno();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(FirstDifference(response->body, kLength), kLength);
  }
  // Their places are free again.
  ASSERT_TRUE(Eventually([&] { return server_->counters().streams_completed == 2; }));
  ASSERT_TRUE(third.Send(Get("/stream")));
  auto retried = third.ReadResponse();
  ASSERT_TRUE(retried.has_value());
  EXPECT_EQ(retried->status, 200);
  EXPECT_EQ(FirstDifference(retried->body, kLength), kLength);
}

TEST_F(HttpServerTest, WithMaxStreamsZeroEveryStreamIsAnswered503) {
  HttpServerLimits limits = SmallLimits();
  limits.max_streams = 0;
  make_stream_ = [](const ServerRequest&) { return PatternStream(10); };
  StartServer(limits);
  RawClient client(port());
  ASSERT_TRUE(client.Send(Get("/stream")));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(server_->counters().streams_refused, 1u);
  EXPECT_EQ(server_->counters().streams_started, 0u);
}

TEST_F(HttpServerTest, StopDuringAStreamReturnsWithoutWaitingForTheClient) {
  HttpServerLimits limits = SmallLimits();
  // A chunk far larger than the socket buffers, to a client that does not
  // read: its write cannot end before the write timeout, long after kWait.
  limits.stream_chunk_bytes = 16 << 20;
  limits.write_timeout = seconds(60);
  std::atomic<int> reads{0};
  make_stream_ = [&reads](const ServerRequest&) {
    return PatternStream(64 << 20, [&reads](uint64_t, size_t*) {
      reads++;
      return Status::Ok();
    });
  };
  StartServer(limits);
  RawClient client(port(), kWait, /*receive_buffer=*/4096);
  ASSERT_TRUE(client.Send(Get("/stream")));
  ASSERT_TRUE(Eventually([&] { return reads.load() >= 1; }));

  auto stopped = std::async(std::launch::async, [this] { server_->Stop(); });
  // On failure the future's destructor still waits out the write timeout.
  ASSERT_EQ(stopped.wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(reads.load(), 1);  // No read after Stop.
  const HttpServerCounters counters = server_->counters();
  EXPECT_EQ(counters.streams_started, 1u);
  EXPECT_EQ(counters.streams_aborted, 1u);
  EXPECT_EQ(counters.streams_completed, 0u);
  EXPECT_EQ(counters.open, 0u);
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_LT(client.unread().size(), 16u << 20);
}

TEST_F(HttpServerTest, AClientThatStopsReadingAStreamIsCutOffAtTheWriteTimeout) {
  HttpServerLimits limits = SmallLimits();
  limits.write_timeout = milliseconds(300);
  limits.stream_chunk_bytes = 64 << 10;
  std::atomic<uint64_t> asked{0};  // The end of the last read.
  make_stream_ = [&asked](const ServerRequest&) {
    return PatternStream(uint64_t{1} << 30, [&asked](uint64_t offset, size_t* serve) {
      asked = offset + *serve;
      return Status::Ok();
    });
  };
  StartServer(limits);
  RawClient client(port(), kWait, /*receive_buffer=*/4096);
  ASSERT_TRUE(client.Send(Get("/stream")));  // And never reads.
  EXPECT_TRUE(Eventually([&] { return server_->counters().streams_aborted == 1; }));
  EXPECT_EQ(server_->counters().timed_out, 1u);
  EXPECT_EQ(server_->counters().streams_completed, 0u);
  EXPECT_TRUE(Eventually([&] { return server_->counters().open == 0; }));
  server_->Stop();  // So that no read uses `asked` once the test returns.
  // Held up by the socket buffers (a few MiB), far from the 1 GiB.
  EXPECT_LT(asked.load(), uint64_t{256} << 20);
  EXPECT_TRUE(client.WaitClosed());
}

TEST(HttpServerLimitsTest, MaxStreamBytesIsOneChunkPerStream) {
  HttpServerLimits limits;
  EXPECT_EQ(limits.MaxStreamBytes(), 2u << 20);
  limits.max_streams = 3;
  limits.stream_chunk_bytes = 4096;
  EXPECT_EQ(limits.MaxStreamBytes(), 3u * 4096);
}

// A RangeRequest as text, for readable failures: "whole", "unsatisfiable"
// or "first-last".
std::string Describe(const RangeRequest& request) {
  switch (request.kind) {
    case RangeRequest::Kind::kWhole:
      return "whole";
    case RangeRequest::Kind::kUnsatisfiable:
      return "unsatisfiable";
    case RangeRequest::Kind::kPartial:
      return std::to_string(request.range.first) + "-" + std::to_string(request.range.last);
  }
  return "?";
}

std::string Range(std::string_view value, uint64_t size) {
  return Describe(ParseRangeHeader(value, size));
}

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

TEST(ParseRangeHeaderTest, EachFormOfASingleRange) {
  EXPECT_EQ(Range("bytes=0-99", 1000), "0-99");
  EXPECT_EQ(Range("bytes=100-199", 1000), "100-199");
  EXPECT_EQ(Range("bytes=0-0", 1000), "0-0");
  EXPECT_EQ(Range("bytes=999-999", 1000), "999-999");
  EXPECT_EQ(Range("bytes=100-", 1000), "100-999");
  EXPECT_EQ(Range("bytes=0-", 1000), "0-999");
  EXPECT_EQ(Range("bytes=999-", 1000), "999-999");
  EXPECT_EQ(Range("bytes=-100", 1000), "900-999");
  EXPECT_EQ(Range("bytes=-1", 1000), "999-999");
  EXPECT_EQ(Range("bytes=-1", 1), "0-0");
  EXPECT_EQ(Range("bytes=0-0", 1), "0-0");
  // Leading zeros are digits like any other.
  EXPECT_EQ(Range("bytes=007-0010", 1000), "7-10");
}

TEST(ParseRangeHeaderTest, ARangePastTheEndStopsAtIt) {
  EXPECT_EQ(Range("bytes=0-1000", 1000), "0-999");
  EXPECT_EQ(Range("bytes=500-5000", 1000), "500-999");
  EXPECT_EQ(Range("bytes=-1000", 1000), "0-999");
  EXPECT_EQ(Range("bytes=-5000", 1000), "0-999");
}

TEST(ParseRangeHeaderTest, ARangeFromTheEndOnIsUnsatisfiable) {
  EXPECT_EQ(Range("bytes=1000-", 1000), "unsatisfiable");
  EXPECT_EQ(Range("bytes=1000-1000", 1000), "unsatisfiable");
  EXPECT_EQ(Range("bytes=2000-3000", 1000), "unsatisfiable");
  EXPECT_EQ(Range("bytes=-0", 1000), "unsatisfiable");
  EXPECT_EQ(Range("bytes=0-", 0), "unsatisfiable");
  EXPECT_EQ(Range("bytes=0-0", 0), "unsatisfiable");
  EXPECT_EQ(Range("bytes=-0", 0), "unsatisfiable");
  // RFC 9110 14.1.1 calls a suffix of an empty representation satisfiable,
  // but no Content-Range can name a part of it: the whole (empty) it is.
  EXPECT_EQ(Range("bytes=-5", 0), "whole");
}

TEST(ParseRangeHeaderTest, NoRangeAnotherUnitOrAMalformedOneIsTheWhole) {
  for (const char* value : {"",
                            " ",
                            "bytes",
                            "bytes=",
                            "bytes=,",
                            "bytes= , ",
                            "items=0-1",
                            "byte=0-1",
                            "bytesx=0-1",
                            "xbytes=0-1",
                            "bytes 0-1",
                            "bytes =0-1",
                            "=0-1",
                            "bytes=0",
                            "bytes=-",
                            "bytes=--1",
                            "bytes=-1-",
                            "bytes=1-2-3",
                            "bytes=0 -1",
                            "bytes=0- 1",
                            "bytes=a-b",
                            "bytes=1-b",
                            "bytes=+1-2",
                            "bytes=0x10-",
                            "bytes=1.5-2",
                            "bytes=0-1;x",
                            "bytes=\"0-1\"",
                            "bytes=\x31\xb9-2"}) {
    EXPECT_EQ(Range(value, 1000), "whole") << "'" << value << "'";
  }
  // Last before first: invalid (RFC 9110 14.1.1), not unsatisfiable.
  EXPECT_EQ(Range("bytes=5-4", 1000), "whole");
  EXPECT_EQ(Range("bytes=2000-1999", 1000), "whole");
}

TEST(ParseRangeHeaderTest, SeveralRangesAreTheWhole) {
  // Ignored, as RFC 9110 14.2 allows, rather than sent as multipart.
  for (const char* value : {"bytes=0-1,2-3", "bytes=0-1, 5-", "bytes=0-1,-5", "bytes=0-0,0-0",
                            "bytes=0-1,junk", "bytes=2000-,3000-", "bytes=1-, ,2-"}) {
    EXPECT_EQ(Range(value, 1000), "whole") << value;
  }
}

TEST(ParseRangeHeaderTest, TheUnitInAnyCaseAndWhitespaceAroundTheRange) {
  EXPECT_EQ(Range("BYTES=0-1", 1000), "0-1");
  EXPECT_EQ(Range("Bytes=0-1", 1000), "0-1");
  EXPECT_EQ(Range("  bytes=0-1  ", 1000), "0-1");
  EXPECT_EQ(Range("\tbytes=0-1\t", 1000), "0-1");
  EXPECT_EQ(Range("bytes= 0-1", 1000), "0-1");
  EXPECT_EQ(Range("bytes=\t-5 ", 1000), "995-999");
  // Empty list elements are no ranges (RFC 9110 5.6.1.2).
  EXPECT_EQ(Range("bytes=0-1,", 1000), "0-1");
  EXPECT_EQ(Range("bytes=, 0-1", 1000), "0-1");
  EXPECT_EQ(Range("bytes=,,0-1 , ,", 1000), "0-1");
}

TEST(ParseRangeHeaderTest, NumbersBeyondSixtyFourBitsAreNotWrapped) {
  // 2^64 would wrap to 0, 2^64 + 5 to 5.
  EXPECT_EQ(Range("bytes=18446744073709551616-", 1000), "unsatisfiable");
  EXPECT_EQ(Range("bytes=18446744073709551621-", 1000), "unsatisfiable");
  EXPECT_EQ(Range("bytes=99999999999999999999999999999999-", 1000), "unsatisfiable");
  EXPECT_EQ(Range("bytes=18446744073709551615-", 1000), "unsatisfiable");
  EXPECT_EQ(Range("bytes=0-18446744073709551616", 1000), "0-999");
  EXPECT_EQ(Range("bytes=5-99999999999999999999999999999999", 1000), "5-999");
  EXPECT_EQ(Range("bytes=-18446744073709551616", 1000), "0-999");
  EXPECT_EQ(Range("bytes=-18446744073709551621", 1000), "0-999");
  // Both beyond 64 bits: not compared further (last < first would make it
  // invalid, so the whole); either way no byte is sent.
  EXPECT_EQ(Range("bytes=18446744073709551617-18446744073709551616", 1000), "unsatisfiable");
  // The largest size there is.
  EXPECT_EQ(Range("bytes=0-", kMax), "0-18446744073709551614");
  EXPECT_EQ(Range("bytes=18446744073709551614-", kMax),
            "18446744073709551614-18446744073709551614");
  EXPECT_EQ(Range("bytes=18446744073709551615-", kMax), "unsatisfiable");
  EXPECT_EQ(Range("bytes=-18446744073709551615", kMax), "0-18446744073709551614");
  EXPECT_EQ(Range("bytes=-99999999999999999999999", kMax), "0-18446744073709551614");
  EXPECT_EQ(Range("bytes=-1", kMax), "18446744073709551614-18446744073709551614");
}

TEST(ParseRangeHeaderTest, ContentRangeValues) {
  EXPECT_EQ(FormatContentRange(ByteRange{0, 99}, 1000), "bytes 0-99/1000");
  EXPECT_EQ(FormatContentRange(ByteRange{999, 999}, 1000), "bytes 999-999/1000");
  EXPECT_EQ(FormatContentRange(ByteRange{0, kMax - 1}, kMax),
            "bytes 0-18446744073709551614/18446744073709551615");
  EXPECT_EQ(FormatUnsatisfiedRange(1000), "bytes */1000");
  EXPECT_EQ(FormatUnsatisfiedRange(0), "bytes */0");
  EXPECT_EQ((ByteRange{0, 0}).length(), 1u);
  EXPECT_EQ((ByteRange{900, 999}).length(), 100u);
  EXPECT_EQ((ByteRange{0, kMax - 1}).length(), kMax);
  const RangeRequest partial = ParseRangeHeader("bytes=-100", 1000);
  EXPECT_EQ(FormatContentRange(partial.range, 1000), "bytes 900-999/1000");
}

}  // namespace
}  // namespace k2c
