#include "torghut/store/clickhouse/clickhouse_http.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <charconv>
#include <mutex>

namespace torghut::store {
namespace {

size_t AppendBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string UrlEncode(CURL* curl, std::string_view s) {
  char* e = curl_easy_escape(curl, s.data(), static_cast<int>(s.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

// The URL without user:password@ (a URL may carry credentials; messages never do).
std::string Redacted(std::string_view url) {
  const size_t scheme = url.find("://");
  const size_t at = url.find('@');
  if (scheme == std::string_view::npos || at == std::string_view::npos || at < scheme) {
    return std::string(url);
  }
  return std::string(url.substr(0, scheme + 3)) + std::string(url.substr(at + 1));
}

}  // namespace

std::string QuoteString(std::string_view text) {
  std::string out = "'";
  for (char ch : text) {
    switch (ch) {
      case '\'':
        out += "\\'";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\0':
        out += "\\0";
        break;
      default:
        out += ch;
    }
  }
  out += '\'';
  return out;
}

Status ClickHouseError(long http_status, std::string_view body) {
  std::string_view first = body.substr(0, body.find('\n'));
  if (first.size() > 300) first = first.substr(0, 300);
  int code = -1;
  if (size_t at = body.find("Code: "); at != std::string_view::npos) {
    std::from_chars(body.data() + at + 6, body.data() + body.size(), code);
  }
  std::string message = fmt::format("clickhouse (HTTP {}): {}", http_status, first);
  if (code == 243 || body.find("No space left on device") != std::string_view::npos) {
    return ResourceExhausted(std::move(message));
  }
  if (code == 192 || code == 193 || code == 516 || http_status == 401 || http_status == 403) {
    return Unauthenticated(std::move(message));
  }
  if (code == 60 || code == 81) {
    return FailedPrecondition(message + " (run 'torghut migrate')");
  }
  // A replicated table whose replica lost its keeper session (or never had one) refuses writes
  // until the session is back: retryable, and named so that TA reports store_readonly.
  if (code == 242) {
    return Unavailable(fmt::format(
        "clickhouse (HTTP {}): replica read-only (TABLE_IS_READ_ONLY): {}", http_status, first));
  }
  // The keeper went away mid-write (KEEPER_EXCEPTION: connection loss, session expired) or an
  // insert's outcome is unknown (UNKNOWN_STATUS_OF_INSERT): retryable, and a retried insert of the
  // same block is deduplicated by the replicated table.
  if (code == 999 || code == 319) return Unavailable(std::move(message));
  // Overload and shutdown: too many simultaneous queries / parts, server shutting down.
  if (code == 202 || code == 252 || code == 210 || code == 209 || http_status == 503) {
    return Unavailable(std::move(message));
  }
  return Internal(std::move(message));
}

ClickHouseHttp::ClickHouseHttp(ClickHouseOptions options) : options_(std::move(options)) {
  GlobalInit();
  curl_ = curl_easy_init();
}

ClickHouseHttp::~ClickHouseHttp() {
  curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Result<std::string> ClickHouseHttp::Query(std::string_view sql) {
  return Post({}, sql);
}

Status ClickHouseHttp::Insert(std::string_view insert_sql, std::string_view data) {
  return Post(insert_sql, data).status();
}

Result<std::string> ClickHouseHttp::Post(std::string_view query_param, std::string_view body) {
  CURL* curl = static_cast<CURL*>(curl_);
  if (!curl) return Internal("clickhouse: curl_easy_init failed");
  std::string url = options_.url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/?";
  bool first = true;
  auto param = [&](std::string_view k, std::string_view v) {
    url += fmt::format("{}{}={}", first ? "" : "&", k, UrlEncode(curl, v));
    first = false;
  };
  if (!query_param.empty()) param("query", query_param);
  for (const auto& [k, v] : options_.settings) param(k, v);

  std::string response;
  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_USERNAME, options_.user.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, options_.password.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
  // Without this curl waits for "100 Continue" before sending bodies over 1 KiB.
  struct curl_slist* headers = curl_slist_append(nullptr, "Expect:");
  headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    return Unavailable(
        fmt::format("clickhouse at {} unreachable: {}", Redacted(options_.url),
                    curl_easy_strerror(rc)));
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) return ClickHouseError(status, response);
  return response;
}

}  // namespace torghut::store
