#include "torghut/processor/bus_replay.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "torghut/core/symbols.h"
#include "torghut/core/time.h"
#include "torghut/processor/ta_service.h"

namespace torghut::processor {

Result<BusReplayResult> RunBusReplay(
    const TaServiceConfig& steady, const BusReplayRequest& request, const BusReplayParts& parts,
    const std::atomic<bool>& stop,
    const std::function<void(const TaServiceReport&, int64_t)>& progress) {
  BusReplayResult result;
  result.previous_group_id = steady.group_id;
  if (request.group_id.empty()) return InvalidArgument("--group-id is empty");
  if (request.group_id == steady.group_id) {
    return InvalidArgument(fmt::format(
        "--group-id must differ from TA_GROUP_ID ({}), the steady-state group", steady.group_id));
  }
  if (request.from && request.to && *request.to < *request.from) {
    return InvalidArgument("--to is before --from");
  }
  for (const std::string& sym : request.symbols) TORGHUT_RETURN_IF_ERROR(ValidateSymbol(sym));
  if (steady.retention_days > 0 && request.from) {
    // Rows older than retention are dropped by the store: a replay there writes nothing that
    // lasts (and the bus rarely keeps that long either).
    const Timestamp oldest = Timestamp::FromNanos(parts.clock->NowNanos() -
                                                  int64_t{steady.retention_days} * kNanosPerDay);
    if (*request.from < oldest) {
      return InvalidArgument(fmt::format(
          "--from {} is older than TA_RETENTION_DAYS ({} days, i.e. before {}): those rows are "
          "dropped by the store's retention",
          FormatRfc3339(*request.from, FracDigits::kMillis), steady.retention_days,
          FormatRfc3339(oldest, FracDigits::kMillis)));
    }
  }
  TaServiceConfig config = steady;
  config.group_id = request.group_id;
  config.reset = bus::OffsetReset::kEarliest;
  config.restore_from.clear();
  config.stop_at_end = true;
  config.symbols = request.symbols;
  config.since = request.from;
  config.until = request.to;
  config.retention_days = 0;
  config.status_interval_ms = 200;

  TORGHUT_RETURN_IF_ERROR(parts.ledger->Migrate().status());
  // A group that ever committed offsets is not new either.
  TORGHUT_ASSIGN_OR_RETURN(std::vector<std::string> groups, parts.bus->ListGroups());
  if (std::find(groups.begin(), groups.end(), config.group_id) != groups.end()) {
    return AlreadyExists(
        fmt::format("group id '{}' has been used on this bus; pick a new one", config.group_id));
  }
  for (const std::string& t : {config.topics.trades, config.topics.quotes, config.topics.bars_1m}) {
    TORGHUT_ASSIGN_OR_RETURN(std::vector<bus::PartitionOffsets> offsets, parts.bus->Offsets(t));
    for (const auto& o : offsets) result.total_messages += o.high - o.low;
  }
  store::ReplayRun run;
  run.started_at = parts.clock->NowMillis();
  run.replay_id = config.group_id + "-" + std::to_string(run.started_at);
  run.group_id = config.group_id;
  run.previous_group_id = steady.group_id;
  if (config.since) run.window_from = config.since->millis();
  if (config.until) run.window_to = config.until->millis();
  run.symbols = request.symbols;
  TORGHUT_RETURN_IF_ERROR(parts.ledger->BeginReplay(run));
  result.replay_id = run.replay_id;

  TaService service(config, parts.bus, parts.ta_store, parts.sessions, parts.clock);
  Status ran;
  std::atomic<bool> done{false};
  std::thread runner([&] {
    ran = service.Run(stop);
    done = true;
  });
  while (!done.load()) {
    if (progress) progress(service.Report(), result.total_messages);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // progress redraw period
  }
  runner.join();
  result.report = service.Report();
  result.outcome = !ran.ok() ? ran.ToString() : stop.load() ? "interrupted" : "ok";
  result.ledger_status =
      parts.ledger->FinishReplay(run.replay_id, parts.clock->NowMillis(), result.outcome);
  result.freshness = parts.ta_store->GetFreshness();
  return result;
}

}  // namespace torghut::processor
