// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "kafka/admin.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <memory>

#include "common/log_text.h"
#include "kafka/client_config.h"
#include "kafka/kafka_errors.h"
#include "kafka/offset_lists.h"

namespace k2c {
namespace {

// librdkafka's C objects, freed on every path out of a function.
template <auto kDestroy>
struct CDeleter {
  template <typename T>
  void operator()(T* p) const {
    kDestroy(p);
  }
};
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, CDeleter<rd_kafka_queue_destroy>>;
using EventPtr = std::unique_ptr<rd_kafka_event_t, CDeleter<rd_kafka_event_destroy>>;
using AdminOptionsPtr =
    std::unique_ptr<rd_kafka_AdminOptions_t, CDeleter<rd_kafka_AdminOptions_destroy>>;
using NewTopicPtr = std::unique_ptr<rd_kafka_NewTopic_t, CDeleter<rd_kafka_NewTopic_destroy>>;
using ConfigResourcePtr =
    std::unique_ptr<rd_kafka_ConfigResource_t, CDeleter<rd_kafka_ConfigResource_destroy>>;

// Frees TopicPartition objects owned by a vector on scope exit.
struct PartitionListGuard {
  std::vector<RdKafka::TopicPartition*>* list;
  ~PartitionListGuard() { RdKafka::TopicPartition::destroy(*list); }
};

// One budget for a whole call, shared by its successive blocking steps, so
// that options.timeout bounds the call and not each step.
class Deadline {
 public:
  explicit Deadline(std::chrono::milliseconds budget)
      : end_(std::chrono::steady_clock::now() + budget) {}

  // At least 1: for some librdkafka calls 0 means "do not wait at all", and
  // an exhausted budget should still let the call report its own timeout.
  int RemainingMs() const {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end_ - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<int64_t>(1, left.count()));
  }

 private:
  std::chrono::steady_clock::time_point end_;
};

// An error of a whole request (not of one topic or partition in its answer).
Status RequestError(const KafkaAdminOptions& options, RdKafka::ErrorCode err,
                    const std::string& what) {
  Status status = KafkaError(err, what + " from " + options.bootstrap_servers);
  if (status.code() != StatusCode::kUnavailable) return status;
  return Status::Unavailable(status.message() + " (is the cluster reachable?)");
}

Status CheckOptions(const KafkaAdminOptions& options) {
  if (options.bootstrap_servers.empty()) {
    return Status::InvalidArgument("no Kafka bootstrap servers given");
  }
  return Status::Ok();
}

// A producer handle for metadata and admin requests: it joins no group and
// needs no group id.
Result<std::unique_ptr<RdKafka::Producer>> NewProducer(const KafkaAdminOptions& options) {
  K2C_RETURN_IF_ERROR(CheckOptions(options));
  auto made = NewClientConf(ClientKind::kConnectionOnly, options.bootstrap_servers,
                            options.properties, "kafka2cos-admin");
  if (!made.ok()) return made.status();
  std::unique_ptr<RdKafka::Conf> conf = std::move(made.value());
  // A producer asks brokers with auto.create.topics.enable to create every
  // topic it looks up; DescribeTopic of a missing topic must not create it.
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "allow.auto.create.topics", "false"));
  std::string err;
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), err));
  if (!producer) return Status::InvalidArgument("cannot create Kafka client: " + err);
  return producer;
}

// The partition ids of `topic` in a metadata response, sorted.
Result<std::vector<int32_t>> PartitionsOf(const RdKafka::Metadata& metadata,
                                          const std::string& topic) {
  for (const auto* tm : *metadata.topics()) {
    if (tm->topic() != topic) continue;
    std::vector<int32_t> ids;
    for (const auto* pm : *tm->partitions()) ids.push_back(pm->id());
    std::sort(ids.begin(), ids.end());
    if (tm->err() == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART) break;
    // A topic just created may still lack leaders (an error) while its
    // partitions are already known.
    if (!ids.empty()) return ids;
    if (tm->err() != RdKafka::ERR_NO_ERROR) {
      return KafkaError(tm->err(), "metadata of topic '" + topic + "'");
    }
    break;
  }
  return Status::NotFound("topic '" + topic + "' does not exist");
}

