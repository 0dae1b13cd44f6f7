#include "torghut/store/sqlite/sqlite_ta_store.h"

#include <fmt/format.h>

#include <algorithm>

#include "torghut/core/symbols.h"
#include "torghut/store/internal/ta_columns.h"

namespace torghut::store {
namespace {

using internal::ColumnDef;
using internal::ColumnKind;

constexpr int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

template <size_t N>
std::string CreateTable(std::string_view table, const internal::ColumnList<N>& cols) {
  std::string sql = fmt::format("CREATE TABLE {} (", table);
  for (int i = 0; i < cols.n; ++i) {
    const ColumnDef& c = cols.cols[i];
    std::string_view type = "TEXT NOT NULL";
    switch (c.kind) {
      case ColumnKind::kTs:
      case ColumnKind::kInt:
      case ColumnKind::kBool:
        type = "INTEGER NOT NULL";
        break;
      case ColumnKind::kReal:
        type = "REAL NOT NULL";
        break;
      case ColumnKind::kNullableReal:
        type = "REAL";
        break;
      default:
        break;
    }
    sql += fmt::format("\"{}\" {}, ", c.name, type);
  }
  sql += "PRIMARY KEY (symbol, window_size, event_ts)) WITHOUT ROWID";
  return sql;
}
template <size_t N>
std::string UpsertSql(std::string_view table, const internal::ColumnList<N>& cols) {
  std::string names, params, updates;
  for (int i = 0; i < cols.n; ++i) {
    const std::string_view n = cols.cols[i].name;
    names += fmt::format("{}\"{}\"", i ? ", " : "", n);
    params += fmt::format("{}?{}", i ? ", " : "", i + 1);
    if (n != "symbol" && n != "window_size" && n != "event_ts") {
      updates += fmt::format("{}\"{}\" = excluded.\"{}\"", updates.empty() ? "" : ", ", n, n);
    }
  }
  return fmt::format(
      "INSERT INTO {0} ({1}) VALUES ({2}) ON CONFLICT (symbol, window_size, event_ts) DO UPDATE "
      "SET {3} WHERE excluded.version >= {0}.version",
      table, names, params, updates);
}

template <size_t N>
std::string SelectColumns(const internal::ColumnList<N>& cols) {
  return internal::JoinColumns(cols, "\"{}\"");
}

// Binds a row's fields to ?1..?N in column order.
struct Binder {
  SqliteStatement* st;
  int i = 1;
  void Text(std::string_view, const std::string& v) { st->BindText(i++, v); }
  void Ts(std::string_view, Timestamp v) { st->BindInt(i++, v.millis()); }
  void Int(std::string_view, int64_t v) { st->BindInt(i++, v); }
  void Bool(std::string_view, bool v) { st->BindInt(i++, v ? 1 : 0); }
  void Real(std::string_view, double v) { st->BindReal(i++, v); }
  void NullableReal(std::string_view, double v) { st->BindReal(i++, v); }
  void Source(std::string_view, market::Source v) { st->BindText(i++, market::SourceName(v)); }
  void Window(std::string_view, ta::WindowSize v) { st->BindText(i++, ta::WindowSizeName(v)); }
};

// Reads a result row (columns in table order) into a row.
struct Reader {
  SqliteStatement* st;
  int i = 0;
  bool ok = true;
  void Text(std::string_view, std::string& v) { v = st->Text(i++); }
  void Ts(std::string_view, Timestamp& v) { v = Timestamp::FromMillis(st->Int(i++)); }
  void Int(std::string_view, int64_t& v) { v = st->Int(i++); }
  void Bool(std::string_view, bool& v) { v = st->Int(i++) != 0; }
  void Real(std::string_view, double& v) { v = st->Real(i++); }
  void NullableReal(std::string_view, double& v) { v = st->Real(i++); }
  void Source(std::string_view, market::Source& v) { ok &= market::ParseSource(st->Text(i++), &v); }
  void Window(std::string_view, ta::WindowSize& v) { ok &= ta::ParseWindowSize(st->Text(i++), &v); }
};

struct TableSql {
  std::string upsert, select_range_desc, select_latest;
};

template <size_t N>
TableSql MakeTableSql(std::string_view table, const internal::ColumnList<N>& cols) {
  TableSql t;
  t.upsert = UpsertSql(table, cols);
  t.select_range_desc = fmt::format(
      "SELECT {} FROM {} WHERE symbol = ?1 AND window_size = ?2 AND event_ts BETWEEN ?3 AND ?4 "
      "ORDER BY event_ts DESC",
      SelectColumns(cols), table);
  t.select_latest = fmt::format(
      "SELECT {} FROM {} WHERE symbol = ?1 AND window_size = 'PT1S' ORDER BY event_ts DESC "
      "LIMIT 1",
      SelectColumns(cols), table);
  return t;
}

class SqliteTaStore final : public TaStore {
 public:
  explicit SqliteTaStore(SqliteDb db)
      : db_(std::move(db)),
        microbars_(MakeTableSql(internal::kMicrobarsTable, internal::MicrobarColumns())),
        signals_(MakeTableSql(internal::kSignalsTable, internal::SignalColumns())) {}

