// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// The `avro` format: each object is one Avro object container file
// (https://avro.apache.org/docs/1.11.1/specification/#object-container-files)
// whose records carry the same envelope as `jsonl`. The writer schema, as
// written into every object's header:
//
//   {"type": "record", "name": "Record", "namespace": "kafka2cos", "fields": [
//     {"name": "topic", "type": "string"},
//     {"name": "partition", "type": "int"},
//     {"name": "offset", "type": "long"},
//     {"name": "timestamp",         // null when Kafka gave no timestamp type
//      "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}]},
//     {"name": "timestamp_type",    // "create", "log_append"; null with it
//      "type": ["null", "string"]},
//     {"name": "key", "type": ["null", "bytes"]},
//     {"name": "value", "type": ["null", "bytes"]},   // null: a tombstone
//     {"name": "headers", "type": {"type": "array", "items": {
//       "type": "record", "name": "Header", "fields": [   // kafka2cos.Header
//         {"name": "key", "type": "string"},
//         {"name": "value", "type": ["null", "bytes"]}]}}}]}
//
// Headers keep Kafka's order and duplicate names. Header keys are Avro
// strings (UTF-8), so a record with a header key that is not UTF-8 is
// refused (jsonl keeps any bytes).
//
// Writing goes through Apache Avro's C library (1.11.1), whose file writer
// writes to a FILE*: a fopencookie(3) stream appends to the std::string
// the current Append/Flush/Finish call was given. Avro C has no logical
// types (it drops "logicalType" when it parses a schema and so writes the
// schema without it); the writer replaces the header Avro C wrote with the
// same header carrying the schema above (same codec, same sync marker).
//
// Reading does not use Avro C: its 1.11.1 reader trusts lengths and counts
// from the file (it mallocs a byte string's length before checking that
// the bytes are there and leaks it when they are not, writes before a
// buffer for a negative length, inflates a deflate block without bound and
// underflows on a snappy block shorter than its checksum). Objects come
// back from a bucket, so the reader here parses the container, the codecs
// and this one schema itself, checking every length against the bytes
// there are and every decoded size against ReadLimits.

#include <avro.h>
#include <stdio.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "format/bounded_json.h"
#include "format/format_factories.h"
#include "format/text_codec.h"

