#include "torghut/broker/alpaca/trade_updates.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "torghut/broker/alpaca/alpaca_broker.h"
#include "torghut/broker/alpaca/internal/json_value.h"
#include "torghut/broker/alpaca/internal/order_json.h"
#include "torghut/core/json_text.h"
#include "torghut/core/log.h"
#include "torghut/http/websocket_client.h"

namespace torghut::broker {

using internal::FieldReader;
using internal::JsonValue;

namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr std::string_view kStream = "trade_updates";

const JsonValue& DataOf(const JsonValue& message) {
  static const JsonValue kNull;
  const JsonValue* d = message.Find("data");
  return d != nullptr ? *d : kNull;
}

Status ParseTradeUpdate(const JsonValue& data, TradeUpdate* u) {
  FieldReader d(data, "trade_updates.data");
  u->event = d.String("event");
  u->execution_id = d.OptString("execution_id").value_or("");
  u->price = d.OptDec("price");
  u->qty = d.OptDec("qty");
  u->position_qty = d.OptDec("position_qty");
  std::optional<int64_t> at = d.OptTime("timestamp");
  if (!at) at = d.OptTime("at");
  const JsonValue* order = d.Get("order");
  if (order == nullptr && d.status().ok()) d.Fail("order", "missing");
  TORGHUT_RETURN_IF_ERROR(d.status());
  TORGHUT_ASSIGN_OR_RETURN(u->order, internal::OrderFromJson(*order, "trade_updates.data.order"));
  u->timestamp = at.value_or(u->order.updated_at);
  return Status::Ok();
}

Status ParseMessage(const JsonValue& m, StreamMessage* out) {
  FieldReader f(m, "stream message");
  out->stream = f.OptString("stream").value_or("");
  TORGHUT_RETURN_IF_ERROR(f.status());
  const JsonValue& data = DataOf(m);
  if (out->stream == "authorization") {
    out->kind = StreamMessage::Kind::kAuthorization;
    FieldReader d(data, "authorization.data");
    out->authorized = d.String("status") == "authorized";
    out->message = d.OptString("message").value_or("");
    return d.status();
  }
  if (out->stream == "listening") {
    out->kind = StreamMessage::Kind::kListening;
    FieldReader d(data, "listening.data");
    const JsonValue* streams = d.Get("streams");
    if (streams != nullptr && !streams->is_null()) {
      if (!streams->is_array()) return DataLoss("listening.data.streams: not an array");
      for (const JsonValue& s : streams->items) {
        if (s.type != JsonValue::Type::kString) {
          return DataLoss("listening.data.streams: not an array of strings");
        }
        out->streams.push_back(s.text);
      }
    }
    return d.status();
  }
  if (out->stream == kStream) {
    out->kind = StreamMessage::Kind::kTradeUpdate;
    return ParseTradeUpdate(data, &out->update);
  }
  out->kind = StreamMessage::Kind::kOther;
  return Status::Ok();
}

// Replaces the keys in a message that came from elsewhere (a server's error text).
std::string Scrub(std::string text, const TradeUpdatesOptions& o) {
  for (const std::string* secret : {&o.key_id, &o.secret_key}) {
    if (secret->size() < 4) continue;
    for (size_t at = text.find(*secret); at != std::string::npos; at = text.find(*secret, at)) {
      text.replace(at, secret->size(), "***");
    }
  }
  return text;
}

Status Scrubbed(const Status& s, const TradeUpdatesOptions& o) {
  return s.ok() ? s : Status(s.code(), Scrub("trade_updates: " + s.message(), o));
}

}  // namespace

Result<std::vector<StreamMessage>> ParseTradeStreamFrame(std::string_view frame) {
  TORGHUT_ASSIGN_OR_RETURN(JsonValue doc, internal::ParseJson(frame));
  std::vector<StreamMessage> out;
  if (!doc.is_array()) {
    StreamMessage msg;
    TORGHUT_RETURN_IF_ERROR(ParseMessage(doc, &msg));
    out.push_back(std::move(msg));
    return out;
  }
  for (const JsonValue& m : doc.items) {
    StreamMessage msg;
    TORGHUT_RETURN_IF_ERROR(ParseMessage(m, &msg));
    out.push_back(std::move(msg));
  }
  return out;
}

std::string TradeStreamAuthMessage(std::string_view key_id, std::string_view secret_key) {
  std::string out = R"({"action":"authenticate","data":{"key_id":)";
  AppendJsonString(key_id, &out);
  out += R"(,"secret_key":)";
  AppendJsonString(secret_key, &out);
  out += "}}";
  return out;
}

std::string TradeStreamListenMessage() {
  return R"({"action":"listen","data":{"streams":["trade_updates"]}})";
}

TradeUpdatesClient::TradeUpdatesClient(TradeUpdatesOptions options, TradeUpdatesHooks hooks)
    : options_(std::move(options)), hooks_(std::move(hooks)) {}

TradeUpdatesStats TradeUpdatesClient::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

namespace {

// One connection's conversation; the client's stats and hooks are updated as it goes.
class Session {
 public:
  Session(const TradeUpdatesOptions& o, const TradeUpdatesHooks& hooks, std::mutex& mu,
          TradeUpdatesStats& stats)
      : o_(o), hooks_(hooks), mu_(mu), stats_(stats) {}

