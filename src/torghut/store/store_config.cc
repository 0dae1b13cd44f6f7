#include "torghut/store/store_config.h"

#include <fmt/format.h>

#include "torghut/store/clickhouse/clickhouse_schema.h"
#include "torghut/store/postgres/postgres_trading_store.h"
#include "torghut/store/sqlite/sqlite_ta_store.h"
#include "torghut/store/sqlite/sqlite_trading_store.h"

namespace torghut::store {

const char kStoreEnvHelp[] =
    "Stores (SPEC §5):\n"
    "  TA_STORE                 sqlite | clickhouse (default sqlite: $TORGHUT_DATA_DIR/ta.sqlite)\n"
    "  TRADING_STORE            sqlite | postgres (default sqlite: "
    "$TORGHUT_DATA_DIR/trading.sqlite)\n"
    "  TA_CLICKHOUSE_URL        ClickHouse HTTP interface (default http://127.0.0.1:8123)\n"
    "  TA_CLICKHOUSE_USERNAME   (default default)\n"
    "  TA_CLICKHOUSE_PASSWORD   or TA_CLICKHOUSE_PASSWORD_FILE\n"
    "  TA_CLICKHOUSE_DATABASE   (default torghut)\n"
    "  TA_CLICKHOUSE_CLUSTER    replicated tables ON CLUSTER this cluster (default: none)\n"
    "  TA_CLICKHOUSE_TIMEOUT_MS per request (default 30000)\n"
    "  TA_RETENTION_DAYS        keep TA rows this many days (ClickHouse TTL, and whole-day drops\n"
    "                           on every backend) (default 35)\n"
    "  DB_DSN                   Postgres connection string or URI, or DB_DSN_FILE\n";

StoreConfig ReadStoreConfig(ConfigReader& cfg) {
  StoreConfig c;
  c.ta_backend = cfg.Enum("TA_STORE", {"sqlite", "clickhouse"}, "sqlite");
  c.trading_backend = cfg.Enum("TRADING_STORE", {"sqlite", "postgres"}, "sqlite");
  c.data_dir = DataDir(cfg);
  ClickHouseOptions& h = c.clickhouse.http;
  h.url = cfg.String("TA_CLICKHOUSE_URL", "http://127.0.0.1:8123");
  if (h.url.rfind("http://", 0) != 0 && h.url.rfind("https://", 0) != 0) {
    cfg.AddError("TA_CLICKHOUSE_URL: must start with http:// or https://");
  }
  h.user = cfg.String("TA_CLICKHOUSE_USERNAME", "default");
  h.password = cfg.Secret("TA_CLICKHOUSE_PASSWORD");
  h.database = cfg.String("TA_CLICKHOUSE_DATABASE", "torghut");
  if (!IsPlainIdentifier(h.database)) {
    cfg.AddError("TA_CLICKHOUSE_DATABASE: must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*)");
  }
  h.timeout_ms = cfg.Int("TA_CLICKHOUSE_TIMEOUT_MS", 30000, 100, 3'600'000);
  c.clickhouse.cluster = cfg.String("TA_CLICKHOUSE_CLUSTER", "");
  if (!c.clickhouse.cluster.empty() && !IsPlainIdentifier(c.clickhouse.cluster)) {
    cfg.AddError("TA_CLICKHOUSE_CLUSTER: must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*)");
  }
  c.ta_retention_days = static_cast<int>(cfg.Int("TA_RETENTION_DAYS", 35, 1, 36500));
  c.clickhouse.retention_days = c.ta_retention_days;
  c.db_dsn = cfg.Secret("DB_DSN", /*required=*/c.trading_backend == "postgres");
  return c;
}

Result<std::unique_ptr<TaStore>> OpenTaStore(const StoreConfig& config) {
  if (config.ta_backend == "clickhouse") return OpenClickHouseTaStore(config.clickhouse);
  return OpenSqliteTaStore(config.ta_sqlite_path());
}

Result<std::vector<std::unique_ptr<TaStore>>> OpenTaStores(const StoreConfig& config, int n) {
  std::vector<std::unique_ptr<TaStore>> out;
  for (int i = 0; i < n; ++i) {
    TORGHUT_ASSIGN_OR_RETURN(std::unique_ptr<TaStore> s, OpenTaStore(config));
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::unique_ptr<TradingStore>> OpenTradingStore(const StoreConfig& config) {
  if (config.trading_backend == "postgres") return OpenPostgresTradingStore(config.db_dsn);
  return OpenSqliteTradingStore(config.trading_sqlite_path());
}

}  // namespace torghut::store
