// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
// The `parquet` format: one Parquet file per object, with the envelope of
// the `jsonl` format as columns (docs/formats.md):
//
//   topic           string, dictionary-encoded     not null
//   partition       int32                          not null
//   offset          int64                          not null
//   timestamp       timestamp(ms, "UTC")           null when the record has none
//   timestamp_type  string ("create", "log_append")  null when the record has none
//   key             binary                         null for a null key
//   value           binary                         null for a null value (tombstone)
//   headers         list<element: struct<key: string not null, value: binary>>  not null
//                   (an empty list when the record has none; order and duplicates kept)
//
// In Parquet terms (what Arrow's own writer makes of that Arrow schema):
//   required binary topic (STRING); required int32 partition; required int64 offset;
//   optional int64 timestamp (TIMESTAMP(MILLIS, true)); optional binary timestamp_type
//   (STRING); optional binary key; optional binary value; required group headers (LIST)
//   { repeated group list { required group element { required binary key (STRING);
//   optional binary value; } } }
// The Arrow schema is also stored in the footer (key "ARROW:schema", as Arrow's
// FileWriter does), so that pyarrow reads `topic` back as a dictionary.
//
// Header keys are strings here (as in Avro): a key that is not valid UTF-8
// is refused with a message pointing at `jsonl`, which keeps any bytes.
//
// Writer. Many writers are open at once (one per partition's open window)
// and each holds at most one row group of records, so it uses the low-level
// parquet::ParquetFileWriter instead of parquet::arrow::FileWriter:
//  - Records are kept in a RowGroupBuffer: their bytes in an arena of
//    chunks that never move (no doubling copies of a 16 MiB buffer, and the
//    parquet::ByteArray pointers into it stay valid), and the levels and
//    fixed-size values in vectors that WriteBatch takes as they are. Its
//    size is known exactly, so buffered_bytes() is honest, and it is freed
//    after each row group: an idle writer holding one record costs a few
//    KiB, not a set of Arrow builders.
//  - A row group is written column by column straight to the output
//    (unbuffered row group) and closed at once, so Flush() emits all of it.
//    Arrow's FileWriter either encodes the whole row group into memory
//    first (WriteRecordBatch: a second copy of the row group) or keeps its
//    last column chunk open until the next row group or Close (WriteTable),
//    so a Flush could not free it.
//  - Byte columns are handed to WriteBatch in slices of ~256 KiB: Parquet
//    checks the page size only between batches, and its default batch of
//    1024 values would let one page (and its compressed copy) grow to 1024
//    large values.
//  - The ParquetFileWriter itself (which writes the "PAR1" magic when it is
//    made) is opened with the first row group, so a writer that never cut
//    one holds no Parquet state at all.
// Peak memory while a row group is written: the RowGroupBuffer, plus ~4 MiB
// for the page being made (Arrow's encoder buffer, grown by doubling past
// the 1 MiB page size, its copy and the compressed copy; measured by
// ParquetFormat.MemoryStaysWithinOneRowGroup), or ~3 times a value larger
// than a page. All of it is freed before the call returns.
//
// Reader. The object is read in place (arrow::io::BufferReader over the
// caller's bytes), row group by row group in batches of kReadBatchRows rows;
// the footer's offsets and sizes are checked against the object and the
// limits before any page is read, Thrift sizes are bounded by the object's
// size, and every buffer Arrow allocates comes from a pool capped by the
// limits, so a hostile object fails instead of allocating without bound.
#include <arrow/array.h>
#include <arrow/buffer.h>
#include <arrow/io/interfaces.h>
#include <arrow/io/memory.h>
#include <arrow/ipc/writer.h>
#include <arrow/memory_pool.h>
#include <arrow/record_batch.h>
#include <arrow/type.h>
#include <arrow/util/base64.h>
#include <arrow/util/compression.h>
#include <arrow/util/key_value_metadata.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>
#include <parquet/column_writer.h>
#include <parquet/exception.h>
#include <parquet/file_reader.h>
#include <parquet/file_writer.h>
#include <parquet/metadata.h>
#include <parquet/properties.h>
#include <parquet/schema.h>
#include <parquet/types.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "format/format_factories.h"
#include "format/text_codec.h"

