#include "torghut/forwarder/forwarder.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "torghut/alpaca/envelope_sequencer.h"
#include "torghut/alpaca/frame_decoder.h"
#include "torghut/core/log.h"
#include "torghut/core/symbols.h"
#include "torghut/core/time.h"
#include "torghut/forwarder/alpaca_session.h"
#include "torghut/forwarder/backfill.h"
#include "torghut/forwarder/retrying_producer.h"
#include "torghut/forwarder/universe.h"

namespace torghut::forwarder {

using alpaca::Channel;
using alpaca::MessageType;
using namespace std::chrono_literals;

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

// The de-dup key of a message: trades, cancels and corrections by id, the rest by time.
uint64_t DedupKey(const alpaca::DecodedMessage& m) {
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

}  // namespace

class Forwarder::Impl {
 public:
  Impl(ForwarderConfig c, bus::Bus* b, http::Registry* m, const TradingCalendar* cal,
       const Clock* clk)
      : config(std::move(c)),
        bus(b),
        clock(clk),
        policy(config.reconnect),
        dedup(config.dedup_ttl_ms),
        watchdog(cal, config.watchdog_sessions,
                 {config.stale_after_ms, config.stale_after_ms, config.bars_stale_after_ms}),
        sequencer(&symbols, config.feed, market::Source::kWs),
        universe(config, clock),
        producer(m,
                 {&config.topics.trades, &config.topics.quotes, &config.topics.bars_1m,
                  &config.topics.status},
                 clock),
        gaps(config.backfill_end_wait_ms),
        backfill(config, m),
        session(config, m,
                {.on_frame =
                     [this](std::string_view frame, std::vector<alpaca::ControlMessage>* controls) {
                       HandleFrame(frame, controls);
                     },
                 .on_wait = [this] { producer.Serve(); },
                 .on_degraded =
                     [this](const StreamErrorEffect& e) {
                       SetHealth([&](ForwarderHealth& h) {
                         h.error_class = e.error_class;
                         h.status = "degraded";
                         h.reason = e.reason;
                       });
                     }}) {
    lag = &m->GetHistogram("torghut_ws_lag_ms", "Ingest time - event time of forwarded data",
                           http::LatencyBucketsMs());
    reconnects = &m->GetCounter("torghut_ws_reconnects_total", "Stream reconnects");
    dedup_drops = &m->GetCounter("torghut_ws_dedup_drops_total",
                                 "Messages dropped as duplicates within DEDUP_TTL_SEC");
    parse_failures = &m->GetCounter("torghut_ws_parse_failures_total",
                                    "Frames that are not JSON and messages that do not decode");
    unknown_types = &m->GetCounter("torghut_ws_unknown_messages_total",
                                   "Messages of an unknown \"T\" (skipped)");
    for (size_t t = 0; t < static_cast<size_t>(MessageType::kCount); ++t) {
      by_type[t] = &m->GetCounter(
          "torghut_ws_messages_total", "Stream messages received, by type",
          {{"type", std::string(alpaca::MessageTypeName(static_cast<MessageType>(t)))}});
    }
    m->AddCollector([this](http::SampleWriter& w) {
      const ForwarderHealth h = Health();
      constexpr std::string_view kHelp = "Readiness gates (1 = open)";
      w.Gauge("torghut_ws_ready_gate", kHelp, {{"gate", "alpaca_ws"}}, h.gate_ws ? 1 : 0);
      w.Gauge("torghut_ws_ready_gate", kHelp, {{"gate", "kafka"}}, h.gate_bus ? 1 : 0);
      w.Gauge("torghut_ws_ready_gate", kHelp, {{"gate", "market_data_channels"}},
              h.gate_channels ? 1 : 0);
      w.Gauge("torghut_ws_ready", "1 when /readyz answers 200", {}, h.ready ? 1 : 0);
    });
  }

  // ---- health -------------------------------------------------------------------------------

