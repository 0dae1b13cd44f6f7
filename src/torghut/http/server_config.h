// Where and how a role's HTTP server listens (TORGHUT_HTTP_ADDR and friends); no Beast here.
//
//   ConfigReader cfg(EnvSource::Process());
//   http::ServerConfig config = http::ReadServerConfig(cfg);   // errors collected in cfg
//   if (Status s = cfg.Finish(); !s.ok()) { /* one line per bad value */ }
//   std::string host; uint16_t port;
//   bool ok = http::ParseHostPort("[::1]:8080", &host, &port);   // host "::1", port 8080
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "torghut/core/config.h"

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
// Parses "host:port" / "[v6]:port" where host is an IP address or "localhost"; false on anything
// else.
bool ParseHostPort(std::string_view addr, std::string* host, uint16_t* port);

inline constexpr char kHttpEnvHelp[] =
    "  TORGHUT_HTTP_ADDR        where /healthz, /readyz, /metrics and the API are served\n"
    "                           (host:port, default 127.0.0.1:8080; port 0 = any free port)\n"
    "  TORGHUT_ADMIN_TOKEN[_FILE]  bearer token for mutating endpoints (off when unset)\n"
    "  TORGHUT_HTTP_ACCESS_LOG  one log line per request (default true)\n"
    "  TORGHUT_HTTP_THREADS     I/O threads (default 1)\n"
    "  HEALTH_NOT_READY_KILL_AFTER_MS  /healthz turns 503 after readiness was false this long\n"
    "                           (default 0 = never)\n";

}  // namespace torghut::http
