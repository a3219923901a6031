// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/task_store.h"

#include <librdkafka/rdkafkacpp.h>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <iterator>
#include <thread>
#include <utility>

#include "common/log_text.h"
#include "kafka/client_config.h"
#include "kafka/kafka_errors.h"

namespace k2c {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kReaderPollTimeout{200};
// While the reader is unhealthy it asks the cluster this often whether it
// answers again: librdkafka reports losing a broker but not regaining it, and
// an idle topic yields no message or EOF that would clear the error.
constexpr milliseconds kHealthProbeInterval{2'000};
constexpr milliseconds kHealthProbeTimeout{1'000};
constexpr milliseconds kMaxCloseFlush{5'000};

milliseconds Remaining(Clock::time_point deadline) {
  return std::max(milliseconds(0),
                  std::chrono::duration_cast<milliseconds>(deadline - Clock::now()));
}

int TimeoutMs(milliseconds timeout) {
  return static_cast<int>(std::min<int64_t>(timeout.count(), INT32_MAX));
}

bool SameDefinition(const TaskDefinition& a, const TaskDefinition& b) {
  return SameSettings(a.config, b.config) && a.state == b.state && a.origin == b.origin &&
         a.created_ms == b.created_ms && a.updated_ms == b.updated_ms;
}

// Errors worth retrying before giving up on Open: a topic that was just
// created may not have a leader yet.
// An admin call that timed out inside Open means the cluster did not answer,
// which Open's contract reports as Unavailable.
Status AsUnavailable(const Status& status) {
  if (status.code() == StatusCode::kDeadlineExceeded) {
    return Status::Unavailable(status.message());
  }
  return status;
}

// Creates `topic` unless it exists. A cluster that refuses to create topics
// (no Create permission, or a broker without the admin API such as
// librdkafka's mock) is fine when an operator created the topic beforehand.
Status EnsureTopic(const TaskStoreOptions& options, const std::string& topic,
                   Clock::time_point deadline) {
  KafkaAdminOptions admin = options.kafka;
  admin.timeout = std::min(options.kafka.timeout, Remaining(deadline));
  const Status ensured = EnsureCompactedTopic(admin, topic, options.replication_factor);
  if (ensured.ok() || ensured.code() == StatusCode::kInvalidArgument) return ensured;
  admin.timeout = std::max(milliseconds(1), std::min(options.kafka.timeout, Remaining(deadline)));
  if (DescribeTopic(admin, topic).ok()) {
    spdlog::warn(
        "event=task_store_topic_unchecked topic={} error=\"{}\" "
        "hint=\"the topic exists but could not be created or checked; make sure it has "
        "cleanup.policy=compact\"",
        topic, LogEscape(ensured));
    return Status::Ok();
  }
  return AsUnavailable(ensured);
}

}  // namespace

struct TaskStore::Impl {
  // Routes delivery reports to the Put/PublishStatus call waiting for them.
  // The opaque is an id, not a pointer, so a report arriving after its caller
  // gave up finds nothing instead of a dangling waiter.
  class DeliveryReports final : public RdKafka::DeliveryReportCb {
   public:
    explicit DeliveryReports(Impl* impl) : impl_(impl) {}
    void dr_cb(RdKafka::Message& message) override { impl_->OnDelivery(message); }

   private:
    Impl* impl_;
  };

  struct Delivery {
    bool done = false;
    RdKafka::ErrorCode err = RdKafka::ERR_NO_ERROR;
    std::string errstr;
    int64_t offset = -1;
  };

  explicit Impl(TaskStoreOptions o) : options(std::move(o)), delivery_reports(this) {}

  ~Impl() {
    stop.store(true);
    if (reader.joinable()) reader.join();
    if (consumer) consumer->close();
    if (producer) {
      const milliseconds bound = std::min(options.kafka.timeout, kMaxCloseFlush);
      if (producer->flush(TimeoutMs(bound)) != RdKafka::ERR_NO_ERROR) {
        spdlog::warn("event=task_store_flush_timeout outstanding={}", producer->outq_len());
      }
    }
    // Before the members they call back into (the delivery map, the mutex).
    consumer.reset();
    tasks_handle.reset();
    status_handle.reset();
    producer.reset();
  }

  Status CreateClients() {
    std::string err;
    // The pass-through properties are the consumers'; a producer would warn
    // about most of them and needs only what reaching the cluster takes.
    auto made = NewClientConf(ClientKind::kConnectionOnly, options.kafka.bootstrap_servers,
                              options.kafka.properties, "kafka2cos-task-store");
    if (!made.ok()) return made.status();
    std::unique_ptr<RdKafka::Conf> pconf = std::move(made.value());
    K2C_RETURN_IF_ERROR(SetProperty(pconf.get(), "acks", "all"));
    K2C_RETURN_IF_ERROR(SetProperty(pconf.get(), "enable.idempotence", "true"));
    K2C_RETURN_IF_ERROR(SetProperty(pconf.get(), "linger.ms", "0"));
    // A record not delivered when its writer gave up should not surface
    // much later as a surprise change.
    K2C_RETURN_IF_ERROR(SetProperty(pconf.get(), "message.timeout.ms",
                                    std::to_string(options.kafka.timeout.count())));
    if (pconf->set("dr_cb", &delivery_reports, err) != RdKafka::Conf::CONF_OK) {
      return Status::Internal("set dr_cb: " + err);
    }
    producer.reset(RdKafka::Producer::create(pconf.get(), err));
    if (!producer) return Status::InvalidArgument("cannot create Kafka producer: " + err);

    made = NewClientConf(ClientKind::kConsumer, options.kafka.bootstrap_servers,
                         options.kafka.properties, "kafka2cos-task-store");
    if (!made.ok()) return made.status();
    std::unique_ptr<RdKafka::Conf> cconf = std::move(made.value());
    // KafkaConsumer insists on a group id; the reader never joins or commits
    // (it assigns), so every worker reads everything from the beginning.
    K2C_RETURN_IF_ERROR(SetProperty(cconf.get(), "group.id", "kafka2cos-store-reader"));
    K2C_RETURN_IF_ERROR(SetProperty(cconf.get(), "enable.auto.commit", "false"));
    K2C_RETURN_IF_ERROR(SetProperty(cconf.get(), "enable.auto.offset.store", "false"));
    K2C_RETURN_IF_ERROR(SetProperty(cconf.get(), "enable.partition.eof", "true"));
    K2C_RETURN_IF_ERROR(SetProperty(cconf.get(), "auto.offset.reset", "earliest"));
    consumer.reset(RdKafka::KafkaConsumer::create(cconf.get(), err));
    if (!consumer) return Status::InvalidArgument("cannot create Kafka consumer: " + err);
    return Status::Ok();
  }

  // Topic handles held for the store's life, their metadata fetched now: a
  // producer that first meets a topic in Put looks it up on its next metadata
  // refresh, up to a second later.
  Status PrepareProducerTopics(Clock::time_point deadline) {
    for (auto [name, handle] : {std::pair{&options.tasks_topic, &tasks_handle},
                                std::pair{&options.status_topic, &status_handle}}) {
      std::string err;
      handle->reset(RdKafka::Topic::create(producer.get(), *name, nullptr, err));
      if (!*handle) return Status::Internal("topic handle '" + *name + "': " + err);
      RdKafka::Metadata* raw = nullptr;
      const RdKafka::ErrorCode mderr = producer->metadata(
          false, handle->get(), &raw, TimeoutMs(std::max(milliseconds(1), Remaining(deadline))));
      std::unique_ptr<RdKafka::Metadata> metadata(raw);
      if (mderr != RdKafka::ERR_NO_ERROR) {
        return Status::Unavailable("cannot read metadata of topic '" + *name + "' from " +
                                   options.kafka.bootstrap_servers + ": " +
                                   RdKafka::err2str(mderr));
      }
    }
    return Status::Ok();
  }

  // The start and end offsets of partition 0 of `topic`, retried while a
  // new topic settles.
  Result<Watermarks> LogBounds(const std::string& topic, Clock::time_point deadline) {
    auto marks = QueryWatermarks(consumer.get(), topic, 0, Remaining(deadline));
    if (marks.ok()) return marks;
    return Status::Unavailable("cannot read the offsets of topic '" + topic + "' from " +
                               options.kafka.bootstrap_servers + ": " + marks.status().message());
  }

  // Reads both topics from the given log start offsets. Concrete offsets,
  // not OFFSET_BEGINNING: librdkafka resolves a logical offset with a query
  // that, for a partition assigned before its leader is known, it retries
  // only after a 500 ms timer, so every worker start and every first task
  // write waited half a second. A start offset that moves meanwhile (records
  // deleted) is answered out of range and auto.offset.reset=earliest
  // applies.
  Status Assign(int64_t tasks_start, int64_t status_start) {
    std::vector<RdKafka::TopicPartition*> partitions = {
        RdKafka::TopicPartition::create(options.tasks_topic, 0, tasks_start),
        RdKafka::TopicPartition::create(options.status_topic, 0, status_start)};
    const RdKafka::ErrorCode err = consumer->assign(partitions);
    RdKafka::TopicPartition::destroy(partitions);
    if (err != RdKafka::ERR_NO_ERROR) {
      return Status::Internal("assign the task store topics: " + RdKafka::err2str(err));
    }
    return Status::Ok();
  }

  void StartReader() {
    reader = std::thread([this] {
      pthread_setname_np(pthread_self(), "task-store");
      ReadLoop();
    });
  }

  void ReadLoop() {
    Clock::time_point next_probe = Clock::now();
    while (!stop.load()) {
      std::unique_ptr<RdKafka::Message> msg(consumer->consume(TimeoutMs(kReaderPollTimeout)));
      switch (msg->err()) {
        case RdKafka::ERR_NO_ERROR:
          Apply(*msg);
          break;
        case RdKafka::ERR__PARTITION_EOF:
          OnEof(*msg);
          break;
        case RdKafka::ERR__TIMED_OUT:
          if (!Healthy() && Clock::now() >= next_probe) {
            next_probe = Clock::now() + kHealthProbeInterval;
            ProbeHealth();
          }
          break;
        default:
          OnError(*msg);
          break;
      }
    }
  }

  bool Healthy() {
    std::lock_guard<std::mutex> lock(mu);
    return health.ok();
  }

  void SetHealthy() {
    std::lock_guard<std::mutex> lock(mu);
    if (!health.ok()) spdlog::info("event=task_store_reader_recovered");
    health = Status::Ok();
  }

  void ProbeHealth() {
    int64_t low = 0;
    int64_t high = 0;
    if (consumer->query_watermark_offsets(options.tasks_topic, 0, &low, &high,
                                          TimeoutMs(kHealthProbeTimeout)) ==
        RdKafka::ERR_NO_ERROR) {
      SetHealthy();
    }
  }

  void OnError(const RdKafka::Message& msg) {
    std::lock_guard<std::mutex> lock(mu);
    if (health.ok()) {
      spdlog::warn("event=task_store_read_failed error=\"{}\"", msg.errstr());
    }
    health = Status::Unavailable("task store reader: " + msg.errstr());
  }

  // EOF carries the partition's end offset: proof that everything before it
  // has been applied, even when the last records were compacted away.
  void OnEof(const RdKafka::Message& msg) {
    {
      std::lock_guard<std::mutex> lock(mu);
      int64_t* next = NextOffset(msg.topic_name());
      if (next != nullptr) *next = std::max(*next, msg.offset());
      if (!health.ok()) spdlog::info("event=task_store_reader_recovered");
      health = Status::Ok();
    }
    cv.notify_all();
  }

  int64_t* NextOffset(const std::string& topic) {
    if (topic == options.tasks_topic) return &tasks_next;
    if (topic == options.status_topic) return &status_next;
    return nullptr;
  }

  void Apply(const RdKafka::Message& msg) {
    const std::string topic = msg.topic_name();
    const std::string key = msg.key() != nullptr ? *msg.key() : std::string();
    const bool tombstone = msg.payload() == nullptr;
    const std::string_view payload(static_cast<const char*>(msg.payload()), msg.len());
    {
      std::lock_guard<std::mutex> lock(mu);
      int64_t* next = NextOffset(topic);
      if (next == nullptr) return;
      *next = std::max(*next, msg.offset() + 1);
      if (!health.ok()) spdlog::info("event=task_store_reader_recovered");
      health = Status::Ok();
      if (key.empty()) {
        Skip(topic, msg.offset(), key, "record has no key");
      } else if (topic == options.tasks_topic) {
        ApplyTask(msg.offset(), key, tombstone, payload);
      } else {
        ApplyStatus(msg.offset(), key, tombstone, payload);
      }
    }
    cv.notify_all();
  }

  // Someone else's bad record must not stop this worker from reading the
  // rest; the operator finds it by topic and offset.
  void Skip(const std::string& topic, int64_t offset, const std::string& key,
            const std::string& why) {
    spdlog::warn("event=task_store_record_skipped topic={} offset={} key=\"{}\" error=\"{}\"",
                 topic, offset, LogEscape(key), LogEscape(why));
  }

  void ApplyTask(int64_t offset, const std::string& key, bool tombstone, std::string_view payload) {
    if (tombstone) {
      if (tasks.erase(key) > 0) ++version;
      return;
    }
    auto decoded = DecodeTaskDefinition(payload);
    if (!decoded.ok()) return Skip(options.tasks_topic, offset, key, decoded.status().ToString());
    if (decoded->config.topic != key) {
      return Skip(options.tasks_topic, offset, key,
                  "key does not match the definition's topic '" + decoded->config.topic + "'");
    }
    auto it = tasks.find(key);
    if (it != tasks.end() && SameDefinition(it->second, *decoded)) return;
    tasks[key] = std::move(decoded).value();
    ++version;
  }

  void ApplyStatus(int64_t offset, const std::string& key, bool tombstone,
                   std::string_view payload) {
    if (tombstone) {
      statuses.erase(key);
      return;
    }
    auto decoded = DecodeWorkerTaskStatus(payload);
    if (!decoded.ok()) {
      return Skip(options.status_topic, offset, key, decoded.status().ToString());
    }
    if (StatusKey(decoded->topic, decoded->worker_id) != key) {
      return Skip(options.status_topic, offset, key,
                  "key does not match the status's topic and worker_id");
    }
    statuses[key] = std::move(decoded).value();
  }

  void OnDelivery(const RdKafka::Message& message) {
    {
      std::lock_guard<std::mutex> lock(mu);
      auto it = deliveries.find(reinterpret_cast<uintptr_t>(message.msg_opaque()));
      if (it == deliveries.end()) return;
      it->second.done = true;
      it->second.err = message.err();
      it->second.errstr = message.errstr();
      it->second.offset = message.offset();
    }
    cv.notify_all();
  }

  // Produces one record to partition 0 of `handle`'s topic (a tombstone when
  // `value` is null) and waits for the broker's acknowledgement; returns its
  // offset.
  Result<int64_t> Write(RdKafka::Topic* handle, const std::string& key, const std::string* value,
                        Clock::time_point deadline) {
    const std::string topic = handle->name();
    uint64_t id = 0;
    {
      std::lock_guard<std::mutex> lock(mu);
      id = ++next_delivery_id;
      deliveries[id] = Delivery{};
    }
    // The entry goes whatever happens, so a late report finds no waiter.
    struct Forget {
      Impl* impl;
      uint64_t id;
      ~Forget() {
        std::lock_guard<std::mutex> lock(impl->mu);
        impl->deliveries.erase(id);
      }
    } forget{this, id};

    void* payload = value != nullptr ? const_cast<char*>(value->data()) : nullptr;
    const size_t len = value != nullptr ? value->size() : 0;
    RdKafka::ErrorCode err = RdKafka::ERR_NO_ERROR;
    while (true) {
      err = producer->produce(handle, 0, RdKafka::Producer::RK_MSG_COPY, payload, len, key.data(),
                              key.size(), reinterpret_cast<void*>(static_cast<uintptr_t>(id)));
      if (err != RdKafka::ERR__QUEUE_FULL || Clock::now() >= deadline) break;
      producer->poll(10);
    }
    if (err != RdKafka::ERR_NO_ERROR) {
      return Status::Unavailable("produce to topic '" + topic + "': " + RdKafka::err2str(err));
    }
    Delivery delivery;
    while (true) {
      {
        std::lock_guard<std::mutex> lock(mu);
        delivery = deliveries[id];
      }
      if (delivery.done) break;
      const milliseconds left = Remaining(deadline);
      if (left.count() == 0) {
        return Status::DeadlineExceeded(
            "no acknowledgement from the broker for a record to topic '" + topic + "' within " +
            FormatDuration(options.kafka.timeout));
      }
      // Serves the reports of every waiting writer, whichever thread polls.
      producer->poll(TimeoutMs(std::min(left, milliseconds(50))));
    }
    if (delivery.err == RdKafka::ERR__MSG_TIMED_OUT) {
      return Status::DeadlineExceeded("record to topic '" + topic +
                                      "' not acknowledged: " + delivery.errstr);
    }
    if (delivery.err != RdKafka::ERR_NO_ERROR) {
      return Status::Unavailable("record to topic '" + topic + "' not written: " + delivery.errstr);
    }
    return delivery.offset;
  }

  // Read-your-writes: returns once the reader has applied `offset` of the
  // tasks topic.
  Status WriteTask(const std::string& key, const std::string* value) {
    const Clock::time_point deadline = Clock::now() + options.kafka.timeout;
    auto offset = Write(tasks_handle.get(), key, value, deadline);
    if (!offset.ok()) return offset.status();
    std::unique_lock<std::mutex> lock(mu);
    if (!cv.wait_until(lock, deadline, [&] { return tasks_next > *offset; })) {
      return Status::DeadlineExceeded("the task store's reader did not read back offset " +
                                      std::to_string(*offset) + " of topic '" +
                                      options.tasks_topic + "' within " +
                                      FormatDuration(options.kafka.timeout));
    }
    return Status::Ok();
  }

  Status WriteStatus(const std::string& key, const std::string* value) {
    auto offset = Write(status_handle.get(), key, value, Clock::now() + options.kafka.timeout);
    return offset.ok() ? Status::Ok() : offset.status();
  }

  const TaskStoreOptions options;
  DeliveryReports delivery_reports;
  std::unique_ptr<RdKafka::Producer> producer;
  std::unique_ptr<RdKafka::Topic> tasks_handle;  // Of the producer.
  std::unique_ptr<RdKafka::Topic> status_handle;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  std::thread reader;
  std::atomic<bool> stop{false};

  // Guards everything below.
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, TaskDefinition> tasks;
  std::map<std::string, WorkerTaskStatus> statuses;  // By StatusKey(), so by topic then worker.
  uint64_t version = 0;
  int64_t tasks_next = 0;  // The next offset the reader will read.
  int64_t status_next = 0;
  Status health;
  uint64_t next_delivery_id = 0;
  std::map<uint64_t, Delivery> deliveries;  // By the id passed as the record's opaque.
};

TaskStore::TaskStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TaskStore::~TaskStore() = default;

Result<std::unique_ptr<TaskStore>> TaskStore::Open(TaskStoreOptions options) {
  if (options.tasks_topic.empty() || options.status_topic.empty()) {
    return Status::InvalidArgument("the task store needs a tasks topic and a status topic");
  }
  if (options.tasks_topic == options.status_topic) {
    return Status::InvalidArgument("the tasks topic and the status topic must differ (both '" +
                                   options.tasks_topic + "')");
  }
  const Clock::time_point deadline = Clock::now() + options.open_timeout;
  // Every step shares the open timeout, so a dead cluster fails Open in time.
  // Side by side: each may wait out the call timeout (a broker creating a
  // topic slowly, or one without the admin API).
  Status status_topic_ready;
  {
    std::thread ensure_status(
        [&] { status_topic_ready = EnsureTopic(options, options.status_topic, deadline); });
    const Status tasks_topic_ready = EnsureTopic(options, options.tasks_topic, deadline);
    ensure_status.join();
    K2C_RETURN_IF_ERROR(tasks_topic_ready);
  }
  K2C_RETURN_IF_ERROR(status_topic_ready);

  auto impl = std::make_unique<Impl>(std::move(options));
  K2C_RETURN_IF_ERROR(impl->CreateClients());
  K2C_RETURN_IF_ERROR(impl->PrepareProducerTopics(deadline));
  auto tasks_log = impl->LogBounds(impl->options.tasks_topic, deadline);
  if (!tasks_log.ok()) return tasks_log.status();
  auto status_log = impl->LogBounds(impl->options.status_topic, deadline);
  if (!status_log.ok()) return status_log.status();
  const int64_t tasks_end = tasks_log->high;
  const int64_t status_end = status_log->high;
  K2C_RETURN_IF_ERROR(impl->Assign(tasks_log->low, status_log->low));
  impl->StartReader();

  {
    std::unique_lock<std::mutex> lock(impl->mu);
    const bool caught_up = impl->cv.wait_until(lock, deadline, [&] {
      return impl->tasks_next >= tasks_end && impl->status_next >= status_end;
    });
    if (!caught_up) {
      return Status::Unavailable(
          "the task store did not read topics '" + impl->options.tasks_topic + "' and '" +
          impl->options.status_topic + "' to their end within " +
          FormatDuration(impl->options.open_timeout) +
          (impl->health.ok() ? std::string() : ": " + impl->health.message()));
    }
    spdlog::info("event=task_store_opened tasks_topic={} status_topic={} tasks={} statuses={}",
                 impl->options.tasks_topic, impl->options.status_topic, impl->tasks.size(),
                 impl->statuses.size());
  }
  // The constructor is private (only Open may build one), so make_unique
  // cannot reach it.
  return std::unique_ptr<TaskStore>(new TaskStore(std::move(impl)));
}

std::map<std::string, TaskDefinition> TaskStore::Tasks() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->tasks;
}

std::optional<TaskDefinition> TaskStore::Get(const std::string& topic) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->tasks.find(topic);
  if (it == impl_->tasks.end()) return std::nullopt;
  return it->second;
}

Status TaskStore::Put(const TaskDefinition& definition) {
  if (definition.config.topic.empty()) {
    return Status::InvalidArgument("a task definition needs a topic");
  }
  const std::string value = EncodeTaskDefinition(definition);
  return impl_->WriteTask(definition.config.topic, &value);
}

Status TaskStore::Remove(const std::string& topic) {
  if (topic.empty()) return Status::InvalidArgument("Remove needs a topic");
  return impl_->WriteTask(topic, nullptr);
}

Status TaskStore::PublishStatus(const WorkerTaskStatus& status) {
  if (status.topic.empty() || status.worker_id.empty()) {
    return Status::InvalidArgument("a worker task status needs a topic and a worker_id");
  }
  const std::string value = EncodeWorkerTaskStatus(status);
  return impl_->WriteStatus(StatusKey(status.topic, status.worker_id), &value);
}

Status TaskStore::RemoveStatus(const std::string& topic, const std::string& worker_id) {
  if (topic.empty() || worker_id.empty()) {
    return Status::InvalidArgument("RemoveStatus needs a topic and a worker_id");
  }
  return impl_->WriteStatus(StatusKey(topic, worker_id), nullptr);
}

std::vector<WorkerTaskStatus> TaskStore::Statuses(const std::string& topic) const {
  std::vector<WorkerTaskStatus> result;
  const std::string prefix = topic + "/";
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (auto it = impl_->statuses.lower_bound(prefix);
       it != impl_->statuses.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    result.push_back(it->second);
  }
  return result;
}

uint64_t TaskStore::version() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->version;
}

uint64_t TaskStore::WaitForChange(uint64_t seen, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(impl_->mu);
  impl_->cv.wait_for(lock, timeout, [&] { return impl_->version != seen; });
  return impl_->version;
}

Status TaskStore::health() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->health;
}

}  // namespace k2c
