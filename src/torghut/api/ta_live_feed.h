// Live updates for the symbol being viewed (SPEC §7, §8): GET /api/torghut/ta/stream?symbol=S is
// a Server-Sent Events stream of
//   event: bar      data: <a 1 s microbar row as /bars returns it>
//   event: signal   data: <a 1 s signal row as /signals returns it>
// sent when a row appears or gets a newer version (provisional → revised → final), polled from the
// store every `poll_ms` over the last `lookback` before the symbol's newest bar. A new stream
// starts with that window (the client loads older history from /bars and /signals).
//
//   api::TaLiveFeed live(std::move(own_store_connection), 250);
//   live.Register(router);              // before the server starts; stop the server first
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "torghut/http/router.h"
#include "torghut/store/ta_store.h"

namespace torghut::api {

class TaLiveFeed {
 public:
  // `store`: a connection of its own (the poller runs on its own thread).
  explicit TaLiveFeed(std::unique_ptr<store::TaStore> store, int64_t poll_ms = 250,
                      int64_t lookback_ms = 30'000);
  ~TaLiveFeed();  // stops the poller and ends every stream
  TaLiveFeed(const TaLiveFeed&) = delete;
  TaLiveFeed& operator=(const TaLiveFeed&) = delete;

  void Register(http::Router& router);
  size_t streams() const;

 private:
  struct Subscriber;
  struct SymbolState;
  void Run();
  void PollSymbol(const std::string& symbol, SymbolState& state,
                  const std::vector<std::shared_ptr<Subscriber>>& subscribers);

  std::unique_ptr<store::TaStore> store_;
  const int64_t poll_ms_, lookback_ms_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::map<std::string, std::vector<std::shared_ptr<Subscriber>>> by_symbol_;
  std::map<std::string, std::unique_ptr<SymbolState>> state_;  // poller thread only
  std::thread thread_;
};

}  // namespace torghut::api
