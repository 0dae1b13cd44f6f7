// The rules on hand-made indicator sequences, their parameters, exits, and ValidateStrategy.
#include <gtest/gtest.h>

#include "torghut/trading/strategies/exits.h"
#include "torghut/trading/strategies/rule.h"
#include "torghut/trading/strategies/validate.h"

namespace torghut::trading {
namespace {

Decimal D(std::string_view s) {
  return Decimal::Parse(s).value();
}

RuleInputs Bar(double macd, double signal, double rsi, double close = 100, double lower = NAN,
               double mid = NAN) {
  RuleInputs in;
  in.macd = macd;
  in.macd_signal = signal;
  in.rsi14 = rsi;
  in.close = close;
  in.boll_lower = lower;
  in.boll_mid = mid;
  return in;
}

TEST(Rules, MacdRsiIsALevelTestWithTheOriginalThresholds) {
  auto r = MakeRule("macd-rsi", "").value();
  EXPECT_EQ(r.rule->ParamsJson(), R"({"rsi_buy_below":35,"rsi_sell_above":65})");
  EXPECT_EQ(r.rule->Evaluate("A", Bar(1, 0.5, 34.9)).kind, SignalKind::kBuy);
  EXPECT_EQ(r.rule->Evaluate("A", Bar(1, 0.5, 34.9)).kind, SignalKind::kBuy);  // again: a level
  EXPECT_EQ(r.rule->Evaluate("A", Bar(1, 0.5, 35)).kind, SignalKind::kNone);
  EXPECT_EQ(r.rule->Evaluate("A", Bar(0.4, 0.5, 65.1)).kind, SignalKind::kSell);
  EXPECT_EQ(r.rule->Evaluate("A", Bar(0.4, 0.5, 65)).kind, SignalKind::kNone);
  const RuleSignal warm = r.rule->Evaluate("A", Bar(1, NAN, NAN));
  EXPECT_EQ(warm.kind, SignalKind::kNone);
  EXPECT_EQ(warm.skip, "warm-up: macd_signal, rsi14 undefined");
  auto tuned = MakeRule("macd-rsi", R"({"rsi_buy_below": "30", "rsi_sell_above": 70})").value();
  EXPECT_EQ(tuned.rule->Evaluate("A", Bar(1, 0.5, 31)).kind, SignalKind::kNone);
}

TEST(Rules, MacdCrossFiresOnTheCrossingBarOnlyPerSymbol) {
  auto r = MakeRule("macd-cross", "{}").value();
  auto at = [&](const char* sym, double macd, double signal) {
    return r.rule->Evaluate(sym, Bar(macd, signal, 50)).kind;
  };
  EXPECT_EQ(at("A", 1, 2), SignalKind::kNone);  // first side seen: no cross yet
  EXPECT_EQ(at("A", 3, 2), SignalKind::kBuy);   // crossed above
  EXPECT_EQ(at("A", 4, 2), SignalKind::kNone);  // still above
  EXPECT_EQ(at("A", 2, 2), SignalKind::kNone);  // touching crosses nothing
  EXPECT_EQ(at("A", 5, 2), SignalKind::kNone);  // back above without having been below
  EXPECT_EQ(at("B", 3, 2), SignalKind::kNone);  // another symbol has its own state
  EXPECT_EQ(at("A", 1, 2), SignalKind::kSell);  // crossed below
  // The state is snapshot-able: a restored rule continues the same way.
  BinaryWriter w;
  r.rule->Save(w);
  auto restored = MakeRule("macd-cross", "{}").value();
  BinaryReader rd(w.data());
  ASSERT_TRUE(restored.rule->Load(rd).ok());
  EXPECT_EQ(restored.rule->Evaluate("A", Bar(3, 2, 50)).kind, SignalKind::kBuy);
  EXPECT_EQ(restored.rule->Evaluate("B", Bar(1, 2, 50)).kind, SignalKind::kSell);
}

TEST(Rules, MacdCrossRsiMaxHoldsBackABuy) {
  auto r = MakeRule("macd-cross", R"({"rsi_max": 60})").value();
  r.rule->Evaluate("A", Bar(1, 2, 70));
  const RuleSignal s = r.rule->Evaluate("A", Bar(3, 2, 70));
  EXPECT_EQ(s.kind, SignalKind::kNone);
  EXPECT_NE(s.skip.find("not below 60"), std::string::npos);
  EXPECT_EQ(r.rule->Evaluate("A", Bar(1, 2, 70)).kind, SignalKind::kSell);
}

TEST(Rules, BollingerBuysBelowTheLowerBandAndExitsAtTheMiddle) {
  auto r = MakeRule("bollinger-reversion", "").value();
  EXPECT_EQ(r.rule->Evaluate("A", Bar(0, 0, 50, 98, 99, 100)).kind, SignalKind::kBuy);
  EXPECT_EQ(r.rule->Evaluate("A", Bar(0, 0, 50, 99.5, 99, 100)).kind, SignalKind::kNone);
  const RuleSignal exit = r.rule->Evaluate("A", Bar(0, 0, 50, 100, 99, 100));
  EXPECT_EQ(exit.kind, SignalKind::kSell);
  EXPECT_TRUE(exit.exit_only);
}

TEST(Rules, ParametersAreValidatedByNameTypeAndRange) {
  auto unknown = MakeRule("macd-rsi", R"({"rsi_buy_below": 30, "rsi_buy_bellow": 3})");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("params.rsi_buy_bellow is not a parameter"),
            std::string::npos)
      << unknown.status().message();
  EXPECT_NE(unknown.status().message().find("known: "), std::string::npos);
  auto range = MakeRule("macd-rsi", R"({"rsi_buy_below": 130})");
  ASSERT_FALSE(range.ok());
  EXPECT_NE(range.status().message().find("params.rsi_buy_below must be a number from 0 to 100"),
            std::string::npos);
  EXPECT_FALSE(MakeRule("macd-rsi", R"({"rsi_buy_below": "abc"})").ok());
  EXPECT_FALSE(MakeRule("macd-rsi", R"({"rsi_buy_below": [1]})").ok());
  EXPECT_FALSE(MakeRule("macd-rsi", R"([1])").ok());
  EXPECT_FALSE(MakeRule("macd-rsi", R"({"a":1} x)").ok());
  auto type = MakeRule("rsi-magic", "{}");
  EXPECT_EQ(type.status().code(), StatusCode::kNotFound);
  EXPECT_NE(type.status().message().find("known: macd-rsi, macd-cross, bollinger-reversion"),
            std::string::npos);
  // Exits are known to every rule, read as exact decimals.
  auto exits = MakeRule("bollinger-reversion",
                        R"({"stop_loss_pct": 0.1, "take_profit_pct": "2.5",
                            "max_hold_seconds": 600, "flatten_before_close_minutes": 5})")
                   .value();
  EXPECT_EQ(exits.exits.stop_loss_pct, D("0.1"));
  EXPECT_EQ(exits.exits.take_profit_pct, D("2.5"));
  EXPECT_EQ(exits.exits.max_hold_seconds, 600);
  EXPECT_EQ(exits.exits.flatten_before_close_minutes, 5);
  EXPECT_FALSE(MakeRule("macd-cross", R"({"max_hold_seconds": 1.5})").ok());
}

