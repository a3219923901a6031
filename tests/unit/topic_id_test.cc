// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "kafka/topic_id.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <random>
#include <thread>

namespace k2c {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

// The id `kafka-topics --describe` printed as "wRPl6VAlQeyE77bDxEESzg" in the
// Kafka pull request that added topic ids to Metadata (KAFKA-10547).
constexpr KafkaUuid kSampleId = {0xc1, 0x13, 0xe5, 0xe9, 0x50, 0x25, 0x41, 0xec,
                                 0x84, 0xef, 0xb6, 0xc3, 0xc4, 0x41, 0x12, 0xce};
constexpr const char* kSampleIdString = "wRPl6VAlQeyE77bDxEESzg";

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

std::string Int32(int32_t v) {
  const auto u = static_cast<uint32_t>(v);
  return Bytes({static_cast<int>(u >> 24), static_cast<int>((u >> 16) & 0xff),
                static_cast<int>((u >> 8) & 0xff), static_cast<int>(u & 0xff)});
}

std::string Id(const KafkaUuid& id) { return std::string(id.begin(), id.end()); }

// One topic entry of a Metadata v12 response with two partitions, written out
// field by field.
std::string TopicEntry(int16_t error_code, const std::string& name, const KafkaUuid& id) {
  std::string s;
  s += Bytes({error_code >> 8, error_code & 0xff});  // error_code
  s += static_cast<char>(name.size() + 1) + name;    // name: COMPACT_NULLABLE_STRING
  s += Id(id);                                       // topic_id
  s += Bytes({0x00});                                // is_internal = false
  s += Bytes({0x03});                                // partitions: 2 entries
  for (int p = 0; p < 2; ++p) {
    s += Bytes({0x00, 0x00});       // error_code
    s += Int32(p);                  // partition_index
    s += Int32(1);                  // leader_id
    s += Int32(0);                  // leader_epoch
    s += Bytes({0x02}) + Int32(1);  // replica_nodes [1]
    s += Bytes({0x02}) + Int32(1);  // isr_nodes [1]
    s += Bytes({0x01});             // offline_replicas []
    s += Bytes({0x00});             // tagged fields
  }
  s += Int32(INT32_MIN);  // topic_authorized_operations (not requested)
  s += Bytes({0x00});     // tagged fields
  return s;
}

// A Metadata v12 response body (no size prefix): one broker, then `topics`.
std::string ResponseBody(int32_t correlation_id, const std::vector<std::string>& topics) {
  std::string s;
  s += Int32(correlation_id);                     // response header v1: correlation_id
  s += Bytes({0x00});                             //   header tagged fields
  s += Int32(0);                                  // throttle_time_ms
  s += Bytes({0x02});                             // brokers: 1 entry
  s += Int32(1);                                  //   node_id
  s += Bytes({0x0a}) + "127.0.0.1";               // host
  s += Int32(9092);                               // port
  s += Bytes({0x00});                             // rack: null
  s += Bytes({0x00});                             // tagged fields
  s += Bytes({0x17}) + "MkU3OEVBNTcwNTJENDM2Qk";  // cluster_id (22 chars)
  s += Int32(1);                                  // controller_id
  s += static_cast<char>(topics.size() + 1);      // topics
  for (const std::string& t : topics) s += t;
  s += Bytes({0x00});  // tagged fields
  return s;
}

std::string GoodBody(int32_t correlation_id) {
  return ResponseBody(correlation_id, {TopicEntry(0, "orders", kSampleId)});
}

// ---------------------------------------------------------------------------
// KafkaUuidToString

TEST(TopicIdUuidTest, RendersLikeKafka) {
  EXPECT_EQ(KafkaUuidToString(KafkaUuid{}), "AAAAAAAAAAAAAAAAAAAAAA");
  KafkaUuid one{};
  one[15] = 1;  // Kafka's Uuid(0, 1), the metadata topic's id.
  EXPECT_EQ(KafkaUuidToString(one), "AAAAAAAAAAAAAAAAAAAAAQ");
  EXPECT_EQ(KafkaUuidToString(kSampleId), kSampleIdString);
}

TEST(TopicIdUuidTest, UsesUrlSafeAlphabetWithoutPadding) {
  KafkaUuid id{};
  for (size_t i = 0; i < 15; i += 3) {
    id[i] = 0xfb;
    id[i + 1] = 0xff;
    id[i + 2] = 0xbf;
  }
  id[15] = 0xff;
  const std::string s = KafkaUuidToString(id);
  EXPECT_EQ(s, "-_-_-_-_-_-_-_-_-_-__w");
  EXPECT_EQ(s.size(), 22u);
}

// ---------------------------------------------------------------------------
// EncodeMetadataRequest

TEST(TopicIdCodecTest, EncodesRequestByteForByte) {
  const std::string expected = Bytes({0x00, 0x00, 0x00, 0x30}) +  // size: 48 bytes follow
                               Bytes({0x00, 0x03}) +              // request_api_key: Metadata
                               Bytes({0x00, 0x0c}) +              // request_api_version: 12
                               Bytes({0x01, 0x02, 0x03, 0x04}) +  // correlation_id
                               Bytes({0x00, 0x09}) +
                               "kafka2cos" +            // client_id: NULLABLE_STRING (int16 length)
                               Bytes({0x00}) +          // header tagged fields
                               Bytes({0x02}) +          // topics: COMPACT_ARRAY of 1
                               std::string(16, '\0') +  //   topic_id: zero
                               Bytes({0x07}) + "orders" +  //   name: COMPACT_STRING, length 6 + 1
                               Bytes({0x00}) +             //   topic tagged fields
                               Bytes({0x00}) +             // allow_auto_topic_creation: false
                               Bytes({0x00}) +  // include_topic_authorized_operations: false
                               Bytes({0x00});   // tagged fields
  EXPECT_EQ(EncodeMetadataRequest(0x01020304, "orders"), expected);
}

TEST(TopicIdCodecTest, EncodesLongTopicNameWithTwoByteVarint) {
  const std::string topic(200, 't');
  const std::string frame = EncodeMetadataRequest(7, topic);
  // 20 header bytes, then the topics array and the zero id, then the name.
  ASSERT_EQ(frame.size(), 4u + 20 + 1 + 16 + 2 + 200 + 1 + 3);
  EXPECT_EQ(frame.substr(0, 4), Int32(static_cast<int32_t>(frame.size() - 4)));
  EXPECT_EQ(frame.substr(4 + 20 + 1 + 16, 2), Bytes({0xc9, 0x01}));  // 201 as a varint
  EXPECT_EQ(frame.substr(4 + 20 + 1 + 16 + 2, 200), topic);
}

// ---------------------------------------------------------------------------
// DecodeMetadataResponse

TEST(TopicIdCodecTest, DecodesHandBuiltResponse) {
  auto md = DecodeMetadataResponse(GoodBody(42), 42, "orders");
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  EXPECT_EQ(md->name, "orders");
  EXPECT_EQ(md->topic_id, kSampleId);
  EXPECT_EQ(KafkaUuidToString(md->topic_id), kSampleIdString);
  EXPECT_EQ(md->partition_count, 2);
  EXPECT_FALSE(md->is_internal);
}

TEST(TopicIdCodecTest, PicksTheRequestedTopicAmongSeveral) {
  KafkaUuid other{};
  other.fill(0x11);
  const std::string body =
      ResponseBody(5, {TopicEntry(0, "order", other), TopicEntry(0, "orders", kSampleId)});
  auto md = DecodeMetadataResponse(body, 5, "orders");
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  EXPECT_EQ(KafkaUuidToString(md->topic_id), kSampleIdString);
}

TEST(TopicIdCodecTest, SkipsTaggedFields) {
  // Same response, with a 3-byte tagged field after the header and one after the topic.
  std::string body = GoodBody(9);
  body.replace(4, 1, Bytes({0x01, 0x05, 0x03, 'a', 'b', 'c'}));
  const size_t topic_tags = body.size() - 2;  // The topic's tagged fields, before the last byte.
  ASSERT_EQ(body[topic_tags], '\0');
  body.replace(topic_tags, 1, Bytes({0x02, 0x00, 0x01, 'x', 0x07, 0x00}));
  auto md = DecodeMetadataResponse(body, 9, "orders");
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  EXPECT_EQ(md->topic_id, kSampleId);
}

TEST(TopicIdCodecTest, EveryTruncationIsAnError) {
  const std::string body = GoodBody(1);
  for (size_t n = 0; n < body.size(); ++n) {
    auto md = DecodeMetadataResponse(std::string_view(body).substr(0, n), 1, "orders");
    ASSERT_FALSE(md.ok()) << "prefix of " << n << " bytes was accepted";
    EXPECT_EQ(md.status().code(), StatusCode::kInternal) << n;
  }
}

TEST(TopicIdCodecTest, TrailingBytesAreAnError) {
  auto md = DecodeMetadataResponse(GoodBody(1) + "x", 1, "orders");
  EXPECT_EQ(md.status().code(), StatusCode::kInternal);
  EXPECT_THAT(md.status().message(), HasSubstr("trailing"));
}

TEST(TopicIdCodecTest, UnknownTopicIsNotFound) {
  const std::string body = ResponseBody(3, {TopicEntry(3, "orders", KafkaUuid{})});
  auto md = DecodeMetadataResponse(body, 3, "orders");
  EXPECT_EQ(md.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(md.status().message(), "topic 'orders' does not exist");
}

TEST(TopicIdCodecTest, OtherKafkaErrorIsFailedPreconditionNamingTheCode) {
  const std::string body = ResponseBody(3, {TopicEntry(29, "orders", KafkaUuid{})});
  auto md = DecodeMetadataResponse(body, 3, "orders");
  EXPECT_EQ(md.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(md.status().message(), HasSubstr("29"));
}

TEST(TopicIdCodecTest, ZeroTopicIdIsFailedPrecondition) {
  const std::string body = ResponseBody(3, {TopicEntry(0, "orders", KafkaUuid{})});
  auto md = DecodeMetadataResponse(body, 3, "orders");
  EXPECT_EQ(md.status().code(), StatusCode::kFailedPrecondition);
}

TEST(TopicIdCodecTest, CorrelationMismatchIsAnError) {
  auto md = DecodeMetadataResponse(GoodBody(41), 42, "orders");
  EXPECT_EQ(md.status().code(), StatusCode::kInternal);
  EXPECT_THAT(md.status().message(), HasSubstr("correlation"));
}

TEST(TopicIdCodecTest, MissingTopicIsAnError) {
  auto md = DecodeMetadataResponse(GoodBody(1), 1, "payments");
  EXPECT_EQ(md.status().code(), StatusCode::kInternal);
  EXPECT_THAT(md.status().message(), HasSubstr("payments"));
}

TEST(TopicIdCodecTest, HugeCountsAndLengthsAreRejected) {
  // A broker count of 2^32 - 2 (varint ff ff ff ff 0f) in an otherwise short body.
  std::string body = Int32(1) + Bytes({0x00}) + Int32(0) + Bytes({0xff, 0xff, 0xff, 0xff, 0x0f});
  EXPECT_EQ(DecodeMetadataResponse(body, 1, "orders").status().code(), StatusCode::kInternal);
  // A varint longer than 5 bytes.
  body = Int32(1) + Bytes({0x00}) + Int32(0) + Bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x01});
  EXPECT_EQ(DecodeMetadataResponse(body, 1, "orders").status().code(), StatusCode::kInternal);
  // A host string longer than the body.
  body = Int32(1) + Bytes({0x00}) + Int32(0) + Bytes({0x02}) + Int32(1) + Bytes({0x7f}) + "ab";
  EXPECT_EQ(DecodeMetadataResponse(body, 1, "orders").status().code(), StatusCode::kInternal);
}

TEST(TopicIdCodecTest, RandomCorruptionNeverCrashes) {
  const std::string good = GoodBody(1);
  std::mt19937 rng(12345);
  for (int i = 0; i < 5000; ++i) {
    std::string body = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) body[rng() % body.size()] = static_cast<char>(rng() & 0xff);
    body.resize(rng() % (body.size() + 1));
    (void)DecodeMetadataResponse(body, 1, "orders");
  }
}

