#include "torghut/store/sqlite/sqlite_db.h"

#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/statvfs.h>

#include <chrono>
#include <cmath>
#include <thread>

namespace torghut::store {

Status SqliteStatus(int code, std::string_view context, sqlite3* db) {
  const int primary = code & 0xff;
  std::string message =
      fmt::format("{}: {}", context, db ? sqlite3_errmsg(db) : sqlite3_errstr(code));
  switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
      return Unavailable(std::move(message));
    case SQLITE_FULL:
      return ResourceExhausted(std::move(message));
    case SQLITE_CONSTRAINT:
      return AlreadyExists(std::move(message));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DataLoss(std::move(message));
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return PermissionDenied(std::move(message));
    default:
      return Internal(std::move(message));
  }
}

SqliteStatement::~SqliteStatement() {
  sqlite3_finalize(stmt_);
}

void SqliteStatement::BindText(int i, std::string_view v) {
  sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}
void SqliteStatement::BindInt(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
}
void SqliteStatement::BindReal(int i, double v) {
  if (std::isnan(v)) {
    sqlite3_bind_null(stmt_, i);
  } else {
    sqlite3_bind_double(stmt_, i, v);
  }
}
void SqliteStatement::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
}

Result<bool> SqliteStatement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  Status s = rc == SQLITE_DONE ? Status::Ok() : SqliteStatus(rc, "sqlite", db_);
  sqlite3_reset(stmt_);
  if (!s.ok()) return s;
  return false;
}

Status SqliteStatement::Run() {
  while (true) {
    TORGHUT_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

void SqliteStatement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int SqliteStatement::ParameterIndex(const std::string& name) const {
  return sqlite3_bind_parameter_index(stmt_, name.c_str());
}
int SqliteStatement::ColumnCount() const {
  return sqlite3_column_count(stmt_);
}

bool SqliteStatement::IsNull(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}
std::string_view SqliteStatement::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string_view();
}
int64_t SqliteStatement::Int(int col) const {
  return sqlite3_column_int64(stmt_, col);
}
double SqliteStatement::Real(int col) const {
  return IsNull(col) ? std::nan("") : sqlite3_column_double(stmt_, col);
}

Result<SqliteDb> SqliteDb::Open(const std::filesystem::path& path, const Options& options) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  SqliteDb db;
  db.path_ = path;
  const int rc =
      sqlite3_open_v2(path.c_str(), &db.db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    return SqliteStatus(rc, fmt::format("cannot open sqlite database {}", path.string()), db.db_);
  }
  sqlite3_busy_timeout(db.db_, options.busy_timeout_ms);
  std::string setup = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";
  for (const auto& [name, value] : options.pragmas) {
    setup += fmt::format(" PRAGMA {}={};", name, value);
  }
  // Switching a database to WAL takes an exclusive lock, and SQLite answers SQLITE_BUSY there
  // without calling the busy handler when another connection is opening (or migrating) the same
  // file at the same moment — two processes starting together. Retry for the busy timeout.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options.busy_timeout_ms);
  while (true) {
    Status s = db.Exec(setup);
    if (s.ok()) break;
    if (s.code() != StatusCode::kUnavailable || std::chrono::steady_clock::now() >= deadline) {
      return s;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // retry pause
  }
  return db;
}

SqliteDb::SqliteDb(SqliteDb&& o) noexcept
    : db_(o.db_), path_(std::move(o.path_)), statements_(std::move(o.statements_)) {
  o.db_ = nullptr;
}

SqliteDb& SqliteDb::operator=(SqliteDb&& o) noexcept {
  if (this != &o) {
    statements_.clear();
    if (db_) sqlite3_close_v2(db_);
    db_ = o.db_;
    path_ = std::move(o.path_);
    statements_ = std::move(o.statements_);
    o.db_ = nullptr;
  }
  return *this;
}

SqliteDb::~SqliteDb() {
  statements_.clear();  // finalize before closing
  if (db_) sqlite3_close_v2(db_);
}

Status SqliteDb::Exec(std::string_view sql) {
  const std::string text(sql);
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    Status s = SqliteStatus(rc, "sqlite", db_);
    sqlite3_free(err);
    return s;
  }
  return Status::Ok();
}

