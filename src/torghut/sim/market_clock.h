// The simulated market's clock (SPEC §10): messages from the synthetic generator (sim time starts
// at `start`, default now) or from a recorded JSONL file (recorded times), released when the
// market clock — running `speed` times real time — reaches their time, every `batch_ms`, to every
// part of the service that listens. Data is released whether anyone listens or not, as a real
// market's is.
//
//   sim::MarketClock market(options, &SystemClock());
//   market.OnRelease([&](std::vector<sim::MarketItem>& due, const sim::ReleaseTick& tick) {
//     /* on the market thread, every batch_ms, `due` possibly empty */ });
//   market.StartWhen([&] { return stream.AnySubscriber(); });   // wait_for_subscriber only
//   Status s = market.Start();     // an unreadable recording is an error
//   ... market.market_time() ...
//   market.Stop();
//
// Listeners are added before Start() and run on the market thread ("sim-market"), one after the
// other, in the order they were added. The accessors are thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "torghut/alpaca/envelope.h"
#include "torghut/alpaca/frame_decoder.h"
#include "torghut/core/clock.h"
#include "torghut/core/status.h"
#include "torghut/io/line_reader.h"
#include "torghut/sim/generator.h"
#include "torghut/sim/market_server.h"

namespace torghut::sim {

// One released market message.
struct MarketItem {
  alpaca::Channel channel = alpaca::Channel::kTrades;
  std::string symbol;
  Timestamp ts;
  std::string json;  // the Alpaca message object
  alpaca::MessageType type = alpaca::MessageType::kTrade;
  std::string rest;     // trades and minute bars: the REST object ({"t":…} without "T" and "S")
  market::Event event;  // the decoded message (its symbol id is the market thread's own)
};

// When a batch is released.
struct ReleaseTick {
  int64_t market_now_ns = 0;  // the market clock
  int64_t now_ms = 0;         // the wall clock (the injected Clock)
};

class MarketClock {
 public:
  using Listener = std::function<void(std::vector<MarketItem>& due, const ReleaseTick& tick)>;

  // `clock` must outlive this.
  MarketClock(const MarketServerOptions& options, const Clock* clock);
  ~MarketClock();  // Stop()
  MarketClock(const MarketClock&) = delete;
  MarketClock& operator=(const MarketClock&) = delete;

  void OnRelease(Listener listener);
  // With options.wait_for_subscriber, the market clock starts once `ready()` is true (polled every
  // batch_ms) instead of at Start().
  void StartWhen(std::function<bool()> ready);
  // Opens the source (the recording, or the generator); Start() does it if not done yet.
  Status Open();
  // Starts the market thread.
  Status Start();
  void Stop();
  bool running() const { return thread_.joinable(); }

  // A recording is exhausted (never for synthetic data).
  bool finished() const { return exhausted_.load(); }
  Timestamp market_time() const;
  int64_t released() const;  // data messages released so far

 private:
  bool Refill();
  bool Tick();  // waits one batch period; true when stopping
  void Run();

  MarketServerOptions options_;
  const Clock* clock_;
  std::vector<Listener> listeners_;
  std::function<bool()> ready_;

  // The market thread's own state.
  SymbolTable symbols_;
  alpaca::FrameDecoder decoder_{&symbols_, /*capture_raw_json=*/true};
  alpaca::MessageBatch batch_;
  std::unique_ptr<Generator> generator_;
  std::unique_ptr<io::LineReader> file_;
  std::deque<MarketItem> upcoming_;
  int64_t bad_lines_ = 0;
  bool logged_end_ = false;
  std::atomic<bool> exhausted_{false};

  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;

  mutable std::mutex mu_;
  Timestamp market_time_;
  int64_t released_ = 0;
};

}  // namespace torghut::sim
