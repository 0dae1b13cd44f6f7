#include "torghut/store/sql/sql_connection.h"

#include <fmt/format.h>

namespace torghut::store {

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
      out += fmt::format("(TIMESTAMPTZ 'epoch' + ({}::bigint) * INTERVAL '1 millisecond')", arg);
    } else {
      out += fmt::format("(floor(EXTRACT(EPOCH FROM {}) * 1000)::bigint)", arg);
    }
    i = close + 1;
  }
  return out;
}

}  // namespace torghut::store
