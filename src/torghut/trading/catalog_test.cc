// Parsing catalog files: both shapes in YAML and JSON, exact decimals, params as JSON text, and
// one test per kind of invalid file (the error names the file, line, strategy and reason).
#include "torghut/trading/catalog.h"

#include <gtest/gtest.h>

#include "torghut/trading/strategies/rule.h"

namespace torghut::trading {
namespace {

constexpr std::string_view kFile = "/etc/torghut/strategies.yaml";

Decimal D(std::string_view s) {
  return Decimal::Parse(s).value();
}

std::vector<Strategy> Parse(std::string_view text) {
  Result<std::vector<Strategy>> r = ParseCatalog(text, kFile);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : std::vector<Strategy>{};
}

// The error of an invalid catalog; the test fails when it parses.
std::string Error(std::string_view text) {
  Result<std::vector<Strategy>> r = ParseCatalog(text, kFile);
  EXPECT_FALSE(r.ok()) << "parsed:\n" << text;
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

constexpr std::string_view kYamlList = R"(# two strategies
- name: macd-rsi-default
  description: the original
  enabled: true
  base_timeframe: 1Min
  symbols: [AAPL, MSFT]
  max_notional_per_trade: 2500.10
  max_position_pct_equity: "12.5"
  params:
    rsi_buy_below: 30.50
    rsi_sell_above: "70"
  qty: 3
- name: cross-1s
  type: macd-cross
  base_timeframe: 1Sec
  symbols: "NVDA, AMD,"
  notional: 0.1
  order_type: limit
  limit_offset_bps: 2.5
  time_in_force: day
)";

constexpr std::string_view kJsonMap = R"({"strategies": [
  {"name": "macd-rsi-default", "description": "the original", "enabled": true,
   "base_timeframe": "1Min", "symbols": "AAPL,MSFT", "max_notional_per_trade": "2500.10",
   "max_position_pct_equity": 12.5,
   "params": {"rsi_buy_below": 30.50, "rsi_sell_above": "70"}, "qty": "3"},
  {"name": "cross-1s", "type": "macd-cross", "base_timeframe": "1Sec",
   "symbols": ["NVDA", "AMD"], "notional": "0.1", "order_type": "limit",
   "limit_offset_bps": 2.5, "time_in_force": "day"}
]})";

void ExpectTheTwoStrategies(const std::vector<Strategy>& got) {
  ASSERT_EQ(got.size(), 2u);
  const Strategy& a = got[0];
  EXPECT_EQ(a.name, "macd-rsi-default");
  EXPECT_EQ(a.description, "the original");
  EXPECT_TRUE(a.enabled);
  EXPECT_EQ(a.base_timeframe, Timeframe::k1Min);
  EXPECT_EQ(a.symbols, (std::vector<std::string>{"AAPL", "MSFT"}));
  EXPECT_EQ(a.max_notional_per_trade, D("2500.1"));
  EXPECT_EQ(a.max_position_pct_equity, D("12.5"));
  EXPECT_EQ(a.type, "macd-rsi");  // the default rule
  // Numbers exactly as written (30.50 keeps its zero), strings as JSON strings.
  EXPECT_EQ(a.params_json, R"({"rsi_buy_below":30.50,"rsi_sell_above":"70"})");
  EXPECT_EQ(a.qty, D("3"));
  EXPECT_FALSE(a.notional.has_value());
  EXPECT_EQ(a.order_type, OrderType::kMarket);
  EXPECT_EQ(a.universe_type, "static");
  EXPECT_EQ(a.created_at, 0);

  const Strategy& b = got[1];
  EXPECT_EQ(b.name, "cross-1s");
  EXPECT_FALSE(b.enabled);  // absent: disabled
  EXPECT_EQ(b.type, "macd-cross");
  EXPECT_EQ(b.base_timeframe, Timeframe::k1Sec);
  EXPECT_EQ(b.symbols, (std::vector<std::string>{"NVDA", "AMD"}));
  EXPECT_EQ(b.params_json, "{}");
  // 0.1 written as a number is exactly one tenth (10^8 nano-units), not a binary fraction.
  ASSERT_TRUE(b.notional.has_value());
  EXPECT_EQ(b.notional->units(), 100'000'000);
  EXPECT_EQ(b.order_type, OrderType::kLimit);
  EXPECT_EQ(b.limit_offset_bps, D("2.5"));
  EXPECT_EQ(b.time_in_force, TimeInForce::kDay);
}

