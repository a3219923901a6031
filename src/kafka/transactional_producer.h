// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "format/record.h"
#include "kafka/admin.h"

namespace k2c {

// A transactional, idempotent Kafka producer that commits a checkpoint
// record (a key in a compacted topic) inside every transaction, so what was
// produced and how far it got are committed together: `replay`, killed and
// started again with the same transactional id, fences the old instance
// (its open transaction is aborted) and goes on from the last checkpoint,
// writing every record exactly once for read_committed consumers.
class TransactionalProducer {
 public:
  struct Options {
    KafkaAdminOptions kafka;
    std::string transactional_id;
    std::string checkpoint_topic;  // Compacted; created if missing.
    std::string checkpoint_key;
    int replication_factor = -1;
  };

  // Creates the checkpoint topic if needed and initialises transactions,
  // which fences any earlier producer with the same transactional id.
  static Result<std::unique_ptr<TransactionalProducer>> Create(Options options);
  ~TransactionalProducer();
  TransactionalProducer(const TransactionalProducer&) = delete;
  TransactionalProducer& operator=(const TransactionalProducer&) = delete;

  // The value of the last committed checkpoint record of checkpoint_key, or
  // nullopt if there is none (read_committed, to the end of the topic).
  Result<std::optional<std::string>> ReadCheckpoint();

  Status Begin();
  // Enqueues `record` (key, value, headers, timestamp) to `topic`;
  // `partition` -1 lets the key choose (murmur2, as Java clients do).
  Status Produce(const std::string& topic, int32_t partition, const RecordView& record);
  // Adds the checkpoint record and commits the transaction; an error
  // aborts it (nothing of it becomes visible) and is returned.
  Status CommitWithCheckpoint(const std::string& checkpoint);
  // The partition count of `topic`; NotFound if it does not exist. Ask it
  // of every target before producing: the answer also primes this
  // producer's metadata, without which the first transaction waits ~1 s.
  Result<int32_t> Partitions(const std::string& topic);

 private:
  TransactionalProducer(Options options, std::unique_ptr<RdKafka::Producer> producer);
  Status Abort(const std::string& why);
  // The C handle: transactions and headers are driven through the C API.
  rd_kafka_t* handle() const { return producer_->c_ptr(); }

  Options options_;
  std::unique_ptr<RdKafka::Producer> producer_;
  bool in_transaction_ = false;
};

}  // namespace k2c
