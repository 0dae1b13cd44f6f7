// TradingStore: the trading loop's durable state and audit trail (SPEC §5, §6, §9), in the
// types of the trading model (torghut/trading/model.h).
//
//   TORGHUT_ASSIGN_OR_RETURN(auto store, OpenTradingStore(config));
//   EvaluationBatch batch;
//   batch.decisions.push_back(decision);
//   batch.cursors.push_back({"macd-rsi-default", "AAPL", Timeframe::k1Min, bar_event_ts, now});
//   batch.offsets.push_back({"torghut-trading", "ta.signals", 0, next_offset, now});
//   TORGHUT_ASSIGN_OR_RETURN(std::vector<bool> inserted, store->CommitEvaluation(batch));
//   TORGHUT_ASSIGN_OR_RETURN(bool mine, store->ClaimForSubmission(decision.decision_hash, now));
//   if (mine) { /* POST the order */ TORGHUT_RETURN_IF_ERROR(store->RecordSubmission(
//                   execution, DecisionStatus::kSubmitted)); }
//
// Contract shared by the backends (SQLite, Postgres; one conformance suite):
// - Money and quantities are exact decimals (NUMERIC in Postgres, canonical decimal text in
//   SQLite); times are epoch milliseconds in the API (TIMESTAMPTZ in Postgres). Lists (reasons,
//   symbols, flags) are stored as JSON array text; enums as their model string forms.
// - Uniqueness is enforced by the database: decision_hash and client_order_id of decisions;
//   executions' client_order_id and broker_order_id; fill ids; replay group ids. A duplicate
//   decision or fill is reported as "not inserted", never as a second row; a duplicate execution
//   or replay group id is kAlreadyExists and changes nothing.
// - Each method that writes several rows (CommitEvaluation, RecordSubmission) does so in one
//   transaction: all or nothing.
// - A stored value the model cannot read (an unknown status, malformed list JSON) is kDataLoss.
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
#include "torghut/trading/model.h"
#include "torghut/trading/strategy_store.h"

namespace torghut::store {

// The model's vocabulary, used unqualified by the store and its callers.
using trading::Decision;
using trading::DecisionStatus;
using trading::EpochMillis;
using trading::Execution;
using trading::Fill;
using trading::LlmReview;
using trading::OrderStatus;
using trading::Position;
using trading::PositionSnapshot;
using trading::Strategy;
using trading::Timeframe;

// The last bar a strategy evaluated for a symbol and timeframe (SPEC §6: once per bar identity).
// A bar at or before `event_ts` has been evaluated; the cursor never moves back.
struct TradeCursor {
  std::string strategy_name;
  std::string symbol;
  Timeframe timeframe = Timeframe::k1Min;
  EpochMillis event_ts = 0;  // the last evaluated bar's event_ts
  EpochMillis updated_at = 0;
};

// The next bus offset the trader has yet to handle for one partition of a topic it consumes:
// everything before it is reflected in the store. Last writer wins (an operator may rewind).
struct BusOffset {
  std::string consumer_group;
  std::string topic;
  int32_t partition = 0;
  int64_t next_offset = 0;
  EpochMillis updated_at = 0;
};

// What one evaluation step made durable together: its decisions (inserted idempotently by
// decision_hash), the cursors it advanced and the bus offsets it handled.
struct EvaluationBatch {
  std::vector<Decision> decisions;
  std::vector<TradeCursor> cursors;
  std::vector<BusOffset> offsets;
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

// A time window [from, to) of one strategy (all when `strategy_name` is empty) and one symbol (all
// when `symbol` is empty): the reads of the trading page (SPEC §7, §8; one trading day) and of the
// chart's markers (one symbol over the chart's range).
struct TradingWindow {
  EpochMillis from = 0, to = 0;
  std::string strategy_name;
  std::string symbol;
};

// How many stored LLM reviews reached one verdict.
struct VerdictCount {
  trading::LlmVerdict verdict = trading::LlmVerdict::kSkipped;
  int64_t count = 0;
};

class TradingStore : public trading::StrategyStore {
 public:
  virtual ~TradingStore() = default;
  virtual std::string_view backend() const = 0;
  virtual Result<MigrationReport> Migrate() = 0;
  virtual Result<int> SchemaVersion() = 0;

  // ---- strategies: UpsertStrategy, ListStrategies, SetStrategyEnabled (trading::StrategyStore)

