// The trading store on Postgres (TRADING_STORE=postgres, DB_DSN) through libpqxx 6.4.
//
// One connection, opened on first use and reopened after it breaks (the call that found it broken
// returns kUnavailable; the next one reconnects). Statements are prepared once per connection.
// Migrations take a transaction-scoped advisory lock, so two `torghut migrate` jobs racing at a
// rollout apply each step once.
#pragma once

#include <memory>
#include <string>

#include "torghut/store/trading_store.h"

namespace torghut::store {

// `dsn` is a libpq connection string or URI; it is never logged (it may hold a password).
// `schema_version`: see MakeSqlTradingStore (0 = the newest).
std::unique_ptr<TradingStore> OpenPostgresTradingStore(std::string dsn, int schema_version = 0);

}  // namespace torghut::store
