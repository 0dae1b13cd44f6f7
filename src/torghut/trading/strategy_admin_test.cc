#include "torghut/trading/strategy_admin.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace torghut::trading {
namespace {

constexpr EpochMillis kNow = 1'710'000'000'000;  // 2024-03-09T16:00:00Z

Decimal D(std::string_view s) {
  return Decimal::Parse(s).value();
}

StrategySeed Seed() {
  StrategySeed s;
  s.name = "macd-rsi-default";
  s.base_timeframe = "1Min";
  s.symbols = "AAPL, MSFT,,AAPL";
  s.enabled = true;
  return s;
}

TEST(StrategyFromSeed, TheOriginalsFlagsMakeAValidStrategy) {
  StrategySeed seed = Seed();
  seed.description = "buy dips";
  seed.max_notional = "2500.10";
  seed.max_position_pct = "12.5";
  seed.params = {"rsi_buy_below=30.50", "stop_loss_pct=0.5"};
  seed.qty = "0.1";
  auto s = StrategyFromSeed(seed, nullptr, kNow);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->name, "macd-rsi-default");
  EXPECT_EQ(s->description, "buy dips");
  EXPECT_TRUE(s->enabled);
  EXPECT_EQ(s->base_timeframe, Timeframe::k1Min);
  EXPECT_EQ(s->symbols, (std::vector<std::string>{"AAPL", "MSFT"}));
  EXPECT_EQ(s->max_notional_per_trade, D("2500.1"));
  EXPECT_EQ(s->max_position_pct_equity, D("12.5"));
  EXPECT_EQ(s->type, "macd-rsi");
  EXPECT_EQ(s->params_json, R"({"rsi_buy_below":30.50,"stop_loss_pct":0.5})");
  EXPECT_EQ(s->qty->units(), 100'000'000);  // exactly 0.1
  EXPECT_EQ(s->order_type, OrderType::kMarket);
  EXPECT_EQ(s->created_at, kNow);
  EXPECT_EQ(s->updated_at, kNow);
}

TEST(StrategyFromSeed, WithoutEnabledOrDisabledTheStoredFlagIsKept) {
  StrategySeed seed = Seed();
  seed.enabled.reset();
  EXPECT_FALSE(StrategyFromSeed(seed, nullptr, kNow)->enabled);  // new: disabled
  Strategy stored = *StrategyFromSeed(Seed(), nullptr, kNow - 1000);
  ASSERT_TRUE(stored.enabled);
  auto kept = StrategyFromSeed(seed, &stored, kNow);
  EXPECT_TRUE(kept->enabled);
  EXPECT_EQ(kept->created_at, kNow - 1000);
  EXPECT_EQ(kept->updated_at, kNow);
  seed.enabled = false;
  EXPECT_FALSE(StrategyFromSeed(seed, &stored, kNow)->enabled);
}

TEST(StrategyFromSeed, BadFlagsAreRefusedWithEveryReason) {
  StrategySeed seed = Seed();
  seed.base_timeframe = "5Min";
  seed.qty = "1e3";
  seed.order_type = "stop";
  auto r = StrategyFromSeed(seed, nullptr, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("--base-timeframe: unknown timeframe '5Min'"),
            std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("--qty '1e3' is not a decimal"), std::string::npos);
  EXPECT_NE(r.status().message().find("--order-type: unknown order type 'stop'"),
            std::string::npos);

  seed = Seed();
  seed.type = "moon-phase";
  EXPECT_EQ(StrategyFromSeed(seed, nullptr, kNow).status().code(), StatusCode::kNotFound);
  seed = Seed();
  seed.params = {"rsi_buy=30"};
  EXPECT_NE(StrategyFromSeed(seed, nullptr, kNow)
                .status()
                .message()
                .find("params.rsi_buy is not a parameter of this rule"),
            std::string::npos);
  seed = Seed();
  seed.order_type = "limit";
  EXPECT_NE(StrategyFromSeed(seed, nullptr, kNow)
                .status()
                .message()
                .find("order_type limit needs limit_offset_bps"),
            std::string::npos);
  seed.limit_offset_bps = "2.5";
  EXPECT_TRUE(StrategyFromSeed(seed, nullptr, kNow).ok());
}

