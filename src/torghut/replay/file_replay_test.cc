// File replay end to end on `sim generate` data: row contents against a naive reference, and the
// determinism contract (SPEC §4) — byte-identical final rows whatever the partitioning, batching,
// provisional emission, snapshot/restore points, symbol interleaving or input format.
#include "torghut/replay/file_replay.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "torghut/alpaca/envelope.h"
#include "torghut/alpaca/frame_decoder.h"
#include "torghut/core/calendar.h"
#include "torghut/sim/generator.h"
#include "torghut/ta/final_rows.h"

namespace torghut::replay {
namespace {

std::vector<std::string> Generate(uint64_t seed, std::vector<std::string> symbols,
                                  int64_t seconds) {
  sim::GeneratorOptions o;
  o.symbols = std::move(symbols);
  o.seconds = seconds;
  o.seed = seed;
  o.duplicate_share = 0.01;
  o.late_share = 0.05;
  o.cancel_share = 0.01;
  sim::Generator gen(o);
  std::vector<std::string> lines;
  std::string line;
  while (gen.Next(&line)) lines.push_back(line);
  return lines;
}

class FileReplayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    calendar_ = new TradingCalendar(*TradingCalendar::NewYork());
    lines_ = new std::vector<std::string>(Generate(7, {"AAPL", "MSFT", "NVDA", "BRK.B"}, 240));
  }
  static void TearDownTestSuite() {
    delete calendar_;
    delete lines_;
  }
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("torghut-replay-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::vector<std::string>& lines, const std::string& name) {
    const std::string path = (dir_ / name).string();
    std::ofstream out(path);
    for (const auto& l : lines) out << l << '\n';
    return path;
  }

  struct Output {
    std::string rows;  // microbars then signals, JSONL
    FileReplayResult result;
    std::vector<std::pair<int64_t, std::string>> bad;
    ta::FinalRowCollector collector;
  };

  std::unique_ptr<Output> Replay(const std::string& path, FileReplayOptions options = {}) {
    auto out = std::make_unique<Output>();
    options.input_path = path;
    options.show_progress = false;
    ta::TradingSessions sessions(calendar_);
    Result<FileReplayResult> r = ReplayFile(
        options, &sessions, &out->collector,
        [&](int64_t line, std::string_view why) { out->bad.emplace_back(line, std::string(why)); });
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (r.ok()) out->result = *r;
    out->rows = out->collector.MicrobarsJsonl() + out->collector.SignalsJsonl();
    return out;
  }

  static TradingCalendar* calendar_;
  static std::vector<std::string>* lines_;
  std::filesystem::path dir_;
};
TradingCalendar* FileReplayTest::calendar_ = nullptr;
std::vector<std::string>* FileReplayTest::lines_ = nullptr;

// Per (symbol, second): high, low, volume and count from the raw file, with duplicates removed
// and cancelled trades taken out — computed without the engine.
TEST_F(FileReplayTest, MicrobarsMatchANaiveReference) {
  struct Agg {
    double h = -1e300, l = 1e300;
    int64_t v = 0, count = 0;
    bool touched_by_cancel = false;
  };
  std::map<std::pair<std::string, int64_t>, Agg> expected;
  std::set<std::pair<std::string, int64_t>> seen_ids;
  std::map<std::pair<std::string, int64_t>, std::pair<int64_t, int64_t>>
      trade_of;  // id → (sec, size)
  simdjson::dom::parser parser;
  for (const std::string& line : *lines_) {
    simdjson::dom::element e = parser.parse(line);
    const std::string type{std::string_view(e["T"])};
    if (type != "t" && type != "x") continue;
    const std::string sym{std::string_view(e["S"])};
    const int64_t id = int64_t(e["i"]);
    const int64_t sec = ParseRfc3339(std::string_view(e["t"]))->seconds();
    const int64_t size = int64_t(e["s"]);
    if (type == "x") {
      auto it = trade_of.find({sym, id});
      ASSERT_NE(it, trade_of.end()) << "cancel before its trade: " << line;
      Agg& a = expected[{sym, it->second.first}];
      a.v -= it->second.second;
      a.count -= 1;
      a.touched_by_cancel = true;
      continue;
    }
    if (!seen_ids.insert({sym, id}).second) continue;  // duplicate
    trade_of[{sym, id}] = {sec, size};
    Agg& a = expected[{sym, sec}];
    const double p = double(e["p"]);
    a.h = std::max(a.h, p);
    a.l = std::min(a.l, p);
    a.v += size;
    a.count += 1;
  }
  auto out = Replay(Write(*lines_, "in.jsonl"));
  EXPECT_TRUE(out->bad.empty());
  EXPECT_EQ(out->result.bad_lines, 0);
  EXPECT_GT(out->result.counters.duplicate_trades, 0);
  EXPECT_GT(out->result.counters.cancels, 0);
  EXPECT_GT(out->result.counters.revisions, 0);  // late trades revised final bars
  int64_t minute_bars = 0;
  for (const auto& l : *lines_) minute_bars += l.rfind(R"({"T":"b")", 0) == 0 ? 1 : 0;
  size_t nonempty = 0;
  for (const auto& [key, a] : expected) nonempty += a.count > 0 ? 1 : 0;
  // PT1S rows from trades, plus the upstream minute bars stored as PT1M rows.
  EXPECT_EQ(out->collector.microbars().size(), nonempty + static_cast<size_t>(minute_bars));
  for (const auto& [key, row] : out->collector.microbars()) {
    const auto& [sym, ws, end_ns] = key;
    if (ws != ta::WindowSize::k1s) continue;
    const auto it = expected.find({sym, end_ns / kNanosPerSecond - 1});
    ASSERT_NE(it, expected.end()) << sym << " " << end_ns;
    EXPECT_EQ(row.v, it->second.v) << sym << " " << end_ns;
    EXPECT_EQ(row.count, it->second.count) << sym << " " << end_ns;
    EXPECT_TRUE(row.id.is_final);
    if (!it->second.touched_by_cancel) {
      EXPECT_EQ(row.h, it->second.h) << sym << " " << end_ns;
      EXPECT_EQ(row.l, it->second.l) << sym << " " << end_ns;
    }
  }
  // One PT1S signal row per microbar plus one PT1M row per minute bar in the file.
  EXPECT_EQ(out->collector.signals().size(), nonempty + static_cast<size_t>(minute_bars));
}

