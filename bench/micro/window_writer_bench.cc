// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// Micro-benchmark of the window writer: PartitionBuffer::Add, the per-record
// work of a task's consumer thread (window assignment, encoding, appending to
// the open object's body, sealing a window when the next one starts). Records
// carry 256 B values and timestamps that advance so that a window (5 min)
// closes every N records; sealed segments are dropped at once, as if uploaded
// instantly. Two variants:
//   - InMemory: bodies stay in memory, charged to a large MemoryBudget.
//   - Spilled: every window's body is moved to the spool (an anonymous file in
//     /tmp, or $K2C_BENCH_SPOOL_DIR) as soon as it opens, as under memory
//     pressure, so every record goes through the spool's write buffer and
//     pwrite(). Writes land in the page cache (no fsync), so this shows the
//     syscall and copy cost of spilling, not the disk's speed.
// Items/s counts records, bytes/s value bytes; "windows" is windows sealed/s.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "bench_values.h"
#include "format/format.h"
#include "format/record.h"
#include "sink/memory_budget.h"
#include "sink/partition_buffer.h"
#include "sink/segment_body.h"

namespace k2c {
namespace {

constexpr int64_t kT0 = 1'768'471'200'000;  // 2026-01-15T10:00:00Z, a window boundary.
constexpr int64_t kFirstOffset = 1'000'000;
constexpr size_t kValueBytes = 256;
constexpr uint64_t kBudgetBytes = 8ull << 30;  // Never reached: no spill is triggered by it.
constexpr uint64_t kSpoolBytes = 64ull << 30;

using bench::MakeValue;

std::string SpoolDir() {
  const char* dir = std::getenv("K2C_BENCH_SPOOL_DIR");
  return dir != nullptr && *dir != '\0' ? dir : "/tmp";
}

void RunWindowWriter(benchmark::State& state, bool spill) {
  const int64_t records_per_window = state.range(0);
  WindowPolicy policy;
  policy.window_ms = 5 * 60 * 1000;
  policy.grace_ms = 5000;
  policy.max_object_bytes = 256ull << 20;  // The default; never reached here.
  const int64_t step_ms = policy.window_ms / records_per_window;

  auto format = MakeFormat(FormatSettings{});
  if (!format.ok()) {
    state.SkipWithError(format.status().ToString().c_str());
    return;
  }
  MemoryBudget budget(kBudgetBytes);
  std::unique_ptr<Spool> spool;
  if (spill) spool = std::make_unique<Spool>(SpoolDir(), kSpoolBytes);
  PartitionBuffer buffer(3, policy, format->get(), &budget, spool.get(), "orders");

  const std::string value = MakeValue(kValueBytes);
  RecordView record;
  record.partition = 3;
  record.value = value;
  std::vector<Segment> sealed;
  int64_t i = 0;
  int64_t windows = 0;
  for (auto _ : state) {
    record.offset = kFirstOffset + i;
    record.timestamp_ms = kT0 + i * step_ms;
    ++i;
    const bool was_open = buffer.has_open_window();
    Status s = buffer.Add(record, record.timestamp_ms + 1000, &sealed);
    if (s.ok() && spill && buffer.has_open_window() && (!was_open || !sealed.empty())) {
      s = buffer.Spill();  // This record opened a window: spill its body.
    }
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(buffer.buffered_bytes());
    if (!sealed.empty()) {
      windows += static_cast<int64_t>(sealed.size());
      benchmark::DoNotOptimize(sealed.front().body.size());
      sealed.clear();  // Frees the bodies (and closes spool files), as an upload would.
    }
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kValueBytes));
  state.counters["windows"] =
      benchmark::Counter(static_cast<double>(windows), benchmark::Counter::kIsRate);
}

void BM_WindowWriterInMemory(benchmark::State& state) { RunWindowWriter(state, false); }
BENCHMARK(BM_WindowWriterInMemory)
    ->ArgName("records_per_window")
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000);

void BM_WindowWriterSpilled(benchmark::State& state) { RunWindowWriter(state, true); }
BENCHMARK(BM_WindowWriterSpilled)
    ->ArgName("records_per_window")
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000);

}  // namespace
}  // namespace k2c