  ForwarderHealth Health() const {
    const BusGate gate = producer.Gate();
    std::lock_guard lock(health_mu);
    ForwarderHealth h = health;
    h.gate_bus = gate.open;
    if (!h.gate_bus) {
      h.error_class = gate.error_class;
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

  // ---- forwarding ---------------------------------------------------------------------------

  Timestamp Now() const { return Timestamp::FromNanos(clock->NowNanos()); }

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
      producer.Produce(&config.topics.status, h.symbol, std::move(json));
      return event_ts.nanos();
    }
    auto e = sequencer.Wrap(m, now, source);
    if (!e) return event_ts.nanos();
    if (source == market::Source::kWs) {
      lag->Observe(static_cast<double>(now.nanos() - event_ts.nanos()) / kNanosPerMilli);
    }
    producer.Produce(TopicOf(e->topic), e->symbol, std::move(e->json));
    return event_ts.nanos();
  }

  // Decodes and forwards a stream frame; control messages are returned through `controls`.
  void HandleFrame(std::string_view frame, std::vector<alpaca::ControlMessage>* controls) {
    const Timestamp now = Now();
    if (!decoder.Decode(frame, &batch).ok()) {
      parse_failures->Inc();
      if (parse_failures_logged++ < 10) {
        log::Warn("ws", "frame is not JSON", {{"bytes", static_cast<int64_t>(frame.size())}});
      }
      return;
    }
    const int64_t unknown =
        batch.stats.skipped[static_cast<size_t>(alpaca::SkipReason::kUnknownType)];
    parse_failures->Inc(batch.stats.total_skipped() - unknown);
    unknown_types->Inc(unknown);
    for (const auto& m : batch.messages) {
      by_type[static_cast<size_t>(m.type)]->Inc();
      if (m.type == MessageType::kControl) {
        controls->push_back(batch.controls[std::get<size_t>(m.event)]);
        continue;
      }
      const int64_t ts = Forward(m, now, market::Source::kWs);
      if (ts == 0) continue;
      gaps.Saw(ts);
      const int c = WatchedChannel(m.type);
      if (c >= 0) watchdog.Saw(static_cast<size_t>(c), now);
    }
  }

  // Decodes and forwards one REST message (source "rest"); returns how many were forwarded.
  int64_t ForwardRest(std::string_view message) {
    if (!rest_decoder.Decode(message, &rest_batch).ok()) {
      parse_failures->Inc();
      return 0;
    }
    const Timestamp now = Now();
    int64_t forwarded = 0;
    for (const auto& m : rest_batch.messages) {
      if (Forward(m, now, market::Source::kRest) != 0) ++forwarded;
    }
    producer.Poll(0ms);
    return forwarded;
  }

  // ---- the session --------------------------------------------------------------------------

  // One connection, from connecting to its end: subscribe the universe, forward frames, backfill
  // the gap the previous one left, watch for silent channels and follow the universe.
  SessionEnd Session(const std::atomic<bool>& stop) {
    gaps.OnConnecting();
    SetHealth([&](ForwarderHealth& h) { ++h.attempt; });
    if (auto end = session.Open(stop)) return *end;
    if (universe.symbols().empty()) universe.Poll(/*force=*/true);
    if (auto end = session.Subscribe(stop, "subscribe", universe.symbols())) return *end;
    subscribed = universe.symbols();
    policy.Reset();
    const Timestamp now = Now();
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
              {{"url", config.stream_url + "/v2/" + config.feed},
               {"symbols", static_cast<int64_t>(subscribed.size())}});
    gaps.OnSubscribed(now.nanos(), config.backfill);
    while (!stop.load()) {
      if (auto end = session.Pump(100ms)) return *end;
      const Timestamp t = Now();
      producer.Serve();
      Heartbeat(t);
      if (auto gap = gaps.TakeDue(t.nanos())) {
        backfill.Run(*gap, subscribed, [this](std::string_view m) { return ForwardRest(m); });
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
      if (universe.PollDue()) {
        universe.Poll(/*force=*/false);
        if (auto end = Resubscribe(stop)) return *end;
      }
    }
    return SessionEnd{Disconnect::kStopping, "", "stopping"};
  }

