// The trading schema's v1 → v2 upgrade on every backend: a database as the v1 binary left it
// (step 1 only, rows written in v1's column layout by raw SQL) migrates in place with its data
// intact, and migrating again changes nothing.
#include "torghut/store/internal/trading_store_fixture.h"

namespace torghut::store {
namespace {

using namespace testing_support;  // NOLINT(google-build-using-namespace): the fixture's vocabulary

class TradingStoreUpgrade : public TradingStoreFixture {
 protected:
  static constexpr const char* kDb = "upgrade";

  // Builds a v1 database named kDb and fills it the way v1 wrote rows (comma-joined lists, the
  // global cursor).
  void MakeV1Database() {
    CreateDatabase(kDb);
    auto v1 = Open(/*schema_version=*/1, kDb)->Migrate();
    ASSERT_TRUE(v1.ok()) << v1.status().ToString();
    ASSERT_EQ(v1->to_version, 1);
    const std::string t = Ts(kNow);
    const std::vector<std::string> inserts = {
        "INSERT INTO strategies (name, description, enabled, base_timeframe, universe_type, "
        "symbols, max_notional_per_trade, max_position_pct_equity, type, params, created_at, "
        "updated_at) VALUES ('s1', 'buy dips', " +
            BoolLiteral(true) + ", '1Min', 'static', 'AAPL,MSFT', '2500.5', NULL, 'macd-rsi', " +
            R"('{"rsi_buy_below":35}', )" + t + ", " + t + ")",
        "INSERT INTO strategies (name, description, enabled, base_timeframe, universe_type, "
        "symbols, max_notional_per_trade, max_position_pct_equity, type, params, created_at, "
        "updated_at) VALUES ('s2', '', " +
            BoolLiteral(false) + ", '1Sec', 'static', '', NULL, '0.1', 'macd-cross', '{}', " + t +
            ", " + t + ")",
        DecisionInsert("h1", "limit", "'187.5'", "submitted",
                       "cooldown_active,max_notional_exceeded", kNow),
        DecisionInsert("h2", "market", "NULL", "rejected", "", kNow + 1),
        DecisionInsert("h3", "market", "'1'", "planned", "market_closed,", kNow + 2),
        "INSERT INTO executions (decision_hash, client_order_id, broker_order_id, symbol, side, "
        "qty, order_type, filled_qty, avg_fill_price, status, submitted_at, updated_at) VALUES "
        "('h1', 'h1', 'broker-1', 'AAPL', 'buy', '3', 'limit', '1', '187.4', 'partially_filled', " +
            t + ", " + t + ")",
        "INSERT INTO position_snapshots (taken_at, equity, cash, buying_power, positions) VALUES "
        "(" +
            Ts(kNow - 10) + ", '1', '1', '1', '')",
        "INSERT INTO position_snapshots (taken_at, equity, cash, buying_power, positions) VALUES "
        "(" +
            t + ", '100000', '99438.25', '198876.5', " +
            R"('[{"symbol":"AAPL","qty":"3","avg_entry_price":"187.25","market_value":"561.75"}]'))",
        "INSERT INTO trade_cursor (name, event_ts, symbol, seq, updated_at) VALUES ('trading', " +
            t + ", 'AAPL', 17, " + t + ")",
        LlmInsert("h1", R"('["it''s"]')", kNow),
        LlmInsert("h2", "''", kNow + 1),
        LlmInsert("h3", "'earnings,wide_spread'", kNow + 2),
        "INSERT INTO replay_ledger (replay_id, group_id, previous_group_id, window_from, "
        "window_to, symbols, started_at, finished_at, outcome) VALUES ('r1', 'g1', 'g0', " +
            t + ", NULL, 'AAPL,BRK.B', " + t + ", NULL, NULL)",
    };
    for (const std::string& sql : inserts) Raw(sql, kDb);
    ASSERT_FALSE(HasFailure()) << "writing the v1 rows failed";
  }

