// Every risk reason alone and together, in their fixed order; the exemptions; cooldown and rate.
#include "torghut/trading/risk.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "torghut/core/config.h"
#include "torghut/trading/settings.h"

namespace torghut::trading {
namespace {

Decimal D(std::string_view s) {
  return Decimal::Parse(s).value();
}

const TradingCalendar& Calendar() {
  static const TradingCalendar c = TradingCalendar::NewYork().value();
  return c;
}

// 2024-01-02 (a Tuesday) 15:00 UTC = 10:00 New York: regular hours.
constexpr EpochMillis kRegular = 1704207600000;
// 2024-01-02 02:00 UTC = 21:00 New York the day before: closed.
constexpr EpochMillis kClosed = 1704160800000;

struct Fixture {
  TradingSettings settings;
  Strategy strategy;
  PortfolioView portfolio;
  RiskState state;
  RiskOrder order;
  bool allowed = true;
  EpochMillis now = kRegular + 500;
  Fixture() {
    settings.enabled = true;
    settings.session = SessionRule::kRegular;
    strategy.name = "s";
    strategy.enabled = true;
    portfolio.equity = D("100000");
    portfolio.cash = D("100000");
    portfolio.buying_power = D("100000");
    order.symbol = "AAPL";
    order.side = Side::kBuy;
    order.qty = D("10");
    order.price = D("100");
    order.event_ts = kRegular;
    order.timeframe = Timeframe::k1Sec;
  }
  std::vector<std::string> Check() const {
    RiskContext c{&settings, &strategy, allowed, &portfolio, now, &Calendar()};
    return CheckRisk(order, c, state);
  }
};

using Reasons = std::vector<std::string>;

TEST(Risk, ACleanOrderPasses) {
  EXPECT_EQ(Fixture().Check(), Reasons{});
}

TEST(Risk, EachReasonAlone) {
  struct Case {
    std::string reason;
    std::function<void(Fixture&)> make;
  };
  const std::vector<Case> cases = {
      {"trading_disabled", [](Fixture& f) { f.settings.enabled = false; }},
      {"live_trading_disabled", [](Fixture& f) { f.settings.mode = TradingMode::kLive; }},
      {"strategy_disabled", [](Fixture& f) { f.strategy.enabled = false; }},
      {"symbol_not_allowed", [](Fixture& f) { f.allowed = false; }},
      {"max_notional_exceeded",
       [](Fixture& f) { f.strategy.max_notional_per_trade = D("999.99"); }},
      {"max_notional_exceeded", [](Fixture& f) { f.settings.max_notional_per_trade = D("500"); }},
      {"insufficient_buying_power", [](Fixture& f) { f.portfolio.buying_power = D("999"); }},
      {"max_position_pct_exceeded",
       [](Fixture& f) { f.strategy.max_position_pct_equity = D("0.5"); }},  // 1000 > 500
      {"cooldown_active",
       [](Fixture& f) {
         f.settings.cooldown_seconds = 30;
         f.state.Accept("AAPL", kRegular - 29'000);
       }},
      {"market_closed",
       [](Fixture& f) {
         f.order.event_ts = kClosed;
         f.now = kClosed;
       }},
      {"stale_signal", [](Fixture& f) { f.now = kRegular + 60'001; }},
      {"order_rate_exceeded",
       [](Fixture& f) {
         f.settings.max_orders_per_minute = 3;
         for (int i = 0; i < 3; ++i) f.state.Accept("MSFT", kRegular - 59'000 + i);
       }},
      {"daily_loss_limit",
       [](Fixture& f) {
         f.settings.daily_loss_limit = D("1000");
         f.portfolio.day_pnl = D("-1000.01");
       }},
      {"kill_switch", [](Fixture& f) { f.settings.kill_switch = true; }},
  };
  for (const Case& c : cases) {
    Fixture f;
    c.make(f);
    EXPECT_EQ(f.Check(), Reasons{c.reason}) << c.reason;
  }
  // The limits are exclusive where the SPEC says "beyond": exactly at them passes.
  Fixture at;
  at.strategy.max_notional_per_trade = D("1000");
  at.portfolio.buying_power = D("1000");
  at.settings.daily_loss_limit = D("1000");
  at.portfolio.day_pnl = D("-1000");
  at.now = kRegular + 60'000;
  at.settings.cooldown_seconds = 30;
  at.state.Accept("AAPL", kRegular - 30'000);
  EXPECT_EQ(at.Check(), Reasons{});
}

TEST(Risk, MissingPriceAndShorts) {
  Fixture f;
  f.order.price.reset();
  EXPECT_EQ(f.Check(), Reasons{"missing_price"});
  Fixture s;
  s.order.side = Side::kSell;  // nothing held
  EXPECT_EQ(s.Check(), (Reasons{"shorts_not_allowed"}));
  s.settings.allow_shorts = true;
  EXPECT_EQ(s.Check(), Reasons{});
  // A sell of what is held, less what is already being sold.
  Fixture h;
  h.order.side = Side::kSell;
  h.portfolio.positions["AAPL"] = {D("15"), D("90")};
  EXPECT_EQ(h.Check(), Reasons{});
  h.portfolio.open["AAPL"].sell_qty = D("6");
  EXPECT_EQ(h.Check(), Reasons{"shorts_not_allowed"});
}

TEST(Risk, EveryReasonTogetherInTheFixedOrder) {
  Fixture f;
  f.settings.enabled = false;
  f.settings.mode = TradingMode::kLive;
  f.strategy.enabled = false;
  f.allowed = false;
  f.order.side = Side::kSell;  // opens a short: notional and buying power apply
  f.strategy.max_notional_per_trade = D("1");
  f.portfolio.buying_power = D("1");
  f.strategy.max_position_pct_equity = D("0.1");
  f.settings.cooldown_seconds = 60;
  f.state.Accept("AAPL", kClosed - 1);
  f.settings.max_orders_per_minute = 1;
  f.order.event_ts = kClosed;
  f.now = kClosed + 3'600'000;
  f.settings.daily_loss_limit = D("10");
  f.portfolio.day_pnl = D("-11");
  f.settings.kill_switch = true;
  EXPECT_EQ(f.Check(),
            (Reasons{"trading_disabled", "live_trading_disabled", "strategy_disabled",
                     "symbol_not_allowed", "max_notional_exceeded", "insufficient_buying_power",
                     "max_position_pct_exceeded", "shorts_not_allowed", "cooldown_active",
                     "market_closed", "stale_signal", "order_rate_exceeded", "daily_loss_limit",
                     "kill_switch"}));
}

TEST(Risk, AReducingSellIsExemptFromNotionalBuyingPowerAndTheLossLimit) {
  Fixture f;
  f.order.side = Side::kSell;
  f.portfolio.positions["AAPL"] = {D("10"), D("120")};
  f.strategy.max_notional_per_trade = D("1");
  f.portfolio.buying_power = D("0");
  f.settings.daily_loss_limit = D("10");
  f.portfolio.day_pnl = D("-500");
  EXPECT_EQ(f.Check(), Reasons{});
  // Selling more than is held is no longer only reducing.
  f.order.qty = D("11");
  EXPECT_EQ(f.Check(), (Reasons{"max_notional_exceeded", "insufficient_buying_power",
                                "shorts_not_allowed", "daily_loss_limit"}));
}

TEST(Risk, OpenOrdersCountInBuyingPowerAndThePositionCap) {
  Fixture f;
  f.portfolio.buying_power = D("1500");
  f.portfolio.open["AAPL"].buy_notional = D("600");
  f.portfolio.open["AAPL"].buy_qty = D("6");
  EXPECT_EQ(f.Check(), Reasons{"insufficient_buying_power"});
  Fixture p;
  p.strategy.max_position_pct_equity = D("1.5");  // 1500 of 100000
  p.portfolio.positions["AAPL"] = {D("4"), D("100")};
  EXPECT_EQ(p.Check(), Reasons{});  // 14 × 100 = 1400
  p.portfolio.open["AAPL"].buy_qty = D("2");
  EXPECT_EQ(p.Check(), Reasons{"max_position_pct_exceeded"});  // 16 × 100
  // Beyond the cap already, a sell that shrinks the position passes the cap.
  p.order.side = Side::kSell;
  p.order.qty = D("1");
  EXPECT_EQ(p.Check(), Reasons{});
}

TEST(Risk, ADecisionNeverBlocksItselfButBlocksTheNextWithinTheCooldown) {
  Fixture f;
  f.settings.cooldown_seconds = 10;
  EXPECT_EQ(f.Check(), Reasons{});  // checked before it is recorded (the original's flaw fixed)
  f.state.Accept("AAPL", f.order.event_ts);
  f.order.event_ts += 9'999;
  f.now = f.order.event_ts;
  EXPECT_EQ(f.Check(), Reasons{"cooldown_active"});
  f.order.event_ts += 1;
  EXPECT_EQ(f.Check(), Reasons{});
  f.order.symbol = "MSFT";  // per symbol
  f.order.event_ts -= 5'000;
  EXPECT_EQ(f.Check(), Reasons{});
}

TEST(Risk, SessionsAndTheRateWindowOnEventTime) {
  Fixture f;
  // 08:00 New York: pre-market.
  f.order.event_ts = 1704200400000;
  f.now = f.order.event_ts;
  EXPECT_EQ(f.Check(), Reasons{"market_closed"});
  f.settings.session = SessionRule::kExtended;
  EXPECT_EQ(f.Check(), Reasons{});
  f.order.event_ts = kClosed;
  f.now = kClosed;
  EXPECT_EQ(f.Check(), Reasons{"market_closed"});
  f.settings.session = SessionRule::kAlways;
  EXPECT_EQ(f.Check(), Reasons{});
  // The rate window is the last 60 s of event time, whatever the wall clock says.
  Fixture r;
  r.settings.max_orders_per_minute = 2;
  r.state.Accept("A", kRegular - 60'000);  // outside (exactly a minute before)
  r.state.Accept("B", kRegular - 1);
  EXPECT_EQ(r.Check(), Reasons{});
  r.state.Accept("C", kRegular);
  EXPECT_EQ(r.Check(), Reasons{"order_rate_exceeded"});
  // Staleness is off in a backtest.
  Fixture b;
  b.settings.check_signal_age = false;
  b.now = kRegular + 86'400'000;
  EXPECT_EQ(b.Check(), Reasons{});
}

TEST(Risk, StateRoundTrips) {
  RiskState s;
  s.Accept("AAPL", 1000);
  s.Accept("MSFT", 2000);
  BinaryWriter w;
  s.Save(w);
  RiskState t;
  BinaryReader r(w.data());
  ASSERT_TRUE(t.Load(r).ok());
  EXPECT_TRUE(t.CooldownActive("AAPL", 1500, 1));
  EXPECT_FALSE(t.CooldownActive("AAPL", 2000, 1));
  EXPECT_TRUE(t.RateExceeded(2500, 2));
}

}  // namespace
}  // namespace torghut::trading

namespace torghut::trading {
namespace {

// The risk settings are read at start: every bad value is its own error line naming the setting,
// and good values arrive exactly (decimals as written).
TEST(RiskSettings, EachBadValueIsOneErrorLineNamingItsSetting) {
  ConfigReader bad(EnvSource::FromMap({{"TRADING_MODE", "yolo"},
                                       {"TRADING_COOLDOWN_SECONDS", "-1"},
                                       {"TRADING_MAX_NOTIONAL_PER_TRADE", "1e3x"},
                                       {"TRADING_DAILY_LOSS_LIMIT", "0"},
                                       {"TRADING_ENABLED", "maybe"},
                                       {"TRADING_STATIC_SYMBOLS", "AAPL,not a symbol"}}));
  (void)ReadTradingSettings(bad);
  EXPECT_FALSE(bad.Finish().ok());
  const std::vector<std::string>& errors = bad.errors();
  ASSERT_EQ(errors.size(), 6u) << bad.Finish().ToString();
  for (const char* name :
       {"TRADING_MODE", "TRADING_COOLDOWN_SECONDS", "TRADING_MAX_NOTIONAL_PER_TRADE",
        "TRADING_DAILY_LOSS_LIMIT", "TRADING_ENABLED", "TRADING_STATIC_SYMBOLS"}) {
    EXPECT_EQ(std::count_if(errors.begin(), errors.end(),
                            [&](const std::string& e) { return e.rfind(name, 0) == 0; }),
              1)
        << name << " in " << bad.Finish().ToString();
  }

  ConfigReader good(EnvSource::FromMap({{"TRADING_MODE", "live"},
                                        {"TRADING_COOLDOWN_SECONDS", "30"},
                                        {"TRADING_MAX_NOTIONAL_PER_TRADE", "2500.10"},
                                        {"TRADING_STATIC_SYMBOLS", "AAPL,MSFT"}}));
  const TradingSettings s = ReadTradingSettings(good);
  ASSERT_TRUE(good.Finish().ok()) << good.Finish().ToString();
  EXPECT_EQ(s.mode, TradingMode::kLive);
  EXPECT_FALSE(s.live_enabled);
  EXPECT_EQ(s.cooldown_seconds, 30);
  EXPECT_EQ(s.max_notional_per_trade, Decimal::Parse("2500.10").value());
  EXPECT_EQ(s.static_symbols, (std::vector<std::string>{"AAPL", "MSFT"}));
}

}  // namespace
}  // namespace torghut::trading
