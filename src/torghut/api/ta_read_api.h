// The TA read API of `torghut serve` and `torghut up` (SPEC §7), over any TaStore:
//
//   GET /api/torghut/ta/bars?symbol=AAPL&from=…&to=…[&limit=1000][&resolution=1s|5s|15s|1m|5m]
//   GET /api/torghut/ta/signals?…same…
//     → {"ok":true,"symbol":…,"resolution":…,"items":[…],
//        "range":{"requested":{"from","to"},"effective":{"from","to"},"fallback":false}}
//     An empty window falls back to the same span ending at the symbol's newest bar
//     (fallback=true). Times: RFC 3339 or epoch seconds/milliseconds; to ≥ from; span ≤ 7 days;
//     limit 1..5000 (the newest `limit` items of the window). Bars at a resolution above 1 s are
//     aggregated by the store (candles); signals are sampled at the end of each bucket.
//   GET /api/torghut/ta/latest?symbol=AAPL → {"ok":true,"symbol","bars","signals","lag_ms"}
//   GET /api/torghut/symbols → {"ok":true,"symbols":[…]}
//   (live updates: GET /api/torghut/ta/stream, api/ta_live_feed.h)
//
// Bad input → 400 {"ok":false,"message"} naming the parameter; a store that cannot answer → 503.
// A TaStore is not thread-safe: each request borrows one connection for its reads, so any number
// of HTTP threads is safe, and requests read in parallel up to the number of connections (give
// it one per HTTP thread: a wide window then never holds up `latest`).
#pragma once

#include <memory>
#include <vector>

#include "torghut/core/clock.h"
#include "torghut/http/router.h"
#include "torghut/store/ta_store.h"

namespace torghut::api {

// One connection; `store` and `clock` must outlive the router.
void AddTaReadApi(http::Router& router, store::TaStore* store, const Clock* clock);
// A pool of connections to one store, owned by the routes; `clock` must outlive the router.
void AddTaReadApi(http::Router& router, std::vector<std::unique_ptr<store::TaStore>> connections,
                  const Clock* clock);

}  // namespace torghut::api
