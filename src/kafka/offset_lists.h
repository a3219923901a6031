// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Offsets of many partitions of one topic, asked in one request per broker
// through librdkafka's C API. Its C++ wrappers match every answer to its
// question by a linear search (a strcmp and a dynamic_cast per pair), which
// is quadratic in the partitions asked: with 10,000 partitions a worker spent
// 40 s starting and a third of a core at rest on that alone.

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace k2c {

struct PartitionOffset {
  int32_t partition = 0;
  int64_t offset = -1;  // Negative: none (nothing committed, or an error).
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;  // This partition's own.
  std::string metadata;  // Committed with the offset (CommittedOffsets only).
};

// The group's committed offsets of `partitions` of `topic` into `out`, in
// their order. Returns the error of the request as a whole (each caller words
// it for its own context); a partition's own error is in its entry.
rd_kafka_resp_err_t CommittedOffsets(rd_kafka_t* consumer, const std::string& topic,
                                     const std::vector<int32_t>& partitions,
                                     std::chrono::milliseconds timeout,
                                     std::vector<PartitionOffset>* out);

// The log start (`which` = RD_KAFKA_OFFSET_BEGINNING) or end (high watermark,
// RD_KAFKA_OFFSET_END) of `partitions` of `topic`; as CommittedOffsets.
rd_kafka_resp_err_t LogOffsets(rd_kafka_t* handle, const std::string& topic,
                               const std::vector<int32_t>& partitions, int64_t which,
                               std::chrono::milliseconds timeout,
                               std::vector<PartitionOffset>* out);

}  // namespace k2c
