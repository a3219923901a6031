// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "kafka/kafka_errors.h"

#include <algorithm>
#include <thread>

namespace k2c {

Status KafkaError(RdKafka::ErrorCode err, const std::string& context) {
  const std::string message = context + ": " + RdKafka::err2str(err);
  switch (err) {
    case RdKafka::ERR__TIMED_OUT:
    case RdKafka::ERR__TRANSPORT:
    case RdKafka::ERR__ALL_BROKERS_DOWN:
    case RdKafka::ERR__RESOLVE:
    case RdKafka::ERR__WAIT_COORD:
    case RdKafka::ERR_NETWORK_EXCEPTION:
    case RdKafka::ERR_BROKER_NOT_AVAILABLE:
    case RdKafka::ERR_LEADER_NOT_AVAILABLE:
    case RdKafka::ERR_NOT_LEADER_FOR_PARTITION:
    case RdKafka::ERR_NOT_CONTROLLER:
    case RdKafka::ERR_COORDINATOR_NOT_AVAILABLE:
    case RdKafka::ERR_NOT_COORDINATOR:
    case RdKafka::ERR_COORDINATOR_LOAD_IN_PROGRESS:
      return Status::Unavailable(message);
    // The broker gave up waiting (e.g. for a new topic to propagate): the
    // operation may still complete.
    case RdKafka::ERR_REQUEST_TIMED_OUT:
      return Status::DeadlineExceeded(message);
    case RdKafka::ERR__AUTHENTICATION:
    case RdKafka::ERR_SASL_AUTHENTICATION_FAILED:
      return Status::Unauthenticated(message);
    case RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED:
    case RdKafka::ERR_GROUP_AUTHORIZATION_FAILED:
    case RdKafka::ERR_CLUSTER_AUTHORIZATION_FAILED:
      return Status::PermissionDenied(message);
    case RdKafka::ERR_UNKNOWN_TOPIC_OR_PART:
    case RdKafka::ERR__UNKNOWN_TOPIC:
      return Status::NotFound(message);
    case RdKafka::ERR_INVALID_REPLICATION_FACTOR:
    case RdKafka::ERR_INVALID_PARTITIONS:
    case RdKafka::ERR_INVALID_CONFIG:
    case RdKafka::ERR_TOPIC_EXCEPTION:
    case RdKafka::ERR_POLICY_VIOLATION:
    case RdKafka::ERR_INVALID_GROUP_ID:
    case RdKafka::ERR__INVALID_ARG:
      return Status::InvalidArgument(message);
    case RdKafka::ERR_THROTTLING_QUOTA_EXCEEDED:
      return Status::Throttled(message);
    // The broker is too old for the request.
    case RdKafka::ERR__UNSUPPORTED_FEATURE:
    case RdKafka::ERR_UNSUPPORTED_VERSION:
      return Status::FailedPrecondition(message);
    default:
      return Status::Internal(message);
  }
}

Status KafkaError(rd_kafka_resp_err_t err, const std::string& context) {
  // The C and C++ APIs share the numeric codes.
  return KafkaError(static_cast<RdKafka::ErrorCode>(err), context);
}

bool IsSettlingMetadataError(RdKafka::ErrorCode err) {
  return err == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART || err == RdKafka::ERR_LEADER_NOT_AVAILABLE ||
         err == RdKafka::ERR_NOT_LEADER_FOR_PARTITION || err == RdKafka::ERR__UNKNOWN_PARTITION ||
         err == RdKafka::ERR__UNKNOWN_TOPIC;
}

Result<Watermarks> QueryWatermarks(RdKafka::Handle* handle, const std::string& topic,
                                   int32_t partition, std::chrono::milliseconds budget) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + budget;
  const std::string what = "read the offsets of " + topic + "/" + std::to_string(partition);
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    Watermarks marks;
    const RdKafka::ErrorCode err =
        handle->query_watermark_offsets(topic, partition, &marks.low, &marks.high,
                                        static_cast<int>(std::max<int64_t>(1, left.count())));
    if (err == RdKafka::ERR_NO_ERROR) return marks;
    Status status = KafkaError(err, what);
    const bool again = IsSettlingMetadataError(err) || status.IsRetryable();
    if (!again || Clock::now() + std::chrono::milliseconds(100) >= deadline) {
      if (IsSettlingMetadataError(err)) return Status::Unavailable(status.message());
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace k2c
