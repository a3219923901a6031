// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace k2c {

// librdkafka 2.0 (Debian 12's) stops fetching while the consumer's prefetch
// queue holds queued.min.messages records or queued.max.messages.kbytes, and
// its broker thread then sleeps until some request, reply or state change
// wakes it, or for up to a second; the application draining the queue is no
// such event. A consumer that drains the queue in less than a second then
// waits with the log unread: a W1 run showed "not fetchable: queued.min.messages
// exceeded" and 0.9 s with nothing fetched, in every fill of the queue.
// (librdkafka 2.3 made that wait a setting, fetch.queue.backoff.ms.)
//
// FetchWakeRule decides, after each poll, when to wake the fetchers: once the
// queue has been (nearly) full and has drained to half, so fetching resumes
// before it runs dry; or when a poll emptied it while a partition it delivered
// is still behind the end of its log, at most once per `dry_interval`. Never
// while every partition delivered is at its end (an idle task sends nothing).
class FetchWakeRule {
 public:
  // The consumer's queued.min.messages and queued.max.messages.kbytes (in
  // bytes).
  FetchWakeRule(uint64_t max_records, uint64_t max_bytes,
                std::chrono::milliseconds dry_interval = std::chrono::milliseconds(100));

  // After a poll that delivered `records` of `bytes` in total: `queued`
  // records wait in the queue, `behind` says whether a partition delivered is
  // behind its log end. True when the fetchers should be woken now.
  bool AfterPoll(size_t queued, size_t records, uint64_t bytes, bool behind,
                 std::chrono::steady_clock::time_point now);

 private:
  // How full the queue is against the nearer of its two limits (1.0: full).
  double Fill(size_t queued) const;

  const uint64_t max_records_;
  const uint64_t max_bytes_;
  const std::chrono::milliseconds dry_interval_;
  double record_bytes_ = 0;  // Average size of the records delivered.
  bool was_full_ = false;
  std::chrono::steady_clock::time_point last_wake_{};
};

// Wakes the broker threads that lead `partitions` of `topic`: asks each for
// end offsets (one ListOffsets request per leader, naming at most 256 of the
// partitions, spread over the list), which the thread sends and answers and,
// before sleeping again, decides anew what to fetch.
// The answer itself is not needed; waits for it at most `timeout`.
void WakeFetchers(rd_kafka_t* consumer, const std::string& topic,
                  const std::vector<int32_t>& partitions, std::chrono::milliseconds timeout);

}  // namespace k2c
