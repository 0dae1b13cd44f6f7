#include "torghut/sim/market_server.h"

#include <fmt/format.h>
#include <pthread.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "torghut/alpaca/envelope.h"
#include "torghut/alpaca/frame_decoder.h"
#include "torghut/alpaca/message_json.h"
#include "torghut/core/json_text.h"
#include "torghut/core/log.h"
#include "torghut/core/symbols.h"
#include "torghut/io/line_reader.h"

namespace torghut::sim {

namespace {

using alpaca::Channel;
using alpaca::MessageType;

constexpr size_t kChannels = 9;  // alpaca::Channel kTrades … kCancelErrors
// Subscription keys, indexed by alpaca::Channel.
constexpr std::array<std::string_view, kChannels> kSubscriptionKeys = {
    "trades",   "quotes", "bars",        "updatedBars", "dailyBars",
    "statuses", "lulds",  "corrections", "cancelErrors"};
// The channels a client names in subscribe/unsubscribe (corrections and cancelErrors follow
// trades).
constexpr std::array<Channel, 7> kSubscribable = {
    Channel::kTrades,    Channel::kQuotes, Channel::kBars, Channel::kUpdatedBars,
    Channel::kDailyBars, Channel::kStatus, Channel::kLulds};
const std::set<std::string_view> kKnownFeeds = {"iex", "sip", "delayed_sip", "test", "otc"};

std::string ErrorFrame(int code) {
  std::string_view msg = "internal error";
  switch (code) {
    case 400:
      msg = "invalid syntax";
      break;
    case 401:
      msg = "not authenticated";
      break;
    case 402:
      msg = "auth failed";
      break;
    case 403:
      msg = "already authenticated";
      break;
    case 404:
      msg = "auth timeout";
      break;
    case 405:
      msg = "symbol limit exceeded";
      break;
    case 406:
      msg = "connection limit exceeded";
      break;
    case 407:
      msg = "slow client";
      break;
    case 409:
      msg = "insufficient subscription";
      break;
    case 410:
      msg = "invalid subscribe action";
      break;
    case 411:
      msg = "insufficient scope";
      break;
    default:
      break;
  }
  return fmt::format(R"([{{"T":"error","code":{},"msg":"{}"}}])", code, msg);
}

// Errors after which the server closes the connection.
bool ClosesConnection(int code) {
  return code == 402 || code == 404 || code == 406 || code == 407 || code == 409 || code == 411 ||
         code == 500;
}

// One released market message.
struct Item {
  Channel channel = Channel::kTrades;
  std::string symbol;
  Timestamp ts;
  std::string json;  // the Alpaca message object
  MessageType type = MessageType::kTrade;
  std::string rest;  // trades and minute bars: the REST object ({"t":…} without "T" and "S")
  bool sent = false;
};

using Subscriptions = std::array<std::set<std::string, std::less<>>, kChannels>;

// Distinct symbols over the channels a client names (the symbol limit counts these).
size_t SymbolCount(const Subscriptions& subs) {
  std::set<std::string_view> all;
  for (Channel c : kSubscribable) {
    for (const std::string& s : subs[static_cast<size_t>(c)]) all.insert(s);
  }
  return all.size();
}

struct Connection {
  uint64_t id = 0;
  std::shared_ptr<http::WebSocketPeer> peer;
  std::string feed;
  int64_t opened_ms = 0;
  bool authenticated = false;
  bool closed = false;
  std::string key;
  Subscriptions subs;