namespace k2c {
namespace {

constexpr std::string_view kMagic = "PAR1";

// The leaf columns, in schema order: the order NextColumn() yields them.
enum Leaf {
  kTopic,
  kPartition,
  kOffset,
  kTimestamp,
  kTimestampType,
  kKey,
  kValue,
  kHeaderKey,
  kHeaderValue,
  kLeafCount
};

struct LeafLayout {
  std::string_view path;
  parquet::Type::type type;
  int16_t max_def;
  int16_t max_rep;
};

// What the Arrow schema below must turn into; checked once per Format, so
// that the levels the writer computes by hand match the file's schema.
constexpr std::array<LeafLayout, kLeafCount> kLeaves = {{
    {"topic", parquet::Type::BYTE_ARRAY, 0, 0},
    {"partition", parquet::Type::INT32, 0, 0},
    {"offset", parquet::Type::INT64, 0, 0},
    {"timestamp", parquet::Type::INT64, 1, 0},
    {"timestamp_type", parquet::Type::BYTE_ARRAY, 1, 0},
    {"key", parquet::Type::BYTE_ARRAY, 1, 0},
    {"value", parquet::Type::BYTE_ARRAY, 1, 0},
    {"headers.list.element.key", parquet::Type::BYTE_ARRAY, 1, 1},
    {"headers.list.element.value", parquet::Type::BYTE_ARRAY, 2, 1},
}};

// Top-level fields of the Arrow schema.
enum Field {
  kFieldTopic,
  kFieldPartition,
  kFieldOffset,
  kFieldTimestamp,
  kFieldTimestampType,
  kFieldKey,
  kFieldValue,
  kFieldHeaders,
  kFieldCount
};

std::shared_ptr<arrow::DataType> HeaderType() {
  return arrow::struct_({arrow::field("key", arrow::utf8(), /*nullable=*/false),
                         arrow::field("value", arrow::binary())});
}

std::shared_ptr<arrow::Schema> EnvelopeSchema() {
  return arrow::schema({
      arrow::field("topic", arrow::dictionary(arrow::int32(), arrow::utf8()), false),
      arrow::field("partition", arrow::int32(), false),
      arrow::field("offset", arrow::int64(), false),
      arrow::field("timestamp", arrow::timestamp(arrow::TimeUnit::MILLI, "UTC")),
      arrow::field("timestamp_type", arrow::utf8()),
      arrow::field("key", arrow::binary()),
      arrow::field("value", arrow::binary()),
      // "element": the name the Parquet spec (and Arrow's writer) gives it.
      arrow::field("headers", arrow::list(arrow::field("element", HeaderType(), false)), false),
  });
}

// A Parquet BYTE_ARRAY length is 32 bits and a page is at most 2 GiB: keep
// one value well below, so that its page (with the lengths) fits.
constexpr uint64_t kMaxValueBytes = (1ull << 31) - (1ull << 20);

// Bytes of bookkeeping per record and per header in RowGroupBuffer, charged
// with the records' bytes against row_group_bytes: what the row group holds
// in memory, so that tiny records cannot make it much larger than the bound.
constexpr uint64_t kRecordOverhead = sizeof(int32_t) + 2 * sizeof(int64_t) + 4 * sizeof(int16_t) +
                                     3 * sizeof(parquet::ByteArray) + 2 * sizeof(int16_t);
constexpr uint64_t kHeaderOverhead = 2 * sizeof(parquet::ByteArray) + 3 * sizeof(int16_t);

// Estimated heap an open ParquetFileWriter keeps between row groups (schema
// descriptor, properties, metadata builder), and per row group written: the
// footer's metadata of its 9 column chunks (Thrift structs with statistics
// and size statistics, ~850 bytes each) and its page index (~550 bytes per
// column chunk, plus an entry per page), all kept until Finish writes the
// footer. Measured with mallinfo2 by ParquetFormat.BufferedBytesIsHonest.
constexpr uint64_t kOpenFileBytes = 6 << 10;
constexpr uint64_t kRowGroupMetadataBytes = 13 << 10;
constexpr uint64_t kPageMetadataBytes = 64;
// Arrow's defaults, which the writer keeps: a page ends at 1 MiB of values
// or 20000 rows.
constexpr uint64_t kPageBytes = parquet::kDefaultDataPageSize;
constexpr uint64_t kPageRows = parquet::kDefaultMaxRowsPerPage;
// What malloc takes for an allocation of `n` bytes (glibc: an 8-byte header,
// 16-byte granules, 32 bytes at least): for honest estimates of small ones.
constexpr uint64_t HeapBytes(uint64_t n) {
  return n == 0 ? 0 : std::max<uint64_t>(32, (n + 8 + 15) & ~uint64_t{15});
}

// Bytes of one slice of a byte column handed to WriteBatch (see above).
constexpr uint64_t kSliceBytes = 256 << 10;
constexpr int64_t kSliceValues = 1024;

constexpr int64_t kReadBatchRows = 1024;

// ---------------------------------------------------------------------------
// Writer.

// The output stream the Parquet writer writes to: appends to the caller's
// string of the current Append/Flush/Finish call. Between calls there is no
// target and a write is an error (the writer never writes then).
class StringSink final : public arrow::io::OutputStream {
 public:
  void set_target(std::string* target) { target_ = target; }

  arrow::Status Write(const void* data, int64_t nbytes) override {
    if (target_ == nullptr) {
      return arrow::Status::Invalid("parquet: write outside Append, Flush or Finish");
    }
    try {
      target_->append(static_cast<const char*>(data), static_cast<size_t>(nbytes));
    } catch (const std::bad_alloc&) {
      // Not through Arrow's code as an exception: it expects Status.
      return arrow::Status::OutOfMemory("parquet: appending ", nbytes, " bytes");
    }
    position_ += nbytes;
    return arrow::Status::OK();
  }
  arrow::Status Close() override {
    closed_ = true;
    return arrow::Status::OK();
  }
  arrow::Result<int64_t> Tell() const override { return position_; }
  bool closed() const override { return closed_; }

 private:
  std::string* target_ = nullptr;
  int64_t position_ = 0;
  bool closed_ = false;
};

// Points `sink` at `out` for the duration of one call.
class TargetScope {
 public:
  TargetScope(StringSink* sink, std::string* out) : sink_(sink) {
    if (sink_ != nullptr) sink_->set_target(out);
  }
  ~TargetScope() {
    if (sink_ != nullptr) sink_->set_target(nullptr);
  }
  TargetScope(const TargetScope&) = delete;
  TargetScope& operator=(const TargetScope&) = delete;

 private:
  StringSink* sink_;
};

// Copies of the records' bytes, in chunks that never move or grow, so that
// the ByteArrays pointing into them stay valid and growth copies nothing.
// Small values share chunks of 1 KiB doubling to 1 MiB (what an idle writer
// holds starts small); a value over a quarter of a chunk gets its own
// allocation, so at most a quarter of a full-size chunk is left unused.
class ByteArena {
 public:
  parquet::ByteArray Add(std::string_view bytes) {
    // Never a null pointer, even for an empty value: encoders memcpy from it.
    static const uint8_t kEmpty = 0;
    if (bytes.empty()) return parquet::ByteArray(0, &kEmpty);
    const size_t size = bytes.size();
    uint8_t* at;
    if (size > kMaxChunk / 4) {
      at = NewChunk(size);
    } else {
      if (size > left_) {
        next_ = NewChunk(std::max(next_chunk_, size));
        left_ = std::max(next_chunk_, size);
        next_chunk_ = std::min(next_chunk_ * 2, kMaxChunk);
      }
      at = next_;
      next_ += size;
      left_ -= size;
    }
    std::memcpy(at, bytes.data(), size);
    return parquet::ByteArray(static_cast<uint32_t>(size), at);
  }