  std::string_view backend() const override { return "sqlite"; }

  Result<MigrationReport> Migrate() override {
    return RunMigrations("ta", "sqlite", SqliteTaSchema(), SqliteMigrations(db_, "ta"));
  }
  Result<int> SchemaVersion() override { return SqliteMigrations(db_, "ta").current_version(); }

  Status WriteMicrobars(std::span<const ta::MicrobarRow> rows) override {
    return WriteBatch(rows, microbars_.upsert,
                      [](const ta::MicrobarRow& r, Binder& b) { internal::VisitMicrobar(r, b); });
  }
  Status WriteSignals(std::span<const ta::SignalRow> rows) override {
    return WriteBatch(rows, signals_.upsert,
                      [](const ta::SignalRow& r, Binder& b) { internal::VisitSignal(r, b); });
  }

  Result<std::vector<ta::MicrobarRow>> ReadMicrobars(const RangeQuery& q) override {
    TORGHUT_RETURN_IF_ERROR(ValidateRangeQuery(q));
    std::vector<ta::MicrobarRow> out;
    TORGHUT_RETURN_IF_ERROR(ScanDesc<ta::MicrobarRow>(
        microbars_.select_range_desc, q, [&](ta::MicrobarRow&& r) {
          out.push_back(std::move(r));
          return static_cast<int64_t>(out.size()) < q.limit;
        }));
    std::reverse(out.begin(), out.end());
    return out;
  }

  Result<std::vector<Candle>> ReadCandles(const RangeQuery& q) override {
    TORGHUT_RETURN_IF_ERROR(ValidateRangeQuery(q));
    const int64_t width = ResolutionMillis(q.resolution);
    // Rows arrive newest first; each bucket is folded backwards (the first row seen gives the
    // close, the last the open). Stop once `limit` buckets are complete.
    std::vector<Candle> out;
    double pv = 0;
    int64_t pv_volume = 0;
    auto finish = [&] {
      if (out.empty()) return;
      Candle& c = out.back();
      c.vwap = pv_volume > 0 ? pv / static_cast<double>(pv_volume) : ta::kNull;
    };
    TORGHUT_RETURN_IF_ERROR(ScanDesc<ta::MicrobarRow>(
        microbars_.select_range_desc, q, [&](ta::MicrobarRow&& r) {
          const int64_t start = FloorDiv(r.id.window_start.millis(), width) * width;
          if (out.empty() || out.back().bucket_start.millis() != start) {
            finish();
            if (static_cast<int64_t>(out.size()) == q.limit) return false;
            Candle c;
            c.bucket_start = Timestamp::FromMillis(start);
            c.bucket_end = Timestamp::FromMillis(start + width);
            c.c = r.c;
            c.h = r.h;
            c.l = r.l;
            c.is_final = true;
            out.push_back(c);
            pv = 0;
            pv_volume = 0;
          }
          Candle& c = out.back();
          c.o = r.o;
          c.h = std::max(c.h, r.h);
          c.l = std::min(c.l, r.l);
          c.v += r.v;
          c.count += r.count;
          c.bars += 1;
          c.is_final = c.is_final && r.id.is_final;
          c.version = std::max(c.version, r.id.version);
          if (r.v > 0 && !ta::IsNull(r.vwap)) {
            pv += r.vwap * static_cast<double>(r.v);
            pv_volume += r.v;
          }
          return true;
        }));
    finish();  // the oldest bucket (harmless again when the scan stopped at the limit)
    std::reverse(out.begin(), out.end());
    return out;
  }

