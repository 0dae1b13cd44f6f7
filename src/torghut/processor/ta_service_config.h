// Settings of the TA service (`torghut ta`, SPEC §4) from the environment.
//
//   ConfigReader cfg(EnvSource::Process());
//   TaServiceConfig config = ReadTaServiceConfig(cfg);
//   if (Status s = cfg.Finish(); !s.ok()) ...   // one line per bad variable
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "torghut/bus/bus.h"
#include "torghut/bus/bus_config.h"
#include "torghut/core/config.h"
#include "torghut/core/time.h"
#include "torghut/object_store/s3_object_store.h"
#include "torghut/processor/checkpoint_store.h"
#include "torghut/store/free_disk.h"
#include "torghut/ta/engine.h"

namespace torghut::processor {

struct TaServiceConfig {
  std::string group_id = "torghut-ta-live";                             // TA_GROUP_ID
  bus::OffsetReset reset = bus::OffsetReset::kEarliest;                 // TA_AUTO_OFFSET_RESET
  std::filesystem::path checkpoint_dir = "./torghut-data/checkpoints";  // TA_CHECKPOINT_DIR
  // When TA_CHECKPOINT_DIR is s3://bucket/prefix: the bucket and prefix from it, TA_S3_ENDPOINT,
  // TA_S3_REGION and the key pair (TA_S3_ACCESS_KEY_ID, TA_S3_SECRET_ACCESS_KEY or their _FILE).
  object_store::S3Config checkpoint_s3;
  int64_t checkpoint_interval_ms = 10'000;  // TA_CHECKPOINT_INTERVAL_MS
  int checkpoints_kept = 3;                 // TA_CHECKPOINTS_KEPT
  std::string restore_from;                 // TA_RESTORE_FROM: a savepoint name
  int64_t batch_size = 10'000;              // TA_CLICKHOUSE_BATCH_SIZE (rows)
  int64_t flush_ms = 1'000;                 // TA_CLICKHOUSE_FLUSH_MS (0: at once)
  int64_t provisional_interval_ms = 250;    // TA_PROVISIONAL_INTERVAL_MS (0: never)
  bool publish_rows = true;                 // TA_PUBLISH_ROWS: rows to the TA topics
  bool suspended = false;                   // TA_JOB_STATE=suspended
  std::string restart_nonce;                // TA_RESTART_NONCE
  int64_t status_interval_ms = 5'000;       // TA_STATUS_INTERVAL_MS
  int retention_days = 35;  // StoreConfig::ta_retention_days (TA_RETENTION_DAYS); 0: keep all
  // Below this share of free disk where the store writes, writes pause (degraded store_full) until
  // space returns; 0: only a failing insert pauses them.
  double min_free_disk_pct = 5;            // TA_MIN_FREE_DISK_PCT
  int64_t disk_check_interval_ms = 2'000;  // TA_DISK_CHECK_INTERVAL_MS (0: before every write)
  // Measures that free disk (store/free_disk.h); set by whoever opened the store, never from the
  // environment. Empty: not measured (a failing insert still pauses writes).
  std::function<store::FreeDisk()> measure_free_disk;
  ta::EngineConfig engine;
  bus::Topics topics;

  // Replays only (`torghut replay --group-id`), never from the environment.
  std::optional<Timestamp> since;    // --from: earlier events are left out
  std::optional<Timestamp> until;    // --to: later events are left out
  std::vector<std::string> symbols;  // --symbols: only these
  bool stop_at_end = false;          // stop once the end offsets seen at start are processed
};

// Reads TA_GROUP_ID, TA_AUTO_OFFSET_RESET, TA_CHECKPOINT_*, TA_RESTORE_FROM,
// TA_CLICKHOUSE_BATCH_SIZE, TA_CLICKHOUSE_FLUSH_MS, TA_PROVISIONAL_INTERVAL_MS, TA_PUBLISH_ROWS,
// TA_JOB_STATE, TA_RESTART_NONCE, TA_STATUS_INTERVAL_MS, TA_MIN_FREE_DISK_PCT,
// TA_DISK_CHECK_INTERVAL_MS, the engine's TA_* settings and the topic names. TA_CHECKPOINT_DIR
// defaults to TORGHUT_DATA_DIR/checkpoints; an s3:// one also reads TA_S3_* (a malformed URL,
// endpoint or a missing key is one error line each).
TaServiceConfig ReadTaServiceConfig(ConfigReader& cfg);

// The checkpoint store TA_CHECKPOINT_DIR names (a directory or the S3 location). Does no I/O.
CheckpointStore OpenCheckpoints(const TaServiceConfig& config);

extern const char kTaServiceEnvHelp[];

}  // namespace torghut::processor
