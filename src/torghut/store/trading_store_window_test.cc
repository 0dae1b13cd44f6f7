// The trading page's reads (SPEC §7, §8) on every backend: decisions and executions of one
// strategy in a [from, to) window by status, position snapshots in a window, and LLM verdicts
// counted in a window.
#include "torghut/store/internal/trading_store_fixture.h"

namespace torghut::store {
namespace {

using namespace testing_support;  // NOLINT(google-build-using-namespace): the fixture's vocabulary

class TradingStoreWindow : public TradingStoreFixture {};

std::vector<std::string> Hashes(const std::vector<Decision>& ds) {
  std::vector<std::string> out;
  for (const Decision& d : ds) out.push_back(d.decision_hash);
  return out;
}

std::vector<std::string> Orders(const std::vector<Execution>& es) {
  std::vector<std::string> out;
  for (const Execution& e : es) out.push_back(e.client_order_id);
  return out;
}

// d0..d4 at kNow + 0..4 s: d0, d2, d4 of strategy "a" (d2 rejected), d1, d3 of "b" (d3 rejected);
// d4 on MSFT, the others on AAPL.
class TradingStoreWindowWithDecisions : public TradingStoreWindow {
 protected:
  void SetUp() override {
    TradingStoreWindow::SetUp();
    if (HasFatalFailure()) return;
    for (int i = 0; i < 5; ++i) {
      Decision d = MakeDecision("d" + std::to_string(i), i == 4 ? "MSFT" : "AAPL", kNow + i * 1000);
      d.strategy_name = i % 2 == 0 ? "a" : "b";
      if (i == 2 || i == 3) {
        d.status = DecisionStatus::kRejected;
        d.risk_reasons = {"cooldown_active"};
      }
      ASSERT_TRUE(store_->InsertDecision(d).ok());
      decisions_.push_back(d);
    }
  }
  std::vector<Decision> decisions_;
};

TEST_P(TradingStoreWindowWithDecisions, DecisionsByWindowStrategyAndStatusNewestFirst) {
  const TradingWindow all{kNow, kNow + 5000, ""};
  auto got = store_->ListDecisionsInWindow(all, std::nullopt, 0);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(Hashes(*got), (std::vector<std::string>{"d4", "d3", "d2", "d1", "d0"}));
  EXPECT_EQ((*got)[1].risk_reasons, std::vector<std::string>{"cooldown_active"});
  // [from, to): the start is in, the end is out.
  EXPECT_EQ(Hashes(*store_->ListDecisionsInWindow({kNow + 1000, kNow + 4000, ""}, {}, 0)),
            (std::vector<std::string>{"d3", "d2", "d1"}));
  EXPECT_EQ(Hashes(*store_->ListDecisionsInWindow({kNow, kNow + 5000, "a"}, {}, 0)),
            (std::vector<std::string>{"d4", "d2", "d0"}));
  EXPECT_EQ(Hashes(*store_->ListDecisionsInWindow(all, DecisionStatus::kRejected, 0)),
            (std::vector<std::string>{"d3", "d2"}));
  EXPECT_EQ(Hashes(*store_->ListDecisionsInWindow({kNow, kNow + 5000, "b"},
                                                  DecisionStatus::kRejected, 0)),
            std::vector<std::string>{"d3"});
  EXPECT_EQ(Hashes(*store_->ListDecisionsInWindow(all, std::nullopt, 2)),
            (std::vector<std::string>{"d4", "d3"}));
  EXPECT_TRUE(store_->ListDecisionsInWindow({kNow, kNow + 5000, "nobody"}, {}, 0)->empty());
  // One symbol (the chart's markers), with or without a strategy.
  EXPECT_EQ(Hashes(*store_->ListDecisionsInWindow({kNow, kNow + 5000, "", "MSFT"}, {}, 0)),
            std::vector<std::string>{"d4"});
  EXPECT_EQ(Hashes(*store_->ListDecisionsInWindow({kNow, kNow + 5000, "a", "AAPL"}, {}, 0)),
            (std::vector<std::string>{"d2", "d0"}));
  EXPECT_TRUE(store_->ListDecisionsInWindow({kNow, kNow + 5000, "", "TSLA"}, {}, 0)->empty());
  EXPECT_TRUE(store_->ListDecisionsInWindow(all, DecisionStatus::kFilled, 0)->empty());
}

TEST_P(TradingStoreWindowWithDecisions, ExecutionsByWindowTheirDecisionsStrategyAndStatus) {
  // Executions of d0 (a, filled), d1 (b, canceled), d4 (a, accepted), each 5 ms after its
  // decision.
  for (int i : {0, 1, 4}) {
    Execution e = MakeExecution(decisions_[i], "broker-" + std::to_string(i));
    e.status = i == 0   ? OrderStatus::kFilled
               : i == 1 ? OrderStatus::kCanceled
                        : OrderStatus::kAccepted;
    ASSERT_TRUE(store_->RecordSubmission(e, trading::DecisionStatusOf(e.status)).ok());
  }
  const std::string e0 = decisions_[0].client_order_id, e1 = decisions_[1].client_order_id,
                    e4 = decisions_[4].client_order_id;
  auto got = store_->ListExecutionsInWindow({kNow, kNow + 5000, ""}, std::nullopt, 0);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(Orders(*got), (std::vector<std::string>{e4, e1, e0}));
  EXPECT_EQ((*got)[0].broker_order_id, "broker-4");
  EXPECT_EQ(Orders(*store_->ListExecutionsInWindow({kNow, kNow + 5000, "a"}, {}, 0)),
            (std::vector<std::string>{e4, e0}));
  EXPECT_EQ(
      Orders(*store_->ListExecutionsInWindow({kNow, kNow + 5000, "a"}, OrderStatus::kFilled, 0)),
      std::vector<std::string>{e0});
  // d0's execution went out at kNow + 5: a window ending there excludes it.
  EXPECT_TRUE(store_->ListExecutionsInWindow({kNow, kNow + 5, ""}, {}, 0)->empty());
  EXPECT_EQ(Orders(*store_->ListExecutionsInWindow({kNow, kNow + 5000, ""}, {}, 1)),
            std::vector<std::string>{e4});
  EXPECT_EQ(Orders(*store_->ListExecutionsInWindow({kNow, kNow + 5000, "", "AAPL"}, {}, 0)),
            (std::vector<std::string>{e1, e0}));
  EXPECT_EQ(Orders(*store_->ListExecutionsInWindow({kNow, kNow + 5000, "a", "MSFT"}, {}, 0)),
            std::vector<std::string>{e4});
}

TEST_P(TradingStoreWindowWithDecisions, LlmVerdictsAreCountedInTheWindowByStrategy) {
  auto review = [&](int decision, trading::LlmVerdict v, EpochMillis at) {
    LlmReview l;
    l.decision_hash = decisions_[decision].decision_hash;
    l.model = "m";
    l.verdict = v;
    l.created_at = at;
    ASSERT_TRUE(store_->InsertLlmReview(l).ok());
  };
  using V = trading::LlmVerdict;
  review(0, V::kVeto, kNow);             // a
  review(0, V::kApprove, kNow + 1);      // a
  review(2, V::kApprove, kNow + 2);      // a
  review(1, V::kError, kNow + 3);        // b
  review(4, V::kAdjust, kNow + 10'000);  // a, after the window
  auto all = store_->CountLlmVerdicts({kNow, kNow + 5000, ""});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  // In the model's order (approve, veto, adjust, error, skipped), whatever the collation.
  EXPECT_EQ((*all)[0].verdict, V::kApprove);
  EXPECT_EQ((*all)[0].count, 2);
  EXPECT_EQ((*all)[1].verdict, V::kVeto);
  EXPECT_EQ((*all)[1].count, 1);
  EXPECT_EQ((*all)[2].verdict, V::kError);
  EXPECT_EQ((*all)[2].count, 1);
  auto a = store_->CountLlmVerdicts({kNow, kNow + 20'000, "a"});
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->size(), 3u);
  EXPECT_EQ((*a)[0].verdict, V::kApprove);
  EXPECT_EQ((*a)[0].count, 2);
  EXPECT_EQ((*a)[2].verdict, V::kAdjust);
  EXPECT_TRUE(store_->CountLlmVerdicts({kNow + 4, kNow + 5000, ""})->empty());
}

TEST_P(TradingStoreWindow, PositionSnapshotsInAWindowOldestFirst) {
  auto snap = [&](EpochMillis at, std::string_view equity) {
    PositionSnapshot p;
    p.taken_at = at;
    p.equity = D(equity);
    p.cash = D("100");
    p.buying_power = D("200");
    p.positions = {{"AAPL", D("3"), D("187.25"), D("561.75")}};
    ASSERT_TRUE(store_->InsertPositionSnapshot(p).ok());
  };
  snap(kNow + 2000, "100000.000000001");
  snap(kNow, "99999.5");
  snap(kNow + 4000, "100010");
  auto got = store_->ListPositionSnapshots(kNow, kNow + 4000);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].taken_at, kNow);
  EXPECT_EQ((*got)[0].equity, D("99999.5"));
  EXPECT_EQ((*got)[1].equity, D("100000.000000001"));
  EXPECT_EQ((*got)[1].positions.size(), 1u);
  EXPECT_EQ(store_->ListPositionSnapshots(kNow + 1, kNow + 5000)->size(), 2u);
  EXPECT_TRUE(store_->ListPositionSnapshots(kNow + 5000, kNow + 9000)->empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, TradingStoreWindow, ::testing::Values("sqlite", "postgres"),
                         BackendName);
INSTANTIATE_TEST_SUITE_P(Backends, TradingStoreWindowWithDecisions,
                         ::testing::Values("sqlite", "postgres"), BackendName);

}  // namespace
}  // namespace torghut::store