  uint64_t allocated() const {
    return allocated_ + HeapBytes(chunks_.capacity() * sizeof(chunks_[0]));
  }

 private:
  static constexpr size_t kFirstChunk = 1 << 10;
  static constexpr size_t kMaxChunk = 1 << 20;

  uint8_t* NewChunk(size_t size) {
    chunks_.push_back(std::make_unique_for_overwrite<uint8_t[]>(size));
    allocated_ += HeapBytes(size);
    return chunks_.back().get();
  }

  std::vector<std::unique_ptr<uint8_t[]>> chunks_;
  uint8_t* next_ = nullptr;
  size_t left_ = 0;
  size_t next_chunk_ = kFirstChunk;
  uint64_t allocated_ = 0;
};

template <typename T>
uint64_t VectorBytes(const std::vector<T>& v) {
  return HeapBytes(v.capacity() * sizeof(T));
}

// The records of the row group being gathered, column by column, in the
// form WriteBatch takes: definition (and repetition) levels per entry and
// the non-null values only.
struct RowGroupBuffer {
  ByteArena bytes;
  std::vector<int32_t> partitions;
  std::vector<int64_t> offsets;
  std::vector<int16_t> timestamp_defs;  // 1: timestamp and timestamp_type set.
  std::vector<int64_t> timestamps;
  std::vector<parquet::ByteArray> timestamp_types;  // Point at static names.
  std::vector<int16_t> key_defs;
  std::vector<parquet::ByteArray> keys;
  std::vector<int16_t> value_defs;
  std::vector<parquet::ByteArray> values;
  // One level entry per header, or one for a record without headers.
  std::vector<int16_t> header_reps;        // 0: a record's first entry.
  std::vector<int16_t> header_key_defs;    // 0: no headers, 1: a header.
  std::vector<int16_t> header_value_defs;  // 0: no headers, 1: null value, 2: value.
  std::vector<parquet::ByteArray> header_keys;
  std::vector<parquet::ByteArray> header_values;
  // What the records hold (bytes and bookkeeping): compared with
  // row_group_bytes.
  uint64_t charged = 0;

  int64_t rows() const { return static_cast<int64_t>(offsets.size()); }

  void Add(const RecordView& record) {
    partitions.push_back(record.partition);
    offsets.push_back(record.offset);
    if (record.timestamp_type == TimestampType::kNone) {
      timestamp_defs.push_back(0);
    } else {
      timestamp_defs.push_back(1);
      timestamps.push_back(record.timestamp_ms);
      const std::string_view name = TimestampTypeName(record.timestamp_type);
      timestamp_types.emplace_back(static_cast<uint32_t>(name.size()),
                                   reinterpret_cast<const uint8_t*>(name.data()));
    }
    AddOptional(record.key, &key_defs, &keys);
    AddOptional(record.value, &value_defs, &values);
    uint64_t size =
        kRecordOverhead + record.key.value_or("").size() + record.value.value_or("").size();
    if (record.headers.empty()) {
      header_reps.push_back(0);
      header_key_defs.push_back(0);
      header_value_defs.push_back(0);
    }
    for (size_t i = 0; i < record.headers.size(); ++i) {
      const HeaderView& header = record.headers[i];
      header_reps.push_back(i == 0 ? 0 : 1);
      header_key_defs.push_back(1);
      header_keys.push_back(bytes.Add(header.key));
      header_value_defs.push_back(header.value ? 2 : 1);
      if (header.value) header_values.push_back(bytes.Add(*header.value));
      size += kHeaderOverhead + header.key.size() + header.value.value_or("").size();
    }
    charged += size;
  }

  void AddOptional(const std::optional<std::string_view>& field, std::vector<int16_t>* defs,
                   std::vector<parquet::ByteArray>* present) {
    defs->push_back(field ? 1 : 0);
    if (field) present->push_back(bytes.Add(*field));
  }

  uint64_t memory() const {
    return HeapBytes(sizeof(*this)) + bytes.allocated() + VectorBytes(partitions) +
           VectorBytes(offsets) + VectorBytes(timestamp_defs) + VectorBytes(timestamps) +
           VectorBytes(timestamp_types) + VectorBytes(key_defs) + VectorBytes(keys) +
           VectorBytes(value_defs) + VectorBytes(values) + VectorBytes(header_reps) +
           VectorBytes(header_key_defs) + VectorBytes(header_value_defs) +
           VectorBytes(header_keys) + VectorBytes(header_values);
  }
};

// What a Format's writers share: immutable once made, so writers on any
// thread use it without locks.
struct WriterShared {
  std::shared_ptr<parquet::schema::GroupNode> schema;
  std::shared_ptr<parquet::WriterProperties> properties;
  std::shared_ptr<const arrow::KeyValueMetadata> metadata;  // ARROW:schema.
  uint64_t row_group_bytes = 0;
};

template <typename DType>
parquet::TypedColumnWriter<DType>* Typed(parquet::ColumnWriter* column) {
  // The schema is checked against kLeaves when the Format is made; this
  // guards the static_cast against a column order we did not expect.
  if (column == nullptr || column->type() != DType::type_num) {
    throw parquet::ParquetException("parquet: unexpected column type");
  }
  return static_cast<parquet::TypedColumnWriter<DType>*>(column);
}

// Writes `count` copies of `value` (the topic: one per object).
template <typename DType>
void WriteRepeated(parquet::ColumnWriter* column, typename DType::c_type value, int64_t count) {
  auto* writer = Typed<DType>(column);
  std::array<typename DType::c_type, 1024> chunk;
  chunk.fill(value);
  for (int64_t done = 0; done < count;) {
    const int64_t n = std::min<int64_t>(static_cast<int64_t>(chunk.size()), count - done);
    writer->WriteBatch(n, nullptr, nullptr, chunk.data());
    done += n;
  }
}

// Writes a byte column in slices of about kSliceBytes (ending on a record
// boundary when the column repeats), so that Parquet checks its page size
// often enough that a page stays near data_pagesize.
void WriteBytes(parquet::ColumnWriter* column, int16_t max_def, const std::vector<int16_t>& defs,
                const std::vector<int16_t>* reps, const std::vector<parquet::ByteArray>& values) {
  auto* writer = Typed<parquet::ByteArrayType>(column);
  const int64_t entries = static_cast<int64_t>(defs.size());
  int64_t start = 0;
  size_t value_start = 0;
  size_t value_end = 0;
  uint64_t slice_bytes = 0;
  for (int64_t i = 0; i < entries; ++i) {
    const bool at_record = reps == nullptr || (*reps)[i] == 0;
    if (i > start && at_record && (slice_bytes >= kSliceBytes || i - start >= kSliceValues)) {
      writer->WriteBatch(i - start, defs.data() + start,
                         reps == nullptr ? nullptr : reps->data() + start,
                         values.data() + value_start);
      start = i;
      value_start = value_end;
      slice_bytes = 0;
    }
    if (defs[i] == max_def) slice_bytes += values[value_end++].len;
  }
  if (entries > start) {
    writer->WriteBatch(entries - start, defs.data() + start,
                       reps == nullptr ? nullptr : reps->data() + start,
                       values.data() + value_start);
  }
}

Status WriterError(std::string_view what) {
  return Status::Internal("parquet writer: " + std::string(what));
}

class ParquetWriter final : public ObjectWriter {
 public:
  ParquetWriter(std::shared_ptr<const WriterShared> shared, const ObjectContext& context)
      : shared_(std::move(shared)), topic_(context.topic) {}

