// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "cli/api_commands.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>

#include "cli/api_client.h"
#include "common/log_text.h"
#include "common/status.h"
#include "format/format.h"

namespace k2c {
namespace {

// A size option as the API takes it: a number when it is only digits, else
// the string ("64MiB"), which the server parses.
nlohmann::json SizeJson(const std::string& v) {
  const bool digits =
      !v.empty() && v.size() <= 18 &&
      std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
  return digits ? nlohmann::json(std::stoll(v)) : nlohmann::json(v);
}

using nlohmann::json;

constexpr char kGroup[] = "Control API (talk to a running worker)";
constexpr size_t kColumnGap = 3;

size_t DisplayWidth(std::string_view s) {
  size_t width = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++width;
  }
  return width;
}

// A field of a JSON object as text; `missing` when absent, null or "".
std::string Text(const json& obj, const char* key, const char* missing = "-") {
  if (!obj.is_object()) return missing;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return missing;
  if (it->is_string()) {
    const auto& s = it->get_ref<const std::string&>();
    return s.empty() ? missing : ControlCharsToSpaces(s);
  }
  return it->dump(-1, ' ', false, json::error_handler_t::replace);
}

// A numeric field; 0 when absent or not a number.
int64_t Int(const json& obj, const char* key) {
  if (!obj.is_object()) return 0;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number()) return 0;
  if (it->is_number_float()) return static_cast<int64_t>(it->get<double>());
  if (it->is_number_unsigned()) return static_cast<int64_t>(it->get<uint64_t>());
  return it->get<int64_t>();
}

const json& Array(const json& obj, const char* key) {
  static const json kEmpty = json::array();
  if (!obj.is_object()) return kEmpty;
  auto it = obj.find(key);
  return it != obj.end() && it->is_array() ? *it : kEmpty;
}

// "0-3,7,9-10" for a list of partition numbers.
std::string PartitionRanges(const json& list) {
  std::vector<int64_t> parts;
  for (const auto& p : list) {
    if (p.is_number_integer()) parts.push_back(p.get<int64_t>());
  }
  if (parts.empty()) return "-";
  std::sort(parts.begin(), parts.end());
  parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
  std::string out;
  for (size_t i = 0; i < parts.size();) {
    size_t j = i;
    while (j + 1 < parts.size() && parts[j + 1] == parts[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(parts[i]);
    if (j > i) out += '-' + std::to_string(parts[j]);
    i = j + 1;
  }
  return out;
}

// "key (time)", "key", or "-".
std::string WithTime(const std::string& what, int64_t ms) {
  if (what == "-") return what;
  const std::string when = FormatUtcMillis(ms);
  return when.empty() ? what : what + " (" + when + ")";
}

// Decodes \n \t \r \0 and \\ in a --delimiter value.
Result<std::string> Unescape(const std::string& in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\') {
      out += in[i];
      continue;
    }
    if (i + 1 == in.size()) {
      return Status::InvalidArgument("--delimiter ends with a lone '\\' (write \\\\ for one)");
    }
    switch (in[++i]) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case '0':
        out += '\0';
        break;
      case '\\':
        out += '\\';
        break;
      default:
        return Status::InvalidArgument(std::string("--delimiter: unknown escape '\\") + in[i] +
                                       "' (use \\n, \\t, \\r, \\0 or \\\\)");
    }
  }
  return out;
}

// "enabled topic 'x': bucket=b window=5m state=running".
std::string TaskLine(const char* verb, const json& task, const std::string& topic) {
  return std::string(verb) + " topic '" + Text(task, "topic", topic.c_str()) +
         "': bucket=" + Text(task, "bucket") + " window=" + Text(task, "window") +
         " state=" + Text(task, "state") + "\n";
}

std::string RenderTopics(const json& answer) {
  const json& topics = Array(answer, "topics");
  if (topics.empty()) return "no topics\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : topics) {
    rows.push_back({Text(t, "topic"), Text(t, "partitions"), Text(t, "task_state")});
  }
  return RenderTable({"TOPIC", "PARTITIONS", "TASK"}, rows);
}

std::string RenderTasks(const json& answer) {
  const json& tasks = Array(answer, "tasks");
  if (tasks.empty()) return "no tasks\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : tasks) {
    rows.push_back({Text(t, "topic"), Text(t, "state"), Text(t, "bucket"), Text(t, "window"),
                    Text(t, "start"), Text(t, "origin")});
  }
  return RenderTable({"TOPIC", "STATE", "BUCKET", "WINDOW", "START", "ORIGIN"}, rows);
}

