// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/http_server.h"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <strings.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <deque>
#include <future>
#include <limits>
#include <list>
#include <mutex>
#include <sstream>
#include <thread>

#include "common/log_text.h"

namespace k2c {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string ToString(beast::string_view text) { return std::string(text.data(), text.size()); }

// Runs handlers on named threads; refuses work beyond a bounded queue, so a
// flood of slow requests cannot pile up without limit.
class HandlerPool {
 public:
  HandlerPool(size_t threads, size_t max_waiting)
      : threads_count_(threads), max_waiting_(max_waiting) {
    for (size_t i = 0; i < threads; ++i) {
      threads_.emplace_back([this, i] {
        pthread_setname_np(pthread_self(), ("http-" + std::to_string(i)).c_str());
        Run();
      });
    }
  }
  ~HandlerPool() { Stop(); }

  // False if the queue is full or the pool stopped.
  bool TrySubmit(std::function<void()> job) {
    std::lock_guard<std::mutex> lock(mu_);
    // Jobs beyond the free threads wait, up to max_waiting_. A thread counts
    // as free from the start, not only once it waits for work: a request
    // right after start is not refused because a thread is still starting.
    if (stopping_ || waiting_.size() >= threads_count_ - busy_ + max_waiting_) return false;
    waiting_.push_back(std::move(job));
    cv_.notify_one();
    return true;
  }

  // Waits for the running jobs; drops the waiting ones. Idempotent.
  void Stop() {
    std::deque<std::function<void()>> dropped;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      dropped.swap(waiting_);
      cv_.notify_all();
    }
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  void Run() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
        if (stopping_) return;
        job = std::move(waiting_.front());
        waiting_.pop_front();
        ++busy_;
      }
      job();
      std::lock_guard<std::mutex> lock(mu_);
      --busy_;
    }
  }

  const size_t threads_count_;
  const size_t max_waiting_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> waiting_;
  size_t busy_ = 0;  // Threads running a job.
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

struct AtomicCounters {
  std::atomic<uint64_t> accepted{0}, evicted{0}, refused{0}, timed_out{0}, too_large{0}, busy{0};
  std::atomic<size_t> open{0};
  std::atomic<uint64_t> streams_started{0}, streams_completed{0}, streams_aborted{0},
      streams_refused{0};
};

}  // namespace

size_t HttpServerLimits::MaxRequestBytes() const {
  // Per connection: the read buffer (a head, or body bytes not yet decoded)
  // and the decoded body.
  return max_connections * (max_head_bytes + 4096 + max_body_bytes);
}

size_t HttpServerLimits::MaxStreamBytes() const { return max_streams * stream_chunk_bytes; }

std::string ServerRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) {
      return value;
    }
  }
  return "";
}

class Session;

// Everything the I/O thread works on. The session registry is touched only
// on the I/O thread.
struct HttpServer::Core {
  Core(Handlers h, HttpServerLimits l)
      : handlers(std::move(h)),
        limits(l),
        work(net::make_work_guard(io)),
        acceptor(io),
        retry_accept(io),
        pool(l.handler_threads, l.max_waiting_requests) {}

  void Accept();
  void MakeRoom();
  ServerResponse Error(int status, const std::string& message) const {
    try {
      return handlers.error(status, message);
    } catch (...) {
      return ServerResponse{status, "text/plain", {}, message};
    }
  }

  // 500 for a handler that threw; what it threw goes to the log only.
  ServerResponse Internal(const ServerRequest& request, std::string_view what) const {
    spdlog::error("event=api_exception method={} path=\"{}\" error=\"{}\"",
                  LogEscape(request.method), LogEscape(request.path), LogEscape(what));
    return Error(500, "internal error; see the worker's log");
  }
  ServerResponse BodyTooLarge() {
    counters.too_large++;
    return Error(
        413, "the request body is larger than " + std::to_string(limits.max_body_bytes) + " bytes");
  }

