#include "torghut/broker/matching_engine.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace torghut::broker {
namespace {

using trading::OrderStatus;
using trading::OrderType;
using trading::Side;
using trading::TimeInForce;

Decimal D(std::string_view s) {
  return Decimal::Parse(s).value();
}
EpochMillis T(std::string_view rfc3339) {
  return ParseRfc3339(rfc3339).value().millis();
}

// 2024-01-02 is a regular trading day: 09:30–16:00 ET = 14:30–21:00 UTC.
constexpr std::string_view kOpen = "2024-01-02T14:30:00Z";

class MatchingEngineTest : public ::testing::Test {
 protected:
  void Make(MatchingEngineOptions o = {}) {
    ASSERT_TRUE(ValidateMatchingEngineOptions(o).ok());
    engine_ = std::make_unique<MatchingEngine>(o, TradingCalendar::NewYork().value());
    engine_->AdvanceTo(T(kOpen));
  }
  Result<BrokerOrder> Submit(std::string cid, Side side, std::string_view qty,
                             std::optional<std::string_view> limit = std::nullopt,
                             TimeInForce tif = TimeInForce::kDay, std::string symbol = "AAPL") {
    OrderRequest r;
    r.client_order_id = std::move(cid);
    r.symbol = std::move(symbol);
    r.side = side;
    r.qty = D(qty);
    r.time_in_force = tif;
    if (limit) {
      r.type = OrderType::kLimit;
      r.limit_price = D(*limit);
    }
    return engine_->SubmitOrder(r);
  }
  BrokerOrder Order(const std::string& id) { return engine_->GetOrder(id).value(); }
  std::vector<std::string> EventNames() {
    std::vector<std::string> names;
    for (const TradeUpdate& u : engine_->TakeEvents()) names.push_back(u.event);
    return names;
  }
  void Trade(std::string_view price, std::string_view size, EpochMillis ts,
             std::string_view symbol = "AAPL") {
    engine_->OnTrade(symbol, D(price), D(size), ts);
  }
  Account Acct() { return engine_->GetAccount().value(); }

