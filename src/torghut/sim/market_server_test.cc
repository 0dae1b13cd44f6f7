// The simulated Alpaca service over real sockets: the stream protocol and each error code on its
// trigger, REST pagination, fault switches, and replay of a recording.
#include "torghut/sim/market_server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "torghut/http/server.h"
#include "torghut/http/websocket_client.h"
#include "torghut/testing/http_client.h"
#include "torghut/testing/test_support.h"

namespace torghut::sim {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class MarketServerTest : public ::testing::Test {
 protected:
  void Start(MarketServerOptions o) {
    market_ = std::make_unique<MarketServer>(std::move(o));
    http::Router router;
    market_->Register(router);
    http::ServerConfig config;
    config.port = 0;
    config.threads = 2;
    config.access_log = false;
    server_ = std::make_unique<http::Server>(config, std::move(router), &metrics_);
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_TRUE(market_->Start().ok());
    base_ = "127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (market_) market_->Stop();
  }

  // Next frame as JSON (fails the test on timeout).
  json Next(http::WebSocketClient& ws, std::chrono::milliseconds timeout = 5s) {
    std::string frame;
    Status s = ws.Read(&frame, timeout);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return s.ok() ? json::parse(frame, nullptr, false) : json();
  }
  // Connects to /v2/<feed> and reads the greeting.
  void Connect(http::WebSocketClient& ws, const std::string& feed = "iex",
               const http::WebSocketClientOptions& o = {}) {
    ASSERT_TRUE(ws.Connect("ws://" + base_ + "/v2/" + feed, o).ok());
    EXPECT_EQ(Next(ws), json::parse(R"([{"T":"success","msg":"connected"}])"));
  }
  void Auth(http::WebSocketClient& ws, const std::string& key = "sim-key",
            const std::string& secret = "sim-secret") {
    ASSERT_TRUE(ws.Write(json{{"action", "auth"}, {"key", key}, {"secret", secret}}.dump()).ok());
  }
  static int ErrorCode(const json& frame) {
    return frame.is_array() && !frame.empty() && frame[0].value("T", "") == "error"
               ? frame[0].value("code", 0)
               : 0;
  }
  // Reads frames until one is a control message (skipping data).
  json NextControl(http::WebSocketClient& ws) {
    for (int i = 0; i < 1000; ++i) {
      json f = Next(ws);
      if (!f.is_array() || f.empty()) return f;
      const std::string t = f[0].value("T", "");
      if (t == "success" || t == "error" || t == "subscription") return f;
    }
    return json();
  }

