// The endpoints every role serves on its HTTP port: /healthz (liveness), /readyz (readiness with
// the role's JSON) and /metrics (Prometheus text). No Beast here.
//
//   http::AddStandardEndpoints(router, metrics, [&] {
//     return http::Readiness{service.Ready(), service.ReadyJson()};
//   }, config);
//
// Admin checks for mutating endpoints are http::RequireAdmin (router.h).
#pragma once

#include <functional>
#include <string>

#include "torghut/core/clock.h"
#include "torghut/http/metrics.h"
#include "torghut/http/router.h"
#include "torghut/http/server_config.h"

namespace torghut::http {

// What /readyz answers: 200 when ready, else 503; `json` is the body (a JSON object).
struct Readiness {
  bool ready = true;
  std::string json = "{\"ready\":true}";
};

// GET /healthz, /readyz and /metrics. `readiness` is called per request on an I/O thread;
// /healthz turns 503 once it has been false for config.not_ready_kill_after_ms (a process that
// stays unready is better restarted). `metrics` and `clock` must outlive the router.
void AddStandardEndpoints(Router& router, Registry& metrics, std::function<Readiness()> readiness,
                          const ServerConfig& config, const Clock* clock = &SystemClock());

}  // namespace torghut::http
