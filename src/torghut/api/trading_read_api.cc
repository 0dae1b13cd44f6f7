#include "torghut/api/trading_read_api.h"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "torghut/api/internal/connection_pool.h"
#include "torghut/api/internal/trading_markers.h"
#include "torghut/api/internal/trading_summary.h"
#include "torghut/core/symbols.h"
#include "torghut/core/time.h"
#include "torghut/trading/pnl.h"
#include "torghut/trading/record_json.h"

namespace torghut::api {
namespace {

using nlohmann::json;
using ConnectionPool = internal::ConnectionPool<store::TradingStore>;

constexpr int64_t kDefaultLimit = 200;
constexpr int64_t kMaxLimit = 500;
// The markers' range is the chart's: as the TA API's windows, at most 7 days.
constexpr int64_t kDefaultMarkersLimit = 1000;
constexpr int64_t kMaxMarkersLimit = 5000;
constexpr int64_t kMaxMarkersSpanMs = 7 * 86'400'000LL;
constexpr std::string_view kRoutes[] = {
    "/api/torghut/trading/strategies", "/api/torghut/trading/summary",
    "/api/torghut/trading/executions", "/api/torghut/trading/decisions",
    "/api/torghut/trading/markers"};

// `limit` absent → `fallback`; else an integer in [1, max], or the 400 naming the range.
Result<int64_t> ParseLimit(const http::Request& r, int64_t fallback, int64_t max) {
  const auto limit = r.Query("limit");
  if (!limit) return fallback;
  const bool digits = !limit->empty() && limit->size() <= 9 &&
                      limit->find_first_not_of("0123456789") == std::string_view::npos;
  const int64_t n = digits ? std::stoll(std::string(*limit)) : 0;
  if (n < 1 || n > max) {
    return InvalidArgument(fmt::format("limit must be an integer in [1, {}]", max));
  }
  return n;
}

http::Response BadRequest(const std::string& message) {
  return http::Response::Error(400, message);
}

// 503 for a store that cannot answer: down, failing, or holding what the model (or the P&L)
// cannot read. The request's input was valid; asking again later may succeed.
http::Response StoreError(const Status& s) {
  return http::Response::Error(503, "trading store unavailable: " + s.message());
}

// Stored text (rationales, reasons) is UTF-8 as written; a byte that is not is replaced rather
// than failing the response.
http::Response Ok(json body) {
  body["ok"] = true;
  return http::Response::Json(200, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

// The parameters every day-bounded route shares, validated before the store is asked.
struct DayQuery {
  internal::DayInterval day;
  std::string strategy;
  int64_t limit = kDefaultLimit;
  std::optional<http::Response> error;
};

class TradingReadApi {
 public:
  TradingReadApi(std::unique_ptr<ConnectionPool> pool, const Clock* clock, TimeZone new_york,
                 TradingReadApiOptions options)
      : pool_(std::move(pool)),
        clock_(clock),
        ny_(std::move(new_york)),
        options_(std::move(options)) {}

  http::Response Strategies(const http::Request&) {
    Result<std::vector<trading::Strategy>> strategies = pool_->Acquire()->ListStrategies();
    if (!strategies.ok()) return StoreError(strategies.status());
    json items = json::array();
    for (const trading::Strategy& s : *strategies) {
      items.push_back({{"name", s.name},
                       {"description", s.description},
                       {"enabled", s.enabled},
                       {"type", s.type},
                       {"base_timeframe", trading::ToString(s.base_timeframe)},
                       {"symbols", s.symbols}});
    }
    return Ok({{"strategies", std::move(items)}});
  }

  http::Response Summary(const http::Request& r) {
    DayQuery q = Parse(r, /*with_limit=*/false);
    if (q.error) return *q.error;
    ConnectionPool::Lease store = pool_->Acquire();
    if (auto bad = CheckStrategy(*store, q.strategy)) return *bad;
    Result<json> summary =
        internal::BuildSummary(*store, q.day, q.strategy, ny_,
                               {options_.account_label, options_.allow_shorts,
                                options_.llm_circuit ? options_.llm_circuit() : "unknown"});
    if (!summary.ok()) return StoreError(summary.status());
    return Ok({{"summary", std::move(*summary)}});
  }

  http::Response Executions(const http::Request& r) {
    DayQuery q = Parse(r, /*with_limit=*/true);
    if (q.error) return *q.error;
    std::optional<trading::OrderStatus> status;
    if (auto s = r.Query("status"); s && !s->empty()) {
      Result<trading::OrderStatus> parsed = trading::ParseOrderStatus(*s);
      if (!parsed.ok()) return BadRequest("status: " + parsed.status().message());
      status = *parsed;
    }
    ConnectionPool::Lease store = pool_->Acquire();
    if (auto bad = CheckStrategy(*store, q.strategy)) return *bad;
    auto executions =
        store->ListExecutionsInWindow({q.day.start, q.day.end, q.strategy}, status, q.limit);
    if (!executions.ok()) return StoreError(executions.status());
    // The strategy of each order is its decision's (one lookup per decision).
    std::map<std::string, json, std::less<>> strategy_of;
    json items = json::array();
    for (const trading::Execution& e : *executions) {
      auto it = strategy_of.find(e.decision_hash);
      if (it == strategy_of.end()) {
        auto d = store->GetDecision(e.decision_hash);
        if (!d.ok()) return StoreError(d.status());
        it = strategy_of.emplace(e.decision_hash, *d ? json((*d)->strategy_name) : json()).first;
      }
      json item = trading::ExecutionJson(e);
      item["strategy_id"] = it->second;
      items.push_back(std::move(item));
    }
    return Ok(ListBody(q, std::move(items)));
  }

  // One symbol's decisions and fills over the chart's range (SPEC §8 markers).
  http::Response Markers(const http::Request& r) {
    internal::MarkersQuery q;
    const std::string symbol(r.Query("symbol").value_or(""));
    if (!IsValidSymbol(symbol)) {
      return BadRequest(symbol.empty() ? "symbol is required"
                                       : "symbol '" + symbol.substr(0, 40) +
                                             "' must match ^[A-Z0-9._:-]{1,32}$");
    }
    q.window.symbol = symbol;
    for (const char* name : {"from", "to"}) {
      const auto text = r.Query(name);
      if (!text || text->empty()) {
        return BadRequest(fmt::format("{} is required (RFC 3339 or epoch seconds/ms)", name));
      }
      Result<Timestamp> t = ParseTimeArg(*text);
      if (!t.ok()) return BadRequest(fmt::format("{}: {}", name, t.status().message()));
      (std::string_view(name) == "from" ? q.window.from : q.window.to) = t->millis();
    }
    if (q.window.to < q.window.from) return BadRequest("to must not be before from");
    if (q.window.to - q.window.from > kMaxMarkersSpanMs) {
      return BadRequest("the span from..to must be at most 7 days");
    }
    Result<int64_t> limit = ParseLimit(r, kDefaultMarkersLimit, kMaxMarkersLimit);
    if (!limit.ok()) return BadRequest(limit.status().message());
    q.limit = *limit;
    q.window.strategy_name = std::string(r.Query("strategy").value_or(""));
    ConnectionPool::Lease store = pool_->Acquire();
    if (auto bad = CheckStrategy(*store, q.window.strategy_name)) return *bad;
    Result<json> markers = internal::BuildMarkers(*store, q);
    if (!markers.ok()) return StoreError(markers.status());
    json body = std::move(*markers);
    body["symbol"] = symbol;
    body["strategy"] = q.window.strategy_name.empty() ? json() : json(q.window.strategy_name);
    body["range"] = {{"from", trading::TimeJson(q.window.from)},
                     {"to", trading::TimeJson(q.window.to)}};
    return Ok(std::move(body));
  }

  http::Response Decisions(const http::Request& r) {
    DayQuery q = Parse(r, /*with_limit=*/true);
    if (q.error) return *q.error;
    std::optional<trading::DecisionStatus> status;
    if (auto s = r.Query("status"); s && !s->empty()) {
      Result<trading::DecisionStatus> parsed = trading::ParseDecisionStatus(*s);
      if (!parsed.ok()) return BadRequest("status: " + parsed.status().message());
      status = *parsed;
    }
    ConnectionPool::Lease store = pool_->Acquire();
    if (auto bad = CheckStrategy(*store, q.strategy)) return *bad;
    auto decisions =
        store->ListDecisionsInWindow({q.day.start, q.day.end, q.strategy}, status, q.limit);
    if (!decisions.ok()) return StoreError(decisions.status());
    json items = json::array();
    for (const trading::Decision& d : *decisions) {
      auto e = store->GetExecution(d.client_order_id);
      if (!e.ok()) return StoreError(e.status());
      auto reviews = store->ListLlmReviews(d.decision_hash);
      if (!reviews.ok()) return StoreError(reviews.status());
      items.push_back(trading::DecisionJson(d, *e, *reviews, options_.account_label));
    }
    return Ok(ListBody(q, std::move(items)));
  }

 private:
  DayQuery Parse(const http::Request& r, bool with_limit) const {
    DayQuery q;
    if (auto tz = r.Query("tz"); tz && !tz->empty() && *tz != internal::kNewYork) {
      q.error =
          BadRequest(fmt::format("tz must be {} (the trading day's zone)", internal::kNewYork));
      return q;
    }
    // Today is the clock's New York day; a later day has no data yet and is refused.
    const std::string today = trading::NewYorkDay(clock_->NowMillis(), ny_);
    const std::string day(r.Query("day").value_or(""));
    Result<internal::DayInterval> interval =
        internal::NewYorkDayInterval(day.empty() ? today : day, ny_);
    if (!interval.ok()) {
      q.error = BadRequest(interval.status().message());
      return q;
    }
    if (interval->day > today) {
      q.error = BadRequest(fmt::format("day {} is in the future (today in {} is {})", interval->day,
                                       internal::kNewYork, today));
      return q;
    }
    q.day = std::move(*interval);
    q.strategy = std::string(r.Query("strategy").value_or(""));
    if (with_limit) {
      Result<int64_t> limit = ParseLimit(r, kDefaultLimit, kMaxLimit);
      if (!limit.ok()) {
        q.error = BadRequest(limit.status().message());
        return q;
      }
      q.limit = *limit;
    }
    return q;
  }

  // 400 for a strategy the store does not know; 503 when the store cannot say.
  static std::optional<http::Response> CheckStrategy(store::TradingStore& store,
                                                     const std::string& strategy) {
    if (strategy.empty()) return std::nullopt;
    Result<std::vector<trading::Strategy>> all = store.ListStrategies();
    if (!all.ok()) return StoreError(all.status());
    for (const trading::Strategy& s : *all) {
      if (s.name == strategy) return std::nullopt;
    }
    return BadRequest(fmt::format("unknown strategy '{}'", strategy.substr(0, 64)));
  }

  static json ListBody(const DayQuery& q, json items) {
    return {{"interval", internal::IntervalJson(q.day)},
            {"strategy", q.strategy.empty() ? json() : json(q.strategy)},
            {"items", std::move(items)}};
  }

  std::unique_ptr<ConnectionPool> pool_;
  const Clock* clock_;
  TimeZone ny_;
  TradingReadApiOptions options_;
};

Status Register(http::Router& router, std::unique_ptr<ConnectionPool> pool, const Clock* clock,
                const TradingReadApiOptions& options) {
  TORGHUT_ASSIGN_OR_RETURN(TimeZone ny, TimeZone::Load(internal::kNewYork));
  auto api = std::make_shared<TradingReadApi>(std::move(pool), clock, std::move(ny), options);
  router.Get(std::string(kRoutes[0]), [api](const http::Request& r) { return api->Strategies(r); });
  router.Get(std::string(kRoutes[1]), [api](const http::Request& r) { return api->Summary(r); });
  router.Get(std::string(kRoutes[2]), [api](const http::Request& r) { return api->Executions(r); });
  router.Get(std::string(kRoutes[3]), [api](const http::Request& r) { return api->Decisions(r); });
  router.Get(std::string(kRoutes[4]), [api](const http::Request& r) { return api->Markers(r); });
  return Status::Ok();
}

}  // namespace

TradingReadApiOptions ReadTradingReadApiOptions(ConfigReader& cfg) {
  TradingReadApiOptions o;
  o.account_label = cfg.String("TRADING_ACCOUNT_LABEL", o.account_label);
  o.allow_shorts = cfg.Bool("TRADING_ALLOW_SHORTS", o.allow_shorts);
  return o;
}

Status AddTradingReadApi(http::Router& router, store::TradingStore* store, const Clock* clock,
                         const TradingReadApiOptions& options) {
  return Register(
      router,
      std::make_unique<ConnectionPool>(std::vector<store::TradingStore*>{store},
                                       std::vector<std::unique_ptr<store::TradingStore>>{}),
      clock, options);
}

Status AddTradingReadApi(http::Router& router,
                         std::vector<std::unique_ptr<store::TradingStore>> connections,
                         const Clock* clock, const TradingReadApiOptions& options) {
  return Register(router, ConnectionPool::Owning(std::move(connections)), clock, options);
}

void AddTradingReadApiDisabled(http::Router& router) {
  for (std::string_view path : kRoutes) {
    router.Get(std::string(path), [](const http::Request&) {
      return http::Response::Json(
          503, json{{"ok", false},
                    {"disabled", true},
                    {"message", "no trading store is configured (set TRADING_STORE)"}}
                   .dump());
    });
  }
}

}  // namespace torghut::api
