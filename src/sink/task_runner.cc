// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "sink/task_runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <utility>

#include "common/backoff.h"
#include "common/log_text.h"
#include "sink/commit_mark.h"
#include "sink/object_range.h"

namespace k2c {
namespace {

// Room beyond part_size reserved for the record that makes a body a part.
constexpr uint64_t kPartSlack = 256 << 10;

}  // namespace

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One object on its way to storage, shared between the task thread and the
// pool jobs that make its attempts; `running`, `done` and `result` are
// guarded by `mu`. Between two attempts no job runs (`running` is false)
// and the next one waits in the pool's delay queue, holding no thread.
struct TaskRunner::Upload {
  explicit Upload(const UploadOptions& options)
      : backoff(options.initial_backoff, options.max_backoff) {}

  Segment segment;
  ObjectKey key;
  WriteOptions write;
  uint64_t bytes = 0;  // The object's size (the segment's body may be handed on).
  CancelToken cancel;
  std::chrono::steady_clock::time_point started;
  // Touched only by the job making the attempt:
  Backoff backoff;
  bool heading = false;  // Publish refused: reading the winner's metadata.
  int failed_attempts = 0;
  int attempts = 0;                  // Publish attempts.
  std::optional<ObjectHead> winner;  // Set with result AlreadyExists.
  // The winner read back, when its metadata has no last offset and the
  // format is not plain text (see Adopt); or why it could not be decoded.
  std::optional<ObjectSummary> winner_summary;
  Status winner_unreadable;

  std::mutex mu;
  std::condition_variable cv;
  bool running = true;  // An attempt (or the stream's completion) is under way.
  bool done = false;
  Status result;
  int64_t elapsed_ms = 0;

  bool is_done() {
    std::lock_guard<std::mutex> lock(mu);
    return done;
  }
  // Waits up to `timeout` for the upload to end; true if it did.
  bool WaitDone(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, timeout, [this] { return done; });
  }
  // Ends the upload with `status`; its owner may go away after this.
  void End(Status status) {
    const auto elapsed = std::chrono::steady_clock::now() - started;
    std::lock_guard<std::mutex> lock(mu);
    if (done) return;
    result = std::move(status);
    elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
    running = false;
    done = true;
    cv.notify_all();
  }
  // Between attempts. False (and ended) if cancelled meanwhile.
  bool Pause() {
    std::lock_guard<std::mutex> lock(mu);
    running = false;
    if (!cancel.cancelled()) return true;
    result = UploadCancelled(key);
    done = true;
    cv.notify_all();
    return false;
  }
  // Claims the next attempt; false if the upload ended while it waited.
  bool Resume() {
    std::lock_guard<std::mutex> lock(mu);
    if (done) return false;
    running = true;
    return true;
  }
  // Ends the upload at once if no attempt is under way, else makes the one
  // under way end (within the store's request timeout).
  void Cancel() {
    cancel.Cancel();
    if (segment.stream) segment.stream->Cancel();
    std::lock_guard<std::mutex> lock(mu);
    if (running || done) return;
    result = UploadCancelled(key);
    done = true;
    cv.notify_all();
  }
};

TaskRunner::TaskRunner(TaskSpec spec, RecordSource* source, const Format* format,
                       ObjectStore* store, UploadPool* pool, WallClock clock, MemoryBudget* budget,
                       Spool* spool)
    : spec_(std::move(spec)),
      source_(source),
      format_(format),
      store_(store),
      pool_(pool),
      clock_(std::move(clock)),
      budget_(budget),
      spool_(spool) {
  // Open bodies are handed off as parts once they reach part_size; the
  // record that crosses it usually fits in the slack.
  if (spec_.policy.body_reserve == 0)
    spec_.policy.body_reserve = spec_.upload.part_size + kPartSlack;
  stats_.create_only = spec_.create_only;
  if (format_->info().name == "text") {
    FormatSettings plain = format_->settings();
    plain.compression = "none";
    plain.compression_level = 0;
    auto measure = MakeFormat(plain);
    if (measure.ok()) measure_format_ = std::move(measure.value());
    if (measure_format_) {
      auto writer = measure_format_->NewWriter(ObjectContext{spec_.topic, 0});
      if (writer.ok()) measure_writer_ = std::move(writer.value());
    }
  }
}

TaskRunner::~TaskRunner() { Shutdown(); }

TaskRunner::PartitionState& TaskRunner::StateFor(int32_t partition) {
  auto it = partitions_.find(partition);
  if (it == partitions_.end()) {
    it = partitions_
             .emplace(partition, PartitionState(PartitionBuffer(partition, spec_.policy, format_,
                                                                budget_, spool_, spec_.topic)))
             .first;
  }
  return it->second;
}

