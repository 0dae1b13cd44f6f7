#include "torghut/store/clickhouse/clickhouse_ta_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>

#include "torghut/core/symbols.h"
#include "torghut/store/clickhouse/clickhouse_schema.h"
#include "torghut/store/clickhouse/row_binary.h"
#include "torghut/store/internal/ta_columns.h"

namespace torghut::store {
namespace {

using internal::ColumnKind;

// "a, b, c" for INSERT and the layout-neutral select list for reads.
template <size_t N>
std::string InsertColumns(const internal::ColumnList<N>& cols) {
  return internal::JoinColumns(cols, "`{}`");
}

template <size_t N>
std::string SelectColumns(const ClickHouseLayout& layout, const internal::ColumnList<N>& cols) {
  std::string out;
  for (int i = 0; i < cols.n; ++i) {
    const std::string name = fmt::format("`{}`", cols.cols[i].name);
    std::string expr = name;
    switch (cols.cols[i].kind) {
      case ColumnKind::kTs:
        expr = layout.TsToMillis(name);
        break;
      case ColumnKind::kText:
      case ColumnKind::kSource:
      case ColumnKind::kWindow:
        expr = layout.AsString(name);
        break;
      case ColumnKind::kInt:
        expr = fmt::format("toInt64({})", name);
        break;
      default:
        break;
    }
    out += fmt::format("{}{}", i ? ", " : "", expr);
  }
  return out;
}

class ClickHouseTaStore final : public TaStore {
 public:
  explicit ClickHouseTaStore(ClickHouseTaOptions options)
      : options_(options), http_(options.http) {}

  std::string_view backend() const override { return "clickhouse"; }

  Result<MigrationReport> Migrate() override {
    TORGHUT_ASSIGN_OR_RETURN(std::string version, ServerVersion());
    TORGHUT_RETURN_IF_ERROR(DecideLayout());
    MigrationExecutor e;
    e.current_version = [this] { return CurrentVersion(); };
    e.apply = [this](const MigrationStep& step) -> Status {
      for (const std::string& sql : step.statements) {
        TORGHUT_RETURN_IF_ERROR(http_.Query(sql).status());
      }
      return http_
          .Query(fmt::format("INSERT INTO {} (component, version, description) VALUES ('ta', {}, "
                             "{})",
                             layout_->Table("schema_migrations"), step.version,
                             QuoteString(step.description)))
          .status();
    };
    TORGHUT_ASSIGN_OR_RETURN(MigrationReport report,
                             RunMigrations("ta", "clickhouse", layout_->Steps(), e));
    report.detail = fmt::format("server {}, {} layout", version, layout_->name());
    return report;
  }

  Result<int> SchemaVersion() override {
    TORGHUT_RETURN_IF_ERROR(DecideLayout());
    return CurrentVersion();
  }

  Status WriteMicrobars(std::span<const ta::MicrobarRow> rows) override {
    return WriteBatch(rows, internal::kMicrobarsTable, internal::MicrobarColumns(),
                      [](const ta::MicrobarRow& r, rowbinary::Writer& w) {
                        internal::VisitMicrobar(r, w);
                      });
  }
  Status WriteSignals(std::span<const ta::SignalRow> rows) override {
    return WriteBatch(rows, internal::kSignalsTable, internal::SignalColumns(),
                      [](const ta::SignalRow& r, rowbinary::Writer& w) {
                        internal::VisitSignal(r, w);
                      });
  }

  Result<std::vector<ta::MicrobarRow>> ReadMicrobars(const RangeQuery& q) override {
    TORGHUT_RETURN_IF_ERROR(ValidateRangeQuery(q));
    TORGHUT_RETURN_IF_ERROR(DecideLayout());
    const std::string sql = fmt::format(
        "SELECT {} FROM {} FINAL WHERE {} ORDER BY event_ts DESC LIMIT {} FORMAT RowBinary",
        SelectColumns(*layout_, internal::MicrobarColumns()),
        layout_->Table(internal::kMicrobarsTable), RangeWhere(q), q.limit);
    return ReadRows<ta::MicrobarRow>(sql, /*reverse=*/true);
  }

