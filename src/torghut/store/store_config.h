// Store settings from the environment (SPEC §1, §5) and the factories that open the configured
// backends.
//
//   ConfigReader cfg(EnvSource::Process());
//   StoreConfig config = ReadStoreConfig(cfg);
//   if (Status s = cfg.Finish(); !s.ok()) ...   // one line per bad variable
//   TORGHUT_ASSIGN_OR_RETURN(std::unique_ptr<TaStore> ta, OpenTaStore(config));
//
// Opening never contacts a server: ClickHouse and Postgres are reached on first use, so a role can
// start (and report itself degraded) while its store is down.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "torghut/core/config.h"
#include "torghut/store/clickhouse/clickhouse_ta_store.h"
#include "torghut/store/ta_store.h"
#include "torghut/store/trading_store.h"

namespace torghut::store {

struct StoreConfig {
  std::string ta_backend = "sqlite";       // TA_STORE
  std::string trading_backend = "sqlite";  // TRADING_STORE
  std::filesystem::path data_dir{kDefaultDataDir};
  ClickHouseTaOptions clickhouse;
  std::string db_dsn;  // DB_DSN (secret: may hold a password)
  // TA_RETENTION_DAYS: the ClickHouse TTL (modern layout), and what the TA service passes to
  // TaStore::DropDaysBefore on every backend.
  int ta_retention_days = 35;

  std::filesystem::path ta_sqlite_path() const { return data_dir / "ta.sqlite"; }
  std::filesystem::path trading_sqlite_path() const { return data_dir / "trading.sqlite"; }
};

// Reads TA_STORE, TRADING_STORE, TORGHUT_DATA_DIR, TA_CLICKHOUSE_*, TA_RETENTION_DAYS, DB_DSN.
StoreConfig ReadStoreConfig(ConfigReader& cfg);

extern const char kStoreEnvHelp[];

Result<std::unique_ptr<TaStore>> OpenTaStore(const StoreConfig& config);
// `n` connections to the same TA store (e.g. one per HTTP thread of a reader).
Result<std::vector<std::unique_ptr<TaStore>>> OpenTaStores(const StoreConfig& config, int n);
Result<std::unique_ptr<TradingStore>> OpenTradingStore(const StoreConfig& config);

}  // namespace torghut::store
