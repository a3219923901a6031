// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "sink/key_template.h"
#include "storage/object_store.h"

namespace k2c {

// Where one task's archive lives and how its keys read back.
struct ArchiveLocation {
  Bucket bucket;
  KeyTemplate key_template;
  KeyConstants constants;
  // The task's window: a range starting inside a window includes that
  // window's objects.
  int64_t window_ms = 5 * 60'000;
  // The format objects have when the template has no {ext} to say it.
  std::string default_format = "text";
  std::string default_compression;
};

// One archived object, as its key, listing and metadata describe it.
struct ArchivedObject {
  ObjectKey key;
  int32_t partition = 0;
  int64_t first_offset = 0;
  // From the key; see ParsedKey for templates whose time fields are coarse.
  int64_t window_start_ms = 0;
  // Known from the object's metadata, a manifest or a read; a streamed
  // object's metadata has neither (docs/archive.md).
  std::optional<int64_t> last_offset;
  std::optional<uint64_t> records;
  uint64_t size = 0;
  std::string format;       // "text", "jsonl", "avro", "parquet".
  std::string compression;  // text/jsonl: from the extension; "" for the others.
};

// Which objects: windows overlapping [from_ms, to_ms) (either bound may be
// left open), of one partition or all.
struct ArchiveQuery {
  std::optional<int64_t> from_ms;
  std::optional<int64_t> to_ms;
  std::optional<int32_t> partition;
};

// The query of a read command or endpoint from its `from` and `to` time
// specs (ParseTimeSpec; `from_name`/`to_name` name them in errors). When
// `from` is given without `to`, or `bounded`, `to` is a day after `now_ms`, so
// the listing asks only for the prefixes of the range (see
// KeyTemplate::ListingPrefixes); windows ahead of the clock are rare.
// InvalidArgument naming the parameter, or for `from` not before `to`.
Result<ArchiveQuery> MakeArchiveQuery(const std::optional<std::string>& from,
                                      const std::optional<std::string>& to,
                                      std::optional<int32_t> partition, int64_t now_ms,
                                      bool bounded, const std::string& from_name,
                                      const std::string& to_name);

struct ArchivePage {
  std::vector<ArchivedObject> objects;
  std::string cursor;  // Empty when the listing is complete.
};

// Lists a task's objects by time range and partition without walking the
// whole bucket: the key template gives the prefixes to list
// (KeyTemplate::ListingPrefixes) and reads each key back (Match), so other
// keys in the bucket (another task, manifests, stray files) are skipped.
// Thread-compatible; `store` must outlive the index.
class ArchiveIndex {
 public:
  ArchiveIndex(ObjectStore* store, ArchiveLocation location);

  // One page of at most `max_objects`, in key order within each listed
  // prefix; pass the returned `cursor` to continue (an opaque string, valid
  // for the same query). A page may hold fewer (even none) before the end:
  // only an empty cursor ends the listing. InvalidArgument for a cursor of
  // another query.
  Result<ArchivePage> List(const ArchiveQuery& query, const std::string& cursor,
                           size_t max_objects = 1000) const;

  // Every object of the query, ordered by partition, first offset.
  Result<std::vector<ArchivedObject>> ListAll(const ArchiveQuery& query) const;

  // Fills `last_offset` and `records` from the object's metadata (one HEAD);
  // leaves them empty when the metadata does not say. NotFound if the object
  // is gone.
  Status Describe(ArchivedObject* object) const;

  // The object `key` names when it is one of this task's keys (size and
  // offsets beyond the key unknown), else nullopt.
  std::optional<ArchivedObject> Identify(const ObjectKey& key) const;

  // The listing prefixes of `query` (for tests and `--explain` output).
  std::vector<std::string> Prefixes(const ArchiveQuery& query) const;

  const ArchiveLocation& location() const { return location_; }
  ObjectStore* store() const { return store_; }

 private:
  // The object `info` names, if its key is one of this task's.
  std::optional<ArchivedObject> Parse(const ObjectInfo& info, const ArchiveQuery& query) const;

  ObjectStore* store_;
  ArchiveLocation location_;
  std::vector<std::string> extensions_;
};

}  // namespace k2c
