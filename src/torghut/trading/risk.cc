#include "torghut/trading/risk.h"

#include <algorithm>
#include <limits>

namespace torghut::trading {
namespace {

constexpr Decimal kMax = Decimal::FromUnits(std::numeric_limits<int64_t>::max());
constexpr Decimal kMin = Decimal::FromUnits(-std::numeric_limits<int64_t>::max());

// Saturating arithmetic: a risk check must never fail to give an answer; an overflow is "huge".
Decimal Mul(Decimal a, Decimal b) {
  return a.Mul(b).value_or(kMax);
}
Decimal Add(Decimal a, Decimal b) {
  return a.Add(b).value_or(kMax);
}
Decimal Sub(Decimal a, Decimal b) {
  return a.Sub(b).value_or(kMin);
}
Decimal Pct(Decimal v, Decimal pct) {
  return Mul(v, pct).Div(Decimal::FromUnits(100 * Decimal::kOne)).value_or(kMax);
}

bool MarketOpen(SessionRule rule, const TradingCalendar& calendar, EpochMillis bar_start) {
  if (rule == SessionRule::kAlways) return true;
  const SessionPhase phase = calendar.PhaseAt(Timestamp::FromMillis(bar_start));
  if (rule == SessionRule::kRegular) return phase == SessionPhase::kRegular;
  return phase != SessionPhase::kClosed;
}

}  // namespace

bool ReducesPosition(Side side, Decimal qty, Decimal position) {
  return side == Side::kSell ? position > Decimal() && qty <= position
                             : position < Decimal() && qty <= position.Abs();
}

bool RiskState::CooldownActive(std::string_view symbol, EpochMillis event_ts,
                               int64_t cooldown_s) const {
  if (cooldown_s <= 0) return false;
  auto it = last_accepted_.find(symbol);
  return it != last_accepted_.end() && event_ts - it->second < cooldown_s * 1000;
}

bool RiskState::RateExceeded(EpochMillis event_ts, int64_t max_per_minute) const {
  const auto first = std::upper_bound(accepted_.begin(), accepted_.end(), event_ts - 60'000);
  const auto last = std::upper_bound(accepted_.begin(), accepted_.end(), event_ts);
  return std::distance(first, last) >= max_per_minute;
}

void RiskState::Accept(std::string_view symbol, EpochMillis event_ts) {
  auto it = last_accepted_.find(symbol);
  if (it == last_accepted_.end()) {
    last_accepted_.emplace(std::string(symbol), event_ts);
  } else {
    it->second = std::max(it->second, event_ts);
  }
  // Kept sorted (bars of different symbols may arrive slightly out of event order).
  accepted_.insert(std::upper_bound(accepted_.begin(), accepted_.end(), event_ts), event_ts);
  while (!accepted_.empty() && accepted_.front() <= accepted_.back() - 120'000) {
    accepted_.pop_front();
  }
}

void RiskState::Save(BinaryWriter& w) const {
  w.PutU64(last_accepted_.size());
  for (const auto& [symbol, ts] : last_accepted_) {
    w.PutString(symbol);
    w.PutI64(ts);
  }
  w.PutU64(accepted_.size());
  for (EpochMillis ts : accepted_) w.PutI64(ts);
}

Status RiskState::Load(BinaryReader& r) {
  last_accepted_.clear();
  accepted_.clear();
  uint64_t n = 0;
  if (!r.GetU64(&n) || n > (1u << 24))
    return r.ok() ? DataLoss("risk state: bad count") : r.Error();
  for (uint64_t i = 0; i < n; ++i) {
    std::string symbol;
    int64_t ts = 0;
    if (!r.GetString(&symbol) || !r.GetI64(&ts)) return r.Error();
    last_accepted_[symbol] = ts;
  }
  if (!r.GetU64(&n) || n > (1u << 24))
    return r.ok() ? DataLoss("risk state: bad count") : r.Error();
  for (uint64_t i = 0; i < n; ++i) {
    int64_t ts = 0;
    if (!r.GetI64(&ts)) return r.Error();
    accepted_.push_back(ts);
  }
  return Status::Ok();
}

std::vector<std::string> CheckRisk(const RiskOrder& o, const RiskContext& c,
                                   const RiskState& state) {
  const TradingSettings& s = *c.settings;
  const Strategy& strategy = *c.strategy;
  const PortfolioView& p = *c.portfolio;
  std::vector<std::string> out;
  auto add = [&](std::string_view r) { out.emplace_back(r); };

  const Decimal position = p.PositionQty(o.symbol);
  const OpenOrders& open = p.Open(o.symbol);
  const bool reducing = ReducesPosition(o.side, o.qty, position);
  const Decimal notional = o.price ? Mul(o.qty, *o.price) : Decimal();

  if (!s.enabled) add(reason::kTradingDisabled);
  if (s.mode == TradingMode::kLive && !s.live_enabled) add(reason::kLiveTradingDisabled);
  if (!strategy.enabled) add(reason::kStrategyDisabled);
  if (!c.symbol_allowed) add(reason::kSymbolNotAllowed);
  if (!o.price) add(reason::kMissingPrice);
  if (o.price && !reducing) {
    const std::optional<Decimal> cap = strategy.max_notional_per_trade
                                           ? strategy.max_notional_per_trade
                                           : s.max_notional_per_trade;
    if (cap && notional > *cap) add(reason::kMaxNotionalExceeded);
    if (Add(notional, open.buy_notional) > p.buying_power) add(reason::kInsufficientBuyingPower);
  }
  if (o.price && strategy.max_position_pct_equity) {
    // The position once every open order and this one have filled, against the cap.
    const Decimal pending = Sub(Add(position, open.buy_qty), open.sell_qty);
    const Decimal projected = o.side == Side::kBuy ? Add(pending, o.qty) : Sub(pending, o.qty);
    const Decimal cap = Pct(p.equity, *strategy.max_position_pct_equity);
    if (Mul(projected.Abs(), *o.price) > cap && projected.Abs() > pending.Abs()) {
      add(reason::kMaxPositionPctExceeded);
    }
  }
  if (o.side == Side::kSell && !s.allow_shorts && o.qty > Sub(position, open.sell_qty)) {
    add(reason::kShortsNotAllowed);
  }
  if (state.CooldownActive(o.symbol, o.event_ts, s.cooldown_seconds)) add(reason::kCooldownActive);
  if (!MarketOpen(s.session, *c.calendar, o.event_ts - TimeframeMillis(o.timeframe))) {
    add(reason::kMarketClosed);
  }
  if (s.check_signal_age && s.max_signal_age_seconds > 0 &&
      c.now - o.event_ts > s.max_signal_age_seconds * 1000) {
    add(reason::kStaleSignal);
  }
  if (state.RateExceeded(o.event_ts, s.max_orders_per_minute)) add(reason::kOrderRateExceeded);
  if (s.daily_loss_limit && p.day_pnl < Sub(Decimal(), *s.daily_loss_limit) && !reducing) {
    add(reason::kDailyLossLimit);
  }
  if (s.kill_switch) add(reason::kKillSwitch);
  return out;
}

}  // namespace torghut::trading
