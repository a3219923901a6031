// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "kafka/admin.h"

namespace k2c {

// What Kafka holds in an offset range of a partition.
struct OffsetRangeContent {
  // The first record in the range, if any; nullopt when the range holds
  // none (transaction markers, aborted or compacted records leave such gaps).
  std::optional<int64_t> first_record;
  // The range starts before the partition's log start: retention removed
  // what it held, so Kafka cannot say any more.
  bool expired = false;
};

// Asks Kafka what an archive's offset gaps hold (`verify`): a consumer of
// its own, in no group, reading committed records only, as the sink does.
// Not thread-safe.
class OffsetProbe {
 public:
  static Result<std::unique_ptr<OffsetProbe>> Create(const KafkaAdminOptions& options,
                                                     const std::string& topic);
  ~OffsetProbe();

  // What [from, before) of `partition` holds. Unavailable if the broker does
  // not answer within the options' timeout.
  Result<OffsetRangeContent> Probe(int32_t partition, int64_t from, int64_t before);

 private:
  OffsetProbe(KafkaAdminOptions options, std::string topic,
              std::unique_ptr<RdKafka::KafkaConsumer> consumer);

  KafkaAdminOptions options_;
  std::string topic_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
};

}  // namespace k2c