  // Takes a place for one more stream; false (and counted) if
  // `max_streams` run already.
  bool StartStream() {
    size_t running = streams_running.load();
    do {
      if (running >= limits.max_streams) {
        counters.streams_refused++;
        return false;
      }
    } while (!streams_running.compare_exchange_weak(running, running + 1));
    counters.streams_started++;
    return true;
  }
  void EndStream(bool completed) {
    streams_running--;
    (completed ? counters.streams_completed : counters.streams_aborted)++;
  }

  const Handlers handlers;
  const HttpServerLimits limits;
  net::io_context io;
  net::executor_work_guard<net::io_context::executor_type> work;
  tcp::acceptor acceptor;
  net::steady_timer retry_accept;
  HandlerPool pool;
  AtomicCounters counters;
  std::atomic<size_t> streams_running{0};
  // Oldest waiter for a request first: a session moves to the back each
  // time it starts waiting for a request.
  std::list<std::weak_ptr<Session>> sessions;
  std::thread io_thread;
  std::atomic<bool> stopped{false};  // Read on the I/O thread, set by Stop().
};

// One connection: read a head, screen it, maybe read the body and run the
// handler, write the answer; again while the client keeps the connection.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Core* core)
      : core_(core), stream_(std::move(socket)), buffer_(core->limits.max_head_bytes + 4096) {}

  void Start() {
    core_->counters.open++;
    slot_ = core_->sessions.insert(core_->sessions.end(), weak_from_this());
    beast::error_code ignored;
    stream_.socket().set_option(tcp::no_delay(true), ignored);
    ReadHead();
  }

  bool awaiting_head() const { return awaiting_head_ && !closed_; }

  // Ends the connection; pending reads and writes complete as aborted.
  void Close() {
    if (closed_) return;
    closed_ = true;
    core_->counters.open--;
    core_->sessions.erase(slot_);
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

 private:
  void ReadHead() {
    awaiting_head_ = true;
    core_->sessions.splice(core_->sessions.end(), core_->sessions, slot_);
    head_.emplace();
    head_->header_limit(static_cast<uint32_t>(core_->limits.max_head_bytes));
    // The declared length is judged after the screen (a refused request is
    // refused whatever it declares), not by the head's parser. (Beast 1.74
    // compares a length with an empty limit as larger: no boost::none here.)
    head_->body_limit(std::numeric_limits<uint64_t>::max());
    body_.reset();
    stream_.expires_after(core_->limits.head_timeout);
    http::async_read_header(
        stream_, buffer_, *head_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHead(ec); });
  }

  // True (and the connection handled) if `ec` ends this request.
  // A connection closed meanwhile (evicted, or the server stopping) ends it
  // too, even if the operation itself completed.
  bool Failed(beast::error_code ec, const char* stage) {
    if (closed_) return true;
    if (!ec) return false;
    if (ec == net::error::operation_aborted) return true;
    if (ec == beast::error::timeout) {
      core_->counters.timed_out++;
      Close();
    } else if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
      core_->counters.too_large++;
      Write(core_->Error(431, "the request head is larger than " +
                                  std::to_string(core_->limits.max_head_bytes) + " bytes"),
            false);
    } else if (ec == http::error::body_limit) {
      Write(core_->BodyTooLarge(), false);
    } else if (ec == http::error::end_of_stream || ec == net::error::eof ||
               ec == net::error::connection_reset || ec == http::error::partial_message) {
      Close();
    } else if (std::string_view(stage) == "head" || std::string_view(stage) == "body") {
      Write(core_->Error(400, "malformed HTTP request: " + ec.message()), false);
    } else {
      Close();
    }
    return true;
  }

  void OnHead(beast::error_code ec) {
    if (Failed(ec, "head")) return;
    awaiting_head_ = false;
    const auto& message = head_->get();
    request_ = ServerRequest{};
    request_.method = ToString(message.method_string());
    const std::string target = ToString(message.target());
    const size_t question = target.find('?');
    request_.path = target.substr(0, question);
    if (question != std::string::npos) request_.query = target.substr(question + 1);
    for (const auto& field : message) {
      request_.headers.emplace_back(ToString(field.name_string()), ToString(field.value()));
    }
    const auto length = head_->content_length();
    request_.declares_body = head_->chunked() || (length && *length > 0);
    keep_alive_ = head_->keep_alive();

    std::optional<ServerResponse> early;
    try {
      early = core_->handlers.screen(request_);
    } catch (const std::exception& e) {
      early = core_->Internal(request_, e.what());
    } catch (...) {
      early = core_->Internal(request_, "unknown");
    }
    if (early) return Write(std::move(*early), keep_alive_ && !request_.declares_body);
    if (length && *length > core_->limits.max_body_bytes) {
      return Write(core_->BodyTooLarge(), false);
    }
    if (!request_.declares_body) return Dispatch();
    const bool expects_continue =
        beast::iequals(ToString(message[http::field::expect]), "100-continue");
    const unsigned version = message.version();
    body_.emplace(std::move(*head_));  // `message` is moved from now.
    body_->body_limit(core_->limits.max_body_bytes);
    if (expects_continue) {
      auto interim =
          std::make_shared<http::response<http::empty_body>>(http::status::continue_, version);
      stream_.expires_after(core_->limits.write_timeout);
      http::async_write(stream_, *interim,
                        [self = shared_from_this(), interim](beast::error_code ec, size_t) {
                          if (self->Failed(ec, "continue")) return;
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    stream_.expires_after(core_->limits.body_timeout);
    http::async_read(stream_, buffer_, *body_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (self->Failed(ec, "body")) return;
                       self->request_.body = std::move(self->body_->get().body());
                       self->Dispatch();
                     });
  }

  // Hands the request to a handler thread; its answer comes back through the
  // I/O thread.
  void Dispatch() {
    stream_.expires_never();
    const bool keep_alive = keep_alive_;
    auto job = [self = shared_from_this(), keep_alive]() mutable {
      ServerResponse response;
      try {
        response = self->core_->handlers.handle(self->request_);
      } catch (const std::exception& e) {
        response = self->core_->Internal(self->request_, e.what());
      } catch (...) {
        response = self->core_->Internal(self->request_, "unknown");
      }
      if (response.stream) {
        if (self->core_->StartStream()) return self->SendStream(std::move(response), keep_alive);
        // Retry-After 5, not 1: a place frees when a download ends, which
        // takes longer than an API call.
        response = self->core_->Error(503, "too many downloads at once (" +
                                               std::to_string(self->core_->limits.max_streams) +
                                               " running); retry in a few seconds");
        response.headers.emplace_back("Retry-After", "5");
      }
      auto executor = self->stream_.get_executor();
      net::post(executor, [self = std::move(self), response = std::move(response),
                           keep_alive]() mutable { self->Write(std::move(response), keep_alive); });
    };
    if (!core_->pool.TrySubmit(std::move(job))) {
      core_->counters.busy++;
      ServerResponse busy = core_->Error(503, "the worker is busy answering other requests; retry");
      busy.headers.emplace_back("Retry-After", "1");
      Write(std::move(busy), keep_alive);
    }
  }

  void Write(ServerResponse response, bool keep_alive) {
    if (closed_) return;
    auto out = std::make_shared<http::response<http::string_body>>();
    out->version(11);
    out->result(static_cast<unsigned>(response.status));
    if (!response.content_type.empty()) out->set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) out->insert(name, value);
    out->body() = std::move(response.body);
    out->keep_alive(keep_alive);
    out->prepare_payload();
    stream_.expires_after(core_->limits.write_timeout);
    http::async_write(stream_, *out,
                      [self = shared_from_this(), out, keep_alive](beast::error_code ec, size_t) {
                        if (self->Failed(ec, "write")) return;
                        if (!keep_alive) return self->Linger();
                        self->ReadHead();
                      });
  }

  // On the handler thread, which it keeps until the body is sent: the head,
  // then one chunk at a time, read here and written by the I/O thread while
  // this thread waits, so that one chunk per stream is held. The I/O thread
  // never blocks on a handler: it only writes what it is given.
  void SendStream(ServerResponse response, bool keep_alive) {
    HttpServer::Core& core = *core_;
    StreamedBody body = std::move(*response.stream);
    http::response<http::empty_body> head;
    head.version(11);
    head.result(static_cast<unsigned>(response.status));
    if (!response.content_type.empty()) head.set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) head.insert(name, value);
    head.keep_alive(keep_alive);
    head.content_length(body.length);  // Replaces a Transfer-Encoding: chunked too.
    std::ostringstream head_text;
    head_text << head.base();
    bool sent = WriteFromHandler(std::make_shared<const std::string>(head_text.str()));

    auto chunk = std::make_shared<std::string>();
    uint64_t offset = 0;
    while (sent && offset < body.length) {
      if (core.stopped) {  // Do not read on: Stop is waiting for this thread.
        sent = false;
        break;
      }
      const size_t max = static_cast<size_t>(std::min<uint64_t>(
          std::max<size_t>(core.limits.stream_chunk_bytes, 1), body.length - offset));
      chunk->clear();
      const Status read = ReadChunk(body, offset, max, chunk.get());
      if (!read.ok()) {
        spdlog::warn(
            "event=api_stream_failed method={} path=\"{}\" offset={} length={} error=\"{}\"",
            LogEscape(request_.method), LogEscape(request_.path), offset, body.length,
            LogEscape(read.ToString()));
        sent = false;
        break;
      }
      sent = WriteFromHandler(chunk);
      offset += chunk->size();
    }
    chunk.reset();
    body.read = nullptr;  // Whatever it holds (a connection to the store) goes now.
    core.EndStream(sent);
    auto executor = stream_.get_executor();
    net::post(executor, [self = shared_from_this(), sent, keep_alive] {
      if (self->closed_) return;
      if (!sent) return self->Close();  // The client sees a body shorter than announced.
      if (!keep_alive) return self->Linger();
      self->ReadHead();
    });
  }

  // `body.read` for the chunk at `offset`, held to what SendStream expects:
  // between 1 and `max` bytes.
  static Status ReadChunk(const StreamedBody& body, uint64_t offset, size_t max, std::string* out) {
    Status status;
    try {
      status = body.read(offset, max, out);
    } catch (const std::exception& e) {
      status = Status::Internal(std::string("read threw: ") + e.what());
    } catch (...) {
      status = Status::Internal("read threw");
    }
    if (status.ok() && out->empty()) {
      status = Status::DataLoss("read returned no bytes before the end of the body");
    } else if (status.ok() && out->size() > max) {
      status = Status::Internal("read returned " + std::to_string(out->size()) +
                                " bytes, more than the " + std::to_string(max) + " asked for");
    }
    return status;
  }

  // On the handler thread: has the I/O thread write `data`, and waits until
  // it did. False if the connection failed, timed out or closed. `data` is
  // shared with the write, so that it outlives a write this thread gave up
  // waiting for.
  bool WriteFromHandler(std::shared_ptr<const std::string> data) {
    auto done = std::make_shared<std::promise<bool>>();
    std::future<bool> written = done->get_future();
    net::post(stream_.get_executor(), [self = shared_from_this(), data = std::move(data), done] {
      self->WriteStreamPart(data, done);
    });
    // The write ends at write_timeout itself; this wait's own timeout only
    // guards against an I/O thread that never gets to it.
    if (written.wait_for(core_->limits.write_timeout + std::chrono::seconds(5)) !=
        std::future_status::ready) {
      spdlog::warn("event=api_stream_stalled path=\"{}\"", LogEscape(request_.path));
      return false;
    }
    try {
      return written.get();
    } catch (const std::future_error&) {  // Dropped unrun: the I/O thread is gone.
      return false;
    }
  }

  // On the I/O thread: writes a part of a stream, then tells the handler
  // thread whether it went out.
  void WriteStreamPart(std::shared_ptr<const std::string> data,
                       std::shared_ptr<std::promise<bool>> done) {
    if (closed_) return done->set_value(false);
    stream_.expires_after(core_->limits.write_timeout);
    net::async_write(stream_, net::buffer(*data),
                     [self = shared_from_this(), data, done](beast::error_code ec, size_t) {
                       const bool failed = self->Failed(ec, "stream");
                       // Reading the next chunk from the store is not the
                       // client's time.
                       if (!failed) self->stream_.expires_never();
                       done->set_value(!failed);
                     });
  }

  // Ends a connection after its last answer: the client is told no more
  // comes (FIN), and what it still sends (a body that was refused) is read
  // and dropped for up to a second and 256 KiB, so that the answer is not
  // lost to the reset a close with unread data would send.
  void Linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(1));
    discard_ = std::make_unique<std::array<char, 4096>>();
    Drain(0);
  }

  void Drain(size_t drained) {
    stream_.async_read_some(net::buffer(*discard_),
                            [self = shared_from_this(), drained](beast::error_code ec, size_t n) {
                              if (self->closed_) return;
                              if (ec || drained + n > (256u << 10)) return self->Close();
                              self->Drain(drained + n);
                            });
  }

  HttpServer::Core* core_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> head_;
  std::optional<http::request_parser<http::string_body>> body_;
  ServerRequest request_;
  bool keep_alive_ = false;
  bool awaiting_head_ = false;
  bool closed_ = false;
  std::list<std::weak_ptr<Session>>::iterator slot_;
  std::unique_ptr<std::array<char, 4096>> discard_;  // Only while lingering.
};