  // ---- decisions ----
  // false when a decision with this hash exists (the stored one is left as it was).
  // kInvalidArgument without a decision_hash or client_order_id; kAlreadyExists when another
  // decision has this client_order_id.
  virtual Result<bool> InsertDecision(const Decision& d) = 0;
  virtual Result<std::optional<Decision>> GetDecision(std::string_view decision_hash) = 0;
  // Sets status and reasons (replacing the stored reasons). kNotFound for an unknown hash.
  virtual Status UpdateDecisionStatus(std::string_view decision_hash, DecisionStatus status,
                                      const std::vector<std::string>& reasons, EpochMillis now) = 0;
  // Newest first; `symbol` empty = all; created_at >= since.
  virtual Result<std::vector<Decision>> ListDecisions(std::string_view symbol, EpochMillis since,
                                                      int64_t limit) = 0;
  // Decisions of the window's strategy and symbol with from <= created_at < to and, when given,
  // `status`;
  // newest first (created_at, then hash), at most `limit` (0 = no limit).
  virtual Result<std::vector<Decision>> ListDecisionsInWindow(const TradingWindow& w,
                                                              std::optional<DecisionStatus> status,
                                                              int64_t limit) = 0;
  // Every decision whose status is one of `statuses`, oldest first (created_at, then hash); e.g.
  // {planned, submitting} for crash recovery.
  virtual Result<std::vector<Decision>> ListDecisionsByStatus(
      const std::vector<DecisionStatus>& statuses) = 0;
  // planned → submitting, durably, before the order is sent. true when this call made the
  // change; false when the decision is not planned (claimed already, rejected, ...);
  // kNotFound for an unknown hash.
  virtual Result<bool> ClaimForSubmission(std::string_view decision_hash, EpochMillis now) = 0;

  // ---- the trader's progress ----
  // Inserts the batch's decisions (each only if its hash is new), advances its cursors (a cursor
  // update older than the stored one is ignored) and records its offsets, in one transaction.
  // Returns, per decision of the batch and in its order, whether it was inserted.
  virtual Result<std::vector<bool>> CommitEvaluation(const EvaluationBatch& batch) = 0;
  virtual Result<std::optional<TradeCursor>> GetCursor(std::string_view strategy_name,
                                                       std::string_view symbol,
                                                       Timeframe timeframe) = 0;
  // Every cursor, by strategy, symbol, timeframe.
  virtual Result<std::vector<TradeCursor>> ListCursors() = 0;
  // The offsets recorded for a consumer group, by topic and partition.
  virtual Result<std::vector<BusOffset>> ListBusOffsets(std::string_view consumer_group) = 0;

  // ---- executions (orders at the broker) ----
  // Inserts the execution and sets its decision's status, atomically.
  virtual Status RecordSubmission(const Execution& e, DecisionStatus decision_status) = 0;
  // Updates status, broker id (when given), fills and updated_at of the execution with
  // e.client_order_id. kNotFound when there is none.
  virtual Status UpdateExecution(const Execution& e) = 0;
  virtual Result<std::optional<Execution>> GetExecution(std::string_view client_order_id) = 0;
  // Newest first; `symbol` empty = all; submitted_at >= since.
  virtual Result<std::vector<Execution>> ListExecutions(std::string_view symbol, EpochMillis since,
                                                        int64_t limit) = 0;
  // Executions of the window's symbol with from <= submitted_at < to whose decision is the
  // window's strategy's and, when given, whose status is `status`; newest first (submitted_at, then
  // client_order_id), at most `limit` (0 = no limit).
  virtual Result<std::vector<Execution>> ListExecutionsInWindow(const TradingWindow& w,
                                                                std::optional<OrderStatus> status,
                                                                int64_t limit) = 0;
  // Executions whose status is not terminal (for reconciliation), oldest first.
  virtual Result<std::vector<Execution>> ListOpenExecutions() = 0;

  // ---- fills ----
  // false when a fill with this fill_id exists (the stored one is left as it was). A fill need
  // not have its execution recorded yet (a stream event may beat RecordSubmission).
  virtual Result<bool> InsertFill(const Fill& f) = 0;
  // Fills of the window's strategy and symbol with from <= filled_at < to, oldest first
  // (filled_at, then fill_id).
  virtual Result<std::vector<Fill>> ListFills(const TradingWindow& w) = 0;

  // ---- account ----
  virtual Status InsertPositionSnapshot(const PositionSnapshot& p) = 0;
  virtual Result<std::optional<PositionSnapshot>> LatestPositionSnapshot() = 0;
  // Snapshots with from <= taken_at < to, oldest first (taken_at, then insertion order).
  virtual Result<std::vector<PositionSnapshot>> ListPositionSnapshots(EpochMillis from,
                                                                      EpochMillis to) = 0;

  // ---- LLM reviews ----
  virtual Status InsertLlmReview(const LlmReview& r) = 0;
  virtual Result<std::vector<LlmReview>> ListLlmReviews(std::string_view decision_hash) = 0;
  // Reviews with from <= created_at < to of the window's strategy's decisions, counted by verdict:
  // one entry per verdict that occurs, in the order of trading::AllLlmVerdicts().
  virtual Result<std::vector<VerdictCount>> CountLlmVerdicts(const TradingWindow& w) = 0;

  // ---- the replay ledger (TA operations) ----
  // kAlreadyExists when the group id was used by an earlier replay.
  virtual Status BeginReplay(const ReplayRun& r) = 0;
  virtual Status FinishReplay(std::string_view replay_id, EpochMillis finished_at,
                              std::string_view outcome) = 0;
  virtual Result<std::optional<ReplayRun>> GetReplayByGroup(std::string_view group_id) = 0;
  virtual Result<std::vector<ReplayRun>> ListReplays() = 0;  // newest first
};

}  // namespace torghut::store
