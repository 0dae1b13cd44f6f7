#include "torghut/ta/row_json.h"

#include <gtest/gtest.h>

namespace torghut::ta {
namespace {

RowIdentity Identity() {
  RowIdentity id;
  id.symbol = "BRK.B";
  id.event_ts = Timestamp::FromMillis(1704205861000);
  id.seq = 42;
  id.ingest_ts = Timestamp::FromMillis(1704205860987);
  id.is_final = true;
  id.source = Source::kRest;
  id.window_size = id.window_step = WindowSize::k1s;
  id.window_start = Timestamp::FromMillis(1704205860000);
  id.window_end = id.event_ts;
  id.version = 7;
  return id;
}

TEST(RowJson, RowsReadBackToTheSameBytes) {
  MicrobarRow bar;
  bar.id = Identity();
  bar.o = 187.25, bar.h = 187.3, bar.l = 0.1 + 0.2, bar.c = 187.2500001;
  bar.v = 1200;
  bar.count = 9;  // vwap stays null
  std::string json;
  AppendMicrobarJson(bar, &json);
  MicrobarRow back;
  ASSERT_TRUE(ParseMicrobarJson(json, &back).ok());
  std::string again;
  AppendMicrobarJson(back, &again);
  EXPECT_EQ(again, json);
  EXPECT_TRUE(IsNull(back.vwap));
  EXPECT_EQ(back.l, 0.1 + 0.2);

  SignalRow sig;
  sig.id = Identity();
  sig.id.window_size = sig.id.window_step = WindowSize::k1m;
  sig.macd = -0.00123456789;
  sig.rsi14 = 100;
  json.clear();
  AppendSignalJson(sig, &json);
  SignalRow sback;
  ASSERT_TRUE(ParseSignalJson(json, &sback).ok());
  again.clear();
  AppendSignalJson(sback, &again);
  EXPECT_EQ(again, json);
  EXPECT_EQ(sback.id.window_size, WindowSize::k1m);
}

TEST(RowJson, BadRowsNameTheColumn) {
  MicrobarRow r;
  EXPECT_FALSE(ParseMicrobarJson("not json", &r).ok());
  const Status missing = ParseMicrobarJson(R"({"symbol":"A"})", &r);
  EXPECT_NE(missing.message().find("\"event_ts\""), std::string::npos) << missing.message();
  std::string json;
  MicrobarRow good;
  good.id = Identity();
  AppendMicrobarJson(good, &json);
  const std::string bad_source = std::string(json).replace(json.find("\"rest\""), 6, "\"tape\"");
  EXPECT_FALSE(ParseMicrobarJson(bad_source, &r).ok());
  const std::string bad_price = std::string(json).replace(json.find("\"o\":0"), 5, "\"o\":\"x\"");
  EXPECT_NE(ParseMicrobarJson(bad_price, &r).message().find("\"o\""), std::string::npos);
}

}  // namespace
}  // namespace torghut::ta
