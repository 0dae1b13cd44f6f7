#include "torghut/http/standard_endpoints.h"

#include <fmt/format.h>

#include <memory>
#include <mutex>
#include <utility>

namespace torghut::http {

void AddStandardEndpoints(Router& router, Registry& metrics, std::function<Readiness()> readiness,
                          const ServerConfig& config, const Clock* clock) {
  // Readiness is sampled by both probes; /healthz fails once it has been false for too long.
  struct NotReady {
    std::mutex mu;
    int64_t since_ms = -1;
  };
  auto state = std::make_shared<NotReady>();
  auto sample = [readiness, state, clock]() {
    Readiness r = readiness();
    std::lock_guard lock(state->mu);
    if (r.ready) {
      state->since_ms = -1;
    } else if (state->since_ms < 0) {
      state->since_ms = clock->NowMillis();
    }
    return std::make_pair(std::move(r), state->since_ms);
  };
  const int64_t kill_after = config.not_ready_kill_after_ms;
  router.Get("/healthz", [sample, kill_after, clock](const Request&) {
    const int64_t since = sample().second;
    const int64_t for_ms = since < 0 ? 0 : clock->NowMillis() - since;
    if (kill_after > 0 && since >= 0 && for_ms >= kill_after) {
      return Response::Json(503, fmt::format("{{\"status\":\"unhealthy\",\"not_ready_for_ms\":{},"
                                             "\"message\":\"not ready for longer than "
                                             "HEALTH_NOT_READY_KILL_AFTER_MS ({} ms)\"}}",
                                             for_ms, kill_after));
    }
    return Response::Json(200, "{\"status\":\"ok\"}");
  });
  router.Get("/readyz", [sample](const Request&) {
    Readiness r = sample().first;
    return Response::Json(r.ready ? 200 : 503, std::move(r.json));
  });
  router.Get("/metrics", [&metrics](const Request&) {
    return Response::Text(200, metrics.Render(), "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace torghut::http
