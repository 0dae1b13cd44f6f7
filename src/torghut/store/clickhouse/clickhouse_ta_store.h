// The TA store on ClickHouse over HTTP (TA_STORE=clickhouse). Contract: ta_store.h; layouts:
// clickhouse_schema.h.
//
// Writes are one RowBinary INSERT per table per batch (one block, atomic in ClickHouse).
// ReplacingMergeTree collapses versions in the background; reads use FINAL so they never see two
// versions of one identity, and aggregate candles server-side (GROUP BY the bucket). The layout is
// decided on first use: by the existing tables' column types when they exist, else by
// `SELECT version()`; a server that is down leaves it undecided and the call returns kUnavailable.
#pragma once

#include <memory>

#include "torghut/store/clickhouse/clickhouse_http.h"
#include "torghut/store/ta_store.h"

namespace torghut::store {

struct ClickHouseTaOptions {
  ClickHouseOptions http;
  std::string cluster;  // TA_CLICKHOUSE_CLUSTER
  int retention_days = 35;
};

std::unique_ptr<TaStore> OpenClickHouseTaStore(ClickHouseTaOptions options);

}  // namespace torghut::store
