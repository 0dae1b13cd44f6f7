// `torghut replay --from-file FILE --out DIR`: recompute TA over a recorded file (see
// replay/file_replay.h) and write the final rows as JSONL.
// `torghut replay --group-id ID [--from T] [--to T] [--symbols …]`: recompute from the bus into the
// TA store with a never-used consumer group (SPEC §9), recorded in the replay ledger.
#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "torghut/app/commands.h"
#include "torghut/bus/bus_config.h"
#include "torghut/core/calendar.h"
#include "torghut/core/config.h"
#include "torghut/io/atomic_file.h"
#include "torghut/io/progress.h"
#include "torghut/processor/bus_replay.h"
#include "torghut/replay/file_replay.h"
#include "torghut/store/store_config.h"
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
  std::string group_id;
  std::string from, to;
  std::vector<std::string> symbols;
};

int ReplayFail(const Status& s, int code = kExitFailure) {
  std::fprintf(stderr, "torghut replay: %s\n", s.ToString().c_str());
  return code;
}

std::string Iso(std::optional<Timestamp> t) {
  return t ? FormatRfc3339(*t, FracDigits::kMillis) : "-";
}

// From the bus into the store, with a consumer group nobody used before (processor/bus_replay.h).
int RunBusReplay(const ReplayFlags& flags) {
  ConfigReader cfg(EnvSource::Process());
  const bus::BusConfig bus_config = bus::ReadBusConfig(cfg);
  const store::StoreConfig store_config = store::ReadStoreConfig(cfg);
  processor::TaServiceConfig steady = processor::ReadTaServiceConfig(cfg);
  steady.retention_days = store_config.ta_retention_days;
  if (Status s = cfg.Finish(); !s.ok()) {
    std::fprintf(stderr, "torghut replay: %s\n", s.message().c_str());
    return kExitUsage;
  }
  processor::BusReplayRequest request;
  request.group_id = flags.group_id;
  request.symbols = flags.symbols;
  for (const auto& [text, slot] :
       {std::pair{&flags.from, &request.from}, std::pair{&flags.to, &request.to}}) {
    if (text->empty()) continue;
    Result<Timestamp> t = ParseTimeArg(*text);
    if (!t.ok()) return ReplayFail(t.status(), kExitUsage);
    *slot = *t;
  }
  auto bus = bus::OpenBus(bus_config);
  if (!bus.ok()) return ReplayFail(bus.status(), kExitUsage);
  auto ta_store = store::OpenTaStore(store_config);
  if (!ta_store.ok()) return ReplayFail(ta_store.status(), kExitUsage);
  auto trading = store::OpenTradingStore(store_config);
  if (!trading.ok()) return ReplayFail(trading.status(), kExitUsage);
  Result<TradingCalendar> calendar = TradingCalendar::NewYork();
  if (!calendar.ok()) return ReplayFail(calendar.status());
  ta::TradingSessions sessions(&*calendar);
  const std::atomic<bool>& stop = StopOnSignals();

  std::optional<io::Progress> progress;
  Result<processor::BusReplayResult> replayed = processor::RunBusReplay(
      steady, request, {bus->get(), ta_store->get(), trading->get(), &sessions, &SystemClock()},
      stop, [&](const processor::TaServiceReport& r, int64_t total) {
        if (!progress) {
          progress.emplace("replay " + request.group_id,
                           static_cast<uint64_t>(std::max<int64_t>(total, 1)));
        }
        progress->Update(static_cast<uint64_t>(std::min(r.messages, total)), r.messages);
      });
  if (progress) progress->Finish();
  if (!replayed.ok()) {
    const StatusCode c = replayed.status().code();
    return ReplayFail(replayed.status(),
                      c == StatusCode::kInvalidArgument || c == StatusCode::kAlreadyExists
                          ? kExitUsage
                          : kExitFailure);
  }
  const processor::BusReplayResult& r = *replayed;
  if (!r.ledger_status.ok()) {
    std::fprintf(stderr, "torghut replay: could not record the end in the ledger: %s\n",
                 r.ledger_status.ToString().c_str());
  }
  if (r.outcome != "ok" && r.outcome != "interrupted") {
    std::fprintf(stderr, "torghut replay: %s\n", r.outcome.c_str());
    return kExitFailure;
  }
  std::printf("replay %s: %s; %lld messages, %lld rows written (%lld left out by the window)\n",
              request.group_id.c_str(), r.outcome.c_str(),
              static_cast<long long>(r.report.messages),
              static_cast<long long>(r.report.rows_written),
              static_cast<long long>(r.report.filtered_messages));
  if (r.freshness.ok()) {
    std::printf("freshness: ta_microbars max(event_ts) = %s, ta_signals max(event_ts) = %s\n",
                Iso(r.freshness->microbars).c_str(), Iso(r.freshness->signals).c_str());
  } else {
    std::printf("freshness: unknown (%s)\n", r.freshness.status().ToString().c_str());
  }
  std::printf(
      "roll back: restart `torghut ta` with TA_GROUP_ID=%s (recorded in the replay "
      "ledger as the previous group)\n",
      r.previous_group_id.c_str());
  return r.outcome == "ok" ? kExitOk : kExitFailure;
}

