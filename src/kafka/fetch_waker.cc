// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "kafka/fetch_waker.h"

#include <algorithm>

#include "kafka/offset_lists.h"

namespace k2c {
namespace {

// The queue counts as full from here: librdkafka checks its limits only when
// it decides on the next fetch, so the queue is seen a little under them
// once a poll has drained some.
constexpr double kFullFill = 0.9;
// Woken at half: what is left covers the fetch's round trip.
constexpr double kWakeFill = 0.5;
// Partitions named in one wake-up (see WakeFetchers).
constexpr size_t kMaxWakePartitions = 256;

}  // namespace

FetchWakeRule::FetchWakeRule(uint64_t max_records, uint64_t max_bytes,
                             std::chrono::milliseconds dry_interval)
    : max_records_(std::max<uint64_t>(max_records, 1)),
      max_bytes_(std::max<uint64_t>(max_bytes, 1)),
      dry_interval_(dry_interval) {}

double FetchWakeRule::Fill(size_t queued) const {
  const double by_count = static_cast<double>(queued) / static_cast<double>(max_records_);
  const double by_bytes =
      static_cast<double>(queued) * record_bytes_ / static_cast<double>(max_bytes_);
  return std::max(by_count, by_bytes);
}

bool FetchWakeRule::AfterPoll(size_t queued, size_t records, uint64_t bytes, bool behind,
                              std::chrono::steady_clock::time_point now) {
  if (records > 0) {
    const double average = static_cast<double>(bytes) / static_cast<double>(records);
    record_bytes_ = record_bytes_ == 0 ? average : 0.8 * record_bytes_ + 0.2 * average;
  }
  const double fill = Fill(queued);
  if (fill >= kFullFill) was_full_ = true;
  if (!behind) return false;
  const bool drained = was_full_ && fill <= kWakeFill;
  const bool ran_dry = queued == 0 && records > 0 && now - last_wake_ >= dry_interval_;
  if (!drained && !ran_dry) return false;
  was_full_ = false;
  last_wake_ = now;
  return true;
}

void WakeFetchers(rd_kafka_t* consumer, const std::string& topic,
                  const std::vector<int32_t>& partitions, std::chrono::milliseconds timeout) {
  if (partitions.empty()) return;
  // Waking a broker thread needs one of its partitions, not all: at most
  // kMaxWakePartitions, spread evenly over the list (partitions are spread
  // over the brokers), so a backlog over 10,000 partitions does not pay
  // librdkafka's quadratic matching of the answers.
  const size_t step = (partitions.size() + kMaxWakePartitions - 1) / kMaxWakePartitions;
  std::vector<int32_t> sample;
  for (size_t i = 0; i < partitions.size(); i += step) sample.push_back(partitions[i]);
  // The requests are on their way to the broker threads before this waits;
  // the answer is not needed, and one that comes after `timeout` is dropped
  // by librdkafka.
  std::vector<PartitionOffset> ignored;
  LogOffsets(consumer, topic, sample, RD_KAFKA_OFFSET_END, timeout, &ignored);
}

}  // namespace k2c
