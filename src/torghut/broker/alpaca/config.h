// Where the Alpaca trading API is and the keys it takes (SPEC §6 Execution), from the environment.
// The same settings serve the REST client (alpaca_broker.h) and the trade_updates stream
// (trade_updates.h), against Alpaca itself or `torghut sim serve`.
//
//   ConfigReader cfg(EnvSource::Process());
//   broker::AlpacaConfig alpaca = broker::ReadAlpacaConfig(cfg, /*require_keys=*/true);
//   if (Status s = cfg.Finish(); !s.ok()) { /* one line per bad variable */ }
//   // --help lists broker::kAlpacaBrokerEnvHelp
//   TORGHUT_ASSIGN_OR_RETURN(std::string stream, broker::TradeUpdatesUrl(alpaca.base_url));
//
// The keys are secrets: read with ConfigReader::Secret (registered with the log redactor) and
// never part of any message this module produces.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "torghut/core/config.h"
#include "torghut/core/status.h"

namespace torghut::broker {

inline constexpr std::string_view kAlpacaPaperUrl = "https://paper-api.alpaca.markets";

struct AlpacaConfig {
  std::string base_url = std::string(kAlpacaPaperUrl);  // http(s)://host[:port], no trailing '/'
  std::string key_id;
  std::string secret_key;
  std::string ca_file;  // trusted CAs (PEM) for https:// and wss:// ("" = the system's)
  int64_t connect_timeout_ms = 5'000;
  int64_t timeout_ms = 10'000;  // one request, connect included
};

// Reads APCA_API_BASE_URL (a trailing '/' or "/v2" is dropped), APCA_API_KEY_ID and
// APCA_API_SECRET_KEY (each or its *_FILE; required when `require_keys`), ALPACA_CA_FILE and
// ALPACA_TIMEOUT_MS (one request's bound: past it an order POST's outcome is unknown).
// Problems are recorded in `cfg` (check cfg.Finish()).
AlpacaConfig ReadAlpacaConfig(ConfigReader& cfg, bool require_keys);

// "https://paper-api.alpaca.markets" → "wss://paper-api.alpaca.markets/stream"; http:// → ws://
// (the simulator). kInvalidArgument for anything but an http(s) URL.
Result<std::string> TradeUpdatesUrl(std::string_view base_url);

inline constexpr char kAlpacaBrokerEnvHelp[] =
    "  APCA_API_BASE_URL        Alpaca trading API (default https://paper-api.alpaca.markets;\n"
    "                           live https://api.alpaca.markets; `sim serve`: http://HOST:PORT)\n"
    "  APCA_API_KEY_ID[_FILE]   key id (or a file holding it)\n"
    "  APCA_API_SECRET_KEY[_FILE]  secret key (or a file holding it)\n"
    "  ALPACA_CA_FILE           trusted CAs (PEM) instead of the system's\n"
    "  ALPACA_TIMEOUT_MS        one request's time limit, connect included (default 10000)\n";

}  // namespace torghut::broker
