#include "torghut/trader/trader_http.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "torghut/core/time.h"
#include "torghut/trading/record_json.h"
#include "torghut/trading/settings.h"

namespace torghut::trader {
namespace {

using nlohmann::json;

using trading::DecisionJson;
using trading::ExecutionJson;
json Time(int64_t ms) {
  return trading::TimeJson(ms);
}
// The review counters of SPEC §7 (zero while LLM review is off).
void AddLlmMetrics(const llm::LlmReviewer* reviewer, json* m) {
  const llm::LlmStats s = reviewer ? reviewer->Stats() : llm::LlmStats{};
  (*m)["llm_requests_total"] = s.requests;
  (*m)["llm_approve_total"] = s.approve;
  (*m)["llm_veto_total"] = s.veto;
  (*m)["llm_adjust_total"] = s.adjust;
  (*m)["llm_error_total"] = s.errors;
  (*m)["llm_circuit_open_total"] = s.circuit.opened_total;
  (*m)["llm_circuit_skipped_total"] = s.circuit_skips;
  (*m)["llm_shadow_total"] = s.shadow;
  (*m)["llm_prompt_tokens_total"] = s.prompt_tokens;
  (*m)["llm_completion_tokens_total"] = s.completion_tokens;
  (*m)["llm_latency_ms"] = s.last_latency_ms;
}

// /trading/status.llm: the switches and the circuit as the runbook reads them.
json LlmStatusJson(const llm::LlmReviewer* reviewer) {
  if (reviewer == nullptr) {
    return {{"enabled", false},
            {"shadow_mode", false},
            {"fail_mode", "veto"},
            {"circuit",
             {{"state", "closed"},
              {"open", false},
              {"open_until", json()},
              {"recent_error_count", 0},
              {"last_error", json()}}}};
  }
  const llm::LlmStats s = reviewer->Stats();
  return {{"enabled", true},
          {"shadow_mode", s.shadow_mode},
          {"fail_mode", llm::ToString(s.fail_mode)},
          {"errors_by_kind", s.errors_by_kind},
          {"circuit",
           {{"state", llm::ToString(s.circuit.state)},
            {"open", s.circuit.open},
            {"open_until", s.circuit.open_until_ms ? Time(s.circuit.open_until_ms) : json()},
            {"recent_error_count", s.circuit.recent_error_count},
            {"last_error", s.circuit.last_error.empty() ? json() : json(s.circuit.last_error)}}}};
}

json MetricsJson(const TraderReport& r) {
  return {{"decisions_total", r.decisions_total},
          {"decisions_planned_total", r.decisions_planned},
          {"decisions_rejected_total", r.decisions_rejected},
          {"orders_submitted_total", r.orders_submitted_total},
          {"orders_rejected_total", r.orders_rejected_total},
          {"orders_uncertain_total", r.orders_uncertain_total},
          {"orders_recovered_total", r.recovered_total},
          {"reconcile_updates_total", r.reconcile_updates_total},
          {"reconcile_drift_total", r.reconcile_drift_total},
          {"fills_total", r.fills_total},
          {"bars_total", r.bars},
          {"store_failures_total", r.store_failures_total},
          {"broker_latency_ms", r.broker_latency_ms},
          {"rejections_by_reason", r.rejections}};
}

json CatalogJson(const trading::CatalogStatus& c) {
  return json::parse(trading::CatalogStatusJson(c), nullptr, false);
}

// ?limit= (1–500, default 200), ?since= (RFC 3339 or epoch s/ms), ?symbol=.
struct ListQuery {
  std::string symbol;
  int64_t since = 0;
  int64_t limit = 200;
};
std::optional<http::Response> ParseList(const http::Request& r, ListQuery* q) {
  if (auto s = r.Query("symbol"); s && !s->empty()) {
    q->symbol = std::string(*s);
    if (Status v = ValidateSymbol(q->symbol); !v.ok())
      return http::Response::Error(400, v.message());
  }
  if (auto s = r.Query("since"); s && !s->empty()) {
    Result<Timestamp> t = ParseTimeArg(*s);
    if (!t.ok()) return http::Response::Error(400, "since: " + t.status().message());
    q->since = t->millis();
  }
  if (auto s = r.Query("limit"); s && !s->empty()) {
    char* end = nullptr;
    const std::string text(*s);
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (end != text.c_str() + text.size() || v < 1 || v > 500) {
      return http::Response::Error(400, "limit must be a whole number from 1 to 500");
    }
    q->limit = v;
  }
  return std::nullopt;
}

std::optional<bool> BoolField(const std::string& body, const char* key) {
  const json j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains(key) || !j[key].is_boolean()) return std::nullopt;
  return j[key].get<bool>();
}

}  // namespace

