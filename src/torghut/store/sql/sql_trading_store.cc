#include "torghut/store/sql/sql_trading_store.h"

#include <fmt/format.h>

#include <charconv>
#include <map>

namespace torghut::store {
namespace {

// ---- value conversion (text on the wire, exact decimals) ----

SqlValue Text(std::string_view s) {
  return std::string(s);
}
SqlValue Int(int64_t v) {
  return std::to_string(v);
}
SqlValue Bool(bool v) {
  return std::string(v ? "1" : "0");
}
SqlValue Dec(Decimal d) {
  return d.ToString();
}
SqlValue Dec(const std::optional<Decimal>& d) {
  return d ? SqlValue(d->ToString()) : std::nullopt;
}
SqlValue OptInt(const std::optional<int64_t>& v) {
  return v ? Int(*v) : std::nullopt;
}
SqlValue OptText(const std::optional<std::string>& v) {
  return v;
}

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}
std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const size_t comma = s.find(',');
    out.emplace_back(s.substr(0, comma));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

// Reads columns of one result row in order, recording the first conversion failure.
class RowReader {
 public:
  explicit RowReader(const SqlRow& row) : row_(row) {}
  std::string Str() {
    const SqlValue& v = Next();
    return v ? *v : std::string();
  }
  std::optional<std::string> OptStr() { return Next(); }
  int64_t Int() {
    const SqlValue& v = Next();
    int64_t out = 0;
    if (v && std::from_chars(v->data(), v->data() + v->size(), out).ec != std::errc()) Fail(*v);
    return out;
  }
  std::optional<int64_t> OptInt() {
    if (!Peek()) {
      Next();
      return std::nullopt;
    }
    return Int();
  }
  bool Bool() {
    const std::string s = Str();
    return s == "1" || s == "t" || s == "true";
  }
  Decimal Dec() {
    const SqlValue& v = Next();
    if (!v) return Decimal();
    auto d = Decimal::Parse(*v);
    if (!d.ok()) Fail(*v);
    return d.value_or(Decimal());
  }
  std::optional<Decimal> OptDec() {
    if (!Peek()) {
      Next();
      return std::nullopt;
    }
    return Dec();
  }
  Status status() const { return status_; }

