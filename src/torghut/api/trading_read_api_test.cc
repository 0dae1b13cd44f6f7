// The trading page's read API over a real trading store, SQLite and a Postgres 15 the test
// starts (the store conformance fixture), through the router: the summary's figures worked out by
// hand below, the day's UTC interval by the tz database (DST days included), the lists, every
// bad input, a store that cannot answer, and `serve` without a trading store.
#include "torghut/api/trading_read_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "torghut/core/time.h"
#include "torghut/store/internal/trading_store_fixture.h"

namespace torghut::api {
namespace {

using nlohmann::json;
using store::testing_support::D;
using trading::DecisionStatus;
using trading::LlmVerdict;
using trading::OrderStatus;
using trading::Side;

store::EpochMillis Ms(std::string_view rfc3339) {
  return ParseRfc3339(rfc3339).value().millis();
}

// The store holds, for the main day 2026-03-10 (New York is on EDT, UTC−4: the day is
// [2026-03-10T04:00Z, 2026-03-11T04:00Z)):
//
// Fills of strategy alpha (each made by a filled order whose decision was taken 1 s before):
//   f0 buy  AAPL 10 @ 100     2026-03-10T03:59:59.999Z  (Mar 9, 23:59 in New York: the day before)
//   f1 sell AAPL  4 @ 110     14:00Z  partial close: basis 10 × 100 = 1000; 4/10 of it = 400;
//                                     realized 4 × 110 − 400 = +40 (6 left, basis 600)
//   f3 buy  MSFT  5 @ 200.5   14:30Z  basis 1002.5
//   f2 sell AAPL  6 @ 95      15:00Z  closes: 6 × 95 − 600 = −30; the round trip made
//                                     +40 − 30 = +10 → a win
//   f4 sell MSFT  5 @ 190.25  16:00Z  951.25 − 1002.5 = −51.25 → a loss
//   f5 buy  TSLA  2 @ 250     17:00Z  basis 500
//   f6 sell TSLA  3 @ 260     2026-03-11T03:30Z (23:30 in New York: still the day) sells 3 of 2
//                                     held: 2 × 260 − 500 = +20 → a win; the excess share is a
//                                     warning, not a short
//   f7 sell NVDA  1 @ 500     2026-03-11T04:00:01Z  the next day: not counted (it would warn)
// alpha's day: realized 40 − 30 − 51.25 + 20 = −21.25; closed 4 + 6 + 5 + 2 = 17 shares;
// 2 wins, 1 loss → win rate 2/3 = 0.666666667; series (cumulative) 40, 10, −41.25, −21.25.
// Strategy beta: g1 buy AAPL 1 @ 100 (14:10Z), g2 sell AAPL 1 @ 101 (14:20Z) → +1, a win.
// Every strategy: −21.25 + 1 = −20.25; 18 shares; 3 wins, 1 loss → 0.75.
//
// Orders: alpha's f1..f6 filled in the day, c1 canceled with nothing filled → filledCount 6;
// beta 2 → 8 in all (f0's order is the day before, f7's the day after).
// Rejected decisions of alpha in the day:
//   r1 [cooldown_active, max_notional_exceeded], r2 [cooldown_active],
//   r3 [market_closed, cooldown_active, max_notional_exceeded], r4 [market_closed]
//   → 4 rejected; cooldown_active 3, market_closed 2, max_notional_exceeded 2 (a tie: by name);
//   r0 [stale_signal] the day before is not counted; beta's rb [kill_switch] counts for all.
// Equity snapshots: 99000 (Mar 9, not counted), 100000.50, 99950.25, 100010.75
//   → delta 100010.75 − 100000.50 = 10.25.
// LLM reviews in the day: alpha approve ×2, veto, adjust, error, skipped (not a verdict); beta
// veto; the day before an approve (not counted).
class TradingReadApiTest : public store::testing_support::TradingStoreFixture {
 protected:
  void SetUp() override {
    TradingStoreFixture::SetUp();
    if (HasFatalFailure()) return;
    for (const char* name : {"alpha", "beta"}) {
      trading::Strategy s;
      s.name = name;
      s.type = "macd-rsi";
      s.enabled = true;
      s.symbols = {"AAPL", "MSFT"};
      ASSERT_TRUE(store_->UpsertStrategy(s).ok());
    }
    Trade("f0", "alpha", "AAPL", Side::kBuy, "10", "100", "2026-03-10T03:59:59.999Z");
    Trade("f1", "alpha", "AAPL", Side::kSell, "4", "110", "2026-03-10T14:00:00Z");
    Trade("f3", "alpha", "MSFT", Side::kBuy, "5", "200.5", "2026-03-10T14:30:00Z");
    Trade("f2", "alpha", "AAPL", Side::kSell, "6", "95", "2026-03-10T15:00:00Z");
    Trade("f4", "alpha", "MSFT", Side::kSell, "5", "190.25", "2026-03-10T16:00:00Z");
    Trade("f5", "alpha", "TSLA", Side::kBuy, "2", "250", "2026-03-10T17:00:00Z");
    Trade("f6", "alpha", "TSLA", Side::kSell, "3", "260", "2026-03-11T03:30:00Z");
    Trade("f7", "alpha", "NVDA", Side::kSell, "1", "500", "2026-03-11T04:00:01Z");
    Trade("g1", "beta", "AAPL", Side::kBuy, "1", "100", "2026-03-10T14:10:00Z");
    Trade("g2", "beta", "AAPL", Side::kSell, "1", "101", "2026-03-10T14:20:00Z");
    {
      store::Decision c =
          Decide("c1", "alpha", "2026-03-10T19:00:00Z", DecisionStatus::kCanceled, {});
      store::Execution e = store::testing_support::MakeExecution(c, "broker-c1");
      e.status = OrderStatus::kCanceled;
      ASSERT_TRUE(store_->RecordSubmission(e, DecisionStatus::kCanceled).ok());
    }
    Decide("r0", "alpha", "2026-03-10T03:00:00Z", DecisionStatus::kRejected, {"stale_signal"});
    Decide("r1", "alpha", "2026-03-10T13:00:00Z", DecisionStatus::kRejected,
           {"cooldown_active", "max_notional_exceeded"});
    Decide("r2", "alpha", "2026-03-10T13:10:00Z", DecisionStatus::kRejected, {"cooldown_active"});
    Decide("r3", "alpha", "2026-03-10T13:20:00Z", DecisionStatus::kRejected,
           {"market_closed", "cooldown_active", "max_notional_exceeded"});
    Decide("r4", "alpha", "2026-03-10T13:30:00Z", DecisionStatus::kRejected, {"market_closed"});
    Decide("rb", "beta", "2026-03-10T13:40:00Z", DecisionStatus::kRejected, {"kill_switch"});
    Snapshot("2026-03-09T20:00:00Z", "99000");
    Snapshot("2026-03-10T14:00:00Z", "100000.50");
    Snapshot("2026-03-10T16:00:00Z", "99950.25");
    Snapshot("2026-03-11T02:00:00Z", "100010.75");
    Review("r0", LlmVerdict::kApprove, "2026-03-10T03:00:01Z");
    Review("r1", LlmVerdict::kVeto, "2026-03-10T13:00:01Z");
    Review("f1", LlmVerdict::kApprove, "2026-03-10T13:59:59.500Z");
    Review("f2", LlmVerdict::kApprove, "2026-03-10T14:59:59.500Z");
    Review("f3", LlmVerdict::kAdjust, "2026-03-10T14:29:59.500Z");
    Review("f4", LlmVerdict::kError, "2026-03-10T15:59:59.500Z");
    Review("f5", LlmVerdict::kSkipped, "2026-03-10T16:59:59.500Z");
    Review("rb", LlmVerdict::kVeto, "2026-03-10T13:40:01Z");
    // 22:00 on Nov 20 in New York, already Nov 21 in UTC: "today" is New York's.
    clock_.Set(Ms("2026-11-21T03:00:00Z") * 1'000'000);
    TradingReadApiOptions options;
    options.account_label = "paper-test";
    ASSERT_TRUE(AddTradingReadApi(router_, store_.get(), &clock_, options).ok());
  }