void TaskRunner::OnRecord(const RecordView& record) {
  // While paused, a record fetched before the pause took effect is dropped:
  // SetPaused(false) seeks back to the committed offset, so it is read again.
  if (failed_.load() || paused_) return;
  // Per-record work stays off the stats lock and the clock: both are
  // published or read once per Step.
  ++consumed_records_;
  consumed_bytes_ += record.value ? record.value->size() : 0;
  PartitionState& state = StateFor(record.partition);
  state.position = record.offset + 1;
  state.at_end = false;
  if (!state.blocked.ok()) return;
  if (state.measure) return MeasureRecord(record.partition, state, record);
  Status s = state.buffer.Add(record, poll_now_ms_, &sealed_scratch_);
  for (Segment& seg : sealed_scratch_) Enqueue(state, std::move(seg));
  sealed_scratch_.clear();
  if (!s.ok()) return WindowFailed(record.partition, state, s);
  StreamParts(record.partition, state);
}

void TaskRunner::WindowFailed(int32_t partition, PartitionState& state, const Status& why) {
  if (why.code() != StatusCode::kInvalidArgument) {
    return Fail(why.WithContext("partition " + std::to_string(partition)));
  }
  // The open window is gone: what it held is uncommitted and read again once
  // the operator changes the settings (a format that can hold the record)
  // and resumes.
  FinishUploads({partition});
  ReleasePartition(partition, state, /*commit=*/true);
  Block(partition, state, why);
}

void TaskRunner::Enqueue(PartitionState& state, Segment segment) {
  if (state.open_stream && state.open_stream_first_offset == segment.first_offset) {
    segment.stream = std::move(state.open_stream);
    state.open_stream.reset();
  }
  state.sealed.push_back(std::move(segment));
}

void TaskRunner::StreamParts(int32_t partition, PartitionState& state) {
  std::optional<SegmentBody> part = state.buffer.TakePart(spec_.upload.part_size);
  if (!part) return;
  Status flushed = part->Flush();
  if (!flushed.ok()) return Fail(flushed.WithContext("spool"));
  if (!state.open_stream) {
    const Segment* open = state.buffer.open_segment();
    ObjectKey key = KeyFor(partition, open->window_start_ms, open->first_offset);
    state.open_stream = std::make_shared<MultipartStream>(
        store_, pool_, spec_.topic, spec_.bucket, key, spec_.upload, ReporterFor(key),
        WriteOptionsFor(*open, true), OwnershipGuard(key));
    state.open_stream_first_offset = open->first_offset;
  }
  state.open_stream->AddPart(std::move(*part));
}

void TaskRunner::Rewind(int32_t partition, PartitionState& state, const Status& why) {
  spdlog::warn("event=partition_rewound topic={} partition={} error=\"{}\"", spec_.topic, partition,
               LogEscape(why));
  RecordError(why);
  FinishUploads({partition});
  ReleasePartition(partition, state, /*commit=*/true);
  state.position.reset();
  state.seeked = true;
  state.at_end = false;
  Status s = source_->SeekToCommitted(partition);
  if (!s.ok()) Fail(s.WithContext("rewind partition " + std::to_string(partition)));
}

ObjectKey TaskRunner::KeyFor(int32_t partition, int64_t window_start_ms,
                             int64_t first_offset) const {
  KeyFields fields;
  fields.instance = spec_.instance;
  fields.topic = spec_.topic;
  fields.topic_id = spec_.topic_id;
  fields.partition = partition;
  fields.first_offset = first_offset;
  fields.window_start_ms = window_start_ms;
  fields.ext = format_->extension();
  return ObjectKey{spec_.key_template.Render(fields)};
}

UploadErrorReporter TaskRunner::ReporterFor(const ObjectKey& key) {
  return [this, key](const Status& error, int attempt) {
    spdlog::warn("event=upload_failed topic={} key={} attempt={} error=\"{}\"", spec_.topic,
                 key.value, attempt, LogEscape(error));
    RecordError(error, ErrorKind::kUploadAttempt);
  };
}

void TaskRunner::Fail(const Status& status) {
  if (failed_.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    fatal_ = status;
  }
  spdlog::error("event=task_failed topic={} error=\"{}\"", spec_.topic, LogEscape(status));
  RecordError(status);
}

Status TaskRunner::fatal() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return fatal_;
}

void TaskRunner::OnPartitionEof(int32_t partition, int64_t next_offset) {
  PartitionState& state = StateFor(partition);
  state.buffer.MarkCaughtUp();
  // Trusted only where it cannot be an event from before a seek: a
  // partition not moved since assignment, or one whose position agrees.
  if (state.position ? *state.position == next_offset : !state.seeked) {
    state.position = next_offset;
    state.at_end = true;
  }
}

