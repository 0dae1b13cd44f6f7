// The stream session against the simulated Alpaca service in process: auth, chunked
// subscriptions answered by the whole set, data frames handed on, and each error class on its
// real trigger; plus the pure pieces (what each error code does, the subscribe message).
#include "torghut/forwarder/alpaca_session.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "torghut/alpaca/stream_errors.h"
#include "torghut/http/client.h"
#include "torghut/http/server.h"
#include "torghut/sim/market_server.h"

namespace torghut::forwarder {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// "carries on", or how the session ended.
std::string Why(const std::optional<SessionEnd>& end) {
  return end ? end->error_class + ": " + end->reason : "carries on";
}

class AlpacaSessionTest : public ::testing::Test {
 protected:
  void StartMarket(size_t max_symbols = 30) {
    sim::MarketServerOptions o;
    o.generator.symbols = {"AAPL", "MSFT", "NVDA"};
    o.generator.trades_per_second = 50;
    o.max_symbols = max_symbols;
    market_ = std::make_unique<sim::MarketServer>(o);
    http::Router router;
    market_->Register(router);
    http::ServerConfig config;
    config.port = 0;
    config.access_log = false;
    server_ = std::make_unique<http::Server>(config, std::move(router), &server_metrics_);
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_TRUE(market_->Start().ok());
    base_ = "127.0.0.1:" + std::to_string(server_->port());
    config_.stream_url = "ws://" + base_;
    config_.key_id = "sim-key";
    config_.secret_key = "sim-secret";
    config_.auth_timeout_ms = 5'000;
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (market_) market_->Stop();
  }

  // A session whose frames are decoded here: data messages counted, control messages handed back.
  std::unique_ptr<AlpacaSession> NewSession() {
    AlpacaSession::Hooks hooks;
    hooks.on_frame = [this](std::string_view frame, std::vector<alpaca::ControlMessage>* controls) {
      if (!decoder_.Decode(frame, &batch_).ok()) return;
      for (const auto& m : batch_.messages) {
        if (m.type == alpaca::MessageType::kControl) {
          controls->push_back(batch_.controls[std::get<size_t>(m.event)]);
        } else {
          ++data_messages_;
        }
      }
    };
    hooks.on_wait = [this] { ++waits_; };
    hooks.on_degraded = [this](const StreamErrorEffect& e) { degraded_.push_back(e.reason); };
    return std::make_unique<AlpacaSession>(config_, &metrics_, std::move(hooks));
  }

  json SimStatus() {
    http::HttpClient client;
    return json::parse(client.Get("http://" + base_ + "/sim/status").body);
  }

