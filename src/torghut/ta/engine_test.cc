#include "torghut/ta/engine.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "torghut/ta/final_rows.h"
#include "torghut/ta/indicator_set.h"

namespace torghut::ta {
namespace {

// Sessions start every day at 09:00 UTC (04:00 New York in winter): enough for the engine's
// contract; the real calendar has its own tests.
class FixedSessions : public SessionCalendar {
 public:
  Timestamp SessionStartAtOrBefore(Timestamp t) const override {
    const int64_t nine = 9 * kNanosPerHour;
    return Timestamp::FromNanos(Timestamp::FloorDiv(t.nanos() - nine, kNanosPerDay) * kNanosPerDay +
                                nine);
  }
  Timestamp NextSessionStartAfter(Timestamp t) const override {
    return SessionStartAtOrBefore(t) + kNanosPerDay;
  }
};

// Records every emitted row in order.
class RecordingSink : public RowSink {
 public:
  void OnMicrobar(const MicrobarRow& r) override {
    bars.push_back(r);
    final_rows.OnMicrobar(r);
  }
  void OnSignal(const SignalRow& r) override {
    signals.push_back(r);
    final_rows.OnSignal(r);
  }
  std::vector<MicrobarRow> bars;
  std::vector<SignalRow> signals;
  FinalRowCollector final_rows;
};

// 2024-01-02T14:30:00Z, a regular-session second.
constexpr int64_t kT0 = 1704205800LL * kNanosPerSecond;
constexpr int64_t kMs = kNanosPerMilli;

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() : engine_(config_, &symbols_, &sessions_, &sink_) {}

  market::Trade MakeTrade(int64_t id, int64_t offset_ms, double price, int64_t size,
                          std::string_view symbol = "AAPL") {
    market::Trade t;
    t.symbol = symbols_.Intern(symbol);
    t.id = id;
    t.ts = Timestamp::FromNanos(kT0 + offset_ms * kMs);
    t.price = price;
    t.size = size;
    return t;
  }
  void Trade(int64_t id, int64_t offset_ms, double price, int64_t size,
             std::string_view symbol = "AAPL") {
    engine_.OnTrade(MakeTrade(id, offset_ms, price, size, symbol), Meta(offset_ms));
  }
  InputMeta Meta(int64_t offset_ms) {
    return InputMeta{Timestamp::FromNanos(kT0 + offset_ms * kMs), ++seq_, Source::kSim};
  }
  const MicrobarRow& FinalBar(int64_t second, std::string_view symbol = "AAPL") {
    auto key = FinalRowCollector::Key{std::string(symbol), WindowSize::k1s,
                                      kT0 + (second + 1) * kNanosPerSecond};
    auto it = sink_.final_rows.microbars().find(key);
    EXPECT_NE(it, sink_.final_rows.microbars().end()) << "no final bar for second " << second;
    static MicrobarRow empty;
    return it == sink_.final_rows.microbars().end() ? empty : it->second;
  }