  http::Registry metrics_;
  std::unique_ptr<MarketServer> market_;
  std::unique_ptr<http::Server> server_;
  std::string base_;
};

MarketServerOptions Fast() {
  MarketServerOptions o;
  o.generator.symbols = {"AAPL", "MSFT", "NVDA"};
  o.generator.trades_per_second = 50;
  o.max_symbols = 3;
  return o;
}

TEST_F(MarketServerTest, AuthSubscribeAndDataForTheSubscriptionOnly) {
  Start(Fast());
  http::WebSocketClient ws;
  Connect(ws);
  ASSERT_TRUE(ws.Write(R"({"action":"subscribe","trades":["AAPL"]})").ok());
  EXPECT_EQ(ErrorCode(Next(ws)), 401);
  Auth(ws);
  EXPECT_EQ(Next(ws), json::parse(R"([{"T":"success","msg":"authenticated"}])"));
  Auth(ws);
  EXPECT_EQ(ErrorCode(Next(ws)), 403);
  ASSERT_TRUE(ws.Write(R"({"action":"subscribe","trades":["AAPL"],"quotes":["MSFT"]})").ok());
  json sub = NextControl(ws);
  ASSERT_EQ(sub[0]["T"], "subscription") << sub;
  EXPECT_EQ(sub[0]["trades"], json::array({"AAPL"}));
  EXPECT_EQ(sub[0]["quotes"], json::array({"MSFT"}));
  EXPECT_EQ(sub[0]["corrections"], json::array({"AAPL"}));
  EXPECT_EQ(sub[0]["cancelErrors"], json::array({"AAPL"}));
  EXPECT_EQ(sub[0]["bars"], json::array());
  // Additive: a second subscribe adds, and the echo is the whole set.
  ASSERT_TRUE(ws.Write(R"({"action":"subscribe","bars":["NVDA"]})").ok());
  sub = NextControl(ws);
  EXPECT_EQ(sub[0]["trades"], json::array({"AAPL"}));
  EXPECT_EQ(sub[0]["bars"], json::array({"NVDA"}));
  int trades = 0, quotes = 0;
  while (trades < 20 || quotes < 20) {
    json f = Next(ws);
    ASSERT_TRUE(f.is_array());
    for (const json& m : f) {
      const std::string t = m.value("T", "");
      if (t == "t") {
        EXPECT_EQ(m["S"], "AAPL");
        ++trades;
      } else if (t == "q") {
        EXPECT_EQ(m["S"], "MSFT");
        ++quotes;
      } else if (t == "b") {
        EXPECT_EQ(m["S"], "NVDA");
      } else if (t != "x" && t != "subscription") {
        ADD_FAILURE() << m;
      }
    }
  }
  ASSERT_TRUE(ws.Write(R"({"action":"unsubscribe","trades":["AAPL"]})").ok());
  sub = NextControl(ws);
  EXPECT_EQ(sub[0]["trades"], json::array());
  EXPECT_EQ(sub[0]["corrections"], json::array());
}

TEST_F(MarketServerTest, ErrorCodesOnTheirTriggers) {
  MarketServerOptions o = Fast();
  o.auth_timeout_ms = 300;
  Start(o);
  {  // 400: not JSON; 410: a subscription list that is not a list of symbols
    http::WebSocketClient ws;
    Connect(ws);
    ASSERT_TRUE(ws.Write("{not json").ok());
    EXPECT_EQ(ErrorCode(Next(ws)), 400);
    Auth(ws);
    Next(ws);
    ASSERT_TRUE(ws.Write(R"({"action":"subscribe","trades":"AAPL"})").ok());
    EXPECT_EQ(ErrorCode(Next(ws)), 410);
    // 405: over the symbol limit (3); the previous subscription stays.
    ASSERT_TRUE(ws.Write(R"({"action":"subscribe","trades":["AAPL","MSFT"]})").ok());
    EXPECT_EQ(NextControl(ws)[0]["trades"], json::array({"AAPL", "MSFT"}));
    ASSERT_TRUE(ws.Write(R"({"action":"subscribe","quotes":["NVDA","TSLA"]})").ok());
    EXPECT_EQ(ErrorCode(NextControl(ws)), 405);
    ASSERT_TRUE(ws.Write(R"({"action":"subscribe","quotes":["NVDA"]})").ok());
    json sub = NextControl(ws);
    EXPECT_EQ(sub[0]["trades"], json::array({"AAPL", "MSFT"}));
    EXPECT_EQ(sub[0]["quotes"], json::array({"NVDA"}));
    // 406: a second connection with the same key; the first keeps its stream.
    http::WebSocketClient second;
    Connect(second);
    Auth(second);
    EXPECT_EQ(ErrorCode(Next(second)), 406);
    std::string frame;
    EXPECT_EQ(second.Read(&frame, 5s).code(), StatusCode::kUnavailable);
    EXPECT_TRUE(Next(ws).is_array());
  }
  {  // 402: wrong secret, and the connection is closed
    http::WebSocketClient ws;
    Connect(ws);
    Auth(ws, "sim-key", "wrong");
    EXPECT_EQ(ErrorCode(Next(ws)), 402);
    std::string frame;
    EXPECT_EQ(ws.Read(&frame, 5s).code(), StatusCode::kUnavailable);
  }
  {  // 404: no auth within the deadline
    http::WebSocketClient ws;
    Connect(ws);
    EXPECT_EQ(ErrorCode(Next(ws)), 404);
  }
  {  // 409: a feed the key is not entitled to
    http::WebSocketClient ws;
    Connect(ws, "sip");
    Auth(ws);
    EXPECT_EQ(ErrorCode(Next(ws)), 409);
  }
  {  // unknown feed: no stream there
    http::WebSocketClient ws;
    Status s = ws.Connect("ws://" + base_ + "/v2/nope", {});
    EXPECT_NE(s.message().find("HTTP 404"), std::string::npos) << s.message();
  }
  {  // header auth: authenticated right after the greeting
    http::WebSocketClient ws;
    http::WebSocketClientOptions h;
    h.headers = {{"APCA-API-KEY-ID", "sim-key"}, {"APCA-API-SECRET-KEY", "sim-secret"}};
    Connect(ws, "iex", h);
    EXPECT_EQ(Next(ws), json::parse(R"([{"T":"success","msg":"authenticated"}])"));
  }
}

TEST_F(MarketServerTest, AClientThatDoesNotReadIsCutOffWith407) {
  MarketServerOptions o = Fast();
  o.speed = 50;  // ~15 k messages/s: the socket buffers fill within a second or two
  o.slow_client_bytes = 256 * 1024;
  Start(o);
  http::WebSocketClient ws;
  Connect(ws);
  Auth(ws);
  Next(ws);
  ASSERT_TRUE(ws.Write(R"({"action":"subscribe","trades":["*"],"quotes":["*"]})").ok());
  // Not reading: wait until the server gave up on the connection (its close waits behind the
  // backlog the client has not read).
  testing::HttpClient http;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!json::parse(http.Get("http://" + base_ + "/sim/status").body)["connections"][0].value(
      "closing", false)) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "never cut off";
    std::this_thread::sleep_for(50ms);  // poll period
  }
  // What was queued is delivered, then the 407 and the close.
  int code = 0;
  std::string frame;
  while (ws.Read(&frame, 5s).ok()) {
    const json f = json::parse(frame, nullptr, false);
    if (ErrorCode(f) != 0) code = ErrorCode(f);
  }
  EXPECT_EQ(code, 407);
  EXPECT_FALSE(ws.connected());
}

