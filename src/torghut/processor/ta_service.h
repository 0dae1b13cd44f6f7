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
//   Full also means free disk below min_free_disk_pct (measured before a write, at most every
//   disk_check_interval_ms): writes pause as `store_full` before an insert can fail, and resume
//   when space returns.
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
#include "torghut/processor/ta_report.h"
#include "torghut/processor/ta_service_config.h"
#include "torghut/store/ta_store.h"
#include "torghut/ta/engine.h"

namespace torghut::processor {

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