// Closes the connection that has waited longest for a request when the
// limit is reached; returns with room or with every open one busy.
void HttpServer::Core::MakeRoom() {
  if (sessions.size() < limits.max_connections) return;
  for (auto it = sessions.begin(); it != sessions.end(); ++it) {
    std::shared_ptr<Session> session = it->lock();
    if (session && session->awaiting_head()) {
      counters.evicted++;
      session->Close();
      return;
    }
  }
}

void HttpServer::Core::Accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (stopped || ec == net::error::operation_aborted) return;
    if (ec) {
      // Out of file descriptors, most likely: try again shortly rather than
      // spinning.
      spdlog::warn("event=api_accept_failed error=\"{}\"", LogEscape(ec.message()));
      retry_accept.expires_after(std::chrono::milliseconds(100));
      retry_accept.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec && !stopped) Accept();
      });
      return;
    }
    counters.accepted++;
    MakeRoom();
    if (sessions.size() >= limits.max_connections) {
      counters.refused++;
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      std::make_shared<Session>(std::move(socket), this)->Start();
    }
    Accept();
  });
}

HttpServer::HttpServer(Handlers handlers, HttpServerLimits limits)
    : core_(std::make_unique<Core>(std::move(handlers), limits)) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start(const std::string& host, int port) {
  if (port_ != 0 || core_->stopped) return Status::FailedPrecondition("the server was started");
  const std::string where = host + ":" + std::to_string(port);
  beast::error_code ec;
  tcp::resolver resolver(core_->io);
  auto endpoints = resolver.resolve(host, std::to_string(port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) {
    return Status::Unavailable("cannot resolve " + where + ": " + ec.message());
  }
  tcp::acceptor& acceptor = core_->acceptor;
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    acceptor.close(ignored);
    return Status::Unavailable("cannot listen on " + where + ": " + ec.message());
  }
  port_ = acceptor.local_endpoint(ec).port();
  core_->Accept();
  core_->io_thread = std::thread([core = core_.get()] {
    pthread_setname_np(pthread_self(), "http-io");
    core->io.run();
  });
  return Status::Ok();
}

