#include "torghut/ta/input_merge.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace torghut::ta {
namespace {

MergeInput At(int64_t position, int64_t event_s, market::Event e = market::Trade{}) {
  MergeInput in;
  in.position = position;
  in.event_ns = event_s * kNanosPerSecond;
  in.event = e;
  return in;
}

// "symbol:kind:position" for each released input, in order.
std::vector<std::string> DrainAll(InputMerge& m, const CaughtUp& c) {
  std::vector<std::string> out;
  m.Drain(c, [&](SymbolId s, InputKind k, MergeInput& in) {
    out.push_back(std::to_string(s) + ":" + std::to_string(static_cast<int>(k)) + ":" +
                  std::to_string(in.position));
  });
  return out;
}

TEST(InputMerge, ReleasesEachSymbolByEventTimeWithTiesToTradesThenQuotesThenBars) {
  InputMerge m;
  m.Push(0, InputKind::kTrades, At(0, 5));
  m.Push(0, InputKind::kQuotes, At(0, 5, market::Quote{}));
  m.Push(0, InputKind::kBars, At(0, 4, market::Bar{}));
  m.Push(0, InputKind::kTrades, At(1, 3));  // a late trade: still behind its queue's head
  EXPECT_EQ(DrainAll(m, {true, true, true}),
            (std::vector<std::string>{"0:2:0", "0:0:0", "0:0:1", "0:1:0"}));
  EXPECT_EQ(m.Queued(), 0u);
}

TEST(InputMerge, ASymbolWaitsOnlyForItsOwnMissingInput) {
  InputMerge m;
  // Symbol 0 has trades and quotes; symbol 1 only trades so far.
  m.Push(0, InputKind::kTrades, At(0, 1));
  m.Push(0, InputKind::kQuotes, At(0, 2, market::Quote{}));
  m.Push(1, InputKind::kTrades, At(1, 1));
  // Bars are caught up; quotes are not: symbol 1 must wait for a quote, symbol 0 need not.
  EXPECT_EQ(DrainAll(m, {false, false, true}), (std::vector<std::string>{"0:0:0"}));
  EXPECT_EQ(m.Queued(InputKind::kTrades), 1u);
  EXPECT_EQ(m.Queued(InputKind::kQuotes), 1u);
  // Nothing new and nothing caught up: still waiting.
  EXPECT_TRUE(DrainAll(m, {false, false, true}).empty());
  // Quotes catch up: every waiting symbol is looked at again, not just the ones pushed to.
  // Symbol 0's quote still waits: a trade earlier than it may yet come.
  EXPECT_EQ(DrainAll(m, {false, true, true}), (std::vector<std::string>{"1:0:1"}));
  EXPECT_EQ(m.Queued(InputKind::kQuotes), 1u);
  EXPECT_EQ(DrainAll(m, {true, true, true}), (std::vector<std::string>{"0:1:0"}));
  EXPECT_EQ(m.Queued(), 0u);
}

TEST(InputMerge, OtherSymbolsNeverChangeASymbolsSequence) {
  // The same two symbols, pushed interleaved or one after the other, drained at different
  // moments: each symbol's own sequence is the same.
  auto run = [](bool interleaved, bool drain_often) {
    InputMerge m;
    std::vector<std::string> out;
    auto drain = [&](const CaughtUp& c) {
      m.Drain(c, [&](SymbolId s, InputKind k, MergeInput& in) {
        if (s == 1)
          out.push_back(std::to_string(static_cast<int>(k)) + std::to_string(in.position));
      });
    };
    for (int i = 0; i < 20; ++i) {
      for (SymbolId s : {SymbolId{0}, SymbolId{1}}) {
        if (!interleaved && s == 1) continue;
        m.Push(s, InputKind::kTrades, At(i, 10 + i));
        if (i % 3 == 0) m.Push(s, InputKind::kQuotes, At(i, 10 + i - 1, market::Quote{}));
      }
      if (drain_often) drain({false, false, true});
    }
    if (!interleaved) {
      for (int i = 0; i < 20; ++i) {
        m.Push(1, InputKind::kTrades, At(i, 10 + i));
        if (i % 3 == 0) m.Push(1, InputKind::kQuotes, At(i, 10 + i - 1, market::Quote{}));
        if (drain_often) drain({false, false, true});
      }
    }
    drain({true, true, true});
    return out;
  };
  const auto reference = run(true, false);
  EXPECT_EQ(reference.size(), 27u);
  EXPECT_EQ(run(true, true), reference);
  EXPECT_EQ(run(false, false), reference);
  EXPECT_EQ(run(false, true), reference);
}

TEST(InputMerge, KindsOfEvents) {
  EXPECT_EQ(InputKindOf(market::Trade{}), InputKind::kTrades);
  EXPECT_EQ(InputKindOf(market::Cancel{}), InputKind::kTrades);
  EXPECT_EQ(InputKindOf(market::Correction{}), InputKind::kTrades);
  EXPECT_EQ(InputKindOf(market::Quote{}), InputKind::kQuotes);
  EXPECT_EQ(InputKindOf(market::Bar{}), InputKind::kBars);
}

}  // namespace
}  // namespace torghut::ta
