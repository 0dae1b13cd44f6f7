// The TA engine's outputs: one row type per table of SPEC §5 (ta_microbars, ta_signals).
//
// Row identity is (symbol, window_size, event_ts); a row with a higher `version` replaces an
// earlier one with the same identity. Every field is a pure function of the input events (no
// wall clock), which is what makes replays byte-identical. Nullable indicator columns hold NaN
// for SQL NULL / JSON null ("not enough history yet").
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "torghut/core/time.h"
#include "torghut/market/source.h"

namespace torghut::ta {

inline constexpr double kNull = std::numeric_limits<double>::quiet_NaN();
inline bool IsNull(double v) {
  return std::isnan(v);
}

enum class WindowSize : uint8_t { k1s = 0, k1m = 1 };
// "PT1S" / "PT1M"
std::string_view WindowSizeName(WindowSize w);
// false when `name` is neither "PT1S" nor "PT1M".
bool ParseWindowSize(std::string_view name, WindowSize* out);
constexpr int64_t WindowNanos(WindowSize w) {
  return w == WindowSize::k1s ? kNanosPerSecond : kNanosPerMinute;
}

// Where the input that produced a row came from (the envelope's `source`).
using market::ParseSource;
using market::Source;
using market::SourceName;

// Columns shared by both tables.
struct RowIdentity {
  std::string symbol;
  Timestamp event_ts;   // = window_end
  int64_t seq = 0;      // highest input seq folded into the row (see InputMeta::seq)
  Timestamp ingest_ts;  // latest ingest time of the inputs folded into the row
  bool is_final = false;
  Source source = Source::kWs;
  WindowSize window_size = WindowSize::k1s;
  WindowSize window_step = WindowSize::k1s;
  Timestamp window_start;
  Timestamp window_end;
  int64_t version = 1;  // grows with every change; see engine.h for the rule
};

// ta_microbars
struct MicrobarRow {
  RowIdentity id;
  double o = 0, h = 0, l = 0, c = 0;
  int64_t v = 0;        // Σ size
  double vwap = kNull;  // Σ p·s / Σ s; null when v == 0
  int64_t count = 0;    // number of trades
};

// ta_signals; NaN = null.
struct SignalRow {
  RowIdentity id;
  double macd = kNull, macd_signal = kNull, macd_hist = kNull;
  double ema12 = kNull, ema26 = kNull;
  double rsi14 = kNull;
  double boll_mid = kNull, boll_upper = kNull, boll_lower = kNull;
  double vwap_session = kNull, vwap_w5m = kNull;
  double imbalance_spread = kNull, imbalance_bid_px = kNull, imbalance_ask_px = kNull;
  double imbalance_bid_sz = kNull, imbalance_ask_sz = kNull;
  double vol_realized_w60s = kNull;
};

}  // namespace torghut::ta
