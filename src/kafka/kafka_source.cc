// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "kafka/kafka_source.h"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <memory>
#include <thread>

#include "common/log_text.h"
#include "kafka/client_config.h"
#include "kafka/kafka_errors.h"
#include "kafka/offset_lists.h"

namespace k2c {
namespace {

constexpr int kMaxRecordsPerPoll = 10'000;
// How long a poll may wait for the reply to a fetcher wake-up (see
// FetchWakeRule); the wake-up itself has happened before that.
constexpr std::chrono::milliseconds kWakeTimeout{200};

struct MessageDeleter {
  void operator()(rd_kafka_message_t* msg) const { rd_kafka_message_destroy(msg); }
};
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;

// Frees TopicPartition objects owned by a vector on scope exit.
struct PartitionListGuard {
  std::vector<RdKafka::TopicPartition*>* list;
  ~PartitionListGuard() { RdKafka::TopicPartition::destroy(*list); }
};

std::vector<int32_t> PartitionIds(const std::vector<RdKafka::TopicPartition*>& partitions) {
  std::vector<int32_t> ids;
  for (const auto* tp : partitions) ids.push_back(tp->partition());
  return ids;
}

}  // namespace

const std::vector<std::string>& ReservedKafkaProperties() {
  static const std::vector<std::string> kReserved = {"bootstrap.servers",
                                                     "group.id",
                                                     "enable.auto.commit",
                                                     "enable.auto.offset.store",
                                                     "enable.partition.eof",
                                                     "auto.offset.reset",
                                                     "partition.assignment.strategy"};
  return kReserved;
}

class KafkaSource::Rebalancer final : public RdKafka::RebalanceCb {
 public:
  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    owner->HandleRebalance(consumer, err, partitions);
  }
  KafkaSource* owner = nullptr;
};

KafkaSource::KafkaSource(KafkaSourceOptions options, std::unique_ptr<Rebalancer> rebalancer)
    : options_(std::move(options)), rebalancer_(std::move(rebalancer)) {
  rebalancer_->owner = this;
}

KafkaSource::~KafkaSource() { Close(nullptr); }

Result<std::unique_ptr<KafkaSource>> KafkaSource::Create(const KafkaSourceOptions& options) {
  auto made = NewClientConf(ClientKind::kConsumer, options.bootstrap_servers, options.properties,
                            "kafka2cos");
  if (!made.ok()) return made.status();
  std::unique_ptr<RdKafka::Conf> conf = std::move(made.value());
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "group.id", options.group_id));
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "enable.auto.commit", "false"));
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "enable.auto.offset.store", "false"));
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "enable.partition.eof", "true"));
  // "latest" is implemented by pinning start offsets (PinStartOffsets);
  // wherever librdkafka must choose by itself (a pin failed, offsets expired
  // by retention), the beginning of the log loses nothing.
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "auto.offset.reset", "earliest"));
  K2C_RETURN_IF_ERROR(
      SetProperty(conf.get(), "partition.assignment.strategy", "cooperative-sticky"));

  auto rebalancer = std::make_unique<Rebalancer>();
  std::string err;
  if (conf->set("rebalance_cb", rebalancer.get(), err) != RdKafka::Conf::CONF_OK) {
    return Status::Internal("set rebalance_cb: " + err);
  }
  // The constructor is private (only Create may build one), so make_unique
  // cannot reach it.
  std::unique_ptr<KafkaSource> source(new KafkaSource(options, std::move(rebalancer)));
  source->consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!source->consumer_) return Status::InvalidArgument("cannot create Kafka consumer: " + err);
  source->queue_.reset(rd_kafka_queue_get_consumer(source->consumer_->c_ptr()));
  std::string max_records, max_kbytes;
  if (conf->get("queued.min.messages", max_records) != RdKafka::Conf::CONF_OK ||
      conf->get("queued.max.messages.kbytes", max_kbytes) != RdKafka::Conf::CONF_OK) {
    return Status::Internal("read back the consumer's queue limits");
  }
  source->wake_rule_.emplace(std::stoull(max_records), std::stoull(max_kbytes) << 10);

  // Check the topic exists before joining the group, so a typo fails fast
  // with a message instead of an idle worker.
  std::unique_ptr<RdKafka::Topic> topic(
      RdKafka::Topic::create(source->consumer_.get(), options.topic, nullptr, err));
  if (!topic) return Status::Internal("topic handle: " + err);
  RdKafka::Metadata* raw = nullptr;
  const RdKafka::ErrorCode mderr = source->consumer_->metadata(
      false, topic.get(), &raw, static_cast<int>(options.request_timeout.count()));
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  if (mderr != RdKafka::ERR_NO_ERROR) {
    return Status::Unavailable("cannot read metadata of topic '" + options.topic + "' from " +
                               options.bootstrap_servers + ": " + RdKafka::err2str(mderr));
  }
  for (const auto* tm : *metadata->topics()) {
    if (tm->topic() != options.topic) continue;
    if (tm->err() == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART || tm->partitions()->empty()) {
      return Status::NotFound("topic '" + options.topic + "' does not exist on the cluster at " +
                              options.bootstrap_servers + ": create it or fix the task's topic");
    }
    if (tm->err() != RdKafka::ERR_NO_ERROR) {
      return Status::FailedPrecondition("topic '" + options.topic +
                                        "': " + RdKafka::err2str(tm->err()));
    }
  }
  const RdKafka::ErrorCode suberr = source->consumer_->subscribe({options.topic});
  if (suberr != RdKafka::ERR_NO_ERROR) {
    return Status::Internal("subscribe to '" + options.topic + "': " + RdKafka::err2str(suberr));
  }
  return source;
}

