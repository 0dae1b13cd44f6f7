#include "torghut/sim/broker_stream.h"

#include "torghut/alpaca/msgpack_json.h"
#include "torghut/sim/broker_json.h"

namespace torghut::sim {

namespace {

std::string Frame(std::string_view stream, Json data) {
  Json j;
  j["stream"] = std::string(stream);
  j["data"] = std::move(data);
  return j.dump();
}

std::string ErrorFrame(std::string_view message) {
  Json j;
  j["action"] = "error";
  j["data"]["error_message"] = std::string(message);
  return j.dump();
}

}  // namespace

struct BrokerStream::Connection {
  uint64_t id = 0;
  std::shared_ptr<http::WebSocketPeer> peer;
  bool msgpack = false;
  bool authenticated = false;
  bool listening = false;
  bool closed = false;
};

BrokerStream::BrokerStream(const MarketServerOptions& options, BrokerAccount* account,
                           Faults* faults)
    : options_(options) {
  account->OnUpdates([this](const std::vector<broker::TradeUpdate>& u) { Publish(u); });
  faults->AddSwitches({{"trade_updates_drop", FaultValue::kFlag}}, [this](const nlohmann::json& f) {
    std::lock_guard lock(mu_);
    cutting_ = f.value("trade_updates_drop", false);
    if (!cutting_) return;
    for (auto& [id, c] : connections_) {
      c->closed = true;
      c->peer->Drop();
    }
  });
  faults->AddStatus([this](nlohmann::json* status) { WriteStatus(status); });
}

void BrokerStream::Register(http::Router& router) {
  router.WebSocketAt("/stream",
                     [this](const http::Request& r, std::shared_ptr<http::WebSocketPeer> peer) {
                       return Accept(r, std::move(peer));
                     });
}

http::WebSocketCallbacks BrokerStream::Accept(const http::Request& upgrade,
                                              std::shared_ptr<http::WebSocketPeer> peer) {
  auto conn = std::make_shared<Connection>();
  conn->peer = std::move(peer);
  conn->msgpack = upgrade.Header("content-type").find("application/msgpack") != std::string::npos;
  http::WebSocketCallbacks cb;
  cb.on_open = [this, conn] {
    std::lock_guard lock(mu_);
    conn->id = ++next_id_;
    connections_[conn->id] = conn;
    if (cutting_) {  // the stream is down until the fault is cleared
      conn->closed = true;
      conn->peer->Drop();
    }
  };
  cb.on_text = [this, conn](std::string_view text) {
    std::lock_guard lock(mu_);
    OnMessage(*conn, text);
  };
  cb.on_binary = [this, conn](std::string_view bytes) {
    std::lock_guard lock(mu_);
    // JSON in a binary frame (some clients send that) stays JSON; anything else is msgpack.
    if (!bytes.empty() && (bytes.front() == '{' || bytes.front() == '[')) {
      return OnMessage(*conn, bytes);
    }
    conn->msgpack = true;
    Result<std::string> json = alpaca::MsgpackToJson(bytes);
    if (!json.ok()) return SendFrame(*conn, ErrorFrame("invalid syntax"));
    OnMessage(*conn, *json);
  };
  cb.on_closed = [this, conn] {
    std::lock_guard lock(mu_);
    conn->closed = true;
    connections_.erase(conn->id);
  };
  return cb;
}

void BrokerStream::SendFrame(Connection& c, const std::string& json) {
  if (c.closed) return;
  if (!c.msgpack) return c.peer->Send(json);
  std::string bytes;
  if (alpaca::JsonToMsgpack(json, &bytes).ok()) c.peer->SendBinary(std::move(bytes));
}

void BrokerStream::OnMessage(Connection& c, std::string_view text) {
  const nlohmann::json msg = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!msg.is_object() || !msg.contains("action") || !msg["action"].is_string()) {
    return SendFrame(c, ErrorFrame("invalid syntax"));
  }
  const std::string action = msg["action"].get<std::string>();
  const nlohmann::json data = msg.value("data", nlohmann::json::object());
  if (action == "authenticate" || action == "auth") {
    const bool ok = data.is_object() && data.value("key_id", "") == options_.key_id &&
                    data.value("secret_key", "") == options_.secret_key;
    Json reply;
    reply["action"] = "authenticate";
    reply["status"] = ok ? "authorized" : "unauthorized";
    SendFrame(c, Frame("authorization", std::move(reply)));
    c.authenticated = ok;
    if (!ok) {
      c.closed = true;
      c.peer->Close("unauthorized");
    }
    return;
  }
  if (action == "listen") {
    if (!c.authenticated) {
      Json reply;
      reply["action"] = "listen";
      reply["status"] = "unauthorized";
      return SendFrame(c, Frame("authorization", std::move(reply)));
    }
    Json streams = Json::array();
    c.listening = false;
    if (data.is_object() && data.contains("streams") && data["streams"].is_array()) {
      for (const auto& s : data["streams"]) {
        if (s == "trade_updates") {
          c.listening = true;
          streams.push_back("trade_updates");
        }
      }
    }
    Json reply;
    reply["streams"] = std::move(streams);
    return SendFrame(c, Frame("listening", std::move(reply)));
  }
  SendFrame(c, ErrorFrame("unrecognized action: " + action));
}

void BrokerStream::Publish(const std::vector<broker::TradeUpdate>& updates) {
  std::lock_guard lock(mu_);
  std::vector<std::string> frames;
  for (auto& [id, c] : connections_) {
    if (!c->listening || c->closed) continue;
    if (frames.empty()) {
      for (const broker::TradeUpdate& u : updates) frames.push_back(TradeUpdateJson(u).dump());
    }
    for (const std::string& f : frames) SendFrame(*c, f);
    sent_ += static_cast<int64_t>(frames.size());
  }
}

void BrokerStream::WriteStatus(nlohmann::json* status) const {
  std::lock_guard lock(mu_);
  nlohmann::json& j = (*status)["trade_updates"];
  int64_t listening = 0;
  for (const auto& [id, c] : connections_) listening += c->listening ? 1 : 0;
  j["connections"] = connections_.size();
  j["listening"] = listening;
  j["sent"] = sent_;
}

}  // namespace torghut::sim