TEST_F(MarketServerTest, FaultSwitches) {
  Start(Fast());
  testing::HttpClient http;
  const std::string admin = "http://" + base_ + "/sim/faults";
  http::WebSocketClient ws;
  Connect(ws);
  Auth(ws);
  Next(ws);
  ASSERT_TRUE(ws.Write(R"({"action":"subscribe","trades":["*"]})").ok());
  NextControl(ws);
  Next(ws);  // data flows
  // Silence: the connection stays, nothing arrives.
  ASSERT_EQ(http.Post(admin, R"({"silent_ms":600})").status, 200);
  std::string frame;
  // Frames already queued may still arrive; then nothing for the rest of the silence.
  Status s;
  while ((s = ws.Read(&frame, 300ms)).ok()) {
  }
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(ws.connected());
  Next(ws, 5s);  // and data again after it
  // Malformed frames.
  ASSERT_EQ(http.Post(admin, R"({"malformed":2})").status, 200);
  int not_json = 0;
  for (int i = 0; i < 200 && not_json == 0; ++i) {
    ASSERT_TRUE(ws.Read(&frame, 5s).ok());
    not_json += json::parse(frame, nullptr, false).is_discarded() ? 1 : 0;
  }
  EXPECT_EQ(not_json, 1);
  // Bad requests to the fault endpoint.
  EXPECT_EQ(http.Post(admin, R"({"explode":1})").status, 400);
  EXPECT_EQ(http.Post(admin, R"({"silent_ms":-1})").status, 400);
  // Drop: the connection is cut.
  ASSERT_EQ(http.Post(admin, R"({"drop":true})").status, 200);
  while ((s = ws.Read(&frame, 5s)).ok()) {
  }
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("connection lost"), std::string::npos) << s.message();
  // 500 on demand closes.
  http::WebSocketClient again;
  Connect(again);
  Auth(again);
  Next(again);
  ASSERT_EQ(http.Post(admin, R"({"error":500})").status, 200);
  EXPECT_EQ(ErrorCode(NextControl(again)), 500);
}

TEST_F(MarketServerTest, RestTradesAndBarsPaginateOverWhatTheMarketReleased) {
  MarketServerOptions o = Fast();
  o.generator.trades_per_second = 20;
  o.generator.duplicate_share = 0.05;  // the stream repeats some trades; history must not
  o.generator.late_share = 0.05;
  o.speed = 120;  // two market minutes per second
  o.start = Timestamp::FromSeconds(1704205800);
  Start(o);
  testing::HttpClient http;
  const std::string rest = "http://" + base_;
  const std::vector<std::string> keys = {"APCA-API-KEY-ID: sim-key",
                                         "APCA-API-SECRET-KEY: sim-secret"};
  // Wait for three market minutes of bars.
  const std::string bars_url =
      rest +
      "/v2/stocks/bars?symbols=MSFT,AAPL&timeframe=1Min&start=2024-01-02T14:"
      "30:00Z&end=2024-01-02T14:32:00Z";
  json bars;
  for (int i = 0; i < 200; ++i) {
    bars = json::parse(http.Get(bars_url, keys).body, nullptr, false);
    if (bars["bars"].contains("MSFT") && bars["bars"]["MSFT"].size() == 3) break;
    std::this_thread::sleep_for(50ms);  // poll period
  }
  ASSERT_EQ(bars["bars"]["AAPL"].size(), 3u) << bars;
  EXPECT_EQ(bars["bars"]["AAPL"][0]["t"], "2024-01-02T14:30:00Z");
  EXPECT_FALSE(bars["bars"]["AAPL"][0].contains("T"));
  EXPECT_TRUE(bars["next_page_token"].is_null());
  // Trades of one minute, by pages of 100: every page in time order, together the whole minute.
  const std::string trades_url = rest +
                                 "/v2/stocks/trades?symbols=AAPL&start=2024-01-02T14:30:00Z&end="
                                 "2024-01-02T14:30:59.999999999Z&limit=100";
  std::vector<json> all;
  std::string token;
  std::vector<std::pair<std::string, std::string>> pages;  // (token, body)
  for (int page = 0; page < 100; ++page) {
    const std::string body =
        http.Get(trades_url + (token.empty() ? "" : "&page_token=" + token), keys).body;
    pages.emplace_back(token, body);
    json r = json::parse(body);
    for (const json& t : r["trades"]["AAPL"]) all.push_back(t);
    if (r["next_page_token"].is_null()) break;
    token = r["next_page_token"].get<std::string>();
  }
  // A page token names a place in the history: asked again, the same page.
  ASSERT_GT(pages.size(), 2u);
  EXPECT_EQ(http.Get(trades_url + "&page_token=" + pages[2].first, keys).body, pages[2].second);
  EXPECT_EQ(http.Get(trades_url + "&page_token=%21%21", keys).status, 400);
  ASSERT_GT(all.size(), 800u);  // 20/s for 60 s
  int64_t volume = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    if (i > 0) {
      EXPECT_LE(all[i - 1]["t"].get<std::string>(), all[i]["t"].get<std::string>());
    }
    volume += all[i]["s"].get<int64_t>();
  }
  // Each trade once (the stream's duplicates are not history), so the minute bar's volume is the
  // sum of the history's trade sizes.
  std::set<int64_t> ids;
  for (const json& t : all) ids.insert(t["i"].get<int64_t>());
  EXPECT_EQ(ids.size(), all.size());
  EXPECT_EQ(bars["bars"]["AAPL"][0]["v"].get<int64_t>(), volume);
  // Auth, validation and the 429 switch.
  EXPECT_EQ(http.Get(trades_url).status, 401);
  EXPECT_EQ(http.Get(trades_url, {"APCA-API-KEY-ID: sim-key", "APCA-API-SECRET-KEY: no"}).status,
            403);
  EXPECT_EQ(http.Get(rest + "/v2/stocks/trades?start=2024-01-02T14:30:00Z", keys).status, 400);
  EXPECT_EQ(http.Get(rest + "/v2/stocks/bars?symbols=AAPL&timeframe=1Day", keys).status, 400);
  EXPECT_EQ(http.Get(trades_url + "&limit=10001", keys).status, 400);
  ASSERT_EQ(http.Post(rest + "/sim/faults", R"({"http_429":2})").status, 200);
  EXPECT_EQ(http.Get(trades_url, keys).status, 429);
  EXPECT_EQ(http.Get(trades_url, keys).status, 429);
  EXPECT_EQ(http.Get(trades_url, keys).status, 200);
}

