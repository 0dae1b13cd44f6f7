// `torghut health [--json] [--url URL] [--ws URL] [--ta URL] [--trade URL] [--stores]`: the
// read-only pipeline report of SPEC §9 (ops/health_probe.h says which components each flag brings
// in, ops/health_assess.h what each state means). Exit 0 healthy, 1 any degraded, 2 any down or
// bad usage.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>

#include "torghut/app/commands.h"
#include "torghut/bus/bus_config.h"
#include "torghut/core/clock.h"
#include "torghut/ops/health_probe.h"
#include "torghut/processor/ta_service_config.h"
#include "torghut/store/store_config.h"
#include "torghut/trader/trader_config.h"

namespace torghut::app {
namespace {

struct HealthFlags {
  bool json = false;
  ops::HealthTargets targets;
  int64_t max_store_age_s = 120;
  int64_t max_watermark_lag_s = 120;
  int64_t max_checkpoint_age_s = 120;
  int64_t max_reconcile_age_s = 120;
  int64_t max_bus_lag = 10'000;
  int64_t timeout_ms = 5000;
};

int RunHealth(HealthFlags flags) {
  flags.targets.trading_store_configured = std::getenv("TRADING_STORE") != nullptr;
  if (Status s = ops::ValidateTargets(flags.targets); !s.ok()) {
    std::fprintf(stderr, "torghut health: %s\n", s.message().c_str());
    return kExitUsage;
  }
  ConfigReader cfg(EnvSource::Process());
  ops::HealthProbeConfig config;
  config.targets = flags.targets;
  config.store = store::ReadStoreConfig(cfg);
  config.bus = bus::ReadBusConfig(cfg);
  const processor::TaServiceConfig ta = processor::ReadTaServiceConfig(cfg);
  const trader::TraderConfig trade = trader::ReadTraderConfig(cfg);
  config.limits.min_free_disk_pct = cfg.Double("TA_MIN_FREE_DISK_PCT", 5, 0, 100);
  if (Status s = cfg.Finish(); !s.ok()) {
    std::fprintf(stderr, "torghut health: %s\n", s.message().c_str());
    return kExitUsage;
  }
  config.ta_group = ta.group_id;
  config.ta_topics = {ta.topics.trades, ta.topics.quotes, ta.topics.bars_1m};
  config.trading_group = trade.group_id;
  config.trading_topics = {trade.signals_topic, trade.microbars_topic};
  config.limits.max_store_age_ms = flags.max_store_age_s * 1000;
  config.limits.max_watermark_lag_ms = flags.max_watermark_lag_s * 1000;
  config.limits.max_checkpoint_age_ms = flags.max_checkpoint_age_s * 1000;
  config.limits.max_reconcile_age_ms = flags.max_reconcile_age_s * 1000;
  config.limits.max_bus_lag = flags.max_bus_lag;
  config.http_timeout_ms = flags.timeout_ms;
  const ops::HealthReport report = ops::CollectHealth(config, SystemClock());
  const std::string out = flags.json ? report.Json() + "\n" : report.Text();
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
  return report.ExitCode();
}

}  // namespace

void AddHealthCommand(CLI::App& root, int* exit_code) {
  auto flags = std::make_shared<HealthFlags>();
  CLI::App* h = root.add_subcommand(
      "health", "Read-only pipeline health report (exit 0 ok, 1 degraded, 2 down)");
  h->add_flag("--json", flags->json, "One JSON object instead of text");
  h->add_option("--url", flags->targets.url,
                "`torghut up`'s address (every role's endpoints), e.g. http://127.0.0.1:8080");
  h->add_option("--ws", flags->targets.ws, "`torghut ws`'s HTTP address");
  h->add_option("--ta", flags->targets.ta, "`torghut ta`'s HTTP address");
  h->add_option("--trade", flags->targets.trade, "`torghut trade`'s HTTP address");
  h->add_flag("--stores", flags->targets.stores,
              "Check the configured stores even when no role address is given");
  h->add_option("--max-store-age-s", flags->max_store_age_s,
                "Newest microbar/signal older than this: degraded")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{86400 * 365}));
  h->add_option("--max-watermark-lag-s", flags->max_watermark_lag_s,
                "TA watermark lag beyond this: degraded")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{86400 * 365}));
  h->add_option("--max-checkpoint-age-s", flags->max_checkpoint_age_s,
                "TA checkpoint older than this: degraded")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{86400 * 365}));
  h->add_option("--max-reconcile-age-s", flags->max_reconcile_age_s,
                "Active trader's last reconcile older than this: degraded")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{86400 * 365}));
  h->add_option("--max-bus-lag", flags->max_bus_lag,
                "Messages a consumer group may be behind in any partition")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 62));
  h->add_option("--timeout-ms", flags->timeout_ms, "Per request to a role or a store server")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{100}, int64_t{600'000}));
  h->footer(
      "Components: --url: all; --ws: forwarder; --ta: ta, bus, ta_store, disk, replicas; "
      "--trade: trading, llm, bus, trading_store; --stores: ta_store, disk, replicas (and "
      "trading_store when TRADING_STORE is set). Components whose role is not named are left "
      "out; replicas only for TA_STORE=clickhouse.\n"
      "Each line: ok / degraded / down, and when not ok the next step. A role that does not "
      "answer is down.\n"
      "Environment (as the roles read it): TORGHUT_DATA_DIR, BUS and KAFKA_*/BUS_*, TA_STORE and "
      "TA_CLICKHOUSE_*, TRADING_STORE and DB_DSN, TA_GROUP_ID and the TA input topics, "
      "TRADING_GROUP_ID, TA_SIGNALS_TOPIC, TA_MICROBARS_TOPIC, TA_MIN_FREE_DISK_PCT (5: less "
      "free disk is degraded).");
  h->callback([flags, exit_code] { *exit_code = RunHealth(*flags); });
}

}  // namespace torghut::app
