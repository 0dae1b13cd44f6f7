// `torghut ws` against `torghut sim serve`, both as processes over real sockets, on the embedded
// bus and on Kafka (the mock-cluster fixture): a whole session read back from the topics, each
// stream error class, the watchdog, a dropped connection healed by the REST backfill, bus faults,
// and secrets kept out of every log and endpoint.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <thread>

#include "torghut/http/server.h"
#include "torghut/testing/http_client.h"
#include "torghut/testing/kafka_mock_process.h"
#include "torghut/testing/ta_process_support.h"
#include "torghut/testing/test_support.h"

namespace torghut {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::HttpClient;
using testing::Lines;
using testing::Slurp;
using testing::TaProcess;
using testing::WaitFor;

constexpr char kSecret[] = "sim-secret-7f3a9c";

// The value of one Prometheus sample ("name{labels}" exactly as rendered), or -1.
double Metric(const std::string& text, const std::string& sample) {
  for (const std::string& line : Lines(text)) {
    if (line.rfind(sample + " ", 0) == 0) return std::stod(line.substr(sample.size() + 1));
  }
  return -1;
}

// The identity of a market-data message, as the forwarder de-duplicates it.
std::string KeyOf(const json& m) {
  const std::string t = m.value("T", "");
  if (t == "t" || t == "x")
    return t + "|" + m.value("S", "") + "|" + std::to_string(m.value("i", 0L));
  return t + "|" + m.value("S", "") + "|" + m.value("t", "");
}

class ForwarderProcessTest : public ::testing::Test {
 protected:
  ForwarderProcessTest() : dir_("torghut-ws") {}

