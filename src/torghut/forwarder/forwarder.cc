#include "torghut/forwarder/forwarder.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <unordered_map>

#include "torghut/alpaca/envelope_sequencer.h"
#include "torghut/alpaca/frame_decoder.h"
#include "torghut/core/json_text.h"
#include "torghut/core/log.h"
#include "torghut/core/symbols.h"
#include "torghut/forwarder/alpaca_rest.h"
#include "torghut/http/websocket_client.h"

namespace torghut::forwarder {

using alpaca::Channel;
using alpaca::MessageType;
using namespace std::chrono_literals;

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
  c.dedup_ttl_ms = cfg.Int("DEDUP_TTL_SEC", 5, 0, 3600) * 1000;
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

std::string ForwarderHealth::Json() const {
  nlohmann::json j;
  j["status"] = status;
  j["ready"] = ready;
  j["error_class"] = error_class.empty() ? nlohmann::json() : nlohmann::json(error_class);
  if (!reason.empty()) j["reason"] = reason;
  j["attempt"] = attempt;
  j["gates"] = {
      {"alpaca_ws", gate_ws}, {"kafka", gate_bus}, {"market_data_channels", gate_channels}};
  return j.dump();
}

namespace {

// How a session ended.
struct SessionEnd {
  Disconnect why = Disconnect::kNetwork;
  std::string error_class;  // for readiness ("" = a plain network fault)
  std::string reason;
};

std::string ErrorClassFor(int64_t code) {
  switch (code) {
    case 402:
      return "alpaca_auth";
    case 404:
      return "alpaca_auth_timeout";
    case 405:
      return "alpaca_symbol_limit";
    case 406:
      return "alpaca_406_second_connection";
    case 407:
      return "alpaca_slow_client";
    case 409:
      return "alpaca_insufficient_subscription";
    case 410:
      return "alpaca_invalid_subscribe";
    case 411:
      return "alpaca_insufficient_scope";
    case 500:
      return "alpaca_internal_error";
    default:
      return "alpaca_protocol";
  }
}

// The watchdog's channel for a message type (-1: not watched).
int WatchedChannel(MessageType t) {
  switch (t) {
    case MessageType::kTrade:
      return 0;
    case MessageType::kQuote:
      return 1;
    case MessageType::kBar:
    case MessageType::kUpdatedBar:
      return 2;
    default:
      return -1;
  }
}

struct PendingMessage {
  const std::string* topic;
  std::string key, value;
};

}  // namespace

class Forwarder::Impl {
 public:
  Impl(ForwarderConfig c, bus::Bus* b, http::Registry* m, const TradingCalendar* cal,
       const Clock* clk)
      : config(std::move(c)),
        bus(b),
        metrics(m),
        clock(clk),
        policy(config.reconnect),
        dedup(config.dedup_ttl_ms),
        watchdog(cal, config.watchdog_sessions,
                 {config.stale_after_ms, config.stale_after_ms, config.bars_stale_after_ms}),
        sequencer(&symbols, config.feed, market::Source::kWs),
        rest(config.data_url, config.key_id, config.secret_key, config.ca_file) {
    lag = &metrics->GetHistogram("torghut_ws_lag_ms", "Ingest time - event time of forwarded data",
                                 http::LatencyBucketsMs());
    reconnects = &metrics->GetCounter("torghut_ws_reconnects_total", "Stream reconnects");
    connect_ok = &metrics->GetCounter("torghut_ws_connect_total", "Stream connection attempts",
                                      {{"result", "success"}});
    connect_error = &metrics->GetCounter("torghut_ws_connect_total", "Stream connection attempts",
                                         {{"result", "error"}});
    dedup_drops = &metrics->GetCounter("torghut_ws_dedup_drops_total",
                                       "Messages dropped as duplicates within DEDUP_TTL_SEC");
    parse_failures =
        &metrics->GetCounter("torghut_ws_parse_failures_total",
                             "Frames that are not JSON and messages that do not decode");
    unknown_types = &metrics->GetCounter("torghut_ws_unknown_messages_total",
                                         "Messages of an unknown \"T\" (skipped)");
    backfilled = &metrics->GetCounter("torghut_ws_backfill_messages_total",
                                      "Messages forwarded from the REST backfill");
    for (size_t t = 0; t < static_cast<size_t>(MessageType::kCount); ++t) {
      by_type[t] = &metrics->GetCounter(
          "torghut_ws_messages_total", "Stream messages received, by type",
          {{"type", std::string(alpaca::MessageTypeName(static_cast<MessageType>(t)))}});
    }
    for (const std::string* topic : {&config.topics.trades, &config.topics.quotes,
                                     &config.topics.bars_1m, &config.topics.status}) {
      produce_ok[topic] =
          &metrics->GetCounter("torghut_ws_produce_total", "Bus deliveries by topic and result",
                               {{"topic", *topic}, {"result", "success"}});
      produce_error[topic] =
          &metrics->GetCounter("torghut_ws_produce_total", "Bus deliveries by topic and result",
                               {{"topic", *topic}, {"result", "error"}});
    }
    metrics->AddCollector([this](http::SampleWriter& w) {
      const ForwarderHealth h = Health();
      constexpr std::string_view kHelp = "Readiness gates (1 = open)";
      w.Gauge("torghut_ws_ready_gate", kHelp, {{"gate", "alpaca_ws"}}, h.gate_ws ? 1 : 0);
      w.Gauge("torghut_ws_ready_gate", kHelp, {{"gate", "kafka"}}, h.gate_bus ? 1 : 0);
      w.Gauge("torghut_ws_ready_gate", kHelp, {{"gate", "market_data_channels"}},
              h.gate_channels ? 1 : 0);
      w.Gauge("torghut_ws_ready", "1 when /readyz answers 200", {}, h.ready ? 1 : 0);
    });
    universe = config.symbols;
    std::sort(universe.begin(), universe.end());
    universe.erase(std::unique(universe.begin(), universe.end()), universe.end());
  }

