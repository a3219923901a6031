// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace k2c {

// A minimal Prometheus metrics registry rendering the text exposition format
// 0.0.4. Hand-written because the worker needs only counters, gauges and
// histograms, and a client library would pull in far more than that.

// Label name=value pairs. The registry identifies a series by the set of
// names, so callers may list them in any order; they are rendered sorted by
// name.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// A value that only goes up (bytes uploaded, errors seen). Lock-free, so it
// may sit on hot paths. Thread-safe.
class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  // Adds `by`. Negative and NaN amounts are ignored, so the value never
  // decreases (Prometheus reads a decrease as a process restart).
  void Increment(double by = 1);
  // The current value; 0 until the first Increment.
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// A value that goes up and down (consumer lag, bytes buffered). Lock-free.
// Thread-safe.
class Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  // Replaces the value.
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  // Adds `by` (may be negative) atomically with respect to other Add/Set calls.
  void Add(double by);
  // The current value; 0 until the first Set or Add.
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// A distribution of observations (upload latency) in fixed buckets.
// Thread-safe. A mutex rather than atomics, so that a scrape sees buckets, sum
// and count from the same instant; observations are rare enough (one per
// upload) that the lock costs nothing measurable.
class Histogram {
 public:
  // `bucket_bounds` are upper bounds (inclusive, as Prometheus' `le`). They are
  // sorted and deduplicated; NaN and +Inf are dropped because the +Inf bucket
  // always exists.
  explicit Histogram(std::vector<double> bucket_bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // Records one observation. NaN counts towards the +Inf bucket and count and
  // makes the sum NaN, as the Prometheus client libraries do.
  void Observe(double v);

  // The normalized upper bounds, without the implicit +Inf.
  const std::vector<double>& bucket_bounds() const { return bounds_; }
  // Observations <= each bound, cumulative; one entry per bound plus a last
  // one for +Inf, which always equals count().
  std::vector<uint64_t> cumulative_counts() const;
  // The sum of all observations.
  double sum() const;
  // The number of observations.
  uint64_t count() const;

 private:
  friend class MetricsRegistry;
  struct Snapshot {
    std::vector<uint64_t> cumulative;
    double sum = 0;
    uint64_t count = 0;
  };
  // Buckets, sum and count read under one lock, so they agree with each other.
  Snapshot TakeSnapshot() const;

  const std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::vector<uint64_t> counts_;  // Per bucket, not cumulative; last is +Inf.
  double sum_ = 0;
  uint64_t count_ = 0;
};

// Owns every series of one exposition endpoint. Whoever serves /metrics
// creates one and hands references to the components that update series.
// Thread-safe: all methods may be called concurrently.
//
// Programming errors (a name used with two types, an invalid metric or label
// name, a duplicated label name, a histogram labelled `le`) do not throw and
// are not logged: the Get* call returns a per-registry dummy series of the
// asked-for type, which accepts updates but is never rendered. A wrong metric
// therefore goes missing from the scrape instead of taking the worker down;
// the unit tests of each caller are what catch it.
class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Returns the counter series (name, labels), creating it, and on first use
  // of `name` its family with `help`; later calls keep the first help text.
  // The reference stays valid for the registry's lifetime, even after
  // RemoveSeries.
  Counter& GetCounter(const std::string& name, const std::string& help,
                      const MetricLabels& labels = {});
  // As GetCounter, for a gauge.
  Gauge& GetGauge(const std::string& name, const std::string& help,
                  const MetricLabels& labels = {});
  // As GetCounter, for a histogram. The first call for `name` fixes the
  // family's buckets; `bucket_bounds` of later calls are ignored, because
  // series of one family with different buckets cannot be aggregated.
  Histogram& GetHistogram(const std::string& name, const std::string& help,
                          std::vector<double> bucket_bounds, const MetricLabels& labels = {});

  // Stops rendering the series (name, labels), e.g. the lag gauge of a
  // partition no longer assigned. The object stays alive, so references held
  // elsewhere remain usable (their updates are just not exported). Asking for
  // the same series again revives that object, value included: a counter thus
  // stays monotonic, and memory stays bounded by the number of distinct series
  // ever created rather than growing with every reassignment. No-op for an
  // unknown series.
  void RemoveSeries(const std::string& name, const MetricLabels& labels);

  // The text exposition format 0.0.4: per family `# HELP` (omitted when the
  // help is empty) and `# TYPE`, then its series. Families are sorted by name
  // and series by labels, so equal states render equal text. Families with no
  // live series are left out.
  std::string Render() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  using SeriesPtr =
      std::variant<std::unique_ptr<Counter>, std::unique_ptr<Gauge>, std::unique_ptr<Histogram>>;
  struct Family {
    Type type;
    std::string help;
    std::vector<double> bucket_bounds;  // Histograms only.
    std::map<MetricLabels, SeriesPtr> live;
    std::map<MetricLabels, SeriesPtr> removed;  // Kept so references stay valid.
  };

  // Finds or creates the series; null on a programming error (see above).
  template <typename T>
  T* FindOrCreate(Type type, const std::string& name, const std::string& help,
                  const MetricLabels& labels, std::vector<double> bucket_bounds);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
  Counter dummy_counter_;
  Gauge dummy_gauge_;
  Histogram dummy_histogram_;
};

// Bucket bounds in seconds for upload latency, 5 ms to 60 s: the Prometheus
// defaults stop at 10 s, but a multipart upload of a large segment over a slow
// link can take up to the 60 s request timeout.
std::vector<double> LatencyBucketsSeconds();

}  // namespace k2c
