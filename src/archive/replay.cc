// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "archive/replay.h"

#include <pthread.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "format/bounded_json.h"

namespace k2c {

using nlohmann::json;

std::string EncodeReplayCheckpoint(const ReplayCheckpoint& checkpoint) {
  json next = json::object();
  for (const auto& [partition, offset] : checkpoint.next_offsets) {
    next[std::to_string(partition)] = offset;
  }
  return json{{"version", 1}, {"next_offsets", next}, {"done", checkpoint.done}}.dump();
}

Result<ReplayCheckpoint> DecodeReplayCheckpoint(std::string_view text) {
  auto parsed = ParseJsonBounded(text, 4);
  const Status bad = Status::InvalidArgument("not a kafka2cos replay checkpoint");
  if (!parsed.ok() || !parsed->is_object()) return bad;
  auto version = parsed->find("version");
  auto next = parsed->find("next_offsets");
  auto done = parsed->find("done");
  if (version == parsed->end() || *version != 1 || next == parsed->end() || !next->is_object() ||
      done == parsed->end() || !done->is_boolean()) {
    return bad;
  }
  ReplayCheckpoint checkpoint;
  checkpoint.done = done->get<bool>();
  for (const auto& [partition, offset] : next->items()) {
    if (!offset.is_number_integer()) return bad;
    try {
      checkpoint.next_offsets[std::stoi(partition)] = offset.get<int64_t>();
    } catch (const std::exception&) {
      return bad;
    }
  }
  return checkpoint;
}

namespace {

// The memory a decoded record takes, roughly: what bounds the read-ahead.
uint64_t DecodedBytes(const DecodedRecord& record) {
  uint64_t bytes = sizeof(DecodedRecord) + (record.key ? record.key->size() : 0) +
                   (record.value ? record.value->size() : 0);
  for (const DecodedHeader& h : record.headers) {
    bytes += sizeof(DecodedHeader) + h.key.size() + (h.value ? h.value->size() : 0);
  }
  return bytes;
}

// Reads and decodes objects on a thread of its own ("replay-read") while
// the records before them are produced: a commit waits for the broker, and
// reading would otherwise wait for the commit. At most `ahead_bytes` of
// decoded records wait in between (bounded memory, beside the one object
// being read). The destructor stops and joins the thread, however the
// replay ends. The waits have no timeout: each side waits only for the
// other, which is either working (the store and Kafka calls have theirs) or
// done.
class ReadAhead {
 public:
  struct Batch {
    size_t object = 0;        // Index into the objects.
    int64_t first_index = 0;  // Place of records[0] in its object.
    std::vector<DecodedRecord> records;
    uint64_t bytes = 0;
  };
  static constexpr uint64_t kBatchBytes = 256u << 10;

  // Reads objects[i] for each i of `order`, in that order.
  ReadAhead(ArchiveSource& source, const std::vector<ArchivedObject>& objects,
            std::vector<size_t> order, uint64_t ahead_bytes)
      : source_(source),
        objects_(objects),
        order_(std::move(order)),
        ahead_bytes_(ahead_bytes),
        thread_([this] { Run(); }) {}
  ~ReadAhead() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // The next batch in order, nullopt after the last, or why reading failed
  // (after every batch read before the failure).
  Result<std::optional<Batch>> Next() {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [this] { return !queue_.empty() || finished_; });
    if (queue_.empty()) {
      if (!status_.ok()) return status_;
      return std::optional<Batch>();
    }
    Batch batch = std::move(queue_.front());
    queue_.pop_front();
    queued_bytes_ -= batch.bytes;
    changed_.notify_all();
    return std::optional<Batch>(std::move(batch));
  }

 private:
  void Run() {
    pthread_setname_np(pthread_self(), "replay-read");
    Status status = ReadAll();
    std::lock_guard lock(mu_);
    finished_ = true;
    status_ = std::move(status);
    changed_.notify_all();
  }

  Status ReadAll() {
    for (size_t i : order_) {
      auto bytes = ReadObject(source_, objects_[i]);
      if (!bytes.ok()) return bytes.status();
      Batch batch{i, 0, {}, 0};
      int64_t index = 0;
      K2C_RETURN_IF_ERROR(DecodeObject(objects_[i], *bytes, source_.text_delimiter(),
                                       [&](DecodedRecord& record) -> Status {
                                         ++index;
                                         batch.bytes += DecodedBytes(record);
                                         batch.records.push_back(std::move(record));
                                         if (batch.bytes < kBatchBytes) return Status::Ok();
                                         return Push(batch, i, index);
                                       }));
      K2C_RETURN_IF_ERROR(Push(batch, i, index));
    }
    return Status::Ok();
  }

