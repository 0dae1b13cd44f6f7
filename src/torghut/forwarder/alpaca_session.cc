#include "torghut/forwarder/alpaca_session.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "torghut/alpaca/stream_errors.h"
#include "torghut/core/json_text.h"
#include "torghut/core/log.h"

namespace torghut::forwarder {

using alpaca::Channel;
using alpaca::ControlMessage;
using namespace std::chrono_literals;

std::string ErrorClassFor(int64_t code) {
  namespace e = alpaca::stream_error;
  switch (code) {
    case e::kAuthFailed:
      return "alpaca_auth";
    case e::kAuthTimeout:
      return "alpaca_auth_timeout";
    case e::kSymbolLimitExceeded:
      return "alpaca_symbol_limit";
    case e::kConnectionLimitExceeded:
      return "alpaca_406_second_connection";
    case e::kSlowClient:
      return "alpaca_slow_client";
    case e::kInsufficientSubscription:
      return "alpaca_insufficient_subscription";
    case e::kInvalidSubscribeAction:
      return "alpaca_invalid_subscribe";
    case e::kInsufficientScope:
      return "alpaca_insufficient_scope";
    case e::kInternalError:
      return "alpaca_internal_error";
    default:
      return "alpaca_protocol";
  }
}

StreamErrorEffect EffectOf(const ControlMessage& c) {
  StreamErrorEffect out;
  out.error_class = ErrorClassFor(c.code);
  out.reason = fmt::format("{} {}", c.code, c.message);
  switch (c.error_class) {
    case alpaca::ErrorClass::kConfiguration:
      out.end = SessionEnd{Disconnect::kConfiguration, out.error_class, out.reason};
      break;
    case alpaca::ErrorClass::kConnectionLimit:
      out.end = SessionEnd{Disconnect::kConnectionLimit, out.error_class, out.reason};
      break;
    case alpaca::ErrorClass::kSymbolLimit:
      // The server kept the previous subscription; asking again would fail the same way.
      out.subscription_unchanged = true;
      out.reason += ": subscription unchanged";
      break;
    case alpaca::ErrorClass::kProtocol:
      // Invalid syntax or already authenticated: our mistake, logged; the session is fine.
      if (c.code == alpaca::stream_error::kInvalidSyntax ||
          c.code == alpaca::stream_error::kAlreadyAuthenticated) {
        break;
      }
      [[fallthrough]];
    default:
      out.end = SessionEnd{Disconnect::kNetwork, out.error_class, out.reason};
      break;
  }
  return out;
}

std::string SubscribeMessage(std::string_view action, const std::vector<std::string>& symbols,
                             const std::vector<Channel>& channels) {
  std::string list = "[";
  for (size_t i = 0; i < symbols.size(); ++i) {
    if (i > 0) list += ',';
    AppendJsonString(symbols[i], &list);
  }
  list += ']';
  std::string msg = fmt::format(R"({{"action":"{}")", action);
  for (Channel ch : channels) {
    msg += fmt::format(R"(,"{}":{})", ch == Channel::kStatus ? "statuses" : alpaca::ChannelName(ch),
                       list);
  }
  return msg + "}";
}

AlpacaSession::AlpacaSession(const ForwarderConfig& config, http::Registry* metrics, Hooks hooks)
    : config_(config), hooks_(std::move(hooks)) {
  connect_ok_ = &metrics->GetCounter("torghut_ws_connect_total", "Stream connection attempts",
                                     {{"result", "success"}});
  connect_error_ = &metrics->GetCounter("torghut_ws_connect_total", "Stream connection attempts",
                                        {{"result", "error"}});
}

std::optional<SessionEnd> AlpacaSession::Open(const std::atomic<bool>& stop) {
  const std::string url = config_.stream_url + "/v2/" + config_.feed;
  http::WebSocketClientOptions o;
  o.ca_file = config_.ca_file;
  backlog_.clear();
  if (Status s = ws_.Connect(url, o); !s.ok()) {
    connect_error_->Inc();
    return SessionEnd{Disconnect::kNetwork, "alpaca_connect", s.message()};
  }
  ControlMessage c;
  Status s = ReadControl(stop, config_.auth_timeout_ms, &c);
  if (!s.ok() || c.kind != ControlMessage::Kind::kConnected) {
    connect_error_->Inc();
    return SessionEnd{Disconnect::kNetwork, "alpaca_protocol",
                      s.ok() ? "no greeting" : "greeting: " + s.message()};
  }
  s = ws_.Write(
      nlohmann::json{{"action", "auth"}, {"key", config_.key_id}, {"secret", config_.secret_key}}
          .dump());
  while (s.ok()) {
    s = ReadControl(stop, config_.auth_timeout_ms, &c);
    if (!s.ok()) break;
    if (c.kind == ControlMessage::Kind::kAuthenticated) break;
    if (c.kind == ControlMessage::Kind::kError) {
      connect_error_->Inc();
      if (auto end = OnError(c)) return end;
    }
  }
  if (!s.ok()) {
    connect_error_->Inc();
    return SessionEnd{Disconnect::kNetwork, "alpaca_auth_timeout", "auth: " + s.message()};
  }
  connect_ok_->Inc();
  return std::nullopt;
}

std::optional<SessionEnd> AlpacaSession::Subscribe(const std::atomic<bool>& stop,
                                                   std::string_view action,
                                                   const std::vector<std::string>& symbols) {
  const size_t chunk_size = config_.subscribe_chunk;
  for (size_t at = 0; at < symbols.size(); at += chunk_size) {
    const std::vector<std::string> chunk(
        symbols.begin() + static_cast<ptrdiff_t>(at),
        symbols.begin() + static_cast<ptrdiff_t>(std::min(symbols.size(), at + chunk_size)));
    if (Status s = ws_.Write(SubscribeMessage(action, chunk, config_.channels)); !s.ok()) {
      return SessionEnd{Disconnect::kNetwork, "", s.message()};
    }
    while (true) {
      ControlMessage c;
      Status s = ReadControl(stop, config_.auth_timeout_ms, &c);
      if (!s.ok()) return SessionEnd{Disconnect::kNetwork, "", "subscribe: " + s.message()};
      if (c.kind == ControlMessage::Kind::kSubscription) break;
      if (c.kind == ControlMessage::Kind::kError) {
        if (auto end = OnError(c)) return end;
        break;  // 405 and the like: this chunk is answered
      }
    }
  }
  return std::nullopt;
}

std::optional<SessionEnd> AlpacaSession::Pump(std::chrono::milliseconds timeout) {
  Status r = ws_.Read(&frame_, timeout);
  if (r.ok()) {
    controls_.clear();
    hooks_.on_frame(frame_, &controls_);
    for (const ControlMessage& c : controls_) {
      if (c.kind != ControlMessage::Kind::kError) continue;
      if (auto end = OnError(c)) return end;
    }
  } else if (r.code() != StatusCode::kDeadlineExceeded) {
    return SessionEnd{Disconnect::kNetwork, "", r.message()};
  }
  return std::nullopt;
}

void AlpacaSession::Close(std::chrono::milliseconds timeout) {
  ws_.Close(timeout);
}

Status AlpacaSession::ReadControl(const std::atomic<bool>& stop, int64_t timeout_ms,
                                  ControlMessage* out) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::vector<ControlMessage> controls;
  while (!stop.load()) {
    if (!backlog_.empty()) {
      *out = std::move(backlog_.front());
      backlog_.pop_front();
      return Status::Ok();
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return DeadlineExceeded("no answer from the stream in time");
    Status s = ws_.Read(&frame_, std::min<std::chrono::milliseconds>(left, 100ms));
    if (hooks_.on_wait) hooks_.on_wait();
    if (s.code() == StatusCode::kDeadlineExceeded) continue;
    if (!s.ok()) return s;
    controls.clear();
    hooks_.on_frame(frame_, &controls);
    for (auto& c : controls) backlog_.push_back(std::move(c));
  }
  return Aborted("stopping");
}

std::optional<SessionEnd> AlpacaSession::OnError(const ControlMessage& c) {
  StreamErrorEffect effect = EffectOf(c);
  log::Error("ws", "stream error",
             {{"code", c.code}, {"msg", c.message}, {"error_class", effect.error_class}});
  if (effect.subscription_unchanged && hooks_.on_degraded) hooks_.on_degraded(effect);
  return std::move(effect.end);
}

}  // namespace torghut::forwarder
