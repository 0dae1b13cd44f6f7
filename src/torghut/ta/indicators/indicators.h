// Streaming technical indicators with TA-Lib's exact conventions (SPEC §4).
//
//   Ema ema(12);
//   for (double close : closes) {
//     double v = ema.Update(close);   // NaN until 12 values were seen, then the EMA
//   }
//
// Every Update is O(1) and allocates nothing after construction. Outputs are NaN ("null") until
// the indicator has enough history. The arithmetic follows TA-Lib's C code operation by operation
// (same seeds, same running sums, same zero thresholds), so results match TA-Lib to the last few
// bits; tests/golden/talib holds the reference series. Each class saves/restores its whole state
// bit-exactly (core/binary_io.h) for engine snapshots.
//
// Not thread-safe; each instance belongs to one engine.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "torghut/core/binary_io.h"

namespace torghut::ta::indicators {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Exponential moving average, k = 2/(N+1), seeded with the simple mean of the first N values.
class Ema {
 public:
  explicit Ema(int period);
  double Update(double x);
  bool ready() const { return seen_ >= period_; }
  double value() const { return ready() ? value_ : kNaN; }
  int period() const { return period_; }
  void Save(BinaryWriter& w) const;
  bool Load(BinaryReader& r);

 private:
  int period_;
  double k_;
  int64_t seen_ = 0;
  double value_ = 0;  // running sum until ready, then the EMA
};

// MACD(fast, slow, signal): macd = EMA_fast − EMA_slow once the slow EMA is defined; signal =
// EMA_signal of macd seeded with the mean of its first `signal` values; hist = macd − signal.
// The fast EMA is seeded with the mean of the first `fast` closes (SPEC §4). TA-Lib seeds it later
// (with closes [slow−fast, slow−1], see docs/adr/001-macd-warmup.md); the two converge
// geometrically and agree to 1e-9 from bar 200 on.
class Macd {
 public:
  Macd(int fast, int slow, int signal);
  void Update(double close);
  double macd() const { return macd_; }
  double signal() const { return signal_value_; }
  double hist() const { return hist_; }
  const Ema& fast() const { return fast_; }
  const Ema& slow() const { return slow_; }
  void Save(BinaryWriter& w) const;
  bool Load(BinaryReader& r);

 private:
  Ema fast_, slow_, signal_;
  double macd_ = kNaN, signal_value_ = kNaN, hist_ = kNaN;
};

// Wilder's RSI. Initial average gain/loss = mean of the first N changes; then
// avg = (avg·(N−1) + change)/N. RSI = 100·G/(G+L), and 0 when G+L is zero by TA-Lib's test
// (|G+L| < 1e-14, TA-Lib's TA_EPSILON).
class Rsi {
 public:
  explicit Rsi(int period);
  double Update(double x);
  double value() const { return value_; }
  void Save(BinaryWriter& w) const;
  bool Load(BinaryReader& r);

 private:
  int period_;
  int64_t seen_ = 0;
  double prev_ = 0, gain_ = 0, loss_ = 0;
  double value_ = kNaN;
};

// Bollinger bands on an SMA: mid = SMA(N), upper/lower = mid ± k·σ with σ the population standard
// deviation of the last N values, computed like TA-Lib from running Σx and Σx² (σ = 0 when the
// variance is below TA-Lib's TA_EPSILON, 1e-14).
class Bollinger {
 public:
  // State to take back the next Update (see IndicatorSet::UndoLast).
  struct Undo {
    int64_t seen;
    double sum, sum_sq, mid, upper, lower, overwritten;
  };
  Bollinger(int period, double k);
  void Update(double x);
  Undo Mark() const;
  void Restore(const Undo& u);
  double mid() const { return mid_; }
  double upper() const { return upper_; }
  double lower() const { return lower_; }
  void Save(BinaryWriter& w) const;
  bool Load(BinaryReader& r);

 private:
  int period_;
  double k_;
  std::vector<double> window_;  // ring of the last N values
  int64_t seen_ = 0;
  double sum_ = 0, sum_sq_ = 0;
  double mid_ = kNaN, upper_ = kNaN, lower_ = kNaN;
};

// Σ price·volume / Σ volume since the last Reset (a session start). NaN while Σ volume = 0.
class SessionVwap {
 public:
  void Reset() { notional_ = 0, volume_ = 0; }
  double Update(double notional, double volume);
  double value() const { return volume_ > 0 ? notional_ / volume_ : kNaN; }
  void Save(BinaryWriter& w) const;
  bool Load(BinaryReader& r);

 private:
  double notional_ = 0, volume_ = 0;
};

// VWAP over the bars whose end lies in (end − window, end]. Bars must arrive in end order. Keeps
// one entry per bar inside the window (a growable ring that stops growing at its working size);
// sums are recomputed from the entries whenever a full window has been replaced, so they cannot
// drift.
class RollingVwap {
 public:
  struct Undo {
    size_t capacity, head, size;
    int64_t pops_since_resum;
    double notional, volume;
  };
  // `max_entries`: the most bars the window can hold (window / bar width + 1); the ring never
  // grows beyond it.
  RollingVwap(int64_t window_ns, size_t max_entries);
  double Update(int64_t end_ns, double notional, double volume);
  Undo Mark() const;
  void Restore(const Undo& u);
  double value() const { return volume_ > 0 ? notional_ / volume_ : kNaN; }
  size_t HeapBytes() const { return entries_.capacity() * sizeof(Entry); }
  void Save(BinaryWriter& w) const;
  bool Load(BinaryReader& r);

 private:
  struct Entry {
    int64_t end_ns;
    double notional, volume;
  };
  Entry& At(size_t i) { return entries_[(head_ + i) % entries_.size()]; }
  void Push(const Entry& e);
  void Resum();
  int64_t window_ns_;
  size_t max_entries_;
  std::vector<Entry> entries_;  // ring
  size_t head_ = 0, size_ = 0;
  int64_t pops_since_resum_ = 0;
  double notional_ = 0, volume_ = 0;
};

// Population standard deviation of the last N log returns of closes; NaN until N returns exist.
// Sums are recomputed from the window every N updates, so rounding cannot accumulate.
class RealizedVol {
 public:
  struct Undo {
    int64_t count;
    double prev_close, sum, sum_sq, value, overwritten;
  };
  explicit RealizedVol(int window);
  double Update(double close);
  Undo Mark() const;
  void Restore(const Undo& u);
  double value() const { return value_; }
  size_t HeapBytes() const { return returns_.capacity() * sizeof(double); }
  void Save(BinaryWriter& w) const;
  bool Load(BinaryReader& r);

 private:
  int window_;
  std::vector<double> returns_;  // ring of the last N log returns
  int64_t count_ = 0;            // returns seen
  double prev_close_ = kNaN;
  double sum_ = 0, sum_sq_ = 0;
  double value_ = kNaN;
};

}  // namespace torghut::ta::indicators
