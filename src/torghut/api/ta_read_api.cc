#include "torghut/api/ta_read_api.h"

#include <fmt/format.h>

#include <memory>
#include <optional>

#include "torghut/api/internal/connection_pool.h"
#include "torghut/core/json_text.h"
#include "torghut/core/symbols.h"
#include "torghut/core/time.h"
#include "torghut/ta/row_json.h"

namespace torghut::api {
namespace {

constexpr int64_t kMaxSpanNanos = 7 * kNanosPerDay;
constexpr int64_t kDefaultLimit = 1000;
constexpr int64_t kMaxLimit = 5000;

// The validated parameters of a range request, or the 400 to send.
struct Window {
  store::RangeQuery query;
  std::optional<http::Response> error;
};

http::Response BadRequest(const std::string& message) {
  return http::Response::Error(400, message);
}

Window ParseWindow(const http::Request& r) {
  Window w;
  const std::string symbol(r.Query("symbol").value_or(""));
  if (!IsValidSymbol(symbol)) {
    w.error = BadRequest(symbol.empty() ? "symbol is required"
                                        : "symbol '" + symbol.substr(0, 40) +
                                              "' must match ^[A-Z0-9._:-]{1,32}$");
    return w;
  }
  w.query.symbol = symbol;
  for (const char* name : {"from", "to"}) {
    const auto text = r.Query(name);
    if (!text || text->empty()) {
      w.error = BadRequest(fmt::format("{} is required (RFC 3339 or epoch seconds/ms)", name));
      return w;
    }
    Result<Timestamp> t = ParseTimeArg(*text);
    if (!t.ok()) {
      w.error = BadRequest(fmt::format("{}: {}", name, t.status().message()));
      return w;
    }
    (std::string_view(name) == "from" ? w.query.from : w.query.to) = *t;
  }
  if (w.query.to < w.query.from) {
    w.error = BadRequest("to must not be before from");
    return w;
  }
  if (w.query.to.nanos() - w.query.from.nanos() > kMaxSpanNanos) {
    w.error = BadRequest("the span from..to must be at most 7 days");
    return w;
  }
  w.query.limit = kDefaultLimit;
  if (const auto limit = r.Query("limit")) {
    int64_t n = 0;
    const bool digits = !limit->empty() && limit->size() <= 9 &&
                        limit->find_first_not_of("0123456789") == std::string_view::npos;
    if (digits) n = std::stoll(std::string(*limit));
    if (!digits || n < 1 || n > kMaxLimit) {
      w.error = BadRequest(fmt::format("limit must be an integer in [1, {}]", kMaxLimit));
      return w;
    }
    w.query.limit = n;
  }
  if (const auto res = r.Query("resolution")) {
    Result<store::Resolution> parsed = store::ParseResolution(*res);
    if (!parsed.ok()) {
      w.error = BadRequest("resolution must be one of 1s, 5s, 15s, 1m, 5m");
      return w;
    }
    w.query.resolution = *parsed;
  }
  return w;
}

// 503 for a store that cannot answer now; 400 for what the store refused as input.
http::Response StoreError(const Status& s) {
  if (s.code() == StatusCode::kInvalidArgument) return BadRequest(s.message());
  return http::Response::Error(503, "TA store unavailable: " + s.message());
}

void AppendTime(std::string* out, std::string_view key, Timestamp t) {
  char buf[kRfc3339MaxLen];
  *out += '"';
  *out += key;
  *out += "\":\"";
  *out += FormatRfc3339(t, buf, FracDigits::kMillis);
  *out += '"';
}

void AppendRange(std::string* out, std::string_view key, Timestamp from, Timestamp to) {
  *out += '"';
  *out += key;
  *out += "\":{";
  AppendTime(out, "from", from);
  *out += ',';
  AppendTime(out, "to", to);
  *out += '}';
}

void AppendCandleJson(const std::string& symbol, const store::Candle& c, std::string* out) {
  char buf[kRfc3339MaxLen];
  *out += "{\"symbol\":";
  AppendJsonString(symbol, out);
  fmt::format_to(std::back_inserter(*out), ",\"event_ts\":\"{}\"",
                 FormatRfc3339(c.bucket_end, buf, FracDigits::kMillis));
  fmt::format_to(std::back_inserter(*out), ",\"window_start\":\"{}\"",
                 FormatRfc3339(c.bucket_start, buf, FracDigits::kMillis));
  fmt::format_to(std::back_inserter(*out), ",\"window_end\":\"{}\"",
                 FormatRfc3339(c.bucket_end, buf, FracDigits::kMillis));
  fmt::format_to(std::back_inserter(*out),
                 ",\"o\":{},\"h\":{},\"l\":{},\"c\":{},\"v\":{},\"vwap\":", c.o, c.h, c.l, c.c,
                 c.v);
  if (ta::IsNull(c.vwap)) {
    *out += "null";
  } else {
    fmt::format_to(std::back_inserter(*out), "{}", c.vwap);
  }
  fmt::format_to(std::back_inserter(*out),
                 ",\"count\":{},\"bars\":{},\"is_final\":{},\"version\":{}}}", c.count, c.bars,
                 c.is_final ? 1 : 0, c.version);
}

using ConnectionPool = internal::ConnectionPool<store::TaStore>;

class ReadApi {
 public:
  ReadApi(std::unique_ptr<ConnectionPool> pool, const Clock* clock)
      : pool_(std::move(pool)), clock_(clock) {}