TEST(ParamsJsonFromPairs, NumbersAsWrittenOtherTextAsStrings) {
  const std::vector<std::string> pairs = {"a=1.50",  "b=-2e3", "c=true",
                                          "d=hello", "e=0x10", "f= 7 "};
  EXPECT_EQ(*ParamsJsonFromPairs(pairs),
            R"({"a":1.50,"b":-2e3,"c":true,"d":"hello","e":"0x10","f":7})");
  EXPECT_EQ(*ParamsJsonFromPairs({}), "{}");
  const std::vector<std::string> no_eq = {"rsi"};
  EXPECT_NE(ParamsJsonFromPairs(no_eq).status().message().find("must be key=value"),
            std::string::npos);
  const std::vector<std::string> twice = {"a=1", "a=2"};
  EXPECT_NE(ParamsJsonFromPairs(twice).status().message().find("--param a is given twice"),
            std::string::npos);
  const std::vector<std::string> no_key = {"=1"};
  EXPECT_FALSE(ParamsJsonFromPairs(no_key).ok());
}

std::vector<Strategy> Two() {
  Strategy a = *StrategyFromSeed(Seed(), nullptr, kNow);
  StrategySeed b_seed;
  b_seed.name = "x";
  b_seed.type = "macd-cross";
  b_seed.base_timeframe = "1Sec";
  b_seed.params = {"rsi_max=70"};
  b_seed.notional = "1000.25";
  Strategy b = *StrategyFromSeed(b_seed, nullptr, kNow + 1);
  return {a, b};
}

TEST(StrategyLines, OneAlignedLinePerStrategy) {
  const std::vector<std::string> lines = StrategyLines(Two());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "macd-rsi-default  enabled   1Min  macd-rsi    AAPL,MSFT  {}");
  EXPECT_EQ(lines[1], "x                 disabled  1Sec  macd-cross  -          {\"rsi_max\":70}");
  EXPECT_TRUE(StrategyLines({}).empty());
}

TEST(StrategiesJson, EveryFieldWithExactDecimals) {
  const auto doc = nlohmann::json::parse(StrategiesJson(Two()));
  ASSERT_TRUE(doc.is_array());
  ASSERT_EQ(doc.size(), 2u);
  EXPECT_EQ(doc[0]["name"], "macd-rsi-default");
  EXPECT_EQ(doc[0]["enabled"], true);
  EXPECT_EQ(doc[0]["base_timeframe"], "1Min");
  EXPECT_EQ(doc[0]["symbols"], nlohmann::json::array({"AAPL", "MSFT"}));
  EXPECT_TRUE(doc[0]["notional"].is_null());
  EXPECT_EQ(doc[0]["created_at"], "2024-03-09T16:00:00.000Z");
  EXPECT_EQ(doc[1]["notional"], "1000.25");  // money as a decimal string
  EXPECT_EQ(doc[1]["params"]["rsi_max"], 70);
  EXPECT_EQ(doc[1]["type"], "macd-cross");
  EXPECT_EQ(doc[1]["time_in_force"], "day");
  EXPECT_EQ(doc[1]["universe_type"], "static");
  // The params object is embedded with its numbers' text unchanged.
  Strategy exact = Two()[1];
  exact.params_json = R"({"rsi_max":70.000000000000000001})";
  EXPECT_NE(StrategiesJson({&exact, 1}).find(R"("params":{"rsi_max":70.000000000000000001})"),
            std::string::npos);
  EXPECT_EQ(StrategiesJson({}), "[]");
}

}  // namespace
}  // namespace torghut::trading