Result<SqliteStatement*> SqliteDb::Prepare(const std::string& sql) {
  if (auto it = statements_.find(sql); it != statements_.end()) return it->second.get();
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteStatus(rc, "sqlite prepare", db_);
  auto owned = std::make_unique<SqliteStatement>(db_, stmt);
  SqliteStatement* raw_stmt = owned.get();
  statements_.emplace(sql, std::move(owned));
  return raw_stmt;
}

Status SqliteDb::Begin() {
  return Exec("BEGIN IMMEDIATE");
}
Status SqliteDb::Commit() {
  Status s = Exec("COMMIT");
  if (!s.ok()) Rollback();
  return s;
}
void SqliteDb::Rollback() {
  if (!sqlite3_get_autocommit(db_)) (void)Exec("ROLLBACK");
}
int64_t SqliteDb::Changes() const {
  return sqlite3_changes64(db_);
}

void SqliteDiskUsage(const std::filesystem::path& path, int64_t* used, int64_t* free_bytes) {
  *used = 0;
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const auto size = std::filesystem::file_size(path.string() + suffix, ec);
    if (!ec) *used += static_cast<int64_t>(size);
  }
  struct statvfs vfs {};
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  *free_bytes = ::statvfs(dir.c_str(), &vfs) == 0
                    ? static_cast<int64_t>(vfs.f_bavail) * static_cast<int64_t>(vfs.f_frsize)
                    : -1;
}

}  // namespace torghut::store

namespace torghut::store {

MigrationExecutor SqliteMigrations(SqliteDb& db, std::string component) {
  MigrationExecutor e;
  e.current_version = [&db, component]() -> Result<int> {
    TORGHUT_RETURN_IF_ERROR(
        db.Exec("CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT NOT NULL, version "
                "INTEGER NOT NULL, description TEXT NOT NULL, applied_at INTEGER NOT NULL, "
                "PRIMARY KEY (component, version))"));
    TORGHUT_ASSIGN_OR_RETURN(
        SqliteStatement * st,
        db.Prepare("SELECT coalesce(max(version), 0) FROM schema_migrations WHERE component = ?1"));
    st->BindText(1, component);
    TORGHUT_ASSIGN_OR_RETURN(bool row, st->Step());
    const int v = row ? static_cast<int>(st->Int(0)) : 0;
    st->Reset();
    return v;
  };
  e.apply = [&db, component](const MigrationStep& step) -> Status {
    // BEGIN IMMEDIATE takes the write lock first: two processes starting on one file (two `ta`
    // members, `ta` and `up`) serialize here, and the second finds the step already recorded.
    TORGHUT_RETURN_IF_ERROR(db.Begin());
    {
      auto done =
          db.Prepare("SELECT 1 FROM schema_migrations WHERE component = ?1 AND version = ?2");
      if (!done.ok()) {
        db.Rollback();
        return done.status();
      }
      (*done)->BindText(1, component);
      (*done)->BindInt(2, step.version);
      Result<bool> row = (*done)->Step();
      (*done)->Reset();
      if (!row.ok() || *row) {
        db.Rollback();
        return row.status();
      }
    }
    Status s;
    for (const std::string& sql : step.statements) {
      s = db.Exec(sql);
      if (!s.ok()) break;
    }
    if (s.ok()) {
      auto st = db.Prepare(
          "INSERT INTO schema_migrations (component, version, description, applied_at) VALUES "
          "(?1, ?2, ?3, ?4)");
      if (!st.ok()) {
        s = st.status();
      } else {
        (*st)->BindText(1, component);
        (*st)->BindInt(2, step.version);
        (*st)->BindText(3, step.description);
        (*st)->BindInt(4, std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count());
        s = (*st)->Run();
        (*st)->Reset();
      }
    }
    if (!s.ok()) {
      db.Rollback();
      return s;
    }
    return db.Commit();
  };
  return e;
}

}  // namespace torghut::store
