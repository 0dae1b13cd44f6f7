// The trading loop's speed in `torghut up`'s shape, in one process: the embedded bus, the trading
// store on SQLite, the trader stack (the same TraderStack `up` and `trade` run) and the
// simulator's trading API on loopback, reached through the same Alpaca client. This program plays
// TA: it produces final microbar + signal rows onto the TA topics, and listens to the simulator's
// `trade_updates` stream as a second client.
//
//   build/release/bench/trade_latency_bench [--seconds 30] [--symbols 8] [--burst 2000] [--llm 1]
//                                           [--concurrency 4]
//
// The catalog decides a one-share market buy on every final bar, so every bar is one order.
// Figures:
//   - final bar → order accepted: from a bar being on the bus (its microbar and then its signal
//     row produced and flushed) to the simulator's `new` event for the order it made arriving on
//     this program's trade_updates connection — bus, join, engine, risk, the decision's store
//     transaction, the durable claim, the POST and the accept. One bar per symbol per second, as
//     TA writes them live;
//   - peer, measured in the same run: the bus hop alone, on the bus → delivered to a consumer of
//     another group reading the same topic;
//   - orders/s the trader sustains: a backlog of `--burst` bars produced at once, from the first
//     produce to the last order's `new` event;
//   - peer, in the same run: the simulator's own accept rate — the same Alpaca client posting
//     one-share market orders back to back, nothing else.
// With --llm 1 every decision is first reviewed by the simulator's `/v1/chat/completions` (LLM
// review on, as `up` with LLM_ENABLED=true): run it with and without to read the review's cost.
// --concurrency is TRADING_SUBMIT_CONCURRENCY (orders of different symbols POSTed in parallel);
// 1 sends one order after another.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/latency_report.h"
#include "torghut/broker/alpaca/alpaca_broker.h"
#include "torghut/broker/alpaca/trade_updates.h"
#include "torghut/bus/embedded/embedded_bus.h"
#include "torghut/core/calendar.h"
#include "torghut/core/config.h"
#include "torghut/core/log.h"
#include "torghut/core/time.h"
#include "torghut/http/server.h"
#include "torghut/llm/llm_config.h"
#include "torghut/llm/llm_reviewer.h"
#include "torghut/sim/market_server.h"
#include "torghut/store/store_config.h"
#include "torghut/ta/row_json.h"
#include "torghut/trader/trader_stack.h"

namespace fs = std::filesystem;
using namespace torghut;
using namespace std::chrono_literals;

namespace {

constexpr char kSignals[] = "torghut.ta.signals.v1";
constexpr char kMicrobars[] = "torghut.ta.bars.1s.v1";
constexpr char kCatalog[] = R"(strategies:
  - name: every-bar
    enabled: true
    base_timeframe: 1Sec
    type: macd-rsi
    qty: 1
    params: {rsi_buy_below: 100, rsi_sell_above: 100}
)";

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Args {
  int seconds = 30;
  int symbols = 8;
  int burst = 2000;
  bool llm = false;  // --llm 1: every decision reviewed by the simulator's reviewer first
  std::string concurrency = "4";  // --concurrency N: TRADING_SUBMIT_CONCURRENCY
};

// A bar's identity on both sides: symbol and event time in epoch milliseconds.
using BarKey = std::pair<std::string, int64_t>;

// Times in ns, shared between the producer, the peer consumer and the trade_updates listener.
struct Times {
  std::mutex mu;
  std::condition_variable changed;
  std::map<BarKey, int64_t> produced, delivered;
  std::map<std::string, int64_t> accepted;  // client order id → `new` received
};

// One final bar (a microbar and its signal row) of `symbol` ending at `t_s`, produced as TA does:
// the microbar first. Returns when both are on the bus (flushed: a consumer can read them).
int64_t ProduceBar(bus::Producer& producer, const std::string& symbol, int64_t t_s) {
  ta::RowIdentity id;
  id.symbol = symbol;
  id.event_ts = id.window_end = Timestamp::FromNanos(t_s * kNanosPerSecond);
  id.window_start = Timestamp::FromNanos((t_s - 1) * kNanosPerSecond);
  id.ingest_ts = id.event_ts;
  id.seq = t_s;
  id.is_final = true;
  id.version = 1;
  ta::MicrobarRow bar;
  bar.id = id;
  bar.o = bar.h = bar.l = bar.c = bar.vwap = 100.0;
  bar.v = 100;
  bar.count = 1;
  ta::SignalRow signal;
  signal.id = id;
  signal.macd = 0.5;
  signal.macd_signal = 0.25;
  signal.macd_hist = 0.25;
  signal.rsi14 = 40;
  std::string line;
  ta::AppendMicrobarJson(bar, &line);
  (void)producer.Produce(kMicrobars, symbol, line);
  line.clear();
  ta::AppendSignalJson(signal, &line);
  (void)producer.Produce(kSignals, symbol, line);
  (void)producer.Flush(5s);
  return NowNs();
}

