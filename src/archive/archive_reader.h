// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "archive/archive_index.h"
#include "common/status.h"
#include "format/format.h"
#include "format/record.h"

namespace k2c {

// Where the read commands (ls, cat, get, verify, replay) find a task's
// archive: the store itself, with the worker's config and credentials
// (StoreArchive), or a worker's API for an operator without them.
class ArchiveSource {
 public:
  virtual ~ArchiveSource() = default;

  // The objects of `query`, ordered by partition then first offset, with
  // their last offset and record count where the store's metadata says them.
  virtual Result<std::vector<ArchivedObject>> List(const ArchiveQuery& query) = 0;

  // The bytes [offset, offset + length) of an object, fewer at its end.
  virtual Result<std::string> ReadRange(const ObjectKey& key, uint64_t offset, uint64_t length) = 0;

  // The delimiter that ends each value in the task's `text` objects.
  virtual std::string text_delimiter() const = 0;
};

// The most an object may hold for ReadObject: cat and replay decode an
// object in memory (objects are cut at max_object_bytes, 64 MiB by default).
inline constexpr uint64_t kMaxReadObjectBytes = 4ull << 30;

// Reads a whole object through `source` in pieces of `piece_bytes` (so a
// worker's API streams it in bounded requests). DataLoss if the object is
// shorter than listed (it changed or was cut while read).
Result<std::string> ReadObject(ArchiveSource& source, const ArchivedObject& object,
                               uint64_t piece_bytes = 8ull << 20);

// Decodes `bytes`, the content of `object`, calling `visit` per record.
// `text` objects are split at `delimiter`.
Status DecodeObject(const ArchivedObject& object, std::string_view bytes,
                    const std::string& delimiter, const RecordVisitor& visit);

// A RecordView borrowing a DecodedRecord, for writers and producers that
// take views. The record must outlive it.
class BorrowedRecord {
 public:
  explicit BorrowedRecord(const DecodedRecord& record);
  BorrowedRecord(const BorrowedRecord&) = delete;
  BorrowedRecord& operator=(const BorrowedRecord&) = delete;
  const RecordView& view() const { return view_; }

 private:
  std::vector<HeaderView> headers_;
  RecordView view_;
};

// The archive as the store holds it, read with the worker's credentials.
class StoreArchive final : public ArchiveSource {
 public:
  // `store` must outlive this.
  StoreArchive(ObjectStore* store, ArchiveLocation location, std::string text_delimiter);

  Result<std::vector<ArchivedObject>> List(const ArchiveQuery& query) override;
  Result<std::string> ReadRange(const ObjectKey& key, uint64_t offset, uint64_t length) override;
  std::string text_delimiter() const override { return delimiter_; }

  const ArchiveIndex& index() const { return index_; }

 private:
  ArchiveIndex index_;
  std::string delimiter_;
};

}  // namespace k2c