  std::unique_ptr<MatchingEngine> engine_;
};

TEST_F(MatchingEngineTest, AnOrderPlacedAtItsSymbolsTimeFillsAtThatSymbolsNextPrint) {
  // MSFT's prints have moved the clock a minute ahead of AAPL's (a backtest's merge feeds
  // symbols apart): an AAPL order placed at AAPL's time fills at AAPL's next print, earlier than
  // the clock, where SubmitOrder's order (placed at the clock) waits for a print past it.
  Make();
  const EpochMillis t0 = T(kOpen);
  Trade("400", "100", t0 + 60'000, "MSFT");
  OrderRequest r;
  r.client_order_id = "at";
  r.symbol = "AAPL";
  r.qty = D("5");
  BrokerOrder at = engine_->SubmitOrderAt(r, t0 + 1000).value();
  EXPECT_EQ(at.submitted_at, t0 + 1000);
  r.client_order_id = "clock";
  EXPECT_EQ(engine_->SubmitOrder(r).value().submitted_at, t0 + 60'000);
  // A time after the clock is the clock.
  r.client_order_id = "later";
  EXPECT_EQ(engine_->SubmitOrderAt(r, t0 + 90'000).value().submitted_at, t0 + 60'000);
  Trade("187", "100", t0 + 1500);
  EXPECT_EQ(Order(at.id).status, OrderStatus::kFilled);
  EXPECT_EQ(Order(at.id).filled_at, t0 + 1500);
  EXPECT_EQ(engine_->GetOrderByClientOrderId("clock").value()->status, OrderStatus::kNew);
  Trade("188", "100", t0 + 60'001);
  EXPECT_EQ(engine_->GetOrderByClientOrderId("clock").value()->status, OrderStatus::kFilled);
}

TEST_F(MatchingEngineTest, MarketOrderFillsAtTheNextTradeWithCashAndPositionByHand) {
  Make();
  const EpochMillis t0 = T(kOpen);
  BrokerOrder o = Submit("a", Side::kBuy, "10").value();
  EXPECT_EQ(o.status, OrderStatus::kNew);
  EXPECT_EQ(o.submitted_at, t0);
  Trade("187.25", "100", t0 + 5);
  std::vector<TradeUpdate> events = engine_->TakeEvents();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event, "new");
  EXPECT_EQ(events[1].event, "fill");
  EXPECT_EQ(events[1].price, D("187.25"));
  EXPECT_EQ(events[1].qty, D("10"));
  EXPECT_EQ(events[1].position_qty, D("10"));
  EXPECT_FALSE(events[1].execution_id.empty());
  EXPECT_EQ(events[1].timestamp, t0 + 5);
  o = Order(o.id);
  EXPECT_EQ(o.status, OrderStatus::kFilled);
  EXPECT_EQ(o.filled_qty, D("10"));
  EXPECT_EQ(o.filled_avg_price, D("187.25"));
  EXPECT_EQ(o.filled_at, t0 + 5);
  // 100000 − 10 × 187.25 = 98127.50; equity marks the 10 shares at the last trade.
  EXPECT_EQ(Acct().cash, D("98127.5"));
  EXPECT_EQ(Acct().buying_power, D("98127.5"));
  Trade("190", "1", t0 + 6);
  EXPECT_EQ(Acct().equity, D("100027.5"));  // 98127.5 + 10 × 190
  std::vector<BrokerPosition> p = engine_->Positions();
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].qty, D("10"));
  EXPECT_EQ(p[0].avg_entry_price, D("187.25"));
  EXPECT_EQ(p[0].market_value, D("1900"));
  EXPECT_EQ(p[0].unrealized_pl, D("27.5"));
}

TEST_F(MatchingEngineTest, MarketOrderFillsAtTheTouchWhenAQuoteComesFirst) {
  Make();
  const EpochMillis t0 = T(kOpen);
  BrokerOrder buy = Submit("b", Side::kBuy, "5").value();
  engine_->OnQuote("AAPL", D("99.98"), D("100.02"), D("300"), D("300"), t0 + 1);
  EXPECT_EQ(Order(buy.id).filled_avg_price, D("100.02"));  // the ask
  BrokerOrder sell = Submit("s", Side::kSell, "5").value();
  engine_->OnQuote("AAPL", D("100.10"), D("100.14"), D("300"), D("300"), t0 + 2);
  EXPECT_EQ(Order(sell.id).filled_avg_price, D("100.1"));  // the bid
  EXPECT_EQ(Acct().cash, D("100000.4"));                   // bought at 100.02, sold at 100.10

  // Without quote fills the order waits for a trade.
  MatchingEngineOptions o;
  o.fill_at_quotes = false;
  Make(o);
  BrokerOrder waits = Submit("w", Side::kBuy, "5").value();
  engine_->OnQuote("AAPL", D("99.98"), D("100.02"), D("300"), D("300"), t0 + 1);
  EXPECT_EQ(Order(waits.id).status, OrderStatus::kNew);
  Trade("100.01", "50", t0 + 2);
  EXPECT_EQ(Order(waits.id).filled_avg_price, D("100.01"));
}

TEST_F(MatchingEngineTest, AMarketOrderIgnoresALatePrintFromBeforeItsSubmission) {
  Make();
  const EpochMillis t0 = T(kOpen);
  engine_->AdvanceTo(t0 + 1000);
  BrokerOrder o = Submit("late", Side::kBuy, "1").value();
  Trade("50", "10", t0 + 500);  // printed before the order existed
  EXPECT_EQ(Order(o.id).status, OrderStatus::kNew);
  Trade("51", "10", t0 + 1001);
  EXPECT_EQ(Order(o.id).filled_avg_price, D("51"));
}

TEST_F(MatchingEngineTest, LimitOrdersFillWhenATradeCrossesAtTheLimitOrBetter) {
  Make();
  const EpochMillis t0 = T(kOpen);
  BrokerOrder buy = Submit("lb", Side::kBuy, "10", "100").value();
  Trade("100.01", "100", t0 + 1);
  EXPECT_EQ(Order(buy.id).status, OrderStatus::kNew);
  Trade("99.5", "100", t0 + 2);
  EXPECT_EQ(Order(buy.id).filled_avg_price, D("99.5"));  // better than the limit
  BrokerOrder sell = Submit("ls", Side::kSell, "10", "101").value();
  Trade("100.99", "100", t0 + 3);
  EXPECT_EQ(Order(sell.id).status, OrderStatus::kNew);
  Trade("101", "100", t0 + 4);
  EXPECT_EQ(Order(sell.id).filled_avg_price, D("101"));
  EXPECT_EQ(Acct().cash, D("100015"));  // −995 + 1010
  EXPECT_TRUE(engine_->Positions().empty());
}

TEST_F(MatchingEngineTest, LargeOrdersFillPartiallyAndShareEachPrintInSubmissionOrder) {
  MatchingEngineOptions opts;
  opts.participation = D("0.5");
  Make(opts);
  const EpochMillis t0 = T(kOpen);
  BrokerOrder big = Submit("big", Side::kBuy, "300").value();
  BrokerOrder small = Submit("small", Side::kBuy, "50").value();
  engine_->TakeEvents();
  Trade("10", "401", t0 + 1);  // 200 shares available (half of 401, whole shares): all to `big`
  EXPECT_EQ(Order(big.id).status, OrderStatus::kPartiallyFilled);
  EXPECT_EQ(Order(big.id).filled_qty, D("200"));
  EXPECT_EQ(Order(small.id).status, OrderStatus::kNew);
  Trade("11", "300", t0 + 2);  // 150: the last 100 of `big`, then 50 for `small`
  EXPECT_EQ(Order(big.id).status, OrderStatus::kFilled);
  EXPECT_EQ(Order(big.id).filled_avg_price, D("10.333333333"));  // (2000 + 1100) / 300
  EXPECT_EQ(Order(small.id).status, OrderStatus::kFilled);
  EXPECT_EQ((std::vector<std::string>{"partial_fill", "fill", "fill"}), EventNames());
  EXPECT_EQ(engine_->Positions()[0].qty, D("350"));
  EXPECT_EQ(Acct().cash, D("96350"));  // 100000 − 2000 − 1100 − 550
}

TEST_F(MatchingEngineTest, DayOrdersExpireAtTheCloseAndGtcOrdersDoNot) {
  Make();
  BrokerOrder day = Submit("day", Side::kBuy, "1", "1").value();
  BrokerOrder gtc = Submit("gtc", Side::kBuy, "1", "1", TimeInForce::kGtc).value();
  engine_->TakeEvents();
  engine_->AdvanceTo(T("2024-01-02T20:59:59.999Z"));
  EXPECT_EQ(Order(day.id).status, OrderStatus::kNew);
  Trade("2", "1", T("2024-01-02T21:00:00.500Z"));  // the first print after 16:00 ET
  EXPECT_EQ(Order(day.id).status, OrderStatus::kExpired);
  EXPECT_EQ(Order(day.id).expired_at, T("2024-01-02T21:00:00Z"));  // at the close itself
  std::vector<TradeUpdate> events = engine_->TakeEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "expired");
  EXPECT_EQ(events[0].timestamp, T("2024-01-02T21:00:00Z"));
  engine_->AdvanceTo(T("2024-01-10T21:00:00Z"));
  EXPECT_EQ(Order(gtc.id).status, OrderStatus::kNew);
  // Submitted after the close: the next session's close.
  BrokerOrder after = Submit("after", Side::kBuy, "1", "1").value();
  engine_->AdvanceTo(T("2024-01-11T20:59:00Z"));
  EXPECT_EQ(Order(after.id).status, OrderStatus::kNew);
  engine_->AdvanceTo(T("2024-01-11T21:00:00Z"));
  EXPECT_EQ(Order(after.id).status, OrderStatus::kExpired);
}

TEST_F(MatchingEngineTest, DayOrdersExpireAtAnEarlyClose) {
  Make();
  // The day after Thanksgiving 2024 closes at 13:00 ET (18:00 UTC).
  engine_->AdvanceTo(T("2024-11-29T15:00:00Z"));
  BrokerOrder o = Submit("early", Side::kBuy, "1", "1").value();
  engine_->AdvanceTo(T("2024-11-29T17:59:59Z"));
  EXPECT_EQ(Order(o.id).status, OrderStatus::kNew);
  engine_->AdvanceTo(T("2024-11-29T18:00:00Z"));
  EXPECT_EQ(Order(o.id).status, OrderStatus::kExpired);
  EXPECT_EQ(Order(o.id).expired_at, T("2024-11-29T18:00:00Z"));
}

TEST_F(MatchingEngineTest, CancelAPartiallyFilledOrderKeepsItsFills) {
  Make();
  const EpochMillis t0 = T(kOpen);
  BrokerOrder o = Submit("c", Side::kBuy, "100").value();
  Trade("20", "30", t0 + 1);
  ASSERT_EQ(Order(o.id).status, OrderStatus::kPartiallyFilled);
  engine_->AdvanceTo(t0 + 10);
  ASSERT_TRUE(engine_->CancelOrder(o.id).ok());
  o = Order(o.id);
  EXPECT_EQ(o.status, OrderStatus::kCanceled);
  EXPECT_EQ(o.filled_qty, D("30"));
  EXPECT_EQ(o.canceled_at, t0 + 10);
  EXPECT_EQ((std::vector<std::string>{"new", "partial_fill", "canceled"}), EventNames());
  Trade("20", "100", t0 + 11);  // nothing more fills
  EXPECT_EQ(Order(o.id).filled_qty, D("30"));
  EXPECT_EQ(Acct().cash, D("99400"));
  EXPECT_EQ(engine_->CancelOrder(o.id).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(engine_->CancelOrder("nope").code(), StatusCode::kNotFound);
  // Cancel all: the ids of what was open.
  BrokerOrder a = Submit("x1", Side::kBuy, "1", "1").value();
  BrokerOrder b = Submit("x2", Side::kBuy, "1", "1").value();
  EXPECT_EQ(engine_->CancelAllOrders().value(), (std::vector<std::string>{a.id, b.id}));
  EXPECT_EQ(engine_->open_orders(), 0u);
}

TEST_F(MatchingEngineTest, RejectionsCarryAlpacasReasons) {
  Make();
  const EpochMillis t0 = T(kOpen);
  auto code = [](const Result<BrokerOrder>& r) { return r.status().code(); };
  auto message = [](const Result<BrokerOrder>& r) { return r.status().message(); };
  Result<BrokerOrder> r = Submit("q0", Side::kBuy, "0");
  EXPECT_EQ(code(r), StatusCode::kInvalidArgument);
  EXPECT_EQ(message(r), "qty must be > 0");
  OrderRequest no_limit;
  no_limit.symbol = "AAPL";
  no_limit.qty = D("1");
  no_limit.type = OrderType::kLimit;
  EXPECT_EQ(engine_->SubmitOrder(no_limit).status().message(),
            "limit_price is required for limit orders");
  EXPECT_EQ(code(Submit("opg", Side::kBuy, "1", std::nullopt, TimeInForce::kOpg)),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Submit(std::string(49, 'x'), Side::kBuy, "1")), StatusCode::kInvalidArgument);
  // No position and shorting off.
  r = Submit("sell", Side::kSell, "5");
  EXPECT_EQ(code(r), StatusCode::kFailedPrecondition);
  EXPECT_EQ(message(r), "insufficient qty available for order (requested: 5, available: 0)");
  // Buying power: 100000 buys 1000 shares at 100, not 1001; an open buy holds its notional.
  EXPECT_EQ(message(Submit("bp", Side::kBuy, "1001", "100")), "insufficient buying power");
  ASSERT_TRUE(Submit("hold", Side::kBuy, "600", "100").ok());
  EXPECT_EQ(Acct().buying_power, D("40000"));
  EXPECT_EQ(code(Submit("bp2", Side::kBuy, "401", "100")), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Submit("fits", Side::kBuy, "400", "100").ok());
  // A client order id is used once, whatever became of its order.
  r = Submit("hold", Side::kBuy, "1", "1");
  EXPECT_EQ(code(r), StatusCode::kInvalidArgument);
  EXPECT_EQ(message(r), "client_order_id must be unique");
  // Nothing rejected was created.
  EXPECT_EQ(engine_->ListOrders({"all", 500}).value().size(), 2u);
  // Sells are limited by the shares held less what open sells already promise.
  ASSERT_TRUE(engine_->CancelAllOrders().ok());
  ASSERT_TRUE(Submit("own", Side::kBuy, "10").ok());
  Trade("100", "100", t0 + 1);
  ASSERT_TRUE(Submit("s1", Side::kSell, "6", "200").ok());
  EXPECT_EQ(message(Submit("s2", Side::kSell, "5", "200")),
            "insufficient qty available for order (requested: 5, available: 4)");
}

TEST_F(MatchingEngineTest, AMarketBuyWithNoKnownPriceIsRejectedWhenItCannotBePaid) {
  MatchingEngineOptions o;
  o.cash = D("1000");
  Make(o);
  BrokerOrder order = Submit("blind", Side::kBuy, "20").value();  // no price known: accepted
  Trade("60", "100", T(kOpen) + 1);                               // 1200 > 1000
  EXPECT_EQ(Order(order.id).status, OrderStatus::kRejected);
  EXPECT_EQ((std::vector<std::string>{"new", "rejected"}), EventNames());
  EXPECT_EQ(Acct().cash, D("1000"));
}

TEST_F(MatchingEngineTest, AveragePriceAcrossAddsReductionsAndACrossingWithShorts) {
  MatchingEngineOptions o;
  o.allow_shorts = true;
  Make(o);
  EpochMillis t = T(kOpen);
  ASSERT_TRUE(Submit("b1", Side::kBuy, "10").ok());
  Trade("100", "100", ++t);
  ASSERT_TRUE(Submit("b2", Side::kBuy, "10").ok());
  Trade("110", "100", ++t);
  EXPECT_EQ(engine_->Positions()[0].avg_entry_price, D("105"));
  ASSERT_TRUE(Submit("s1", Side::kSell, "5").ok());
  Trade("120", "100", ++t);
  EXPECT_EQ(engine_->Positions()[0].qty, D("15"));
  EXPECT_EQ(engine_->Positions()[0].avg_entry_price, D("105"));  // reducing keeps the average
  ASSERT_TRUE(Submit("s2", Side::kSell, "20").ok());             // 15 long, 5 opening a short
  Trade("90", "100", ++t);
  EXPECT_EQ(engine_->Positions()[0].qty, D("-5"));
  EXPECT_EQ(engine_->Positions()[0].avg_entry_price, D("90"));
  // Cash: −1000 −1100 +600 +1800 = 100300. Equity marks −5 at 90: 99850. Buying power holds
  // the short twice (its proceeds and as much collateral): 100300 − 2 × 450 = 99400.
  EXPECT_EQ(Acct().cash, D("100300"));
  EXPECT_EQ(Acct().equity, D("99850"));
  EXPECT_EQ(Acct().buying_power, D("99400"));
  // Adding to the short re-averages it.
  ASSERT_TRUE(Submit("s3", Side::kSell, "5").ok());
  Trade("80", "100", ++t);
  EXPECT_EQ(engine_->Positions()[0].avg_entry_price, D("85"));
  EXPECT_EQ(engine_->Positions()[0].unrealized_pl, D("50"));  // (80 − 85) × −10
  // Closing the position: a market order for all of it.
  BrokerOrder close = engine_->ClosePosition("AAPL", std::nullopt).value();
  EXPECT_EQ(close.side, Side::kBuy);
  EXPECT_EQ(close.qty, D("10"));
  Trade("80", "100", ++t);
  EXPECT_TRUE(engine_->Positions().empty());
  EXPECT_EQ(engine_->ClosePosition("AAPL", std::nullopt).status().code(), StatusCode::kNotFound);
}

TEST_F(MatchingEngineTest, CommissionAndSlippage) {
  MatchingEngineOptions o;
  o.commission_per_share = D("0.01");
  o.slippage_bps = D("10");
  Make(o);
  ASSERT_TRUE(Submit("b", Side::kBuy, "10").ok());
  Trade("100", "100", T(kOpen) + 1);
  std::vector<TradeUpdate> events = engine_->TakeEvents();
  EXPECT_EQ(events.back().price, D("100.1"));  // 10 bps against the buyer
  EXPECT_EQ(Acct().cash, D("98998.9"));        // 100000 − 1001 − 0.10
  ASSERT_TRUE(Submit("s", Side::kSell, "10", "99.95").ok());
  Trade("100", "100", T(kOpen) + 2);  // 99.90 after slippage, held at the 99.95 limit
  EXPECT_EQ(engine_->TakeEvents().back().price, D("99.95"));
}

TEST_F(MatchingEngineTest, ImmediateOrCancelAndFillOrKill) {
  Make();
  const EpochMillis t0 = T(kOpen);
  BrokerOrder ioc = Submit("ioc", Side::kBuy, "100", std::nullopt, TimeInForce::kIoc).value();
  Trade("10", "40", t0 + 1);
  EXPECT_EQ(Order(ioc.id).status, OrderStatus::kCanceled);
  EXPECT_EQ(Order(ioc.id).filled_qty, D("40"));
  BrokerOrder fok = Submit("fok", Side::kBuy, "100", std::nullopt, TimeInForce::kFok).value();
  Trade("10", "40", t0 + 2);
  EXPECT_EQ(Order(fok.id).status, OrderStatus::kCanceled);
  EXPECT_EQ(Order(fok.id).filled_qty, D("0"));
  BrokerOrder whole = Submit("fok2", Side::kBuy, "100", std::nullopt, TimeInForce::kFok).value();
  Trade("10", "100", t0 + 3);
  EXPECT_EQ(Order(whole.id).status, OrderStatus::kFilled);
}

TEST_F(MatchingEngineTest, ListOrdersFiltersAndPagesLikeAlpaca) {
  Make();
  const EpochMillis t0 = T(kOpen);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    engine_->AdvanceTo(t0 + i * 1000);
    ids.push_back(Submit("o" + std::to_string(i), Side::kBuy, "1", "1", TimeInForce::kDay,
                         i % 2 == 0 ? "AAPL" : "MSFT")
                      .value()
                      .id);
  }
  ASSERT_TRUE(engine_->CancelOrder(ids[0]).ok());
  auto list = [&](OrderQuery q) {
    std::vector<std::string> out;
    for (const BrokerOrder& o : engine_->ListOrders(q).value()) out.push_back(o.id);
    return out;
  };
  OrderQuery q;
  EXPECT_EQ(list(q), (std::vector<std::string>{ids[4], ids[3], ids[2], ids[1]}));  // open, desc
  q.status = "closed";
  EXPECT_EQ(list(q), (std::vector<std::string>{ids[0]}));
  q.status = "all";
  q.direction = "asc";
  q.after = t0 + 1000;  // exclusive
  q.until = t0 + 4000;  // exclusive
  EXPECT_EQ(list(q), (std::vector<std::string>{ids[2], ids[3]}));
  q = {};
  q.status = "all";
  q.symbols = {"MSFT"};
  q.limit = 1;
  EXPECT_EQ(list(q), (std::vector<std::string>{ids[3]}));
  q.limit = 0;
  EXPECT_EQ(engine_->ListOrders(q).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(engine_->GetOrderByClientOrderId("o2").value()->id, ids[2]);
  EXPECT_FALSE(engine_->GetOrderByClientOrderId("none").value().has_value());
}

TEST_F(MatchingEngineTest, ClockAndLastEquity) {
  Make();
  engine_->AdvanceTo(T("2024-01-02T15:00:00Z"));
  MarketClock c = engine_->GetClock().value();
  EXPECT_TRUE(c.is_open);
  EXPECT_EQ(c.next_close, T("2024-01-02T21:00:00Z"));
  EXPECT_EQ(c.next_open, T("2024-01-03T14:30:00Z"));
  // Friday after the close: the next open is Monday's.
  engine_->AdvanceTo(T("2024-01-05T22:00:00Z"));
  c = engine_->GetClock().value();
  EXPECT_FALSE(c.is_open);
  EXPECT_EQ(c.next_open, T("2024-01-08T14:30:00Z"));
  // last_equity: the equity at the last close that passed.
  ASSERT_TRUE(Submit("b", Side::kBuy, "10").ok());
  Trade("100", "10", T("2024-01-08T15:00:00Z"));
  Trade("110", "10", T("2024-01-08T20:00:00Z"));
  EXPECT_EQ(Acct().last_equity, D("100000"));
  engine_->AdvanceTo(T("2024-01-08T21:00:00Z"));
  EXPECT_EQ(Acct().last_equity, D("100100"));
}

// A random script of orders and prints, run twice (and with another id namespace): the same fills
// and events; only the ids differ between namespaces.
void RunScript(uint64_t id_namespace, std::vector<std::string>* lines);
std::vector<std::string> RunScript(uint64_t id_namespace) {
  std::vector<std::string> lines;
  RunScript(id_namespace, &lines);
  return lines;
}
void RunScript(uint64_t id_namespace, std::vector<std::string>* lines) {
  std::vector<std::string>& out = *lines;
  MatchingEngineOptions o;
  o.id_namespace = id_namespace;
  o.participation = D("0.3");
  o.allow_shorts = true;
  o.cash = D("10000000");
  MatchingEngine engine(o, TradingCalendar::NewYork().value());
  std::mt19937_64 rng(42);
  EpochMillis t = T(kOpen);
  const char* symbols[] = {"AAPL", "MSFT"};
  for (int i = 0; i < 3000; ++i) {
    t += static_cast<EpochMillis>(rng() % 2'000);
    const char* symbol = symbols[rng() % 2];
    const int64_t cents = 10'000 + static_cast<int64_t>(rng() % 400);
    const Decimal price = Decimal::FromUnits(cents * Decimal::kOne / 100);
    if (rng() % 4 == 0) {
      OrderRequest r;
      r.client_order_id = "c" + std::to_string(i);
      r.symbol = symbol;
      r.side = rng() % 2 == 0 ? Side::kBuy : Side::kSell;
      r.qty = Decimal::FromUnits(static_cast<int64_t>(1 + rng() % 300) * Decimal::kOne);
      if (rng() % 2 == 0) {
        r.type = OrderType::kLimit;
        r.limit_price = price;
      }
      engine.AdvanceTo(t);
      Result<BrokerOrder> s = engine.SubmitOrder(r);
      out.push_back(s.ok() ? "ok" : s.status().message());
    } else if (rng() % 3 == 0) {
      engine.OnQuote(symbol, price, price.Add(D("0.02")).value(),
                     Decimal::FromUnits(100 * Decimal::kOne),
                     Decimal::FromUnits(100 * Decimal::kOne), t);
    } else {
      engine.OnTrade(symbol, price,
                     Decimal::FromUnits(static_cast<int64_t>(1 + rng() % 500) * Decimal::kOne), t);
    }
    for (const TradeUpdate& u : engine.TakeEvents()) {
      out.push_back(u.event + " " + u.order.id + " " + u.execution_id + " " +
                    u.order.filled_qty.ToString() + " " + (u.price ? u.price->ToString() : "-") +
                    " " + std::to_string(u.timestamp));
    }
  }
  const Account a = engine.GetAccount().value();
  out.push_back(a.cash.ToString() + " " + a.equity.ToString() + " " + a.buying_power.ToString());
  // With nothing open, nothing is reserved: the open-order totals came back to zero.
  ASSERT_TRUE(engine.CancelAllOrders().ok());
  const Account idle = engine.GetAccount().value();
  Decimal gross;
  for (const BrokerPosition& p : engine.Positions()) {
    gross = gross.Add(p.market_value.Abs()).value();
    EXPECT_EQ(engine.SellableQty(p.symbol), std::max(p.qty, Decimal()));
  }
  EXPECT_EQ(idle.buying_power, std::max(idle.equity.Sub(gross).value(), Decimal()));
}

TEST(MatchingEngineDeterminism, SameInputSameFillsAndEvents) {
  const std::vector<std::string> a = RunScript(0), b = RunScript(0);
  EXPECT_EQ(a, b);
  size_t fills = 0;
  for (const std::string& line : a) {
    fills += line.rfind("fill", 0) == 0 || line.rfind("partial_fill", 0) == 0 ? 1 : 0;
  }
  EXPECT_GT(fills, 100u);
  const std::vector<std::string> c = RunScript(0xabcdef0123);
  ASSERT_EQ(a.size(), c.size());
  EXPECT_NE(a, c);                // ids differ …
  EXPECT_EQ(a.back(), c.back());  // … the account does not
}

}  // namespace
}  // namespace torghut::broker
