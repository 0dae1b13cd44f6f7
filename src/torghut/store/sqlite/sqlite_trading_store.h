// The trading store on SQLite (the default; `TORGHUT_DATA_DIR/trading.sqlite`).
#pragma once

#include <filesystem>
#include <memory>

#include "torghut/store/sqlite/sqlite_db.h"
#include "torghut/store/trading_store.h"

namespace torghut::store {

// `schema_version`: see MakeSqlTradingStore (0 = the newest).
Result<std::unique_ptr<TradingStore>> OpenSqliteTradingStore(const std::filesystem::path& path,
                                                             const SqliteDb::Options& options = {},
                                                             int schema_version = 0);

}  // namespace torghut::store
