// The trade_updates client against a scripted `/stream` WebSocket on loopback (the project's
// http::Server): authenticate, listen, events parsed into TradeUpdate, a dropped socket reported
// and reconnected with events flowing again, a refused key and an ungranted stream as their own
// errors, bad frames skipped, stop honoured; and the stream's frames parsed on their own.
#include "torghut/broker/alpaca/trade_updates.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "torghut/core/time.h"
#include "torghut/http/server.h"
#include "torghut/testing/test_support.h"

namespace torghut::broker {
namespace {

using namespace std::chrono_literals;
using torghut::testing::WaitFor;

constexpr char kKeyId[] = "PKSTREAMKEY000111";
constexpr char kSecret[] = "stream-secret-222333444";

// A fill as Alpaca's trade_updates stream sends it.
constexpr char kFillEvent[] = R"({"stream":"trade_updates","data":{
  "event":"fill","execution_id":"7f8b4c1e-2a3d-4e5f-9a6b-1c2d3e4f5a6b",
  "timestamp":"2024-03-22T14:30:00.476511Z","price":"421.355","qty":"2.5",
  "position_qty":"2.5",
  "order":{"id":"a8ced16c-bd19-4abc-8442-33bb0488ff8c",
    "client_order_id":"th-0123456789abcdef0123456789abcdef01234567",
    "created_at":"2024-03-22T14:30:00.464983Z","updated_at":"2024-03-22T14:30:00.480000Z",
    "submitted_at":"2024-03-22T14:30:00.470000Z","filled_at":"2024-03-22T14:30:00.476511Z",
    "expired_at":null,"canceled_at":null,"failed_at":null,"asset_class":"us_equity",
    "symbol":"MSFT","notional":null,"qty":"2.5","filled_qty":"2.5","filled_avg_price":"421.355",
    "order_type":"limit","type":"limit","side":"buy","time_in_force":"day",
    "limit_price":"421.40","stop_price":null,"status":"filled","extended_hours":false}}})";

std::string NewEvent(const std::string& cid) {
  nlohmann::json order = nlohmann::json::parse(kFillEvent)["data"]["order"];
  order["client_order_id"] = cid;
  order["status"] = "new";
  order["filled_qty"] = "0";
  order["filled_avg_price"] = nullptr;
  order["filled_at"] = nullptr;
  return nlohmann::json{{"stream", "trade_updates"}, {"data", {{"event", "new"}, {"order", order}}}}
      .dump();
}

TEST(TradeStreamFrameTest, ParsesEveryMessageKind) {
  auto m = ParseTradeStreamFrame(
      R"({"stream":"authorization","data":{"action":"authenticate","status":"authorized"}})");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->size(), 1u);
  EXPECT_EQ((*m)[0].kind, StreamMessage::Kind::kAuthorization);
  EXPECT_TRUE((*m)[0].authorized);

  m = ParseTradeStreamFrame(R"({"stream":"authorization","data":{"action":"authenticate",
      "message":"access key verification failed","status":"unauthorized"}})");
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE((*m)[0].authorized);
  EXPECT_EQ((*m)[0].message, "access key verification failed");

  m = ParseTradeStreamFrame(R"({"stream":"listening","data":{"streams":["trade_updates"]}})");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)[0].kind, StreamMessage::Kind::kListening);
  EXPECT_EQ((*m)[0].streams, std::vector<std::string>{"trade_updates"});

  m = ParseTradeStreamFrame(kFillEvent);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const TradeUpdate& u = (*m)[0].update;
  EXPECT_EQ((*m)[0].kind, StreamMessage::Kind::kTradeUpdate);
  EXPECT_EQ(u.event, "fill");
  EXPECT_EQ(u.execution_id, "7f8b4c1e-2a3d-4e5f-9a6b-1c2d3e4f5a6b");
  EXPECT_EQ(u.timestamp, ParseRfc3339("2024-03-22T14:30:00.476Z").value().millis());
  EXPECT_EQ(u.price, Decimal::Parse("421.355").value());
  EXPECT_EQ(u.qty, Decimal::Parse("2.5").value());
  EXPECT_EQ(u.position_qty, Decimal::Parse("2.5").value());
  EXPECT_EQ(u.order.client_order_id, "th-0123456789abcdef0123456789abcdef01234567");
  EXPECT_EQ(u.order.status, trading::OrderStatus::kFilled);
  EXPECT_EQ(u.order.limit_price, Decimal::Parse("421.4").value());

  // An event without a timestamp is timed at its order's updated_at; arrays carry several.
  m = ParseTradeStreamFrame("[" + NewEvent("th-a") + "," + NewEvent("th-b") + "]");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->size(), 2u);
  EXPECT_EQ((*m)[1].update.order.client_order_id, "th-b");
  EXPECT_EQ((*m)[1].update.timestamp, ParseRfc3339("2024-03-22T14:30:00.480Z").value().millis());
  EXPECT_FALSE((*m)[1].update.price.has_value());

  m = ParseTradeStreamFrame(R"({"stream":"account_updates","data":{}})");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)[0].kind, StreamMessage::Kind::kOther);

  for (const char* bad : {"not json", R"({"stream":"trade_updates","data":{"event":"fill"}})",
                          R"({"stream":"trade_updates","data":{"order":{}}})",
                          R"({"stream":"listening","data":{"streams":"trade_updates"}})"}) {
    EXPECT_EQ(ParseTradeStreamFrame(bad).status().code(), StatusCode::kDataLoss) << bad;
  }
  EXPECT_NE(ParseTradeStreamFrame(R"({"stream":"trade_updates","data":{"event":"fill"}})")
                .status()
                .message()
                .find("trade_updates.data.order: missing"),
            std::string::npos);

  const nlohmann::json auth = nlohmann::json::parse(TradeStreamAuthMessage("k\"1", "s2"));
  EXPECT_EQ(auth, nlohmann::json::parse(
                      R"({"action":"authenticate","data":{"key_id":"k\"1","secret_key":"s2"}})"));
  EXPECT_EQ(nlohmann::json::parse(TradeStreamListenMessage())["data"]["streams"][0],
            "trade_updates");
}

