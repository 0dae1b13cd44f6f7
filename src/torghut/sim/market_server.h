// The simulated Alpaca service (`torghut sim serve`, SPEC §2, §6 and §10): the market-data stream
// at ws://HOST:PORT/v2/<feed>, the REST data endpoints the forwarder backfills from, a simulated
// broker (trading REST v2 and trade_updates) filling orders against that market, and fault
// switches for reliability tests — all on an http::Router the caller serves.
//
//   sim::MarketServerOptions o;
//   o.generator.symbols = {"AAPL", "MSFT"};
//   sim::MarketServer market(o);
//   http::Router router;
//   market.Register(router);
//   http::Server server(config, std::move(router), &metrics);
//   Status s = server.Start();
//   s = market.Start();          // the market clock runs from here
//   ...
//   market.Stop();
//
// A composition of parts that share one market clock and one set of fault switches, each with
// its own routes, switches and status fields:
//   market_clock.h      the market: generator or recording, real time × speed, batches released
//                       every batch_ms whether anyone listens or not (as a real market's are)
//   market_stream.h     the stream: greeting, auth (message or key headers) within
//                       auth_timeout_ms, additive subscriptions answered with the whole set
//                       (trades imply corrections and cancelErrors; "*" is every symbol), batched
//                       frames, every error code on its real trigger (alpaca/stream_errors.h): 400
//                       invalid syntax, 401 not authenticated, 402 auth failed, 403 already
//                       authenticated, 404 auth timeout, 405 symbol limit exceeded (subscription
//                       unchanged), 406 connection limit exceeded — the key is in use on another
//                       connection, 407 slow client, 409 insufficient subscription — a feed the key
//                       is not entitled to, 410 invalid subscribe action, 500 internal error (on
//                       demand); 402, 404, 406, 407, 409 and 500 close the connection
//   market_data_rest.h  GET /v2/stocks/trades and /v2/stocks/bars (paginated, header auth)
//   faults.h            GET /sim/status and POST /sim/faults with a JSON object of
//                         "drop": true          cut every stream connection (no close frame)
//                         "silent_ms": N        connections stay open but receive nothing for N ms
//                                               (data is not queued)
//                         "malformed": N        send N malformed frames to every connection
//                         "error": CODE         send that stream error to every connection
//                         "http_429": N         the next N REST requests answer 429
//                         "http_delay_ms": N    REST answers wait N ms
//   broker_account.h    the simulated broker's account: the matching engine
//                       (broker/matching_engine.h) fed every trade and quote the market releases
//   broker_rest.h       Alpaca's trading REST v2 on it (/v2/account, /v2/clock, /v2/assets,
//                       /v2/positions, /v2/orders, /v2/orders:by_client_order_id), with faults
//                         "orders_accept_then_drop": N  create the order, close the connection
//                         "orders_http_500": N          500, nothing created
//                         "orders_http_429": N          429 with X-Ratelimit-Reset
//                         "orders_delay_ms": N          answers to order POSTs wait N ms
//   broker_stream.h     trade_updates at ws://HOST:PORT/stream (JSON or msgpack), with fault
//                         "trade_updates_drop": true    cut every trade_updates connection, and new
//                         ones until false
//   llm_reviewer.h      OpenAI's POST /v1/chat/completions answered by a deterministic rule-based
//                       reviewer (Bearer llm_api_key), with faults "llm_http_500": N,
//                       "llm_hang_ms": MS, "llm_delay_ms": MS, "llm_not_json": N,
//                       "llm_bad_schema": N, "llm_long_rationale": N, or "llm": MODE with
//                       "llm_count": N
// Every part is constructed with the market clock and the faults, listens to releases, adds its
// switches and status, and registers its routes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "torghut/core/clock.h"
#include "torghut/core/decimal.h"
#include "torghut/core/status.h"
#include "torghut/core/time.h"
#include "torghut/http/router.h"
#include "torghut/sim/generator.h"

namespace torghut::sim {

// The simulated broker (trading REST v2 and trade_updates; sim/broker_*.h).
struct SimBrokerOptions {
  Decimal cash = Decimal::FromUnits(100'000 * Decimal::kOne);  // the account's starting cash
  bool allow_shorts = false;        // else a sell beyond the position is 403
  int64_t orders_per_minute = 200;  // order POSTs per wall-clock minute; more answer 429
  // The share of each print's size the account's orders may take (partial fills), in (0, 1].
  Decimal participation = Decimal::FromUnits(Decimal::kOne);
};

struct MarketServerOptions {
  std::string feed = "iex";  // the stream's path /v2/<feed>
  // Feeds the key may use; another known feed's path answers 409 after auth.
  std::vector<std::string> entitled_feeds = {"iex", "test"};
  std::string key_id = "sim-key";
  std::string secret_key = "sim-secret";
  size_t max_symbols = 30;  // per connection, over all channels (Alpaca's basic plan); 405 above
  int64_t auth_timeout_ms = 10'000;
  size_t slow_client_bytes = 32 * 1024 * 1024;  // queued for one connection → 407
  int64_t batch_ms = 10;                        // how often due messages are sent
  size_t max_frame_messages = 1000;             // larger batches go out as several frames
  // The market clock starts when the first connection subscribes (benchmarks, demos that must
  // not lose the start of a recording) instead of at Start().
  bool wait_for_subscriber = false;
  double speed = 1.0;  // market clock vs real time

  GeneratorOptions generator;        // synthetic data (generator.start is replaced by `start`)
  std::optional<Timestamp> start;    // synthetic: the market clock's start (default: now)
  std::string from_file;             // a recording instead of the generator
  std::string record_sent;           // append every data message sent to a client here (JSONL)
  size_t history_limit = 2'000'000;  // trades + bars kept for REST (oldest dropped)
  SimBrokerOptions broker;
  std::string llm_api_key = "sim-llm-key";  // the reviewer's Bearer key (llm_reviewer.h)
};

// Validates options (feed name, symbols, speed, file readable); InvalidArgument says which.
Status ValidateMarketServerOptions(const MarketServerOptions& options);

struct MarketServerStats {
  int64_t released = 0;     // data messages the market produced so far
  int64_t sent = 0;         // data messages sent (over all connections)
  int64_t connections = 0;  // open stream connections
  int64_t authenticated = 0;
  Timestamp market_time;
};

class MarketServer {
 public:
  // Precondition: ValidateMarketServerOptions(options).ok().
  explicit MarketServer(MarketServerOptions options, const Clock* clock = &SystemClock());
  ~MarketServer();  // Stop()
  MarketServer(const MarketServer&) = delete;
  MarketServer& operator=(const MarketServer&) = delete;

  // Adds every part's routes. The server must not outlive this object's routes' use: stop the
  // http::Server before destroying the MarketServer.
  void Register(http::Router& router);
  // Starts the market thread. An unreadable recording or record file is an error.
  Status Start();
  // Stops the market thread and releases requests the reviewer's hang / delay faults hold (it
  // waits no more from then on): call it before stopping the http::Server for a prompt shutdown.
  void Stop();
  // Ends when a recording is exhausted (never for synthetic data).
  bool finished() const;
  MarketServerStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace torghut::sim
