#include "torghut/trading/bar.h"

#include <cmath>

namespace torghut::trading {
namespace {

double Finite(double v) { return std::isfinite(v) ? v : NAN; }

}  // namespace

Result<TradingBar> JoinBar(const ta::MicrobarRow& bar, const ta::SignalRow& signal) {
  if (!bar.id.is_final || !signal.id.is_final) return InvalidArgument("bar rows are not final");
  if (bar.id.symbol != signal.id.symbol || bar.id.window_size != signal.id.window_size ||
      bar.id.event_ts != signal.id.event_ts) {
    return InvalidArgument("microbar and signal rows of different identities");
  }
  TradingBar out;
  out.symbol = bar.id.symbol;
  out.timeframe = TimeframeOf(bar.id.window_size);
  out.event_ts = bar.id.event_ts.millis();
  out.version = bar.id.version;
  if (std::isfinite(bar.c) && bar.c > 0) {
    Result<Decimal> close = Decimal::FromDouble(bar.c, 4);
    if (close.ok()) out.close = *close;
  }
  RuleInputs& in = out.inputs;
  in.event_ts = out.event_ts;
  in.close = out.close ? bar.c : NAN;
  in.macd = Finite(signal.macd);
  in.macd_signal = Finite(signal.macd_signal);
  in.macd_hist = Finite(signal.macd_hist);
  in.ema12 = Finite(signal.ema12);
  in.ema26 = Finite(signal.ema26);
  in.rsi14 = Finite(signal.rsi14);
  in.boll_mid = Finite(signal.boll_mid);
  in.boll_upper = Finite(signal.boll_upper);
  in.boll_lower = Finite(signal.boll_lower);
  in.vwap_session = Finite(signal.vwap_session);
  in.vwap_w5m = Finite(signal.vwap_w5m);
  in.imbalance_spread = Finite(signal.imbalance_spread);
  in.vol_realized_w60s = Finite(signal.vol_realized_w60s);
  return out;
}

std::vector<TradingBar> BarJoiner::OnMicrobar(const ta::MicrobarRow& row) {
  if (!row.id.is_final) return {};
  const Key key{row.id.symbol, row.id.window_size, row.id.event_ts.nanos()};
  pending_[key].bar = row;
  Expire(row.id.symbol, row.id.window_size, row.id.event_ts.nanos());
  return Complete(key);
}

std::vector<TradingBar> BarJoiner::OnSignal(const ta::SignalRow& row) {
  if (!row.id.is_final) return {};
  const Key key{row.id.symbol, row.id.window_size, row.id.event_ts.nanos()};
  pending_[key].signal = row;
  Expire(row.id.symbol, row.id.window_size, row.id.event_ts.nanos());
  return Complete(key);
}

std::vector<TradingBar> BarJoiner::Complete(const Key& key) {
  auto it = pending_.find(key);
  if (it == pending_.end() || !it->second.bar || !it->second.signal) return {};
  Result<TradingBar> bar = JoinBar(*it->second.bar, *it->second.signal);
  pending_.erase(it);
  if (!bar.ok()) return {};
  return {std::move(*bar)};
}

void BarJoiner::Expire(const std::string& symbol, ta::WindowSize w, int64_t newest) {
  // Rows of this (symbol, window) more than max_pending identities behind the newest: the
  // partner is not coming (the TA service emits both for every final bar, in order).
  const Key first{symbol, w, INT64_MIN};
  auto begin = pending_.lower_bound(first);
  auto end = pending_.upper_bound(Key{symbol, w, newest});
  size_t count = static_cast<size_t>(std::distance(begin, end));
  while (count > max_pending_ && begin != end) {
    const Half& h = begin->second;
    skips_.push_back({symbol, std::string(ta::WindowSizeName(w)),
                      Timestamp::FromNanos(std::get<2>(begin->first)).millis(),
                      h.bar ? "missing_signal" : "missing_microbar"});
    begin = pending_.erase(begin);
    --count;
  }
}

std::vector<BarJoiner::Skip> BarJoiner::TakeSkips() {
  std::vector<Skip> out;
  out.swap(skips_);
  return out;
}

}  // namespace torghut::trading
