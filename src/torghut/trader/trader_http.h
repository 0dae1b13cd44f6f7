// The trading HTTP API (SPEC §7), served by `torghut trade` and `torghut up`, field names as the
// original service's:
//   GET  /trading/status      {enabled, mode, live_enabled, running, role, last_run_at,
//                              last_reconcile_at, last_error, kill_switch, catalog{…},
//                              metrics{…}, llm{…}}
//   GET  /trading/metrics     {metrics:{decisions_total, orders_submitted_total, …}}
//   GET  /trading/decisions?symbol=&since=&limit=    a bare JSON array, newest first
//   GET  /trading/executions?symbol=&since=&limit=   a bare JSON array, newest first
//   GET  /trading/health      {status, scheduler{ok, detail}, dependencies{store, bus, broker}}
//   POST /trading/kill-switch {"on": bool}            admin token
//   POST /trading/strategies/NAME {"enabled": bool}   admin token
// and the Prometheus metrics of the trading loop (decisions by status, orders by result, broker
// latency, reconciliation drift, lease state) on /metrics.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "torghut/broker/broker.h"
#include "torghut/bus/bus.h"
#include "torghut/http/metrics.h"
#include "torghut/http/router.h"
#include "torghut/http/server.h"
#include "torghut/llm/llm_reviewer.h"
#include "torghut/store/trading_store.h"
#include "torghut/trader/trader_service.h"

namespace torghut::trader {

struct TraderHttpParts {
  const TraderService* service = nullptr;
  TraderService* control = nullptr;  // kill switch, strategy reload
  // A store connection of the HTTP side (reads; the strategy toggle writes), used under a lock.
  store::TradingStore* store = nullptr;
  bus::Bus* bus = nullptr;
  // GET /v2/account against the broker with a short timeout, for /trading/health (any thread).
  std::function<Status()> probe_broker;
  const TraderConfig* config = nullptr;
  const Clock* clock = nullptr;
  const llm::LlmReviewer* llm = nullptr;  // nullptr: LLM review off
};

// Adds the routes above and the trading metrics. Everything in `parts` must outlive the router.
void AddTraderRoutes(http::Router& router, http::Registry& metrics, TraderHttpParts parts,
                     const http::ServerConfig& http_config);

// What /readyz says for the trading loop.
http::Readiness TraderReadiness(const TraderReport& report);

}  // namespace torghut::trader
