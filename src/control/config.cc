// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "kafka/kafka_source.h"
#include "sink/key_template.h"

namespace k2c {
namespace {

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// Reads the keys of one TOML table, remembering which were used so that the
// rest can be reported as unknown. Errors carry file:line:column and the
// dotted key path.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string path, const std::string& source)
      : table_(table), path_(std::move(path)), source_(source) {}

  std::string Where(const toml::node& node) const {
    const auto& begin = node.source().begin;
    return source_ + ":" + std::to_string(begin.line) + ":" + std::to_string(begin.column);
  }
  std::string Name(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  Status Error(const toml::node& node, const std::string& key, const std::string& what) const {
    return Status::InvalidArgument(Where(node) + ": '" + Name(key) + "' " + what);
  }

  const toml::node* Get(const std::string& key) {
    known_.insert(key);
    return table_.get(key);
  }

  Status String(const std::string& key, std::string* out) {
    const toml::node* node = Get(key);
    if (node == nullptr) return Status::Ok();
    if (!node->is_string()) return Error(*node, key, "must be a string");
    *out = node->as_string()->get();
    return Status::Ok();
  }

  Status RequiredString(const std::string& key, std::string* out, const toml::node& owner) {
    K2C_RETURN_IF_ERROR(String(key, out));
    if (out->empty()) {
      return Status::InvalidArgument(Where(owner) + ": '" + Name(key) +
                                     "' is required and must not be empty");
    }
    return Status::Ok();
  }

  Status Bool(const std::string& key, bool* out) {
    const toml::node* node = Get(key);
    if (node == nullptr) return Status::Ok();
    if (!node->is_boolean()) return Error(*node, key, "must be true or false");
    *out = node->as_boolean()->get();
    return Status::Ok();
  }

  Status Int(const std::string& key, int* out, int lo, int hi) {
    const toml::node* node = Get(key);
    if (node == nullptr) return Status::Ok();
    if (!node->is_integer()) return Error(*node, key, "must be an integer");
    const int64_t v = node->as_integer()->get();
    if (v < lo || v > hi) {
      return Error(*node, key,
                   "is " + std::to_string(v) + ", allowed " + std::to_string(lo) + ".." +
                       std::to_string(hi));
    }
    *out = static_cast<int>(v);
    return Status::Ok();
  }

  Status Duration(const std::string& key, std::chrono::milliseconds* out) {
    const toml::node* node = Get(key);
    if (node == nullptr) return Status::Ok();
    if (!node->is_string()) {
      return Error(*node, key, "must be a duration string with a unit, e.g. \"30s\" or \"5m\"");
    }
    auto d = ParseDuration(node->as_string()->get());
    if (!d.ok()) return Error(*node, key, d.status().message());
    *out = *d;
    return Status::Ok();
  }

  Status ByteSize(const std::string& key, uint64_t* out) {
    const toml::node* node = Get(key);
    if (node == nullptr) return Status::Ok();
    if (node->is_integer() && node->as_integer()->get() > 0) {
      *out = static_cast<uint64_t>(node->as_integer()->get());
      return Status::Ok();
    }
    if (!node->is_string()) {
      return Error(*node, key, "must be a size such as \"64MiB\" or a byte count");
    }
    auto n = ParseByteSize(node->as_string()->get());
    if (!n.ok()) return Error(*node, key, n.status().message());
    *out = *n;
    return Status::Ok();
  }

  // InvalidArgument for the first key never asked for, with a suggestion.
  Status CheckNoUnknownKeys() const {
    for (const auto& [key, node] : table_) {
      const std::string k(key.str());
      if (known_.count(k)) continue;
      // Suggest the closest known key: a small edit away, or one that the
      // unknown key is a prefix of ("bootstrap" -> "bootstrap_servers").
      std::string best;
      size_t best_distance = std::max<size_t>(3, k.size() / 3) + 1;
      for (const std::string& candidate : known_) {
        size_t d = EditDistance(k, candidate);
        if (candidate.rfind(k, 0) == 0) d = std::min<size_t>(d, 1);
        if (d < best_distance) best_distance = d, best = candidate;
      }
      std::string msg = Where(node) + ": unknown key '" + Name(k) + "'";
      if (!best.empty()) msg += " (did you mean '" + best + "'?)";
      return Status::InvalidArgument(msg + "; see docs/config.md");
    }
    return Status::Ok();
  }

 private:
  const toml::table& table_;
  std::string path_;
  const std::string& source_;
  std::set<std::string> known_;
};

// Returns the sub-table at `key` (nullptr when absent) or an error when the
// key holds something else.
Result<const toml::table*> SubTable(TableReader& reader, const std::string& key) {
  const toml::node* node = reader.Get(key);
  if (node == nullptr) return static_cast<const toml::table*>(nullptr);
  if (!node->is_table()) return reader.Error(*node, key, "must be a table ([" + key + "])");
  return node->as_table();
}

std::string EnvOr(const std::string& value, const char* env_name) {
  if (!value.empty()) return value;
  const char* env = std::getenv(env_name);
  return env != nullptr ? env : "";
}

Status ParseKafka(const toml::table* table, const toml::node& root, const std::string& source,
                  KafkaConfig* out) {
  if (table == nullptr) {
    return Status::InvalidArgument(source +
                                   ": the [kafka] table is required (at least "
                                   "bootstrap_servers = \"host:9092\")");
  }
  TableReader r(*table, "kafka", source);
  K2C_RETURN_IF_ERROR(r.RequiredString("bootstrap_servers", &out->bootstrap_servers, *table));
  auto props = SubTable(r, "properties");
  if (!props.ok()) return props.status();
  if (*props != nullptr) {
    for (const auto& [key, node] : **props) {
      const std::string name(key.str());
      const auto& reserved = ReservedKafkaProperties();
      if (std::find(reserved.begin(), reserved.end(), name) != reserved.end()) {
        return Status::InvalidArgument(
            r.Where(node) + ": 'kafka.properties." + name + "' is set by kafka2cos itself" +
            (name == "bootstrap.servers" ? std::string("; use kafka.bootstrap_servers")
                                         : std::string("; remove it")));
      }
      if (node.is_string()) {
        out->properties[name] = node.as_string()->get();
      } else if (node.is_integer()) {
        out->properties[name] = std::to_string(node.as_integer()->get());
      } else if (node.is_boolean()) {
        out->properties[name] = node.as_boolean()->get() ? "true" : "false";
      } else {
        return Status::InvalidArgument(r.Where(node) + ": 'kafka.properties." + name +
                                       "' must be a string, integer or boolean");
      }
    }
  }
  (void)root;
  return r.CheckNoUnknownKeys();
}

Status ParseStorage(const toml::table* table, const std::string& source, StorageConfig* out) {
  if (table == nullptr) return Status::Ok();  // Local disk under ./archive.
  TableReader r(*table, "storage", source);
  std::string type = "local";
  K2C_RETURN_IF_ERROR(r.String("type", &type));
  if (type == "local") {
    out->type = StorageConfig::Type::kLocal;
  } else if (type == "s3") {
    out->type = StorageConfig::Type::kS3;
  } else {
    return r.Error(*r.Get("type"), "type", "is '" + type + "'; use \"local\" or \"s3\"");
  }
  K2C_RETURN_IF_ERROR(r.String("root", &out->root));
  K2C_RETURN_IF_ERROR(r.String("endpoint", &out->endpoint));
  K2C_RETURN_IF_ERROR(r.String("region", &out->region));
  K2C_RETURN_IF_ERROR(r.Bool("path_style", &out->path_style));
  K2C_RETURN_IF_ERROR(r.String("access_key_id", &out->access_key_id));
  K2C_RETURN_IF_ERROR(r.String("secret_access_key", &out->secret_access_key));
  K2C_RETURN_IF_ERROR(r.String("session_token", &out->session_token));
  K2C_RETURN_IF_ERROR(r.Bool("verify_tls", &out->verify_tls));
  K2C_RETURN_IF_ERROR(r.String("ca_file", &out->ca_file));
  K2C_RETURN_IF_ERROR(r.String("server_side_encryption", &out->server_side_encryption));
  K2C_RETURN_IF_ERROR(r.String("canned_acl", &out->canned_acl));
  K2C_RETURN_IF_ERROR(r.Duration("connect_timeout", &out->connect_timeout));
  K2C_RETURN_IF_ERROR(r.Duration("request_timeout", &out->request_timeout));
  K2C_RETURN_IF_ERROR(r.ByteSize("part_size", &out->part_size));
  K2C_RETURN_IF_ERROR(r.CheckNoUnknownKeys());
  if (out->part_size < (5ull << 20) || out->part_size > (5ull << 30)) {
    return Status::InvalidArgument(source + ": 'storage.part_size' must be 5MiB..5GiB (S3 limits)");
  }
  if (!out->server_side_encryption.empty() && out->server_side_encryption != "AES256" &&
      out->server_side_encryption != "aws:kms") {
    return Status::InvalidArgument(source + ": 'storage.server_side_encryption' is '" +
                                   out->server_side_encryption +
                                   "'; use \"AES256\", \"aws:kms\" or leave it out");
  }
  if (!out->canned_acl.empty() && out->canned_acl != "private" &&
      out->canned_acl != "bucket-owner-full-control") {
    // Archives are never public: only the private ACLs are accepted.
    return Status::InvalidArgument(source + ": 'storage.canned_acl' is '" + out->canned_acl +
                                   "'; use \"private\", \"bucket-owner-full-control\" or \"\"");
  }
  if (out->type == StorageConfig::Type::kS3) {
    if (out->endpoint.empty()) {
      return Status::InvalidArgument(source +
                                     ": 'storage.endpoint' is required for type = \"s3\" (e.g. "
                                     "\"https://s3.us-east-1.amazonaws.com\")");
    }
    if (out->endpoint.rfind("http://", 0) != 0 && out->endpoint.rfind("https://", 0) != 0) {
      return Status::InvalidArgument(source +
                                     ": 'storage.endpoint' must start with http:// or "
                                     "https://");
    }
    out->access_key_id = EnvOr(out->access_key_id, "AWS_ACCESS_KEY_ID");
    out->secret_access_key = EnvOr(out->secret_access_key, "AWS_SECRET_ACCESS_KEY");
    out->session_token = EnvOr(out->session_token, "AWS_SESSION_TOKEN");
    if (out->access_key_id.empty() || out->secret_access_key.empty()) {
      return Status::InvalidArgument(source +
                                     ": S3 credentials missing: set storage.access_key_id and "
                                     "storage.secret_access_key, or the AWS_ACCESS_KEY_ID and "
                                     "AWS_SECRET_ACCESS_KEY environment variables");
    }
  }
  return Status::Ok();
}

Status ParseSink(const toml::table* table, const std::string& source, SinkConfig* out) {
  if (table == nullptr) return Status::Ok();
  TableReader r(*table, "sink", source);
  K2C_RETURN_IF_ERROR(r.Duration("flush_grace", &out->flush_grace));
  K2C_RETURN_IF_ERROR(r.Duration("min_window", &out->min_window));
  K2C_RETURN_IF_ERROR(r.Duration("max_window", &out->max_window));
  K2C_RETURN_IF_ERROR(r.Int("upload_threads", &out->upload_threads, 1, 64));
  K2C_RETURN_IF_ERROR(r.CheckNoUnknownKeys());
  if (out->min_window.count() <= 0 || out->min_window > out->max_window) {
    return Status::InvalidArgument(source + ": 'sink.min_window' (" +
                                   FormatDuration(out->min_window) +
                                   ") must be positive and not above 'sink.max_window' (" +
                                   FormatDuration(out->max_window) + ")");
  }
  return Status::Ok();
}

Status ParseTask(const toml::table& table, const std::string& path, const std::string& source,
                 const SinkConfig& sink, TaskConfig* out) {
  TableReader r(table, path, source);
  K2C_RETURN_IF_ERROR(r.RequiredString("topic", &out->topic, table));
  K2C_RETURN_IF_ERROR(r.RequiredString("bucket", &out->bucket, table));
  K2C_RETURN_IF_ERROR(r.Duration("window", &out->window));
  K2C_RETURN_IF_ERROR(r.String("start", &out->start));
  K2C_RETURN_IF_ERROR(r.String("format", &out->format));
  K2C_RETURN_IF_ERROR(r.String("delimiter", &out->delimiter));
  K2C_RETURN_IF_ERROR(r.ByteSize("max_object_bytes", &out->max_object_bytes));
  K2C_RETURN_IF_ERROR(r.String("key_template", &out->key_template));
  K2C_RETURN_IF_ERROR(r.CheckNoUnknownKeys());
  const std::string where = r.Where(table) + ": " + path + " (topic '" + out->topic + "')";
  if (out->window < sink.min_window || out->window > sink.max_window) {
    return Status::InvalidArgument(
        where + ": window " + FormatDuration(out->window) + " is outside the allowed range " +
        FormatDuration(sink.min_window) + ".." + FormatDuration(sink.max_window) +
        " (set by sink.min_window / sink.max_window)");
  }
  if (out->start != "latest" && out->start != "earliest") {
    return Status::InvalidArgument(where + ": start is '" + out->start +
                                   "'; use \"latest\" (default: skip the backlog) or "
                                   "\"earliest\"");
  }
  if (out->format != "text") {
    return Status::InvalidArgument(where + ": format is '" + out->format +
                                   "'; supported formats: \"text\"");
  }
  if (out->max_object_bytes < 1024) {
    return Status::InvalidArgument(where + ": max_object_bytes must be at least 1KiB");
  }
  auto tmpl =
      KeyTemplate::Parse(out->key_template.empty() ? kDefaultKeyTemplate : out->key_template);
  if (!tmpl.ok()) return Status::InvalidArgument(where + ": " + tmpl.status().message());
  return Status::Ok();
}

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  const std::string_view unit = text.substr(i);
  uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + i, n);
  if (i == 0 || ec != std::errc() || n > 10'000'000'000ull) {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' is not a duration; use a number and a unit: ms, s, m, h "
                                   "(e.g. \"30s\", \"5m\")");
  }
  uint64_t factor;
  if (unit == "ms") {
    factor = 1;
  } else if (unit == "s") {
    factor = 1000;
  } else if (unit == "m") {
    factor = 60'000;
  } else if (unit == "h") {
    factor = 3'600'000;
  } else {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' has no valid unit; use ms, s, m or h (e.g. \"5m\")");
  }
  return std::chrono::milliseconds(static_cast<int64_t>(n * factor));
}