TEST(ParseCatalog, YamlListAndJsonMapGiveTheSameStrategies) {
  ExpectTheTwoStrategies(Parse(kYamlList));
  ExpectTheTwoStrategies(Parse(kJsonMap));
}

TEST(ParseCatalog, YamlMapAndJsonListGiveTheSameStrategies) {
  std::string yaml_map = "strategies:\n";
  for (std::string_view rest = kYamlList; !rest.empty();) {
    const size_t nl = rest.find('\n');
    yaml_map += "  " + std::string(rest.substr(0, nl)) + "\n";
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  }
  ExpectTheTwoStrategies(Parse(yaml_map));
  std::string json_list(kJsonMap);
  json_list = json_list.substr(json_list.find('['));
  json_list = json_list.substr(0, json_list.rfind(']') + 1);
  ExpectTheTwoStrategies(Parse(json_list));
}

TEST(ParseCatalog, MoneyAsNumbersOrStringsIsTheSameExactDecimal) {
  const auto numbers = Parse(
      "- {name: a, qty: 0.1, max_notional_per_trade: 1000.000000001, limit_offset_bps: 0.30, "
      "max_position_pct_equity: 7}");
  const auto strings = Parse(
      "- {name: a, qty: '0.1', max_notional_per_trade: \"1000.000000001\", "
      "limit_offset_bps: '0.30', max_position_pct_equity: '7'}");
  ASSERT_EQ(numbers.size(), 1u);
  ASSERT_EQ(strings.size(), 1u);
  EXPECT_EQ(numbers[0].qty->units(), 100'000'000);
  EXPECT_EQ(numbers[0].max_notional_per_trade, D("1000.000000001"));
  EXPECT_EQ(numbers[0].limit_offset_bps, D("0.3"));
  EXPECT_TRUE(SameDefinition(numbers[0], strings[0]));
}

TEST(ParseCatalog, ParamsKeepTheFilesTextAndPassTheRule) {
  const auto got = Parse(R"(- name: tight
  params: {rsi_buy_below: 2.50e1, rsi_sell_above: 65, stop_loss_pct: "0.5", max_hold_seconds: 600}
)");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].params_json,
            R"({"rsi_buy_below":2.50e1,"rsi_sell_above":65,"stop_loss_pct":"0.5",)"
            R"("max_hold_seconds":600})");
  Result<CompiledRule> rule = MakeRule(got[0].type, got[0].params_json);
  ASSERT_TRUE(rule.ok()) << rule.status().ToString();
  EXPECT_EQ(rule->exits.stop_loss_pct, D("0.5"));
  EXPECT_EQ(rule->exits.max_hold_seconds, 600);
}

TEST(ParseCatalog, AnEmptyListIsAValidCatalog) {
  EXPECT_TRUE(Parse("[]").empty());
  EXPECT_TRUE(Parse("strategies: []").empty());
  EXPECT_TRUE(Parse(R"({"strategies": []})").empty());
}

TEST(ParseCatalog, SyntaxErrorNamesTheFileAndLine) {
  const std::string e = Error("- name: a\n  symbols: [AAPL,\n  qty: 1\n");
  EXPECT_NE(e.find("/etc/torghut/strategies.yaml:"), std::string::npos) << e;
  EXPECT_NE(e.find("not valid YAML/JSON"), std::string::npos) << e;
  const std::string json = Error(R"({"strategies": [{"name": "a"]})");
  EXPECT_NE(json.find("strategies.yaml:1: not valid YAML/JSON"), std::string::npos) << json;
}

TEST(ParseCatalog, DuplicateNameNamesBothLines) {
  const std::string e = Error("- name: a\n- name: b\n- name: a\n  qty: 2\n");
  EXPECT_EQ(e, "/etc/torghut/strategies.yaml:3: strategy 'a': the name is already used at line 1");
}

TEST(ParseCatalog, UnknownFieldIsAnError) {
  const std::string e = Error("- name: a\n  symbol: AAPL\n");
  EXPECT_NE(e.find("strategies.yaml:2: strategy 'a': unknown field 'symbol' (known: name,"),
            std::string::npos)
      << e;
}

