// One conformance suite for every trading store backend: SQLite, and Postgres 15 started by the
// test (initdb + pg_ctl on loopback). A server that cannot start fails the test.
#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <thread>

#include "torghut/store/postgres/postgres_trading_store.h"
#include "torghut/store/sqlite/sqlite_trading_store.h"
#include "torghut/store/trading_store.h"
#include "torghut/testing/store_servers.h"

namespace torghut::store {
namespace {

using testing::PostgresTestServer;
using testing::ScratchDir;

constexpr EpochMillis kNow = 1'700'000'000'123;

Decimal D(std::string_view text) {
  return Decimal::Parse(text).value();
}

Decision MakeDecision(std::string hash, std::string symbol = "AAPL", EpochMillis at = kNow) {
  Decision d;
  d.decision_hash = std::move(hash);
  d.strategy_name = "macd-rsi-default";
  d.symbol = std::move(symbol);
  d.timeframe = "1Min";
  d.signal_event_ts = at - 60'000;
  d.action = "buy";
  d.qty = D("3");
  d.limit_price = D("187.123456789");
  d.reference_price = D("187.25");
  d.reasons = {};
  d.created_at = at;
  d.updated_at = at;
  return d;
}

Execution MakeExecution(const Decision& d, std::optional<std::string> broker_id) {
  Execution e;
  e.decision_hash = d.decision_hash;
  e.client_order_id = d.decision_hash;
  e.broker_order_id = std::move(broker_id);
  e.symbol = d.symbol;
  e.side = d.action;
  e.qty = d.qty;
  e.filled_qty = D("0");
  e.status = "accepted";
  e.submitted_at = d.created_at + 5;
  e.updated_at = d.created_at + 5;
  return e;
}

class TradingStoreConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = std::make_unique<ScratchDir>("torghut-trading-store");
    if (GetParam() == "postgres") {
      server_ = std::make_unique<PostgresTestServer>(dir_->path() / "pg");
      ASSERT_TRUE(server_->Start()) << "postgres did not start:\n" << server_->log();
    }
    store_ = Open();
    auto report = store_->Migrate();
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_EQ(report->to_version, 1);
  }

  std::unique_ptr<TradingStore> Open() {
    if (GetParam() == "postgres") return OpenPostgresTradingStore(server_->dsn());
    auto s = OpenSqliteTradingStore(dir_->path() / "trading.sqlite");
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  }

  std::unique_ptr<ScratchDir> dir_;
  std::unique_ptr<PostgresTestServer> server_;
  std::unique_ptr<TradingStore> store_;
};

TEST_P(TradingStoreConformance, MigrateIsIdempotentAndRefusesANewerSchema) {
  auto again = Open()->Migrate();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(*store_->SchemaVersion(), 1);
  const std::string future =
      "INSERT INTO schema_migrations (component, version, description, applied_at) VALUES "
      "('trading', 7, 'from the future', ";
  if (GetParam() == "postgres") {
    pqxx::connection c(server_->dsn());
    pqxx::work w(c);
    w.exec(future + "now())");
    w.commit();
  } else {
    auto db = SqliteDb::Open(dir_->path() / "trading.sqlite");
    ASSERT_TRUE(db->Exec(future + "0)").ok());
  }
  auto refused = Open()->Migrate();
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("v7"), std::string::npos);
}

