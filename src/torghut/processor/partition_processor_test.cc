// The processor's merge and checkpoints make final rows a pure function of the three partition
// logs: any poll chunking, any interleaving of topics, and any number of checkpoint/restore
// cycles (with redelivered messages) give byte-identical final rows.
#include "torghut/processor/partition_processor.h"

#include <gtest/gtest.h>

#include <random>

#include "torghut/core/calendar.h"
#include "torghut/sim/envelopes.h"
#include "torghut/ta/final_rows.h"

namespace torghut::processor {
namespace {

using Logs = std::array<std::vector<std::string>, kInputKinds>;

Logs MakeLogs(uint64_t seed, int64_t seconds) {
  sim::GeneratorOptions o;
  o.symbols = {"AAPL", "MSFT", "NVDA"};
  o.seconds = seconds;
  o.seed = seed;
  o.late_share = 0.05;
  o.cancel_share = 0.01;
  Logs logs;
  auto stats =
      sim::GenerateEnvelopes(o, [&](alpaca::InputTopic t, std::string_view, std::string_view json) {
        logs[static_cast<int>(t)].emplace_back(json);
      });
  EXPECT_TRUE(stats.ok());
  // A heartbeat and a corrupt message in the trades log: skipped in order, counted.
  logs[0].insert(logs[0].begin() + 10, R"({"channel":"status","symbol":"AAPL","payload":{}})");
  logs[0].insert(logs[0].begin() + 20, "{not json");
  return logs;
}

struct RunRows {
  std::string microbars, signals;
  ProcessorCounters counters;
};

const TradingCalendar& Calendar() {
  static const TradingCalendar calendar = TradingCalendar::NewYork().value();
  return calendar;
}

// Everything at once, all topics caught up: the reference.
RunRows Reference(const Logs& logs, const ta::EngineConfig& config) {
  ta::TradingSessions sessions(&Calendar());
  ta::FinalRowCollector rows;
  PartitionProcessor p(0, config, &sessions, &rows);
  for (int k = 0; k < kInputKinds; ++k) {
    for (size_t i = 0; i < logs[k].size(); ++i) {
      p.Add(static_cast<InputKind>(k), static_cast<int64_t>(i), logs[k][i]);
    }
  }
  p.Drain({true, true, true});
  p.FinalizeAll();  // end of the logs
  return {rows.MicrobarsJsonl(), rows.SignalsJsonl(), p.counters()};
}

// Random chunks per topic, provisional emissions, and checkpoint → fresh processor → restore
// with redelivery from the checkpoint's positions.
RunRows Chunked(const Logs& logs, const ta::EngineConfig& config, uint64_t seed, int restores) {
  ta::TradingSessions sessions(&Calendar());
  ta::FinalRowCollector rows;
  auto p = std::make_unique<PartitionProcessor>(0, config, &sessions, &rows);
  std::mt19937_64 rng(seed);
  std::array<size_t, kInputKinds> fetched{};
  size_t total = 0;
  for (const auto& l : logs) total += l.size();
  const size_t restore_every = restores ? total / (restores + 1) : SIZE_MAX;
  size_t since_restore = 0;
  while (true) {
    bool done = true;
    for (int k = 0; k < kInputKinds; ++k) done = done && fetched[k] == logs[k].size();
    if (done) break;
    const int k = static_cast<int>(rng() % kInputKinds);
    const size_t n = std::min<size_t>(1 + rng() % 300, logs[k].size() - fetched[k]);
    for (size_t i = 0; i < n; ++i, ++fetched[k]) {
      p->Add(static_cast<InputKind>(k), static_cast<int64_t>(fetched[k]), logs[k][fetched[k]]);
    }
    since_restore += n;
    p->Drain(
        {fetched[0] == logs[0].size(), fetched[1] == logs[1].size(), fetched[2] == logs[2].size()});
    if (rng() % 4 == 0) p->EmitProvisional();
    if (since_restore >= restore_every) {
      since_restore = 0;
      const std::string ckpt = p->Checkpoint();
      p = std::make_unique<PartitionProcessor>(0, config, &sessions, &rows);
      EXPECT_TRUE(p->Restore(ckpt).ok());
      // The consumer seeks back to the processed positions: queued messages come again, and an
      // older redelivery is ignored.
      for (int j = 0; j < kInputKinds; ++j) {
        fetched[j] = static_cast<size_t>(p->NextOffset(static_cast<InputKind>(j)));
        if (fetched[j] > 0) {
          p->Add(static_cast<InputKind>(j), static_cast<int64_t>(fetched[j]) - 1, "dup");
        }
      }
    }
  }
  p->Drain({true, true, true});
  p->FinalizeAll();  // end of the logs
  return {rows.MicrobarsJsonl(), rows.SignalsJsonl(), p->counters()};
}

TEST(PartitionProcessor, FinalRowsDoNotDependOnChunkingOrRestores) {
  // Longer than the 5-minute rolling VWAP window, so restores land on a wrapped ring.
  const Logs logs = MakeLogs(7, 420);
  ASSERT_GT(logs[0].size(), 10000u);
  ASSERT_GT(logs[1].size(), 10000u);
  ASSERT_GT(logs[2].size(), 5u);
  ta::EngineConfig config;
  const RunRows ref = Reference(logs, config);
  ASSERT_GT(ref.microbars.size(), 1000u);
  EXPECT_EQ(ref.counters.bad, 1);
  EXPECT_EQ(ref.counters.ignored, 1);
  // Imbalance columns are filled: quotes were merged between trades.
  EXPECT_NE(ref.signals.find("\"imbalance_spread\":0"), std::string::npos);
  for (uint64_t seed : {1, 2, 3}) {
    for (int restores : {0, 400}) {
      SCOPED_TRACE(testing::Message() << "seed " << seed << " restores " << restores);
      const RunRows run = Chunked(logs, config, seed, restores);
      EXPECT_TRUE(run.microbars == ref.microbars);
      EXPECT_TRUE(run.signals == ref.signals);
    }
  }
}

// A partition that moves to another process (revocation checkpoint → the next owner restores it
// while the bus holds nothing newer, so it is caught up at once) keeps its open bars open: the
// idle rule counts from the restore, not from the epoch. Were every open bar finalized there, the
// trades still due for them would arrive as revisions of bars behind the newest final one, which
// the indicator chain never sees — vwap_session and vwap_w5m would drift from an uninterrupted run.
TEST(PartitionProcessor, ARestoredPartitionThatIsCaughtUpKeepsItsOpenBarsOpen) {
  const Logs logs = MakeLogs(12, 120);
  ta::EngineConfig config;
  const RunRows ref = Reference(logs, config);
  // The bus held everything up to a moment in the middle of the data, then the rest arrived.
  std::array<size_t, kInputKinds> cut{};
  const Timestamp middle = ParseRfc3339("2024-01-02T14:31:00Z").value();
  for (int k = 0; k < kInputKinds; ++k) {
    while (cut[k] < logs[k].size()) {
      const std::string& line = logs[k][cut[k]];
      const size_t at = line.find("\"eventTs\":\"");
      if (at != std::string::npos &&
          ParseRfc3339(line.substr(at + 11, line.find('"', at + 11) - at - 11)).value() >= middle) {
        break;
      }
      ++cut[k];
    }
    ASSERT_GT(cut[k], 0u);
    ASSERT_LT(cut[k], logs[k].size());
  }
  const Timestamp now = Timestamp::FromSeconds(1'800'000'000);
  ta::TradingSessions sessions(&Calendar());
  ta::FinalRowCollector rows;
  auto owner = std::make_unique<PartitionProcessor>(0, config, &sessions, &rows);
  owner->SetProcessingTime(now);
  for (int k = 0; k < kInputKinds; ++k) {
    for (size_t i = 0; i < cut[k]; ++i) {
      owner->Add(static_cast<InputKind>(k), static_cast<int64_t>(i), logs[k][i]);
    }
  }
  owner->Drain({true, true, true});  // caught up: the bus holds nothing more yet
  const std::string ckpt = owner->Checkpoint();
  owner.reset();  // revoked

  auto next = std::make_unique<PartitionProcessor>(0, config, &sessions, &rows);
  ASSERT_TRUE(next->Restore(ckpt).ok());
  const Timestamp later = now + 5 * kNanosPerMilli;
  next->SetProcessingTime(later);
  EXPECT_EQ(next->Drain({true, true, true}), 0);
  next->FinalizeIdle(later);  // what the service does for a caught-up partition
  for (int k = 0; k < kInputKinds; ++k) {
    for (size_t i = static_cast<size_t>(next->NextOffset(static_cast<InputKind>(k)));
         i < logs[k].size(); ++i) {
      next->Add(static_cast<InputKind>(k), static_cast<int64_t>(i), logs[k][i]);
    }
  }
  next->Drain({true, true, true});
  next->FinalizeAll();
  EXPECT_GT(next->engine_counters().revisions, 0);  // late trades still revise bars
  EXPECT_TRUE(rows.MicrobarsJsonl() == ref.microbars);
  EXPECT_TRUE(rows.SignalsJsonl() == ref.signals) << "signals differ (vwap_session, vwap_w5m)";
}

TEST(PartitionProcessor, WaitsForATopicThatIsBehindAndNotForOneThatIsCaughtUp) {
  const Logs logs = MakeLogs(3, 30);
  ta::TradingSessions sessions(&Calendar());
  ta::FinalRowCollector rows;
  PartitionProcessor p(0, ta::EngineConfig(), &sessions, &rows);
  for (size_t i = 0; i < 100; ++i) p.Add(InputKind::kTrades, static_cast<int64_t>(i), logs[0][i]);
  // Quotes not fetched yet but on the bus: nothing may be released.
  EXPECT_EQ(p.Drain({false, false, true}), 0);
  EXPECT_EQ(p.NextOffset(InputKind::kTrades), 0);
  // Quotes caught up (none on the bus): trades flow (98 of them: the heartbeat and the corrupt
  // message among the first 100 were skipped when they were added).
  EXPECT_EQ(p.Drain({false, true, true}), 98);
  EXPECT_EQ(p.counters().bad + p.counters().ignored, 2);
  // A quote arrives: it waits until trades show whether an earlier trade is still coming.
  p.Add(InputKind::kQuotes, 0, logs[1][0]);
  EXPECT_EQ(p.Drain({false, false, true}), 0);
  EXPECT_EQ(p.Drain({true, false, true}), 1);
  EXPECT_EQ(p.NextOffset(InputKind::kTrades), 100);
  EXPECT_EQ(p.Queued(), 0u);
}

TEST(PartitionProcessor, RestoreRefusesForeignOrCorruptCheckpoints) {
  ta::TradingSessions sessions(&Calendar());
  ta::FinalRowCollector rows;
  PartitionProcessor a(0, ta::EngineConfig(), &sessions, &rows);
  PartitionProcessor b(1, ta::EngineConfig(), &sessions, &rows);
  const std::string ckpt = a.Checkpoint();
  EXPECT_EQ(b.Restore(ckpt).code(), StatusCode::kDataLoss);
  EXPECT_EQ(a.Restore(ckpt.substr(0, ckpt.size() - 3)).code(), StatusCode::kDataLoss);
  EXPECT_EQ(a.Restore("garbage").code(), StatusCode::kDataLoss);
  EXPECT_TRUE(a.Restore(ckpt).ok());
}

}  // namespace
}  // namespace torghut::processor
