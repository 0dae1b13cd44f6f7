// The simulated brokerage account (SPEC §10): the matching engine (broker/matching_engine.h) fed
// by the simulator's own market — every trade and quote the market clock releases, and its time —
// behind one lock, with its trade updates handed to listeners in the order they happened.
//
//   sim::BrokerAccount account(options, &market, &faults, &SystemClock());
//   account.OnUpdates([&](const std::vector<broker::TradeUpdate>& u) { stream.Publish(u); });
//   Status s = account.Open();   // loads the session calendar; before the market clock starts
//   auto order = account.With([&](broker::MatchingEngine& e) { return e.SubmitOrder(req); });
//
// Every With() runs under the account's lock; the updates it caused are published, still under the
// lock, before it returns (so a trade_updates client sees `new` before the POST's answer, and
// events in the engine's order). Listeners must not call back into the account. Status fields
// (under "broker"): open orders, fills, orders held per client_order_id, cash, equity. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "torghut/broker/matching_engine.h"
#include "torghut/core/clock.h"
#include "torghut/sim/faults.h"
#include "torghut/sim/market_clock.h"
#include "torghut/sim/market_server.h"

namespace torghut::sim {

class BrokerAccount {
 public:
  using Listener = std::function<void(const std::vector<broker::TradeUpdate>& updates)>;

  // Everything given must outlive this; it listens to `market` and adds status to `faults`.
  BrokerAccount(const MarketServerOptions& options, MarketClock* market, Faults* faults,
                const Clock* clock);

  // Before Start of the market: the engine needs the New York session calendar.
  Status Open();
  bool open() const;
  void OnUpdates(Listener listener);

  // Runs `fn(engine)` under the lock and publishes what it caused. Precondition: open().
  template <typename Fn>
  auto With(Fn&& fn) {
    std::lock_guard lock(mu_);
    if constexpr (std::is_void_v<decltype(fn(*engine_))>) {
      fn(*engine_);
      PublishLocked();
    } else {
      auto result = fn(*engine_);
      PublishLocked();
      return result;
    }
  }

  // A symbol the account trades: one of the generator's, or one the market has printed.
  bool KnownSymbol(std::string_view symbol) const;
  std::vector<std::string> Symbols() const;
  broker::EpochMillis created_at() const { return created_at_; }

 private:
  void Release(const std::vector<MarketItem>& due, const ReleaseTick& tick);
  void PublishLocked();
  void WriteStatus(nlohmann::json* status) const;

  const MarketServerOptions& options_;
  broker::EpochMillis created_at_ = 0;
  uint64_t id_namespace_ = 0;
  mutable std::mutex mu_;
  std::unique_ptr<broker::MatchingEngine> engine_;
  std::vector<Listener> listeners_;
  std::set<std::string, std::less<>> symbols_;
  std::map<std::string, int64_t, std::less<>> held_by_client_order_id_;
  int64_t updates_ = 0;
};

}  // namespace torghut::sim