void TaskRunner::OnAssigned(const std::vector<int32_t>& partitions) {
  for (int32_t p : partitions) {
    StateFor(p);
    // A fresh state says "fetching"; make the source agree. librdkafka keeps a
    // partition's pause flag across revoke and re-assignment (its issue 1849),
    // so a partition this task had paused (behind its in-flight object, or for
    // memory) when it was lost would otherwise come back paused for good.
    // Advance() pauses it again if it must.
    Status s = source_->Resume(p);
    if (!s.ok()) {
      spdlog::warn("event=pause_error topic={} partition={} error=\"{}\"", spec_.topic, p,
                   LogEscape(s));
    }
    spdlog::info("event=partition_assigned topic={} partition={}", spec_.topic, p);
  }
  PublishPartitions();
}

void TaskRunner::PublishPartitions() {
  std::vector<int32_t> ids = AssignedPartitions();
  std::vector<int32_t> blocked;
  std::string reason;
  for (const auto& [partition, state] : partitions_) {
    if (state.blocked.ok()) continue;
    if (blocked.empty()) reason = state.blocked.ToString();
    blocked.push_back(partition);
  }
  std::lock_guard<std::mutex> lock(stats_mu_);
  stats_.partitions = std::move(ids);
  stats_.blocked_partitions = std::move(blocked);
  stats_.blocked_reason = std::move(reason);
}

void TaskRunner::OnRevoked(const std::vector<int32_t>& partitions, bool lost) {
  // P5: before a partition goes, its in-flight upload is finished (and
  // committed) or cancelled. A lost partition already has a new owner:
  // nothing of ours may still be published, so its uploads are cancelled at
  // once, not finished.
  FinishUploads(partitions, lost ? std::chrono::milliseconds(0) : spec_.finish_timeout);
  for (int32_t p : partitions) {
    auto it = partitions_.find(p);
    if (it == partitions_.end()) continue;
    ReleasePartition(p, it->second, /*commit=*/!lost);
    partitions_.erase(it);
    spdlog::info("event=partition_revoked topic={} partition={} lost={}", spec_.topic, p, lost);
  }
  PublishPartitions();
}

void TaskRunner::Step(std::chrono::milliseconds poll_timeout) {
  if (failed_.load()) return;
  poll_now_ms_ = clock_();
  Status s = source_->Poll(poll_timeout, this);
  if (!s.ok()) spdlog::warn("event=poll_error topic={} error=\"{}\"", spec_.topic, LogEscape(s));
  if (consumed_records_ > 0) {
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.records_consumed += std::exchange(consumed_records_, 0);
    stats_.bytes_consumed += std::exchange(consumed_bytes_, 0);
  }
  const int64_t now = clock_();
  for (auto& [partition, state] : partitions_) {
    // A partition held back behind its own previous object is quiet because
    // the task paused it, not because nothing arrives: its window stays open.
    if (!state.sealed.empty()) continue;
    Status s = state.buffer.SealIfDue(now, &sealed_scratch_);
    for (Segment& seg : sealed_scratch_) Enqueue(state, std::move(seg));
    sealed_scratch_.clear();
    if (!s.ok()) WindowFailed(partition, state, s);
  }
  ManageMemory();
  for (auto& [partition, state] : partitions_) {
    if (failed_.load()) return;
    Advance(partition, state);
  }
  CommitIdleMarks(now);
}

void TaskRunner::ManageMemory() {
  if (budget_ == nullptr) return;
  if (budget_->AboveSpillMark() && spool_ != nullptr && !spool_->Full()) {
    // Spill the largest in-memory bodies first: open windows and closed
    // objects still waiting for their upload.
    std::vector<std::pair<uint64_t, SegmentBody*>> bodies;
    std::vector<std::pair<uint64_t, PartitionState*>> buffers;
    for (auto& [partition, state] : partitions_) {
      if (state.buffer.memory_bytes() > 0) {
        buffers.emplace_back(state.buffer.memory_bytes(), &state);
      }
      for (Segment& seg : state.sealed) {
        if (seg.body.memory_bytes() > 0) bodies.emplace_back(seg.body.memory_bytes(), &seg.body);
      }
    }
    std::sort(buffers.rbegin(), buffers.rend());
    std::sort(bodies.rbegin(), bodies.rend());
    for (auto& [bytes, body] : bodies) {
      if (!budget_->AboveSpillMark() || spool_->Full()) break;
      Status s = body->spilled() ? body->Flush() : body->Spill();
      if (!s.ok()) return Fail(s.WithContext("spill"));
    }
    for (auto& [bytes, state] : buffers) {
      if (!budget_->AboveSpillMark() || spool_->Full()) break;
      Status s = state->buffer.Spill();
      if (!s.ok()) return WindowFailed(state->buffer.partition(), *state, s.WithContext("spill"));
    }
  }
  // Backpressure: when spilling cannot keep usage under the budget (spool
  // full, or the memory is in uploads), stop fetching until it drains.
  const bool spool_full = spool_ != nullptr && spool_->Full();
  if (!memory_paused_ && (budget_->AbovePauseMark() || spool_full)) {
    memory_paused_ = true;
    spdlog::warn("event=memory_backpressure topic={} state=paused used={} budget={} spool={}",
                 spec_.topic, budget_->used(), budget_->capacity(),
                 spool_ != nullptr ? spool_->used() : 0);
  } else if (memory_paused_ && budget_->BelowResumeMark() && !spool_full) {
    memory_paused_ = false;
    spdlog::info("event=memory_backpressure topic={} state=resumed used={} budget={}", spec_.topic,
                 budget_->used(), budget_->capacity());
  }
}