// Metadata of one topic; never creates it (see allow.auto.create.topics).
Result<std::vector<int32_t>> FetchPartitions(RdKafka::Handle* handle,
                                             const KafkaAdminOptions& options,
                                             const std::string& topic, const Deadline& deadline) {
  if (topic.empty()) return Status::InvalidArgument("empty topic name");
  std::string err;
  std::unique_ptr<RdKafka::Topic> rkt(RdKafka::Topic::create(handle, topic, nullptr, err));
  if (!rkt) return Status::InvalidArgument("topic '" + topic + "': " + err);
  RdKafka::Metadata* raw = nullptr;
  const RdKafka::ErrorCode mderr = handle->metadata(false, rkt.get(), &raw, deadline.RemainingMs());
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  if (mderr != RdKafka::ERR_NO_ERROR) {
    return RequestError(options, mderr, "metadata of topic '" + topic + "'");
  }
  return PartitionsOf(*metadata, topic);
}

// Waits for the one result of an admin request on `queue`.
Result<EventPtr> AwaitAdminResult(rd_kafka_queue_t* queue, const KafkaAdminOptions& options,
                                  const std::string& what, const Deadline& deadline) {
  EventPtr event(rd_kafka_queue_poll(queue, deadline.RemainingMs()));
  if (!event) return RequestError(options, RdKafka::ERR__TIMED_OUT, what);
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (rd_kafka_event_error(event.get()) == RD_KAFKA_RESP_ERR__TIMED_OUT) {
      return RequestError(options, RdKafka::ERR__TIMED_OUT, what);
    }
    return KafkaError(rd_kafka_event_error(event.get()), what);
  }
  return event;
}

Result<AdminOptionsPtr> NewAdminOptions(rd_kafka_t* rk, rd_kafka_admin_op_t op,
                                        const Deadline& deadline) {
  AdminOptionsPtr admin(rd_kafka_AdminOptions_new(rk, op));
  if (!admin) return Status::Internal("cannot create admin options");
  char errstr[512];
  if (rd_kafka_AdminOptions_set_request_timeout(admin.get(), deadline.RemainingMs(), errstr,
                                                sizeof(errstr)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::InvalidArgument(std::string("admin request timeout: ") + errstr);
  }
  return admin;
}

// Warns when an existing topic is not compacted: the caller relies on
// compaction to keep the latest record of every key forever.
void WarnUnlessCompacted(rd_kafka_t* rk, const KafkaAdminOptions& options, const std::string& topic,
                         const Deadline& deadline) {
  const auto warn_unknown = [&topic](const Status& status) {
    spdlog::warn("event=topic_config_unknown topic={} error=\"{}\"", topic, LogEscape(status));
  };
  Result<AdminOptionsPtr> admin = NewAdminOptions(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, deadline);
  if (!admin.ok()) return warn_unknown(admin.status());
  ConfigResourcePtr resource(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str()));
  QueuePtr queue(rd_kafka_queue_new(rk));
  rd_kafka_ConfigResource_t* resources[] = {resource.get()};
  rd_kafka_DescribeConfigs(rk, resources, 1, admin->get(), queue.get());
  Result<EventPtr> event =
      AwaitAdminResult(queue.get(), options, "describe configs of topic '" + topic + "'", deadline);
  if (!event.ok()) return warn_unknown(event.status());
  const rd_kafka_DescribeConfigs_result_t* result =
      rd_kafka_event_DescribeConfigs_result(event->get());
  size_t count = 0;
  const rd_kafka_ConfigResource_t** described =
      result ? rd_kafka_DescribeConfigs_result_resources(result, &count) : nullptr;
  for (size_t i = 0; i < count; ++i) {
    if (rd_kafka_ConfigResource_error(described[i]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return warn_unknown(KafkaError(rd_kafka_ConfigResource_error(described[i]),
                                     "describe configs of topic '" + topic + "'"));
    }
    size_t n = 0;
    const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(described[i], &n);
    for (size_t j = 0; j < n; ++j) {
      if (std::string(rd_kafka_ConfigEntry_name(entries[j])) != "cleanup.policy") continue;
      const char* value = rd_kafka_ConfigEntry_value(entries[j]);
      const std::string policy = value ? value : "";
      // "compact,delete" still deletes by retention, so only "compact" will do.
      if (policy != "compact") {
        spdlog::warn(
            "event=topic_not_compacted topic={} cleanup_policy=\"{}\" "
            "hint=\"set cleanup.policy=compact on the topic\"",
            topic, policy);
      }
      return;
    }
  }
  warn_unknown(Status::Internal("no cleanup.policy in the broker's answer"));
}

}  // namespace

