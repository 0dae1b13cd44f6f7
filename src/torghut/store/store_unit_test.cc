// Store pieces that need no server: resolutions, the SQL dialect rewrite, ClickHouse layouts and
// error mapping, RowBinary, migrations bookkeeping, configuration and the free-disk rule.
#include <gtest/gtest.h>

#include "torghut/store/clickhouse/clickhouse_http.h"
#include "torghut/store/clickhouse/clickhouse_schema.h"
#include "torghut/store/clickhouse/row_binary.h"
#include "torghut/store/free_disk.h"
#include "torghut/store/internal/ta_columns.h"
#include "torghut/store/sql/sql_connection.h"
#include "torghut/store/store_config.h"

namespace torghut::store {
namespace {

FreeDisk Disk(int64_t free_bytes, int64_t total_bytes) {
  FreeDisk d;
  d.where = "/data";
  d.free_bytes = free_bytes;
  d.total_bytes = total_bytes;
  return d;
}

TEST(FreeDiskRule, OnlyAShareStrictlyBelowTheMinimumIsLow) {
  EXPECT_TRUE(BelowMinFreeDisk(Disk(4, 100), 5));
  EXPECT_TRUE(BelowMinFreeDisk(Disk(0, 100), 5));
  EXPECT_FALSE(BelowMinFreeDisk(Disk(5, 100), 5));  // the boundary itself is enough space
  EXPECT_FALSE(BelowMinFreeDisk(Disk(6, 100), 5));
  EXPECT_TRUE(BelowMinFreeDisk(Disk(499'999, 1'000'000), 50));
  EXPECT_FALSE(BelowMinFreeDisk(Disk(500'000, 1'000'000), 50));
  EXPECT_TRUE(BelowMinFreeDisk(Disk(99, 100), 100));
  EXPECT_FALSE(BelowMinFreeDisk(Disk(100, 100), 100));
  EXPECT_DOUBLE_EQ(Disk(1, 4).free_pct(), 25.0);
}

TEST(FreeDiskRule, ZeroDisablesIt) {
  EXPECT_FALSE(BelowMinFreeDisk(Disk(0, 100), 0));
  EXPECT_FALSE(BelowMinFreeDisk(Disk(0, 100), -1));
}

TEST(FreeDiskRule, WhatCannotBeMeasuredIsNeverLow) {
  FreeDisk unreported = Disk(0, 100);
  unreported.not_reported = "this server has no system.disks";
  EXPECT_FALSE(BelowMinFreeDisk(unreported, 5));
  EXPECT_EQ(unreported.Describe(),
            "/data: free space not reported (this server has no system.disks)");
  FreeDisk failed = Disk(0, 100);
  failed.error = "statvfs failed";
  EXPECT_FALSE(BelowMinFreeDisk(failed, 5));
  EXPECT_EQ(failed.free_pct(), -1);
  EXPECT_FALSE(BelowMinFreeDisk(Disk(0, 0), 5));
  EXPECT_FALSE(BelowMinFreeDisk(Disk(-1, 100), 5));
  EXPECT_FALSE(BelowMinFreeDisk(FreeDisk{}, 5));
}

TEST(FreeDisk, DescribesTheShareAndTheSizes) {
  EXPECT_EQ(Disk(int64_t{3} << 20, int64_t{96} << 20).Describe(),
            "/data: 3.1% free (3 MiB of 96 MiB)");
}

TEST(FreeDisk, MeasuresTheSqliteFilesFilesystem) {
  StoreConfig c;
  c.data_dir = std::filesystem::temp_directory_path();
  const FreeDisk d = MeasureFreeDisk(c, 1'000);
  EXPECT_EQ(d.where, c.data_dir.string());
  ASSERT_TRUE(d.measured()) << d.Describe();
  EXPECT_GT(d.total_bytes, 0);
  EXPECT_LE(d.free_bytes, d.total_bytes);
}

TEST(Resolution, ParsesTheFiveApiNames) {
  EXPECT_EQ(ResolutionMillis(ParseResolution("1s").value()), 1000);
  EXPECT_EQ(ResolutionMillis(ParseResolution("15s").value()), 15000);
  EXPECT_EQ(ResolutionMillis(ParseResolution("5m").value()), 300000);
  EXPECT_EQ(ResolutionName(Resolution::k1m), "1m");
  EXPECT_EQ(ParseResolution("1h").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseResolution("").status().code(), StatusCode::kInvalidArgument);
}

TEST(SqlRewrite, TimeColumnsPerDialect) {
  const std::string sql = "INSERT INTO t (a, at) VALUES ($1, {ts $2}) RETURNING {ms at}";
  EXPECT_EQ(RewriteSql(sql, SqlDialect::kSqlite),
            "INSERT INTO t (a, at) VALUES ($1, $2) RETURNING at");
  EXPECT_EQ(RewriteSql(sql, SqlDialect::kPostgres),
            "INSERT INTO t (a, at) VALUES ($1, (TIMESTAMPTZ 'epoch' + (CASE WHEN $2::bigint IS "
            "NULL THEN NULL ELSE LEAST(GREATEST($2::bigint, -62135596800000), 253402300799999) "
            "END) * INTERVAL '1 millisecond')) RETURNING "
            "(floor(EXTRACT(EPOCH FROM at) * 1000)::bigint)");
}

TEST(ClickHouseLayout, ChosenByServerVersion) {
  EXPECT_EQ(LayoutForVersion("18.16.1"), ClickHouseLayoutKind::kLegacy);
  EXPECT_EQ(LayoutForVersion("19.17.4.11"), ClickHouseLayoutKind::kLegacy);
  EXPECT_EQ(LayoutForVersion("20.1.2.4"), ClickHouseLayoutKind::kModern);
  EXPECT_EQ(LayoutForVersion("24.3.2.23"), ClickHouseLayoutKind::kModern);
  EXPECT_EQ(LayoutForVersion("garbage"), ClickHouseLayoutKind::kLegacy);
}

TEST(ClickHouseLayout, ModernDdlUsesDateTime64LowCardinalityTtlAndClusters) {
  ClickHouseLayout modern;
  modern.retention_days = 35;
  const std::string ddl = modern.Steps().front().statements.front();
  EXPECT_NE(ddl.find("`event_ts` DateTime64(3, 'UTC')"), std::string::npos) << ddl;
  EXPECT_NE(ddl.find("`symbol` LowCardinality(String)"), std::string::npos);
  EXPECT_NE(ddl.find("`vwap` Nullable(Float64)"), std::string::npos);
  EXPECT_NE(ddl.find("ENGINE = ReplacingMergeTree(version) PARTITION BY toDate(event_ts) "
                     "ORDER BY (symbol, window_size, event_ts) TTL toDateTime(event_ts) + "
                     "INTERVAL 35 DAY"),
            std::string::npos)
      << ddl;
  EXPECT_EQ(ddl.find("ON CLUSTER"), std::string::npos);

  modern.cluster = "prod";
  const std::string replicated = modern.Steps().front().statements.back();
  EXPECT_NE(replicated.find("`torghut`.`ta_signals` ON CLUSTER `prod`"), std::string::npos);
  EXPECT_NE(replicated.find("ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/torghut/"
                            "ta_signals', '{replica}', version)"),
            std::string::npos)
      << replicated;
  EXPECT_EQ(modern.TsToMillis("event_ts"), "toUnixTimestamp64Milli(event_ts)");
}

TEST(ClickHouseLayout, LegacyDdlAvoidsWhat18Lacks) {
  ClickHouseLayout legacy;
  legacy.kind = ClickHouseLayoutKind::kLegacy;
  const std::string ddl = legacy.Steps().front().statements.front();
  EXPECT_EQ(ddl.find("DateTime64"), std::string::npos);
  EXPECT_EQ(ddl.find("LowCardinality"), std::string::npos);
  EXPECT_EQ(ddl.find("TTL"), std::string::npos);
  EXPECT_NE(ddl.find("`event_ts` Int64"), std::string::npos);
  EXPECT_NE(ddl.find("PARTITION BY toDate(toDateTime(intDiv(event_ts, 1000)))"), std::string::npos);
  EXPECT_EQ(legacy.TsToMillis("event_ts"), "event_ts");
}

TEST(ClickHouse, StringsAreQuotedAndErrorsMapped) {
  EXPECT_EQ(QuoteString("a'b\\c\n"), "'a\\'b\\\\c\\n'");
  EXPECT_EQ(
      ClickHouseError(500, "Code: 243, e.displayText() = DB::Exception: Cannot reserve").code(),
      StatusCode::kResourceExhausted);
  EXPECT_EQ(ClickHouseError(500, "Code: 1000, Poco: No space left on device").code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(ClickHouseError(516, "Code: 516. DB::Exception: default: Authentication failed").code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(ClickHouseError(500, "Code: 192, e.displayText() = Unknown user x").code(),
            StatusCode::kUnauthenticated);
  Status missing = ClickHouseError(404, "Code: 60, e.displayText() = Table x doesn't exist");
  EXPECT_EQ(missing.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(missing.message().find("torghut migrate"), std::string::npos);
  EXPECT_EQ(ClickHouseError(400, "Code: 62, Syntax error").code(), StatusCode::kInternal);
  // A read-only replica (18.16's words) is retryable and named as such; a keeper lost mid-write
  // and an insert of unknown outcome are retryable.
  Status readonly = ClickHouseError(
      500,
      "Code: 242, e.displayText() = DB::Exception: Table is in readonly mode, e.what() = "
      "DB::Exception");
  EXPECT_EQ(readonly.code(), StatusCode::kUnavailable);
  EXPECT_NE(readonly.message().find("TABLE_IS_READ_ONLY"), std::string::npos);
  EXPECT_NE(readonly.message().find("Table is in readonly mode"), std::string::npos);
  EXPECT_EQ(ClickHouseError(500, "Code: 999, Coordination::Exception: Session expired").code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(ClickHouseError(500, "Code: 319, Unknown status of insert").code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(ClickHouseError(500, "Code: 999, Session expired").message().find("TABLE_IS_READ_ONLY"),
            std::string::npos);
}

TEST(RowBinary, RoundTripsEveryColumnKind) {
  ta::SignalRow row;
  row.id.symbol = "BRK.B";
  row.id.event_ts = Timestamp::FromMillis(1'700'000'000'123);
  row.id.seq = -5;
  row.id.source = market::Source::kSim;
  row.id.window_size = ta::WindowSize::k1m;
  row.id.version = 9;
  row.ema12 = 1.5;
  std::string bytes;
  rowbinary::Writer w(&bytes);
  internal::VisitSignal(row, w);
  ta::SignalRow back;
  rowbinary::Reader r(bytes);
  internal::VisitSignal(back, r);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.done());
  EXPECT_EQ(back.id.symbol, "BRK.B");
  EXPECT_EQ(back.id.event_ts, row.id.event_ts);
  EXPECT_EQ(back.id.seq, -5);
  EXPECT_EQ(back.id.source, market::Source::kSim);
  EXPECT_EQ(back.id.window_size, ta::WindowSize::k1m);
  EXPECT_EQ(back.ema12, 1.5);
  EXPECT_TRUE(ta::IsNull(back.macd));
  // Truncated input is detected, never read past.
  rowbinary::Reader shorter(std::string_view(bytes).substr(0, bytes.size() - 3));
  ta::SignalRow partial;
  internal::VisitSignal(partial, shorter);
  EXPECT_FALSE(shorter.ok());
}

TEST(Migrations, AppliesOnlyNewStepsAndRefusesNewerSchemas) {
  int recorded = 1;
  std::vector<int> applied;
  MigrationExecutor e{[&]() -> Result<int> { return recorded; },
                      [&](const MigrationStep& s) -> Status {
                        applied.push_back(s.version);
                        recorded = s.version;
                        return Status::Ok();
                      }};
  std::vector<MigrationStep> steps = {{1, "one", {}}, {2, "two", {}}, {3, "three", {}}};
  auto r = RunMigrations("ta", "sqlite", steps, e);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(applied, (std::vector<int>{2, 3}));
  EXPECT_EQ(DescribeMigration(*r), "ta (sqlite): schema v1 -> v3 (v2: two; v3: three)");
  r = RunMigrations("ta", "sqlite", steps, e);
  EXPECT_EQ(DescribeMigration(*r), "ta (sqlite): schema v3, up to date");
  recorded = 4;
  EXPECT_EQ(RunMigrations("ta", "sqlite", steps, e).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(StoreConfig, ReadsEveryVariableAndReportsEachBadOne) {
  ConfigReader ok(EnvSource::FromMap({{"TA_STORE", "clickhouse"},
                                      {"TRADING_STORE", "postgres"},
                                      {"DB_DSN", "host=db user=torghut"},
                                      {"TA_CLICKHOUSE_URL", "https://ch:8443"},
                                      {"TA_CLICKHOUSE_CLUSTER", "prod"},
                                      {"TA_RETENTION_DAYS", "10"},
                                      {"TORGHUT_DATA_DIR", "/data"}}));
  StoreConfig c = ReadStoreConfig(ok);
  ASSERT_TRUE(ok.Finish().ok()) << ok.Finish().ToString();
  EXPECT_EQ(c.ta_backend, "clickhouse");
  EXPECT_EQ(c.clickhouse.http.url, "https://ch:8443");
  EXPECT_EQ(c.clickhouse.cluster, "prod");
  EXPECT_EQ(c.clickhouse.retention_days, 10);
  EXPECT_EQ(c.ta_retention_days, 10);
  EXPECT_EQ(c.db_dsn, "host=db user=torghut");
  EXPECT_EQ(c.ta_sqlite_path(), "/data/ta.sqlite");

  ConfigReader bad(EnvSource::FromMap({{"TA_STORE", "mysql"},
                                       {"TRADING_STORE", "postgres"},
                                       {"TA_CLICKHOUSE_URL", "ch:8123"},
                                       {"TA_CLICKHOUSE_DATABASE", "x; DROP"}}));
  ReadStoreConfig(bad);
  const std::string errors = bad.Finish().message();
  for (const char* name : {"TA_STORE", "DB_DSN", "TA_CLICKHOUSE_URL", "TA_CLICKHOUSE_DATABASE"}) {
    EXPECT_NE(errors.find(name), std::string::npos) << name << " in " << errors;
  }
}

}  // namespace
}  // namespace torghut::store