  Status Run(const std::atomic<bool>& stop) {
    http::WebSocketClientOptions wo;
    wo.connect_timeout = o_.connect_timeout;
    wo.ca_file = o_.ca_file;
    wo.binary_frames = true;  // Alpaca's paper stream sends its JSON in binary frames
    TORGHUT_RETURN_IF_ERROR(ws_.Connect(o_.url, wo));
    TORGHUT_RETURN_IF_ERROR(ws_.Write(TradeStreamAuthMessage(o_.key_id, o_.secret_key)));
    StreamMessage answer;
    TORGHUT_RETURN_IF_ERROR(Await(StreamMessage::Kind::kAuthorization, stop, &answer));
    if (!answer.authorized) {
      return Unauthenticated(answer.message.empty() ? "the key was refused"
                                                    : "the key was refused: " + answer.message);
    }
    TORGHUT_RETURN_IF_ERROR(ws_.Write(TradeStreamListenMessage()));
    TORGHUT_RETURN_IF_ERROR(Await(StreamMessage::Kind::kListening, stop, &answer));
    if (std::find(answer.streams.begin(), answer.streams.end(), kStream) == answer.streams.end()) {
      return PermissionDenied("listening, but not to trade_updates (not granted to this key)");
    }
    {
      std::lock_guard lock(mu_);
      stats_.connected = true;
      ++stats_.sessions;
      stats_.error_class.clear();
    }
    log::Info("trade_updates", "listening", {{"url", o_.url}});
    if (hooks_.on_connected) hooks_.on_connected();
    while (!stop.load()) {
      Status s = ws_.Read(&frame_, o_.poll);
      if (s.code() == StatusCode::kDeadlineExceeded) continue;
      TORGHUT_RETURN_IF_ERROR(s);
      Handle(nullptr, StreamMessage::Kind::kOther);
    }
    ws_.Close(o_.poll);
    return Status::Ok();
  }

 private:
  // Reads frames until a message of `kind` (into *out), delivering trade updates on the way.
  Status Await(StreamMessage::Kind kind, const std::atomic<bool>& stop, StreamMessage* out) {
    const auto deadline = SteadyClock::now() + o_.auth_timeout;
    while (!stop.load()) {
      const auto now = SteadyClock::now();
      if (now >= deadline) {
        return DeadlineExceeded(
            fmt::format("no {} answer within {} ms",
                        kind == StreamMessage::Kind::kAuthorization ? "authorization" : "listening",
                        o_.auth_timeout.count()));
      }
      const auto wait = std::min<SteadyClock::duration>(o_.poll, deadline - now);
      Status s = ws_.Read(&frame_, std::chrono::duration_cast<std::chrono::milliseconds>(wait));
      if (s.code() == StatusCode::kDeadlineExceeded) continue;
      TORGHUT_RETURN_IF_ERROR(s);
      if (Handle(out, kind)) return Status::Ok();
    }
    return Aborted("stopped");
  }

  // Parses frame_; delivers trade updates; true when a message of `kind` was found (into *out).
  bool Handle(StreamMessage* out, StreamMessage::Kind kind) {
    Result<std::vector<StreamMessage>> messages = ParseTradeStreamFrame(frame_);
    if (!messages.ok()) {
      {
        std::lock_guard lock(mu_);
        ++stats_.bad_frames;
      }
      log::Warn("trade_updates", "frame skipped",
                {{"error", messages.status().message()}, {"bytes", frame_.size()}});
      return false;
    }
    bool found = false;
    for (StreamMessage& m : *messages) {
      if (m.kind == StreamMessage::Kind::kTradeUpdate) {
        {
          std::lock_guard lock(mu_);
          ++stats_.updates;
        }
        if (hooks_.on_update) hooks_.on_update(m.update);
      } else if (out != nullptr && !found && m.kind == kind) {
        *out = std::move(m);
        found = true;
      }
    }
    return found;
  }

  const TradeUpdatesOptions& o_;
  const TradeUpdatesHooks& hooks_;
  std::mutex& mu_;
  TradeUpdatesStats& stats_;
  http::WebSocketClient ws_;
  std::string frame_;
};

}  // namespace

Status TradeUpdatesClient::RunSession(const std::atomic<bool>& stop) {
  Session session(options_, hooks_, mu_, stats_);
  Status s = session.Run(stop);
  if (stop.load() && s.code() == StatusCode::kAborted) s = Status::Ok();
  s = Scrubbed(s, options_);
  Ended(s);
  return s;
}

void TradeUpdatesClient::Ended(const Status& why) {
  std::lock_guard lock(mu_);
  stats_.connected = false;
  if (why.ok()) return;
  ++stats_.disconnects;
  stats_.error_class = std::string(AlpacaErrorClass(why));
  stats_.last_error = why.message();
}

void TradeUpdatesClient::Run(const std::atomic<bool>& stop) {
  int64_t backoff_ms = options_.initial_backoff_ms;
  while (!stop.load()) {
    const int64_t sessions_before = stats().sessions;
    const Status why = RunSession(stop);
    if (stop.load()) break;
    if (stats().sessions > sessions_before) backoff_ms = options_.initial_backoff_ms;
    // A refused key stays refused until someone rotates it: ask slowly.
    const bool key_problem =
        why.code() == StatusCode::kUnauthenticated || why.code() == StatusCode::kPermissionDenied;
    const int64_t wait_ms = key_problem ? options_.max_backoff_ms : backoff_ms;
    backoff_ms = std::min(std::max<int64_t>(backoff_ms, 1) * 2, options_.max_backoff_ms);
    log::Warn("trade_updates", "disconnected", {{"error", why.message()}, {"backoff_ms", wait_ms}});
    if (hooks_.on_disconnected) hooks_.on_disconnected(why, wait_ms);
    const auto until = SteadyClock::now() + std::chrono::milliseconds(wait_ms);
    while (!stop.load() && SteadyClock::now() < until) {
      // The backoff, cut into polls so that a stop is seen within one.
      std::this_thread::sleep_for(
          std::min<SteadyClock::duration>(options_.poll, until - SteadyClock::now()));
    }
  }
}

}  // namespace torghut::broker