Result<std::vector<TopicInfo>> ListTopics(const KafkaAdminOptions& options) {
  const Deadline deadline(options.timeout);
  Result<std::unique_ptr<RdKafka::Producer>> producer = NewProducer(options);
  if (!producer.ok()) return producer.status();
  RdKafka::Metadata* raw = nullptr;
  const RdKafka::ErrorCode err = (*producer)->metadata(true, nullptr, &raw, deadline.RemainingMs());
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  if (err != RdKafka::ERR_NO_ERROR) return RequestError(options, err, "list topics");
  std::vector<TopicInfo> topics;
  for (const auto* tm : *metadata->topics()) {
    // Kafka's own bookkeeping (__consumer_offsets, __transaction_state).
    if (tm->topic().rfind("__", 0) == 0) continue;
    topics.push_back({tm->topic(), static_cast<int32_t>(tm->partitions()->size())});
  }
  std::sort(topics.begin(), topics.end(),
            [](const TopicInfo& a, const TopicInfo& b) { return a.name < b.name; });
  return topics;
}

Result<int32_t> CountPartitions(RdKafka::Handle* handle, const KafkaAdminOptions& options,
                                const std::string& topic) {
  auto ids = FetchPartitions(handle, options, topic, Deadline(options.timeout));
  if (!ids.ok()) return ids.status();
  return static_cast<int32_t>(ids->size());
}

Result<TopicInfo> DescribeTopic(const KafkaAdminOptions& options, const std::string& topic) {
  const Deadline deadline(options.timeout);
  Result<std::unique_ptr<RdKafka::Producer>> producer = NewProducer(options);
  if (!producer.ok()) return producer.status();
  Result<std::vector<int32_t>> partitions =
      FetchPartitions(producer->get(), options, topic, deadline);
  if (!partitions.ok()) return partitions.status();
  return TopicInfo{topic, static_cast<int32_t>(partitions->size())};
}

Status EnsureCompactedTopic(const KafkaAdminOptions& options, const std::string& topic,
                            int replication_factor) {
  const Deadline deadline(options.timeout);
  if (topic.empty()) return Status::InvalidArgument("empty topic name");
  char errstr[512];
  NewTopicPtr new_topic(
      rd_kafka_NewTopic_new(topic.c_str(), 1, replication_factor, errstr, sizeof(errstr)));
  if (!new_topic) return Status::InvalidArgument("topic '" + topic + "': " + errstr);
  const rd_kafka_resp_err_t cerr =
      rd_kafka_NewTopic_set_config(new_topic.get(), "cleanup.policy", "compact");
  if (cerr != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaError(cerr, "topic '" + topic + "' config");

  Result<std::unique_ptr<RdKafka::Producer>> producer = NewProducer(options);
  if (!producer.ok()) return producer.status();
  rd_kafka_t* rk = (*producer)->c_ptr();
  Result<AdminOptionsPtr> admin = NewAdminOptions(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS, deadline);
  if (!admin.ok()) return admin.status();
  // The broker waits at most half the budget for the new topic to reach all
  // brokers, so that its answer (done, or still propagating) arrives before
  // our own deadline instead of being lost to it.
  const int operation_ms = std::max(1, deadline.RemainingMs() / 2);
  if (rd_kafka_AdminOptions_set_operation_timeout(admin->get(), operation_ms, errstr,
                                                  sizeof(errstr)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::InvalidArgument(std::string("admin operation timeout: ") + errstr);
  }
  QueuePtr queue(rd_kafka_queue_new(rk));
  rd_kafka_NewTopic_t* new_topics[] = {new_topic.get()};
  rd_kafka_CreateTopics(rk, new_topics, 1, admin->get(), queue.get());
  const std::string what = "create topic '" + topic + "'";
  Result<EventPtr> event = AwaitAdminResult(queue.get(), options, what, deadline);
  if (!event.ok()) return event.status();

  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event->get());
  size_t count = 0;
  const rd_kafka_topic_result_t** results =
      result ? rd_kafka_CreateTopics_result_topics(result, &count) : nullptr;
  for (size_t i = 0; i < count; ++i) {
    if (topic != rd_kafka_topic_result_name(results[i])) continue;
    const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      spdlog::info("event=topic_created topic={} cleanup_policy=compact replication_factor={}",
                   topic, replication_factor);
      return Status::Ok();
    }
    if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      WarnUnlessCompacted(rk, options, topic, deadline);
      return Status::Ok();
    }
    // The broker's explanation (e.g. "replication factor larger than
    // available brokers") is more precise than the code's text.
    const char* detail = rd_kafka_topic_result_error_string(results[i]);
    Status status = KafkaError(err, what);
    if (detail != nullptr && *detail != '\0') {
      status = Status(status.code(), status.message() + " (" + detail + ")");
    }
    return status;
  }
  return Status::Internal(what + ": the broker's answer does not name the topic");
}

