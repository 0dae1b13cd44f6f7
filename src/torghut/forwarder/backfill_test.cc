// The backfill in process: which gap a reconnect leaves (GapTracker), and fetching it from a REST
// data API on loopback — pages followed, throttled requests retried, 100 symbols per request,
// bars from the gap's minute, long gaps cut, the keys sent as headers, failures not fatal.
#include "torghut/forwarder/backfill.h"

#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "torghut/alpaca/frame_decoder.h"
#include "torghut/core/time.h"
#include "torghut/http/server.h"

namespace torghut::forwarder {
namespace {

using nlohmann::json;

constexpr int64_t kT0 = 1704205800 * kNanosPerSecond;  // 2024-01-02T14:30:00Z

TEST(GapTrackerTest, TheGapRunsFromTheLastEventBeforeTheDropToTheFirstAfter) {
  GapTracker gaps(/*end_wait_ms=*/2'000);
  // The first session has nothing to fill.
  gaps.OnConnecting();
  gaps.OnSubscribed(kT0, /*enabled=*/true);
  EXPECT_FALSE(gaps.TakeDue(kT0 + 10 * kNanosPerSecond).has_value());
  gaps.Saw(kT0 + 1 * kNanosPerSecond);
  gaps.Saw(kT0 + 3 * kNanosPerSecond);
  gaps.Saw(kT0 + 2 * kNanosPerSecond);  // late: the last event is the newest one
  EXPECT_EQ(gaps.last_event_ns(), kT0 + 3 * kNanosPerSecond);
  // Reconnected: due once the first event after the reconnect is known.
  gaps.OnConnecting();
  const int64_t up = kT0 + 20 * kNanosPerSecond;
  gaps.OnSubscribed(up, true);
  EXPECT_FALSE(gaps.TakeDue(up + kNanosPerMilli).has_value());
  gaps.Saw(kT0 + 19 * kNanosPerSecond);
  const std::optional<Gap> gap = gaps.TakeDue(up + kNanosPerMilli);
  ASSERT_TRUE(gap.has_value());
  EXPECT_EQ(gap->start_ns, kT0 + 3 * kNanosPerSecond);
  EXPECT_EQ(gap->end_ns, kT0 + 19 * kNanosPerSecond);
  EXPECT_FALSE(gaps.TakeDue(up + kNanosPerSecond).has_value());  // once
}

TEST(GapTrackerTest, WithoutAnEventAfterTheReconnectTheGapEndsWhenTheWaitIsOver) {
  GapTracker gaps(2'000);
  gaps.OnSubscribed(kT0, true);
  gaps.Saw(kT0 + kNanosPerSecond);
  gaps.OnConnecting();
  gaps.OnSubscribed(kT0 + 10 * kNanosPerSecond, true);
  EXPECT_FALSE(gaps.TakeDue(kT0 + 12 * kNanosPerSecond).has_value());  // exactly the wait
  const int64_t later = kT0 + 12 * kNanosPerSecond + 1;
  const std::optional<Gap> gap = gaps.TakeDue(later);
  ASSERT_TRUE(gap.has_value());
  EXPECT_EQ(gap->start_ns, kT0 + kNanosPerSecond);
  EXPECT_EQ(gap->end_ns, later);
}

TEST(GapTrackerTest, NoGapWhenDisabledOrWhenNothingWasSeenBefore) {
  GapTracker off(2'000);
  off.OnSubscribed(kT0, false);
  off.Saw(kT0 + kNanosPerSecond);
  off.OnConnecting();
  off.OnSubscribed(kT0 + 5 * kNanosPerSecond, false);
  off.Saw(kT0 + 6 * kNanosPerSecond);
  EXPECT_FALSE(off.TakeDue(kT0 + 60 * kNanosPerSecond).has_value());
  GapTracker quiet(2'000);
  quiet.OnSubscribed(kT0, true);  // a first session that saw nothing
  quiet.OnConnecting();
  quiet.OnSubscribed(kT0 + 5 * kNanosPerSecond, true);
  quiet.Saw(kT0 + 6 * kNanosPerSecond);
  EXPECT_FALSE(quiet.TakeDue(kT0 + 60 * kNanosPerSecond).has_value());
}

// A REST data API: every request recorded; trades come in two pages (the first symbol of the
// request, then the last), bars in one; the first `throttle` requests answer 429.
class BackfillTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http::Router router;
    router.Get("/v2/stocks/trades", [this](const http::Request& r) { return Answer(r, true); });
    router.Get("/v2/stocks/bars", [this](const http::Request& r) { return Answer(r, false); });
    http::ServerConfig config;
    config.port = 0;
    config.access_log = false;
    server_ = std::make_unique<http::Server>(config, std::move(router), &server_metrics_);
    ASSERT_TRUE(server_->Start().ok());
    config_.data_url = "http://127.0.0.1:" + std::to_string(server_->port()) + "/";
    config_.key_id = "key-1";
    config_.secret_key = "secret-1";
    config_.feed = "iex";
  }
  void TearDown() override { server_->Stop(); }

  struct Seen {
    bool trades;
    std::vector<std::string> symbols;
    std::string start, end, page_token, key, secret;
  };

  http::Response Answer(const http::Request& r, bool trades) {
    std::lock_guard lock(mu_);
    if (failing_) return http::Response::Json(500, R"({"message":"down"})");
    if (throttle_ > 0) {
      --throttle_;
      http::Response res = http::Response::Json(429, R"({"message":"too many requests."})");
      res.headers.emplace_back("Retry-After", "0");
      return res;
    }
    Seen s;
    s.trades = trades;
    const std::string list(r.Query("symbols").value_or(""));
    for (size_t at = 0; at <= list.size();) {
      const size_t comma = std::min(list.find(',', at), list.size());
      s.symbols.push_back(list.substr(at, comma - at));
      at = comma + 1;
    }
    s.start = r.Query("start").value_or("");
    s.end = r.Query("end").value_or("");
    s.page_token = r.Query("page_token").value_or("");
    s.key = r.Header("apca-api-key-id");
    s.secret = r.Header("apca-api-secret-key");
    seen_.push_back(s);
    json body;
    if (trades) {
      const bool first = s.page_token.empty();
      const std::string& symbol = first ? s.symbols.front() : s.symbols.back();
      body["trades"][symbol] = json::array({{{"t", "2024-01-02T14:30:01Z"},
                                             {"x", "V"},
                                             {"p", 100.5},
                                             {"s", 10},
                                             {"i", 7},
                                             {"c", json::array({"@"})},
                                             {"z", "C"}}});
      body["next_page_token"] = first ? json("p2") : json();
    } else {
      body["bars"][s.symbols.front()] = json::array({{{"t", "2024-01-02T14:30:00Z"},
                                                      {"o", 1.0},
                                                      {"h", 2.0},
                                                      {"l", 0.5},
                                                      {"c", 1.5},
                                                      {"v", 100},
                                                      {"n", 3},
                                                      {"vw", 1.2}}});
      body["next_page_token"] = json();
    }
    return http::Response::Json(200, body.dump());
  }

  // Decodes each REST message as the forwarder does and counts trades and bars.
  Backfill::Emit Decoding() {
    return [this](std::string_view message) -> int64_t {
      if (!decoder_.Decode(message, &batch_).ok()) return 0;
      for (const auto& m : batch_.messages) {
        if (m.type == alpaca::MessageType::kTrade) ++trades_;
        if (m.type == alpaca::MessageType::kBar) ++bars_;
      }
      return static_cast<int64_t>(batch_.messages.size());
    };
  }

  ForwarderConfig config_;
  http::Registry metrics_, server_metrics_;
  std::unique_ptr<http::Server> server_;
  std::mutex mu_;
  std::vector<Seen> seen_;
  int throttle_ = 0;
  bool failing_ = false;
  SymbolTable symbols_;
  alpaca::FrameDecoder decoder_{&symbols_};
  alpaca::MessageBatch batch_;
  int64_t trades_ = 0, bars_ = 0;
};

TEST_F(BackfillTest, FetchesEveryPageOfTradesAndBarsHundredSymbolsAtATime) {
  std::vector<std::string> symbols;
  for (int i = 0; i < 150; ++i) symbols.push_back("S" + std::to_string(1000 + i));
  Backfill backfill(config_, &metrics_);
  std::vector<int64_t> waits;
  backfill.rest().sleep = [&](int64_t ms) { waits.push_back(ms); };
  throttle_ = 2;  // the first requests are throttled, and asked again
  const Gap gap{kT0 + 90 * kNanosPerSecond + 500 * kNanosPerMilli, kT0 + 200 * kNanosPerSecond};
  const int64_t forwarded = backfill.Run(gap, symbols, Decoding());
  EXPECT_EQ(waits, (std::vector<int64_t>{0, 0}));  // Retry-After: 0
  // Two chunks (100 + 50 symbols); trades in two pages per chunk, bars in one.
  ASSERT_EQ(seen_.size(), 6u);
  EXPECT_EQ(trades_, 4);
  EXPECT_EQ(bars_, 2);
  EXPECT_EQ(forwarded, 6);
  EXPECT_EQ(metrics_.GetCounter("torghut_ws_backfill_messages_total", "").value(), 6);
  for (const Seen& s : seen_) {
    EXPECT_EQ(s.key, "key-1");
    EXPECT_EQ(s.secret, "secret-1");
    EXPECT_EQ(s.end, "2024-01-02T14:33:20Z");
    // Trades from the gap's start; bars from the start of its minute.
    EXPECT_EQ(s.start, s.trades ? "2024-01-02T14:31:30.5Z" : "2024-01-02T14:31:00Z");
  }
  EXPECT_TRUE(seen_[0].trades);
  EXPECT_EQ(seen_[0].symbols.size(), 100u);
  EXPECT_EQ(seen_[1].page_token, "p2");
  EXPECT_FALSE(seen_[2].trades);
  EXPECT_EQ(seen_[3].symbols.size(), 50u);
  EXPECT_EQ(seen_[3].symbols.front(), "S1100");
}

TEST_F(BackfillTest, ALongGapKeepsItsEndAndOnlyTheSubscribedKindsAreFetched) {
  config_.backfill_max_gap_ms = 3'600'000;  // 1 h
  config_.channels = {alpaca::Channel::kBars};
  Backfill backfill(config_, &metrics_);
  backfill.Run({kT0, kT0 + 3 * 3600 * kNanosPerSecond}, {"AAPL"}, Decoding());
  ASSERT_EQ(seen_.size(), 1u);
  EXPECT_FALSE(seen_[0].trades);
  EXPECT_EQ(seen_[0].start, "2024-01-02T16:30:00Z");  // end − 1 h
  EXPECT_EQ(seen_[0].end, "2024-01-02T17:30:00Z");
  // An empty or reversed gap asks nothing.
  EXPECT_EQ(backfill.Run({kT0, kT0}, {"AAPL"}, Decoding()), 0);
  EXPECT_EQ(seen_.size(), 1u);
}

TEST_F(BackfillTest, AServerThatKeepsFailingIsGivenUpAfterTheAttempts) {
  failing_ = true;
  Backfill backfill(config_, &metrics_);
  int attempts_waited = 0;
  backfill.rest().sleep = [&](int64_t) { ++attempts_waited; };
  backfill.rest().retry.max_attempts = 3;
  EXPECT_EQ(backfill.Run({kT0, kT0 + kNanosPerMinute}, {"AAPL"}, Decoding()), 0);
  EXPECT_EQ(attempts_waited, 4);  // (3 attempts = 2 waits) for trades, and for bars
  // And the REST client's error names the request and the answer, never the keys.
  int64_t emitted = 0;
  Result<int64_t> n = backfill.rest().Fetch(RestKind::kTrades, {"AAPL"}, Timestamp::FromNanos(kT0),
                                            Timestamp::FromNanos(kT0 + kNanosPerMinute), "iex",
                                            [&](std::string_view) { ++emitted; });
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.status().message().find("/v2/stocks/trades: HTTP 500"), std::string::npos)
      << n.status().message();
  EXPECT_EQ(n.status().message().find("secret-1"), std::string::npos);
  EXPECT_EQ(emitted, 0);
}

}  // namespace
}  // namespace torghut::forwarder
