#include "torghut/sim/generator.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace torghut::sim {
namespace {

std::vector<std::string> Lines(const GeneratorOptions& o) {
  Generator g(o);
  std::vector<std::string> out;
  std::string line;
  while (g.Next(&line)) out.push_back(line);
  return out;
}

GeneratorOptions Small() {
  GeneratorOptions o;
  o.symbols = {"AAPL", "MSFT"};
  o.seconds = 180;
  o.seed = 11;
  o.trades_per_second = 30;
  o.duplicate_share = 0.01;
  o.late_share = 0.05;
  o.cancel_share = 0.01;
  return o;
}

TEST(GeneratorTest, SameSeedGivesIdenticalStreamAndAnotherSeedDoesNot) {
  EXPECT_EQ(Lines(Small()), Lines(Small()));
  GeneratorOptions other = Small();
  other.seed = 12;
  EXPECT_NE(Lines(Small()), Lines(other));
}

TEST(GeneratorTest, EmitsValidAlpacaMessagesWithTheConfiguredImperfections) {
  const GeneratorOptions o = Small();
  simdjson::dom::parser parser;
  std::map<std::string, int> per_type;
  std::map<std::string, int64_t> max_ts_seen;  // per symbol, trades only
  std::set<std::pair<std::string, int64_t>> ids;
  int duplicates = 0, late = 0, max_late_ms = 0;
  const int64_t start = o.start.nanos(), end = start + o.seconds * kNanosPerSecond;
  for (const std::string& line : Lines(o)) {
    simdjson::dom::element e;
    ASSERT_EQ(parser.parse(line).get(e), simdjson::SUCCESS) << line;
    std::string type{std::string_view(e["T"])};
    ++per_type[type];
    std::string sym{std::string_view(e["S"])};
    EXPECT_TRUE(sym == "AAPL" || sym == "MSFT");
    auto ts = ParseRfc3339(std::string_view(e["t"]));
    ASSERT_TRUE(ts.ok()) << line;
    EXPECT_GE(ts->nanos(), start - kNanosPerMinute);
    EXPECT_LT(ts->nanos(), end);
    if (type == "t") {
      double p = e["p"];
      int64_t s = e["s"];
      EXPECT_GT(p, 0);
      EXPECT_GT(s, 0);
      int64_t id = e["i"];
      if (!ids.insert({sym, id}).second) ++duplicates;
      int64_t& mx = max_ts_seen[sym];
      if (ts->nanos() < mx) {
        ++late;
        max_late_ms = std::max(max_late_ms, static_cast<int>((mx - ts->nanos()) / kNanosPerMilli));
      }
      mx = std::max(mx, ts->nanos());
    } else if (type == "q") {
      EXPECT_LT(double(e["bp"]), double(e["ap"]));
    } else if (type == "b") {
      EXPECT_LE(double(e["l"]), double(e["h"]));
      EXPECT_GT(int64_t(e["v"]), 0);
    }
  }
  // ~30 trades/s × 180 s × 2 symbols.
  EXPECT_GT(per_type["t"], 9000);
  EXPECT_LT(per_type["t"], 12600);
  EXPECT_GT(per_type["q"], 9000);
  EXPECT_EQ(per_type["b"], 6);  // 3 whole minutes × 2 symbols
  EXPECT_GT(per_type["x"], 0);
  EXPECT_GT(duplicates, 0);
  EXPECT_GT(late, 0);
  EXPECT_LE(max_late_ms, o.max_lateness_ms + 500);  // late, plus duplicate re-send delay
}

TEST(GeneratorTest, MinuteBarsSummariseTheTradesOfTheirMinute) {
  GeneratorOptions o = Small();
  o.duplicate_share = o.late_share = o.cancel_share = 0;
  simdjson::dom::parser parser;
  std::map<std::pair<std::string, int64_t>, int64_t> volume;  // (symbol, minute) → Σ size
  std::map<std::pair<std::string, int64_t>, int64_t> bar_volume;
  for (const std::string& line : Lines(o)) {
    simdjson::dom::element e = parser.parse(line);
    std::string type{std::string_view(e["T"])};
    std::string sym{std::string_view(e["S"])};
    const int64_t minute = ParseRfc3339(std::string_view(e["t"]))->FloorTo(kNanosPerMinute).nanos();
    if (type == "t") volume[{sym, minute}] += int64_t(e["s"]);
    if (type == "b") bar_volume[{sym, minute}] = int64_t(e["v"]);
  }
  ASSERT_EQ(bar_volume.size(), 6u);
  for (const auto& [key, v] : bar_volume) EXPECT_EQ(volume[key], v);
}

// --sessions: regular New York sessions only — here Wed 2024-07-03 (an early close, 13:00),
// then Fri 07-05 (the 4th is a holiday) — busiest at the open and the close, with a gap between.
TEST(GeneratorTest, SessionsAreMarketHoursOfTradingDaysBusiestAtTheEdgesWithOvernightGaps) {
  GeneratorOptions o;
  o.symbols = {"AAPL"};
  o.sessions = 2;
  o.start = Timestamp::FromSeconds(1720000000);  // 2024-07-03T09:46:40Z, before that day's open
  o.trades_per_second = 2;
  o.quotes_per_trade = 0;
  o.duplicate_share = o.late_share = o.cancel_share = 0;
  o.overnight_gap_sigma = 0.05;
  ASSERT_TRUE(ValidateOptions(o).ok());
  std::map<std::string, std::vector<std::pair<int64_t, double>>> by_day;  // day → (s, price)
  for (const std::string& line : Lines(o)) {
    simdjson::dom::parser parser;
    simdjson::dom::element m = parser.parse(line);
    if (std::string_view(m["T"]) != "t") continue;
    const std::string t{std::string_view(m["t"])};
    const int64_t s = ParseRfc3339(t).value().nanos() / kNanosPerSecond;
    by_day[t.substr(0, 10)].emplace_back(s, double(m["p"]));
  }
  ASSERT_EQ(by_day.size(), 2u);
  ASSERT_TRUE(by_day.count("2024-07-03") && by_day.count("2024-07-05"));
  // 09:30–13:00 EDT on the early close = 13:30–17:00Z; 09:30–16:00 = 13:30–20:00Z on the 5th.
  const int64_t open3 = 1720013400, close3 = open3 + 3 * 3600 + 1800;
  const int64_t open5 = 1720186200, close5 = open5 + 6 * 3600 + 1800;
  for (const auto& [s, p] : by_day["2024-07-03"]) {
    EXPECT_GE(s, open3);
    EXPECT_LT(s, close3);
  }
  for (const auto& [s, p] : by_day["2024-07-05"]) {
    EXPECT_GE(s, open5);
    EXPECT_LT(s, close5);
  }
  // U-shaped: the first and last half hours of the full session each trade well above the
  // midday half hour (2.5× vs 0.625× the mean in expectation).
  auto count = [&](int64_t from, int64_t to) {
    int n = 0;
    for (const auto& [s, p] : by_day["2024-07-05"]) n += s >= from && s < to;
    return n;
  };
  const int first = count(open5, open5 + 1800), last = count(close5 - 1800, close5);
  const int midday = count(open5 + 3 * 3600, open5 + 3 * 3600 + 1800);
  EXPECT_GT(first, 2 * midday) << first << " vs " << midday;
  EXPECT_GT(last, 2 * midday) << last << " vs " << midday;
  // The mean rate holds over the session (2 per second; Poisson noise is ~1%).
  EXPECT_NEAR(double(by_day["2024-07-05"].size()) / (close5 - open5), 2.0, 0.1);
  // The overnight gap: the second session opens away from the first's close (σ = 5%; a
  // seeded draw, so this is exact for the seed, not a matter of luck).
  const double close_price = by_day["2024-07-03"].back().second;
  const double open_price = by_day["2024-07-05"].front().second;
  EXPECT_GT(std::abs(std::log(open_price / close_price)), 0.005)
      << close_price << " → " << open_price;
  // Same options, same bytes.
  EXPECT_EQ(Lines(o), Lines(o));
}

TEST(GeneratorTest, GenerateFileWritesAtomicallyAndRejectsBadOptions) {
  const auto dir = std::filesystem::temp_directory_path() / "torghut_gen_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "out.jsonl").string();
  auto stats = GenerateFile(Small(), path);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(static_cast<int64_t>(std::filesystem::file_size(path)), stats->bytes);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  GeneratorOptions bad = Small();
  bad.symbols = {"aapl", "OK"};
  bad.seconds = 0;
  bad.late_share = 2;
  Status s = ValidateOptions(bad);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("aapl"), std::string::npos);
  EXPECT_NE(s.message().find("seconds"), std::string::npos);
  EXPECT_NE(s.message().find("shares"), std::string::npos);
  EXPECT_FALSE(GenerateFile(bad, (dir / "bad.jsonl").string()).ok());
  EXPECT_FALSE(std::filesystem::exists(dir / "bad.jsonl"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace torghut::sim
