#include "torghut/store/sql/sql_trading_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "torghut/store/internal/trading_rows.h"

namespace torghut::store {
namespace {

using internal::Bool;
using internal::Dec;
using internal::EncodeList;
using internal::EncodePositions;
using internal::Enum;
using internal::Int;
using internal::OptEnum;
using internal::OptInt;
using internal::OptText;
using internal::RowReader;
using internal::Text;

// LIMIT for "every row" (both dialects need a number; neither has a portable "no limit").
constexpr int64_t kNoLimit = int64_t{1} << 62;

// "'filled', 'canceled', ..." — the terminal broker statuses as SQL literals (the model's own
// names, never input).
std::string TerminalStatusList() {
  std::string out;
  for (OrderStatus s : trading::AllOrderStatuses()) {
    if (trading::IsTerminal(s)) out += fmt::format("{}'{}'", out.empty() ? "" : ", ", ToString(s));
  }
  return out;
}

class SqlTradingStore final : public TradingStore {
 public:
  SqlTradingStore(std::unique_ptr<SqlConnection> conn, SqlDialect dialect, int schema_version)
      : conn_(std::move(conn)), dialect_(dialect), schema_(TradingSchema(dialect)) {
    if (schema_version > 0)
      std::erase_if(schema_, [&](auto& s) { return s.version > schema_version; });
  }

  std::string_view backend() const override { return conn_->backend(); }

  Result<MigrationReport> Migrate() override {
    return RunMigrations("trading", std::string(conn_->backend()), schema_,
                         conn_->Migrations("trading"));
  }
  Result<int> SchemaVersion() override { return conn_->Migrations("trading").current_version(); }

  // ---- strategies ----

  Status UpsertStrategy(const Strategy& s) override {
    return Run(
        "INSERT INTO strategies (name, description, enabled, base_timeframe, universe_type, "
        "symbols, max_notional_per_trade, max_position_pct_equity, type, params, qty, notional, "
        "order_type, limit_offset_bps, time_in_force, created_at, updated_at) VALUES ($1, $2, $3, "
        "$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, {ts $16}, {ts $17}) "
        "ON CONFLICT (name) DO UPDATE SET description = excluded.description, enabled = "
        "excluded.enabled, base_timeframe = excluded.base_timeframe, universe_type = "
        "excluded.universe_type, symbols = excluded.symbols, max_notional_per_trade = "
        "excluded.max_notional_per_trade, max_position_pct_equity = "
        "excluded.max_position_pct_equity, type = excluded.type, params = excluded.params, qty = "
        "excluded.qty, notional = excluded.notional, order_type = excluded.order_type, "
        "limit_offset_bps = excluded.limit_offset_bps, time_in_force = excluded.time_in_force, "
        "updated_at = excluded.updated_at",
        {Text(s.name), Text(s.description), Bool(s.enabled), Enum(s.base_timeframe),
         Text(s.universe_type), Text(EncodeList(s.symbols)), Dec(s.max_notional_per_trade),
         Dec(s.max_position_pct_equity), Text(s.type), Text(s.params_json), Dec(s.qty),
         Dec(s.notional), Enum(s.order_type), Dec(s.limit_offset_bps), Enum(s.time_in_force),
         Int(s.created_at), Int(s.updated_at)});
  }

  Result<std::vector<Strategy>> ListStrategies() override {
    return Select<Strategy>(
        fmt::format("SELECT {} FROM strategies ORDER BY name", internal::kStrategyCols), {},
        internal::ReadStrategy);
  }

  Status SetStrategyEnabled(std::string_view name, bool enabled, EpochMillis now) override {
    TORGHUT_ASSIGN_OR_RETURN(
        SqlRows rows,
        Query("UPDATE strategies SET enabled = $1, updated_at = {ts $2} WHERE name = $3 "
              "RETURNING name",
              {Bool(enabled), Int(now), Text(name)}));
    if (rows.empty()) return NotFound(fmt::format("no strategy named '{}'", name));
    return Status::Ok();
  }

  // ---- decisions ----

  Result<bool> InsertDecision(const Decision& d) override { return InsertDecisionRow(d); }

  Result<std::optional<Decision>> GetDecision(std::string_view hash) override {
    return SelectOne<Decision>(
        fmt::format("SELECT {} FROM trade_decisions WHERE decision_hash = $1",
                    internal::kDecisionCols),
        {Text(hash)}, internal::ReadDecision);
  }

