// Alpaca's REST market-data API (`/v2/stocks/trades`, `/v2/stocks/bars`), as the forwarder uses it
// to backfill the gap a reconnect left (libcurl underneath).
//
//   AlpacaRestClient rest(config.data_url, key, secret, ca_file);
//   auto n = rest.Fetch(RestKind::kTrades, {"AAPL", "MSFT"}, start, end, "iex",
//                       [&](std::string_view message) { ... });   // {"T":"t","S":"AAPL",...}
//
// Every item comes back as a stream message object (the REST object with "T" and "S" added), so
// the forwarder decodes backfill exactly like the stream. Pages are followed to the end; 429 and
// 5xx answers are retried (honouring Retry-After, at most `max_attempts` per page).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/core/status.h"
#include "torghut/core/time.h"

namespace torghut::forwarder {

enum class RestKind : uint8_t { kTrades, kBars };

class AlpacaRestClient {
 public:
  AlpacaRestClient(std::string base_url, std::string key_id, std::string secret_key,
                   std::string ca_file = "");

  // Items with start ≤ t ≤ end, every page. Returns how many were emitted; an error names the
  // request (never the keys) and what the server said.
  Result<int64_t> Fetch(RestKind kind, const std::vector<std::string>& symbols, Timestamp start,
                        Timestamp end, std::string_view feed,
                        const std::function<void(std::string_view message)>& emit) const;

  int max_attempts = 5;
  int64_t timeout_ms = 30'000;

 private:
  std::string base_url_, key_id_, secret_key_, ca_file_;
};

// GET `url` with optional headers; for the symbol-universe poll and the REST client.
struct HttpGetResult {
  long status = 0;  // 0: no HTTP answer (the error says why)
  std::string body;
  std::string error;
  int64_t retry_after_s = -1;
};
HttpGetResult HttpGet(const std::string& url, const std::vector<std::string>& headers,
                      int64_t timeout_ms, const std::string& ca_file = "");

// A symbol list from the universe endpoint: a JSON array of strings, or an object with a
// "symbols" array; InvalidArgument otherwise or when a symbol is not valid.
Result<std::vector<std::string>> ParseSymbolList(std::string_view body);

}  // namespace torghut::forwarder