  bool Subscribed(Channel c, std::string_view symbol) const {
    const auto& s = subs[static_cast<size_t>(c)];
    return s.count("*") != 0 || s.count(symbol) != 0;
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

// Trades or minute bars of one symbol, ordered by time (late trades are inserted in place).
struct History {
  std::vector<std::pair<int64_t, std::string>> items;
  void Add(int64_t ts, std::string rest, size_t limit) {
    auto at = std::upper_bound(items.begin(), items.end(), ts,
                               [](int64_t t, const auto& item) { return t < item.first; });
    items.emplace(at, ts, std::move(rest));
    if (items.size() > limit) items.erase(items.begin(), items.begin() + (limit / 10 + 1));
  }
};

// The REST object of a trade or bar: the stream message without its "T" and "S" keys, which our
// own encoder always writes first.
std::string RestObject(const alpaca::DecodedMessage& m, const SymbolTable& symbols) {
  std::string full;
  if (!alpaca::AppendMessageJson(m, symbols, &full)) return "";
  const size_t second_comma = full.find(',', full.find(',') + 1);
  return "{" + full.substr(second_comma + 1);
}

}  // namespace

Status ValidateMarketServerOptions(const MarketServerOptions& o) {
  if (kKnownFeeds.count(o.feed) == 0) {
    return InvalidArgument(
        fmt::format("feed '{}' is not one of iex, sip, delayed_sip, test, otc", o.feed));
  }
  if (!(o.speed > 0) || o.speed > 1e6) return InvalidArgument("speed must be > 0 and ≤ 1e6");
  if (o.batch_ms < 1 || o.batch_ms > 10'000) return InvalidArgument("batch must be 1..10000 ms");
  if (o.key_id.empty() || o.secret_key.empty()) {
    return InvalidArgument("the key id and secret must not be empty");
  }
  if (o.max_symbols == 0) return InvalidArgument("the symbol limit must be ≥ 1");
  if (!o.from_file.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(o.from_file, ec)) {
      return InvalidArgument(fmt::format("{}: not a readable file", o.from_file));
    }
    return Status::Ok();
  }
  return ValidateOptions(o.generator);
}

struct MarketServer::Impl {
  Impl(MarketServerOptions o, const Clock* c) : options(std::move(o)), clock(c) {}

  // ---- the stream -------------------------------------------------------------------------

  http::WebSocketCallbacks Accept(const http::Request& upgrade,
                                  std::shared_ptr<http::WebSocketPeer> peer) {
    http::WebSocketCallbacks cb;
    const std::string feed = upgrade.path.substr(4);  // after "/v2/"
    if (kKnownFeeds.count(feed) == 0 && feed != options.feed) {
      cb.reject = http::Response::Error(404, "no stream at " + upgrade.path);
      return cb;
    }
    auto conn = std::make_shared<Connection>();
    conn->peer = peer;
    conn->feed = feed;
    conn->opened_ms = clock->NowMillis();
    const std::string header_key(upgrade.Header("apca-api-key-id"));
    const std::string header_secret(upgrade.Header("apca-api-secret-key"));
    cb.on_open = [this, conn, header_key, header_secret] {
      std::lock_guard lock(mu);
      conn->id = ++next_connection_id;
      connections[conn->id] = conn;
      conn->peer->Send(R"([{"T":"success","msg":"connected"}])");
      if (!header_key.empty()) Authenticate(*conn, header_key, header_secret);
    };
    cb.on_text = [this, conn](std::string_view text) {
      std::lock_guard lock(mu);
      OnText(*conn, text);
    };
    cb.on_closed = [this, conn] {
      std::lock_guard lock(mu);
      conn->closed = true;
      connections.erase(conn->id);
    };
    return cb;
  }

  void SendError(Connection& c, int code) {
    if (c.closed) return;
    c.peer->Send(ErrorFrame(code));
    if (ClosesConnection(code)) {
      c.closed = true;  // no more data for it; on_closed removes it
      c.peer->Close();
    }
  }

  void Authenticate(Connection& c, const std::string& key, const std::string& secret) {
    if (c.authenticated) return SendError(c, 403);
    if (key != options.key_id || secret != options.secret_key) return SendError(c, 402);
    for (const auto& [id, other] : connections) {
      if (id != c.id && other->authenticated && !other->closed && other->key == key) {
        return SendError(c, 406);
      }
    }
    const auto& entitled = options.entitled_feeds;
    if (std::find(entitled.begin(), entitled.end(), c.feed) == entitled.end()) {
      return SendError(c, 409);
    }
    c.authenticated = true;
    c.key = key;
    c.peer->Send(R"([{"T":"success","msg":"authenticated"}])");
  }

