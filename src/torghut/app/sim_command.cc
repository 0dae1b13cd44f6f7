// `torghut sim generate`: synthetic market data as JSONL (see sim/generator.h).
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>

#include "torghut/app/commands.h"
#include "torghut/sim/generator.h"

namespace torghut::app {
namespace {

struct GenerateFlags {
  sim::GeneratorOptions options;
  std::string start;
  std::string out;
};

int RunGenerate(GenerateFlags& flags) {
  if (!flags.start.empty()) {
    Result<Timestamp> start = ParseTimeArg(flags.start);
    if (!start.ok()) {
      std::fprintf(stderr, "torghut sim generate: --start: %s\n", start.status().message().c_str());
      return kExitUsage;
    }
    flags.options.start = *start;
  }
  if (Status s = sim::ValidateOptions(flags.options); !s.ok()) {
    std::fprintf(stderr, "torghut sim generate: %s\n", s.message().c_str());
    return kExitUsage;
  }
  const auto t0 = std::chrono::steady_clock::now();
  Result<sim::GeneratorStats> stats = sim::GenerateFile(flags.options, flags.out);
  if (!stats.ok()) {
    std::fprintf(stderr, "torghut sim generate: %s\n", stats.status().message().c_str());
    return kExitFailure;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr,
               "torghut sim generate: wrote %s: %lld lines (%lld trades, %lld quotes, %lld bars, "
               "%lld duplicates, %lld late, %lld cancels), %.1f MB in %.2f s\n",
               flags.out.c_str(), static_cast<long long>(stats->lines),
               static_cast<long long>(stats->trades), static_cast<long long>(stats->quotes),
               static_cast<long long>(stats->bars), static_cast<long long>(stats->duplicates),
               static_cast<long long>(stats->late), static_cast<long long>(stats->cancels),
               static_cast<double>(stats->bytes) / 1e6, secs);
  return kExitOk;
}

}  // namespace

void AddSimCommand(CLI::App& root, int* exit_code) {
  CLI::App* sim = root.add_subcommand(
      "sim", "Alpaca-protocol simulator: synthetic or recorded market data for tests and demos");
  sim->require_subcommand(1, 1);

  auto flags = std::make_shared<GenerateFlags>();
  CLI::App* gen = sim->add_subcommand(
      "generate", "Write synthetic market data (one Alpaca message object per line) to a file");
  sim::GeneratorOptions& o = flags->options;
  gen->add_option("--symbols", o.symbols, "Comma-separated symbols")
      ->delimiter(',')
      ->capture_default_str();
  gen->add_option("--seconds", o.seconds, "Length of the generated span in seconds")
      ->capture_default_str();
  gen->add_option("--seed", o.seed, "PRNG seed: same seed, same bytes")->capture_default_str();
  gen->add_option("--out", flags->out, "Output JSONL file")->required();
  gen->add_option("--start", flags->start,
                  "Start of the span (RFC 3339 or epoch s/ms; default 2024-01-02T14:30:00Z)");
  gen->add_option("--rate", o.trades_per_second, "Mean trades per second per symbol")
      ->capture_default_str();
  gen->add_option("--quotes-per-trade", o.quotes_per_trade, "Mean quotes per trade")
      ->capture_default_str();
  gen->add_option("--volatility", o.annual_volatility, "Annualised GBM volatility")
      ->capture_default_str();
  gen->add_option("--duplicate-share", o.duplicate_share, "Share of trades sent twice")
      ->capture_default_str();
  gen->add_option("--late-share", o.late_share, "Share of trades delivered late")
      ->capture_default_str();
  gen->add_option("--max-lateness-ms", o.max_lateness_ms, "Maximum lateness of a late trade")
      ->capture_default_str();
  gen->add_option("--cancel-share", o.cancel_share, "Share of trades later cancelled")
      ->capture_default_str();
  gen->add_flag("!--no-minute-bars", o.minute_bars, "Do not emit minute bars");
  gen->callback([flags, exit_code] { *exit_code = RunGenerate(*flags); });
}

}  // namespace torghut::app
