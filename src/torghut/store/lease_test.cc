// The single-trader lease on both backends: one holder at a time; a released (or dead) holder's
// lease goes to the next; a Postgres lease is lost with its session.
#include "torghut/store/lease.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pqxx/pqxx>

#include "torghut/testing/store_servers.h"
#include "torghut/testing/test_support.h"

namespace torghut::store {
namespace {

TEST(TradingLease, AFileLockBesideSqliteHasOneHolder) {
  testing::ScratchDir dir("torghut-lease");
  StoreConfig c;
  c.data_dir = dir.path();
  auto a = OpenTradingLease(c).value();
  auto b = OpenTradingLease(c).value();
  EXPECT_TRUE(a->TryAcquire().value());
  EXPECT_TRUE(a->TryAcquire().value());  // held already
  EXPECT_FALSE(b->TryAcquire().value());
  EXPECT_TRUE(a->Check().ok());
  EXPECT_EQ(b->Check().code(), StatusCode::kAborted);
  a->Release();
  EXPECT_TRUE(b->TryAcquire().value());
  EXPECT_NE(b->Describe().find("trading.lease"), std::string::npos);
  // A holder in another process that dies frees it.
  b->Release();
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    auto held = OpenTradingLease(c).value();
    const char ok = held->TryAcquire().value() ? 'y' : 'n';
    (void)!::write(pipe_fds[1], &ok, 1);
    ::pause();  // holds it until killed
    ::_exit(0);
  }
  char got = 0;
  ASSERT_EQ(::read(pipe_fds[0], &got, 1), 1);
  EXPECT_EQ(got, 'y');
  EXPECT_FALSE(a->TryAcquire().value());
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  EXPECT_TRUE(a->TryAcquire().value());
}

TEST(TradingLease, APostgresAdvisoryLockHasOneHolderAndGoesWithItsSession) {
  testing::ScratchDir dir("torghut-pglease");
  testing::PostgresTestServer pg(dir.path() / "pg");
  ASSERT_TRUE(pg.Start()) << pg.log();
  StoreConfig c;
  c.trading_backend = "postgres";
  c.db_dsn = pg.dsn();
  auto a = OpenTradingLease(c).value();
  auto b = OpenTradingLease(c).value();
  ASSERT_TRUE(a->TryAcquire().value());
  EXPECT_FALSE(b->TryAcquire().value());
  EXPECT_TRUE(a->Check().ok());
  // The session is killed (a failover, a network cut): the holder learns it lost the lease, and
  // the other can take it.
  {
    pqxx::connection admin(pg.dsn());
    pqxx::nontransaction n(admin);
    n.exec("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'");
  }
  EXPECT_EQ(a->Check().code(), StatusCode::kAborted);
  EXPECT_TRUE(b->TryAcquire().value());
  EXPECT_FALSE(a->TryAcquire().value());  // reconnects, finds it taken
  b->Release();
  EXPECT_TRUE(a->TryAcquire().value());
  EXPECT_EQ(a->Describe().find("password"), std::string::npos);
  pg.Stop();
  // The server gone: an error, not a false "held".
  EXPECT_NE(a->Check().code(), StatusCode::kOk);
}

}  // namespace
}  // namespace torghut::store
