// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// Micro-benchmark of the record encoder (the `text` format): the cost of
// turning one Kafka record into bytes of an archive object, for small (64 B),
// typical (256 B) and large (64 KiB) values. The encoder runs once per record
// on the consumer thread, so its per-record overhead bounds how fast a task
// can drain a partition. Bytes/s counts value bytes encoded; items/s records.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "bench_values.h"
#include "format/encoder.h"
#include "format/record.h"

namespace k2c {
namespace {

// Bodies are emptied (capacity kept) once they pass this size, so the
// benchmark measures steady-state appends rather than one ever-growing string.
constexpr size_t kBodyResetBytes = 8 << 20;

using bench::MakeValue;

void BM_TextEncoderAppend(benchmark::State& state) {
  const size_t value_size = static_cast<size_t>(state.range(0));
  auto encoder = MakeEncoder("text", TextFormatOptions{});
  if (!encoder.ok()) {
    state.SkipWithError(encoder.status().ToString().c_str());
    return;
  }
  const std::string value = MakeValue(value_size);
  RecordView record;
  record.partition = 3;
  record.offset = 1'000'000;
  record.timestamp_ms = 1'768'471'200'000;  // 2026-01-15T10:00:00Z.
  record.value = value;

  std::string body;
  body.reserve(kBodyResetBytes + value_size + 1);
  for (auto _ : state) {
    const bool appended = (*encoder)->Append(record, &body);
    benchmark::DoNotOptimize(appended);
    benchmark::DoNotOptimize(body.data());
    benchmark::ClobberMemory();
    ++record.offset;
    if (body.size() >= kBodyResetBytes) body.clear();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(value_size));
}
BENCHMARK(BM_TextEncoderAppend)->Arg(64)->Arg(256)->Arg(64 << 10);

}  // namespace
}  // namespace k2c