  // `torghut sim serve` with `args`; returns its base URL.
  std::string StartSim(const std::string& args) {
    sim_ = std::make_unique<TaProcess>(TORGHUT_BIN, "", dir_.path() / "sim.log",
                                       "sim serve --port 0 --secret-key " + std::string(kSecret) +
                                           " --record-sent " +
                                           (dir_.path() / "sent.jsonl").string() + " " + args);
    sim_base_ = testing::HttpBaseFromLog(dir_.path() / "sim.log", 0, 20s);
    EXPECT_FALSE(sim_base_.empty()) << testing::Tail(dir_.path() / "sim.log");
    return sim_base_;
  }
  std::string WsEnv(const std::string& bus_env, const std::string& extra = "") const {
    const std::string port = sim_base_.substr(sim_base_.rfind(':') + 1);
    return bus_env + " ALPACA_STREAM_URL=ws://127.0.0.1:" + port +
           " ALPACA_DATA_URL=http://127.0.0.1:" + port + " ALPACA_KEY_ID=sim-key" +
           " ALPACA_SECRET_KEY=" + kSecret + " WS_HEARTBEAT_MS=500 " + extra;
  }
  // `torghut ws`; returns its HTTP base URL.
  std::string StartWs(std::unique_ptr<TaProcess>* p, const std::string& env,
                      const std::string& log = "ws.log") {
    *p = std::make_unique<TaProcess>(TORGHUT_BIN, env, dir_.path() / log, "ws");
    const std::string base = testing::HttpBaseFromLog(dir_.path() / log, 0, 20s);
    EXPECT_FALSE(base.empty()) << testing::Tail(dir_.path() / log);
    return base;
  }
  json Get(const std::string& url) { return json::parse(http_.Get(url).body, nullptr, false); }
  json SimStatus() { return Get(sim_base_ + "/sim/status"); }
  void Fault(const std::string& body) {
    ASSERT_EQ(http_.Post(sim_base_ + "/sim/faults", body).status, 200);
  }
  // Messages the forwarder received (data types), from its metrics.
  double Received(const std::string& ws_base) {
    const std::string m = http_.Get(ws_base + "/metrics").body;
    double n = 0;
    for (const char* t : {"trade", "quote", "bar", "updated_bar", "cancel", "correction"}) {
      n += std::max(0.0, Metric(m, std::string("torghut_ws_messages_total{type=\"") + t + "\"}"));
    }
    return n;
  }
  // Silences the market, waits until the forwarder received everything the sim sent, and stops
  // the forwarder with SIGTERM (it must exit 0).
  void DrainAndStop(TaProcess& ws, const std::string& ws_base) {
    Fault(R"({"silent_ms":600000})");
    ASSERT_TRUE(WaitFor(
        [&] {
          const size_t sent = Lines(Slurp(dir_.path() / "sent.jsonl")).size();
          return Received(ws_base) == static_cast<double>(sent);
        },
        20s))
        << Received(ws_base) << " vs " << Lines(Slurp(dir_.path() / "sent.jsonl")).size();
    ws.Signal(SIGTERM);
    EXPECT_EQ(ws.Wait(), 0) << testing::Tail(dir_.path() / "ws.log");
  }
  // Every value of a topic (`torghut bus dump`).
  std::vector<json> Dump(const std::string& bus_env, const std::string& topic) {
    auto r = testing::RunCommand(
        bus_env + " " + TORGHUT_BIN + " bus dump --from-beginning --topic " + topic, dir_.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<json> out;
    for (const std::string& line : Lines(r.out)) out.push_back(json::parse(line));
    return out;
  }

  // The session check: what the sim sent is on the bus exactly once (duplicates the market sent
  // appear once), per channel+symbol in seq order, with correct envelopes.
  void ExpectSessionOnBus(const std::vector<json>& envelopes, const std::string& source) {
    std::map<std::string, int> sent;
    for (const std::string& line : Lines(Slurp(dir_.path() / "sent.jsonl"))) {
      sent[KeyOf(json::parse(line))] = 0;
    }
    ASSERT_GT(sent.size(), 100u);
    std::map<std::string, int> on_bus;
    std::map<std::string, int64_t> last_seq;
    const std::map<std::string, std::string> channel_of = {
        {"t", "trades"}, {"q", "quotes"}, {"b", "bars"}, {"x", "cancelErrors"}};
    for (const json& e : envelopes) {
      const json& p = e["payload"];
      ++on_bus[KeyOf(p)];
      EXPECT_EQ(e["feed"], "iex");
      EXPECT_EQ(e["provider"], "alpaca");
      EXPECT_EQ(e["version"], 1);
      EXPECT_EQ(e["isFinal"], true);
      EXPECT_EQ(e["symbol"], p["S"]);
      EXPECT_EQ(e["source"], source);
      EXPECT_EQ(e["channel"], channel_of.at(p["T"].get<std::string>())) << e;
      EXPECT_TRUE(e.contains("ingestTs") && e.contains("eventTs"));
      const std::string stream =
          e["channel"].get<std::string>() + "|" + e["symbol"].get<std::string>();
      EXPECT_EQ(e["seq"].get<int64_t>(), last_seq[stream] + 1) << "out of order: " << e;
      last_seq[stream] = e["seq"].get<int64_t>();
    }
    int missing = 0, doubled = 0, extra = 0;
    for (const auto& [k, n] : on_bus) {
      if (sent.count(k) == 0) ++extra;
      if (n > 1) ++doubled;
    }
    for (const auto& [k, n] : sent) missing += on_bus.count(k) == 0 ? 1 : 0;
    EXPECT_EQ(missing, 0);
    EXPECT_EQ(doubled, 0);
    EXPECT_EQ(extra, 0);
  }

  std::vector<json> AllTopics(const std::string& bus_env) {
    std::vector<json> all;
    for (const char* t : {"torghut.trades.v1", "torghut.quotes.v1", "torghut.bars.1m.v1"}) {
      for (json& e : Dump(bus_env, t)) all.push_back(std::move(e));
    }
    return all;
  }

  void ExpectNoSecretIn(const std::string& text, const std::string& where) {
    EXPECT_EQ(text.find(kSecret), std::string::npos) << "secret in " << where;
  }

  testing::ScratchDir dir_;
  std::unique_ptr<TaProcess> sim_;
  std::string sim_base_;
  HttpClient http_;
};

TEST_F(ForwarderProcessTest, NormalSessionOnTheEmbeddedBusAndNoSecretAnywhere) {
  StartSim("--symbols AAPL,MSFT,NVDA --rate 40");
  const std::string bus_env = "TORGHUT_DATA_DIR=" + (dir_.path() / "data").string();
  std::unique_ptr<TaProcess> ws;
  const std::string base = StartWs(&ws, WsEnv(bus_env, "SYMBOLS=AAPL,MSFT,NVDA"));
  ASSERT_TRUE(WaitFor([&] { return http_.Get(base + "/readyz").status == 200; }, 20s))
      << testing::Tail(dir_.path() / "ws.log");
  ASSERT_TRUE(WaitFor([&] { return Received(base) > 600; }, 30s));
  const std::string endpoints =
      http_.Get(base + "/readyz").body + http_.Get(base + "/metrics").body +
      http_.Get(base + "/status").body + http_.Get(base + "/healthz").body;
  const json ready = json::parse(http_.Get(base + "/readyz").body);
  EXPECT_EQ(ready["status"], "healthy");
  EXPECT_EQ(ready["gates"],
            json::parse(R"({"alpaca_ws":true,"kafka":true,"market_data_channels":true})"));
  EXPECT_GT(Metric(http_.Get(base + "/metrics").body, "torghut_ws_lag_ms_count"), 0);
  DrainAndStop(*ws, base);
  ExpectSessionOnBus(AllTopics(bus_env), "ws");
  // The heartbeat is on the status topic.
  const auto status = Dump(bus_env, "torghut.status.v1");
  ASSERT_FALSE(status.empty());
  EXPECT_EQ(status.front()["payload"]["T"], "heartbeat");
  EXPECT_EQ(status.front()["channel"], "status");
  ExpectNoSecretIn(endpoints, "endpoints");
  ExpectNoSecretIn(Slurp(dir_.path() / "ws.log"), "ws.log");
  ExpectNoSecretIn(Slurp(dir_.path() / "sim.log"), "sim.log");
  for (const json& e : status) ExpectNoSecretIn(e.dump(), "status topic");
}

TEST_F(ForwarderProcessTest, NormalSessionOnKafkaReadBackWithKcat) {
  testing::MockClusterProcess cluster(TORGHUT_KAFKA_MOCK, "--brokers 1");
  StartSim("--symbols AAPL,MSFT --rate 40");
  const std::string bus_env = "BUS=kafka KAFKA_BOOTSTRAP_SERVERS=" + cluster.bootstrap();
  std::unique_ptr<TaProcess> ws;
  const std::string base = StartWs(&ws, WsEnv(bus_env, "SYMBOLS=AAPL,MSFT"));
  ASSERT_TRUE(WaitFor([&] { return Received(base) > 400; }, 30s))
      << testing::Tail(dir_.path() / "ws.log");
  DrainAndStop(*ws, base);
  std::vector<json> all;
  for (const char* t : {"torghut.trades.v1", "torghut.quotes.v1", "torghut.bars.1m.v1"}) {
    auto r = testing::RunCommand(
        "kcat -b " + cluster.bootstrap() + " -C -t " + t + " -e -q -f '%k\\t%s\\n'", dir_.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const std::string& line : Lines(r.out)) {
      const size_t tab = line.find('\t');
      json e = json::parse(line.substr(tab + 1));
      EXPECT_EQ(line.substr(0, tab), e["symbol"].get<std::string>());  // keyed by symbol
      all.push_back(std::move(e));
    }
  }
  ExpectSessionOnBus(all, "ws");
}

TEST_F(ForwarderProcessTest, AuthFailureIsAConfigurationFaultRetriedSlowly) {
  StartSim("--symbols AAPL");
  std::unique_ptr<TaProcess> ws;
  std::string env = WsEnv("TORGHUT_DATA_DIR=" + (dir_.path() / "data").string(),
                          "SYMBOLS=AAPL WS_CONFIG_RETRY_MS=45000");
  env = std::regex_replace(env, std::regex(kSecret), "wrong-secret-1");
  const std::string base = StartWs(&ws, env);
  json ready;
  ASSERT_TRUE(WaitFor(
      [&] {
        ready = Get(base + "/readyz");
        return ready.value("error_class", json()).is_string();
      },
      20s));
  EXPECT_EQ(http_.Get(base + "/readyz").status, 503);
  EXPECT_EQ(ready["error_class"], "alpaca_auth");
  EXPECT_EQ(ready["status"], "error");
  EXPECT_EQ(ready["gates"]["alpaca_ws"], false);
  EXPECT_NE(Slurp(dir_.path() / "ws.log").find("\"retry_in_ms\":45000"), std::string::npos);
  ExpectNoSecretIn(Slurp(dir_.path() / "ws.log"), "ws.log");
  EXPECT_EQ(Slurp(dir_.path() / "ws.log").find("wrong-secret-1"), std::string::npos);
}

TEST_F(ForwarderProcessTest, ASecondForwarderWithTheSameKeyGets406AndWaitsTheFloor) {
  StartSim("--symbols AAPL --rate 20");
  const std::string bus_env = "TORGHUT_DATA_DIR=" + (dir_.path() / "data").string();
  std::unique_ptr<TaProcess> first, second;
  const std::string a = StartWs(&first, WsEnv(bus_env, "SYMBOLS=AAPL"));
  ASSERT_TRUE(WaitFor([&] { return http_.Get(a + "/readyz").status == 200; }, 20s));
  const std::string b = StartWs(&second,
                                WsEnv("TORGHUT_DATA_DIR=" + (dir_.path() / "data2").string(),
                                      "SYMBOLS=AAPL WS_406_FLOOR_MS=2500"),
                                "ws2.log");
  // B's attempts end in 406 each time; the wait between them is at least the floor.
  std::vector<int64_t> ended_ms;
  ASSERT_TRUE(WaitFor(
      [&] {
        ended_ms.clear();
        for (const std::string& line : Lines(Slurp(dir_.path() / "ws2.log"))) {
          if (line.find("session ended") == std::string::npos) continue;
          EXPECT_NE(line.find("alpaca_406_second_connection"), std::string::npos) << line;
          const json j = json::parse(line);
          EXPECT_GE(j["retry_in_ms"].get<int64_t>(), 2500);
          ended_ms.push_back(ParseRfc3339(j["ts"].get<std::string>())->nanos() / 1'000'000);
        }
        return ended_ms.size() >= 2;
      },
      30s));
  EXPECT_GE(ended_ms[1] - ended_ms[0], 2500);
  const json ready = Get(b + "/readyz");
  EXPECT_EQ(ready["error_class"], "alpaca_406_second_connection");
  EXPECT_EQ(ready["ready"], false);
  // The first forwarder was never disturbed.
  EXPECT_EQ(http_.Get(a + "/readyz").status, 200);
  EXPECT_EQ(Metric(http_.Get(a + "/metrics").body, "torghut_ws_reconnects_total"), 0);
}

TEST_F(ForwarderProcessTest, SymbolLimitKeepsTheSubscriptionAndMalformedFramesAreCounted) {
  StartSim("--symbols AAPL,MSFT,NVDA --rate 20 --max-symbols 2");
  std::unique_ptr<TaProcess> ws;
  const std::string base = StartWs(&ws, WsEnv("TORGHUT_DATA_DIR=" + (dir_.path() / "data").string(),
                                              "SYMBOLS=AAPL,MSFT,NVDA WS_SUBSCRIBE_CHUNK=2"));
  json ready;
  ASSERT_TRUE(WaitFor(
      [&] {
        ready = Get(base + "/readyz");
        return ready.value("error_class", json()) == "alpaca_symbol_limit";
      },
      20s))
      << ready;
  // The first chunk's subscription holds and data flows; nothing reconnects.
  const json conns = SimStatus()["connections"];
  ASSERT_EQ(conns.size(), 1u);
  EXPECT_EQ(conns[0]["subscription"]["trades"], json::array({"AAPL", "MSFT"}));
  const double before = Received(base);
  ASSERT_TRUE(WaitFor([&] { return Received(base) > before + 50; }, 20s));
  Fault(R"({"malformed":4})");
  ASSERT_TRUE(WaitFor(
      [&] {
        return Metric(http_.Get(base + "/metrics").body, "torghut_ws_parse_failures_total") >= 4;
      },
      20s));
  const double after = Received(base);
  ASSERT_TRUE(WaitFor([&] { return Received(base) > after + 50; }, 20s));
  EXPECT_EQ(Metric(http_.Get(base + "/metrics").body, "torghut_ws_reconnects_total"), 0);
}

TEST_F(ForwarderProcessTest, TheWatchdogReconnectsASilentSocket) {
  StartSim("--symbols AAPL,MSFT --rate 20");
  std::unique_ptr<TaProcess> ws;
  const std::string base =
      StartWs(&ws, WsEnv("TORGHUT_DATA_DIR=" + (dir_.path() / "data").string(),
                         "SYMBOLS=AAPL,MSFT WS_WATCHDOG_SESSIONS=always WS_STALE_AFTER_MS=1500 "
                         "WS_CHANNELS=trades,quotes"));
  ASSERT_TRUE(WaitFor([&] { return http_.Get(base + "/readyz").status == 200; }, 20s));
  Fault(R"({"silent_ms":4000})");
  ASSERT_TRUE(WaitFor(
      [&] {
        return Slurp(dir_.path() / "ws.log").find("market_data_channel_starvation") !=
               std::string::npos;
      },
      20s));
  // Reconnected, and healthy again once data flows.
  ASSERT_TRUE(WaitFor(
      [&] {
        return Metric(http_.Get(base + "/metrics").body, "torghut_ws_reconnects_total") >= 1 &&
               http_.Get(base + "/readyz").status == 200;
      },
      30s));
  EXPECT_GE(SimStatus()["connections"][0]["id"].get<int64_t>(), 2);
}

TEST_F(ForwarderProcessTest, ADroppedConnectionIsBackfilledSoNoMinuteBarIsMissing) {
  // One market minute per second; a 3 s reconnect delay leaves a gap of three bars.
  StartSim("--symbols AAPL,MSFT --rate 5 --speed 60 --start 2024-01-02T14:30:00Z");
  const std::string bus_env = "TORGHUT_DATA_DIR=" + (dir_.path() / "data").string();
  std::unique_ptr<TaProcess> ws;
  const std::string base =
      StartWs(&ws, WsEnv(bus_env, "SYMBOLS=AAPL,MSFT WS_BACKOFF_INITIAL_MS=3000"));
  auto bars = [&] {
    return Metric(http_.Get(base + "/metrics").body, "torghut_ws_messages_total{type=\"bar\"}");
  };
  ASSERT_TRUE(WaitFor([&] { return bars() >= 4; }, 30s)) << testing::Tail(dir_.path() / "ws.log");
  Fault(R"({"http_429":2})");  // the backfill's first requests are throttled, and retried
  Fault(R"({"drop":true})");
  ASSERT_TRUE(WaitFor(
      [&] { return Slurp(dir_.path() / "ws.log").find("backfilled gap") != std::string::npos; },
      30s))
      << testing::Tail(dir_.path() / "ws.log");
  const double after = bars();
  ASSERT_TRUE(WaitFor([&] { return bars() >= after + 4; }, 30s));
  Fault(R"({"silent_ms":600000})");
  ws->Signal(SIGTERM);
  ASSERT_EQ(ws->Wait(), 0);
  std::map<std::string, std::set<std::string>> minutes;  // symbol → bar times
  int from_rest = 0;
  for (const json& e : Dump(bus_env, "torghut.bars.1m.v1")) {
    minutes[e["symbol"]].insert(e["payload"]["t"].get<std::string>());
    from_rest += e["source"] == "rest" ? 1 : 0;
  }
  EXPECT_GE(from_rest, 2);  // the gap's bars came from REST
  ASSERT_EQ(minutes.size(), 2u);
  for (const auto& [symbol, times] : minutes) {
    // Contiguous minutes from the first to the last.
    const int64_t first = ParseRfc3339(*times.begin())->nanos() / 60'000'000'000;
    const int64_t last = ParseRfc3339(*times.rbegin())->nanos() / 60'000'000'000;
    EXPECT_EQ(static_cast<int64_t>(times.size()), last - first + 1) << symbol;
    EXPECT_GE(times.size(), 6u);  // two before the drop, three in the gap, two after
  }
  // Backfilled trades of the gap are on the trades topic too, marked "rest".
  int rest_trades = 0;
  for (const json& e : Dump(bus_env, "torghut.trades.v1")) rest_trades += e["source"] == "rest";
  EXPECT_GT(rest_trades, 0);
}

TEST_F(ForwarderProcessTest, ThePolledUniverseIsAppliedAndTheLastGoodListKeptOnFailure) {
  std::mutex mu;
  std::string body = R"(["AAPL"])";
  int status = 200;
  http::Router router;
  router.Get("/symbols", [&](const http::Request&) {
    std::lock_guard lock(mu);
    return http::Response::Json(status, body);
  });
  http::Registry metrics;
  http::ServerConfig config;
  config.port = 0;
  config.access_log = false;
  http::Server universe(config, std::move(router), &metrics);
  ASSERT_TRUE(universe.Start().ok());
  auto set = [&](int code, const std::string& list) {
    std::lock_guard lock(mu);
    status = code;
    body = list;
  };
  StartSim("--symbols AAPL,MSFT,NVDA --rate 10");
  std::unique_ptr<TaProcess> ws;
  StartWs(&ws, WsEnv("TORGHUT_DATA_DIR=" + (dir_.path() / "data").string(),
                     "JANGAR_SYMBOLS_URL=http://127.0.0.1:" + std::to_string(universe.port()) +
                         "/symbols SYMBOLS_POLL_INTERVAL_MS=200"));
  auto trades = [&] {
    const json c = SimStatus()["connections"];
    return c.size() == 1 ? c[0]["subscription"]["trades"] : json();
  };
  ASSERT_TRUE(WaitFor([&] { return trades() == json::array({"AAPL"}); }, 20s))
      << testing::Tail(dir_.path() / "ws.log");
  set(200, R"(["MSFT","AAPL"])");
  ASSERT_TRUE(WaitFor([&] { return trades() == json::array({"AAPL", "MSFT"}); }, 20s));
  set(500, "oops");
  ASSERT_TRUE(WaitFor(
      [&] {
        return Slurp(dir_.path() / "ws.log").find("keeping the last list") != std::string::npos;
      },
      20s));
  EXPECT_EQ(trades(), json::array({"AAPL", "MSFT"}));
  set(200, R"({"symbols":["MSFT"]})");
  ASSERT_TRUE(WaitFor([&] { return trades() == json::array({"MSFT"}); }, 20s));
  EXPECT_EQ(
      Metric(http_.Get(testing::HttpBaseFromLog(dir_.path() / "ws.log", 0, 1s) + "/metrics").body,
             "torghut_ws_reconnects_total"),
      0);
}

TEST_F(ForwarderProcessTest, BusFaultsShutTheGateAndNothingAcknowledgedIsLost) {
  testing::MockClusterProcess cluster(TORGHUT_KAFKA_MOCK, "--brokers 1");
  StartSim("--symbols AAPL,MSFT --rate 20");
  const std::string bus_env = "BUS=kafka KAFKA_BOOTSTRAP_SERVERS=" + cluster.bootstrap();
  std::unique_ptr<TaProcess> ws;
  const std::string base = StartWs(
      &ws, WsEnv(bus_env, "SYMBOLS=AAPL,MSFT KAFKA_MESSAGE_TIMEOUT_MS=1500 WS_CHANNELS=trades"));
  ASSERT_TRUE(WaitFor([&] { return http_.Get(base + "/readyz").status == 200; }, 20s))
      << testing::Tail(dir_.path() / "ws.log");
  EXPECT_EQ(cluster.Command("down 1"), "ok");
  json ready;
  ASSERT_TRUE(WaitFor(
      [&] {
        ready = Get(base + "/readyz");
        return ready.value("gates", json::object()).value("kafka", true) == false;
      },
      30s))
      << testing::Tail(dir_.path() / "ws.log");
  EXPECT_EQ(ready["error_class"], "kafka_produce");
  EXPECT_EQ(http_.Get(base + "/readyz").status, 503);
  EXPECT_EQ(cluster.Command("up 1"), "ok");
  ASSERT_TRUE(WaitFor([&] { return http_.Get(base + "/readyz").status == 200; }, 60s))
      << testing::Tail(dir_.path() / "ws.log");
  DrainAndStop(*ws, base);
  // Every trade the forwarder received is on the topic (at least once).
  std::set<std::string> on_bus;
  for (const json& e : Dump(bus_env, "torghut.trades.v1")) on_bus.insert(KeyOf(e["payload"]));
  int missing = 0;
  for (const std::string& line : Lines(Slurp(dir_.path() / "sent.jsonl"))) {
    missing += on_bus.count(KeyOf(json::parse(line))) == 0 ? 1 : 0;
  }
  EXPECT_EQ(missing, 0);
}

}  // namespace
}  // namespace torghut