void TaskRunner::Advance(int32_t partition, PartitionState& state) {
  if (state.in_flight && state.in_flight->is_done()) CollectUpload(partition, state);
  if (state.rewind.ok() && state.open_stream) state.rewind = state.open_stream->broken();
  if (!state.rewind.ok()) {
    if (state.rewind.code() == StatusCode::kInvalidArgument) {
      // The store refuses the request as such (a key, a part count): reading
      // again would only repeat it. Hold the offsets until the task's
      // settings change or it is resumed.
      const Status why = state.rewind;
      ReleasePartition(partition, state, /*commit=*/true);
      Block(partition, state, why);
    } else {
      Rewind(partition, state, state.rewind);
    }
  }
  // P2 (docs/design.md): the next object's upload starts only once the
  // previous one is committed; P4: objects leave in offset order.
  while (!state.in_flight && !state.sealed.empty()) {
    if (state.commit_pending && !TryCommit(partition, state)) break;
    Segment seg = std::move(state.sealed.front());
    state.sealed.pop_front();
    if (seg.body.empty() && !seg.stream) {
      // Nothing to store (e.g. only null values): the offsets still advance,
      // in order, behind any earlier object.
      std::lock_guard<std::mutex> lock(stats_mu_);
      stats_.records_archived += seg.records;
      stats_.nulls_skipped += seg.dropped_nulls;
      state.commit_pending = seg.last_offset + 1;
      continue;
    }
    StartUpload(partition, state, std::move(seg));
  }
  if (state.commit_pending && !state.in_flight) TryCommit(partition, state);
  // Backpressure: while an object waits behind another, stop fetching this
  // partition so its memory stays bounded; other partitions go on.
  const bool want_pause = !state.sealed.empty() || memory_paused_ || paused_ || !state.blocked.ok();
  if (want_pause != state.paused) {
    Status s = want_pause ? source_->Pause(partition) : source_->Resume(partition);
    if (s.ok()) {
      state.paused = want_pause;
      if (!want_pause) state.buffer.NoteFetchResumed(clock_());
    } else {
      spdlog::warn("event=pause_error topic={} partition={} error=\"{}\"", spec_.topic, partition,
                   LogEscape(s));
    }
  }
}

void TaskRunner::StartUpload(int32_t partition, PartitionState& state, Segment segment) {
  Status flushed = segment.body.Flush();
  if (!flushed.ok()) return Fail(flushed.WithContext("spool"));
  auto upload = std::make_shared<Upload>(spec_.upload);
  upload->key = segment.stream ? segment.stream->key()
                               : KeyFor(partition, segment.window_start_ms, segment.first_offset);
  upload->write = WriteOptionsFor(segment, false);
  upload->bytes = segment.bytes();
  upload->segment = std::move(segment);
  upload->started = std::chrono::steady_clock::now();
  state.in_flight = upload;
  if (upload->segment.stream) {
    // The object's turn has come: the stream sends what is left and
    // publishes it. The callback may run at once (a stream already broken).
    upload->segment.stream->Finish(std::move(upload->segment.body),
                                   [this, upload](const Status& result, int attempts) {
                                     upload->attempts = attempts;
                                     if (result.code() != StatusCode::kAlreadyExists) {
                                       return upload->End(result);
                                     }
                                     upload->heading = true;
                                     Attempt(upload);
                                   });
    return;
  }
  pool_->Submit(spec_.topic, [this, upload] { Attempt(upload); });
}