  Result<std::vector<ta::SignalRow>> ReadSignals(const RangeQuery& q) override {
    TORGHUT_RETURN_IF_ERROR(ValidateRangeQuery(q));
    const int64_t width = ResolutionMillis(q.resolution);
    std::vector<ta::SignalRow> out;
    int64_t last_bucket = INT64_MIN;
    TORGHUT_RETURN_IF_ERROR(
        ScanDesc<ta::SignalRow>(signals_.select_range_desc, q, [&](ta::SignalRow&& r) {
          const int64_t bucket = FloorDiv(r.id.window_start.millis(), width);
          if (bucket == last_bucket) return true;  // not the newest row of its bucket
          if (static_cast<int64_t>(out.size()) == q.limit) return false;
          last_bucket = bucket;
          out.push_back(std::move(r));
          return true;
        }));
    std::reverse(out.begin(), out.end());
    return out;
  }

  Result<LatestRows> Latest(std::string_view symbol) override {
    TORGHUT_RETURN_IF_ERROR(ValidateSymbol(symbol));
    LatestRows latest;
    TORGHUT_RETURN_IF_ERROR(ReadLatest(microbars_.select_latest, symbol, &latest.microbar));
    TORGHUT_RETURN_IF_ERROR(ReadLatest(signals_.select_latest, symbol, &latest.signal));
    return latest;
  }

  Result<Freshness> GetFreshness() override {
    Freshness f;
    TORGHUT_ASSIGN_OR_RETURN(f.microbars, MaxEventTs("SELECT max(event_ts) FROM ta_microbars"));
    TORGHUT_ASSIGN_OR_RETURN(f.signals, MaxEventTs("SELECT max(event_ts) FROM ta_signals"));
    return f;
  }

  Result<std::vector<std::string>> Symbols() override {
    // One primary-key seek per distinct symbol (a skip scan by hand), not a scan of every row.
    TORGHUT_ASSIGN_OR_RETURN(
        SqliteStatement * st,
        db_.Prepare("SELECT symbol FROM ta_microbars WHERE symbol > ?1 ORDER BY symbol LIMIT 1"));
    std::vector<std::string> out;
    std::string after;  // "" sorts before every valid symbol
    while (true) {
      st->BindText(1, after);
      TORGHUT_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      after = std::string(st->Text(0));
      st->Reset();
      out.push_back(after);
    }
    return out;
  }

  Result<int64_t> DropDaysBefore(Timestamp cutoff) override {
    const int64_t day_ms = kNanosPerDay / kNanosPerMilli;
    const int64_t first_kept = FloorDiv(cutoff.millis(), day_ms) * day_ms;
    TORGHUT_ASSIGN_OR_RETURN(SqliteStatement * days,
                             db_.Prepare("SELECT count(*) FROM (SELECT event_ts / 86400000 FROM "
                                         "ta_microbars WHERE event_ts < ?1 UNION SELECT "
                                         "event_ts / 86400000 FROM ta_signals WHERE event_ts < "
                                         "?1)"));
    days->BindInt(1, first_kept);
    TORGHUT_ASSIGN_OR_RETURN(bool row, days->Step());
    const int64_t dropped = row ? days->Int(0) : 0;
    days->Reset();
    TORGHUT_RETURN_IF_ERROR(db_.Begin());
    for (const char* sql : {"DELETE FROM ta_microbars WHERE event_ts < ?1",
                            "DELETE FROM ta_signals WHERE event_ts < ?1"}) {
      auto st = db_.Prepare(sql);
      Status s = st.ok() ? Status::Ok() : st.status();
      if (s.ok()) {
        (*st)->BindInt(1, first_kept);
        s = (*st)->Run();
      }
      if (!s.ok()) {
        db_.Rollback();
        return s;
      }
    }
    TORGHUT_RETURN_IF_ERROR(db_.Commit());
    return dropped;
  }

  Result<StorageUsage> Usage() override {
    StorageUsage u;
    SqliteDiskUsage(db_.path(), &u.bytes_used, &u.bytes_free);
    return u;
  }

