#include "torghut/http/server_config.h"

#include <arpa/inet.h>

#include "torghut/core/time.h"

namespace torghut::http {

namespace {

// An IPv4 or IPv6 address literal (an IPv6 zone, "fe80::1%eth0", is allowed).
bool IsIpAddress(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  if (::inet_pton(AF_INET, host.c_str(), buf) == 1) return true;
  const std::string address = host.substr(0, host.find('%'));
  return ::inet_pton(AF_INET6, address.c_str(), buf) == 1;
}

}  // namespace

bool ParseHostPort(std::string_view addr, std::string* host, uint16_t* port) {
  size_t colon;
  if (!addr.empty() && addr.front() == '[') {
    const size_t close = addr.find(']');
    if (close == std::string_view::npos || close + 1 >= addr.size() || addr[close + 1] != ':') {
      return false;
    }
    *host = std::string(addr.substr(1, close - 1));
    colon = close + 1;
  } else {
    colon = addr.rfind(':');
    if (colon == std::string_view::npos) return false;
    *host = std::string(addr.substr(0, colon));
  }
  const std::string_view digits = addr.substr(colon + 1);
  if (host->empty() || digits.empty() || digits.size() > 5) return false;
  uint32_t p = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    p = p * 10 + static_cast<uint32_t>(c - '0');
  }
  if (p > 65535) return false;
  *port = static_cast<uint16_t>(p);
  return IsIpAddress(*host) || *host == "localhost";
}

ServerConfig ReadServerConfig(ConfigReader& cfg) {
  ServerConfig c;
  const std::string addr = cfg.String("TORGHUT_HTTP_ADDR", "127.0.0.1:8080");
  if (!ParseHostPort(addr, &c.host, &c.port)) {
    cfg.AddError("TORGHUT_HTTP_ADDR: '" + addr +
                 "' is not host:port with an IP address (e.g. 127.0.0.1:8080, 0.0.0.0:8080, "
                 "[::1]:8080)");
  }
  if (c.host == "localhost") c.host = "127.0.0.1";
  c.admin_token = cfg.Secret("TORGHUT_ADMIN_TOKEN");
  c.access_log = cfg.Bool("TORGHUT_HTTP_ACCESS_LOG", true);
  c.threads = static_cast<int>(cfg.Int("TORGHUT_HTTP_THREADS", 1, 1, 64));
  c.not_ready_kill_after_ms = cfg.Int("HEALTH_NOT_READY_KILL_AFTER_MS", 0, 0, 7 * kMillisPerDay);
  return c;
}

}  // namespace torghut::http
