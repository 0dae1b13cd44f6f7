// `torghut up`: the whole pipeline in one process on embedded defaults (SPEC §1) — the simulated
// Alpaca service (or the real feed when ALPACA_KEY_ID/ALPACA_SECRET_KEY are set), the forwarder,
// the embedded bus, the TA service, the SQLite TA store, the read API and the web UI, all on one
// HTTP port.
// Everything persists under --data-dir, so a restart continues where the last run stopped.
#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "torghut/api/ta_live_feed.h"
#include "torghut/api/ta_read_api.h"
#include "torghut/api/trading_read_api.h"
#include "torghut/api/web_ui.h"
#include "torghut/app/commands.h"
#include "torghut/app/roles.h"
#include "torghut/broker/alpaca/config.h"
#include "torghut/bus/bus_config.h"
#include "torghut/core/calendar.h"
#include "torghut/core/log.h"
#include "torghut/forwarder/forwarder.h"
#include "torghut/http/server.h"
#include "torghut/llm/llm_config.h"
#include "torghut/llm/llm_reviewer.h"
#include "torghut/processor/ta_service_config.h"
#include "torghut/sim/market_server.h"
#include "torghut/store/free_disk.h"
#include "torghut/store/store_config.h"
#include "torghut/ta/engine_env.h"
#include "torghut/trader/demo_catalog.h"
#include "torghut/trader/trader_config.h"
#include "torghut/trading/catalog.h"

extern char** environ;

namespace torghut::app {
namespace {

struct UpFlags {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string data_dir;
  std::vector<std::string> symbols = {"AAPL", "MSFT", "NVDA", "TSLA", "AMZN"};
  double rate = 5;
};

// The process environment with `forced` values on top: one process, one set of settings.
EnvSource UpEnvironment(const std::map<std::string, std::string>& forced,
                        const std::map<std::string, std::string>& defaults) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string kv(*e);
    const size_t eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : defaults) env.emplace(k, v);
  for (const auto& [k, v] : forced) env[k] = v;
  return EnvSource::FromMap(std::move(env));
}

int Fail(const Status& s, int code = kExitFailure) {
  std::fprintf(stderr, "torghut up: %s\n", s.ToString().c_str());
  return code;
}