TEST_F(FileReplayTest, OutputIsIndependentOfPartitionsBatchingAndSnapshots) {
  const std::string path = Write(*lines_, "in.jsonl");
  const auto baseline = Replay(path);
  ASSERT_GT(baseline->rows.size(), 1000u);

  for (int partitions : {2, 3, 7}) {
    FileReplayOptions o;
    o.partitions = partitions;
    EXPECT_EQ(Replay(path, o)->rows, baseline->rows) << partitions << " partitions";
  }
  for (int64_t every : {1, 7, 1000}) {
    FileReplayOptions o;
    o.provisional_every_events = every;
    auto out = Replay(path, o);
    EXPECT_GT(out->result.counters.provisional_rows, 0);
    EXPECT_EQ(out->rows, baseline->rows) << "provisional every " << every;
  }
  std::mt19937_64 rng(42);
  for (int round = 0; round < 3; ++round) {
    FileReplayOptions o;
    o.partitions = 1 + round;
    o.provisional_every_events = round * 13;
    std::uniform_int_distribution<int64_t> at(1, static_cast<int64_t>(lines_->size()));
    for (int k = 0; k < 5; ++k) o.snapshot_at_lines.push_back(at(rng));
    EXPECT_EQ(Replay(path, o)->rows, baseline->rows) << "snapshot round " << round;
  }
}

TEST_F(FileReplayTest, OutputIsIndependentOfSymbolInterleavingAndFraming) {
  const auto baseline = Replay(Write(*lines_, "in.jsonl"));

  // Each symbol's own order kept, symbols interleaved at random.
  std::map<std::string, std::vector<std::string>> by_symbol;
  for (const auto& l : *lines_) {
    const size_t s = l.find("\"S\":\"") + 5;
    by_symbol[l.substr(s, l.find('"', s) - s)].push_back(l);
  }
  ASSERT_EQ(by_symbol.size(), 4u);
  std::mt19937_64 rng(9);
  std::vector<std::string> shuffled;
  std::map<std::string, size_t> next;
  while (shuffled.size() < lines_->size()) {
    auto it = by_symbol.begin();
    std::advance(it, std::uniform_int_distribution<size_t>(0, by_symbol.size() - 1)(rng));
    size_t& i = next[it->first];
    if (i < it->second.size()) shuffled.push_back(it->second[i++]);
  }
  EXPECT_NE(shuffled, *lines_);
  EXPECT_EQ(Replay(Write(shuffled, "shuffled.jsonl"))->rows, baseline->rows);

  // One symbol after another.
  std::vector<std::string> grouped;
  for (const auto& [sym, ls] : by_symbol) grouped.insert(grouped.end(), ls.begin(), ls.end());
  EXPECT_EQ(Replay(Write(grouped, "grouped.jsonl"))->rows, baseline->rows);

  // Messages batched into Alpaca frames of random sizes.
  std::vector<std::string> frames;
  for (size_t i = 0; i < lines_->size();) {
    const size_t n = std::uniform_int_distribution<size_t>(1, 50)(rng);
    std::string frame = "[";
    for (size_t k = 0; k < n && i < lines_->size(); ++k, ++i) {
      if (k) frame += ',';
      frame += (*lines_)[i];
    }
    frames.push_back(frame + "]");
  }
  EXPECT_EQ(Replay(Write(frames, "frames.jsonl"))->rows, baseline->rows);
}

