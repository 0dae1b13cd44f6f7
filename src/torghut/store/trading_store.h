// TradingStore: the trading loop's durable state and audit trail (SPEC §5, §6, §9).
//
//   TORGHUT_ASSIGN_OR_RETURN(auto store, OpenTradingStore(config));
//   TORGHUT_ASSIGN_OR_RETURN(bool inserted, store->InsertDecision(decision));
//   if (inserted) TORGHUT_RETURN_IF_ERROR(store->RecordSubmission(execution, "submitted"));
//
// Contract shared by the backends (SQLite, Postgres; one conformance suite):
// - Money and quantities are exact decimals (NUMERIC in Postgres, canonical decimal text in
//   SQLite); times are epoch milliseconds in the API (TIMESTAMPTZ in Postgres).
// - Uniqueness is enforced by the database: decision_hash; executions' client_order_id and
//   broker_order_id; replay group ids. A duplicate decision is reported as "not inserted", never as
//   a second row; a duplicate execution or replay group id is kAlreadyExists and changes nothing.
// - RecordSubmission changes the execution and its decision together or not at all.
// - Errors to back off on: kUnavailable (server down; the next call reconnects),
//   kResourceExhausted (disk full). Not thread-safe: one store object per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/core/decimal.h"
#include "torghut/core/status.h"
#include "torghut/store/migration.h"

namespace torghut::store {

using EpochMillis = int64_t;

struct Strategy {
  std::string name;  // unique
  std::string description;
  bool enabled = false;
  std::string base_timeframe = "1Min";  // 1Sec, 1Min, ...
  std::string universe_type = "static";
  std::vector<std::string> symbols;
  std::optional<Decimal> max_notional_per_trade;
  std::optional<Decimal> max_position_pct_equity;
  std::string type;         // rule name, e.g. "macd-rsi"
  std::string params_json;  // the rule's parameters as JSON text
  EpochMillis created_at = 0;
  EpochMillis updated_at = 0;
};

struct Decision {
  std::string decision_hash;  // unique; also the broker client_order_id
  std::string strategy_name;
  std::string symbol;
  std::string timeframe;
  EpochMillis signal_event_ts = 0;
  std::string action;  // buy | sell
  Decimal qty;
  std::string order_type = "market";
  std::string time_in_force = "day";
  std::optional<Decimal> limit_price;
  std::optional<Decimal> reference_price;  // the price the decision was made at
  std::string status = "planned";          // planned | rejected | submitted | broker status
  std::vector<std::string> reasons;        // risk rejection reasons, in check order
  EpochMillis created_at = 0;
  EpochMillis updated_at = 0;
};

struct Execution {
  std::string decision_hash;
  std::string client_order_id;  // unique
  std::optional<std::string> broker_order_id;  // unique when set
  std::string symbol;
  std::string side;
  Decimal qty;
  std::string order_type = "market";
  Decimal filled_qty;
  std::optional<Decimal> avg_fill_price;
  std::string status;  // broker status: new, accepted, partially_filled, filled, canceled, ...
  EpochMillis submitted_at = 0;
  EpochMillis updated_at = 0;
};

// True for broker statuses that never change again.
bool IsTerminalOrderStatus(std::string_view status);

struct PositionSnapshot {
  EpochMillis taken_at = 0;
  Decimal equity, cash, buying_power;
  std::string positions_json;  // [{symbol, qty, avg_entry_price, market_value}] as the broker says
};

// The trading loop's durable read position over final signals.
struct TradeCursor {
  EpochMillis event_ts = 0;
  std::string symbol;
  int64_t seq = 0;
  EpochMillis updated_at = 0;
};

struct LlmReview {
  std::string decision_hash;
  std::string model;
  std::string verdict;  // approve | veto | adjust | error | skipped
  std::optional<Decimal> confidence;
  std::optional<Decimal> adjusted_qty;
  std::string rationale;
  std::string risk_flags_json = "[]";
  std::string request_json;
  std::string response_json;
  int64_t prompt_tokens = 0, completion_tokens = 0, latency_ms = 0;
  std::optional<std::string> error;
  EpochMillis created_at = 0;
};

struct ReplayRun {
  std::string replay_id;
  std::string group_id;           // never used before
  std::string previous_group_id;  // the steady-state group to roll back to
  std::optional<EpochMillis> window_from, window_to;
  std::vector<std::string> symbols;
  EpochMillis started_at = 0;
  std::optional<EpochMillis> finished_at;
  std::optional<std::string> outcome;  // "ok" or the failure
};

class TradingStore {
 public:
  virtual ~TradingStore() = default;
  virtual std::string_view backend() const = 0;
  virtual Result<MigrationReport> Migrate() = 0;
  virtual Result<int> SchemaVersion() = 0;

  // Insert or replace by name (created_at of an existing row is kept).
  virtual Status UpsertStrategy(const Strategy& s) = 0;
  virtual Result<std::vector<Strategy>> ListStrategies() = 0;  // by name
  virtual Status SetStrategyEnabled(std::string_view name, bool enabled, EpochMillis now) = 0;

  // false when a decision with this hash exists (the stored one is left as it was).
  virtual Result<bool> InsertDecision(const Decision& d) = 0;
  virtual Result<std::optional<Decision>> GetDecision(std::string_view decision_hash) = 0;
  virtual Status UpdateDecisionStatus(std::string_view decision_hash, std::string_view status,
                                      const std::vector<std::string>& reasons,
                                      EpochMillis now) = 0;
  // Newest first; `symbol` empty = all; created_at >= since.
  virtual Result<std::vector<Decision>> ListDecisions(std::string_view symbol, EpochMillis since,
                                                      int64_t limit) = 0;

  // Inserts the execution and sets its decision's status, atomically.
  virtual Status RecordSubmission(const Execution& e, std::string_view decision_status) = 0;
  // Updates status, broker id, fills and updated_at of the execution with e.client_order_id.
  virtual Status UpdateExecution(const Execution& e) = 0;
  virtual Result<std::optional<Execution>> GetExecution(std::string_view client_order_id) = 0;
  virtual Result<std::vector<Execution>> ListExecutions(std::string_view symbol,
                                                        EpochMillis since, int64_t limit) = 0;
  // Executions whose status is not terminal (for reconciliation), oldest first.
  virtual Result<std::vector<Execution>> ListOpenExecutions() = 0;

  virtual Status InsertPositionSnapshot(const PositionSnapshot& p) = 0;
  virtual Result<std::optional<PositionSnapshot>> LatestPositionSnapshot() = 0;

  virtual Result<std::optional<TradeCursor>> GetCursor(std::string_view name) = 0;
  virtual Status SetCursor(std::string_view name, const TradeCursor& c) = 0;

  virtual Status InsertLlmReview(const LlmReview& r) = 0;
  virtual Result<std::vector<LlmReview>> ListLlmReviews(std::string_view decision_hash) = 0;

  // kAlreadyExists when the group id was used by an earlier replay.
  virtual Status BeginReplay(const ReplayRun& r) = 0;
  virtual Status FinishReplay(std::string_view replay_id, EpochMillis finished_at,
                              std::string_view outcome) = 0;
  virtual Result<std::optional<ReplayRun>> GetReplayByGroup(std::string_view group_id) = 0;
  virtual Result<std::vector<ReplayRun>> ListReplays() = 0;  // newest first
};

}  // namespace torghut::store