TEST(Exits, StopTakeHoldAndFlatten) {
  const TradingCalendar cal = TradingCalendar::NewYork().value();
  ExitParams e;
  e.stop_loss_pct = D("1");
  e.take_profit_pct = D("2");
  const Holding h{D("10"), D("100"), 1704207600000};  // opened 10:00 New York, 2024-01-02
  const EpochMillis t = 1704207600000 + 60'000;
  EXPECT_FALSE(CheckExits(e, h, D("99.01"), t, cal));
  EXPECT_EQ(CheckExits(e, h, D("99"), t, cal)->kind, "stop_loss");
  EXPECT_FALSE(CheckExits(e, h, D("101.99"), t, cal));
  EXPECT_EQ(CheckExits(e, h, D("102"), t, cal)->kind, "take_profit");
  EXPECT_FALSE(CheckExits(e, Holding{}, D("50"), t, cal));  // nothing held
  ExitParams hold;
  hold.max_hold_seconds = 120;
  EXPECT_FALSE(CheckExits(hold, h, D("100"), h.opened_at + 119'999, cal));
  EXPECT_EQ(CheckExits(hold, h, D("100"), h.opened_at + 120'000, cal)->kind, "max_hold");
  ExitParams flat;
  flat.flatten_before_close_minutes = 10;
  // 15:49:59 and 15:50:00 New York (20:49:59 / 20:50:00 UTC).
  EXPECT_FALSE(CheckExits(flat, h, D("100"), 1704228599000, cal));
  EXPECT_EQ(CheckExits(flat, h, D("100"), 1704228600000, cal)->kind, "flatten_before_close");
  // 2024-11-29, the day after Thanksgiving, closes at 13:00: 12:50 New York = 17:50 UTC.
  EXPECT_EQ(CheckExits(flat, h, D("100"), 1732902600000, cal)->kind, "flatten_before_close");
}

TEST(ValidateStrategy, NamesTheStrategyAndEveryProblem) {
  Strategy s;
  s.name = "ok-1";
  s.type = "macd-rsi";
  EXPECT_TRUE(ValidateStrategy(s).ok());
  s.name = "bad name";
  s.symbols = {"AAPL", "no good!"};
  s.qty = D("1");
  s.notional = D("100");
  s.order_type = OrderType::kLimit;
  s.max_position_pct_equity = D("150");
  const Status st = ValidateStrategy(s);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  for (const char* part :
       {"strategy 'bad name'", "name must match", "symbols:", "qty or notional, not both",
        "limit needs limit_offset_bps", "max_position_pct_equity"}) {
    EXPECT_NE(st.message().find(part), std::string::npos) << part << " in " << st.message();
  }
}

}  // namespace
}  // namespace torghut::trading
