#include "torghut/store/clickhouse/clickhouse_schema.h"

#include <fmt/format.h>

#include <charconv>

#include "torghut/store/internal/ta_columns.h"

namespace torghut::store {
namespace {

using internal::ColumnKind;

template <size_t N>
std::string CreateTable(const ClickHouseLayout& layout, std::string_view table,
                        const internal::ColumnList<N>& cols) {
  const bool modern = layout.kind == ClickHouseLayoutKind::kModern;
  std::string body;
  for (int i = 0; i < cols.n; ++i) {
    std::string_view type;
    switch (cols.cols[i].kind) {
      case ColumnKind::kText:
      case ColumnKind::kSource:
      case ColumnKind::kWindow:
        type = modern ? "LowCardinality(String)" : "String";
        break;
      case ColumnKind::kTs:
        type = modern ? "DateTime64(3, 'UTC')" : "Int64";
        break;
      case ColumnKind::kInt:
        type = cols.cols[i].name == "version" ? "UInt64" : "Int64";
        break;
      case ColumnKind::kBool:
        type = "UInt8";
        break;
      case ColumnKind::kReal:
        type = "Float64";
        break;
      case ColumnKind::kNullableReal:
        type = "Nullable(Float64)";
        break;
    }
    body += fmt::format("{}`{}` {}", i ? ", " : "", cols.cols[i].name, type);
  }
  const std::string engine =
      layout.cluster.empty()
          ? std::string("ReplacingMergeTree(version)")
          : fmt::format("ReplicatedReplacingMergeTree('/clickhouse/tables/{{shard}}/{}/{}', "
                        "'{{replica}}', version)",
                        layout.database, table);
  const std::string partition =
      modern ? "toDate(event_ts)" : "toDate(toDateTime(intDiv(event_ts, 1000)))";
  const std::string ttl =
      modern ? fmt::format(" TTL toDateTime(event_ts) + INTERVAL {} DAY", layout.retention_days)
             : "";
  return fmt::format(
      "CREATE TABLE IF NOT EXISTS {}{} ({}) ENGINE = {} PARTITION BY {} ORDER BY (symbol, "
      "window_size, event_ts){}",
      layout.Table(table), layout.OnCluster(), body, engine, partition, ttl);
}

}  // namespace

std::string_view ClickHouseLayout::name() const {
  return kind == ClickHouseLayoutKind::kModern ? "modern" : "legacy";
}

std::string ClickHouseLayout::OnCluster() const {
  return cluster.empty() ? "" : fmt::format(" ON CLUSTER `{}`", cluster);
}

std::string ClickHouseLayout::TsToMillis(std::string_view column) const {
  return kind == ClickHouseLayoutKind::kModern ? fmt::format("toUnixTimestamp64Milli({})", column)
                                               : std::string(column);
}

std::string ClickHouseLayout::AsString(std::string_view column) const {
  return kind == ClickHouseLayoutKind::kModern ? fmt::format("CAST({} AS String)", column)
                                               : std::string(column);
}

std::string ClickHouseLayout::TsLiteral(int64_t millis) const {
  return kind == ClickHouseLayoutKind::kModern
             ? fmt::format("fromUnixTimestamp64Milli(toInt64({}), 'UTC')", millis)
             : fmt::format("toInt64({})", millis);
}

std::string ClickHouseLayout::Table(std::string_view table) const {
  return fmt::format("`{}`.`{}`", database, table);
}

std::vector<MigrationStep> ClickHouseLayout::Steps() const {
  return {
      {1,
       fmt::format("create ta_microbars and ta_signals ({} layout)", name()),
       {CreateTable(*this, internal::kMicrobarsTable, internal::MicrobarColumns()),
        CreateTable(*this, internal::kSignalsTable, internal::SignalColumns())}},
  };
}

ClickHouseLayoutKind LayoutForVersion(std::string_view version) {
  int major = 0, minor = 0;
  const char* end = version.data() + version.size();
  auto [p, ec] = std::from_chars(version.data(), end, major);
  if (ec == std::errc() && p < end && *p == '.') std::from_chars(p + 1, end, minor);
  return (major > 20 || (major == 20 && minor >= 1)) ? ClickHouseLayoutKind::kModern
                                                     : ClickHouseLayoutKind::kLegacy;
}

bool IsPlainIdentifier(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

}  // namespace torghut::store