// ---------------------------------------------------------------------------
// FetchTopicId against a fake broker on loopback.

// Accepts one connection on 127.0.0.1, reads one request and then replies
// according to `behavior`. Never blocks for more than a few seconds.
class FakeBroker {
 public:
  enum class Behavior { kReply, kClose, kStall };

  // `reply` builds the whole frame (size prefix included) from the request's
  // correlation id.
  FakeBroker(Behavior behavior, std::function<std::string(int32_t)> reply = nullptr)
      : behavior_(behavior), reply_(std::move(reply)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = 0;
    socklen_t len = sizeof(sa);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 ||
        ::listen(listen_fd_, 4) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
      ADD_FAILURE() << "cannot listen on loopback";
    }
    port_ = ntohs(sa.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }

  ~FakeBroker() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // The request frame received (size prefix included), or "" if none arrived
  // within 5 s. Call it after FetchTopicId returns.
  std::string request() {
    for (int i = 0; i < 500 && !served_; ++i) std::this_thread::sleep_for(10ms);
    return served_ ? request_ : std::string();
  }

 private:
  bool WaitFor(int fd, short events) {
    for (int i = 0; i < 50 && !stop_; ++i) {  // Up to 5 s.
      pollfd p{fd, events, 0};
      if (::poll(&p, 1, 100) > 0) return true;
    }
    return false;
  }

