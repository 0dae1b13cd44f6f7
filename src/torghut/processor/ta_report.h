// What the TA service says about itself: the status report (GET /status and the heartbeat on
// TA_STATUS_TOPIC, SPEC §4) and why it is degraded, as a kind the service loop branches on.
//
//   Degradation d = StoreDegradation(write_status);      // store_full, store_readonly, …
//   report.reason = DescribeDegradation(d, message);      // "store_full: disk full"
//   if (IsStoreProblem(d)) { /* back-pressure: read nothing more, retry the write */ }
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/core/status.h"

namespace torghut::processor {

enum class Degradation : uint8_t {
  kNone,
  kStoreUnavailable,       // the TA store refused a write or cannot be reached
  kStoreFull,              // the TA store is out of space
  kStoreReadOnly,          // a replica refuses writes: it lost its keeper session (ClickHouse)
  kBusUnavailable,         // the bus cannot be reached (suspended state's probe)
  kBusProduce,             // rows were not delivered to the TA topics
  kCheckpointWrite,        // a checkpoint could not be written (local directory)
  kCheckpointAuth,         // the checkpoint store refused the credentials (wrong key or secret)
  kCheckpointUnavailable,  // the checkpoint store cannot be reached (endpoint down, no bucket)
};

// "store_unavailable", "store_full", "store_readonly", "bus_unavailable", "bus_produce",
// "checkpoint_write", "checkpoint_auth", "checkpoint_unavailable"; "" for kNone. These prefix the
// report's `reason` (operators and `health` match on them).
std::string_view DegradationName(Degradation d);
// "<name>: <message>", or "" for kNone.
std::string DescribeDegradation(Degradation d, std::string_view message);
// Store problems stop the loop from reading (rows cannot go anywhere) until a write succeeds.
constexpr bool IsStoreProblem(Degradation d) {
  return d == Degradation::kStoreUnavailable || d == Degradation::kStoreFull ||
         d == Degradation::kStoreReadOnly;
}
// What a store puts in an Unavailable status when a replica is read-only (ClickHouse code 242,
// "Table is in readonly mode"): the write is retried like any unavailable store's.
inline constexpr std::string_view kReadOnlyReplicaMarker = "TABLE_IS_READ_ONLY";
// The kind of a failed store call.
Degradation StoreDegradation(const Status& s);
constexpr bool IsCheckpointProblem(Degradation d) {
  return d == Degradation::kCheckpointWrite || d == Degradation::kCheckpointAuth ||
         d == Degradation::kCheckpointUnavailable;
}
// The kind of a failed checkpoint store call; `remote`: the store is across the network (S3).
Degradation CheckpointDegradation(const Status& s, bool remote);

// What `GET /status` and the heartbeat on TA_STATUS_TOPIC say (SPEC §4).
struct TaServiceReport {
  std::string state = "starting";  // starting | running | suspended | stopping | stopped
  std::string health = "ok";       // ok | degraded
  std::string reason;              // why degraded
  std::string group_id;
  std::string restart_nonce;
  std::vector<int32_t> partitions;  // partition indices owned
  int64_t source_lag_messages = 0;  // on the bus, not yet processed (owned partitions)
  int64_t watermark_lag_ms = -1;    // now − newest event time processed (-1: none yet)
  int64_t last_input_event_ms = -1;
  int64_t last_output_event_ms = -1;
  int64_t checkpoint_age_ms = -1;  // since the last completed checkpoint (-1: none yet)
  std::string sink_health = "ok";  // ok | the store's error
  double input_rate = 0;           // messages/s over the last status interval
  double output_rate = 0;          // rows/s
  int64_t messages = 0, bad_messages = 0, ignored_messages = 0, filtered_messages = 0;
  int64_t rows_written = 0, checkpoints = 0, commits = 0, store_failures = 0;
  std::vector<std::string> savepoints_taken;
  int64_t time_ms = 0;

  std::string ToJson() const;
};

}  // namespace torghut::processor