TEST_P(TradingStoreConformance, StrategiesUpsertListAndEnable) {
  Strategy s;
  s.name = "macd-rsi-default";
  s.description = "buy dips";
  s.symbols = {"AAPL", "MSFT"};
  s.max_notional_per_trade = D("2500.50");
  s.type = "macd-rsi";
  s.params_json = R"({"rsi_buy":35})";
  s.created_at = kNow;
  s.updated_at = kNow;
  ASSERT_TRUE(store_->UpsertStrategy(s).ok());
  s.description = "buy dips, sell rips";
  s.enabled = true;
  s.updated_at = kNow + 1000;
  s.created_at = kNow + 1000;  // an upsert keeps the original creation time
  ASSERT_TRUE(store_->UpsertStrategy(s).ok());
  auto list = store_->ListStrategies();
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 1u);
  const Strategy& got = list->front();
  EXPECT_EQ(got.description, "buy dips, sell rips");
  EXPECT_TRUE(got.enabled);
  EXPECT_EQ(got.symbols, (std::vector<std::string>{"AAPL", "MSFT"}));
  EXPECT_EQ(got.max_notional_per_trade, D("2500.5"));
  EXPECT_FALSE(got.max_position_pct_equity.has_value());
  EXPECT_EQ(got.params_json, s.params_json);
  EXPECT_EQ(got.created_at, kNow);
  EXPECT_EQ(got.updated_at, kNow + 1000);

  ASSERT_TRUE(store_->SetStrategyEnabled("macd-rsi-default", false, kNow + 2000).ok());
  EXPECT_FALSE(store_->ListStrategies()->front().enabled);
  EXPECT_EQ(store_->SetStrategyEnabled("nope", true, kNow).code(), StatusCode::kNotFound);
}

TEST_P(TradingStoreConformance, ADecisionIsStoredOnceWithExactDecimals) {
  Decision d = MakeDecision("hash-1");
  d.qty = D("0.000000001");
  d.reasons = {"cooldown_active", "max_notional_exceeded"};
  auto first = store_->InsertDecision(d);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(*first);
  Decision again = d;
  again.qty = D("999");
  auto second = store_->InsertDecision(again);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(*second);  // reprocessing never creates a second decision

  auto got = store_->GetDecision("hash-1");
  ASSERT_TRUE(got.ok() && got->has_value());
  const Decision& g = **got;
  EXPECT_EQ(g.qty, D("0.000000001"));
  EXPECT_EQ(g.limit_price, D("187.123456789"));
  EXPECT_EQ(g.reference_price, D("187.25"));
  EXPECT_EQ(g.reasons, d.reasons);
  EXPECT_EQ(g.signal_event_ts, d.signal_event_ts);
  EXPECT_EQ(g.created_at, kNow);
  EXPECT_EQ(store_->ListDecisions("", 0, 500)->size(), 1u);
  EXPECT_FALSE(store_->GetDecision("hash-2")->has_value());

  ASSERT_TRUE(store_->UpdateDecisionStatus("hash-1", "rejected", {"market_closed"}, kNow + 9).ok());
  got = store_->GetDecision("hash-1");
  EXPECT_EQ((*got)->status, "rejected");
  EXPECT_EQ((*got)->reasons, std::vector<std::string>{"market_closed"});
  EXPECT_EQ((*got)->updated_at, kNow + 9);
  EXPECT_EQ(store_->UpdateDecisionStatus("hash-9", "x", {}, kNow).code(), StatusCode::kNotFound);
}

TEST_P(TradingStoreConformance, SubmissionChangesExecutionAndDecisionTogether) {
  const Decision a = MakeDecision("a"), b = MakeDecision("b");
  ASSERT_TRUE(store_->InsertDecision(a).ok());
  ASSERT_TRUE(store_->InsertDecision(b).ok());
  ASSERT_TRUE(store_->RecordSubmission(MakeExecution(a, "broker-1"), "submitted").ok());
  EXPECT_EQ((*store_->GetDecision("a"))->status, "submitted");

  // A second execution with a client order id that exists: refused, decision b untouched.
  Execution dup = MakeExecution(b, "broker-2");
  dup.client_order_id = "a";
  EXPECT_EQ(store_->RecordSubmission(dup, "submitted").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ((*store_->GetDecision("b"))->status, "planned");
  // Same for a broker order id that exists.
  Execution dup_broker = MakeExecution(b, "broker-1");
  EXPECT_EQ(store_->RecordSubmission(dup_broker, "submitted").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ((*store_->GetDecision("b"))->status, "planned");
  EXPECT_FALSE(store_->GetExecution("b")->has_value());
  // An execution for a decision that does not exist is refused too (foreign key).
  Execution orphan = MakeExecution(MakeDecision("ghost"), std::nullopt);
  EXPECT_FALSE(store_->RecordSubmission(orphan, "submitted").ok());

  // Fills and reconciliation.
  ASSERT_TRUE(store_->RecordSubmission(MakeExecution(b, std::nullopt), "submitted").ok());
  auto open = store_->ListOpenExecutions();
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->size(), 2u);
  Execution fill = MakeExecution(a, std::nullopt);  // no broker id: keep the stored one
  fill.status = "filled";
  fill.filled_qty = D("3");
  fill.avg_fill_price = D("187.2400001");
  fill.updated_at = kNow + 100;
  ASSERT_TRUE(store_->UpdateExecution(fill).ok());
  auto got = store_->GetExecution("a");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->broker_order_id, "broker-1");
  EXPECT_EQ((*got)->status, "filled");
  EXPECT_EQ((*got)->avg_fill_price, D("187.2400001"));
  EXPECT_EQ((*got)->filled_qty, D("3"));
  EXPECT_EQ(store_->ListOpenExecutions()->size(), 1u);
  EXPECT_EQ(store_->ListExecutions("AAPL", 0, 10)->size(), 2u);
  EXPECT_EQ(store_->ListExecutions("MSFT", 0, 10)->size(), 0u);
  fill.client_order_id = "nope";
  EXPECT_EQ(store_->UpdateExecution(fill).code(), StatusCode::kNotFound);
}

