// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "kafka/fetch_waker.h"
#include "sink/record_source.h"

namespace k2c {

// Where a partition with no committed offset starts.
enum class StartPosition { kLatest, kEarliest };

struct KafkaSourceOptions {
  std::string bootstrap_servers;
  std::string group_id;
  std::string topic;
  StartPosition start = StartPosition::kLatest;
  // Extra librdkafka properties (TLS, SASL, tuning), applied first so that
  // the settings the commit protocol depends on cannot be overridden.
  std::map<std::string, std::string> properties;
  // Bound on every blocking broker call (commit, committed, watermarks).
  std::chrono::milliseconds request_timeout{10'000};
};

// Names of librdkafka properties kafka2cos sets itself; the config loader
// rejects them in [kafka.properties].
const std::vector<std::string>& ReservedKafkaProperties();

// Reads the cluster id (the default instance id) through a short-lived
// producer handle, which joins no consumer group. Unavailable if no broker
// answers within options.request_timeout; only bootstrap_servers, properties
// and request_timeout of `options` are used.
Result<std::string> FetchClusterId(const KafkaSourceOptions& options);

// A RecordSource over one topic with librdkafka's KafkaConsumer: manual
// commits, cooperative-sticky assignment, partition EOF events.
//
// A partition that has no committed offset when first assigned gets its start
// resolved and committed at once, so that records produced while the worker
// is down later are never skipped: the end of the log for `latest` when the
// task is new (the group has no offsets for the topic), else the beginning
// (`earliest`, or a partition added to the topic after the task started). Not thread-safe: one
// thread polls, commits and closes.
class KafkaSource final : public RecordSource {
 public:
  // Connects and subscribes. NotFound if the topic does not exist;
  // InvalidArgument for a rejected property (message names it).
  static Result<std::unique_ptr<KafkaSource>> Create(const KafkaSourceOptions& options);
  ~KafkaSource() override;

  Status Poll(std::chrono::milliseconds timeout, RecordSourceListener* listener) override;
  using RecordSource::Commit;
  Status Commit(const std::vector<OffsetCommit>& commits) override;
  Status Pause(int32_t partition) override;
  Status Resume(int32_t partition) override;
  Status SeekToCommitted(int32_t partition) override;
  Status Seek(int32_t partition, int64_t offset) override;
  bool AssignmentLost() const override;

  // Leaves the group; revocations during close go to `listener`. Idempotent.
  void Close(RecordSourceListener* listener);

  // Records between the committed offset and the end of the log, per
  // assigned partition whose end librdkafka has seen in a fetch response
  // (no broker request; call on the polling thread).
  std::map<int32_t, int64_t> CachedLags() const;

 private:
  class Rebalancer;
  KafkaSource(KafkaSourceOptions options, std::unique_ptr<Rebalancer> rebalancer);
  void HandleRebalance(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                       std::vector<RdKafka::TopicPartition*>& partitions);
  void PinStartOffsets(std::vector<RdKafka::TopicPartition*>& partitions);
  bool GroupHasCommits();
  Status PauseOrResume(int32_t partition, bool pause);
  // The headers of `msg`, in headers_ (valid until the next call).
  std::span<const HeaderView> ReadHeaders(rd_kafka_message_t* msg);
  // Notes that `partition` delivered records up to `next_offset` in this
  // poll, for ReportReachedEnds().
  void NoteDelivered(int32_t partition, int64_t next_offset);
  void ForgetDelivered(int32_t partition);
  // Tells the listener of every partition whose delivered records reach the
  // end of the log as the last fetch response saw it (see Poll); the others
  // are left in behind_.
  void ReportReachedEnds(RecordSourceListener* listener);

  KafkaSourceOptions options_;
  std::unique_ptr<Rebalancer> rebalancer_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  RecordSourceListener* listener_ = nullptr;  // Set only while polling or closing.
  std::map<int32_t, int64_t> committed_;      // Next offset to read, per assigned partition.
  bool closed_ = false;
  std::vector<HeaderView> headers_;  // The current record's, reused.
  // (partition, next offset) delivered in the current poll, one entry per
  // run of records of the same partition.
  std::vector<std::pair<int32_t, int64_t>> delivered_;
  std::vector<int32_t> behind_;  // Delivered in the last poll, not at their end.
  // The consumer's queue (all partitions' prefetched records) and when to
  // wake its fetchers (see FetchWakeRule).
  std::unique_ptr<rd_kafka_queue_t, decltype(&rd_kafka_queue_destroy)> queue_{
      nullptr, &rd_kafka_queue_destroy};
  std::optional<FetchWakeRule> wake_rule_;
};

}  // namespace k2c