  Status UpdateDecisionStatus(std::string_view hash, DecisionStatus status,
                              const std::vector<std::string>& reasons, EpochMillis now) override {
    return UpdateDecision(hash, status, &reasons, now);
  }

  Result<std::vector<Decision>> ListDecisions(std::string_view symbol, EpochMillis since,
                                              int64_t limit) override {
    return Select<Decision>(
        fmt::format("SELECT {} FROM trade_decisions WHERE ($1 = '' OR symbol = $1) AND "
                    "created_at >= {{ts $2}} ORDER BY created_at DESC, decision_hash LIMIT $3",
                    internal::kDecisionCols),
        {Text(symbol), Int(since), Int(limit)}, internal::ReadDecision);
  }

  Result<std::vector<Decision>> ListDecisionsInWindow(const TradingWindow& w,
                                                      std::optional<DecisionStatus> status,
                                                      int64_t limit) override {
    return Select<Decision>(
        fmt::format("SELECT {} FROM trade_decisions WHERE created_at >= {{ts $1}} AND created_at "
                    "< {{ts $2}} AND ($3 = '' OR strategy_name = $3) AND ($4 = '' OR status = $4) "
                    "AND ($6 = '' OR symbol = $6) ORDER BY created_at DESC, decision_hash LIMIT $5",
                    internal::kDecisionCols),
        {Int(w.from), Int(w.to), Text(w.strategy_name), Text(status ? ToString(*status) : ""),
         Int(limit > 0 ? limit : kNoLimit), Text(w.symbol)},
        internal::ReadDecision);
  }

  Result<std::vector<Decision>> ListDecisionsByStatus(
      const std::vector<DecisionStatus>& statuses) override {
    if (statuses.empty()) return std::vector<Decision>();
    std::string placeholders;
    std::vector<SqlValue> params;
    for (DecisionStatus s : statuses) {
      params.push_back(Enum(s));
      placeholders += fmt::format("{}${}", placeholders.empty() ? "" : ", ", params.size());
    }
    return Select<Decision>(
        fmt::format("SELECT {} FROM trade_decisions WHERE status IN ({}) ORDER BY created_at, "
                    "decision_hash",
                    internal::kDecisionCols, placeholders),
        params, internal::ReadDecision);
  }

  Result<bool> ClaimForSubmission(std::string_view hash, EpochMillis now) override {
    TORGHUT_ASSIGN_OR_RETURN(
        SqlRows rows,
        Query("UPDATE trade_decisions SET status = $1, updated_at = {ts $2} WHERE decision_hash "
              "= $3 AND status = $4 RETURNING decision_hash",
              {Enum(DecisionStatus::kSubmitting), Int(now), Text(hash),
               Enum(DecisionStatus::kPlanned)}));
    if (!rows.empty()) return true;
    TORGHUT_ASSIGN_OR_RETURN(
        SqlRows existing,
        Query("SELECT 1 FROM trade_decisions WHERE decision_hash = $1", {Text(hash)}));
    if (existing.empty()) return NotFound(fmt::format("no decision with hash '{}'", hash));
    return false;
  }

  // ---- the trader's progress ----

  Result<std::vector<bool>> CommitEvaluation(const EvaluationBatch& batch) override {
    std::vector<bool> inserted;
    TORGHUT_RETURN_IF_ERROR(conn_->Transaction([&]() -> Status {
      inserted.clear();
      for (const Decision& d : batch.decisions) {
        TORGHUT_ASSIGN_OR_RETURN(bool fresh, InsertDecisionRow(d));
        inserted.push_back(fresh);
      }
      for (const TradeCursor& c : batch.cursors) {
        TORGHUT_RETURN_IF_ERROR(Run(
            "INSERT INTO trade_cursor (strategy_name, symbol, timeframe, event_ts, updated_at) "
            "VALUES ($1, $2, $3, {ts $4}, {ts $5}) ON CONFLICT (strategy_name, symbol, timeframe) "
            "DO UPDATE SET event_ts = excluded.event_ts, updated_at = excluded.updated_at WHERE "
            "excluded.event_ts > trade_cursor.event_ts",
            {Text(c.strategy_name), Text(c.symbol), Enum(c.timeframe), Int(c.event_ts),
             Int(c.updated_at)}));
      }
      for (const BusOffset& o : batch.offsets) {
        TORGHUT_RETURN_IF_ERROR(Run(
            "INSERT INTO trade_bus_offsets (consumer_group, topic, topic_partition, next_offset, "
            "updated_at) VALUES ($1, $2, $3, $4, {ts $5}) ON CONFLICT (consumer_group, topic, "
            "topic_partition) DO UPDATE SET next_offset = excluded.next_offset, updated_at = "
            "excluded.updated_at",
            {Text(o.consumer_group), Text(o.topic), Int(o.partition), Int(o.next_offset),
             Int(o.updated_at)}));
      }
      return Status::Ok();
    }));
    return inserted;
  }

