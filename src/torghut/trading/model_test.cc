#include "torghut/trading/model.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace torghut::trading {
namespace {

// Every value of an enum prints to a distinct, non-empty form that parses back to itself.
template <typename E, typename Parse>
std::vector<std::string> RoundTrip(std::span<const E> all, Parse parse) {
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (E v : all) {
    const std::string name(ToString(v));
    EXPECT_FALSE(name.empty());
    EXPECT_TRUE(seen.insert(name).second) << "duplicate form " << name;
    auto back = parse(name);
    EXPECT_TRUE(back.ok()) << name << ": " << back.status().ToString();
    if (back.ok()) {
      EXPECT_EQ(*back, v) << name;
    }
    names.push_back(name);
  }
  return names;
}

// Strings near a valid form are refused with kInvalidArgument, naming what was accepted.
template <typename Parse>
void Refuses(Parse parse, std::vector<std::string> bad, std::string_view valid_example) {
  bad.insert(bad.end(),
             {"", " ", "unknown", std::string(valid_example) + " ",
              " " + std::string(valid_example), std::string(valid_example) + std::string(1, '\0')});
  for (const std::string& s : bad) {
    auto r = parse(s);
    ASSERT_FALSE(r.ok()) << "'" << s << "' was accepted";
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(std::string(valid_example)), std::string::npos)
        << r.status().message();
  }
}

TEST(TradingModel, SideOrderTypeAndTimeInForceRoundTrip) {
  EXPECT_EQ(RoundTrip(AllSides(), ParseSide), (std::vector<std::string>{"buy", "sell"}));
  EXPECT_EQ(RoundTrip(AllOrderTypes(), ParseOrderType),
            (std::vector<std::string>{"market", "limit"}));
  EXPECT_EQ(RoundTrip(AllTimeInForces(), ParseTimeInForce),
            (std::vector<std::string>{"day", "gtc", "ioc", "fok", "opg", "cls"}));
  Refuses(ParseSide, {"BUY", "Buy", "sell_short", "b"}, "buy");
  Refuses(ParseOrderType, {"MARKET", "stop", "stop_limit", "trailing_stop"}, "market");
  Refuses(ParseTimeInForce, {"DAY", "GTC", "gtd"}, "day");
}

TEST(TradingModel, TimeframesMapToTheTaWindowSizes) {
  EXPECT_EQ(RoundTrip(AllTimeframes(), ParseTimeframe), (std::vector<std::string>{"1Sec", "1Min"}));
  Refuses(ParseTimeframe, {"1sec", "1min", "5Min", "PT1M", "1Hour"}, "1Min");
  EXPECT_EQ(WindowSizeName(Timeframe::k1Sec), "PT1S");
  EXPECT_EQ(WindowSizeName(Timeframe::k1Min), "PT1M");
  for (Timeframe tf : AllTimeframes()) {
    // The name agrees with the TA module's own spelling of the same window.
    EXPECT_EQ(WindowSizeName(tf), ta::WindowSizeName(WindowSizeOf(tf)));
    EXPECT_EQ(TimeframeOf(WindowSizeOf(tf)), tf);
    EXPECT_EQ(*ParseWindowSize(WindowSizeName(tf)), tf);
    EXPECT_EQ(TimeframeMillis(tf) * 1'000'000, ta::WindowNanos(WindowSizeOf(tf)));
  }
  Refuses(ParseWindowSize, {"pt1m", "PT5M", "1Min"}, "PT1M");
}

TEST(TradingModel, OrderStatusesAreAlpacasAndTheTerminalSetIsExact) {
  const std::vector<std::string> alpaca = {"new",
                                           "accepted",
                                           "pending_new",
                                           "accepted_for_bidding",
                                           "partially_filled",
                                           "filled",
                                           "done_for_day",
                                           "canceled",
                                           "expired",
                                           "replaced",
                                           "pending_cancel",
                                           "pending_replace",
                                           "stopped",
                                           "rejected",
                                           "suspended",
                                           "calculated",
                                           "held"};
  EXPECT_EQ(RoundTrip(AllOrderStatuses(), ParseOrderStatus), alpaca);
  Refuses(ParseOrderStatus, {"Filled", "cancelled", "partial_fill", "fill", "planned"}, "filled");

  std::set<std::string> terminal;
  for (OrderStatus s : AllOrderStatuses()) {
    if (IsTerminal(s)) terminal.insert(std::string(ToString(s)));
  }
  EXPECT_EQ(terminal, (std::set<std::string>{"filled", "canceled", "expired", "rejected",
                                             "done_for_day", "replaced"}));
}

TEST(TradingModel, DecisionStatusesMirrorTheBrokersAndTheTerminalSetIsExact) {
  std::vector<std::string> expected = {"planned", "submitting", "submitted", "rejected"};
  for (OrderStatus s : AllOrderStatuses()) {
    if (s != OrderStatus::kRejected) expected.emplace_back(ToString(s));
  }
  EXPECT_EQ(RoundTrip(AllDecisionStatuses(), ParseDecisionStatus), expected);
  Refuses(ParseDecisionStatus, {"Planned", "submited", "partial_fill"}, "planned");

  // Every broker status has a decision status of the same spelling, and back.
  for (OrderStatus s : AllOrderStatuses()) {
    const DecisionStatus d = DecisionStatusOf(s);
    EXPECT_EQ(ToString(d), ToString(s));
    EXPECT_EQ(OrderStatusOf(d), s);
    EXPECT_EQ(IsTerminal(d), IsTerminal(s)) << ToString(s);
  }
  for (DecisionStatus d :
       {DecisionStatus::kPlanned, DecisionStatus::kSubmitting, DecisionStatus::kSubmitted}) {
    EXPECT_FALSE(OrderStatusOf(d).has_value()) << ToString(d);
    EXPECT_FALSE(IsTerminal(d)) << ToString(d);
  }
  std::set<std::string> terminal;
  for (DecisionStatus d : AllDecisionStatuses()) {
    if (IsTerminal(d)) terminal.insert(std::string(ToString(d)));
  }
  EXPECT_EQ(terminal, (std::set<std::string>{"rejected", "filled", "canceled", "expired",
                                             "done_for_day", "replaced"}));
}

TEST(TradingModel, LlmVerdictsRoundTrip) {
  EXPECT_EQ(RoundTrip(AllLlmVerdicts(), ParseLlmVerdict),
            (std::vector<std::string>{"approve", "veto", "adjust", "error", "skipped"}));
  Refuses(ParseLlmVerdict, {"APPROVE", "approved", "reject", "pass"}, "approve");
}

TEST(TradingModel, ClientOrderIdIsThPlusTheFirst40HexDigits) {
  const std::string hash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  const std::string id = ClientOrderIdFor(hash);
  EXPECT_EQ(id, "th-0123456789abcdef0123456789abcdef01234567");
  EXPECT_EQ(id.size(), 43u);  // within Alpaca's 48
  EXPECT_EQ(ClientOrderIdFor("abc"), "th-abc");
}

}  // namespace
}  // namespace torghut::trading
