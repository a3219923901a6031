// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "kafka/transactional_producer.h"

#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <thread>

#include "kafka/client_config.h"

namespace k2c {
namespace {

// librdkafka's error objects, owned.
struct ErrorDeleter {
  void operator()(rd_kafka_error_t* e) const { rd_kafka_error_destroy(e); }
};
using ErrorPtr = std::unique_ptr<rd_kafka_error_t, ErrorDeleter>;

Status FromError(const ErrorPtr& error, const std::string& what) {
  const std::string message = what + ": " + rd_kafka_error_string(error.get());
  if (rd_kafka_error_is_retriable(error.get())) return Status::Unavailable(message);
  return Status::Internal(message);
}

}  // namespace

TransactionalProducer::TransactionalProducer(Options options,
                                             std::unique_ptr<RdKafka::Producer> producer)
    : options_(std::move(options)), producer_(std::move(producer)) {}

TransactionalProducer::~TransactionalProducer() {
  if (in_transaction_) {
    ErrorPtr(
        rd_kafka_abort_transaction(handle(), static_cast<int>(options_.kafka.timeout.count())));
  }
  producer_->flush(static_cast<int>(options_.kafka.timeout.count()));
}

Result<std::unique_ptr<TransactionalProducer>> TransactionalProducer::Create(Options options) {
  K2C_RETURN_IF_ERROR(
      EnsureCompactedTopic(options.kafka, options.checkpoint_topic, options.replication_factor));
  // Built as the C++ configuration (the one place client settings are made),
  // then handed to the C API, whose transaction calls report error objects.
  auto made = NewClientConf(ClientKind::kConnectionOnly, options.kafka.bootstrap_servers,
                            options.kafka.properties, "kafka2cos-replay");
  if (!made.ok()) return made.status();
  std::unique_ptr<RdKafka::Conf> conf = std::move(made.value());
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "transactional.id", options.transactional_id));
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "enable.idempotence", "true"));
  // The partitioner of Java clients, so key-hash replays land where a Java
  // producer would have put them.
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "partitioner", "murmur2_random"));
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "linger.ms", "20"));
  // Right after a commit the coordinator may still be writing its markers
  // and answers the next transaction's AddPartitionsToTxn with
  // CONCURRENT_TRANSACTIONS; librdkafka retries after retry.backoff.ms. The
  // default 100 ms cost ~0.1 s per transaction here (docs/benchmarks.md);
  // Java's producer retries this case after 20 ms too.
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "retry.backoff.ms", "20"));
  // A replay into a topic that does not exist fails; it never creates one.
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "allow.auto.create.topics", "false"));
  std::string err;
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), err));
  if (!producer) return Status::InvalidArgument("cannot create the Kafka producer: " + err);
  std::unique_ptr<TransactionalProducer> made_producer(
      new TransactionalProducer(std::move(options), std::move(producer)));
  ErrorPtr init(rd_kafka_init_transactions(
      made_producer->handle(), static_cast<int>(made_producer->options_.kafka.timeout.count())));
  if (init) return FromError(init, "initialise Kafka transactions");
  // Known to this producer before the first transaction (see Partitions).
  auto checkpoint_partitions = made_producer->Partitions(made_producer->options_.checkpoint_topic);
  if (!checkpoint_partitions.ok()) return checkpoint_partitions.status();
  return made_producer;
}

Result<std::optional<std::string>> TransactionalProducer::ReadCheckpoint() {
  auto made = NewClientConf(ClientKind::kConsumer, options_.kafka.bootstrap_servers,
                            options_.kafka.properties, "kafka2cos-replay");
  if (!made.ok()) return made.status();
  std::unique_ptr<RdKafka::Conf> conf = std::move(made.value());
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "group.id", "kafka2cos-replay-checkpoint"));
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "enable.auto.commit", "false"));
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "enable.partition.eof", "true"));
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "isolation.level", "read_committed"));
  // The read ends at the end of the topic: a fetch there waits this long
  // for records that will not come (500 ms by default).
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "fetch.wait.max.ms", "20"));
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!consumer) return Status::InvalidArgument("cannot create Kafka consumer: " + err);
  int64_t low = 0, high = 0;
  RdKafka::ErrorCode kerr = consumer->query_watermark_offsets(
      options_.checkpoint_topic, 0, &low, &high, static_cast<int>(options_.kafka.timeout.count()));
  if (kerr != RdKafka::ERR_NO_ERROR) {
    return Status::Unavailable("read " + options_.checkpoint_topic + ": " + RdKafka::err2str(kerr));
  }
  if (low == high) {  // Nothing was ever checkpointed (or it was all compacted away).
    consumer->close();
    return std::optional<std::string>();
  }
  // From the first offset held (not OFFSET_BEGINNING, which would ask again).
  std::vector<RdKafka::TopicPartition*> assignment = {
      RdKafka::TopicPartition::create(options_.checkpoint_topic, 0, low)};
  kerr = consumer->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  if (kerr != RdKafka::ERR_NO_ERROR) {
    return Status::Unavailable("read " + options_.checkpoint_topic + ": " + RdKafka::err2str(kerr));
  }
  std::optional<std::string> last;
  const auto deadline = std::chrono::steady_clock::now() + options_.kafka.timeout;
  Status result = Status::DeadlineExceeded("reading the replay checkpoints of '" +
                                           options_.checkpoint_topic + "' took too long");
  while (std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> msg(consumer->consume(500));
    if (!msg || msg->err() == RdKafka::ERR__TIMED_OUT) continue;
    if (msg->err() == RdKafka::ERR__PARTITION_EOF) {
      result = Status::Ok();
      break;
    }
    if (msg->err() != RdKafka::ERR_NO_ERROR) {
      result = Status::Unavailable("read " + options_.checkpoint_topic + ": " + msg->errstr());
      break;
    }
    if (msg->key() != nullptr && *msg->key() == options_.checkpoint_key) {
      if (msg->payload() == nullptr) {
        last.reset();  // A tombstone: the replay was reset.
      } else {
        last = std::string(static_cast<const char*>(msg->payload()), msg->len());
      }
    }
  }
  consumer->close();
  if (!result.ok()) return result;
  return last;
}

