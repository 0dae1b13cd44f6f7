// `torghut serve`: the TA read API (api/ta_read_api.h), the trading page's read API
// (api/trading_read_api.h; only when TRADING_STORE is set, else its routes answer 503 disabled)
// and the web UI (api/web_ui.h), on TORGHUT_HTTP_ADDR. Any number of replicas; ready once the TA
// store answers with a schema.
#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <thread>

#include "torghut/api/ta_live_feed.h"
#include "torghut/api/ta_read_api.h"
#include "torghut/api/trading_read_api.h"
#include "torghut/api/web_ui.h"
#include "torghut/app/commands.h"
#include "torghut/http/server.h"
#include "torghut/store/store_config.h"

namespace torghut::app {
namespace {

int RunServe() {
  const std::atomic<bool>& stop = StopOnSignals();
  ConfigReader cfg(EnvSource::Process());
  const store::StoreConfig store_config = store::ReadStoreConfig(cfg);
  const http::ServerConfig http_config = http::ReadServerConfig(cfg);
  const api::WebUiConfig web_config = api::ReadWebUiConfig(cfg);
  const api::TradingReadApiOptions trading_options = api::ReadTradingReadApiOptions(cfg);
  // An explicit TRADING_STORE turns the trading page's API on: a TA-only deployment (the usual
  // `serve`) must not create an empty trading database beside the TA one.
  const bool trading_configured = !cfg.OptionalString("TRADING_STORE").value_or("").empty();
  if (Status s = cfg.Finish(); !s.ok()) {
    std::fprintf(stderr, "torghut serve: %s\n", s.message().c_str());
    return kExitUsage;
  }
  // One API connection per HTTP thread: requests read in parallel.
  auto api_stores = store::OpenTaStores(store_config, http_config.threads);
  auto probe_store = store::OpenTaStore(store_config);
  if (!api_stores.ok() || !probe_store.ok()) {
    std::fprintf(stderr, "torghut serve: %s\n",
                 (api_stores.ok() ? probe_store.status() : api_stores.status()).ToString().c_str());
    return kExitUsage;
  }
  http::Registry metrics;
  http::Router router;
  // Readiness asks its own store connection, so a slow API query never holds up a probe.
  std::mutex probe_mu;
  store::TaStore* probe = probe_store->get();
  http::AddStandardEndpoints(
      router, metrics,
      [&probe_mu, probe] {
        std::lock_guard lock(probe_mu);
        Result<int> v = probe->SchemaVersion();
        if (!v.ok()) {
          return http::Readiness{
              false,
              "{\"ready\":false,\"error_class\":\"ta_store\",\"reason\":\"" +
                  std::string(v.status().code() == StatusCode::kUnavailable ? "TA store unavailable"
                                                                            : "TA store error") +
                  "\"}"};
        }
        if (*v == 0) {
          return http::Readiness{
              false,
              "{\"ready\":false,\"error_class\":\"ta_store\",\"reason\":\"no schema: run "
              "torghut migrate\"}"};
        }
        return http::Readiness{true, "{\"ready\":true}"};
      },
      http_config);
  api::AddTaReadApi(router, std::move(*api_stores), &SystemClock());
  if (trading_configured) {
    std::vector<std::unique_ptr<store::TradingStore>> trading_stores;
    for (int i = 0; i < http_config.threads; ++i) {
      auto t = store::OpenTradingStore(store_config);
      if (!t.ok()) {
        std::fprintf(stderr, "torghut serve: %s\n", t.status().ToString().c_str());
        return kExitUsage;
      }
      trading_stores.push_back(std::move(*t));
    }
    if (Status s = api::AddTradingReadApi(router, std::move(trading_stores), &SystemClock(),
                                          trading_options);
        !s.ok()) {
      std::fprintf(stderr, "torghut serve: %s\n", s.ToString().c_str());
      return kExitFailure;
    }
  } else {
    api::AddTradingReadApiDisabled(router);
  }
  auto live_store = store::OpenTaStore(store_config);
  if (!live_store.ok()) {
    std::fprintf(stderr, "torghut serve: %s\n", live_store.status().ToString().c_str());
    return kExitUsage;
  }
  api::TaLiveFeed live(std::move(*live_store));
  live.Register(router);
  api::AddWebUi(router, web_config);
  http::Server server(http_config, std::move(router), &metrics);
  if (Status s = server.Start(); !s.ok()) {
    std::fprintf(stderr, "torghut serve: %s\n", s.ToString().c_str());
    return kExitFailure;
  }
  WaitForStop(stop);
  server.Stop();
  return kExitOk;
}

}  // namespace

void AddServeCommand(CLI::App& root, int* exit_code) {
  CLI::App* serve = root.add_subcommand(
      "serve",
      "Read APIs (/api/torghut/...) and web UI (/torghut/visuals) over the TA store and, when "
      "TRADING_STORE is set, the trading store, on TORGHUT_HTTP_ADDR");
  serve->footer(std::string("Environment:\n") + store::kStoreEnvHelp + api::kTradingReadApiEnvHelp +
                http::kHttpEnvHelp + api::kWebUiEnvHelp);
  serve->callback([exit_code] { *exit_code = RunServe(); });
}

}  // namespace torghut::app
