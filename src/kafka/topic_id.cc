// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "kafka/topic_id.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

namespace k2c {
namespace {

using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------
// Encoding helpers (big-endian integers, unsigned varints, compact strings).

void PutInt16(std::string* out, int16_t v) {
  const auto u = static_cast<uint16_t>(v);
  out->push_back(static_cast<char>(u >> 8));
  out->push_back(static_cast<char>(u & 0xff));
}

void PutInt32(std::string* out, int32_t v) {
  const auto u = static_cast<uint32_t>(v);
  for (int shift = 24; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((u >> shift) & 0xff));
  }
}

void PutUvarint(std::string* out, uint32_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// COMPACT_STRING: unsigned varint (length + 1), then the bytes.
void PutCompactString(std::string* out, std::string_view s) {
  PutUvarint(out, static_cast<uint32_t>(s.size()) + 1);
  out->append(s);
}

// ---------------------------------------------------------------------------
// A bounds-checked reader over untrusted bytes. Every method returns false,
// consuming nothing useful, when the input is too short or malformed.

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }

  bool Skip(size_t n) {
    if (n > remaining()) return false;
    pos_ += n;
    return true;
  }

  bool Bytes(size_t n, std::string_view* out) {
    if (n > remaining()) return false;
    *out = data_.substr(pos_, n);
    pos_ += n;
    return true;
  }

  bool Int8(int8_t* out) {
    if (remaining() < 1) return false;
    *out = static_cast<int8_t>(static_cast<uint8_t>(data_[pos_]));
    pos_ += 1;
    return true;
  }

  bool Int16(int16_t* out) {
    if (remaining() < 2) return false;
    const auto hi = static_cast<uint16_t>(static_cast<uint8_t>(data_[pos_]));
    const auto lo = static_cast<uint16_t>(static_cast<uint8_t>(data_[pos_ + 1]));
    *out = static_cast<int16_t>(static_cast<uint16_t>((hi << 8) | lo));
    pos_ += 2;
    return true;
  }

  bool Int32(int32_t* out) {
    if (remaining() < 4) return false;
    uint32_t u = 0;
    for (size_t i = 0; i < 4; ++i) u = (u << 8) | static_cast<uint8_t>(data_[pos_ + i]);
    *out = static_cast<int32_t>(u);
    pos_ += 4;
    return true;
  }

  // An unsigned varint of at most 32 bits (at most 5 bytes, the fifth holding
  // only the top 4 bits).
  bool Uvarint(uint32_t* out) {
    uint32_t value = 0;
    for (size_t i = 0; i < 5; ++i) {
      if (remaining() < 1) return false;
      const auto b = static_cast<uint8_t>(data_[pos_]);
      pos_ += 1;
      if (i == 4 && b > 0x0f) return false;
      value |= static_cast<uint32_t>(b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) {
        *out = value;
        return true;
      }
    }
    return false;
  }

  // COMPACT_NULLABLE_STRING; `*out` is nullopt for null. With `nullable`
  // false, null is rejected as malformed.
  bool CompactString(bool nullable, std::optional<std::string_view>* out) {
    uint32_t n = 0;
    if (!Uvarint(&n)) return false;
    if (n == 0) {
      if (!nullable) return false;
      *out = std::nullopt;
      return true;
    }
    std::string_view s;
    if (!Bytes(static_cast<size_t>(n) - 1, &s)) return false;
    *out = s;
    return true;
  }

  // A non-null COMPACT_ARRAY's element count. Each element occupies at least
  // `min_element_size` bytes (>= 1), so counts that cannot fit in the rest of
  // the input are rejected before any loop runs over them.
  bool CompactArrayLength(size_t min_element_size, size_t* count) {
    uint32_t n = 0;
    if (!Uvarint(&n)) return false;
    if (n == 0) return false;  // Null arrays never appear in this response.
    const size_t c = static_cast<size_t>(n) - 1;
    if (c > remaining() / std::max<size_t>(min_element_size, 1)) return false;
    *count = c;
    return true;
  }