Status KafkaSource::Poll(std::chrono::milliseconds timeout, RecordSourceListener* listener) {
  listener_ = listener;
  Status result;
  int timeout_ms = static_cast<int>(timeout.count());
  size_t records = 0;
  uint64_t bytes = 0;
  for (int n = 0; n < kMaxRecordsPerPoll; ++n) {
    // The C call, not KafkaConsumer::consume(), which wraps every record in
    // a heap-allocated Message (an allocation and a free per record in the W1
    // profile). The rebalance callback still runs inside this call.
    MessagePtr msg(rd_kafka_consumer_poll(consumer_->c_ptr(), timeout_ms));
    timeout_ms = 0;  // Only the first call waits; then drain what is ready.
    if (!msg) break;
    if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      listener->OnPartitionEof(msg->partition, msg->offset);
      continue;
    }
    if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      result = Status::Unavailable(std::string("consume: ") + rd_kafka_message_errstr(msg.get()));
      break;
    }
    RecordView record;
    record.partition = msg->partition;
    record.offset = msg->offset;
    rd_kafka_timestamp_type_t ts_type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
    const int64_t ts = rd_kafka_message_timestamp(msg.get(), &ts_type);
    record.timestamp_ms = ts_type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? -1 : ts;
    record.timestamp_type = ts_type == RD_KAFKA_TIMESTAMP_CREATE_TIME ? TimestampType::kCreate
                            : ts_type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME
                                ? TimestampType::kLogAppend
                                : TimestampType::kNone;
    if (msg->key != nullptr) {
      record.key = std::string_view(static_cast<const char*>(msg->key), msg->key_len);
    }
    if (msg->payload != nullptr) {
      record.value = std::string_view(static_cast<const char*>(msg->payload), msg->len);
    }
    record.headers = ReadHeaders(msg.get());
    NoteDelivered(record.partition, record.offset + 1);
    ++records;
    bytes += msg->len + msg->key_len;
    listener->OnRecord(record);
  }
  ReportReachedEnds(listener);
  if (wake_rule_->AfterPoll(rd_kafka_queue_length(queue_.get()), records, bytes, !behind_.empty(),
                            std::chrono::steady_clock::now())) {
    WakeFetchers(consumer_->c_ptr(), options_.topic, behind_, kWakeTimeout);
  }
  listener_ = nullptr;
  return result;
}

void KafkaSource::NoteDelivered(int32_t partition, int64_t next_offset) {
  if (!delivered_.empty() && delivered_.back().first == partition) {
    delivered_.back().second = next_offset;
  } else {
    delivered_.emplace_back(partition, next_offset);
  }
}

void KafkaSource::ForgetDelivered(int32_t partition) {
  // A seek inside the poll (a window that failed) moves the position: the
  // records delivered before it say nothing about the new one.
  std::erase_if(delivered_, [partition](const auto& d) { return d.first == partition; });
}

void KafkaSource::ReportReachedEnds(RecordSourceListener* listener) {
  // librdkafka reports the end of a partition only for a fetch that starts
  // at the end and comes back empty: with fetch.min.bytes above what is left,
  // the broker holds that fetch for fetch.wait.max.ms (500 ms), so every
  // caught-up window closed half a second late. The end offset that came
  // with the records delivered tells the same thing (everything up to it was
  // read) at once. It is cached from fetch responses; a newer response only
  // raises it, so this errs towards "not at the end", which waits for
  // librdkafka's own event as before.
  behind_.clear();
  std::stable_sort(delivered_.begin(), delivered_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < delivered_.size(); ++i) {
    if (i + 1 < delivered_.size() && delivered_[i + 1].first == delivered_[i].first) continue;
    const auto [partition, next_offset] = delivered_[i];
    int64_t low = -1, high = -1;
    if (rd_kafka_get_watermark_offsets(consumer_->c_ptr(), options_.topic.c_str(), partition, &low,
                                       &high) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        high < 0) {
      continue;
    }
    if (next_offset >= high) {
      listener->OnPartitionEof(partition, next_offset);
    } else {
      behind_.push_back(partition);
    }
  }
  delivered_.clear();
}

