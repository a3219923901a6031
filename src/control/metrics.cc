// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string_view>
#include <type_traits>

namespace k2c {
namespace {

// Counter and Gauge promise lock-freedom; a platform emulating atomic<double>
// with a lock would silently break that.
static_assert(std::atomic<double>::is_always_lock_free);

// Doubles hold every integer up to 2^53 exactly; beyond that an integer
// rendering would print digits the value does not have.
constexpr double kMaxExactInteger = 9007199254740992.0;

void AtomicAdd(std::atomic<double>& target, double by) {
  double current = target.load(std::memory_order_relaxed);
  // On failure compare_exchange_weak reloads `current`, so the loop retries
  // with the value another thread just stored.
  while (!target.compare_exchange_weak(current, current + by, std::memory_order_relaxed)) {
  }
}

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsValidMetricName(const std::string& name) {
  if (name.empty() || !(IsNameStart(name[0]) || name[0] == ':')) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return IsNameStart(c) || IsDigit(c) || c == ':'; });
}

// [a-zA-Z_][a-zA-Z0-9_]*
bool IsValidLabelName(const std::string& name) {
  if (name.empty() || !IsNameStart(name[0])) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return IsNameStart(c) || IsDigit(c); });
}

// Sorts by label name so that one label set is one series whatever order the
// caller lists it in (Prometheus itself ignores the order). False if a name is
// invalid or repeated, or if a histogram uses `le`, which its buckets need.
bool NormalizeLabels(const MetricLabels& labels, bool is_histogram, MetricLabels* out) {
  *out = labels;
  std::sort(out->begin(), out->end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < out->size(); ++i) {
    const std::string& label = (*out)[i].first;
    if (!IsValidLabelName(label)) return false;
    if (is_histogram && label == "le") return false;
    if (i > 0 && (*out)[i - 1].first == label) return false;
  }
  return true;
}

std::vector<double> NormalizeBounds(std::vector<double> bounds) {
  std::erase_if(bounds, [](double b) { return std::isnan(b) || (std::isinf(b) && b > 0); });
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  return bounds;
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::trunc(v) && std::fabs(v) < kMaxExactInteger) {
    return fmt::format("{}", static_cast<int64_t>(v));
  }
  // fmt's default for a double is the shortest form that parses back to it.
  return fmt::format("{}", v);
}

void AppendEscaped(std::string_view text, bool escape_quote, std::string* out) {
  for (char c : text) {
    switch (c) {
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '"':
        *out += escape_quote ? "\\\"" : "\"";
        break;
      default:
        *out += c;
    }
  }
}

// `{a="x",b="y"}`, with `le` appended when given; nothing for no labels.
void AppendLabels(const MetricLabels& labels, const std::string* le, std::string* out) {
  if (labels.empty() && le == nullptr) return;
  *out += '{';
  bool first = true;
  for (const auto& label : labels) {
    if (!first) *out += ',';
    first = false;
    *out += label.first;
    *out += "=\"";
    AppendEscaped(label.second, /*escape_quote=*/true, out);
    *out += '"';
  }
  if (le != nullptr) {
    if (!first) *out += ',';
    *out += "le=\"";
    *out += *le;
    *out += '"';
  }
  *out += '}';
}

void AppendSample(const std::string& name, const MetricLabels& labels, const std::string* le,
                  const std::string& value, std::string* out) {
  *out += name;
  AppendLabels(labels, le, out);
  *out += ' ';
  *out += value;
  *out += '\n';
}

}  // namespace

void Counter::Increment(double by) {
  // Written so that NaN, which fails every comparison, is ignored too.
  if (!(by >= 0)) return;
  AtomicAdd(value_, by);
}

void Gauge::Add(double by) { AtomicAdd(value_, by); }

Histogram::Histogram(std::vector<double> bucket_bounds)
    : bounds_(NormalizeBounds(std::move(bucket_bounds))), counts_(bounds_.size() + 1, 0) {}

void Histogram::Observe(double v) {
  // First bound >= v, since a bucket counts observations <= its bound; NaN
  // compares false with all of them and lands in +Inf.
  const size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_[bucket];
  sum_ += v;
  ++count_;
}

Histogram::Snapshot Histogram::TakeSnapshot() const {
  Snapshot snap;
  std::lock_guard<std::mutex> lock(mu_);
  snap.cumulative.reserve(counts_.size());
  uint64_t running = 0;
  for (uint64_t c : counts_) {
    running += c;
    snap.cumulative.push_back(running);
  }
  snap.sum = sum_;
  snap.count = count_;
  return snap;
}

std::vector<uint64_t> Histogram::cumulative_counts() const { return TakeSnapshot().cumulative; }

double Histogram::sum() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sum_;
}

uint64_t Histogram::count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return count_;
}

MetricsRegistry::MetricsRegistry() : dummy_histogram_({}) {}

MetricsRegistry::~MetricsRegistry() = default;