// Alpaca's /stream: checks the key, grants trade_updates (unless told not to), and lets the test
// push frames to, or cut, the connection that is listening.
class FakeStream {
 public:
  FakeStream() {
    http::Router router;
    router.WebSocket("/stream",
                     [this](const http::Request&, std::shared_ptr<http::WebSocketPeer> peer) {
                       http::WebSocketCallbacks cb;
                       cb.on_text = [this, peer](std::string_view text) { OnText(peer, text); };
                       return cb;
                     });
    http::ServerConfig config;
    config.port = 0;
    config.access_log = false;
    server_ = std::make_unique<http::Server>(config, std::move(router), &metrics_);
  }
  ~FakeStream() { server_->Stop(); }
  Status Start() { return server_->Start(); }
  std::string url() const {
    return "ws://127.0.0.1:" + std::to_string(server_->port()) + "/stream";
  }

  void Send(const std::string& frame) {
    std::lock_guard lock(mu_);
    if (listening_) listening_->Send(frame);
  }
  void Drop() {
    std::lock_guard lock(mu_);
    if (listening_) listening_->Drop();
    listening_.reset();
  }
  int auths() const {
    std::lock_guard lock(mu_);
    return auths_;
  }
  std::atomic<bool> grant{true};    // answer listen with trade_updates
  std::atomic<bool> silent{false};  // never answer authenticate

 private:
  void OnText(const std::shared_ptr<http::WebSocketPeer>& peer, std::string_view text) {
    const nlohmann::json m = nlohmann::json::parse(text, nullptr, false);
    if (m.value("action", "") == "authenticate") {
      std::lock_guard lock(mu_);
      ++auths_;
      if (silent) return;
      const bool ok =
          m["data"].value("key_id", "") == kKeyId && m["data"].value("secret_key", "") == kSecret;
      peer->Send(ok ? R"({"stream":"authorization","data":{"action":"authenticate",)"
                      R"("status":"authorized"}})"
                    : R"({"stream":"authorization","data":{"action":"authenticate",)"
                      R"("message":"access key verification failed","status":"unauthorized"}})");
    } else if (m.value("action", "") == "listen") {
      std::lock_guard lock(mu_);
      peer->Send(grant ? R"({"stream":"listening","data":{"streams":["trade_updates"]}})"
                       : R"({"stream":"listening","data":{"streams":[]}})");
      if (grant) listening_ = peer;
    }
  }

  http::Registry metrics_;
  std::unique_ptr<http::Server> server_;
  mutable std::mutex mu_;
  std::shared_ptr<http::WebSocketPeer> listening_;
  int auths_ = 0;
};

class TradeUpdatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(stream_.Start().ok());
    options_.url = stream_.url();
    options_.key_id = kKeyId;
    options_.secret_key = kSecret;
    options_.poll = 20ms;
    options_.auth_timeout = 5s;
    options_.initial_backoff_ms = 10;
    options_.max_backoff_ms = 50;
  }
  void TearDown() override { StopClient(); }

  void StartClient() {
    client_ = std::make_unique<TradeUpdatesClient>(
        options_, TradeUpdatesHooks{.on_update =
                                        [this](const TradeUpdate& u) {
                                          std::lock_guard lock(mu_);
                                          updates_.push_back(u);
                                        },
                                    .on_connected = [this] { connected_.fetch_add(1); },
                                    .on_disconnected =
                                        [this](const Status& why, int64_t backoff_ms) {
                                          std::lock_guard lock(mu_);
                                          disconnects_.push_back(why);
                                          backoffs_.push_back(backoff_ms);
                                        }});
    thread_ = std::thread([this] { client_->Run(stop_); });
  }
  void StopClient() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  size_t Updates() {
    std::lock_guard lock(mu_);
    return updates_.size();
  }
  size_t Disconnects() {
    std::lock_guard lock(mu_);
    return disconnects_.size();
  }

  FakeStream stream_;
  TradeUpdatesOptions options_;
  std::unique_ptr<TradeUpdatesClient> client_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> connected_{0};
  std::mutex mu_;
  std::vector<TradeUpdate> updates_;
  std::vector<Status> disconnects_;
  std::vector<int64_t> backoffs_;
};

