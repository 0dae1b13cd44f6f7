// The TA service's HTTP endpoints (SPEC §4, §7), added to a role's router:
//   GET  /status     the status report (the heartbeat's JSON)
//   POST /savepoint  {"name":"N"} or ?name=N, with the admin bearer token: asks every member of
//                    the group for savepoint N (202; done when /status lists it in
//                    savepoints_taken, or `torghut ta savepoint` reports it)
//   GET  /readyz     ready while running or suspended and healthy; else 503 with the reason
//   GET  /healthz, /metrics   (http/server.h), metrics read from the report at scrape time
#pragma once

#include <string>

#include "torghut/http/metrics.h"
#include "torghut/http/router.h"
#include "torghut/http/server.h"
#include "torghut/processor/ta_service.h"

namespace torghut::processor {

// `service` must outlive the router.
void AddTaEndpoints(http::Router& router, http::Registry& metrics, const TaService& service,
                    const TaServiceConfig& config, const http::ServerConfig& http_config);

// The service's own routes under `prefix` (prefix + "/status", prefix + "/savepoint") and its
// metrics, without the standard endpoints: for a process that runs more than one role (`up`).
void AddTaRoutes(http::Router& router, http::Registry& metrics, const TaService& service,
                 const TaServiceConfig& config, const http::ServerConfig& http_config,
                 const std::string& prefix);

// What /readyz answers for a report.
http::Readiness TaReadiness(const TaServiceReport& report);

}  // namespace torghut::processor
