#include "torghut/sim/market_stream.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "torghut/alpaca/msgpack_json.h"
#include "torghut/alpaca/stream_errors.h"
#include "torghut/core/json_text.h"

namespace torghut::sim {

namespace {

using alpaca::Channel;
namespace code = alpaca::stream_error;

// Subscription keys, indexed by alpaca::Channel.
constexpr std::array<std::string_view, 9> kSubscriptionKeys = {
    "trades",   "quotes", "bars",        "updatedBars", "dailyBars",
    "statuses", "lulds",  "corrections", "cancelErrors"};
// The channels a client names in subscribe/unsubscribe (corrections and cancelErrors follow
// trades).
constexpr std::array<Channel, 7> kSubscribable = {
    Channel::kTrades,    Channel::kQuotes, Channel::kBars, Channel::kUpdatedBars,
    Channel::kDailyBars, Channel::kStatus, Channel::kLulds};

// [{"T":"error","code":N,"msg":…}] with Alpaca's text ("internal error" for a code it lacks).
std::string ErrorFrame(int code) {
  const alpaca::StreamError* e = alpaca::FindStreamError(code);
  return fmt::format(R"([{{"T":"error","code":{},"msg":"{}"}}])", code,
                     e != nullptr ? e->message : std::string_view("internal error"));
}

}  // namespace

bool IsKnownFeed(std::string_view feed) {
  return feed == "iex" || feed == "sip" || feed == "delayed_sip" || feed == "test" || feed == "otc";
}

struct MarketStream::Connection {
  uint64_t id = 0;
  std::shared_ptr<http::WebSocketPeer> peer;
  std::string feed;
  int64_t opened_ms = 0;
  bool authenticated = false;
  bool closed = false;
  bool msgpack = false;  // frames both ways are msgpack
  std::string key;
  Subscriptions subs;

  bool Subscribed(Channel c, std::string_view symbol) const {
    const auto& s = subs[static_cast<size_t>(c)];
    return s.count("*") != 0 || s.count(symbol) != 0;
  }

  // Distinct symbols over the channels a client names (the symbol limit counts these).
  static size_t SymbolCount(const Subscriptions& subs) {
    std::set<std::string_view> all;
    for (Channel c : kSubscribable) {
      for (const std::string& s : subs[static_cast<size_t>(c)]) all.insert(s);
    }
    return all.size();
  }