int RunUp(const UpFlags& flags) {
  const std::atomic<bool>& stop = StopOnSignals();
  const char* env_dir = std::getenv("TORGHUT_DATA_DIR");
  const std::string data_dir =
      !flags.data_dir.empty()
          ? flags.data_dir
          : (env_dir != nullptr ? std::string(env_dir) : std::string(kDefaultDataDir));
  const bool live =
      std::getenv("ALPACA_KEY_ID") != nullptr || std::getenv("APCA_API_KEY_ID") != nullptr;
  std::string symbols;
  for (const std::string& s : flags.symbols) symbols += (symbols.empty() ? "" : ",") + s;
  // The stream and REST URLs of the simulator are known once the port is bound; they are
  // placeholders until then.
  std::map<std::string, std::string> forced = {{"TORGHUT_DATA_DIR", data_dir},
                                               {"BUS", "embedded"},
                                               {"TA_STORE", "sqlite"},
                                               {"TRADING_STORE", "sqlite"},
                                               {"SYMBOLS", symbols}};
  if (!live) {
    forced["ALPACA_KEY_ID"] = "sim-key";
    forced["ALPACA_SECRET_KEY"] = "sim-secret";
    forced["ALPACA_STREAM_URL"] = "ws://127.0.0.1:1";
    forced["ALPACA_FEED"] = "iex";
  }
  // A first start reads the bus from its beginning: nothing the forwarder wrote is skipped. One
  // process on SQLite has no part count to protect (the reason to batch for ClickHouse): every row
  // is written as soon as it is computed, and open bars go out as provisional rows at once, so the
  // API and the UI show an event within milliseconds (docs/BENCHMARKS.md).
  // Paper trading against the simulator's broker is on by default, on every hour of the clock
  // (its market never closes), with a demo catalog written on first start (the user's to edit).
  const std::string catalog_path = (std::filesystem::path(data_dir) / "strategies.yaml").string();
  const std::map<std::string, std::string> defaults = {
      {"TA_AUTO_OFFSET_RESET", "earliest"},
      {"TA_CLICKHOUSE_FLUSH_MS", "0"},
      {"TA_PROVISIONAL_INTERVAL_MS", "1"},
      {"TRADING_ENABLED", "true"},
      {"TRADING_MODE", "paper"},
      {"TRADING_SESSION", live ? "regular" : "always"},
      {"TRADING_AUTO_OFFSET_RESET", "earliest"},
      {"TRADING_STRATEGY_CONFIG_PATH", catalog_path},
      // LLM review (off unless LLM_ENABLED=true) asks the simulator's reviewer by default.
      {"LLM_API_KEY", live ? "" : "sim-llm-key"}};
  ConfigReader cfg(UpEnvironment(forced, defaults));
  const bus::BusConfig bus_config = bus::ReadBusConfig(cfg);
  const store::StoreConfig store_config = store::ReadStoreConfig(cfg);
  forwarder::ForwarderConfig ws_config = forwarder::ReadForwarderConfig(cfg);
  ws_config.topic_partitions = bus_config.embedded.default_partitions;
  processor::TaServiceConfig ta_config = processor::ReadTaServiceConfig(cfg);
  ta_config.retention_days = store_config.ta_retention_days;
  ta_config.measure_free_disk = [store_config] {
    return store::MeasureFreeDisk(store_config, 2'000);
  };
  trader::TraderStackConfig trade_config;
  trade_config.store = store_config;
  trade_config.trader = trader::ReadTraderConfig(cfg);
  trade_config.catalog = trading::ReadCatalogConfig(cfg);
  trade_config.llm = llm::ReadLlmConfig(cfg);
  const bool llm_url_set = std::getenv("LLM_BASE_URL") != nullptr;
  // Live Alpaca when its keys are set (APCA_API_BASE_URL: Alpaca paper by default); else the
  // simulator's trading API on this process's own port.
  const broker::AlpacaConfig live_alpaca = broker::ReadAlpacaConfig(cfg, /*require_keys=*/live);
  http::ServerConfig http_config = http::ReadServerConfig(cfg);
  const api::WebUiConfig web_config = api::ReadWebUiConfig(cfg);
  if (Status s = cfg.Finish(); !s.ok()) {
    std::fprintf(stderr, "torghut up: %s\n", s.message().c_str());
    return kExitUsage;
  }
  http_config.host = flags.host;
  http_config.port = static_cast<uint16_t>(flags.port);
  // As `sim serve`: the simulator's delay and hang faults hold a thread per request, and must not
  // stall the rest of the port (nor /sim/faults, which clears them).
  http_config.threads = std::max(http_config.threads, 8);

  sim::MarketServerOptions market_options;
  market_options.generator.symbols = flags.symbols;
  market_options.generator.trades_per_second = flags.rate;
  market_options.max_symbols = std::max<size_t>(flags.symbols.size(), 30);
  if (Status s = sim::ValidateMarketServerOptions(market_options); !s.ok()) {
    return Fail(s, kExitUsage);
  }

  Result<TradingCalendar> calendar = TradingCalendar::NewYork();
  if (!calendar.ok()) return Fail(calendar.status());
  ta::TradingSessions sessions(&*calendar);
  std::filesystem::create_directories(data_dir);
  auto bus = bus::OpenBus(bus_config);
  if (!bus.ok()) return Fail(bus.status());
  // The topics exist before either role starts, whichever of them gets there first.
  for (const std::string* t : {&ws_config.topics.trades, &ws_config.topics.quotes,
                               &ws_config.topics.bars_1m, &ws_config.topics.status}) {
    if (Status s = (*bus)->EnsureTopic(*t, bus_config.embedded.default_partitions); !s.ok()) {
      return Fail(s);
    }
  }
  // Connections to one SQLite file: the TA service writes; the read API (one per HTTP thread)
  // and the live feed read.
  auto ta_store = store::OpenTaStore(store_config);
  if (!ta_store.ok()) return Fail(ta_store.status());
  if (auto m = (*ta_store)->Migrate(); !m.ok()) return Fail(m.status());
  auto api_stores = store::OpenTaStores(store_config, http_config.threads);
  if (!api_stores.ok()) return Fail(api_stores.status());

  http::Registry metrics;
  http::Router router;
  // The trader's LLM reviewer, once the trade role is open (the trading page's summary shows its
  // circuit); nullptr while LLM review is off.
  const llm::LlmReviewer* llm_reviewer = nullptr;
  std::unique_ptr<sim::MarketServer> market;
  if (!live) {
    market = std::make_unique<sim::MarketServer>(market_options);
    market->Register(router);
  }
  api::AddTaReadApi(router, std::move(*api_stores), &SystemClock());
  {
    // The trading page reads the trader's own store (one connection per HTTP thread), with the
    // trader's account label and shorts setting.
    std::vector<std::unique_ptr<store::TradingStore>> trading_stores;
    for (int i = 0; i < http_config.threads; ++i) {
      auto t = store::OpenTradingStore(store_config);
      if (!t.ok()) return Fail(t.status());
      trading_stores.push_back(std::move(*t));
    }
    api::TradingReadApiOptions trading_options;
    trading_options.account_label = trade_config.trader.account_label;
    trading_options.allow_shorts = trade_config.trader.settings.allow_shorts;
    trading_options.llm_circuit = [&llm_reviewer] {
      return std::string(llm_reviewer ? llm::ToString(llm_reviewer->Stats().circuit.state)
                                      : "closed");
    };
    if (Status s = api::AddTradingReadApi(router, std::move(trading_stores), &SystemClock(),
                                          trading_options);
        !s.ok()) {
      return Fail(s);
    }
  }
  auto live_store = store::OpenTaStore(store_config);
  if (!live_store.ok()) return Fail(live_store.status());
  api::TaLiveFeed live_feed(std::move(*live_store));
  live_feed.Register(router);
  api::AddWebUi(router, web_config);

  // The roles, in the order they stop: the forwarder first (it flushes what it read), then TA
  // (it checkpoints and commits). The forwarder's stream URL is the simulator's, known once the
  // server has bound its port.
  std::string bound;  // "127.0.0.1:PORT", set before the roles run
  std::vector<std::unique_ptr<Role>> roles;
  roles.push_back(std::make_unique<ForwarderRole>(
      [&] {
        forwarder::ForwarderConfig c = ws_config;
        if (!live) {
          c.stream_url = "ws://" + bound;
          c.data_url = "http://" + bound;
        }
        return c;
      },
      bus->get(), &*calendar));
  roles.push_back(
      std::make_unique<TaRole>(ta_config, bus->get(), ta_store->get(), &sessions, http_config));
  if (!live && !llm_url_set) {
    trade_config.llm_base_url = [&bound] { return "http://" + bound + "/v1"; };
  }
  if (Status s = trader::WriteDemoCatalogIfMissing(trade_config.catalog.path); !s.ok()) {
    return Fail(s);
  }
  auto trade = std::make_unique<TradeRole>(
      trade_config, bus->get(), &*calendar,
      [&] {
        if (live) return live_alpaca;
        broker::AlpacaConfig c;
        c.base_url = "http://" + bound;
        c.key_id = "sim-key";
        c.secret_key = "sim-secret";
        return c;
      },
      http_config);
  if (Status s = trade->Open(); !s.ok()) return Fail(s);
  llm_reviewer = trade->llm_reviewer();
  roles.push_back(std::move(trade));
  for (auto& role : roles) role->AddRoutes(router, metrics);
  http::AddStandardEndpoints(
      router, metrics, [&roles] { return AllReady(roles); }, http_config);
  http::Server server(http_config, std::move(router), &metrics);
  if (Status s = server.Start(); !s.ok()) return Fail(s);
  const std::string base = "http://" + server.address();
  bound = "127.0.0.1:" + std::to_string(server.port());
  if (market) {
    if (Status s = market->Start(); !s.ok()) return Fail(s);
  }
  RoleThreads threads(roles);
  std::printf(
      "torghut up: %s market, symbols %s, data in %s\n"
      "  UI       %s/torghut/visuals\n"
      "           %s/torghut/trading\n"
      "  API      %s/api/torghut/symbols\n"
      "           %s/api/torghut/ta/latest?symbol=%s\n"
      "  trading  %s/trading/status   (paper, %s; strategies in %s)\n"
      "  health   %s/readyz   metrics %s/metrics\n"
      "Ctrl-C stops; a restart continues from where it stopped.\n",
      live ? "live Alpaca" : "simulated", symbols.c_str(), data_dir.c_str(), base.c_str(),
      base.c_str(), base.c_str(), base.c_str(), flags.symbols.front().c_str(), base.c_str(),
      live ? "Alpaca" : "the simulator's broker, every hour (TRADING_SESSION=always)",
      trade_config.catalog.path.c_str(), base.c_str(), base.c_str());
  std::fflush(stdout);
  WaitForStop(stop);
  log::Info("up", "stopping");
  const Status stopped = threads.StopInOrder();
  // The market first: it releases any review request its reviewer holds (the `hang` fault), so
  // the server's stop does not wait for it.
  if (market) market->Stop();
  server.Stop();
  if (!stopped.ok()) return Fail(stopped);
  return kExitOk;
}

}  // namespace

