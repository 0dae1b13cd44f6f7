// The rules of `torghut health`: what each component's observation means (ok / degraded / down)
// and the runbook's next step. Pure: the observations are gathered elsewhere (health_probe.h), the
// clock is a parameter, so every rule is tested without a server.
//
//   EndpointAnswer a{.url = base + "/ta/status", .status = 200, .body = body};
//   ComponentHealth ta = AssessTa(a, now_ms, thresholds);   // "suspended" → degraded + step
//
// Contract: an endpoint that gave no answer is `down` with "is it running at URL?"; an answer that
// is not the JSON the role serves is `down` as well (something else listens there). A store that
// cannot be read is `down`; stale data, a suspended or degraded role, a gate that holds trading,
// an open circuit, low disk or a read-only replica is `degraded`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "torghut/ops/health_report.h"
#include "torghut/store/free_disk.h"

namespace torghut::ops {

// Defaults and the flags that override them (`torghut health --help`).
struct HealthThresholds {
  int64_t max_store_age_ms = 120'000;       // --max-store-age-s: newest microbar/signal row
  int64_t max_watermark_lag_ms = 120'000;   // --max-watermark-lag-s: TA's now − event time
  int64_t max_checkpoint_age_ms = 120'000;  // --max-checkpoint-age-s: TA's last checkpoint
  int64_t max_reconcile_age_ms = 120'000;   // --max-reconcile-age-s: trading's last reconcile
  int64_t max_bus_lag = 10'000;             // --max-bus-lag: messages behind, any partition
  double min_free_disk_pct = 5;             // TA_MIN_FREE_DISK_PCT
};

// What one GET of a role's endpoint gave.
struct EndpointAnswer {
  std::string url;    // as asked (shown in the "is it running" step)
  int status = 0;     // HTTP status; 0 when no answer came
  std::string error;  // why no answer
  std::string body;
};

// The forwarder's /status (or /ws/status under `up`): ready → ok; otherwise degraded with its
// error class and the step for that class.
ComponentHealth AssessForwarder(const EndpointAnswer& status);
// TA's /status: running and ok within the watermark-lag and checkpoint-age limits → ok;
// suspended, degraded (its reason), or beyond a limit → degraded.
ComponentHealth AssessTa(const EndpointAnswer& status, const HealthThresholds& limits);
// /trading/status: gates (enabled, mode, live_enabled), kill switch, last error, reconcile age.
ComponentHealth AssessTrading(const EndpointAnswer& status, int64_t now_ms,
                              const HealthThresholds& limits);
// /trading/status.llm: review off or circuit closed → ok; half_open or open → degraded.
ComponentHealth AssessLlm(const EndpointAnswer& status);

struct PartitionLagView {
  std::string topic;
  int32_t partition = 0;
  int64_t committed = -1;  // -1: nothing committed there
  int64_t lag = 0;
};
struct GroupLagObservation {
  std::string group;
  std::vector<PartitionLagView> partitions;  // of the group's input topics that exist
};
struct BusObservation {
  std::string backend;  // embedded | kafka
  std::string error;    // the bus could not be opened or read
  std::vector<GroupLagObservation> groups;
};
// Bus reachable and every partition's lag within the limit → ok; beyond it → degraded; the bus
// not readable → down.
ComponentHealth AssessBus(const BusObservation& bus, const HealthThresholds& limits);

struct TaStoreObservation {
  std::string backend;  // sqlite | clickhouse
  std::string where;    // the file, or the server URL and database
  std::string error;    // could not be opened or read
  int schema_version = -1;
  std::optional<int64_t> newest_microbar_ms;  // max(event_ts); nullopt: no rows
  std::optional<int64_t> newest_signal_ms;
};
// Freshness: now − max(event_ts) of microbars and signals within the limit → ok.
ComponentHealth AssessTaStore(const TaStoreObservation& store, int64_t now_ms,
                              const HealthThresholds& limits);

// The TA store's free space (store/free_disk.h: the same measurement `ta` pauses on).
using DiskObservation = store::FreeDisk;
ComponentHealth AssessDisk(const DiskObservation& disk, const HealthThresholds& limits);

struct ReplicaRow {
  std::string database;
  std::string table;
  bool is_readonly = false;
};
struct ReplicasObservation {
  std::string server_version;  // "18.16.1"
  std::string error;
  std::vector<ReplicaRow> replicas;
};
// Read-only replicas are named with the statement that repairs them on this server's version.
ComponentHealth AssessReplicas(const ReplicasObservation& replicas);
// `SYSTEM RESTORE REPLICA db.t` from 21.7 on; before that (18.16 included) there is no RESTORE
// REPLICA: `SYSTEM RESTART REPLICA db.t` re-opens the table's ZooKeeper session.
std::string ReplicaRepairStatement(const std::string& server_version, const std::string& table);

struct TradingStoreObservation {
  std::string backend;  // sqlite | postgres
  std::string where;
  std::string error;
  int schema_version = -1;
};
ComponentHealth AssessTradingStore(const TradingStoreObservation& store);

// "45s", "3m20s", "2h5m": an age for a detail line.
std::string FormatAge(int64_t ms);

}  // namespace torghut::ops
