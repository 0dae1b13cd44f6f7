// `torghut ws`: the market-data forwarder (forwarder/forwarder.h) on the configured bus, serving
// /healthz, /readyz, /metrics and /status on TORGHUT_HTTP_ADDR.
#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>

#include "torghut/app/commands.h"
#include "torghut/bus/bus_config.h"
#include "torghut/core/calendar.h"
#include "torghut/forwarder/forwarder.h"
#include "torghut/http/server.h"

namespace torghut::app {
namespace {

int RunWs() {
  const std::atomic<bool>& stop = StopOnSignals();
  ConfigReader cfg(EnvSource::Process());
  const bus::BusConfig bus_config = bus::ReadBusConfig(cfg);
  forwarder::ForwarderConfig config = forwarder::ReadForwarderConfig(cfg);
  config.topic_partitions = bus_config.embedded.default_partitions;
  const http::ServerConfig http_config = http::ReadServerConfig(cfg);
  if (Status s = cfg.Finish(); !s.ok()) {
    std::fprintf(stderr, "torghut ws: %s\n", s.message().c_str());
    return kExitUsage;
  }
  Result<TradingCalendar> calendar = TradingCalendar::NewYork();
  if (!calendar.ok()) {
    std::fprintf(stderr, "torghut ws: %s\n", calendar.status().ToString().c_str());
    return kExitFailure;
  }
  auto bus = bus::OpenBus(bus_config);
  if (!bus.ok()) {
    std::fprintf(stderr, "torghut ws: %s\n", bus.status().ToString().c_str());
    return kExitUsage;
  }
  http::Registry metrics;
  forwarder::Forwarder fwd(config, bus->get(), &metrics, &*calendar);
  http::Router router;
  forwarder::AddForwarderEndpoints(router, metrics, fwd, http_config);
  http::Server server(http_config, std::move(router), &metrics);
  if (Status s = server.Start(); !s.ok()) {
    std::fprintf(stderr, "torghut ws: %s\n", s.ToString().c_str());
    return kExitFailure;
  }
  const Status run = fwd.Run(stop);
  server.Stop();
  if (!run.ok()) {
    std::fprintf(stderr, "torghut ws: %s\n", run.ToString().c_str());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

void AddWsCommand(CLI::App& root, int* exit_code) {
  CLI::App* ws = root.add_subcommand(
      "ws", "Market-data forwarder: the Alpaca stream (or `torghut sim serve`) -> bus topics");
  ws->footer(std::string("Environment:\n") + forwarder::kForwarderEnvHelp + bus::kBusEnvHelp +
             http::kHttpEnvHelp);
  ws->callback([exit_code] { *exit_code = RunWs(); });
}

}  // namespace torghut::app
