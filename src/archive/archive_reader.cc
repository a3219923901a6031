// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "archive/archive_reader.h"

#include <algorithm>

namespace k2c {

Result<std::string> ReadObject(ArchiveSource& source, const ArchivedObject& object,
                               uint64_t piece_bytes) {
  if (object.size > kMaxReadObjectBytes) {
    return Status::ResourceExhausted("object " + object.key.value + " holds " +
                                     std::to_string(object.size) +
                                     " bytes, more than the reader decodes in memory (" +
                                     std::to_string(kMaxReadObjectBytes) + "); use `get`");
  }
  std::string bytes;
  bytes.reserve(object.size);
  piece_bytes = std::max<uint64_t>(piece_bytes, 1);
  while (bytes.size() < object.size) {
    auto piece = source.ReadRange(object.key, bytes.size(),
                                  std::min<uint64_t>(piece_bytes, object.size - bytes.size()));
    if (!piece.ok()) return piece.status().WithContext("read " + object.key.value);
    if (piece->empty()) {
      return Status::DataLoss("object " + object.key.value + " ends after " +
                              std::to_string(bytes.size()) + " bytes; it was listed with " +
                              std::to_string(object.size));
    }
    bytes += *piece;
  }
  return bytes;
}

Status DecodeObject(const ArchivedObject& object, std::string_view bytes,
                    const std::string& delimiter, const RecordVisitor& visit) {
  FormatSettings settings;
  settings.format = object.format;
  // Avro and Parquet name their codec inside the object; the format's
  // default is as good as any to read them.
  settings.compression = object.compression;
  settings.delimiter = delimiter;
  auto format = MakeFormat(settings);
  if (!format.ok()) return format.status().WithContext("object " + object.key.value);
  Status read = (*format)->Read(bytes, ReadLimits{}, visit);
  if (!read.ok()) return read.WithContext("object " + object.key.value);
  return Status::Ok();
}

BorrowedRecord::BorrowedRecord(const DecodedRecord& record) {
  headers_.reserve(record.headers.size());
  for (const DecodedHeader& header : record.headers) {
    HeaderView view;
    view.key = header.key;
    if (header.value) view.value = std::string_view(*header.value);
    headers_.push_back(view);
  }
  view_.partition = record.partition;
  view_.offset = record.offset;
  view_.timestamp_ms = record.timestamp_ms;
  view_.timestamp_type = record.timestamp_type;
  if (record.key) view_.key = std::string_view(*record.key);
  if (record.value) view_.value = std::string_view(*record.value);
  view_.headers = headers_;
}

StoreArchive::StoreArchive(ObjectStore* store, ArchiveLocation location, std::string text_delimiter)
    : index_(store, std::move(location)), delimiter_(std::move(text_delimiter)) {}

Result<std::vector<ArchivedObject>> StoreArchive::List(const ArchiveQuery& query) {
  auto objects = index_.ListAll(query);
  if (!objects.ok()) return objects.status();
  for (ArchivedObject& object : *objects) {
    Status described = index_.Describe(&object);
    // Deleted between the listing and now: leave it out, as a listing a
    // moment later would.
    if (described.code() == StatusCode::kNotFound) {
      object.size = UINT64_MAX;
      continue;
    }
    if (!described.ok()) return described;
  }
  std::erase_if(*objects, [](const ArchivedObject& o) { return o.size == UINT64_MAX; });
  return objects;
}

Result<std::string> StoreArchive::ReadRange(const ObjectKey& key, uint64_t offset,
                                            uint64_t length) {
  return index_.store()->GetObjectRange(index_.location().bucket, key, offset, length);
}

}  // namespace k2c