  Result<std::optional<TradeCursor>> GetCursor(std::string_view strategy_name,
                                               std::string_view symbol,
                                               Timeframe timeframe) override {
    return SelectOne<TradeCursor>(
        fmt::format("SELECT {} FROM trade_cursor WHERE strategy_name = $1 AND symbol = $2 AND "
                    "timeframe = $3",
                    internal::kCursorCols),
        {Text(strategy_name), Text(symbol), Enum(timeframe)}, internal::ReadCursor);
  }

  Result<std::vector<TradeCursor>> ListCursors() override {
    return Select<TradeCursor>(
        fmt::format("SELECT {} FROM trade_cursor ORDER BY strategy_name, symbol, timeframe",
                    internal::kCursorCols),
        {}, internal::ReadCursor);
  }

  Result<std::vector<BusOffset>> ListBusOffsets(std::string_view consumer_group) override {
    return Select<BusOffset>(
        fmt::format("SELECT {} FROM trade_bus_offsets WHERE consumer_group = $1 ORDER BY topic, "
                    "topic_partition",
                    internal::kOffsetCols),
        {Text(consumer_group)}, internal::ReadOffset);
  }

  // ---- executions ----

  Status RecordSubmission(const Execution& e, DecisionStatus decision_status) override {
    return conn_->Transaction([&]() -> Status {
      TORGHUT_RETURN_IF_ERROR(Run(
          "INSERT INTO executions (decision_hash, client_order_id, broker_order_id, symbol, "
          "side, order_type, time_in_force, qty, limit_price, filled_qty, avg_fill_price, status, "
          "submitted_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
          "{ts $13}, {ts $14})",
          {Text(e.decision_hash), Text(e.client_order_id), OptText(e.broker_order_id),
           Text(e.symbol), Enum(e.side), Enum(e.order_type), Enum(e.time_in_force),
           Dec(e.submitted_qty), Dec(e.limit_price), Dec(e.filled_qty), Dec(e.avg_fill_price),
           Enum(e.status), Int(e.submitted_at), Int(e.updated_at)}));
      return UpdateDecision(e.decision_hash, decision_status, nullptr, e.updated_at);
    });
  }

  Status UpdateExecution(const Execution& e) override {
    TORGHUT_ASSIGN_OR_RETURN(
        SqlRows rows,
        Query("UPDATE executions SET broker_order_id = coalesce($1, broker_order_id), status = "
              "$2, filled_qty = $3, avg_fill_price = $4, updated_at = {ts $5} WHERE "
              "client_order_id = $6 RETURNING client_order_id",
              {OptText(e.broker_order_id), Enum(e.status), Dec(e.filled_qty), Dec(e.avg_fill_price),
               Int(e.updated_at), Text(e.client_order_id)}));
    if (rows.empty()) {
      return NotFound(fmt::format("no execution with client_order_id '{}'", e.client_order_id));
    }
    return Status::Ok();
  }

  Result<std::optional<Execution>> GetExecution(std::string_view client_order_id) override {
    return SelectOne<Execution>(fmt::format("SELECT {} FROM executions WHERE client_order_id = $1",
                                            internal::kExecutionCols),
                                {Text(client_order_id)}, internal::ReadExecution);
  }

  Result<std::vector<Execution>> ListExecutions(std::string_view symbol, EpochMillis since,
                                                int64_t limit) override {
    return Select<Execution>(
        fmt::format("SELECT {} FROM executions WHERE ($1 = '' OR symbol = $1) AND submitted_at "
                    ">= {{ts $2}} ORDER BY submitted_at DESC, client_order_id LIMIT $3",
                    internal::kExecutionCols),
        {Text(symbol), Int(since), Int(limit)}, internal::ReadExecution);
  }