Status TransactionalProducer::Begin() {
  ErrorPtr error(rd_kafka_begin_transaction(handle()));
  if (error) return FromError(error, "begin a Kafka transaction");
  in_transaction_ = true;
  return Status::Ok();
}

Status TransactionalProducer::Produce(const std::string& topic, int32_t partition,
                                      const RecordView& record) {
  rd_kafka_headers_t* headers = nullptr;
  if (!record.headers.empty()) {
    headers = rd_kafka_headers_new(record.headers.size());
    for (const HeaderView& h : record.headers) {
      rd_kafka_header_add(headers, h.key.data(), static_cast<ssize_t>(h.key.size()),
                          h.value ? h.value->data() : nullptr,
                          h.value ? static_cast<ssize_t>(h.value->size()) : 0);
    }
  }
  // The macros below take plain values (a ternary would split at its commas).
  const void* key = record.key ? record.key->data() : nullptr;
  const size_t key_size = record.key ? record.key->size() : 0;
  void* value = record.value ? const_cast<char*>(record.value->data()) : nullptr;
  const size_t value_size = record.value ? record.value->size() : 0;
  const int32_t target = partition < 0 ? RD_KAFKA_PARTITION_UA : partition;
  const int64_t timestamp = record.timestamp_ms > 0 ? record.timestamp_ms : 0;
  // A full queue empties as the broker acknowledges; past the timeout the
  // broker is taken for gone (its records time out and fail the commit).
  const auto give_up = std::chrono::steady_clock::now() + options_.kafka.timeout;
  for (;;) {
    const rd_kafka_resp_err_t err =
        rd_kafka_producev(handle(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(target),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_size),
                          RD_KAFKA_V_VALUE(value, value_size), RD_KAFKA_V_TIMESTAMP(timestamp),
                          RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::Ok();  // It owns `headers` now.
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && std::chrono::steady_clock::now() < give_up) {
      // No delivery callback is set, so nothing wakes this early: a short
      // wait, as the queue drains at the broker's pace.
      rd_kafka_poll(handle(), 5);
      continue;
    }
    if (headers != nullptr) rd_kafka_headers_destroy(headers);
    return Status::Unavailable("produce to " + topic + ": " + rd_kafka_err2str(err));
  }
}

Status TransactionalProducer::Abort(const std::string& why) {
  ErrorPtr error(
      rd_kafka_abort_transaction(handle(), static_cast<int>(options_.kafka.timeout.count())));
  in_transaction_ = false;
  if (error) return FromError(error, why + "; then aborting the transaction");
  return Status::Unavailable(why + " (the transaction was aborted: nothing of it is visible)");
}

Status TransactionalProducer::CommitWithCheckpoint(const std::string& checkpoint) {
  RecordView record;
  record.key = options_.checkpoint_key;
  record.value = checkpoint;
  Status produced = Produce(options_.checkpoint_topic, 0, record);
  if (!produced.ok()) return Abort("the replay checkpoint: " + produced.message());
  ErrorPtr error(
      rd_kafka_commit_transaction(handle(), static_cast<int>(options_.kafka.timeout.count())));
  if (error) {
    const std::string what =
        std::string("commit the Kafka transaction: ") + rd_kafka_error_string(error.get());
    if (rd_kafka_error_txn_requires_abort(error.get())) return Abort(what);
    in_transaction_ = false;
    return Status::Unavailable(what);
  }
  in_transaction_ = false;
  return Status::Ok();
}

Result<int32_t> TransactionalProducer::Partitions(const std::string& topic) {
  return CountPartitions(producer_.get(), options_.kafka, topic);
}

}  // namespace k2c