  // A tagged-field section: count, then (tag, size, bytes) per field. All
  // tagged fields are skipped: none carries anything this client needs.
  bool SkipTaggedFields() {
    uint32_t count = 0;
    if (!Uvarint(&count)) return false;
    if (count > remaining() / 2) return false;  // Each field takes >= 2 bytes.
    for (uint32_t i = 0; i < count; ++i) {
      uint32_t tag = 0;
      uint32_t size = 0;
      if (!Uvarint(&tag) || !Uvarint(&size) || !Skip(size)) return false;
    }
    return true;
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

const char* KafkaErrorName(int16_t code) {
  switch (code) {
    case 3:
      return "UNKNOWN_TOPIC_OR_PARTITION";
    case 5:
      return "LEADER_NOT_AVAILABLE";
    case 17:
      return "INVALID_TOPIC_EXCEPTION";
    case 29:
      return "TOPIC_AUTHORIZATION_FAILED";
    case 100:
      return "UNKNOWN_TOPIC_ID";
    default:
      return nullptr;
  }
}

// ---------------------------------------------------------------------------
// Sockets. Everything below is non-blocking and bounded by one deadline.

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// One bootstrap entry.
struct BrokerAddress {
  std::string host;
  std::string port;
  std::string display;  // As written in the bootstrap list, e.g. "[::1]:9092".
};

std::string Trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

Result<std::vector<BrokerAddress>> ParseBootstrapServers(const std::string& list) {
  std::vector<BrokerAddress> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    const std::string entry = Trim(std::string_view(list).substr(start, comma - start));
    start = comma + 1;
    if (entry.empty()) continue;
    BrokerAddress addr;
    addr.display = entry;
    std::string port;
    if (entry.front() == '[') {
      const size_t close = entry.find(']');
      if (close == std::string::npos || close + 1 >= entry.size() || entry[close + 1] != ':') {
        return Status::InvalidArgument("bootstrap server '" + entry +
                                       "' is not of the form [ipv6]:port");
      }
      addr.host = entry.substr(1, close - 1);
      port = entry.substr(close + 2);
    } else {
      const size_t colon = entry.rfind(':');
      if (colon == std::string::npos || entry.find(':') != colon) {
        return Status::InvalidArgument("bootstrap server '" + entry +
                                       "' is not of the form host:port");
      }
      addr.host = entry.substr(0, colon);
      port = entry.substr(colon + 1);
    }
    const bool digits =
        !port.empty() && port.size() <= 5 &&
        std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (addr.host.empty() || !digits || std::stoi(port) < 1 || std::stoi(port) > 65535) {
      return Status::InvalidArgument("bootstrap server '" + entry +
                                     "' needs a host and a port in 1..65535");
    }
    addr.port = port;
    out.push_back(std::move(addr));
  }
  if (out.empty()) return Status::InvalidArgument("bootstrap server list is empty");
  return out;
}

int RemainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return 0;
  return static_cast<int>(std::min<int64_t>(left.count(), 1 << 30));
}

std::string ErrnoText(int err) { return std::system_category().message(err); }

// Owns a getaddrinfo() result.
struct AddrInfoDeleter {
  void operator()(addrinfo* ai) const {
    if (ai != nullptr) freeaddrinfo(ai);
  }
};
using AddrInfoPtr = std::unique_ptr<addrinfo, AddrInfoDeleter>;

// Resolves `addr`. Numeric addresses are parsed in place; names go to the
// system resolver, whose own timeout and attempts (resolv.conf) bound the
// call: getaddrinfo() takes no deadline, and a helper thread per lookup
// would outlive its owner.
Result<AddrInfoPtr> Resolve(const BrokerAddress& addr, Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  if (getaddrinfo(addr.host.c_str(), addr.port.c_str(), &hints, &res) == 0) {
    return AddrInfoPtr(res);
  }
  hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
  const int rc = getaddrinfo(addr.host.c_str(), addr.port.c_str(), &hints, &res);
  if (rc != 0) {
    return Status::Unavailable("cannot resolve " + addr.display + ": " + gai_strerror(rc));
  }
  AddrInfoPtr result(res);
  if (Clock::now() >= deadline)
    return Status::DeadlineExceeded("timed out resolving " + addr.display);
  return result;
}

// Waits until `fd` is ready for `events` or the deadline passes.
Status WaitReady(int fd, short events, Clock::time_point deadline, const std::string& what) {
  for (;;) {
    pollfd p{};
    p.fd = fd;
    p.events = events;
    const int rc = ::poll(&p, 1, RemainingMs(deadline));
    if (rc > 0) return Status::Ok();
    if (rc == 0) return Status::DeadlineExceeded("timed out " + what);
    if (errno != EINTR) return Status::Unavailable("poll failed " + what + ": " + ErrnoText(errno));
  }
}

