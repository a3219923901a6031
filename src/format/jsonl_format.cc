// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
// The `jsonl` format: one JSON object per line per record, lossless. The
// envelope (docs/formats.md, docs/jsonl-record.schema.json):
//   {"topic":"orders","partition":0,"offset":42,"timestamp":1764662400000,
//    "timestamp_type":"create","key":"k","key_encoding":"utf8",
//    "value":"aGk=","value_encoding":"base64",
//    "headers":[{"key":"trace","key_encoding":"utf8","value":null,"value_encoding":null}]}
// Every field is always present, so that every line has the same shape and
// query engines infer one schema. A byte string is written as a JSON string
// when it is valid UTF-8 ("utf8") and as base64 otherwise ("base64"); a
// null has a null encoding. "timestamp" is milliseconds since the epoch,
// null (with a null type) when the record has none.
#include <charconv>
#include <memory>
#include <nlohmann/json.hpp>
#include <utility>

#include "format/bounded_json.h"
#include "format/format_factories.h"
#include "format/stream_compression.h"
#include "format/text_codec.h"

namespace k2c {
namespace {

void AppendInt(int64_t value, std::string* out) {
  char buf[24];
  const auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
  out->append(buf, end);
}

// `"name":<string or null>,"name_encoding":<"utf8", "base64" or null>`.
void AppendBytesField(std::string_view name, std::optional<std::string_view> bytes,
                      std::string* out) {
  out->push_back('"');
  out->append(name);
  out->append("\":");
  if (!bytes) {
    out->append("null,\"");
    out->append(name);
    out->append("_encoding\":null");
    return;
  }
  const bool utf8 = IsValidUtf8(*bytes);
  if (utf8) {
    AppendJsonString(*bytes, out);
  } else {
    out->push_back('"');
    AppendBase64(*bytes, out);
    out->push_back('"');
  }
  out->append(",\"");
  out->append(name);
  out->append(utf8 ? "_encoding\":\"utf8\"" : "_encoding\":\"base64\"");
}

class JsonlWriter final : public ObjectWriter {
 public:
  explicit JsonlWriter(const ObjectContext& context) {
    prefix_ = "{\"topic\":";
    AppendJsonString(context.topic, &prefix_);  // Topic names are ASCII.
    prefix_ += ",\"partition\":";
  }

  Status Append(const RecordView& record, std::string* out, bool* kept) override {
    *kept = true;
    out->reserve(out->size() + prefix_.size() + 200 + (record.key ? record.key->size() : 0) +
                 (record.value ? record.value->size() * 4 / 3 : 0));
    out->append(prefix_);
    AppendInt(record.partition, out);
    out->append(",\"offset\":");
    AppendInt(record.offset, out);
    if (record.timestamp_type == TimestampType::kNone) {
      out->append(",\"timestamp\":null,\"timestamp_type\":null,");
    } else {
      out->append(",\"timestamp\":");
      AppendInt(record.timestamp_ms, out);
      out->append(",\"timestamp_type\":\"");
      out->append(TimestampTypeName(record.timestamp_type));
      out->append("\",");
    }
    AppendBytesField("key", record.key, out);
    out->push_back(',');
    AppendBytesField("value", record.value, out);
    out->append(",\"headers\":[");
    bool first = true;
    for (const HeaderView& header : record.headers) {
      out->append(first ? "{" : ",{");
      first = false;
      AppendBytesField("key", header.key, out);
      out->push_back(',');
      AppendBytesField("value", header.value, out);
      out->push_back('}');
    }
    out->append("]}\n");
    return Status::Ok();
  }
  Status Flush(std::string*) override { return Status::Ok(); }
  Status Finish(std::string*) override { return Status::Ok(); }
  uint64_t buffered_bytes() const override { return 0; }

 private:
  std::string prefix_;  // `{"topic":"<topic>","partition":`
};

// Reads one line's envelope; InvalidArgument naming the field otherwise.
class EnvelopeReader {
 public:
  EnvelopeReader(const nlohmann::json& line, const ReadLimits& limits)
      : line_(line), limits_(limits) {}

  Status Read(DecodedRecord* out) {
    if (!line_.is_object()) return Status::InvalidArgument("not a JSON object");
    K2C_RETURN_IF_ERROR(String(line_, "topic", &out->topic));
    int64_t partition = 0;
    K2C_RETURN_IF_ERROR(Int(line_, "partition", &partition));
    if (partition < 0 || partition > INT32_MAX) return Bad("partition", "out of range");
    out->partition = static_cast<int32_t>(partition);
    K2C_RETURN_IF_ERROR(Int(line_, "offset", &out->offset));
    const nlohmann::json* ts = Field(line_, "timestamp");
    const nlohmann::json* ts_type = Field(line_, "timestamp_type");
    if (ts == nullptr || ts_type == nullptr) return Bad("timestamp", "missing");
    if (ts->is_null() != ts_type->is_null()) {
      return Bad("timestamp", "and timestamp_type must be both null or both set");
    }
    if (ts->is_null()) {
      out->timestamp_ms = -1;
      out->timestamp_type = TimestampType::kNone;
    } else {
      K2C_RETURN_IF_ERROR(Int(line_, "timestamp", &out->timestamp_ms));
      std::optional<TimestampType> type;
      if (ts_type->is_string())
        type = TimestampTypeFromName(ts_type->get_ref<const std::string&>());
      if (!type) return Bad("timestamp_type", "is not \"create\" or \"log_append\"");
      out->timestamp_type = *type;
    }
    K2C_RETURN_IF_ERROR(Bytes(line_, "key", &out->key));
    K2C_RETURN_IF_ERROR(Bytes(line_, "value", &out->value));
    const nlohmann::json* headers = Field(line_, "headers");
    if (headers == nullptr || !headers->is_array()) return Bad("headers", "is not an array");
    out->headers.clear();
    for (const nlohmann::json& h : *headers) {
      if (!h.is_object()) return Bad("headers", "holds something that is not an object");
      std::optional<std::string> key;
      DecodedHeader header;
      K2C_RETURN_IF_ERROR(Bytes(h, "key", &key));
      if (!key) return Bad("headers.key", "is null");
      header.key = std::move(*key);
      K2C_RETURN_IF_ERROR(Bytes(h, "value", &header.value));
      out->headers.push_back(std::move(header));
    }
    return Status::Ok();
  }