void TaskRunner::Attempt(const std::shared_ptr<Upload>& upload) {
  Status s;
  if (!upload->heading) {
    ObjectUploader uploader(store_, spec_.upload);
    ++upload->attempts;
    s = uploader.Attempt(spec_.bucket, upload->key, upload->segment.body, upload->cancel,
                         upload->write, OwnershipGuard(upload->key));
    if (s.code() == StatusCode::kAlreadyExists) {
      // P7: someone published first. Read what they published (retried like
      // an upload), so the task thread can adopt it.
      upload->heading = true;
      upload->backoff.Reset();
      return Attempt(upload);
    }
    if (s.ok() || !IsRetriedUploadError(s)) return upload->End(s);
  } else {
    auto head = store_->HeadObject(spec_.bucket, upload->key);
    if (head.ok()) s = ReadWinner(*upload, head.value());
    if (head.ok() && s.ok()) {
      upload->winner = std::move(head.value());
      return upload->End(
          Status::AlreadyExists("object " + upload->key.value + " published by another writer"));
    }
    // Gone again (deleted by hand): read the records again and publish.
    if (head.status().code() == StatusCode::kNotFound) {
      return upload->End(head.status().WithContext("object published by another writer vanished"));
    }
    if (!head.ok()) s = head.status().WithContext("head");
  }
  if (upload->cancel.cancelled()) {
    return upload->End(Status::Cancelled("upload of " + upload->key.value + " cancelled"));
  }
  ReporterFor(upload->key)(s, ++upload->failed_attempts);
  // Everything the next attempt needs from the runner is taken now: once
  // Pause() returns, a cancel may end the upload and the runner may go.
  UploadPool* pool = pool_;
  const std::string lane = spec_.topic;
  const std::chrono::milliseconds delay = upload->backoff.NextDelay(s);
  if (!upload->Pause()) return;
  pool->SubmitAfter(lane, std::max(delay, std::chrono::milliseconds(1)), [this, upload] {
    if (upload->Resume()) Attempt(upload);
  });
}

Status TaskRunner::ReadWinner(Upload& upload, const ObjectHead& head) const {
  const std::optional<ObjectRange> range = ObjectRange::FromMetadata(head.metadata);
  const bool plain_text = measure_format_ && format_->compression() == "none";
  if ((range && range->last_offset) || plain_text || upload.winner_summary ||
      !upload.winner_unreadable.ok()) {
    return Status::Ok();
  }
  // Rare (a writer raced us with a streamed object): the object is read
  // whole, once, on this pool thread; it is at most max_object_bytes.
  auto object = store_->GetObject(spec_.bucket, upload.key);
  if (!object.ok()) return object.status().WithContext("read the winner");
  auto summary = SummarizeObject(*format_, *object, ReadLimits{});
  // An object this format cannot decode is left for Adopt to block on.
  if (summary.ok()) {
    upload.winner_summary = *summary;
  } else {
    upload.winner_unreadable = summary.status();
  }
  return Status::Ok();
}

PublishGuard TaskRunner::OwnershipGuard(const ObjectKey& key) const {
  // Asked right before the request that publishes (P7): a consumer whose
  // assignment is lost (its session expired, e.g. while the process was
  // frozen) does not publish, even before its task thread hears of it. A
  // writer that passes this check and then stalls is fenced by the
  // conditional create.
  return [source = source_, key] {
    if (!source->AssignmentLost()) return Status::Ok();
    return Status::Cancelled("upload of " + key.value +
                             " not published: this consumer's partitions were lost");
  };
}

void TaskRunner::CollectUpload(int32_t partition, PartitionState& state) {
  std::shared_ptr<Upload> upload = std::move(state.in_flight);
  state.in_flight.reset();
  if (!upload->result.ok()) {
    if (upload->result.code() == StatusCode::kAlreadyExists && upload->winner) {
      return Adopt(partition, state, *upload);
    }
    // Cancelled by the task (revoke, pause, shutdown): the records stay
    // uncommitted and the partition is released. Anything else drops what is
    // uncommitted and reads it again (Advance): a lost streamed upload, whose
    // parts are no longer in memory; a publish the ownership guard stopped
    // while the partition is still here (the revoke may follow, or the loss
    // was only feared); or a request the store refuses as such, which blocks.
    const bool cancelled_by_task =
        upload->result.code() == StatusCode::kCancelled && upload->cancel.cancelled();
    if (!cancelled_by_task) state.rewind = upload->result;
    return;
  }
  const Segment& seg = upload->segment;
  // Counted before it is logged: whoever reads the log line finds it in the
  // status too.
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.records_archived += seg.records;
    stats_.bytes_archived += upload->bytes;
    stats_.nulls_skipped += seg.dropped_nulls;
    ++stats_.objects_written;
    stats_.last_object_key = upload->key.value;
    stats_.last_object_ms = clock_();
  }
  spdlog::info(
      "event=object_written topic={} bucket={} key={} partition={} first_offset={} "
      "last_offset={} records={} nulls_skipped={} late={} bytes={} reason={} attempts={} "
      "upload_ms={} streamed_parts={} untimed={} future={}",
      spec_.topic, spec_.bucket.name, upload->key.value, partition, seg.first_offset,
      seg.last_offset, seg.records, seg.dropped_nulls, seg.late_records, upload->bytes,
      SealReasonName(seg.reason), upload->attempts, upload->elapsed_ms,
      seg.stream ? seg.stream->parts_added() : 0, seg.untimed_records, seg.future_records);
  if (spec_.observe_upload_seconds) spec_.observe_upload_seconds(upload->elapsed_ms / 1000.0);
  // P1: the offsets are committed only now that the object is durable.
  state.commit_pending = seg.last_offset + 1;
  TryCommit(partition, state);
}