  Status Append(const RecordView& record, std::string* out, bool* kept) override {
    *kept = false;
    K2C_RETURN_IF_ERROR(Usable());
    K2C_RETURN_IF_ERROR(CheckHeaderKeysAreText(record));
    for (const HeaderView& header : record.headers) {
      if (header.key.size() > kMaxValueBytes || header.value.value_or("").size() > kMaxValueBytes) {
        return TooLarge(record, "a header");
      }
    }
    if (record.key.value_or("").size() > kMaxValueBytes) return TooLarge(record, "the key");
    if (record.value.value_or("").size() > kMaxValueBytes) return TooLarge(record, "the value");
    if (rows_ == nullptr) rows_ = std::make_unique<RowGroupBuffer>();
    rows_->Add(record);
    *kept = true;
    if (rows_->charged >= shared_->row_group_bytes) return WriteRowGroup(out);
    return Status::Ok();
  }

  Status Flush(std::string* out) override {
    K2C_RETURN_IF_ERROR(Usable());
    return rows_ != nullptr ? WriteRowGroup(out) : Status::Ok();
  }

  Status Finish(std::string* out) override {
    K2C_RETURN_IF_ERROR(Usable());
    if (rows_ != nullptr) K2C_RETURN_IF_ERROR(WriteRowGroup(out));
    if (sink_ == nullptr) sink_ = std::make_shared<StringSink>();
    TargetScope scope(sink_.get(), out);
    try {
      // No records: still a valid file, with the schema and no row group.
      if (file_ == nullptr) OpenFile();
      file_->Close();
    } catch (const std::exception& e) {
      failed_ = true;
      return WriterError(e.what());
    }
    finished_ = true;
    file_.reset();  // Frees the metadata kept for the footer.
    return Status::Ok();
  }

  uint64_t buffered_bytes() const override {
    uint64_t bytes = HeapBytes(sizeof(*this));
    if (topic_.capacity() > std::string().capacity()) bytes += HeapBytes(topic_.capacity() + 1);
    if (rows_ != nullptr) bytes += rows_->memory();
    if (file_ != nullptr) bytes += kOpenFileBytes + metadata_bytes_;
    return bytes;
  }

 private:
  Status Usable() const {
    if (finished_) return Status::FailedPrecondition("parquet writer: the object is finished");
    if (failed_) return Status::FailedPrecondition("parquet writer: an earlier call failed");
    return Status::Ok();
  }

  static Status TooLarge(const RecordView& record, std::string_view what) {
    return Status::InvalidArgument("the record at offset " + std::to_string(record.offset) +
                                   " of partition " + std::to_string(record.partition) + ": " +
                                   std::string(what) + " is larger than Parquet's limit of " +
                                   std::to_string(kMaxValueBytes) + " bytes");
  }

  // Writes the magic "PAR1" to the sink's target: call with one set.
  // Throws parquet::ParquetException.
  void OpenFile() {
    file_ = parquet::ParquetFileWriter::Open(sink_, shared_->schema, shared_->properties,
                                             shared_->metadata);
  }

  // Writes the buffered records as one row group to `out` and frees them.
  Status WriteRowGroup(std::string* out) {
    if (sink_ == nullptr) sink_ = std::make_shared<StringSink>();
    TargetScope scope(sink_.get(), out);
    try {
      if (file_ == nullptr) OpenFile();
      const RowGroupBuffer& rows = *rows_;
      const int64_t n = rows.rows();
      parquet::RowGroupWriter* group = file_->AppendRowGroup();
      const std::string_view topic = topic_;
      WriteRepeated<parquet::ByteArrayType>(
          group->NextColumn(),
          parquet::ByteArray(static_cast<uint32_t>(topic.size()),
                             reinterpret_cast<const uint8_t*>(topic.data())),
          n);
      Typed<parquet::Int32Type>(group->NextColumn())
          ->WriteBatch(n, nullptr, nullptr, rows.partitions.data());
      Typed<parquet::Int64Type>(group->NextColumn())
          ->WriteBatch(n, nullptr, nullptr, rows.offsets.data());
      Typed<parquet::Int64Type>(group->NextColumn())
          ->WriteBatch(n, rows.timestamp_defs.data(), nullptr, rows.timestamps.data());
      Typed<parquet::ByteArrayType>(group->NextColumn())
          ->WriteBatch(n, rows.timestamp_defs.data(), nullptr, rows.timestamp_types.data());
      WriteBytes(group->NextColumn(), 1, rows.key_defs, nullptr, rows.keys);
      WriteBytes(group->NextColumn(), 1, rows.value_defs, nullptr, rows.values);
      WriteBytes(group->NextColumn(), 1, rows.header_key_defs, &rows.header_reps, rows.header_keys);
      WriteBytes(group->NextColumn(), 2, rows.header_value_defs, &rows.header_reps,
                 rows.header_values);
      group->Close();
    } catch (const std::exception& e) {
      failed_ = true;
      return WriterError(e.what());
    }
    const uint64_t pages =
        kLeafCount * (1 + rows_->rows() / kPageRows) + rows_->charged / kPageBytes;
    metadata_bytes_ += kRowGroupMetadataBytes + pages * kPageMetadataBytes;
    rows_.reset();
    return Status::Ok();
  }