TEST_F(TradeUpdatesTest, AuthenticatesListensDeliversAndReconnectsAfterADrop) {
  StartClient();
  ASSERT_TRUE(WaitFor([&] { return client_->stats().connected; }, 10s));
  EXPECT_EQ(connected_.load(), 1);
  stream_.Send(kFillEvent);
  ASSERT_TRUE(WaitFor([&] { return Updates() == 1; }, 10s));
  {
    std::lock_guard lock(mu_);
    EXPECT_EQ(updates_[0].event, "fill");
    EXPECT_EQ(updates_[0].price, Decimal::Parse("421.355").value());
    EXPECT_EQ(updates_[0].order.symbol, "MSFT");
  }

  stream_.Drop();
  ASSERT_TRUE(WaitFor([&] { return Disconnects() == 1; }, 10s));
  {
    std::lock_guard lock(mu_);
    EXPECT_EQ(disconnects_[0].code(), StatusCode::kUnavailable) << disconnects_[0].ToString();
    EXPECT_EQ(backoffs_[0], 10);  // the session had reached listening: the backoff starts over
  }
  // Reconnected: on_connected again (the caller reconciles), and events flow again.
  ASSERT_TRUE(WaitFor([&] { return connected_.load() == 2 && client_->stats().connected; }, 10s));
  stream_.Send(NewEvent("th-after-reconnect"));
  ASSERT_TRUE(WaitFor([&] { return Updates() == 2; }, 10s));
  {
    std::lock_guard lock(mu_);
    EXPECT_EQ(updates_[1].event, "new");
    EXPECT_EQ(updates_[1].order.client_order_id, "th-after-reconnect");
  }
  const TradeUpdatesStats s = client_->stats();
  EXPECT_EQ(s.sessions, 2);
  EXPECT_EQ(s.disconnects, 1);
  EXPECT_EQ(s.updates, 2);
  EXPECT_EQ(stream_.auths(), 2);
  StopClient();
  EXPECT_FALSE(client_->stats().connected);
}

TEST_F(TradeUpdatesTest, ARefusedKeyIsTheAuthClassAndNamesNoKey) {
  options_.secret_key = "rotated-secret-555666777";
  StartClient();
  ASSERT_TRUE(WaitFor([&] { return Disconnects() >= 2; }, 10s));  // it keeps asking, slowly
  StopClient();
  std::lock_guard lock(mu_);
  EXPECT_EQ(disconnects_[0].code(), StatusCode::kUnauthenticated) << disconnects_[0].ToString();
  EXPECT_NE(disconnects_[0].message().find("access key verification failed"), std::string::npos);
  EXPECT_EQ(disconnects_[0].message().find("rotated-secret"), std::string::npos);
  EXPECT_EQ(backoffs_[0], options_.max_backoff_ms);
  EXPECT_EQ(client_->stats().error_class, "alpaca_auth");
  EXPECT_EQ(connected_.load(), 0);
}

TEST_F(TradeUpdatesTest, AStreamNotGrantedIsPermissionDenied) {
  stream_.grant = false;
  TradeUpdatesClient client(options_, {});
  std::atomic<bool> stop{false};
  const Status s = client.RunSession(stop);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << s.ToString();
  EXPECT_EQ(client.stats().error_class, "alpaca_auth");
}

TEST_F(TradeUpdatesTest, ABadFrameIsSkippedAndTheSessionCarriesOn) {
  StartClient();
  ASSERT_TRUE(WaitFor([&] { return client_->stats().connected; }, 10s));
  stream_.Send("{\"stream\":\"trade_updates\",\"data\":{\"event\":\"fill\"}}");
  stream_.Send("garbage");
  stream_.Send(kFillEvent);
  ASSERT_TRUE(WaitFor([&] { return Updates() == 1; }, 10s));
  const TradeUpdatesStats s = client_->stats();
  EXPECT_EQ(s.bad_frames, 2);
  EXPECT_TRUE(s.connected);
  EXPECT_EQ(Disconnects(), 0u);
}

TEST_F(TradeUpdatesTest, StopEndsASessionWaitingForItsAnswer) {
  stream_.silent = true;
  options_.auth_timeout = 60s;
  TradeUpdatesClient client(options_, {});
  std::atomic<bool> stop{false};
  Status s = Internal("not run");
  std::thread t([&] { s = client.RunSession(stop); });
  ASSERT_TRUE(WaitFor([&] { return stream_.auths() == 1; }, 10s));
  stop = true;
  t.join();  // within a poll, not the 60 s auth timeout
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST_F(TradeUpdatesTest, NothingListeningIsUnavailable) {
  options_.url = "ws://127.0.0.1:1/stream";
  TradeUpdatesClient client(options_, {});
  std::atomic<bool> stop{false};
  const Status s = client.RunSession(stop);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_EQ(client.stats().error_class, "alpaca_unreachable");
  EXPECT_EQ(client.stats().disconnects, 1);
}

}  // namespace
}  // namespace torghut::broker