  std::string DecisionInsert(const std::string& hash, const std::string& order_type,
                             const std::string& limit_price, const std::string& status,
                             const std::string& reasons, EpochMillis at) const {
    return "INSERT INTO trade_decisions (decision_hash, strategy_name, symbol, timeframe, "
           "signal_event_ts, action, qty, order_type, time_in_force, limit_price, "
           "reference_price, status, reasons, created_at, updated_at) VALUES ('" +
           hash + "', 's1', 'AAPL', '1Min', " + Ts(at - 60'000) + ", 'buy', '3', '" + order_type +
           "', 'day', " + limit_price + ", '187.25', '" + status + "', '" + reasons + "', " +
           Ts(at) + ", " + Ts(at) + ")";
  }

  std::string LlmInsert(const std::string& hash, const std::string& flags, EpochMillis at) const {
    return "INSERT INTO llm_decision_reviews (decision_hash, model, verdict, confidence, "
           "adjusted_qty, rationale, risk_flags, request_json, response_json, prompt_tokens, "
           "completion_tokens, latency_ms, error, created_at) VALUES ('" +
           hash + "', 'gpt-test', 'approve', '0.9', NULL, 'fine', " + flags +
           ", '{}', '{}', 1, 2, 3, NULL, " + Ts(at) + ")";
  }
};

TEST_P(TradingStoreUpgrade, AV1DatabaseUpgradesInPlaceWithItsDataIntact) {
  MakeV1Database();
  std::unique_ptr<TradingStore> store = Open(0, kDb);
  auto report = store->Migrate();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->from_version, 1);
  EXPECT_EQ(report->to_version, 2);
  ASSERT_EQ(report->applied.size(), 1u);
  EXPECT_NE(report->applied[0].find("trade_cursor"), std::string::npos);
  EXPECT_NE(report->applied[0].find("dropped"), std::string::npos);  // says what became of it

