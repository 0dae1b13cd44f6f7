// `torghut strategy seed | list | enable | disable` as an operator runs it: the real binary against
// a SQLite file and against a Postgres server started here (a server that cannot start fails the
// test).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "torghut/testing/store_servers.h"
#include "torghut/testing/test_support.h"

namespace {

using torghut::testing::CommandResult;
using torghut::testing::Lines;
using torghut::testing::PostgresTestServer;
using torghut::testing::RunCommand;
using torghut::testing::ScratchDir;

class StrategyCommand : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    env_ = "TORGHUT_DATA_DIR=" + (dir_.path() / "data").string() + " ";
    if (GetParam() == "postgres") {
      pg_ = std::make_unique<PostgresTestServer>(dir_.path() / "pg");
      ASSERT_TRUE(pg_->Start()) << pg_->log();
      env_ += "TRADING_STORE=postgres DB_DSN='" + pg_->dsn() + "' ";
    }
  }

  CommandResult Strategy(const std::string& args) {
    return RunCommand(env_ + TORGHUT_BIN + " strategy " + args, dir_.path());
  }

  ScratchDir dir_{"torghut-strategy"};
  std::unique_ptr<PostgresTestServer> pg_;
  std::string env_;
};

TEST_P(StrategyCommand, SeedListEnableDisable) {
  CommandResult seeded = Strategy(
      "seed --name macd-rsi-default --base-timeframe 1Min --symbols AAPL,MSFT --enabled "
      "--max-notional 2500.10 --max-position-pct 12.5 --param rsi_buy_below=30.50 "
      "--param rsi_sell_above=70 --qty 0.1");
  ASSERT_EQ(seeded.exit_code, 0) << seeded.err;
  EXPECT_EQ(seeded.out, "strategy macd-rsi-default: created (enabled)\n");
  ASSERT_EQ(Strategy("seed --name x --type macd-cross --base-timeframe 1Sec --notional 1000 "
                     "--order-type limit --limit-offset-bps 2.5")
                .exit_code,
            0);

  CommandResult list = Strategy("list");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(Lines(list.out), (std::vector<std::string>{
                                 "macd-rsi-default  enabled   1Min  macd-rsi    AAPL,MSFT  "
                                 "{\"rsi_buy_below\":30.50,\"rsi_sell_above\":70}",
                                 "x                 disabled  1Sec  macd-cross  -          {}"}));

  CommandResult json = Strategy("list --json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto doc = nlohmann::json::parse(json.out);
  ASSERT_EQ(doc.size(), 2u);
  EXPECT_EQ(doc[0]["max_notional_per_trade"], "2500.1");
  EXPECT_EQ(doc[0]["max_position_pct_equity"], "12.5");
  EXPECT_EQ(doc[0]["qty"], "0.1");
  EXPECT_EQ(doc[0]["symbols"], nlohmann::json::array({"AAPL", "MSFT"}));
  EXPECT_NE(json.out.find(R"("params":{"rsi_buy_below":30.50,"rsi_sell_above":70})"),
            std::string::npos)
      << json.out;
  EXPECT_EQ(doc[1]["order_type"], "limit");
  EXPECT_EQ(doc[1]["limit_offset_bps"], "2.5");
  EXPECT_EQ(doc[1]["notional"], "1000");
  const std::string created_at = doc[0]["created_at"];

  // Re-seeding replaces the definition, keeps the enabled state and the creation time.
  CommandResult reseeded =
      Strategy("seed --name macd-rsi-default --symbols AAPL --description 'buy dips'");
  ASSERT_EQ(reseeded.exit_code, 0) << reseeded.err;
  EXPECT_EQ(reseeded.out, "strategy macd-rsi-default: updated (enabled)\n");
  const auto after = nlohmann::json::parse(Strategy("list --json").out);
  EXPECT_EQ(after[0]["symbols"], nlohmann::json::array({"AAPL"}));
  EXPECT_EQ(after[0]["description"], "buy dips");
  EXPECT_EQ(after[0]["enabled"], true);
  EXPECT_EQ(after[0]["created_at"], created_at);
  EXPECT_TRUE(after[0]["qty"].is_null());

  CommandResult disabled = Strategy("disable macd-rsi-default");
  ASSERT_EQ(disabled.exit_code, 0) << disabled.err;
  EXPECT_EQ(disabled.out, "strategy macd-rsi-default: disabled\n");
  EXPECT_NE(Strategy("list").out.find("macd-rsi-default  disabled"), std::string::npos);
  ASSERT_EQ(Strategy("enable x").exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(Strategy("list --json").out)[1]["enabled"], true);

  for (const std::string verb : {"enable", "disable"}) {
    CommandResult missing = Strategy(verb + " nope");
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_EQ(missing.err,
              "torghut strategy: no strategy named 'nope' (see 'torghut strategy "
              "list')\n");
  }
}

TEST_P(StrategyCommand, BadSeedsAreOneLineExitTwoAndWriteNothing) {
  struct Case {
    std::string args, want;
  };
  const Case cases[] = {
      {"seed --name a --base-timeframe 5Min", "--base-timeframe: unknown timeframe '5Min'"},
      {"seed --name a --type moon-phase", "unknown rule type 'moon-phase'"},
      {"seed --name a --param rsi_buy=30", "params.rsi_buy is not a parameter of this rule"},
      {"seed --name a --param rsi_buy_below=300", "params.rsi_buy_below must be a number"},
      {"seed --name a --param oops", "--param 'oops' must be key=value"},
      {"seed --name a --qty 1e3", "--qty '1e3' is not a decimal"},
      {"seed --name a --qty 1 --notional 5", "give qty or notional, not both"},
      {"seed --name a --order-type limit", "order_type limit needs limit_offset_bps"},
      {"seed --name a --symbols aapl", "symbols: "},
      {"seed --name 'two words'", "name must match"},
      {"seed --name a --enabled --disabled", "excludes"},
      {"seed --symbols AAPL", "--name is required"},
  };
  for (const Case& c : cases) {
    CommandResult r = Strategy(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << ": " << r.err;
    EXPECT_EQ(Lines(r.err).size(), 1u) << c.args << ": " << r.err;
    EXPECT_NE(r.err.find(c.want), std::string::npos) << c.args << ": " << r.err;
  }
  CommandResult list = Strategy("list");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out, "");
  EXPECT_EQ(Strategy("list --json").out, "[]\n");
}

INSTANTIATE_TEST_SUITE_P(Backends, StrategyCommand, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& backend) {
                           return backend.param;
                         });

