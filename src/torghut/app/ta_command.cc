// `torghut ta`: the stream processor (processor/ta_service.h) on the configured bus and TA store.
// `torghut ta savepoint --name N`: asks the running group for a savepoint and waits for it.
#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>

#include "torghut/app/commands.h"
#include "torghut/bus/bus_config.h"
#include "torghut/core/calendar.h"
#include "torghut/core/log.h"
#include "torghut/http/server.h"
#include "torghut/processor/checkpoint_store.h"
#include "torghut/processor/group_savepoint.h"
#include "torghut/processor/ta_http.h"
#include "torghut/processor/ta_service.h"
#include "torghut/store/free_disk.h"
#include "torghut/store/store_config.h"
#include "torghut/ta/engine_env.h"

namespace torghut::app {
namespace {

int Fail(const char* what, const Status& s, int code = kExitFailure) {
  std::fprintf(stderr, "torghut %s: %s\n", what, s.ToString().c_str());
  return code;
}

int RunTa() {
  // First: a SIGTERM during start-up must still mean "stop cleanly".
  const std::atomic<bool>& stop = StopOnSignals();
  ConfigReader cfg(EnvSource::Process());
  const bus::BusConfig bus_config = bus::ReadBusConfig(cfg);
  const store::StoreConfig store_config = store::ReadStoreConfig(cfg);
  processor::TaServiceConfig config = processor::ReadTaServiceConfig(cfg);
  config.retention_days = store_config.ta_retention_days;
  config.measure_free_disk = [store_config] { return store::MeasureFreeDisk(store_config, 2'000); };
  const http::ServerConfig http_config = http::ReadServerConfig(cfg);
  if (Status s = cfg.Finish(); !s.ok()) {
    std::fprintf(stderr, "torghut ta: %s\n", s.message().c_str());
    return kExitUsage;
  }
  Result<TradingCalendar> calendar = TradingCalendar::NewYork();
  if (!calendar.ok()) return Fail("ta", calendar.status());
  ta::TradingSessions sessions(&*calendar);
  auto bus = bus::OpenBus(bus_config);
  if (!bus.ok()) return Fail("ta", bus.status(), kExitUsage);
  auto store = store::OpenTaStore(store_config);
  if (!store.ok()) return Fail("ta", store.status(), kExitUsage);

  processor::TaService service(config, bus->get(), store->get(), &sessions, &SystemClock());
  http::Registry metrics;
  http::Router router;
  processor::AddTaEndpoints(router, metrics, service, config, http_config);
  http::Server server(http_config, std::move(router), &metrics);
  if (Status s = server.Start(); !s.ok()) return Fail("ta", s);
  const Status run = service.Run(stop);
  server.Stop();
  if (!run.ok()) return Fail("ta", run);
  return kExitOk;
}

int RunSavepoint(const std::string& name, int64_t timeout_ms) {
  ConfigReader cfg(EnvSource::Process());
  const bus::BusConfig bus_config = bus::ReadBusConfig(cfg);
  const processor::TaServiceConfig config = processor::ReadTaServiceConfig(cfg);
  if (Status s = cfg.Finish(); !s.ok()) {
    std::fprintf(stderr, "torghut ta savepoint: %s\n", s.message().c_str());
    return kExitUsage;
  }
  if (Status s = processor::ValidateSavepointName(name); !s.ok()) {
    return Fail("ta savepoint", s, kExitUsage);
  }
  auto bus = bus::OpenBus(bus_config);
  if (!bus.ok()) return Fail("ta savepoint", bus.status(), kExitUsage);
  auto offsets = (*bus)->Offsets(config.topics.trades);
  if (!offsets.ok()) return Fail("ta savepoint", offsets.status());
  processor::CheckpointStore checkpoints = processor::OpenCheckpoints(config);
  std::vector<int32_t> partitions;
  for (const auto& o : *offsets) partitions.push_back(o.partition);
  Result<processor::GroupSavepoint> sp = processor::TakeGroupSavepoint(
      checkpoints, partitions, name, std::chrono::milliseconds(timeout_ms));
  if (!sp.ok()) {
    return Fail("ta savepoint", sp.status(),
                sp.status().code() == StatusCode::kAlreadyExists ? kExitUsage : kExitFailure);
  }
  const std::vector<int32_t>& missing = sp->missing;
  if (!missing.empty()) {
    std::string list;
    for (int32_t p : missing) list += (list.empty() ? "" : ",") + std::to_string(p);
    std::fprintf(stderr,
                 "torghut ta savepoint: timed out; partitions %s missing (is `torghut ta` running "
                 "for group %s, and is its store healthy?)\n",
                 list.c_str(), config.group_id.c_str());
    return kExitFailure;
  }
  std::printf("savepoint %s: %zu partitions in %s; restore with TA_RESTORE_FROM=%s\n", name.c_str(),
              offsets->size(), checkpoints.Describe("savepoints/" + name).c_str(), name.c_str());
  return kExitOk;
}

}  // namespace

void AddTaCommand(CLI::App& root, int* exit_code) {
  CLI::App* cmd = root.add_subcommand(
      "ta",
      "Stream processor: bus trades/quotes/bars -> microbars + signals -> TA store and topics");
  const std::string env_help =
      std::string("Environment:\n") + processor::kTaServiceEnvHelp + ta::kEngineEnvHelp +
      bus::kBusEnvHelp + store::kStoreEnvHelp +
      "HTTP (GET /status, POST /savepoint, /healthz, /readyz, /metrics):\n" + http::kHttpEnvHelp;
  cmd->footer(env_help);
  cmd->callback([cmd, exit_code] {
    if (cmd->get_subcommands().empty()) *exit_code = RunTa();
  });

  auto name = std::make_shared<std::string>();
  auto timeout_ms = std::make_shared<int64_t>(60'000);
  CLI::App* sp = cmd->add_subcommand(
      "savepoint", "Take a named savepoint of the running TA group (kept until deleted)");
  sp->add_option("--name", *name, "Savepoint name ([A-Za-z0-9._-]{1,64})")->required();
  sp->add_option("--timeout-ms", *timeout_ms, "How long to wait for every partition")
      ->check(CLI::Range(int64_t{1}, int64_t{86'400'000}));
  sp->footer(env_help);
  sp->callback([=] { *exit_code = RunSavepoint(*name, *timeout_ms); });
}

}  // namespace torghut::app