// Connects to one resolved address of `addr`.
Result<Fd> ConnectOne(const addrinfo& ai, const BrokerAddress& addr, Clock::time_point deadline) {
  Fd fd(::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol));
  if (fd.get() < 0) {
    return Status::Unavailable("cannot create socket for " + addr.display + ": " +
                               ErrnoText(errno));
  }
  int rc;
  do {
    rc = ::connect(fd.get(), ai.ai_addr, ai.ai_addrlen);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    if (errno != EINPROGRESS) {
      return Status::Unavailable("cannot connect to " + addr.display + ": " + ErrnoText(errno));
    }
    K2C_RETURN_IF_ERROR(WaitReady(fd.get(), POLLOUT, deadline, "connecting to " + addr.display));
    int err = 0;
    socklen_t len = sizeof(err);
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0) {
      return Status::Unavailable("cannot connect to " + addr.display + ": " + ErrnoText(err));
    }
  }
  const int one = 1;
  (void)::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

// Connects to the first resolved address of `addr` that accepts.
Result<Fd> Connect(const BrokerAddress& addr, Clock::time_point deadline) {
  Result<AddrInfoPtr> resolved = Resolve(addr, deadline);
  if (!resolved.ok()) return resolved.status();
  Status last = Status::Unavailable("no address found for " + addr.display);
  for (const addrinfo* ai = resolved->get(); ai != nullptr; ai = ai->ai_next) {
    Result<Fd> fd = ConnectOne(*ai, addr, deadline);
    if (fd.ok()) return fd;
    last = fd.status();
    if (last.code() == StatusCode::kDeadlineExceeded) break;
  }
  return last;
}

Status SendAll(int fd, std::string_view data, const BrokerAddress& addr,
               Clock::time_point deadline) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      K2C_RETURN_IF_ERROR(WaitReady(fd, POLLOUT, deadline, "sending to " + addr.display));
      continue;
    }
    return Status::Unavailable("cannot send to " + addr.display + ": " +
                               ErrnoText(n < 0 ? errno : EPIPE));
  }
  return Status::Ok();
}

// Reads exactly `n` bytes into `out`.
Status RecvExact(int fd, size_t n, std::string* out, const BrokerAddress& addr,
                 Clock::time_point deadline) {
  out->assign(n, '\0');
  size_t got = 0;
  while (got < n) {
    const ssize_t r = ::recv(fd, out->data() + got, n - got, 0);
    if (r > 0) {
      got += static_cast<size_t>(r);
      continue;
    }
    if (r == 0) {
      return Status::Unavailable("broker " + addr.display +
                                 " closed the connection (is it a PLAINTEXT listener of " +
                                 "Kafka 3.1 or newer?)");
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      K2C_RETURN_IF_ERROR(WaitReady(fd, POLLIN, deadline, "reading from " + addr.display));
      continue;
    }
    return Status::Unavailable("cannot read from " + addr.display + ": " + ErrnoText(errno));
  }
  return Status::Ok();
}

// One request/response exchange with one broker.
Result<TopicMetadata> AskBroker(const BrokerAddress& addr, const std::string& topic,
                                int32_t correlation_id, Clock::time_point deadline) {
  Result<Fd> fd = Connect(addr, deadline);
  if (!fd.ok()) return fd.status();
  K2C_RETURN_IF_ERROR(
      SendAll(fd->get(), EncodeMetadataRequest(correlation_id, topic), addr, deadline));
  std::string size_bytes;
  K2C_RETURN_IF_ERROR(RecvExact(fd->get(), 4, &size_bytes, addr, deadline));
  int32_t size = 0;
  if (!Reader(size_bytes).Int32(&size) || size < 4 ||
      static_cast<size_t>(size) > kMaxMetadataResponseBytes) {
    return Status::Internal("broker " + addr.display + " announced a Metadata response of " +
                            std::to_string(size) + " bytes (allowed: 4.." +
                            std::to_string(kMaxMetadataResponseBytes) + ")");
  }
  std::string body;
  K2C_RETURN_IF_ERROR(RecvExact(fd->get(), static_cast<size_t>(size), &body, addr, deadline));
  Result<TopicMetadata> md = DecodeMetadataResponse(body, correlation_id, topic);
  if (!md.ok() && md.status().code() == StatusCode::kInternal) {
    return md.status().WithContext("broker " + addr.display);
  }
  return md;
}

}  // namespace

std::string KafkaUuidToString(const KafkaUuid& uuid) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve(22);
  size_t i = 0;
  for (; i + 3 <= uuid.size(); i += 3) {
    const uint32_t v = (uint32_t{uuid[i]} << 16) | (uint32_t{uuid[i + 1]} << 8) | uuid[i + 2];
    out.push_back(kAlphabet[(v >> 18) & 0x3f]);
    out.push_back(kAlphabet[(v >> 12) & 0x3f]);
    out.push_back(kAlphabet[(v >> 6) & 0x3f]);
    out.push_back(kAlphabet[v & 0x3f]);
  }
  // 16 = 5 * 3 + 1: one byte is left, which yields two characters.
  const uint32_t v = uint32_t{uuid[i]} << 16;
  out.push_back(kAlphabet[(v >> 18) & 0x3f]);
  out.push_back(kAlphabet[(v >> 12) & 0x3f]);
  return out;
}