void AddUpCommand(CLI::App& root, int* exit_code) {
  auto flags = std::make_shared<UpFlags>();
  CLI::App* up = root.add_subcommand(
      "up",
      "Everything in one process on embedded defaults: simulated market (or live Alpaca when "
      "ALPACA_KEY_ID is set) -> forwarder -> embedded bus -> TA -> SQLite -> read API and web UI");
  up->add_option("--port", flags->port, "HTTP port (0: any free one)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  up->add_option("--host", flags->host, "Address to listen on")->capture_default_str();
  up->add_option("--data-dir", flags->data_dir,
                 "Bus, stores and checkpoints (default $TORGHUT_DATA_DIR or ./torghut-data)");
  up->add_option("--symbols", flags->symbols, "Comma-separated symbols")
      ->delimiter(',')
      ->capture_default_str();
  up->add_option("--rate", flags->rate, "Simulated trades per second per symbol")
      ->capture_default_str();
  up->footer(std::string(
                 "Environment: as `torghut ws`, `torghut ta`, `torghut trade` and `torghut "
                 "serve`; BUS, TA_STORE and TRADING_STORE are embedded/sqlite; trading is "
                 "on (paper) against the simulator unless APCA_API_KEY_ID is set; LLM_ENABLED=true "
                 "reviews decisions with the simulator's /v1/chat/completions unless "
                 "LLM_BASE_URL is set.\n") +
             http::kHttpEnvHelp + api::kWebUiEnvHelp);
  up->callback([flags, exit_code] { *exit_code = RunUp(*flags); });
}

}  // namespace torghut::app
