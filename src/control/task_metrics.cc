// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/task_metrics.h"

namespace k2c {

void TaskMetrics::Fold(const TaskStats& now, const std::map<int32_t, int64_t>& lags) {
  MetricsRegistry& metrics = *registry_;
  TaskStats& was = counted_;
  const MetricLabels labels = {{"topic", topic_}};
  auto add = [&](const char* name, const char* help, uint64_t current, uint64_t previous) {
    if (current > previous) {
      metrics.GetCounter(name, help, labels).Increment(static_cast<double>(current - previous));
    }
  };
  add("kafka2cos_records_consumed_total", "Records read from Kafka", now.records_consumed,
      was.records_consumed);
  add("kafka2cos_bytes_consumed_total", "Record value bytes read from Kafka", now.bytes_consumed,
      was.bytes_consumed);
  add("kafka2cos_records_archived_total", "Records in durable objects with committed offsets",
      now.records_archived, was.records_archived);
  add("kafka2cos_bytes_archived_total", "Object bytes written", now.bytes_archived,
      was.bytes_archived);
  add("kafka2cos_objects_written_total", "Objects written", now.objects_written,
      was.objects_written);
  add("kafka2cos_upload_retries_total", "Failed upload attempts, each retried", now.upload_failures,
      was.upload_failures);
  add("kafka2cos_commit_retries_total", "Failed offset commits, each retried", now.commit_failures,
      was.commit_failures);
  for (const auto& [kind, count] : now.errors_by_kind) {
    auto before = was.errors_by_kind.find(kind);
    const uint64_t previous = before == was.errors_by_kind.end() ? 0 : before->second;
    if (count > previous) {
      metrics
          .GetCounter("kafka2cos_errors_total", "Errors by kind (status code)",
                      {{"topic", topic_}, {"kind", kind}})
          .Increment(static_cast<double>(count - previous));
    }
  }
  was = now;
  metrics.GetGauge("kafka2cos_partitions_assigned", "Partitions this worker holds", labels)
      .Set(static_cast<double>(now.partitions.size()));
  metrics
      .GetGauge("kafka2cos_partitions_blocked",
                "Partitions held because the store refuses their objects as such", labels)
      .Set(static_cast<double>(now.blocked_partitions.size()));
  metrics
      .GetGauge("kafka2cos_create_only",
                "1 when objects are published create-only (fenced), 0 with the overwrite rule",
                labels)
      .Set(now.create_only ? 1 : 0);
  for (int32_t p : lag_series_) {
    if (!lags.count(p)) {
      metrics.RemoveSeries("kafka2cos_partition_lag",
                           {{"topic", topic_}, {"partition", std::to_string(p)}});
    }
  }
  lag_series_.clear();
  for (const auto& [p, lag] : lags) {
    metrics
        .GetGauge("kafka2cos_partition_lag",
                  "Records between the committed offset and the end of the log",
                  {{"topic", topic_}, {"partition", std::to_string(p)}})
        .Set(static_cast<double>(lag));
    lag_series_.insert(p);
  }
}

}  // namespace k2c