namespace k2c {
namespace {

// The schema above, byte for byte as it is written into every header. The
// reader recognises its own objects by these bytes and parses other
// schemas only to say what differs.
constexpr std::string_view kSchemaJson =
    R"({"type":"record","name":"Record","namespace":"kafka2cos","fields":[)"
    R"({"name":"topic","type":"string"},)"
    R"({"name":"partition","type":"int"},)"
    R"({"name":"offset","type":"long"},)"
    R"({"name":"timestamp","type":["null",{"type":"long","logicalType":"timestamp-millis"}]},)"
    R"({"name":"timestamp_type","type":["null","string"]},)"
    R"({"name":"key","type":["null","bytes"]},)"
    R"({"name":"value","type":["null","bytes"]},)"
    R"({"name":"headers","type":{"type":"array","items":{"type":"record","name":"Header",)"
    R"("fields":[{"name":"key","type":"string"},{"name":"value","type":["null","bytes"]}]}}}]})";

// Field positions in kSchemaJson.
enum Field { kTopic, kPartition, kOffset, kTimestamp, kTimestampType, kKey, kValue, kHeaders };
constexpr int kFieldCount = 8;
constexpr std::string_view kMagic("Obj\x01", 4);
constexpr size_t kSyncBytes = 16;

// A block is written once its records encode to this many bytes. Deflate
// looks back 32 KiB and snappy compresses 64 KiB fragments independently,
// so larger blocks would not compress better; but every open writer holds
// a block and the codec's output for it (see buffered_bytes()).
constexpr uint64_t kBlockBytes = 256 << 10;

// Avro C writes a record into a block buffer of a size fixed when the file
// writer is made, and fails on a record that does not fit. The buffer is
// made large enough for any record up to 1 GiB plus its envelope: malloc
// maps it lazily, so only the pages records touched cost memory. Where
// the system refuses so large a reservation (strict overcommit, a tiny
// host), smaller ones are tried down to kMinBlockCapacity, and records too
// large for what was reserved are refused with a message.
constexpr uint64_t kMaxBlockCapacity = (1ull << 30) + (16ull << 20);
constexpr uint64_t kMinBlockCapacity = 16ull << 20;

// Memory an open writer holds besides its block: Avro C's file writer
// (64 KiB of it a schema buffer), the FILE, the record value.
constexpr uint64_t kWriterFixedBytes = 68 << 10;
// Avro C's deflate codec keeps a z_stream for deflate at level 9 (window,
// prev, head and pending buffers of 64 KiB each, zlib 1.2.13) and one for
// inflate, for the whole life of the writer.
constexpr uint64_t kDeflateStateBytes = 270 << 10;

enum class Codec { kNull, kDeflate, kSnappy };

std::string_view CodecName(Codec codec) {
  switch (codec) {
    case Codec::kDeflate:
      return "deflate";
    case Codec::kSnappy:
      return "snappy";
    case Codec::kNull:
      break;
  }
  return "null";
}

std::optional<Codec> CodecFromName(std::string_view name) {
  if (name == "null") return Codec::kNull;
  if (name == "deflate") return Codec::kDeflate;
  if (name == "snappy") return Codec::kSnappy;
  return std::nullopt;
}

// At most `max` bytes of `bytes`, with anything unprintable escaped: names
// read from an object go into messages.
std::string Printable(std::string_view bytes, size_t max = 40) {
  std::string out;
  for (size_t i = 0; i < bytes.size() && i < max; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out += static_cast<char>(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  if (bytes.size() > max) out += "...";
  return out;
}

// ---------------------------------------------------------------------------
// Avro C handles.

// Avro C 1.11.1 (as Debian builds it, without THREADSAFE) keeps its last
// error message in one static buffer for all threads. Errors are rare
// here (memory exhaustion); copying the message under a lock at least
// keeps our own copies whole.
std::string AvroErrorText() {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  const char* text = avro_strerror();
  return text == nullptr ? std::string() : std::string(text, strnlen(text, 4096));
}

Status AvroFailure(std::string_view what) {
  return Status::Internal("avro: " + std::string(what) + ": " + AvroErrorText());
}

Status Check(int rc, std::string_view what) { return rc == 0 ? Status::Ok() : AvroFailure(what); }

struct SchemaDeleter {
  void operator()(avro_obj_t* schema) const { avro_schema_decref(schema); }
};
using SchemaPtr = std::unique_ptr<avro_obj_t, SchemaDeleter>;

struct IfaceDeleter {
  void operator()(avro_value_iface_t* iface) const { avro_value_iface_decref(iface); }
};
using IfacePtr = std::unique_ptr<avro_value_iface_t, IfaceDeleter>;

struct FileWriterDeleter {
  // Writes the block still buffered (into the sink, which discards it when
  // no call is in progress) and frees the writer.
  void operator()(avro_file_writer_t_* writer) const { avro_file_writer_close(writer); }
};
using FileWriterPtr = std::unique_ptr<avro_file_writer_t_, FileWriterDeleter>;

struct FileCloser {
  void operator()(FILE* file) const { fclose(file); }
};
using FilePtr = std::unique_ptr<FILE, FileCloser>;

// A generic Avro value (avro_generic_value_new), released with its class.
class GenericValue {
 public:
  GenericValue() = default;
  GenericValue(const GenericValue&) = delete;
  GenericValue& operator=(const GenericValue&) = delete;
  ~GenericValue() {
    if (value_.self != nullptr) avro_value_decref(&value_);
  }
  avro_value_t* get() { return &value_; }

 private:
  avro_value_t value_{nullptr, nullptr};
};

// Where the FILE Avro C writes to puts its bytes: the `out` of the call in
// progress, or nowhere (a writer destroyed unfinished).
struct Sink {
  std::string* target = nullptr;
  bool failed = false;
};

ssize_t SinkWrite(void* cookie, const char* buf, size_t size) {
  auto* sink = static_cast<Sink*>(cookie);
  if (sink->target == nullptr) return static_cast<ssize_t>(size);
  try {
    sink->target->append(buf, size);
  } catch (...) {
    // Exceptions must not unwind through Avro C and stdio: 0 is stdio's
    // "write error", which Avro C turns into EIO.
    sink->failed = true;
    return 0;
  }
  return static_cast<ssize_t>(size);
}

// Points the sink at `out` for the scope of one call.
class SinkTarget {
 public:
  SinkTarget(Sink* sink, std::string* out) : sink_(sink) { sink_->target = out; }
  SinkTarget(const SinkTarget&) = delete;
  SinkTarget& operator=(const SinkTarget&) = delete;
  ~SinkTarget() { sink_->target = nullptr; }

 private:
  Sink* sink_;
};

// ---------------------------------------------------------------------------
// Avro binary encoding, for the header the writer writes and the reader.

void AppendLong(int64_t value, std::string* out) {
  uint64_t n = (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
  while (n >= 0x80) {
    out->push_back(static_cast<char>((n & 0x7F) | 0x80));
    n >>= 7;
  }
  out->push_back(static_cast<char>(n));
}

void AppendBytes(std::string_view bytes, std::string* out) {
  AppendLong(static_cast<int64_t>(bytes.size()), out);
  out->append(bytes);
}

// The header of an object with `codec` and the schema above.
std::string BuildHeader(Codec codec, std::string_view sync) {
  std::string header(kMagic);
  AppendLong(2, &header);  // One map block of two entries.
  AppendBytes("avro.codec", &header);
  AppendBytes(CodecName(codec), &header);
  AppendBytes("avro.schema", &header);
  AppendBytes(kSchemaJson, &header);
  AppendLong(0, &header);  // The map's end.
  header.append(sync);
  return header;
}

// Reads Avro's binary encoding from `data`. Running out of bytes is
// DataLoss while reading the container (the object was cut short) and
// InvalidArgument inside a block (whose size said the bytes were there).
class Cursor {
 public:
  // `data` starts at byte `base` of the object (for messages).
  Cursor(std::string_view data, size_t base, bool short_is_data_loss)
      : data_(data), base_(base), short_is_data_loss_(short_is_data_loss) {}

  size_t pos() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool at_end() const { return pos_ == data_.size(); }

  // A zigzag varint of at most 64 bits.
  Status Long(std::string_view what, int64_t* value) {
    uint64_t n = 0;
    for (int shift = 0;; shift += 7) {
      if (at_end()) return Short(what);
      const auto b = static_cast<uint8_t>(data_[pos_++]);
      // The tenth byte holds the 64th bit only.
      if (shift == 63 && b > 1) return Bad(what, "a varint longer than 64 bits");
      n |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) break;
    }
    *value = static_cast<int64_t>((n >> 1) ^ (0 - (n & 1)));
    return Status::Ok();
  }

  // A length that must not be negative.
  Status Length(std::string_view what, uint64_t* length) {
    int64_t n = 0;
    K2C_RETURN_IF_ERROR(Long(what, &n));
    if (n < 0) return Bad(what, "a negative length (" + std::to_string(n) + ")");
    *length = static_cast<uint64_t>(n);
    return Status::Ok();
  }

  Status Fixed(std::string_view what, uint64_t size, std::string_view* bytes) {
    if (size > remaining()) return Short(what, size);
    *bytes = data_.substr(pos_, size);
    pos_ += size;
    return Status::Ok();
  }

  // Avro `bytes` and `string`: a length, then that many bytes.
  Status Bytes(std::string_view what, std::string_view* bytes) {
    uint64_t size = 0;
    K2C_RETURN_IF_ERROR(Length(what, &size));
    return Fixed(what, size, bytes);
  }

  // The branch of a union of `branches`.
  Status Branch(std::string_view what, int64_t branches, int64_t* branch) {
    K2C_RETURN_IF_ERROR(Long(what, branch));
    if (*branch < 0 || *branch >= branches) {
      return Bad(what,
                 "union branch " + std::to_string(*branch) + " of " + std::to_string(branches));
    }
    return Status::Ok();
  }

  // The count opening an array or map block; a negative count is followed
  // by the block's size in bytes. Each item takes at least `min_item_bytes`,
  // which bounds a count before anything trusts it.
  Status BlockCount(std::string_view what, uint64_t min_item_bytes, uint64_t* count) {
    int64_t n = 0;
    K2C_RETURN_IF_ERROR(Long(what, &n));
    if (n < 0) {
      if (n == std::numeric_limits<int64_t>::min()) return Bad(what, "an impossible item count");
      n = -n;
      uint64_t block_bytes = 0;
      K2C_RETURN_IF_ERROR(Length(what, &block_bytes));
    }
    if (static_cast<uint64_t>(n) > remaining() / min_item_bytes) {
      if (short_is_data_loss_) return Short(what);
      return Bad(
          what, std::to_string(n) + " items in the " + std::to_string(remaining()) + " bytes left");
    }
    *count = static_cast<uint64_t>(n);
    return Status::Ok();
  }

  // What is being read, for messages: e.g. "the header", or record 7 (from
  // 1; 0: none) of "block 2 (data at byte 90)". Built only for a message.
  std::string where;
  uint64_t record = 0;
  std::string context() const {
    if (record == 0) return where;
    return "record " + std::to_string(record) + " (in " + where + ")";
  }

 private:
  Status Short(std::string_view what, uint64_t needed = 0) const {
    std::string message = "avro object is ";
    message += short_is_data_loss_ ? "truncated" : "corrupt";
    message += ": " + context() + " ends at byte " + std::to_string(base_ + data_.size());
    message += " inside " + std::string(what);
    if (needed > 0) {
      message += " (" + std::to_string(needed) + " bytes from byte " +
                 std::to_string(base_ + pos_) + ", " + std::to_string(remaining()) + " there)";
    }
    if (short_is_data_loss_) return Status::DataLoss(message);
    return Status::InvalidArgument(message);
  }

  Status Bad(std::string_view what, const std::string& problem) const {
    return Status::InvalidArgument("avro object is corrupt: " + context() + " has " + problem +
                                   " in " + std::string(what) + " at byte " +
                                   std::to_string(base_ + pos_));
  }

  std::string_view data_;
  size_t base_;
  size_t pos_ = 0;
  bool short_is_data_loss_;
};

struct ContainerHeader {
  Codec codec = Codec::kNull;  // The spec's default when none is named.
  std::string_view schema;
  std::string_view sync;
  size_t size = 0;  // Bytes, the sync marker included.
};

Status ParseHeader(std::string_view object, ContainerHeader* header) {
  const size_t magic = std::min(object.size(), kMagic.size());
  if (object.substr(0, magic) != kMagic.substr(0, magic)) {
    return Status::InvalidArgument("not an avro object container file: it starts with \"" +
                                   Printable(object.substr(0, 8)) + "\", not \"Obj\\x01\"");
  }
  if (object.size() < kMagic.size()) {
    return Status::DataLoss("avro object is truncated: it is " + std::to_string(object.size()) +
                            " bytes, inside the magic number");
  }
  Cursor in(object.substr(kMagic.size()), kMagic.size(), /*short_is_data_loss=*/true);
  in.where = "the header";
  bool has_schema = false;
  std::optional<std::string_view> codec;
  for (;;) {
    uint64_t count = 0;
    // An entry is a key and a value: two lengths at least.
    K2C_RETURN_IF_ERROR(in.BlockCount("the metadata", 2, &count));
    if (count == 0) break;
    for (uint64_t i = 0; i < count; ++i) {
      std::string_view key;
      std::string_view value;
      K2C_RETURN_IF_ERROR(in.Bytes("a metadata key", &key));
      K2C_RETURN_IF_ERROR(in.Bytes("a metadata value", &value));
      if (key == "avro.codec") codec = value;
      if (key == "avro.schema") {
        header->schema = value;
        has_schema = true;
      }
    }
  }
  K2C_RETURN_IF_ERROR(in.Fixed("the sync marker", kSyncBytes, &header->sync));
  header->size = kMagic.size() + in.pos();
  if (!has_schema) {
    return Status::InvalidArgument(
        "avro object's header has no avro.schema: not an object "
        "container file of the avro format");
  }
  if (codec.has_value()) {
    const std::optional<Codec> known = CodecFromName(*codec);
    if (!known.has_value()) {
      return Status::InvalidArgument("avro object's codec is \"" + Printable(*codec) +
                                     "\"; supported codecs: \"null\", \"deflate\", \"snappy\"");
    }
    header->codec = *known;
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// The writer schema check.

// Schemas nest shallowly; a hostile one must not exhaust the stack of
// DescribeType.
constexpr int kMaxSchemaDepth = 64;

// `json`'s member `key`, or nullptr when there is none (or `json` is not an
// object).
const nlohmann::json* Member(const nlohmann::json& json, std::string_view key) {
  if (!json.is_object()) return nullptr;
  const auto it = json.find(key);
  return it != json.end() ? &*it : nullptr;
}

// `json`'s member `key` when it is a string.
const std::string* StringMember(const nlohmann::json& json, std::string_view key) {
  const nlohmann::json* member = Member(json, key);
  return member != nullptr && member->is_string() ? member->get_ptr<const std::string*>() : nullptr;
}

bool IsPrimitive(std::string_view name) {
  return name == "null" || name == "boolean" || name == "int" || name == "long" ||
         name == "float" || name == "double" || name == "bytes" || name == "string";
}

// A schema's type, described for comparison and messages, e.g.
// "union [null, bytes]" or "array of record {key: string, ...}". Record,
// enum and fixed names do not matter; logical types do, except the
// timestamp-millis of our timestamp: a plain long reads the same.
std::string DescribeType(const nlohmann::json& type) {
  if (type.is_string()) {
    const std::string& name = type.get_ref<const std::string&>();
    return IsPrimitive(name) ? name : "a reference to \"" + Printable(name) + "\"";
  }
  if (type.is_array()) {
    std::string out = "union [";
    for (size_t i = 0; i < type.size(); ++i) {
      if (i > 0) out += ", ";
      out += DescribeType(type[i]);
    }
    return out + "]";
  }
  if (!type.is_object()) return "not a type";
  const nlohmann::json* inner = Member(type, "type");
  if (inner == nullptr) return "not a type (no \"type\")";
  if (!inner->is_string()) return DescribeType(*inner);
  const std::string& name = inner->get_ref<const std::string&>();
  if (name == "record" || name == "error") {
    const nlohmann::json* fields = Member(type, "fields");
    if (fields == nullptr || !fields->is_array()) return "record without fields";
    std::string out = "record {";
    for (size_t i = 0; i < fields->size(); ++i) {
      const nlohmann::json& field = (*fields)[i];
      const std::string* field_name = StringMember(field, "name");
      const nlohmann::json* field_type = Member(field, "type");
      if (i > 0) out += ", ";
      out += field_name != nullptr ? Printable(*field_name) : "?";
      out += ": ";
      out += field_type != nullptr ? DescribeType(*field_type) : "?";
    }
    return out + "}";
  }
  if (name == "array") {
    const nlohmann::json* items = Member(type, "items");
    return "array of " + (items != nullptr ? DescribeType(*items) : "?");
  }
  if (name == "map") {
    const nlohmann::json* values = Member(type, "values");
    return "map of " + (values != nullptr ? DescribeType(*values) : "?");
  }
  if (name == "enum" || name == "fixed") return name;
  if (!IsPrimitive(name)) return "a reference to \"" + Printable(name) + "\"";
  const std::string* logical = StringMember(type, "logicalType");
  if (logical == nullptr || (name == "long" && *logical == "timestamp-millis")) return name;
  return name + " (" + Printable(*logical) + ")";
}

struct FieldDescription {
  std::string name;
  std::string type;
};

// The fields of a record schema, or nullopt when `schema` is not a record.
std::optional<std::vector<FieldDescription>> DescribeFields(const nlohmann::json& schema) {
  const std::string* type = StringMember(schema, "type");
  const nlohmann::json* fields = Member(schema, "fields");
  if (type == nullptr || *type != "record" || fields == nullptr || !fields->is_array()) {
    return std::nullopt;
  }
  std::vector<FieldDescription> out;
  for (const nlohmann::json& field : *fields) {
    const std::string* name = StringMember(field, "name");
    const nlohmann::json* field_type = Member(field, "type");
    out.push_back({name != nullptr ? *name : std::string(),
                   field_type != nullptr ? DescribeType(*field_type) : "no type"});
  }
  return out;
}

const std::vector<FieldDescription>& ExpectedFields() {
  static const std::vector<FieldDescription> kFields =
      *DescribeFields(*ParseJsonBounded(kSchemaJson, kMaxSchemaDepth));
  return kFields;
}

// A type description cut for a message: a hostile schema's can be long.
std::string Shorten(std::string text, size_t max = 160) {
  if (text.size() > max) text.replace(max, std::string::npos, "...");
  return text;
}

// Schemas larger than this are not ours, and are not parsed.
constexpr size_t kMaxForeignSchemaBytes = 64 << 10;

// OK when `schema` (the header's JSON) is kafka2cos.Record: our own bytes,
// or another writer's JSON for the same fields, in the same order, of the
// same types.
Status CheckSchema(std::string_view schema) {
  if (schema == kSchemaJson) return Status::Ok();
  const std::string prefix = "avro object's schema is not kafka2cos.Record";
  if (schema.size() > kMaxForeignSchemaBytes) {
    return Status::InvalidArgument(prefix + ": it is " + std::to_string(schema.size()) +
                                   " bytes of JSON");
  }
  const Result<nlohmann::json> parsed = ParseJsonBounded(schema, kMaxSchemaDepth);
  if (!parsed.ok()) return Status::InvalidArgument(prefix + ": it is " + parsed.status().message());
  const nlohmann::json& json = *parsed;
  const std::optional<std::vector<FieldDescription>> fields = DescribeFields(json);
  if (!fields.has_value()) {
    return Status::InvalidArgument(prefix + ": it is " + Shorten(DescribeType(json)) +
                                   ", not a record");
  }
  const std::vector<FieldDescription>& expected = ExpectedFields();
  for (size_t i = 0; i < std::max(fields->size(), expected.size()); ++i) {
    const std::string number = "field " + std::to_string(i + 1);
    if (i >= fields->size()) {
      return Status::InvalidArgument(prefix + ": it has " + std::to_string(fields->size()) +
                                     " fields; " + number + " \"" + expected[i].name + "\" (" +
                                     expected[i].type + ") is missing");
    }
    const FieldDescription& got = (*fields)[i];
    if (i >= expected.size()) {
      return Status::InvalidArgument(prefix + ": it has " + std::to_string(fields->size()) +
                                     " fields, not " + std::to_string(expected.size()) + "; " +
                                     number + " is \"" + Printable(got.name) + "\"");
    }
    if (got.name != expected[i].name || got.type != expected[i].type) {
      return Status::InvalidArgument(prefix + ": " + number + " is \"" + Printable(got.name) +
                                     "\" (" + Shorten(got.type) + "), expected \"" +
                                     expected[i].name + "\" (" + expected[i].type + ")");
    }
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// Block decompression, bounded by what the reader may still decode.

Status TooLarge(uint64_t max_decoded_bytes) {
  return Status::ResourceExhausted("decoded avro object is larger than " +
                                   std::to_string(max_decoded_bytes) + " bytes");
}

// Raw deflate (RFC 1951), as Avro's deflate codec stores a block.
Status InflateBlock(z_stream* zs, std::string_view in, uint64_t budget, uint64_t max_decoded,
                    const std::string& where, std::string* out) {
  if (inflateReset(zs) != Z_OK) return Status::Internal("zlib: inflateReset failed");
  // The last block may have left input behind (bytes after its stream).
  zs->next_in = nullptr;
  zs->avail_in = 0;
  out->clear();
  size_t produced = 0;
  size_t fed = 0;
  for (;;) {
    if (produced == out->size()) {
      if (produced > budget) return TooLarge(max_decoded);
      // Grow geometrically up to one byte past the budget: producing that
      // byte is how an object larger than the budget shows.
      const uint64_t want = std::max<uint64_t>({64 << 10, produced * 2, in.size()});
      out->resize(static_cast<size_t>(want > budget ? budget + 1 : want));
    }
    if (zs->avail_in == 0 && fed < in.size()) {
      const size_t chunk = std::min<size_t>(in.size() - fed, std::numeric_limits<uInt>::max());
      zs->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + fed));
      zs->avail_in = static_cast<uInt>(chunk);
      fed += chunk;
    }
    const size_t room = std::min<size_t>(out->size() - produced, std::numeric_limits<uInt>::max());
    zs->next_out = reinterpret_cast<Bytef*>(out->data() + produced);
    zs->avail_out = static_cast<uInt>(room);
    const int rc = inflate(zs, Z_NO_FLUSH);
    produced += room - zs->avail_out;
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR && zs->avail_in == 0 && fed == in.size() && zs->avail_out > 0) {
      return Status::InvalidArgument("avro object is corrupt: the deflate data of " + where +
                                     " ends before its end of stream");
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return Status::InvalidArgument(
          "avro object is corrupt: the deflate data of " + where +
          " is not valid: " + (zs->msg != nullptr ? zs->msg : std::to_string(rc)));
    }
  }
  if (produced > budget) return TooLarge(max_decoded);
  // Bytes after the end of the stream are ignored, as Java's and Python's
  // readers do: Python's avro and fastavro store zlib.compress()[2:-1],
  // which leaves three bytes of the zlib trailer after the raw stream.
  out->resize(produced);
  return Status::Ok();
}

// Snappy's block format (github.com/google/snappy, format_description.txt)
// followed by the CRC-32 of the uncompressed bytes, big-endian, as Avro's
// snappy codec stores a block. Avro C's snappy library is not ours to link.
Status UnsnappyBlock(std::string_view in, uint64_t budget, uint64_t max_decoded,
                     const std::string& where, std::string* out) {
  const auto corrupt = [&where](const std::string& problem) {
    return Status::InvalidArgument("avro object is corrupt: the snappy data of " + where + " " +
                                   problem);
  };
  if (in.size() < 5) return corrupt("is too short for a length and a checksum");
  const auto* p = reinterpret_cast<const uint8_t*>(in.data());
  const uint8_t* const end = p + in.size() - 4;
  uint64_t length = 0;
  for (int shift = 0;; shift += 7) {
    if (p == end || shift > 28) return corrupt("has a bad length");
    const uint8_t b = *p++;
    length |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) break;
  }
  if (length > 0xFFFFFFFFull) return corrupt("has a bad length");
  if (length > budget) return TooLarge(max_decoded);
  // No element expands more than 64 bytes from 3: a larger claim is a lie
  // that must not be allocated.
  if (length > static_cast<uint64_t>(end - p) * 22) {
    return corrupt("claims " + std::to_string(length) + " bytes from " + std::to_string(end - p));
  }
  out->resize(static_cast<size_t>(length));
  auto* const dst = reinterpret_cast<uint8_t*>(out->data());
  uint64_t produced = 0;
  while (p < end) {
    const uint8_t tag = *p++;
    uint64_t len = 0;
    uint64_t offset = 0;
    const auto take = [&p, end](int n, uint64_t* value) {
      if (end - p < n) return false;
      *value = 0;
      for (int i = 0; i < n; ++i) *value |= static_cast<uint64_t>(p[i]) << (8 * i);
      p += n;
      return true;
    };
    switch (tag & 3) {
      case 0: {  // Literal.
        len = tag >> 2;
        if (len >= 60 && !take(static_cast<int>(len) - 59, &len)) return corrupt("is cut short");
        len += 1;
        if (len > static_cast<uint64_t>(end - p) || len > length - produced) {
          return corrupt("has a literal past its end");
        }
        std::memcpy(dst + produced, p, len);
        p += len;
        produced += len;
        continue;
      }
      case 1:
        len = 4 + ((tag >> 2) & 7);
        if (!take(1, &offset)) return corrupt("is cut short");
        offset |= static_cast<uint64_t>(tag >> 5) << 8;
        break;
      case 2:
        len = (tag >> 2) + 1;
        if (!take(2, &offset)) return corrupt("is cut short");
        break;
      default:
        len = (tag >> 2) + 1;
        if (!take(4, &offset)) return corrupt("is cut short");
        break;
    }
    if (offset == 0 || offset > produced || len > length - produced) {
      return corrupt("has a copy outside its output");
    }
    if (offset >= len) {
      std::memcpy(dst + produced, dst + produced - offset, len);
    } else {
      // Byte by byte: the copy overlaps what it writes (a run).
      for (uint64_t i = 0; i < len; ++i) dst[produced + i] = dst[produced + i - offset];
    }
    produced += len;
  }
  if (produced != length) return corrupt("is shorter than its length");
  const auto* crc_bytes = reinterpret_cast<const uint8_t*>(in.data() + in.size() - 4);
  const uint32_t stored = (static_cast<uint32_t>(crc_bytes[0]) << 24) |
                          (static_cast<uint32_t>(crc_bytes[1]) << 16) |
                          (static_cast<uint32_t>(crc_bytes[2]) << 8) | crc_bytes[3];
  const uLong crc = crc32(crc32(0, Z_NULL, 0), dst, static_cast<uInt>(length));
  if (crc != stored) return corrupt("fails its CRC-32");
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// Records.

// The fewest bytes one record takes: one varint for each of its 8 fields.
constexpr uint64_t kMinRecordBytes = 8;
// A header takes a key length and a union branch.
constexpr uint64_t kMinHeaderBytes = 2;

Status RecordTooLarge(std::string_view what, size_t size, const ReadLimits& limits,
                      const Cursor& in) {
  return Status::ResourceExhausted("avro object: " + in.context() + " has a " + std::string(what) +
                                   " of " + std::to_string(size) + " bytes, more than " +
                                   std::to_string(limits.max_record_bytes));
}

// Bytes or a string of at most max_record_bytes (all of a record's are
// bounded, not only its key and values).
Status LimitedBytes(Cursor& in, std::string_view what, const ReadLimits& limits,
                    std::string_view* bytes) {
  K2C_RETURN_IF_ERROR(in.Bytes(what, bytes));
  if (bytes->size() > limits.max_record_bytes) {
    return RecordTooLarge(what, bytes->size(), limits, in);
  }
  return Status::Ok();
}

Status NullableBytes(Cursor& in, std::string_view what, const ReadLimits& limits,
                     std::optional<std::string>* out) {
  int64_t branch = 0;
  K2C_RETURN_IF_ERROR(in.Branch(what, 2, &branch));
  if (branch == 0) {
    out->reset();
    return Status::Ok();
  }
  std::string_view bytes;
  K2C_RETURN_IF_ERROR(LimitedBytes(in, what, limits, &bytes));
  out->emplace(bytes);
  return Status::Ok();
}

Status DecodeRecord(Cursor& in, const ReadLimits& limits, DecodedRecord* record) {
  std::string_view topic;
  K2C_RETURN_IF_ERROR(LimitedBytes(in, "topic", limits, &topic));
  record->topic.assign(topic);
  int64_t partition = 0;
  K2C_RETURN_IF_ERROR(in.Long("the partition", &partition));
  if (partition < std::numeric_limits<int32_t>::min() ||
      partition > std::numeric_limits<int32_t>::max()) {
    return Status::InvalidArgument("avro object is corrupt: " + in.context() + " has partition " +
                                   std::to_string(partition) + ", not an int");
  }
  record->partition = static_cast<int32_t>(partition);
  K2C_RETURN_IF_ERROR(in.Long("the offset", &record->offset));
  int64_t has_time = 0;
  K2C_RETURN_IF_ERROR(in.Branch("the timestamp", 2, &has_time));
  record->timestamp_ms = -1;
  if (has_time == 1) K2C_RETURN_IF_ERROR(in.Long("the timestamp", &record->timestamp_ms));
  int64_t branch = 0;
  K2C_RETURN_IF_ERROR(in.Branch("the timestamp type", 2, &branch));
  // As in jsonl: a timestamp means nothing without its type, nor a type
  // without a timestamp.
  if (branch != has_time) {
    return Status::InvalidArgument("avro object: " + in.context() +
                                   " has a timestamp and a timestamp_type that are not both "
                                   "null or both set");
  }
  record->timestamp_type = TimestampType::kNone;
  if (branch == 1) {
    std::string_view name;
    K2C_RETURN_IF_ERROR(in.Bytes("the timestamp type", &name));
    const std::optional<TimestampType> type = TimestampTypeFromName(name);
    if (!type.has_value()) {
      return Status::InvalidArgument("avro object: " + in.context() + " has timestamp type \"" +
                                     Printable(name) + "\"; known: \"create\", \"log_append\"");
    }
    record->timestamp_type = *type;
  }
  K2C_RETURN_IF_ERROR(NullableBytes(in, "key", limits, &record->key));
  K2C_RETURN_IF_ERROR(NullableBytes(in, "value", limits, &record->value));
  record->headers.clear();
  for (;;) {
    uint64_t count = 0;
    K2C_RETURN_IF_ERROR(in.BlockCount("the headers", kMinHeaderBytes, &count));
    if (count == 0) break;
    for (uint64_t i = 0; i < count; ++i) {
      DecodedHeader& header = record->headers.emplace_back();
      std::string_view key;
      K2C_RETURN_IF_ERROR(LimitedBytes(in, "header key", limits, &key));
      header.key.assign(key);
      K2C_RETURN_IF_ERROR(NullableBytes(in, "header value", limits, &header.value));
    }
  }
  return Status::Ok();
}

struct BlockSpan {
  uint64_t index = 0;  // From 1.
  uint64_t records = 0;
  std::string_view data;
  size_t start = 0;  // Byte of the object where the block's data starts.
};

// The blocks after the header: a record count, a byte count, the (maybe
// compressed) data and the header's sync marker each.
class Blocks {
 public:
  Blocks(std::string_view object, const ContainerHeader& header)
      : in_(object.substr(header.size), header.size, /*short_is_data_loss=*/true),
        base_(header.size),
        sync_(header.sync) {}

  // False at the end of the object or on an error (then see status()).
  bool Next(BlockSpan* span) {
    if (!status_.ok() || in_.at_end()) return false;
    status_ = Parse(span);
    return status_.ok();
  }
  const Status& status() const { return status_; }

 private:
  Status Parse(BlockSpan* span) {
    span->index = ++index_;
    in_.where =
        "block " + std::to_string(index_) + " (at byte " + std::to_string(base_ + in_.pos()) + ")";
    int64_t count = 0;
    K2C_RETURN_IF_ERROR(in_.Long("its record count", &count));
    if (count < 0) {
      return Status::InvalidArgument("avro object is corrupt: " + in_.context() + " has " +
                                     std::to_string(count) + " records");
    }
    span->records = static_cast<uint64_t>(count);
    uint64_t size = 0;
    K2C_RETURN_IF_ERROR(in_.Length("its byte count", &size));
    span->start = base_ + in_.pos();
    K2C_RETURN_IF_ERROR(in_.Fixed("its data", size, &span->data));
    std::string_view sync;
    K2C_RETURN_IF_ERROR(in_.Fixed("its sync marker", kSyncBytes, &sync));
    if (sync != sync_) {
      return Status::InvalidArgument("avro object is corrupt: the sync marker after " +
                                     in_.context() + " is not the header's");
    }
    return Status::Ok();
  }

  Cursor in_;
  size_t base_;
  std::string_view sync_;
  uint64_t index_ = 0;
  Status status_;
};

// ---------------------------------------------------------------------------
// The writer.

class AvroWriter final : public ObjectWriter {
 public:
  AvroWriter(Codec codec, uint64_t capacity) : codec_(codec), capacity_(capacity) {}

  // Opens Avro C's file writer (which writes the header at once) and the
  // record value for `topic`.
  static Result<std::unique_ptr<ObjectWriter>> Make(avro_schema_t schema, avro_value_iface_t* iface,
                                                    Codec codec, const std::string& topic) {
    auto writer = std::make_unique<AvroWriter>(codec, 0);
    K2C_RETURN_IF_ERROR(writer->Open(schema, iface, topic));
    return std::unique_ptr<ObjectWriter>(std::move(writer));
  }

  Status Append(const RecordView& record, std::string* out, bool* kept) override {
    *kept = false;
    K2C_RETURN_IF_ERROR(Usable());
    K2C_RETURN_IF_ERROR(CheckHeaderKeysAreText(record));
    EmitHeader(out);
    SinkTarget target(&sink_, out);
    // The record value borrows the record's bytes: let go of them however
    // this call ends.
    struct Release {
      AvroWriter* writer;
      ~Release() { writer->ReleaseBorrowed(); }
    } release{this};
    K2C_RETURN_IF_ERROR(Fill(record));
    size_t size = 0;
    K2C_RETURN_IF_ERROR(Check(avro_value_sizeof(record_.get(), &size), "sizing a record"));
    if (size > capacity_ - kBlockBytes) {
      return Status::InvalidArgument(
          "the record at offset " + std::to_string(record.offset) + " of partition " +
          std::to_string(record.partition) + " takes " + std::to_string(size) +
          " bytes in Avro, more than the " + std::to_string(capacity_ - kBlockBytes) +
          " this avro writer could reserve for one record");
    }
    // Blocks stay near kBlockBytes; a larger record goes into a block of
    // its own, written at once, so that the block buffer holds at most
    // max(kBlockBytes, the largest record).
    if (pending_bytes_ > 0 && pending_bytes_ + size > kBlockBytes) {
      K2C_RETURN_IF_ERROR(WriteBlock());
    }
    if (avro_file_writer_append_value(writer_.get(), record_.get()) != 0) {
      return Broken(AvroFailure("appending a record"));
    }
    pending_bytes_ += size;
    high_water_ = std::max(high_water_, pending_bytes_);
    if (pending_bytes_ >= kBlockBytes) K2C_RETURN_IF_ERROR(WriteBlock());
    *kept = true;
    return Status::Ok();
  }

  Status Flush(std::string* out) override {
    K2C_RETURN_IF_ERROR(Usable());
    EmitHeader(out);
    SinkTarget target(&sink_, out);
    return WriteBlock();
  }

  Status Finish(std::string* out) override {
    K2C_RETURN_IF_ERROR(Usable());
    EmitHeader(out);
    {
      SinkTarget target(&sink_, out);
      K2C_RETURN_IF_ERROR(WriteBlock());
      // The block is written: closing writes nothing more and cannot fail
      // (avro_file_writer_close returns early, leaking, only when its own
      // flush fails).
      writer_.reset();
    }
    file_.reset();
    finished_ = true;
    high_water_ = 0;
    codec_out_bytes_ = 0;
    return Status::Ok();
  }

  uint64_t buffered_bytes() const override {
    if (finished_) return 0;
    uint64_t bytes = kWriterFixedBytes + header_.capacity() + scratch_.capacity();
    // The block buffer's pages stay resident once records touched them.
    bytes += high_water_;
    bytes += codec_out_bytes_;
    if (codec_ == Codec::kDeflate) bytes += kDeflateStateBytes;
    return bytes;
  }

 private:
  Status Open(avro_schema_t schema, avro_value_iface_t* iface, const std::string& topic) {
    cookie_io_functions_t io{};
    io.write = &SinkWrite;
    file_.reset(fopencookie(&sink_, "w", io));
    if (file_ == nullptr) return Status::Internal("avro: fopencookie failed");
    // Unbuffered: every byte Avro C writes reaches the sink during the
    // call that wrote it.
    if (setvbuf(file_.get(), nullptr, _IONBF, 0) != 0) {
      return Status::Internal("avro: setvbuf failed");
    }
    std::string avro_header;
    {
      SinkTarget target(&sink_, &avro_header);
      avro_file_writer_t raw = nullptr;
      int rc = ENOMEM;
      for (capacity_ = kMaxBlockCapacity; capacity_ >= kMinBlockCapacity; capacity_ /= 2) {
        rc = avro_file_writer_create_with_codec_fp(file_.get(), "kafka2cos-object",
                                                   /*should_close=*/0, schema, &raw,
                                                   std::string(CodecName(codec_)).c_str(),
                                                   static_cast<size_t>(capacity_));
        // Only a refused block buffer is worth a smaller one.
        if (rc != ENOMEM || !avro_header.empty()) break;
      }
      if (rc != 0) return AvroFailure("creating a file writer");
      writer_.reset(raw);
    }
    if (sink_.failed) return Status::ResourceExhausted("avro: out of memory writing the header");
    // Avro C wrote its header without our schema's logical type; ours
    // replaces it, keeping the sync marker that Avro C writes after blocks.
    ContainerHeader parsed;
    const Status header_status = ParseHeader(avro_header, &parsed);
    if (!header_status.ok() || parsed.size != avro_header.size() || parsed.codec != codec_) {
      return Status::Internal("avro: Avro C wrote an unexpected header: " +
                              header_status.ToString());
    }
    header_ = BuildHeader(codec_, parsed.sync);

    K2C_RETURN_IF_ERROR(Check(avro_generic_value_new(iface, record_.get()), "making a record"));
    for (int i = 0; i < kFieldCount; ++i) {
      K2C_RETURN_IF_ERROR(Check(avro_value_get_by_index(record_.get(), i, &fields_[i], nullptr),
                                "reading the record's fields"));
    }
    // The topic is the same for every record: set (copied) once.
    return Check(avro_value_set_string_len(&fields_[kTopic], topic.c_str(), topic.size() + 1),
                 "setting the topic");
  }

  Status Usable() const {
    if (finished_) return Status::FailedPrecondition("avro writer: the object is finished");
    if (!broken_.ok()) {
      return Status::FailedPrecondition("avro writer: an earlier error left it unusable: " +
                                        broken_.ToString());
    }
    return Status::Ok();
  }

  Status Broken(Status status) {
    broken_ = status;
    return status;
  }

  // The header goes out with the first call: NewWriter has no `out`.
  void EmitHeader(std::string* out) {
    if (header_.empty()) return;
    out->append(header_);
    std::string().swap(header_);
  }

  // Lends `bytes` to a bytes value without copying (Avro C would otherwise
  // copy every value into a buffer it keeps at the largest size seen).
  static Status GiveBytes(avro_value_t* value, std::string_view bytes, std::string_view what) {
    // Avro C refuses to write from a null pointer, even zero bytes.
    static constexpr char kEmpty[1] = {0};
    avro_wrapped_buffer_t buffer;
    avro_wrapped_buffer_new(&buffer, bytes.empty() ? kEmpty : bytes.data(), bytes.size());
    return Check(avro_value_give_bytes(value, &buffer), what);
  }

  // Lends a string held in scratch_ (NUL-terminated, as Avro C's strings
  // are, and counted with the NUL).
  static Status GiveString(avro_value_t* value, const char* text, size_t length,
                           std::string_view what) {
    avro_wrapped_buffer_t buffer;
    avro_wrapped_buffer_new(&buffer, text, length + 1);
    return Check(avro_value_give_string_len(value, &buffer), what);
  }

  Status NullableBytes(avro_value_t* field, const std::optional<std::string_view>& bytes,
                       std::string_view what) {
    avro_value_t branch;
    K2C_RETURN_IF_ERROR(
        Check(avro_value_set_branch(field, bytes.has_value() ? 1 : 0, &branch), what));
    if (!bytes.has_value()) return Check(avro_value_set_null(&branch), what);
    return GiveBytes(&branch, *bytes, what);
  }

  Status Fill(const RecordView& record) {
    K2C_RETURN_IF_ERROR(
        Check(avro_value_set_int(&fields_[kPartition], record.partition), "setting partition"));
    K2C_RETURN_IF_ERROR(
        Check(avro_value_set_long(&fields_[kOffset], record.offset), "setting offset"));
    const bool has_time = record.timestamp_type != TimestampType::kNone;
    avro_value_t branch;
    K2C_RETURN_IF_ERROR(
        Check(avro_value_set_branch(&fields_[kTimestamp], has_time ? 1 : 0, &branch), "timestamp"));
    K2C_RETURN_IF_ERROR(Check(
        has_time ? avro_value_set_long(&branch, record.timestamp_ms) : avro_value_set_null(&branch),
        "setting timestamp"));

    // Strings Avro C needs NUL-terminated, in one buffer reserved first so
    // that the pointers lent into it stay valid.
    const std::string_view type_name = TimestampTypeName(record.timestamp_type);
    size_t scratch_size = type_name.size() + 1;
    for (const HeaderView& header : record.headers) scratch_size += header.key.size() + 1;
    scratch_.clear();
    scratch_.reserve(scratch_size);
    scratch_.append(type_name);
    scratch_.push_back('\0');

    K2C_RETURN_IF_ERROR(
        Check(avro_value_set_branch(&fields_[kTimestampType], has_time ? 1 : 0, &branch), "type"));
    K2C_RETURN_IF_ERROR(has_time ? GiveString(&branch, scratch_.data(), type_name.size(), "type")
                                 : Check(avro_value_set_null(&branch), "setting timestamp type"));
    K2C_RETURN_IF_ERROR(NullableBytes(&fields_[kKey], record.key, "setting key"));
    K2C_RETURN_IF_ERROR(NullableBytes(&fields_[kValue], record.value, "setting value"));

    avro_value_t* headers = &fields_[kHeaders];
    K2C_RETURN_IF_ERROR(Check(avro_value_reset(headers), "clearing headers"));
    for (const HeaderView& header : record.headers) {
      const size_t key_at = scratch_.size();
      scratch_.append(header.key);
      scratch_.push_back('\0');
      avro_value_t element;
      avro_value_t field;
      K2C_RETURN_IF_ERROR(Check(avro_value_append(headers, &element, nullptr), "adding header"));
      K2C_RETURN_IF_ERROR(
          Check(avro_value_get_by_index(&element, 0, &field, nullptr), "header key"));
      K2C_RETURN_IF_ERROR(
          GiveString(&field, scratch_.data() + key_at, header.key.size(), "setting header key"));
      K2C_RETURN_IF_ERROR(
          Check(avro_value_get_by_index(&element, 1, &field, nullptr), "header value"));
      K2C_RETURN_IF_ERROR(NullableBytes(&field, header.value, "setting header value"));
    }
    return Status::Ok();
  }

  // Drops what the record value borrowed (the caller's bytes, scratch_).
  void ReleaseBorrowed() {
    for (Field field : {kTimestampType, kKey, kValue, kHeaders}) {
      avro_value_reset(&fields_[field]);
    }
    // A record with huge header keys must not leave its scratch behind.
    if (scratch_.capacity() > (64 << 10)) std::string().swap(scratch_);
  }

  // Compresses and writes the block being built, if it holds records.
  Status WriteBlock() {
    if (pending_bytes_ == 0) return Status::Ok();
    if (avro_file_writer_flush(writer_.get()) != 0 || sink_.failed) {
      return Broken(sink_.failed ? Status::ResourceExhausted("avro: out of memory writing a block")
                                 : AvroFailure("writing a block"));
    }
    // What Avro C's codec keeps between blocks: deflate reallocates its
    // output to compressBound(1.2 x the block) each block; snappy grows
    // its output to the largest block's bound; null writes the block
    // buffer itself.
    if (codec_ == Codec::kDeflate) {
      codec_out_bytes_ = compressBound(static_cast<uLong>(pending_bytes_ * 1.2));
    } else if (codec_ == Codec::kSnappy) {
      codec_out_bytes_ = std::max(codec_out_bytes_, 36 + pending_bytes_ + pending_bytes_ / 6);
    }
    pending_bytes_ = 0;
    return Status::Ok();
  }

  const Codec codec_;
  uint64_t capacity_;  // Of Avro C's block buffer.
  // Declared before the file and the Avro C writer, which write into it
  // until they are destroyed.
  Sink sink_;
  FilePtr file_;
  FileWriterPtr writer_;
  GenericValue record_;
  avro_value_t fields_[kFieldCount] = {};  // Views into record_.
  std::string header_;                     // Not emitted yet.
  std::string scratch_;
  uint64_t pending_bytes_ = 0;  // Encoded bytes in the block being built.
  uint64_t high_water_ = 0;     // The most the block buffer ever held.
  uint64_t codec_out_bytes_ = 0;
  Status broken_;
  bool finished_ = false;
};

// ---------------------------------------------------------------------------
// The format.

class AvroFormat final : public Format {
 public:
  AvroFormat(const FormatInfo& info, const FormatSettings& settings) : Format(info, settings) {}

  Status Init() {
    if (compression() == "deflate") {
      codec_ = Codec::kDeflate;
    } else if (compression() == "snappy") {
      codec_ = Codec::kSnappy;
    } else if (compression() == "none") {
      codec_ = Codec::kNull;
    } else {
      return Status::InvalidArgument("compression is '" + compression() +
                                     "'; format \"avro\" supports \"deflate\", \"snappy\", "
                                     "\"none\"");
    }
    if (settings().compression_level != 0) {
      // Avro C's deflate codec always compresses at Z_BEST_COMPRESSION and
      // has no setting for it.
      return Status::InvalidArgument(
          "compression_level is " + std::to_string(settings().compression_level) +
          "; format \"avro\" compresses with Avro C, whose \"" + compression() +
          "\" takes no level (deflate is always level 9): remove it");
    }
    avro_schema_t schema = nullptr;
    if (avro_schema_from_json_length(kSchemaJson.data(), kSchemaJson.size(), &schema) != 0) {
      return AvroFailure("parsing the record schema");
    }
    schema_.reset(schema);
    iface_.reset(avro_generic_class_from_schema(schema_.get()));
    if (iface_ == nullptr) return AvroFailure("making the record class");
    return Status::Ok();
  }

  Result<std::unique_ptr<ObjectWriter>> NewWriter(const ObjectContext& context) const override {
    // Avro C's schema and class reference counts are atomic; both are only
    // read once made, so writers on any thread share them.
    return AvroWriter::Make(schema_.get(), iface_.get(), codec_, context.topic);
  }

  Status Read(std::string_view object, const ReadLimits& limits,
              const RecordVisitor& visit) const override {
    // Any codec the header names is read, not only this format's: objects
    // written before a task's compression changed stay readable.
    ContainerHeader header;
    K2C_RETURN_IF_ERROR(ParseHeader(object, &header));
    K2C_RETURN_IF_ERROR(CheckSchema(header.schema));

    // Two passes over the blocks: the framing first, cheaply, so that a
    // truncated object is reported before any of its records is visited;
    // then the records.
    BlockSpan span;
    {
      Blocks framing(object, header);
      while (framing.Next(&span)) {
      }
      K2C_RETURN_IF_ERROR(framing.status());
    }
    Blocks blocks(object, header);

    z_stream zs{};
    if (header.codec == Codec::kDeflate && inflateInit2(&zs, -15) != Z_OK) {
      return Status::Internal("zlib: inflateInit2 failed");
    }
    struct InflateEnd {
      z_stream* zs;
      bool used;
      ~InflateEnd() {
        if (used) inflateEnd(zs);
      }
    } inflate_end{&zs, header.codec == Codec::kDeflate};

    uint64_t decoded = 0;
    uint64_t ordinal = 0;
    std::string buffer;
    DecodedRecord record;
    while (blocks.Next(&span)) {
      const std::string where = "block " + std::to_string(span.index) + " (data at byte " +
                                std::to_string(span.start) + ")";
      const uint64_t budget =
          limits.max_decoded_bytes - std::min(decoded, limits.max_decoded_bytes);
      std::string_view data = span.data;
      if (header.codec == Codec::kNull) {
        if (data.size() > budget) return TooLarge(limits.max_decoded_bytes);
      } else if (header.codec == Codec::kDeflate) {
        K2C_RETURN_IF_ERROR(
            InflateBlock(&zs, data, budget, limits.max_decoded_bytes, where, &buffer));
        data = buffer;
      } else {
        K2C_RETURN_IF_ERROR(UnsnappyBlock(data, budget, limits.max_decoded_bytes, where, &buffer));
        data = buffer;
      }
      decoded += data.size();
      if (span.records > data.size() / kMinRecordBytes) {
        return Status::InvalidArgument("avro object is corrupt: " + where + " claims " +
                                       std::to_string(span.records) + " records in " +
                                       std::to_string(data.size()) + " bytes");
      }
      Cursor records(data, 0, /*short_is_data_loss=*/false);
      records.where = where;
      for (uint64_t i = 0; i < span.records; ++i) {
        ++ordinal;
        records.record = ordinal;
        K2C_RETURN_IF_ERROR(DecodeRecord(records, limits, &record));
        K2C_RETURN_IF_ERROR(visit(record));
      }
      if (!records.at_end()) {
        return Status::InvalidArgument("avro object is corrupt: " + where + " has " +
                                       std::to_string(records.remaining()) + " bytes after its " +
                                       std::to_string(span.records) + " records");
      }
    }
    // The first pass saw the same framing.
    return blocks.status();
  }

 private:
  Codec codec_ = Codec::kDeflate;
  SchemaPtr schema_;
  IfacePtr iface_;
};

}  // namespace

Result<std::unique_ptr<Format>> MakeAvroFormat(const FormatInfo& info,
                                               const FormatSettings& settings) {
  auto format = std::make_unique<AvroFormat>(info, settings);
  K2C_RETURN_IF_ERROR(format->Init());
  return std::unique_ptr<Format>(std::move(format));
}

}  // namespace k2c
