#include "torghut/http/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <variant>

namespace torghut::http {
namespace {

enum Type : int { kCounter = 0, kGauge = 1, kHistogram = 2 };

constexpr std::string_view TypeName(int type) {
  return type == kCounter ? "counter" : type == kGauge ? "gauge" : "histogram";
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

void AppendEscaped(std::string_view text, bool in_label, std::string* out) {
  for (char c : text) {
    if (c == '\\') {
      *out += "\\\\";
    } else if (c == '\n') {
      *out += "\\n";
    } else if (c == '"' && in_label) {
      *out += "\\\"";
    } else {
      *out += c;
    }
  }
}

// `{a="x",b="y"}` (empty when there are no labels), with `extra` (le="…") appended.
void AppendLabels(const Labels& labels, std::string_view extra_key, std::string_view extra_value,
                  std::string* out) {
  if (labels.empty() && extra_key.empty()) return;
  *out += '{';
  bool first = true;
  auto one = [&](std::string_view k, std::string_view v) {
    if (!first) *out += ',';
    first = false;
    *out += k;
    *out += "=\"";
    AppendEscaped(v, true, out);
    *out += '"';
  };
  for (const auto& [k, v] : labels) one(k, v);
  if (!extra_key.empty()) one(extra_key, extra_value);
  *out += '}';
}

}  // namespace

void Gauge::Add(double d) {
  double cur = value_.load(std::memory_order_relaxed);
  while (!value_.compare_exchange_weak(cur, cur + d, std::memory_order_relaxed)) {
  }
}

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
  buckets_ = std::make_unique<std::atomic<int64_t>[]>(bounds_.size() + 1);
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::Observe(double v) {
  // Prometheus buckets are "≤ bound": the first bound not below v.
  const size_t i =
      static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  double cur = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(cur, cur + v, std::memory_order_relaxed)) {
  }
}

std::vector<int64_t> Histogram::BucketCounts() const {
  std::vector<int64_t> out(bounds_.size() + 1);
  for (size_t i = 0; i < out.size(); ++i) out[i] = buckets_[i].load(std::memory_order_relaxed);
  return out;
}

double Histogram::Quantile(double q) const {
  const std::vector<int64_t> counts = BucketCounts();
  int64_t total = 0;
  for (int64_t c : counts) total += c;
  if (total == 0) return std::numeric_limits<double>::quiet_NaN();
  const double rank = std::clamp(q, 0.0, 1.0) * static_cast<double>(total);
  int64_t below = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] == 0 || static_cast<double>(below + counts[i]) < rank) {
      below += counts[i];
      continue;
    }
    if (i == bounds_.size()) return bounds_.empty() ? 0 : bounds_.back();  // beyond the last bound
    const double lo = i == 0 ? 0 : bounds_[i - 1];
    const double hi = bounds_[i];
    return lo + (hi - lo) * (rank - static_cast<double>(below)) / static_cast<double>(counts[i]);
  }
  return bounds_.empty() ? 0 : bounds_.back();
}

std::vector<double> LatencyBucketsMs() {
  return {0.1, 0.25, 0.5, 1,    2.5,  5,    10,    25,    50,
          100, 250,  500, 1000, 2500, 5000, 10000, 30000, 60000};
}

std::vector<double> LatencyBucketsSeconds() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
          0.01,    0.025,  0.05,    0.1,    0.25,  1,      10};
}

struct Registry::Family {
  std::string name, help;
  int type = kCounter;
  // One child per label set, in registration order.
  std::vector<std::pair<Labels, std::variant<std::unique_ptr<Counter>, std::unique_ptr<Gauge>,
                                             std::unique_ptr<Histogram>>>>
      children;
  template <typename T>
  T* Find(const Labels& labels) {
    for (auto& [l, child] : children) {
      if (l == labels) return std::get<std::unique_ptr<T>>(child).get();
    }
    return nullptr;
  }
};

Registry::Registry() = default;
Registry::~Registry() = default;

Registry::Family& Registry::FamilyFor(std::string_view name, std::string_view help, int type) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    auto f = std::make_unique<Family>();
    f->name = std::string(name);
    f->help = std::string(help);
    f->type = type;
    it = families_.emplace(std::string(name), std::move(f)).first;
  }
  return *it->second;
}

Counter& Registry::GetCounter(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(mu_);
  Family& f = FamilyFor(name, help, kCounter);
  if (f.type == kCounter) {
    if (Counter* c = f.Find<Counter>(labels)) return *c;
    f.children.emplace_back(labels, std::make_unique<Counter>());
    return *std::get<std::unique_ptr<Counter>>(f.children.back().second);
  }
  static Counter detached;  // a type clash: counted nowhere visible
  return detached;
}

Gauge& Registry::GetGauge(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(mu_);
  Family& f = FamilyFor(name, help, kGauge);
  if (f.type == kGauge) {
    if (Gauge* g = f.Find<Gauge>(labels)) return *g;
    f.children.emplace_back(labels, std::make_unique<Gauge>());
    return *std::get<std::unique_ptr<Gauge>>(f.children.back().second);
  }
  static Gauge detached;
  return detached;
}

