// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// The one classifier of Kafka errors, and the one retry loop for reading a
// partition's offsets while a new topic's metadata settles.

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "common/status.h"

namespace k2c {

// Maps a librdkafka or broker error to the action the caller should take:
// Unavailable (retry), DeadlineExceeded (may still complete), NotFound,
// InvalidArgument, PermissionDenied, Unauthenticated, Throttled,
// FailedPrecondition (broker too old), Internal. `context` says what was
// being done.
Status KafkaError(RdKafka::ErrorCode err, const std::string& context);
Status KafkaError(rd_kafka_resp_err_t err, const std::string& context);

// Errors of a topic or partition whose metadata has not reached every
// broker yet (just created, or its leader moving): asking again shortly
// succeeds.
bool IsSettlingMetadataError(RdKafka::ErrorCode err);

struct Watermarks {
  int64_t low = 0;   // Log start offset.
  int64_t high = 0;  // End offset (high watermark).
};

// One partition's watermarks from the brokers, asked again every 100 ms
// while the error is a settling or retryable one, for at most `budget`.
Result<Watermarks> QueryWatermarks(RdKafka::Handle* handle, const std::string& topic,
                                   int32_t partition, std::chrono::milliseconds budget);

}  // namespace k2c
