#include "torghut/trading/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>

#include "torghut/core/json_text.h"
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

// The decision's `inputs_json`: written by hand (it is made for every decision, and a document
// library's tree costs more than the decision itself), keys in sorted order, doubles in their
// shortest round-trip form, undefined values null.
class InputsJson {
 public:
  explicit InputsJson(std::string* out) : out_(out) { out_->push_back('{'); }
  void Key(std::string_view k) {
    if (!first_.back()) out_->push_back(',');
    first_.back() = false;
    AppendJsonString(k, out_);
    out_->push_back(':');
  }
  void Str(std::string_view k, std::string_view v) {
    Key(k);
    AppendJsonString(v, out_);
  }
  void Num(std::string_view k, double v) {
    Key(k);
    if (std::isfinite(v)) {
      fmt::format_to(std::back_inserter(*out_), "{}", v);
    } else {
      out_->append("null");
    }
  }
  void Int(std::string_view k, int64_t v) {
    Key(k);
    fmt::format_to(std::back_inserter(*out_), "{}", v);
  }
  void Dec(std::string_view k, const std::optional<Decimal>& v) {
    if (v) return Str(k, v->ToString());
    Key(k);
    out_->append("null");
  }
  void Raw(std::string_view k, std::string_view json) {
    Key(k);
    out_->append(json);
  }
  void Open(std::string_view k) {
    Key(k);
    out_->push_back('{');
    first_.push_back(true);
  }
  void Close() {
    out_->push_back('}');
    first_.pop_back();
  }

 private:
  std::string* out_;
  std::vector<bool> first_{true};
};

void AppendValues(InputsJson& j, const RuleInputs& in) {
  j.Open("values");
  j.Num("boll_lower", in.boll_lower);
  j.Num("boll_mid", in.boll_mid);
  j.Num("boll_upper", in.boll_upper);
  j.Num("close", in.close);
  j.Num("ema12", in.ema12);
  j.Num("ema26", in.ema26);
  j.Num("imbalance_spread", in.imbalance_spread);
  j.Num("macd", in.macd);
  j.Num("macd_hist", in.macd_hist);
  j.Num("macd_signal", in.macd_signal);
  j.Num("rsi14", in.rsi14);
  j.Num("vol_realized_w60s", in.vol_realized_w60s);
  j.Num("vwap_session", in.vwap_session);
  j.Num("vwap_w5m", in.vwap_w5m);
  j.Close();
}

// A limit price `bps` basis points through the reference price: above it for a buy, below it for
// a sell (willing to pay up to / sell down to); a negative `bps` rests on the other side of it.
// Rounded to the tick (cents from $1, else 0.0001) in the order's favour.
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
  SymbolId id = 0;          // in strategy_ids_
  std::string params_json;  // the rule's canonical parameters, for decision inputs
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
      kept->id = strategy_ids_.Intern(s.name);
      kept->params_json = kept->rule.rule->ParamsJson();
      next[s.name] = std::move(kept);
      continue;
    }
    TORGHUT_ASSIGN_OR_RETURN(CompiledRule rule, MakeRule(s.type, s.params_json));
    auto c = std::make_unique<Compiled>();
    c->strategy = s;
    c->rule = std::move(rule);
    c->id = strategy_ids_.Intern(s.name);
    c->params_json = c->rule.rule->ParamsJson();
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

TradingEngine::Key TradingEngine::KeyOf(std::string_view strategy, std::string_view symbol) {
  return Key{strategy_ids_.Intern(strategy)} << 32 | symbol_ids_.Intern(symbol);
}

void TradingEngine::RestoreCursor(const StrategyCursor& c) {
  EpochMillis& at = cursors_[CursorKeyOf(KeyOf(c.strategy, c.symbol), c.timeframe)];
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
  const SymbolId symbol = symbol_ids_.Intern(bar.symbol);
  for (const auto& [name, c] : compiled_) {
    const Strategy& s = c->strategy;
    if (!s.enabled || s.base_timeframe != bar.timeframe) continue;
    if (!s.symbols.empty() &&
        std::find(s.symbols.begin(), s.symbols.end(), bar.symbol) == s.symbols.end()) {
      continue;
    }
    Evaluate(*c, bar, symbol, now, working, step);
  }
  return step;
}

void TradingEngine::AddPendingSell(Key key, Decimal qty) {
  Decimal& total = pending_sells_[key];
  total = total.Add(qty).value_or(total);
  if (total <= Decimal()) pending_sells_.erase(key);
}