  bool ReadExact(int fd, size_t n, std::string* out) {
    while (out->size() < n) {
      if (!WaitFor(fd, POLLIN)) return false;
      char buf[4096];
      const ssize_t r = ::recv(fd, buf, std::min(sizeof(buf), n - out->size()), 0);
      if (r <= 0) return false;
      out->append(buf, static_cast<size_t>(r));
    }
    return true;
  }

  void Serve() {
    if (!WaitFor(listen_fd_, POLLIN)) return;
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    std::string req;
    if (ReadExact(fd, 4, &req)) {
      const uint32_t size = (static_cast<uint8_t>(req[0]) << 24) |
                            (static_cast<uint8_t>(req[1]) << 16) |
                            (static_cast<uint8_t>(req[2]) << 8) | static_cast<uint8_t>(req[3]);
      if (size < 1024 && ReadExact(fd, 4 + size, &req) && req.size() >= 12) {
        request_ = req;
        served_ = true;
        int32_t corr = 0;
        for (int i = 8; i < 12; ++i) corr = (corr << 8) | static_cast<uint8_t>(req[i]);
        if (behavior_ == Behavior::kReply) {
          const std::string out = reply_(corr);
          (void)::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
        } else if (behavior_ == Behavior::kStall) {
          char c;  // Wait until the client gives up and closes, or the test ends.
          while (WaitFor(fd, POLLIN) && ::recv(fd, &c, 1, 0) > 0) {
          }
        }
      }
    }
    ::close(fd);
  }

