#include "torghut/store/sql/sql_connection.h"

#include <fmt/format.h>

namespace torghut::store {

namespace {
// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z in epoch millis.
constexpr int64_t kMinPostgresMillis = -62135596800000;
constexpr int64_t kMaxPostgresMillis = 253402300799999;
}  // namespace

std::string RewriteSql(std::string_view sql, SqlDialect dialect) {
  std::string out;
  out.reserve(sql.size() + 64);
  size_t i = 0;
  while (i < sql.size()) {
    const size_t open = sql.find('{', i);
    if (open == std::string_view::npos) {
      out.append(sql.substr(i));
      break;
    }
    const size_t close = sql.find('}', open);
    out.append(sql.substr(i, open - i));
    const std::string_view inner = sql.substr(open + 1, close - open - 1);
    const size_t space = inner.find(' ');
    const std::string_view op = inner.substr(0, space);
    const std::string_view arg = inner.substr(space + 1);
    if (dialect == SqlDialect::kSqlite) {
      out.append(arg);  // SQLite keeps times as INTEGER epoch millis
    } else if (op == "ts") {
      // Clamped to years 1..9999: Postgres has no timestamp for every int64 (an interval of
      // INT64_MAX ms is out of range), and a caller may mean "forever" by INT64_MIN/INT64_MAX.
      // NULL stays NULL (GREATEST and LEAST would skip it).
      out += fmt::format(
          "(TIMESTAMPTZ 'epoch' + (CASE WHEN {0}::bigint IS NULL THEN NULL ELSE "
          "LEAST(GREATEST({0}::bigint, {1}), {2}) END) * INTERVAL '1 millisecond')",
          arg, kMinPostgresMillis, kMaxPostgresMillis);
    } else {
      out += fmt::format("(floor(EXTRACT(EPOCH FROM {}) * 1000)::bigint)", arg);
    }
    i = close + 1;
  }
  return out;
}

}  // namespace torghut::store
