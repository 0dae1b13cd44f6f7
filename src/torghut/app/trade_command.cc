// `torghut trade`: the trading loop (trader/trader_service.h) — the TA topics → strategies → risk
// → the broker — with reconciliation, recovery, the single-trader lease and the trading HTTP API
// on TORGHUT_HTTP_ADDR.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "torghut/app/commands.h"
#include "torghut/broker/alpaca/config.h"
#include "torghut/bus/bus_config.h"
#include "torghut/core/calendar.h"
#include "torghut/http/server.h"
#include "torghut/llm/llm_config.h"
#include "torghut/store/store_config.h"
#include "torghut/trader/trader_http.h"
#include "torghut/trader/trader_stack.h"
#include "torghut/trading/catalog.h"

namespace torghut::app {
namespace {

int Fail(const Status& s, int code = kExitFailure) {
  std::fprintf(stderr, "torghut trade: %s\n", s.ToString().c_str());
  return code;
}

int RunTrade() {
  const std::atomic<bool>& stop = StopOnSignals();
  ConfigReader cfg(EnvSource::Process());
  const bus::BusConfig bus_config = bus::ReadBusConfig(cfg);
  trader::TraderStackConfig config;
  config.store = store::ReadStoreConfig(cfg);
  config.trader = trader::ReadTraderConfig(cfg);
  config.catalog = trading::ReadCatalogConfig(cfg);
  config.llm = llm::ReadLlmConfig(cfg);
  const broker::AlpacaConfig alpaca = broker::ReadAlpacaConfig(cfg, /*require_keys=*/true);
  const http::ServerConfig http_config = http::ReadServerConfig(cfg);
  if (Status s = cfg.Finish(); !s.ok()) {
    std::fprintf(stderr, "torghut trade: %s\n", s.message().c_str());
    return kExitUsage;
  }
  Result<TradingCalendar> calendar = TradingCalendar::NewYork();
  if (!calendar.ok()) return Fail(calendar.status());
  auto bus = bus::OpenBus(bus_config);
  if (!bus.ok()) return Fail(bus.status(), kExitUsage);
  trader::TraderStack stack(config, bus->get(), &*calendar, [alpaca] { return alpaca; });
  if (Status s = stack.Open(); !s.ok()) return Fail(s, kExitUsage);
  http::Registry metrics;
  http::Router router;
  stack.AddRoutes(router, metrics, http_config);
  http::AddStandardEndpoints(
      router, metrics, [&stack] { return stack.Ready(); }, http_config);
  http::Server server(http_config, std::move(router), &metrics);
  if (Status s = server.Start(); !s.ok()) return Fail(s);
  const Status run = stack.Run(stop);
  server.Stop();
  if (!run.ok()) return Fail(run);
  return kExitOk;
}

}  // namespace

void AddTradeCommand(CLI::App& root, int* exit_code) {
  CLI::App* cmd = root.add_subcommand(
      "trade",
      "Trading loop: TA signals -> strategies -> risk -> broker (Alpaca or `torghut sim serve`), "
      "with reconciliation and the /trading API");
  cmd->footer(std::string("Environment:\n") + trader::kTraderEnvHelp +
              trading::kTradingSettingsEnvHelp + trading::kCatalogEnvHelp + llm::kLlmEnvHelp +
              broker::kAlpacaBrokerEnvHelp + bus::kBusEnvHelp + store::kStoreEnvHelp +
              "HTTP (/trading/*, /healthz, /readyz, /metrics):\n" + http::kHttpEnvHelp);
  cmd->callback([exit_code] { *exit_code = RunTrade(); });
}

}  // namespace torghut::app