void TradingEngine::Evaluate(const Compiled& c, const TradingBar& bar, SymbolId symbol,
                             EpochMillis now, PortfolioView& working, EngineStep& step) {
  const Strategy& s = c.strategy;
  const Key key = Key{c.id} << 32 | symbol;
  auto skip = [&](std::string reason) {
    if (record_skips_) step.skips.push_back({s.name, std::move(reason)});
  };
  EpochMillis& cursor = cursors_[CursorKeyOf(key, bar.timeframe)];
  if (bar.event_ts <= cursor) {
    ++counters_.already_evaluated;
    skip("already evaluated");
    return;
  }
  cursor = bar.event_ts;
  step.cursors.push_back({s.name, bar.symbol, bar.timeframe, bar.event_ts});
  ++counters_.evaluations;

  const RuleSignal signal = c.rule.rule->Evaluate(bar.symbol, bar.inputs);
  // What the strategy can still sell: its holding less the sells it already has open.
  Holding held;
  if (auto h = holdings_.find(key); h != holdings_.end()) held = h->second;
  if (auto p = pending_sells_.find(key); p != pending_sells_.end()) {
    held.qty = std::max(held.qty.Sub(p->second).value_or(Decimal()), Decimal());
  }

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
      skip(signal.skip.empty() ? "no signal" : signal.skip);
      return;
    }
    side = signal.kind == SignalKind::kBuy ? Side::kBuy : Side::kSell;
    if (side == Side::kSell && held.qty > Decimal()) {
      qty = held.qty;
    } else if (side == Side::kSell && signal.exit_only) {
      if (record_skips_) {
        skip("exit signal with nothing held: " + c.rule.rule->Why(signal, bar.inputs));
      }
      return;
    }
    why = c.rule.rule->Why(signal, bar.inputs);
  }
  if (!qty) {
    // Sizing: shares, else whole shares of a notional at the reference price, else the default.
    if (s.qty) {
      qty = s.qty;
    } else if (s.notional && bar.close) {
      Result<Decimal> shares = s.notional->Div(*bar.close, RoundingMode::kFloor);
      qty = shares.ok() ? shares->RoundTo(0, RoundingMode::kFloor) : Decimal();
      if (*qty <= Decimal()) {
        skip(fmt::format("notional {} buys no whole share at {}", s.notional->ToString(),
                         bar.close->ToString()));
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
  if (record_inputs_) d.inputs_json.clear();  // else stays "{}"

  const OpenOrders& open = working.Open(bar.symbol);
  if (record_inputs_) {
    InputsJson j(&d.inputs_json);
    j.Open("bar");
    j.Int("event_ts", bar.event_ts);
    j.Int("version", bar.version);
    j.Close();
    if (!exit_kind.empty()) j.Str("exit", exit_kind);
    j.Open("holding");
    j.Str("avg_entry_price", held.avg_entry_price.ToString());
    j.Str("qty", held.qty.ToString());
    j.Close();
    j.Raw("params", c.params_json);
    j.Open("portfolio");
    j.Str("buying_power", working.buying_power.ToString());
    j.Str("cash", working.cash.ToString());
    j.Str("day_pnl", working.day_pnl.ToString());
    j.Str("equity", working.equity.ToString());
    j.Str("open_buy_qty", open.buy_qty.ToString());
    j.Str("open_sell_qty", open.sell_qty.ToString());
    j.Str("position_qty", working.PositionQty(bar.symbol).ToString());
    j.Close();
    j.Dec("reference_price", bar.close);
    j.Str("rule", s.type);
    AppendValues(j, bar.inputs);
    j.Str("why", why);
    j.Close();
  }

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
  order.price =
      d.order_type == OrderType::kLimit && d.limit_price ? d.limit_price : d.reference_price;
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
        o.buy_notional = o.buy_notional.Add(d.qty.Mul(*order.price).value_or(Decimal()))
                             .value_or(o.buy_notional);
      }
    } else {
      o.sell_qty = o.sell_qty.Add(d.qty).value_or(o.sell_qty);
    }
    pending_[d.client_order_id] = Pending{key, d.action, d.qty};
    if (d.action == Side::kSell) AddPendingSell(key, d.qty);
  } else {
    d.status = DecisionStatus::kRejected;
    ++counters_.rejected;
  }
  step.decisions.push_back(std::move(d));
}

void TradingEngine::OnFill(const Fill& f) {
  const Key key = KeyOf(f.strategy_name, f.symbol);
  if (auto it = pending_.find(f.client_order_id); it != pending_.end()) {
    const Decimal before = it->second.remaining;
    it->second.remaining = before.Sub(f.qty).value_or(Decimal());
    if (it->second.side == Side::kSell) {
      const Decimal released = std::min(before, f.qty);
      AddPendingSell(it->second.key, released.Negate().value_or(Decimal()));
    }
    if (it->second.remaining <= Decimal()) pending_.erase(it);
  }
  Holding& h = holdings_[key];
  if (f.side == Side::kBuy) {
    const Result<Decimal> qty = h.qty.Add(f.qty);
    const Result<Decimal> cost_held = h.qty.Mul(h.avg_entry_price);
    const Result<Decimal> cost_new = f.qty.Mul(f.price);
    if (qty.ok() && cost_held.ok() && cost_new.ok() && *qty > Decimal()) {
      const Result<Decimal> cost = cost_held->Add(*cost_new);
      if (cost.ok()) {
        h.avg_entry_price = cost->Div(*qty).value_or(f.price).RoundTo(4, RoundingMode::kHalfEven);
      }
      if (h.qty <= Decimal()) h.opened_at = f.filled_at;
      h.qty = *qty;
    }
  } else {
    h.qty = h.qty.Sub(f.qty).value_or(Decimal());
  }
  if (h.qty <= Decimal()) holdings_.erase(key);  // long-only holdings; an oversell ends at zero
}

