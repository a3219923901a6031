// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "archive/verify.h"

#include <algorithm>
#include <map>
#include <set>

#include "archive/time_spec.h"
#include "sink/partition_buffer.h"

namespace k2c {
namespace {

using Severity = VerifyFinding::Severity;

std::string Range(int64_t first, int64_t last) {
  return first == last ? std::to_string(first)
                       : std::to_string(first) + ".." + std::to_string(last);
}

}  // namespace

bool VerifyReport::whole() const {
  return std::none_of(findings.begin(), findings.end(),
                      [](const VerifyFinding& f) { return f.severity == Severity::kError; });
}

Result<VerifyReport> VerifyArchive(const VerifyInputs& inputs, const ArchiveQuery& query) {
  VerifyReport report;
  auto add = [&report](Severity severity, std::string kind, int32_t partition, std::string key,
                       std::string message) {
    report.findings.push_back(
        VerifyFinding{severity, std::move(kind), partition, std::move(key), std::move(message)});
  };
  auto listed = inputs.source->List(query);
  if (!listed.ok()) return listed.status();
  std::vector<ArchivedObject>& objects = *listed;
  const int64_t window = std::max<int64_t>(inputs.window_ms, 1);

  // 1. Every object is read whole and decoded, and what it holds is held
  //    against its metadata.
  if (inputs.read_objects) {
    for (ArchivedObject& object : objects) {
      auto bytes = ReadObject(*inputs.source, object);
      Status decoded = bytes.status();
      uint64_t records = 0;
      std::optional<int64_t> first, last;
      if (bytes.ok()) {
        decoded = DecodeObject(object, *bytes, inputs.source->text_delimiter(),
                               [&](const DecodedRecord& record) {
                                 ++records;
                                 if (record.offset >= 0) {
                                   if (!first) first = record.offset;
                                   last = record.offset;
                                 }
                                 return Status::Ok();
                               });
      }
      ++report.objects_read;
      if (!decoded.ok()) {
        add(Severity::kError, "unreadable", object.partition, object.key.value, decoded.message());
        continue;
      }
      // Text keeps no offsets; a count still says something when the
      // metadata has one (nulls are counted there but not written).
      if (first && *first != object.first_offset) {
        add(Severity::kError, "metadata_mismatch", object.partition, object.key.value,
            "the key says the object starts at offset " + std::to_string(object.first_offset) +
                ", its first record is at " + std::to_string(*first));
      }
      if (last && object.last_offset && *last != *object.last_offset) {
        add(Severity::kError, "metadata_mismatch", object.partition, object.key.value,
            "the metadata says the last offset is " + std::to_string(*object.last_offset) +
                ", the last record is at " + std::to_string(*last));
      }
      if (last && !object.last_offset) object.last_offset = last;
      if (!object.records && object.format != "text") object.records = records;
    }
  }

  // 2. Manifests: every window of the range that is complete should have
  //    one, naming the objects the store has.
  const int64_t from = query.from_ms ? WindowStartFor(*query.from_ms, window) : 0;
  std::map<int64_t, Manifest> manifests;
  if (inputs.manifests && query.to_ms) {
    auto listed_manifests = inputs.manifests(from, *query.to_ms);
    if (!listed_manifests.ok()) return listed_manifests.status();
    for (Manifest& m : *listed_manifests) manifests.emplace(m.window_start_ms, std::move(m));
    report.manifests = manifests.size();
  } else {
    add(Severity::kWarning, "range_unknown", -1, "",
        "manifests were not checked (give --from and --to, and read the store with --config)");
  }
  std::optional<int64_t> complete_before;
  if (inputs.progress) {
    auto progress = inputs.progress();
    if (!progress.ok()) return progress.status().WithContext("the task group's commits");
    complete_before = ManifestWriter::CompleteBefore(*progress);
  }
  std::map<int64_t, std::vector<const ArchivedObject*>> by_window;
  std::set<std::string> listed_keys;
  for (const ArchivedObject& object : objects) {
    by_window[object.window_start_ms].push_back(&object);
    listed_keys.insert(object.key.value);
  }
  for (const auto& [start, window_objects] : by_window) {
    auto manifest = manifests.find(start);
    const bool complete = complete_before && start + window <= *complete_before;
    if (manifest == manifests.end()) {
      if (!inputs.manifests || !query.to_ms) continue;
      if (complete && !manifests.empty() && start > manifests.begin()->first) {
        add(Severity::kError, "missing_manifest", -1, "",
            "window " + FormatTimeSpec(start) + " is complete but has no manifest");
      } else if (complete) {
        // Before the first manifest of the range: written before manifests
        // were (or while they were off), not lost.
        add(Severity::kWarning, "missing_manifest", -1, "",
            "window " + FormatTimeSpec(start) +
                " has no manifest, nor has any earlier window of the range");
      } else {
        add(Severity::kError, "incomplete", -1, "",
            "window " + FormatTimeSpec(start) +
                " is not complete yet (a partition has not committed past its end)");
      }
      continue;
    }
    std::set<std::string> in_manifest;
    for (const ArchivedObject& entry : manifest->second.objects)
      in_manifest.insert(entry.key.value);
    for (const ArchivedObject* object : window_objects) {
      if (in_manifest.count(object->key.value)) continue;
      auto committed = manifest->second.committed_offsets.find(object->partition);
      if (committed != manifest->second.committed_offsets.end() &&
          object->first_offset >= committed->second) {
        add(Severity::kWarning, "late_object", object->partition, object->key.value,
            "written after the window's manifest (late records, docs/archive.md)");
      } else {
        add(Severity::kError, "not_in_manifest", object->partition, object->key.value,
            "the window's manifest does not list it");
      }
    }
  }
  for (const auto& [start, manifest] : manifests) {
    for (const ArchivedObject& entry : manifest.objects) {
      if (query.partition && entry.partition != *query.partition) continue;
      if (listed_keys.count(entry.key.value)) continue;
      add(Severity::kError, "missing_object", entry.partition, entry.key.value,
          "the manifest of " + FormatTimeSpec(start) + " lists it, the store does not have it");
    }
  }
  // Manifest ranges fill in what metadata could not say (streamed text).
  std::map<std::string, const ArchivedObject*> manifest_entries;
  for (const auto& [start, manifest] : manifests) {
    for (const ArchivedObject& entry : manifest.objects) manifest_entries[entry.key.value] = &entry;
  }
  for (ArchivedObject& object : objects) {
    auto entry = manifest_entries.find(object.key.value);
    if (entry == manifest_entries.end()) continue;
    if (!object.last_offset) object.last_offset = entry->second->last_offset;
    if (!object.records) object.records = entry->second->records;
  }

  // 3. Offsets, partition by partition: overlaps are always errors; a gap
  //    is one only where Kafka still has records in it.
  std::map<int32_t, PartitionSummary> summaries;
  for (size_t i = 0; i < objects.size(); ++i) {
    const ArchivedObject& object = objects[i];
    PartitionSummary& summary = summaries[object.partition];
    summary.partition = object.partition;
    ++summary.objects;
    summary.records += object.records.value_or(0);
    if (!summary.first_offset) summary.first_offset = object.first_offset;
    if (object.last_offset)
      summary.last_offset = std::max(summary.last_offset.value_or(-1), *object.last_offset);
    if (i + 1 >= objects.size() || objects[i + 1].partition != object.partition) continue;
    const ArchivedObject& next = objects[i + 1];
    if (!object.last_offset) {
      add(Severity::kWarning, "range_unknown", object.partition, object.key.value,
          "where this object ends is unknown (a text object streamed while open), so the offsets "
          "up to " +
              std::to_string(next.first_offset) + " were not checked");
      continue;
    }
    if (*object.last_offset >= next.first_offset) {
      add(Severity::kError, "overlap", object.partition, next.key.value,
          "offsets " +
              Range(next.first_offset,
                    std::min(*object.last_offset, next.last_offset.value_or(*object.last_offset))) +
              " are also in " + object.key.value);
      continue;
    }
    if (*object.last_offset + 1 == next.first_offset) continue;
    const int64_t gap_from = *object.last_offset + 1;
    const int64_t gap_before = next.first_offset;
    if (!inputs.probe) {
      add(Severity::kWarning, "gap_unverified", object.partition, next.key.value,
          "offsets " + Range(gap_from, gap_before - 1) +
              " are in no object; Kafka was not asked whether it holds records there");
      continue;
    }
    auto content = inputs.probe(object.partition, gap_from, gap_before);
    if (!content.ok()) return content.status().WithContext("ask Kafka about a gap");
    if (content->first_record) {
      add(Severity::kError, "gap", object.partition, next.key.value,
          "offsets " + Range(gap_from, gap_before - 1) + " are in no object, and Kafka holds " +
              "records there (the first at " + std::to_string(*content->first_record) + ")");
    } else if (content->expired) {
      add(Severity::kWarning, "gap_unverified", object.partition, next.key.value,
          "offsets " + Range(gap_from, gap_before - 1) +
              " are in no object, and Kafka no longer holds them (retention) to say why");
    }
    // Otherwise Kafka holds no record there: transaction markers, aborted or
    // compacted records.
  }
  for (auto& [partition, summary] : summaries) report.partitions.push_back(summary);
  return report;
}

}  // namespace k2c