Result<std::vector<PartitionLag>> FetchGroupLag(const KafkaAdminOptions& options,
                                                const std::string& group,
                                                const std::string& topic) {
  const Deadline deadline(options.timeout);
  K2C_RETURN_IF_ERROR(CheckOptions(options));
  if (group.empty()) return Status::InvalidArgument("empty consumer group name");
  // A consumer handle is what reads a group's committed offsets; it never
  // subscribes, so it joins no group and cannot disturb the group's members.
  // The consumers' properties all apply to it; those below must win.
  auto made = NewClientConf(ClientKind::kConsumer, options.bootstrap_servers, options.properties,
                            "kafka2cos-admin");
  if (!made.ok()) return made.status();
  std::unique_ptr<RdKafka::Conf> conf = std::move(made.value());
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "group.id", group));
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "enable.auto.commit", "false"));
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "allow.auto.create.topics", "false"));
  // end_offset is the high watermark; read_committed would answer with the
  // last stable offset instead.
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "isolation.level", "read_uncommitted"));
  std::string err;
  // Destroyed without close(), as the C++ destructor does: a consumer that
  // never joined has nothing to leave or commit, and close() could wait on an
  // unreachable coordinator past options.timeout.
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!consumer) return Status::InvalidArgument("cannot create Kafka consumer: " + err);

  Result<std::vector<int32_t>> partitions =
      FetchPartitions(consumer.get(), options, topic, deadline);
  if (!partitions.ok()) return partitions.status();

  const std::string where = "group '" + group + "' on topic '" + topic + "'";
  const auto remaining = [&deadline] { return std::chrono::milliseconds(deadline.RemainingMs()); };
  std::vector<PartitionOffset> committed, ends, starts;
  rd_kafka_resp_err_t request_err =
      CommittedOffsets(consumer->c_ptr(), topic, *partitions, remaining(), &committed);
  if (request_err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return RequestError(options, static_cast<RdKafka::ErrorCode>(request_err),
                        "committed offsets of " + where);
  }
  request_err =
      LogOffsets(consumer->c_ptr(), topic, *partitions, RD_KAFKA_OFFSET_END, remaining(), &ends);
  if (request_err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return RequestError(options, static_cast<RdKafka::ErrorCode>(request_err),
                        "end offsets of topic '" + topic + "'");
  }
  // The log start only matters where nothing is committed.
  std::vector<int32_t> uncommitted;
  for (const PartitionOffset& c : committed) {
    if (c.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaError(
          c.err, "committed offset of " + where + " partition " + std::to_string(c.partition));
    }
    if (c.offset < 0) uncommitted.push_back(c.partition);
  }
  request_err = LogOffsets(consumer->c_ptr(), topic, uncommitted, RD_KAFKA_OFFSET_BEGINNING,
                           remaining(), &starts);
  if (request_err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return RequestError(options, static_cast<RdKafka::ErrorCode>(request_err),
                        "start offsets of topic '" + topic + "'");
  }
  const auto check_offset = [&topic](const PartitionOffset& o, const std::string& kind) -> Status {
    const std::string what =
        kind + " offset of topic '" + topic + "' partition " + std::to_string(o.partition);
    if (o.err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaError(o.err, what);
    if (o.offset < 0) return Status::Internal(what + ": the broker returned none");
    return Status::Ok();
  };

  std::vector<PartitionLag> lags;
  size_t next_start = 0;  // starts follow the order of the uncommitted partitions.
  for (size_t i = 0; i < committed.size(); ++i) {
    const PartitionOffset& c = committed[i];
    K2C_RETURN_IF_ERROR(check_offset(ends[i], "end"));
    PartitionLag lag;
    lag.partition = c.partition;
    lag.end_offset = ends[i].offset;
    lag.commit_metadata = c.metadata;
    int64_t from = 0;
    if (c.offset >= 0) {
      lag.committed = c.offset;
      from = c.offset;
    } else {
      const PartitionOffset& start = starts[next_start++];
      K2C_RETURN_IF_ERROR(check_offset(start, "start"));
      from = start.offset;
    }
    // A commit past the end (the topic was recreated) leaves nothing to read.
    lag.lag = std::max<int64_t>(0, lag.end_offset - from);
    lags.push_back(lag);
  }
  return lags;
}

}  // namespace k2c