std::string RenderStatus(const json& s) {
  std::string out = RenderTable(
      {}, {
              {"topic:", Text(s, "topic")},
              {"state:", Text(s, "state")},
              {"group:", Text(s, "group")},
              {"archived:", std::to_string(Int(s, "records_archived")) + " records, " +
                                std::to_string(Int(s, "bytes_archived")) + " bytes, " +
                                std::to_string(Int(s, "objects_written")) + " objects"},
              {"total lag:", std::to_string(Int(s, "lag")) + " records"},
              {"last object:", WithTime(Text(s, "last_object_key"), Int(s, "last_object_ms"))},
              {"last error:", WithTime(Text(s, "last_error"), Int(s, "last_error_ms"))},
              {"blocked:", Array(s, "blocked_partitions").empty()
                               ? "-"
                               : "partitions " + PartitionRanges(Array(s, "blocked_partitions")) +
                                     ": " + Text(s, "blocked_reason")},
              {"publishing:", s.value("create_only", true)
                                  ? "create-only (a zombie writer cannot overwrite)"
                                  : "overwrite (the store ignores create-only writes)"},
          });
  std::vector<std::vector<std::string>> partitions;
  for (const auto& p : Array(s, "partitions")) {
    partitions.push_back({Text(p, "partition"), Text(p, "worker"), Text(p, "committed_offset"),
                          Text(p, "end_offset"), Text(p, "lag")});
  }
  out += "\n";
  out += partitions.empty()
             ? "no partitions\n"
             : RenderTable({"PARTITION", "WORKER", "COMMITTED", "END", "LAG"}, partitions);
  std::vector<std::vector<std::string>> workers;
  for (const auto& w : Array(s, "workers")) {
    const std::string last = FormatUtcMillis(Int(w, "last_object_ms"));
    workers.push_back({Text(w, "worker"), Text(w, "state"), PartitionRanges(Array(w, "partitions")),
                       std::to_string(Int(w, "records_archived")), last.empty() ? "-" : last});
  }
  out += "\n";
  out += workers.empty()
             ? "no workers\n"
             : RenderTable({"WORKER", "STATE", "PARTITIONS", "RECORDS", "LAST_OBJECT"}, workers);
  return out;
}

}  // namespace

std::string FormatUtcMillis(int64_t ms) {
  if (ms <= 0) return "";
  const time_t secs = static_cast<time_t>(ms / 1000);
  std::tm tm{};
  if (gmtime_r(&secs, &tm) == nullptr) return "";
  char buf[64];
  if (std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) return "";
  return buf;
}

std::string RenderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows) {
  size_t columns = header.size();
  for (const auto& row : rows) columns = std::max(columns, row.size());
  std::vector<size_t> widths(columns, 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  };
  measure(header);
  for (const auto& row : rows) measure(row);
  std::string out;
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < columns; ++i) {
      const std::string cell = i < row.size() ? ControlCharsToSpaces(row[i]) : "";
      line += cell;
      if (i + 1 < columns) line.append(widths[i] - DisplayWidth(cell) + kColumnGap, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  };
  if (!header.empty()) emit(header);
  for (const auto& row : rows) emit(row);
  return out;
}

ApiCommands::ApiCommands(CLI::App& app) {
  topics_ = app.add_subcommand("topics", "List the instance's topics and their task states");
  tasks_ = app.add_subcommand("tasks", "List the archiving tasks");
  enable_ = app.add_subcommand(
      "enable", "Enable archiving of a topic, or change its task's settings (only the given ones)");
  disable_ = app.add_subcommand(
      "disable", "Disable archiving of a topic (its group keeps the committed offsets)");
  pause_ = app.add_subcommand("pause", "Pause a topic's task (keeps its group and offsets)");
  resume_ = app.add_subcommand("resume", "Resume a paused task from its committed offsets");
  status_ = app.add_subcommand("status", "Show how a topic's task is going: lag, workers, errors");

  for (CLI::App* sub : {enable_, disable_, pause_, resume_, status_}) {
    sub->add_option("topic", topic_, "Kafka topic")->required();
  }
  bucket_opt_ =
      enable_->add_option("--bucket", bucket_, "Bucket to write to (required for a new task)");
  window_opt_ = enable_->add_option("--window", window_, "Window length, e.g. 5m or 1h");
  start_opt_ = enable_->add_option("--start", start_, "Where a new task starts reading")
                   ->check(CLI::IsMember({"latest", "earliest"}));
  std::vector<std::string> formats;
  std::string compressions;
  for (const FormatInfo& info : KnownFormats()) {
    formats.emplace_back(info.name);
    compressions += compressions.empty() ? "" : "; ";
    compressions += std::string(info.name) + ":";
    for (std::string_view c : info.compressions) compressions += " " + std::string(c);
  }
  format_opt_ = enable_->add_option("--format", format_, "Object format: " + KnownFormatNames())
                    ->check(CLI::IsMember(formats));
  compression_opt_ =
      enable_->add_option("--compression", compression_,
                          "Compression, the format's default first (" + compressions + ")");
  compression_level_opt_ = enable_->add_option("--compression-level", compression_level_,
                                               "Codec level; 0: the codec's default");
  row_group_bytes_opt_ = enable_->add_option("--row-group-bytes", row_group_bytes_,
                                             "parquet: row group size, e.g. 16MiB");
  delimiter_opt_ = enable_->add_option(
      "--delimiter", delimiter_,
      "Written after every record value; \\n, \\t, \\r, \\0 and \\\\ are decoded");
  max_object_bytes_opt_ = enable_->add_option("--max-object-bytes", max_object_bytes_,
                                              "Largest object: bytes or a size such as 64MiB");
  key_template_opt_ = enable_->add_option("--key-template", key_template_,
                                          "Object key template (see docs/config.md)");

  for (CLI::App* sub : {topics_, tasks_, enable_, disable_, pause_, resume_, status_}) {
    sub->group(kGroup);
    AddCommonOptions(sub);
  }
}