void HttpServer::Stop() {
  Core& core = *core_;
  if (core.stopped) return;
  if (core.io_thread.joinable()) {
    // Close the listener and every connection on the I/O thread, which owns
    // them, and wait until that happened.
    std::promise<void> closed;
    net::post(core.io, [&core, &closed] {
      core.stopped = true;
      beast::error_code ignored;
      core.acceptor.close(ignored);
      core.retry_accept.cancel();
      while (!core.sessions.empty()) {
        std::shared_ptr<Session> session = core.sessions.front().lock();
        if (session) {
          session->Close();
        } else {
          core.sessions.pop_front();
        }
      }
      closed.set_value();
    });
    closed.get_future().wait();
  }
  core.stopped = true;
  core.pool.Stop();
  core.work.reset();
  core.io.stop();
  if (core.io_thread.joinable()) core.io_thread.join();
}

namespace {

// Without the optional whitespace (spaces, tabs) around it.
std::string_view TrimWhitespace(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

// A position or length of a range: 1*DIGIT, or nullopt. One beyond 64 bits
// stays at the largest uint64_t, as far past any end as it really is.
std::optional<uint64_t> ParseRangeNumber(std::string_view text) {
  if (text.empty()) return std::nullopt;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    value = value > (kMax - digit) / 10 ? kMax : value * 10 + digit;
  }
  return value;
}

}  // namespace

