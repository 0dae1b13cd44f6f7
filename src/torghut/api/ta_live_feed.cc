#include "torghut/api/ta_live_feed.h"

#include <pthread.h>

#include <chrono>

#include "torghut/core/log.h"
#include "torghut/core/symbols.h"
#include "torghut/ta/row_json.h"

namespace torghut::api {

struct TaLiveFeed::Subscriber {
  std::shared_ptr<http::EventStreamPeer> peer;
  bool fresh = true;  // has not had the initial window yet
};

// Versions already sent, per kind and event time (pruned to the lookback window).
struct TaLiveFeed::SymbolState {
  std::map<int64_t, int64_t> bar_versions, signal_versions;
};

TaLiveFeed::TaLiveFeed(std::unique_ptr<store::TaStore> store, int64_t poll_ms, int64_t lookback_ms)
    : store_(std::move(store)), poll_ms_(poll_ms), lookback_ms_(lookback_ms) {
  thread_ = std::thread([this] { Run(); });
}

TaLiveFeed::~TaLiveFeed() {
  std::vector<std::shared_ptr<Subscriber>> all;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& [symbol, subs] : by_symbol_) all.insert(all.end(), subs.begin(), subs.end());
    by_symbol_.clear();
  }
  wake_.notify_all();
  thread_.join();
  for (auto& s : all) s->peer->Close();
}

size_t TaLiveFeed::streams() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [symbol, subs] : by_symbol_) n += subs.size();
  return n;
}

void TaLiveFeed::Register(http::Router& router) {
  router.EventStream("/api/torghut/ta/stream", [this](const http::Request& r,
                                                      std::shared_ptr<http::EventStreamPeer> peer) {
    http::EventStreamCallbacks cb;
    const std::string symbol(r.Query("symbol").value_or(""));
    if (!IsValidSymbol(symbol)) {
      cb.reject = http::Response::Error(
          400, symbol.empty() ? "symbol is required" : "symbol must match ^[A-Z0-9._:-]{1,32}$");
      return cb;
    }
    auto sub = std::make_shared<Subscriber>();
    sub->peer = peer;
    {
      std::lock_guard lock(mu_);
      by_symbol_[symbol].push_back(sub);
    }
    wake_.notify_all();  // the initial window now, not at the next tick
    cb.on_closed = [this, symbol, weak = std::weak_ptr<Subscriber>(sub)] {
      std::lock_guard lock(mu_);
      auto it = by_symbol_.find(symbol);
      if (it == by_symbol_.end()) return;
      auto gone = weak.lock();
      std::erase_if(it->second, [&](const auto& s) { return s == gone || gone == nullptr; });
      if (it->second.empty()) by_symbol_.erase(it);
    };
    return cb;
  });
}

void TaLiveFeed::Run() {
  pthread_setname_np(pthread_self(), "ta-live");
  while (true) {
    std::map<std::string, std::vector<std::shared_ptr<Subscriber>>> snapshot;
    {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, std::chrono::milliseconds(poll_ms_));
      if (stopping_) return;
      snapshot = by_symbol_;
    }
    for (auto it = state_.begin(); it != state_.end();) {
      it = snapshot.count(it->first) ? std::next(it) : state_.erase(it);
    }
    for (auto& [symbol, subs] : snapshot) {
      auto& state = state_[symbol];
      if (!state) state = std::make_unique<SymbolState>();
      PollSymbol(symbol, *state, subs);
    }
  }
}

void TaLiveFeed::PollSymbol(const std::string& symbol, SymbolState& state,
                            const std::vector<std::shared_ptr<Subscriber>>& subscribers) {
  Result<store::LatestRows> latest = store_->Latest(symbol);
  if (!latest.ok() || !latest->microbar) return;
  store::RangeQuery q;
  q.symbol = symbol;
  q.to = latest->microbar->id.event_ts;
  q.from = Timestamp::FromNanos(q.to.nanos() - lookback_ms_ * 1'000'000);
  q.limit = 100'000;
  auto bars = store_->ReadMicrobars(q);
  auto signals = store_->ReadSignals(q);
  if (!bars.ok() || !signals.ok()) return;
  // Every row of the window for a new subscriber; changed rows for the others.
  std::vector<std::pair<const char*, std::string>> changed, window;
  std::string json;
  for (const auto& row : *bars) {
    json.clear();
    ta::AppendMicrobarJson(row, &json);
    int64_t& sent = state.bar_versions[row.id.event_ts.nanos()];
    if (sent != row.id.version + 1) changed.emplace_back("bar", json);
    sent = row.id.version + 1;  // 0 = never sent
    window.emplace_back("bar", json);
  }
  for (const auto& row : *signals) {
    json.clear();
    ta::AppendSignalJson(row, &json);
    int64_t& sent = state.signal_versions[row.id.event_ts.nanos()];
    if (sent != row.id.version + 1) changed.emplace_back("signal", json);
    sent = row.id.version + 1;
    window.emplace_back("signal", json);
  }
  for (auto* m : {&state.bar_versions, &state.signal_versions}) {
    m->erase(m->begin(), m->lower_bound(q.from.nanos()));
  }
  for (const auto& sub : subscribers) {
    const auto& events = sub->fresh ? window : changed;
    sub->fresh = false;
    for (const auto& [event, data] : events) sub->peer->Send(event, data);
  }
}

}  // namespace torghut::api
