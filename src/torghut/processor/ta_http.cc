#include "torghut/processor/ta_http.h"

#include <nlohmann/json.hpp>

#include "torghut/processor/checkpoint_store.h"

namespace torghut::processor {

http::Readiness TaReadiness(const TaServiceReport& r) {
  const bool ready = (r.state == "running" || r.state == "suspended") && r.health == "ok";
  nlohmann::json j = {{"status", ready ? "ok" : (r.health == "ok" ? r.state : r.health)},
                      {"ready", ready},
                      {"state", r.state},
                      {"reason", r.reason},
                      {"group_id", r.group_id}};
  return http::Readiness{ready, j.dump()};
}

namespace {

void CollectMetrics(const TaServiceReport& r, http::SampleWriter& w) {
  w.Gauge("torghut_ta_ready", "1 while running (or suspended) and healthy", {},
          TaReadiness(r).ready ? 1 : 0);
  w.Gauge("torghut_ta_degraded", "1 while degraded (see /status reason)", {},
          r.health == "ok" ? 0 : 1);
  w.Gauge("torghut_ta_partitions", "Input partitions owned", {},
          static_cast<double>(r.partitions.size()));
  w.Gauge("torghut_ta_source_lag_messages", "Messages on the bus not yet processed", {},
          static_cast<double>(r.source_lag_messages));
  w.Gauge("torghut_ta_watermark_lag_ms", "Now minus the newest event time processed", {},
          static_cast<double>(r.watermark_lag_ms));
  w.Gauge("torghut_ta_checkpoint_age_ms", "Since the last completed checkpoint", {},
          static_cast<double>(r.checkpoint_age_ms));
  w.Gauge("torghut_ta_input_rate", "Messages/s over the last status interval", {}, r.input_rate);
  w.Gauge("torghut_ta_output_rate", "Rows/s over the last status interval", {}, r.output_rate);
  w.Counter("torghut_ta_messages_total", "Input messages processed", {},
            static_cast<double>(r.messages));
  w.Counter("torghut_ta_bad_messages_total", "Undecodable input messages", {},
            static_cast<double>(r.bad_messages));
  w.Counter("torghut_ta_rows_written_total", "Rows written to the TA store", {},
            static_cast<double>(r.rows_written));
  w.Counter("torghut_ta_checkpoints_total", "Checkpoints taken", {},
            static_cast<double>(r.checkpoints));
  w.Counter("torghut_ta_commits_total", "Offset commits", {}, static_cast<double>(r.commits));
  w.Counter("torghut_ta_store_failures_total", "Failed store writes", {},
            static_cast<double>(r.store_failures));
}

}  // namespace

void AddTaEndpoints(http::Router& router, http::Registry& metrics, const TaService& service,
                    const TaServiceConfig& config, const http::ServerConfig& http_config) {
  http::AddStandardEndpoints(
      router, metrics, [&service] { return TaReadiness(service.Report()); }, http_config);
  AddTaRoutes(router, metrics, service, config, http_config, "");
}

void AddTaRoutes(http::Router& router, http::Registry& metrics, const TaService& service,
                 const TaServiceConfig& config, const http::ServerConfig& http_config,
                 const std::string& prefix) {
  metrics.AddCollector([&service](http::SampleWriter& w) { CollectMetrics(service.Report(), w); });
  router.Get(prefix + "/status", [&service](const http::Request&) {
    return http::Response::Json(200, service.Report().ToJson());
  });
  const std::string token = http_config.admin_token;
  router.Post(prefix + "/savepoint", [token, config](const http::Request& r) {
    if (auto denied = http::RequireAdmin(r, token)) return *denied;
    std::string name(r.Query("name").value_or(""));
    if (name.empty() && !r.body.empty()) {
      const nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
      if (!body.is_object() || !body.contains("name") || !body["name"].is_string()) {
        return http::Response::Error(400, "body must be {\"name\":\"<savepoint name>\"}");
      }
      name = body["name"].get<std::string>();
    }
    if (name.empty()) return http::Response::Error(400, "savepoint name missing (?name= or body)");
    CheckpointStore checkpoints = OpenCheckpoints(config);
    if (Status s = checkpoints.RequestSavepoint(name); !s.ok()) {
      const int status = s.code() == StatusCode::kAlreadyExists     ? 409
                         : s.code() == StatusCode::kInvalidArgument ? 400
                                                                    : 503;
      return http::Response::Error(status, s.message());
    }
    nlohmann::json j = {{"ok", true},
                        {"name", name},
                        {"state", "requested"},
                        {"restore_with", "TA_RESTORE_FROM=" + name}};
    return http::Response::Json(202, j.dump());
  });
}

}  // namespace torghut::processor
