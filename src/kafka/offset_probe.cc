// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "kafka/offset_probe.h"

#include "kafka/client_config.h"

namespace k2c {

OffsetProbe::OffsetProbe(KafkaAdminOptions options, std::string topic,
                         std::unique_ptr<RdKafka::KafkaConsumer> consumer)
    : options_(std::move(options)), topic_(std::move(topic)), consumer_(std::move(consumer)) {}

OffsetProbe::~OffsetProbe() {
  if (consumer_) consumer_->close();
}

Result<std::unique_ptr<OffsetProbe>> OffsetProbe::Create(const KafkaAdminOptions& options,
                                                         const std::string& topic) {
  auto made = NewClientConf(ClientKind::kConsumer, options.bootstrap_servers, options.properties,
                            "kafka2cos-verify");
  if (!made.ok()) return made.status();
  std::unique_ptr<RdKafka::Conf> conf = std::move(made.value());
  // A group id is required by the consumer API; nothing is ever committed
  // or subscribed, so the group never forms.
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "group.id", "kafka2cos-verify"));
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "enable.auto.commit", "false"));
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "enable.partition.eof", "true"));
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "isolation.level", "read_committed"));
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "auto.offset.reset", "error"));
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!consumer) return Status::InvalidArgument("cannot create Kafka consumer: " + err);
  return std::unique_ptr<OffsetProbe>(new OffsetProbe(options, topic, std::move(consumer)));
}

Result<OffsetRangeContent> OffsetProbe::Probe(int32_t partition, int64_t from, int64_t before) {
  OffsetRangeContent content;
  if (from >= before) return content;
  const auto deadline = std::chrono::steady_clock::now() + options_.timeout;
  auto remaining_ms = [&deadline] {
    return static_cast<int>(std::max<int64_t>(
        0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                 std::chrono::steady_clock::now())
               .count()));
  };
  int64_t low = -1, high = -1;
  RdKafka::ErrorCode kerr =
      consumer_->query_watermark_offsets(topic_, partition, &low, &high, remaining_ms());
  if (kerr != RdKafka::ERR_NO_ERROR) {
    return Status::Unavailable("offsets of " + topic_ + "/" + std::to_string(partition) + ": " +
                               RdKafka::err2str(kerr));
  }
  if (from < low) {
    content.expired = true;
    return content;
  }
  if (from >= high) return content;  // Past the end: nothing there (yet).
  std::vector<RdKafka::TopicPartition*> assignment = {
      RdKafka::TopicPartition::create(topic_, partition, from)};
  kerr = consumer_->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  if (kerr != RdKafka::ERR_NO_ERROR) {
    return Status::Unavailable("assign " + topic_ + "/" + std::to_string(partition) + ": " +
                               RdKafka::err2str(kerr));
  }
  Status result = Status::DeadlineExceeded("no answer from Kafka for " + topic_ + "/" +
                                           std::to_string(partition) + " offsets " +
                                           std::to_string(from) + ".." + std::to_string(before));
  while (remaining_ms() > 0) {
    std::unique_ptr<RdKafka::Message> msg(consumer_->consume(std::min(remaining_ms(), 500)));
    if (!msg || msg->err() == RdKafka::ERR__TIMED_OUT) continue;
    if (msg->partition() != partition) continue;
    if (msg->err() == RdKafka::ERR__PARTITION_EOF) {
      result = Status::Ok();
      break;
    }
    if (msg->err() != RdKafka::ERR_NO_ERROR) {
      result = Status::Unavailable("read " + topic_ + "/" + std::to_string(partition) + ": " +
                                   msg->errstr());
      break;
    }
    if (msg->offset() < from) continue;
    if (msg->offset() < before) content.first_record = msg->offset();
    result = Status::Ok();
    break;
  }
  consumer_->unassign();
  if (!result.ok()) return result;
  return content;
}

}  // namespace k2c