Histogram& Registry::GetHistogram(std::string_view name, std::string_view help,
                                  std::vector<double> bounds, const Labels& labels) {
  std::lock_guard lock(mu_);
  Family& f = FamilyFor(name, help, kHistogram);
  if (f.type == kHistogram) {
    if (Histogram* h = f.Find<Histogram>(labels)) return *h;
    f.children.emplace_back(labels, std::make_unique<Histogram>(std::move(bounds)));
    return *std::get<std::unique_ptr<Histogram>>(f.children.back().second);
  }
  static Histogram detached({1});
  return detached;
}

void Registry::AddCollector(std::function<void(SampleWriter&)> collector) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collector));
}

namespace {

struct Sample {
  Labels labels;
  double value;
};
struct CollectedFamily {
  std::string help;
  int type;
  std::vector<Sample> samples;
};

class CollectingWriter : public SampleWriter {
 public:
  void Gauge(std::string_view name, std::string_view help, const Labels& labels,
             double value) override {
    Add(name, help, kGauge, labels, value);
  }
  void Counter(std::string_view name, std::string_view help, const Labels& labels,
               double value) override {
    Add(name, help, kCounter, labels, value);
  }
  std::map<std::string, CollectedFamily, std::less<>> families;

 private:
  void Add(std::string_view name, std::string_view help, int type, const Labels& labels,
           double value) {
    auto it = families.find(name);
    if (it == families.end()) {
      it = families.emplace(std::string(name), CollectedFamily{std::string(help), type, {}}).first;
    }
    it->second.samples.push_back({labels, value});
  }
};

void AppendHeader(std::string_view name, std::string_view help, int type, std::string* out) {
  *out += "# HELP ";
  *out += name;
  *out += ' ';
  AppendEscaped(help, false, out);
  *out += "\n# TYPE ";
  *out += name;
  *out += ' ';
  *out += TypeName(type);
  *out += '\n';
}

void AppendSample(std::string_view name, std::string_view suffix, const Labels& labels,
                  std::string_view extra_key, std::string_view extra_value,
                  const std::string& value, std::string* out) {
  *out += name;
  *out += suffix;
  AppendLabels(labels, extra_key, extra_value, out);
  *out += ' ';
  *out += value;
  *out += '\n';
}

}  // namespace

std::string Registry::Render() const {
  std::vector<std::function<void(SampleWriter&)>> collectors;
  {
    std::lock_guard lock(mu_);
    collectors = collectors_;
  }
  // Collectors run without the lock: they may take their own (a service's status mutex).
  CollectingWriter collected;
  for (const auto& c : collectors) c(collected);

  std::string out;
  std::lock_guard lock(mu_);
  auto reg = families_.begin();
  auto col = collected.families.begin();
  while (reg != families_.end() || col != collected.families.end()) {
    const bool take_reg =
        col == collected.families.end() || (reg != families_.end() && reg->first <= col->first);
    if (take_reg) {
      const Family& f = *reg->second;
      const bool merged = col != collected.families.end() && col->first == reg->first;
      AppendHeader(f.name, f.help, f.type, &out);
      for (const auto& [labels, child] : f.children) {
        if (f.type == kCounter) {
          AppendSample(f.name, "", labels, "", "",
                       std::to_string(std::get<std::unique_ptr<Counter>>(child)->value()), &out);
        } else if (f.type == kGauge) {
          AppendSample(f.name, "", labels, "", "",
                       FormatValue(std::get<std::unique_ptr<Gauge>>(child)->value()), &out);
        } else {
          const Histogram& h = *std::get<std::unique_ptr<Histogram>>(child);
          const std::vector<int64_t> counts = h.BucketCounts();
          int64_t cumulative = 0;
          for (size_t i = 0; i < counts.size(); ++i) {
            cumulative += counts[i];
            const std::string le = i < h.bounds().size() ? FormatValue(h.bounds()[i]) : "+Inf";
            AppendSample(f.name, "_bucket", labels, "le", le, std::to_string(cumulative), &out);
          }
          AppendSample(f.name, "_sum", labels, "", "", FormatValue(h.sum()), &out);
          AppendSample(f.name, "_count", labels, "", "", std::to_string(cumulative), &out);
        }
      }
      if (merged) {
        for (const Sample& s : col->second.samples) {
          AppendSample(f.name, "", s.labels, "", "", FormatValue(s.value), &out);
        }
        ++col;
      }
      ++reg;
    } else {
      AppendHeader(col->first, col->second.help, col->second.type, &out);
      for (const Sample& s : col->second.samples) {
        AppendSample(col->first, "", s.labels, "", "", FormatValue(s.value), &out);
      }
      ++col;
    }
  }
  return out;
}

}  // namespace torghut::http
