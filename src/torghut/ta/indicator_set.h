// Every indicator of one (symbol, window size) chain, advanced once per final bar.
//
// A value type: copying it snapshots the chain (the engine keeps the copy from before the newest
// final bar so that a revision of that bar recomputes its signals exactly). Copy-assignment reuses
// the destination's buffers, so steady-state copies do not allocate.
#pragma once

#include <cstdint>

#include "torghut/core/binary_io.h"
#include "torghut/ta/indicators/indicators.h"
#include "torghut/ta/rows.h"

namespace torghut::ta {

// What a closed bar contributes to the indicators.
struct BarClose {
  Timestamp end;          // window end (the bar's event time)
  double close = 0;
  double notional = 0;    // Σ price·size (for VWAPs)
  double volume = 0;      // Σ size
  Timestamp session_start;  // the US session the bar belongs to (session VWAP resets on change)
};

class IndicatorSet {
 public:
  IndicatorSet(int64_t vwap_window_seconds, int32_t realized_vol_window);

  // Folds `bar` into every indicator and writes the indicator columns of `out` (NaN = null).
  void Apply(const BarClose& bar, SignalRow* out);

  void Save(BinaryWriter& w) const;
  bool Load(BinaryReader& r);
  size_t HeapBytes() const;

 private:
  indicators::Macd macd_{12, 26, 9};  // owns ema12 and ema26
  indicators::Rsi rsi14_{14};
  indicators::Bollinger boll_{20, 2.0};
  indicators::SessionVwap vwap_session_;
  indicators::RollingVwap vwap_window_;
  indicators::RealizedVol vol_;
  int64_t session_start_ns_ = INT64_MIN;
};

}  // namespace torghut::ta