  Result<std::vector<Candle>> ReadCandles(const RangeQuery& q) override {
    TORGHUT_RETURN_IF_ERROR(ValidateRangeQuery(q));
    TORGHUT_RETURN_IF_ERROR(DecideLayout());
    const int64_t width = ResolutionMillis(q.resolution);
    // vwap is returned as its two sums so that the division (and a NULL for no volume) happens
    // here exactly as in the other backends.
    const std::string sql = fmt::format(
        "SELECT toInt64(intDiv(ws, {0}) * {0}) AS bucket, argMin(o, ets), max(h), min(l), "
        "argMax(c, ets), toInt64(sum(v)), toFloat64(sumIf(coalesce(vwap, 0) * v, v > 0 AND "
        "isNotNull(vwap))), toInt64(sumIf(v, v > 0 AND isNotNull(vwap))), toInt64(sum(count)), "
        "toInt64(count()), toUInt8(min(is_final)), toInt64(max(version)) FROM (SELECT {1} AS ws, "
        "{2} AS ets, o, h, l, c, v, vwap, count, is_final, version FROM {3} FINAL WHERE {4}) "
        "GROUP BY bucket ORDER BY bucket DESC LIMIT {5} FORMAT RowBinary",
        width, layout_->TsToMillis("window_start"), layout_->TsToMillis("event_ts"),
        layout_->Table(internal::kMicrobarsTable), RangeWhere(q), q.limit);
    TORGHUT_ASSIGN_OR_RETURN(std::string body, http_.Query(sql));
    std::vector<Candle> out;
    rowbinary::Reader rd(body);
    while (!rd.done() && rd.ok()) {
      Candle c;
      const int64_t start = rd.Get<int64_t>();
      c.bucket_start = Timestamp::FromMillis(start);
      c.bucket_end = Timestamp::FromMillis(start + width);
      c.o = rd.Get<double>();
      c.h = rd.Get<double>();
      c.l = rd.Get<double>();
      c.c = rd.Get<double>();
      c.v = rd.Get<int64_t>();
      const double pv = rd.Get<double>();
      const int64_t pv_volume = rd.Get<int64_t>();
      c.vwap = pv_volume > 0 ? pv / static_cast<double>(pv_volume) : ta::kNull;
      c.count = rd.Get<int64_t>();
      c.bars = rd.Get<int64_t>();
      c.is_final = rd.Get<uint8_t>() != 0;
      c.version = rd.Get<int64_t>();
      out.push_back(c);
    }
    if (!rd.ok()) return DataLoss("clickhouse returned a truncated candle result");
    std::reverse(out.begin(), out.end());
    return out;
  }

  Result<std::vector<ta::SignalRow>> ReadSignals(const RangeQuery& q) override {
    TORGHUT_RETURN_IF_ERROR(ValidateRangeQuery(q));
    TORGHUT_RETURN_IF_ERROR(DecideLayout());
    const int64_t width = ResolutionMillis(q.resolution);
    const std::string table = layout_->Table(internal::kSignalsTable);
    std::string sample;
    if (width > ta::WindowNanos(q.window_size) / kNanosPerMilli) {
      // The newest row of each bucket (no FINAL needed: versions share their event_ts).
      sample = fmt::format(
          " AND event_ts IN (SELECT max(event_ts) FROM {} WHERE {} GROUP BY intDiv({}, {}))",
          table, RangeWhere(q), layout_->TsToMillis("window_start"), width);
    }
    const std::string sql = fmt::format(
        "SELECT {} FROM {} FINAL WHERE {}{} ORDER BY event_ts DESC LIMIT {} FORMAT RowBinary",
        SelectColumns(*layout_, internal::SignalColumns()), table, RangeWhere(q), sample,
        q.limit);
    return ReadRows<ta::SignalRow>(sql, /*reverse=*/true);
  }

