// One conformance suite for every trading store backend: SQLite, and Postgres 15 started by the
// test (initdb + pg_ctl on loopback). A server that cannot start fails the test. The trader's
// methods are in trading_store_trader_test.cc, the v1 → v2 upgrade in
// trading_store_upgrade_test.cc.
#include <atomic>
#include <thread>

#include "torghut/store/internal/trading_store_fixture.h"

namespace torghut::store {
namespace {

using namespace testing_support;  // NOLINT(google-build-using-namespace): the fixture's vocabulary

class TradingStoreConformance : public TradingStoreFixture {};

TEST_P(TradingStoreConformance, MigrateIsIdempotentAndRefusesANewerSchema) {
  auto again = Open()->Migrate();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(*store_->SchemaVersion(), 2);
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
  s.notional = D("1000.25");
  s.order_type = trading::OrderType::kLimit;
  s.limit_offset_bps = D("2.5");
  s.base_timeframe = Timeframe::k1Sec;
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
  EXPECT_EQ(got.base_timeframe, Timeframe::k1Sec);
  EXPECT_FALSE(got.qty.has_value());
  EXPECT_EQ(got.notional, D("1000.25"));
  EXPECT_EQ(got.order_type, trading::OrderType::kLimit);
  EXPECT_EQ(got.limit_offset_bps, D("2.5"));
  EXPECT_EQ(got.time_in_force, trading::TimeInForce::kDay);
  EXPECT_EQ(got.created_at, kNow);
  EXPECT_EQ(got.updated_at, kNow + 1000);

  ASSERT_TRUE(store_->SetStrategyEnabled("macd-rsi-default", false, kNow + 2000).ok());
  EXPECT_FALSE(store_->ListStrategies()->front().enabled);
  EXPECT_EQ(store_->SetStrategyEnabled("nope", true, kNow).code(), StatusCode::kNotFound);
}

TEST_P(TradingStoreConformance, ADecisionIsStoredOnceWithExactDecimals) {
  Decision d = MakeDecision("hash-1");
  d.qty = D("0.000000001");
  d.risk_reasons = {"cooldown_active", "max_notional_exceeded"};
  d.action = trading::Side::kSell;
  d.order_type = trading::OrderType::kLimit;
  d.time_in_force = trading::TimeInForce::kIoc;
  d.timeframe = Timeframe::k1Sec;
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
  EXPECT_EQ(g.risk_reasons, d.risk_reasons);
  EXPECT_EQ(g.signal_event_ts, d.signal_event_ts);
  EXPECT_EQ(g.client_order_id, trading::ClientOrderIdFor("hash-1"));
  EXPECT_EQ(g.status, DecisionStatus::kPlanned);
  EXPECT_EQ(g.action, trading::Side::kSell);
  EXPECT_EQ(g.order_type, trading::OrderType::kLimit);
  EXPECT_EQ(g.time_in_force, trading::TimeInForce::kIoc);
  EXPECT_EQ(g.timeframe, Timeframe::k1Sec);
  EXPECT_EQ(g.inputs_json, d.inputs_json);
  EXPECT_EQ(g.rationale, d.rationale);
  EXPECT_EQ(g.created_at, kNow);
  EXPECT_EQ(store_->ListDecisions("", 0, 500)->size(), 1u);
  EXPECT_FALSE(store_->GetDecision("hash-2")->has_value());

  ASSERT_TRUE(
      store_->UpdateDecisionStatus("hash-1", DecisionStatus::kRejected, {"market_closed"}, kNow + 9)
          .ok());
  got = store_->GetDecision("hash-1");
  EXPECT_EQ((*got)->status, DecisionStatus::kRejected);
  EXPECT_EQ((*got)->risk_reasons, std::vector<std::string>{"market_closed"});
  EXPECT_EQ((*got)->updated_at, kNow + 9);
  EXPECT_EQ(store_->UpdateDecisionStatus("hash-9", DecisionStatus::kRejected, {}, kNow).code(),
            StatusCode::kNotFound);

  // Another hash with a client order id that exists is refused, not silently dropped.
  Decision same_id = MakeDecision("hash-2");
  same_id.client_order_id = d.client_order_id;
  EXPECT_EQ(store_->InsertDecision(same_id).status().code(), StatusCode::kAlreadyExists);
  EXPECT_FALSE(store_->GetDecision("hash-2")->has_value());
  Decision no_id = MakeDecision("hash-3");
  no_id.client_order_id.clear();
  EXPECT_EQ(store_->InsertDecision(no_id).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(store_->GetDecision("hash-3")->has_value());
}

TEST_P(TradingStoreConformance, SubmissionChangesExecutionAndDecisionTogether) {
  const Decision a = MakeDecision("a"), b = MakeDecision("b");
  ASSERT_TRUE(store_->InsertDecision(a).ok());
  ASSERT_TRUE(store_->InsertDecision(b).ok());
  ASSERT_TRUE(
      store_->RecordSubmission(MakeExecution(a, "broker-1"), DecisionStatus::kSubmitted).ok());
  EXPECT_EQ((*store_->GetDecision("a"))->status, DecisionStatus::kSubmitted);

  // A second execution with a client order id that exists: refused, decision b untouched.
  Execution dup = MakeExecution(b, "broker-2");
  dup.client_order_id = a.client_order_id;
  EXPECT_EQ(store_->RecordSubmission(dup, DecisionStatus::kSubmitted).code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ((*store_->GetDecision("b"))->status, DecisionStatus::kPlanned);
  // Same for a broker order id that exists.
  Execution dup_broker = MakeExecution(b, "broker-1");
  EXPECT_EQ(store_->RecordSubmission(dup_broker, DecisionStatus::kSubmitted).code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ((*store_->GetDecision("b"))->status, DecisionStatus::kPlanned);
  EXPECT_FALSE(store_->GetExecution(b.client_order_id)->has_value());
  // An execution for a decision that does not exist is refused too (foreign key).
  Execution orphan = MakeExecution(MakeDecision("ghost"), std::nullopt);
  EXPECT_FALSE(store_->RecordSubmission(orphan, DecisionStatus::kSubmitted).ok());

  // Fills and reconciliation.
  Execution limit = MakeExecution(b, std::nullopt);
  limit.order_type = trading::OrderType::kLimit;
  limit.limit_price = D("186.5");
  limit.time_in_force = trading::TimeInForce::kGtc;
  ASSERT_TRUE(store_->RecordSubmission(limit, DecisionStatus::kSubmitted).ok());
  auto got_limit = store_->GetExecution(b.client_order_id);
  ASSERT_TRUE(got_limit.ok() && got_limit->has_value());
  EXPECT_EQ((*got_limit)->order_type, trading::OrderType::kLimit);
  EXPECT_EQ((*got_limit)->limit_price, D("186.5"));
  EXPECT_EQ((*got_limit)->time_in_force, trading::TimeInForce::kGtc);
  EXPECT_EQ((*got_limit)->submitted_qty, D("3"));
  EXPECT_EQ((*got_limit)->side, trading::Side::kBuy);
  auto open = store_->ListOpenExecutions();
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->size(), 2u);
  Execution fill = MakeExecution(a, std::nullopt);  // no broker id: keep the stored one
  fill.status = OrderStatus::kFilled;
  fill.filled_qty = D("3");
  fill.avg_fill_price = D("187.2400001");
  fill.updated_at = kNow + 100;
  ASSERT_TRUE(store_->UpdateExecution(fill).ok());
  auto got = store_->GetExecution(a.client_order_id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->broker_order_id, "broker-1");
  EXPECT_EQ((*got)->status, OrderStatus::kFilled);
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
    ASSERT_TRUE(store_
                    ->InsertDecision(MakeDecision("h" + std::to_string(i), i % 2 ? "MSFT" : "AAPL",
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

TEST_P(TradingStoreConformance, ListsAreJsonArraysAndACommaInAnItemRoundTrips) {
  const std::vector<std::string> reasons = {"a,b", "", "say \"no\"", "c"};
  Decision d = MakeDecision("lists");
  d.risk_reasons = reasons;
  ASSERT_TRUE(store_->InsertDecision(d).ok());
  EXPECT_EQ((*store_->GetDecision("lists"))->risk_reasons, reasons);
  EXPECT_EQ(Raw("SELECT reasons FROM trade_decisions"),
            std::vector<std::string>{R"(["a,b","","say \"no\"","c"])"});
  ASSERT_TRUE(store_->UpdateDecisionStatus("lists", DecisionStatus::kRejected, {"x,y"}, kNow).ok());
  EXPECT_EQ(Raw("SELECT reasons FROM trade_decisions"), std::vector<std::string>{R"(["x,y"])"});
  ASSERT_TRUE(store_->UpdateDecisionStatus("lists", DecisionStatus::kRejected, {}, kNow).ok());
  EXPECT_EQ(Raw("SELECT reasons FROM trade_decisions"), std::vector<std::string>{"[]"});
  EXPECT_TRUE((*store_->GetDecision("lists"))->risk_reasons.empty());

  Strategy s;
  s.name = "lists";
  s.type = "macd-rsi";
  s.symbols = {"BRK.B", "ODD,NAME"};
  ASSERT_TRUE(store_->UpsertStrategy(s).ok());
  EXPECT_EQ(store_->ListStrategies()->front().symbols, s.symbols);
  EXPECT_EQ(Raw("SELECT symbols FROM strategies"),
            std::vector<std::string>{R"(["BRK.B","ODD,NAME"])"});

  LlmReview r;
  r.decision_hash = "lists";
  r.verdict = trading::LlmVerdict::kAdjust;
  r.risk_flags = {"earnings, tomorrow", "wide_spread"};
  ASSERT_TRUE(store_->InsertLlmReview(r).ok());
  EXPECT_EQ(store_->ListLlmReviews("lists")->front().risk_flags, r.risk_flags);
  EXPECT_EQ(Raw("SELECT risk_flags FROM llm_decision_reviews"),
            std::vector<std::string>{R"(["earnings, tomorrow","wide_spread"])"});

  ReplayRun run;
  run.replay_id = "r";
  run.group_id = "g";
  run.previous_group_id = "p";
  run.symbols = {};
  ASSERT_TRUE(store_->BeginReplay(run).ok());
  EXPECT_EQ(Raw("SELECT symbols FROM replay_ledger"), std::vector<std::string>{"[]"});
  EXPECT_TRUE((*store_->GetReplayByGroup("g"))->symbols.empty());
}

TEST_P(TradingStoreConformance, AStoredValueTheModelCannotReadIsDataLoss) {
  ASSERT_TRUE(store_->InsertDecision(MakeDecision("bad")).ok());
  Raw("UPDATE trade_decisions SET status = 'half_done'");
  auto got = store_->GetDecision("bad");
  EXPECT_EQ(got.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(got.status().message().find("half_done"), std::string::npos) << got.status().message();
  EXPECT_EQ(store_->ListDecisions("", 0, 10).status().code(), StatusCode::kDataLoss);

  Raw("UPDATE trade_decisions SET status = 'planned', reasons = 'a,b'");  // v1's layout
  got = store_->GetDecision("bad");
  EXPECT_EQ(got.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(got.status().message().find("not a JSON array"), std::string::npos)
      << got.status().message();
  Raw(R"(UPDATE trade_decisions SET reasons = '["a",1]')");
  EXPECT_EQ(store_->GetDecision("bad").status().code(), StatusCode::kDataLoss);

  Raw(R"(UPDATE trade_decisions SET reasons = '["ok"]', action = 'short')");
  EXPECT_EQ(store_->GetDecision("bad").status().code(), StatusCode::kDataLoss);
  Raw("UPDATE trade_decisions SET action = 'buy', timeframe = '5Min'");
  EXPECT_EQ(store_->GetDecision("bad").status().code(), StatusCode::kDataLoss);
  Raw("UPDATE trade_decisions SET timeframe = '1Min'");
  auto fixed = store_->GetDecision("bad");
  ASSERT_TRUE(fixed.ok()) << fixed.status().ToString();
  EXPECT_EQ((*fixed)->risk_reasons, std::vector<std::string>{"ok"});

  // A position without an exact decimal is refused rather than read through a double.
  ASSERT_TRUE(store_->InsertPositionSnapshot({kNow, D("1"), D("1"), D("1"), {}}).ok());
  Raw(R"(UPDATE position_snapshots SET positions = '[{"symbol":"AAPL","qty":1.5,)"
      R"("avg_entry_price":"1","market_value":"1"}]')");
  EXPECT_EQ(store_->LatestPositionSnapshot().status().code(), StatusCode::kDataLoss);
  Raw(R"(UPDATE position_snapshots SET positions = '[{"symbol":"AAPL","qty":2,)"
      R"("avg_entry_price":"1","market_value":"1"}]')");
  auto snap = store_->LatestPositionSnapshot();
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ((*snap)->positions.at(0).qty, D("2"));
  Raw(R"(UPDATE position_snapshots SET positions = '[{"symbol":"AAPL","qty":"2"}]')");
  EXPECT_EQ(store_->LatestPositionSnapshot().status().code(), StatusCode::kDataLoss);
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
  r.verdict = trading::LlmVerdict::kVeto;
  r.confidence = D("0.42");
  r.rationale = nasty;
  r.risk_flags = {"it's", nasty};
  r.adjusted_qty = D("1.5");
  r.adjusted_order_type = trading::OrderType::kLimit;
  r.limit_price = D("187.01");
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
  EXPECT_EQ(reviews->front().verdict, trading::LlmVerdict::kVeto);
  EXPECT_EQ(reviews->front().risk_flags, r.risk_flags);
  EXPECT_EQ(reviews->front().adjusted_qty, D("1.5"));
  EXPECT_EQ(reviews->front().adjusted_order_type, trading::OrderType::kLimit);
  EXPECT_EQ(reviews->front().limit_price, D("187.01"));
  EXPECT_EQ(store_->ListDecisions("", 0, 10)->size(), 1u);  // nothing was dropped or deleted
}

TEST_P(TradingStoreConformance, PositionSnapshotsAndReplayLedger) {
  EXPECT_FALSE(store_->LatestPositionSnapshot()->has_value());
  const std::vector<Position> positions = {{"AAPL", D("3"), D("187.25"), D("561.75")},
                                           {"TSLA", D("-0.5"), D("250.000000001"), D("-125.5")}};
  ASSERT_TRUE(
      store_->InsertPositionSnapshot({kNow, D("100000"), D("99438.25"), D("198876.5"), positions})
          .ok());
  ASSERT_TRUE(store_->InsertPositionSnapshot({kNow - 5, D("1"), D("1"), D("2"), {}}).ok());
  auto snap = store_->LatestPositionSnapshot();
  ASSERT_TRUE(snap.ok() && snap->has_value()) << snap.status().ToString();
  EXPECT_EQ((*snap)->taken_at, kNow);  // by time taken, not by insertion order
  EXPECT_EQ((*snap)->equity, D("100000"));
  EXPECT_EQ((*snap)->cash, D("99438.25"));
  EXPECT_EQ((*snap)->buying_power, D("198876.5"));
  EXPECT_EQ((*snap)->positions, positions);
  // Stored as a JSON array with exact decimal strings.
  EXPECT_EQ(Raw("SELECT positions FROM position_snapshots ORDER BY taken_at DESC").front(),
            R"([{"avg_entry_price":"187.25","market_value":"561.75","qty":"3","symbol":"AAPL"},)"
            R"({"avg_entry_price":"250.000000001","market_value":"-125.5","qty":"-0.5",)"
            R"("symbol":"TSLA"}])");

  ReplayRun run;
  run.replay_id = "r1";
  run.group_id = "torghut-ta-replay-1";
  run.previous_group_id = "torghut-ta-live";
  run.window_from = kNow - 3'600'000;
  run.symbols = {"AAPL", "BRK.B"};
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
  EXPECT_EQ((*got)->symbols, run.symbols);
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
  EXPECT_EQ(Open()->GetCursor("x", "AAPL", Timeframe::k1Min).status().code(),
            StatusCode::kUnavailable);
  ASSERT_TRUE(server_->Start()) << server_->log();
  auto after = store_->InsertDecision(MakeDecision("after"));
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_TRUE(*after);
  auto all = store_->ListDecisions("", 0, 10);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);  // before and after; nothing half-written from "during"
}

INSTANTIATE_TEST_SUITE_P(Backends, TradingStoreConformance, ::testing::Values("sqlite", "postgres"),
                         BackendName);

}  // namespace
}  // namespace torghut::store