TEST_F(MarketServerTest, ReplaysAWholeRecordingToTheFirstSubscriberInBoundedFrames) {
  testing::ScratchDir dir("torghut-sim-serve");
  GeneratorOptions g;
  g.symbols = {"AAPL", "MSFT"};
  g.seconds = 30;
  ASSERT_TRUE(GenerateFile(g, (dir.path() / "in.jsonl").string()).ok());
  MarketServerOptions o;
  o.from_file = (dir.path() / "in.jsonl").string();
  o.speed = 20;
  o.wait_for_subscriber = true;
  o.max_frame_messages = 7;
  o.record_sent = (dir.path() / "sent.jsonl").string();
  ASSERT_TRUE(ValidateMarketServerOptions(o).ok());
  Start(o);
  http::WebSocketClient ws;
  Connect(ws);
  Auth(ws);
  Next(ws);
  ASSERT_TRUE(
      ws.Write(R"({"action":"subscribe","trades":["*"],"quotes":["*"],"bars":["*"]})").ok());
  NextControl(ws);
  int64_t received = 0;
  std::string frame;
  // Until the recording is over and every message sent has arrived.
  while (!market_->finished() || received < market_->stats().sent) {
    if (!ws.Read(&frame, 100ms).ok()) continue;
    const size_t n = json::parse(frame).size();
    EXPECT_LE(n, 7u);
    received += static_cast<int64_t>(n);
  }
  const auto sent = testing::Lines(testing::Slurp(dir.path() / "sent.jsonl"));
  EXPECT_EQ(static_cast<int64_t>(sent.size()), received);
  EXPECT_GT(received, 0);
  // The market waited for the subscriber: all of the recording was sent, in order, byte for byte.
  EXPECT_EQ(sent, testing::Lines(testing::Slurp(dir.path() / "in.jsonl")));
}

TEST(MarketServerOptionsTest, RejectsBadOptions) {
  MarketServerOptions o;
  o.feed = "nasdaq";
  EXPECT_NE(ValidateMarketServerOptions(o).message().find("feed 'nasdaq'"), std::string::npos);
  o = {};
  o.speed = 0;
  EXPECT_FALSE(ValidateMarketServerOptions(o).ok());
  o = {};
  o.from_file = "/nonexistent.jsonl";
  EXPECT_NE(ValidateMarketServerOptions(o).message().find("not a readable file"),
            std::string::npos);
  o = {};
  o.generator.symbols = {"bad symbol"};
  EXPECT_FALSE(ValidateMarketServerOptions(o).ok());
}

}  // namespace
}  // namespace torghut::sim
