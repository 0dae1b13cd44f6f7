// `torghut migrate [--only ta|trading]`: creates or upgrades the schemas of the configured stores
// (TA_STORE, TRADING_STORE; see store/store_config.h), one line per store on stdout. Idempotent;
// refuses (exit 1) a store whose schema is newer than this binary knows.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "torghut/app/commands.h"
#include "torghut/store/store_config.h"

namespace torghut::app {
namespace {

int RunMigrate(const std::string& only) {
  ConfigReader cfg(EnvSource::Process());
  const store::StoreConfig config = store::ReadStoreConfig(cfg);
  if (Status s = cfg.Finish(); !s.ok()) {
    std::fprintf(stderr, "torghut migrate: %s\n", s.message().c_str());
    return kExitUsage;
  }
  auto report = [](const Result<store::MigrationReport>& r) {
    if (!r.ok()) {
      std::fprintf(stderr, "torghut migrate: %s\n", r.status().ToString().c_str());
      return false;
    }
    std::printf("%s\n", store::DescribeMigration(*r).c_str());
    std::fflush(stdout);
    return true;
  };
  bool ok = true;
  if (only.empty() || only == "ta") {
    auto ta = store::OpenTaStore(config);
    ok = ta.ok() ? report((*ta)->Migrate()) : report(ta.status());
  }
  if (ok && (only.empty() || only == "trading")) {
    auto trading = store::OpenTradingStore(config);
    ok = trading.ok() ? report((*trading)->Migrate()) : report(trading.status());
  }
  return ok ? kExitOk : kExitFailure;
}

}  // namespace

void AddMigrateCommand(CLI::App& root, int* exit_code) {
  CLI::App* cmd = root.add_subcommand(
      "migrate", "Create or upgrade the schemas of the configured TA and trading stores");
  auto only = std::make_shared<std::string>();
  cmd->add_option("--only", *only, "Migrate only this store")
      ->check(CLI::IsMember({"ta", "trading"}));
  cmd->footer(store::kStoreEnvHelp);
  cmd->callback([=] { *exit_code = RunMigrate(*only); });
}

}  // namespace torghut::app
