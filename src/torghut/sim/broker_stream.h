// The simulated broker's `trade_updates` stream (SPEC §6, §10) at ws://HOST:PORT/stream, as
// Alpaca's: no greeting;
//   {"action":"authenticate","data":{"key_id":K,"secret_key":S}}
//     → {"stream":"authorization","data":{"action":"authenticate","status":"authorized"}}
//       (wrong keys: "status":"unauthorized", then the server closes)
//   {"action":"listen","data":{"streams":["trade_updates"]}}
//     → {"stream":"listening","data":{"streams":["trade_updates"]}}
// then every trade update of the account, {"stream":"trade_updates","data":{"event":…,
// "execution_id":…,"order":{…},"timestamp":…,"price":…,"qty":…,"position_qty":…}} (broker_json.h).
// JSON text frames; msgpack binary frames for a client that upgrades with `Content-Type:
// application/msgpack` or sends msgpack binary frames (a binary frame holding JSON text is read as
// JSON and answered in JSON). Anything unreadable → {"action":"error","data":{"error_message":…}}.
//
//   sim::BrokerStream updates(options, &account, &faults);
//   updates.Register(router);    // the WebSocket route /stream
//
// Faults it owns: "trade_updates_drop": true cuts every trade_updates connection (no close frame),
// and every new one while it stays true (the stream is down); false lets clients back in.
// Status fields under "trade_updates": connections, listening, sent. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "torghut/broker/broker.h"
#include "torghut/http/router.h"
#include "torghut/sim/broker_account.h"
#include "torghut/sim/faults.h"
#include "torghut/sim/market_server.h"

namespace torghut::sim {

class BrokerStream {
 public:
  // Everything given must outlive this; it listens to `account` and adds its switch to `faults`.
  BrokerStream(const MarketServerOptions& options, BrokerAccount* account, Faults* faults);
  void Register(http::Router& router);

 private:
  struct Connection;
  http::WebSocketCallbacks Accept(const http::Request& upgrade,
                                  std::shared_ptr<http::WebSocketPeer> peer);
  void OnMessage(Connection& c, std::string_view json);
  void SendFrame(Connection& c, const std::string& json);
  void Publish(const std::vector<broker::TradeUpdate>& updates);
  void WriteStatus(nlohmann::json* status) const;

  const MarketServerOptions& options_;
  mutable std::mutex mu_;
  uint64_t next_id_ = 0;
  bool cutting_ = false;  // trade_updates_drop is on: every connection is cut
  std::map<uint64_t, std::shared_ptr<Connection>> connections_;
  int64_t sent_ = 0;
};

}  // namespace torghut::sim