void TradingEngine::OnOrderDone(std::string_view client_order_id) {
  auto it = pending_.find(client_order_id);
  if (it == pending_.end()) return;
  if (it->second.side == Side::kSell) {
    AddPendingSell(it->second.key, it->second.remaining.Negate().value_or(Decimal()));
  }
  pending_.erase(it);
}

void TradingEngine::RestoreOpenOrder(std::string_view client_order_id, std::string_view strategy,
                                     std::string_view symbol, Side side, Decimal remaining) {
  if (remaining <= Decimal()) return;
  OnOrderDone(client_order_id);  // restoring twice counts once
  const Key key = KeyOf(strategy, symbol);
  pending_[std::string(client_order_id)] = Pending{key, side, remaining};
  if (side == Side::kSell) AddPendingSell(key, remaining);
}

Holding TradingEngine::HoldingOf(std::string_view strategy, std::string_view symbol) const {
  const SymbolId st = strategy_ids_.Find(strategy), sy = symbol_ids_.Find(symbol);
  if (st == kNoSymbol || sy == kNoSymbol) return Holding{};
  auto it = holdings_.find(Key{st} << 32 | sy);
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
  // Sorted by names, so equal states give equal bytes whatever the hash maps' order.
  auto names = [&](Key key) {
    return std::make_pair(std::string(strategy_ids_.Name(static_cast<SymbolId>(key >> 32))),
                          std::string(symbol_ids_.Name(static_cast<SymbolId>(key & 0xffffffff))));
  };
  std::vector<std::tuple<std::string, std::string, uint8_t, EpochMillis>> cursors;
  for (const auto& [ck, ts] : cursors_) {
    const auto [st, sy] = names(ck >> 1);
    cursors.emplace_back(st, sy, static_cast<uint8_t>(ck & 1), ts);
  }
  std::sort(cursors.begin(), cursors.end());
  w.PutU64(cursors.size());
  for (const auto& [st, sy, tf, ts] : cursors) {
    w.PutString(st);
    w.PutString(sy);
    w.PutU8(tf);
    w.PutI64(ts);
  }
  std::vector<std::tuple<std::string, std::string, Holding>> holdings;
  for (const auto& [key, h] : holdings_) {
    const auto [st, sy] = names(key);
    holdings.emplace_back(st, sy, h);
  }
  std::sort(holdings.begin(), holdings.end(), [](const auto& a, const auto& b) {
    return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
  });
  w.PutU64(holdings.size());
  for (const auto& [st, sy, h] : holdings) {
    w.PutString(st);
    w.PutString(sy);
    w.PutI64(h.qty.units());
    w.PutI64(h.avg_entry_price.units());
    w.PutI64(h.opened_at);
  }
  w.PutU64(pending_.size());
  for (const auto& [coid, p] : pending_) {
    const auto [st, sy] = names(p.key);
    w.PutString(coid);
    w.PutString(st);
    w.PutString(sy);
    w.PutU8(static_cast<uint8_t>(p.side));
    w.PutI64(p.remaining.units());
  }
  risk_.Save(w);
}

Status TradingEngine::Load(BinaryReader& r) {
  uint32_t magic = 0, version = 0;
  if (!r.GetU32(&magic) || magic != kSnapshotMagic)
    return DataLoss("not a trading engine snapshot");
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
    cursors_[CursorKeyOf(KeyOf(strategy, symbol), static_cast<Timeframe>(tf))] = ts;
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
    holdings_[KeyOf(strategy, symbol)] =
        Holding{Decimal::FromUnits(qty), Decimal::FromUnits(avg), opened};
  }
  pending_.clear();
  pending_sells_.clear();
  if (!r.GetU64(&n) || n > (1u << 26)) return bad("engine snapshot: bad pending count");
  for (uint64_t i = 0; i < n; ++i) {
    std::string coid, strategy, symbol;
    uint8_t side = 0;
    int64_t remaining = 0;
    if (!r.GetString(&coid) || !r.GetString(&strategy) || !r.GetString(&symbol) ||
        !r.GetU8(&side) || side > 1 || !r.GetI64(&remaining)) {
      return bad("engine snapshot: bad pending order");
    }
    RestoreOpenOrder(coid, strategy, symbol, static_cast<Side>(side),
                     Decimal::FromUnits(remaining));
  }
  return risk_.Load(r);
}

}  // namespace torghut::trading
