// The trading store written once over SqlConnection; SQLite and Postgres supply the connection
// and differ only in their DDL (types: NUMERIC vs decimal TEXT, TIMESTAMPTZ vs epoch-ms INTEGER,
// identity columns).
#pragma once

#include <memory>

#include "torghut/store/sql/sql_connection.h"
#include "torghut/store/trading_store.h"

namespace torghut::store {

// `schema_version` caps what Migrate() applies (0: every step this binary knows). Only upgrade
// tests set it, to build a database as an older torghut left it; the other methods always speak
// the newest schema.
std::unique_ptr<TradingStore> MakeSqlTradingStore(std::unique_ptr<SqlConnection> conn,
                                                  SqlDialect dialect, int schema_version = 0);

// The schema steps for a dialect, oldest first (sql/trading_schema.cc).
std::vector<MigrationStep> TradingSchema(SqlDialect dialect);

}  // namespace torghut::store
