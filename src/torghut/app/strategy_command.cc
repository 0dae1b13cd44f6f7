// `torghut strategy seed | list | enable NAME | disable NAME` (SPEC §1, §6): the strategies of the
// configured trading store (TRADING_STORE, DB_DSN, TORGHUT_DATA_DIR; store/store_config.h), whose
// schema is migrated first (idempotent). Building and printing strategies is trading/
// strategy_admin.h. Exit 0 done, 1 the store failed, 2 bad flags or configuration, or no such
// strategy — in which case nothing was written.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>

#include "torghut/app/commands.h"
#include "torghut/core/clock.h"
#include "torghut/store/store_config.h"
#include "torghut/trading/strategy_admin.h"

namespace torghut::app {
namespace {

void Fail(const std::string& message) {
  std::fprintf(stderr, "torghut strategy: %s\n", message.c_str());
}

// The configured trading store, migrated; nullptr (with *exit_code set) after saying why not.
std::unique_ptr<store::TradingStore> OpenStore(int* exit_code) {
  ConfigReader cfg(EnvSource::Process());
  const store::StoreConfig config = store::ReadStoreConfig(cfg);
  if (Status s = cfg.Finish(); !s.ok()) {
    Fail(s.message());
    *exit_code = kExitUsage;
    return nullptr;
  }
  auto opened = store::OpenTradingStore(config);
  if (!opened.ok()) {
    Fail(opened.status().ToString());
    *exit_code = kExitFailure;
    return nullptr;
  }
  if (auto migrated = (*opened)->Migrate(); !migrated.ok()) {
    Fail(migrated.status().ToString());
    *exit_code = kExitFailure;
    return nullptr;
  }
  return std::move(opened).value();
}

int RunSeed(const trading::StrategySeed& seed) {
  const trading::EpochMillis now = SystemClock().NowMillis();
  // Flags first: bad input is refused before the store is touched.
  if (auto checked = trading::StrategyFromSeed(seed, nullptr, now); !checked.ok()) {
    Fail(checked.status().message());
    return kExitUsage;
  }
  int exit_code = kExitOk;
  auto store = OpenStore(&exit_code);
  if (!store) return exit_code;
  auto stored = store->ListStrategies();
  if (!stored.ok()) {
    Fail(stored.status().ToString());
    return kExitFailure;
  }
  const trading::Strategy* existing = nullptr;
  for (const trading::Strategy& s : *stored) {
    if (s.name == seed.name) existing = &s;
  }
  auto strategy = trading::StrategyFromSeed(seed, existing, now);
  if (!strategy.ok()) {
    Fail(strategy.status().message());
    return kExitUsage;
  }
  if (Status s = store->UpsertStrategy(*strategy); !s.ok()) {
    Fail(s.ToString());
    return kExitFailure;
  }
  std::printf("strategy %s: %s (%s)\n", strategy->name.c_str(),
              existing != nullptr ? "updated" : "created",
              strategy->enabled ? "enabled" : "disabled");
  return kExitOk;
}

int RunList(bool json) {
  int exit_code = kExitOk;
  auto store = OpenStore(&exit_code);
  if (!store) return exit_code;
  auto list = store->ListStrategies();
  if (!list.ok()) {
    Fail(list.status().ToString());
    return kExitFailure;
  }
  if (json) {
    std::printf("%s\n", trading::StrategiesJson(*list).c_str());
  } else {
    for (const std::string& line : trading::StrategyLines(*list)) std::printf("%s\n", line.c_str());
  }
  return kExitOk;
}

int RunSetEnabled(const std::string& name, bool enabled) {
  int exit_code = kExitOk;
  auto store = OpenStore(&exit_code);
  if (!store) return exit_code;
  const Status s = store->SetStrategyEnabled(name, enabled, SystemClock().NowMillis());
  if (s.code() == StatusCode::kNotFound) {
    Fail("no strategy named '" + name + "' (see 'torghut strategy list')");
    return kExitUsage;
  }
  if (!s.ok()) {
    Fail(s.ToString());
    return kExitFailure;
  }
  std::printf("strategy %s: %s\n", name.c_str(), enabled ? "enabled" : "disabled");
  return kExitOk;
}

}  // namespace

void AddStrategyCommand(CLI::App& root, int* exit_code) {
  CLI::App* cmd = root.add_subcommand("strategy",
                                      "Seed, list, enable and disable strategies in the trading "
                                      "store");
  cmd->require_subcommand(1, 1);
  cmd->footer(store::kStoreEnvHelp);

  auto seed = std::make_shared<trading::StrategySeed>();
  CLI::App* s = cmd->add_subcommand("seed", "Create or replace one strategy");
  s->add_option("--name", seed->name, "Unique name ([A-Za-z0-9._-]{1,64})")->required();
  s->add_option("--description", seed->description, "What it is for");
  s->add_option("--base-timeframe", seed->base_timeframe, "1Sec | 1Min (default 1Min)");
  s->add_option("--symbols", seed->symbols, "Comma-separated symbols, e.g. AAPL,MSFT");
  CLI::Option* on = s->add_flag_callback(
      "--enabled", [seed] { seed->enabled = true; }, "Enable it");
  CLI::Option* off = s->add_flag_callback(
      "--disabled", [seed] { seed->enabled = false; },
      "Disable it (with neither flag: a new strategy starts disabled, an existing one keeps "
      "its state)");
  on->excludes(off);
  s->add_option("--type", seed->type, "Rule: macd-rsi (default), macd-cross, bollinger-reversion");
  s->add_option("--param", seed->params, "A rule parameter key=value (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  s->add_option("--max-notional", seed->max_notional, "max_notional_per_trade (decimal)");
  s->add_option("--max-position-pct", seed->max_position_pct, "max_position_pct_equity (0-100]");
  s->add_option("--qty", seed->qty, "Shares per order (decimal; default TRADING_DEFAULT_QTY)");
  s->add_option("--notional", seed->notional, "Dollars per order instead of --qty (decimal)");
  s->add_option("--order-type", seed->order_type, "market (default) | limit");
  s->add_option("--limit-offset-bps", seed->limit_offset_bps,
                "Limit price offset from the reference price, in basis points");
  s->callback([seed, exit_code] { *exit_code = RunSeed(*seed); });

  auto json = std::make_shared<bool>(false);
  CLI::App* l = cmd->add_subcommand("list",
                                    "One line per strategy: name, state, timeframe, "
                                    "rule, symbols, params");
  l->add_flag("--json", *json, "Every field, as a JSON array");
  l->callback([json, exit_code] { *exit_code = RunList(*json); });

  for (const bool enabled : {true, false}) {
    auto name = std::make_shared<std::string>();
    CLI::App* e = cmd->add_subcommand(enabled ? "enable" : "disable",
                                      enabled ? "Enable a strategy" : "Disable a strategy");
    e->add_option("name", *name, "The strategy's name")->required();
    e->callback([name, enabled, exit_code] { *exit_code = RunSetEnabled(*name, enabled); });
  }
}

}  // namespace torghut::app
