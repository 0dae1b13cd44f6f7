// `torghut replay --from-file FILE --out DIR`: recompute TA over a recorded file (see
// replay/file_replay.h) and write the final rows as JSONL.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "torghut/app/commands.h"
#include "torghut/core/calendar.h"
#include "torghut/core/config.h"
#include "torghut/io/atomic_file.h"
#include "torghut/replay/file_replay.h"
#include "torghut/ta/engine_env.h"
#include "torghut/ta/final_rows.h"

namespace torghut::app {
namespace {

constexpr int kMaxReportedBadLines = 20;

struct ReplayFlags {
  std::string from_file;
  std::string out;
  int partitions = 1;
  bool no_progress = false;
};

int RunReplay(const ReplayFlags& flags) {
  ConfigReader cfg(EnvSource::Process());
  replay::FileReplayOptions options;
  options.engine = ta::ReadEngineConfig(cfg);
  const std::string data_dir = cfg.String("TORGHUT_DATA_DIR", "./torghut-data");
  if (Status s = cfg.Finish(); !s.ok()) {
    std::fprintf(stderr, "torghut replay: %s\n", s.message().c_str());
    return kExitUsage;
  }
  options.input_path = flags.from_file;
  options.partitions = flags.partitions;
  options.show_progress = !flags.no_progress;
  const std::filesystem::path out_dir = flags.out.empty()
                                            ? std::filesystem::path(data_dir) / "replay"
                                            : std::filesystem::path(flags.out);

  Result<TradingCalendar> calendar = TradingCalendar::NewYork();
  if (!calendar.ok()) {
    std::fprintf(stderr, "torghut replay: %s\n", calendar.status().message().c_str());
    return kExitFailure;
  }
  ta::TradingSessions sessions(&*calendar);
  ta::FinalRowCollector rows;
  int64_t reported = 0;
  auto on_bad_line = [&](int64_t line, std::string_view reason) {
    if (++reported > kMaxReportedBadLines) return;
    std::fprintf(stderr, "torghut replay: %s:%lld: skipped: %.*s\n", flags.from_file.c_str(),
                 static_cast<long long>(line), static_cast<int>(reason.size()), reason.data());
  };
  Result<replay::FileReplayResult> result =
      replay::ReplayFile(options, &sessions, &rows, on_bad_line);
  if (!result.ok()) {
    std::fprintf(stderr, "torghut replay: %s\n", result.status().message().c_str());
    return kExitFailure;
  }
  if (reported > kMaxReportedBadLines) {
    std::fprintf(stderr, "torghut replay: ... and %lld more bad lines\n",
                 static_cast<long long>(reported - kMaxReportedBadLines));
  }

  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) {
    std::fprintf(stderr, "torghut replay: cannot create %s: %s\n", out_dir.c_str(),
                 ec.message().c_str());
    return kExitFailure;
  }
  for (const auto& [name, content] : {std::pair{"microbars.jsonl", rows.MicrobarsJsonl()},
                                      std::pair{"signals.jsonl", rows.SignalsJsonl()}}) {
    if (Status s = WriteFileAtomically(out_dir / name, content); !s.ok()) {
      std::fprintf(stderr, "torghut replay: %s\n", s.message().c_str());
      return kExitFailure;
    }
  }
  const replay::FileReplayResult& r = *result;
  const ta::EngineCounters& c = r.counters;
  std::fprintf(stderr,
               "torghut replay: %lld events (%lld trades, %lld duplicates, %lld too late, %lld "
               "cancels, %lld quotes, %lld minute bars), %lld rows (%zu microbars, %zu signals, "
               "%lld revisions), %lld bad lines, %.2f s, %.0f events/s -> %s\n",
               static_cast<long long>(r.events), static_cast<long long>(c.trades),
               static_cast<long long>(c.duplicate_trades),
               static_cast<long long>(c.too_late_trades), static_cast<long long>(c.cancels),
               static_cast<long long>(c.quotes), static_cast<long long>(c.minute_bars),
               static_cast<long long>(rows.microbars().size() + rows.signals().size()),
               rows.microbars().size(), rows.signals().size(), static_cast<long long>(c.revisions),
               static_cast<long long>(r.bad_lines), r.seconds,
               r.seconds > 0 ? static_cast<double>(r.events) / r.seconds : 0.0, out_dir.c_str());
  return kExitOk;
}

}  // namespace

void AddReplayCommand(CLI::App& root, int* exit_code) {
  auto flags = std::make_shared<ReplayFlags>();
  CLI::App* cmd = root.add_subcommand(
      "replay", "Recompute microbars and signals over recorded market data (a JSONL file)");
  cmd->add_option("--from-file", flags->from_file,
                  "JSONL input: Alpaca message objects (as `torghut sim generate` writes), Alpaca "
                  "frames, or bus envelopes")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", flags->out,
                  "Output directory for microbars.jsonl and signals.jsonl (default "
                  "$TORGHUT_DATA_DIR/replay)");
  cmd->add_option("--partitions", flags->partitions,
                  "Engines to spread symbols over by hash, as TA replicas would (same output)")
      ->check(CLI::Range(1, 1024));
  cmd->add_flag("--no-progress", flags->no_progress, "Never draw the progress bar");
  cmd->footer(std::string("Environment:\n") + ta::kEngineEnvHelp +
              "  TORGHUT_DATA_DIR              default parent of --out (default ./torghut-data)\n"
              "Output rows are the final version of each (symbol, window_size, event_ts), sorted "
              "by that key; bad input lines are reported with their line number and skipped.");
  cmd->callback([flags, exit_code] { *exit_code = RunReplay(*flags); });
}

}  // namespace torghut::app
