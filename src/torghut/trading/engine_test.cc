// The trading engine: one decision per (strategy, bar), the decision's identity and contents, the
// account shared by strategies, exits of what a strategy holds, bad input, snapshots — and
// property tests over random bar and portfolio sequences.
#include "torghut/trading/engine.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "torghut/testing/instant_broker.h"
#include "torghut/trading/decision_hash.h"

namespace torghut::trading {
namespace {

Decimal D(std::string_view s) {
  return Decimal::Parse(s).value();
}

const TradingCalendar& Calendar() {
  static const TradingCalendar c = TradingCalendar::NewYork().value();
  return c;
}

constexpr EpochMillis kOpen = 1704207600000;  // 2024-01-02 10:00 New York

Strategy MakeStrategy(std::string name, std::string type = "macd-rsi", std::string params = "{}") {
  Strategy s;
  s.name = std::move(name);
  s.enabled = true;
  s.base_timeframe = Timeframe::k1Sec;
  s.type = std::move(type);
  s.params_json = std::move(params);
  return s;
}

// A 1 s bar of `symbol` ending at `t` whose values make macd-rsi buy (rsi < 35) or sell (> 65).
TradingBar MakeBar(std::string symbol, EpochMillis t, double close, SignalKind want,
                   int64_t version = 3) {
  TradingBar b;
  b.symbol = std::move(symbol);
  b.timeframe = Timeframe::k1Sec;
  b.event_ts = t;
  b.version = version;
  b.close = Decimal::FromDouble(close, 4).value();
  RuleInputs& in = b.inputs;
  in.event_ts = t;
  in.close = close;
  in.macd = want == SignalKind::kSell ? -1 : 1;
  in.macd_signal = 0;
  in.rsi14 = want == SignalKind::kBuy ? 30 : want == SignalKind::kSell ? 70 : 50;
  in.boll_lower = close - 1;
  in.boll_mid = close + 1;
  return b;
}

PortfolioView Cash(std::string_view amount) {
  PortfolioView p;
  p.equity = p.cash = p.buying_power = D(amount);
  return p;
}

TradingSettings Enabled() {
  TradingSettings s;
  s.enabled = true;
  s.session = SessionRule::kAlways;
  s.check_signal_age = false;
  return s;
}

TEST(DecisionHash, IsTheSha256OfTheCanonicalIntent) {
  EXPECT_EQ(
      CanonicalIntentJson(Side::kBuy, 1704205860000, "macd-rsi-default", "AAPL", Timeframe::k1Min),
      R"({"action":"buy","event_ts":"2024-01-02T14:31:00.000Z","strategy":"macd-rsi-default","symbol":"AAPL","timeframe":"1Min"})");
  // printf '%s' '<the JSON above>' | sha256sum
  EXPECT_EQ(DecisionHash(Side::kBuy, 1704205860000, "macd-rsi-default", "AAPL", Timeframe::k1Min),
            "65bbd4d09c54e8ba199aae72c270e5affdeeb819386a58d30a44e2aa367097cd");
  EXPECT_EQ(ClientOrderIdFor("65bbd4d09c54e8ba199aae72c270e5affdeeb819386a58d30a44e2aa367097cd"),
            "th-65bbd4d09c54e8ba199aae72c270e5affdeeb819");
}

TEST(TradingEngine, OneDecisionPerStrategyAndBarIdentity) {
  TradingEngine e(Enabled(), &Calendar());
  ASSERT_TRUE(e.SetStrategies({MakeStrategy("s")}).ok());
  const TradingBar bar = MakeBar("AAPL", kOpen, 100, SignalKind::kBuy);
  EngineStep first = e.OnBar(bar, kOpen, Cash("100000"));
  ASSERT_EQ(first.decisions.size(), 1u);
  const Decision& d = first.decisions[0];
  EXPECT_EQ(d.status, DecisionStatus::kPlanned);
  EXPECT_EQ(d.action, Side::kBuy);
  EXPECT_EQ(d.qty, D("1"));
  EXPECT_EQ(d.reference_price, D("100"));
  EXPECT_EQ(d.decision_hash, DecisionHash(Side::kBuy, kOpen, "s", "AAPL", Timeframe::k1Sec));
  EXPECT_EQ(d.client_order_id, ClientOrderIdFor(d.decision_hash));
  EXPECT_EQ(first.cursors, (std::vector<StrategyCursor>{{"s", "AAPL", Timeframe::k1Sec, kOpen}}));
  // Delivered again, or revised (a later version of the same identity): evaluated once.
  EXPECT_TRUE(e.OnBar(bar, kOpen, Cash("100000")).decisions.empty());
  const EngineStep revised =
      e.OnBar(MakeBar("AAPL", kOpen, 101, SignalKind::kBuy, 5), kOpen, Cash("100000"));
  EXPECT_TRUE(revised.decisions.empty());
  ASSERT_EQ(revised.skips.size(), 1u);
  EXPECT_EQ(revised.skips[0].reason, "already evaluated");
  // A cursor restored from the store holds too (a restart).
  TradingEngine restarted(Enabled(), &Calendar());
  ASSERT_TRUE(restarted.SetStrategies({MakeStrategy("s")}).ok());
  restarted.RestoreCursor({"s", "AAPL", Timeframe::k1Sec, kOpen});
  EXPECT_TRUE(restarted.OnBar(bar, kOpen, Cash("100000")).decisions.empty());
  EXPECT_EQ(
      restarted.OnBar(MakeBar("AAPL", kOpen + 1000, 100, SignalKind::kBuy), kOpen, Cash("100000"))
          .decisions.size(),
      1u);
}

TEST(TradingEngine, TheDecisionRecordsItsInputsAndEveryReason) {
  TradingSettings settings;  // trading disabled: evaluated and recorded, rejected
  settings.session = SessionRule::kAlways;
  settings.check_signal_age = false;
  TradingEngine e(settings, &Calendar());
  ASSERT_TRUE(e.SetStrategies({MakeStrategy("s")}).ok());
  PortfolioView p = Cash("50000");
  p.positions["AAPL"] = {D("3"), D("95")};
  const EngineStep step = e.OnBar(MakeBar("AAPL", kOpen, 100, SignalKind::kBuy), kOpen + 7, p);
  ASSERT_EQ(step.decisions.size(), 1u);
  const Decision& d = step.decisions[0];
  EXPECT_EQ(d.status, DecisionStatus::kRejected);
  EXPECT_EQ(d.risk_reasons, std::vector<std::string>{"trading_disabled"});
  EXPECT_EQ(d.created_at, kOpen + 7);
  const nlohmann::json in = nlohmann::json::parse(d.inputs_json);
  EXPECT_EQ(in["rule"], "macd-rsi");
  EXPECT_EQ(in["params"]["rsi_buy_below"], 35);
  EXPECT_EQ(in["values"]["rsi14"], 30);
  EXPECT_TRUE(in["values"]["ema12"].is_null());
  EXPECT_EQ(in["reference_price"], "100");
  EXPECT_EQ(in["portfolio"]["position_qty"], "3");
  EXPECT_EQ(in["portfolio"]["equity"], "50000");
  EXPECT_NE(d.rationale.find("rsi14 30.0000 < 35"), std::string::npos) << d.rationale;
}

TEST(TradingEngine, StrategiesOnOneSymbolShareTheAccount) {
  TradingEngine e(Enabled(), &Calendar());
  Strategy a = MakeStrategy("a");
  a.qty = D("6");
  Strategy b = MakeStrategy("b");
  b.qty = D("6");
  ASSERT_TRUE(e.SetStrategies({b, a}).ok());
  // Enough buying power for one order of 600: the second sees the first as an open order.
  const EngineStep step =
      e.OnBar(MakeBar("AAPL", kOpen, 100, SignalKind::kBuy), kOpen, Cash("1000"));
  ASSERT_EQ(step.decisions.size(), 2u);
  EXPECT_EQ(step.decisions[0].strategy_name, "a");  // name order, whatever the catalog order
  EXPECT_EQ(step.decisions[0].status, DecisionStatus::kPlanned);
  EXPECT_EQ(step.decisions[1].risk_reasons, std::vector<std::string>{"insufficient_buying_power"});
}

TEST(TradingEngine, ExitsSellWhatTheStrategyHoldsOnceUntilFilled) {
  TradingEngine e(Enabled(), &Calendar());
  Strategy s = MakeStrategy("s", "macd-cross", R"({"stop_loss_pct": 2})");
  s.qty = D("10");
  ASSERT_TRUE(e.SetStrategies({s}).ok());
  // The strategy bought 10 at 100 (its fill), now the close falls below 98.
  Fill f;
  f.fill_id = "f1";
  f.client_order_id = "th-x";
  f.strategy_name = "s";
  f.symbol = "AAPL";
  f.side = Side::kBuy;
  f.qty = D("10");
  f.price = D("100");
  f.filled_at = kOpen - 5000;
  e.OnFill(f);
  EXPECT_EQ(e.HoldingOf("s", "AAPL").qty, D("10"));
  PortfolioView p = Cash("100000");
  p.positions["AAPL"] = {D("10"), D("100")};
  EngineStep step = e.OnBar(MakeBar("AAPL", kOpen, 97.5, SignalKind::kNone), kOpen, p);
  ASSERT_EQ(step.decisions.size(), 1u);
  const Decision sell = step.decisions[0];
  EXPECT_EQ(sell.action, Side::kSell);
  EXPECT_EQ(sell.qty, D("10"));
  EXPECT_EQ(sell.status, DecisionStatus::kPlanned);
  EXPECT_NE(sell.rationale.find("stop_loss"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(sell.inputs_json)["exit"], "stop_loss");
  // Still below the stop, the sell not yet filled: no second sell.
  step = e.OnBar(MakeBar("AAPL", kOpen + 1000, 97, SignalKind::kNone), kOpen, p);
  EXPECT_TRUE(step.decisions.empty());
  // Filled: nothing is held any more.
  f.fill_id = "f2";
  f.client_order_id = sell.client_order_id;
  f.side = Side::kSell;
  f.price = D("97.5");
  e.OnFill(f);
  EXPECT_EQ(e.HoldingOf("s", "AAPL").qty, D("0"));
  // A cancelled exit releases what it held back: the next bar may exit again.
  e.OnFill([&] {
    Fill again = f;
    again.fill_id = "f3";
    again.client_order_id = "th-y";
    again.side = Side::kBuy;
    return again;
  }());
  step = e.OnBar(MakeBar("AAPL", kOpen + 2000, 90, SignalKind::kNone), kOpen, p);
  ASSERT_EQ(step.decisions.size(), 1u);
  e.OnOrderDone(step.decisions[0].client_order_id);
  step = e.OnBar(MakeBar("AAPL", kOpen + 3000, 90, SignalKind::kNone), kOpen, p);
  EXPECT_EQ(step.decisions.size(), 1u);
}

TEST(TradingEngine, SizingByNotionalAndLimitOrders) {
  TradingEngine e(Enabled(), &Calendar());
  Strategy n = MakeStrategy("n");
  n.notional = D("1000");
  Strategy l = MakeStrategy("l");
  l.order_type = OrderType::kLimit;
  l.limit_offset_bps = D("25");
  ASSERT_TRUE(e.SetStrategies({n, l}).ok());
  const EngineStep step =
      e.OnBar(MakeBar("AAPL", kOpen, 187.3, SignalKind::kBuy), kOpen, Cash("100000"));
  ASSERT_EQ(step.decisions.size(), 2u);
  EXPECT_EQ(step.decisions[1].strategy_name, "n");
  EXPECT_EQ(step.decisions[1].qty, D("5"));  // floor(1000 / 187.3)
  EXPECT_EQ(step.decisions[0].order_type, OrderType::kLimit);
  EXPECT_EQ(step.decisions[0].limit_price, D("187.76"));  // 187.3 × 1.0025 = 187.76825, floored
  const EngineStep sell =
      e.OnBar(MakeBar("AAPL", kOpen + 1000, 187.3, SignalKind::kSell), kOpen, Cash("100000"));
  EXPECT_EQ(sell.decisions[0].limit_price, D("186.84"));  // 186.83175, rounded up
}

TEST(TradingEngine, BadInputGetsADecisionOrASkipNeverACrash) {
  TradingSettings settings = Enabled();
  settings.static_symbols = std::vector<std::string>{"AAPL"};
  settings.check_signal_age = true;
  TradingEngine e(settings, &Calendar());
  ASSERT_TRUE(e.SetStrategies({MakeStrategy("s"), MakeStrategy("b", "bollinger-reversion")}).ok());
  // Warm-up: null indicators are a skip with the reason.
  TradingBar warm = MakeBar("AAPL", kOpen, 100, SignalKind::kBuy);
  warm.inputs.rsi14 = NAN;
  warm.inputs.boll_lower = NAN;
  EngineStep step = e.OnBar(warm, kOpen, Cash("1000"));
  EXPECT_TRUE(step.decisions.empty());
  ASSERT_EQ(step.skips.size(), 2u);
  EXPECT_EQ(step.skips[0].reason, "warm-up: boll_lower undefined");
  EXPECT_EQ(step.skips[1].reason, "warm-up: rsi14 undefined");
  // No usable close: the level test still fires, and is rejected for its price.
  TradingBar priceless = MakeBar("AAPL", kOpen + 1000, 100, SignalKind::kBuy);
  priceless.close.reset();
  priceless.inputs.close = NAN;
  step = e.OnBar(priceless, kOpen + 1000, Cash("1000"));
  ASSERT_EQ(step.decisions.size(), 1u);
  EXPECT_EQ(step.decisions[0].risk_reasons, std::vector<std::string>{"missing_price"});
  // Outside the universe: recorded, rejected.
  step = e.OnBar(MakeBar("TSLA", kOpen, 100, SignalKind::kBuy), kOpen, Cash("1000"));
  ASSERT_EQ(step.decisions.size(), 1u);
  EXPECT_EQ(step.decisions[0].risk_reasons, std::vector<std::string>{"symbol_not_allowed"});
  // From the future (by more than a minute): skipped, and still decided on once the clock agrees.
  const TradingBar future = MakeBar("AAPL", kOpen + 120'000, 100, SignalKind::kBuy);
  step = e.OnBar(future, kOpen, Cash("1000"));
  EXPECT_TRUE(step.decisions.empty());
  EXPECT_NE(step.skips.at(0).reason.find("bar from the future"), std::string::npos);
  EXPECT_EQ(e.OnBar(future, kOpen + 120'000, Cash("1000")).decisions.size(), 1u);
  // A strategy that is not valid leaves the catalog as it was.
  EXPECT_FALSE(e.SetStrategies({MakeStrategy("x", "macd-rsi", R"({"nope":1})")}).ok());
  EXPECT_EQ(e.strategies().size(), 2u);
}

// A reviewer's adjustment replaces the decision's fields before risk, so an adjusted size is
// checked like any other; the decision keeps its identity (hash, client order id).
TEST(TradingEngine, AnAdjustedDecisionKeepsItsHashAndStillGoesThroughRisk) {
  struct Adjuster final : Reviewer {
    ReviewOutcome Review(const Decision&, const PortfolioView&) override {
      ReviewOutcome o;
      o.qty = D("50");
      o.order_type = OrderType::kLimit;
      o.limit_price = D("99.50");
      return o;
    }
  } adjuster;
  Strategy capped = MakeStrategy("s");
  capped.max_notional_per_trade = D("1000");
  const TradingBar bar = MakeBar("AAPL", kOpen, 100, SignalKind::kBuy);

  TradingEngine plain(Enabled(), &Calendar());
  ASSERT_TRUE(plain.SetStrategies({capped}).ok());
  const EngineStep before = plain.OnBar(bar, kOpen, Cash("100000"));
  ASSERT_EQ(before.decisions.size(), 1u);
  EXPECT_TRUE(before.decisions[0].risk_reasons.empty());

  TradingEngine reviewed(Enabled(), &Calendar(), &adjuster);
  ASSERT_TRUE(reviewed.SetStrategies({capped}).ok());
  const EngineStep after = reviewed.OnBar(bar, kOpen, Cash("100000"));
  ASSERT_EQ(after.decisions.size(), 1u);
  const Decision& d = after.decisions[0];
  EXPECT_EQ(d.decision_hash, before.decisions[0].decision_hash);
  EXPECT_EQ(d.client_order_id, before.decisions[0].client_order_id);
  EXPECT_EQ(d.qty, D("50"));
  EXPECT_EQ(d.order_type, OrderType::kLimit);
  EXPECT_EQ(d.limit_price, D("99.50"));
  // 50 × 99.50 = 4,975 > the strategy's 1,000 cap: risk refuses the adjusted order.
  EXPECT_EQ(d.risk_reasons, std::vector<std::string>{"max_notional_exceeded"});
  EXPECT_EQ(d.status, DecisionStatus::kRejected);
}

TEST(TradingEngine, ASnapshotContinuesExactly) {
  auto run = [](bool snapshot) {
    TradingEngine e(Enabled(), &Calendar());
    EXPECT_TRUE(e.SetStrategies({MakeStrategy("c", "macd-cross", R"({"max_hold_seconds": 3})"),
                                 MakeStrategy("r")})
                    .ok());
    std::vector<std::string> out;
    std::mt19937_64 rng(5);
    for (int i = 0; i < 400; ++i) {
      if (snapshot && i == 200) {
        BinaryWriter w;
        e.Save(w);
        TradingEngine fresh(Enabled(), &Calendar());
        EXPECT_TRUE(
            fresh
                .SetStrategies({MakeStrategy("c", "macd-cross", R"({"max_hold_seconds": 3})"),
                                MakeStrategy("r")})
                .ok());
        BinaryReader r(w.data());
        EXPECT_TRUE(fresh.Load(r).ok());
        BinaryWriter again;
        fresh.Save(again);
        EXPECT_EQ(again.data(), w.data());
        // (Continue in the restored engine by swapping state through another snapshot.)
        BinaryReader back(again.data());
        EXPECT_TRUE(e.Load(back).ok());
      }
      const auto kind = static_cast<SignalKind>(rng() % 3);
      TradingBar bar =
          MakeBar("AAPL", kOpen + i * 1000, 100 + static_cast<double>(rng() % 10), kind);
      for (const Decision& d : e.OnBar(bar, kOpen, Cash("100000")).decisions) {
        out.push_back(d.decision_hash + std::string(ToString(d.status)));
        if (d.status == DecisionStatus::kPlanned) {
          e.OnFill(Fill{d.client_order_id + "f", d.client_order_id, d.strategy_name, d.symbol,
                        d.action, d.qty, *d.reference_price, bar.event_ts});
        }
      }
    }
    return out;
  };
  const auto plain = run(false);
  EXPECT_GT(plain.size(), 50u);
  EXPECT_EQ(run(true), plain);
}

// ---- properties over random sequences --------------------------------------------------------

struct RunResult {
  std::vector<std::string> decisions;  // canonical: everything but the clock
  bool negative_position = false;
  bool notional_breach = false;
  bool cap_breach = false;
};

RunResult RandomRun(uint64_t seed, bool deliver_twice) {
  std::mt19937_64 rng(seed);
  TradingSettings settings = Enabled();
  settings.max_notional_per_trade = D("2500");
  settings.cooldown_seconds = static_cast<int64_t>(rng() % 3);
  settings.max_orders_per_minute = 20;
  TradingEngine e(settings, &Calendar());
  std::vector<Strategy> strategies;
  const char* types[] = {"macd-rsi", "macd-cross", "bollinger-reversion"};
  for (int i = 0; i < 5; ++i) {
    Strategy s = MakeStrategy("s" + std::to_string(i), types[i % 3],
                              i % 2 ? R"({"stop_loss_pct": 1, "take_profit_pct": 1})" : "{}");
    s.qty = Decimal::FromUnits(static_cast<int64_t>(1 + rng() % 30) * Decimal::kOne);
    s.max_position_pct_equity = D("5");
    strategies.push_back(s);
  }
  EXPECT_TRUE(e.SetStrategies(strategies).ok());
  testing::InstantBroker broker(D("100000"));
  RunResult run;
  const char* symbols[] = {"AAPL", "MSFT", "NVDA"};
  std::map<std::string, double> price = {{"AAPL", 100}, {"MSFT", 300}, {"NVDA", 50}};
  for (int i = 0; i < 3000; ++i) {
    const std::string sym = symbols[rng() % 3];
    price[sym] *= 1 + (static_cast<double>(rng() % 2001) - 1000) / 100000;
    TradingBar bar = MakeBar(sym, kOpen + i * 1000, price[sym], static_cast<SignalKind>(rng() % 3));
    bar.inputs.boll_lower = price[sym] * (rng() % 2 ? 1.01 : 0.99);
    bar.inputs.boll_mid = price[sym] * (rng() % 2 ? 0.995 : 1.005);
    bar.inputs.macd = (static_cast<double>(rng() % 200) - 100) / 100;
    for (int copy = 0; copy < (deliver_twice ? 2 : 1); ++copy) {
      if (copy == 1) ++bar.version;  // a revision of the same identity
      for (const Decision& d : e.OnBar(bar, bar.event_ts, broker.portfolio).decisions) {
        std::string reasons;
        for (const auto& r : d.risk_reasons) reasons += r + ",";
        run.decisions.push_back(d.decision_hash + " " + std::string(ToString(d.status)) + " " +
                                d.qty.ToString() + " " + reasons + " " + d.inputs_json);
        if (d.status != DecisionStatus::kPlanned) continue;
        const Decimal notional = d.qty.Mul(*d.reference_price).value();
        const Decimal held = broker.portfolio.PositionQty(d.symbol);
        if (!ReducesPosition(d.action, d.qty, held) && notional > D("2500")) {
          run.notional_breach = true;
        }
        broker.Fill(e, d, bar.event_ts);
        const Decimal after = broker.portfolio.PositionQty(d.symbol);
        if (after.is_negative()) run.negative_position = true;
        const Decimal exposure = after.Abs().Mul(*d.reference_price).value();
        // 5 % of equity (cash moves, equity here is the starting 100000).
        if (exposure > D("5000") && after.Abs() > held.Abs()) run.cap_breach = true;
      }
    }
  }
  return run;
}

TEST(TradingEngineProperties, ShortsNeverHappenLimitsHoldAndRunsRepeatExactly) {
  for (uint64_t seed : {1, 2, 3, 4, 5, 6}) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    const RunResult a = RandomRun(seed, false);
    EXPECT_GT(a.decisions.size(), 100u);
    EXPECT_FALSE(a.negative_position);
    EXPECT_FALSE(a.notional_breach);
    EXPECT_FALSE(a.cap_breach);
    // The same input twice: identical decisions. Every bar delivered twice (once revised): not
    // one decision more.
    EXPECT_EQ(RandomRun(seed, false).decisions, a.decisions);
    EXPECT_EQ(RandomRun(seed, true).decisions, a.decisions);
  }
}

}  // namespace
}  // namespace torghut::trading