  EngineConfig config_;
  SymbolTable symbols_;
  FixedSessions sessions_;
  RecordingSink sink_;
  Engine engine_;
  int64_t seq_ = 0;
};

TEST_F(EngineTest, AggregatesTradesIntoOneSecondBarsOnEventTime) {
  Trade(1, 100, 10.0, 100);
  Trade(2, 400, 12.0, 50);
  Trade(3, 900, 9.0, 50);
  Trade(4, 1200, 11.0, 10);
  engine_.FinalizeAll();
  const MicrobarRow& b = FinalBar(0);
  EXPECT_DOUBLE_EQ(b.o, 10.0);
  EXPECT_DOUBLE_EQ(b.h, 12.0);
  EXPECT_DOUBLE_EQ(b.l, 9.0);
  EXPECT_DOUBLE_EQ(b.c, 9.0);
  EXPECT_EQ(b.v, 200);
  EXPECT_EQ(b.count, 3);
  EXPECT_DOUBLE_EQ(b.vwap, (10.0 * 100 + 12.0 * 50 + 9.0 * 50) / 200);
  EXPECT_EQ(b.id.window_start.nanos(), kT0);
  EXPECT_EQ(b.id.event_ts.nanos(), kT0 + kNanosPerSecond);
  EXPECT_EQ(b.id.window_end, b.id.event_ts);
  EXPECT_EQ(b.id.version, 2 * 3 + 1);
  EXPECT_EQ(b.id.seq, 3);
  EXPECT_TRUE(b.id.is_final);
  EXPECT_EQ(b.id.source, Source::kSim);
  EXPECT_EQ(FinalBar(1).count, 1);
  // No bar for a second without trades.
  EXPECT_EQ(sink_.final_rows.microbars().size(), 2u);
}

TEST_F(EngineTest, OutOfOrderTradesSetOpenAndCloseByEventTime) {
  Trade(1, 500, 10.0, 1);
  Trade(2, 100, 8.0, 1);   // earlier: becomes the open
  Trade(3, 900, 11.0, 1);  // latest: the close
  Trade(4, 700, 9.5, 1);
  engine_.FinalizeAll();
  EXPECT_DOUBLE_EQ(FinalBar(0).o, 8.0);
  EXPECT_DOUBLE_EQ(FinalBar(0).c, 11.0);
}

TEST_F(EngineTest, BarBecomesFinalOnlyWhenTheWatermarkPassesItsEnd) {
  Trade(1, 500, 10.0, 1);
  Trade(2, 2999, 10.0, 1);  // watermark = 0.999 s: bar 0 still open
  EXPECT_TRUE(sink_.bars.empty());
  Trade(3, 3000, 10.0, 1);  // watermark = 1.000 s = end of bar 0
  ASSERT_EQ(sink_.bars.size(), 1u);
  EXPECT_TRUE(sink_.bars[0].id.is_final);
  EXPECT_EQ(sink_.bars[0].id.window_start.nanos(), kT0);
  ASSERT_EQ(sink_.signals.size(), 1u);
  EXPECT_EQ(sink_.signals[0].id.event_ts, sink_.bars[0].id.event_ts);
}

TEST_F(EngineTest, ProvisionalRowsAreEmittedOncePerChange) {
  Trade(1, 100, 10.0, 1);
  engine_.EmitProvisional();
  ASSERT_EQ(sink_.bars.size(), 1u);
  EXPECT_FALSE(sink_.bars[0].id.is_final);
  EXPECT_EQ(sink_.bars[0].id.version, 2);
  EXPECT_EQ(sink_.signals.size(), 1u);
  engine_.EmitProvisional();  // nothing changed
  EXPECT_EQ(sink_.bars.size(), 1u);
  Trade(2, 200, 11.0, 1);
  engine_.EmitProvisional();
  ASSERT_EQ(sink_.bars.size(), 2u);
  EXPECT_EQ(sink_.bars[1].id.version, 4);
  EXPECT_DOUBLE_EQ(sink_.bars[1].c, 11.0);
  engine_.FinalizeAll();
  // The final row outranks the provisional row with the same content.
  EXPECT_EQ(sink_.bars.back().id.version, 5);
  EXPECT_TRUE(sink_.bars.back().id.is_final);
}

TEST_F(EngineTest, DuplicateTradeIdsAreCountedOnce) {
  Trade(7, 100, 10.0, 100);
  Trade(7, 150, 10.0, 100);
  Trade(7, 5000, 10.0, 100);  // same id later (still inside the horizon)
  Trade(-3, 300, 10.0, 100);  // ids are non-negative: refused
  engine_.FinalizeAll();
  EXPECT_EQ(FinalBar(0).v, 100);
  EXPECT_EQ(engine_.counters().duplicate_trades, 2);
  EXPECT_EQ(engine_.counters().invalid_trades, 1);
  EXPECT_EQ(sink_.final_rows.microbars().size(), 1u);
}

TEST_F(EngineTest, LateTradeRevisesFinalBarWithHigherVersionAndExactSignals) {
  Trade(1, 100, 10.0, 100);
  Trade(2, 3500, 10.0, 100);  // bar 0 final
  ASSERT_EQ(sink_.bars.size(), 1u);
  const int64_t v1 = sink_.bars[0].id.version;
  const double vwap_session_before = sink_.signals[0].vwap_session;
  Trade(3, 600, 20.0, 100);  // 2.9 s late: bar 0 already final
  ASSERT_EQ(sink_.bars.size(), 2u);
  const MicrobarRow& rev = sink_.bars[1];
  EXPECT_TRUE(rev.id.is_final);
  EXPECT_GT(rev.id.version, v1);
  EXPECT_EQ(rev.id.event_ts, sink_.bars[0].id.event_ts);
  EXPECT_EQ(rev.v, 200);
  EXPECT_DOUBLE_EQ(rev.h, 20.0);
  EXPECT_DOUBLE_EQ(rev.c, 20.0);
  // The signal row of the newest final bar is recomputed, not applied twice.
  ASSERT_EQ(sink_.signals.size(), 2u);
  EXPECT_DOUBLE_EQ(vwap_session_before, 10.0);
  EXPECT_DOUBLE_EQ(sink_.signals[1].vwap_session, 15.0);
  EXPECT_EQ(engine_.counters().revisions, 1);

  // A run where the same trade arrived in time gives the same final rows.
  RecordingSink other;
  SymbolTable other_symbols;
  Engine in_time(config_, &other_symbols, &sessions_, &other);
  int64_t seq = 0;
  auto feed = [&](int64_t id, int64_t ms, double p, int64_t s, int64_t sq) {
    market::Trade t = MakeTrade(id, ms, p, s);
    t.symbol = other_symbols.Intern("AAPL");
    in_time.OnTrade(t, InputMeta{Timestamp::FromNanos(kT0 + ms * kMs), sq, Source::kSim});
    seq = sq;
  };
  feed(1, 100, 10.0, 100, 1);
  feed(3, 600, 20.0, 100, 3);
  feed(2, 3500, 10.0, 100, 2);
  engine_.FinalizeAll();
  in_time.FinalizeAll();
  // seq/ingest differ by construction (inputs arrived in another order); compare the content.
  const auto& a = sink_.final_rows.microbars().begin()->second;
  const auto& b = other.final_rows.microbars().begin()->second;
  EXPECT_EQ(a.id.version, b.id.version);
  EXPECT_DOUBLE_EQ(a.c, b.c);
  EXPECT_EQ(a.v, b.v);
  EXPECT_DOUBLE_EQ(sink_.final_rows.signals().begin()->second.vwap_session,
                   other.final_rows.signals().begin()->second.vwap_session);
}

TEST_F(EngineTest, TradesOlderThanTheRevisionHorizonAreDropped) {
  Trade(1, 100, 10.0, 100);
  Trade(2, 100'000, 10.0, 100);  // 100 s later: horizon = 100 − 2 − 10 = 88 s
  Trade(3, 30'000, 10.0, 100);   // 70 s late
  EXPECT_EQ(engine_.counters().too_late_trades, 1);
  Trade(4, 90'000, 11.0, 5);  // 10 s late but inside the horizon: a new bar behind the chain
  engine_.FinalizeAll();
  EXPECT_EQ(FinalBar(90).v, 5);
  EXPECT_EQ(
      sink_.final_rows.microbars().count({"AAPL", WindowSize::k1s, kT0 + 31 * kNanosPerSecond}),
      0u);
}

TEST_F(EngineTest, CancelRevisesVolumeCountAndVwap) {
  Trade(1, 100, 10.0, 100);
  Trade(2, 200, 20.0, 100);
  Trade(3, 4000, 10.0, 1);  // bar 0 final
  market::Cancel c;
  c.symbol = symbols_.Find("AAPL");
  c.id = 2;
  c.ts = Timestamp::FromNanos(kT0 + 200 * kMs);
  c.price = 20.0;
  c.size = 100;
  engine_.OnCancel(c, Meta(4100));
  engine_.OnCancel(c, Meta(4200));  // a second cancel of the same print changes nothing
  engine_.FinalizeAll();
  const MicrobarRow& b = FinalBar(0);
  EXPECT_EQ(b.v, 100);
  EXPECT_EQ(b.count, 1);
  EXPECT_DOUBLE_EQ(b.vwap, 10.0);
  EXPECT_EQ(b.id.version, 2 * 3 + 1);
  EXPECT_EQ(engine_.counters().cancels, 1);
  EXPECT_EQ(engine_.counters().unmatched_revisions, 1);
  // A cancelled id re-sent is still a duplicate.
  Trade(2, 200, 20.0, 100);
  EXPECT_EQ(engine_.counters().duplicate_trades, 1);
}

TEST_F(EngineTest, CorrectionReplacesThePrint) {
  Trade(1, 100, 10.0, 100);
  Trade(2, 900, 12.0, 100);
  market::Correction c;
  c.symbol = symbols_.Find("AAPL");
  c.ts = Timestamp::FromNanos(kT0 + 900 * kMs);
  c.original_id = 2;
  c.original_price = 12.0;
  c.original_size = 100;
  c.corrected_id = 22;
  c.corrected_price = 13.0;
  c.corrected_size = 300;
  engine_.OnCorrection(c, Meta(950));
  engine_.FinalizeAll();
  const MicrobarRow& b = FinalBar(0);
  EXPECT_EQ(b.v, 400);
  EXPECT_DOUBLE_EQ(b.c, 13.0);
  EXPECT_DOUBLE_EQ(b.h, 13.0);
  EXPECT_DOUBLE_EQ(b.vwap, (10.0 * 100 + 13.0 * 300) / 400);
  EXPECT_EQ(engine_.counters().corrections, 1);
}

TEST_F(EngineTest, QuoteImbalanceUsesLatestQuoteAtBarEndAndRespectsStaleness) {
  const SymbolId id = symbols_.Intern("AAPL");
  auto quote = [&](int64_t ms, double bid, double ask) {
    market::Quote q;
    q.symbol = id;
    q.ts = Timestamp::FromNanos(kT0 + ms * kMs);
    q.bid_price = bid;
    q.ask_price = ask;
    q.bid_size = 3;
    q.ask_size = 4;
    engine_.OnQuote(q, Meta(ms));
  };
  quote(500, 9.9, 10.1);
  quote(1500, 9.8, 10.3);  // after bar 0's end: must not be used for bar 0
  Trade(1, 100, 10.0, 1);
  Trade(2, 20'500, 10.0, 1);  // bar 20: the latest quote is 19 s old → stale
  engine_.FinalizeAll();
  ASSERT_EQ(sink_.signals.size(), 2u);
  EXPECT_DOUBLE_EQ(sink_.signals[0].imbalance_bid_px, 9.9);
  EXPECT_DOUBLE_EQ(sink_.signals[0].imbalance_ask_px, 10.1);
  EXPECT_NEAR(sink_.signals[0].imbalance_spread, 0.2, 1e-12);
  EXPECT_DOUBLE_EQ(sink_.signals[0].imbalance_bid_sz, 3);
  EXPECT_TRUE(IsNull(sink_.signals[1].imbalance_bid_px));
}

TEST_F(EngineTest, SessionVwapResetsAtSessionStart) {
  // Bars on either side of the 09:00Z session start of the next day.
  const int64_t day = 24 * 3600 * 1000;
  Trade(1, day - 5 * 3600 * 1000 - 31 * 60 * 1000, 10.0, 100);  // 08:59Z next day
  Trade(2, day - 5 * 3600 * 1000 - 29 * 60 * 1000, 20.0, 100);  // 09:01Z next day
  engine_.FinalizeAll();
  ASSERT_EQ(sink_.signals.size(), 2u);
  EXPECT_DOUBLE_EQ(sink_.signals[0].vwap_session, 10.0);
  EXPECT_DOUBLE_EQ(sink_.signals[1].vwap_session, 20.0);  // reset, not 15
}

TEST_F(EngineTest, MinuteBarsFeedThePT1MChainAndUpdatedBarsReviseIt) {
  market::Bar bar;
  bar.symbol = symbols_.Intern("MSFT");
  bar.kind = market::BarKind::kMinute;
  bar.ts = Timestamp::FromNanos(kT0);
  bar.open = 1, bar.high = 3, bar.low = 1, bar.close = 2, bar.volume = 100, bar.vwap = 2;
  bar.trade_count = 7;
  engine_.OnBar(bar, Meta(60'000));
  ASSERT_EQ(sink_.bars.size(), 1u);
  EXPECT_EQ(sink_.bars[0].id.window_size, WindowSize::k1m);
  EXPECT_EQ(sink_.bars[0].id.event_ts.nanos(), kT0 + kNanosPerMinute);
  EXPECT_EQ(sink_.bars[0].count, 7);
  ASSERT_EQ(sink_.signals.size(), 1u);
  EXPECT_DOUBLE_EQ(sink_.signals[0].vwap_session, 2.0);
  bar.kind = market::BarKind::kUpdated;
  bar.close = 4, bar.vwap = 3;
  engine_.OnBar(bar, Meta(61'000));
  ASSERT_EQ(sink_.bars.size(), 2u);
  EXPECT_GT(sink_.bars[1].id.version, sink_.bars[0].id.version);
  ASSERT_EQ(sink_.signals.size(), 2u);
  EXPECT_DOUBLE_EQ(sink_.signals[1].vwap_session, 3.0);  // recomputed, not accumulated
  bar.kind = market::BarKind::kDaily;
  engine_.OnBar(bar, Meta(62'000));
  EXPECT_EQ(engine_.counters().ignored_daily_bars, 1);
  EXPECT_EQ(sink_.bars.size(), 2u);
}

TEST_F(EngineTest, IdleFinalizationThenLateTradeEqualsInTimeFinalization) {
  engine_.SetProcessingTime(Timestamp::FromSeconds(100));
  Trade(1, 100, 10.0, 100);
  engine_.FinalizeIdle(Timestamp::FromSeconds(100 + 31));
  ASSERT_EQ(sink_.bars.size(), 1u);
  engine_.SetProcessingTime(Timestamp::FromSeconds(132));
  Trade(2, 800, 30.0, 100);  // belongs to the bar the idle rule finalized
  engine_.FinalizeAll();
  const MicrobarRow& b = FinalBar(0);
  EXPECT_EQ(b.v, 200);
  EXPECT_EQ(b.id.version, 5);
  EXPECT_DOUBLE_EQ(sink_.final_rows.signals().begin()->second.vwap_session, 20.0);
}

TEST_F(EngineTest, SnapshotRestoresStateExactly) {
  Trade(1, 100, 10.0, 100);
  Trade(2, 1100, 11.0, 100);
  Trade(3, 3200, 12.0, 100);
  BinaryWriter w;
  engine_.Save(w);
  RecordingSink restored_sink;
  Engine restored(config_, &symbols_, &sessions_, &restored_sink);
  BinaryReader r(w.data());
  ASSERT_TRUE(restored.Load(r).ok());
  BinaryWriter w2;
  restored.Save(w2);
  EXPECT_EQ(w.data(), w2.data());

  // Truncated and foreign snapshots are refused with a reason.
  BinaryReader truncated(std::string_view(w.data()).substr(0, w.size() / 2));
  Status s = restored.Load(truncated);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
  EngineConfig other = config_;
  other.max_out_of_order_ms = 1000;
  Engine mismatched(other, &symbols_, &sessions_, &restored_sink);
  BinaryReader again(w.data());
  EXPECT_EQ(mismatched.Load(again).code(), StatusCode::kFailedPrecondition);
}

TEST(EngineConfigTest, ValidateReportsEveryBadField) {
  EngineConfig c;
  EXPECT_TRUE(c.Validate().ok());
  c.max_out_of_order_ms = -1;
  c.realized_vol_window = 1;
  Status s = c.Validate();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("TA_MAX_OUT_OF_ORDER_MS"), std::string::npos);
  EXPECT_NE(s.message().find("TA_REALIZED_VOL_WINDOW"), std::string::npos);
}

// A revision of the newest bar right after a restore (UndoLast on a loaded chain) gives the same
// bits as without the restore — also once the rolling-VWAP ring has wrapped and evicted.
TEST(IndicatorSetTest, RevisionRightAfterARestoreEqualsOneWithoutIt) {
  auto bar = [](int i, double bump) {
    BarClose b;
    b.end = Timestamp::FromSeconds(1'700'000'000 + i);
    b.close = 100 + std::sin(i * 0.37) * 3 + bump;
    b.volume = 100 + (i * 37) % 900;
    b.notional = b.close * b.volume;
    b.session_start = Timestamp::FromSeconds(1'699'990'000);
    return b;
  };
  auto bits = [](const SignalRow& r) {
    std::vector<uint64_t> out;
    for (double d : {r.macd, r.macd_signal, r.macd_hist, r.ema12, r.ema26, r.rsi14, r.boll_mid,
                     r.boll_upper, r.boll_lower, r.vwap_session, r.vwap_w5m, r.vol_realized_w60s}) {
      uint64_t u = 0;
      std::memcpy(&u, &d, sizeof u);
      out.push_back(u);
    }
    return out;
  };
  for (int cut : {40, 299, 301, 302, 455, 613, 900}) {
    SCOPED_TRACE(cut);
    IndicatorSet a(300, 60, kNanosPerSecond);
    SignalRow ra, rb;
    for (int i = 0; i < cut; ++i) a.Apply(bar(i, 0), &ra);
    BinaryWriter w;
    a.Save(w);
    IndicatorSet b(300, 60, kNanosPerSecond);
    BinaryReader r(w.data());
    ASSERT_TRUE(b.Load(r));
    ASSERT_TRUE(b.can_undo());
    // The newest bar is revised (a late trade), then the stream goes on.
    a.UndoLast();
    b.UndoLast();
    a.Apply(bar(cut - 1, 0.5), &ra);
    b.Apply(bar(cut - 1, 0.5), &rb);
    ASSERT_EQ(bits(ra), bits(rb));
    for (int i = cut; i < cut + 700; ++i) {
      a.Apply(bar(i, 0), &ra);
      b.Apply(bar(i, 0), &rb);
      ASSERT_EQ(bits(ra), bits(rb)) << "bar " << i;
    }
  }
}

}  // namespace
}  // namespace torghut::ta