int RunReplay(const ReplayFlags& flags) {
  ConfigReader cfg(EnvSource::Process());
  replay::FileReplayOptions options;
  options.engine = ta::ReadEngineConfig(cfg);
  const std::string data_dir = DataDir(cfg);
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
  CLI::Option* file_opt =
      cmd->add_option("--from-file", flags->from_file,
                      "JSONL input: Alpaca message objects (as `torghut sim generate` writes), "
                      "Alpaca frames, or bus envelopes")
          ->check(CLI::ExistingFile);
  CLI::Option* group_opt =
      cmd->add_option("--group-id", flags->group_id,
                      "Replay from the bus into the TA store with this never-used consumer group "
                      "(e.g. torghut-ta-replay-20261123)");
  file_opt->excludes(group_opt);
  cmd->add_option("--from", flags->from,
                  "With --group-id: events from this time (RFC 3339 or epoch s/ms)");
  cmd->add_option("--to", flags->to, "With --group-id: events up to this time");
  cmd->add_option("--symbols", flags->symbols, "With --group-id: only these symbols")
      ->delimiter(',');
  cmd->add_option("--out", flags->out,
                  "Output directory for microbars.jsonl and signals.jsonl (default "
                  "$TORGHUT_DATA_DIR/replay)");
  cmd->add_option("--partitions", flags->partitions,
                  "Engines to spread symbols over by hash, as TA replicas would (same output)")
      ->check(CLI::Range(1, 1024));
  cmd->add_flag("--no-progress", flags->no_progress, "Never draw the progress bar");
  cmd->footer(
      std::string("Environment:\n") + ta::kEngineEnvHelp +
      "  TORGHUT_DATA_DIR              default parent of --out (default ./torghut-data)\n"
      "With --group-id: the bus (BUS, KAFKA_*, TA_*_TOPIC), the TA store (TA_STORE, ...), the\n"
      "trading store holding the replay ledger (TRADING_STORE, DB_DSN) and TA_GROUP_ID, the\n"
      "steady-state group recorded for roll-back, are read from the environment.\n"
      "Output rows are the final version of each (symbol, window_size, event_ts), sorted "
      "by that key; bad input lines are reported with their line number and skipped.");
  cmd->callback([flags, exit_code] {
    if (flags->from_file.empty() && flags->group_id.empty()) {
      std::fprintf(stderr, "torghut replay: give --from-file FILE or --group-id ID\n");
      *exit_code = kExitUsage;
      return;
    }
    *exit_code = flags->group_id.empty() ? RunReplay(*flags) : RunBusReplay(*flags);
  });
}

}  // namespace torghut::app