  Behavior behavior_;
  std::function<std::string(int32_t)> reply_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> served_{false};
  std::string request_;
  std::thread thread_;
};

std::string Frame(const std::string& body) {
  return Int32(static_cast<int32_t>(body.size())) + body;
}

// A loopback port with nothing listening on it.
std::string ClosedAddress() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(sa);
  (void)::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
  (void)::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  ::close(fd);
  return "127.0.0.1:" + std::to_string(ntohs(sa.sin_port));
}

TEST(FetchTopicIdTest, ReturnsIdFromBroker) {
  FakeBroker broker(FakeBroker::Behavior::kReply, [](int32_t c) { return Frame(GoodBody(c)); });
  auto id = FetchTopicId(broker.address(), "orders", 5s);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, kSampleIdString);
  // The broker saw exactly the encoder's frame for the correlation id it was sent.
  const std::string req = broker.request();
  ASSERT_GE(req.size(), 12u);
  int32_t correlation_id = 0;
  for (int i = 8; i < 12; ++i)
    correlation_id = (correlation_id << 8) | static_cast<uint8_t>(req[i]);
  EXPECT_EQ(req, EncodeMetadataRequest(correlation_id, "orders"));
}

TEST(FetchTopicIdTest, TriesNextBrokerAfterConnectionFailure) {
  FakeBroker broker(FakeBroker::Behavior::kReply, [](int32_t c) { return Frame(GoodBody(c)); });
  auto id = FetchTopicId(ClosedAddress() + " , " + broker.address(), "orders", 5s);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, kSampleIdString);
}

