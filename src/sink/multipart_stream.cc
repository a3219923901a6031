// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "sink/multipart_stream.h"

#include <algorithm>
#include <utility>

namespace k2c {

MultipartStream::MultipartStream(ObjectStore* store, UploadPool* pool, std::string lane,
                                 Bucket bucket, ObjectKey key, UploadOptions options,
                                 UploadErrorReporter report, WriteOptions write, PublishGuard guard)
    : store_(store),
      pool_(pool),
      lane_(std::move(lane)),
      bucket_(std::move(bucket)),
      key_(std::move(key)),
      options_(options),
      write_(std::move(write)),
      guard_(std::move(guard)),
      backoff_(options.initial_backoff, options.max_backoff),
      report_(std::move(report)) {}

void MultipartStream::AddPart(SegmentBody part) {
  std::lock_guard<std::mutex> lock(mu_);
  if (ended_) return;  // Cancelled or broken: the part is dropped (freed).
  queue_.push_back(std::move(part));
  ++parts_added_;
  // A job in progress, or a retry waiting for its delay, takes this part
  // next; otherwise start one.
  if (!running_ && !waiting_retry_) Schedule();
}

void MultipartStream::Finish(SegmentBody tail, FinishCallback done) {
  std::unique_lock<std::mutex> lock(mu_);
  if (ended_) {
    const Status result = cancelled_ ? Cancelled() : broken_;
    lock.unlock();
    done(result, 0);
    return;
  }
  if (!tail.empty()) queue_.push_back(std::move(tail));
  done_ = std::move(done);
  if (!running_ && !waiting_retry_) Schedule();
}

void MultipartStream::Cancel() {
  DetachReport();
  std::lock_guard<std::mutex> lock(mu_);
  if (ended_ || cancelled_) return;
  cancelled_ = true;
  // A request in progress ends the stream when it returns; otherwise a job
  // does it now (the delayed retry, if any, then finds it ended).
  if (!running_) Schedule();
}

void MultipartStream::Schedule(std::chrono::milliseconds delay) {
  waiting_retry_ = delay.count() > 0;
  pool_->SubmitAfter(lane_, delay, [self = shared_from_this()] { self->Pump(); });
}

void MultipartStream::Pump() {
  std::unique_lock<std::mutex> lock(mu_);
  if (ended_ || running_) return;
  waiting_retry_ = false;
  if (cancelled_) return End(lock, Cancelled());
  const bool complete = queue_.empty();
  if (complete && !done_) return;  // Idle until the next part or Finish().
  running_ = true;
  // The front part stays queued (and charged to the memory budget) until
  // sent; only this job pops it, and a deque keeps references to its
  // elements valid while other threads push behind it.
  const SegmentBody* part = complete ? nullptr : &queue_.front();
  lock.unlock();

  const bool had_upload = id_.has_value();
  Status s;
  if (!complete) {
    s = SendPart(*part);
  } else {
    // Every part was empty (not reachable with parts of at least 5 MiB, but
    // an empty object is still an object): begin with one empty part.
    if (!id_) s = SendPart(SegmentBody());
    if (s.ok() && guard_) s = guard_();
    if (s.ok()) {
      ++complete_attempts_;
      s = store_->CompleteMultipart(bucket_, key_, *id_, uploaded_, write_).WithContext("complete");
    }
  }

  lock.lock();
  if (s.ok()) {
    running_ = false;
    backoff_.Reset();
    failed_attempts_ = 0;
    if (complete) {
      completed_ = true;
      return End(lock, Status::Ok());
    }
    queue_.pop_front();
    if (cancelled_) return End(lock, Cancelled());
    if (!queue_.empty() || done_) Schedule();
    return;
  }
  if (s.code() == StatusCode::kCancelled || cancelled_) {
    running_ = false;
    return End(lock, Cancelled());
  }
  // Another writer published the key first (the caller adopts its object);
  // the upload we began is gone (aborted, or completed by an earlier attempt
  // whose answer was lost: either way the records are read again and the
  // same key rewritten); or the store refuses the request as such.
  if (s.code() == StatusCode::kAlreadyExists || (had_upload && s.code() == StatusCode::kNotFound) ||
      !IsRetriedUploadError(s)) {
    running_ = false;
    return End(lock, s);
  }
  const int attempt = ++failed_attempts_;
  lock.unlock();
  Report(s, attempt);
  lock.lock();
  running_ = false;
  if (cancelled_) return End(lock, Cancelled());
  Schedule(std::max(backoff_.NextDelay(s), std::chrono::milliseconds(1)));
}

Status MultipartStream::SendPart(const SegmentBody& part) {
  if (uploaded_.size() >= static_cast<size_t>(kMaxParts)) {
    return Status::InvalidArgument(
        "object '" + key_.value + "' needs more than " + std::to_string(kMaxParts) +
        " parts of storage.part_size, the store's limit: raise storage.part_size or lower "
        "max_object_bytes");
  }
  if (!id_) {
    auto id = store_->CreateMultipart(bucket_, key_, write_);
    if (!id.ok()) return id.status().WithContext("create multipart upload");
    id_ = std::move(id.value());
  }
  const int number = static_cast<int>(uploaded_.size()) + 1;
  auto bytes = part.Read(0, part.size(), &scratch_);
  Status s = bytes.status();
  if (s.ok()) {
    auto etag = store_->UploadPart(bucket_, key_, *id_, number, *bytes);
    if (etag.ok()) {
      uploaded_.push_back(CompletedPart{number, std::move(etag.value())});
    } else {
      s = etag.status().WithContext("upload part " + std::to_string(number));
    }
  }
  std::string().swap(scratch_);  // A spilled part read back is not kept.
  return s;
}

void MultipartStream::End(std::unique_lock<std::mutex>& lock, Status result) {
  if (ended_) return;
  ended_ = true;
  const bool breaks = !result.ok() && result.code() != StatusCode::kCancelled &&
                      result.code() != StatusCode::kAlreadyExists;
  if (breaks) broken_ = result;
  queue_.clear();  // Frees the parts' memory.
  FinishCallback done = std::move(done_);
  done_ = nullptr;
  // No job holds the role now (End runs in the job that held it, or when
  // none did), so id_ is ours to read.
  std::optional<MultipartId> abort;
  if (!completed_) abort = std::move(id_);
  id_.reset();
  lock.unlock();
  DetachReport();
  // Best effort: an upload never completed is never visible; a failed abort
  // only leaves parts for the bucket's lifecycle rule to collect.
  if (abort) (void)store_->AbortMultipart(bucket_, key_, *abort);
  if (done) done(result, complete_attempts_);
}

Status MultipartStream::broken() const {
  std::lock_guard<std::mutex> lock(mu_);
  return broken_;
}

int MultipartStream::parts_added() const {
  std::lock_guard<std::mutex> lock(mu_);
  return parts_added_;
}

void MultipartStream::DetachReport() {
  std::lock_guard<std::mutex> lock(report_mu_);
  report_ = nullptr;
}

Status MultipartStream::Cancelled() const { return UploadCancelled(key_); }

void MultipartStream::Report(const Status& error, int attempt) {
  std::lock_guard<std::mutex> lock(report_mu_);
  if (report_) report_(error, attempt);
}

}  // namespace k2c
