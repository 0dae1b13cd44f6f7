// The simulator's shared parts in process: the market clock releases each message once the
// market time (an injected clock × speed) reaches it, and the fault switches are checked whole and
// handed to the parts that own them.
#include <gtest/gtest.h>

#include <condition_variable>
#include <fstream>
#include <mutex>

#include "torghut/core/time.h"
#include "torghut/sim/faults.h"
#include "torghut/sim/market_clock.h"
#include "torghut/testing/test_support.h"

namespace torghut::sim {
namespace {

using namespace std::chrono_literals;

TEST(MarketClockTest, ReleasesARecordingAsTheMarketTimeReachesEachMessage) {
  testing::ScratchDir dir("torghut-market-clock");
  const std::string file = (dir.path() / "in.jsonl").string();
  {
    std::ofstream out(file);
    out << R"({"T":"t","S":"AAPL","i":1,"x":"V","p":100,"s":1,"t":"2024-01-02T14:30:00Z"})"
        << "\n"
        << "not json\n"
        << R"({"T":"q","S":"AAPL","bx":"V","bp":99,"bs":1,"ax":"V","ap":101,"as":1,)"
        << R"("t":"2024-01-02T14:30:01Z"})"
        << "\n"
        << R"({"T":"b","S":"AAPL","o":1,"h":2,"l":1,"c":2,"v":5,"n":1,"vw":1.5,)"
        << R"("t":"2024-01-02T14:30:02Z"})"
        << "\n";
  }
  MarketServerOptions o;
  o.from_file = file;
  o.speed = 2;  // two market seconds per second of the clock
  o.batch_ms = 1;
  FakeClock clock(1'000 * kNanosPerSecond);
  MarketClock market(o, &clock);
  std::mutex mu;
  std::condition_variable cv;
  std::vector<MarketItem> seen;
  market.OnRelease([&](std::vector<MarketItem>& due, const ReleaseTick& tick) {
    std::lock_guard lock(mu);
    for (MarketItem& item : due) {
      EXPECT_LE(item.ts.nanos(), tick.market_now_ns);
      seen.push_back(std::move(item));
    }
    cv.notify_all();
  });
  ASSERT_TRUE(market.Start().ok());
  auto wait_for = [&](size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 10s, [&] { return seen.size() >= n; });
  };
  // Ticks go on while the clock stands still; nothing more becomes due.
  auto settled = [&] {
    std::unique_lock lock(mu);
    for (int ticks = 0; ticks < 5; ++ticks) cv.wait_for(lock, 100ms);
    return seen.size();
  };
  // The market starts at the recording's first message: it is due at once, the next are not.
  ASSERT_TRUE(wait_for(1));
  EXPECT_EQ(settled(), 1u);
  EXPECT_EQ(market.market_time(), Timestamp::FromSeconds(1704205800));
  clock.AdvanceMillis(500);  // one market second
  ASSERT_TRUE(wait_for(2));
  EXPECT_EQ(settled(), 2u);
  EXPECT_FALSE(market.finished());
  clock.AdvanceMillis(500);
  ASSERT_TRUE(wait_for(3));
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!market.finished() && std::chrono::steady_clock::now() < deadline) {
    std::unique_lock lock(mu);
    cv.wait_for(lock, 10ms);  // each tick notifies
  }
  EXPECT_TRUE(market.finished());
  market.Stop();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].type, alpaca::MessageType::kTrade);
  EXPECT_EQ(seen[0].symbol, "AAPL");
  EXPECT_EQ(seen[0].rest.find("\"T\""), std::string::npos);  // the REST object has no "T"
  EXPECT_FALSE(seen[0].rest.empty());
  EXPECT_TRUE(seen[1].rest.empty());  // quotes are not kept for REST
  EXPECT_EQ(seen[2].type, alpaca::MessageType::kBar);
  EXPECT_EQ(market.released(), 3);
}

TEST(FaultsTest, APostIsCheckedWholeAndHandedToThePartsThatOwnItsKeys) {
  Faults faults;
  std::vector<std::string> a_got, b_got;
  faults.AddSwitches({{"drop", FaultValue::kFlag}, {"silent_ms", FaultValue::kCount}},
                     [&](const nlohmann::json& f) { a_got.push_back(f.dump()); });
  faults.AddSwitches({{"http_429", FaultValue::kCount}},
                     [&](const nlohmann::json& f) { b_got.push_back(f.dump()); });
  faults.AddStatus([](nlohmann::json* j) { (*j)["b"] = 2; });
  faults.AddStatus([](nlohmann::json* j) { (*j)["a"] = 1; });
  auto post = [&](std::string body) {
    http::Request r;
    r.body = std::move(body);
    return faults.Post(r);
  };
  EXPECT_EQ(post(R"({"http_429":2})").status, 200);
  EXPECT_TRUE(a_got.empty());
  EXPECT_EQ(b_got, std::vector<std::string>{R"({"http_429":2})"});
  EXPECT_EQ(post(R"({"drop":true,"http_429":1})").status, 200);
  EXPECT_EQ(a_got.size(), 1u);
  EXPECT_EQ(b_got.size(), 2u);
  // Nothing is applied when any key is unknown or any value is bad.
  for (const char* bad : {R"({"explode":1})", R"({"silent_ms":-1,"http_429":1})", R"({"drop":1})",
                          R"({"http_429":"2"})", "[1]", "not json"}) {
    const http::Response r = post(bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_NE(r.body.find("message"), std::string::npos);
  }
  EXPECT_EQ(a_got.size(), 1u);
  EXPECT_EQ(b_got.size(), 2u);
  EXPECT_NE(post(R"({"explode":1})").body.find("unknown fault 'explode'"), std::string::npos);
  EXPECT_NE(post(R"({"drop":1})").body.find("fault 'drop' has a bad value"), std::string::npos);
  EXPECT_EQ(faults.Status().body, R"({"a":1,"b":2})");
}

}  // namespace
}  // namespace torghut::sim