  // ---- health -------------------------------------------------------------------------------

  ForwarderHealth Health() const {
    std::lock_guard lock(health_mu);
    ForwarderHealth h = health;
    h.gate_bus = consecutive_failures.load() < 3;
    if (!h.gate_bus) {
      h.error_class = bus_error_class.empty() ? "kafka_produce" : bus_error_class;
      h.status = "degraded";
    }
    h.ready = h.gate_ws && h.gate_bus && h.gate_channels;
    if (h.ready && h.status != "degraded") h.status = "healthy";
    return h;
  }
  void SetHealth(const std::function<void(ForwarderHealth&)>& f) {
    std::lock_guard lock(health_mu);
    f(health);
  }

  // ---- producing ----------------------------------------------------------------------------

  void Produce(const std::string* topic, std::string_view key, std::string value) {
    const uint64_t token = ++next_token;
    auto [it, inserted] = pending.emplace(token, PendingMessage{topic, std::string(key), {}});
    it->second.value = std::move(value);
    Status s = bus::ProduceWait(*producer, *topic, it->second.key, it->second.value, 0, token,
                                std::chrono::seconds(10));
    if (!s.ok()) {
      // Not even queued (a full queue for 10 s, a bus I/O error): keep it for a retry.
      OnFailed(token, s);
    }
  }

  void OnDelivery(const bus::DeliveryReport& r) {
    if (r.status.ok()) {
      auto it = pending.find(r.token);
      if (it == pending.end()) return;
      produce_ok[it->second.topic]->Inc();
      pending.erase(it);
      consecutive_failures.store(0);
      return;
    }
    OnFailed(r.token, r.status);
  }

  void OnFailed(uint64_t token, const Status& s) {
    auto it = pending.find(token);
    if (it == pending.end()) return;
    produce_error[it->second.topic]->Inc();
    if (consecutive_failures.fetch_add(1) + 1 == 3) {
      log::Error("ws", "bus produce failing", {{"error", s.ToString()}});
    }
    retry.push_back(std::move(it->second));
    pending.erase(it);
  }

