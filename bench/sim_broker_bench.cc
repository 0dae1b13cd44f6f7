// The simulated broker's order accept rate: POST /v2/orders from one client over one kept-alive
// connection (http::HttpClient) against an in-process `sim serve` on loopback, each order a market
// buy of one share that the matching engine fills against the simulator's market. The peer in the
// same run: GET /v2/clock on the same client and server (the HTTP layer, auth and the account lock
// without an order), so the ratio says what an order costs beyond a request.
//
//   build/release/bench/sim_broker_bench            # items_per_second = orders/s, requests/s
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "torghut/http/client.h"
#include "torghut/http/server.h"
#include "torghut/sim/market_server.h"

namespace {

using namespace torghut;

// One simulator for the whole run (started on first use).
struct Sim {
  Sim() {
    sim::MarketServerOptions o;
    o.generator.symbols = {"AAPL", "MSFT"};
    o.broker.orders_per_minute = int64_t{1} << 40;  // no 429 in a benchmark
    o.broker.cash = Decimal::FromUnits(int64_t{1'000'000'000} * Decimal::kOne);
    market = std::make_unique<sim::MarketServer>(o);
    http::Router router;
    market->Register(router);
    http::ServerConfig config;
    config.port = 0;
    config.threads = 2;
    config.access_log = false;
    server = std::make_unique<http::Server>(config, std::move(router), &metrics);
    if (!server->Start().ok() || !market->Start().ok()) std::abort();
    base = "http://" + server->address();
    http::ClientOptions co;
    co.headers = {{"APCA-API-KEY-ID", "sim-key"}, {"APCA-API-SECRET-KEY", "sim-secret"}};
    client = std::make_unique<http::HttpClient>(co);
  }
  ~Sim() {
    server->Stop();
    market->Stop();
  }
  http::Registry metrics;
  std::unique_ptr<sim::MarketServer> market;
  std::unique_ptr<http::Server> server;
  std::unique_ptr<http::HttpClient> client;
  std::string base;
};

Sim& TheSim() {
  static Sim sim;
  return sim;
}

void BM_PostOrder(benchmark::State& state) {
  Sim& sim = TheSim();
  static int64_t n = 0;
  for (auto _ : state) {
    const std::string body =
        R"({"symbol":"AAPL","qty":"1","side":"buy","type":"market","time_in_force":"gtc",)"
        R"("client_order_id":"bench-)" +
        std::to_string(++n) + "\"}";
    http::ClientResponse r = sim.client->Post(sim.base + "/v2/orders", body);
    if (r.status != 200) {
      state.SkipWithError(("POST /v2/orders: " + std::to_string(r.status) + " " + r.body).c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PostOrder)->UseRealTime()->Unit(benchmark::kMicrosecond)->MinTime(2.0);

void BM_GetClock(benchmark::State& state) {
  Sim& sim = TheSim();
  for (auto _ : state) {
    http::ClientResponse r = sim.client->Get(sim.base + "/v2/clock");
    if (r.status != 200) {
      state.SkipWithError("GET /v2/clock failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GetClock)->UseRealTime()->Unit(benchmark::kMicrosecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
