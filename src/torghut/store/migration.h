// Schema migrations: every store records its schema version in a `schema_migrations` table
// (component, version, description, applied_at) and upgrades itself one numbered step at a time.
//
//   std::vector<MigrationStep> steps = {{1, "create ta tables", {"CREATE TABLE ..."}}};
//   TORGHUT_ASSIGN_OR_RETURN(MigrationReport r, RunMigrations("ta", "sqlite", steps, executor));
//
// Contract: idempotent (running again applies nothing); a store whose recorded version is newer
// than the newest step this binary knows is refused with kFailedPrecondition and left untouched;
// each step is applied and recorded together where the backend has transactional DDL (SQLite,
// Postgres) — ClickHouse has none, so its statements are written to be re-runnable (IF NOT
// EXISTS) and a step interrupted half-way is completed by the next run.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "torghut/core/status.h"

namespace torghut::store {

struct MigrationStep {
  int version = 0;  // 1, 2, ... in order
  std::string description;
  std::vector<std::string> statements;
};

struct MigrationReport {
  std::string component;  // "ta" or "trading"
  std::string backend;    // "sqlite", "clickhouse", "postgres"
  std::string detail;     // e.g. the ClickHouse layout and server version
  int from_version = 0;
  int to_version = 0;
  std::vector<std::string> applied;  // "v1: create ta tables", ...
};

// What RunMigrations needs from a backend.
struct MigrationExecutor {
  // Creates schema_migrations when missing, then returns the highest recorded version (0 if none).
  std::function<Result<int>()> current_version;
  // Applies one step's statements and records it; atomically where the backend can.
  std::function<Status(const MigrationStep&)> apply;
};

Result<MigrationReport> RunMigrations(std::string component, std::string backend,
                                      const std::vector<MigrationStep>& steps,
                                      const MigrationExecutor& executor);

// One line per report, e.g. "ta (sqlite): schema v0 -> v1 (v1: create ta tables)" or
// "ta (sqlite): schema v1, up to date".
std::string DescribeMigration(const MigrationReport& report);

}  // namespace torghut::store