  // Serves delivery reports and produces failed messages again (at most every 500 ms).
  void ServeBus(Timestamp now) {
    producer->Poll(0ms);
    if (consecutive_failures.load() >= 3) {
      std::string cls = producer->ErrorClass();
      std::lock_guard lock(health_mu);
      bus_error_class = std::move(cls);
    }
    if (retry.empty() || now.nanos() < next_retry_ns) return;
    next_retry_ns = now.nanos() + 500'000'000;
    std::deque<PendingMessage> again;
    again.swap(retry);
    for (PendingMessage& m : again) Produce(m.topic, m.key, std::move(m.value));
  }

  // ---- forwarding ---------------------------------------------------------------------------

  const std::string* TopicOf(alpaca::InputTopic t) const {
    switch (t) {
      case alpaca::InputTopic::kTrades:
        return &config.topics.trades;
      case alpaca::InputTopic::kQuotes:
        return &config.topics.quotes;
      case alpaca::InputTopic::kBars1m:
        return &config.topics.bars_1m;
      default:
        return nullptr;
    }
  }

  uint64_t DedupKey(const alpaca::DecodedMessage& m) const {
    return std::visit(
        [&](const auto& e) -> uint64_t {
          using E = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<E, market::Trade>) {
            return DedupWindow::Key(0, e.symbol, e.id);
          } else if constexpr (std::is_same_v<E, market::Quote>) {
            return DedupWindow::Key(1, e.symbol, e.ts.nanos());
          } else if constexpr (std::is_same_v<E, market::Bar>) {
            return DedupWindow::Key(2 + static_cast<uint8_t>(e.kind), e.symbol, e.ts.nanos());
          } else if constexpr (std::is_same_v<E, market::Cancel>) {
            return DedupWindow::Key(5, e.symbol, e.id);
          } else if constexpr (std::is_same_v<E, market::Correction>) {
            return DedupWindow::Key(6, e.symbol, e.corrected_id);
          } else if constexpr (std::is_same_v<E, market::TradingStatus>) {
            return DedupWindow::Key(7, e.symbol, e.ts.nanos());
          } else {
            return 0;
          }
        },
        m.event);
  }

  // Forwards one decoded data message; returns its event time (0 for none).
  int64_t Forward(const alpaca::DecodedMessage& m, Timestamp now, market::Source source) {
    SymbolId symbol;
    Timestamp event_ts;
    if (!alpaca::SymbolAndTime(m, &symbol, &event_ts)) return 0;
    if (config.dedup_ttl_ms > 0 && dedup.Seen(DedupKey(m), now)) {
      dedup_drops->Inc();
      return event_ts.nanos();
    }
    if (m.type == MessageType::kStatus) {
      alpaca::EnvelopeHeader h;
      h.ingest_ts = now;
      h.event_ts = event_ts;
      h.feed = config.feed;
      h.channel = Channel::kStatus;
      h.symbol = symbols.Name(symbol);
      h.seq = ++status_seq[symbol];
      h.source = source;
      std::string json;
      alpaca::AppendEnvelopeJson(h, m.raw_json, &json);
      Produce(&config.topics.status, h.symbol, std::move(json));
      return event_ts.nanos();
    }
    auto e = sequencer.Wrap(m, now, source);
    if (!e) return event_ts.nanos();
    if (source == market::Source::kWs) {
      lag->Observe(static_cast<double>(now.nanos() - event_ts.nanos()) / 1e6);
    }
    Produce(TopicOf(e->topic), e->symbol, std::move(e->json));
    return event_ts.nanos();
  }

  // Decodes and forwards a frame; control messages are returned through `controls`.
  void HandleFrame(std::string_view frame, std::vector<alpaca::ControlMessage>* controls) {
    const Timestamp now = Timestamp::FromNanos(clock->NowNanos());
    if (!decoder.Decode(frame, &batch).ok()) {
      parse_failures->Inc();
      if (parse_failures_logged++ < 10) {
        log::Warn("ws", "frame is not JSON", {{"bytes", static_cast<int64_t>(frame.size())}});
      }
      return;
    }
    parse_failures->Inc(batch.stats.total_skipped() -
                        batch.stats.skipped[static_cast<size_t>(alpaca::SkipReason::kUnknownType)]);
    unknown_types->Inc(batch.stats.skipped[static_cast<size_t>(alpaca::SkipReason::kUnknownType)]);
    for (const auto& m : batch.messages) {
      by_type[static_cast<size_t>(m.type)]->Inc();
      if (m.type == MessageType::kControl) {
        controls->push_back(batch.controls[std::get<size_t>(m.event)]);
        continue;
      }
      const int64_t ts = Forward(m, now, market::Source::kWs);
      if (ts == 0) continue;
      last_event_ns = std::max(last_event_ns, ts);
      if (first_event_after_connect_ns == 0) first_event_after_connect_ns = ts;
      const int c = WatchedChannel(m.type);
      if (c >= 0) watchdog.Saw(static_cast<size_t>(c), now);
    }
  }

