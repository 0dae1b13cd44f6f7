#include "torghut/ta/indicators/indicators.h"

#include <algorithm>

namespace torghut::ta::indicators {
namespace {

// TA-Lib's TA_IS_ZERO and TA_IS_ZERO_OR_NEG thresholds.
// TA-Lib's TA_EPSILON (ta_utility.h of the C source the reference values come from).
constexpr double kTaEpsilon = 1e-14;
bool TaIsZero(double v) {
  return -kTaEpsilon < v && v < kTaEpsilon;
}
bool TaIsZeroOrNeg(double v) {
  return v < kTaEpsilon;
}

bool LoadDoubles(BinaryReader& r, std::vector<double>* v) {
  for (double& d : *v) {
    if (!r.GetF64(&d)) return false;
  }
  return true;
}

}  // namespace

// --- Ema ---------------------------------------------------------------------------------------

Ema::Ema(int period) : period_(period), k_(2.0 / static_cast<double>(period + 1)) {}

double Ema::Update(double x) {
  if (seen_ < period_) {
    value_ += x;  // TA-Lib sums the seed window in order, then divides once
    if (++seen_ == period_) value_ /= period_;
    return value();
  }
  ++seen_;
  value_ = ((x - value_) * k_) + value_;  // TA-Lib's exact expression
  return value_;
}

void Ema::Save(BinaryWriter& w) const {
  w.PutI64(seen_);
  w.PutF64(value_);
}
bool Ema::Load(BinaryReader& r) {
  if (!r.GetI64(&seen_) || !r.GetF64(&value_)) return false;
  return seen_ >= 0 ? true : r.Fail("ema: negative count");
}

// --- Macd --------------------------------------------------------------------------------------

Macd::Macd(int fast, int slow, int signal) : fast_(fast), slow_(slow), signal_(signal) {}

void Macd::Update(double close) {
  fast_.Update(close);
  slow_.Update(close);
  if (!slow_.ready()) return;
  macd_ = fast_.value() - slow_.value();
  signal_.Update(macd_);
  signal_value_ = signal_.value();
  hist_ = signal_.ready() ? macd_ - signal_value_ : kNaN;
}

void Macd::Save(BinaryWriter& w) const {
  fast_.Save(w);
  slow_.Save(w);
  signal_.Save(w);
  w.PutF64(macd_);
  w.PutF64(signal_value_);
  w.PutF64(hist_);
}
bool Macd::Load(BinaryReader& r) {
  return fast_.Load(r) && slow_.Load(r) && signal_.Load(r) && r.GetF64(&macd_) &&
         r.GetF64(&signal_value_) && r.GetF64(&hist_);
}

// --- Rsi ---------------------------------------------------------------------------------------

Rsi::Rsi(int period) : period_(period) {}

double Rsi::Update(double x) {
  if (seen_++ == 0) {
    prev_ = x;
    return value_;
  }
  const double change = x - prev_;
  prev_ = x;
  if (seen_ <= period_ + 1) {
    // Still collecting the first N changes.
    if (change < 0) {
      loss_ -= change;
    } else {
      gain_ += change;
    }
    if (seen_ < period_ + 1) return value_;
    loss_ /= period_;
    gain_ /= period_;
  } else {
    loss_ *= (period_ - 1);
    gain_ *= (period_ - 1);
    if (change < 0) {
      loss_ -= change;
    } else {
      gain_ += change;
    }
    loss_ /= period_;
    gain_ /= period_;
  }
  const double total = gain_ + loss_;
  value_ = TaIsZero(total) ? 0.0 : 100.0 * (gain_ / total);
  return value_;
}

void Rsi::Save(BinaryWriter& w) const {
  w.PutI64(seen_);
  w.PutF64(prev_);
  w.PutF64(gain_);
  w.PutF64(loss_);
  w.PutF64(value_);
}
bool Rsi::Load(BinaryReader& r) {
  return r.GetI64(&seen_) && r.GetF64(&prev_) && r.GetF64(&gain_) && r.GetF64(&loss_) &&
         r.GetF64(&value_);
}

// --- Bollinger ---------------------------------------------------------------------------------

Bollinger::Bollinger(int period, double k)
    : period_(period), k_(k), window_(static_cast<size_t>(period), 0.0) {}

void Bollinger::Update(double x) {
  const size_t n = static_cast<size_t>(period_);
  window_[static_cast<size_t>(seen_) % n] = x;
  ++seen_;
  sum_ += x;
  sum_sq_ += x * x;
  if (seen_ < period_) return;
  // TA-Lib order: add the newest, take the means, then retire the oldest.
  const double oldest = window_[static_cast<size_t>(seen_) % n];
  mid_ = sum_ / period_;
  double mean_sq = sum_sq_ / period_;
  sum_ -= oldest;
  sum_sq_ -= oldest * oldest;
  mean_sq -= mid_ * mid_;
  const double sd = TaIsZeroOrNeg(mean_sq) ? 0.0 : std::sqrt(mean_sq);
  const double band = sd * k_;
  upper_ = mid_ + band;
  lower_ = mid_ - band;
}

Bollinger::Undo Bollinger::Mark() const {
  return Undo{seen_,
              sum_,
              sum_sq_,
              mid_,
              upper_,
              lower_,
              window_[static_cast<size_t>(seen_) % window_.size()]};
}
void Bollinger::Restore(const Undo& u) {
  seen_ = u.seen, sum_ = u.sum, sum_sq_ = u.sum_sq, mid_ = u.mid, upper_ = u.upper,
  lower_ = u.lower;
  window_[static_cast<size_t>(seen_) % window_.size()] = u.overwritten;
}

void Bollinger::Save(BinaryWriter& w) const {
  for (double d : window_) w.PutF64(d);
  w.PutI64(seen_);
  w.PutF64(sum_);
  w.PutF64(sum_sq_);
  w.PutF64(mid_);
  w.PutF64(upper_);
  w.PutF64(lower_);
}
bool Bollinger::Load(BinaryReader& r) {
  return LoadDoubles(r, &window_) && r.GetI64(&seen_) && r.GetF64(&sum_) && r.GetF64(&sum_sq_) &&
         r.GetF64(&mid_) && r.GetF64(&upper_) && r.GetF64(&lower_);
}

// --- SessionVwap -------------------------------------------------------------------------------

double SessionVwap::Update(double notional, double volume) {
  notional_ += notional;
  volume_ += volume;
  return value();
}
void SessionVwap::Save(BinaryWriter& w) const {
  w.PutF64(notional_);
  w.PutF64(volume_);
}
bool SessionVwap::Load(BinaryReader& r) {
  return r.GetF64(&notional_) && r.GetF64(&volume_);
}

// --- RollingVwap -------------------------------------------------------------------------------

RollingVwap::RollingVwap(int64_t window_ns, size_t max_entries)
    : window_ns_(window_ns), max_entries_(max_entries < 1 ? 1 : max_entries) {}

void RollingVwap::Push(const Entry& e) {
  if (size_ == entries_.size()) {
    // Grow geometrically up to the most the window can hold (+1 for the entry about to be evicted).
    size_t cap = entries_.empty() ? 4 : entries_.size() * 2;
    if (cap > max_entries_ + 1) cap = std::max(max_entries_ + 1, size_ + 1);
    std::vector<Entry> bigger(cap);
    for (size_t i = 0; i < size_; ++i) bigger[i] = At(i);
    entries_ = std::move(bigger);
    head_ = 0;
  }
  entries_[(head_ + size_) % entries_.size()] = e;
  ++size_;
}

RollingVwap::Undo RollingVwap::Mark() const {
  return Undo{entries_.size(), head_, size_, pops_since_resum_, notional_, volume_};
}
void RollingVwap::Restore(const Undo& u) {
  // Eviction only moves the head and a push writes a free slot, so the old entries are intact;
  // after a growth they were moved to the front of the new ring.
  head_ = u.capacity == entries_.size() ? u.head : 0;
  size_ = u.size;
  pops_since_resum_ = u.pops_since_resum;
  notional_ = u.notional;
  volume_ = u.volume;
}

void RollingVwap::Resum() {
  notional_ = 0;
  volume_ = 0;
  for (size_t i = 0; i < size_; ++i) {
    notional_ += At(i).notional;
    volume_ += At(i).volume;
  }
  pops_since_resum_ = 0;
}

double RollingVwap::Update(int64_t end_ns, double notional, double volume) {
  Push(Entry{end_ns, notional, volume});
  notional_ += notional;
  volume_ += volume;
  while (size_ > 0 && At(0).end_ns <= end_ns - window_ns_) {
    notional_ -= At(0).notional;
    volume_ -= At(0).volume;
    head_ = (head_ + 1) % entries_.size();
    --size_;
    ++pops_since_resum_;
  }
  if (pops_since_resum_ > static_cast<int64_t>(size_) || size_ == 0) Resum();
  return value();
}

void RollingVwap::Save(BinaryWriter& w) const {
  // The ring is written verbatim, head and evicted slots included: an Undo taken before the
  // snapshot (IndicatorSet saves it) refers to ring positions and to the entry the last Update
  // evicted, so a compacted copy would make a revision right after a restore go wrong.
  w.PutU64(entries_.size());
  w.PutU64(head_);
  w.PutU64(size_);
  for (const Entry& e : entries_) {
    w.PutI64(e.end_ns);
    w.PutF64(e.notional);
    w.PutF64(e.volume);
  }
  w.PutI64(pops_since_resum_);
  w.PutF64(notional_);
  w.PutF64(volume_);
}
bool RollingVwap::Load(BinaryReader& r) {
  uint64_t cap = 0, head = 0, size = 0;
  if (!r.GetU64(&cap) || !r.GetU64(&head) || !r.GetU64(&size)) return false;
  if (cap > (1u << 24) || size > cap || (cap > 0 ? head >= cap : head != 0)) {
    return r.Fail("rolling vwap: bad ring");
  }
  entries_.assign(cap, Entry{});
  head_ = head;
  size_ = size;
  for (Entry& e : entries_) {
    if (!r.GetI64(&e.end_ns) || !r.GetF64(&e.notional) || !r.GetF64(&e.volume)) return false;
  }
  return r.GetI64(&pops_since_resum_) && r.GetF64(&notional_) && r.GetF64(&volume_);
}

// --- RealizedVol -------------------------------------------------------------------------------

RealizedVol::RealizedVol(int window)
    : window_(window), returns_(static_cast<size_t>(window), 0.0) {}

double RealizedVol::Update(double close) {
  if (std::isnan(prev_close_)) {
    prev_close_ = close;
    return value_;
  }
  const double r = (close > 0 && prev_close_ > 0) ? std::log(close / prev_close_) : 0.0;
  prev_close_ = close;
  const size_t n = static_cast<size_t>(window_);
  const size_t slot = static_cast<size_t>(count_) % n;
  if (count_ >= window_) {
    const double old = returns_[slot];
    sum_ -= old;
    sum_sq_ -= old * old;
  }
  returns_[slot] = r;
  sum_ += r;
  sum_sq_ += r * r;
  ++count_;
  if (count_ % window_ == 0) {
    // A whole window was replaced: recompute so rounding cannot accumulate.
    sum_ = 0;
    sum_sq_ = 0;
    for (double x : returns_) {
      sum_ += x;
      sum_sq_ += x * x;
    }
  }
  if (count_ < window_) return value_;
  const double mean = sum_ / window_;
  const double var = sum_sq_ / window_ - mean * mean;
  value_ = var > 0 ? std::sqrt(var) : 0.0;
  return value_;
}

RealizedVol::Undo RealizedVol::Mark() const {
  return Undo{count_,  prev_close_, sum_,
              sum_sq_, value_,      returns_[static_cast<size_t>(count_) % returns_.size()]};
}
void RealizedVol::Restore(const Undo& u) {
  count_ = u.count, prev_close_ = u.prev_close, sum_ = u.sum, sum_sq_ = u.sum_sq, value_ = u.value;
  returns_[static_cast<size_t>(count_) % returns_.size()] = u.overwritten;
}

void RealizedVol::Save(BinaryWriter& w) const {
  for (double d : returns_) w.PutF64(d);
  w.PutI64(count_);
  w.PutF64(prev_close_);
  w.PutF64(sum_);
  w.PutF64(sum_sq_);
  w.PutF64(value_);
}
bool RealizedVol::Load(BinaryReader& r) {
  return LoadDoubles(r, &returns_) && r.GetI64(&count_) && r.GetF64(&prev_close_) &&
         r.GetF64(&sum_) && r.GetF64(&sum_sq_) && r.GetF64(&value_);
}

}  // namespace torghut::ta::indicators