TEST_F(FileReplayTest, EnvelopesGiveTheSameRows) {
  SymbolTable symbols;
  alpaca::FrameDecoder decoder(&symbols);
  alpaca::MessageBatch batch;
  std::map<std::string, int64_t> seq;
  std::vector<std::string> envelopes;
  for (const auto& l : *lines_) {
    ASSERT_TRUE(decoder.Decode(l, &batch).ok());
    ASSERT_EQ(batch.messages.size(), 1u);
    const alpaca::DecodedMessage& m = batch.messages[0];
    alpaca::EnvelopeHeader h;
    std::visit(
        [&](const auto& e) {
          if constexpr (!std::is_same_v<std::decay_t<decltype(e)>, size_t>) {
            h.symbol = symbols.Name(e.symbol);
            h.event_ts = e.ts;
            h.ingest_ts = e.ts;
          }
        },
        m.event);
    h.channel = alpaca::ChannelFor(m.type);
    h.seq = ++seq[std::string(h.symbol)];  // what the per-symbol file ordinal would be
    h.source = market::Source::kFile;
    std::string json;
    alpaca::AppendEnvelopeJson(h, l, &json);
    envelopes.push_back(json);
  }
  const auto baseline = Replay(Write(*lines_, "in.jsonl"));
  auto out = Replay(Write(envelopes, "envelopes.jsonl"));
  EXPECT_EQ(out->result.bad_lines, 0);
  EXPECT_EQ(out->rows, baseline->rows);
}

TEST_F(FileReplayTest, BadLinesAreReportedWithLineNumbersAndLoseNothing) {
  std::vector<std::string> dirty = *lines_;
  // Insert from the back so the recorded line numbers stay right.
  const std::vector<std::pair<size_t, std::string>> inserts = {
      {900, R"({"T":"t","S":"AAPL","p":"not a number"})"},
      {500, "this is not json"},
      {300, R"([{"T":"zz"},{"T":"t","S":"AAPL"}])"},
      {100, ""},  // blank lines are fine
      {10, R"({"T":"t","S":"lowercase","i":1,"p":1,"s":1,"t":"2024-01-02T14:30:00Z"})"},
  };
  std::map<int64_t, std::string> expected_bad;
  for (const auto& [at, text] : inserts) dirty.insert(dirty.begin() + static_cast<long>(at), text);
  for (size_t i = 0; i < dirty.size(); ++i) {
    for (const auto& [at, text] : inserts) {
      (void)at;
      if (!text.empty() && dirty[i] == text) expected_bad[static_cast<int64_t>(i + 1)] = text;
    }
  }
  ASSERT_EQ(expected_bad.size(), 4u);
  auto clean = Replay(Write(*lines_, "clean.jsonl"));
  auto out = Replay(Write(dirty, "dirty.jsonl"));
  EXPECT_EQ(out->result.bad_lines, 4);
  ASSERT_EQ(out->bad.size(), 4u);
  for (const auto& [line, why] : out->bad) {
    EXPECT_TRUE(expected_bad.count(line)) << "line " << line << ": " << why;
    EXPECT_FALSE(why.empty());
  }
  EXPECT_NE(out->bad[0].second.find("invalid symbol"), std::string::npos) << out->bad[0].second;
  EXPECT_EQ(out->rows, clean->rows);  // nothing that was good was lost
}

TEST_F(FileReplayTest, MissingFileAndBadSettingsFailClearly) {
  ta::TradingSessions sessions(calendar_);
  ta::FinalRowCollector rows;
  FileReplayOptions o;
  o.input_path = (dir_ / "nope.jsonl").string();
  Result<FileReplayResult> r = ReplayFile(o, &sessions, &rows, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nope.jsonl"), std::string::npos) << r.status().message();
  o.input_path = Write(*lines_, "in.jsonl");
  o.engine.realized_vol_window = 0;
  EXPECT_FALSE(ReplayFile(o, &sessions, &rows, nullptr).ok());
  o.engine = {};
  o.partitions = 0;
  EXPECT_FALSE(ReplayFile(o, &sessions, &rows, nullptr).ok());
}

}  // namespace
}  // namespace torghut::replay
