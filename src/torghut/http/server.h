// The HTTP/1.1 server every role runs on TORGHUT_HTTP_ADDR (Boost.Beast underneath; only
// server.cc includes Beast). Its configuration is server_config.h; /healthz, /readyz and /metrics
// are standard_endpoints.h (both included here).
//
//   http::Registry metrics;
//   http::Router router;
//   http::AddStandardEndpoints(router, metrics, [&] { return http::Readiness{ok, body}; }, cfg);
//   router.Get("/status", ...);
//   http::Server server(cfg, std::move(router), &metrics);
//   if (Status s = server.Start(); !s.ok()) { /* "127.0.0.1:8080: Address already in use" */ }
//   ... server.port() ...   // the bound port (TORGHUT_HTTP_ADDR may say port 0)
//   server.Stop();
//
// Behaviour: keep-alive; request headers over `max_header_bytes` → 431, bodies over
// `max_body_bytes` → 413, unparsable requests → 400, a handler that throws → 500 — all as
// `{"ok":false,"message":…}` and never with internal detail. A Response with `drop_connection`
// ends the connection without an answer. A connection idle (or sending too slowly) for
// `read_timeout_ms` is closed. Each request is counted in `torghut_http_requests_total{route,code}`
// and timed in `torghut_http_request_duration_seconds`, and (unless TORGHUT_HTTP_ACCESS_LOG=false)
// logged as one structured line.
// Handlers run on the server's I/O threads ("http-io"): they must be thread-safe and should not
// block for long.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "torghut/core/status.h"
#include "torghut/http/metrics.h"
#include "torghut/http/router.h"
#include "torghut/http/server_config.h"
#include "torghut/http/standard_endpoints.h"

namespace torghut::http {

class Server {
 public:
  Server(ServerConfig config, Router router, Registry* metrics);
  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the I/O threads. An error names the address and the reason.
  Status Start();
  // Closes the listener and every connection and joins the threads. Idempotent.
  void Stop();
  // The bound port (after Start), and "host:port".
  uint16_t port() const;
  std::string address() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace torghut::http