 private:
  const SqlValue& Next() {
    static const SqlValue kNullValue;
    return i_ < row_.size() ? row_[i_++] : kNullValue;
  }
  bool Peek() const { return i_ < row_.size() && row_[i_].has_value(); }
  void Fail(std::string_view v) {
    if (status_.ok()) {
      status_ = DataLoss(fmt::format("trading store column {} holds '{}', not a number", i_,
                                     v.substr(0, 40)));
    }
  }
  const SqlRow& row_;
  size_t i_ = 0;
  Status status_;
};

// ---- column lists, one per table, shared by INSERT and SELECT ----

constexpr std::string_view kStrategyCols =
    "name, description, enabled, base_timeframe, universe_type, symbols, max_notional_per_trade, "
    "max_position_pct_equity, type, params, {ms created_at}, {ms updated_at}";
constexpr std::string_view kDecisionCols =
    "decision_hash, strategy_name, symbol, timeframe, {ms signal_event_ts}, action, qty, "
    "order_type, time_in_force, limit_price, reference_price, status, reasons, {ms created_at}, "
    "{ms updated_at}";
constexpr std::string_view kExecutionCols =
    "decision_hash, client_order_id, broker_order_id, symbol, side, qty, order_type, filled_qty, "
    "avg_fill_price, status, {ms submitted_at}, {ms updated_at}";
constexpr std::string_view kLlmCols =
    "decision_hash, model, verdict, confidence, adjusted_qty, rationale, risk_flags, "
    "request_json, response_json, prompt_tokens, completion_tokens, latency_ms, error, "
    "{ms created_at}";
constexpr std::string_view kReplayCols =
    "replay_id, group_id, previous_group_id, {ms window_from}, {ms window_to}, symbols, "
    "{ms started_at}, {ms finished_at}, outcome";

Strategy ReadStrategy(RowReader& r) {
  Strategy s;
  s.name = r.Str();
  s.description = r.Str();
  s.enabled = r.Bool();
  s.base_timeframe = r.Str();
  s.universe_type = r.Str();
  s.symbols = SplitList(r.Str());
  s.max_notional_per_trade = r.OptDec();
  s.max_position_pct_equity = r.OptDec();
  s.type = r.Str();
  s.params_json = r.Str();
  s.created_at = r.Int();
  s.updated_at = r.Int();
  return s;
}

Decision ReadDecision(RowReader& r) {
  Decision d;
  d.decision_hash = r.Str();
  d.strategy_name = r.Str();
  d.symbol = r.Str();
  d.timeframe = r.Str();
  d.signal_event_ts = r.Int();
  d.action = r.Str();
  d.qty = r.Dec();
  d.order_type = r.Str();
  d.time_in_force = r.Str();
  d.limit_price = r.OptDec();
  d.reference_price = r.OptDec();
  d.status = r.Str();
  d.reasons = SplitList(r.Str());
  d.created_at = r.Int();
  d.updated_at = r.Int();
  return d;
}

Execution ReadExecution(RowReader& r) {
  Execution e;
  e.decision_hash = r.Str();
  e.client_order_id = r.Str();
  e.broker_order_id = r.OptStr();
  e.symbol = r.Str();
  e.side = r.Str();
  e.qty = r.Dec();
  e.order_type = r.Str();
  e.filled_qty = r.Dec();
  e.avg_fill_price = r.OptDec();
  e.status = r.Str();
  e.submitted_at = r.Int();
  e.updated_at = r.Int();
  return e;
}

LlmReview ReadLlm(RowReader& r) {
  LlmReview l;
  l.decision_hash = r.Str();
  l.model = r.Str();
  l.verdict = r.Str();
  l.confidence = r.OptDec();
  l.adjusted_qty = r.OptDec();
  l.rationale = r.Str();
  l.risk_flags_json = r.Str();
  l.request_json = r.Str();
  l.response_json = r.Str();
  l.prompt_tokens = r.Int();
  l.completion_tokens = r.Int();
  l.latency_ms = r.Int();
  l.error = r.OptStr();
  l.created_at = r.Int();
  return l;
}

ReplayRun ReadReplay(RowReader& r) {
  ReplayRun x;
  x.replay_id = r.Str();
  x.group_id = r.Str();
  x.previous_group_id = r.Str();
  x.window_from = r.OptInt();
  x.window_to = r.OptInt();
  x.symbols = SplitList(r.Str());
  x.started_at = r.Int();
  x.finished_at = r.OptInt();
  x.outcome = r.OptStr();
  return x;
}

class SqlTradingStore final : public TradingStore {
 public:
  SqlTradingStore(std::unique_ptr<SqlConnection> conn, SqlDialect dialect)
      : conn_(std::move(conn)), dialect_(dialect) {}

  std::string_view backend() const override { return conn_->backend(); }

  Result<MigrationReport> Migrate() override {
    return RunMigrations("trading", std::string(conn_->backend()), TradingSchema(dialect_),
                         conn_->Migrations("trading"));
  }
  Result<int> SchemaVersion() override {
    return conn_->Migrations("trading").current_version();
  }