  const std::shared_ptr<const WriterShared> shared_;
  const std::string topic_;
  std::unique_ptr<RowGroupBuffer> rows_;  // Null between row groups.
  std::shared_ptr<StringSink> sink_;
  std::unique_ptr<parquet::ParquetFileWriter> file_;
  uint64_t metadata_bytes_ = 0;  // Kept by file_ for the footer.
  bool failed_ = false;
  bool finished_ = false;
};

// ---------------------------------------------------------------------------
// Reader.

Status Invalid(std::string message) {
  return Status::InvalidArgument("parquet: " + std::move(message));
}

Status FromArrow(const arrow::Status& status) {
  if (status.ok()) return Status::Ok();
  if (status.IsOutOfMemory()) {
    return Status::ResourceExhausted("parquet: decoding needs more memory than the limits allow (" +
                                     status.message() + ")");
  }
  return Invalid(status.ToString());
}

Status FromException(const std::exception& e) {
  if (const auto* with_status = dynamic_cast<const parquet::ParquetStatusException*>(&e)) {
    return FromArrow(with_status->status());
  }
  if (dynamic_cast<const std::bad_alloc*>(&e) != nullptr) {
    return Status::ResourceExhausted("parquet: out of memory decoding the object");
  }
  return Invalid(e.what());
}

// The footer's length: the 4 little-endian bytes before the closing magic
// (after CheckFraming).
uint32_t FooterLength(std::string_view object) {
  const auto* p = reinterpret_cast<const uint8_t*>(object.data() + object.size() - 8);
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

// The magic at both ends: a file cut short has lost its footer.
Status CheckFraming(std::string_view object) {
  const std::string size = std::to_string(object.size());
  if (object.size() < kMagic.size()) {
    if (kMagic.starts_with(object)) {
      return Status::DataLoss("parquet: the object is " + size + " bytes: truncated");
    }
    return Invalid("not a Parquet file (no PAR1 magic at the start)");
  }
  if (object.starts_with("PARE")) return Invalid("encrypted Parquet files are not supported");
  if (!object.starts_with(kMagic))
    return Invalid("not a Parquet file (no PAR1 magic at the start)");
  if (object.size() < 2 * kMagic.size() + 4 || !object.ends_with(kMagic)) {
    return Status::DataLoss("parquet: the object (" + size +
                            " bytes) has no footer (no PAR1 magic at the end): truncated");
  }
  const uint32_t footer = FooterLength(object);
  if (footer > object.size() - 12) {
    return Status::DataLoss("parquet: the footer's length (" + std::to_string(footer) +
                            " bytes) exceeds the object (" + size +
                            " bytes): truncated or corrupt");
  }
  return Status::Ok();
}

uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
  return b > std::numeric_limits<uint64_t>::max() - a ? std::numeric_limits<uint64_t>::max()
                                                      : a + b;
}

// Before any page is read: every column chunk lies within the object, and
// what the footer declares fits the limits.
Status CheckMetadata(const parquet::FileMetaData& metadata, std::string_view object,
                     const ReadLimits& limits) {
  if (metadata.num_columns() != kLeafCount) {
    return Invalid("the file has " + std::to_string(metadata.num_columns()) +
                   " leaf columns, not the " + std::to_string(kLeafCount) +
                   " of the kafka2cos envelope");
  }
  const int64_t data_end = static_cast<int64_t>(object.size()) - 8 - FooterLength(object);
  uint64_t decoded = 0;
  uint64_t rows = 0;
  for (int g = 0; g < metadata.num_row_groups(); ++g) {
    const auto group = metadata.RowGroup(g);
    const std::string where = "row group " + std::to_string(g);
    if (group->num_rows() < 0 || group->num_columns() != kLeafCount) {
      return Invalid(where + " has a corrupt row count or column count");
    }
    rows = SaturatingAdd(rows, static_cast<uint64_t>(group->num_rows()));
    for (int c = 0; c < kLeafCount; ++c) {
      const auto chunk = group->ColumnChunk(c);
      const int64_t start = chunk->has_dictionary_page() ? chunk->dictionary_page_offset()
                                                         : chunk->data_page_offset();
      const int64_t length = chunk->total_compressed_size();
      if (start < static_cast<int64_t>(kMagic.size()) || length < 0 || start > data_end ||
          length > data_end - start || chunk->total_uncompressed_size() < 0 ||
          chunk->num_values() < 0) {
        return Invalid(where + ", column " + std::string(kLeaves[c].path) +
                       ": the footer's offsets or sizes are outside the file (corrupt)");
      }
      decoded = SaturatingAdd(decoded, static_cast<uint64_t>(chunk->total_uncompressed_size()));
    }
  }
  // Decoding a row costs at least its offset's 8 bytes, whatever the pages
  // claim (runs of levels and constant values compress to nothing).
  if (rows > limits.max_decoded_bytes / 8 || decoded > limits.max_decoded_bytes) {
    return Status::ResourceExhausted("parquet: the object declares " + std::to_string(rows) +
                                     " rows and " + std::to_string(decoded) +
                                     " decoded bytes, more than the limit of " +
                                     std::to_string(limits.max_decoded_bytes) + " bytes");
  }
  return Status::Ok();
}

std::string Describe(const arrow::Field& field) { return "\"" + field.ToString() + "\""; }

bool SameType(int index, const arrow::DataType& got, const arrow::DataType& want) {
  if (index == kFieldTopic) {
    // A file written without the stored Arrow schema reads as plain strings.
    return got.Equals(want) || got.id() == arrow::Type::STRING;
  }
  if (index == kFieldHeaders) {
    // The list's item name (element or item) and nullability do not matter.
    if (got.id() != arrow::Type::LIST) return false;
    const auto& item = static_cast<const arrow::ListType&>(got).value_type();
    if (item->id() != arrow::Type::STRUCT || item->num_fields() != 2) return false;
    const auto& key = *item->field(0);
    const auto& value = *item->field(1);
    return key.name() == "key" && key.type()->id() == arrow::Type::STRING && !key.nullable() &&
           value.name() == "value" && value.type()->id() == arrow::Type::BINARY;
  }
  return got.Equals(want);
}

// InvalidArgument naming the first column that is not the envelope's.
Status CheckSchema(const arrow::Schema& got, const arrow::Schema& want) {
  if (got.num_fields() != want.num_fields()) {
    return Invalid("the file has " + std::to_string(got.num_fields()) + " columns (" +
                   got.ToString() + "), not the " + std::to_string(want.num_fields()) +
                   " of the kafka2cos envelope");
  }
  for (int i = 0; i < want.num_fields(); ++i) {
    const arrow::Field& g = *got.field(i);
    const arrow::Field& w = *want.field(i);
    if (g.name() != w.name() || !SameType(i, *g.type(), *w.type()) ||
        (g.nullable() && !w.nullable())) {
      return Invalid("column " + std::to_string(i) + " is " + Describe(g) + ", expected " +
                     Describe(w) + ": not an object of kafka2cos's parquet format");
    }
  }
  return Status::Ok();
}

// Turns the rows of one record batch into DecodedRecords for `visit`.
class BatchDecoder {
 public:
  BatchDecoder(const arrow::RecordBatch& batch, const ReadLimits& limits)
      : batch_(batch), limits_(limits) {}

