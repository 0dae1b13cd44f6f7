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
#include <thread>

#include "torghut/app/commands.h"
#include "torghut/bus/bus_config.h"
#include "torghut/core/calendar.h"
#include "torghut/core/config.h"
#include "torghut/io/atomic_file.h"
#include "torghut/io/progress.h"
#include "torghut/processor/ta_service.h"
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

// From the bus into the store, with a consumer group nobody used before.
int RunBusReplay(const ReplayFlags& flags) {
  ConfigReader cfg(EnvSource::Process());
  const bus::BusConfig bus_config = bus::ReadBusConfig(cfg);
  const store::StoreConfig store_config = store::ReadStoreConfig(cfg);
  processor::TaServiceConfig config = processor::ReadTaServiceConfig(cfg);
  if (Status s = cfg.Finish(); !s.ok()) {
    std::fprintf(stderr, "torghut replay: %s\n", s.message().c_str());
    return kExitUsage;
  }
  const std::string previous_group = config.group_id;  // the steady state to roll back to
  if (flags.group_id == previous_group) {
    return ReplayFail(InvalidArgument("--group-id must differ from TA_GROUP_ID (" + previous_group +
                                      "), the steady-state group"),
                      kExitUsage);
  }
  config.group_id = flags.group_id;
  config.reset = bus::OffsetReset::kEarliest;
  config.restore_from.clear();
  config.stop_at_end = true;
  config.symbols = flags.symbols;
  config.retention_days = 0;
  config.status_interval_ms = 200;
  for (const auto& [text, slot] :
       {std::pair{&flags.from, &config.since}, std::pair{&flags.to, &config.until}}) {
    if (text->empty()) continue;
    Result<Timestamp> t = ParseTimeArg(*text);
    if (!t.ok()) return ReplayFail(t.status(), kExitUsage);
    *slot = *t;
  }
  if (config.since && config.until && *config.until < *config.since) {
    return ReplayFail(InvalidArgument("--to is before --from"), kExitUsage);
  }
  for (const std::string& sym : flags.symbols) {
    if (Status s = ValidateSymbol(sym); !s.ok()) return ReplayFail(s, kExitUsage);
  }
  auto bus = bus::OpenBus(bus_config);
  if (!bus.ok()) return ReplayFail(bus.status(), kExitUsage);
  auto ta_store = store::OpenTaStore(store_config);
  if (!ta_store.ok()) return ReplayFail(ta_store.status(), kExitUsage);
  auto trading = store::OpenTradingStore(store_config);
  if (!trading.ok()) return ReplayFail(trading.status(), kExitUsage);
  if (auto m = (*trading)->Migrate(); !m.ok()) return ReplayFail(m.status());

  // A group that ever committed offsets is not new either.
  auto groups = (*bus)->ListGroups();
  if (!groups.ok()) return ReplayFail(groups.status());
  if (std::find(groups->begin(), groups->end(), config.group_id) != groups->end()) {
    return ReplayFail(AlreadyExists("group id '" + config.group_id +
                                    "' has been used on this bus; pick a new one"),
                      kExitUsage);
  }
  int64_t total = 0;
  for (const std::string& t : {config.topics.trades, config.topics.quotes, config.topics.bars_1m}) {
    auto offsets = (*bus)->Offsets(t);
    if (!offsets.ok()) return ReplayFail(offsets.status());
    for (const auto& o : *offsets) total += o.high - o.low;
  }
  store::ReplayRun run;
  run.started_at = SystemClock().NowMillis();
  run.replay_id = config.group_id + "-" + std::to_string(run.started_at);
  run.group_id = config.group_id;
  run.previous_group_id = previous_group;
  if (config.since) run.window_from = config.since->millis();
  if (config.until) run.window_to = config.until->millis();
  run.symbols = flags.symbols;
  if (Status s = (*trading)->BeginReplay(run); !s.ok()) {
    return ReplayFail(s, s.code() == StatusCode::kAlreadyExists ? kExitUsage : kExitFailure);
  }

  Result<TradingCalendar> calendar = TradingCalendar::NewYork();
  if (!calendar.ok()) return ReplayFail(calendar.status());
  ta::TradingSessions sessions(&*calendar);
  const std::atomic<bool>& stop = StopOnSignals();
  processor::TaService service(config, bus->get(), ta_store->get(), &sessions, &SystemClock());
  Status result;
  std::atomic<bool> done{false};
  std::thread runner([&] {
    result = service.Run(stop);
    done = true;
  });
  io::Progress progress("replay " + config.group_id,
                        static_cast<uint64_t>(std::max<int64_t>(total, 1)));
  while (!done.load()) {
    const processor::TaServiceReport r = service.Report();
    progress.Update(static_cast<uint64_t>(std::min(r.messages, total)), r.messages);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // redraw period
  }
  runner.join();
  progress.Finish();
  const processor::TaServiceReport r = service.Report();
  const std::string outcome = !result.ok() ? result.ToString() : stop ? "interrupted" : "ok";
  if (Status s = (*trading)->FinishReplay(run.replay_id, SystemClock().NowMillis(), outcome);
      !s.ok()) {
    std::fprintf(stderr, "torghut replay: could not record the end in the ledger: %s\n",
                 s.ToString().c_str());
  }
  if (!result.ok()) return ReplayFail(result);
  auto fresh = (*ta_store)->GetFreshness();
  std::printf("replay %s: %s; %lld messages, %lld rows written (%lld left out by the window)\n",
              config.group_id.c_str(), outcome.c_str(), static_cast<long long>(r.messages),
              static_cast<long long>(r.rows_written), static_cast<long long>(r.filtered_messages));
  if (fresh.ok()) {
    std::printf("freshness: ta_microbars max(event_ts) = %s, ta_signals max(event_ts) = %s\n",
                Iso(fresh->microbars).c_str(), Iso(fresh->signals).c_str());
  } else {
    std::printf("freshness: unknown (%s)\n", fresh.status().ToString().c_str());
  }
  std::printf(
      "roll back: restart `torghut ta` with TA_GROUP_ID=%s (recorded in the replay "
      "ledger as the previous group)\n",
      previous_group.c_str());
  return outcome == "ok" ? kExitOk : kExitFailure;
}

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
