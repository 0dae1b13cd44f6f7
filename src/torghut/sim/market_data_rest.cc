#include "torghut/sim/market_data_rest.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <thread>

#include "torghut/core/json_text.h"
#include "torghut/core/time.h"

namespace torghut::sim {

void MarketDataRest::History::Add(int64_t ts, std::string rest, size_t limit) {
  auto at = std::upper_bound(items.begin(), items.end(), ts,
                             [](int64_t t, const auto& item) { return t < item.first; });
  items.emplace(at, ts, std::move(rest));
  if (items.size() > limit) items.erase(items.begin(), items.begin() + (limit / 10 + 1));
}

MarketDataRest::MarketDataRest(const MarketServerOptions& options, MarketClock* market,
                               Faults* faults)
    : options_(options) {
  market->OnRelease([this](std::vector<MarketItem>& due, const ReleaseTick&) { Keep(due); });
  faults->AddSwitches({{"http_429", FaultValue::kCount}, {"http_delay_ms", FaultValue::kCount}},
                      [this](const nlohmann::json& f) {
                        std::lock_guard lock(mu_);
                        if (f.contains("http_429")) http_429_ = f["http_429"].get<int64_t>();
                        if (f.contains("http_delay_ms")) {
                          http_delay_ms_ = f["http_delay_ms"].get<int64_t>();
                        }
                      });
}

void MarketDataRest::Register(http::Router& router) {
  router.Get("/v2/stocks/trades", [this](const http::Request& r) { return Answer(r, true); });
  router.Get("/v2/stocks/bars", [this](const http::Request& r) { return Answer(r, false); });
}

void MarketDataRest::Keep(const std::vector<MarketItem>& due) {
  std::lock_guard lock(mu_);
  for (const MarketItem& item : due) {
    if (item.rest.empty()) continue;
    auto& h = item.type == alpaca::MessageType::kTrade ? trades_[item.symbol] : bars_[item.symbol];
    h.Add(item.ts.nanos(), item.rest, options_.history_limit);
  }
}

http::Response MarketDataRest::Answer(const http::Request& r, bool want_trades) {
  int64_t delay_ms = 0;
  {
    std::lock_guard lock(mu_);
    if (http_429_ > 0) {
      --http_429_;
      http::Response res = http::Response::Json(429, R"({"message":"too many requests."})");
      res.headers.emplace_back("Retry-After", "1");
      return res;
    }
    delay_ms = http_delay_ms_;
  }
  // The fault: a slow server (this handler's thread waits, as a slow backend would).
  if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  const std::string_view key = r.Header("apca-api-key-id");
  const std::string_view secret = r.Header("apca-api-secret-key");
  if (key.empty() || secret.empty()) {
    return http::Response::Json(401, R"({"message":"unauthorized."})");
  }
  if (key != options_.key_id || secret != options_.secret_key) {
    return http::Response::Json(403, R"({"message":"forbidden."})");
  }
  auto bad = [](std::string_view m) {
    return http::Response::Json(400, fmt::format(R"({{"message":"{}"}})", m));
  };
  const auto symbols_arg = r.Query("symbols");
  if (!symbols_arg || symbols_arg->empty()) return bad("symbols is required");
  std::vector<std::string> wanted;
  for (size_t at = 0; at <= symbols_arg->size();) {
    const size_t comma = std::min(symbols_arg->find(',', at), symbols_arg->size());
    if (comma > at) wanted.emplace_back(symbols_arg->substr(at, comma - at));
    at = comma + 1;
  }
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  if (!want_trades) {
    const auto tf = r.Query("timeframe");
    if (!tf || (*tf != "1Min" && *tf != "1T")) return bad("timeframe must be 1Min");
  }
  int64_t start = 0, end = INT64_MAX;
  if (auto s = r.Query("start")) {
    auto t = ParseRfc3339(*s);
    if (!t.ok()) return bad("invalid start");
    start = t->nanos();
  }
  if (auto e = r.Query("end")) {
    auto t = ParseRfc3339(*e);
    if (!t.ok()) return bad("invalid end");
    end = t->nanos();
  }
  int64_t limit = 1000;
  if (auto l = r.Query("limit")) {
    limit = std::atoll(std::string(*l).c_str());
    if (limit < 1 || limit > 10'000) return bad("invalid limit: must be 1..10000");
  }
  int64_t offset = 0;
  if (auto p = r.Query("page_token"); p && !p->empty()) {
    if (p->size() < 3 || p->substr(0, 2) != "o:") return bad("invalid page_token");
    offset = std::atoll(std::string(p->substr(2)).c_str());
  }
  const std::string_view kind = want_trades ? "trades" : "bars";
  std::string body = fmt::format("{{\"{}\":{{", kind);
  int64_t index = 0, taken = 0;
  bool more = false, first_symbol = true;
  std::lock_guard lock(mu_);
  auto& histories = want_trades ? trades_ : bars_;
  for (const std::string& symbol : wanted) {
    auto h = histories.find(symbol);
    if (h == histories.end()) continue;
    const auto& items = h->second.items;
    auto from = std::lower_bound(items.begin(), items.end(), start,
                                 [](const auto& item, int64_t t) { return item.first < t; });
    bool open = false;
    for (auto it = from; it != items.end() && it->first <= end; ++it, ++index) {
      if (index < offset) continue;
      if (taken == limit) {
        more = true;
        break;
      }
      if (!open) {
        if (!first_symbol) body += ',';
        first_symbol = false;
        AppendJsonString(symbol, &body);
        body += ":[";
        open = true;
      } else {
        body += ',';
      }
      body += it->second;
      ++taken;
    }
    if (open) body += ']';
    if (more) break;
  }
  body += "},\"next_page_token\":";
  body += more ? fmt::format("\"o:{}\"", offset + taken) : "null";
  body += '}';
  return http::Response::Json(200, std::move(body));
}

}  // namespace torghut::sim
