// Free space where the TA store writes: the SQLite file's filesystem (statvfs) or, for ClickHouse,
// the fullest disk in `system.disks` (SPEC §9 Disk guardrails). `torghut health` reports it; `ta`
// pauses its writes below TA_MIN_FREE_DISK_PCT.
//
//   FreeDisk d = MeasureFreeDisk(store_config, /*timeout_ms=*/2'000);
//   if (BelowMinFreeDisk(d, 5)) { /* pause writes: degraded store_full */ }
//
// Contract: MeasureFreeDisk never throws and writes nothing; what it cannot read is in `error`,
// what the backend cannot tell (ClickHouse 18.16 has no system.disks) in `not_reported` — then
// only a failing insert shows a full disk. BelowMinFreeDisk is pure: only a measured free share
// strictly below `min_pct` is low; 0 (or less) disables the rule, an unknown share is never low.
#pragma once

#include <cstdint>
#include <string>

#include "torghut/store/store_config.h"

namespace torghut::store {

struct FreeDisk {
  std::string where;         // the filesystem's directory, or "ClickHouse <url> disk <name>"
  std::string error;         // could not be read
  std::string not_reported;  // why the backend cannot tell (e.g. no system.disks)
  int64_t free_bytes = -1;   // available to the store's process (statvfs f_bavail)
  int64_t total_bytes = -1;

  bool measured() const {
    return error.empty() && not_reported.empty() && total_bytes > 0 && free_bytes >= 0;
  }
  // 100 · free / total; -1 when not measured.
  double free_pct() const;
  // "<where>: 3.1% free (1 MiB of 32 MiB)", or why it is unknown.
  std::string Describe() const;
};

// `timeout_ms` bounds each ClickHouse query (SQLite: a local statvfs).
FreeDisk MeasureFreeDisk(const StoreConfig& config, int64_t timeout_ms);

bool BelowMinFreeDisk(const FreeDisk& disk, double min_pct);

}  // namespace torghut::store
