// The trading step's cost per bar against the TA engine's, on the same input (SPEC §6, issue
// "Trading core": the trading step should not be the bottleneck of a backtest).
//
//   trading_engine_bench [google-benchmark flags]
//
// Input: `sim generate`-style data for 500 symbols (300 s, 1 trade/s/symbol, quotes), decoded
// once outside the timed regions. Timed:
//   BM_TaEngine        the TA engine over the decoded events (the peer): ns per final 1 s bar
//   BM_TradingEngine   10 strategies (all three rules, with exits) × 500 symbols over the final
//                      bars the TA engine produced: ns per bar; /1 records each decision's
//                      inputs (as `trade` does), /0 does not (as a backtest runs)
// At the end the ratio trading ns/bar ÷ TA ns/bar is printed (lower is better; < 1 means the
// trading step costs less than computing the bar it decides on).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "torghut/alpaca/frame_decoder.h"
#include "torghut/core/calendar.h"
#include "torghut/sim/generator.h"
#include "torghut/ta/engine.h"
#include "torghut/trading/bar.h"
#include "torghut/trading/engine.h"

namespace {

namespace ta = torghut::ta;
namespace trading = torghut::trading;
using torghut::Decimal;

constexpr int kSymbols = 500;

const torghut::TradingCalendar& Calendar() {
  static const torghut::TradingCalendar* c =
      new torghut::TradingCalendar(*torghut::TradingCalendar::NewYork());
  return *c;
}

struct Dataset {
  torghut::SymbolTable symbols;
  std::vector<torghut::market::Event> events;
  std::vector<trading::TradingBar> bars;  // final 1 s bars, as the engine joined them
};

class CountingSink final : public ta::RowSink {
 public:
  void OnMicrobar(const ta::MicrobarRow& r) override { bars += r.id.is_final ? 1 : 0; }
  void OnSignal(const ta::SignalRow& r) override { checksum += r.ema12 == r.ema12 ? r.ema12 : 0; }
  int64_t bars = 0;
  double checksum = 0;
};

const Dataset& Data() {
  static Dataset* d = [] {
    auto* data = new Dataset;
    torghut::sim::GeneratorOptions o;
    for (int i = 0; i < kSymbols; ++i) o.symbols.push_back("S" + std::to_string(i));
    o.symbols.erase(o.symbols.begin(), o.symbols.begin() + 3);  // the defaults
    o.seconds = 300;
    o.trades_per_second = 1;
    o.quotes_per_trade = 0.5;
    torghut::sim::Generator gen(o);
    torghut::alpaca::FrameDecoder decoder(&data->symbols);
    torghut::alpaca::MessageBatch batch;
    std::string line;
    while (gen.Next(&line)) {
      if (!decoder.Decode(line, &batch).ok()) continue;
      for (const auto& m : batch.messages) {
        torghut::market::Event e;
        if (torghut::alpaca::ToMarketEvent(m, &e)) data->events.push_back(e);
      }
    }
    ta::TradingSessions sessions(&Calendar());
    trading::TradingBarSink sink([&](const trading::TradingBar& b) {
      if (b.timeframe == trading::Timeframe::k1Sec) data->bars.push_back(b);
    });
    ta::Engine engine(ta::EngineConfig{}, &data->symbols, &sessions, &sink);
    for (const auto& e : data->events) engine.Apply(e, ta::InputMeta{});
    engine.FinalizeAll();
    std::fprintf(stderr, "trading_engine_bench: %zu events, %zu final 1 s bars, %d symbols\n",
                 data->events.size(), data->bars.size(), kSymbols);
    return data;
  }();
  return *d;
}

double g_ta_ns_per_bar = 0, g_trading_ns_per_bar = 0, g_lean_ns_per_bar = 0;

void BM_TaEngine(benchmark::State& state) {
  const Dataset& d = Data();
  ta::TradingSessions sessions(&Calendar());
  torghut::SymbolTable symbols = d.symbols;
  int64_t bars = 0;
  for (auto _ : state) {
    CountingSink sink;
    ta::Engine engine(ta::EngineConfig{}, &symbols, &sessions, &sink);
    for (const auto& e : d.events) engine.Apply(e, ta::InputMeta{});
    engine.FinalizeAll();
    benchmark::DoNotOptimize(sink.checksum);
    bars = sink.bars;
  }
  state.SetItemsProcessed(state.iterations() * bars);
}

std::vector<trading::Strategy> TenStrategies() {
  std::vector<trading::Strategy> out;
  const char* types[] = {"macd-rsi", "macd-cross", "bollinger-reversion"};
  for (int i = 0; i < 10; ++i) {
    trading::Strategy s;
    s.name = "s" + std::to_string(i);
    s.enabled = true;
    s.base_timeframe = trading::Timeframe::k1Sec;
    s.type = types[i % 3];
    s.params_json = i % 2 ? R"({"stop_loss_pct": 0.5, "max_hold_seconds": 60})" : "{}";
    s.qty = Decimal::FromUnits(10 * Decimal::kOne);
    out.push_back(s);
  }
  return out;
}

void BM_TradingEngine(benchmark::State& state) {
  const bool audit = state.range(0) != 0;
  const Dataset& d = Data();
  trading::TradingSettings settings;
  settings.enabled = true;
  settings.check_signal_age = false;
  trading::PortfolioView portfolio;
  portfolio.equity = portfolio.cash = portfolio.buying_power =
      Decimal::FromUnits(1'000'000 * Decimal::kOne);
  int64_t decisions = 0;
  for (auto _ : state) {
    trading::TradingEngine engine(settings, &Calendar());
    engine.set_record_skips(false);   // as a backtest runs it
    engine.set_record_inputs(audit);  // the trader records each decision's inputs
    (void)engine.SetStrategies(TenStrategies());
    decisions = 0;
    for (const trading::TradingBar& b : d.bars) {
      decisions += static_cast<int64_t>(engine.OnBar(b, b.event_ts, portfolio).decisions.size());
    }
    benchmark::DoNotOptimize(decisions);
  }
  const auto bars = static_cast<int64_t>(d.bars.size());
  state.SetItemsProcessed(state.iterations() * bars);
  state.counters["decisions"] = static_cast<double>(decisions);
}

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      const double ns = r.GetAdjustedRealTime();  // per iteration, in the run's unit (ms)
      const double per_bar = ns * 1e6 / static_cast<double>(Data().bars.size());
      if (r.benchmark_name().rfind("BM_TaEngine", 0) == 0) g_ta_ns_per_bar = per_bar;
      if (r.benchmark_name().rfind("BM_TradingEngine/1", 0) == 0) g_trading_ns_per_bar = per_bar;
      if (r.benchmark_name().rfind("BM_TradingEngine/0", 0) == 0) g_lean_ns_per_bar = per_bar;
    }
    ConsoleReporter::ReportRuns(runs);
  }
};

}  // namespace

BENCHMARK(BM_TaEngine)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_TradingEngine)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->MinTime(2.0);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  if (g_ta_ns_per_bar > 0 && g_trading_ns_per_bar > 0) {
    std::printf(
        "per final 1 s bar: TA engine %.0f ns; trading engine (10 strategies) %.0f ns with "
        "decision inputs recorded (trade), %.0f ns without (backtest); trading / TA = %.2f and "
        "%.2f\n",
        g_ta_ns_per_bar, g_trading_ns_per_bar, g_lean_ns_per_bar,
        g_trading_ns_per_bar / g_ta_ns_per_bar, g_lean_ns_per_bar / g_ta_ns_per_bar);
  }
  benchmark::Shutdown();
  return 0;
}
