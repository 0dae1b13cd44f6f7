// The simulated market-data REST API (SPEC §2, §10), the one the forwarder backfills from: GET
// /v2/stocks/trades and /v2/stocks/bars?timeframe=1Min with symbols, start, end (RFC 3339,
// inclusive), limit (≤ 10000, counted over all symbols) and page_token →
// {"trades"|"bars":{SYM:[…]},"next_page_token":…}, over the trades and minute bars the market
// clock released (oldest dropped past options.history_limit). History is kept as a real feed keeps
// it: each trade once (the stream's deliberate duplicates — the same trade id again — are not
// history), ordered by (time, trade id); a page token names the last item returned (symbol, time,
// id), so a late trade that lands before it shifts no later page. Header auth: 401 without keys,
// 403 with wrong ones.
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
#include <set>
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
  // Trades or minute bars of one symbol, ordered by (time, id) (late trades are inserted in
  // place); `id` is the trade id (0 for bars, whose time is their identity).
  struct Item {
    int64_t ts = 0;
    int64_t id = 0;
    std::string rest;  // the REST object
  };
  struct History {
    std::vector<Item> items;
    std::set<std::pair<int64_t, int64_t>> keys;  // (ts, id) of items: a repeat is not kept
    void Add(int64_t ts, int64_t id, std::string rest, size_t limit);
  };

  http::Response Answer(const http::Request& r, bool want_trades);
  void Keep(const std::vector<MarketItem>& due);

  const MarketServerOptions& options_;
  std::mutex mu_;
  std::map<std::string, History, std::less<>> trades_, bars_;
  int64_t http_429_ = 0, http_delay_ms_ = 0;
};

}  // namespace torghut::sim