void ApiCommands::AddCommonOptions(CLI::App* sub) {
  sub->add_option("--server", server_,
                  "URL of a worker's control API (default " + std::string(kDefaultServer) + ")")
      ->envname(kServerEnv);
  sub->add_option("--token-file", token_file_,
                  std::string("File holding the API token (default: $") + kTokenEnv + ")");
  sub->add_flag("--json", json_, "Print the server's JSON answer");
}

std::optional<int> ApiCommands::Run(std::FILE* out, std::FILE* err) {
  CLI::App* parsed = nullptr;
  for (CLI::App* sub : {topics_, tasks_, enable_, disable_, pause_, resume_, status_}) {
    if (sub->parsed()) parsed = sub;
  }
  if (parsed == nullptr) return std::nullopt;

  std::string token;
  auto write = [&token](std::FILE* f, std::string text) {
    // Defence in depth: nothing printed may contain the token.
    if (token.size() >= 4) {
      for (size_t pos = text.find(token); pos != std::string::npos; pos = text.find(token, pos)) {
        text.replace(pos, token.size(), "<token>");
        pos += 7;
      }
    }
    std::fwrite(text.data(), 1, text.size(), f);
    std::fflush(f);
  };
  auto fail = [&](const Status& status) {
    std::string message = status.message();
    if (status.code() == StatusCode::kUnauthenticated) {
      message += std::string(" (set ") + kTokenEnv + " or pass --token-file)";
    }
    write(err, "kafka2cos: " + message + "\n");
    return 1;
  };

  auto resolved = ResolveApiToken(token_file_);
  if (!resolved.ok()) return fail(resolved.status());
  token = std::move(resolved.value());
  ApiClient client(server_.empty() ? kDefaultServer : server_, token);
  if (!client.status().ok()) return fail(client.status());

  Result<json> answer = Status::Internal("no command");
  const char* verb = "";
  if (parsed == topics_) {
    answer = client.ListTopics();
  } else if (parsed == tasks_) {
    answer = client.ListTasks();
  } else if (parsed == enable_) {
    json settings = json::object();
    if (bucket_opt_->count() > 0) settings["bucket"] = bucket_;
    if (window_opt_->count() > 0) settings["window"] = window_;
    if (start_opt_->count() > 0) settings["start"] = start_;
    if (format_opt_->count() > 0) settings["format"] = format_;
    if (compression_opt_->count() > 0) settings["compression"] = compression_;
    if (compression_level_opt_->count() > 0) settings["compression_level"] = compression_level_;
    if (delimiter_opt_->count() > 0) {
      auto delimiter = Unescape(delimiter_);
      if (!delimiter.ok()) return fail(delimiter.status());
      settings["delimiter"] = *delimiter;
    }
    if (max_object_bytes_opt_->count() > 0)
      settings["max_object_bytes"] = SizeJson(max_object_bytes_);
    if (row_group_bytes_opt_->count() > 0) settings["row_group_bytes"] = SizeJson(row_group_bytes_);
    if (key_template_opt_->count() > 0) settings["key_template"] = key_template_;
    answer = client.PutTask(topic_, settings);
    verb = "enabled";
  } else if (parsed == disable_) {
    answer = client.DeleteTask(topic_);
  } else if (parsed == pause_) {
    answer = client.PauseTask(topic_);
    verb = "paused";
  } else if (parsed == resume_) {
    answer = client.ResumeTask(topic_);
    verb = "resumed";
  } else if (parsed == status_) {
    answer = client.GetTaskStatus(topic_);
  }
  if (!answer.ok()) return fail(answer.status());

  try {
    std::string text;
    if (json_) {
      text = answer->dump(2, ' ', false, json::error_handler_t::replace) + "\n";
    } else if (parsed == topics_) {
      text = RenderTopics(*answer);
    } else if (parsed == tasks_) {
      text = RenderTasks(*answer);
    } else if (parsed == disable_) {
      const bool deleted = answer->is_object() && answer->value("deleted", false);
      text = deleted ? "disabled topic '" + Text(*answer, "topic", topic_.c_str()) + "'\n"
                     : "topic '" + topic_ + "' had no task to disable\n";
    } else if (parsed == status_) {
      text = RenderStatus(*answer);
    } else {
      text = TaskLine(verb, *answer, topic_);
    }
    write(out, text);
  } catch (const std::exception& e) {
    return fail(Status::Internal(std::string("unexpected answer from the server: ") + e.what()));
  }
  return 0;
}

}  // namespace k2c
