// The market-data stream in msgpack, over real sockets: a client that upgrades with
// `Content-Type: application/msgpack`, or sends binary frames, gets binary msgpack frames with
// event times as the timestamp extension; and unknown /v2/... paths are plain 404s.
#include <gtest/gtest.h>

#include <chrono>
#include <msgpack.hpp>
#include <nlohmann/json.hpp>

#include "torghut/alpaca/msgpack_json.h"
#include "torghut/http/server.h"
#include "torghut/http/websocket_client.h"
#include "torghut/sim/market_server.h"
#include "torghut/testing/http_client.h"

namespace torghut::sim {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class MarketMsgpackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MarketServerOptions o;
    o.generator.symbols = {"AAPL", "MSFT"};
    o.generator.trades_per_second = 50;
    market_ = std::make_unique<MarketServer>(o);
    http::Router router;
    market_->Register(router);
    http::ServerConfig config;
    config.port = 0;
    config.access_log = false;
    server_ = std::make_unique<http::Server>(config, std::move(router), &metrics_);
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_TRUE(market_->Start().ok());
    base_ = "127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override {
    server_->Stop();
    market_->Stop();
  }
  // The next frame, which must be binary msgpack; returned as its raw bytes.
  std::string NextBinary(http::WebSocketClient& ws) {
    std::string frame;
    bool binary = false;
    Status s = ws.ReadMessage(&frame, &binary, 5s);
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_TRUE(binary);
    return frame;
  }
  json Decoded(const std::string& bytes) {
    Result<std::string> j = alpaca::MsgpackToJson(bytes);
    EXPECT_TRUE(j.ok()) << j.status().message();
    return j.ok() ? json::parse(*j) : json();
  }
  void Send(http::WebSocketClient& ws, const std::string& json_text) {
    std::string bytes;
    ASSERT_TRUE(alpaca::JsonToMsgpack(json_text, &bytes).ok());
    ASSERT_TRUE(ws.WriteBinary(bytes).ok());
  }

  http::Registry metrics_;
  std::unique_ptr<MarketServer> market_;
  std::unique_ptr<http::Server> server_;
  std::string base_;
};

TEST_F(MarketMsgpackTest, AnUpgradeAskingForMsgpackGetsMsgpackFramesWithTimestampExtensions) {
  http::WebSocketClient ws;
  http::WebSocketClientOptions o;
  o.headers = {{"Content-Type", "application/msgpack"}};
  ASSERT_TRUE(ws.Connect("ws://" + base_ + "/v2/iex", o).ok());
  EXPECT_EQ(Decoded(NextBinary(ws)), json::parse(R"([{"T":"success","msg":"connected"}])"));
  Send(ws, R"({"action":"auth","key":"sim-key","secret":"sim-secret"})");
  EXPECT_EQ(Decoded(NextBinary(ws)), json::parse(R"([{"T":"success","msg":"authenticated"}])"));
  Send(ws, R"({"action":"subscribe","trades":["AAPL"]})");
  EXPECT_EQ(Decoded(NextBinary(ws))[0]["T"], "subscription");
  int trades = 0;
  while (trades < 10) {
    const std::string bytes = NextBinary(ws);
    msgpack::object_handle h = msgpack::unpack(bytes.data(), bytes.size());
    ASSERT_EQ(h.get().type, msgpack::type::ARRAY);
    for (uint32_t i = 0; i < h.get().via.array.size; ++i) {
      const msgpack::object& m = h.get().via.array.ptr[i];
      ASSERT_EQ(m.type, msgpack::type::MAP);
      std::map<std::string, msgpack::object> fields;
      for (uint32_t k = 0; k < m.via.map.size; ++k) {
        const auto& kv = m.via.map.ptr[k];
        fields[std::string(kv.key.via.str.ptr, kv.key.via.str.size)] = kv.val;
      }
      if (fields["T"].as<std::string>() != "t") continue;
      ++trades;
      EXPECT_EQ(fields["S"].as<std::string>(), "AAPL");
      EXPECT_EQ(fields["t"].type, msgpack::type::EXT);  // not an RFC 3339 string
      EXPECT_EQ(fields["t"].via.ext.type(), -1);
      EXPECT_GT(fields["p"].as<double>(), 0);
    }
  }
  // A malformed binary frame is invalid syntax (400), answered in msgpack.
  ASSERT_TRUE(ws.WriteBinary(std::string("\x92\x01", 2)).ok());
  for (int i = 0; i < 1000; ++i) {
    const json f = Decoded(NextBinary(ws));
    if (f[0]["T"] == "error") {
      EXPECT_EQ(f[0]["code"], 400);
      break;
    }
  }
}

TEST_F(MarketMsgpackTest, ABinaryFrameSwitchesAJsonConnectionToMsgpack) {
  http::WebSocketClient ws;
  ASSERT_TRUE(ws.Connect("ws://" + base_ + "/v2/iex", {}).ok());
  std::string frame;
  bool binary = true;
  ASSERT_TRUE(ws.ReadMessage(&frame, &binary, 5s).ok());
  EXPECT_FALSE(binary);  // the greeting was JSON text
  Send(ws, R"({"action":"auth","key":"sim-key","secret":"sim-secret"})");
  EXPECT_EQ(Decoded(NextBinary(ws)), json::parse(R"([{"T":"success","msg":"authenticated"}])"));
}

TEST_F(MarketMsgpackTest, UnknownPathsUnderV2AreNotFoundNeverAnUpgradeDemand) {
  testing::HttpClient http;
  const std::vector<std::string> keys = {"APCA-API-KEY-ID: sim-key",
                                         "APCA-API-SECRET-KEY: sim-secret"};
  EXPECT_EQ(http.Get("http://" + base_ + "/v2/nope", keys).status, 404);
  EXPECT_EQ(http.Get("http://" + base_ + "/v2/iexx").status, 404);
  EXPECT_EQ(http.Get("http://" + base_ + "/v2/iex").status, 426);  // the stream itself
  http::WebSocketClient ws;
  Status s = ws.Connect("ws://" + base_ + "/v2/stocks/nope", {});
  EXPECT_NE(s.message().find("404"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace torghut::sim
