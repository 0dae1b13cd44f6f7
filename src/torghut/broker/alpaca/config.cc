#include "torghut/broker/alpaca/config.h"

#include <fmt/format.h>

namespace torghut::broker {
namespace {

bool HasHttpScheme(std::string_view url) {
  return url.substr(0, 7) == "http://" || url.substr(0, 8) == "https://";
}

}  // namespace

AlpacaConfig ReadAlpacaConfig(ConfigReader& cfg, bool require_keys) {
  AlpacaConfig c;
  c.base_url = cfg.String("APCA_API_BASE_URL", c.base_url);
  while (!c.base_url.empty() && c.base_url.back() == '/') c.base_url.pop_back();
  // Alpaca's SDKs take the host; a base that already names the API version would double it.
  if (c.base_url.size() > 3 && c.base_url.substr(c.base_url.size() - 3) == "/v2") {
    c.base_url.resize(c.base_url.size() - 3);
  }
  const std::string_view host = std::string_view(c.base_url).substr(c.base_url.find("://") + 3);
  if (!HasHttpScheme(c.base_url) || host.empty() || host.front() == '/') {
    cfg.AddError(
        fmt::format("APCA_API_BASE_URL: '{}' is not an http:// or https:// URL", c.base_url));
  }
  c.key_id = cfg.Secret("APCA_API_KEY_ID", require_keys);
  c.secret_key = cfg.Secret("APCA_API_SECRET_KEY", require_keys);
  c.ca_file = cfg.String("ALPACA_CA_FILE", "");
  c.timeout_ms = cfg.Int("ALPACA_TIMEOUT_MS", c.timeout_ms, 100, 300'000);
  return c;
}

Result<std::string> TradeUpdatesUrl(std::string_view base_url) {
  std::string_view rest;
  std::string scheme;
  if (base_url.substr(0, 8) == "https://") {
    scheme = "wss://";
    rest = base_url.substr(8);
  } else if (base_url.substr(0, 7) == "http://") {
    scheme = "ws://";
    rest = base_url.substr(7);
  } else {
    return InvalidArgument(fmt::format("'{}' is not an http:// or https:// URL", base_url));
  }
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty()) return InvalidArgument(fmt::format("'{}' has no host", base_url));
  return scheme + std::string(rest) + "/stream";
}

}  // namespace torghut::broker
