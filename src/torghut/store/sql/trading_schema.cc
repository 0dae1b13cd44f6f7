// The trading store's schema, one numbered step per released layout (migration.h). A released
// step is never edited: databases were created by it; a change is a new step.
#include <fmt/format.h>

#include "torghut/store/sql/sql_trading_store.h"

namespace torghut::store {
namespace {

// An UPDATE that rewrites a v1 comma-joined list column as a JSON array of strings, exactly as v1
// read it back: '' -> [], 'a,b' -> ["a","b"], 'a,,b' -> ["a","","b"], and a trailing comma adds
// no empty item. The split is a recursive query per row that builds the array text in order
// (no aggregate, whose order SQL leaves unspecified); each item is quoted by the database's own
// JSON function. `where` narrows the rows (appended as is).
std::string CommaListToJsonArray(std::string_view table, std::string_view column, bool pg,
                                 std::string_view where = "") {
  const std::string find = pg ? "strpos" : "instr";
  const std::string quote_open = pg ? "to_json(" : "json_quote(";
  const std::string quote_close = pg ? ")::text" : ")";
  return fmt::format(
      "UPDATE {t} SET {c} = CASE WHEN {c} = '' THEN '[]' ELSE ("
      "WITH RECURSIVE parts(n, acc, rest) AS ("
      "SELECT 0, CAST('' AS TEXT), {t}.{c} "
      "UNION ALL "
      "SELECT n + 1, acc || CASE WHEN n = 0 THEN '' ELSE ',' END || {qo}CASE WHEN {f}(rest, ',') "
      "> 0 THEN substr(rest, 1, {f}(rest, ',') - 1) ELSE rest END{qc}, CASE WHEN {f}(rest, ',') "
      "> 0 THEN substr(rest, {f}(rest, ',') + 1) END "
      "FROM parts WHERE rest IS NOT NULL AND rest <> '') "
      "SELECT '[' || acc || ']' FROM parts WHERE n > 0 AND (rest IS NULL OR rest = '')) END{w}",
      fmt::arg("t", table), fmt::arg("c", column), fmt::arg("f", find), fmt::arg("qo", quote_open),
      fmt::arg("qc", quote_close),
      fmt::arg("w", where.empty() ? std::string() : " " + std::string(where)));
}

}  // namespace

std::vector<MigrationStep> TradingSchema(SqlDialect dialect) {
  const bool pg = dialect == SqlDialect::kPostgres;
  // Types that differ: exact decimals, times, booleans, generated ids.
  const std::string money = pg ? "NUMERIC(30, 9)" : "TEXT";
  const std::string ts = pg ? "TIMESTAMPTZ" : "INTEGER";
  const std::string boolean = pg ? "BOOLEAN" : "INTEGER";
  const std::string id =
      pg ? "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";
  auto f = [&](std::string_view text) {
    return fmt::format(fmt::runtime(text), fmt::arg("money", money), fmt::arg("ts", ts),
                       fmt::arg("bool", boolean), fmt::arg("id", id));
  };
  auto list = [&](std::string_view table, std::string_view column, std::string_view where = "") {
    return CommaListToJsonArray(table, column, pg, where);
  };
  return {
      {1,
       "create strategies, trade_decisions, executions, position_snapshots, trade_cursor, "
       "llm_decision_reviews, replay_ledger",
       {
           f("CREATE TABLE strategies (name TEXT PRIMARY KEY, description TEXT NOT NULL, "
             "enabled {bool} NOT NULL, base_timeframe TEXT NOT NULL, universe_type TEXT NOT NULL, "
             "symbols TEXT NOT NULL, max_notional_per_trade {money}, max_position_pct_equity "
             "{money}, type TEXT NOT NULL, params TEXT NOT NULL, created_at {ts} NOT NULL, "
             "updated_at {ts} NOT NULL)"),
           f("CREATE TABLE trade_decisions (id {id}, decision_hash TEXT NOT NULL UNIQUE, "
             "strategy_name TEXT NOT NULL, symbol TEXT NOT NULL, timeframe TEXT NOT NULL, "
             "signal_event_ts {ts} NOT NULL, action TEXT NOT NULL, qty {money} NOT NULL, "
             "order_type TEXT NOT NULL, time_in_force TEXT NOT NULL, limit_price {money}, "
             "reference_price {money}, status TEXT NOT NULL, reasons TEXT NOT NULL, created_at "
             "{ts} NOT NULL, updated_at {ts} NOT NULL)"),
           "CREATE INDEX trade_decisions_by_time ON trade_decisions (created_at)",
           f("CREATE TABLE executions (id {id}, decision_hash TEXT NOT NULL REFERENCES "
             "trade_decisions (decision_hash), client_order_id TEXT NOT NULL UNIQUE, "
             "broker_order_id TEXT UNIQUE, symbol TEXT NOT NULL, side TEXT NOT NULL, qty {money} "
             "NOT NULL, order_type TEXT NOT NULL, filled_qty {money} NOT NULL, avg_fill_price "
             "{money}, status TEXT NOT NULL, submitted_at {ts} NOT NULL, updated_at {ts} NOT "
             "NULL)"),
           "CREATE INDEX executions_by_time ON executions (submitted_at)",
           f("CREATE TABLE position_snapshots (id {id}, taken_at {ts} NOT NULL, equity {money} "
             "NOT NULL, cash {money} NOT NULL, buying_power {money} NOT NULL, positions TEXT NOT "
             "NULL)"),
           f("CREATE TABLE trade_cursor (name TEXT PRIMARY KEY, event_ts {ts} NOT NULL, symbol "
             "TEXT NOT NULL, seq BIGINT NOT NULL, updated_at {ts} NOT NULL)"),
           f("CREATE TABLE llm_decision_reviews (id {id}, decision_hash TEXT NOT NULL, model "
             "TEXT NOT NULL, verdict TEXT NOT NULL, confidence {money}, adjusted_qty {money}, "
             "rationale TEXT NOT NULL, risk_flags TEXT NOT NULL, request_json TEXT NOT NULL, "
             "response_json TEXT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens "
             "BIGINT NOT NULL, latency_ms BIGINT NOT NULL, error TEXT, created_at {ts} NOT "
             "NULL)"),
           "CREATE INDEX llm_decision_reviews_by_decision ON llm_decision_reviews "
           "(decision_hash)",
           f("CREATE TABLE replay_ledger (replay_id TEXT PRIMARY KEY, group_id TEXT NOT NULL "
             "UNIQUE, previous_group_id TEXT NOT NULL, window_from {ts}, window_to {ts}, symbols "
             "TEXT NOT NULL, started_at {ts} NOT NULL, finished_at {ts}, outcome TEXT)"),
       }},
      {2,
       "typed trading model: list columns as JSON arrays; trade_cursor per (strategy, symbol, "
       "timeframe) replaces the single global cursor (dropped, not migrated: one watermark across "
       "symbols cannot say which bars each strategy evaluated, and decision_hash keeps any "
       "re-evaluation idempotent); add trade_bus_offsets and fills; decision client_order_id, "
       "inputs_json, rationale; strategy sizing and order shape; execution time_in_force and "
       "limit_price; LLM adjusted_order_type and limit_price; index decisions by status",
       {
           // strategies: sizing and order shape (SPEC §6); symbols as a JSON array.
           f("ALTER TABLE strategies ADD COLUMN qty {money}"),
           f("ALTER TABLE strategies ADD COLUMN notional {money}"),
           "ALTER TABLE strategies ADD COLUMN order_type TEXT NOT NULL DEFAULT 'market'",
           f("ALTER TABLE strategies ADD COLUMN limit_offset_bps {money}"),
           "ALTER TABLE strategies ADD COLUMN time_in_force TEXT NOT NULL DEFAULT 'day'",
           list("strategies", "symbols"),
           // trade_decisions: what the engine records. v1 used the hash itself as the client
           // order id, so a v1 decision keeps the id its execution was sent with (else its hash).
           "ALTER TABLE trade_decisions ADD COLUMN client_order_id TEXT NOT NULL DEFAULT ''",
           "ALTER TABLE trade_decisions ADD COLUMN inputs_json TEXT NOT NULL DEFAULT '{}'",
           "ALTER TABLE trade_decisions ADD COLUMN rationale TEXT NOT NULL DEFAULT ''",
           "UPDATE trade_decisions SET client_order_id = coalesce((SELECT min(e.client_order_id) "
           "FROM executions e WHERE e.decision_hash = trade_decisions.decision_hash), "
           "decision_hash)",
           list("trade_decisions", "reasons"),
           "CREATE UNIQUE INDEX trade_decisions_by_client_order_id ON trade_decisions "
           "(client_order_id)",
           "CREATE INDEX trade_decisions_by_status ON trade_decisions (status, created_at)",
           // executions: the order's time in force and limit price, from its decision.
           "ALTER TABLE executions ADD COLUMN time_in_force TEXT NOT NULL DEFAULT 'day'",
           f("ALTER TABLE executions ADD COLUMN limit_price {money}"),
           "UPDATE executions SET time_in_force = coalesce((SELECT d.time_in_force FROM "
           "trade_decisions d WHERE d.decision_hash = executions.decision_hash), 'day'), "
           "limit_price = CASE WHEN order_type = 'limit' THEN (SELECT d.limit_price FROM "
           "trade_decisions d WHERE d.decision_hash = executions.decision_hash) END",
           // position_snapshots: positions are a JSON array of typed entries.
           "UPDATE position_snapshots SET positions = '[]' WHERE positions = ''",
           // The cursor and the bus offsets (SPEC §5, §6).
           "DROP TABLE trade_cursor",
           f("CREATE TABLE trade_cursor (strategy_name TEXT NOT NULL, symbol TEXT NOT NULL, "
             "timeframe TEXT NOT NULL, event_ts {ts} NOT NULL, updated_at {ts} NOT NULL, "
             "PRIMARY KEY (strategy_name, symbol, timeframe))"),
           f("CREATE TABLE trade_bus_offsets (consumer_group TEXT NOT NULL, topic TEXT NOT NULL, "
             "topic_partition INTEGER NOT NULL, next_offset BIGINT NOT NULL, updated_at {ts} NOT "
             "NULL, PRIMARY KEY (consumer_group, topic, topic_partition))"),
           // fills: no foreign key to executions (a stream event may beat RecordSubmission).
           f("CREATE TABLE fills (id {id}, fill_id TEXT NOT NULL UNIQUE, client_order_id TEXT "
             "NOT NULL, strategy_name TEXT NOT NULL, symbol TEXT NOT NULL, side TEXT NOT NULL, "
             "qty {money} NOT NULL, price {money} NOT NULL, filled_at {ts} NOT NULL)"),
           "CREATE INDEX fills_by_time ON fills (filled_at)",
           "CREATE INDEX fills_by_order ON fills (client_order_id)",
           // llm_decision_reviews: the adjustment's order type and limit price; risk_flags was
           // JSON text from the caller in v1, converted only where it is not already an array.
           "ALTER TABLE llm_decision_reviews ADD COLUMN adjusted_order_type TEXT",
           f("ALTER TABLE llm_decision_reviews ADD COLUMN limit_price {money}"),
           list("llm_decision_reviews", "risk_flags", "WHERE risk_flags NOT LIKE '[%'"),
           list("replay_ledger", "symbols"),
       }},
  };
}

}  // namespace torghut::store
