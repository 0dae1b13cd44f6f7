// The trader's parts in process (tests/trade_process_test.cc runs the whole binary): the
// submitter's claim → send → record sequence against a broker that loses answers or is down,
// recovery of what a crash left behind, recovery under the kill switch, parallel sends over lanes
// (a symbol in order), and the order sync's idempotent fills. The broker is the matching engine
// (the simulator's own) behind a wrapper that fails on purpose; the store is the trading store on
// SQLite in a scratch directory.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "torghut/broker/matching_engine.h"
#include "torghut/core/calendar.h"
#include "torghut/core/clock.h"
#include "torghut/store/sqlite/sqlite_trading_store.h"
#include "torghut/testing/test_support.h"
#include "torghut/trader/order_sync.h"
#include "torghut/trader/portfolio_tracker.h"
#include "torghut/trader/submitter.h"
#include "torghut/trading/engine.h"

namespace torghut::trader {
namespace {

using trading::DecisionStatus;

constexpr int64_t kNowMs = 1'764'604'800'000;  // 2025-12-01T16:00:00Z, a Monday, market open

Decimal D(std::string_view text) {
  return Decimal::Parse(text).value();
}

// The matching engine, with switches that fail the next calls the way a network does.
class FlakyBroker final : public broker::Broker {
 public:
  explicit FlakyBroker(broker::MatchingEngine* engine) : engine_(engine) {}

  int lose_answers = 0;  // the next N submits create the order, then the answer is lost
  int down = 0;          // the next N calls do nothing and answer kUnavailable
  int submits = 0;       // SubmitOrder calls that reached the broker

  std::string_view name() const override { return "flaky"; }
  Result<broker::BrokerOrder> SubmitOrder(const broker::OrderRequest& r) override {
    if (Status s = Down(); !s.ok()) return s;
    ++submits;
    Result<broker::BrokerOrder> o = engine_->SubmitOrder(r);
    if (o.ok() && lose_answers > 0) {
      --lose_answers;
      return DeadlineExceeded("the answer was lost");
    }
    return o;
  }
  Result<std::optional<broker::BrokerOrder>> GetOrderByClientOrderId(std::string_view id) override {
    if (Status s = Down(); !s.ok()) return s;
    return engine_->GetOrderByClientOrderId(id);
  }
  Result<broker::BrokerOrder> GetOrder(std::string_view id) override {
    if (Status s = Down(); !s.ok()) return s;
    return engine_->GetOrder(id);
  }
  Result<std::vector<broker::BrokerOrder>> ListOrders(const broker::OrderQuery& q) override {
    return engine_->ListOrders(q);
  }
  Status CancelOrder(std::string_view id) override { return engine_->CancelOrder(id); }
  Result<std::vector<std::string>> CancelAllOrders() override { return engine_->CancelAllOrders(); }
  Result<broker::Account> GetAccount() override { return engine_->GetAccount(); }
  Result<std::vector<broker::BrokerPosition>> ListPositions() override {
    return engine_->ListPositions();
  }
  Result<broker::MarketClock> GetClock() override { return engine_->GetClock(); }

 private:
  Status Down() {
    if (down <= 0) return Status::Ok();
    --down;
    return Unavailable("connection refused");
  }
  broker::MatchingEngine* engine_;
};

// Orders over several connections: every lane is one of these over the same matching engine. A
// submit waits (up to 10 s) until two are inside at once, so POSTs sent one after another show as
// a peak of 1; the order in which each symbol's orders arrived is recorded.
class RendezvousBroker final : public broker::Broker {
 public:
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    broker::MatchingEngine* engine = nullptr;
    int inside = 0, peak = 0;
    std::map<std::string, std::vector<std::string>> arrivals;  // symbol → client order ids
  };
  explicit RendezvousBroker(Shared* shared) : shared_(shared) {}