  Result<std::vector<Execution>> ListExecutionsInWindow(const TradingWindow& w,
                                                        std::optional<OrderStatus> status,
                                                        int64_t limit) override {
    return Select<Execution>(
        fmt::format("SELECT {} FROM executions WHERE submitted_at >= {{ts $1}} AND submitted_at < "
                    "{{ts $2}} AND ($3 = '' OR decision_hash IN (SELECT decision_hash FROM "
                    "trade_decisions WHERE strategy_name = $3)) AND ($4 = '' OR status = $4) "
                    "AND ($6 = '' OR symbol = $6) ORDER BY submitted_at DESC, client_order_id "
                    "LIMIT $5",
                    internal::kExecutionCols),
        {Int(w.from), Int(w.to), Text(w.strategy_name), Text(status ? ToString(*status) : ""),
         Int(limit > 0 ? limit : kNoLimit), Text(w.symbol)},
        internal::ReadExecution);
  }

  Result<std::vector<Execution>> ListOpenExecutions() override {
    static const std::string sql = fmt::format(
        "SELECT {} FROM executions WHERE status NOT IN ({}) ORDER BY submitted_at, "
        "client_order_id",
        internal::kExecutionCols, TerminalStatusList());
    return Select<Execution>(sql, {}, internal::ReadExecution);
  }

  // ---- fills ----

  Result<bool> InsertFill(const Fill& f) override {
    TORGHUT_ASSIGN_OR_RETURN(
        SqlRows rows,
        Query("INSERT INTO fills (fill_id, client_order_id, strategy_name, symbol, side, qty, "
              "price, filled_at) VALUES ($1, $2, $3, $4, $5, $6, $7, {ts $8}) ON CONFLICT "
              "(fill_id) DO NOTHING RETURNING fill_id",
              {Text(f.fill_id), Text(f.client_order_id), Text(f.strategy_name), Text(f.symbol),
               Enum(f.side), Dec(f.qty), Dec(f.price), Int(f.filled_at)}));
    return !rows.empty();
  }

  Result<std::vector<Fill>> ListFills(const TradingWindow& w) override {
    return Select<Fill>(
        fmt::format("SELECT {} FROM fills WHERE filled_at >= {{ts $1}} AND filled_at < {{ts $2}} "
                    "AND ($3 = '' OR strategy_name = $3) AND ($4 = '' OR symbol = $4) ORDER BY "
                    "filled_at, fill_id",
                    internal::kFillCols),
        {Int(w.from), Int(w.to), Text(w.strategy_name), Text(w.symbol)}, internal::ReadFill);
  }

  // ---- account ----

  Status InsertPositionSnapshot(const PositionSnapshot& p) override {
    return Run(
        "INSERT INTO position_snapshots (taken_at, equity, cash, buying_power, positions) "
        "VALUES ({ts $1}, $2, $3, $4, $5)",
        {Int(p.taken_at), Dec(p.equity), Dec(p.cash), Dec(p.buying_power),
         Text(EncodePositions(p.positions))});
  }

  Result<std::optional<PositionSnapshot>> LatestPositionSnapshot() override {
    return SelectOne<PositionSnapshot>(
        fmt::format("SELECT {} FROM position_snapshots ORDER BY taken_at DESC, id DESC LIMIT 1",
                    internal::kSnapshotCols),
        {}, internal::ReadSnapshot);
  }

  Result<std::vector<PositionSnapshot>> ListPositionSnapshots(EpochMillis from,
                                                              EpochMillis to) override {
    return Select<PositionSnapshot>(
        fmt::format("SELECT {} FROM position_snapshots WHERE taken_at >= {{ts $1}} AND taken_at < "
                    "{{ts $2}} ORDER BY taken_at, id",
                    internal::kSnapshotCols),
        {Int(from), Int(to)}, internal::ReadSnapshot);
  }

  // ---- LLM reviews ----

