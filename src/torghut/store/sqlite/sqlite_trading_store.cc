#include "torghut/store/sqlite/sqlite_trading_store.h"

#include <fmt/format.h>

#include "torghut/store/sql/sql_trading_store.h"

namespace torghut::store {
namespace {

class SqliteConnection final : public SqlConnection {
 public:
  explicit SqliteConnection(SqliteDb db) : db_(std::move(db)) {}

  std::string_view backend() const override { return "sqlite"; }

  Result<SqlRows> Exec(const std::string& sql, const std::vector<SqlValue>& params) override {
    TORGHUT_ASSIGN_OR_RETURN(SqliteStatement * st, db_.Prepare(sql));
    st->Reset();
    // Placeholders are named $1..$N; bind by name so their order in the text does not matter.
    for (size_t i = 0; i < params.size(); ++i) {
      const int index = st->ParameterIndex(fmt::format("${}", i + 1));
      if (index == 0) continue;  // parameter not used by this statement
      if (params[i]) {
        st->BindText(index, *params[i]);
      } else {
        st->BindNull(index);
      }
    }
    SqlRows rows;
    const int columns = st->ColumnCount();
    while (true) {
      TORGHUT_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      SqlRow r(static_cast<size_t>(columns));
      for (int c = 0; c < columns; ++c) {
        if (!st->IsNull(c)) r[static_cast<size_t>(c)] = std::string(st->Text(c));
      }
      rows.push_back(std::move(r));
    }
    return rows;
  }

  Status Transaction(const std::function<Status()>& body) override {
    TORGHUT_RETURN_IF_ERROR(db_.Begin());
    Status s = body();
    if (!s.ok()) {
      db_.Rollback();
      return s;
    }
    return db_.Commit();
  }

  MigrationExecutor Migrations(std::string component) override {
    return SqliteMigrations(db_, std::move(component));
  }

 private:
  SqliteDb db_;
};

}  // namespace

Result<std::unique_ptr<TradingStore>> OpenSqliteTradingStore(const std::filesystem::path& path,
                                                             const SqliteDb::Options& options,
                                                             int schema_version) {
  TORGHUT_ASSIGN_OR_RETURN(SqliteDb db, SqliteDb::Open(path, options));
  return MakeSqlTradingStore(std::make_unique<SqliteConnection>(std::move(db)), SqlDialect::kSqlite,
                             schema_version);
}

}  // namespace torghut::store
