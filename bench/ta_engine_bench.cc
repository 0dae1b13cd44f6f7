// TA core throughput and memory: decoded trades → 1 s microbars + signals on one core.
//
//   ta_engine_bench [--trades-file=FILE] [google-benchmark flags]
//
// FILE is a `torghut sim generate` JSONL file; its trades are decoded once, outside the timed
// region. Without it a 2 M-trade sample is generated in memory. bench/run_ta_bench.sh runs this
// next to ClickHouse computing the same per-second OHLCV bars with GROUP BY over the same trades
// (the peer), and prints the ratio.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "torghut/sim/generator.h"
#include "torghut/ta/engine.h"

namespace {

using torghut::SymbolTable;
using torghut::Timestamp;
namespace ta = torghut::ta;
namespace market = torghut::market;

std::string g_trades_file;

// The real US-equities calendar, as the TA service uses it.
const ta::SessionCalendar& Sessions() {
  static const torghut::TradingCalendar* calendar =
      new torghut::TradingCalendar(*torghut::TradingCalendar::NewYork());
  static const ta::TradingSessions* sessions = new ta::TradingSessions(calendar);
  return *sessions;
}

class CountingSink : public ta::RowSink {
 public:
  void OnMicrobar(const ta::MicrobarRow& r) override { bars += r.id.is_final ? 1 : 0; }
  void OnSignal(const ta::SignalRow& r) override {
    signals += r.id.is_final ? 1 : 0;
    checksum += r.ema12 == r.ema12 ? r.ema12 : 0;
  }
  int64_t bars = 0, signals = 0;
  double checksum = 0;
};

struct Dataset {
  SymbolTable symbols;
  std::vector<market::Trade> trades;
};

void AddLine(simdjson::dom::parser& parser, const std::string& line, Dataset* d) {
  simdjson::dom::element e;
  if (parser.parse(line).get(e) != simdjson::SUCCESS) return;
  std::string_view type;
  if (e["T"].get(type) != simdjson::SUCCESS || type != "t") return;
  market::Trade t;
  t.symbol = d->symbols.Intern(std::string_view(e["S"]));
  t.id = int64_t(e["i"]);
  t.price = double(e["p"]);
  t.size = int64_t(e["s"]);
  t.ts = *torghut::ParseRfc3339(std::string_view(e["t"]));
  d->trades.push_back(t);
}

const Dataset& Data() {
  static Dataset* d = [] {
    auto* data = new Dataset;
    simdjson::dom::parser parser;
    std::string line;
    if (!g_trades_file.empty()) {
      std::ifstream in(g_trades_file);
      while (std::getline(in, line)) AddLine(parser, line, data);
    } else {
      torghut::sim::GeneratorOptions o;
      o.symbols = {"AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "META", "GOOG", "AMD", "SPY", "QQQ"};
      o.seconds = 1000;
      o.trades_per_second = 200;
      o.quotes_per_trade = 0;
      torghut::sim::Generator gen(o);
      while (gen.Next(&line)) AddLine(parser, line, data);
    }
    std::fprintf(stderr, "ta_engine_bench: %zu trades, %zu symbols\n", data->trades.size(),
                 data->symbols.size());
    return data;
  }();
  return *d;
}

void BM_TradesToMicrobarsAndSignals(benchmark::State& state) {
  const Dataset& d = Data();
  const ta::SessionCalendar& sessions = Sessions();
  SymbolTable symbols = d.symbols;
  int64_t bars = 0;
  for (auto _ : state) {
    CountingSink sink;
    ta::Engine engine(ta::EngineConfig{}, &symbols, &sessions, &sink);
    const ta::InputMeta meta{Timestamp::FromSeconds(0), 1, ta::Source::kFile};
    for (const market::Trade& t : d.trades) engine.OnTrade(t, meta);
    engine.FinalizeAll();
    benchmark::DoNotOptimize(sink.checksum);
    bars = sink.bars;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(d.trades.size()));
  state.counters["bars"] = static_cast<double>(bars);
}
BENCHMARK(BM_TradesToMicrobarsAndSignals)->Unit(benchmark::kMillisecond)->MinTime(2.0);

long RssKb() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  long pages = 0, rss = 0;
  if (f != nullptr) {
    if (std::fscanf(f, "%ld %ld", &pages, &rss) != 2) rss = 0;
    std::fclose(f);
  }
  return rss * 4;
}

// Engine state for range(0) symbols after 10 minutes in which each symbol trades once every
// range(1) seconds: 1 is the worst case (every per-symbol window full), 30 is closer to a broad
// universe where most names trade a few times a minute.
void BM_MemoryPerSymbol(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const int every = static_cast<int>(state.range(1));
  const ta::SessionCalendar& sessions = Sessions();
  for (auto _ : state) {
    SymbolTable symbols;
    for (int i = 0; i < n; ++i) {
      std::string name = "S";
      name += std::to_string(i);
      symbols.Intern(name);
    }
    CountingSink sink;
    const long rss0 = RssKb();
    auto engine = std::make_unique<ta::Engine>(ta::EngineConfig{}, &symbols, &sessions, &sink);
    const ta::InputMeta meta{Timestamp::FromSeconds(0), 1, ta::Source::kFile};
    int64_t id = 0;
    for (int s = 0; s < 600; ++s) {
      for (int i = 0; i < n; ++i) {
        if ((s + i) % every != 0) continue;
        market::Trade t;
        t.symbol = static_cast<torghut::SymbolId>(i);
        t.id = ++id;
        t.ts = Timestamp::FromSeconds(1704205800 + s);
        t.price = 100 + (s % 7);
        t.size = 100;
        engine->OnTrade(t, meta);
      }
    }
    const long rss1 = RssKb();
    state.counters["state_bytes_per_symbol"] =
        static_cast<double>(engine->StateBytes()) / static_cast<double>(n);
    state.counters["rss_kb_delta"] = static_cast<double>(rss1 - rss0);
    state.counters["rss_bytes_per_symbol"] =
        static_cast<double>(rss1 - rss0) * 1024.0 / static_cast<double>(n);
  }
}
BENCHMARK(BM_MemoryPerSymbol)
    ->Args({10000, 1})
    ->Args({10000, 30})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--trades-file=", 14) == 0) {
      g_trades_file = argv[i] + 14;
    } else {
      rest.push_back(argv[i]);
    }
  }
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