  // ---- the session --------------------------------------------------------------------------

  // Reads frames until a control message arrives (data frames are forwarded meanwhile).
  Status ReadControl(const std::atomic<bool>& stop, int64_t timeout_ms,
                     alpaca::ControlMessage* out) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    std::string frame;
    std::vector<alpaca::ControlMessage> controls;
    while (!stop.load()) {
      if (!controls_backlog.empty()) {
        *out = std::move(controls_backlog.front());
        controls_backlog.pop_front();
        return Status::Ok();
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return DeadlineExceeded("no answer from the stream in time");
      Status s = ws.Read(&frame, std::min<std::chrono::milliseconds>(left, 100ms));
      ServeBus(Timestamp::FromNanos(clock->NowNanos()));
      if (s.code() == StatusCode::kDeadlineExceeded) continue;
      if (!s.ok()) return s;
      controls.clear();
      HandleFrame(frame, &controls);
      for (auto& c : controls) controls_backlog.push_back(std::move(c));
    }
    return Aborted("stopping");
  }

  // An error message's effect on the session: nullopt = carry on.
  std::optional<SessionEnd> OnError(const alpaca::ControlMessage& c) {
    const std::string cls = ErrorClassFor(c.code);
    log::Error("ws", "stream error", {{"code", c.code}, {"msg", c.message}, {"error_class", cls}});
    switch (c.error_class) {
      case alpaca::ErrorClass::kConfiguration:
        return SessionEnd{Disconnect::kConfiguration, cls, fmt::format("{} {}", c.code, c.message)};
      case alpaca::ErrorClass::kConnectionLimit:
        return SessionEnd{Disconnect::kConnectionLimit, cls,
                          fmt::format("{} {}", c.code, c.message)};
      case alpaca::ErrorClass::kSymbolLimit:
        // The server kept the previous subscription; asking again would fail the same way.
        SetHealth([&](ForwarderHealth& h) {
          h.error_class = cls;
          h.status = "degraded";
          h.reason = fmt::format("{} {}: subscription unchanged", c.code, c.message);
        });
        return std::nullopt;
      case alpaca::ErrorClass::kProtocol:
        if (c.code == 400 || c.code == 403) return std::nullopt;  // our mistake, logged
        [[fallthrough]];
      default:
        return SessionEnd{Disconnect::kNetwork, cls, fmt::format("{} {}", c.code, c.message)};
    }
  }

  std::string SubscribeMessage(std::string_view action, const std::vector<std::string>& chunk) {
    std::string list = "[";
    for (size_t i = 0; i < chunk.size(); ++i) {
      if (i > 0) list += ',';
      AppendJsonString(chunk[i], &list);
    }
    list += ']';
    std::string msg = fmt::format(R"({{"action":"{}")", action);
    for (Channel ch : config.channels) {
      msg += fmt::format(R"(,"{}":{})",
                         ch == Channel::kStatus ? "statuses" : alpaca::ChannelName(ch), list);
    }
    return msg + "}";
  }