TEST(ParseCatalog, FieldGivenTwiceIsAnError) {
  const std::string e = Error("- name: a\n  qty: 1\n  qty: 2\n");
  EXPECT_EQ(e, "/etc/torghut/strategies.yaml:3: strategy 'a': field 'qty' is given twice");
}

TEST(ParseCatalog, UnknownRuleIsAnError) {
  const std::string e = Error("- name: a\n  qty: 1\n- name: b\n  type: moon-phase\n");
  EXPECT_NE(e.find("strategies.yaml:3: strategy 'b': unknown rule type 'moon-phase' (known: "
                   "macd-rsi, macd-cross, bollinger-reversion)"),
            std::string::npos)
      << e;
}

TEST(ParseCatalog, BadParamIsAnError) {
  const std::string unknown = Error("- name: a\n  params: {rsi_buy: 30}\n");
  EXPECT_NE(unknown.find("strategies.yaml:1: strategy 'a': params.rsi_buy is not a parameter of "
                         "this rule"),
            std::string::npos)
      << unknown;
  const std::string range = Error("- name: a\n  params:\n    rsi_buy_below: 130\n");
  EXPECT_NE(range.find("params.rsi_buy_below must be a number from 0 to 100 (got '130')"),
            std::string::npos)
      << range;
  const std::string shape = Error("- name: a\n  params: [1, 2]\n");
  EXPECT_NE(shape.find(":2: strategy 'a': params: must be a map of the rule's parameters"),
            std::string::npos)
      << shape;
}

TEST(ParseCatalog, BadValuesNameTheField) {
  struct Case {
    std::string text, want;
  };
  const Case cases[] = {
      {"- name: a\n  qty: 1e3\n", ":2: strategy 'a': qty: '1e3' is not a decimal"},
      {"- name: a\n  qty: [1]\n", ":2: strategy 'a': qty: must be a decimal number, not a list"},
      {"- name: a\n  qty: -1\n", ":1: strategy 'a': qty must be > 0"},
      {"- name: a\n  qty: 1\n  notional: 5\n", ":1: strategy 'a': give qty or notional, not both"},
      {"- name: a\n  enabled: maybe\n", ":2: strategy 'a': enabled: must be true or false"},
      {"- name: a\n  base_timeframe: 5Min\n",
       ":2: strategy 'a': base_timeframe: unknown timeframe"},
      {"- name: a\n  order_type: stop\n", ":2: strategy 'a': order_type: unknown order type"},
      {"- name: a\n  order_type: limit\n", ":1: strategy 'a': order_type limit needs limit_offset"},
      {"- name: a\n  time_in_force: gtc\n", ":2: strategy 'a': time_in_force: 'gtc' is not sup"},
      {"- name: a\n  universe_type: all\n", ":2: strategy 'a': universe_type: 'all' is not a uni"},
      {"- name: a\n  symbols: [aapl]\n", ":1: strategy 'a': symbols: "},
      {"- name: a\n  symbols: {AAPL: 1}\n", ":2: strategy 'a': symbols: must be a list or a comma"},
      {"- name: a\n  max_position_pct_equity: 101\n", "max_position_pct_equity must be > 0 and"},
      {"- name: bad name\n", ":1: strategy 'bad name': name must match"},
      {"- description: nameless\n", ":1: strategy '#1': name is required"},
      {"- name: a\n- just text\n", ":2: strategy '#2': a strategy must be a map of fields"},
  };
  for (const Case& c : cases) {
    const std::string e = Error(c.text);
    EXPECT_NE(e.find(c.want), std::string::npos) << c.text << "\n=> " << e;
    EXPECT_EQ(e.rfind(std::string(kFile), 0), 0u) << e;  // the file comes first
  }
}

TEST(ParseCatalog, EveryProblemOfTheFileIsReported) {
  const std::string e = Error("- name: a\n  qty: x\n- name: b\n  colour: red\n- name: c\n");
  EXPECT_NE(e.find(":2: strategy 'a': qty: 'x'"), std::string::npos) << e;
  EXPECT_NE(e.find("; /etc/torghut/strategies.yaml:4: strategy 'b': unknown field 'colour'"),
            std::string::npos)
      << e;
}