  void OnText(Connection& c, std::string_view text) {
    if (c.closed) return;
    nlohmann::json msg = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!msg.is_object() || !msg.contains("action") || !msg["action"].is_string()) {
      return SendError(c, 400);
    }
    const std::string action = msg["action"].get<std::string>();
    if (action == "auth") {
      if (!msg.contains("key") || !msg["key"].is_string() || !msg.contains("secret") ||
          !msg["secret"].is_string()) {
        return SendError(c, 400);
      }
      return Authenticate(c, msg["key"].get<std::string>(), msg["secret"].get<std::string>());
    }
    if (action != "subscribe" && action != "unsubscribe") return SendError(c, 400);
    if (!c.authenticated) return SendError(c, 401);
    auto next = c.subs;
    for (Channel ch : kSubscribable) {
      const std::string key(kSubscriptionKeys[static_cast<size_t>(ch)]);
      if (!msg.contains(key)) continue;
      const nlohmann::json& list = msg[key];
      if (!list.is_array()) return SendError(c, 410);
      for (const auto& s : list) {
        if (!s.is_string() || s.get<std::string>().empty()) return SendError(c, 410);
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
    if (SymbolCount(next) > options.max_symbols) return SendError(c, 405);
    c.subs = std::move(next);
    c.peer->Send(c.SubscriptionFrame());
  }

  // ---- the market -------------------------------------------------------------------------

  Status OpenSource() {
    if (!options.from_file.empty()) {
      auto reader = io::LineReader::Open(options.from_file);
      if (!reader.ok()) return reader.status();
      file = std::move(*reader);
    } else {
      GeneratorOptions g = options.generator;
      g.start = options.start ? *options.start : Timestamp::FromMillis(clock->NowMillis());
      g.seconds = std::max<int64_t>(g.seconds, int64_t{30} * 86400);  // a market that goes on
      generator = std::make_unique<Generator>(g);
    }
    if (!options.record_sent.empty()) {
      record = std::fopen(options.record_sent.c_str(), "a");
      if (record == nullptr) {
        return InvalidArgument(fmt::format("{}: cannot open for appending", options.record_sent));
      }
    }
    return Status::Ok();
  }

  // Fills `upcoming` with at least one message; false when the source is exhausted.
  bool Refill() {
    std::string owned;
    std::string_view line;
    while (upcoming.empty()) {
      if (generator) {
        if (!generator->Next(&owned)) return false;
        line = owned;
      } else {
        if (!file->Next(&line)) return false;
      }
      if (!decoder.Decode(line, &batch).ok()) {
        ++bad_lines;
        continue;
      }
      for (const auto& m : batch.messages) {
        SymbolId symbol;
        Timestamp ts;
        if (!alpaca::SymbolAndTime(m, &symbol, &ts)) continue;
        Item item;
        item.type = m.type;
        item.channel = alpaca::ChannelFor(m.type);
        item.symbol = std::string(symbols.Name(symbol));
        item.ts = ts;
        item.json = std::string(m.raw_json);
        if (m.type == MessageType::kTrade || m.type == MessageType::kBar) {
          item.rest = RestObject(m, symbols);
        }
        upcoming.push_back(std::move(item));
      }
    }
    return true;
  }

  bool AnySubscriber() {
    std::lock_guard lock(mu);
    for (const auto& [id, c] : connections) {
      for (const auto& set : c->subs) {
        if (!set.empty()) return true;
      }
    }
    return false;
  }

  // Waits one batch period; true when stopping.
  bool Tick() {
    std::unique_lock lock(wake_mu);
    return wake.wait_for(lock, std::chrono::milliseconds(options.batch_ms),
                         [this] { return stopping; });
  }

  void Run() {
    pthread_setname_np(pthread_self(), "sim-market");
    while (options.wait_for_subscriber && !AnySubscriber()) {
      if (Tick()) return;
    }
    const int64_t wall0 = clock->NowNanos();
    bool have = Refill();
    const int64_t market0 =
        generator ? (options.start ? options.start->nanos() : wall0 / 1'000'000 * 1'000'000)
                  : (have ? upcoming.front().ts.nanos() : wall0);
    std::vector<Item> due;
    while (!Tick()) {
      const int64_t wall = clock->NowNanos();
      const auto market_now =
          market0 + static_cast<int64_t>(static_cast<double>(wall - wall0) * options.speed);
      due.clear();
      while (have && upcoming.front().ts.nanos() <= market_now) {
        due.push_back(std::move(upcoming.front()));
        upcoming.pop_front();
        if (upcoming.empty()) have = Refill();
      }
      Release(due, market_now, wall / 1'000'000);
      if (!have) {
        exhausted.store(true);
        if (!logged_end) {
          logged_end = true;
          log::Info("sim", "recording finished",
                    {{"released", released}, {"bad_lines", bad_lines}});
        }
      }
    }
  }

  void Release(std::vector<Item>& due, int64_t market_now, int64_t now_ms) {
    std::lock_guard lock(mu);
    market_time = Timestamp::FromNanos(market_now);
    for (Item& item : due) {
      ++released;
      if (item.rest.empty()) continue;
      auto& h = item.type == MessageType::kTrade ? trades[item.symbol] : bars[item.symbol];
      h.Add(item.ts.nanos(), item.rest, options.history_limit);
    }
    std::string frame;
    for (auto& entry : connections) {
      Connection* c = entry.second.get();
      if (c->closed) continue;
      if (!c->authenticated) {
        if (now_ms - c->opened_ms > options.auth_timeout_ms) SendError(*c, 404);
        continue;
      }
      if (now_ms < silent_until_ms) continue;
      if (c->peer->QueuedBytes() > options.slow_client_bytes) {
        SendError(*c, 407);
        continue;
      }
      size_t n = 0;
      auto flush = [&] {
        frame += ']';
        sent += static_cast<int64_t>(n);
        c->peer->Send(std::move(frame));
        n = 0;
      };
      for (Item& item : due) {
        if (!c->Subscribed(item.channel, item.symbol)) continue;
        if (n == 0) frame = "[";
        if (n++ > 0) frame += ',';
        frame += item.json;
        item.sent = true;
        if (n == options.max_frame_messages) flush();
      }
      if (n > 0) flush();
    }
    if (record != nullptr) {
      for (const Item& item : due) {
        if (!item.sent) continue;
        std::fwrite(item.json.data(), 1, item.json.size(), record);
        std::fputc('\n', record);
      }
      std::fflush(record);
    }
  }

  // ---- REST ---------------------------------------------------------------------------------

  http::Response Rest(const http::Request& r, bool want_trades) {
    int64_t delay_ms = 0;
    {
      std::lock_guard lock(mu);
      if (http_429 > 0) {
        --http_429;
        http::Response res = http::Response::Json(429, R"({"message":"too many requests."})");
        res.headers.emplace_back("Retry-After", "1");
        return res;
      }
      delay_ms = http_delay_ms;
    }
    if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    const std::string_view key = r.Header("apca-api-key-id");
    const std::string_view secret = r.Header("apca-api-secret-key");
    if (key.empty() || secret.empty()) {
      return http::Response::Json(401, R"({"message":"unauthorized."})");
    }
    if (key != options.key_id || secret != options.secret_key) {
      return http::Response::Json(403, R"({"message":"forbidden."})");
    }
    auto bad = [](std::string_view m) {
      return http::Response::Json(400, fmt::format(R"({{"message":"{}"}})", m));
    };
    const auto symbols_arg = r.Query("symbols");
    if (!symbols_arg || symbols_arg->empty()) return bad("symbols is required");
    std::vector<std::string> wanted;
    for (size_t at = 0; at <= symbols_arg->size();) {
      const size_t comma = std::min(symbols_arg->find(',', at), symbols_arg->size());
      if (comma > at) wanted.emplace_back(symbols_arg->substr(at, comma - at));
      at = comma + 1;
    }
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    if (!want_trades) {
      const auto tf = r.Query("timeframe");
      if (!tf || (*tf != "1Min" && *tf != "1T")) return bad("timeframe must be 1Min");
    }
    int64_t start = 0, end = INT64_MAX;
    if (auto s = r.Query("start")) {
      auto t = ParseRfc3339(*s);
      if (!t.ok()) return bad("invalid start");
      start = t->nanos();
    }
    if (auto e = r.Query("end")) {
      auto t = ParseRfc3339(*e);
      if (!t.ok()) return bad("invalid end");
      end = t->nanos();
    }
    int64_t limit = 1000;
    if (auto l = r.Query("limit")) {
      limit = std::atoll(std::string(*l).c_str());
      if (limit < 1 || limit > 10'000) return bad("invalid limit: must be 1..10000");
    }
    int64_t offset = 0;
    if (auto p = r.Query("page_token"); p && !p->empty()) {
      if (p->size() < 3 || p->substr(0, 2) != "o:") return bad("invalid page_token");
      offset = std::atoll(std::string(p->substr(2)).c_str());
    }
    const std::string_view kind = want_trades ? "trades" : "bars";
    std::string body = fmt::format("{{\"{}\":{{", kind);
    int64_t index = 0, taken = 0;
    bool more = false, first_symbol = true;
    std::lock_guard lock(mu);
    auto& histories = want_trades ? trades : bars;
    for (const std::string& symbol : wanted) {
      auto h = histories.find(symbol);
      if (h == histories.end()) continue;
      const auto& items = h->second.items;
      auto from = std::lower_bound(items.begin(), items.end(), start,
                                   [](const auto& item, int64_t t) { return item.first < t; });
      bool open = false;
      for (auto it = from; it != items.end() && it->first <= end; ++it, ++index) {
        if (index < offset) continue;
        if (taken == limit) {
          more = true;
          break;
        }
        if (!open) {
          if (!first_symbol) body += ',';
          first_symbol = false;
          AppendJsonString(symbol, &body);
          body += ":[";
          open = true;
        } else {
          body += ',';
        }
        body += it->second;
        ++taken;
      }
      if (open) body += ']';
      if (more) break;
    }
    body += "},\"next_page_token\":";
    body += more ? fmt::format("\"o:{}\"", offset + taken) : "null";
    body += '}';
    return http::Response::Json(200, std::move(body));
  }

  // ---- admin --------------------------------------------------------------------------------

  http::Response Faults(const http::Request& r) {
    nlohmann::json f = nlohmann::json::parse(r.body, nullptr, false);
    if (!f.is_object()) return http::Response::Error(400, "body must be a JSON object");
    for (const auto& [k, v] : f.items()) {
      if (k != "drop" && k != "silent_ms" && k != "malformed" && k != "error" && k != "http_429" &&
          k != "http_delay_ms") {
        return http::Response::Error(400, "unknown fault '" + k + "'");
      }
      if (k == "drop" ? !v.is_boolean() : !v.is_number_integer() || v.get<int64_t>() < 0) {
        return http::Response::Error(400, "fault '" + k + "' has a bad value");
      }
    }
    std::lock_guard lock(mu);
    const int64_t now_ms = clock->NowMillis();
    if (f.contains("silent_ms")) silent_until_ms = now_ms + f["silent_ms"].get<int64_t>();
    if (f.contains("http_429")) http_429 = f["http_429"].get<int64_t>();
    if (f.contains("http_delay_ms")) http_delay_ms = f["http_delay_ms"].get<int64_t>();
    for (auto& [id, c] : connections) {
      if (c->closed) continue;
      for (int64_t i = 0; f.contains("malformed") && i < f["malformed"].get<int64_t>(); ++i) {
        // Alternately not JSON at all, and JSON whose message lacks its price.
        c->peer->Send(i % 2 == 0
                          ? R"([{"T":"t","S":"AAPL","p":)"
                          : R"([{"T":"t","S":"AAPL","i":1,"s":1,"t":"2024-01-02T14:30:00Z"}])");
      }
      if (f.contains("error")) SendError(*c, static_cast<int>(f["error"].get<int64_t>()));
      if (f.value("drop", false)) {
        c->closed = true;
        c->peer->Drop();
      }
    }
    log::Info("sim", "faults", {{"faults", f.dump()}});
    return http::Response::Json(200, R"({"ok":true})");
  }

  http::Response StatusJson() {
    std::lock_guard lock(mu);
    nlohmann::json j;
    char buf[40];
    j["market_time"] = std::string(FormatRfc3339(market_time, buf));
    j["released"] = released;
    j["sent"] = sent;
    j["finished"] = exhausted.load();
    j["connections"] = nlohmann::json::array();
    for (const auto& [id, c] : connections) {
      nlohmann::json cj;
      cj["id"] = id;
      cj["remote"] = c->peer->remote();
      cj["feed"] = c->feed;
      cj["authenticated"] = c->authenticated;
      cj["closing"] = c->closed;  // the server ended it; the close handshake may be pending
      for (size_t ch = 0; ch < kChannels; ++ch) {
        cj["subscription"][std::string(kSubscriptionKeys[ch])] = c->subs[ch];
      }
      j["connections"].push_back(std::move(cj));
    }
    return http::Response::Json(200, j.dump());
  }

  MarketServerOptions options;
  const Clock* clock;

  // The market thread's own state.
  SymbolTable symbols;
  alpaca::FrameDecoder decoder{&symbols, /*capture_raw_json=*/true};
  alpaca::MessageBatch batch;
  std::unique_ptr<Generator> generator;
  std::unique_ptr<io::LineReader> file;
  std::deque<Item> upcoming;
  int64_t bad_lines = 0;
  std::FILE* record = nullptr;
  bool logged_end = false;
  std::atomic<bool> exhausted{false};

  std::mutex wake_mu;
  std::condition_variable wake;
  bool stopping = false;
  std::thread thread;

  // Shared with the HTTP threads, under `mu`.
  std::mutex mu;
  uint64_t next_connection_id = 0;
  std::map<uint64_t, std::shared_ptr<Connection>> connections;
  std::map<std::string, History, std::less<>> trades, bars;
  int64_t released = 0, sent = 0;
  Timestamp market_time;
  int64_t silent_until_ms = 0, http_429 = 0, http_delay_ms = 0;
};

MarketServer::MarketServer(MarketServerOptions options, const Clock* clock)
    : impl_(std::make_unique<Impl>(std::move(options), clock)) {}

MarketServer::~MarketServer() {
  Stop();
  if (impl_->record != nullptr) std::fclose(impl_->record);
}

void MarketServer::Register(http::Router& router) {
  Impl* impl = impl_.get();
  router.WebSocket(
      "/v2/",
      [impl](const http::Request& r, std::shared_ptr<http::WebSocketPeer> peer) {
        return impl->Accept(r, std::move(peer));
      },
      "/v2/{feed}");
  router.Get("/v2/stocks/trades", [impl](const http::Request& r) { return impl->Rest(r, true); });
  router.Get("/v2/stocks/bars", [impl](const http::Request& r) { return impl->Rest(r, false); });
  router.Post("/sim/faults", [impl](const http::Request& r) { return impl->Faults(r); });
  router.Get("/sim/status", [impl](const http::Request&) { return impl->StatusJson(); });
}

Status MarketServer::Start() {
  if (impl_->thread.joinable()) return FailedPrecondition("market already started");
  if (Status s = impl_->OpenSource(); !s.ok()) return s;
  impl_->thread = std::thread([this] { impl_->Run(); });
  return Status::Ok();
}

void MarketServer::Stop() {
  {
    std::lock_guard lock(impl_->wake_mu);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

bool MarketServer::finished() const {
  return impl_->exhausted.load();
}

MarketServerStats MarketServer::stats() const {
  std::lock_guard lock(impl_->mu);
  MarketServerStats s;
  s.released = impl_->released;
  s.sent = impl_->sent;
  s.market_time = impl_->market_time;
  for (const auto& [id, c] : impl_->connections) {
    ++s.connections;
    s.authenticated += c->authenticated ? 1 : 0;
  }
  return s;
}

}  // namespace torghut::sim
