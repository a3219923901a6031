// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "sink/partition_buffer.h"

#include <limits>
#include <string>
#include <utility>

namespace k2c {

const char* SealReasonName(SealReason reason) {
  switch (reason) {
    case SealReason::kNextWindow:
      return "next_window";
    case SealReason::kSize:
      return "size";
    case SealReason::kTimer:
      return "timer";
  }
  return "unknown";
}

int64_t WindowStartFor(int64_t timestamp_ms, int64_t window_ms) {
  int64_t q = timestamp_ms / window_ms;
  if (timestamp_ms % window_ms != 0 && timestamp_ms < 0) --q;
  return q * window_ms;
}

int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
}

namespace {
// Room made in a body for a record beyond its key and value: a format's
// framing (the JSON envelope's field names, a delimiter).
constexpr uint64_t kFramingGuess = 256;
// Spill() has a writer emit what it buffers only from this much on.
constexpr uint64_t kMinWriterFlushBytes = 64 << 10;
}  // namespace

PartitionBuffer::PartitionBuffer(int32_t partition, WindowPolicy policy, const Format* format,
                                 MemoryBudget* budget, Spool* spool, std::string topic)
    : partition_(partition),
      policy_(policy),
      format_(format),
      budget_(budget),
      spool_(spool),
      context_{std::move(topic), partition},
      writer_charge_(budget) {}

SegmentBody PartitionBuffer::NewBody() {
  SegmentBody body(budget_, spool_);
  body.set_reserve(policy_.body_reserve);
  return body;
}

Status PartitionBuffer::Add(const RecordView& record, int64_t now_ms,
                            std::vector<Segment>* sealed) {
  caught_up_ = false;
  last_add_ms_ = now_ms;
  const bool timed = record.timestamp_ms > 0 && record.timestamp_ms <= kMaxRecordTimestampMs;
  const bool future =
      timed && record.timestamp_ms > SaturatingAdd(now_ms, policy_.max_future_skew_ms);
  int64_t window_start;
  if (timed) {
    window_start = WindowStartFor(record.timestamp_ms, policy_.window_ms);
  } else {
    window_start = open_ ? open_->window_start_ms : kUntimedWindowStartMs;
  }
  if (open_ && !future) {
    // A window opened by a future record is closed by any record that is
    // not: the wall clock would never reach its end.
    if (window_start > open_->window_start_ms || (timed && open_future_since_ms_ != 0)) {
      K2C_RETURN_IF_ERROR(Seal(SealReason::kNextWindow, sealed));
    }
  }
  if (!open_) {
    auto writer = format_->NewWriter(context_);
    if (!writer.ok()) return writer.status();
    writer_ = std::move(writer.value());
    open_.emplace();
    open_->body = NewBody();
    open_->partition = partition_;
    open_->window_start_ms = window_start;
    open_->first_offset = record.offset;
    open_future_since_ms_ = future ? now_ms : 0;
  }
  Segment& seg = *open_;
  if (timed && window_start < seg.window_start_ms) ++seg.late_records;
  if (!timed) ++seg.untimed_records;
  if (future) ++seg.future_records;
  bool kept = false;
  uint64_t expected = kFramingGuess + (record.key ? record.key->size() : 0) +
                      (record.value ? record.value->size() : 0);
  for (const HeaderView& header : record.headers) {
    expected += header.key.size() + (header.value ? header.value->size() : 0);
  }
  Status s = seg.body.AppendFrom(
      [&](std::string* out) { return writer_->Append(record, out, &kept); }, expected, &scratch_);
  if (!s.ok()) return Drop(std::move(s));
  writer_charge_.Set(writer_->buffered_bytes());
  if (!kept) ++seg.dropped_nulls;
  seg.last_offset = record.offset;
  ++seg.records;
  // What the writer buffers counts too (uncompressed, so an object may end
  // somewhat below the cap).
  if (seg.bytes() + writer_charge_.bytes() >= policy_.max_object_bytes) {
    return Seal(SealReason::kSize, sealed);
  }
  return Status::Ok();
}

Status PartitionBuffer::Drop(Status error) {
  Clear();
  return error;
}

void PartitionBuffer::Clear() {
  open_.reset();
  writer_.reset();
  writer_charge_.Set(0);
  open_future_since_ms_ = 0;
}

Status PartitionBuffer::Spill() {
  if (!open_) return Status::Ok();
  Status s;
  // A writer holding little is left alone: a Parquet row group cut early
  // keeps ~13 KiB of footer metadata until the object ends, more than a
  // small one frees.
  if (writer_charge_.bytes() >= kMinWriterFlushBytes) {
    s = open_->body.AppendFrom([&](std::string* out) { return writer_->Flush(out); }, 0, &scratch_);
    if (!s.ok()) return Drop(std::move(s));
    writer_charge_.Set(writer_->buffered_bytes());
  }
  s = open_->body.spilled() ? open_->body.Flush() : open_->body.Spill();
  if (!s.ok()) return Drop(std::move(s));
  return Status::Ok();
}

std::optional<SegmentBody> PartitionBuffer::TakePart(uint64_t min_bytes) {
  if (!open_ || open_->body.size() < min_bytes) return std::nullopt;
  SegmentBody part = std::move(open_->body);
  open_->body = NewBody();
  open_->streamed_bytes += part.size();
  return part;
}

Status PartitionBuffer::SealIfDue(int64_t now_ms, std::vector<Segment>* sealed) {
  if (!open_) return Status::Ok();
  const int64_t window_end = open_future_since_ms_ != 0
                                 ? SaturatingAdd(open_future_since_ms_, policy_.window_ms)
                                 : SaturatingAdd(open_->window_start_ms, policy_.window_ms);
  const int64_t due = SaturatingAdd(window_end, policy_.grace_ms);
  if (now_ms < due) return Status::Ok();
  // Not known to be caught up: a partition still delivering records (a
  // backlog being read) keeps its window open until a later window's record
  // or the size cap closes it, so a replay is not cut into one small object
  // per poll. A partition quiet for the grace period (idle without an end of
  // log event, or paused by backpressure) is closed.
  if (!caught_up_ && now_ms - last_add_ms_ < policy_.grace_ms) return Status::Ok();
  return Seal(SealReason::kTimer, sealed);
}

Status PartitionBuffer::Seal(SealReason reason, std::vector<Segment>* sealed) {
  Status s =
      open_->body.AppendFrom([&](std::string* out) { return writer_->Finish(out); }, 0, &scratch_);
  if (!s.ok()) return Drop(std::move(s));
  sealed->push_back(std::move(*open_));
  sealed->back().reason = reason;
  Clear();
  return Status::Ok();
}

}  // namespace k2c