  // A decision taken 1 s before its order filled once, completely, at `at`.
  void Trade(const std::string& id, const std::string& strategy, const std::string& symbol,
             Side side, std::string_view qty, std::string_view price, std::string_view at) {
    store::Decision d =
        Decide(id, strategy, "", DecisionStatus::kFilled, {}, Ms(at) - 1000, symbol, side, qty);
    store::Execution e = store::testing_support::MakeExecution(d, "broker-" + id);
    e.status = OrderStatus::kFilled;
    e.filled_qty = D(qty);
    e.avg_fill_price = D(price);
    ASSERT_TRUE(store_->RecordSubmission(e, DecisionStatus::kFilled).ok());
    trading::Fill f;
    f.fill_id = id;
    f.client_order_id = d.client_order_id;
    f.strategy_name = strategy;
    f.symbol = symbol;
    f.side = side;
    f.qty = D(qty);
    f.price = D(price);
    f.filled_at = Ms(at);
    ASSERT_TRUE(store_->InsertFill(f).ok());
  }

  // Decision "h-<id>", taken at `at` (or `at_ms`).
  store::Decision Decide(const std::string& id, const std::string& strategy, std::string_view at,
                         DecisionStatus status, std::vector<std::string> reasons,
                         store::EpochMillis at_ms = 0, const std::string& symbol = "AAPL",
                         Side side = Side::kBuy, std::string_view qty = "1") {
    store::Decision d =
        store::testing_support::MakeDecision("h-" + id, symbol, at.empty() ? at_ms : Ms(at));
    d.strategy_name = strategy;
    d.status = status;
    d.risk_reasons = std::move(reasons);
    d.action = side;
    d.qty = D(qty);
    EXPECT_TRUE(store_->InsertDecision(d).ok());
    return d;
  }

