// The HTTP/1.1 server every role runs on TORGHUT_HTTP_ADDR (Boost.Beast underneath; only
// server.cc includes Beast).
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
// `{"ok":false,"message":…}` and never with internal detail. A connection idle (or sending too
// slowly) for `read_timeout_ms` is closed. Each request is counted in
// `torghut_http_requests_total{route,code}` and timed in `torghut_http_request_duration_seconds`,
// and (unless TORGHUT_HTTP_ACCESS_LOG=false) logged as one structured line.
// Handlers run on the server's I/O threads ("http-io"): they must be thread-safe and should not
// block for long.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "torghut/core/clock.h"
#include "torghut/core/config.h"
#include "torghut/core/status.h"
#include "torghut/http/metrics.h"
#include "torghut/http/router.h"

namespace torghut::http {

struct ServerConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (see Server::port())
  std::string admin_token;
  bool access_log = true;
  int threads = 1;
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 1024 * 1024;
  int64_t read_timeout_ms = 30'000;
  size_t max_connections = 1024;
  // /healthz turns 503 once readiness has been false this long (0: never).
  int64_t not_ready_kill_after_ms = 0;
};

// TORGHUT_HTTP_ADDR (host:port, [v6]:port), TORGHUT_ADMIN_TOKEN[_FILE], TORGHUT_HTTP_ACCESS_LOG,
// TORGHUT_HTTP_THREADS, HEALTH_NOT_READY_KILL_AFTER_MS; errors go to `cfg`.
ServerConfig ReadServerConfig(ConfigReader& cfg);
// Parses "host:port" / "[v6]:port"; false on anything else.
bool ParseHostPort(std::string_view addr, std::string* host, uint16_t* port);

inline constexpr char kHttpEnvHelp[] =
    "  TORGHUT_HTTP_ADDR        where /healthz, /readyz, /metrics and the API are served\n"
    "                           (host:port, default 127.0.0.1:8080; port 0 = any free port)\n"
    "  TORGHUT_ADMIN_TOKEN[_FILE]  bearer token for mutating endpoints (off when unset)\n"
    "  TORGHUT_HTTP_ACCESS_LOG  one log line per request (default true)\n"
    "  TORGHUT_HTTP_THREADS     I/O threads (default 1)\n"
    "  HEALTH_NOT_READY_KILL_AFTER_MS  /healthz turns 503 after readiness was false this long\n"
    "                           (default 0 = never)\n";

// What /readyz answers: 200 when ready, else 503; `json` is the body (a JSON object).
struct Readiness {
  bool ready = true;
  std::string json = "{\"ready\":true}";
};

// GET /healthz, /readyz and /metrics. `readiness` is called per request on an I/O thread.
void AddStandardEndpoints(Router& router, Registry& metrics, std::function<Readiness()> readiness,
                          const ServerConfig& config, const Clock* clock = &SystemClock());

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
