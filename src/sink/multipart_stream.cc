// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "sink/multipart_stream.h"

#include <utility>

#include "common/backoff.h"

namespace k2c {

MultipartStream::MultipartStream(ObjectStore* store, UploadPool* pool, Bucket bucket, ObjectKey key,
                                 UploadOptions options, UploadErrorReporter report,
                                 WriteOptions write)
    : store_(store),
      pool_(pool),
      bucket_(std::move(bucket)),
      key_(std::move(key)),
      options_(options),
      write_(std::move(write)),
      report_(std::move(report)) {}

void MultipartStream::AddPart(SegmentBody part) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(part));
    ++parts_added_;
    if (running_) return;  // The role holder takes this part too.
  }
  pool_->Submit([self = shared_from_this()] { self->Pump(); });
}

void MultipartStream::Pump() {
  std::unique_lock<std::mutex> lock(mu_);
  if (running_ || completed_ || queue_.empty()) return;
  running_ = true;
  (void)Drain(lock);
  running_ = false;
  idle_cv_.notify_all();
}

Status MultipartStream::Drain(std::unique_lock<std::mutex>& lock) {
  while (!queue_.empty()) {
    if (!broken_.ok()) return broken_;
    if (cancel_.cancelled()) return Cancelled();
    // The part stays queued (and charged to the memory budget) until sent.
    SegmentBody& part = queue_.front();
    lock.unlock();
    Status s = SendBody(part);
    lock.lock();
    if (!s.ok()) {
      // Only cancellation leaves the stream usable; anything else (the upload
      // gone, a spool file unreadable) means the records must be read again.
      if (s.code() != StatusCode::kCancelled) broken_ = s;
      return s;
    }
    queue_.pop_front();
  }
  return Status::Ok();
}

Status MultipartStream::SendBody(const SegmentBody& body) {
  auto bytes = body.Read(0, body.size(), &scratch_);
  Status s = bytes.ok() ? SendPart(*bytes) : bytes.status();
  std::string().swap(scratch_);  // A spilled part read back is not kept.
  return s;
}

Status MultipartStream::SendPart(std::string_view body) {
  Backoff backoff(options_.initial_backoff, options_.max_backoff);
  for (int attempt = 1;; ++attempt) {
    if (cancel_.cancelled()) return Cancelled();
    Status s;
    if (!id_) {
      auto id = store_->CreateMultipart(bucket_, key_, write_);
      if (id.ok()) {
        id_ = std::move(id.value());
      } else {
        s = id.status().WithContext("create multipart upload");
      }
    }
    if (id_) {
      const int number = static_cast<int>(uploaded_.size()) + 1;
      auto etag = store_->UploadPart(bucket_, key_, *id_, number, body);
      if (etag.ok()) {
        uploaded_.push_back(CompletedPart{number, std::move(etag.value())});
        return Status::Ok();
      }
      s = etag.status().WithContext("upload part " + std::to_string(number));
      // The upload we began is gone: its earlier parts cannot be re-sent.
      if (s.code() == StatusCode::kNotFound) return s;
    }
    if (s.code() == StatusCode::kCancelled) return s;
    Report(s, attempt);
    if (cancel_.WaitFor(backoff.NextDelay(s))) {
      return Cancelled();
    }
  }
}

Status MultipartStream::Complete(int* attempts) {
  Backoff backoff(options_.initial_backoff, options_.max_backoff);
  for (int attempt = 1;; ++attempt) {
    if (attempts != nullptr) *attempts = attempt;
    if (cancel_.cancelled()) return Cancelled();
    Status s =
        store_->CompleteMultipart(bucket_, key_, *id_, uploaded_, write_).WithContext("complete");
    if (s.ok()) return s;
    // Another writer published the key first; the caller adopts its object.
    if (s.code() == StatusCode::kAlreadyExists) return s;
    // Gone: aborted, or completed by an earlier attempt whose answer was
    // lost. Either way the caller reads the records again and rewrites the
    // same key, which is the one uncommitted object of the partition.
    if (s.code() == StatusCode::kNotFound || s.code() == StatusCode::kCancelled) return s;
    Report(s, attempt);
    if (cancel_.WaitFor(backoff.NextDelay(s))) {
      return Cancelled();
    }
  }
}

Status MultipartStream::Finish(const SegmentBody& tail, int* attempts) {
  std::unique_lock<std::mutex> lock(mu_);
  // A running part upload ends within a request timeout (or at once when
  // cancelled); then this thread takes the role and sends the rest itself, so
  // Finish never waits for a job still queued behind it on the pool.
  idle_cv_.wait(lock, [this] { return !running_; });
  running_ = true;
  Status s = Drain(lock);
  lock.unlock();
  if (s.ok() && !tail.empty()) s = SendBody(tail);
  if (s.ok() && !id_) {
    // Every streamed part was empty: nothing was begun. Not reachable with
    // parts of at least 5 MiB, but an empty object is still an object.
    s = SendPart(std::string_view());
  }
  if (s.ok()) s = Complete(attempts);
  lock.lock();
  running_ = false;
  if (s.ok()) {
    completed_ = true;
  } else if (s.code() != StatusCode::kCancelled) {
    broken_ = s;
  }
  idle_cv_.notify_all();
  lock.unlock();
  DetachReport();
  if (!s.ok()) Cancel();  // Aborts the upload so no parts are left behind.
  return s;
}

void MultipartStream::Cancel() {
  cancel_.Cancel();
  DetachReport();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (completed_ || abort_scheduled_) return;
    abort_scheduled_ = true;
  }
  pool_->Submit([self = shared_from_this()] { self->AbortWhenIdle(); });
}

void MultipartStream::AbortWhenIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_cv_.wait(lock, [this] { return !running_; });
  queue_.clear();  // Frees the parts' memory.
  if (completed_ || !id_) return;
  const MultipartId id = *id_;
  id_.reset();
  lock.unlock();
  // Best effort: an upload never completed is never visible; a failed abort
  // only leaves parts for the bucket's lifecycle rule to collect.
  (void)store_->AbortMultipart(bucket_, key_, id);
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

Status MultipartStream::Cancelled() const {
  return Status::Cancelled("upload of " + key_.value + " cancelled");
}

void MultipartStream::Report(const Status& error, int attempt) {
  std::lock_guard<std::mutex> lock(report_mu_);
  if (report_) report_(error, attempt);
}

}  // namespace k2c