  // Hands `batch` over (when it holds records) and starts the next one at
  // `next_index` of object `object`; Cancelled once the replay has ended.
  Status Push(Batch& batch, size_t object, int64_t next_index) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] {
      return closed_ || queued_bytes_ == 0 || queued_bytes_ + batch.bytes <= ahead_bytes_;
    });
    if (closed_) return Status::Cancelled("the replay ended");
    if (!batch.records.empty()) {
      queued_bytes_ += batch.bytes;
      queue_.push_back(std::move(batch));
      changed_.notify_all();
    }
    batch = Batch{object, next_index, {}, 0};
    return Status::Ok();
  }

  ArchiveSource& source_;
  const std::vector<ArchivedObject>& objects_;
  const std::vector<size_t> order_;
  const uint64_t ahead_bytes_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Batch> queue_;
  uint64_t queued_bytes_ = 0;
  bool closed_ = false;
  bool finished_ = false;
  Status status_;
  std::thread thread_;  // Last: started once everything it uses is.
};

}  // namespace

Result<ReplayStats> ReplayObjects(ArchiveSource& source, const std::vector<ArchivedObject>& objects,
                                  ReplayCheckpoint start, ReplaySink& sink,
                                  const ReplayOptions& options,
                                  const std::function<void(const ReplayStats&)>& progress) {
  ReplayStats stats;
  ReplayCheckpoint at = std::move(start);
  at.done = false;
  uint64_t batch_records = 0, batch_bytes = 0;
  bool open = false;
  auto commit = [&](bool done) -> Status {
    if (!open) K2C_RETURN_IF_ERROR(sink.Begin());
    at.done = done;
    K2C_RETURN_IF_ERROR(sink.Commit(EncodeReplayCheckpoint(at)));
    open = false;
    ++stats.transactions;
    batch_records = batch_bytes = 0;
    if (progress) progress(stats);
    return Status::Ok();
  };
  // Whole objects before the checkpoint are not even read. The partitions
  // are spread over up to kLanes readers and produced from in turn: the
  // producer's requests then carry several partitions' batches, which the
  // broker appends faster than one partition at a time (~20% here).
  constexpr size_t kLanes = 4;
  constexpr uint64_t kAheadBytes = 16u << 20;
  std::vector<std::vector<size_t>> lane_objects;
  std::map<int32_t, size_t> lane_of;
  for (size_t i = 0; i < objects.size(); ++i) {
    auto next = at.next_offsets.find(objects[i].partition);
    if (next != at.next_offsets.end() && objects[i].last_offset &&
        *objects[i].last_offset < next->second) {
      stats.skipped += objects[i].records.value_or(0);
      continue;
    }
    const size_t lane =
        lane_of.try_emplace(objects[i].partition, lane_of.size() % kLanes).first->second;
    if (lane == lane_objects.size()) lane_objects.emplace_back();
    lane_objects[lane].push_back(i);
  }
  std::vector<std::unique_ptr<ReadAhead>> lanes;
  for (std::vector<size_t>& order : lane_objects) {
    lanes.push_back(std::make_unique<ReadAhead>(source, objects, std::move(order),
                                                kAheadBytes / lane_objects.size()));
  }
  std::vector<bool> finished(lanes.size(), false);
  for (size_t turn = 0, left = lanes.size(); left > 0; ++turn) {
    const size_t lane = turn % lanes.size();
    if (finished[lane]) continue;
    auto next = lanes[lane]->Next();
    if (!next.ok()) return next.status();
    if (!*next) {
      finished[lane] = true;
      --left;
      continue;
    }
    const ReadAhead::Batch& batch = **next;
    const ArchivedObject& object = objects[batch.object];
    int64_t& next_offset = at.next_offsets.try_emplace(object.partition, 0).first->second;
    int64_t index = batch.first_index;
    for (const DecodedRecord& record : batch.records) {
      // Text keeps no offsets: a record's place in its object stands in.
      const int64_t offset = record.offset >= 0 ? record.offset : object.first_offset + index;
      ++index;
      if (offset < next_offset) {
        ++stats.skipped;
        continue;
      }
      if (!open) {
        K2C_RETURN_IF_ERROR(sink.Begin());
        open = true;
      }
      BorrowedRecord view(record);
      K2C_RETURN_IF_ERROR(
          sink.Produce(options.same_partitions ? object.partition : -1, view.view()));
      next_offset = offset + 1;
      const uint64_t size =
          (record.key ? record.key->size() : 0) + (record.value ? record.value->size() : 0);
      ++stats.records;
      stats.bytes += size;
      ++batch_records;
      batch_bytes += size;
      if (batch_records >= options.batch_records || batch_bytes >= options.batch_bytes) {
        K2C_RETURN_IF_ERROR(commit(false));
      }
    }
  }
  K2C_RETURN_IF_ERROR(commit(true));
  return stats;
}

}  // namespace k2c