  std::string SubscriptionFrame() const {
    std::string out = R"([{"T":"subscription")";
    for (size_t c = 0; c < kChannels; ++c) {
      out += ",\"";
      out += kSubscriptionKeys[c];
      out += "\":[";
      bool first = true;
      for (const std::string& s : subs[c]) {
        if (!first) out += ',';
        first = false;
        AppendJsonString(s, &out);
      }
      out += ']';
    }
    out += "}]";
    return out;
  }
};

MarketStream::MarketStream(const MarketServerOptions& options, MarketClock* market, Faults* faults,
                           const Clock* clock)
    : options_(options), clock_(clock) {
  market->OnRelease(
      [this](std::vector<MarketItem>& due, const ReleaseTick& tick) { Release(due, tick); });
  faults->AddSwitches({{"drop", FaultValue::kFlag},
                       {"silent_ms", FaultValue::kCount},
                       {"malformed", FaultValue::kCount},
                       {"error", FaultValue::kCount}},
                      [this](const nlohmann::json& f) { ApplyFaults(f); });
  faults->AddStatus([this](nlohmann::json* status) { WriteStatus(status); });
}

MarketStream::~MarketStream() {
  if (record_ != nullptr) std::fclose(record_);
}

void MarketStream::Register(http::Router& router) {
  // One exact route per feed: any other /v2/... path stays a plain 404, never an upgrade demand.
  std::vector<std::string> feeds = {"iex", "sip", "delayed_sip", "test", "otc"};
  if (std::find(feeds.begin(), feeds.end(), options_.feed) == feeds.end()) {
    feeds.push_back(options_.feed);
  }
  for (const std::string& feed : feeds) {
    router.WebSocketAt(
        "/v2/" + feed,
        [this](const http::Request& r, std::shared_ptr<http::WebSocketPeer> peer) {
          return Accept(r, std::move(peer));
        },
        "/v2/{feed}");
  }
}

Status MarketStream::Start() {
  if (options_.record_sent.empty() || record_ != nullptr) return Status::Ok();
  record_ = std::fopen(options_.record_sent.c_str(), "a");
  if (record_ == nullptr) {
    return InvalidArgument(fmt::format("{}: cannot open for appending", options_.record_sent));
  }
  return Status::Ok();
}

bool MarketStream::AnySubscriber() const {
  std::lock_guard lock(mu_);
  for (const auto& [id, c] : connections_) {
    for (const auto& set : c->subs) {
      if (!set.empty()) return true;
    }
  }
  return false;
}

void MarketStream::Counts(int64_t* sent, int64_t* connections, int64_t* authenticated) const {
  std::lock_guard lock(mu_);
  *sent = sent_;
  *connections = static_cast<int64_t>(connections_.size());
  *authenticated = 0;
  for (const auto& [id, c] : connections_) *authenticated += c->authenticated ? 1 : 0;
}

http::WebSocketCallbacks MarketStream::Accept(const http::Request& upgrade,
                                              std::shared_ptr<http::WebSocketPeer> peer) {
  http::WebSocketCallbacks cb;
  const std::string feed = upgrade.path.substr(4);  // after "/v2/"
  if (!IsKnownFeed(feed) && feed != options_.feed) {
    cb.reject = http::Response::Error(404, "no stream at " + upgrade.path);
    return cb;
  }
  auto conn = std::make_shared<Connection>();
  conn->peer = peer;
  conn->feed = feed;
  conn->opened_ms = clock_->NowMillis();
  conn->msgpack = upgrade.Header("content-type").find("application/msgpack") != std::string::npos;
  const std::string header_key(upgrade.Header("apca-api-key-id"));
  const std::string header_secret(upgrade.Header("apca-api-secret-key"));
  cb.on_open = [this, conn, header_key, header_secret] {
    std::lock_guard lock(mu_);
    conn->id = ++next_connection_id_;
    connections_[conn->id] = conn;
    SendFrame(*conn, R"([{"T":"success","msg":"connected"}])");
    if (!header_key.empty()) Authenticate(*conn, header_key, header_secret);
  };
  cb.on_text = [this, conn](std::string_view text) {
    std::lock_guard lock(mu_);
    OnText(*conn, text);
  };
  cb.on_binary = [this, conn](std::string_view bytes) {
    std::lock_guard lock(mu_);
    conn->msgpack = true;  // a binary frame: the client speaks msgpack
    Result<std::string> json = alpaca::MsgpackToJson(bytes);
    if (!json.ok()) return SendError(*conn, code::kInvalidSyntax);
    OnText(*conn, *json);
  };
  cb.on_closed = [this, conn] {
    std::lock_guard lock(mu_);
    conn->closed = true;
    connections_.erase(conn->id);
  };
  return cb;
}

void MarketStream::SendFrame(Connection& c, std::string json) {
  if (!c.msgpack) return c.peer->Send(std::move(json));
  std::string bytes;
  if (alpaca::JsonToMsgpack(json, &bytes).ok()) c.peer->SendBinary(std::move(bytes));
}

void MarketStream::SendError(Connection& c, int error) {
  if (c.closed) return;
  SendFrame(c, ErrorFrame(error));
  const alpaca::StreamError* e = alpaca::FindStreamError(error);
  if (e != nullptr && e->closes) {
    c.closed = true;  // no more data for it; on_closed removes it
    c.peer->Close();
  }
}

void MarketStream::Authenticate(Connection& c, const std::string& key, const std::string& secret) {
  if (c.authenticated) return SendError(c, code::kAlreadyAuthenticated);
  if (key != options_.key_id || secret != options_.secret_key) {
    return SendError(c, code::kAuthFailed);
  }
  for (const auto& [id, other] : connections_) {
    if (id != c.id && other->authenticated && !other->closed && other->key == key) {
      return SendError(c, code::kConnectionLimitExceeded);
    }
  }
  const auto& entitled = options_.entitled_feeds;
  if (std::find(entitled.begin(), entitled.end(), c.feed) == entitled.end()) {
    return SendError(c, code::kInsufficientSubscription);
  }
  c.authenticated = true;
  c.key = key;
  SendFrame(c, R"([{"T":"success","msg":"authenticated"}])");
}

void MarketStream::OnText(Connection& c, std::string_view text) {
  if (c.closed) return;
  nlohmann::json msg = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!msg.is_object() || !msg.contains("action") || !msg["action"].is_string()) {
    return SendError(c, code::kInvalidSyntax);
  }
  const std::string action = msg["action"].get<std::string>();
  if (action == "auth") {
    if (!msg.contains("key") || !msg["key"].is_string() || !msg.contains("secret") ||
        !msg["secret"].is_string()) {
      return SendError(c, code::kInvalidSyntax);
    }
    return Authenticate(c, msg["key"].get<std::string>(), msg["secret"].get<std::string>());
  }
  if (action != "subscribe" && action != "unsubscribe") return SendError(c, code::kInvalidSyntax);
  if (!c.authenticated) return SendError(c, code::kNotAuthenticated);
  auto next = c.subs;
  for (Channel ch : kSubscribable) {
    const std::string key(kSubscriptionKeys[static_cast<size_t>(ch)]);
    if (!msg.contains(key)) continue;
    const nlohmann::json& list = msg[key];
    if (!list.is_array()) return SendError(c, code::kInvalidSubscribeAction);
    for (const auto& s : list) {
      if (!s.is_string() || s.get<std::string>().empty()) {
        return SendError(c, code::kInvalidSubscribeAction);
      }
    }
    for (const auto& s : list) {
      std::vector<Channel> targets = {ch};
      if (ch == Channel::kTrades) {
        targets.push_back(Channel::kCorrections);
        targets.push_back(Channel::kCancelErrors);
      }
      for (Channel t : targets) {
        auto& set = next[static_cast<size_t>(t)];
        if (action == "subscribe") {
          set.insert(s.get<std::string>());
        } else {
          set.erase(s.get<std::string>());
        }
      }
    }
  }
  if (Connection::SymbolCount(next) > options_.max_symbols) {
    return SendError(c, code::kSymbolLimitExceeded);
  }
  c.subs = std::move(next);
  SendFrame(c, c.SubscriptionFrame());
}

