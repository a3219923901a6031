// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "cli/archive_commands.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "archive/archive_json.h"
#include "archive/manifest.h"
#include "archive/replay.h"
#include "archive/time_spec.h"
#include "archive/verify.h"
#include "cli/api_archive.h"
#include "cli/api_client.h"
#include "cli/api_commands.h"
#include "cli/progress.h"
#include "common/log_text.h"
#include "control/archive_access.h"
#include "control/config.h"
#include "control/manifest_service.h"
#include "format/format.h"
#include "kafka/admin.h"
#include "kafka/offset_probe.h"
#include "kafka/transactional_producer.h"
#include "storage/sigv4.h"

namespace k2c {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kGroup[] = "Archive (read what was archived)";
// Objects and records go to stdout; how far `get` is goes to stderr.
constexpr uint64_t kGetPieceBytes = 8ull << 20;

void Print(std::FILE* f, std::string_view text) { std::fwrite(text.data(), 1, text.size(), f); }

int Fail(std::FILE* err, const Status& status) {
  std::string message = status.message();
  if (status.code() == StatusCode::kUnauthenticated) {
    message += std::string(" (set ") + kTokenEnv + " or pass --token-file)";
  }
  std::fprintf(err, "kafka2cos: %s\n", ControlCharsToSpaces(message).c_str());
  return 1;
}

// Where `get` puts an object: its key under `dir`, refusing keys that would
// leave it ("..", absolute) even though a task's keys never look like that.
Result<fs::path> TargetPath(const fs::path& dir, const std::string& key) {
  fs::path relative(key);
  if (relative.is_absolute() || key.empty()) {
    return Status::InvalidArgument("key '" + key + "' cannot be stored under " + dir.string());
  }
  for (const auto& part : relative) {
    if (part == ".." || part == ".") {
      return Status::InvalidArgument("key '" + key + "' cannot be stored under " + dir.string());
    }
  }
  return dir / relative;
}

std::string Optional(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "?"; }
std::string Optional(const std::optional<uint64_t>& v) { return v ? std::to_string(*v) : "?"; }

}  // namespace

struct ArchiveCommands::Opened {
  // One of the two: the store with the worker's config, or a worker's API.
  std::unique_ptr<Config> config;
  std::unique_ptr<DirectArchive> direct;
  std::unique_ptr<ApiClient> client;
  std::unique_ptr<ApiArchive> api;
  ArchiveSource* source = nullptr;
};

ArchiveCommands::ArchiveCommands(CLI::App& app) {
  auto common = [this](CLI::App* sub, bool range_required) {
    sub->group(kGroup);
    sub->add_option("topic", topic_, "The archived topic")->required();
    sub->add_option("-c,--config", config_path_,
                    "Read the store directly with this worker config (needs its credentials)");
    sub->add_option("--server", server_,
                    "Read through this worker's API instead (default $" + std::string(kServerEnv) +
                        ", else " + kDefaultServer + ")")
        ->envname(kServerEnv);
    sub->add_option("--token-file", token_file_,
                    std::string("File holding the API token (default: $") + kTokenEnv + ")");
    auto* from = sub->add_option(
        "--from", from_,
        "Start (UTC): RFC 3339, 2026-12-02T09, or relative like -2h; the window holding it "
        "is included");
    auto* to = sub->add_option("--to", to_, "End, exclusive (same forms; default: now + 1 day)");
    if (range_required) {
      from->required();
      to->required();
    }
    sub->add_option("-p,--partition", partition_, "Only this partition");
  };
  ls_ = app.add_subcommand("ls", "List archived objects: time, partition, offsets, records, size");
  common(ls_, false);
  ls_->add_flag("--json", json_, "Print JSON (the API's object listing) instead of a table");

  cat_ = app.add_subcommand(
      "cat", "Print archived records in offset order per partition, whatever their format");
  common(cat_, true);
  cat_->add_option("--output-format", output_format_,
                   "text (values, one per line) or jsonl (docs/formats.md's envelope)")
      ->check(CLI::IsMember({"text", "jsonl"}));
  cat_->add_option("-o,--output", output_, "Write to this file instead of stdout");

  get_ = app.add_subcommand(
      "get", "Download archived objects into a directory (resumable; progress on a terminal)");
  common(get_, true);
  get_->add_option("-o,--output", output_, "Directory to write the objects into (by key)")
      ->required();

  verify_ = app.add_subcommand(
      "verify",
      "Check a range of the archive against itself and Kafka; exit 0 only when it is whole");
  common(verify_, false);
  verify_->add_flag("--json", json_, "Print the findings as JSON");
  verify_->add_flag("--no-read", no_read_,
                    "Check keys, metadata and manifests only; do not read every object");

  replay_ = app.add_subcommand(
      "replay",
      "Produce archived records back into Kafka, exactly once, restartable (needs --config)");
  common(replay_, true);
  replay_->add_option("--to-topic", to_topic_, "Target topic (default: the archived topic)");
  replay_
      ->add_option("--partitioning", partitioning_,
                   "same (each record to its archived partition) or key-hash (by key, "
                   "murmur2 as Java clients)")
      ->check(CLI::IsMember({"same", "key-hash"}));
  replay_->add_flag("--allow-gaps", allow_gaps_,
                    "Replay even when verify finds gaps or overlaps in the range");
  replay_
      ->add_option("--transaction-records", transaction_records_,
                   "Records per Kafka transaction (each commits a checkpoint)")
      ->check(CLI::Range(1, 10'000'000));
  replay_->add_option("--replay-id", replay_id_,
                      "Name of this replay's checkpoint (default: derived from the arguments, so "
                      "the same command continues where it stopped)");
}