  ForwarderConfig config_;
  http::Registry metrics_, server_metrics_;
  std::unique_ptr<sim::MarketServer> market_;
  std::unique_ptr<http::Server> server_;
  std::string base_;
  SymbolTable symbols_;
  alpaca::FrameDecoder decoder_{&symbols_};
  alpaca::MessageBatch batch_;
  int64_t data_messages_ = 0, waits_ = 0;
  std::vector<std::string> degraded_;
  std::atomic<bool> stop_{false};
};

TEST_F(AlpacaSessionTest, AuthenticatesSubscribesInChunksAndHandsDataOn) {
  StartMarket();
  config_.subscribe_chunk = 1;
  config_.channels = {alpaca::Channel::kTrades, alpaca::Channel::kQuotes};
  auto session = NewSession();
  ASSERT_EQ(Why(session->Open(stop_)), "carries on");
  const std::vector<std::string> symbols = {"AAPL", "MSFT", "NVDA"};
  ASSERT_EQ(Why(session->Subscribe(stop_, "subscribe", symbols)), "carries on");
  EXPECT_GT(waits_, 0);  // the caller was served while the answers were awaited
  const json conn = SimStatus()["connections"][0];
  EXPECT_TRUE(conn["authenticated"]);
  EXPECT_EQ(conn["subscription"]["trades"], json(symbols));
  EXPECT_EQ(conn["subscription"]["quotes"], json(symbols));
  EXPECT_EQ(conn["subscription"]["bars"], json::array());
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (data_messages_ < 50 && std::chrono::steady_clock::now() < deadline) {
    ASSERT_EQ(Why(session->Pump(100ms)), "carries on");
  }
  EXPECT_GE(data_messages_, 50);
  ASSERT_EQ(Why(session->Subscribe(stop_, "unsubscribe", {"MSFT"})), "carries on");
  EXPECT_EQ(SimStatus()["connections"][0]["subscription"]["trades"], json({"AAPL", "NVDA"}));
  EXPECT_EQ(metrics_.GetCounter("torghut_ws_connect_total", "", {{"result", "success"}}).value(),
            1);
  session->Close(500ms);
}

TEST_F(AlpacaSessionTest, AWrongKeyIsAConfigurationFault) {
  StartMarket();
  config_.secret_key = "wrong";
  auto session = NewSession();
  const std::optional<SessionEnd> end = session->Open(stop_);
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(end->why, Disconnect::kConfiguration);
  EXPECT_EQ(end->error_class, "alpaca_auth");
  EXPECT_EQ(end->reason, "402 auth failed");
  EXPECT_EQ(metrics_.GetCounter("torghut_ws_connect_total", "", {{"result", "error"}}).value(), 1);
}

TEST_F(AlpacaSessionTest, AnUnentitledFeedIsAConfigurationFault) {
  StartMarket();
  config_.feed = "sip";
  auto session = NewSession();
  const std::optional<SessionEnd> end = session->Open(stop_);
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(end->why, Disconnect::kConfiguration);
  EXPECT_EQ(end->error_class, "alpaca_insufficient_subscription");
}

TEST_F(AlpacaSessionTest, ASecondConnectionWithTheKeyHitsTheConnectionLimit) {
  StartMarket();
  auto first = NewSession();
  ASSERT_EQ(Why(first->Open(stop_)), "carries on");
  auto second = NewSession();
  const std::optional<SessionEnd> end = second->Open(stop_);
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(end->why, Disconnect::kConnectionLimit);
  EXPECT_EQ(end->error_class, "alpaca_406_second_connection");
}

TEST_F(AlpacaSessionTest, OverTheSymbolLimitTheSessionGoesOnDegraded) {
  StartMarket(/*max_symbols=*/2);
  auto session = NewSession();
  ASSERT_EQ(Why(session->Open(stop_)), "carries on");
  ASSERT_EQ(Why(session->Subscribe(stop_, "subscribe", {"AAPL", "MSFT"})), "carries on");
  EXPECT_TRUE(degraded_.empty());
  // A third symbol: 405; the server keeps the previous set and so does the session.
  EXPECT_EQ(Why(session->Subscribe(stop_, "subscribe", {"NVDA"})), "carries on");
  ASSERT_EQ(degraded_.size(), 1u);
  EXPECT_EQ(degraded_[0], "405 symbol limit exceeded: subscription unchanged");
  EXPECT_EQ(SimStatus()["connections"][0]["subscription"]["trades"], json({"AAPL", "MSFT"}));
}

TEST_F(AlpacaSessionTest, NothingListeningIsANetworkFault) {
  config_.stream_url = "ws://127.0.0.1:1";
  auto session = NewSession();
  const std::optional<SessionEnd> end = session->Open(stop_);
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(end->why, Disconnect::kNetwork);
  EXPECT_EQ(end->error_class, "alpaca_connect");
}

TEST(StreamErrorEffectTest, EachCodeEndsTheSessionAsItsClassSays) {
  struct Case {
    int code;
    std::optional<Disconnect> end;  // nullopt: the session carries on
    const char* error_class;
  };
  const Case cases[] = {
      {400, std::nullopt, "alpaca_protocol"},
      {401, Disconnect::kNetwork, "alpaca_protocol"},
      {402, Disconnect::kConfiguration, "alpaca_auth"},
      {403, std::nullopt, "alpaca_protocol"},
      {404, Disconnect::kNetwork, "alpaca_auth_timeout"},
      {405, std::nullopt, "alpaca_symbol_limit"},
      {406, Disconnect::kConnectionLimit, "alpaca_406_second_connection"},
      {407, Disconnect::kNetwork, "alpaca_slow_client"},
      {409, Disconnect::kConfiguration, "alpaca_insufficient_subscription"},
      {410, Disconnect::kConfiguration, "alpaca_invalid_subscribe"},
      {411, Disconnect::kConfiguration, "alpaca_insufficient_scope"},
      {500, Disconnect::kNetwork, "alpaca_internal_error"},
      {599, Disconnect::kNetwork, "alpaca_protocol"},
  };
  for (const Case& c : cases) {
    alpaca::ControlMessage m;
    m.kind = alpaca::ControlMessage::Kind::kError;
    m.code = c.code;
    m.message = "msg";
    m.error_class = alpaca::ClassifyError(c.code);
    const StreamErrorEffect e = EffectOf(m);
    EXPECT_EQ(e.error_class, c.error_class) << c.code;
    ASSERT_EQ(e.end.has_value(), c.end.has_value()) << c.code;
    if (c.end) {
      EXPECT_EQ(e.end->why, *c.end) << c.code;
      EXPECT_EQ(e.end->error_class, c.error_class) << c.code;
      EXPECT_EQ(e.end->reason, std::to_string(c.code) + " msg");
    }
    EXPECT_EQ(e.subscription_unchanged, c.code == 405) << c.code;
  }
}

TEST(SubscribeMessageTest, NamesEveryChannelWithTheSameList) {
  EXPECT_EQ(SubscribeMessage(
                "subscribe", {"AAPL", "BRK.B"},
                {alpaca::Channel::kTrades, alpaca::Channel::kBars, alpaca::Channel::kStatus}),
            R"({"action":"subscribe","trades":["AAPL","BRK.B"],"bars":["AAPL","BRK.B"],)"
            R"("statuses":["AAPL","BRK.B"]})");
  EXPECT_EQ(SubscribeMessage("unsubscribe", {}, {alpaca::Channel::kQuotes}),
            R"({"action":"unsubscribe","quotes":[]})");
}

}  // namespace
}  // namespace torghut::forwarder