Status ValidateKafkaTopicName(const std::string& topic) {
  if (topic.empty()) return Status::InvalidArgument("topic name is empty");
  if (topic.size() > kMaxKafkaTopicNameLength) {
    return Status::InvalidArgument("topic name is longer than " +
                                   std::to_string(kMaxKafkaTopicNameLength) + " characters");
  }
  if (topic == "." || topic == "..") {
    return Status::InvalidArgument("topic name '" + topic + "' is not allowed");
  }
  for (char c : topic) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) {
      return Status::InvalidArgument("topic name '" + topic +
                                     "' has a character outside [A-Za-z0-9._-]");
    }
  }
  return Status::Ok();
}

std::string EncodeMetadataRequest(int32_t correlation_id, const std::string& topic) {
  std::string msg;
  // Request header v2.
  PutInt16(&msg, kMetadataApiKey);
  PutInt16(&msg, kMetadataApiVersion);
  PutInt32(&msg, correlation_id);
  PutInt16(&msg, static_cast<int16_t>(kTopicIdClientId.size()));  // NULLABLE_STRING, not compact.
  msg.append(kTopicIdClientId);
  PutUvarint(&msg, 0);  // Header tagged fields.
  // Metadata request v12 body.
  PutUvarint(&msg, 1 + 1);        // topics: COMPACT_ARRAY of one.
  msg.append(16, '\0');           //   topic_id: zero, i.e. "look up by name".
  PutCompactString(&msg, topic);  //   name.
  PutUvarint(&msg, 0);            //   topic tagged fields.
  msg.push_back('\0');            // allow_auto_topic_creation = false.
  msg.push_back('\0');            // include_topic_authorized_operations = false.
  PutUvarint(&msg, 0);            // Body tagged fields.

  std::string frame;
  frame.reserve(4 + msg.size());
  PutInt32(&frame, static_cast<int32_t>(msg.size()));
  frame.append(msg);
  return frame;
}