WriteOptions TaskRunner::WriteOptionsFor(const Segment& segment, bool streamed) const {
  WriteOptions write;
  write.if_absent = spec_.create_only;
  ObjectRange range;
  range.first_offset = segment.first_offset;
  range.writer = spec_.writer_id;
  if (!streamed) {
    range.last_offset = segment.last_offset;
    range.records = segment.records;
  }
  write.metadata = range.ToMetadata();
  return write;
}

void TaskRunner::Adopt(int32_t partition, PartitionState& state, const Upload& upload) {
  const int64_t first = upload.segment.first_offset;
  const std::optional<ObjectRange> range = ObjectRange::FromMetadata(upload.winner->metadata);
  // Everything uncommitted of ours is dropped: the winner's object decides
  // where the partition goes on.
  ReleasePartition(partition, state, /*commit=*/true);
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    ++stats_.objects_adopted;
  }
  if (range && range->first_offset != first) {
    return Block(partition, state,
                 Status::FailedPrecondition(
                     "object '" + upload.key.value + "' exists and starts at offset " +
                     std::to_string(range->first_offset) + ", not " + std::to_string(first) +
                     ": another task or a key_template without {first_offset} writes these "
                     "keys; give each task its own key_template"));
  }
  if (!upload.winner_unreadable.ok()) {
    return Block(partition, state,
                 Status::FailedPrecondition(
                     "object '" + upload.key.value + "' exists but is not a readable " +
                     std::string(format_->info().name) + " object (" +
                     upload.winner_unreadable.message() + "); move it out of the way"));
  }
  std::optional<int64_t> last;
  if (range && range->last_offset) last = range->last_offset;
  // A lossless object read back says where it ends.
  if (!last && upload.winner_summary && upload.winner_summary->records > 0 &&
      upload.winner_summary->last_offset >= 0) {
    if (upload.winner_summary->first_offset != first) {
      return Block(partition, state,
                   Status::FailedPrecondition(
                       "object '" + upload.key.value + "' exists and its first record is offset " +
                       std::to_string(upload.winner_summary->first_offset) + ", not " +
                       std::to_string(first) + ": move it out of the way"));
    }
    last = upload.winner_summary->last_offset;
  }
  if (last) {
    spdlog::info(
        "event=object_adopted topic={} key={} partition={} first_offset={} last_offset={} "
        "writer={}",
        spec_.topic, upload.key.value, partition, first, *last, range ? range->writer : "");
    state.commit_pending = *last + 1;
    TryCommit(partition, state);  // Retried by Advance() if it fails.
    state.position = *last + 1;
    state.seeked = true;
    state.at_end = false;
    Status s = source_->Seek(partition, *last + 1);
    if (!s.ok()) Fail(s.WithContext("adopt " + upload.key.value));
    return;
  }
  if (!measure_writer_) {
    return Block(partition, state,
                 Status::FailedPrecondition("object '" + upload.key.value +
                                            "' exists but holds no records to adopt; move it "
                                            "out of the way"));
  }
  // A `text` object without a last offset (streamed, or without kafka2cos
  // metadata): read again from `first` and find where the object ends by
  // its size, uncompressed.
  const uint64_t target =
      upload.winner_summary ? upload.winner_summary->text_bytes : upload.winner->size;
  spdlog::info(
      "event=object_adopt_measuring topic={} key={} partition={} first_offset={} bytes={} "
      "writer={}",
      spec_.topic, upload.key.value, partition, first, target, range ? range->writer : "");
  state.measure = PartitionState::Measure{upload.key, first, target, 0};
  state.position = first;
  state.seeked = true;
  state.at_end = false;
  Status s = source_->Seek(partition, first);
  if (!s.ok()) Fail(s.WithContext("adopt " + upload.key.value));
}

void TaskRunner::MeasureRecord(int32_t partition, PartitionState& state, const RecordView& record) {
  PartitionState::Measure& m = *state.measure;
  if (record.offset != m.next_offset) return;  // Fetched before the seek.
  ++m.next_offset;
  measure_scratch_.clear();
  bool kept = false;
  (void)measure_writer_->Append(record, &measure_scratch_, &kept);  // Text cannot fail.
  m.seen_bytes += measure_scratch_.size();
  if (m.seen_bytes < m.target_bytes) return;
  if (m.seen_bytes > m.target_bytes) {
    const std::string key = m.key.value;
    state.measure.reset();
    return Block(partition, state,
                 Status::FailedPrecondition(
                     "object '" + key +
                     "' exists but no run of this partition's records from "
                     "its first offset encodes to its size: it was written by something else or "
                     "with other settings (format, delimiter); move it out of the way"));
  }
  // The records up to this one are exactly the winner's object. (A null
  // value right after it adds no bytes in the text format, so it goes with
  // the next object: either way its text is the same.)
  spdlog::info("event=object_adopted topic={} key={} partition={} last_offset={} measured_bytes={}",
               spec_.topic, m.key.value, partition, record.offset, m.seen_bytes);
  state.measure.reset();
  state.commit_pending = record.offset + 1;
  TryCommit(partition, state);
}

