// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "archive/replay.h"

#include <nlohmann/json.hpp>

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
  for (const ArchivedObject& object : objects) {
    auto next = at.next_offsets.find(object.partition);
    // Whole objects before the checkpoint are not even read.
    if (next != at.next_offsets.end() && object.last_offset && *object.last_offset < next->second) {
      stats.skipped += object.records.value_or(0);
      continue;
    }
    auto bytes = ReadObject(source, object);
    if (!bytes.ok()) return bytes.status();
    int64_t index = 0;
    Status replayed = DecodeObject(
        object, *bytes, source.text_delimiter(), [&](const DecodedRecord& record) -> Status {
          // Text keeps no offsets: a record's place in its object stands in.
          const int64_t offset = record.offset >= 0 ? record.offset : object.first_offset + index;
          ++index;
          int64_t& next_offset = at.next_offsets.try_emplace(object.partition, 0).first->second;
          if (offset < next_offset) {
            ++stats.skipped;
            return Status::Ok();
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
            return commit(false);
          }
          return Status::Ok();
        });
    if (!replayed.ok()) return replayed;
  }
  K2C_RETURN_IF_ERROR(commit(true));
  return stats;
}

}  // namespace k2c