http::Readiness TraderReadiness(const TraderReport& r) {
  json j = {{"status", r.ready ? "ok" : r.state},
            {"ready", r.ready},
            {"role", r.role},
            {"state", r.state},
            {"reason", r.not_ready_reason},
            {"last_error", r.last_error}};
  return http::Readiness{r.ready, j.dump()};
}

void AddTraderRoutes(http::Router& router, http::Registry& metrics, TraderHttpParts parts,
                     const http::ServerConfig& http_config) {
  auto store_mu = std::make_shared<std::mutex>();
  const TraderConfig& config = *parts.config;

  router.Get("/trading/status", [parts, &config](const http::Request&) {
    const TraderReport r = parts.service->Report();
    const trading::TradingSettings& s = config.settings;
    json j = {{"enabled", s.enabled},
              {"mode", trading::ToString(s.mode)},
              {"live_enabled", s.live_enabled},
              {"running", r.state == "active"},
              {"role", r.role},
              {"state", r.state},
              {"last_run_at", Time(r.last_run_at)},
              {"last_reconcile_at", Time(r.last_reconcile_at)},
              {"last_error", r.last_error.empty() ? json() : json(r.last_error)},
              {"kill_switch", r.kill_switch},
              {"session", trading::ToString(s.session)},
              {"lease", r.lease},
              {"trade_updates_connected", r.trade_updates_connected},
              {"strategies", r.strategies},
              {"catalog", CatalogJson(r.catalog)},
              {"metrics", MetricsJson(r)},
              {"llm", LlmStatusJson(parts.llm)}};
    AddLlmMetrics(parts.llm, &j["metrics"]);
    return http::Response::Json(200, j.dump());
  });
  router.Get("/trading/metrics", [parts](const http::Request&) {
    json m = MetricsJson(parts.service->Report());
    AddLlmMetrics(parts.llm, &m);
    return http::Response::Json(200, json{{"metrics", std::move(m)}}.dump());
  });
  router.Get("/trading/decisions", [parts, store_mu, &config](const http::Request& r) {
    ListQuery q;
    if (auto bad = ParseList(r, &q)) return *bad;
    std::lock_guard lock(*store_mu);
    Result<std::vector<trading::Decision>> ds =
        parts.store->ListDecisions(q.symbol, q.since, q.limit);
    if (!ds.ok()) return http::Response::Error(503, "trading store: " + ds.status().message());
    json out = json::array();
    for (const trading::Decision& d : *ds) {
      auto e = parts.store->GetExecution(d.client_order_id);
      auto reviews = parts.store->ListLlmReviews(d.decision_hash);
      out.push_back(DecisionJson(d, e.ok() ? *e : std::nullopt,
                                 reviews.ok() ? *reviews : std::vector<trading::LlmReview>{},
                                 config.account_label));
    }
    return http::Response::Json(200, out.dump());
  });
  router.Get("/trading/executions", [parts, store_mu](const http::Request& r) {
    ListQuery q;
    if (auto bad = ParseList(r, &q)) return *bad;
    std::lock_guard lock(*store_mu);
    auto es = parts.store->ListExecutions(q.symbol, q.since, q.limit);
    if (!es.ok()) return http::Response::Error(503, "trading store: " + es.status().message());
    json out = json::array();
    for (const trading::Execution& e : *es) out.push_back(ExecutionJson(e));
    return http::Response::Json(200, out.dump());
  });
  router.Get("/trading/health", [parts, store_mu, &config](const http::Request&) {
    const TraderReport r = parts.service->Report();
    auto dep = [](const Status& s) {
      return json{{"ok", s.ok()}, {"detail", s.ok() ? "ok" : s.ToString()}};
    };
    Status store_status;
    {
      std::lock_guard lock(*store_mu);
      store_status = parts.store->SchemaVersion().status();
    }
    const Status bus_status = parts.bus->Offsets(config.signals_topic).status();
    const Status broker_status = parts.probe_broker ? parts.probe_broker() : Status::Ok();
    const bool scheduler_ok = r.state == "active" || r.state == "standby";
    const bool ok = scheduler_ok && store_status.ok() && bus_status.ok() && broker_status.ok();
    json j = {
        {"status", ok ? "ok" : "degraded"},
        {"scheduler",
         {{"ok", scheduler_ok},
          {"detail", r.state + (r.last_error.empty() ? "" : "; " + r.last_error)}}},
        {"dependencies",
         {{"store", dep(store_status)}, {"bus", dep(bus_status)}, {"broker", dep(broker_status)}}}};
    return http::Response::Json(ok ? 200 : 503, j.dump());
  });
  const std::string token = http_config.admin_token;
  router.Post("/trading/kill-switch", [parts, token](const http::Request& r) {
    if (auto denied = http::RequireAdmin(r, token)) return *denied;
    const std::optional<bool> on = BoolField(r.body, "on");
    if (!on) return http::Response::Error(400, "body must be {\"on\": true|false}");
    parts.control->SetKillSwitch(*on);
    return http::Response::Json(200, json{{"ok", true}, {"kill_switch", *on}}.dump());
  });
  router.AddPrefix(
      "POST", "/trading/strategies/",
      [parts, token, store_mu](const http::Request& r) {
        if (auto denied = http::RequireAdmin(r, token)) return *denied;
        const std::string name = r.path.substr(std::string("/trading/strategies/").size());
        const std::optional<bool> enabled = BoolField(r.body, "enabled");
        if (name.empty() || !enabled) {
          return http::Response::Error(400,
                                       "POST /trading/strategies/NAME with {\"enabled\": bool}");
        }
        Status s;
        {
          std::lock_guard lock(*store_mu);
          s = parts.store->SetStrategyEnabled(name, *enabled, parts.clock->NowMillis());
        }
        if (s.code() == StatusCode::kNotFound) return http::Response::Error(404, s.message());
        if (!s.ok()) return http::Response::Error(503, "trading store: " + s.message());
        parts.control->RequestStrategyReload();
        return http::Response::Json(
            200, json{{"ok", true}, {"name", name}, {"enabled", *enabled}}.dump());
      },
      "/trading/strategies/*");

  metrics.AddCollector([parts](http::SampleWriter& w) {
    const TraderReport r = parts.service->Report();
    w.Gauge("torghut_trading_active", "1 while this trader holds the lease and trades", {},
            r.role == "active" ? 1 : 0);
    w.Gauge("torghut_trading_ready", "1 while ready", {}, r.ready ? 1 : 0);
    w.Gauge("torghut_trading_kill_switch", "1 while the kill switch is on", {},
            r.kill_switch ? 1 : 0);
    w.Counter("torghut_trading_decisions_total", "Decisions by status", {{"status", "planned"}},
              static_cast<double>(r.decisions_planned));
    w.Counter("torghut_trading_decisions_total", "Decisions by status", {{"status", "rejected"}},
              static_cast<double>(r.decisions_rejected));
    for (const auto& [reason, n] : r.rejections) {
      w.Counter("torghut_trading_rejections_total", "Rejections by reason", {{"reason", reason}},
                static_cast<double>(n));
    }
    w.Counter("torghut_trading_orders_total", "Orders by result", {{"result", "submitted"}},
              static_cast<double>(r.orders_submitted_total));
    w.Counter("torghut_trading_orders_total", "Orders by result", {{"result", "rejected"}},
              static_cast<double>(r.orders_rejected_total));
    w.Counter("torghut_trading_orders_total", "Orders by result", {{"result", "uncertain"}},
              static_cast<double>(r.orders_uncertain_total));
    w.Counter("torghut_trading_orders_total", "Orders by result", {{"result", "recovered"}},
              static_cast<double>(r.recovered_total));
    w.Gauge("torghut_trading_broker_latency_ms", "The last order submission's broker time", {},
            static_cast<double>(r.broker_latency_ms));
    w.Counter("torghut_trading_reconcile_drift_total",
              "Corrections reconciliation made that the stream had not", {},
              static_cast<double>(r.reconcile_drift_total));
    w.Counter("torghut_trading_fills_total", "Fills recorded", {},
              static_cast<double>(r.fills_total));
    if (parts.llm != nullptr) {
      const llm::LlmStats l = parts.llm->Stats();
      for (const auto& [verdict, n] :
           std::vector<std::pair<const char*, int64_t>>{{"approve", l.approve},
                                                        {"veto", l.veto},
                                                        {"adjust", l.adjust},
                                                        {"error", l.errors},
                                                        {"skipped", l.circuit_skips}}) {
        w.Counter("torghut_llm_requests_total", "LLM reviews by verdict", {{"verdict", verdict}},
                  static_cast<double>(n));
      }
      for (const auto& [kind, n] : l.errors_by_kind) {
        w.Counter("torghut_llm_errors_total", "LLM review failures by kind", {{"kind", kind}},
                  static_cast<double>(n));
      }
      w.Gauge("torghut_llm_circuit_open", "1 while the LLM circuit is open", {},
              l.circuit.open ? 1 : 0);
      w.Gauge("torghut_llm_latency_ms", "The last LLM review call's time", {},
              static_cast<double>(l.last_latency_ms));
    }
  });
}

}  // namespace torghut::trader