  http::Response Bars(const http::Request& r) {
    return Range(r,
                 [](store::TaStore& store, const store::RangeQuery& q,
                    std::string* items) -> Result<size_t> {
                   if (q.resolution == store::Resolution::k1s) {
                     TORGHUT_ASSIGN_OR_RETURN(auto rows, store.ReadMicrobars(q));
                     for (size_t i = 0; i < rows.size(); ++i) {
                       if (i) *items += ',';
                       ta::AppendMicrobarJson(rows[i], items);
                     }
                     return rows.size();
                   }
                   TORGHUT_ASSIGN_OR_RETURN(auto candles, store.ReadCandles(q));
                   for (size_t i = 0; i < candles.size(); ++i) {
                     if (i) *items += ',';
                     AppendCandleJson(q.symbol, candles[i], items);
                   }
                   return candles.size();
                 });
  }

  http::Response Signals(const http::Request& r) {
    return Range(r,
                 [](store::TaStore& store, const store::RangeQuery& q,
                    std::string* items) -> Result<size_t> {
                   TORGHUT_ASSIGN_OR_RETURN(auto rows, store.ReadSignals(q));
                   for (size_t i = 0; i < rows.size(); ++i) {
                     if (i) *items += ',';
                     ta::AppendSignalJson(rows[i], items);
                   }
                   return rows.size();
                 });
  }

  http::Response Latest(const http::Request& r) {
    const std::string symbol(r.Query("symbol").value_or(""));
    if (!IsValidSymbol(symbol)) {
      return BadRequest(symbol.empty() ? "symbol is required"
                                       : "symbol must match ^[A-Z0-9._:-]{1,32}$");
    }
    Result<store::LatestRows> latest = pool_->Acquire()->Latest(symbol);
    if (!latest.ok()) return StoreError(latest.status());
    std::string out = "{\"ok\":true,\"symbol\":";
    AppendJsonString(symbol, &out);
    out += ",\"bars\":";
    if (latest->microbar) {
      ta::AppendMicrobarJson(*latest->microbar, &out);
    } else {
      out += "null";
    }
    out += ",\"signals\":";
    if (latest->signal) {
      ta::AppendSignalJson(*latest->signal, &out);
    } else {
      out += "null";
    }
    out += ",\"lag_ms\":";
    if (latest->microbar) {
      out += std::to_string(clock_->NowMillis() - latest->microbar->id.event_ts.millis());
    } else {
      out += "null";
    }
    out += '}';
    return http::Response::Json(200, std::move(out));
  }

  http::Response Symbols(const http::Request&) {
    Result<std::vector<std::string>> symbols = pool_->Acquire()->Symbols();
    if (!symbols.ok()) return StoreError(symbols.status());
    std::string out = "{\"ok\":true,\"symbols\":[";
    for (size_t i = 0; i < symbols->size(); ++i) {
      if (i) out += ',';
      AppendJsonString((*symbols)[i], &out);
    }
    out += "]}";
    return http::Response::Json(200, std::move(out));
  }

 private:
  // Runs `read` over the requested window and, when that is empty, over the same span ending at
  // the symbol's newest bar.
  template <typename Read>
  http::Response Range(const http::Request& r, Read read) {
    Window w = ParseWindow(r);
    if (w.error) return *w.error;
    const store::RangeQuery requested = w.query;
    store::RangeQuery effective = requested;
    std::string items;
    bool fallback = false;
    {
      ConnectionPool::Lease store = pool_->Acquire();
      Result<size_t> n = read(*store, effective, &items);
      if (!n.ok()) return StoreError(n.status());
      if (*n == 0) {
        Result<store::LatestRows> latest = store->Latest(requested.symbol);
        if (!latest.ok()) return StoreError(latest.status());
        if (latest->microbar && latest->microbar->id.event_ts < requested.from) {
          const int64_t span = requested.to.nanos() - requested.from.nanos();
          effective.to = latest->microbar->id.event_ts;
          effective.from = Timestamp::FromNanos(effective.to.nanos() - span);
          items.clear();
          Result<size_t> again = read(*store, effective, &items);
          if (!again.ok()) return StoreError(again.status());
          fallback = true;
        }
      }
    }
    std::string out = "{\"ok\":true,\"symbol\":";
    AppendJsonString(requested.symbol, &out);
    out += ",\"resolution\":\"";
    out += store::ResolutionName(requested.resolution);
    out += "\",\"items\":[";
    out += items;
    out += "],\"range\":{";
    AppendRange(&out, "requested", requested.from, requested.to);
    out += ',';
    AppendRange(&out, "effective", effective.from, effective.to);
    out += fallback ? ",\"fallback\":true}}" : ",\"fallback\":false}}";
    return http::Response::Json(200, std::move(out));
  }

  std::unique_ptr<ConnectionPool> pool_;
  const Clock* clock_;
};

void Register(http::Router& router, std::shared_ptr<ReadApi> api) {
  router.Get("/api/torghut/ta/bars", [api](const http::Request& r) { return api->Bars(r); });
  router.Get("/api/torghut/ta/signals", [api](const http::Request& r) { return api->Signals(r); });
  router.Get("/api/torghut/ta/latest", [api](const http::Request& r) { return api->Latest(r); });
  router.Get("/api/torghut/symbols", [api](const http::Request& r) { return api->Symbols(r); });
}

}  // namespace

void AddTaReadApi(http::Router& router, store::TaStore* store, const Clock* clock) {
  Register(router, std::make_shared<ReadApi>(std::make_unique<ConnectionPool>(
                                                 std::vector<store::TaStore*>{store},
                                                 std::vector<std::unique_ptr<store::TaStore>>{}),
                                             clock));
}

void AddTaReadApi(http::Router& router, std::vector<std::unique_ptr<store::TaStore>> connections,
                  const Clock* clock) {
  Register(router,
           std::make_shared<ReadApi>(ConnectionPool::Owning(std::move(connections)), clock));
}

}  // namespace torghut::api
