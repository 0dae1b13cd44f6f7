// Synthetic US-equities market data: the data every test, benchmark and demo uses.
//
//   sim::GeneratorOptions opt;  opt.symbols = {"AAPL", "MSFT"};  opt.seconds = 60;  opt.seed = 7;
//   sim::Generator gen(opt);
//   std::string line;
//   while (gen.Next(&line)) out << line << '\n';   // one Alpaca message object per line
//
// Per symbol: a seeded geometric Brownian motion for the price, Poisson trade arrivals, realistic
// (heavy-tailed, round-lot-biased) trade sizes, quotes around the price, and a minute bar ("T":"b")
// at the end of each minute built from the trades of that minute. A configurable share of trades
// are emitted twice (duplicate id), late (up to `max_lateness_ms` after later trades), or followed
// by a cancel ("T":"x"). Output is ordered by emission time; the same options give a
// byte-identical stream on every machine (no libm randomness differences: the generator uses its
// own PRNG and only IEEE-exact arithmetic plus std::log/std::exp, which glibc rounds correctly).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "torghut/core/status.h"
#include "torghut/core/time.h"

namespace torghut::sim {

struct GeneratorOptions {
  std::vector<std::string> symbols = {"AAPL", "MSFT", "NVDA"};
  int64_t seconds = 60;  // length of the generated span
  uint64_t seed = 1;
  // Start of the span; default 2024-01-02 14:30:00Z (09:30 New York, a regular session open).
  Timestamp start = Timestamp::FromSeconds(1704205800);
  double trades_per_second = 20.0;  // mean trade rate per symbol
  double quotes_per_trade = 1.0;    // mean quotes per trade
  double annual_volatility = 0.30;  // GBM sigma
  double duplicate_share = 0.002;   // share of trades re-sent with the same id
  double late_share = 0.01;         // share of trades delivered late
  int64_t max_lateness_ms = 2000;   // late trades arrive at most this much after their time
  double cancel_share = 0.001;      // share of trades later cancelled ("T":"x")
  bool minute_bars = true;          // emit "T":"b" at each minute end
  // 0: one span of `seconds` from `start`. N > 0: N regular New York sessions, from the first
  // trading day at or after `start`'s (weekends, holidays and early closes by core/calendar.h),
  // each from the open to the close, `seconds` ignored: trading is busiest at the open and the
  // close (a U-shaped rate, 2.5× the mean at the edges, 0.625× at midday, averaging
  // `trades_per_second`), and each session opens with an overnight gap (a normal log-return of
  // `overnight_gap_sigma`).
  int sessions = 0;
  double overnight_gap_sigma = 0.01;
};

// Validates options (non-empty valid symbols, positive seconds/rates, shares in [0,1]).
Status ValidateOptions(const GeneratorOptions& options);

struct GeneratorStats {
  int64_t lines = 0, trades = 0, quotes = 0, bars = 0, duplicates = 0, late = 0, cancels = 0;
  int64_t bytes = 0;
};

class Generator {
 public:
  // Precondition: ValidateOptions(options).ok().
  explicit Generator(const GeneratorOptions& options);
  ~Generator();
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  // Replaces *line with the next JSON object (no trailing newline); false at the end.
  bool Next(std::string* line);
  const GeneratorStats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Writes the whole stream to `path` as JSONL (atomically: a temp file renamed into place).
Result<GeneratorStats> GenerateFile(const GeneratorOptions& options, const std::string& path);

}  // namespace torghut::sim