  // Sends (un)subscriptions in chunks, each answered by the server's whole set or an error.
  std::optional<SessionEnd> Subscribe(const std::atomic<bool>& stop, std::string_view action,
                                      const std::vector<std::string>& list) {
    for (size_t at = 0; at < list.size(); at += config.subscribe_chunk) {
      const std::vector<std::string> chunk(
          list.begin() + static_cast<ptrdiff_t>(at),
          list.begin() +
              static_cast<ptrdiff_t>(std::min(list.size(), at + config.subscribe_chunk)));
      if (Status s = ws.Write(SubscribeMessage(action, chunk)); !s.ok()) {
        return SessionEnd{Disconnect::kNetwork, "", s.message()};
      }
      while (true) {
        alpaca::ControlMessage c;
        Status s = ReadControl(stop, config.auth_timeout_ms, &c);
        if (!s.ok()) return SessionEnd{Disconnect::kNetwork, "", "subscribe: " + s.message()};
        if (c.kind == alpaca::ControlMessage::Kind::kSubscription) break;
        if (c.kind == alpaca::ControlMessage::Kind::kError) {
          if (auto end = OnError(c)) return end;
          break;  // 405 and the like: this chunk is answered
        }
      }
    }
    return std::nullopt;
  }

  SessionEnd Session(const std::atomic<bool>& stop) {
    const std::string url = config.stream_url + "/v2/" + config.feed;
    http::WebSocketClientOptions o;
    o.ca_file = config.ca_file;
    first_event_after_connect_ns = 0;
    controls_backlog.clear();
    SetHealth([&](ForwarderHealth& h) { ++h.attempt; });
    if (Status s = ws.Connect(url, o); !s.ok()) {
      connect_error->Inc();
      return SessionEnd{Disconnect::kNetwork, "alpaca_connect", s.message()};
    }
    alpaca::ControlMessage c;
    Status s = ReadControl(stop, config.auth_timeout_ms, &c);
    if (!s.ok() || c.kind != alpaca::ControlMessage::Kind::kConnected) {
      connect_error->Inc();
      return SessionEnd{Disconnect::kNetwork, "alpaca_protocol",
                        s.ok() ? "no greeting" : "greeting: " + s.message()};
    }
    s = ws.Write(
        nlohmann::json{{"action", "auth"}, {"key", config.key_id}, {"secret", config.secret_key}}
            .dump());
    while (s.ok()) {
      s = ReadControl(stop, config.auth_timeout_ms, &c);
      if (!s.ok()) break;
      if (c.kind == alpaca::ControlMessage::Kind::kAuthenticated) break;
      if (c.kind == alpaca::ControlMessage::Kind::kError) {
        connect_error->Inc();
        if (auto end = OnError(c)) return *end;
      }
    }
    if (!s.ok()) {
      connect_error->Inc();
      return SessionEnd{Disconnect::kNetwork, "alpaca_auth_timeout", "auth: " + s.message()};
    }
    connect_ok->Inc();
    if (universe.empty()) PollUniverse(true);
    if (auto end = Subscribe(stop, "subscribe", universe)) return *end;
    subscribed_universe = universe;
    policy.Reset();
    const Timestamp now = Timestamp::FromNanos(clock->NowNanos());
    std::array<bool, StalenessWatchdog::kChannels> active{};
    for (Channel ch : config.channels) {
      if (ch == Channel::kTrades) active[0] = true;
      if (ch == Channel::kQuotes) active[1] = true;
      if (ch == Channel::kBars) active[2] = true;
    }
    watchdog.Reset(now, active);
    SetHealth([&](ForwarderHealth& h) {
      h.gate_ws = true;
      h.gate_channels = true;
      h.attempt = 0;
      if (h.error_class != "alpaca_symbol_limit") {
        h.error_class.clear();
        h.reason.clear();
        h.status = "healthy";
      }
    });
    log::Info("ws", "subscribed",
              {{"url", url}, {"symbols", static_cast<int64_t>(subscribed_universe.size())}});
    const int64_t gap_start = had_session ? last_event_ns : 0;
    had_session = true;
    const int64_t subscribed_at = now.nanos();
    bool backfill_due = config.backfill && gap_start > 0;
    std::string frame;
    std::vector<alpaca::ControlMessage> controls;
    while (!stop.load()) {
      Status r = ws.Read(&frame, 100ms);
      const Timestamp t = Timestamp::FromNanos(clock->NowNanos());
      if (r.ok()) {
        controls.clear();
        HandleFrame(frame, &controls);
        for (const auto& ctl : controls) {
          if (ctl.kind == alpaca::ControlMessage::Kind::kError) {
            if (auto end = OnError(ctl)) return *end;
          }
        }
      } else if (r.code() != StatusCode::kDeadlineExceeded) {
        return SessionEnd{Disconnect::kNetwork, "", r.message()};
      }
      ServeBus(t);
      Heartbeat(t);
      if (backfill_due && (first_event_after_connect_ns > 0 ||
                           t.nanos() - subscribed_at > config.backfill_end_wait_ms * 1'000'000)) {
        backfill_due = false;
        Backfill(gap_start,
                 first_event_after_connect_ns > 0 ? first_event_after_connect_ns : t.nanos());
      }
      if (const int starving = watchdog.Starving(t); starving >= 0) {
        static constexpr std::array<std::string_view, 3> kNames = {"trades", "quotes", "bars"};
        SetHealth([](ForwarderHealth& h) { h.gate_channels = false; });
        return SessionEnd{
            Disconnect::kStarvation, "market_data_channel_starvation",
            fmt::format("no {} for {} ms while the market is open",
                        kNames[static_cast<size_t>(starving)],
                        starving == 2 ? config.bars_stale_after_ms : config.stale_after_ms)};
      }
      if (!config.symbols_url.empty() && t.nanos() >= next_universe_poll_ns) {
        PollUniverse(false);
        if (auto end = Resubscribe(stop)) return *end;
      }
    }
    return SessionEnd{Disconnect::kStopping, "", "stopping"};
  }

