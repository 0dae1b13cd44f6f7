// The forwarder's pure parts: reconnect delays per error class, the de-dup window, the
// market-hours-aware staleness watchdog, the universe parser and the configuration.
#include <gtest/gtest.h>

#include "torghut/forwarder/forwarder.h"
#include "torghut/forwarder/reconnect_policy.h"
#include "torghut/forwarder/universe.h"

namespace torghut::forwarder {
namespace {

TEST(ReconnectPolicyTest, DoublesWithJitterUpToTheCapAndHonoursTheFloors) {
  ReconnectSettings s;
  ReconnectPolicy p(s, /*seed=*/42);
  int64_t expected = 500;
  for (int i = 0; i < 10; ++i) {
    const int64_t d = p.NextDelayMs(Disconnect::kNetwork);
    EXPECT_GE(d, static_cast<int64_t>(expected * 0.8)) << i;
    EXPECT_LE(d, static_cast<int64_t>(expected * 1.2)) << i;
    expected = std::min<int64_t>(expected * 2, 30'000);
  }
  p.Reset();
  EXPECT_LE(p.NextDelayMs(Disconnect::kStarvation), 600);
  // 406: never shorter than the floor, however early in the backoff.
  p.Reset();
  EXPECT_EQ(p.NextDelayMs(Disconnect::kConnectionLimit), 90'000);
  // Configuration faults: the slow retry.
  EXPECT_EQ(p.NextDelayMs(Disconnect::kConfiguration), 60'000);
  // Jitter differs between draws.
  std::set<int64_t> seen;
  for (int i = 0; i < 20; ++i) {
    p.Reset();
    seen.insert(p.NextDelayMs(Disconnect::kNetwork));
  }
  EXPECT_GT(seen.size(), 10u);
}

TEST(DedupWindowTest, DropsWithinTheTtlAndForgetsAfter) {
  DedupWindow w(5000);
  const Timestamp t0 = Timestamp::FromSeconds(1000);
  const uint64_t a = DedupWindow::Key(0, 1, 42), b = DedupWindow::Key(0, 2, 42);
  EXPECT_NE(a, b);
  EXPECT_NE(DedupWindow::Key(0, 1, 42), DedupWindow::Key(1, 1, 42));
  EXPECT_FALSE(w.Seen(a, t0));
  EXPECT_FALSE(w.Seen(b, t0));
  EXPECT_TRUE(w.Seen(a, Timestamp::FromMillis(t0.nanos() / 1'000'000 + 4999)));
  EXPECT_FALSE(w.Seen(a, Timestamp::FromMillis(t0.nanos() / 1'000'000 + 5001)));
  EXPECT_EQ(w.size(), 1u);  // b expired too
}

TEST(StalenessWatchdogTest, FiresOnlyWhileTheMarketIsOpen) {
  auto cal = TradingCalendar::NewYork();
  ASSERT_TRUE(cal.ok());
  StalenessWatchdog w(&*cal, WatchdogSessions::kRegular, {1000, 1000, 5000});
  // Tuesday 2024-01-02 15:00Z = 10:00 New York (regular session).
  const Timestamp open = Timestamp::FromSeconds(1704207600);
  w.Reset(open, {true, false, true});
  EXPECT_EQ(w.Starving(Timestamp::FromNanos(open.nanos() + 900'000'000)), -1);
  EXPECT_EQ(w.Starving(Timestamp::FromNanos(open.nanos() + 1'100'000'000)), 0);
  w.Saw(0, Timestamp::FromNanos(open.nanos() + 1'000'000'000));
  EXPECT_EQ(w.Starving(Timestamp::FromNanos(open.nanos() + 1'500'000'000)), -1);
  EXPECT_EQ(w.Starving(Timestamp::FromNanos(open.nanos() + 5'100'000'000)), 0);
  w.Saw(0, Timestamp::FromNanos(open.nanos() + 5'000'000'000));
  EXPECT_EQ(w.Starving(Timestamp::FromNanos(open.nanos() + 5'100'000'000)), 2);  // bars
  // Saturday: closed, silence is expected.
  const Timestamp saturday = Timestamp::FromSeconds(1704553200);  // 2024-01-06 15:00Z
  w.Reset(saturday, {true, true, true});
  EXPECT_EQ(w.Starving(Timestamp::FromNanos(saturday.nanos() + 3'600'000'000'000)), -1);
  // Pre-market counts only in the extended mode; "always" ignores the calendar.
  const Timestamp pre = Timestamp::FromSeconds(1704196800);  // 2024-01-02 12:00Z = 07:00 NY
  StalenessWatchdog ext(&*cal, WatchdogSessions::kExtended, {1000, 1000, 1000});
  ext.Reset(pre, {true, false, false});
  EXPECT_EQ(ext.Starving(Timestamp::FromNanos(pre.nanos() + 2'000'000'000)), 0);
  w.Reset(pre, {true, false, false});
  EXPECT_EQ(w.Starving(Timestamp::FromNanos(pre.nanos() + 2'000'000'000)), -1);
  StalenessWatchdog always(&*cal, WatchdogSessions::kAlways, {1000, 1000, 1000});
  always.Reset(saturday, {false, true, false});
  EXPECT_EQ(always.Starving(Timestamp::FromNanos(saturday.nanos() + 2'000'000'000)), 1);
}

TEST(SymbolListTest, ParsesArraysAndObjectsAndRejectsTheRest) {
  auto l = ParseSymbolList(R"(["MSFT","AAPL","MSFT"])");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(*l, (std::vector<std::string>{"AAPL", "MSFT"}));
  l = ParseSymbolList(R"({"symbols":["NVDA"]})");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(*l, (std::vector<std::string>{"NVDA"}));
  EXPECT_FALSE(ParseSymbolList("AAPL,MSFT").ok());
  EXPECT_FALSE(ParseSymbolList(R"(["bad symbol"])").ok());
  EXPECT_FALSE(ParseSymbolList(R"({"x":1})").ok());
}

TEST(ForwarderConfigTest, ReadsTheEnvironmentAndNamesEachBadValue) {
  ConfigReader ok(EnvSource::FromMap({{"APCA_API_KEY_ID", "k"},
                                      {"APCA_API_SECRET_KEY", "s"},
                                      {"SYMBOLS", "AAPL,MSFT"},
                                      {"ALPACA_STREAM_URL", "ws://127.0.0.1:9/"},
                                      {"WS_406_FLOOR_MS", "3000"}}));
  ForwarderConfig c = ReadForwarderConfig(ok);
  ASSERT_TRUE(ok.Finish().ok());
  EXPECT_EQ(c.key_id, "k");
  EXPECT_EQ(c.secret_key, "s");
  EXPECT_EQ(c.stream_url, "ws://127.0.0.1:9");
  EXPECT_EQ(c.reconnect.floor_406_ms, 3000);
  EXPECT_EQ(c.symbols.size(), 2u);
  ConfigReader bad(EnvSource::FromMap({{"ALPACA_FEED", "nasdaq"},
                                       {"SYMBOLS", "AAPL,bad sym"},
                                       {"ALPACA_STREAM_URL", "http://x"},
                                       {"WS_WATCHDOG_SESSIONS", "sometimes"}}));
  ReadForwarderConfig(bad);
  const Status s = bad.Finish();
  ASSERT_FALSE(s.ok());
  for (const char* want :
       {"ALPACA_FEED", "'bad sym'", "ALPACA_STREAM_URL", "ALPACA_KEY_ID", "WS_WATCHDOG_SESSIONS"}) {
    EXPECT_NE(s.message().find(want), std::string::npos) << want << " in " << s.message();
  }
  // The secret never appears in configuration errors.
  EXPECT_EQ(s.message().find("\"s\""), std::string::npos);
}

TEST(ForwarderHealthTest, JsonHasTheGatesAndTheErrorClass) {
  ForwarderHealth h;
  h.status = "error";
  h.error_class = "alpaca_auth";
  h.gate_ws = false;
  EXPECT_EQ(h.Json(),
            R"({"attempt":0,"error_class":"alpaca_auth","gates":{"alpaca_ws":false,"kafka":true,)"
            R"("market_data_channels":true},"ready":false,"status":"error"})");
}

}  // namespace
}  // namespace torghut::forwarder
