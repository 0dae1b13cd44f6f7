#include "torghut/core/log.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "torghut/core/time.h"

namespace torghut::log {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetSinkForTest([this](std::string_view line) { lines_.emplace_back(line); });
    SetLevel(Level::kInfo);
  }
  void TearDown() override { SetSinkForTest(nullptr); }
  std::vector<std::string> lines_;
};

TEST_F(LogTest, OneJsonObjectPerLine) {
  Info("ws", "connected", {{"url", "wss://x/v2/iex"}, {"attempt", 3}, {"lag", 1.5}, {"ok", true}});
  ASSERT_EQ(lines_.size(), 1u);
  auto j = nlohmann::json::parse(lines_[0]);
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["component"], "ws");
  EXPECT_EQ(j["msg"], "connected");
  EXPECT_EQ(j["url"], "wss://x/v2/iex");
  EXPECT_EQ(j["attempt"], 3);
  EXPECT_DOUBLE_EQ(j["lag"].get<double>(), 1.5);
  EXPECT_EQ(j["ok"], true);
  EXPECT_TRUE(ParseRfc3339(j["ts"].get<std::string>()).ok());
  EXPECT_EQ(j["ts"].get<std::string>().size(), 24u);  // millisecond precision
}

TEST_F(LogTest, EscapesEverything) {
  const std::string nasty = "quote\" backslash\\ newline\n tab\t bell\x07 end";
  Warn("x", nasty, {{"k", nasty}});
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0].find('\n'), std::string::npos);
  auto j = nlohmann::json::parse(lines_[0]);
  EXPECT_EQ(j["msg"], nasty);
  EXPECT_EQ(j["k"], nasty);
}

TEST_F(LogTest, LevelFiltering) {
  Debug("x", "hidden");
  Info("x", "shown");
  SetLevel(Level::kError);
  Warn("x", "hidden too");
  Error("x", "shown too");
  ASSERT_EQ(lines_.size(), 2u);
  EXPECT_NE(lines_[0].find("\"shown\""), std::string::npos);
  EXPECT_NE(lines_[1].find("shown too"), std::string::npos);
  Level l;
  EXPECT_TRUE(ParseLevel("warn", &l));
  EXPECT_EQ(l, Level::kWarn);
  EXPECT_FALSE(ParseLevel("loud", &l));
}

TEST_F(LogTest, SecretsAreRedactedEverywhere) {
  RegisterSecret("pk-live-\"abc\\123");
  RegisterSecret("ab");  // too short to redact safely: ignored
  Info("auth", "sending key pk-live-\"abc\\123 now", {{"header", "Bearer pk-live-\"abc\\123"}});
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0].find("abc"), std::string::npos) << lines_[0];
  auto j = nlohmann::json::parse(lines_[0]);
  EXPECT_EQ(j["msg"], "sending key *** now");
  EXPECT_EQ(j["header"], "Bearer ***");
  EXPECT_EQ(Redact("ab pk-live-\"abc\\123"), "ab ***");
}

}  // namespace
}  // namespace torghut::log
