// Every indicator of one (symbol, window size) chain, advanced once per final bar.
//
// Apply records what it changed, so UndoLast() can take the newest bar back: a revision of the
// newest final bar is replayed as UndoLast() + Apply(revised bar), exactly. A copy is an
// independent snapshot of the chain (provisional rows chain on a scratch copy).
#pragma once

#include <cstdint>

#include "torghut/core/binary_io.h"
#include "torghut/ta/indicators/indicators.h"
#include "torghut/ta/rows.h"

namespace torghut::ta {

// What a closed bar contributes to the indicators.
struct BarClose {
  Timestamp end;  // window end (the bar's event time)
  double close = 0;
  double notional = 0;      // Σ price·size (for VWAPs)
  double volume = 0;        // Σ size
  Timestamp session_start;  // the US session the bar belongs to (session VWAP resets on change)
};

class IndicatorSet {
 public:
  // `bar_ns`: the width of the bars of this chain (1 s or 1 min), which bounds the rolling window.
  IndicatorSet(int64_t vwap_window_seconds, int32_t realized_vol_window, int64_t bar_ns);

  // Folds `bar` into every indicator and writes the indicator columns of `out` (NaN = null).
  void Apply(const BarClose& bar, SignalRow* out);
  // Restores the state from before the last Apply. Precondition: an Apply since the last UndoLast.
  void UndoLast();
  bool can_undo() const { return has_undo_; }

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

  // What the last Apply changed.
  struct Undo {
    indicators::Macd macd{12, 26, 9};
    indicators::Rsi rsi{14};
    indicators::SessionVwap vwap_session;
    indicators::Bollinger::Undo boll{};
    indicators::RollingVwap::Undo vwap_window{};
    indicators::RealizedVol::Undo vol{};
    int64_t session_start_ns = INT64_MIN;
  };
  Undo undo_;
  bool has_undo_ = false;
};

}  // namespace torghut::ta