  Status Decode(const RecordVisitor& visit, DecodedRecord* record) {
    // Arrays decoded from a hostile file are checked before they are
    // indexed: offsets, dictionary indices and UTF-8 of the strings.
    K2C_RETURN_IF_ERROR(FromArrow(batch_.ValidateFull()));
    const arrow::Array& topic = *batch_.column(kFieldTopic);
    const arrow::DictionaryArray* topic_dict = nullptr;
    const arrow::StringArray* topic_strings = nullptr;
    if (topic.type_id() == arrow::Type::DICTIONARY) {
      topic_dict = static_cast<const arrow::DictionaryArray*>(&topic);
      topic_strings = Cast<arrow::StringArray>(topic_dict->dictionary().get(), arrow::Type::STRING);
    } else {
      topic_strings = Cast<arrow::StringArray>(&topic, arrow::Type::STRING);
    }
    const auto* partition = Column<arrow::Int32Array>(kFieldPartition, arrow::Type::INT32);
    const auto* offset = Column<arrow::Int64Array>(kFieldOffset, arrow::Type::INT64);
    const auto* timestamp = Column<arrow::TimestampArray>(kFieldTimestamp, arrow::Type::TIMESTAMP);
    const auto* timestamp_type =
        Column<arrow::StringArray>(kFieldTimestampType, arrow::Type::STRING);
    const auto* key = Column<arrow::BinaryArray>(kFieldKey, arrow::Type::BINARY);
    const auto* value = Column<arrow::BinaryArray>(kFieldValue, arrow::Type::BINARY);
    const auto* headers = Column<arrow::ListArray>(kFieldHeaders, arrow::Type::LIST);
    const auto* items =
        headers == nullptr ? nullptr
                           : Cast<arrow::StructArray>(headers->values().get(), arrow::Type::STRUCT);
    if (topic_strings == nullptr || partition == nullptr || offset == nullptr ||
        timestamp == nullptr || timestamp_type == nullptr || key == nullptr || value == nullptr ||
        items == nullptr || items->num_fields() != 2) {
      return Invalid("a record batch does not have the envelope's column types");
    }
    const auto* header_key = Cast<arrow::StringArray>(items->field(0).get(), arrow::Type::STRING);
    const auto* header_value = Cast<arrow::BinaryArray>(items->field(1).get(), arrow::Type::BINARY);
    if (header_key == nullptr || header_value == nullptr) {
      return Invalid("the headers column does not hold key/value structs");
    }

    for (int64_t row = 0; row < batch_.num_rows(); ++row) {
      if (topic.IsNull(row) || partition->IsNull(row) || offset->IsNull(row) ||
          headers->IsNull(row)) {
        return Invalid("a row has a null topic, partition, offset or headers");
      }
      if (topic_dict != nullptr) {
        record->topic = topic_strings->GetView(topic_dict->GetValueIndex(row));
      } else {
        record->topic = topic_strings->GetView(row);
      }
      record->partition = partition->Value(row);
      record->offset = offset->Value(row);
      if (timestamp->IsNull(row) != timestamp_type->IsNull(row)) {
        return Invalid(At(*record) +
                       ": timestamp and timestamp_type must be both null or both set");
      }
      if (timestamp->IsNull(row)) {
        record->timestamp_ms = -1;
        record->timestamp_type = TimestampType::kNone;
      } else {
        const auto type = TimestampTypeFromName(timestamp_type->GetView(row));
        if (!type) {
          return Invalid(At(*record) + ": timestamp_type \"" +
                         std::string(timestamp_type->GetView(row)) +
                         "\" is not \"create\" or \"log_append\"");
        }
        record->timestamp_ms = timestamp->Value(row);
        record->timestamp_type = *type;
      }
      K2C_RETURN_IF_ERROR(Bytes(*key, row, *record, "key", &record->key));
      K2C_RETURN_IF_ERROR(Bytes(*value, row, *record, "value", &record->value));
      const int64_t first = headers->value_offset(row);
      const int64_t count = headers->value_length(row);
      // Runs of levels make a million headers from a few bytes: bound the
      // vector they are decoded into as the other decoded bytes are.
      if (static_cast<uint64_t>(count) > limits_.max_decoded_bytes / sizeof(DecodedHeader)) {
        return Status::ResourceExhausted(
            "parquet: " + At(*record) + " has " + std::to_string(count) + " headers, more than " +
            std::to_string(limits_.max_decoded_bytes) + " decoded bytes hold");
      }
      record->headers.resize(static_cast<size_t>(count));
      for (int64_t h = 0; h < count; ++h) {
        const int64_t item = first + h;
        if (items->IsNull(item) || header_key->IsNull(item)) {
          return Invalid(At(*record) + ": a header or its key is null");
        }
        DecodedHeader& header = record->headers[static_cast<size_t>(h)];
        std::optional<std::string> key_bytes;
        K2C_RETURN_IF_ERROR(Bytes(*header_key, item, *record, "header key", &key_bytes));
        header.key = std::move(*key_bytes);
        K2C_RETURN_IF_ERROR(Bytes(*header_value, item, *record, "header value", &header.value));
      }
      K2C_RETURN_IF_ERROR(visit(*record));
    }
    return Status::Ok();
  }