TEST(StrategyCommandConfig, HelpAndBadConfiguration) {
  ScratchDir dir("torghut-strategy");
  CommandResult help = RunCommand(std::string(TORGHUT_BIN) + " strategy seed --help", dir.path());
  EXPECT_EQ(help.exit_code, 0);
  for (const char* flag : {"--name", "--base-timeframe", "--symbols", "--enabled", "--disabled",
                           "--max-notional", "--max-position-pct", "--type", "--param", "--qty",
                           "--notional", "--order-type", "--limit-offset-bps"}) {
    EXPECT_NE(help.out.find(flag), std::string::npos) << flag;
  }
  CommandResult top = RunCommand(std::string(TORGHUT_BIN) + " strategy --help", dir.path());
  EXPECT_EQ(top.exit_code, 0);
  for (const char* word : {"seed", "list", "enable", "disable", "TRADING_STORE", "DB_DSN"}) {
    EXPECT_NE(top.out.find(word), std::string::npos) << word;
  }
  CommandResult bad =
      RunCommand("TRADING_STORE=mysql " + std::string(TORGHUT_BIN) + " strategy list", dir.path());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("TRADING_STORE"), std::string::npos) << bad.err;
  CommandResult none = RunCommand(std::string(TORGHUT_BIN) + " strategy", dir.path());
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_EQ(Lines(none.err).size(), 1u) << none.err;
}

}  // namespace
