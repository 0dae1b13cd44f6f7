// What the trader needs from the trading store (SPEC §6), on every backend: crash recovery by
// status, the durable claim before an order is sent, the evaluation commit (decisions, cursors and
// bus offsets in one transaction), fills, and the open-order set reconciliation walks.
#include <atomic>
#include <thread>

#include "torghut/store/internal/trading_store_fixture.h"

namespace torghut::store {
namespace {

using namespace testing_support;  // NOLINT(google-build-using-namespace): the fixture's vocabulary

class TradingStoreTrader : public TradingStoreFixture {};

std::vector<std::string> Hashes(const std::vector<Decision>& ds) {
  std::vector<std::string> out;
  for (const Decision& d : ds) out.push_back(d.decision_hash);
  return out;
}

TEST_P(TradingStoreTrader, RecoveryListsPlannedAndSubmittingOldestFirst) {
  // Inserted out of time order, in every lifecycle state that matters.
  const std::vector<std::pair<std::string, DecisionStatus>> rows = {
      {"d3", DecisionStatus::kPlanned},   {"d1", DecisionStatus::kSubmitting},
      {"d5", DecisionStatus::kRejected},  {"d2", DecisionStatus::kPlanned},
      {"d4", DecisionStatus::kSubmitted}, {"d6", DecisionStatus::kFilled}};
  for (const auto& [hash, status] : rows) {
    Decision d = MakeDecision(hash, "AAPL", kNow + (hash[1] - '0') * 1000);
    d.status = status;
    ASSERT_TRUE(store_->InsertDecision(d).ok());
  }
  auto recover =
      store_->ListDecisionsByStatus({DecisionStatus::kPlanned, DecisionStatus::kSubmitting});
  ASSERT_TRUE(recover.ok()) << recover.status().ToString();
  EXPECT_EQ(Hashes(*recover), (std::vector<std::string>{"d1", "d2", "d3"}));
  EXPECT_EQ(Hashes(*store_->ListDecisionsByStatus({DecisionStatus::kFilled})),
            std::vector<std::string>{"d6"});
  EXPECT_TRUE(store_->ListDecisionsByStatus({DecisionStatus::kCanceled})->empty());
  EXPECT_TRUE(store_->ListDecisionsByStatus({})->empty());
  // Every status at once lists everything.
  const auto all = trading::AllDecisionStatuses();
  EXPECT_EQ(store_->ListDecisionsByStatus({all.begin(), all.end()})->size(), rows.size());
}

TEST_P(TradingStoreTrader, AClaimMovesOnlyAPlannedDecisionAndOnlyOnce) {
  ASSERT_TRUE(store_->InsertDecision(MakeDecision("p")).ok());
  Decision rejected = MakeDecision("r");
  rejected.status = DecisionStatus::kRejected;
  ASSERT_TRUE(store_->InsertDecision(rejected).ok());

  auto first = store_->ClaimForSubmission("p", kNow + 7);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(*first);
  auto got = store_->GetDecision("p");
  EXPECT_EQ((*got)->status, DecisionStatus::kSubmitting);
  EXPECT_EQ((*got)->updated_at, kNow + 7);
  EXPECT_FALSE(*store_->ClaimForSubmission("p", kNow + 8));  // already claimed
  EXPECT_EQ((*store_->GetDecision("p"))->updated_at, kNow + 7);
  EXPECT_FALSE(*store_->ClaimForSubmission("r", kNow + 8));  // a rejected decision is never sent
  EXPECT_EQ((*store_->GetDecision("r"))->status, DecisionStatus::kRejected);
  EXPECT_EQ(store_->ClaimForSubmission("ghost", kNow).status().code(), StatusCode::kNotFound);

  // The claim survives a new connection (it is durable), and the outcome is recorded with it.
  std::unique_ptr<TradingStore> after_restart = Open();
  EXPECT_EQ(Hashes(*after_restart->ListDecisionsByStatus({DecisionStatus::kSubmitting})),
            std::vector<std::string>{"p"});
  Execution e = MakeExecution(*store_->GetDecision("p").value(), "broker-p");
  ASSERT_TRUE(after_restart->RecordSubmission(e, DecisionStatus::kSubmitted).ok());
  EXPECT_EQ((*store_->GetDecision("p"))->status, DecisionStatus::kSubmitted);
}

TEST_P(TradingStoreTrader, ConcurrentClaimersWinEachDecisionOnce) {
  constexpr int kDecisions = 60;
  for (int i = 0; i < kDecisions; ++i) {
    ASSERT_TRUE(store_->InsertDecision(MakeDecision("c" + std::to_string(i))).ok());
  }
  std::atomic<int> won{0};
  auto claimer = [&] {
    std::unique_ptr<TradingStore> store = Open();
    for (int i = 0; i < kDecisions; ++i) {
      auto r = store->ClaimForSubmission("c" + std::to_string(i), kNow);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      if (*r) won++;
    }
  };
  std::thread a(claimer), b(claimer);
  a.join();
  b.join();
  EXPECT_EQ(won.load(), kDecisions);
  EXPECT_EQ(store_->ListDecisionsByStatus({DecisionStatus::kSubmitting})->size(),
            static_cast<size_t>(kDecisions));
}

TEST_P(TradingStoreTrader, AnEvaluationCommitsDecisionsCursorsAndOffsetsTogether) {
  EvaluationBatch batch;
  batch.decisions = {MakeDecision("e1", "AAPL"), MakeDecision("e2", "MSFT")};
  batch.cursors = {{"macd-rsi-default", "AAPL", Timeframe::k1Min, kNow - 60'000, kNow},
                   {"macd-rsi-default", "MSFT", Timeframe::k1Min, kNow - 60'000, kNow}};
  batch.offsets = {{"torghut-trading", "ta.signals", 0, 41, kNow},
                   {"torghut-trading", "ta.signals", 1, 7, kNow}};
  auto first = store_->CommitEvaluation(batch);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, (std::vector<bool>{true, true}));

  // A re-delivered bar: the same decisions are not inserted again and an older cursor does not
  // move the stored one back; a newer cursor and the offsets do advance.
  EvaluationBatch again;
  again.decisions = {MakeDecision("e1", "AAPL"), MakeDecision("e3", "AAPL", kNow + 60'000)};
  again.cursors = {{"macd-rsi-default", "AAPL", Timeframe::k1Min, kNow - 120'000, kNow + 1},
                   {"macd-rsi-default", "MSFT", Timeframe::k1Min, kNow, kNow + 1},
                   {"macd-rsi-default", "MSFT", Timeframe::k1Sec, kNow - 1000, kNow + 1}};
  again.offsets = {{"torghut-trading", "ta.signals", 0, 45, kNow + 1},
                   {"other-group", "ta.signals", 0, 3, kNow + 1}};
  auto second = store_->CommitEvaluation(again);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(*second, (std::vector<bool>{false, true}));

  auto aapl = store_->GetCursor("macd-rsi-default", "AAPL", Timeframe::k1Min);
  ASSERT_TRUE(aapl.ok() && aapl->has_value()) << aapl.status().ToString();
  EXPECT_EQ((*aapl)->event_ts, kNow - 60'000);
  EXPECT_EQ((*aapl)->updated_at, kNow);
  auto msft = store_->GetCursor("macd-rsi-default", "MSFT", Timeframe::k1Min);
  EXPECT_EQ((*msft)->event_ts, kNow);
  EXPECT_EQ((*msft)->updated_at, kNow + 1);
  EXPECT_FALSE(store_->GetCursor("macd-rsi-default", "AAPL", Timeframe::k1Sec)->has_value());
  EXPECT_FALSE(store_->GetCursor("other", "AAPL", Timeframe::k1Min)->has_value());

  auto cursors = store_->ListCursors();
  ASSERT_TRUE(cursors.ok());
  ASSERT_EQ(cursors->size(), 3u);
  EXPECT_EQ((*cursors)[1].symbol, "MSFT");
  EXPECT_EQ((*cursors)[1].timeframe, Timeframe::k1Min);
  EXPECT_EQ((*cursors)[2].timeframe, Timeframe::k1Sec);

  auto offsets = store_->ListBusOffsets("torghut-trading");
  ASSERT_TRUE(offsets.ok()) << offsets.status().ToString();
  ASSERT_EQ(offsets->size(), 2u);
  EXPECT_EQ((*offsets)[0].partition, 0);
  EXPECT_EQ((*offsets)[0].next_offset, 45);
  EXPECT_EQ((*offsets)[0].updated_at, kNow + 1);
  EXPECT_EQ((*offsets)[1].partition, 1);
  EXPECT_EQ((*offsets)[1].next_offset, 7);
  EXPECT_EQ(store_->ListBusOffsets("other-group")->size(), 1u);
  EXPECT_TRUE(store_->ListBusOffsets("nobody")->empty());
  EXPECT_EQ(store_->ListDecisions("", 0, 10)->size(), 3u);

  // One bad decision (another hash reusing a client order id) and nothing of the batch is kept.
  EvaluationBatch bad;
  Decision clash = MakeDecision("e9");
  clash.client_order_id = trading::ClientOrderIdFor("e1");
  bad.decisions = {MakeDecision("e4", "AAPL", kNow + 120'000), clash};
  bad.cursors = {{"macd-rsi-default", "AAPL", Timeframe::k1Min, kNow + 120'000, kNow + 2}};
  bad.offsets = {{"torghut-trading", "ta.signals", 0, 99, kNow + 2}};
  EXPECT_EQ(store_->CommitEvaluation(bad).status().code(), StatusCode::kAlreadyExists);
  EXPECT_FALSE(store_->GetDecision("e4")->has_value());
  EXPECT_EQ((*store_->GetCursor("macd-rsi-default", "AAPL", Timeframe::k1Min))->event_ts,
            kNow - 60'000);
  EXPECT_EQ(store_->ListBusOffsets("torghut-trading")->front().next_offset, 45);

  // An empty batch is a no-op, not an error.
  auto empty = store_->CommitEvaluation({});
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(empty->empty());
}

TEST_P(TradingStoreTrader, FillsAreStoredOnceAndListedByWindow) {
  auto fill = [](std::string id, std::string strategy, EpochMillis at, std::string_view qty) {
    Fill f;
    f.fill_id = std::move(id);
    f.client_order_id = "th-order-1";
    f.strategy_name = std::move(strategy);
    f.symbol = "AAPL";
    f.side = trading::Side::kBuy;
    f.qty = D(qty);
    f.price = D("187.123456789");
    f.filled_at = at;
    return f;
  };
  // No execution is recorded for th-order-1: a fill may arrive first.
  auto first = store_->InsertFill(fill("f1", "s1", kNow, "1.5"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(*first);
  EXPECT_FALSE(*store_->InsertFill(fill("f1", "s1", kNow, "999")));  // reported twice
  ASSERT_TRUE(store_->InsertFill(fill("f3", "s2", kNow + 2000, "1")).ok());
  ASSERT_TRUE(store_->InsertFill(fill("f2", "s1", kNow + 1000, "0.000000001")).ok());
  Fill sell = fill("f4", "s1", kNow + 3000, "2.5");
  sell.side = trading::Side::kSell;
  ASSERT_TRUE(store_->InsertFill(sell).ok());

  auto all = store_->ListFills({kNow, kNow + 3001, ""});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].fill_id, "f1");
  EXPECT_EQ((*all)[0].qty, D("1.5"));  // the first report is kept
  EXPECT_EQ((*all)[0].price, D("187.123456789"));
  EXPECT_EQ((*all)[0].client_order_id, "th-order-1");
  EXPECT_EQ((*all)[0].filled_at, kNow);
  EXPECT_EQ((*all)[1].fill_id, "f2");
  EXPECT_EQ((*all)[1].qty, D("0.000000001"));
  EXPECT_EQ((*all)[3].side, trading::Side::kSell);
  // [from, to): the window's end is excluded, its start included.
  auto window = store_->ListFills({kNow + 1000, kNow + 3000, ""});
  ASSERT_TRUE(window.ok());
  ASSERT_EQ(window->size(), 2u);
  EXPECT_EQ((*window)[0].fill_id, "f2");
  EXPECT_EQ((*window)[1].fill_id, "f3");
  auto s1 = store_->ListFills({0, kNow + 10'000, "s1"});
  ASSERT_TRUE(s1.ok());
  ASSERT_EQ(s1->size(), 3u);
  for (const Fill& f : *s1) EXPECT_EQ(f.strategy_name, "s1");
  EXPECT_TRUE(store_->ListFills({kNow + 4000, kNow + 5000, ""})->empty());
  // One symbol's fills (the chart's markers).
  Fill msft = fill("f5", "s2", kNow + 1500, "3");
  msft.symbol = "MSFT";
  ASSERT_TRUE(store_->InsertFill(msft).ok());
  auto only_msft = store_->ListFills({0, kNow + 10'000, "", "MSFT"});
  ASSERT_TRUE(only_msft.ok()) << only_msft.status().ToString();
  ASSERT_EQ(only_msft->size(), 1u);
  EXPECT_EQ((*only_msft)[0].fill_id, "f5");
  EXPECT_EQ(store_->ListFills({0, kNow + 10'000, "s2", "AAPL"})->size(), 1u);  // f3
  // The whole of time is a valid window (the trader asks for it at start), on both backends.
  auto ever = store_->ListFills({INT64_MIN, INT64_MAX, ""});
  ASSERT_TRUE(ever.ok()) << ever.status().ToString();
  EXPECT_EQ(ever->size(), 5u);
}

TEST_P(TradingStoreTrader, OpenExecutionsAreExactlyTheNonTerminalStatuses) {
  std::vector<std::string> expected_open;
  int i = 0;
  for (OrderStatus status : trading::AllOrderStatuses()) {
    const Decision d = MakeDecision("x" + std::to_string(i), "AAPL", kNow + i);
    ASSERT_TRUE(store_->InsertDecision(d).ok());
    Execution e = MakeExecution(d, "broker-" + std::to_string(i));
    e.status = status;
    ASSERT_TRUE(store_->RecordSubmission(e, trading::DecisionStatusOf(status)).ok());
    EXPECT_EQ((*store_->GetDecision(d.decision_hash))->status, trading::DecisionStatusOf(status));
    if (!trading::IsTerminal(status)) expected_open.push_back(d.client_order_id);
    ++i;
  }
  auto open = store_->ListOpenExecutions();
  ASSERT_TRUE(open.ok()) << open.status().ToString();
  std::vector<std::string> got;
  for (const Execution& e : *open) {
    EXPECT_FALSE(trading::IsTerminal(e.status)) << ToString(e.status);
    got.push_back(e.client_order_id);
  }
  EXPECT_EQ(got, expected_open);  // oldest first
  EXPECT_EQ(got.size(), trading::AllOrderStatuses().size() - 6);
}

INSTANTIATE_TEST_SUITE_P(Backends, TradingStoreTrader, ::testing::Values("sqlite", "postgres"),
                         BackendName);

}  // namespace
}  // namespace torghut::store