Result<TopicMetadata> DecodeMetadataResponse(std::string_view body, int32_t expected_correlation_id,
                                             const std::string& topic) {
  Reader r(body);
  const auto malformed = [&r](const char* field) {
    return Status::Internal(std::string("malformed Metadata v12 response: bad or truncated ") +
                            field + " at byte " + std::to_string(r.position()));
  };

  // Response header v1.
  int32_t correlation_id = 0;
  if (!r.Int32(&correlation_id)) return malformed("correlation_id");
  if (correlation_id != expected_correlation_id) {
    return Status::Internal("Metadata response has correlation id " +
                            std::to_string(correlation_id) + ", expected " +
                            std::to_string(expected_correlation_id));
  }
  if (!r.SkipTaggedFields()) return malformed("header tagged fields");

  int32_t i32 = 0;
  int16_t i16 = 0;
  int8_t i8 = 0;
  std::optional<std::string_view> str;

  if (!r.Int32(&i32)) return malformed("throttle_time_ms");

  // brokers: node_id, host, port, rack, tagged fields (>= 11 bytes each).
  size_t broker_count = 0;
  if (!r.CompactArrayLength(11, &broker_count)) return malformed("brokers");
  for (size_t b = 0; b < broker_count; ++b) {
    if (!r.Int32(&i32)) return malformed("broker node_id");
    if (!r.CompactString(false, &str)) return malformed("broker host");
    if (!r.Int32(&i32)) return malformed("broker port");
    if (!r.CompactString(true, &str)) return malformed("broker rack");
    if (!r.SkipTaggedFields()) return malformed("broker tagged fields");
  }
  if (!r.CompactString(true, &str)) return malformed("cluster_id");
  if (!r.Int32(&i32)) return malformed("controller_id");

  // topics: error_code, name, topic_id, is_internal, partitions,
  // topic_authorized_operations, tagged fields (>= 26 bytes each).
  std::optional<TopicMetadata> found;
  int16_t found_error = 0;
  size_t topic_count = 0;
  if (!r.CompactArrayLength(26, &topic_count)) return malformed("topics");
  for (size_t t = 0; t < topic_count; ++t) {
    TopicMetadata md;
    int16_t error_code = 0;
    if (!r.Int16(&error_code)) return malformed("topic error_code");
    if (!r.CompactString(true, &str)) return malformed("topic name");
    const bool is_ours = str.has_value() && *str == topic;
    if (str.has_value()) md.name = std::string(*str);
    std::string_view id;
    if (!r.Bytes(16, &id)) return malformed("topic_id");
    std::copy(id.begin(), id.end(), md.topic_id.begin());
    if (!r.Int8(&i8)) return malformed("is_internal");
    md.is_internal = i8 != 0;
    // partitions: error_code, partition_index, leader_id, leader_epoch,
    // replica_nodes, isr_nodes, offline_replicas, tagged fields (>= 18 bytes).
    size_t partition_count = 0;
    if (!r.CompactArrayLength(18, &partition_count)) return malformed("partitions");
    md.partition_count = static_cast<int32_t>(std::min<size_t>(partition_count, INT32_MAX));
    for (size_t p = 0; p < partition_count; ++p) {
      if (!r.Int16(&i16)) return malformed("partition error_code");
      if (!r.Int32(&i32)) return malformed("partition_index");
      if (!r.Int32(&i32)) return malformed("leader_id");
      if (!r.Int32(&i32)) return malformed("leader_epoch");
      for (const char* list : {"replica_nodes", "isr_nodes", "offline_replicas"}) {
        size_t nodes = 0;
        if (!r.CompactArrayLength(4, &nodes) || !r.Skip(nodes * 4)) return malformed(list);
      }
      if (!r.SkipTaggedFields()) return malformed("partition tagged fields");
    }
    if (!r.Int32(&i32)) return malformed("topic_authorized_operations");
    if (!r.SkipTaggedFields()) return malformed("topic tagged fields");
    if (is_ours && !found.has_value()) {
      found = std::move(md);
      found_error = error_code;
    }
  }
  if (!r.SkipTaggedFields()) return malformed("response tagged fields");
  if (r.remaining() != 0) {
    return Status::Internal("malformed Metadata v12 response: " + std::to_string(r.remaining()) +
                            " unexpected trailing bytes");
  }

  if (!found.has_value()) {
    return Status::Internal("Metadata response does not mention topic '" + topic + "'");
  }
  if (found_error == 3) return Status::NotFound("topic '" + topic + "' does not exist");
  if (found_error != 0) {
    const char* name = KafkaErrorName(found_error);
    return Status::FailedPrecondition(
        "Kafka answered error code " + std::to_string(found_error) +
        (name != nullptr ? std::string(" (") + name + ")" : std::string()) + " for topic '" +
        topic + "'");
  }
  if (std::all_of(found->topic_id.begin(), found->topic_id.end(),
                  [](uint8_t b) { return b == 0; })) {
    return Status::FailedPrecondition("Kafka reported no topic id for topic '" + topic +
                                      "' (cluster without topic ids?)");
  }
  return std::move(*found);
}

Result<std::string> FetchTopicId(const std::string& bootstrap_servers, const std::string& topic,
                                 std::chrono::milliseconds timeout) {
  if (timeout.count() <= 0) return Status::InvalidArgument("timeout must be positive");
  K2C_RETURN_IF_ERROR(ValidateKafkaTopicName(topic));
  Result<std::vector<BrokerAddress>> brokers = ParseBootstrapServers(bootstrap_servers);
  if (!brokers.ok()) return brokers.status();

  const Clock::time_point deadline = Clock::now() + timeout;
  std::string failures;
  bool any_internal = false;
  bool deadline_hit = false;
  int32_t correlation_id = 1;
  for (const BrokerAddress& addr : *brokers) {
    if (RemainingMs(deadline) == 0) {
      deadline_hit = true;
      break;
    }
    Result<TopicMetadata> md = AskBroker(addr, topic, correlation_id++, deadline);
    if (md.ok()) return KafkaUuidToString(md->topic_id);
    const StatusCode code = md.status().code();
    if (code == StatusCode::kNotFound || code == StatusCode::kFailedPrecondition) {
      return md.status();  // The cluster's answer; another broker would say the same.
    }
    if (!failures.empty()) failures += "; ";
    failures += md.status().message();
    if (code == StatusCode::kInternal) any_internal = true;
    if (code == StatusCode::kDeadlineExceeded) {
      deadline_hit = true;
      break;
    }
  }
  const std::string message = "cannot fetch the id of topic '" + topic + "' from " +
                              bootstrap_servers + ": " +
                              (failures.empty() ? std::string("deadline passed") : failures);
  if (deadline_hit) return Status::DeadlineExceeded(message);
  if (any_internal) return Status::Internal(message);
  return Status::Unavailable(message);
}

}  // namespace k2c