  // Lists are JSON arrays now, read back as v1 read them.
  EXPECT_EQ(Raw("SELECT symbols FROM strategies ORDER BY name", kDb),
            (std::vector<std::string>{R"(["AAPL","MSFT"])", "[]"}));
  EXPECT_EQ(Raw("SELECT reasons FROM trade_decisions ORDER BY decision_hash", kDb),
            (std::vector<std::string>{R"(["cooldown_active","max_notional_exceeded"])", "[]",
                                      R"(["market_closed"])"}));
  EXPECT_EQ(Raw("SELECT risk_flags FROM llm_decision_reviews ORDER BY id", kDb),
            (std::vector<std::string>{R"(["it's"])", "[]", R"(["earnings","wide_spread"])"}));
  EXPECT_EQ(Raw("SELECT symbols FROM replay_ledger", kDb),
            std::vector<std::string>{R"(["AAPL","BRK.B"])"});
  EXPECT_EQ(Raw("SELECT positions FROM position_snapshots ORDER BY taken_at", kDb).front(), "[]");
  // The global cursor is gone; the new per-(strategy, symbol, timeframe) table starts empty.
  EXPECT_EQ(Raw("SELECT count(*) FROM trade_cursor", kDb), std::vector<std::string>{"0"});

  auto strategies = store->ListStrategies();
  ASSERT_TRUE(strategies.ok()) << strategies.status().ToString();
  ASSERT_EQ(strategies->size(), 2u);
  const Strategy& s1 = (*strategies)[0];
  EXPECT_EQ(s1.symbols, (std::vector<std::string>{"AAPL", "MSFT"}));
  EXPECT_TRUE(s1.enabled);
  EXPECT_EQ(s1.max_notional_per_trade, D("2500.5"));
  EXPECT_EQ(s1.params_json, R"({"rsi_buy_below":35})");
  EXPECT_EQ(s1.order_type, trading::OrderType::kMarket);  // v2's defaults for the new fields
  EXPECT_EQ(s1.time_in_force, trading::TimeInForce::kDay);
  EXPECT_FALSE(s1.qty.has_value());
  EXPECT_EQ(s1.created_at, kNow);
  EXPECT_EQ((*strategies)[1].base_timeframe, Timeframe::k1Sec);
  EXPECT_TRUE((*strategies)[1].symbols.empty());
  EXPECT_EQ((*strategies)[1].max_position_pct_equity, D("0.1"));

  auto h1 = store->GetDecision("h1");
  ASSERT_TRUE(h1.ok() && h1->has_value()) << h1.status().ToString();
  EXPECT_EQ((*h1)->risk_reasons,
            (std::vector<std::string>{"cooldown_active", "max_notional_exceeded"}));
  EXPECT_EQ((*h1)->status, DecisionStatus::kSubmitted);
  EXPECT_EQ((*h1)->client_order_id, "h1");  // the id its order was sent with
  EXPECT_EQ((*h1)->inputs_json, "{}");
  EXPECT_EQ((*h1)->rationale, "");
  EXPECT_EQ((*h1)->limit_price, D("187.5"));
  EXPECT_EQ((*h1)->signal_event_ts, kNow - 60'000);
  EXPECT_EQ((*store->GetDecision("h3"))->client_order_id, "h3");  // v1: the hash was the id
  auto planned = store->ListDecisionsByStatus({DecisionStatus::kPlanned});
  ASSERT_TRUE(planned.ok()) << planned.status().ToString();
  ASSERT_EQ(planned->size(), 1u);
  EXPECT_EQ(planned->front().decision_hash, "h3");
  EXPECT_EQ(planned->front().risk_reasons, std::vector<std::string>{"market_closed"});

  auto e = store->GetExecution("h1");
  ASSERT_TRUE(e.ok() && e->has_value()) << e.status().ToString();
  EXPECT_EQ((*e)->status, OrderStatus::kPartiallyFilled);
  EXPECT_EQ((*e)->time_in_force, trading::TimeInForce::kDay);
  EXPECT_EQ((*e)->limit_price, D("187.5"));  // from its decision: a limit order
  EXPECT_EQ((*e)->submitted_qty, D("3"));
  EXPECT_EQ((*e)->avg_fill_price, D("187.4"));
  EXPECT_EQ(store->ListOpenExecutions()->size(), 1u);

  auto snap = store->LatestPositionSnapshot();
  ASSERT_TRUE(snap.ok() && snap->has_value()) << snap.status().ToString();
  EXPECT_EQ((*snap)->positions,
            (std::vector<Position>{{"AAPL", D("3"), D("187.25"), D("561.75")}}));

  auto reviews = store->ListLlmReviews("h3");
  ASSERT_TRUE(reviews.ok()) << reviews.status().ToString();
  EXPECT_EQ(reviews->front().risk_flags, (std::vector<std::string>{"earnings", "wide_spread"}));
  EXPECT_EQ(reviews->front().verdict, trading::LlmVerdict::kApprove);
  EXPECT_FALSE(reviews->front().adjusted_order_type.has_value());
  EXPECT_EQ((*store->GetReplayByGroup("g1"))->symbols, (std::vector<std::string>{"AAPL", "BRK.B"}));
  EXPECT_TRUE(store->ListCursors()->empty());

  // The upgraded database takes v2 writes.
  EvaluationBatch batch;
  batch.decisions = {MakeDecision("h4")};
  batch.cursors = {{"s1", "AAPL", Timeframe::k1Min, kNow, kNow}};
  batch.offsets = {{"torghut-trading", "ta.signals", 0, 1, kNow}};
  auto committed = store->CommitEvaluation(batch);
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  EXPECT_EQ(*committed, std::vector<bool>{true});
  Fill f;
  f.fill_id = "fill-1";
  f.client_order_id = "h1";
  f.strategy_name = "s1";
  f.symbol = "AAPL";
  f.qty = D("1");
  f.price = D("187.4");
  f.filled_at = kNow;
  EXPECT_TRUE(*store->InsertFill(f));

  // Migrating again applies nothing and changes nothing.
  auto again = Open(0, kDb)->Migrate();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(again->from_version, 2);
  EXPECT_EQ(*store->SchemaVersion(), 2);
  EXPECT_EQ(Raw("SELECT reasons FROM trade_decisions WHERE decision_hash = 'h1'", kDb),
            std::vector<std::string>{R"(["cooldown_active","max_notional_exceeded"])"});
  EXPECT_EQ(store->ListCursors()->size(), 1u);
}

TEST_P(TradingStoreUpgrade, AnEmptyV1DatabaseUpgradesAndAFreshOneIsCreatedAtV2) {
  CreateDatabase(kDb);
  ASSERT_TRUE(Open(1, kDb)->Migrate().ok());
  auto up = Open(0, kDb)->Migrate();
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(up->from_version, 1);
  EXPECT_EQ(up->to_version, 2);
  // The fixture's own database was created fresh: both steps, in order, recorded.
  EXPECT_EQ(Raw("SELECT version FROM schema_migrations WHERE component = 'trading' ORDER BY "
                "version"),
            (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(Raw("SELECT version FROM schema_migrations WHERE component = 'trading' ORDER BY "
                "version",
                kDb),
            (std::vector<std::string>{"1", "2"}));
}

INSTANTIATE_TEST_SUITE_P(Backends, TradingStoreUpgrade, ::testing::Values("sqlite", "postgres"),
                         BackendName);

}  // namespace
}  // namespace torghut::store