TEST(ParseCatalog, TheDocumentsShapeIsChecked) {
  EXPECT_NE(Error("").find("strategies.yaml: the catalog is empty"), std::string::npos);
  EXPECT_NE(Error("# only a comment\n").find("the catalog is empty"), std::string::npos);
  EXPECT_NE(Error("just text").find(":1: the catalog is a single value"), std::string::npos);
  EXPECT_NE(Error("- name: a\n---\n- name: b\n").find(":2: more follows the first YAML document"),
            std::string::npos);
  // A stray ',' after the list: yaml-cpp 0.7's LoadAll would never return on this.
  EXPECT_NE(Error("- name: a\n,\n").find("more follows the first YAML document"),
            std::string::npos);
  EXPECT_NE(Error(",").find("more follows the first YAML document"), std::string::npos);
  EXPECT_NE(Error("version: 2\nstrategies: []\n").find(":1: unknown top-level key 'version'"),
            std::string::npos);
  EXPECT_NE(Error("strategies: {name: a}\n").find(":1: strategies must be a list"),
            std::string::npos);
  EXPECT_NE(Error("strategy: []\n").find("unknown top-level key 'strategy'"), std::string::npos);
}

TEST(ParseCatalog, AliasesCannotBlowUpParams) {
  // Each level doubles: 2^40 values if expanded.
  std::string text = "- name: a\n  params:\n    l0: &l0 [1, 1]\n";
  for (int i = 1; i <= 40; ++i) {
    text += "    l" + std::to_string(i) + ": &l" + std::to_string(i) + " [*l" +
            std::to_string(i - 1) + ", *l" + std::to_string(i - 1) + "]\n";
  }
  EXPECT_NE(Error(text).find("params: is larger than"), std::string::npos);
}

TEST(ParseCatalog, TooLargeIsRefusedUnparsed) {
  const std::string e = Error(std::string(kMaxCatalogBytes + 1, ' '));
  EXPECT_NE(e.find("more than a catalog may hold"), std::string::npos) << e;
}

TEST(CatalogConfig, ReadsTheEnvironmentWithOneLinePerBadValue) {
  ConfigReader ok(EnvSource::FromMap({{"TRADING_STRATEGY_CONFIG_PATH", "/etc/s.yaml"},
                                      {"TRADING_STRATEGY_RELOAD_SECONDS", "30"},
                                      {"TRADING_STRATEGY_CONFIG_MODE", "sync"}}));
  const CatalogConfig c = ReadCatalogConfig(ok);
  ASSERT_TRUE(ok.Finish().ok()) << ok.Finish().ToString();
  EXPECT_EQ(c.path, "/etc/s.yaml");
  EXPECT_EQ(c.reload_seconds, 30);
  EXPECT_EQ(c.mode, CatalogMode::kSync);

  ConfigReader defaults(EnvSource::FromMap({}));
  const CatalogConfig d = ReadCatalogConfig(defaults);
  EXPECT_TRUE(defaults.Finish().ok());
  EXPECT_EQ(d.path, "");
  EXPECT_EQ(d.reload_seconds, 10);
  EXPECT_EQ(d.mode, CatalogMode::kMerge);

  ConfigReader bad(EnvSource::FromMap(
      {{"TRADING_STRATEGY_RELOAD_SECONDS", "0"}, {"TRADING_STRATEGY_CONFIG_MODE", "replace"}}));
  ReadCatalogConfig(bad);
  ASSERT_EQ(bad.errors().size(), 2u);
  EXPECT_NE(bad.errors()[0].find("TRADING_STRATEGY_RELOAD_SECONDS"), std::string::npos);
  EXPECT_NE(bad.errors()[1].find("TRADING_STRATEGY_CONFIG_MODE"), std::string::npos);
  EXPECT_NE(std::string(kCatalogEnvHelp).find("TRADING_STRATEGY_CONFIG_MODE"), std::string::npos);
}

TEST(CatalogMode, ParsesItsTwoForms) {
  EXPECT_EQ(*ParseCatalogMode("merge"), CatalogMode::kMerge);
  EXPECT_EQ(*ParseCatalogMode("sync"), CatalogMode::kSync);
  EXPECT_EQ(ToString(CatalogMode::kSync), "sync");
  EXPECT_FALSE(ParseCatalogMode("Sync").ok());
}

}  // namespace
}  // namespace torghut::trading