Result<ArchiveCommands::Opened> ArchiveCommands::Open() {
  Opened opened;
  if (!config_path_.empty() && !server_.empty()) {
    return Status::InvalidArgument(
        "give either --config (read the store) or --server (read through a worker), not both");
  }
  if (!config_path_.empty()) {
    auto config = LoadConfig(config_path_);
    if (!config.ok()) return config.status();
    opened.config = std::make_unique<Config>(std::move(config.value()));
    auto direct = OpenDirectArchive(*opened.config, topic_);
    if (!direct.ok()) return direct.status();
    opened.direct = std::make_unique<DirectArchive>(std::move(direct.value()));
    opened.source = opened.direct->archive.get();
    return opened;
  }
  auto token = ResolveApiToken(token_file_);
  if (!token.ok()) return token.status();
  opened.client = std::make_unique<ApiClient>(server_.empty() ? kDefaultServer : server_, *token);
  K2C_RETURN_IF_ERROR(opened.client->status());
  opened.api = std::make_unique<ApiArchive>(opened.client.get(), topic_);
  K2C_RETURN_IF_ERROR(opened.api->Open());
  opened.source = opened.api.get();
  return opened;
}

Result<ArchiveQuery> ArchiveCommands::Query(int64_t now_ms, bool range_required) const {
  auto given = [](const std::string& text) {
    return text.empty() ? std::nullopt : std::optional<std::string>(text);
  };
  return MakeArchiveQuery(given(from_), given(to_), partition_, now_ms,
                          range_required || verify_->parsed(), "--from", "--to");
}

std::optional<int> ArchiveCommands::Run(std::FILE* out, std::FILE* err, int64_t now_ms) {
  CLI::App* parsed = nullptr;
  for (CLI::App* sub : {ls_, cat_, get_, verify_, replay_}) {
    if (sub->parsed()) parsed = sub;
  }
  if (parsed == nullptr) return std::nullopt;
  auto query = Query(now_ms, parsed != ls_);
  if (!query.ok()) return Fail(err, query.status());
  if (parsed == replay_ && config_path_.empty()) {
    return Fail(err, Status::InvalidArgument(
                         "replay produces into Kafka: give the worker's config with --config"));
  }
  auto opened = Open();
  if (!opened.ok()) return Fail(err, opened.status());
  ArchiveSource& source = *opened->source;
  if (parsed == ls_) return Ls(source, *query, out, err);
  if (parsed == cat_) return Cat(source, *query, out, err);
  if (parsed == verify_) return Verify(*opened, *query, out, err);
  if (parsed == replay_) return Replay(*opened, *query, out, err);
  return Get(source, *query, out, err);
}