  // The REST backfill of [gap_start, gap_end] (event times), forwarded with source "rest".
  void Backfill(int64_t gap_start, int64_t gap_end) {
    if (gap_end <= gap_start) return;
    if (gap_end - gap_start > config.backfill_max_gap_ms * 1'000'000) {
      log::Warn("ws", "gap too long to backfill; replay it",
                {{"gap_ms", (gap_end - gap_start) / 1'000'000}});
      gap_start = gap_end - config.backfill_max_gap_ms * 1'000'000;
    }
    const Timestamp start = Timestamp::FromNanos(gap_start);
    const Timestamp end = Timestamp::FromNanos(gap_end);
    int64_t forwarded = 0;
    alpaca::MessageBatch rest_batch;
    auto emit = [&](std::string_view message) {
      if (!rest_decoder.Decode(message, &rest_batch).ok()) {
        parse_failures->Inc();
        return;
      }
      const Timestamp now = Timestamp::FromNanos(clock->NowNanos());
      for (const auto& m : rest_batch.messages) {
        if (Forward(m, now, market::Source::kRest) != 0) ++forwarded;
      }
      producer->Poll(0ms);
    };
    const bool want_trades = std::find(config.channels.begin(), config.channels.end(),
                                       Channel::kTrades) != config.channels.end();
    const bool want_bars = std::find(config.channels.begin(), config.channels.end(),
                                     Channel::kBars) != config.channels.end();
    for (size_t at = 0; at < subscribed_universe.size(); at += 100) {
      const std::vector<std::string> chunk(
          subscribed_universe.begin() + static_cast<ptrdiff_t>(at),
          subscribed_universe.begin() +
              static_cast<ptrdiff_t>(std::min(subscribed_universe.size(), at + 100)));
      for (RestKind kind : {RestKind::kTrades, RestKind::kBars}) {
        if (kind == RestKind::kTrades ? !want_trades : !want_bars) continue;
        // Bars are stamped with their minute's start: the gap's first minute may be incomplete
        // on the stream side.
        const Timestamp from =
            kind == RestKind::kBars ? start.FloorTo(int64_t{60} * 1'000'000'000) : start;
        auto n = rest.Fetch(kind, chunk, from, end, config.feed, emit);
        if (!n.ok()) {
          log::Error("ws", "backfill failed", {{"error", n.status().message()}});
        }
      }
    }
    backfilled->Inc(forwarded);
    log::Info(
        "ws", "backfilled gap",
        {{"from", FormatRfc3339(start)}, {"to", FormatRfc3339(end)}, {"messages", forwarded}});
  }

  // Applies a changed universe to the open connection.
  std::optional<SessionEnd> Resubscribe(const std::atomic<bool>& stop) {
    if (universe == subscribed_universe) return std::nullopt;
    std::vector<std::string> added, removed;
    std::set_difference(universe.begin(), universe.end(), subscribed_universe.begin(),
                        subscribed_universe.end(), std::back_inserter(added));
    std::set_difference(subscribed_universe.begin(), subscribed_universe.end(), universe.begin(),
                        universe.end(), std::back_inserter(removed));
    log::Info("ws", "universe changed",
              {{"added", static_cast<int64_t>(added.size())},
               {"removed", static_cast<int64_t>(removed.size())}});
    if (!removed.empty()) {
      if (auto end = Subscribe(stop, "unsubscribe", removed)) return end;
    }
    if (!added.empty()) {
      if (auto end = Subscribe(stop, "subscribe", added)) return end;
    }
    subscribed_universe = universe;
    return std::nullopt;
  }

  // Fetches the universe; keeps the last good list on any failure.
  void PollUniverse(bool force) {
    if (config.symbols_url.empty()) return;
    const int64_t now = clock->NowNanos();
    if (!force && now < next_universe_poll_ns) return;
    next_universe_poll_ns = now + config.symbols_poll_ms * 1'000'000;
    HttpGetResult r = HttpGet(config.symbols_url, {}, 10'000, config.ca_file);
    Result<std::vector<std::string>> list =
        r.status == 200 ? ParseSymbolList(r.body)
                        : Result<std::vector<std::string>>(Unavailable(
                              r.status == 0 ? r.error : fmt::format("HTTP {}", r.status)));
    if (!list.ok() || list->empty()) {
      log::Warn("ws", "symbol universe poll failed; keeping the last list",
                {{"url", config.symbols_url},
                 {"error", list.ok() ? "empty list" : list.status().message()},
                 {"symbols", static_cast<int64_t>(universe.size())}});
      return;
    }
    std::vector<std::string> merged = *list;
    for (const std::string& s : config.symbols) merged.push_back(s);
    std::sort(merged.begin(), merged.end());
    merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
    universe = std::move(merged);
  }

  void Heartbeat(Timestamp now) {
    if (now.nanos() < next_heartbeat_ns) return;
    next_heartbeat_ns = now.nanos() + config.heartbeat_ms * 1'000'000;
    const ForwarderHealth h = Health();
    nlohmann::json payload = {{"T", "heartbeat"},
                              {"status", h.status},
                              {"ready", h.ready},
                              {"attempt", h.attempt},
                              {"lag_ms", lag->Quantile(0.5)}};
    if (!h.error_class.empty()) payload["error_class"] = h.error_class;
    if (!h.reason.empty()) payload["reason"] = h.reason;
    alpaca::EnvelopeHeader e;
    e.ingest_ts = now;
    e.event_ts = now;
    e.feed = config.feed;
    e.channel = Channel::kStatus;
    e.symbol = config.status_key;
    e.seq = ++heartbeat_seq;
    e.source = market::Source::kWs;
    std::string json;
    alpaca::AppendEnvelopeJson(e, payload.dump(), &json);
    Produce(&config.topics.status, config.status_key, std::move(json));
  }

  // Waits `ms` before the next attempt, keeping the bus served and heartbeats going.
  void Wait(const std::atomic<bool>& stop, int64_t ms) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!stop.load() && std::chrono::steady_clock::now() < until) {
      const Timestamp t = Timestamp::FromNanos(clock->NowNanos());
      ServeBus(t);
      Heartbeat(t);
      producer->Poll(50ms);  // doubles as the wait's tick
    }
  }