  std::string_view name() const override { return "rendezvous"; }
  Result<broker::BrokerOrder> SubmitOrder(const broker::OrderRequest& r) override {
    std::unique_lock lock(shared_->mu);
    shared_->arrivals[r.symbol].push_back(r.client_order_id);
    shared_->peak = std::max(shared_->peak, ++shared_->inside);
    shared_->cv.notify_all();
    shared_->cv.wait_for(lock, std::chrono::seconds(10), [&] { return shared_->peak >= 2; });
    --shared_->inside;
    return shared_->engine->SubmitOrder(r);
  }
  Result<std::optional<broker::BrokerOrder>> GetOrderByClientOrderId(std::string_view id) override {
    std::lock_guard lock(shared_->mu);
    return shared_->engine->GetOrderByClientOrderId(id);
  }
  Result<broker::BrokerOrder> GetOrder(std::string_view id) override {
    std::lock_guard lock(shared_->mu);
    return shared_->engine->GetOrder(id);
  }
  Result<std::vector<broker::BrokerOrder>> ListOrders(const broker::OrderQuery& q) override {
    std::lock_guard lock(shared_->mu);
    return shared_->engine->ListOrders(q);
  }
  Status CancelOrder(std::string_view) override { return FailedPrecondition("not used here"); }
  Result<std::vector<std::string>> CancelAllOrders() override {
    return FailedPrecondition("not used here");
  }
  Result<broker::Account> GetAccount() override { return FailedPrecondition("not used here"); }
  Result<std::vector<broker::BrokerPosition>> ListPositions() override {
    return FailedPrecondition("not used here");
  }
  Result<broker::MarketClock> GetClock() override { return FailedPrecondition("not used here"); }

 private:
  Shared* shared_;
};

class TraderPartsTest : public ::testing::Test {
 protected:
  TraderPartsTest()
      : dir_("torghut-trader"),
        calendar_(TradingCalendar::NewYork().value()),
        matching_(broker::MatchingEngineOptions{}, calendar_),
        broker_(&matching_),
        clock_(kNowMs * kNanosPerMilli),
        engine_(trading::TradingSettings{}, &calendar_) {
    store_ = store::OpenSqliteTradingStore(dir_.path() / "trading.sqlite").value();
    EXPECT_TRUE(store_->Migrate().ok());
    matching_.AdvanceTo(kNowMs);
    matching_.OnTrade("AAPL", D("100"), D("1000"), kNowMs);
    sync_ = std::make_unique<OrderSync>(store_.get(), &engine_, &portfolio_, &clock_);
    broker::SubmitPolicy policy;
    policy.sleep = [](int64_t) {};  // backoffs take no time here
    submitter_ = std::make_unique<Submitter>(store_.get(), &broker_, sync_.get(), &clock_, policy);
  }

  // A planned decision to buy `qty` of `symbol` at market, stored.
  trading::Decision Planned(const std::string& hash, const std::string& qty = "2",
                            const std::string& symbol = "AAPL") {
    trading::Decision d;
    d.decision_hash = hash;
    d.client_order_id = trading::ClientOrderIdFor(hash);
    d.strategy_name = "s1";
    d.symbol = symbol;
    d.timeframe = trading::Timeframe::k1Sec;
    d.signal_event_ts = kNowMs - 1000;
    d.action = trading::Side::kBuy;
    d.qty = D(qty);
    d.reference_price = D("100");
    d.status = DecisionStatus::kPlanned;
    d.created_at = d.updated_at = kNowMs;
    EXPECT_TRUE(store_->InsertDecision(d).ok());
    return d;
  }
  DecisionStatus StatusOf(const std::string& hash) { return (*store_->GetDecision(hash))->status; }
  int OrdersAtTheBroker() {
    broker::OrderQuery q;
    q.status = "all";
    q.limit = 500;
    return static_cast<int>(matching_.ListOrders(q)->size());
  }