  Status InsertLlmReview(const LlmReview& l) override {
    return Run(
        "INSERT INTO llm_decision_reviews (decision_hash, model, verdict, confidence, "
        "adjusted_qty, adjusted_order_type, limit_price, rationale, risk_flags, request_json, "
        "response_json, prompt_tokens, completion_tokens, latency_ms, error, created_at) VALUES "
        "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, {ts $16})",
        {Text(l.decision_hash), Text(l.model), Enum(l.verdict), Dec(l.confidence),
         Dec(l.adjusted_qty), OptEnum(l.adjusted_order_type), Dec(l.limit_price), Text(l.rationale),
         Text(EncodeList(l.risk_flags)), Text(l.request_json), Text(l.response_json),
         Int(l.prompt_tokens), Int(l.completion_tokens), Int(l.latency_ms), OptText(l.error),
         Int(l.created_at)});
  }

  Result<std::vector<LlmReview>> ListLlmReviews(std::string_view hash) override {
    return Select<LlmReview>(
        fmt::format("SELECT {} FROM llm_decision_reviews WHERE decision_hash = $1 ORDER BY id",
                    internal::kLlmCols),
        {Text(hash)}, internal::ReadLlm);
  }

  Result<std::vector<VerdictCount>> CountLlmVerdicts(const TradingWindow& w) override {
    TORGHUT_ASSIGN_OR_RETURN(
        std::vector<VerdictCount> out,
        Select<VerdictCount>(
            "SELECT verdict, count(*) FROM llm_decision_reviews WHERE created_at >= {ts $1} AND "
            "created_at < {ts $2} AND ($3 = '' OR decision_hash IN (SELECT decision_hash FROM "
            "trade_decisions WHERE strategy_name = $3)) GROUP BY verdict",
            {Int(w.from), Int(w.to), Text(w.strategy_name)}, internal::ReadVerdictCount));
    // The model's order, not the collation's: the same on both backends.
    std::ranges::sort(out, {}, [](const VerdictCount& c) { return static_cast<int>(c.verdict); });
    return out;
  }

  // ---- the replay ledger ----

  Status BeginReplay(const ReplayRun& x) override {
    Status s =
        Run("INSERT INTO replay_ledger (replay_id, group_id, previous_group_id, window_from, "
            "window_to, symbols, started_at) VALUES ($1, $2, $3, {ts $4}, {ts $5}, $6, {ts $7})",
            {Text(x.replay_id), Text(x.group_id), Text(x.previous_group_id), OptInt(x.window_from),
             OptInt(x.window_to), Text(EncodeList(x.symbols)), Int(x.started_at)});
    if (s.code() == StatusCode::kAlreadyExists) {
      return AlreadyExists(fmt::format(
          "group id '{}' (or replay id '{}') was used by an earlier replay; pick a new one",
          x.group_id, x.replay_id));
    }
    return s;
  }

  Status FinishReplay(std::string_view replay_id, EpochMillis finished_at,
                      std::string_view outcome) override {
    TORGHUT_ASSIGN_OR_RETURN(
        SqlRows rows, Query("UPDATE replay_ledger SET finished_at = {ts $1}, outcome = $2 WHERE "
                            "replay_id = $3 RETURNING replay_id",
                            {Int(finished_at), Text(outcome), Text(replay_id)}));
    if (rows.empty()) return NotFound(fmt::format("no replay with id '{}'", replay_id));
    return Status::Ok();
  }

  Result<std::optional<ReplayRun>> GetReplayByGroup(std::string_view group_id) override {
    return SelectOne<ReplayRun>(
        fmt::format("SELECT {} FROM replay_ledger WHERE group_id = $1", internal::kReplayCols),
        {Text(group_id)}, internal::ReadReplay);
  }

  Result<std::vector<ReplayRun>> ListReplays() override {
    return Select<ReplayRun>(
        fmt::format("SELECT {} FROM replay_ledger ORDER BY started_at DESC, replay_id",
                    internal::kReplayCols),
        {}, internal::ReadReplay);
  }

 private:
  // Statement text after the dialect rewrite, cached by the original text.
  const std::string& Sql(std::string_view text) {
    auto it = rewritten_.find(text);
    if (it == rewritten_.end()) {
      it = rewritten_.emplace(std::string(text), RewriteSql(text, dialect_)).first;
    }
    return it->second;
  }
  Result<SqlRows> Query(std::string_view sql, const std::vector<SqlValue>& params) {
    return conn_->Exec(Sql(sql), params);
  }
  Status Run(std::string_view sql, const std::vector<SqlValue>& params) {
    return Query(sql, params).status();
  }