 private:
  template <typename Row, typename Visit>
  Status WriteBatch(std::span<const Row> rows, const std::string& sql, Visit visit) {
    TORGHUT_RETURN_IF_ERROR(ValidateRows(rows));
    if (rows.empty()) return Status::Ok();
    TORGHUT_ASSIGN_OR_RETURN(SqliteStatement * st, db_.Prepare(sql));
    TORGHUT_RETURN_IF_ERROR(db_.Begin());
    for (const Row& r : rows) {
      Binder b{st};
      visit(r, b);
      if (Status s = st->Run(); !s.ok()) {
        db_.Rollback();
        return s.WithContext("ta store write");
      }
    }
    return db_.Commit();
  }

  // Calls `take(row)` for each row of the range, newest first, until it returns false.
  template <typename Row, typename Take>
  Status ScanDesc(const std::string& sql, const RangeQuery& q, Take take) {
    TORGHUT_ASSIGN_OR_RETURN(SqliteStatement * st, db_.Prepare(sql));
    st->BindText(1, q.symbol);
    st->BindText(2, ta::WindowSizeName(q.window_size));
    st->BindInt(3, q.from.millis());
    st->BindInt(4, q.to.millis());
    while (true) {
      auto row = st->Step();
      if (!row.ok()) return row.status().WithContext("ta store read");
      if (!*row) return Status::Ok();
      Row r;
      if (Status s = Decode(st, &r); !s.ok()) {
        st->Reset();
        return s;
      }
      if (!take(std::move(r))) {
        st->Reset();
        return Status::Ok();
      }
    }
  }

  static Status Decode(SqliteStatement* st, ta::MicrobarRow* r) {
    Reader rd{st};
    internal::VisitMicrobar(*r, rd);
    return rd.ok ? Status::Ok() : DataLoss("ta_microbars holds an unknown source or window");
  }
  static Status Decode(SqliteStatement* st, ta::SignalRow* r) {
    Reader rd{st};
    internal::VisitSignal(*r, rd);
    return rd.ok ? Status::Ok() : DataLoss("ta_signals holds an unknown source or window");
  }

  template <typename Row>
  Status ReadLatest(const std::string& sql, std::string_view symbol, std::optional<Row>* out) {
    TORGHUT_ASSIGN_OR_RETURN(SqliteStatement * st, db_.Prepare(sql));
    st->BindText(1, symbol);
    TORGHUT_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) return Status::Ok();
    Row r;
    Status s = Decode(st, &r);
    st->Reset();
    TORGHUT_RETURN_IF_ERROR(s);
    *out = std::move(r);
    return Status::Ok();
  }

  Result<std::optional<Timestamp>> MaxEventTs(const std::string& sql) {
    TORGHUT_ASSIGN_OR_RETURN(SqliteStatement * st, db_.Prepare(sql));
    TORGHUT_ASSIGN_OR_RETURN(bool row, st->Step());
    std::optional<Timestamp> out;
    if (row && !st->IsNull(0)) out = Timestamp::FromMillis(st->Int(0));
    st->Reset();
    return out;
  }

  SqliteDb db_;
  TableSql microbars_, signals_;
};

}  // namespace

const std::vector<MigrationStep>& SqliteTaSchema() {
  static const std::vector<MigrationStep> steps = {
      {1,
       "create ta_microbars and ta_signals",
       {CreateTable(internal::kMicrobarsTable, internal::MicrobarColumns()),
        CreateTable(internal::kSignalsTable, internal::SignalColumns()),
        // Freshness (max(event_ts)) and the trading loop's cursor reads go by time across symbols.
        "CREATE INDEX ta_microbars_by_time ON ta_microbars (event_ts)",
        "CREATE INDEX ta_signals_by_time ON ta_signals (event_ts, symbol)"}},
  };
  return steps;
}

Result<std::unique_ptr<TaStore>> OpenSqliteTaStore(const std::filesystem::path& path,
                                                   const SqliteDb::Options& options) {
  TORGHUT_ASSIGN_OR_RETURN(SqliteDb db, SqliteDb::Open(path, options));
  return std::unique_ptr<TaStore>(std::make_unique<SqliteTaStore>(std::move(db)));
}

}  // namespace torghut::store