template <typename T>
T* MetricsRegistry::FindOrCreate(Type type, const std::string& name, const std::string& help,
                                 const MetricLabels& labels, std::vector<double> bucket_bounds) {
  if (!IsValidMetricName(name)) return nullptr;
  MetricLabels key;
  if (!NormalizeLabels(labels, type == Type::kHistogram, &key)) return nullptr;

  std::lock_guard<std::mutex> lock(mu_);
  auto [family_it, created] = families_.try_emplace(name);
  Family& family = family_it->second;
  if (created) {
    family.type = type;
    family.help = help;
    if (type == Type::kHistogram) family.bucket_bounds = NormalizeBounds(std::move(bucket_bounds));
  } else if (family.type != type) {
    return nullptr;
  }

  auto live_it = family.live.find(key);
  if (live_it == family.live.end()) {
    // A removed series comes back as the same object, so references taken
    // before the removal keep pointing at what is rendered.
    auto removed_it = family.removed.find(key);
    if (removed_it != family.removed.end()) {
      live_it = family.live.emplace(key, std::move(removed_it->second)).first;
      family.removed.erase(removed_it);
    } else if constexpr (std::is_same_v<T, Histogram>) {
      live_it = family.live.emplace(key, std::make_unique<Histogram>(family.bucket_bounds)).first;
    } else {
      live_it = family.live.emplace(key, std::make_unique<T>()).first;
    }
  }
  return std::get<std::unique_ptr<T>>(live_it->second).get();
}

Counter& MetricsRegistry::GetCounter(const std::string& name, const std::string& help,
                                     const MetricLabels& labels) {
  Counter* c = FindOrCreate<Counter>(Type::kCounter, name, help, labels, {});
  return c != nullptr ? *c : dummy_counter_;
}

Gauge& MetricsRegistry::GetGauge(const std::string& name, const std::string& help,
                                 const MetricLabels& labels) {
  Gauge* g = FindOrCreate<Gauge>(Type::kGauge, name, help, labels, {});
  return g != nullptr ? *g : dummy_gauge_;
}

Histogram& MetricsRegistry::GetHistogram(const std::string& name, const std::string& help,
                                         std::vector<double> bucket_bounds,
                                         const MetricLabels& labels) {
  Histogram* h =
      FindOrCreate<Histogram>(Type::kHistogram, name, help, labels, std::move(bucket_bounds));
  return h != nullptr ? *h : dummy_histogram_;
}

void MetricsRegistry::RemoveSeries(const std::string& name, const MetricLabels& labels) {
  MetricLabels key;
  // Any type's rules accept every label set a series can have been created
  // with, so the non-histogram check suffices to build the key.
  if (!NormalizeLabels(labels, /*is_histogram=*/false, &key)) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto family_it = families_.find(name);
  if (family_it == families_.end()) return;
  Family& family = family_it->second;
  auto live_it = family.live.find(key);
  if (live_it == family.live.end()) return;
  family.removed.insert_or_assign(key, std::move(live_it->second));
  family.live.erase(live_it);
}

std::string MetricsRegistry::Render() const {
  std::string out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, family] : families_) {
    if (family.live.empty()) continue;
    if (!family.help.empty()) {
      out += "# HELP ";
      out += name;
      out += ' ';
      AppendEscaped(family.help, /*escape_quote=*/false, &out);
      out += '\n';
    }
    out += "# TYPE ";
    out += name;
    out += ' ';
    out += family.type == Type::kCounter ? "counter"
           : family.type == Type::kGauge ? "gauge"
                                         : "histogram";
    out += '\n';

    for (const auto& [labels, series] : family.live) {
      switch (family.type) {
        case Type::kCounter:
          AppendSample(name, labels, nullptr,
                       FormatValue(std::get<std::unique_ptr<Counter>>(series)->value()), &out);
          break;
        case Type::kGauge:
          AppendSample(name, labels, nullptr,
                       FormatValue(std::get<std::unique_ptr<Gauge>>(series)->value()), &out);
          break;
        case Type::kHistogram: {
          const Histogram& h = *std::get<std::unique_ptr<Histogram>>(series);
          const Histogram::Snapshot snap = h.TakeSnapshot();
          const std::string bucket_name = name + "_bucket";
          for (size_t i = 0; i < snap.cumulative.size(); ++i) {
            const std::string le =
                i < h.bucket_bounds().size() ? FormatValue(h.bucket_bounds()[i]) : "+Inf";
            AppendSample(bucket_name, labels, &le, std::to_string(snap.cumulative[i]), &out);
          }
          AppendSample(name + "_sum", labels, nullptr, FormatValue(snap.sum), &out);
          AppendSample(name + "_count", labels, nullptr, std::to_string(snap.count), &out);
          break;
        }
      }
    }
  }
  return out;
}

std::vector<double> LatencyBucketsSeconds() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

}  // namespace k2c