  // true when inserted, false when the hash exists (a duplicate client_order_id of another
  // hash is kAlreadyExists; a missing hash or client_order_id kInvalidArgument).
  Result<bool> InsertDecisionRow(const Decision& d) {
    if (d.decision_hash.empty() || d.client_order_id.empty()) {
      return InvalidArgument(fmt::format(
          "decision '{}' needs a decision_hash and a client_order_id (ClientOrderIdFor(hash))",
          d.decision_hash));
    }
    Result<SqlRows> rows = Query(
        "INSERT INTO trade_decisions (decision_hash, client_order_id, strategy_name, "
        "symbol, timeframe, signal_event_ts, action, qty, order_type, time_in_force, "
        "limit_price, reference_price, status, reasons, inputs_json, rationale, "
        "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, {ts $6}, $7, $8, $9, $10, "
        "$11, $12, $13, $14, $15, $16, {ts $17}, {ts $18}) ON CONFLICT (decision_hash) DO "
        "NOTHING RETURNING decision_hash",
        {Text(d.decision_hash), Text(d.client_order_id), Text(d.strategy_name), Text(d.symbol),
         Enum(d.timeframe), Int(d.signal_event_ts), Enum(d.action), Dec(d.qty), Enum(d.order_type),
         Enum(d.time_in_force), Dec(d.limit_price), Dec(d.reference_price), Enum(d.status),
         Text(EncodeList(d.risk_reasons)), Text(d.inputs_json), Text(d.rationale),
         Int(d.created_at), Int(d.updated_at)});
    if (rows.ok()) return !rows->empty();
    if (rows.status().code() == StatusCode::kAlreadyExists) {
      // Two writers storing the same decision at once: Postgres may meet the other's row in the
      // client_order_id index before the decision_hash one that ON CONFLICT names, and fail
      // instead of doing nothing. The same decision stored is "not inserted"; another decision
      // holding this client order id is the error it says.
      Result<std::optional<Decision>> stored = GetDecision(d.decision_hash);
      if (stored.ok() && stored->has_value()) return false;
    }
    return rows.status();
  }

  Status UpdateDecision(std::string_view hash, DecisionStatus status,
                        const std::vector<std::string>* reasons, EpochMillis now) {
    TORGHUT_ASSIGN_OR_RETURN(
        SqlRows rows,
        Query("UPDATE trade_decisions SET status = $1, reasons = coalesce($2, reasons), "
              "updated_at = {ts $3} WHERE decision_hash = $4 RETURNING decision_hash",
              {Enum(status), reasons ? Text(EncodeList(*reasons)) : std::nullopt, Int(now),
               Text(hash)}));
    if (rows.empty()) return NotFound(fmt::format("no decision with hash '{}'", hash));
    return Status::Ok();
  }

  template <typename T, typename Read>
  Result<std::vector<T>> Select(const std::string& sql, const std::vector<SqlValue>& params,
                                Read read) {
    TORGHUT_ASSIGN_OR_RETURN(SqlRows rows, Query(sql, params));
    std::vector<T> out;
    out.reserve(rows.size());
    for (const SqlRow& row : rows) {
      RowReader r(row);
      out.push_back(read(r));
      TORGHUT_RETURN_IF_ERROR(r.status());
    }
    return out;
  }
  template <typename T, typename Read>
  Result<std::optional<T>> SelectOne(const std::string& sql, const std::vector<SqlValue>& params,
                                     Read read) {
    TORGHUT_ASSIGN_OR_RETURN(std::vector<T> rows, Select<T>(sql, params, read));
    if (rows.empty()) return std::optional<T>();
    return std::optional<T>(std::move(rows.front()));
  }

  std::unique_ptr<SqlConnection> conn_;
  SqlDialect dialect_;
  std::vector<MigrationStep> schema_;
  std::map<std::string, std::string, std::less<>> rewritten_;
};

}  // namespace

std::unique_ptr<TradingStore> MakeSqlTradingStore(std::unique_ptr<SqlConnection> conn,
                                                  SqlDialect dialect, int schema_version) {
  return std::unique_ptr<TradingStore>(
      std::make_unique<SqlTradingStore>(std::move(conn), dialect, schema_version));
}

}  // namespace torghut::store