Result<uint64_t> ParseByteSize(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + i, n);
  const std::string_view unit = text.substr(i);
  uint64_t factor = 0;
  if (unit.empty() || unit == "B") factor = 1;
  if (unit == "KiB") factor = 1ull << 10;
  if (unit == "MiB") factor = 1ull << 20;
  if (unit == "GiB") factor = 1ull << 30;
  if (i == 0 || ec != std::errc() || factor == 0 || n == 0 || n > (1ull << 40) / factor) {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' is not a size; use a positive number with B, KiB, MiB or "
                                   "GiB (e.g. \"64MiB\")");
  }
  return n * factor;
}

std::string FormatDuration(std::chrono::milliseconds d) {
  const int64_t ms = d.count();
  if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string TaskGroupId(const std::string& instance, const std::string& topic) {
  return "kafka2cos." + instance + "." + topic;
}

Result<Config> ParseConfig(std::string_view text, const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    return Status::InvalidArgument(source + ":" + std::to_string(begin.line) + ":" +
                                   std::to_string(begin.column) +
                                   ": TOML syntax error: " + std::string(e.description()));
  }
  Config config;
  TableReader r(root, "", source);
  K2C_RETURN_IF_ERROR(r.String("instance_id", &config.instance_id));
  auto log = SubTable(r, "log");
  if (!log.ok()) return log.status();
  if (*log != nullptr) {
    TableReader lr(**log, "log", source);
    K2C_RETURN_IF_ERROR(lr.String("level", &config.log_level));
    K2C_RETURN_IF_ERROR(lr.CheckNoUnknownKeys());
    static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error"};
    if (!kLevels.count(config.log_level)) {
      return Status::InvalidArgument(source + ": 'log.level' is '" + config.log_level +
                                     "'; use trace, debug, info, warn or error");
    }
  }
  auto kafka = SubTable(r, "kafka");
  if (!kafka.ok()) return kafka.status();
  K2C_RETURN_IF_ERROR(ParseKafka(*kafka, root, source, &config.kafka));
  auto storage = SubTable(r, "storage");
  if (!storage.ok()) return storage.status();
  K2C_RETURN_IF_ERROR(ParseStorage(*storage, source, &config.storage));
  auto sink = SubTable(r, "sink");
  if (!sink.ok()) return sink.status();
  K2C_RETURN_IF_ERROR(ParseSink(*sink, source, &config.sink));

  const toml::node* tasks = r.Get("task");
  if (tasks != nullptr) {
    if (!tasks->is_array_of_tables()) {
      return Status::InvalidArgument(r.Where(*tasks) +
                                     ": 'task' must be an array of tables: write [[task]]");
    }
    std::set<std::string> topics;
    size_t index = 0;
    for (const toml::node& node : *tasks->as_array()) {
      TaskConfig task;
      const std::string path = "task[" + std::to_string(index++) + "]";
      K2C_RETURN_IF_ERROR(ParseTask(*node.as_table(), path, source, config.sink, &task));
      if (!topics.insert(task.topic).second) {
        return Status::InvalidArgument(r.Where(node) + ": " + path + ": topic '" + task.topic +
                                       "' already has a task; one task per topic");
      }
      config.tasks.push_back(std::move(task));
    }
  }
  K2C_RETURN_IF_ERROR(r.CheckNoUnknownKeys());
  return config;
}

Result<Config> LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read config file '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseConfig(ss.str(), path);
}

}  // namespace k2c