TEST_P(TradingStoreConformance, DecisionsListNewestFirstWithFilters) {
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(
        store_->InsertDecision(MakeDecision("h" + std::to_string(i), i % 2 ? "MSFT" : "AAPL",
                                            kNow + i * 1000))
            .ok());
  }
  auto all = store_->ListDecisions("", 0, 500);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 10u);
  EXPECT_EQ(all->front().decision_hash, "h9");
  auto msft = store_->ListDecisions("MSFT", kNow + 4000, 2);
  ASSERT_TRUE(msft.ok());
  ASSERT_EQ(msft->size(), 2u);
  EXPECT_EQ((*msft)[0].decision_hash, "h9");
  EXPECT_EQ((*msft)[1].decision_hash, "h7");
}

TEST_P(TradingStoreConformance, QuotesAndSqlFragmentsRoundTripAsData) {
  const std::string nasty =
      "Robert'); DROP TABLE strategies;-- \"quoted\" \\backslash\\ $1 {ts $2} \n\ttabs ünïcødé ☃";
  Strategy s;
  s.name = nasty;
  s.description = nasty;
  s.type = "macd-rsi";
  s.params_json = R"({"note":"it's \"fine\""})";
  s.created_at = s.updated_at = kNow;
  ASSERT_TRUE(store_->UpsertStrategy(s).ok());
  Decision d = MakeDecision(nasty);
  ASSERT_TRUE(store_->InsertDecision(d).ok());
  LlmReview r;
  r.decision_hash = nasty;
  r.model = "gpt-test";
  r.verdict = "veto";
  r.confidence = D("0.42");
  r.rationale = nasty;
  r.risk_flags_json = R"(["it's"])";
  r.request_json = R"({"q":"'; DELETE FROM trade_decisions; --"})";
  r.response_json = "{}";
  r.error = nasty;
  r.created_at = kNow;
  ASSERT_TRUE(store_->InsertLlmReview(r).ok());

  auto list = store_->ListStrategies();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().name, nasty);
  EXPECT_EQ(list->front().description, nasty);
  EXPECT_EQ(list->front().params_json, s.params_json);
  EXPECT_EQ((*store_->GetDecision(nasty))->decision_hash, nasty);
  auto reviews = store_->ListLlmReviews(nasty);
  ASSERT_TRUE(reviews.ok());
  ASSERT_EQ(reviews->size(), 1u);
  EXPECT_EQ(reviews->front().rationale, nasty);
  EXPECT_EQ(reviews->front().request_json, r.request_json);
  EXPECT_EQ(reviews->front().error, nasty);
  EXPECT_EQ(reviews->front().confidence, D("0.42"));
  EXPECT_EQ(store_->ListDecisions("", 0, 10)->size(), 1u);  // nothing was dropped or deleted
}