  Status UpsertStrategy(const Strategy& s) override {
    return Run(
        "INSERT INTO strategies (name, description, enabled, base_timeframe, universe_type, "
        "symbols, max_notional_per_trade, max_position_pct_equity, type, params, created_at, "
        "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, {ts $11}, {ts $12}) "
        "ON CONFLICT (name) DO UPDATE SET description = excluded.description, enabled = "
        "excluded.enabled, base_timeframe = excluded.base_timeframe, universe_type = "
        "excluded.universe_type, symbols = excluded.symbols, max_notional_per_trade = "
        "excluded.max_notional_per_trade, max_position_pct_equity = "
        "excluded.max_position_pct_equity, type = excluded.type, params = excluded.params, "
        "updated_at = excluded.updated_at",
        {Text(s.name), Text(s.description), Bool(s.enabled), Text(s.base_timeframe),
         Text(s.universe_type), Text(JoinList(s.symbols)), Dec(s.max_notional_per_trade),
         Dec(s.max_position_pct_equity), Text(s.type), Text(s.params_json), Int(s.created_at),
         Int(s.updated_at)});
  }

  Result<std::vector<Strategy>> ListStrategies() override {
    return Select<Strategy>(fmt::format("SELECT {} FROM strategies ORDER BY name", kStrategyCols),
                            {}, ReadStrategy);
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

  Result<bool> InsertDecision(const Decision& d) override {
    TORGHUT_ASSIGN_OR_RETURN(
        SqlRows rows,
        Query("INSERT INTO trade_decisions (decision_hash, strategy_name, symbol, timeframe, "
              "signal_event_ts, action, qty, order_type, time_in_force, limit_price, "
              "reference_price, status, reasons, created_at, updated_at) VALUES ($1, $2, $3, $4, "
              "{ts $5}, $6, $7, $8, $9, $10, $11, $12, $13, {ts $14}, {ts $15}) ON CONFLICT "
              "(decision_hash) DO NOTHING RETURNING decision_hash",
              {Text(d.decision_hash), Text(d.strategy_name), Text(d.symbol), Text(d.timeframe),
               Int(d.signal_event_ts), Text(d.action), Dec(d.qty), Text(d.order_type),
               Text(d.time_in_force), Dec(d.limit_price), Dec(d.reference_price), Text(d.status),
               Text(JoinList(d.reasons)), Int(d.created_at), Int(d.updated_at)}));
    return !rows.empty();
  }

  Result<std::optional<Decision>> GetDecision(std::string_view hash) override {
    return SelectOne<Decision>(
        fmt::format("SELECT {} FROM trade_decisions WHERE decision_hash = $1", kDecisionCols),
        {Text(hash)}, ReadDecision);
  }

  Status UpdateDecisionStatus(std::string_view hash, std::string_view status,
                              const std::vector<std::string>& reasons, EpochMillis now) override {
    return UpdateDecision(hash, status, &reasons, now);
  }

  Result<std::vector<Decision>> ListDecisions(std::string_view symbol, EpochMillis since,
                                              int64_t limit) override {
    return Select<Decision>(
        fmt::format("SELECT {} FROM trade_decisions WHERE ($1 = '' OR symbol = $1) AND "
                    "created_at >= {{ts $2}} ORDER BY created_at DESC, decision_hash LIMIT $3",
                    kDecisionCols),
        {Text(symbol), Int(since), Int(limit)}, ReadDecision);
  }

  Status RecordSubmission(const Execution& e, std::string_view decision_status) override {
    return conn_->Transaction([&]() -> Status {
      TORGHUT_RETURN_IF_ERROR(Run(
          "INSERT INTO executions (decision_hash, client_order_id, broker_order_id, symbol, "
          "side, qty, order_type, filled_qty, avg_fill_price, status, submitted_at, updated_at) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, {ts $11}, {ts $12})",
          {Text(e.decision_hash), Text(e.client_order_id), OptText(e.broker_order_id),
           Text(e.symbol), Text(e.side), Dec(e.qty), Text(e.order_type), Dec(e.filled_qty),
           Dec(e.avg_fill_price), Text(e.status), Int(e.submitted_at), Int(e.updated_at)}));
      return UpdateDecision(e.decision_hash, decision_status, nullptr, e.updated_at);
    });
  }

  Status UpdateExecution(const Execution& e) override {
    TORGHUT_ASSIGN_OR_RETURN(
        SqlRows rows,
        Query("UPDATE executions SET broker_order_id = coalesce($1, broker_order_id), status = "
              "$2, filled_qty = $3, avg_fill_price = $4, updated_at = {ts $5} WHERE "
              "client_order_id = $6 RETURNING client_order_id",
              {OptText(e.broker_order_id), Text(e.status), Dec(e.filled_qty),
               Dec(e.avg_fill_price), Int(e.updated_at), Text(e.client_order_id)}));
    if (rows.empty()) {
      return NotFound(fmt::format("no execution with client_order_id '{}'", e.client_order_id));
    }
    return Status::Ok();
  }

  Result<std::optional<Execution>> GetExecution(std::string_view client_order_id) override {
    return SelectOne<Execution>(
        fmt::format("SELECT {} FROM executions WHERE client_order_id = $1", kExecutionCols),
        {Text(client_order_id)}, ReadExecution);
  }

  Result<std::vector<Execution>> ListExecutions(std::string_view symbol, EpochMillis since,
                                                int64_t limit) override {
    return Select<Execution>(
        fmt::format("SELECT {} FROM executions WHERE ($1 = '' OR symbol = $1) AND submitted_at "
                    ">= {{ts $2}} ORDER BY submitted_at DESC, client_order_id LIMIT $3",
                    kExecutionCols),
        {Text(symbol), Int(since), Int(limit)}, ReadExecution);
  }

  Result<std::vector<Execution>> ListOpenExecutions() override {
    return Select<Execution>(
        fmt::format("SELECT {} FROM executions WHERE status NOT IN ('filled', 'canceled', "
                    "'expired', 'rejected', 'done_for_day', 'replaced') ORDER BY submitted_at, "
                    "client_order_id",
                    kExecutionCols),
        {}, ReadExecution);
  }

  Status InsertPositionSnapshot(const PositionSnapshot& p) override {
    return Run(
        "INSERT INTO position_snapshots (taken_at, equity, cash, buying_power, positions) "
        "VALUES ({ts $1}, $2, $3, $4, $5)",
        {Int(p.taken_at), Dec(p.equity), Dec(p.cash), Dec(p.buying_power),
         Text(p.positions_json)});
  }

  Result<std::optional<PositionSnapshot>> LatestPositionSnapshot() override {
    return SelectOne<PositionSnapshot>(
        "SELECT {ms taken_at}, equity, cash, buying_power, positions FROM position_snapshots "
        "ORDER BY taken_at DESC, id DESC LIMIT 1",
        {}, [](RowReader& r) {
          PositionSnapshot p;
          p.taken_at = r.Int();
          p.equity = r.Dec();
          p.cash = r.Dec();
          p.buying_power = r.Dec();
          p.positions_json = r.Str();
          return p;
        });
  }

  Result<std::optional<TradeCursor>> GetCursor(std::string_view name) override {
    return SelectOne<TradeCursor>(
        "SELECT {ms event_ts}, symbol, seq, {ms updated_at} FROM trade_cursor WHERE name = $1",
        {Text(name)}, [](RowReader& r) {
          TradeCursor c;
          c.event_ts = r.Int();
          c.symbol = r.Str();
          c.seq = r.Int();
          c.updated_at = r.Int();
          return c;
        });
  }

  Status SetCursor(std::string_view name, const TradeCursor& c) override {
    return Run(
        "INSERT INTO trade_cursor (name, event_ts, symbol, seq, updated_at) VALUES ($1, {ts $2}, "
        "$3, $4, {ts $5}) ON CONFLICT (name) DO UPDATE SET event_ts = excluded.event_ts, symbol "
        "= excluded.symbol, seq = excluded.seq, updated_at = excluded.updated_at",
        {Text(name), Int(c.event_ts), Text(c.symbol), Int(c.seq), Int(c.updated_at)});
  }

  Status InsertLlmReview(const LlmReview& l) override {
    return Run(
        "INSERT INTO llm_decision_reviews (decision_hash, model, verdict, confidence, "
        "adjusted_qty, rationale, risk_flags, request_json, response_json, prompt_tokens, "
        "completion_tokens, latency_ms, error, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
        "$8, $9, $10, $11, $12, $13, {ts $14})",
        {Text(l.decision_hash), Text(l.model), Text(l.verdict), Dec(l.confidence),
         Dec(l.adjusted_qty), Text(l.rationale), Text(l.risk_flags_json), Text(l.request_json),
         Text(l.response_json), Int(l.prompt_tokens), Int(l.completion_tokens),
         Int(l.latency_ms), OptText(l.error), Int(l.created_at)});
  }

  Result<std::vector<LlmReview>> ListLlmReviews(std::string_view hash) override {
    return Select<LlmReview>(
        fmt::format("SELECT {} FROM llm_decision_reviews WHERE decision_hash = $1 ORDER BY id",
                    kLlmCols),
        {Text(hash)}, ReadLlm);
  }

  Status BeginReplay(const ReplayRun& x) override {
    Status s = Run(
        "INSERT INTO replay_ledger (replay_id, group_id, previous_group_id, window_from, "
        "window_to, symbols, started_at) VALUES ($1, $2, $3, {ts $4}, {ts $5}, $6, {ts $7})",
        {Text(x.replay_id), Text(x.group_id), Text(x.previous_group_id), OptInt(x.window_from),
         OptInt(x.window_to), Text(JoinList(x.symbols)), Int(x.started_at)});
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
        fmt::format("SELECT {} FROM replay_ledger WHERE group_id = $1", kReplayCols),
        {Text(group_id)}, ReadReplay);
  }