RangeRequest ParseRangeHeader(std::string_view value, uint64_t size) {
  const RangeRequest whole;
  RangeRequest unsatisfiable;
  unsatisfiable.kind = RangeRequest::Kind::kUnsatisfiable;

  value = TrimWhitespace(value);
  const size_t equals = value.find('=');
  constexpr std::string_view kUnit = "bytes";  // Case-insensitive (RFC 9110 14.1).
  if (equals != kUnit.size() || strncasecmp(value.data(), kUnit.data(), kUnit.size()) != 0) {
    return whole;
  }
  // The one range-spec of the list, which may have empty elements (RFC 9110
  // 5.6.1.2).
  std::optional<std::string_view> spec;
  std::string_view list = value.substr(equals + 1);
  for (;;) {
    const size_t comma = list.find(',');
    const std::string_view element = TrimWhitespace(list.substr(0, comma));
    if (!element.empty()) {
      if (spec) return whole;  // Several ranges.
      spec = element;
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (!spec) return whole;
  const size_t dash = spec->find('-');
  if (dash == std::string_view::npos) return whole;
  const std::string_view first_text = spec->substr(0, dash);
  const std::string_view last_text = spec->substr(dash + 1);

  RangeRequest partial;
  partial.kind = RangeRequest::Kind::kPartial;
  if (first_text.empty()) {  // "-suffix_length": the last bytes.
    const std::optional<uint64_t> suffix = ParseRangeNumber(last_text);
    if (!suffix) return whole;
    if (*suffix == 0) return unsatisfiable;
    if (size == 0) return whole;
    partial.range = ByteRange{size - std::min(*suffix, size), size - 1};
    return partial;
  }
  const std::optional<uint64_t> first = ParseRangeNumber(first_text);
  if (!first) return whole;
  std::optional<uint64_t> last;
  if (!last_text.empty()) {
    last = ParseRangeNumber(last_text);
    if (!last || *last < *first) return whole;  // Invalid (RFC 9110 14.1.1).
  }
  if (*first >= size) return unsatisfiable;
  partial.range = ByteRange{*first, last ? std::min(*last, size - 1) : size - 1};
  return partial;
}

std::string FormatContentRange(const ByteRange& range, uint64_t size) {
  return "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" +
         std::to_string(size);
}

std::string FormatUnsatisfiedRange(uint64_t size) { return "bytes */" + std::to_string(size); }

HttpServerCounters HttpServer::counters() const {
  const AtomicCounters& c = core_->counters;
  return HttpServerCounters{c.accepted.load(),
                            c.evicted.load(),
                            c.refused.load(),
                            c.timed_out.load(),
                            c.too_large.load(),
                            c.busy.load(),
                            c.open.load(),
                            c.streams_started.load(),
                            c.streams_completed.load(),
                            c.streams_aborted.load(),
                            c.streams_refused.load()};
}

}  // namespace k2c
