// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

// A minimal, hand-written Kafka protocol client that asks a broker for one
// topic's id (the UUID Kafka assigns at creation, KIP-516), for the {topic_id}
// object-key placeholder. It exists because the librdkafka shipped with Debian
// 12 (2.0.2) has no API that reports topic ids.
//
// Wire format: one Metadata request (API key 3) at version 12 with request
// header v2, answered by a Metadata response v12 with response header v1, over
// a fresh TCP connection that is closed afterwards. Metadata v12 is served by
// Apache Kafka 3.1 and later (including 4.x); an older broker closes the
// connection, which FetchTopicId reports as Unavailable.
//
// Only the PLAINTEXT security protocol is supported: no TLS, no SASL. This
// module does not know the client's security settings, so it cannot refuse a
// TLS/SASL cluster by itself (such a broker just drops the connection or sends
// bytes that do not parse). Callers configured for any other security protocol
// must not call FetchTopicId and should instead report FailedPrecondition
// ("{topic_id} needs a PLAINTEXT listener") themselves.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace k2c {

// A Kafka UUID in wire order (most significant byte first).
using KafkaUuid = std::array<uint8_t, 16>;

// The Metadata API key and the one version this client speaks.
inline constexpr int16_t kMetadataApiKey = 3;
inline constexpr int16_t kMetadataApiVersion = 12;

// The client id sent in every request header.
inline constexpr std::string_view kTopicIdClientId = "kafka2cos";

// Responses whose size prefix exceeds this are rejected as Internal before any
// memory is allocated for them.
inline constexpr size_t kMaxMetadataResponseBytes = size_t{16} << 20;

// Kafka limits topic names to this many characters.
inline constexpr size_t kMaxKafkaTopicNameLength = 249;

// What a Metadata response says about the requested topic.
struct TopicMetadata {
  std::string name;
  KafkaUuid topic_id{};
  bool is_internal = false;
  int32_t partition_count = 0;
};

// Renders `uuid` the way Kafka prints topic ids (e.g. the TopicId column of
// `kafka-topics --describe`): URL-safe base64 of the 16 bytes, without
// padding, always 22 characters. The all-zero UUID is "AAAAAAAAAAAAAAAAAAAAAA".
std::string KafkaUuidToString(const KafkaUuid& uuid);

// Returns InvalidArgument unless `topic` is a legal Kafka topic name: 1..249
// characters from [A-Za-z0-9._-], and neither "." nor "..".
Status ValidateKafkaTopicName(const std::string& topic);

// Returns one complete Metadata v12 request frame, ready to write to a socket:
// the 4-byte big-endian size prefix, request header v2 (client id
// kTopicIdClientId, no tagged fields) and a body that asks for `topic` by name
// only (zero topic id), with allow_auto_topic_creation=false and
// include_topic_authorized_operations=false. Pure; never fails. `topic` is
// sent as given: validate it first with ValidateKafkaTopicName.
std::string EncodeMetadataRequest(int32_t correlation_id, const std::string& topic);

// Parses `body`, a Metadata v12 response WITHOUT its 4-byte size prefix (so it
// starts with response header v1), and returns what it says about `topic`.
// The whole response is validated before anything is returned; every read is
// bounds-checked, so any byte string is safe to pass. Errors:
//   Internal            body is truncated, malformed, has trailing bytes, has
//                       a correlation id other than `expected_correlation_id`,
//                       or does not mention `topic`;
//   NotFound            the topic's error code is 3 (UNKNOWN_TOPIC_OR_PARTITION);
//   FailedPrecondition  any other non-zero topic error code (the message names
//                       the number), or error code 0 with an all-zero topic id
//                       (a cluster that has not assigned topic ids).
Result<TopicMetadata> DecodeMetadataResponse(std::string_view body, int32_t expected_correlation_id,
                                             const std::string& topic);

// Returns the id of `topic` rendered by KafkaUuidToString, fetched over
// PLAINTEXT (see the top of this file) from the first broker of
// `bootstrap_servers` (comma-separated `host:port` or `[ipv6]:port`, tried in
// order) that answers. Every step (name resolution, connect, send, receive)
// is bounded by one overall deadline of `timeout` from the call. Thread-safe;
// blocks the calling thread for at most about `timeout`. Errors:
//   InvalidArgument     malformed bootstrap list, illegal topic name, or a
//                       non-positive timeout;
//   NotFound            "topic 'x' does not exist" (answered by a broker);
//   FailedPrecondition  another Kafka error code for the topic, or no topic id;
//   Unavailable         no broker could be reached or each one dropped the
//                       connection (the message names every broker address);
//   DeadlineExceeded    the deadline passed before any broker answered;
//   Internal            a broker sent a malformed, oversized or mismatched
//                       response and no other broker answered.
// A broker's NotFound or FailedPrecondition answer is final: the remaining
// brokers are only tried after connection trouble or a malformed response.
Result<std::string> FetchTopicId(const std::string& bootstrap_servers, const std::string& topic,
                                 std::chrono::milliseconds timeout);

}  // namespace k2c
