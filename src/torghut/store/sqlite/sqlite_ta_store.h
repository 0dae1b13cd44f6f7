// The TA store on SQLite (the default; `TORGHUT_DATA_DIR/ta.sqlite`). Contract: ta_store.h.
//
// Tables keep the identity as their primary key and the upsert keeps the higher version
// (ON CONFLICT ... WHERE excluded.version >= version), so duplicates cannot exist at all. Each
// batch is one transaction over one prepared statement. Times are INTEGER epoch milliseconds.
// Buckets for coarser resolutions are folded in this process while reading in index order — the
// database is in-process, so that is the "server side".
#pragma once

#include <filesystem>
#include <memory>

#include "torghut/store/sqlite/sqlite_db.h"
#include "torghut/store/ta_store.h"

namespace torghut::store {

Result<std::unique_ptr<TaStore>> OpenSqliteTaStore(const std::filesystem::path& path,
                                                   const SqliteDb::Options& options = {});

// The schema steps (exposed for the migration tests).
const std::vector<MigrationStep>& SqliteTaSchema();

}  // namespace torghut::store