 private:
  // The array as its concrete class, or null when its type is another.
  template <typename T>
  static const T* Cast(const arrow::Array* array, arrow::Type::type id) {
    return array != nullptr && array->type_id() == id ? static_cast<const T*>(array) : nullptr;
  }
  template <typename T>
  const T* Column(int field, arrow::Type::type id) const {
    return Cast<T>(batch_.column(field).get(), id);
  }

  // "the record at offset N": where an error is, built only for one.
  static std::string At(const DecodedRecord& record) {
    return "the record at offset " + std::to_string(record.offset);
  }

  Status Bytes(const arrow::BinaryArray& array, int64_t i, const DecodedRecord& record,
               std::string_view name, std::optional<std::string>* out) const {
    if (array.IsNull(i)) {
      out->reset();
      return Status::Ok();
    }
    const std::string_view bytes = array.GetView(i);
    if (bytes.size() > limits_.max_record_bytes) {
      return Status::ResourceExhausted("parquet: " + At(record) + ": the " + std::string(name) +
                                       " is longer than " +
                                       std::to_string(limits_.max_record_bytes) + " bytes");
    }
    out->emplace(bytes);
    return Status::Ok();
  }

  const arrow::RecordBatch& batch_;
  const ReadLimits& limits_;
};

// ---------------------------------------------------------------------------

struct Codec {
  parquet::Compression::type parquet;
  arrow::Compression::type arrow;  // The same codec, to check it and its level.
};

Codec CodecOf(std::string_view compression) {
  if (compression == "zstd") return {parquet::Compression::ZSTD, arrow::Compression::ZSTD};
  if (compression == "snappy") return {parquet::Compression::SNAPPY, arrow::Compression::SNAPPY};
  if (compression == "gzip") return {parquet::Compression::GZIP, arrow::Compression::GZIP};
  return {parquet::Compression::UNCOMPRESSED, arrow::Compression::UNCOMPRESSED};
}

class ParquetFormat final : public Format {
 public:
  ParquetFormat(const FormatInfo& info, const FormatSettings& settings,
                std::shared_ptr<arrow::Schema> schema, std::shared_ptr<const WriterShared> shared)
      : Format(info, settings), schema_(std::move(schema)), shared_(std::move(shared)) {}

  Result<std::unique_ptr<ObjectWriter>> NewWriter(const ObjectContext& context) const override {
    if (!IsValidUtf8(context.topic)) {
      return Status::InvalidArgument("parquet: the topic name is not valid UTF-8");
    }
    return std::unique_ptr<ObjectWriter>(std::make_unique<ParquetWriter>(shared_, context));
  }

  Status Read(std::string_view object, const ReadLimits& limits,
              const RecordVisitor& visit) const override {
    K2C_RETURN_IF_ERROR(CheckFraming(object));
    // Every buffer Arrow allocates for this read counts against the cap;
    // the system allocator (not the wheel's mimalloc) so that sanitizers
    // see them. Twice the decoded limit: a batch and the pages it came from.
    const uint64_t cap =
        std::min<uint64_t>(SaturatingAdd(limits.max_decoded_bytes, limits.max_decoded_bytes),
                           std::numeric_limits<int64_t>::max());
    arrow::CappedMemoryPool pool(arrow::system_memory_pool(), static_cast<int64_t>(cap));
    try {
      auto buffer = std::make_shared<arrow::Buffer>(reinterpret_cast<const uint8_t*>(object.data()),
                                                    static_cast<int64_t>(object.size()));
      auto source = std::make_shared<arrow::io::BufferReader>(buffer);
      parquet::ReaderProperties properties(&pool);
      // A Thrift string or list cannot be longer than the object holding it.
      const int32_t bound = static_cast<int32_t>(
          std::min<uint64_t>(object.size(), parquet::kDefaultThriftStringSizeLimit));
      properties.set_thrift_string_size_limit(bound);
      properties.set_thrift_container_size_limit(
          std::min(bound, parquet::kDefaultThriftContainerSizeLimit));
      properties.set_page_checksum_verification(true);
      std::unique_ptr<parquet::ParquetFileReader> file =
          parquet::ParquetFileReader::Open(source, properties);
      const std::shared_ptr<parquet::FileMetaData> metadata = file->metadata();
      K2C_RETURN_IF_ERROR(CheckMetadata(*metadata, object, limits));

      parquet::ArrowReaderProperties arrow_properties(/*use_threads=*/false);
      arrow_properties.set_batch_size(kReadBatchRows);
      arrow_properties.set_pre_buffer(false);  // The bytes are in memory already.
      auto reader = parquet::arrow::FileReader::Make(&pool, std::move(file), arrow_properties);
      K2C_RETURN_IF_ERROR(FromArrow(reader.status()));
      std::shared_ptr<arrow::Schema> schema;
      K2C_RETURN_IF_ERROR(FromArrow((*reader)->GetSchema(&schema)));
      K2C_RETURN_IF_ERROR(CheckSchema(*schema, *schema_));

      DecodedRecord record;
      for (int g = 0; g < metadata->num_row_groups(); ++g) {
        auto batches = (*reader)->GetRecordBatchReader({g});
        K2C_RETURN_IF_ERROR(FromArrow(batches.status()));
        while (true) {
          std::shared_ptr<arrow::RecordBatch> batch;
          K2C_RETURN_IF_ERROR(FromArrow((*batches)->ReadNext(&batch)));
          if (batch == nullptr) break;
          if (batch->num_columns() != kFieldCount) {
            return Invalid("a record batch does not have the envelope's columns");
          }
          K2C_RETURN_IF_ERROR(BatchDecoder(*batch, limits).Decode(visit, &record));
        }
      }
    } catch (const std::exception& e) {
      return FromException(e);
    }
    return Status::Ok();
  }