std::span<const HeaderView> KafkaSource::ReadHeaders(rd_kafka_message_t* msg) {
  headers_.clear();
  rd_kafka_headers_t* headers = nullptr;
  // Parsed lazily by librdkafka, and quickly answered for a record without.
  if (rd_kafka_message_headers(msg, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return {};
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  for (size_t i = 0;
       rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
       ++i) {
    HeaderView header{std::string_view(name), std::nullopt};
    if (value != nullptr) header.value = std::string_view(static_cast<const char*>(value), size);
    headers_.push_back(header);
  }
  return headers_;
}

void KafkaSource::HandleRebalance(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                                  std::vector<RdKafka::TopicPartition*>& partitions) {
  // Records delivered before a rebalance may be of an assignment that is
  // gone: their end offsets must not mark a partition caught up after it.
  delivered_.clear();
  const bool cooperative = consumer->rebalance_protocol() == "COOPERATIVE";
  if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
    PinStartOffsets(partitions);
    // librdkafka hands over ownership of the returned error object.
    std::unique_ptr<RdKafka::Error> error;
    if (cooperative) {
      error.reset(consumer->incremental_assign(partitions));
    } else {
      consumer->assign(partitions);
    }
    if (error) {
      spdlog::error("event=assign_failed topic={} error=\"{}\"", options_.topic,
                    LogEscape(error->str()));
      return;
    }
    if (listener_ != nullptr) listener_->OnAssigned(PartitionIds(partitions));
    return;
  }
  // Revocation (or an error): finish or abort in-flight work, and commit what
  // is durable, *before* giving the partitions away.
  const bool lost = err != RdKafka::ERR__REVOKE_PARTITIONS || consumer->assignment_lost();
  if (listener_ != nullptr) listener_->OnRevoked(PartitionIds(partitions), lost);
  for (const auto* tp : partitions) committed_.erase(tp->partition());
  if (cooperative) {
    std::unique_ptr<RdKafka::Error> error(consumer->incremental_unassign(partitions));
    if (error) {
      spdlog::error("event=unassign_failed topic={} error=\"{}\"", options_.topic,
                    LogEscape(error->str()));
    }
  } else {
    consumer->unassign();
  }
}

bool KafkaSource::GroupHasCommits() {
  // Any committed offset for any partition of the topic means the task ran
  // before; a partition without one is then new (added to the topic later).
  std::unique_ptr<RdKafka::Topic> topic;
  std::string err;
  topic.reset(RdKafka::Topic::create(consumer_.get(), options_.topic, nullptr, err));
  RdKafka::Metadata* raw = nullptr;
  if (!topic || consumer_->metadata(false, topic.get(), &raw,
                                    static_cast<int>(options_.request_timeout.count())) !=
                    RdKafka::ERR_NO_ERROR) {
    return true;  // Unknown: assume history, so nothing is skipped.
  }
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  std::vector<int32_t> all;
  for (const auto* tm : *metadata->topics()) {
    if (tm->topic() != options_.topic) continue;
    for (const auto* pm : *tm->partitions()) all.push_back(pm->id());
  }
  std::vector<PartitionOffset> committed;
  if (CommittedOffsets(consumer_->c_ptr(), options_.topic, all, options_.request_timeout,
                       &committed) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return true;
  }
  return std::any_of(committed.begin(), committed.end(),
                     [](const PartitionOffset& c) { return c.offset >= 0; });
}

// P6 in docs/design.md: a partition without a committed offset gets its
// start resolved and committed when first assigned.
void KafkaSource::PinStartOffsets(std::vector<RdKafka::TopicPartition*>& partitions) {
  const int timeout_ms = static_cast<int>(options_.request_timeout.count());
  std::vector<int32_t> ids;
  for (const auto* tp : partitions) ids.push_back(tp->partition());
  std::vector<PartitionOffset> committed;
  const rd_kafka_resp_err_t err = CommittedOffsets(consumer_->c_ptr(), options_.topic, ids,
                                                   options_.request_timeout, &committed);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // Without the committed offsets new partitions cannot be told apart;
    // librdkafka then uses the group's offsets, or the beginning of the log
    // (auto.offset.reset is "earliest"): possibly more, never less.
    spdlog::warn("event=committed_lookup_failed topic={} error=\"{}\"", options_.topic,
                 rd_kafka_err2str(err));
    return;
  }
  std::vector<int32_t> unpinned;
  for (const PartitionOffset& c : committed) {
    if (c.offset >= 0) {
      committed_[c.partition] = c.offset;
    } else {
      unpinned.push_back(c.partition);
    }
  }
  if (unpinned.empty()) return;
  // "latest" skips the backlog that existed before the task. A partition
  // added to the topic after the task started has no such backlog: all of
  // its records came after, so it starts at its beginning.
  const bool latest = options_.start == StartPosition::kLatest && !GroupHasCommits();
  // One request per broker for all of them; a partition that fails there
  // (just created, its leader not known yet) is asked again on its own.
  std::vector<PartitionOffset> starts;
  const rd_kafka_resp_err_t starts_err = LogOffsets(
      consumer_->c_ptr(), options_.topic, unpinned,
      latest ? RD_KAFKA_OFFSET_END : RD_KAFKA_OFFSET_BEGINNING, options_.request_timeout, &starts);
  std::vector<OffsetCommit> to_commit;
  for (size_t i = 0; i < unpinned.size(); ++i) {
    const int32_t partition = unpinned[i];
    int64_t start = starts_err == RD_KAFKA_RESP_ERR_NO_ERROR ? starts[i].offset : -1;
    if (start < 0) {
      auto marks = QueryWatermarks(consumer_.get(), options_.topic, partition,
                                   std::chrono::milliseconds(timeout_ms) + std::chrono::seconds(5));
      if (!marks.ok()) {
        // Left unpinned, the partition starts at the beginning of its log
        // (auto.offset.reset = earliest): it may archive backlog, it never
        // skips a record.
        spdlog::warn(
            "event=watermark_lookup_failed topic={} partition={} error=\"{}\" "
            "fallback=earliest",
            options_.topic, partition, LogEscape(marks.status()));
        continue;
      }
      start = latest ? marks->high : marks->low;
    }
    to_commit.push_back(OffsetCommit{partition, start, std::string()});
    spdlog::info("event=start_offset_pinned topic={} partition={} offset={} start={}",
                 options_.topic, partition, start, latest ? "latest" : "earliest");
  }
  const Status committed_now = Commit(to_commit);
  if (!committed_now.ok()) {
    // Not pinned: the partition starts at the beginning (see above).
    spdlog::warn("event=start_offset_commit_failed topic={} error=\"{}\" fallback=earliest",
                 options_.topic, LogEscape(committed_now));
    return;
  }
  // Assign at the pinned offsets so that this run and any later one agree.
  std::map<int32_t, int64_t> pinned;
  for (const OffsetCommit& c : to_commit) pinned[c.partition] = c.next_offset;
  for (auto* tp : partitions) {
    if (auto it = pinned.find(tp->partition()); it != pinned.end()) tp->set_offset(it->second);
  }
}