TEST(FetchTopicIdTest, UnknownTopicIsNotFound) {
  FakeBroker broker(FakeBroker::Behavior::kReply, [](int32_t c) {
    return Frame(ResponseBody(c, {TopicEntry(3, "orders", KafkaUuid{})}));
  });
  auto id = FetchTopicId(broker.address(), "orders", 5s);
  EXPECT_EQ(id.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(id.status().message(), "topic 'orders' does not exist");
}

TEST(FetchTopicIdTest, RefusedConnectionIsUnavailableNamingTheBroker) {
  const std::string addr = ClosedAddress();
  auto id = FetchTopicId(addr, "orders", 5s);
  EXPECT_EQ(id.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(id.status().message(), HasSubstr(addr));
}

TEST(FetchTopicIdTest, BrokerClosingTheConnectionIsUnavailable) {
  FakeBroker broker(FakeBroker::Behavior::kClose);
  auto id = FetchTopicId(broker.address(), "orders", 5s);
  EXPECT_EQ(id.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(id.status().message(), HasSubstr(broker.address()));
}

TEST(FetchTopicIdTest, SilentBrokerHitsTheDeadline) {
  FakeBroker broker(FakeBroker::Behavior::kStall);
  const auto start = std::chrono::steady_clock::now();
  auto id = FetchTopicId(broker.address(), "orders", 300ms);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(id.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 3s);
}

TEST(FetchTopicIdTest, OversizedResponseIsInternal) {
  FakeBroker broker(FakeBroker::Behavior::kReply, [](int32_t) { return Int32(0x7fffffff); });
  auto id = FetchTopicId(broker.address(), "orders", 5s);
  EXPECT_EQ(id.status().code(), StatusCode::kInternal);
  EXPECT_THAT(id.status().message(), HasSubstr(broker.address()));
}

TEST(FetchTopicIdTest, MalformedResponseIsInternal) {
  FakeBroker broker(FakeBroker::Behavior::kReply,
                    [](int32_t c) { return Frame(GoodBody(c).substr(0, 30)); });
  auto id = FetchTopicId(broker.address(), "orders", 5s);
  EXPECT_EQ(id.status().code(), StatusCode::kInternal);
}

TEST(FetchTopicIdTest, RejectsBadArguments) {
  EXPECT_EQ(FetchTopicId("", "orders", 1s).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FetchTopicId(" , ", "orders", 1s).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FetchTopicId("localhost", "orders", 1s).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FetchTopicId("localhost:0", "orders", 1s).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(FetchTopicId("localhost:99999", "orders", 1s).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(FetchTopicId("[::1:9092", "orders", 1s).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FetchTopicId("127.0.0.1:9092", "", 1s).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FetchTopicId("127.0.0.1:9092", "a/b", 1s).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(FetchTopicId("127.0.0.1:9092", std::string(250, 'a'), 1s).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(FetchTopicId("127.0.0.1:9092", "orders", 0ms).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(FetchTopicIdTest, ValidatesTopicNames) {
  EXPECT_TRUE(ValidateKafkaTopicName("a.b_c-D9").ok());
  EXPECT_TRUE(ValidateKafkaTopicName(std::string(249, 'x')).ok());
  EXPECT_FALSE(ValidateKafkaTopicName("..").ok());
  EXPECT_FALSE(ValidateKafkaTopicName("with space").ok());
}

}  // namespace
}  // namespace k2c
