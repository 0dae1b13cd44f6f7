// The trading store written once over SqlConnection; SQLite and Postgres supply the connection
// and differ only in their DDL (types: NUMERIC vs decimal TEXT, TIMESTAMPTZ vs epoch-ms INTEGER,
// identity columns).
#pragma once

#include <memory>

#include "torghut/store/sql/sql_connection.h"
#include "torghut/store/trading_store.h"

namespace torghut::store {

std::unique_ptr<TradingStore> MakeSqlTradingStore(std::unique_ptr<SqlConnection> conn,
                                                  SqlDialect dialect);

// The schema steps for a dialect (exposed for the migration tests).
std::vector<MigrationStep> TradingSchema(SqlDialect dialect);

}  // namespace torghut::store
