#include "torghut/replay/internal/kind_scan.h"

#include <gtest/gtest.h>

#include <string>

namespace torghut::replay::internal {
namespace {

constexpr unsigned kT = 1u << 0, kQ = 1u << 1, kB = 1u << 2;

TEST(KindScan, FindsTheTypeKeyOfMessagesFramesAndEnvelopes) {
  EXPECT_EQ(KindsInLine(R"({"T":"t","S":"AAPL","p":1})"), kT);
  EXPECT_EQ(KindsInLine(R"({"T" : "q","S":"AAPL"})"), kQ);
  EXPECT_EQ(KindsInLine(R"([{"T":"b"},{"T":"x"},{"T":"c"}])"), kB | kT);
  EXPECT_EQ(KindsInLine(R"({"channel":"bars","payload":{"T":"u","S":"A"}})"), kB);
  EXPECT_EQ(KindsInLine(R"({"T":"d"})"), kB);
  // Statuses, LULD bands and control messages are no TA input.
  EXPECT_EQ(KindsInLine(R"([{"T":"s"},{"T":"l"},{"T":"success"}])"), 0u);
  EXPECT_EQ(KindsInLine(R"({"c":["T"],"T"})"), 0u);
  EXPECT_EQ(KindsInLine(""), 0u);
}

TEST(KindScan, LastLineOfEachKindFromTheEnd) {
  const std::string a = "{\"T\":\"t\"}\n";  // 10 bytes
  const std::string q = "{\"T\":\"q\"}\n";
  const std::string b = "{\"T\":\"b\"}\n";
  // t q t b t
  const std::string file = a + q + a + b + a;
  auto ends = LastKindEnds(file);
  EXPECT_EQ(ends[0], file.size());  // trades: the last line
  EXPECT_EQ(ends[1], 20u);          // quotes: after line 2
  EXPECT_EQ(ends[2], 40u);          // bars: after line 4
  // No trailing newline on the last line, and a kind that never occurs.
  const std::string no_nl = a + "{\"T\":\"q\"}";
  ends = LastKindEnds(no_nl);
  EXPECT_EQ(ends[0], 10u);
  EXPECT_EQ(ends[1], no_nl.size());
  EXPECT_EQ(ends[2], 0u);
  EXPECT_EQ(LastKindEnds("")[0], 0u);
}

}  // namespace
}  // namespace torghut::replay::internal