  // Applies a changed universe to the open connection.
  std::optional<SessionEnd> Resubscribe(const std::atomic<bool>& stop) {
    const std::vector<std::string>& wanted = universe.symbols();
    if (wanted == subscribed) return std::nullopt;
    std::vector<std::string> added, removed;
    std::set_difference(wanted.begin(), wanted.end(), subscribed.begin(), subscribed.end(),
                        std::back_inserter(added));
    std::set_difference(subscribed.begin(), subscribed.end(), wanted.begin(), wanted.end(),
                        std::back_inserter(removed));
    log::Info("ws", "universe changed",
              {{"added", static_cast<int64_t>(added.size())},
               {"removed", static_cast<int64_t>(removed.size())}});
    if (!removed.empty()) {
      if (auto end = session.Subscribe(stop, "unsubscribe", removed)) return end;
    }
    if (!added.empty()) {
      if (auto end = session.Subscribe(stop, "subscribe", added)) return end;
    }
    subscribed = wanted;
    return std::nullopt;
  }

  // The status heartbeat (SPEC §2), every heartbeat_ms.
  void Heartbeat(Timestamp now) {
    if (now.nanos() < next_heartbeat_ns) return;
    next_heartbeat_ns = now.nanos() + config.heartbeat_ms * kNanosPerMilli;
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
    producer.Produce(&config.topics.status, config.status_key, std::move(json));
  }

  // Waits `ms` before the next attempt, keeping the bus served and heartbeats going.
  void Wait(const std::atomic<bool>& stop, int64_t ms) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!stop.load() && std::chrono::steady_clock::now() < until) {
      producer.Serve();
      Heartbeat(Now());
      producer.Poll(50ms);  // doubles as the wait's tick
    }
  }

  Status Run(const std::atomic<bool>& stop) {
    for (const std::string* t : {&config.topics.trades, &config.topics.quotes,
                                 &config.topics.bars_1m, &config.topics.status}) {
      if (Status s = bus->EnsureTopic(*t, config.topic_partitions); !s.ok()) return s;
    }
    TORGHUT_RETURN_IF_ERROR(
        producer.Open([this](bus::ProducerOptions o) { return bus->NewProducer(std::move(o)); }));
    universe.Poll(/*force=*/true);
    while (!stop.load()) {
      SessionEnd end = Session(stop);
      session.Close(500ms);
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
    if (const int64_t lost = producer.Drain(10s); lost > 0) {
      log::Error("ws", "stopped with undelivered messages", {{"messages", lost}});
    }
    log::Info("ws", "stopped");
    return Status::Ok();
  }

  ForwarderConfig config;
  bus::Bus* bus;
  const Clock* clock;
  ReconnectPolicy policy;
  DedupWindow dedup;
  StalenessWatchdog watchdog;
  SymbolTable symbols;
  alpaca::FrameDecoder decoder{&symbols, /*capture_raw_json=*/true};
  alpaca::FrameDecoder rest_decoder{&symbols, /*capture_raw_json=*/true};
  alpaca::MessageBatch batch, rest_batch;
  alpaca::EnvelopeSequencer sequencer;
  std::unordered_map<SymbolId, int64_t> status_seq;
  int64_t heartbeat_seq = 0, next_heartbeat_ns = 0, parse_failures_logged = 0;
  Universe universe;
  std::vector<std::string> subscribed;  // what the open connection is subscribed to
  RetryingProducer producer;
  GapTracker gaps;
  Backfill backfill;
  AlpacaSession session;

  mutable std::mutex health_mu;
  ForwarderHealth health;

  http::Histogram* lag;
  http::Counter *reconnects, *dedup_drops, *parse_failures, *unknown_types;
  std::array<http::Counter*, static_cast<size_t>(MessageType::kCount)> by_type{};
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
