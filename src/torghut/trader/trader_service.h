// TraderService: `torghut trade` (SPEC §6) — the TA topics → the trading engine → the store → the
// broker, with reconciliation, crash recovery and a single-trader lease.
//
//   TraderService trader(config, parts);
//   std::atomic<bool> stop{false};              // set by SIGTERM
//   Status s = trader.Run(stop);                 // until stop; then finishes the in-flight
//                                                // submission, records it, leaves the group
//   TraderReport r = trader.Report();            // any thread: /trading/status
//
// The story of one process:
//  1. Lease: a second `trade` on the same store waits as a hot standby (ready=false, `standby`)
//     and takes over when the lease frees; an active one that loses it stops acting at once.
//  2. Start: strategies from the store (the catalog file applied first when configured),
//     cursors, the strategies' holdings (from their fills) and open orders; the account from the
//     broker (nothing is decided before the portfolio is known); then recovery — every decision
//     still `submitting` is looked up and sent only if the broker has none, planned ones are sent
//     (or rejected stale_signal when too old) — before anything new.
//  3. The loop: poll bars (bar_feed.h) → engine step per bar → the step's decisions, cursors and
//     bus positions in one store transaction → commit the bus offsets → submit the planned
//     decisions (submitter.h). trade_updates events (on their own thread, queued) are applied as
//     they come (order_sync.h); every TRADING_RECONCILE_MS the open orders are refreshed, claims
//     without a recorded order found, account and positions snapshotted, drift counted.
//  4. A store that fails mid-step: nothing is committed on the bus; the engine and the feed are
//     rebuilt from the store, so the same bars are evaluated again and nothing is lost or doubled.
//
// Threading: Run on one thread; Report, SetKillSwitch, RequestStrategyReload from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "torghut/broker/broker.h"
#include "torghut/bus/bus.h"
#include "torghut/core/calendar.h"
#include "torghut/core/clock.h"
#include "torghut/core/status.h"
#include "torghut/store/lease.h"
#include "torghut/store/trading_store.h"
#include "torghut/trader/trader_config.h"
#include "torghut/trading/catalog_watcher.h"
#include "torghut/trading/engine.h"

namespace torghut::trader {

// Runs a trade_updates stream until `stop`: events to `on_update`, `on_connected(bool)` as the
// socket comes and goes. Provided by the broker client (broker/alpaca/trade_updates.h).
using TradeUpdatesRunner = std::function<Status(
    const std::atomic<bool>& stop, std::function<void(const broker::TradeUpdate&)> on_update,
    std::function<void(bool connected)> on_connected)>;

struct TraderParts {
  bus::Bus* bus = nullptr;
  store::TradingStore* store = nullptr;
  store::TradingLease* lease = nullptr;
  broker::Broker* broker = nullptr;
  // More connections to the same broker, for parallel POSTs (TRADING_SUBMIT_CONCURRENCY − 1 of
  // them; empty: every order on `broker`).
  std::vector<broker::Broker*> submit_lanes;
  TradeUpdatesRunner trade_updates;  // may be empty: reconciliation alone
  const TradingCalendar* calendar = nullptr;
  const Clock* clock = nullptr;
  trading::Reviewer* reviewer = nullptr;       // optional (LLM review)
  trading::CatalogWatcher* catalog = nullptr;  // optional (TRADING_STRATEGY_CONFIG_PATH)
};

// What /trading/status and /trading/metrics say (SPEC §7), and the readiness behind /readyz.
struct TraderReport {
  std::string state = "starting";  // starting | standby | active | stopping | stopped
  std::string role = "standby";    // active | standby
  bool ready = false;
  std::string not_ready_reason;  // standby | broker_unavailable | alpaca_auth | store_unavailable
  int64_t last_run_at = 0, last_reconcile_at = 0;  // epoch ms; 0: never
  std::string last_error;
  bool kill_switch = false;
  bool trade_updates_connected = false;
  std::string lease;  // what the lease is
  // Counters.
  int64_t bars = 0, decisions_total = 0, decisions_planned = 0, decisions_rejected = 0,
          orders_submitted_total = 0, orders_rejected_total = 0, orders_uncertain_total = 0,
          recovered_total = 0, reconcile_updates_total = 0, reconcile_drift_total = 0,
          fills_total = 0, store_failures_total = 0;
  int64_t broker_latency_ms = 0;
  std::map<std::string, int64_t> rejections;  // by reason
  trading::CatalogStatus catalog;
  int64_t strategies = 0;
};

class TraderService {
 public:
  TraderService(TraderConfig config, TraderParts parts);
  ~TraderService();
  TraderService(const TraderService&) = delete;
  TraderService& operator=(const TraderService&) = delete;

  // The broker and its event stream, when they are known only after construction (`up` builds
  // them once its simulator listens). Before Run; not thread-safe.
  void AttachBroker(broker::Broker* broker, TradeUpdatesRunner trade_updates,
                    std::vector<broker::Broker*> submit_lanes = {});

  Status Run(const std::atomic<bool>& stop);
  TraderReport Report() const;

  // TRADING_KILL_SWITCH at run time (POST /trading/kill-switch): nothing new passes risk; open
  // orders are cancelled at the next step.
  void SetKillSwitch(bool on) { kill_switch_.store(on); }
  // Strategies changed in the store (POST /trading/strategies/NAME): re-read at the next step.
  void RequestStrategyReload() { reload_strategies_.store(true); }

 private:
  class Impl;
  // Declared before impl_: Impl's constructor stores TRADING_KILL_SWITCH here (members are
  // initialised in declaration order).
  std::atomic<bool> kill_switch_{false};
  std::atomic<bool> reload_strategies_{false};
  std::unique_ptr<Impl> impl_;
};

}  // namespace torghut::trader
