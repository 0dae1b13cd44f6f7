// `torghut migrate` as a user runs it: the real binary against SQLite files, a ClickHouse server
// and a Postgres server started here (a server that cannot start fails the test).
#include <gtest/gtest.h>

#include "torghut/store/clickhouse/clickhouse_http.h"
#include "torghut/testing/store_servers.h"
#include "torghut/testing/test_support.h"

namespace {

using torghut::testing::ClickHouseTestServer;
using torghut::testing::PostgresTestServer;
using torghut::testing::RunCommand;
using torghut::testing::ScratchDir;

const std::string kBin = TORGHUT_BIN;

TEST(MigrateCommand, SqliteCreatesThenReportsUpToDate) {
  ScratchDir dir("torghut-migrate");
  const std::string env = "TORGHUT_DATA_DIR=" + (dir.path() / "data").string() + " ";
  auto first = RunCommand(env + kBin + " migrate", dir.path());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("ta (sqlite): schema v0 -> v1"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("trading (sqlite): schema v0 -> v2"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "data" / "ta.sqlite"));
  auto second = RunCommand(env + kBin + " migrate", dir.path());
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("ta (sqlite): schema v1, up to date"), std::string::npos);
  EXPECT_NE(second.out.find("trading (sqlite): schema v2, up to date"), std::string::npos);
}

TEST(MigrateCommand, ClickHouseAndPostgresServers) {
  ScratchDir dir("torghut-migrate");
  ClickHouseTestServer ch(dir.path() / "ch");
  ASSERT_TRUE(ch.Start()) << ch.log();
  PostgresTestServer pg(dir.path() / "pg");
  ASSERT_TRUE(pg.Start()) << pg.log();
  const std::string env = "TA_STORE=clickhouse TA_CLICKHOUSE_URL=" + ch.url() +
                          " TRADING_STORE=postgres DB_DSN='" + pg.dsn() + "' ";
  auto first = RunCommand(env + kBin + " migrate", dir.path());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("ta (clickhouse, server 18.16"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("legacy layout): schema v0 -> v1"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("trading (postgres): schema v0 -> v2"), std::string::npos);
  auto second = RunCommand(env + kBin + " migrate", dir.path());
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("schema v1, up to date"), std::string::npos);
  EXPECT_NE(second.out.find("trading (postgres): schema v2, up to date"), std::string::npos)
      << second.out;
  EXPECT_EQ(second.out.find("->"), std::string::npos) << second.out;
  // The DSN (which may hold a password) never appears in the output.
  EXPECT_EQ((second.out + second.err).find("port="), std::string::npos);

  // A schema from a newer torghut is refused, with the reason, and left as it is.
  torghut::store::ClickHouseHttp http({.url = ch.url()});
  ASSERT_TRUE(http.Query("INSERT INTO torghut.schema_migrations (component, version, "
                         "description) VALUES ('ta', 5, 'newer')")
                  .ok());
  auto refused = RunCommand(env + kBin + " migrate --only ta", dir.path());
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("newer than the v1 this torghut knows"), std::string::npos)
      << refused.err;

  // Credentials the server refuses are their own error class, and never printed.
  auto denied = RunCommand("TA_STORE=clickhouse TA_CLICKHOUSE_URL=" + ch.url() +
                               " TA_CLICKHOUSE_USERNAME=nobody TA_CLICKHOUSE_PASSWORD=s3cr3t-pw " +
                               kBin + " migrate --only ta",
                           dir.path());
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_NE(denied.err.find("torghut migrate: unauthenticated: clickhouse"), std::string::npos)
      << denied.err;
  EXPECT_EQ((denied.out + denied.err).find("s3cr3t-pw"), std::string::npos);

  // A server that is down: one line naming it, exit 1.
  pg.Stop();
  auto down = RunCommand(env + kBin + " migrate --only trading", dir.path());
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_NE(down.err.find("torghut migrate: unavailable: postgres"), std::string::npos) << down.err;
}

TEST(MigrateCommand, BadConfigurationIsOneLinePerVariable) {
  ScratchDir dir("torghut-migrate");
  auto r = RunCommand("TA_STORE=mysql TRADING_STORE=postgres " + kBin + " migrate", dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("TA_STORE"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("DB_DSN"), std::string::npos) << r.err;
}

}  // namespace