void TaskRunner::Block(int32_t partition, PartitionState& state, const Status& why) {
  spdlog::error("event=partition_blocked topic={} partition={} error=\"{}\"", spec_.topic,
                partition, LogEscape(why));
  state.blocked = why;
  RecordError(why);
  PublishPartitions();
}

namespace {
constexpr int64_t kIdleMarkRetryMs = 5000;
// Partitions per commit of idle marks (see CommitIdleMarks).
constexpr size_t kMarksPerCommit = 1000;
}  // namespace

std::optional<int64_t> TaskRunner::CompleteBefore(const PartitionState& state, int64_t now) const {
  // Records read from now on are stamped about now (a late one excepted), so
  // no claim goes past the window of the clock minus grace, even when a
  // window opened by a record from the future is what is open.
  const int64_t window = std::max<int64_t>(spec_.policy.window_ms, 1);
  const int64_t clock_bound = WindowStartFor(now - spec_.policy.grace_ms, window);
  std::optional<int64_t> oldest;
  auto consider = [&oldest](int64_t start) { oldest = oldest ? std::min(*oldest, start) : start; };
  if (state.in_flight) consider(state.in_flight->segment.window_start_ms);
  for (const Segment& segment : state.sealed) consider(segment.window_start_ms);
  if (const Segment* open = state.buffer.open_segment()) consider(open->window_start_ms);
  if (oldest) return std::min(*oldest, clock_bound);
  // Holding nothing: complete up to the clock once everything before the
  // position was read and nothing read was dropped unread (pause, block,
  // a measure or rewind in progress).
  if (state.at_end && !paused_ && state.blocked.ok() && state.rewind.ok() && !state.measure) {
    return clock_bound;
  }
  return std::nullopt;
}

std::string TaskRunner::CommitMetadata(PartitionState& state) {
  std::optional<int64_t> mark = CompleteBefore(state, clock_());
  if (!mark) mark = state.committed_mark;
  return mark ? EncodeCommitMark(*mark) : std::string();
}

void TaskRunner::CommitIdleMarks(int64_t now) {
  if (paused_ || failed_.load() || now < idle_marks_retry_at_ms_) return;
  std::vector<OffsetCommit> commits;
  std::vector<std::pair<PartitionState*, int64_t>> marks;
  for (auto& [partition, state] : partitions_) {
    if (state.commit_pending || state.in_flight || !state.sealed.empty() ||
        state.buffer.has_open_window() || !state.at_end || !state.position) {
      continue;
    }
    const std::optional<int64_t> mark = CompleteBefore(state, now);
    if (!mark || (state.committed_mark && *state.committed_mark >= *mark)) continue;
    commits.push_back(OffsetCommit{partition, *state.position, EncodeCommitMark(*mark)});
    marks.emplace_back(&state, *mark);
  }
  // In requests of at most kMarksPerCommit partitions: the group
  // coordinator writes one commit as one record batch, and 8,000 partitions'
  // marks were more than a batch may hold ("Unknown broker error").
  for (size_t from = 0; from < commits.size(); from += kMarksPerCommit) {
    const size_t to = std::min(commits.size(), from + kMarksPerCommit);
    const std::vector<OffsetCommit> chunk(commits.begin() + static_cast<std::ptrdiff_t>(from),
                                          commits.begin() + static_cast<std::ptrdiff_t>(to));
    Status s = source_->Commit(chunk);
    if (!s.ok()) {
      spdlog::warn("event=commit_mark_failed topic={} partitions={} error=\"{}\"", spec_.topic,
                   chunk.size(), LogEscape(s));
      RecordError(s.WithContext("commit"), ErrorKind::kCommit);
      // Marks only tell the manifest writer how far windows are complete:
      // they can wait a few seconds, and a refusing broker is not hammered.
      idle_marks_retry_at_ms_ = now + kIdleMarkRetryMs;
      return;
    }
    for (size_t i = from; i < to; ++i) marks[i].first->committed_mark = marks[i].second;
  }
}

bool TaskRunner::TryCommit(int32_t partition, PartitionState& state) {
  const std::string metadata = CommitMetadata(state);
  Status s = source_->Commit(partition, *state.commit_pending, metadata);
  if (!s.ok()) {
    // The object is durable; until this commit lands no later object of the
    // partition is uploaded, so a crash now only rewrites the same key.
    spdlog::warn("event=commit_failed topic={} partition={} offset={} error=\"{}\"", spec_.topic,
                 partition, *state.commit_pending, LogEscape(s));
    RecordError(s.WithContext("commit"), ErrorKind::kCommit);
    return false;
  }
  state.commit_pending.reset();
  if (auto mark = DecodeCommitMark(metadata)) state.committed_mark = *mark;
  return true;
}