TEST_P(TradingStoreConformance, CursorSnapshotsAndReplayLedger) {
  EXPECT_FALSE(store_->GetCursor("trading")->has_value());
  ASSERT_TRUE(store_->SetCursor("trading", {kNow, "AAPL", 17, kNow + 1}).ok());
  ASSERT_TRUE(store_->SetCursor("trading", {kNow + 1000, "MSFT", 18, kNow + 2}).ok());
  auto c = store_->GetCursor("trading");
  ASSERT_TRUE(c.ok() && c->has_value());
  EXPECT_EQ((*c)->event_ts, kNow + 1000);
  EXPECT_EQ((*c)->symbol, "MSFT");
  EXPECT_EQ((*c)->seq, 18);

  ASSERT_TRUE(store_->InsertPositionSnapshot({kNow, D("100000"), D("99438.25"), D("198876.5"),
                                              R"([{"symbol":"AAPL","qty":"3"}])"})
                  .ok());
  ASSERT_TRUE(
      store_->InsertPositionSnapshot({kNow + 5, D("100001.1"), D("1"), D("2"), "[]"}).ok());
  auto snap = store_->LatestPositionSnapshot();
  ASSERT_TRUE(snap.ok() && snap->has_value());
  EXPECT_EQ((*snap)->taken_at, kNow + 5);
  EXPECT_EQ((*snap)->equity, D("100001.1"));

  ReplayRun run;
  run.replay_id = "r1";
  run.group_id = "torghut-ta-replay-1";
  run.previous_group_id = "torghut-ta-live";
  run.window_from = kNow - 3'600'000;
  run.symbols = {"AAPL"};
  run.started_at = kNow;
  ASSERT_TRUE(store_->BeginReplay(run).ok());
  ReplayRun reuse = run;
  reuse.replay_id = "r2";
  Status s = store_->BeginReplay(reuse);
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(s.message().find("torghut-ta-replay-1"), std::string::npos);
  ASSERT_TRUE(store_->FinishReplay("r1", kNow + 60'000, "ok").ok());
  EXPECT_EQ(store_->FinishReplay("r9", kNow, "ok").code(), StatusCode::kNotFound);
  auto got = store_->GetReplayByGroup("torghut-ta-replay-1");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->previous_group_id, "torghut-ta-live");
  EXPECT_EQ((*got)->window_from, kNow - 3'600'000);
  EXPECT_FALSE((*got)->window_to.has_value());
  EXPECT_EQ((*got)->finished_at, kNow + 60'000);
  EXPECT_EQ((*got)->outcome, "ok");
  EXPECT_EQ(store_->ListReplays()->size(), 1u);
}

TEST_P(TradingStoreConformance, ConcurrentDecisionWritersStoreEachHashOnce) {
  std::atomic<int> inserted{0};
  auto writer = [&] {
    std::unique_ptr<TradingStore> store = Open();
    for (int i = 0; i < 200; ++i) {
      auto r = store->InsertDecision(MakeDecision("c" + std::to_string(i)));
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      if (*r) inserted++;
    }
  };
  std::thread a(writer), b(writer);
  a.join();
  b.join();
  EXPECT_EQ(inserted.load(), 200);
  EXPECT_EQ(store_->ListDecisions("", 0, 1000)->size(), 200u);
}

TEST_P(TradingStoreConformance, AStoppedServerIsUnavailableAndTheStoreReconnects) {
  if (GetParam() != "postgres") {
    // SQLite: a database file that cannot be opened is kUnavailable, not a crash.
    std::filesystem::create_directories(dir_->path() / "dir.sqlite");
    auto bad = OpenSqliteTradingStore(dir_->path() / "dir.sqlite");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.status().code(), StatusCode::kUnavailable) << bad.status().ToString();
    return;
  }
  ASSERT_TRUE(store_->InsertDecision(MakeDecision("before")).ok());
  server_->Stop();
  auto down = store_->InsertDecision(MakeDecision("during"));
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable) << down.status().ToString();
  EXPECT_EQ(store_->ListDecisions("", 0, 10).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(Open()->GetCursor("x").status().code(), StatusCode::kUnavailable);
  ASSERT_TRUE(server_->Start()) << server_->log();
  auto after = store_->InsertDecision(MakeDecision("after"));
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_TRUE(*after);
  auto all = store_->ListDecisions("", 0, 10);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);  // before and after; nothing half-written from "during"
}

INSTANTIATE_TEST_SUITE_P(Backends, TradingStoreConformance,
                         ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace torghut::store
