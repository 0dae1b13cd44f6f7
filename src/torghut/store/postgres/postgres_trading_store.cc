#include "torghut/store/postgres/postgres_trading_store.h"

#include <fmt/format.h>

#include <map>
#include <pqxx/pqxx>

#include "torghut/store/sql/sql_trading_store.h"

namespace torghut::store {
namespace {

// Maps a libpqxx exception onto a Status (SQLSTATE classes: 08 connection, 23 integrity,
// 28 authorization, 40 rollback, 53 insufficient resources, 57 operator intervention).
Status PgStatus(const std::exception& e) {
  std::string what = e.what();
  while (!what.empty() && (what.back() == '\n' || what.back() == ' ')) what.pop_back();
  const std::string message = "postgres: " + what.substr(0, what.find('\n'));
  if (dynamic_cast<const pqxx::broken_connection*>(&e) ||
      dynamic_cast<const pqxx::in_doubt_error*>(&e)) {
    return Unavailable(message);
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string state = sql->sqlstate();
    const std::string cls = state.substr(0, 2);
    if (state == "23505") return AlreadyExists(message);
    if (cls == "23" || cls == "22") return InvalidArgument(message);
    if (cls == "53") return ResourceExhausted(message);
    if (cls == "08" || cls == "57") return Unavailable(message);
    if (cls == "28") return Unauthenticated(message);
    if (cls == "40") return Aborted(message);
    if (state == "42P01") return FailedPrecondition(message + " (run 'torghut migrate')");
  }
  return Internal(message);
}

class PostgresConnection final : public SqlConnection {
 public:
  explicit PostgresConnection(std::string dsn) : dsn_(std::move(dsn)) {}

  std::string_view backend() const override { return "postgres"; }

  Result<SqlRows> Exec(const std::string& sql, const std::vector<SqlValue>& params) override {
    return Guard<SqlRows>([&]() -> SqlRows {
      const std::string& name = Prepared(sql);
      std::vector<const char*> values;
      values.reserve(params.size());
      for (const SqlValue& p : params) values.push_back(p ? p->c_str() : nullptr);
      const auto dynamic = pqxx::prepare::make_dynamic_params(values);
      pqxx::result result;
      if (tx_) {
        result = tx_->exec_prepared(name, dynamic);
      } else {
        pqxx::nontransaction n(*conn_);
        result = n.exec_prepared(name, dynamic);
      }
      SqlRows rows;
      rows.reserve(result.size());
      for (const auto& row : result) {
        SqlRow r(row.size());
        for (pqxx::row::size_type c = 0; c < row.size(); ++c) {
          if (!row[c].is_null()) r[c] = row[c].c_str();
        }
        rows.push_back(std::move(r));
      }
      return rows;
    });
  }

  Status Transaction(const std::function<Status()>& body) override {
    Status inner;
    Status outer = Guard<bool>([&] {
                     pqxx::work tx(*conn_);
                     tx_ = &tx;
                     try {
                       inner = body();
                     } catch (...) {
                       tx_ = nullptr;
                       throw;
                     }
                     tx_ = nullptr;
                     if (inner.ok()) tx.commit();  // else the destructor rolls back
                     return true;
                   }).status();
    // A connection that broke inside the transaction is dropped only now that the transaction
    // object (which refers to it) is gone.
    if (inner.code() == StatusCode::kUnavailable) Drop();
    return outer.ok() ? inner : outer;
  }

  MigrationExecutor Migrations(std::string component) override {
    MigrationExecutor e;
    e.current_version = [this, component]() -> Result<int> {
      return Guard<int>([&] {
        pqxx::nontransaction n(*conn_);
        n.exec(
            "CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT NOT NULL, version "
            "INTEGER NOT NULL, description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL "
            "DEFAULT now(), PRIMARY KEY (component, version))");
        return n
            .exec_params1(
                "SELECT coalesce(max(version), 0) FROM schema_migrations WHERE "
                "component = $1",
                component)[0]
            .as<int>();
      });
    };
    e.apply = [this, component](const MigrationStep& step) -> Status {
      return Guard<bool>([&] {
               pqxx::work tx(*conn_);
               // Serialises concurrent migrators; released at commit.
               tx.exec("SELECT pg_advisory_xact_lock(7466510151)");
               const bool done = !tx.exec_params(
                                        "SELECT 1 FROM schema_migrations WHERE "
                                        "component = $1 AND version = $2",
                                        component, step.version)
                                      .empty();
               if (!done) {
                 for (const std::string& sql : step.statements) tx.exec(sql);
                 tx.exec_params(
                     "INSERT INTO schema_migrations (component, version, description) VALUES "
                     "($1, $2, $3)",
                     component, step.version, step.description);
               }
               tx.commit();
               return true;
             })
          .status();
    };
    return e;
  }

 private:
  // Runs `fn` on a live connection, turning exceptions into a Status and dropping a broken
  // connection so that the next call reconnects.
  template <typename T, typename Fn>
  Result<T> Guard(Fn&& fn) {
    try {
      if (!conn_ || !conn_->is_open()) {
        Drop();
        conn_ = std::make_unique<pqxx::connection>(dsn_);
      }
      return T(fn());
    } catch (const std::exception& e) {
      Status s = PgStatus(e);
      if (!tx_ && (s.code() == StatusCode::kUnavailable || (conn_ && !conn_->is_open()))) {
        Drop();
      }
      return s;
    }
  }

  void Drop() {
    conn_.reset();
    prepared_.clear();
  }

  const std::string& Prepared(const std::string& sql) {
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
      std::string name = fmt::format("s{}", prepared_.size());
      conn_->prepare(name, sql);
      it = prepared_.emplace(sql, std::move(name)).first;
    }
    return it->second;
  }

  std::string dsn_;
  std::unique_ptr<pqxx::connection> conn_;
  pqxx::work* tx_ = nullptr;
  std::map<std::string, std::string> prepared_;
};

}  // namespace

std::unique_ptr<TradingStore> OpenPostgresTradingStore(std::string dsn, int schema_version) {
  return MakeSqlTradingStore(std::make_unique<PostgresConnection>(std::move(dsn)),
                             SqlDialect::kPostgres, schema_version);
}

}  // namespace torghut::store