int ArchiveCommands::Ls(ArchiveSource& source, const ArchiveQuery& query, std::FILE* out,
                        std::FILE* err) {
  auto objects = source.List(query);
  if (!objects.ok()) return Fail(err, objects.status());
  if (json_) {
    json list = json::array();
    for (const ArchivedObject& object : *objects) list.push_back(ArchivedObjectJson(object));
    Print(out, json{{"objects", list}}.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  uint64_t bytes = 0, records = 0;
  for (const ArchivedObject& object : *objects) {
    rows.push_back({FormatTimeSpec(object.window_start_ms), std::to_string(object.partition),
                    std::to_string(object.first_offset), Optional(object.last_offset),
                    Optional(object.records), Progress::Amount(object.size, true),
                    object.key.value});
    bytes += object.size;
    records += object.records.value_or(0);
  }
  Print(out, RenderTable({"WINDOW", "PARTITION", "FIRST", "LAST", "RECORDS", "SIZE", "KEY"}, rows));
  std::fprintf(err, "%zu object%s, %s, %llu records known\n", objects->size(),
               objects->size() == 1 ? "" : "s", Progress::Amount(bytes, true).c_str(),
               static_cast<unsigned long long>(records));
  return 0;
}

int ArchiveCommands::Cat(ArchiveSource& source, const ArchiveQuery& query, std::FILE* out,
                         std::FILE* err) {
  auto objects = source.List(query);
  if (!objects.ok()) return Fail(err, objects.status());
  std::FILE* sink = out;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(nullptr, &std::fclose);
  if (!output_.empty()) {
    file.reset(std::fopen(output_.c_str(), "wb"));
    if (!file) {
      return Fail(err,
                  Status::InvalidArgument("cannot write " + output_ + ": " + std::strerror(errno)));
    }
    sink = file.get();
  }
  // jsonl: the envelope of docs/formats.md, as the jsonl format writes it.
  std::unique_ptr<Format> jsonl;
  if (output_format_ == "jsonl") {
    FormatSettings settings;
    settings.format = "jsonl";
    settings.compression = "none";
    jsonl = std::move(MakeFormat(settings).value());
  }
  bool warned_text = false;
  std::string line;
  for (const ArchivedObject& object : *objects) {
    if (output_format_ == "jsonl" && object.format == "text" && !warned_text) {
      std::fprintf(err,
                   "kafka2cos: warning: %s is a text object: it kept values only, so keys, "
                   "headers, offsets and timestamps are missing from the output\n",
                   object.key.value.c_str());
      warned_text = true;
    }
    auto bytes = ReadObject(source, object);
    if (!bytes.ok()) return Fail(err, bytes.status());
    std::unique_ptr<ObjectWriter> writer;
    if (jsonl)
      writer = std::move(jsonl->NewWriter(ObjectContext{topic_, object.partition}).value());
    Status decoded =
        DecodeObject(object, *bytes, source.text_delimiter(), [&](const DecodedRecord& record) {
          line.clear();
          if (writer) {
            DecodedRecord full = record;
            // Text objects do not keep where a record came from.
            if (full.partition < 0) full.partition = object.partition;
            BorrowedRecord view(full);
            bool kept = false;
            K2C_RETURN_IF_ERROR(writer->Append(view.view(), &line, &kept));
          } else {
            if (record.value) line = *record.value;
            line.push_back('\n');
          }
          if (std::fwrite(line.data(), 1, line.size(), sink) != line.size()) {
            return Status::IOError(std::string("cannot write the output: ") + std::strerror(errno));
          }
          return Status::Ok();
        });
    if (!decoded.ok()) return Fail(err, decoded);
  }
  if (std::fflush(sink) != 0) {
    return Fail(err,
                Status::IOError(std::string("cannot write the output: ") + std::strerror(errno)));
  }
  return 0;
}

int ArchiveCommands::Get(ArchiveSource& source, const ArchiveQuery& query, std::FILE* out,
                         std::FILE* err) {
  auto objects = source.List(query);
  if (!objects.ok()) return Fail(err, objects.status());
  const fs::path dir(output_);
  uint64_t total = 0;
  for (const ArchivedObject& object : *objects) total += object.size;
  Progress progress(err, isatty(fileno(err)) != 0, "bytes", total);
  uint64_t done = 0;
  size_t fetched = 0, skipped = 0;
  for (size_t i = 0; i < objects->size(); ++i) {
    const ArchivedObject& object = (*objects)[i];
    auto target = TargetPath(dir, object.key.value);
    if (!target.ok()) return Fail(err, target.status());
    std::error_code ec;
    // Resumable: a complete file is kept; a partial one (".part") goes on
    // from its size. Objects are immutable once published (create-only), so
    // a same-size file is the object.
    if (fs::is_regular_file(*target, ec) && fs::file_size(*target, ec) == object.size) {
      done += object.size;
      ++skipped;
      progress.Update(done, std::to_string(i + 1) + "/" + std::to_string(objects->size()));
      continue;
    }
    fs::create_directories(target->parent_path(), ec);
    if (ec)
      return Fail(err, Status::IOError("cannot create " + target->parent_path().string() + ": " +
                                       ec.message()));
    const fs::path part = target->string() + ".part";
    uint64_t have = fs::is_regular_file(part, ec) ? fs::file_size(part, ec) : 0;
    if (have > object.size) have = 0;
    std::ofstream file(
        part, have > 0 ? std::ios::binary | std::ios::app : std::ios::binary | std::ios::trunc);
    if (!file) return Fail(err, Status::IOError("cannot write " + part.string()));
    done += have;
    while (have < object.size) {
      auto piece = source.ReadRange(object.key, have,
                                    std::min<uint64_t>(kGetPieceBytes, object.size - have));
      if (!piece.ok()) return Fail(err, piece.status().WithContext("download " + object.key.value));
      if (piece->empty()) {
        return Fail(err, Status::DataLoss("object " + object.key.value + " ends after " +
                                          std::to_string(have) + " of " +
                                          std::to_string(object.size) + " bytes"));
      }
      file.write(piece->data(), static_cast<std::streamsize>(piece->size()));
      if (!file) return Fail(err, Status::IOError("cannot write " + part.string()));
      have += piece->size();
      done += piece->size();
      progress.Update(done, std::to_string(i + 1) + "/" + std::to_string(objects->size()));
    }
    file.close();
    if (!file) return Fail(err, Status::IOError("cannot write " + part.string()));
    fs::rename(part, *target, ec);
    if (ec)
      return Fail(err, Status::IOError("cannot rename " + part.string() + ": " + ec.message()));
    ++fetched;
  }
  progress.Finish();
  std::fprintf(out, "%zu object%s downloaded, %zu already complete, into %s\n", fetched,
               fetched == 1 ? "" : "s", skipped, dir.string().c_str());
  return 0;
}

}  // namespace k2c

namespace k2c {

int ArchiveCommands::Verify(Opened& opened, const ArchiveQuery& query, std::FILE* out,
                            std::FILE* err) {
  VerifyInputs inputs;
  inputs.source = opened.source;
  inputs.read_objects = !no_read_;
  std::unique_ptr<OffsetProbe> probe;
  if (opened.direct) {
    const DirectArchive& direct = *opened.direct;
    const ArchiveLocation& location = direct.archive->index().location();
    inputs.window_ms = location.window_ms;
    inputs.manifests = [&direct, &location](int64_t from, int64_t to) {
      return ListManifests(direct.store.get(), location, from, to);
    };
    KafkaAdminOptions admin;
    admin.bootstrap_servers = opened.config->kafka.bootstrap_servers;
    admin.properties = opened.config->kafka.properties;
    const std::string group = TaskGroupId(direct.instance, topic_);
    inputs.progress = [admin, group, this]() -> Result<std::vector<PartitionProgress>> {
      auto lags = FetchGroupLag(admin, group, topic_);
      if (!lags.ok()) return lags.status();
      return ProgressFromLags(*lags);
    };
    auto made = OffsetProbe::Create(admin, topic_);
    if (!made.ok()) return Fail(err, made.status());
    probe = std::move(made.value());
    inputs.probe = [&probe](int32_t partition, int64_t from,
                            int64_t before) -> Result<VerifyInputs::GapContent> {
      auto content = probe->Probe(partition, from, before);
      if (!content.ok()) return content.status();
      return VerifyInputs::GapContent{content->first_record, content->expired};
    };
  } else {
    std::fprintf(err,
                 "kafka2cos: through a worker's API verify checks objects only; run it with "
                 "--config to check manifests and ask Kafka about gaps\n");
  }
  auto report = VerifyArchive(inputs, query);
  if (!report.ok()) return Fail(err, report.status());
  if (json_) {
    json findings = json::array();
    for (const VerifyFinding& f : report->findings) {
      findings.push_back(
          {{"severity", f.severity == VerifyFinding::Severity::kError ? "error" : "warning"},
           {"kind", f.kind},
           {"partition", f.partition < 0 ? json(nullptr) : json(f.partition)},
           {"key", f.key},
           {"message", f.message}});
    }
    json partitions = json::array();
    for (const PartitionSummary& p : report->partitions) {
      partitions.push_back(
          {{"partition", p.partition},
           {"objects", p.objects},
           {"records", p.records},
           {"first_offset", p.first_offset ? json(*p.first_offset) : json(nullptr)},
           {"last_offset", p.last_offset ? json(*p.last_offset) : json(nullptr)}});
    }
    Print(out, json{{"whole", report->whole()},
                    {"objects_read", report->objects_read},
                    {"manifests", report->manifests},
                    {"partitions", partitions},
                    {"findings", findings}}
                       .dump(2, ' ', false, json::error_handler_t::replace) +
                   "\n");
    return report->whole() ? 0 : 1;
  }
  std::vector<std::vector<std::string>> rows;
  for (const PartitionSummary& p : report->partitions) {
    rows.push_back({std::to_string(p.partition), std::to_string(p.objects),
                    std::to_string(p.records), Optional(p.first_offset), Optional(p.last_offset)});
  }
  Print(out, RenderTable({"PARTITION", "OBJECTS", "RECORDS", "FIRST", "LAST"}, rows));
  size_t errors = 0, warnings = 0;
  for (const VerifyFinding& f : report->findings) {
    const bool error = f.severity == VerifyFinding::Severity::kError;
    (error ? errors : warnings)++;
    std::string line = std::string(error ? "ERROR " : "WARN  ") + f.kind;
    if (f.partition >= 0) line += " partition " + std::to_string(f.partition);
    if (!f.key.empty()) line += " " + f.key;
    line += ": " + f.message + "\n";
    Print(out, ControlCharsToSpaces(line.substr(0, line.size() - 1)) + "\n");
  }
  Print(out, std::string(report->whole() ? "whole" : "NOT whole") + ": " +
                 std::to_string(report->objects_read) + " objects read, " +
                 std::to_string(report->manifests) + " manifests, " + std::to_string(errors) +
                 " errors, " + std::to_string(warnings) + " warnings\n");
  return report->whole() ? 0 : 1;
}

}  // namespace k2c

namespace k2c {
namespace {

// Produces into Kafka through a TransactionalProducer.
class KafkaReplaySink final : public ReplaySink {
 public:
  KafkaReplaySink(TransactionalProducer* producer, std::string topic)
      : producer_(producer), topic_(std::move(topic)) {}
  Status Begin() override { return producer_->Begin(); }
  Status Produce(int32_t partition, const RecordView& record) override {
    return producer_->Produce(topic_, partition, record);
  }
  Status Commit(const std::string& checkpoint) override {
    return producer_->CommitWithCheckpoint(checkpoint);
  }

 private:
  TransactionalProducer* producer_;
  std::string topic_;
};

}  // namespace

int ArchiveCommands::Replay(Opened& opened, const ArchiveQuery& query, std::FILE* out,
                            std::FILE* err) {
  const DirectArchive& direct = *opened.direct;
  const std::string target = to_topic_.empty() ? topic_ : to_topic_;
  auto objects = opened.source->List(query);
  if (!objects.ok()) return Fail(err, objects.status());
  if (objects->empty()) {
    std::fprintf(out, "nothing archived in the range: nothing to replay\n");
    return 0;
  }
  size_t text_objects = 0;
  uint64_t known_records = 0;
  int32_t max_partition = 0;
  for (const ArchivedObject& object : *objects) {
    text_objects += object.format == "text" ? 1 : 0;
    known_records += object.records.value_or(0);
    max_partition = std::max(max_partition, object.partition);
  }
  if (text_objects > 0) {
    std::fprintf(err,
                 "kafka2cos: warning: %zu of the %zu objects are in the text format, which kept "
                 "values only: their records are replayed without keys, headers or timestamps\n",
                 text_objects, objects->size());
  }
  KafkaAdminOptions admin;
  admin.bootstrap_servers = opened.config->kafka.bootstrap_servers;
  admin.properties = opened.config->kafka.properties;
  if (!allow_gaps_) {
    // Gaps and overlaps decide whether the copy would be faithful; the
    // objects themselves are read by the replay anyway.
    auto probe = OffsetProbe::Create(admin, topic_);
    if (!probe.ok()) return Fail(err, probe.status());
    VerifyInputs inputs;
    inputs.source = opened.source;
    inputs.read_objects = false;
    inputs.window_ms = direct.archive->index().location().window_ms;
    inputs.probe = [&probe](int32_t partition, int64_t from,
                            int64_t before) -> Result<VerifyInputs::GapContent> {
      auto content = (*probe)->Probe(partition, from, before);
      if (!content.ok()) return content.status();
      return VerifyInputs::GapContent{content->first_record, content->expired};
    };
    auto report = VerifyArchive(inputs, query);
    if (!report.ok()) return Fail(err, report.status());
    std::string problems;
    for (const VerifyFinding& f : report->findings) {
      if (f.severity == VerifyFinding::Severity::kError) {
        problems +=
            "\n  " + f.kind + " partition " + std::to_string(f.partition) + ": " + f.message;
      }
    }
    if (!problems.empty()) {
      return Fail(err, Status::FailedPrecondition(
                           "the range is not whole (see `kafka2cos verify`); replaying it would "
                           "not copy the topic faithfully. Pass --allow-gaps to replay it anyway:" +
                           problems));
    }
  }
  // The same arguments give the same id, so running the command again
  // continues the replay instead of starting another. The times as written:
  // "-1h" stays the same argument when the command is run again later.
  const std::string identity = direct.instance + "|" + topic_ + "|" + from_ + "|" + to_ + "|" +
                               (partition_ ? std::to_string(*partition_) : "*") + "|" + target +
                               "|" + partitioning_;
  const std::string id = replay_id_.empty() ? Sha256Hex(identity).substr(0, 16) : replay_id_;
  TransactionalProducer::Options options;
  options.kafka = admin;
  options.transactional_id = "kafka2cos-replay-" + id;
  options.checkpoint_topic = "kafka2cos." + direct.instance + ".replay";
  options.checkpoint_key = id;
  options.replication_factor = opened.config->control.replication_factor;
  auto producer = TransactionalProducer::Create(options);
  if (!producer.ok()) return Fail(err, producer.status());
  // Asked in both modes: it checks the target exists and readies the producer for it.
  auto partitions = (*producer)->Partitions(target);
  if (!partitions.ok()) return Fail(err, partitions.status().WithContext("target topic"));
  if (partitioning_ == "same") {
    if (*partitions <= max_partition) {
      return Fail(err,
                  Status::FailedPrecondition(
                      "topic '" + target + "' has " + std::to_string(*partitions) +
                      " partitions; the archive has partition " + std::to_string(max_partition) +
                      ": add partitions or use --partitioning key-hash"));
    }
  }
  auto last = (*producer)->ReadCheckpoint();
  if (!last.ok()) return Fail(err, last.status());
  ReplayCheckpoint start;
  if (*last) {
    auto decoded = DecodeReplayCheckpoint(**last);
    if (!decoded.ok()) return Fail(err, decoded.status());
    start = *decoded;
    if (start.done) {
      std::fprintf(out,
                   "replay %s is complete already: nothing to do (--replay-id to start "
                   "another)\n",
                   id.c_str());
      return 0;
    }
    std::fprintf(err, "kafka2cos: continuing replay %s from its checkpoint\n", id.c_str());
  }
  Progress progress(err, isatty(fileno(err)) != 0, "records", known_records);
  KafkaReplaySink sink(producer->get(), target);
  ReplayOptions replay_options;
  replay_options.same_partitions = partitioning_ == "same";
  replay_options.batch_records = transaction_records_;
  auto stats = ReplayObjects(*opened.source, *objects, start, sink, replay_options,
                             [&](const ReplayStats& s) { progress.Update(s.records + s.skipped); });
  if (!stats.ok()) {
    return Fail(err, stats.status().WithContext("replay " + id +
                                                " stopped (run the same "
                                                "command again to continue)"));
  }
  progress.Finish();
  std::fprintf(out,
               "replay %s: %llu records produced to %s in %llu transactions, %llu before the "
               "checkpoint skipped\n",
               id.c_str(), static_cast<unsigned long long>(stats->records), target.c_str(),
               static_cast<unsigned long long>(stats->transactions),
               static_cast<unsigned long long>(stats->skipped));
  return 0;
}

}  // namespace k2c