  void Snapshot(std::string_view at, std::string_view equity) {
    trading::PositionSnapshot p;
    p.taken_at = Ms(at);
    p.equity = D(equity);
    p.cash = D("1000");
    p.buying_power = D("2000");
    ASSERT_TRUE(store_->InsertPositionSnapshot(p).ok());
  }

  void Review(const std::string& id, LlmVerdict verdict, std::string_view at) {
    trading::LlmReview l;
    l.decision_hash = "h-" + id;
    l.model = "test-model";
    l.verdict = verdict;
    l.rationale = "because";
    l.created_at = Ms(at);
    ASSERT_TRUE(store_->InsertLlmReview(l).ok());
  }

  http::Response Get(const std::string& route, const std::string& query) {
    http::Request r;
    r.method = "GET";
    r.path = "/api/torghut/trading/" + route;
    EXPECT_TRUE(http::ParseQuery(query, &r.query));
    return router_.Dispatch(r);
  }
  json GetOk(const std::string& route, const std::string& query) {
    const http::Response r = Get(route, query);
    EXPECT_EQ(r.status, 200) << route << "?" << query << ": " << r.body;
    json j = json::parse(r.body, nullptr, false);
    EXPECT_EQ(j["ok"], true) << r.body;
    return j;
  }
  static std::vector<std::string> Ids(const json& items) {
    std::vector<std::string> out;
    for (const json& i : items) out.push_back(i["id"].get<std::string>());
    return out;
  }

