#include "torghut/forwarder/forwarder_config.h"

#include "torghut/core/symbols.h"
#include "torghut/http/websocket_client.h"

namespace torghut::forwarder {

using alpaca::Channel;

const char kForwarderEnvHelp[] =
    "  ALPACA_STREAM_URL        stream base (default wss://stream.data.alpaca.markets)\n"
    "  ALPACA_FEED              iex (default) | sip | delayed_sip | test\n"
    "  ALPACA_KEY_ID, ALPACA_SECRET_KEY[_FILE]  keys (fallback APCA_API_KEY_ID,\n"
    "                           APCA_API_SECRET_KEY)\n"
    "  ALPACA_DATA_URL          REST data API for backfill (default https://data.alpaca.markets)\n"
    "  ALPACA_CA_FILE           trusted CAs (PEM) instead of the system's\n"
    "  SYMBOLS                  comma list of symbols\n"
    "  JANGAR_SYMBOLS_URL       polled universe (JSON array); SYMBOLS_POLL_INTERVAL_MS (60000)\n"
    "  WS_CHANNELS              trades,quotes,bars,updatedBars (default all four)\n"
    "  DEDUP_TTL_SEC            duplicate window (5)\n"
    "  WS_BACKOFF_INITIAL_MS, WS_BACKOFF_MAX_MS  reconnect backoff (500, 30000; ±20 % jitter)\n"
    "  WS_406_FLOOR_MS          wait after 406 connection limit (90000)\n"
    "  WS_CONFIG_RETRY_MS       wait after 402/409/410/411 (60000)\n"
    "  WS_WATCHDOG_SESSIONS     regular (default) | extended | always\n"
    "  WS_STALE_AFTER_MS, WS_BARS_STALE_AFTER_MS  silent channel → reconnect (120000, 180000)\n"
    "  WS_HEARTBEAT_MS          status heartbeat period (10000)\n"
    "  WS_BACKFILL              REST backfill after reconnects (true)\n"
    "  WS_SUBSCRIBE_CHUNK       symbols per subscribe message (200)\n"
    "  TOPIC_TRADES, TOPIC_QUOTES, TOPIC_BARS_1M, TOPIC_STATUS  output topics\n";

ForwarderConfig ReadForwarderConfig(ConfigReader& cfg) {
  ForwarderConfig c;
  c.stream_url = cfg.String("ALPACA_STREAM_URL", c.stream_url);
  while (!c.stream_url.empty() && c.stream_url.back() == '/') c.stream_url.pop_back();
  if (auto u = http::ParseWebSocketUrl(c.stream_url + "/v2/x"); !u.ok()) {
    cfg.AddError("ALPACA_STREAM_URL: " + u.status().message());
  }
  c.feed = cfg.String("ALPACA_FEED", c.feed);
  if (c.feed != "iex" && c.feed != "sip" && c.feed != "delayed_sip" && c.feed != "test" &&
      c.feed != "otc") {
    cfg.AddError("ALPACA_FEED: '" + c.feed + "' is not iex, sip, delayed_sip, test or otc");
  }
  c.key_id = cfg.String("ALPACA_KEY_ID", "");
  if (c.key_id.empty()) c.key_id = cfg.String("APCA_API_KEY_ID", "");
  c.secret_key = cfg.Secret("ALPACA_SECRET_KEY");
  if (c.secret_key.empty()) c.secret_key = cfg.Secret("APCA_API_SECRET_KEY");
  if (c.key_id.empty() || c.secret_key.empty()) {
    cfg.AddError(
        "ALPACA_KEY_ID and ALPACA_SECRET_KEY (or APCA_API_KEY_ID / APCA_API_SECRET_KEY) are "
        "required");
  }
  c.data_url = cfg.String("ALPACA_DATA_URL", c.data_url);
  c.ca_file = cfg.String("ALPACA_CA_FILE", "");
  c.symbols = cfg.List("SYMBOLS", {});
  for (const std::string& s : c.symbols) {
    if (!IsValidSymbol(s)) cfg.AddError("SYMBOLS: '" + s + "' is not a valid symbol");
  }
  c.symbols_url = cfg.String("JANGAR_SYMBOLS_URL", "");
  c.symbols_poll_ms = cfg.Int("SYMBOLS_POLL_INTERVAL_MS", c.symbols_poll_ms, 100, 86'400'000);
  if (c.symbols.empty() && c.symbols_url.empty()) {
    cfg.AddError("SYMBOLS or JANGAR_SYMBOLS_URL is required (the symbols to forward)");
  }
  const std::vector<std::string> channels =
      cfg.List("WS_CHANNELS", {"trades", "quotes", "bars", "updatedBars"});
  c.channels.clear();
  for (const std::string& name : channels) {
    Channel ch;
    if (!alpaca::ParseChannel(name, &ch) ||
        (ch != Channel::kTrades && ch != Channel::kQuotes && ch != Channel::kBars &&
         ch != Channel::kUpdatedBars && ch != Channel::kStatus)) {
      cfg.AddError("WS_CHANNELS: '" + name + "' is not trades, quotes, bars, updatedBars, status");
      continue;
    }
    c.channels.push_back(ch);
  }
  c.subscribe_chunk = static_cast<size_t>(cfg.Int("WS_SUBSCRIBE_CHUNK", 200, 1, 10'000));
  c.dedup_ttl_ms = cfg.Int("DEDUP_TTL_SEC", 5, 0, 3600) * kMillisPerSecond;
  c.reconnect.initial_ms = cfg.Int("WS_BACKOFF_INITIAL_MS", 500, 1, 3'600'000);
  c.reconnect.max_ms = cfg.Int("WS_BACKOFF_MAX_MS", 30'000, 1, 3'600'000);
  c.reconnect.floor_406_ms = cfg.Int("WS_406_FLOOR_MS", 90'000, 0, 3'600'000);
  c.reconnect.configuration_retry_ms = cfg.Int("WS_CONFIG_RETRY_MS", 60'000, 1, 3'600'000);
  const std::string sessions = cfg.String("WS_WATCHDOG_SESSIONS", "regular");
  if (sessions == "regular") {
    c.watchdog_sessions = WatchdogSessions::kRegular;
  } else if (sessions == "extended") {
    c.watchdog_sessions = WatchdogSessions::kExtended;
  } else if (sessions == "always") {
    c.watchdog_sessions = WatchdogSessions::kAlways;
  } else {
    cfg.AddError("WS_WATCHDOG_SESSIONS: '" + sessions + "' is not regular, extended or always");
  }
  c.stale_after_ms = cfg.Int("WS_STALE_AFTER_MS", c.stale_after_ms, 100, 86'400'000);
  c.bars_stale_after_ms = cfg.Int("WS_BARS_STALE_AFTER_MS", c.bars_stale_after_ms, 100, 86'400'000);
  c.heartbeat_ms = cfg.Int("WS_HEARTBEAT_MS", c.heartbeat_ms, 100, 3'600'000);
  c.backfill = cfg.Bool("WS_BACKFILL", true);
  c.topics = bus::ReadTopics(cfg);
  return c;
}

}  // namespace torghut::forwarder
