// One connection to the Alpaca market-data stream (SPEC §2), as the forwarder drives it: connect
// (TLS verified for wss://), the greeting, auth within the timeout, (un)subscriptions in chunks
// each answered by the server's whole set, then frames — and what each stream error means for the
// session.
//
//   forwarder::AlpacaSession session(config, &metrics, {
//       .on_frame = [&](std::string_view frame, std::vector<alpaca::ControlMessage>* controls) {
//         /* decode, forward the data, append the control messages */ },
//       .on_wait = [&] { producer.Serve(); },
//       .on_degraded = [&](const forwarder::StreamErrorEffect& e) { /* 405: readiness */ }});
//   std::optional<forwarder::SessionEnd> end = session.Open(stop);          // authenticated?
//   if (!end) end = session.Subscribe(stop, "subscribe", symbols);
//   while (!end && !stop) end = session.Pump(100ms);                        // frame by frame
//   session.Close(500ms);
//
// Data frames that arrive while waiting for an answer go to on_frame like any other. Counts
// torghut_ws_connect_total{result}. Not thread-safe: one session thread owns it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/alpaca/frame_decoder.h"
#include "torghut/forwarder/forwarder_config.h"
#include "torghut/forwarder/reconnect_policy.h"
#include "torghut/http/metrics.h"
#include "torghut/http/websocket_client.h"

namespace torghut::forwarder {

// How a session ended, which decides the wait before the next one (reconnect_policy.h) and what
// readiness reports.
struct SessionEnd {
  Disconnect why = Disconnect::kNetwork;
  std::string error_class;  // readiness' error_class ("" = a plain network fault)
  std::string reason;
};

// The readiness class the forwarder reports for a stream error code: "alpaca_auth",
// "alpaca_406_second_connection", …, "alpaca_protocol" for any other code.
std::string ErrorClassFor(int64_t code);

// What a stream error does to the session.
struct StreamErrorEffect {
  std::optional<SessionEnd> end;        // nullopt: the session carries on
  bool subscription_unchanged = false;  // 405: the server kept the previous subscription
  std::string error_class;              // ErrorClassFor(code)
  std::string reason;                   // e.g. "405 symbol limit exceeded: subscription unchanged"
};
StreamErrorEffect EffectOf(const alpaca::ControlMessage& error);

// {"action":…,"trades":[…],"quotes":[…],…}: `symbols` on every channel of `channels`.
std::string SubscribeMessage(std::string_view action, const std::vector<std::string>& symbols,
                             const std::vector<alpaca::Channel>& channels);

class AlpacaSession {
 public:
  struct Hooks {
    // Decodes and forwards a frame; appends its control messages to *controls.
    std::function<void(std::string_view frame, std::vector<alpaca::ControlMessage>* controls)>
        on_frame;
    // Runs after each read while waiting for an answer.
    std::function<void()> on_wait;
    // A stream error that leaves the session open but degraded (405).
    std::function<void(const StreamErrorEffect&)> on_degraded;
  };

  // `config` and `metrics` must outlive this.
  AlpacaSession(const ForwarderConfig& config, http::Registry* metrics, Hooks hooks);

  // Connects to config.stream_url + "/v2/" + feed, reads the greeting and authenticates: nullopt
  // once authenticated, else how the attempt ended.
  std::optional<SessionEnd> Open(const std::atomic<bool>& stop);
  // Sends `action` ("subscribe" / "unsubscribe") for `symbols` in chunks of
  // config.subscribe_chunk, each answered by the server's whole set or an error: nullopt when the
  // session carries on.
  std::optional<SessionEnd> Subscribe(const std::atomic<bool>& stop, std::string_view action,
                                      const std::vector<std::string>& symbols);
  // Reads one frame (waiting up to `timeout`) into on_frame: nullopt when the session carries on
  // (a frame was handled, or none came yet).
  std::optional<SessionEnd> Pump(std::chrono::milliseconds timeout);
  void Close(std::chrono::milliseconds timeout);

 private:
  Status ReadControl(const std::atomic<bool>& stop, int64_t timeout_ms,
                     alpaca::ControlMessage* out);
  std::optional<SessionEnd> OnError(const alpaca::ControlMessage& c);

  const ForwarderConfig& config_;
  Hooks hooks_;
  http::WebSocketClient ws_;
  // Control messages read with data while waiting for another answer, served first.
  std::deque<alpaca::ControlMessage> backlog_;
  std::string frame_;
  std::vector<alpaca::ControlMessage> controls_;
  http::Counter *connect_ok_, *connect_error_;
};

}  // namespace torghut::forwarder
