// A ClickHouse client over its HTTP interface (libcurl): queries and RowBinary inserts, with
// server errors mapped onto Status codes a caller can act on.
//
//   ClickHouseHttp ch({.url = "http://127.0.0.1:8123", .user = "default"});
//   TORGHUT_ASSIGN_OR_RETURN(std::string v, ch.Query("SELECT version()"));
//   TORGHUT_RETURN_IF_ERROR(ch.Insert("INSERT INTO torghut.t (a, b) FORMAT RowBinary", bytes));
//
// Values never go into SQL text from outside: inserts carry data in the body (RowBinary), and the
// few literals a read needs (validated symbols, integers) are quoted with QuoteString.
// Errors: connection refused / reset / timeout → kUnavailable; "Code: 243" (not enough space) or
// ENOSPC → kResourceExhausted; unknown user / wrong password (192, 193, 516) → kUnauthenticated;
// unknown table or database (60, 81) → kFailedPrecondition ("run torghut migrate"); anything else
// the server refuses → kInternal with the server's first line.
// Not thread-safe: one client per thread (it keeps one keep-alive connection).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "torghut/core/status.h"

namespace torghut::store {

struct ClickHouseOptions {
  std::string url = "http://127.0.0.1:8123";
  std::string user = "default";
  std::string password;
  std::string database = "torghut";
  int64_t timeout_ms = 30000;
  int64_t connect_timeout_ms = 3000;
  // Extra settings sent with every request (URL parameters).
  std::map<std::string, std::string> settings;
};

class ClickHouseHttp {
 public:
  explicit ClickHouseHttp(ClickHouseOptions options);
  ~ClickHouseHttp();
  ClickHouseHttp(const ClickHouseHttp&) = delete;
  ClickHouseHttp& operator=(const ClickHouseHttp&) = delete;

  // Runs `sql` (sent as the request body) and returns the response body.
  Result<std::string> Query(std::string_view sql);
  // Runs `insert_sql` (an INSERT ... FORMAT X, sent in the URL) with `data` as the body.
  Status Insert(std::string_view insert_sql, std::string_view data);

  const ClickHouseOptions& options() const { return options_; }

 private:
  Result<std::string> Post(std::string_view query_param, std::string_view body);
  ClickHouseOptions options_;
  void* curl_ = nullptr;  // CURL*
};

// 'text' with backslash escapes for ', \ and control bytes — ClickHouse's string literal syntax.
std::string QuoteString(std::string_view text);
// Maps a ClickHouse error response (HTTP status + body) onto a Status.
Status ClickHouseError(long http_status, std::string_view body);

}  // namespace torghut::store