void MarketStream::Release(std::vector<MarketItem>& due, const ReleaseTick& tick) {
  std::vector<char> sent(due.size(), 0);
  std::vector<std::string> packed;  // each item's msgpack map, made once for every msgpack client
  auto packed_item = [&](size_t i) -> const std::string& {
    if (packed.empty()) packed.resize(due.size());
    if (packed[i].empty() && !alpaca::JsonToMsgpack(due[i].json, &packed[i]).ok()) {
      packed[i] = "\xc0";  // nil: never happens for the market's own JSON
    }
    return packed[i];
  };
  std::lock_guard lock(mu_);
  std::string frame;
  std::vector<size_t> picked;
  for (auto& entry : connections_) {
    Connection* c = entry.second.get();
    if (c->closed) continue;
    if (!c->authenticated) {
      if (tick.now_ms - c->opened_ms > options_.auth_timeout_ms) SendError(*c, code::kAuthTimeout);
      continue;
    }
    if (tick.now_ms < silent_until_ms_) continue;
    if (c->peer->QueuedBytes() > options_.slow_client_bytes) {
      SendError(*c, code::kSlowClient);
      continue;
    }
    auto flush = [&] {
      if (picked.empty()) return;
      sent_ += static_cast<int64_t>(picked.size());
      frame.clear();
      if (c->msgpack) {
        alpaca::AppendMsgpackArrayHeader(picked.size(), &frame);
        for (size_t i : picked) frame += packed_item(i);
        c->peer->SendBinary(std::move(frame));
      } else {
        frame += '[';
        for (size_t k = 0; k < picked.size(); ++k) {
          if (k > 0) frame += ',';
          frame += due[picked[k]].json;
        }
        frame += ']';
        c->peer->Send(std::move(frame));
      }
      picked.clear();
    };
    for (size_t i = 0; i < due.size(); ++i) {
      const MarketItem& item = due[i];
      if (!c->Subscribed(item.channel, item.symbol)) continue;
      picked.push_back(i);
      sent[i] = 1;
      if (picked.size() == options_.max_frame_messages) flush();
    }
    flush();
  }
  if (record_ != nullptr) {
    for (size_t i = 0; i < due.size(); ++i) {
      if (!sent[i]) continue;
      std::fwrite(due[i].json.data(), 1, due[i].json.size(), record_);
      std::fputc('\n', record_);
    }
    std::fflush(record_);
  }
}

void MarketStream::ApplyFaults(const nlohmann::json& f) {
  std::lock_guard lock(mu_);
  if (f.contains("silent_ms"))
    silent_until_ms_ = clock_->NowMillis() + f["silent_ms"].get<int64_t>();
  for (auto& [id, c] : connections_) {
    if (c->closed) continue;
    for (int64_t i = 0; f.contains("malformed") && i < f["malformed"].get<int64_t>(); ++i) {
      // Alternately not JSON at all, and JSON whose message lacks its price.
      // (To a msgpack client: the same bytes in a binary frame — not msgpack of a trade either.)
      std::string junk = i % 2 == 0
                             ? R"([{"T":"t","S":"AAPL","p":)"
                             : R"([{"T":"t","S":"AAPL","i":1,"s":1,"t":"2024-01-02T14:30:00Z"}])";
      c->msgpack ? c->peer->SendBinary(std::move(junk)) : c->peer->Send(std::move(junk));
    }
    if (f.contains("error")) SendError(*c, static_cast<int>(f["error"].get<int64_t>()));
    if (f.value("drop", false)) {
      c->closed = true;
      c->peer->Drop();
    }
  }
}

void MarketStream::WriteStatus(nlohmann::json* status) const {
  std::lock_guard lock(mu_);
  nlohmann::json& j = *status;
  j["sent"] = sent_;
  j["connections"] = nlohmann::json::array();
  for (const auto& [id, c] : connections_) {
    nlohmann::json cj;
    cj["id"] = id;
    cj["remote"] = c->peer->remote();
    cj["feed"] = c->feed;
    cj["authenticated"] = c->authenticated;
    cj["msgpack"] = c->msgpack;
    cj["closing"] = c->closed;  // the server ended it; the close handshake may be pending
    for (size_t ch = 0; ch < kChannels; ++ch) {
      cj["subscription"][std::string(kSubscriptionKeys[ch])] = c->subs[ch];
    }
    j["connections"].push_back(std::move(cj));
  }
}

}  // namespace torghut::sim
