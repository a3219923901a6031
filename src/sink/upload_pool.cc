// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "sink/upload_pool.h"

#include <pthread.h>

namespace k2c {

UploadPool::UploadPool(std::string name, int threads) {
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
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void UploadPool::Submit(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
}

void UploadPool::Run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

}  // namespace k2c