  FakeClock clock_;
  http::Router router_;
};

TEST_P(TradingReadApiTest, StrategiesAreTheStoresStrategies) {
  const json j = GetOk("strategies", "");
  ASSERT_EQ(j["strategies"].size(), 2u);
  EXPECT_EQ(j["strategies"][0]["name"], "alpha");
  EXPECT_EQ(j["strategies"][1]["name"], "beta");
  EXPECT_EQ(j["strategies"][0]["enabled"], true);
  EXPECT_EQ(j["strategies"][0]["symbols"], json::array({"AAPL", "MSFT"}));
}

TEST_P(TradingReadApiTest, OneStrategysSummaryIsWhatTheArithmeticSays) {
  const json j = GetOk("summary", "day=2026-03-10&strategy=alpha&tz=America/New_York");
  const json& s = j["summary"];
  EXPECT_EQ(s["interval"], (json{{"tz", "America/New_York"},
                                 {"day", "2026-03-10"},
                                 {"startUtc", "2026-03-10T04:00:00.000Z"},
                                 {"endUtc", "2026-03-11T04:00:00.000Z"}}));
  EXPECT_EQ(s["strategy"], "alpha");
  const json& pnl = s["realizedPnl"];
  EXPECT_EQ(pnl["value"], "-21.25");
  EXPECT_EQ(pnl["closedQty"], "17");
  EXPECT_EQ(pnl["winRate"], "0.666666667");
  EXPECT_EQ(pnl["winCount"], 2);
  EXPECT_EQ(pnl["lossCount"], 1);
  EXPECT_EQ(pnl["series"], json::parse(R"([
      {"ts":"2026-03-10T14:00:00.000Z","realizedPnl":"40"},
      {"ts":"2026-03-10T15:00:00.000Z","realizedPnl":"10"},
      {"ts":"2026-03-10T16:00:00.000Z","realizedPnl":"-41.25"},
      {"ts":"2026-03-11T03:30:00.000Z","realizedPnl":"-21.25"}])"));
  ASSERT_EQ(pnl["warnings"].size(), 1u);  // f6's excess share; f7 is the next day's
  const std::string warning = pnl["warnings"][0];
  EXPECT_NE(warning.find("fill f6"), std::string::npos) << warning;
  EXPECT_NE(warning.find("excess 1"), std::string::npos) << warning;
  EXPECT_EQ(s["executions"]["filledCount"], 6);
  EXPECT_EQ(s["rejections"]["rejectedCount"], 4);
  EXPECT_EQ(s["rejections"]["topReasons"], json::parse(R"([
      {"reason":"cooldown_active","count":3},
      {"reason":"market_closed","count":2},
      {"reason":"max_notional_exceeded","count":2}])"));
  const json& equity = s["equity"];
  EXPECT_EQ(equity["available"], true);
  ASSERT_EQ(equity["byAccount"].size(), 1u);
  EXPECT_EQ(equity["byAccount"][0]["alpacaAccountLabel"], "paper-test");
  EXPECT_EQ(equity["byAccount"][0]["delta"], "10.25");
  EXPECT_EQ(equity["byAccount"][0]["series"], json::parse(R"([
      {"ts":"2026-03-10T14:00:00.000Z","equity":"100000.5"},
      {"ts":"2026-03-10T16:00:00.000Z","equity":"99950.25"},
      {"ts":"2026-03-11T02:00:00.000Z","equity":"100010.75"}])"));
  EXPECT_EQ(s["llm"], json::parse(R"({"verdicts":{"approve":2,"veto":1,"adjust":1,"error":1},
                                      "circuit":"unknown"})"));
}

TEST_P(TradingReadApiTest, EveryStrategysSummaryAddsThemUp) {
  const json s = GetOk("summary", "day=2026-03-10")["summary"];
  EXPECT_TRUE(s["strategy"].is_null());
  EXPECT_EQ(s["realizedPnl"]["value"], "-20.25");  // −21.25 + 1
  EXPECT_EQ(s["realizedPnl"]["closedQty"], "18");
  EXPECT_EQ(s["realizedPnl"]["winRate"], "0.75");  // 3 / (3 + 1)
  EXPECT_EQ(s["executions"]["filledCount"], 8);
  EXPECT_EQ(s["rejections"]["rejectedCount"], 5);
  EXPECT_EQ(s["rejections"]["topReasons"].back(), (json{{"reason", "kill_switch"}, {"count", 1}}));
  EXPECT_EQ(s["llm"]["verdicts"]["veto"], 2);
  const json beta = GetOk("summary", "day=2026-03-10&strategy=beta")["summary"];
  EXPECT_EQ(beta["realizedPnl"]["value"], "1");
  EXPECT_EQ(beta["realizedPnl"]["winRate"], "1");
  EXPECT_TRUE(beta["realizedPnl"]["warnings"].empty());
}

TEST_P(TradingReadApiTest, WithShortsAllowedTheExcessOpensAShortInsteadOfAWarning) {
  http::Router shorts;
  TradingReadApiOptions options;
  options.allow_shorts = true;
  ASSERT_TRUE(AddTradingReadApi(shorts, store_.get(), &clock_, options).ok());
  http::Request r;
  r.method = "GET";
  r.path = "/api/torghut/trading/summary";
  ASSERT_TRUE(http::ParseQuery("day=2026-03-10&strategy=alpha", &r.query));
  const json pnl = json::parse(shorts.Dispatch(r).body)["summary"]["realizedPnl"];
  // f6 closes the 2 held (+20, a win, as before) and opens a short of 1 that is still open.
  EXPECT_TRUE(pnl["warnings"].empty());
  EXPECT_EQ(pnl["value"], "-21.25");
  EXPECT_EQ(pnl["winCount"], 2);
}

TEST_P(TradingReadApiTest, ADayWithoutDataHasZerosAndNoEquity) {
  const json s = GetOk("summary", "day=2026-03-12&strategy=alpha")["summary"];
  EXPECT_EQ(s["realizedPnl"]["value"], "0");
  EXPECT_TRUE(s["realizedPnl"]["winRate"].is_null());  // no round trip ended
  EXPECT_TRUE(s["realizedPnl"]["series"].empty());
  EXPECT_EQ(s["executions"]["filledCount"], 0);
  EXPECT_EQ(s["rejections"]["rejectedCount"], 0);
  EXPECT_EQ(s["equity"]["available"], false);
  EXPECT_TRUE(s["equity"]["byAccount"].empty());
  EXPECT_EQ(s["llm"]["verdicts"]["approve"], 0);
}

// 2026-03-08: clocks spring forward at 02:00, the day lasts 23 h; 2026-11-01: they fall back, 25 h.
TEST_P(TradingReadApiTest, DstDaysAreTheirTrueUtcIntervals) {
  // Four rejections around Mar 8: 23:59:59.999 EST on Mar 7 and 00:00 EDT on Mar 9 are outside.
  Decide("m0", "alpha", "2026-03-08T04:59:59.999Z", DecisionStatus::kRejected, {"x"});
  Decide("m1", "alpha", "2026-03-08T05:00:00Z", DecisionStatus::kRejected, {"x"});
  Decide("m2", "alpha", "2026-03-09T03:59:59.999Z", DecisionStatus::kRejected, {"x"});
  Decide("m3", "alpha", "2026-03-09T04:00:00Z", DecisionStatus::kRejected, {"x"});
  const json spring = GetOk("summary", "day=2026-03-08&strategy=alpha")["summary"];
  EXPECT_EQ(spring["interval"]["startUtc"], "2026-03-08T05:00:00.000Z");  // 00:00 EST
  EXPECT_EQ(spring["interval"]["endUtc"], "2026-03-09T04:00:00.000Z");    // 00:00 EDT
  EXPECT_EQ(spring["rejections"]["rejectedCount"], 2);
  EXPECT_EQ(Ids(GetOk("decisions", "day=2026-03-08&strategy=alpha")["items"]),
            (std::vector<std::string>{"h-m2", "h-m1"}));

  // Nov 1: bought at the day's first instant (00:00 EDT), sold at 23:30 EST — 24.5 h later, in
  // the same day; a sell at 00:00 EST on Nov 2 is the next day's. 10 × 101.5 − 10 × 100 = +15.
  Trade("n1", "alpha", "AMZN", Side::kBuy, "10", "100", "2026-11-01T04:00:00Z");
  Trade("n2", "alpha", "AMZN", Side::kSell, "10", "101.5", "2026-11-02T04:30:00Z");
  Trade("n3", "alpha", "AMZN", Side::kSell, "1", "100", "2026-11-02T05:00:00Z");
  const json fall = GetOk("summary", "day=2026-11-01&strategy=alpha")["summary"];
  EXPECT_EQ(fall["interval"]["startUtc"], "2026-11-01T04:00:00.000Z");  // 00:00 EDT
  EXPECT_EQ(fall["interval"]["endUtc"], "2026-11-02T05:00:00.000Z");    // 00:00 EST
  EXPECT_EQ(fall["realizedPnl"]["value"], "15");
  EXPECT_EQ(fall["realizedPnl"]["winCount"], 1);
  EXPECT_TRUE(fall["realizedPnl"]["warnings"].empty());  // n3 is not the day's
  // n2's and n3's orders (n3's went out at 23:59:59 EST, its fill is Nov 2's); n1's went out on
  // Oct 31.
  EXPECT_EQ(fall["executions"]["filledCount"], 2);
  const json next = GetOk("summary", "day=2026-11-02&strategy=alpha")["summary"];
  EXPECT_EQ(next["interval"]["startUtc"], "2026-11-02T05:00:00.000Z");
  EXPECT_EQ(next["realizedPnl"]["warnings"].size(), 1u);  // n3 sold what was not held
}

TEST_P(TradingReadApiTest, DecisionsOfTheDayNewestFirstByStatusAndLimit) {
  const json all = GetOk("decisions", "day=2026-03-10&strategy=alpha");
  EXPECT_EQ(all["interval"]["day"], "2026-03-10");
  EXPECT_EQ(Ids(all["items"]),
            (std::vector<std::string>{"h-f6", "h-c1", "h-f5", "h-f4", "h-f2", "h-f3", "h-f1",
                                      "h-r4", "h-r3", "h-r2", "h-r1"}));
  const json& f1 = all["items"][6];
  EXPECT_EQ(f1["strategy_id"], "alpha");
  EXPECT_EQ(f1["status"], "filled");
  EXPECT_EQ(f1["decision"]["llm_review"]["verdict"], "approve");
  EXPECT_EQ(f1["executed_at"], "2026-03-10T13:59:59.005Z");
  EXPECT_EQ(f1["alpaca_account_label"], "paper-test");
  const json rejected = GetOk("decisions", "day=2026-03-10&strategy=alpha&status=rejected");
  EXPECT_EQ(Ids(rejected["items"]), (std::vector<std::string>{"h-r4", "h-r3", "h-r2", "h-r1"}));
  EXPECT_EQ(rejected["items"][1]["decision"]["risk_reasons"],
            json::array({"market_closed", "cooldown_active", "max_notional_exceeded"}));
  EXPECT_TRUE(rejected["items"][0]["executed_at"].is_null());
  EXPECT_EQ(Ids(GetOk("decisions", "day=2026-03-10&strategy=alpha&limit=2")["items"]),
            (std::vector<std::string>{"h-f6", "h-c1"}));
  EXPECT_EQ(GetOk("decisions", "day=2026-03-10")["items"].size(), 11u + 3u);  // + g1, g2, rb
}

TEST_P(TradingReadApiTest, TextThatIsNotUtf8IsReplacedNotAFailure) {
  store::Decision d =
      store::testing_support::MakeDecision("h-bytes", "AAPL", Ms("2026-03-10T12:00:00Z"));
  d.strategy_name = "alpha";
  d.rationale = "close \xff\xfe below the band";
  d.inputs_json = "not json";
  if (pg()) {
    // Postgres refuses text that is not UTF-8 at the door: an error, and nothing stored.
    EXPECT_FALSE(store_->InsertDecision(d).ok());
    EXPECT_FALSE(store_->GetDecision("h-bytes")->has_value());
    return;
  }
  ASSERT_TRUE(store_->InsertDecision(d).ok());
  const json j = GetOk("decisions", "day=2026-03-10&strategy=alpha");
  ASSERT_FALSE(j["items"].empty());
  const json& item = j["items"].back();  // the oldest: 12:00
  EXPECT_EQ(item["id"], "h-bytes");
  EXPECT_EQ(item["rationale"], "close \xEF\xBF\xBD\xEF\xBF\xBD below the band");  // U+FFFD ×2
  EXPECT_TRUE(item["decision"]["inputs"].is_null());
}

TEST_P(TradingReadApiTest, ExecutionsOfTheDayNewestFirstWithTheirStrategy) {
  const json filled = GetOk("executions", "day=2026-03-10&strategy=alpha&status=filled");
  std::vector<std::string> expected;
  for (const char* id : {"f6", "f5", "f4", "f2", "f3", "f1"}) {
    expected.push_back(trading::ClientOrderIdFor(std::string("h-") + id));
  }
  EXPECT_EQ(Ids(filled["items"]), expected);
  const json& f6 = filled["items"][0];
  EXPECT_EQ(f6["strategy_id"], "alpha");
  EXPECT_EQ(f6["trade_decision_id"], "h-f6");
  EXPECT_EQ(f6["side"], "sell");
  EXPECT_EQ(f6["filled_qty"], "3");
  EXPECT_EQ(f6["avg_fill_price"], "260");
  EXPECT_EQ(f6["alpaca_order_id"], "broker-f6");
  const json canceled = GetOk("executions", "day=2026-03-10&strategy=alpha&status=canceled");
  ASSERT_EQ(canceled["items"].size(), 1u);
  EXPECT_EQ(canceled["items"][0]["trade_decision_id"], "h-c1");
  const json every = GetOk("executions", "day=2026-03-10&limit=500");
  ASSERT_EQ(every["items"].size(), 9u);  // alpha 7, beta 2
  int beta = 0;
  for (const json& e : every["items"]) beta += e["strategy_id"] == "beta" ? 1 : 0;
  EXPECT_EQ(beta, 2);
}

TEST_P(TradingReadApiTest, TheDayDefaultsToTodayInNewYork) {
  EXPECT_EQ(GetOk("summary", "")["summary"]["interval"]["day"], "2026-11-20");
  EXPECT_EQ(GetOk("executions", "day=2026-11-20")["interval"]["day"], "2026-11-20");
}

TEST_P(TradingReadApiTest, BadInputIs400WithAMessage) {
  struct Case {
    std::string route, query, mentions;
  };
  std::vector<Case> cases;
  for (const std::string route : {"summary", "executions", "decisions"}) {
    for (const std::string day : {"2026-3-10", "2026-02-30", "2026-13-01", "yesterday",
                                  "2026-03-10T00:00:00Z", "0000-01-01"}) {
      cases.push_back({route, "day=" + day, "YYYY-MM-DD"});
    }
    // Today in New York is Nov 20 (the clock's UTC date is already Nov 21).
    cases.push_back({route, "day=2026-11-21", "future"});
    cases.push_back({route, "day=2027-01-01&strategy=alpha", "future"});
    cases.push_back({route, "day=2026-03-10&strategy=nope", "unknown strategy 'nope'"});
    cases.push_back({route, "day=2026-03-10&tz=UTC", "tz must be America/New_York"});
    cases.push_back({route, "day=2026-03-10&tz=America/Chicago", "tz"});
  }
  for (const std::string route : {"executions", "decisions"}) {
    for (const std::string limit : {"0", "501", "-1", "abc", "", "1e2", "9999999999"}) {
      cases.push_back({route, "day=2026-03-10&limit=" + limit, "limit"});
    }
    cases.push_back({route, "day=2026-03-10&status=bogus", "status"});
  }
  cases.push_back({"executions", "day=2026-03-10&status=submitting", "status"});  // not a broker's
  for (const Case& c : cases) {
    const http::Response r = Get(c.route, c.query);
    EXPECT_EQ(r.status, 400) << c.route << "?" << c.query << ": " << r.body;
    const json j = json::parse(r.body, nullptr, false);
    EXPECT_EQ(j["ok"], false) << c.route << "?" << c.query;
    const std::string message = j.value("message", "");
    EXPECT_NE(message.find(c.mentions), std::string::npos)
        << c.route << "?" << c.query << ": " << message;
  }
  // The valid neighbours of those inputs are accepted.
  GetOk("summary", "day=2026-11-20&tz=America/New_York");
  GetOk("decisions", "day=2026-03-10&limit=1&status=rejected");
  GetOk("executions", "day=2026-03-10&limit=500&status=filled&strategy=beta");
}

TEST_P(TradingReadApiTest, AStoreThatCannotAnswerIs503) {
  if (pg()) {
    server_->Stop();
  } else {
    // SQLite has no server to stop: the tables every route reads are gone from under the store.
    for (const char* table :
         {"fills", "executions", "llm_decision_reviews", "trade_decisions", "strategies"}) {
      Raw(std::string("DROP TABLE ") + table);
    }
  }
  for (const std::string route : {"strategies", "summary", "executions", "decisions"}) {
    for (const std::string query : {"day=2026-03-10", "day=2026-03-10&strategy=alpha"}) {
      const http::Response r = Get(route, query);
      EXPECT_EQ(r.status, 503) << route << "?" << query << ": " << r.body;
      const json j = json::parse(r.body, nullptr, false);
      EXPECT_EQ(j["ok"], false);
      EXPECT_NE(j.value("message", "").find("trading store unavailable"), std::string::npos)
          << r.body;
    }
  }
  // Input is still checked first: a bad day is the caller's error, whatever the store's state.
  EXPECT_EQ(Get("summary", "day=nope").status, 400);
}

INSTANTIATE_TEST_SUITE_P(Backends, TradingReadApiTest, ::testing::Values("sqlite", "postgres"),
                         store::testing_support::BackendName);

TEST(TradingReadApiDisabled, EveryRouteIs503Disabled) {
  http::Router router;
  AddTradingReadApiDisabled(router);
  for (const char* route : {"strategies", "summary", "executions", "decisions"}) {
    http::Request r;
    r.method = "GET";
    r.path = std::string("/api/torghut/trading/") + route;
    const http::Response resp = router.Dispatch(r);
    EXPECT_EQ(resp.status, 503) << route;
    const json j = json::parse(resp.body, nullptr, false);
    EXPECT_EQ(j["ok"], false);
    EXPECT_EQ(j["disabled"], true);
    EXPECT_FALSE(j.value("message", "").empty());
  }
}

}  // namespace
}  // namespace torghut::api