  testing::ScratchDir dir_;
  TradingCalendar calendar_;
  broker::MatchingEngine matching_;
  FlakyBroker broker_;
  FakeClock clock_;
  trading::TradingEngine engine_;
  PortfolioTracker portfolio_;
  std::unique_ptr<store::TradingStore> store_;
  std::unique_ptr<OrderSync> sync_;
  std::unique_ptr<Submitter> submitter_;
};

TEST_F(TraderPartsTest, AnAcceptedOrderIsRecordedWithItsExecution) {
  const trading::Decision d = Planned("h-ok");
  ASSERT_TRUE(submitter_->Submit(d).ok());
  EXPECT_NE(StatusOf("h-ok"), DecisionStatus::kPlanned);
  EXPECT_NE(StatusOf("h-ok"), DecisionStatus::kSubmitting);
  auto e = store_->GetExecution(d.client_order_id);
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_TRUE((*e)->broker_order_id.has_value());
  EXPECT_EQ((*e)->submitted_qty, D("2"));
  EXPECT_EQ(OrdersAtTheBroker(), 1);
  EXPECT_EQ(submitter_->counters().submitted, 1);
  // Submitting the same decision again claims nothing and sends nothing.
  ASSERT_TRUE(submitter_->Submit(d).ok());
  EXPECT_EQ(broker_.submits, 1);
}

// One step's orders: symbols in different lanes are POSTed at the same time, a symbol's own
// orders leave in decision order, and every one is recorded.
TEST_F(TraderPartsTest, OrdersOfDifferentSymbolsGoInParallelAndASymbolsInOrder) {
  RendezvousBroker::Shared shared;
  shared.engine = &matching_;
  RendezvousBroker lane0(&shared), lane1(&shared);
  broker::SubmitPolicy policy;
  policy.sleep = [](int64_t) {};
  Submitter submitter(store_.get(), &lane0, sync_.get(), &clock_, policy);
  submitter.SetLanes({&lane1});
  // Two symbols that the two lanes split (a symbol's lane is its hash modulo the lanes).
  std::string a, b;
  for (const char* s : {"AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "META", "GOOG", "AMD"}) {
    const size_t lane = std::hash<std::string_view>{}(s) % 2;
    if (lane == 0 && a.empty()) a = s;
    if (lane == 1 && b.empty()) b = s;
  }
  ASSERT_FALSE(a.empty() || b.empty());
  matching_.OnTrade(a, D("100"), D("1000"), kNowMs);
  matching_.OnTrade(b, D("100"), D("1000"), kNowMs);
  const std::vector<trading::Decision> decisions = {
      Planned("h-a1", "1", a), Planned("h-b1", "1", b), Planned("h-a2", "2", a),
      Planned("h-b2", "2", b), Planned("h-a3", "3", a)};
  std::vector<const trading::Decision*> batch;
  for (const trading::Decision& d : decisions) batch.push_back(&d);
  ASSERT_TRUE(submitter.SubmitAll(batch).ok());

  EXPECT_EQ(shared.peak, 2);  // one after another would never have two inside
  EXPECT_EQ(shared.arrivals[a],
            (std::vector<std::string>{decisions[0].client_order_id, decisions[2].client_order_id,
                                      decisions[4].client_order_id}));
  EXPECT_EQ(shared.arrivals[b],
            (std::vector<std::string>{decisions[1].client_order_id, decisions[3].client_order_id}));
  EXPECT_EQ(OrdersAtTheBroker(), 5);
  EXPECT_EQ(submitter.counters().submitted, 5);
  for (const trading::Decision& d : decisions) {
    EXPECT_NE(StatusOf(d.decision_hash), DecisionStatus::kPlanned) << d.decision_hash;
    EXPECT_NE(StatusOf(d.decision_hash), DecisionStatus::kSubmitting) << d.decision_hash;
    auto e = store_->GetExecution(d.client_order_id);
    ASSERT_TRUE(e.ok() && e->has_value()) << d.decision_hash;
    EXPECT_EQ((*e)->submitted_qty, d.qty);
  }
}

TEST_F(TraderPartsTest, ALostAnswerIsFoundByClientOrderIdNotSentAgain) {
  const trading::Decision d = Planned("h-lost");
  broker_.lose_answers = 1;
  ASSERT_TRUE(submitter_->Submit(d).ok());
  EXPECT_EQ(broker_.submits, 1);
  EXPECT_EQ(OrdersAtTheBroker(), 1);
  auto e = store_->GetExecution(d.client_order_id);
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_NE(StatusOf("h-lost"), DecisionStatus::kSubmitting);
}

TEST_F(TraderPartsTest, ABrokerThatStaysDownLeavesTheClaimAndRecoverySendsItOnce) {
  const trading::Decision d = Planned("h-down");
  broker_.down = 1000;
  EXPECT_TRUE(submitter_->Submit(d).ok());  // not a store failure: the decision waits
  EXPECT_EQ(StatusOf("h-down"), DecisionStatus::kSubmitting);
  EXPECT_EQ(OrdersAtTheBroker(), 0);
  EXPECT_EQ(submitter_->error_class(), "broker_unavailable");
  broker_.down = 0;
  ASSERT_TRUE(submitter_->Recover(/*planned_too=*/false, 0, /*kill_switch=*/false).ok());
  EXPECT_EQ(OrdersAtTheBroker(), 1);
  EXPECT_NE(StatusOf("h-down"), DecisionStatus::kSubmitting);
  // A second recovery has nothing left to do.
  ASSERT_TRUE(submitter_->Recover(false, 0, false).ok());
  EXPECT_EQ(OrdersAtTheBroker(), 1);
}

TEST_F(TraderPartsTest, AClaimWhoseOrderReachedTheBrokerBeforeACrashIsRecoveredByLookup) {
  // The crash window after the POST: the broker has the order, the store only the claim.
  const trading::Decision d = Planned("h-crash");
  ASSERT_TRUE(*store_->ClaimForSubmission("h-crash", kNowMs));
  broker::OrderRequest r;
  r.client_order_id = d.client_order_id;
  r.symbol = "AAPL";
  r.qty = D("2");
  ASSERT_TRUE(matching_.SubmitOrder(r).ok());
  ASSERT_TRUE(submitter_->Recover(true, 0, false).ok());
  EXPECT_EQ(broker_.submits, 0);  // looked up, never sent
  EXPECT_EQ(OrdersAtTheBroker(), 1);
  EXPECT_EQ(submitter_->counters().recovered, 1);
  auto e = store_->GetExecution(d.client_order_id);
  ASSERT_TRUE(e.ok() && e->has_value());
}

TEST_F(TraderPartsTest, UnderTheKillSwitchRecoveryRejectsWhatWasPlannedAndSettlesClaims) {
  Planned("h-planned");
  const trading::Decision claimed = Planned("h-claimed");
  ASSERT_TRUE(*store_->ClaimForSubmission("h-claimed", kNowMs));
  ASSERT_TRUE(submitter_->Recover(/*planned_too=*/true, 0, /*kill_switch=*/true).ok());
  auto planned = store_->GetDecision("h-planned");
  ASSERT_TRUE(planned.ok() && planned->has_value());
  EXPECT_EQ((*planned)->status, DecisionStatus::kRejected);
  EXPECT_EQ((*planned)->risk_reasons, std::vector<std::string>{"kill_switch"});
  // The claim was decided before the switch: settled with the broker (it had no order: sent).
  EXPECT_NE(StatusOf("h-claimed"), DecisionStatus::kSubmitting);
  EXPECT_EQ(OrdersAtTheBroker(), 1);
  EXPECT_TRUE(store_->GetExecution(claimed.client_order_id)->has_value());
}

TEST_F(TraderPartsTest, AStalePlannedDecisionIsRejectedNotSent) {
  Planned("h-old");
  clock_.AdvanceMillis(120'000);
  ASSERT_TRUE(submitter_->Recover(true, /*max_age_ms=*/60'000, false).ok());
  auto d = store_->GetDecision("h-old");
  EXPECT_EQ((*d)->status, DecisionStatus::kRejected);
  EXPECT_EQ((*d)->risk_reasons, std::vector<std::string>{"stale_signal"});
  EXPECT_EQ(OrdersAtTheBroker(), 0);
}

TEST_F(TraderPartsTest, AFillReportedTwiceAndThenByReconciliationIsStoredOnce) {
  const trading::Decision d = Planned("h-fill", "5");
  ASSERT_TRUE(submitter_->Submit(d).ok());
  matching_.OnTrade("AAPL", D("100.5"), D("1000"), kNowMs + 10);
  std::vector<broker::TradeUpdate> events = matching_.TakeEvents();
  const broker::TradeUpdate* fill = nullptr;
  for (const broker::TradeUpdate& u : events) {
    if (u.event == "fill") fill = &u;
  }
  ASSERT_NE(fill, nullptr);
  ASSERT_TRUE(sync_->ApplyUpdate(*fill).ok());
  ASSERT_TRUE(sync_->ApplyUpdate(*fill).ok());       // the stream repeats itself
  ASSERT_TRUE(sync_->ApplyOrder(fill->order).ok());  // and reconciliation reads the same order
  auto fills = store_->ListFills({INT64_MIN, INT64_MAX, ""});
  ASSERT_TRUE(fills.ok());
  ASSERT_EQ(fills->size(), 1u);
  EXPECT_EQ((*fills)[0].qty, D("5"));
  EXPECT_EQ((*fills)[0].price, D("100.5"));
  EXPECT_EQ((*fills)[0].strategy_name, "s1");
  EXPECT_EQ(StatusOf("h-fill"), DecisionStatus::kFilled);
  EXPECT_EQ(sync_->counters().fills, 1);
}

TEST(BrokerErrorClass, NamesTheReadinessReasonOfEachBrokerFailure) {
  EXPECT_EQ(BrokerErrorClass(Status::Ok()), "");
  EXPECT_EQ(BrokerErrorClass(InvalidArgument("qty")), "");  // the order's own fault
  EXPECT_EQ(BrokerErrorClass(FailedPrecondition("buying power")), "");
  EXPECT_EQ(BrokerErrorClass(Unauthenticated("key")), "alpaca_auth");
  EXPECT_EQ(BrokerErrorClass(PermissionDenied("forbidden")), "alpaca_auth");
  EXPECT_EQ(BrokerErrorClass(ResourceExhausted("429")), "broker_rate_limited");
  EXPECT_EQ(BrokerErrorClass(DeadlineExceeded("timeout")), "broker_uncertain");
  EXPECT_EQ(BrokerErrorClass(Unavailable("refused")), "broker_unavailable");
}

}  // namespace
}  // namespace torghut::trader
