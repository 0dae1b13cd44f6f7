// Alpaca's REST market-data API (`/v2/stocks/trades`, `/v2/stocks/bars`), as the forwarder uses it
// to backfill the gap a reconnect left (http::HttpClient underneath).
//
//   forwarder::AlpacaRestClient rest(config.data_url, key, secret, config.ca_file);
//   Result<int64_t> n = rest.Fetch(forwarder::RestKind::kTrades, {"AAPL", "MSFT"}, start, end,
//                                  "iex", [&](std::string_view message) { /* {"T":"t",…} */ });
//
// Every item comes back as a stream message object (the REST object with "T" and "S" added), so
// the forwarder decodes backfill exactly like the stream. Pages are followed to the end; a page
// without an answer, or answered 429 or 5xx, is asked again (honouring Retry-After) up to
// `retry.max_attempts` times. One connection is kept alive across pages. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/core/status.h"
#include "torghut/core/time.h"
#include "torghut/http/client.h"
#include "torghut/http/retry.h"

namespace torghut::forwarder {

enum class RestKind : uint8_t { kTrades, kBars };

class AlpacaRestClient {
 public:
  AlpacaRestClient(std::string base_url, std::string key_id, std::string secret_key,
                   std::string ca_file = "", int64_t timeout_ms = 30'000);

  // Items with start ≤ t ≤ end, every page. Returns how many were emitted; an error names the
  // request (never the keys) and what the server said.
  Result<int64_t> Fetch(RestKind kind, const std::vector<std::string>& symbols, Timestamp start,
                        Timestamp end, std::string_view feed,
                        const std::function<void(std::string_view message)>& emit);

  http::RetryPolicy retry;
  // How the pause between attempts passes (tests record it); default: this thread sleeps.
  std::function<void(int64_t ms)> sleep;

 private:
  std::string base_url_;
  http::HttpClient client_;
};

}  // namespace torghut::forwarder
