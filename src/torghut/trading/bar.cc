#include "torghut/trading/bar.h"

#include <algorithm>
#include <cmath>

namespace torghut::trading {
namespace {

double Finite(double v) {
  return std::isfinite(v) ? v : NAN;
}

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

std::vector<TradingBar> BarJoiner::OnMicrobar(const ta::MicrobarRow& row, Position at) {
  return Add(row, &Half::bar, &Half::bar_at, at);
}

std::vector<TradingBar> BarJoiner::OnSignal(const ta::SignalRow& row, Position at) {
  return Add(row, &Half::signal, &Half::signal_at, at);
}

std::map<std::pair<int, int32_t>, int64_t> BarJoiner::OldestPending() const {
  std::map<std::pair<int, int32_t>, int64_t> out;
  auto note = [&](const Position& p, bool present) {
    if (!present || p.offset < 0) return;
    auto [it, fresh] = out.emplace(std::make_pair(p.topic, p.partition), p.offset);
    if (!fresh) it->second = std::min(it->second, p.offset);
  };
  for (const auto& [key, half] : pending_) {
    note(half.bar_at, half.bar.has_value());
    note(half.signal_at, half.signal.has_value());
  }
  return out;
}

template <typename Row>
std::vector<TradingBar> BarJoiner::Add(const Row& row, std::optional<Row> Half::*slot,
                                       Position Half::*at, Position where) {
  if (!row.id.is_final) return {};
  const ta::WindowSize w = row.id.window_size;
  const int64_t ts = row.id.event_ts.nanos();
  auto last = last_joined_.find({row.id.symbol, w});
  if (last != last_joined_.end() && ts <= last->second) {
    ++dropped_;
    return {};
  }
  const Key key{row.id.symbol, w, ts};
  Half& half = pending_[key];
  half.*slot = row;
  half.*at = where;
  if (!half.bar || !half.signal) {
    Expire(row.id.symbol, w, INT64_MIN);
    return {};
  }
  Result<TradingBar> bar = JoinBar(*half.bar, *half.signal);
  pending_.erase(key);
  last_joined_[{row.id.symbol, w}] = ts;
  Expire(row.id.symbol, w, ts);
  if (!bar.ok()) return {};
  return {std::move(*bar)};
}

void BarJoiner::Expire(const std::string& symbol, ta::WindowSize w, int64_t before) {
  auto begin = pending_.lower_bound(Key{symbol, w, INT64_MIN});
  auto end = pending_.lower_bound(Key{symbol, w, INT64_MAX});
  size_t count = static_cast<size_t>(std::distance(begin, end));
  while (begin != end && (std::get<2>(begin->first) < before || count > max_pending_)) {
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
