// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// Micro-benchmark of the format writers: the cost of turning one Kafka
// record into bytes of an archive object, per format and compression, for
// small (64 B), typical (256 B) and large (64 KiB) values. Writers run once
// per record on the consumer thread, so their per-record cost bounds how
// fast a task can drain a partition. Bytes/s counts value bytes; items/s
// records. Each object is finished and a new writer begun every 8 MiB of
// output, so trailers, footers and last frames are counted too.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "bench_values.h"
#include "format/format.h"
#include "format/record.h"

namespace k2c {
namespace {

constexpr size_t kObjectBytes = 8 << 20;

using bench::MakeValue;

void RunFormatWriter(benchmark::State& state, const char* format, const char* compression) {
  const size_t value_size = static_cast<size_t>(state.range(0));
  FormatSettings settings;
  settings.format = format;
  settings.compression = compression;
  auto made = MakeFormat(settings);
  if (!made.ok()) {
    state.SkipWithError(made.status().ToString().c_str());
    return;
  }
  const Format& fmt = **made;
  const std::string value = MakeValue(value_size);
  const std::string key = "order-12345";
  const HeaderView headers[] = {{"trace-id", "4bf92f3577b34da6a3ce929d0e0e4736"}};
  RecordView record;
  record.partition = 3;
  record.offset = 1'000'000;
  record.timestamp_ms = 1'768'471'200'000;  // 2026-01-15T10:00:00Z.
  record.timestamp_type = TimestampType::kCreate;
  record.key = key;
  record.value = value;
  record.headers = headers;

  std::string body;
  body.reserve(kObjectBytes + value_size + 1024);
  std::unique_ptr<ObjectWriter> writer;
  uint64_t object_bytes = 0;
  for (auto _ : state) {
    if (!writer) writer = std::move(fmt.NewWriter(ObjectContext{"orders", 3}).value());
    bool kept = false;
    Status s = writer->Append(record, &body, &kept);
    if (body.size() >= kObjectBytes || writer->buffered_bytes() >= kObjectBytes) {
      if (s.ok()) s = writer->Finish(&body);
      object_bytes += body.size();
      writer.reset();
      body.clear();
    }
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(body.data());
    ++record.offset;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(value_size));
  state.counters["out_bytes_per_record"] = benchmark::Counter(
      static_cast<double>(object_bytes + body.size()) / static_cast<double>(state.iterations()));
}

void BM_Text(benchmark::State& state) { RunFormatWriter(state, "text", "none"); }
void BM_TextZstd(benchmark::State& state) { RunFormatWriter(state, "text", "zstd"); }
void BM_Jsonl(benchmark::State& state) { RunFormatWriter(state, "jsonl", "none"); }
void BM_JsonlZstd(benchmark::State& state) { RunFormatWriter(state, "jsonl", "zstd"); }
void BM_JsonlGzip(benchmark::State& state) { RunFormatWriter(state, "jsonl", "gzip"); }
void BM_AvroDeflate(benchmark::State& state) { RunFormatWriter(state, "avro", "deflate"); }
void BM_ParquetZstd(benchmark::State& state) { RunFormatWriter(state, "parquet", "zstd"); }
BENCHMARK(BM_Text)->Arg(64)->Arg(256)->Arg(64 << 10);
BENCHMARK(BM_TextZstd)->Arg(256);
BENCHMARK(BM_Jsonl)->Arg(64)->Arg(256)->Arg(64 << 10);
BENCHMARK(BM_JsonlZstd)->Arg(256)->Arg(64 << 10);
BENCHMARK(BM_JsonlGzip)->Arg(256);
BENCHMARK(BM_AvroDeflate)->Arg(256);
BENCHMARK(BM_ParquetZstd)->Arg(256);

}  // namespace
}  // namespace k2c
