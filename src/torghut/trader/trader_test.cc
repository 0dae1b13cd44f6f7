// The trader's parts in process (tests/trade_process_test.cc runs the whole binary): the
// submitter's claim → send → record sequence against a broker that loses answers or is down,
// recovery of what a crash left behind, recovery under the kill switch, and the order sync's
// idempotent fills. The broker is the matching engine (the simulator's own) behind a wrapper that
// fails on purpose; the store is the trading store on SQLite in a scratch directory.
#include <gtest/gtest.h>

#include <memory>
#include <string>

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

  // A planned decision to buy `qty` AAPL at market, stored.
  trading::Decision Planned(const std::string& hash, const std::string& qty = "2") {
    trading::Decision d;
    d.decision_hash = hash;
    d.client_order_id = trading::ClientOrderIdFor(hash);
    d.strategy_name = "s1";
    d.symbol = "AAPL";
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
