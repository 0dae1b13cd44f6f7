// A thin RAII layer over the SQLite C API shared by the SQLite stores: one connection, prepared
// statements, transactions, and SQLite result codes mapped onto Status codes callers act on.
//
//   TORGHUT_ASSIGN_OR_RETURN(SqliteDb db, SqliteDb::Open(path));
//   TORGHUT_ASSIGN_OR_RETURN(SqliteStatement* st, db.Prepare("SELECT v FROM t WHERE k = ?1"));
//   st->BindText(1, "AAPL");
//   while (true) { TORGHUT_ASSIGN_OR_RETURN(bool row, st->Step()); if (!row) break; ... }
//
// Connections run in WAL mode with synchronous=NORMAL (a committed transaction survives a process
// crash; a power loss may drop the last transactions but never corrupts) and wait up to
// `busy_timeout_ms` for another writer instead of failing at once. Not thread-safe: one thread per
// SqliteDb (open one per thread; WAL lets readers and a writer proceed together).
//
// Error mapping: SQLITE_BUSY/LOCKED/IOERR/CANTOPEN → kUnavailable, SQLITE_FULL → kResourceExhausted,
// SQLITE_CONSTRAINT → kAlreadyExists, SQLITE_CORRUPT/NOTADB → kDataLoss, others → kInternal.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "torghut/core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace torghut::store {

Status SqliteStatus(int code, std::string_view context, sqlite3* db);

class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Indexes start at 1. Binding never fails for valid indexes (statements are ours).
  void BindText(int i, std::string_view v);
  void BindInt(int i, int64_t v);
  void BindReal(int i, double v);  // NaN binds NULL
  void BindNull(int i);
  // true when a row is ready; false when done. Resets automatically on done or error.
  Result<bool> Step();
  // Step() until done (for statements without rows).
  Status Run();
  void Reset();

  // The index of a named parameter ("$1", ":x"), 0 when the statement has none by that name.
  int ParameterIndex(const std::string& name) const;
  int ColumnCount() const;
  bool IsNull(int col) const;
  std::string_view Text(int col) const;
  int64_t Int(int col) const;
  double Real(int col) const;  // NULL reads as NaN

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class SqliteDb {
 public:
  struct Options {
    int busy_timeout_ms = 10000;
    // Per-connection settings applied at open, e.g. {"max_page_count", "100"} (tests use it to
    // make a disk "full").
    std::map<std::string, std::string> pragmas;
  };
  static Result<SqliteDb> Open(const std::filesystem::path& path, const Options& options);
  static Result<SqliteDb> Open(const std::filesystem::path& path) { return Open(path, Options()); }

  SqliteDb(SqliteDb&&) noexcept;
  SqliteDb& operator=(SqliteDb&&) noexcept;
  ~SqliteDb();

  // Runs one or more statements without parameters or results.
  Status Exec(std::string_view sql);
  // A statement cached by its SQL text; valid for the life of this SqliteDb.
  Result<SqliteStatement*> Prepare(const std::string& sql);
  // BEGIN IMMEDIATE (takes the write lock up front, so a transaction never fails half-way on a
  // lock upgrade) / COMMIT / ROLLBACK.
  Status Begin();
  Status Commit();
  void Rollback();
  int64_t Changes() const;
  const std::filesystem::path& path() const { return path_; }
  sqlite3* raw() const { return db_; }

 private:
  SqliteDb() = default;
  sqlite3* db_ = nullptr;
  std::filesystem::path path_;
  std::map<std::string, std::unique_ptr<SqliteStatement>, std::less<>> statements_;
};

// Bytes the database and its WAL take, and free bytes on its filesystem.
void SqliteDiskUsage(const std::filesystem::path& path, int64_t* used, int64_t* free_bytes);

}  // namespace torghut::store

#include "torghut/store/migration.h"

namespace torghut::store {
// Migrations kept in `schema_migrations` of `db`, each step in one transaction with its record.
MigrationExecutor SqliteMigrations(SqliteDb& db, std::string component);
}  // namespace torghut::store