  Result<LatestRows> Latest(std::string_view symbol) override {
    TORGHUT_RETURN_IF_ERROR(ValidateSymbol(symbol));
    TORGHUT_RETURN_IF_ERROR(DecideLayout());
    LatestRows latest;
    TORGHUT_ASSIGN_OR_RETURN(auto bars, ReadNewest<ta::MicrobarRow>(internal::kMicrobarsTable,
                                                                  internal::MicrobarColumns(),
                                                                  symbol));
    TORGHUT_ASSIGN_OR_RETURN(auto signals, ReadNewest<ta::SignalRow>(internal::kSignalsTable,
                                                                   internal::SignalColumns(),
                                                                   symbol));
    if (!bars.empty()) latest.microbar = std::move(bars.front());
    if (!signals.empty()) latest.signal = std::move(signals.front());
    return latest;
  }

  Result<Freshness> GetFreshness() override {
    TORGHUT_RETURN_IF_ERROR(DecideLayout());
    Freshness f;
    TORGHUT_ASSIGN_OR_RETURN(f.microbars, MaxEventTs(internal::kMicrobarsTable));
    TORGHUT_ASSIGN_OR_RETURN(f.signals, MaxEventTs(internal::kSignalsTable));
    return f;
  }

  Result<std::vector<std::string>> Symbols() override {
    TORGHUT_RETURN_IF_ERROR(DecideLayout());
    TORGHUT_ASSIGN_OR_RETURN(
        std::string body,
        http_.Query(fmt::format("SELECT DISTINCT {} AS s FROM {} ORDER BY s FORMAT RowBinary",
                                layout_->AsString("symbol"),
                                layout_->Table(internal::kMicrobarsTable))));
    std::vector<std::string> out;
    rowbinary::Reader rd(body);
    while (!rd.done() && rd.ok()) out.push_back(rd.String());
    if (!rd.ok()) return DataLoss("clickhouse returned a truncated symbol list");
    return out;
  }

  Result<int64_t> DropDaysBefore(Timestamp cutoff) override {
    TORGHUT_RETURN_IF_ERROR(DecideLayout());
    // Partitions are days (toDate of event_ts); `partition` reads 'YYYY-MM-DD' on 18.16 and
    // current servers alike, and compares as text in date order.
    const std::string first_kept = FormatRfc3339(cutoff).substr(0, 10);
    TORGHUT_ASSIGN_OR_RETURN(
        std::string listing,
        http_.Query(fmt::format(
            "SELECT DISTINCT table, partition FROM system.parts WHERE database = {} AND table IN "
            "('ta_microbars', 'ta_signals') AND active ORDER BY partition FORMAT TabSeparated",
            QuoteString(layout_->database))));
    std::set<std::string> days;
    for (std::string_view rest = listing; !rest.empty();) {
      const std::string_view line = rest.substr(0, rest.find('\n'));
      rest.remove_prefix(std::min(rest.size(), line.size() + 1));
      const size_t tab = line.find('\t');
      if (tab == std::string_view::npos) continue;
      std::string day(line.substr(tab + 1));
      if (day.size() >= 2 && day.front() == '\'') day = day.substr(1, day.size() - 2);
      if (day.size() != 10 || day >= first_kept) continue;
      TORGHUT_RETURN_IF_ERROR(
          http_.Query(fmt::format("ALTER TABLE {}{} DROP PARTITION {}",
                                  layout_->Table(line.substr(0, tab)), layout_->OnCluster(),
                                  QuoteString(day)))
              .status());
      days.insert(day);
    }
    return static_cast<int64_t>(days.size());
  }

