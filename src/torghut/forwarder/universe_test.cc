// The symbol universe in process: SYMBOLS merged with the polled list, the poll interval on an
// injected clock, and the last good list kept through every kind of failure.
#include "torghut/forwarder/universe.h"

#include <gtest/gtest.h>

#include <mutex>

#include "torghut/core/time.h"
#include "torghut/http/server.h"

namespace torghut::forwarder {
namespace {

class UniverseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http::Router router;
    router.Get("/symbols", [this](const http::Request&) {
      std::lock_guard lock(mu_);
      ++polls_;
      return http::Response::Json(status_, body_);
    });
    http::ServerConfig config;
    config.port = 0;
    config.access_log = false;
    server_ = std::make_unique<http::Server>(config, std::move(router), &metrics_);
    ASSERT_TRUE(server_->Start().ok());
    config_.symbols = {"SPY", "AAPL"};
    config_.symbols_url = "http://127.0.0.1:" + std::to_string(server_->port()) + "/symbols";
    config_.symbols_poll_ms = 60'000;
  }
  void TearDown() override { server_->Stop(); }
  void Serve(int status, std::string body) {
    std::lock_guard lock(mu_);
    status_ = status;
    body_ = std::move(body);
  }
  int polls() {
    std::lock_guard lock(mu_);
    return polls_;
  }

  ForwarderConfig config_;
  FakeClock clock_{1'000 * kNanosPerSecond};
  http::Registry metrics_;
  std::unique_ptr<http::Server> server_;
  std::mutex mu_;
  int status_ = 200, polls_ = 0;
  std::string body_ = R"(["MSFT","AAPL"])";
};

TEST_F(UniverseTest, MergesTheConfiguredSymbolsWithThePolledListOnItsInterval) {
  Universe u(config_, &clock_);
  EXPECT_EQ(u.symbols(), (std::vector<std::string>{"AAPL", "SPY"}));  // before any poll
  EXPECT_TRUE(u.PollDue());
  EXPECT_TRUE(u.Poll(/*force=*/true));
  EXPECT_EQ(u.symbols(), (std::vector<std::string>{"AAPL", "MSFT", "SPY"}));
  EXPECT_FALSE(u.PollDue());
  EXPECT_FALSE(u.Poll(false));  // not due: not asked
  EXPECT_EQ(polls(), 1);
  Serve(200, R"({"symbols":["NVDA"]})");
  clock_.AdvanceMillis(60'000);
  ASSERT_TRUE(u.PollDue());
  EXPECT_TRUE(u.Poll(false));
  EXPECT_EQ(u.symbols(), (std::vector<std::string>{"AAPL", "NVDA", "SPY"}));
  // The same list again is no change.
  clock_.AdvanceMillis(60'000);
  EXPECT_FALSE(u.Poll(false));
  EXPECT_EQ(polls(), 3);
}

TEST_F(UniverseTest, KeepsTheLastGoodListWhenAPollFails) {
  Universe u(config_, &clock_);
  ASSERT_TRUE(u.Poll(true));
  const std::vector<std::string> good = u.symbols();
  for (const auto& [status, body] :
       std::vector<std::pair<int, std::string>>{{500, R"({"message":"down"})"},
                                                {200, "not json"},
                                                {200, "[]"},
                                                {200, R"(["bad sym"])"}}) {
    Serve(status, body);
    EXPECT_FALSE(u.Poll(true)) << body;
    EXPECT_EQ(u.symbols(), good) << body;
  }
  server_->Stop();  // nothing answers at all
  EXPECT_FALSE(u.Poll(true));
  EXPECT_EQ(u.symbols(), good);
}

TEST_F(UniverseTest, WithoutAUrlThereIsNothingToPoll) {
  config_.symbols_url.clear();
  Universe u(config_, &clock_);
  EXPECT_FALSE(u.PollDue());
  EXPECT_FALSE(u.Poll(true));
  EXPECT_EQ(u.symbols(), (std::vector<std::string>{"AAPL", "SPY"}));
  EXPECT_EQ(polls(), 0);
}

}  // namespace
}  // namespace torghut::forwarder
