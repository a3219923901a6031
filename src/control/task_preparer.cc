// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/task_preparer.h"

#include <spdlog/spdlog.h>

#include "common/log_text.h"
#include "common/random_id.h"
#include "control/task_definition.h"
#include "kafka/topic_id.h"
#include "sink/object_uploader.h"

namespace k2c {

Result<PreparedTask> TaskPreparer::Prepare(const TaskConfig& tc) {
  // Definitions read back from the tasks topic pass the same rules as the
  // config file and the API: anyone who can write to that topic is not
  // trusted more than an API client.
  K2C_RETURN_IF_ERROR(ValidateTaskConfig(tc, env_.config->sink));
  K2C_RETURN_IF_ERROR(CheckAgainstStore(tc));
  PreparedTask task;
  task.config = tc;

  KafkaSourceOptions options;
  options.bootstrap_servers = env_.config->kafka.bootstrap_servers;
  options.properties = env_.config->kafka.properties;
  options.group_id = TaskGroupId(env_.instance, tc.topic);
  options.topic = tc.topic;
  options.start = tc.start == "earliest" ? StartPosition::kEarliest : StartPosition::kLatest;
  // librdkafka 2.0's consumer stops fetching while its prefetch queue is
  // full and only looks again on its next wake-up (up to 1 s later), so a
  // queue that holds much less than a second of records leaves the task
  // idle: 16 MiB ran W1 at 0.62x of 64 MiB (docs/benchmarks.md). A quarter
  // of the memory budget, at most 64 MiB, in bytes and in records (librdkafka
  // spends a few hundred bytes per queued record on top of its value).
  const uint64_t prefetch = PrefetchBytes(env_.config->sink.memory_budget);
  options.properties.emplace("queued.max.messages.kbytes", std::to_string(prefetch >> 10));
  options.properties.emplace("queued.min.messages", std::to_string(prefetch / 256));
  // One fetch response is held whole in memory: 8 MiB instead of 50 MiB.
  // Raise it (with receive.message.max.bytes) for records larger than that.
  options.properties.emplace("fetch.max.bytes", "8388608");
  // Let the broker gather up to 1 MiB (or wait fetch.wait.max.ms, 500 ms)
  // per fetch: with many partitions and a trickle of records, answering
  // every record at once cost a fifth of a core at rest (bench/run.py w3);
  // half a second of delay is nothing against windows of minutes.
  options.properties.emplace("fetch.min.bytes", "1048576");

  auto tmpl = KeyTemplate::Parse(tc.key_template.empty() ? kDefaultKeyTemplate : tc.key_template);
  if (!tmpl.ok()) return tmpl.status();
  TaskSpec spec;
  spec.topic = tc.topic;
  spec.instance = env_.instance;
  spec.bucket = Bucket{tc.bucket};
  spec.policy.window_ms = tc.window.count();
  spec.policy.grace_ms = env_.config->sink.flush_grace.count();
  spec.policy.max_future_skew_ms = env_.config->sink.max_future_skew.count();
  spec.policy.max_object_bytes = tc.max_object_bytes;
  spec.upload.part_size = env_.config->storage.part_size;
  spec.key_template = std::move(tmpl.value());
  Histogram* latency = &env_.metrics->GetHistogram(
      "kafka2cos_upload_duration_seconds",
      "Seconds from an object's upload start to it being durable, retries included",
      LatencyBucketsSeconds(), {{"topic", tc.topic}});
  spec.observe_upload_seconds = [latency](double seconds) { latency->Observe(seconds); };
  if (spec.key_template.uses_topic_id()) {
    auto protocol = env_.config->kafka.properties.find("security.protocol");
    if (protocol != env_.config->kafka.properties.end() && protocol->second != "plaintext" &&
        protocol->second != "PLAINTEXT") {
      return Status::FailedPrecondition(
          "key_template uses {topic_id}, which kafka2cos can only look up over PLAINTEXT; use "
          "{topic} instead");
    }
    auto id =
        FetchTopicId(env_.config->kafka.bootstrap_servers, tc.topic, std::chrono::seconds(10));
    if (!id.ok()) return id.status().WithContext("look up the topic id");
    spec.topic_id = *id;
  }

  // A PUT (not a HEAD, whose error answers carry no body) tells a missing
  // bucket, bad credentials and missing permissions apart.
  auto create_only = WriteProbe(spec.bucket, env_.instance + "/" + tc.topic + "/");
  if (!create_only.ok()) return create_only.status();
  spec.create_only = *create_only;
  spec.writer_id = env_.worker_id;

  auto source = KafkaSource::Create(options);
  if (!source.ok()) return source.status();
  task.source = std::move(source.value());
  auto format = MakeFormat(FormatSettingsOf(tc));
  if (!format.ok()) return format.status();
  task.format = std::move(format.value());
  spdlog::info(
      "event=task_ready topic={} group={} bucket={} window={} start={} format={} compression={} "
      "key_template=\"{}\"",
      tc.topic, options.group_id, tc.bucket, FormatDuration(tc.window), tc.start, tc.format,
      task.format->compression(), spec.key_template.text());
  task.runner =
      std::make_unique<TaskRunner>(std::move(spec), task.source.get(), task.format.get(),
                                   env_.store, env_.pool, env_.clock, env_.budget, env_.spool);
  return task;
}

Status TaskPreparer::CheckAgainstStore(const TaskConfig& tc) const {
  const uint64_t largest = env_.config->storage.part_size * kMaxParts;
  if (tc.max_object_bytes > largest) {
    return Status::InvalidArgument(
        "max_object_bytes " + FormatByteSize(tc.max_object_bytes) +
        " is more than an object of storage.part_size (" +
        FormatByteSize(env_.config->storage.part_size) + ") x " + std::to_string(kMaxParts) +
        " parts can hold (" + FormatByteSize(largest) + "): lower it or raise storage.part_size");
  }
  auto tmpl = KeyTemplate::Parse(tc.key_template.empty() ? kDefaultKeyTemplate : tc.key_template);
  if (!tmpl.ok()) return tmpl.status();
  auto format = MakeFormat(FormatSettingsOf(tc));
  if (!format.ok()) return format.status();
  const ObjectKey sample{tmpl->RenderSample(env_.instance, tc.topic, format.value()->extension())};
  return env_.store->CheckKey(sample).WithContext("key_template '" + tmpl->text() +
                                                  "' makes keys such as '" + sample.value +
                                                  "', which the store refuses");
}

Status TaskPreparer::Preflight(const TaskConfig& task) {
  K2C_RETURN_IF_ERROR(CheckAgainstStore(task));
  return WriteProbe(Bucket{task.bucket}, env_.instance + "/" + task.topic + "/").status();
}

Result<bool> TaskPreparer::WriteProbe(const Bucket& bucket, const std::string& prefix) {
  // Proves write access before any record is read, so missing permissions
  // fail the start with a message instead of a retry loop. The probe is
  // created twice, create-only: a store that honours the condition refuses
  // the second (P7 in docs/design.md); one that does not is used with the
  // overwrite rule (P3), and the task says so.
  // Its own key per call: workers of one task start together, and with a
  // shared key one's delete or first create races another's create-only
  // pair (seen: a refused first create failed a joining worker's start).
  K2C_RETURN_IF_ERROR(env_.store->EnsureBucket(bucket));
  const ObjectKey probe{prefix + "_kafka2cos_write_probe." + RandomHex64()};
  const std::string where =
      "write probe object '" + probe.value + "' to bucket '" + bucket.name + "'";
  K2C_RETURN_IF_ERROR(env_.store->DeleteObject(bucket, probe).WithContext(where));
  WriteOptions create_only;
  create_only.if_absent = true;
  K2C_RETURN_IF_ERROR(env_.store->PutObject(bucket, probe, "kafka2cos write probe\n", create_only)
                          .WithContext(where));
  const Status again = env_.store->PutObject(bucket, probe, "kafka2cos write probe\n", create_only);
  const bool honoured = again.code() == StatusCode::kAlreadyExists;
  if (!honoured && !again.ok()) return again.WithContext(where);
  if (!honoured) {
    spdlog::warn(
        "event=create_only_unsupported bucket={} detail=\"the store overwrote an existing object "
        "despite If-None-Match; publishing with the overwrite rule, which does not fence a "
        "writer frozen past its session (docs/design.md)\"",
        bucket.name);
  }
  Status s = env_.store->DeleteObject(bucket, probe);
  if (!s.ok()) {
    spdlog::warn("event=probe_delete_failed bucket={} key={} error=\"{}\"", bucket.name,
                 probe.value, LogEscape(s));
  }
  return honoured;
}

}  // namespace k2c
