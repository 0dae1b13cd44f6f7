// The trading store test fixture shared by the conformance and upgrade suites: one test per
// backend (SQLite, and Postgres 15 started per test on loopback; a server that cannot start fails
// the test), a migrated store, and raw SQL access to the same database for what the API cannot
// do (write an older layout, corrupt a value, read a column's stored text). Test-only.
//
//   class MySuite : public TradingStoreFixture {};
//   TEST_P(MySuite, X) { ASSERT_TRUE(store_->InsertDecision(MakeDecision("h")).ok());
//                        EXPECT_EQ(Raw("SELECT reasons FROM trade_decisions"), ...); }
//   INSTANTIATE_TEST_SUITE_P(Backends, MySuite, ::testing::Values("sqlite", "postgres"), ...);
#pragma once

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "torghut/store/postgres/postgres_trading_store.h"
#include "torghut/store/sqlite/sqlite_trading_store.h"
#include "torghut/store/trading_store.h"
#include "torghut/testing/store_servers.h"

namespace torghut::store::testing_support {

inline constexpr EpochMillis kNow = 1'700'000'000'123;

inline Decimal D(std::string_view text) {
  return Decimal::Parse(text).value();
}

inline Decision MakeDecision(std::string hash, std::string symbol = "AAPL", EpochMillis at = kNow) {
  Decision d;
  d.client_order_id = trading::ClientOrderIdFor(hash);
  d.decision_hash = std::move(hash);
  d.strategy_name = "macd-rsi-default";
  d.symbol = std::move(symbol);
  d.timeframe = Timeframe::k1Min;
  d.signal_event_ts = at - 60'000;
  d.action = trading::Side::kBuy;
  d.qty = D("3");
  d.limit_price = D("187.123456789");
  d.reference_price = D("187.25");
  d.inputs_json = R"({"macd":0.12,"rsi14":31.5,"close":"187.25"})";
  d.rationale = "macd above signal, rsi below 35";
  d.created_at = at;
  d.updated_at = at;
  return d;
}

inline Execution MakeExecution(const Decision& d, std::optional<std::string> broker_id) {
  Execution e;
  e.decision_hash = d.decision_hash;
  e.client_order_id = d.client_order_id;
  e.broker_order_id = std::move(broker_id);
  e.symbol = d.symbol;
  e.side = d.action;
  e.order_type = d.order_type;
  e.time_in_force = d.time_in_force;
  e.submitted_qty = d.qty;
  e.filled_qty = D("0");
  e.status = OrderStatus::kAccepted;
  e.submitted_at = d.created_at + 5;
  e.updated_at = d.created_at + 5;
  return e;
}

class TradingStoreFixture : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = std::make_unique<testing::ScratchDir>("torghut-trading-store");
    if (pg()) {
      server_ = std::make_unique<testing::PostgresTestServer>(dir_->path() / "pg");
      ASSERT_TRUE(server_->Start()) << "postgres did not start:\n" << server_->log();
    }
    store_ = Open();
    auto report = store_->Migrate();
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_EQ(report->to_version, 2);
  }

  bool pg() const { return GetParam() == "postgres"; }

  // A store on database `db` ("" = the fixture's own; others: CreateDatabase first) whose
  // Migrate() stops at `schema_version` (0 = the newest).
  std::unique_ptr<TradingStore> Open(int schema_version = 0, const std::string& db = "") {
    if (pg()) return OpenPostgresTradingStore(Dsn(db), schema_version);
    auto s = OpenSqliteTradingStore(SqlitePath(db), {}, schema_version);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  }

  void CreateDatabase(const std::string& db) {
    if (!pg()) return;  // a new SQLite file is created on open
    pqxx::connection c(Dsn(""));
    pqxx::nontransaction n(c);
    n.exec("CREATE DATABASE " + db);
  }

  // Runs one raw statement (committed) and returns the first column of each row as text
  // ("NULL" for NULL).
  std::vector<std::string> Raw(const std::string& sql, const std::string& db = "") {
    std::vector<std::string> out;
    if (pg()) {
      pqxx::connection c(Dsn(db));
      pqxx::work w(c);
      const pqxx::result r = w.exec(sql);
      w.commit();
      for (const auto& row : r) out.push_back(row[0].is_null() ? "NULL" : row[0].c_str());
      return out;
    }
    auto conn = SqliteDb::Open(SqlitePath(db));
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    auto st = conn->Prepare(sql);
    EXPECT_TRUE(st.ok()) << sql << ": " << st.status().ToString();
    if (!st.ok()) return out;
    while (true) {
      auto row = (*st)->Step();
      EXPECT_TRUE(row.ok()) << sql << ": " << row.status().ToString();
      if (!row.ok() || !*row) break;
      out.push_back((*st)->ColumnCount() == 0 ? ""
                    : (*st)->IsNull(0)        ? "NULL"
                                              : std::string((*st)->Text(0)));
    }
    return out;
  }

  // A time literal of the dialect for raw SQL (TIMESTAMPTZ in Postgres, epoch ms in SQLite).
  std::string Ts(EpochMillis ms) const {
    return pg() ? "(TIMESTAMPTZ 'epoch' + " + std::to_string(ms) + " * INTERVAL '1 millisecond')"
                : std::to_string(ms);
  }
  std::string BoolLiteral(bool v) const { return pg() ? (v ? "true" : "false") : (v ? "1" : "0"); }

  std::unique_ptr<testing::ScratchDir> dir_;
  std::unique_ptr<testing::PostgresTestServer> server_;
  std::unique_ptr<TradingStore> store_;

 private:
  std::string Dsn(const std::string& db) const {
    return server_->dsn() + (db.empty() ? "" : " dbname=" + db);  // the last dbname wins
  }
  std::filesystem::path SqlitePath(const std::string& db) const {
    return dir_->path() / ((db.empty() ? std::string("trading") : db) + ".sqlite");
  }
};

inline std::string BackendName(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

}  // namespace torghut::store::testing_support