  Result<std::vector<ReplayRun>> ListReplays() override {
    return Select<ReplayRun>(
        fmt::format("SELECT {} FROM replay_ledger ORDER BY started_at DESC, replay_id",
                    kReplayCols),
        {}, ReadReplay);
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

  Status UpdateDecision(std::string_view hash, std::string_view status,
                        const std::vector<std::string>* reasons, EpochMillis now) {
    TORGHUT_ASSIGN_OR_RETURN(
        SqlRows rows,
        Query("UPDATE trade_decisions SET status = $1, reasons = coalesce($2, reasons), "
              "updated_at = {ts $3} WHERE decision_hash = $4 RETURNING decision_hash",
              {Text(status), reasons ? Text(JoinList(*reasons)) : std::nullopt, Int(now),
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
  std::map<std::string, std::string, std::less<>> rewritten_;
};

}  // namespace

bool IsTerminalOrderStatus(std::string_view s) {
  return s == "filled" || s == "canceled" || s == "expired" || s == "rejected" ||
         s == "done_for_day" || s == "replaced";
}

std::vector<MigrationStep> TradingSchema(SqlDialect dialect) {
  const bool pg = dialect == SqlDialect::kPostgres;
  // Types that differ: exact decimals, times, booleans, generated ids.
  const std::string money = pg ? "NUMERIC(30, 9)" : "TEXT";
  const std::string ts = pg ? "TIMESTAMPTZ" : "INTEGER";
  const std::string boolean = pg ? "BOOLEAN" : "INTEGER";
  const std::string id = pg ? "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
                            : "INTEGER PRIMARY KEY AUTOINCREMENT";
  auto f = [&](std::string_view text) {
    return fmt::format(fmt::runtime(text), fmt::arg("money", money), fmt::arg("ts", ts),
                       fmt::arg("bool", boolean), fmt::arg("id", id));
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
  };
}

std::unique_ptr<TradingStore> MakeSqlTradingStore(std::unique_ptr<SqlConnection> conn,
                                                  SqlDialect dialect) {
  return std::unique_ptr<TradingStore>(
      std::make_unique<SqlTradingStore>(std::move(conn), dialect));
}

}  // namespace torghut::store
