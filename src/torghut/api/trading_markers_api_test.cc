// The chart's trade markers (GET /api/torghut/trading/markers) over a real trading store, SQLite
// and a Postgres 15 the test starts: one symbol's decisions and fills in the range, oldest first,
// each fill linked to its decision, the limit, and every bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "torghut/api/trading_read_api.h"
#include "torghut/core/time.h"
#include "torghut/store/internal/trading_store_fixture.h"

namespace torghut::api {
namespace {

using nlohmann::json;
using store::testing_support::D;
using store::testing_support::kNow;
using trading::DecisionStatus;
using trading::Side;

// Strategy "alpha" on AAPL: a buy taken at kNow (filled at kNow + 1 s in two fills of 2 and 3
// shares), a sell rejected at kNow + 10 s [cooldown_active, max_notional_exceeded], a sell taken
// at kNow + 20 s and filled at kNow + 21 s. Strategy "beta": a buy of MSFT at kNow + 5 s, filled.
// A fill at kNow + 30 s whose decision was taken before the range (kNow − 1 h).
class TradingMarkersApiTest : public store::testing_support::TradingStoreFixture {
 protected:
  void SetUp() override {
    TradingStoreFixture::SetUp();
    if (HasFatalFailure()) return;
    for (const char* name : {"alpha", "beta"}) {
      trading::Strategy s;
      s.name = name;
      s.type = "macd-rsi";
      s.symbols = {"AAPL", "MSFT"};
      ASSERT_TRUE(store_->UpsertStrategy(s).ok());
    }
    Decide("buy", "alpha", "AAPL", Side::kBuy, kNow, DecisionStatus::kFilled, {});
    Fill("buy-1", "buy", "alpha", "AAPL", Side::kBuy, "2", "100.25", kNow + 1000);
    Fill("buy-2", "buy", "alpha", "AAPL", Side::kBuy, "3", "100.5", kNow + 1001);
    Decide("no", "alpha", "AAPL", Side::kSell, kNow + 10'000, DecisionStatus::kRejected,
           {"cooldown_active", "max_notional_exceeded"});
    Decide("sell", "alpha", "AAPL", Side::kSell, kNow + 20'000, DecisionStatus::kFilled, {});
    Fill("sell-1", "sell", "alpha", "AAPL", Side::kSell, "5", "101", kNow + 21'000);
    Decide("msft", "beta", "MSFT", Side::kBuy, kNow + 5000, DecisionStatus::kFilled, {});
    Fill("msft-1", "msft", "beta", "MSFT", Side::kBuy, "1", "400", kNow + 6000);
    Decide("old", "alpha", "AAPL", Side::kBuy, kNow - 3'600'000, DecisionStatus::kFilled, {});
    Fill("old-1", "old", "alpha", "AAPL", Side::kBuy, "1", "99", kNow + 30'000);
    clock_.Set((kNow + 60'000) * 1'000'000);
    ASSERT_TRUE(AddTradingReadApi(router_, store_.get(), &clock_).ok());
  }

  void Decide(const std::string& id, const std::string& strategy, const std::string& symbol,
              Side side, store::EpochMillis at, DecisionStatus status,
              std::vector<std::string> reasons) {
    store::Decision d = store::testing_support::MakeDecision("h-" + id, symbol, at);
    d.strategy_name = strategy;
    d.action = side;
    d.status = status;
    d.risk_reasons = std::move(reasons);
    ASSERT_TRUE(store_->InsertDecision(d).ok());
  }

  void Fill(const std::string& id, const std::string& decision, const std::string& strategy,
            const std::string& symbol, Side side, std::string_view qty, std::string_view price,
            store::EpochMillis at) {
    trading::Fill f;
    f.fill_id = id;
    f.client_order_id = trading::ClientOrderIdFor("h-" + decision);
    f.strategy_name = strategy;
    f.symbol = symbol;
    f.side = side;
    f.qty = D(qty);
    f.price = D(price);
    f.filled_at = at;
    ASSERT_TRUE(store_->InsertFill(f).ok());
  }

  http::Response Get(const std::string& query) {
    http::Request r;
    r.method = "GET";
    r.path = "/api/torghut/trading/markers";
    EXPECT_TRUE(http::ParseQuery(query, &r.query));
    return router_.Dispatch(r);
  }
  json GetOk(const std::string& query) {
    const http::Response r = Get(query);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }
  static std::string Range(store::EpochMillis from, store::EpochMillis to) {
    return "&from=" + std::to_string(from) + "&to=" + std::to_string(to);
  }
  static std::vector<std::string> Ids(const json& items) {
    std::vector<std::string> out;
    for (const json& i : items) out.push_back(i["id"].get<std::string>());
    return out;
  }

  FakeClock clock_;
  http::Router router_;
};

TEST_P(TradingMarkersApiTest, OneSymbolsDecisionsAndFillsInTheRangeOldestFirst) {
  const json j = GetOk("symbol=AAPL" + Range(kNow, kNow + 60'000));
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["symbol"], "AAPL");
  EXPECT_TRUE(j["strategy"].is_null());
  EXPECT_EQ(j["truncated"], false);
  EXPECT_EQ(j["range"]["from"], FormatRfc3339(Timestamp::FromMillis(kNow), FracDigits::kMillis));
  // MSFT's are not AAPL's; "old" was decided before the range.
  EXPECT_EQ(Ids(j["decisions"]), (std::vector<std::string>{"h-buy", "h-no", "h-sell"}));
  const json& rejected = j["decisions"][1];
  EXPECT_EQ(rejected["status"], "rejected");
  EXPECT_EQ(rejected["action"], "sell");
  EXPECT_EQ(rejected["risk_reasons"],
            (std::vector<std::string>{"cooldown_active", "max_notional_exceeded"}));
  EXPECT_EQ(rejected["strategy_id"], "alpha");
  EXPECT_EQ(rejected["timeframe"], "1Min");
  // The evaluated bar's end, where the chart draws the decision (the fixture's: 1 min before).
  EXPECT_EQ(rejected["event_ts"],
            FormatRfc3339(Timestamp::FromMillis(kNow + 10'000 - 60'000), FracDigits::kMillis));
  EXPECT_EQ(rejected["rationale"], "macd above signal, rsi below 35");
  EXPECT_EQ(rejected["reference_price"], "187.25");

  EXPECT_EQ(Ids(j["fills"]), (std::vector<std::string>{"buy-1", "buy-2", "sell-1", "old-1"}));
  const json& second = j["fills"][1];
  EXPECT_EQ(second["decision_id"], "h-buy");
  EXPECT_EQ(second["side"], "buy");
  EXPECT_EQ(second["qty"], "3");
  EXPECT_EQ(second["price"], "100.5");
  EXPECT_EQ(second["strategy_id"], "alpha");
  EXPECT_EQ(second["filled_at"],
            FormatRfc3339(Timestamp::FromMillis(kNow + 1001), FracDigits::kMillis));
  EXPECT_EQ(j["fills"][2]["decision_id"], "h-sell");
  // A fill whose decision is outside the range has no decision to point at.
  EXPECT_TRUE(j["fills"][3]["decision_id"].is_null());

  // [from, to): the fill at kNow + 1001 and the rejection at kNow + 10 s are out of [+1001, +10 s).
  const json part = GetOk("symbol=AAPL" + Range(kNow + 1000, kNow + 10'000));
  EXPECT_TRUE(part["decisions"].empty());
  EXPECT_EQ(Ids(part["fills"]), (std::vector<std::string>{"buy-1", "buy-2"}));
  // RFC 3339 bounds and one strategy.
  const json beta = GetOk("symbol=MSFT&strategy=beta&from=" +
                          FormatRfc3339(Timestamp::FromMillis(kNow), FracDigits::kMillis) +
                          "&to=" + std::to_string((kNow + 60'000) / 1000));
  EXPECT_EQ(Ids(beta["decisions"]), std::vector<std::string>{"h-msft"});
  EXPECT_EQ(Ids(beta["fills"]), std::vector<std::string>{"msft-1"});
  EXPECT_TRUE(GetOk("symbol=MSFT&strategy=alpha" + Range(kNow, kNow + 60'000))["fills"].empty());
  // A symbol with no trading is an empty answer, not an error.
  const json none = GetOk("symbol=TSLA" + Range(kNow, kNow + 60'000));
  EXPECT_TRUE(none["decisions"].empty());
  EXPECT_TRUE(none["fills"].empty());
}

TEST_P(TradingMarkersApiTest, TheLimitKeepsTheNewestAndSaysSo) {
  const json j = GetOk("symbol=AAPL&limit=2" + Range(kNow, kNow + 60'000));
  EXPECT_EQ(j["truncated"], true);
  EXPECT_EQ(Ids(j["decisions"]), (std::vector<std::string>{"h-no", "h-sell"}));
  EXPECT_EQ(Ids(j["fills"]), (std::vector<std::string>{"sell-1", "old-1"}));
  EXPECT_EQ(GetOk("symbol=AAPL&limit=3" + Range(kNow, kNow + 60'000))["truncated"], true);
  EXPECT_EQ(GetOk("symbol=AAPL&limit=4" + Range(kNow, kNow + 60'000))["truncated"], false);
}

TEST_P(TradingMarkersApiTest, BadInputIs400WithAMessage) {
  const std::string ok_range = Range(kNow, kNow + 60'000);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"from=1&to=2", "symbol is required"},
      {"symbol=aapl" + ok_range, "must match"},
      {"symbol=AAPL&to=2", "from is required"},
      {"symbol=AAPL&from=1", "to is required"},
      {"symbol=AAPL&from=yesterday&to=2", "from:"},
      {"symbol=AAPL" + Range(kNow, kNow - 1), "to must not be before from"},
      {"symbol=AAPL" + Range(kNow, kNow + 7 * 86'400'000LL + 1), "at most 7 days"},
      {"symbol=AAPL&limit=0" + ok_range, "limit must be an integer in [1, 5000]"},
      {"symbol=AAPL&limit=5001" + ok_range, "limit"},
      {"symbol=AAPL&strategy=nope" + ok_range, "unknown strategy 'nope'"},
  };
  for (const auto& [query, mentions] : cases) {
    const http::Response r = Get(query);
    EXPECT_EQ(r.status, 400) << query << ": " << r.body;
    const json j = json::parse(r.body, nullptr, false);
    EXPECT_EQ(j["ok"], false) << query;
    EXPECT_NE(j.value("message", "").find(mentions), std::string::npos) << query << ": " << r.body;
  }
  // Exactly 7 days and the largest limit are accepted.
  GetOk("symbol=AAPL&limit=5000" + Range(kNow, kNow + 7 * 86'400'000LL));
}

INSTANTIATE_TEST_SUITE_P(Backends, TradingMarkersApiTest, ::testing::Values("sqlite", "postgres"),
                         store::testing_support::BackendName);

TEST(TradingMarkersApiDisabled, IsDisabledWithTheRest) {
  http::Router router;
  AddTradingReadApiDisabled(router);
  http::Request r;
  r.method = "GET";
  r.path = "/api/torghut/trading/markers";
  const http::Response resp = router.Dispatch(r);
  EXPECT_EQ(resp.status, 503);
  EXPECT_EQ(json::parse(resp.body, nullptr, false)["disabled"], true);
}

}  // namespace
}  // namespace torghut::api