  Result<StorageUsage> Usage() override {
    TORGHUT_RETURN_IF_ERROR(DecideLayout());
    StorageUsage u;
    TORGHUT_ASSIGN_OR_RETURN(
        std::string used,
        http_.Query(fmt::format("SELECT toInt64(sum(bytes_on_disk)) FROM system.parts WHERE "
                                "database = {} AND active FORMAT RowBinary",
                                QuoteString(layout_->database))));
    rowbinary::Reader rd(used);
    u.bytes_used = rd.Get<int64_t>();
    if (layout_->kind == ClickHouseLayoutKind::kModern) {  // system.disks exists from 19.15
      TORGHUT_ASSIGN_OR_RETURN(
          std::string free_space,
          http_.Query("SELECT toInt64(min(free_space)) FROM system.disks FORMAT RowBinary"));
      rowbinary::Reader fr(free_space);
      u.bytes_free = fr.Get<int64_t>();
    }
    return u;
  }

 private:
  Result<std::string> ServerVersion() {
    TORGHUT_ASSIGN_OR_RETURN(std::string v, http_.Query("SELECT version()"));
    while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
    return v;
  }

  // Layout of the existing tables, else of the server's version.
  Status DecideLayout() {
    if (layout_) return Status::Ok();
    TORGHUT_ASSIGN_OR_RETURN(
        std::string type,
        http_.Query(fmt::format("SELECT type FROM system.columns WHERE database = {} AND table = "
                                "'ta_microbars' AND name = 'event_ts'",
                                QuoteString(options_.http.database))));
    ClickHouseLayout layout;
    layout.database = options_.http.database;
    layout.cluster = options_.cluster;
    layout.retention_days = options_.retention_days;
    if (type.rfind("Int64", 0) == 0) {
      layout.kind = ClickHouseLayoutKind::kLegacy;
    } else if (type.rfind("DateTime64", 0) == 0) {
      layout.kind = ClickHouseLayoutKind::kModern;
    } else {
      TORGHUT_ASSIGN_OR_RETURN(std::string version, ServerVersion());
      layout.kind = LayoutForVersion(version);
    }
    layout_ = layout;
    return Status::Ok();
  }

  Result<int> CurrentVersion() {
    TORGHUT_ASSIGN_OR_RETURN(
        std::string exists,
        http_.Query(fmt::format("SELECT toUInt8(count()) FROM system.tables WHERE database = {} "
                                "AND name = 'schema_migrations' FORMAT RowBinary",
                                QuoteString(layout_->database))));
    // Once the table is there, reading the version is a plain read: no DDL, which ON CLUSTER goes
    // through the keeper and would fail (or wait) while a replica is read-only.
    if (exists.empty() || exists[0] == 0) TORGHUT_RETURN_IF_ERROR(CreateSchemaMigrations());
    TORGHUT_ASSIGN_OR_RETURN(
        std::string body,
        http_.Query(fmt::format("SELECT toInt32(max(version)) FROM {} WHERE component = 'ta' "
                                "FORMAT RowBinary",
                                layout_->Table("schema_migrations"))));
    rowbinary::Reader rd(body);
    const int32_t v = rd.Get<int32_t>();
    if (!rd.ok()) return DataLoss("clickhouse returned no schema version");
    return v;
  }

  Status CreateSchemaMigrations() {
    const std::string db = fmt::format("`{}`", layout_->database);
    TORGHUT_RETURN_IF_ERROR(
        http_.Query(fmt::format("CREATE DATABASE IF NOT EXISTS {}{}", db, layout_->OnCluster()))
            .status());
    const std::string engine =
        layout_->cluster.empty()
            ? std::string("MergeTree")
            : fmt::format("ReplicatedMergeTree('/clickhouse/tables/{{shard}}/{}/schema_migrations', "
                          "'{{replica}}')",
                          layout_->database);
    TORGHUT_RETURN_IF_ERROR(
        http_
            .Query(fmt::format(
                "CREATE TABLE IF NOT EXISTS {}{} (component String, version UInt32, description "
                "String, applied_at DateTime DEFAULT now()) ENGINE = {} ORDER BY (component, "
                "version)",
                layout_->Table("schema_migrations"), layout_->OnCluster(), engine))
            .status());
    return Status::Ok();
  }

