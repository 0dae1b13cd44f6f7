// The simulated market-data stream (SPEC §2, §10) at ws://HOST:PORT/v2/<feed>: the greeting, auth
// by message or by the upgrade's key headers within the auth timeout, additive subscriptions
// answered with the whole set, every error code on its real trigger, and the market clock's
// batches sent as frames holding what each connection subscribed to. JSON text frames, or msgpack
// binary frames for a client that upgrades with `Content-Type: application/msgpack` or sends a
// binary frame (alpaca/msgpack_json.h), as Alpaca's SDKs do.
//
//   sim::MarketStream stream(options, &market, &faults, &SystemClock());
//   stream.Register(router);     // the WebSocket routes /v2/{feed} (the known feeds only)
//   Status s = stream.Start();   // opens options.record_sent; before the market clock starts
//
// Faults it owns: "drop", "silent_ms", "malformed", "error". Status fields: "sent",
// "connections". Thread-safe (connections are served on HTTP threads, batches arrive on the
// market thread).
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "torghut/alpaca/envelope.h"
#include "torghut/core/clock.h"
#include "torghut/http/router.h"
#include "torghut/sim/faults.h"
#include "torghut/sim/market_clock.h"
#include "torghut/sim/market_server.h"

namespace torghut::sim {

// A feed Alpaca knows: iex, sip, delayed_sip, test, otc.
bool IsKnownFeed(std::string_view feed);

class MarketStream {
 public:
  // Everything given must outlive this; it listens to `market` and adds its switches to `faults`.
  MarketStream(const MarketServerOptions& options, MarketClock* market, Faults* faults,
               const Clock* clock);
  ~MarketStream();
  MarketStream(const MarketStream&) = delete;
  MarketStream& operator=(const MarketStream&) = delete;

  void Register(http::Router& router);
  // Opens the record file (options.record_sent), if any.
  Status Start();

  // Some connection is subscribed to something.
  bool AnySubscriber() const;
  // Data messages sent, over all connections; open and authenticated connections.
  void Counts(int64_t* sent, int64_t* connections, int64_t* authenticated) const;

 private:
  static constexpr size_t kChannels = 9;  // alpaca::Channel kTrades … kCancelErrors
  using Subscriptions = std::array<std::set<std::string, std::less<>>, kChannels>;
  struct Connection;

  http::WebSocketCallbacks Accept(const http::Request& upgrade,
                                  std::shared_ptr<http::WebSocketPeer> peer);
  // One frame (JSON text) to `c`, as msgpack when it speaks msgpack.
  void SendFrame(Connection& c, std::string json);
  void SendError(Connection& c, int error);  // closes the connection for codes that do
  void Authenticate(Connection& c, const std::string& key, const std::string& secret);
  void OnText(Connection& c, std::string_view text);
  void Release(std::vector<MarketItem>& due, const ReleaseTick& tick);
  void ApplyFaults(const nlohmann::json& f);
  void WriteStatus(nlohmann::json* status) const;

  const MarketServerOptions& options_;
  const Clock* clock_;
  std::FILE* record_ = nullptr;  // the market thread's

  mutable std::mutex mu_;
  uint64_t next_connection_id_ = 0;
  std::map<uint64_t, std::shared_ptr<Connection>> connections_;
  int64_t sent_ = 0;
  int64_t silent_until_ms_ = 0;
};

}  // namespace torghut::sim
