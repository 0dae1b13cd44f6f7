#include "torghut/trading/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "torghut/trading/decision_hash.h"
#include "torghut/trading/strategies/validate.h"

namespace torghut::trading {
namespace {

constexpr uint32_t kSnapshotMagic = 0x54524547;  // "TREG"
constexpr uint32_t kSnapshotVersion = 1;
const Decimal kOneShare = Decimal::FromUnits(Decimal::kOne);
const Decimal kTenThousand = Decimal::FromUnits(10'000 * Decimal::kOne);
// How far past the wall clock a bar's end may be before it is refused (clock skew).
constexpr EpochMillis kFutureToleranceMs = 60'000;

nlohmann::json Num(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

nlohmann::json Values(const RuleInputs& in) {
  return {{"close", Num(in.close)},
          {"macd", Num(in.macd)},
          {"macd_signal", Num(in.macd_signal)},
          {"macd_hist", Num(in.macd_hist)},
          {"ema12", Num(in.ema12)},
          {"ema26", Num(in.ema26)},
          {"rsi14", Num(in.rsi14)},
          {"boll_mid", Num(in.boll_mid)},
          {"boll_upper", Num(in.boll_upper)},
          {"boll_lower", Num(in.boll_lower)},
          {"vwap_session", Num(in.vwap_session)},
          {"vwap_w5m", Num(in.vwap_w5m)},
          {"imbalance_spread", Num(in.imbalance_spread)},
          {"vol_realized_w60s", Num(in.vol_realized_w60s)}};
}

// A limit price `bps` basis points through the reference price: above it for a buy, below it for
// a sell (willing to pay up to / sell down to), rounded to the tick (cents from $1, else 0.0001)
// in the order's favour.
std::optional<Decimal> LimitPrice(Side side, Decimal reference, Decimal bps) {
  Result<Decimal> frac = bps.Div(kTenThousand);
  if (!frac.ok()) return std::nullopt;
  Result<Decimal> factor = side == Side::kBuy ? kOneShare.Add(*frac) : kOneShare.Sub(*frac);
  if (!factor.ok()) return std::nullopt;
  Result<Decimal> raw = reference.Mul(*factor);
  if (!raw.ok() || *raw <= Decimal()) return std::nullopt;
  const int digits = *raw >= kOneShare ? 2 : 4;
  return raw->RoundTo(digits, side == Side::kBuy ? RoundingMode::kFloor : RoundingMode::kCeiling);
}

}  // namespace

struct TradingEngine::Compiled {
  Strategy strategy;
  CompiledRule rule;
};

TradingEngine::TradingEngine(TradingSettings settings, const TradingCalendar* calendar,
                             Reviewer* reviewer)
    : settings_(std::move(settings)), calendar_(calendar), reviewer_(reviewer) {
  SetUniverse(settings_.static_symbols);
}

TradingEngine::~TradingEngine() = default;

Status TradingEngine::SetStrategies(const std::vector<Strategy>& strategies) {
  std::map<std::string, std::unique_ptr<Compiled>, std::less<>> next;
  std::map<std::string, Strategy, std::less<>> by_name;
  for (const Strategy& s : strategies) {
    TORGHUT_RETURN_IF_ERROR(ValidateStrategy(s));
    if (by_name.count(s.name) != 0) {
      return InvalidArgument(fmt::format("strategy '{}' is given twice", s.name));
    }
    by_name[s.name] = s;
    auto old = compiled_.find(s.name);
    if (old != compiled_.end() && old->second->strategy.type == s.type &&
        old->second->strategy.params_json == s.params_json) {
      // Same rule and parameters: keep its state (a crossover detector keeps its side).
      auto kept = std::make_unique<Compiled>();
      kept->rule = std::move(old->second->rule);
      kept->strategy = s;
      next[s.name] = std::move(kept);
      continue;
    }
    TORGHUT_ASSIGN_OR_RETURN(CompiledRule rule, MakeRule(s.type, s.params_json));
    auto c = std::make_unique<Compiled>();
    c->strategy = s;
    c->rule = std::move(rule);
    next[s.name] = std::move(c);
  }
  compiled_ = std::move(next);
  strategies_ = std::move(by_name);
  return Status::Ok();
}

const std::map<std::string, Strategy, std::less<>>& TradingEngine::strategies() const {
  return strategies_;
}

void TradingEngine::SetUniverse(std::optional<std::vector<std::string>> symbols) {
  if (symbols) std::sort(symbols->begin(), symbols->end());
  universe_ = std::move(symbols);
}

bool TradingEngine::InUniverse(std::string_view symbol) const {
  return !universe_ || std::binary_search(universe_->begin(), universe_->end(), symbol);
}

void TradingEngine::RestoreCursor(const StrategyCursor& c) {
  EpochMillis& at = cursors_[{c.strategy, c.symbol, c.timeframe}];
  at = std::max(at, c.event_ts);
}

EngineStep TradingEngine::OnBar(const TradingBar& bar, EpochMillis now,
                                const PortfolioView& portfolio) {
  EngineStep step;
  ++counters_.bars;
  if (settings_.check_signal_age && bar.event_ts > now + kFutureToleranceMs) {
    // Event time beyond the wall clock: bad data or a skewed clock. Not evaluated, not marked
    // evaluated (a genuine bar delivered again once the clock is right is still decided on).
    for (const auto& [name, c] : compiled_) {
      if (c->strategy.enabled && c->strategy.base_timeframe == bar.timeframe) {
        step.skips.push_back(
            {name, fmt::format("bar from the future: it ends {} ms after the clock",
                               bar.event_ts - now)});
      }
    }
    return step;
  }
  PortfolioView working = portfolio;  // the decisions of this bar count as open orders at once
  for (const auto& [name, c] : compiled_) {
    const Strategy& s = c->strategy;
    if (!s.enabled || s.base_timeframe != bar.timeframe) continue;
    if (!s.symbols.empty() &&
        std::find(s.symbols.begin(), s.symbols.end(), bar.symbol) == s.symbols.end()) {
      continue;
    }
    Evaluate(*c, bar, now, working, step);
  }
  return step;
}

Decimal TradingEngine::PendingSells(std::string_view strategy, std::string_view symbol) const {
  Decimal total;
  for (const auto& [coid, p] : pending_) {
    if (p.side == Side::kSell && p.strategy == strategy && p.symbol == symbol) {
      total = total.Add(p.remaining).value_or(total);
    }
  }
  return total;
}

void TradingEngine::Evaluate(const Compiled& c, const TradingBar& bar, EpochMillis now,
                             PortfolioView& working, EngineStep& step) {
  const Strategy& s = c.strategy;
  EpochMillis& cursor = cursors_[{s.name, bar.symbol, bar.timeframe}];
  if (bar.event_ts <= cursor) {
    ++counters_.already_evaluated;
    step.skips.push_back({s.name, "already evaluated"});
    return;
  }
  cursor = bar.event_ts;
  step.cursors.push_back({s.name, bar.symbol, bar.timeframe, bar.event_ts});
  ++counters_.evaluations;

  const RuleSignal signal = c.rule.rule->Evaluate(bar.symbol, bar.inputs);
  // What the strategy can still sell: its holding less the sells it already has open.
  Holding held = HoldingOf(s.name, bar.symbol);
  const Decimal sellable = held.qty.Sub(PendingSells(s.name, bar.symbol)).value_or(Decimal());
  held.qty = std::max(sellable, Decimal());

  Side side = Side::kBuy;
  std::string why;
  std::optional<Decimal> qty;
  std::string exit_kind;
  if (bar.close) {
    if (auto exit = CheckExits(c.rule.exits, held, *bar.close, bar.event_ts, *calendar_)) {
      side = Side::kSell;
      qty = held.qty;
      why = exit->why;
      exit_kind = exit->kind;
    }
  }
  if (!qty) {
    if (signal.kind == SignalKind::kNone) {
      step.skips.push_back({s.name, signal.skip.empty() ? "no signal" : signal.skip});
      return;
    }
    side = signal.kind == SignalKind::kBuy ? Side::kBuy : Side::kSell;
    why = signal.why;
    if (side == Side::kSell && held.qty > Decimal()) {
      qty = held.qty;
    } else if (side == Side::kSell && signal.exit_only) {
      step.skips.push_back({s.name, "exit signal with nothing held: " + why});
      return;
    }
  }
  if (!qty) {
    // Sizing: shares, else whole shares of a notional at the reference price, else the default.
    if (s.qty) {
      qty = s.qty;
    } else if (s.notional && bar.close) {
      Result<Decimal> shares = s.notional->Div(*bar.close, RoundingMode::kFloor);
      qty = shares.ok() ? shares->RoundTo(0, RoundingMode::kFloor) : Decimal();
      if (*qty <= Decimal()) {
        step.skips.push_back({s.name, fmt::format("notional {} buys no whole share at {}",
                                                  s.notional->ToString(),
                                                  bar.close->ToString())});
        return;
      }
    } else {
      qty = settings_.default_qty;
    }
  }

  Decision d;
  d.strategy_name = s.name;
  d.symbol = bar.symbol;
  d.timeframe = bar.timeframe;
  d.signal_event_ts = bar.event_ts;
  d.action = side;
  d.decision_hash = DecisionHash(side, bar.event_ts, s.name, bar.symbol, bar.timeframe);
  d.client_order_id = ClientOrderIdFor(d.decision_hash);
  d.qty = *qty;
  d.order_type = s.order_type;
  d.time_in_force = s.time_in_force;
  d.reference_price = bar.close;
  if (d.order_type == OrderType::kLimit && bar.close && s.limit_offset_bps) {
    d.limit_price = LimitPrice(side, *bar.close, *s.limit_offset_bps);
  }
  d.rationale = why;
  d.created_at = d.updated_at = now;

  const OpenOrders& open = working.Open(bar.symbol);
  nlohmann::json inputs = {
      {"rule", s.type},
      {"params", nlohmann::json::parse(c.rule.rule->ParamsJson(), nullptr, false)},
      {"why", why},
      {"values", Values(bar.inputs)},
      {"reference_price", bar.close ? nlohmann::json(bar.close->ToString()) : nlohmann::json()},
      {"bar", {{"event_ts", bar.event_ts}, {"version", bar.version}}},
      {"portfolio",
       {{"equity", working.equity.ToString()},
        {"cash", working.cash.ToString()},
        {"buying_power", working.buying_power.ToString()},
        {"position_qty", working.PositionQty(bar.symbol).ToString()},
        {"open_buy_qty", open.buy_qty.ToString()},
        {"open_sell_qty", open.sell_qty.ToString()},
        {"day_pnl", working.day_pnl.ToString()}}},
      {"holding",
       {{"qty", held.qty.ToString()}, {"avg_entry_price", held.avg_entry_price.ToString()}}}};
  if (!exit_kind.empty()) inputs["exit"] = exit_kind;
  d.inputs_json = inputs.dump();

  std::vector<std::string> reasons;
  if (reviewer_ != nullptr) {
    ReviewOutcome review = reviewer_->Review(d, working);
    reasons = std::move(review.reasons);
    if (review.qty) d.qty = *review.qty;
    if (review.order_type) d.order_type = *review.order_type;
    if (review.limit_price) d.limit_price = review.limit_price;
    if (review.order_type == OrderType::kMarket) d.limit_price.reset();
    if (review.review) step.reviews.push_back(std::move(*review.review));
  }

  RiskOrder order;
  order.symbol = d.symbol;
  order.side = d.action;
  order.qty = d.qty;
  order.price = d.order_type == OrderType::kLimit && d.limit_price ? d.limit_price
                                                                    : d.reference_price;
  order.event_ts = bar.event_ts;
  order.timeframe = bar.timeframe;
  RiskContext context{&settings_, &s, InUniverse(bar.symbol), &working, now, calendar_};
  for (std::string& r : CheckRisk(order, context, risk_)) reasons.push_back(std::move(r));
  d.risk_reasons = std::move(reasons);

  ++counters_.decisions;
  if (!exit_kind.empty()) ++counters_.exits;
  if (d.risk_reasons.empty()) {
    d.status = DecisionStatus::kPlanned;
    ++counters_.planned;
    risk_.Accept(d.symbol, bar.event_ts);
    OpenOrders& o = working.open[d.symbol];
    if (d.action == Side::kBuy) {
      o.buy_qty = o.buy_qty.Add(d.qty).value_or(o.buy_qty);
      if (order.price) {
        o.buy_notional =
            o.buy_notional.Add(d.qty.Mul(*order.price).value_or(Decimal())).value_or(o.buy_notional);
      }
    } else {
      o.sell_qty = o.sell_qty.Add(d.qty).value_or(o.sell_qty);
    }
    pending_[d.client_order_id] = Pending{d.strategy_name, d.symbol, d.action, d.qty};
  } else {
    d.status = DecisionStatus::kRejected;
    ++counters_.rejected;
  }
  step.decisions.push_back(std::move(d));
}

void TradingEngine::OnFill(const Fill& f) {
  if (auto it = pending_.find(f.client_order_id); it != pending_.end()) {
    it->second.remaining = it->second.remaining.Sub(f.qty).value_or(Decimal());
    if (it->second.remaining <= Decimal()) pending_.erase(it);
  }
  const auto key = std::make_pair(f.strategy_name, f.symbol);
  Holding& h = holdings_[key];
  if (f.side == Side::kBuy) {
    const Result<Decimal> qty = h.qty.Add(f.qty);
    const Result<Decimal> cost_held = h.qty.Mul(h.avg_entry_price);
    const Result<Decimal> cost_new = f.qty.Mul(f.price);
    if (qty.ok() && cost_held.ok() && cost_new.ok() && *qty > Decimal()) {
      const Result<Decimal> cost = cost_held->Add(*cost_new);
      if (cost.ok()) h.avg_entry_price = cost->Div(*qty).value_or(f.price).RoundTo(4, RoundingMode::kHalfEven);
      if (h.qty <= Decimal()) h.opened_at = f.filled_at;
      h.qty = *qty;
    }
  } else {
    h.qty = h.qty.Sub(f.qty).value_or(Decimal());
  }
  if (h.qty <= Decimal()) holdings_.erase(key);  // long-only holdings; an oversell ends at zero
}

void TradingEngine::OnOrderDone(std::string_view client_order_id) {
  if (auto it = pending_.find(client_order_id); it != pending_.end()) pending_.erase(it);
}

void TradingEngine::RestoreOpenOrder(std::string_view client_order_id, std::string_view strategy,
                                     std::string_view symbol, Side side, Decimal remaining) {
  if (remaining <= Decimal()) return;
  pending_[std::string(client_order_id)] =
      Pending{std::string(strategy), std::string(symbol), side, remaining};
}

Holding TradingEngine::HoldingOf(std::string_view strategy, std::string_view symbol) const {
  auto it = holdings_.find(std::make_pair(std::string(strategy), std::string(symbol)));
  return it == holdings_.end() ? Holding{} : it->second;
}

void TradingEngine::Save(BinaryWriter& w) const {
  w.PutU32(kSnapshotMagic);
  w.PutU32(kSnapshotVersion);
  w.PutU64(compiled_.size());
  for (const auto& [name, c] : compiled_) {
    w.PutString(name);
    BinaryWriter rule;
    c->rule.rule->Save(rule);
    w.PutString(rule.data());
  }
  w.PutU64(cursors_.size());
  for (const auto& [key, ts] : cursors_) {
    w.PutString(std::get<0>(key));
    w.PutString(std::get<1>(key));
    w.PutU8(static_cast<uint8_t>(std::get<2>(key)));
    w.PutI64(ts);
  }
  w.PutU64(holdings_.size());
  for (const auto& [key, h] : holdings_) {
    w.PutString(key.first);
    w.PutString(key.second);
    w.PutI64(h.qty.units());
    w.PutI64(h.avg_entry_price.units());
    w.PutI64(h.opened_at);
  }
  w.PutU64(pending_.size());
  for (const auto& [coid, p] : pending_) {
    w.PutString(coid);
    w.PutString(p.strategy);
    w.PutString(p.symbol);
    w.PutU8(static_cast<uint8_t>(p.side));
    w.PutI64(p.remaining.units());
  }
  risk_.Save(w);
}

Status TradingEngine::Load(BinaryReader& r) {
  uint32_t magic = 0, version = 0;
  if (!r.GetU32(&magic) || magic != kSnapshotMagic) return DataLoss("not a trading engine snapshot");
  if (!r.GetU32(&version) || version != kSnapshotVersion) {
    return DataLoss("trading engine snapshot of an unknown version");
  }
  auto bad = [&](const char* what) { return r.ok() ? DataLoss(what) : r.Error(); };
  uint64_t n = 0;
  if (!r.GetU64(&n) || n > (1u << 20)) return bad("engine snapshot: bad rule count");
  for (uint64_t i = 0; i < n; ++i) {
    std::string name, bytes;
    if (!r.GetString(&name) || !r.GetString(&bytes, 1u << 30)) return r.Error();
    auto it = compiled_.find(name);
    if (it == compiled_.end()) continue;  // a strategy no longer in the catalog
    BinaryReader rr(bytes);
    TORGHUT_RETURN_IF_ERROR(it->second->rule.rule->Load(rr));
  }
  cursors_.clear();
  if (!r.GetU64(&n) || n > (1u << 26)) return bad("engine snapshot: bad cursor count");
  for (uint64_t i = 0; i < n; ++i) {
    std::string strategy, symbol;
    uint8_t tf = 0;
    int64_t ts = 0;
    if (!r.GetString(&strategy) || !r.GetString(&symbol) || !r.GetU8(&tf) || tf > 1 ||
        !r.GetI64(&ts)) {
      return bad("engine snapshot: bad cursor");
    }
    cursors_[{strategy, symbol, static_cast<Timeframe>(tf)}] = ts;
  }
  holdings_.clear();
  if (!r.GetU64(&n) || n > (1u << 26)) return bad("engine snapshot: bad holding count");
  for (uint64_t i = 0; i < n; ++i) {
    std::string strategy, symbol;
    int64_t qty = 0, avg = 0, opened = 0;
    if (!r.GetString(&strategy) || !r.GetString(&symbol) || !r.GetI64(&qty) || !r.GetI64(&avg) ||
        !r.GetI64(&opened)) {
      return r.Error();
    }
    holdings_[{strategy, symbol}] =
        Holding{Decimal::FromUnits(qty), Decimal::FromUnits(avg), opened};
  }
  pending_.clear();
  if (!r.GetU64(&n) || n > (1u << 26)) return bad("engine snapshot: bad pending count");
  for (uint64_t i = 0; i < n; ++i) {
    std::string coid;
    Pending p;
    uint8_t side = 0;
    int64_t remaining = 0;
    if (!r.GetString(&coid) || !r.GetString(&p.strategy) || !r.GetString(&p.symbol) ||
        !r.GetU8(&side) || side > 1 || !r.GetI64(&remaining)) {
      return bad("engine snapshot: bad pending order");
    }
    p.side = static_cast<Side>(side);
    p.remaining = Decimal::FromUnits(remaining);
    pending_[coid] = std::move(p);
  }
  return risk_.Load(r);
}

}  // namespace torghut::trading