Status KafkaSource::Commit(const std::vector<OffsetCommit>& commits) {
  if (commits.empty()) return Status::Ok();
  // The C list: the C++ TopicPartition of librdkafka 2.0 cannot carry the
  // metadata that records how far each partition's windows are complete.
  std::unique_ptr<rd_kafka_topic_partition_list_t, void (*)(rd_kafka_topic_partition_list_t*)> list(
      rd_kafka_topic_partition_list_new(static_cast<int>(commits.size())),
      &rd_kafka_topic_partition_list_destroy);
  for (const OffsetCommit& commit : commits) {
    rd_kafka_topic_partition_t* tp =
        rd_kafka_topic_partition_list_add(list.get(), options_.topic.c_str(), commit.partition);
    tp->offset = commit.next_offset;
    if (!commit.metadata.empty()) {
      // Freed with the list.
      tp->metadata = std::malloc(commit.metadata.size());
      if (tp->metadata == nullptr) return Status::ResourceExhausted("commit metadata");
      std::memcpy(tp->metadata, commit.metadata.data(), commit.metadata.size());
      tp->metadata_size = commit.metadata.size();
    }
  }
  auto describe = [&](const OffsetCommit& c) {
    return "commit offset " + std::to_string(c.next_offset) + " of " + options_.topic + "/" +
           std::to_string(c.partition);
  };
  const rd_kafka_resp_err_t err = rd_kafka_commit(consumer_->c_ptr(), list.get(), 0);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Unavailable(describe(commits.front()) +
                               (commits.size() > 1
                                    ? " and " + std::to_string(commits.size() - 1) + " more"
                                    : std::string()) +
                               ": " + rd_kafka_err2str(err));
  }
  for (int i = 0; i < list->cnt; ++i) {
    if (list->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status::Unavailable(describe(commits[i]) + ": " +
                                 rd_kafka_err2str(list->elems[i].err));
    }
  }
  for (const OffsetCommit& commit : commits) committed_[commit.partition] = commit.next_offset;
  return Status::Ok();
}