  std::string RangeWhere(const RangeQuery& q) const {
    return fmt::format("symbol = {} AND window_size = {} AND event_ts BETWEEN {} AND {}",
                       QuoteString(q.symbol), QuoteString(ta::WindowSizeName(q.window_size)),
                       layout_->TsLiteral(q.from.millis()), layout_->TsLiteral(q.to.millis()));
  }

  template <typename Row, size_t N, typename Visit>
  Status WriteBatch(std::span<const Row> rows, std::string_view table,
                    const internal::ColumnList<N>& cols, Visit visit) {
    TORGHUT_RETURN_IF_ERROR(ValidateRows(rows));
    if (rows.empty()) return Status::Ok();
    TORGHUT_RETURN_IF_ERROR(DecideLayout());
    buffer_.clear();
    rowbinary::Writer w(&buffer_);
    for (const Row& r : rows) visit(r, w);
    return http_
        .Insert(fmt::format("INSERT INTO {} ({}) FORMAT RowBinary", layout_->Table(table),
                            InsertColumns(cols)),
                buffer_)
        .WithContext("ta store write");
  }

  template <typename Row>
  Result<std::vector<Row>> ReadRows(const std::string& sql, bool reverse) {
    TORGHUT_ASSIGN_OR_RETURN(std::string body, http_.Query(sql));
    std::vector<Row> out;
    rowbinary::Reader rd(body);
    while (!rd.done() && rd.ok()) {
      Row r;
      if constexpr (std::is_same_v<Row, ta::MicrobarRow>) {
        internal::VisitMicrobar(r, rd);
      } else {
        internal::VisitSignal(r, rd);
      }
      if (rd.ok()) out.push_back(std::move(r));
    }
    if (!rd.ok()) return DataLoss("clickhouse returned a truncated or unknown row");
    if (reverse) std::reverse(out.begin(), out.end());
    return out;
  }

  // The newest PT1S row of `symbol`. FINAL would merge every version of the symbol before the
  // LIMIT; finding the newest event_ts first (versions share it, so no FINAL is needed there)
  // leaves FINAL one identity to merge.
  template <typename Row, size_t N>
  Result<std::vector<Row>> ReadNewest(std::string_view table, const internal::ColumnList<N>& cols,
                                      std::string_view symbol) {
    const std::string where =
        fmt::format("symbol = {} AND window_size = 'PT1S'", QuoteString(symbol));
    return ReadRows<Row>(
        fmt::format("SELECT {0} FROM {1} FINAL WHERE {2} AND event_ts = (SELECT max(event_ts) "
                    "FROM {1} WHERE {2}) LIMIT 1 FORMAT RowBinary",
                    SelectColumns(*layout_, cols), layout_->Table(table), where),
        false);
  }

  Result<std::optional<Timestamp>> MaxEventTs(std::string_view table) {
    TORGHUT_ASSIGN_OR_RETURN(
        std::string body,
        http_.Query(fmt::format("SELECT toInt64(max({})), toInt64(count()) FROM {} FORMAT "
                                "RowBinary",
                                layout_->TsToMillis("event_ts"), layout_->Table(table))));
    rowbinary::Reader rd(body);
    const int64_t max_ms = rd.Get<int64_t>();
    const int64_t n = rd.Get<int64_t>();
    if (!rd.ok()) return DataLoss("clickhouse returned no freshness row");
    if (n == 0) return std::optional<Timestamp>();
    return std::optional<Timestamp>(Timestamp::FromMillis(max_ms));
  }

  ClickHouseTaOptions options_;
  ClickHouseHttp http_;
  std::optional<ClickHouseLayout> layout_;
  std::string buffer_;
};

}  // namespace

std::unique_ptr<TaStore> OpenClickHouseTaStore(ClickHouseTaOptions options) {
  return std::make_unique<ClickHouseTaStore>(std::move(options));
}

}  // namespace torghut::store