[[noreturn]] void Die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "trade_latency_bench: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::_Exit(1);  // threads are running: no destructors
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--seconds") a.seconds = std::stoi(v);
    if (k == "--symbols") a.symbols = std::stoi(v);
    if (k == "--burst") a.burst = std::stoi(v);
    if (k == "--llm") a.llm = v == "1";
    if (k == "--concurrency") a.concurrency = v;
  }
  log::SetLevel(log::Level::kWarn);
  const fs::path dir =
      fs::temp_directory_path() / ("torghut-trade-bench-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::vector<std::string> symbols;
  for (int s = 0; s < a.symbols; ++s) symbols.push_back("SYM" + std::to_string(s));
  {
    std::FILE* f = std::fopen((dir / "strategies.yaml").c_str(), "w");
    std::fputs(kCatalog, f);
    std::fclose(f);
  }

  // The simulator: its market (for fills) and its broker; no rate limit, cash for every order.
  sim::MarketServerOptions market_options;
  market_options.generator.symbols = symbols;
  market_options.max_symbols = symbols.size();
  market_options.broker.orders_per_minute = int64_t{1} << 40;
  market_options.broker.cash = Decimal::FromUnits(int64_t{1'000'000'000} * Decimal::kOne);
  sim::MarketServer market(market_options);

  // The trader, configured as `up` configures it.
  std::map<std::string, std::string> env = {
      {"TORGHUT_DATA_DIR", dir.string()},
      {"TRADING_STORE", "sqlite"},
      {"TRADING_ENABLED", "true"},
      {"TRADING_MODE", "paper"},
      {"TRADING_SESSION", "always"},
      {"TRADING_AUTO_OFFSET_RESET", "earliest"},
      {"TRADING_MAX_SIGNAL_AGE_SECONDS", "0"},
      {"TRADING_MAX_ORDERS_PER_MINUTE", "100000"},
      {"TRADING_SUBMIT_CONCURRENCY", a.concurrency},
      {"TRADING_STRATEGY_CONFIG_PATH", (dir / "strategies.yaml").string()}};
  if (a.llm) {
    env["LLM_ENABLED"] = "true";
    env["LLM_API_KEY"] = "sim-llm-key";
  }
  ConfigReader cfg(EnvSource::FromMap(env));
  trader::TraderStackConfig config;
  config.store = store::ReadStoreConfig(cfg);
  config.trader = trader::ReadTraderConfig(cfg);
  config.catalog = trading::ReadCatalogConfig(cfg);
  config.llm = llm::ReadLlmConfig(cfg);
  if (Status s = cfg.Finish(); !s.ok()) Die("config", s);
  bus::EmbeddedOptions bo;
  bo.dir = (dir / "bus").string();
  auto bus = bus::embedded::EmbeddedBus::Open(bo);
  if (!bus.ok()) Die("bus", bus.status());
  for (const char* t : {kSignals, kMicrobars}) (void)(*bus)->EnsureTopic(t, 3);
  Result<TradingCalendar> calendar = TradingCalendar::NewYork();
  if (!calendar.ok()) Die("calendar", calendar.status());

  std::string bound;
  config.llm_base_url = [&bound] { return "http://" + bound + "/v1"; };
  trader::TraderStack stack(config, bus->get(), &*calendar, [&] {
    broker::AlpacaConfig c;
    c.base_url = "http://" + bound;
    c.key_id = "sim-key";
    c.secret_key = "sim-secret";
    return c;
  });
  if (Status s = stack.Open(); !s.ok()) Die("trader stack", s);
  http::Registry metrics;
  http::Router router;
  market.Register(router);
  http::ServerConfig http_config;
  http_config.port = 0;
  http_config.threads = 8;  // as `up` (at least 8 HTTP threads)
  http_config.access_log = false;
  stack.AddRoutes(router, metrics, http_config);
  http::Server server(http_config, std::move(router), &metrics);
  if (Status s = server.Start(); !s.ok()) Die("server", s);
  bound = "127.0.0.1:" + std::to_string(server.port());
  if (Status s = market.Start(); !s.ok()) Die("market", s);

  std::atomic<bool> stop{false};
  Times times;
  std::thread trader([&] {
    if (Status s = stack.Run(stop); !s.ok()) Die("trader", s);
  });
  // This program's own trade_updates connection: when each order was accepted.
  broker::TradeUpdatesOptions uo;
  uo.url = "ws://" + bound + "/stream";
  uo.key_id = "sim-key";
  uo.secret_key = "sim-secret";
  std::atomic<bool> listening{false};
  broker::TradeUpdatesClient updates(uo, {.on_update =
                                              [&](const broker::TradeUpdate& u) {
                                                if (u.event != "new") return;
                                                const int64_t now = NowNs();
                                                std::lock_guard lock(times.mu);
                                                times.accepted.emplace(u.order.client_order_id,
                                                                       now);
                                                times.changed.notify_all();
                                              },
                                          .on_connected = [&] { listening.store(true); },
                                          .on_disconnected = {}});
  std::thread listener([&] { updates.Run(stop); });
  // The peer: the bus alone, another group on the signals topic.
  std::thread peer([&] {
    bus::ConsumerOptions co;
    co.group_id = "bench-peer";
    co.reset = bus::OffsetReset::kEarliest;
    auto consumer = (*bus)->NewConsumer(co).value();
    (void)consumer->Subscribe({kSignals});
    std::vector<bus::Message> batch;
    while (!stop.load()) {
      if (!consumer->Poll(&batch, 1000, 20ms).ok()) continue;
      const int64_t now = NowNs();
      std::lock_guard lock(times.mu);
      for (const bus::Message& m : batch) {
        // The row's identity: its key (the symbol) and its event_ts.
        const size_t at = m.value.find("\"event_ts\":\"");
        if (at == std::string_view::npos) continue;
        Result<Timestamp> ts =
            ParseRfc3339(m.value.substr(at + 12, m.value.find('"', at + 12) - (at + 12)));
        if (!ts.ok()) continue;
        times.delivered.emplace(BarKey{std::string(m.key), ts->millis()}, now);
      }
    }
    (void)consumer->Close();
  });

  // Wait for the trader to be active and this listener to listen.
  for (int i = 0; i < 3000 && !(stack.Ready().ready && listening.load()); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  if (!stack.Ready().ready || !listening.load()) {
    std::fprintf(stderr, "trade_latency_bench: the trader never became ready: %s\n",
                 stack.Ready().json.c_str());
    std::_Exit(1);
  }
  auto producer = (*bus)->NewProducer({}).value();
  // Waits until `n` orders were accepted (or 60 s).
  auto await_accepted = [&](size_t n) {
    std::unique_lock lock(times.mu);
    return times.changed.wait_for(lock, 60s, [&] { return times.accepted.size() >= n; });
  };

  const int64_t start_s = NowNs() / kNanosPerSecond + 1;
  // Phase 1: a backlog of past bars, produced at once (their age is no gate here:
  // TRADING_MAX_SIGNAL_AGE_SECONDS=0). Event times stay in order per symbol across both phases.
  const int64_t burst_start = NowNs();
  const int per_symbol = a.burst / a.symbols;
  for (int i = 0; i < per_symbol; ++i) {
    for (const std::string& s : symbols) {
      (void)ProduceBar(*producer, s, start_s - 10 - per_symbol + i);
    }
  }
  (void)producer->Flush(30s);
  const size_t burst_orders = static_cast<size_t>(per_symbol) * symbols.size();
  if (!await_accepted(burst_orders)) {
    std::fprintf(stderr, "trade_latency_bench: %zu of %zu orders accepted\n", times.accepted.size(),
                 burst_orders);
    std::_Exit(1);
  }
  const double burst_s = static_cast<double>(NowNs() - burst_start) / 1e9;

  // Phase 2: live rate, one bar per symbol per second, each ending at the second just passed.
  const int64_t live_s = NowNs() / kNanosPerSecond + 1;
  for (int i = 0; i < a.seconds; ++i) {
    const int64_t t_s = live_s + i;
    std::this_thread::sleep_until(std::chrono::system_clock::time_point(std::chrono::seconds(t_s)));
    for (const std::string& s : symbols) {
      const int64_t at = ProduceBar(*producer, s, t_s);
      std::lock_guard lock(times.mu);
      times.produced.emplace(BarKey{s, t_s * 1000}, at);
    }
    (void)producer->Flush(5s);
  }
  const size_t live_orders = static_cast<size_t>(a.seconds) * symbols.size();
  if (!await_accepted(burst_orders + live_orders)) {
    std::fprintf(stderr, "trade_latency_bench: %zu of %zu live orders accepted\n",
                 times.accepted.size() - burst_orders, live_orders);
    std::_Exit(1);
  }

  // The peer of phase 1: the simulator's own accept rate through the same client.
  broker::AlpacaConfig direct_config;
  direct_config.base_url = "http://" + bound;
  direct_config.key_id = "sim-key";
  direct_config.secret_key = "sim-secret";
  broker::AlpacaBroker direct(direct_config);
  const int64_t direct_start = NowNs();
  for (size_t i = 0; i < burst_orders; ++i) {
    broker::OrderRequest r;
    r.client_order_id = "bench-direct-" + std::to_string(i);
    r.symbol = symbols[i % symbols.size()];
    r.side = trading::Side::kBuy;
    r.qty = Decimal::FromUnits(Decimal::kOne);
    r.type = trading::OrderType::kMarket;
    r.time_in_force = trading::TimeInForce::kDay;
    if (auto o = direct.SubmitOrder(r); !o.ok()) Die("direct order", o.status());
  }
  const double direct_s = static_cast<double>(NowNs() - direct_start) / 1e9;

  // Which order came from which bar: the trader's own record.
  auto store = store::OpenTradingStore(config.store);
  if (!store.ok()) Die("store", store.status());
  std::vector<double> bar_to_accept_ms, bar_to_decision_ms, bus_ms;
  {
    std::lock_guard lock(times.mu);
    for (const std::string& s : symbols) {
      auto decisions = (*store)->ListDecisions(s, live_s * 1000, a.seconds + 10);
      if (!decisions.ok()) Die("decisions", decisions.status());
      for (const trading::Decision& d : *decisions) {
        const BarKey key{s, d.signal_event_ts};
        auto produced = times.produced.find(key);
        auto accepted = times.accepted.find(d.client_order_id);
        if (produced == times.produced.end() || accepted == times.accepted.end()) continue;
        bar_to_accept_ms.push_back(static_cast<double>(accepted->second - produced->second) / 1e6);
        bar_to_decision_ms.push_back(
            static_cast<double>(d.created_at * kNanosPerMilli - produced->second) / 1e6);
      }
    }
    for (const auto& [key, at] : times.produced) {
      auto delivered = times.delivered.find(key);
      if (delivered != times.delivered.end()) {
        bus_ms.push_back(static_cast<double>(delivered->second - at) / 1e6);
      }
    }
  }
  std::printf(
      "trade_latency_bench: %d symbols, %d s live (one final bar per symbol per second), "
      "burst of %zu bars, LLM review %s\n",
      a.symbols, a.seconds, burst_orders, a.llm ? "on (the simulator's reviewer)" : "off");
  bench::ReportLatency("final bar -> order accepted", bar_to_accept_ms);
  bench::ReportLatency("  of which: -> decision made (ms)", bar_to_decision_ms);
  bench::ReportLatency("peer: bus hop alone", bus_ms);
  if (const llm::LlmReviewer* r = stack.llm_reviewer()) {
    // Each review's own time (the chat call as the reviewer timed it; ms resolution).
    std::vector<double> review_ms;
    for (const std::string& s : symbols) {
      auto ds = (*store)->ListDecisions(s, live_s * 1000, a.seconds + 10);
      if (!ds.ok()) continue;
      for (const trading::Decision& d : *ds) {
        auto reviews = (*store)->ListLlmReviews(d.decision_hash);
        if (reviews.ok() && !reviews->empty()) {
          review_ms.push_back(static_cast<double>(reviews->back().latency_ms));
        }
      }
    }
    bench::ReportLatency("  of which: the review call", review_ms);
    const llm::LlmStats st = r->Stats();
    std::printf("%-34s %lld approved, %lld failed\n", "  reviews",
                static_cast<long long>(st.approve), static_cast<long long>(st.errors));
  }
  std::printf("%-34s %8.0f orders/s  (%zu orders in %.2f s)\n", "trader, backlog -> accepted",
              static_cast<double>(burst_orders) / burst_s, burst_orders, burst_s);
  std::printf("%-34s %8.0f orders/s  (%zu orders in %.2f s)\n", "peer: simulator accept rate",
              static_cast<double>(burst_orders) / direct_s, burst_orders, direct_s);

  stop.store(true);
  trader.join();
  listener.join();
  peer.join();
  server.Stop();
  market.Stop();
  fs::remove_all(dir);
  return 0;
}