std::map<int32_t, int64_t> KafkaSource::CachedLags() const {
  std::map<int32_t, int64_t> lags;
  for (const auto& [partition, committed] : committed_) {
    int64_t low = -1, high = -1;
    // Cached from fetch responses: no request to the broker.
    if (consumer_->get_watermark_offsets(options_.topic, partition, &low, &high) !=
            RdKafka::ERR_NO_ERROR ||
        high < 0) {
      continue;
    }
    lags[partition] = std::max<int64_t>(0, high - committed);
  }
  return lags;
}

Status KafkaSource::PauseOrResume(int32_t partition, bool pause) {
  std::vector<RdKafka::TopicPartition*> list = {
      RdKafka::TopicPartition::create(options_.topic, partition)};
  PartitionListGuard guard{&list};
  const RdKafka::ErrorCode err = pause ? consumer_->pause(list) : consumer_->resume(list);
  if (err != RdKafka::ERR_NO_ERROR) {
    return Status::Internal(std::string(pause ? "pause " : "resume ") + options_.topic + "/" +
                            std::to_string(partition) + ": " + RdKafka::err2str(err));
  }
  return Status::Ok();
}

Status KafkaSource::SeekToCommitted(int32_t partition) {
  ForgetDelivered(partition);
  const int timeout_ms = static_cast<int>(options_.request_timeout.count());
  std::vector<RdKafka::TopicPartition*> list = {
      RdKafka::TopicPartition::create(options_.topic, partition)};
  PartitionListGuard guard{&list};
  RdKafka::ErrorCode err = consumer_->committed(list, timeout_ms);
  if (err == RdKafka::ERR_NO_ERROR) err = list[0]->err();
  if (err != RdKafka::ERR_NO_ERROR) {
    return Status::Unavailable("read committed offset of " + options_.topic + "/" +
                               std::to_string(partition) + ": " + RdKafka::err2str(err));
  }
  if (list[0]->offset() < 0) return Status::Ok();  // Nothing committed: start rules apply.
  return Seek(partition, list[0]->offset());
}

bool KafkaSource::AssignmentLost() const {
  // librdkafka sets this (atomically) when the session times out or the
  // group fences the member, before the rebalance reaches Poll().
  return consumer_->assignment_lost();
}

Status KafkaSource::Seek(int32_t partition, int64_t offset) {
  ForgetDelivered(partition);
  const int timeout_ms = static_cast<int>(options_.request_timeout.count());
  std::unique_ptr<RdKafka::TopicPartition> target(
      RdKafka::TopicPartition::create(options_.topic, partition, offset));
  const RdKafka::ErrorCode err = consumer_->seek(*target, timeout_ms);
  if (err != RdKafka::ERR_NO_ERROR) {
    return Status::Unavailable("seek " + options_.topic + "/" + std::to_string(partition) + " to " +
                               std::to_string(offset) + ": " + RdKafka::err2str(err));
  }
  return Status::Ok();
}

Status KafkaSource::Pause(int32_t partition) { return PauseOrResume(partition, true); }
Status KafkaSource::Resume(int32_t partition) { return PauseOrResume(partition, false); }

Result<std::string> FetchClusterId(const KafkaSourceOptions& options) {
  auto conf = NewClientConf(ClientKind::kConnectionOnly, options.bootstrap_servers,
                            options.properties, "kafka2cos");
  if (!conf.ok()) return conf.status();
  std::string err;
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf->get(), err));
  if (!producer) return Status::InvalidArgument("cannot create Kafka client: " + err);
  const std::string id = producer->clusterid(static_cast<int>(options.request_timeout.count()));
  if (id.empty()) {
    return Status::Unavailable("could not read the cluster id from " + options.bootstrap_servers +
                               " (is the broker reachable?)");
  }
  return id;
}

void KafkaSource::Close(RecordSourceListener* listener) {
  if (closed_ || !consumer_) return;
  closed_ = true;
  listener_ = listener;
  consumer_->close();
  listener_ = nullptr;
}

}  // namespace k2c