 private:
  const std::shared_ptr<arrow::Schema> schema_;
  const std::shared_ptr<const WriterShared> shared_;
};

Result<std::shared_ptr<parquet::WriterProperties>> MakeWriterProperties(
    const std::string& compression, int level) {
  const Codec codec = CodecOf(compression);
  if (codec.arrow != arrow::Compression::UNCOMPRESSED) {
    // Here rather than when the first row group is written: Arrow makes its
    // codecs per column chunk.
    if (!arrow::util::Codec::IsAvailable(codec.arrow)) {
      return Status::FailedPrecondition("parquet: this build of Arrow has no " + compression +
                                        " codec");
    }
    auto made = level == 0 ? arrow::util::Codec::Create(codec.arrow)
                           : arrow::util::Codec::Create(codec.arrow, level);
    if (!made.ok()) {
      return Status::InvalidArgument("parquet: " + compression + " level " + std::to_string(level) +
                                     ": " + made.status().ToString());
    }
  }
  parquet::WriterProperties::Builder builder;
  builder.memory_pool(arrow::system_memory_pool())
      ->compression(codec.parquet)
      // Dictionaries only where values repeat: a dictionary-encoded column
      // keeps its data pages in memory until the column chunk ends, which
      // for keys and values would be a second copy of the row group.
      ->disable_dictionary()
      ->enable_dictionary(std::string(kLeaves[kTopic].path))
      ->enable_dictionary(std::string(kLeaves[kTimestampType].path))
      ->enable_dictionary(std::string(kLeaves[kHeaderKey].path))
      // Statistics (min/max per row group and page) where readers prune:
      // by offset, timestamp, partition. On keys and values they would
      // copy the largest values and be dropped as too large anyway.
      ->disable_statistics()
      // CRCs of the pages, which Read verifies: a damaged page is an
      // error, not wrong records. The page index (offset and column
      // indexes, Arrow's default) stays on: readers skip pages with it.
      ->enable_page_checksum();
  for (Leaf leaf : {kTopic, kPartition, kOffset, kTimestamp, kTimestampType}) {
    builder.enable_statistics(std::string(kLeaves[leaf].path));
  }
  if (level != 0) builder.compression_level(level);
  return builder.build();
}

Result<std::unique_ptr<Format>> MakeParquetFormatOrThrow(const FormatInfo& info,
                                                         const FormatSettings& settings) {
  auto properties =
      MakeWriterProperties(EffectiveCompression(settings), settings.compression_level);
  if (!properties.ok()) return properties.status();
  std::shared_ptr<arrow::Schema> schema = EnvelopeSchema();
  std::shared_ptr<parquet::SchemaDescriptor> descriptor;
  arrow::Status converted = parquet::arrow::ToParquetSchema(
      schema.get(), **properties, *parquet::default_arrow_writer_properties(), &descriptor);
  if (!converted.ok()) return WriterError("schema: " + converted.ToString());
  if (descriptor->num_columns() != kLeafCount || !descriptor->schema_root()->is_group()) {
    return WriterError("schema: unexpected leaf count");
  }
  for (int i = 0; i < kLeafCount; ++i) {
    const parquet::ColumnDescriptor* column = descriptor->Column(i);
    if (column->path()->ToDotString() != kLeaves[i].path ||
        column->physical_type() != kLeaves[i].type ||
        column->max_definition_level() != kLeaves[i].max_def ||
        column->max_repetition_level() != kLeaves[i].max_rep) {
      return WriterError("schema: column " + column->path()->ToDotString() +
                         " is not laid out as expected");
    }
  }
  // ARROW:schema, as parquet::arrow::FileWriter stores it (base64 of the IPC
  // schema message), so that Arrow readers get the Arrow types back.
  auto serialized = arrow::ipc::SerializeSchema(*schema, arrow::system_memory_pool());
  if (!serialized.ok()) return WriterError("schema: " + serialized.status().ToString());
  auto metadata = std::make_shared<arrow::KeyValueMetadata>();
  metadata->Append("ARROW:schema", arrow::util::base64_encode((*serialized)->ToString()));

  auto shared = std::make_shared<WriterShared>();
  shared->schema = std::static_pointer_cast<parquet::schema::GroupNode>(descriptor->schema_root());
  shared->properties = std::move(*properties);
  shared->metadata = std::move(metadata);
  shared->row_group_bytes = settings.row_group_bytes;
  return std::unique_ptr<Format>(
      std::make_unique<ParquetFormat>(info, settings, std::move(schema), std::move(shared)));
}

}  // namespace

Result<std::unique_ptr<Format>> MakeParquetFormat(const FormatInfo& info,
                                                  const FormatSettings& settings) {
  try {
    return MakeParquetFormatOrThrow(info, settings);
  } catch (const std::exception& e) {
    // Arrow's builders and schema code report some errors as exceptions.
    return WriterError(e.what());
  }
}

}  // namespace k2c