 private:
  static Status Bad(std::string_view field, std::string_view what) {
    return Status::InvalidArgument("field \"" + std::string(field) + "\" " + std::string(what));
  }
  static const nlohmann::json* Field(const nlohmann::json& object, const char* name) {
    auto it = object.find(name);
    return it == object.end() ? nullptr : &*it;
  }
  static Status String(const nlohmann::json& object, const char* name, std::string* out) {
    const nlohmann::json* field = Field(object, name);
    if (field == nullptr || !field->is_string()) return Bad(name, "is not a string");
    *out = field->get<std::string>();
    return Status::Ok();
  }
  static Status Int(const nlohmann::json& object, const char* name, int64_t* out) {
    const nlohmann::json* field = Field(object, name);
    if (field == nullptr || !(field->is_number_integer())) return Bad(name, "is not an integer");
    if (field->is_number_unsigned() && field->get<uint64_t>() > INT64_MAX) {
      return Bad(name, "is out of range");
    }
    *out = field->get<int64_t>();
    return Status::Ok();
  }
  Status Bytes(const nlohmann::json& object, const std::string& name,
               std::optional<std::string>* out) const {
    const nlohmann::json* field = Field(object, name.c_str());
    const nlohmann::json* encoding = Field(object, (name + "_encoding").c_str());
    if (field == nullptr || encoding == nullptr) return Bad(name, "or its _encoding is missing");
    if (field->is_null() || encoding->is_null()) {
      if (!field->is_null() || !encoding->is_null()) {
        return Bad(name, "and its _encoding must be both null or both set");
      }
      out->reset();
      return Status::Ok();
    }
    if (!field->is_string() || !encoding->is_string()) return Bad(name, "is not a string");
    const std::string& text = field->get_ref<const std::string&>();
    const std::string& how = encoding->get_ref<const std::string&>();
    if (how == "utf8") {
      *out = text;
    } else if (how == "base64") {
      auto bytes = DecodeBase64(text);
      if (!bytes.ok()) return Bad(name, bytes.status().message());
      *out = std::move(*bytes);
    } else {
      return Bad(name + "_encoding", "is not \"utf8\" or \"base64\"");
    }
    if ((*out)->size() > limits_.max_record_bytes) {
      return Status::ResourceExhausted("field \"" + name + "\" is longer than " +
                                       std::to_string(limits_.max_record_bytes) + " bytes");
    }
    return Status::Ok();
  }

  const nlohmann::json& line_;
  const ReadLimits& limits_;
};

class JsonlFormat final : public Format {
 public:
  JsonlFormat(const FormatInfo& info, const FormatSettings& settings, StreamCodec codec)
      : Format(info, settings), codec_(codec) {}

  Result<std::unique_ptr<ObjectWriter>> NewWriter(const ObjectContext& context) const override {
    return CompressingWriter(std::make_unique<JsonlWriter>(context), codec_,
                             settings().compression_level);
  }

  Status Read(std::string_view object, const ReadLimits& limits,
              const RecordVisitor& visit) const override {
    std::string storage;
    auto text = Uncompressed(*this, object, limits, &storage);
    if (!text.ok()) return text.status();
    std::string_view rest = *text;
    DecodedRecord record;
    for (uint64_t line = 1; !rest.empty(); ++line) {
      const size_t end = rest.find('\n');
      if (end == std::string_view::npos) {
        return Status::DataLoss("line " + std::to_string(line) +
                                " has no newline: the object is truncated");
      }
      // The envelope nests three deep (the line, its headers, a header).
      const Result<nlohmann::json> parsed = ParseJsonBounded(rest.substr(0, end), 3);
      Status s = parsed.ok() ? EnvelopeReader(*parsed, limits).Read(&record) : parsed.status();
      if (!s.ok()) {
        return Status(s.code(), "line " + std::to_string(line) + ": " + s.message());
      }
      K2C_RETURN_IF_ERROR(visit(record));
      rest.remove_prefix(end + 1);
    }
    return Status::Ok();
  }

 private:
  const StreamCodec codec_;
};

}  // namespace

Result<std::unique_ptr<Format>> MakeJsonlFormat(const FormatInfo& info,
                                                const FormatSettings& settings) {
  auto codec = StreamCodecFromName(EffectiveCompression(settings));
  if (!codec.ok()) return codec.status();
  return std::unique_ptr<Format>(std::make_unique<JsonlFormat>(info, settings, *codec));
}

}  // namespace k2c
