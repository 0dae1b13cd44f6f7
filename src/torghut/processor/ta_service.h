// TaService: the stream processor of `torghut ta` (SPEC §4) — bus → engines → TA store and topics,
// with checkpoints, savepoints and commits that make its results exactly-once.
//
//   TaService service(config, bus.get(), store.get(), &sessions, &SystemClock());
//   std::atomic<bool> stop{false};          // set by SIGTERM
//   Status s = service.Run(stop);            // flushes, checkpoints, commits, leaves the group
//
// How results stay exactly-once (docs/adr/006-ta-service.md):
// - One PartitionProcessor per partition index p owns partition p of the trades, quotes and bars
//   topics (they must have equal partition counts; keys are symbols, so one symbol's messages share
//   p on every topic). It merges them deterministically (partition_processor.h), so the rows it
//   emits are a pure function of the logs.
// - Rows are buffered and written to the store in batches (batch_size rows or flush_ms, whichever
//   first), then produced to the TA topics. Store writes are idempotent upserts by row identity.
// - Every checkpoint_interval_ms: write the buffers → wait for every produced row's delivery →
//   write each partition's checkpoint (engine state + positions) atomically → commit those
//   positions. A crash anywhere replays from the last checkpoint and rewrites the same rows.
// - On assignment a partition starts from, in order: TA_RESTORE_FROM (once per partition), the
//   group's newest checkpoint, the committed offset (fresh engine), TA_AUTO_OFFSET_RESET. On
//   revocation it is checkpointed and committed, so state follows partitions across processes.
// - Store unavailable or full: rows stay buffered, nothing more is read, nothing is committed,
//   status is `degraded` with the reason; writes are retried with backoff and resume losslessly.
//
// Threading: Run() on one thread; Report() from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "torghut/bus/bus.h"
#include "torghut/core/clock.h"
#include "torghut/core/status.h"
#include "torghut/processor/ta_service_config.h"
#include "torghut/store/ta_store.h"
#include "torghut/ta/engine.h"

namespace torghut::processor {

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

class TaService {
 public:
  // `bus`, `store`, `sessions` and `clock` must outlive the service.
  TaService(TaServiceConfig config, bus::Bus* bus, store::TaStore* store,
            const ta::SessionCalendar* sessions, const Clock* clock);
  ~TaService();
  TaService(const TaService&) = delete;
  TaService& operator=(const TaService&) = delete;

  // Runs until `stop` (or, with config.stop_at_end, until everything on the bus at start is
  // processed); then flushes, checkpoints, commits and leaves the group. Returns an error for
  // what needs a human: missing input topics, unequal partition counts, a store schema this binary
  // does not know, a fatal bus error.
  Status Run(const std::atomic<bool>& stop);

  TaServiceReport Report() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace torghut::processor
