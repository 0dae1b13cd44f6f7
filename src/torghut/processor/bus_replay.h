// `torghut replay --group-id` (SPEC §9): recompute TA from the bus into the same tables with a
// consumer group nobody used before, recorded in the replay ledger so that it can be rolled back.
//
//   BusReplayRequest req{.group_id = "torghut-ta-replay-20261123", .from = t0, .to = t1};
//   TORGHUT_ASSIGN_OR_RETURN(BusReplayResult r,
//       RunBusReplay(steady_config, req, {bus, ta_store, trading_store, &sessions, &clock}, stop,
//                    [&](const TaServiceReport& now, int64_t total) { ... }));
//   // r.outcome == "ok"; roll back = restart `torghut ta` with TA_GROUP_ID=r.previous_group_id
//
// The protocol, in order: the group id must differ from the steady-state group and never have
// been used on this bus (no committed offsets) nor in the ledger (kInvalidArgument /
// kAlreadyExists, before anything is written); the run is recorded (previous group, window,
// symbols); the TA service runs with that group from the earliest offsets, leaving out events
// outside the window and the symbols, and stops at the end offsets seen at start, finalizing the
// open bars there; the outcome ("ok", "interrupted" or the error) is recorded; freshness is read.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "torghut/bus/bus.h"
#include "torghut/core/clock.h"
#include "torghut/core/status.h"
#include "torghut/processor/ta_report.h"
#include "torghut/processor/ta_service_config.h"
#include "torghut/store/ta_store.h"
#include "torghut/store/trading_store.h"
#include "torghut/ta/engine.h"

namespace torghut::processor {

struct BusReplayRequest {
  std::string group_id;
  std::optional<Timestamp> from, to;
  std::vector<std::string> symbols;  // empty: all
};

struct BusReplayParts {
  bus::Bus* bus;
  store::TaStore* ta_store;
  store::TradingStore* ledger;  // the replay ledger lives in the trading store
  const ta::SessionCalendar* sessions;
  const Clock* clock;
};

struct BusReplayResult {
  std::string replay_id;
  std::string previous_group_id;  // the steady-state group to roll back to
  std::string outcome;            // "ok" | "interrupted" | the error
  Status ledger_status;           // recording the end in the ledger (the run happened either way)
  TaServiceReport report;         // the service's last report
  int64_t total_messages = 0;     // on the input topics at start
  Result<store::Freshness> freshness = store::Freshness{};
};

// `steady`: the steady-state TA settings (its group id is recorded as the previous group).
// `progress(report, total_messages)` (may be empty) is called about every 100 ms from the calling
// thread while the service runs.
// An error return means nothing ran; a run that failed is an OK result whose outcome says why.
Result<BusReplayResult> RunBusReplay(
    const TaServiceConfig& steady, const BusReplayRequest& request, const BusReplayParts& parts,
    const std::atomic<bool>& stop,
    const std::function<void(const TaServiceReport&, int64_t)>& progress);

}  // namespace torghut::processor
