// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "sink/upload_pool.h"

#include <pthread.h>

namespace k2c {

UploadPool::UploadPool(std::string name, int threads, const MonotonicClock& clock) : clock_(clock) {
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this, thread_name = name + "-" + std::to_string(i)] {
      pthread_setname_np(pthread_self(), thread_name.substr(0, 15).c_str());
      Run();
    });
  }
}

UploadPool::~UploadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    delayed_.clear();
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void UploadPool::Submit(const std::string& lane, std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto& jobs = lanes_[lane];
    if (jobs.empty()) turn_.push_back(lane);
    jobs.push_back(std::move(job));
  }
  cv_.notify_one();
}

void UploadPool::SubmitAfter(const std::string& lane, std::chrono::milliseconds delay,
                             std::function<void()> job) {
  if (delay.count() <= 0) return Submit(lane, std::move(job));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    delayed_.emplace(clock_.Now() + delay, std::make_pair(lane, std::move(job)));
  }
  // A waiting thread re-computes its wake-up time.
  cv_.notify_one();
}

size_t UploadPool::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = delayed_.size();
  for (const auto& [lane, jobs] : lanes_) n += jobs.size();
  return n;
}

void UploadPool::PromoteDue(Clock::time_point now) {
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    auto node = delayed_.extract(delayed_.begin());
    auto& [lane, job] = node.mapped();
    auto& jobs = lanes_[lane];
    if (jobs.empty()) turn_.push_back(lane);
    jobs.push_back(std::move(job));
  }
}

void UploadPool::Run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      for (;;) {
        PromoteDue(clock_.Now());
        if (!turn_.empty() || stopping_) break;
        if (delayed_.empty()) {
          cv_.wait(lock);
        } else {
          // A copy: another thread may run (and free) this job meanwhile.
          const Clock::time_point due = delayed_.begin()->first;
          clock_.WaitUntil(cv_, lock, due);
        }
      }
      if (turn_.empty()) return;  // Stopping, nothing queued.
      const std::string lane = std::move(turn_.front());
      turn_.pop_front();
      auto it = lanes_.find(lane);
      job = std::move(it->second.front());
      it->second.pop_front();
      if (it->second.empty()) {
        lanes_.erase(it);
      } else {
        turn_.push_back(lane);  // Its next job waits for the other lanes' turns.
      }
    }
    job();
  }
}

}  // namespace k2c
