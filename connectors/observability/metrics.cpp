#include "connectors/observability/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <stdexcept>

namespace simpul::connectors::obs {

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
  std::sort(bounds_.begin(), bounds_.end());
  for (std::size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double v) {
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  counts_[static_cast<std::size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  if (v > 0 && std::isfinite(v)) {
    sum_nanos_.fetch_add(static_cast<std::uint64_t>(std::llround(v * 1e9)), std::memory_order_relaxed);
  }
}

double Histogram::sum() const { return static_cast<double>(sum_nanos_.load(std::memory_order_relaxed)) / 1e9; }

const std::vector<double>& latency_buckets() {
  static const std::vector<double> b{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                     0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10,   30};
  return b;
}

namespace {
void escape_label_value(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
}

std::string render_labels(const Labels& labels, std::string_view extra_key = {}, std::string_view extra_value = {}) {
  if (labels.empty() && extra_key.empty()) return {};
  std::string s = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) s += ',';
    first = false;
    s += k;
    s += "=\"";
    escape_label_value(s, v);
    s += '"';
  }
  if (!extra_key.empty()) {
    if (!first) s += ',';
    s += extra_key;
    s += "=\"";
    s += extra_value;
    s += '"';
  }
  s += '}';
  return s;
}

std::string format_double(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}
}  // namespace

Registry::Series& Registry::series(std::string_view name, std::string_view help, Kind kind, const Labels& labels,
                                   const std::vector<double>* bounds) {
  const std::string key = render_labels(labels);
  {
    std::shared_lock lock(mu_);
    auto f = families_.find(name);
    if (f != families_.end()) {
      auto s = f->second.series.find(key);
      if (s != f->second.series.end()) {
        if (f->second.kind != kind) throw std::logic_error("metric kind mismatch: " + std::string(name));
        return s->second;
      }
    }
  }
  std::unique_lock lock(mu_);
  auto f = families_.find(name);
  if (f == families_.end()) f = families_.emplace(std::string(name), Family{kind, std::string(help), {}}).first;
  if (f->second.kind != kind) throw std::logic_error("metric kind mismatch: " + std::string(name));
  auto [it, inserted] = f->second.series.try_emplace(key);
  if (inserted) {
    it->second.labels = labels;
    switch (kind) {
      case Kind::counter: it->second.counter = std::make_unique<Counter>(); break;
      case Kind::gauge: it->second.gauge = std::make_unique<Gauge>(); break;
      case Kind::histogram: it->second.histogram = std::make_unique<Histogram>(*bounds); break;
    }
  }
  return it->second;
}

Counter& Registry::counter(std::string_view name, std::string_view help, const Labels& labels) {
  return *series(name, help, Kind::counter, labels, nullptr).counter;
}
Gauge& Registry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
  return *series(name, help, Kind::gauge, labels, nullptr).gauge;
}
Histogram& Registry::histogram(std::string_view name, std::string_view help, const Labels& labels,
                               const std::vector<double>& bounds) {
  return *series(name, help, Kind::histogram, labels, &bounds).histogram;
}

std::string Registry::render() const {
  std::shared_lock lock(mu_);
  std::string out;
  out.reserve(4096);
  for (const auto& [name, fam] : families_) {
    out += "# HELP " + name + ' ' + fam.help + '\n';
    out += "# TYPE " + name + ' ' +
           (fam.kind == Kind::counter ? "counter" : fam.kind == Kind::gauge ? "gauge" : "histogram") + '\n';
    for (const auto& [key, s] : fam.series) {
      switch (fam.kind) {
        case Kind::counter: out += name + key + ' ' + std::to_string(s.counter->value()) + '\n'; break;
        case Kind::gauge: out += name + key + ' ' + std::to_string(s.gauge->value()) + '\n'; break;
        case Kind::histogram: {
          const Histogram& h = *s.histogram;
          std::uint64_t cumulative = 0;
          for (std::size_t i = 0; i < h.bounds().size(); ++i) {
            cumulative += h.bucket(i);
            out += name + "_bucket" + render_labels(s.labels, "le", format_double(h.bounds()[i])) + ' ' +
                   std::to_string(cumulative) + '\n';
          }
          cumulative += h.bucket(h.bounds().size());
          out += name + "_bucket" + render_labels(s.labels, "le", "+Inf") + ' ' + std::to_string(cumulative) + '\n';
          out += name + "_sum" + key + ' ' + format_double(h.sum()) + '\n';
          out += name + "_count" + key + ' ' + std::to_string(cumulative) + '\n';
          break;
        }
      }
    }
  }
  return out;
}

}  // namespace simpul::connectors::obs
