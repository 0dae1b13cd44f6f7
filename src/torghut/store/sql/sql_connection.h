// The narrow SQL surface the trading store is written against once, for SQLite and Postgres.
//
//   SqlRows rows;
//   TORGHUT_ASSIGN_OR_RETURN(rows, conn.Exec("SELECT name, {ms created_at} FROM strategies "
//                                            "WHERE enabled = $1", {"1"}));
//
// Statement text uses $1..$N placeholders (values are always bound, never pasted) and two
// rewrites for the one place the dialects differ, time columns: `{ts $N}` turns an epoch-millis
// parameter into the column's time type, `{ms COLUMN}` reads a time column as epoch millis.
// Parameters and results are text or NULL (nullopt): decimals travel as exact text.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/core/status.h"
#include "torghut/store/migration.h"

namespace torghut::store {

using SqlValue = std::optional<std::string>;
using SqlRow = std::vector<SqlValue>;
using SqlRows = std::vector<SqlRow>;

enum class SqlDialect { kSqlite, kPostgres };

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  virtual std::string_view backend() const = 0;
  // Runs one statement (prepared once per text and cached).
  virtual Result<SqlRows> Exec(const std::string& sql, const std::vector<SqlValue>& params) = 0;
  // Runs `body` in one transaction: committed when it returns OK, rolled back otherwise (its
  // status is returned). Exec calls inside `body` join the transaction. Not reentrant.
  virtual Status Transaction(const std::function<Status()>& body) = 0;
  virtual MigrationExecutor Migrations(std::string component) = 0;
};

// Applies the `{ts $N}` / `{ms COLUMN}` rewrites for `dialect`.
std::string RewriteSql(std::string_view sql, SqlDialect dialect);

}  // namespace torghut::store
