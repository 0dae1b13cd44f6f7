// Indicator update cost: nanoseconds per value for each indicator, one core, over a 1 M-point
// random walk (the same series every run). The peer is TA-Lib itself, timed on the same series by
// tools/talib-golden/bench.js (node; its figures include marshalling the arrays).
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include "torghut/core/time.h"
#include "torghut/ta/indicators/indicators.h"

namespace {

namespace ind = torghut::ta::indicators;

const std::vector<double>& Series() {
  static const std::vector<double>* s = [] {
    auto* v = new std::vector<double>;
    std::mt19937_64 rng(4);
    std::normal_distribution<double> n(0, 0.0008);
    double p = 187.25;
    for (int i = 0; i < 1'000'000; ++i) {
      p *= std::exp(n(rng));
      v->push_back(std::round(p * 100) / 100);
    }
    return v;
  }();
  return *s;
}

template <typename F>
void Run(benchmark::State& state, F&& update) {
  const std::vector<double>& s = Series();
  for (auto _ : state) {
    for (double x : s) update(x);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * s.size()));
}

void BM_Ema12(benchmark::State& state) {
  ind::Ema ema(12);
  Run(state, [&](double x) { benchmark::DoNotOptimize(ema.Update(x)); });
}
void BM_Macd_12_26_9(benchmark::State& state) {
  ind::Macd macd(12, 26, 9);
  Run(state, [&](double x) {
    macd.Update(x);
    benchmark::DoNotOptimize(macd.hist());
  });
}
void BM_Rsi14(benchmark::State& state) {
  ind::Rsi rsi(14);
  Run(state, [&](double x) { benchmark::DoNotOptimize(rsi.Update(x)); });
}
void BM_Bollinger_20_2(benchmark::State& state) {
  ind::Bollinger bb(20, 2.0);
  Run(state, [&](double x) {
    bb.Update(x);
    benchmark::DoNotOptimize(bb.upper());
  });
}
void BM_SessionVwap(benchmark::State& state) {
  ind::SessionVwap vwap;
  Run(state, [&](double x) { benchmark::DoNotOptimize(vwap.Update(x * 100, 100)); });
}
void BM_RollingVwap_5m(benchmark::State& state) {
  ind::RollingVwap vwap(300 * torghut::kNanosPerSecond, 301);
  int64_t t = 0;
  Run(state, [&](double x) {
    t += torghut::kNanosPerSecond;
    benchmark::DoNotOptimize(vwap.Update(t, x * 100, 100));
  });
}
void BM_RealizedVol60(benchmark::State& state) {
  ind::RealizedVol vol(60);
  Run(state, [&](double x) { benchmark::DoNotOptimize(vol.Update(x)); });
}

BENCHMARK(BM_Ema12)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Macd_12_26_9)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Rsi14)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Bollinger_20_2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SessionVwap)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RollingVwap_5m)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RealizedVol60)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