  Status Run(const std::atomic<bool>& stop) {
    for (const std::string* t : {&config.topics.trades, &config.topics.quotes,
                                 &config.topics.bars_1m, &config.topics.status}) {
      if (Status s = bus->EnsureTopic(*t, config.topic_partitions); !s.ok()) return s;
    }
    bus::ProducerOptions popts;
    popts.on_delivery = [this](const bus::DeliveryReport& r) { OnDelivery(r); };
    auto p = bus->NewProducer(popts);
    if (!p.ok()) return p.status();
    producer = std::move(*p);
    PollUniverse(true);
    while (!stop.load()) {
      SessionEnd end = Session(stop);
      ws.Close(500ms);
      if (end.why == Disconnect::kStopping || stop.load()) break;
      const int64_t delay = policy.NextDelayMs(end.why);
      reconnects->Inc();
      SetHealth([&](ForwarderHealth& h) {
        h.gate_ws = false;
        if (end.why != Disconnect::kStarvation) h.gate_channels = true;
        h.error_class = end.error_class;
        h.reason = end.reason;
        h.status = end.why == Disconnect::kConfiguration ? "error" : "reconnecting";
      });
      (end.why == Disconnect::kConfiguration ? log::Error : log::Warn)(
          "ws", "session ended; reconnecting",
          {{"error_class", end.error_class.empty() ? std::string("network") : end.error_class},
           {"reason", end.reason},
           {"retry_in_ms", delay}});
      Wait(stop, delay);
    }
    // Stop (the session loop closed the stream): everything read is produced; give the bus up to
    // 10 s to take it.
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while ((!retry.empty() || producer->InFlight() > 0) &&
           std::chrono::steady_clock::now() < deadline) {
      next_retry_ns = 0;
      ServeBus(Timestamp::FromNanos(clock->NowNanos()));
      (void)producer->Flush(500ms);
    }
    const int64_t lost = static_cast<int64_t>(retry.size()) + producer->InFlight();
    if (lost > 0) {
      log::Error("ws", "stopped with undelivered messages", {{"messages", lost}});
    }
    log::Info("ws", "stopped");
    return Status::Ok();
  }

