// The simulated market-data REST API (SPEC §2, §10), the one the forwarder backfills from: GET
// /v2/stocks/trades and /v2/stocks/bars?timeframe=1Min with symbols, start, end (RFC 3339,
// inclusive), limit (≤ 10000, counted over all symbols) and page_token →
// {"trades"|"bars":{SYM:[…]},"next_page_token":…}, over the trades and minute bars the market
// clock released (oldest dropped past options.history_limit). Header auth: 401 without keys, 403
// with wrong ones.
//
//   sim::MarketDataRest rest(options, &market, &faults);
//   rest.Register(router);
//
// Faults it owns: "http_429" (the next N requests answer 429 with Retry-After: 1) and
// "http_delay_ms" (answers wait that long). Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "torghut/http/router.h"
#include "torghut/sim/faults.h"
#include "torghut/sim/market_clock.h"
#include "torghut/sim/market_server.h"

namespace torghut::sim {

class MarketDataRest {
 public:
  // Everything given must outlive this; it listens to `market` and adds its switches to `faults`.
  MarketDataRest(const MarketServerOptions& options, MarketClock* market, Faults* faults);

  void Register(http::Router& router);

 private:
  // Trades or minute bars of one symbol, ordered by time (late trades are inserted in place).
  struct History {
    std::vector<std::pair<int64_t, std::string>> items;  // (event time ns, REST object)
    void Add(int64_t ts, std::string rest, size_t limit);
  };

  http::Response Answer(const http::Request& r, bool want_trades);
  void Keep(const std::vector<MarketItem>& due);

  const MarketServerOptions& options_;
  std::mutex mu_;
  std::map<std::string, History, std::less<>> trades_, bars_;
  int64_t http_429_ = 0, http_delay_ms_ = 0;
};

}  // namespace torghut::sim
