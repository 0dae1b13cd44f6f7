#include "torghut/sim/market_data_rest.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <thread>

#include "torghut/core/json_text.h"
#include "torghut/core/time.h"

namespace torghut::sim {

namespace {

bool Before(const std::pair<int64_t, int64_t>& key, int64_t ts, int64_t id) {
  return key.first < ts || (key.first == ts && key.second < id);
}

// Page tokens: "<symbol>|<ts>|<id>" of the last item returned, base64url without padding.
constexpr std::string_view kB64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string EncodeToken(std::string_view symbol, int64_t ts, int64_t id) {
  const std::string raw = fmt::format("{}|{}|{}", symbol, ts, id);
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : raw) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kB64[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += kB64[(acc << (6 - bits)) & 63];
  return out;
}

bool DecodeToken(std::string_view token, std::string* symbol, int64_t* ts, int64_t* id) {
  std::string raw;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : token) {
    const size_t v = kB64.find(c);
    if (v == std::string_view::npos) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      raw += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  const size_t a = raw.find('|'), b = raw.rfind('|');
  if (a == std::string::npos || a == b || a == 0) return false;
  *symbol = raw.substr(0, a);
  char* end = nullptr;
  const std::string ts_text = raw.substr(a + 1, b - a - 1), id_text = raw.substr(b + 1);
  *ts = std::strtoll(ts_text.c_str(), &end, 10);
  if (ts_text.empty() || *end != '\0') return false;
  *id = std::strtoll(id_text.c_str(), &end, 10);
  return !id_text.empty() && *end == '\0';
}

}  // namespace

void MarketDataRest::History::Add(int64_t ts, int64_t id, std::string rest, size_t limit) {
  if (!keys.emplace(ts, id).second) return;  // the same trade again: history has it once
  auto at = std::lower_bound(items.begin(), items.end(), std::make_pair(ts, id),
                             [](const Item& item, const std::pair<int64_t, int64_t>& key) {
                               return Before({item.ts, item.id}, key.first, key.second);
                             });
  items.insert(at, Item{ts, id, std::move(rest)});
  if (items.size() > limit) {
    const auto drop = items.begin() + static_cast<std::ptrdiff_t>(limit / 10 + 1);
    for (auto it = items.begin(); it != drop; ++it) keys.erase({it->ts, it->id});
    items.erase(items.begin(), drop);
  }
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
    const bool trade = item.type == alpaca::MessageType::kTrade;
    auto& h = trade ? trades_[item.symbol] : bars_[item.symbol];
    // A trade is identified by its id (Alpaca's are unique per symbol and day) at its time.
    const auto* t = std::get_if<market::Trade>(&item.event);
    h.Add(item.ts.nanos(), trade && t != nullptr ? t->id : 0, item.rest, options_.history_limit);
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
  std::string after_symbol;  // resume after this item (page_token)
  int64_t after_ts = 0, after_id = 0;
  if (auto p = r.Query("page_token"); p && !p->empty()) {
    if (!DecodeToken(*p, &after_symbol, &after_ts, &after_id)) return bad("invalid page_token");
  }
  const std::string_view kind = want_trades ? "trades" : "bars";
  std::string body = fmt::format("{{\"{}\":{{", kind);
  int64_t taken = 0;
  bool more = false, first_symbol = true;
  const Item* last = nullptr;
  std::string last_symbol;
  std::lock_guard lock(mu_);
  auto& histories = want_trades ? trades_ : bars_;
  for (const std::string& symbol : wanted) {
    if (!after_symbol.empty() && symbol < after_symbol) continue;  // on earlier pages
    auto h = histories.find(symbol);
    if (h == histories.end()) continue;
    const auto& items = h->second.items;
    auto from = std::lower_bound(items.begin(), items.end(), start,
                                 [](const Item& item, int64_t t) { return item.ts < t; });
    if (symbol == after_symbol) {
      from = std::upper_bound(items.begin(), items.end(), std::make_pair(after_ts, after_id),
                              [](const std::pair<int64_t, int64_t>& k, const Item& item) {
                                return Before(k, item.ts, item.id);
                              });
      from =
          std::max(from, std::lower_bound(items.begin(), items.end(), start,
                                          [](const Item& item, int64_t t) { return item.ts < t; }));
    }
    bool open = false;
    for (auto it = from; it != items.end() && it->ts <= end; ++it) {
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
      body += it->rest;
      ++taken;
      last = &*it;
      last_symbol = symbol;
    }
    if (open) body += ']';
    if (more) break;
  }
  body += "},\"next_page_token\":";
  body += more && last != nullptr
              ? fmt::format("\"{}\"", EncodeToken(last_symbol, last->ts, last->id))
              : "null";
  body += '}';
  return http::Response::Json(200, std::move(body));
}

}  // namespace torghut::sim