  ForwarderConfig config;
  bus::Bus* bus;
  http::Registry* metrics;
  const Clock* clock;
  ReconnectPolicy policy;
  DedupWindow dedup;
  StalenessWatchdog watchdog;
  SymbolTable symbols;
  alpaca::FrameDecoder decoder{&symbols, /*capture_raw_json=*/true};
  alpaca::FrameDecoder rest_decoder{&symbols, /*capture_raw_json=*/true};
  alpaca::MessageBatch batch;
  alpaca::EnvelopeSequencer sequencer;
  std::unordered_map<SymbolId, int64_t> status_seq;
  int64_t heartbeat_seq = 0;
  AlpacaRestClient rest;
  http::WebSocketClient ws;
  std::unique_ptr<bus::Producer> producer;
  std::unordered_map<uint64_t, PendingMessage> pending;
  std::deque<PendingMessage> retry;
  uint64_t next_token = 0;
  int64_t next_retry_ns = 0, next_heartbeat_ns = 0, next_universe_poll_ns = 0;
  std::atomic<int64_t> consecutive_failures{0};
  std::deque<alpaca::ControlMessage> controls_backlog;
  std::vector<std::string> universe, subscribed_universe;
  int64_t last_event_ns = 0, first_event_after_connect_ns = 0;
  bool had_session = false;
  int64_t parse_failures_logged = 0;

  mutable std::mutex health_mu;
  ForwarderHealth health;
  std::string bus_error_class;  // the producer's, while the bus gate is shut

  http::Histogram* lag;
  http::Counter *reconnects, *connect_ok, *connect_error, *dedup_drops, *parse_failures,
      *unknown_types, *backfilled;
  std::array<http::Counter*, static_cast<size_t>(MessageType::kCount)> by_type{};
  std::map<const std::string*, http::Counter*> produce_ok, produce_error;
};

Forwarder::Forwarder(ForwarderConfig config, bus::Bus* bus, http::Registry* metrics,
                     const TradingCalendar* calendar, const Clock* clock)
    : impl_(std::make_unique<Impl>(std::move(config), bus, metrics, calendar, clock)) {}
Forwarder::~Forwarder() = default;

Status Forwarder::Run(const std::atomic<bool>& stop) {
  return impl_->Run(stop);
}

ForwarderHealth Forwarder::Health() const {
  return impl_->Health();
}

void AddForwarderEndpoints(http::Router& router, http::Registry& metrics, const Forwarder& fwd,
                           const http::ServerConfig& config) {
  http::AddStandardEndpoints(
      router, metrics,
      [&fwd] {
        const ForwarderHealth h = fwd.Health();
        return http::Readiness{h.ready, h.Json()};
      },
      config);
  router.Get("/status", [&fwd](const http::Request&) {
    return http::Response::Json(200, fwd.Health().Json());
  });
}

}  // namespace torghut::forwarder