void TaskRunner::FinishUploads(const std::vector<int32_t>& partitions) {
  FinishUploads(partitions, spec_.finish_timeout);
}

void TaskRunner::FinishUploads(const std::vector<int32_t>& partitions,
                               std::chrono::milliseconds finish_timeout) {
  // One deadline for all partitions, and all cancellations at once, so a
  // stop or revoke with many stuck uploads takes finish_timeout plus one
  // request timeout, not that much per partition.
  const auto deadline = std::chrono::steady_clock::now() + finish_timeout;
  std::vector<std::pair<int32_t, std::shared_ptr<Upload>>> uploads;
  for (int32_t p : partitions) {
    auto it = partitions_.find(p);
    if (it != partitions_.end() && it->second.in_flight) {
      uploads.emplace_back(p, it->second.in_flight);
    }
  }
  for (auto& [p, upload] : uploads) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    upload->WaitDone(std::max(left, std::chrono::milliseconds(0)));
  }
  for (auto& [p, upload] : uploads) upload->Cancel();
  for (auto& [p, upload] : uploads) {
    // The attempt in progress ends within the store's request timeout.
    while (!upload->WaitDone(std::chrono::seconds(5))) {
      spdlog::warn("event=waiting_for_upload topic={} partition={} key={}", spec_.topic, p,
                   upload->key.value);
    }
  }
}

void TaskRunner::ReleasePartition(int32_t partition, PartitionState& state, bool commit) {
  if (state.in_flight) {
    FinishUploads({partition});  // Immediate when the caller already did.
    if (commit) {
      CollectUpload(partition, state);
    } else {
      state.in_flight.reset();
    }
  }
  if (commit && state.commit_pending) TryCommit(partition, state);
  state.commit_pending.reset();
  // Parts of windows that will not be published are aborted, not left behind.
  for (Segment& seg : state.sealed) {
    if (seg.stream) seg.stream->Cancel();
  }
  if (state.open_stream) state.open_stream->Cancel();
  state.open_stream.reset();
  state.sealed.clear();
  state.buffer.Clear();
  state.rewind = Status::Ok();
  state.measure.reset();
}

void TaskRunner::SetPaused(bool paused) {
  if (paused == paused_) return;
  paused_ = paused;
  spdlog::info("event={} topic={} partitions={}", paused ? "task_paused" : "task_resumed",
               spec_.topic, partitions_.size());
  if (paused) FinishUploads(AssignedPartitions());
  for (auto& [partition, state] : partitions_) {
    if (paused) {
      ReleasePartition(partition, state, /*commit=*/true);
    } else {
      // Resuming is how an operator says "try again" to a blocked partition.
      state.blocked = Status::Ok();
      state.position.reset();
      state.seeked = true;
      state.at_end = false;
      Status s = source_->SeekToCommitted(partition);
      if (!s.ok()) {
        // Without the seek, records dropped during the pause would be
        // skipped; stop rather than lose them (a restart resumes correctly).
        return Fail(s.WithContext("resume"));
      }
    }
    Advance(partition, state);
  }
  PublishPartitions();
}

void TaskRunner::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  FinishUploads(AssignedPartitions());
  for (auto& [partition, state] : partitions_) {
    ReleasePartition(partition, state, true);
    spdlog::info("event=partition_released topic={} partition={} reason=shutdown", spec_.topic,
                 partition);
  }
  partitions_.clear();
  PublishPartitions();
}

void TaskRunner::RecordError(const Status& status, ErrorKind kind) {
  // Also called on upload threads: the real clock, not the injected one.
  const int64_t now = SystemNowMs();
  std::lock_guard<std::mutex> lock(stats_mu_);
  if (kind == ErrorKind::kUploadAttempt) ++stats_.upload_failures;
  if (kind == ErrorKind::kCommit) ++stats_.commit_failures;
  ++stats_.errors_by_kind[StatusCodeName(status.code())];
  stats_.last_error = status.ToString();
  stats_.last_error_ms = now;
}

TaskStats TaskRunner::stats() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return stats_;
}

std::vector<int32_t> TaskRunner::AssignedPartitions() const {
  std::vector<int32_t> ids;
  for (const auto& [partition, state] : partitions_) ids.push_back(partition);
  return ids;
}

size_t TaskRunner::uncommitted_objects() const {
  size_t n = 0;
  for (const auto& [partition, state] : partitions_) {
    n += (state.in_flight ? 1 : 0) + (state.commit_pending ? 1 : 0);
  }
  return n;
}

}  // namespace k2c
