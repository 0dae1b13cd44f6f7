// The two ClickHouse layouts of the TA tables, and the SQL fragments in which they differ.
//
// kModern (server 20.1 and later): DateTime64(3,'UTC') times, LowCardinality strings, TTL
//   TA_RETENTION_DAYS. kLegacy (older servers, e.g. Debian's 18.16, which have no DateTime64, TTL
//   or default LowCardinality): times as Int64 epoch milliseconds, plain String.
// Both: ReplacingMergeTree(version), PARTITION BY the event date, ORDER BY the row identity;
// Replicated… engines and ON CLUSTER when a cluster is named. Every read converts times to Int64
// milliseconds and strings to String, so both layouts return byte-identical RowBinary and the
// store code above them is one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "torghut/store/migration.h"

namespace torghut::store {

enum class ClickHouseLayoutKind { kLegacy, kModern };

struct ClickHouseLayout {
  ClickHouseLayoutKind kind = ClickHouseLayoutKind::kModern;
  std::string database = "torghut";
  std::string cluster;  // empty: single server
  int retention_days = 35;

  // "legacy" / "modern".
  std::string_view name() const;
  // " ON CLUSTER `c`" or "".
  std::string OnCluster() const;
  // `column` as Int64 epoch milliseconds / as String.
  std::string TsToMillis(std::string_view column) const;
  std::string AsString(std::string_view column) const;
  // A literal comparable with a time column.
  std::string TsLiteral(int64_t millis) const;
  // database.table
  std::string Table(std::string_view table) const;

  std::vector<MigrationStep> Steps() const;
};

// The layout for a server version string ("18.16.1", "24.3.2.23"): modern from 20.1 on.
ClickHouseLayoutKind LayoutForVersion(std::string_view version);
// Database and cluster names must be plain identifiers ([A-Za-z_][A-Za-z0-9_]*).
bool IsPlainIdentifier(std::string_view name);

}  // namespace torghut::store
