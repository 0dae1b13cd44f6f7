// The trade_updates stream (SPEC §6): order events from Alpaca's `/stream` WebSocket
// (wss://paper-api.alpaca.markets/stream, or `torghut sim serve`'s ws://127.0.0.1:PORT/stream),
// delivered as broker::TradeUpdate, reconnecting after every drop.
//
//   broker::TradeUpdatesOptions o;
//   o.url = broker::TradeUpdatesUrl(config.base_url).value();
//   o.key_id = config.key_id;
//   o.secret_key = config.secret_key;
//   broker::TradeUpdatesClient updates(o, {
//       .on_update = [&](const broker::TradeUpdate& u) { queue.Push(u); },
//       .on_connected = [&] { reconcile_now = true; },  // events missed while down: reconcile
//       .on_disconnected = [&](const Status& why, int64_t backoff_ms) { /* readiness */ }});
//   std::thread t([&] { updates.Run(stop); });          // returns soon after `stop` is set
//
// Protocol (Alpaca's): send {"action":"authenticate","data":{"key_id","secret_key"}}, expect
// {"stream":"authorization","data":{"status":"authorized"}}; send {"action":"listen","data":
// {"streams":["trade_updates"]}}, expect {"stream":"listening","data":{"streams":[…]}} naming
// trade_updates; then {"stream":"trade_updates","data":{"event","execution_id","timestamp",
// "price","qty","position_qty","order":{…}}} per event. Frames are JSON; Alpaca's paper stream
// sends them as binary WebSocket frames, the simulator as text frames — both are read. (Alpaca
// also speaks MessagePack when asked with Content-Type: application/msgpack; this client never
// asks, so it always gets JSON.)
//
// Events sent while disconnected are not replayed by Alpaca: every (re)connect calls on_connected
// so the caller reconciles. A frame that does not parse is counted, logged and skipped; the
// session carries on. Hooks run on the thread that calls Run. The keys never appear in a message,
// a log line or the stats.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/broker/broker.h"
#include "torghut/core/status.h"

namespace torghut::broker {

// ---- the wire format ----

struct StreamMessage {
  enum class Kind : uint8_t { kAuthorization, kListening, kTradeUpdate, kOther };
  Kind kind = Kind::kOther;
  bool authorized = false;           // kAuthorization
  std::string message;               // kAuthorization: Alpaca's reason when unauthorized
  std::vector<std::string> streams;  // kListening
  TradeUpdate update;                // kTradeUpdate
  std::string stream;                // the "stream" field as sent
};
// One frame: a message object or an array of them. kDataLoss naming the field when a message is
// not Alpaca's (a trade update whose order does not parse, …). An event without "timestamp" (or
// "at") is timed at its order's updated_at.
Result<std::vector<StreamMessage>> ParseTradeStreamFrame(std::string_view frame);
std::string TradeStreamAuthMessage(std::string_view key_id, std::string_view secret_key);
std::string TradeStreamListenMessage();

// ---- the client ----

struct TradeUpdatesOptions {
  std::string url;  // ws(s)://host[:port]/stream — TradeUpdatesUrl(APCA_API_BASE_URL)
  std::string key_id, secret_key;
  std::string ca_file;  // trusted CAs for wss:// ("" = the system's)
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds auth_timeout{10'000};  // for each of the two answers
  // How often a blocked read or a backoff looks at the stop flag.
  std::chrono::milliseconds poll{200};
  // Between sessions: doubling from initial to max; reset by a session that reached listening. A
  // rejected key waits the max.
  int64_t initial_backoff_ms = 500;
  int64_t max_backoff_ms = 30'000;
};

struct TradeUpdatesHooks {
  std::function<void(const TradeUpdate&)> on_update;
  // Authenticated and listening, after every connect: reconcile (events may have been missed).
  std::function<void()> on_connected;
  // A session ended (dropped, refused, rejected key, …); the next starts after `backoff_ms`.
  std::function<void(const Status& why, int64_t backoff_ms)> on_disconnected;
};

struct TradeUpdatesStats {
  bool connected = false;  // listening now
  int64_t sessions = 0;    // that reached listening
  int64_t disconnects = 0;
  int64_t updates = 0;
  int64_t bad_frames = 0;
  std::string error_class;  // of the last session's end ("alpaca_auth", …); "" while connected
  std::string last_error;
};

class TradeUpdatesClient {
 public:
  TradeUpdatesClient(TradeUpdatesOptions options, TradeUpdatesHooks hooks);

  // Sessions back to back until `stop`, with the backoff between them.
  void Run(const std::atomic<bool>& stop);
  // One session: connect, authenticate, listen, deliver events until the connection ends or
  // `stop`. OK when stopped; otherwise why it ended (kUnauthenticated: the key was refused;
  // kPermissionDenied: trade_updates not granted; kDeadlineExceeded: no answer in time;
  // kUnavailable: connect failed or the connection ended).
  Status RunSession(const std::atomic<bool>& stop);

  TradeUpdatesStats stats() const;  // thread-safe

 private:
  void Ended(const Status& why);

  TradeUpdatesOptions options_;
  TradeUpdatesHooks hooks_;
  mutable std::mutex mu_;
  TradeUpdatesStats stats_;
};

}  // namespace torghut::broker
