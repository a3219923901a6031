// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "cli/progress.h"

#include <fmt/format.h>

namespace k2c {

Progress::Progress(std::FILE* out, bool terminal, std::string unit, uint64_t total, Clock clock,
                   std::chrono::milliseconds interval)
    : out_(out),
      terminal_(terminal),
      unit_(std::move(unit)),
      total_(total),
      clock_(std::move(clock)),
      interval_(interval),
      start_(clock_()) {}

std::string Progress::Amount(uint64_t amount, bool bytes) {
  if (!bytes) return std::to_string(amount);
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(amount);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", amount) : fmt::format("{:.1f} {}", value, units[unit]);
}

std::string Progress::Line() const {
  const bool bytes = unit_ == "bytes";
  const double seconds = std::chrono::duration<double>(clock_() - start_).count();
  std::string line = Amount(done_, bytes);
  if (total_ > 0) line += " / " + Amount(total_, bytes);
  if (!bytes) line += " " + unit_;
  if (seconds > 0.05) {
    const double rate = static_cast<double>(done_) / seconds;
    line += "   " +
            (bytes ? Amount(static_cast<uint64_t>(rate), true) : fmt::format("{:.0f}", rate)) +
            "/s";
    if (total_ > done_ && rate > 0) {
      const auto eta = static_cast<uint64_t>(static_cast<double>(total_ - done_) / rate);
      line += fmt::format("   ETA {}:{:02d}", eta / 60, eta % 60);
    }
  }
  if (!note_.empty()) line += "   " + note_;
  return line;
}

void Progress::Update(uint64_t done, const std::string& note) {
  done_ = done;
  note_ = note;
  if (!terminal_) return;
  const auto now = clock_();
  if (drawn_ && now - last_draw_ < interval_) return;
  last_draw_ = now;
  drawn_ = true;
  // "\r" and clear to the end of the line: the previous line may be longer.
  std::fprintf(out_, "\r%s\x1b[K", Line().c_str());
  std::fflush(out_);
}

void Progress::Finish() {
  if (finished_) return;
  finished_ = true;
  if (terminal_) {
    std::fprintf(out_, "\r%s\x1b[K\n", Line().c_str());
  } else {
    std::fprintf(out_, "%s\n", Line().c_str());
  }
  std::fflush(out_);
}

}  // namespace k2c
