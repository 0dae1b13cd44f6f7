// `torghut health` as oncall runs it, against real processes over real sockets: one `torghut up`
// whose states are toggled (kill switch, LLM circuit, a silent market), a forwarder whose key the
// simulator refuses, a suspended TA, stores that are stale, missing or not a database, and
// separate roles on Kafka (the mock-cluster fixture) with a real ClickHouse: healthy, a read-only
// replica named with its repair statement, and the server stopped.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "torghut/store/clickhouse/clickhouse_http.h"
#include "torghut/store/store_config.h"
#include "torghut/testing/http_client.h"
#include "torghut/testing/kafka_mock_process.h"
#include "torghut/testing/store_servers.h"
#include "torghut/testing/ta_process_support.h"
#include "torghut/testing/test_support.h"

namespace torghut {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;
using testing::TaProcess;
using testing::WaitFor;

constexpr char kAdminToken[] = "health-admin-token";
constexpr char kSecret[] = "sim-secret-health";

// A strategy that decides on every final 1 s bar once MACD has its history, so that LLM reviews
// (and the faults injected into them) happen within a minute of the start.
constexpr char kEveryBarCatalog[] = R"(strategies:
  - name: every-bar
    enabled: true
    base_timeframe: 1Sec
    type: macd-rsi
    qty: 1
    params: {rsi_buy_below: 100, rsi_sell_above: 100}
)";

struct HealthRun {
  int exit_code = -1;
  std::string out, err;
  json report;  // with --json

  // The component named `name` ({} when it is not in the report).
  json Component(const std::string& name) const {
    if (!report.is_object()) return json::object();
    for (const json& c : report["components"]) {
      if (c["name"] == name) return c;
    }
    return json::object();
  }
  // A string field of a component ("" when absent or null).
  std::string Field(const std::string& name, const std::string& field) const {
    const json c = Component(name);
    return c.contains(field) && c[field].is_string() ? c[field].get<std::string>() : "";
  }
  std::string State(const std::string& name) const {
    const json c = Component(name);
    return c.contains("state") ? c["state"].get<std::string>() : "";
  }
};

class HealthProcessTest : public ::testing::Test {
 protected:
  HealthProcessTest() : dir_("torghut-health") {}

  HealthRun Health(const std::string& env, const std::string& args) {
    const testing::CommandResult r =
        testing::RunCommand("env " + env + " " + TORGHUT_BIN + " health " + args, dir_.path());
    HealthRun h{r.exit_code, r.out, r.err, json::parse(r.out, nullptr, false)};
    return h;
  }
  // Polls `health --json` until `done` holds for a run; returns the last run.
  template <typename Pred>
  HealthRun HealthUntil(const std::string& env, const std::string& args, Pred done,
                        std::chrono::milliseconds timeout) {
    HealthRun last;
    WaitFor(
        [&] {
          last = Health(env, "--json " + args);
          return done(last);
        },
        timeout);
    return last;
  }
  std::string StartSim(const std::string& args) {
    sim_ = std::make_unique<TaProcess>(
        TORGHUT_BIN, "", dir_.path() / "sim.log",
        "sim serve --port 0 --secret-key " + std::string(kSecret) + " " + args);
    const std::string base = testing::HttpBaseFromLog(dir_.path() / "sim.log", 0, 20s);
    EXPECT_FALSE(base.empty()) << testing::Tail(dir_.path() / "sim.log");
    return base;
  }
  static std::string Port(const std::string& base) { return base.substr(base.rfind(':') + 1); }

  testing::ScratchDir dir_;
  testing::HttpClient http_;
  std::unique_ptr<TaProcess> sim_;
};

TEST_F(HealthProcessTest, UpHealthyThenKillSwitchLlmCircuitAndASilentMarket) {
  const fs::path data = dir_.path() / "data";
  fs::create_directories(data);
  testing::WriteFile(data / "strategies.yaml", kEveryBarCatalog);
  const std::string up_env = std::string("TORGHUT_ADMIN_TOKEN=") + kAdminToken +
                             " LLM_ENABLED=true LLM_CIRCUIT_MAX_ERRORS=1";
  TaProcess up(TORGHUT_BIN, up_env, dir_.path() / "up.log",
               "up --port 0 --data-dir " + data.string() + " --symbols AAPL,MSFT --rate 20");
  const std::string base = testing::HttpBaseFromLog(dir_.path() / "up.log", 0, 30s);
  ASSERT_FALSE(base.empty()) << testing::Tail(dir_.path() / "up.log");
  const std::string env = "TORGHUT_DATA_DIR=" + data.string();
  const std::string args = "--url " + base;

  // 1. Healthy: every component of `up` is reported, and ok.
  HealthRun h = HealthUntil(
      env, args, [](const HealthRun& r) { return r.exit_code == 0; }, 90s);
  ASSERT_EQ(h.exit_code, 0) << h.out << h.err << testing::Tail(dir_.path() / "up.log");
  EXPECT_EQ(h.report["state"], "ok");
  EXPECT_EQ(h.report["exit_code"], 0);
  for (const char* name :
       {"forwarder", "bus", "ta", "ta_store", "disk", "trading", "llm", "trading_store"}) {
    EXPECT_EQ(h.State(name), "ok") << name << ": " << h.out;
    EXPECT_TRUE(h.Component(name)["next_step"].is_null()) << name;
  }
  EXPECT_TRUE(h.Component("replicas").empty()) << "SQLite has no replicas";
  EXPECT_NE(h.Field("bus", "detail").find("torghut-ta-live:"), std::string::npos);
  EXPECT_NE(h.Field("bus", "detail").find("torghut-trading:"), std::string::npos);
  // The text form: a line per component and the overall state.
  const HealthRun text = Health(env, args);
  EXPECT_EQ(text.exit_code, 0) << text.out;
  EXPECT_NE(text.out.find("\nta_store "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("overall: ok\n"), std::string::npos) << text.out;

  // 2. The kill switch: degraded (exit 1) with the step that turns it off; off again: healthy.
  const std::vector<std::string> admin = {std::string("Authorization: Bearer ") + kAdminToken};
  ASSERT_EQ(http_.Post(base + "/trading/kill-switch", R"({"on":true})", admin).status, 200);
  h = HealthUntil(
      env, args, [](const HealthRun& r) { return r.State("trading") == "degraded"; }, 30s);
  EXPECT_EQ(h.exit_code, 1) << h.out;
  EXPECT_EQ(h.State("trading"), "degraded") << h.out;
  EXPECT_NE(h.Field("trading", "detail").find("kill switch on"), std::string::npos);
  EXPECT_NE(h.Field("trading", "next_step").find("/trading/kill-switch"), std::string::npos);
  const HealthRun kill_text = Health(env, args);
  EXPECT_EQ(kill_text.exit_code, 1);
  EXPECT_NE(kill_text.out.find("  -> when safe: POST /trading/kill-switch"), std::string::npos)
      << kill_text.out;
  ASSERT_EQ(http_.Post(base + "/trading/kill-switch", R"({"on":false})", admin).status, 200);
  h = HealthUntil(
      env, args, [](const HealthRun& r) { return r.exit_code == 0; }, 30s);
  EXPECT_EQ(h.exit_code, 0) << h.out;

  // 3. The reviewer fails: the circuit opens on the first error (LLM_CIRCUIT_MAX_ERRORS=1) and
  // stays open for the default cooldown: the llm line is degraded.
  ASSERT_EQ(http_.Post(base + "/sim/faults", R"({"llm_http_500":100000})").status, 200);
  h = HealthUntil(
      env, args, [](const HealthRun& r) { return r.State("llm") == "degraded"; }, 180s);
  ASSERT_EQ(h.State("llm"), "degraded") << h.out << http_.Get(base + "/trading/status").body;
  EXPECT_EQ(h.exit_code, 1) << h.out;
  const std::string llm_detail = h.Field("llm", "detail");
  EXPECT_TRUE(llm_detail.find("circuit open") != std::string::npos ||
              llm_detail.find("circuit half_open") != std::string::npos)
      << llm_detail;
  EXPECT_NE(h.Field("llm", "next_step").find("LLM_BASE_URL"), std::string::npos);

  // 4. The market goes silent: no new rows, so the store's freshness goes past a 3 s limit.
  ASSERT_EQ(http_.Post(base + "/sim/faults", R"({"silent_ms":600000})").status, 200);
  h = HealthUntil(
      env, "--max-store-age-s 3 " + args,
      [](const HealthRun& r) { return r.State("ta_store") == "degraded"; }, 60s);
  EXPECT_EQ(h.State("ta_store"), "degraded") << h.out;
  EXPECT_EQ(h.exit_code, 1) << h.out;
  EXPECT_NE(h.Field("ta_store", "next_step").find("forwarder"), std::string::npos);
  up.Signal(SIGTERM);
  EXPECT_EQ(up.Wait(), 0) << testing::Tail(dir_.path() / "up.log");
}

TEST_F(HealthProcessTest, AForwarderWhoseKeyIsRefusedIsDegradedWithItsErrorClass) {
  const std::string sim = StartSim("--symbols AAPL");
  TaProcess ws(TORGHUT_BIN,
               "TORGHUT_DATA_DIR=" + (dir_.path() / "data").string() +
                   " ALPACA_STREAM_URL=ws://127.0.0.1:" + Port(sim) +
                   " ALPACA_DATA_URL=http://127.0.0.1:" + Port(sim) +
                   " ALPACA_KEY_ID=sim-key ALPACA_SECRET_KEY=wrong-secret SYMBOLS=AAPL"
                   " WS_CONFIG_RETRY_MS=45000",
               dir_.path() / "ws.log", "ws");
  const std::string ws_base = testing::HttpBaseFromLog(dir_.path() / "ws.log", 0, 20s);
  ASSERT_FALSE(ws_base.empty()) << testing::Tail(dir_.path() / "ws.log");
  const HealthRun h = HealthUntil(
      "", "--ws " + ws_base,
      [](const HealthRun& r) {
        return r.Component("forwarder").value("detail", "").find("error_class") !=
               std::string::npos;
      },
      20s);
  EXPECT_EQ(h.exit_code, 1) << h.out << h.err;
  ASSERT_EQ(h.report["components"].size(), 1u) << "only the forwarder was named: " << h.out;
  EXPECT_EQ(h.State("forwarder"), "degraded");
  EXPECT_NE(h.Field("forwarder", "detail").find("alpaca_auth"), std::string::npos) << h.out;
  EXPECT_NE(h.Field("forwarder", "next_step").find("ALPACA_SECRET_KEY"), std::string::npos);
  EXPECT_EQ(h.out.find("wrong-secret"), std::string::npos) << "a secret in the report";
}

TEST_F(HealthProcessTest, ASuspendedTaIsDegraded) {
  const std::string data = (dir_.path() / "data").string();
  // Suspended TA writes nothing, not even its schema: the job before rollout does.
  const testing::CommandResult migrate = testing::RunCommand(
      "env TORGHUT_DATA_DIR=" + data + " " + TORGHUT_BIN + " migrate", dir_.path());
  ASSERT_EQ(migrate.exit_code, 0) << migrate.err;
  // Input waiting on the bus that the suspended group does not read: its lag.
  const std::string file = (dir_.path() / "market.jsonl").string();
  ASSERT_EQ(
      testing::RunCommand(std::string(TORGHUT_BIN) +
                              " sim generate --symbols AAPL --seconds 5 --seed 3 --out " + file,
                          dir_.path())
          .exit_code,
      0);
  const testing::CommandResult publish = testing::RunCommand(
      "env TORGHUT_DATA_DIR=" + data + " " + TORGHUT_BIN + " sim publish --from-file " + file,
      dir_.path());
  ASSERT_EQ(publish.exit_code, 0) << publish.err;
  TaProcess ta(TORGHUT_BIN, "TORGHUT_DATA_DIR=" + data + " TA_JOB_STATE=suspended",
               dir_.path() / "ta.log", "ta");
  const std::string ta_base = testing::HttpBaseFromLog(dir_.path() / "ta.log", 0, 20s);
  ASSERT_FALSE(ta_base.empty()) << testing::Tail(dir_.path() / "ta.log");
  const HealthRun h = HealthUntil(
      "TORGHUT_DATA_DIR=" + data, "--ta " + ta_base,
      [](const HealthRun& r) { return r.State("ta") == "degraded"; }, 20s);
  EXPECT_EQ(h.exit_code, 1) << h.out << h.err;
  EXPECT_NE(h.Field("ta", "detail").find("suspended"), std::string::npos) << h.out;
  EXPECT_NE(h.Field("ta", "next_step").find("TA_JOB_STATE=running"), std::string::npos);
  EXPECT_EQ(h.State("bus"), "ok") << "within the default limit: " << h.out;
  EXPECT_EQ(h.State("ta_store"), "degraded") << "migrated, no rows yet: " << h.out;
  EXPECT_TRUE(h.Component("trading").empty()) << "trade was not named";
  // With no lag allowed, the unread input makes the bus line degraded and names the group.
  const HealthRun lag =
      Health("TORGHUT_DATA_DIR=" + data, "--json --max-bus-lag 0 --ta " + ta_base);
  EXPECT_EQ(lag.exit_code, 1) << lag.out;
  EXPECT_EQ(lag.State("bus"), "degraded") << lag.out;
  EXPECT_NE(lag.Field("bus", "next_step").find("torghut bus groups --group torghut-ta-live"),
            std::string::npos)
      << lag.out;
}

TEST_F(HealthProcessTest, StoresThatAreStaleMissingOrNotADatabase) {
  // Rows an hour old, written through the store as TA writes them.
  const fs::path data = dir_.path() / "data";
  fs::create_directories(data);
  {
    store::StoreConfig config;
    config.data_dir = data;
    auto st = store::OpenTaStore(config).value();
    ASSERT_TRUE(st->Migrate().ok());
    const Timestamp old = Timestamp::FromMillis(SystemClock().NowMillis() - 3'600'000);
    ta::RowIdentity id;
    id.symbol = "AAPL";
    id.event_ts = id.window_end = id.ingest_ts = old;
    id.window_start = old - 1'000'000'000;
    id.is_final = true;
    ta::MicrobarRow bar;
    bar.id = id;
    bar.o = bar.h = bar.l = bar.c = 100;
    bar.v = 1;
    bar.count = 1;
    ta::SignalRow signal;
    signal.id = id;
    ASSERT_TRUE(st->WriteMicrobars({&bar, 1}).ok());
    ASSERT_TRUE(st->WriteSignals({&signal, 1}).ok());
  }
  HealthRun h = Health("TORGHUT_DATA_DIR=" + data.string(), "--json --stores");
  EXPECT_EQ(h.exit_code, 1) << h.out << h.err;
  EXPECT_EQ(h.State("ta_store"), "degraded") << h.out;
  EXPECT_NE(h.Field("ta_store", "detail").find("newest microbar 1h0m"), std::string::npos) << h.out;
  EXPECT_EQ(h.State("disk"), "ok") << h.out;
  EXPECT_TRUE(h.Component("trading_store").empty()) << "TRADING_STORE is not set";
  // A generous limit makes the same rows fresh enough.
  h = Health("TORGHUT_DATA_DIR=" + data.string(), "--json --stores --max-store-age-s 86400");
  EXPECT_EQ(h.exit_code, 0) << h.out;
  // Free disk below TA_MIN_FREE_DISK_PCT (any real filesystem is below 100 %): degraded.
  h = Health("TA_MIN_FREE_DISK_PCT=100 TORGHUT_DATA_DIR=" + data.string(),
             "--json --stores --max-store-age-s 86400");
  EXPECT_EQ(h.exit_code, 1) << h.out;
  EXPECT_EQ(h.State("disk"), "degraded") << h.out;
  EXPECT_NE(h.Field("disk", "detail").find("< TA_MIN_FREE_DISK_PCT 100%"), std::string::npos)
      << h.out;
  // Nothing there at all: down, and nothing is created.
  const fs::path empty = dir_.path() / "empty";
  h = Health("TORGHUT_DATA_DIR=" + empty.string(), "--json --stores");
  EXPECT_EQ(h.exit_code, 2) << h.out;
  EXPECT_EQ(h.State("ta_store"), "down");
  EXPECT_FALSE(fs::exists(empty / "ta.sqlite"));
  // A file that is not a SQLite database: down with the reason.
  const fs::path broken = dir_.path() / "broken";
  fs::create_directories(broken);
  testing::WriteFile(broken / "ta.sqlite", std::string(8192, 'x'));
  h = Health("TORGHUT_DATA_DIR=" + broken.string(), "--json --stores");
  EXPECT_EQ(h.exit_code, 2) << h.out;
  EXPECT_EQ(h.State("ta_store"), "down") << h.out;
  EXPECT_FALSE(h.Component("ta_store")["next_step"].is_null());
  // The text form says the same.
  const HealthRun text = Health("TORGHUT_DATA_DIR=" + broken.string(), "--stores");
  EXPECT_EQ(text.exit_code, 2);
  EXPECT_NE(text.out.find("overall: down"), std::string::npos) << text.out;
}

TEST_F(HealthProcessTest, ARoleThatDoesNotAnswerIsDownAndBadUsageIsOneLine) {
  const int port = testing::FreePort();
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  HealthRun h = Health("", "--json --ws " + url);
  EXPECT_EQ(h.exit_code, 2) << h.out;
  EXPECT_EQ(h.State("forwarder"), "down");
  EXPECT_NE(h.Field("forwarder", "next_step").find("is it running at " + url + "/status?"),
            std::string::npos)
      << h.out;
  for (const std::string bad : {"--url localhost:8080", "--ta ftp://x", "", "--bogus",
                                "--ws http://127.0.0.1:1/path", "--max-store-age-s 0 --stores"}) {
    h = Health("", bad);
    EXPECT_EQ(h.exit_code, 2) << bad;
    EXPECT_TRUE(h.out.empty()) << bad << ": " << h.out;
    EXPECT_EQ(testing::Lines(h.err).size(), 1u) << bad << ": " << h.err;
  }
  EXPECT_NE(Health("", "").err.find("nothing to check"), std::string::npos);
  // --help documents the thresholds and their defaults.
  h = Health("", "--help");
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("--max-store-age-s"), std::string::npos);
  EXPECT_NE(h.out.find("TA_MIN_FREE_DISK_PCT"), std::string::npos);
}

TEST_F(HealthProcessTest, APostgresTradingStoreUpThenStopped) {
  testing::PostgresTestServer pg(dir_.path() / "pg");
  ASSERT_TRUE(pg.Start());
  const std::string env = "TRADING_STORE=postgres DB_DSN='" + pg.dsn() +
                          "' TORGHUT_DATA_DIR=" + (dir_.path() / "data").string();
  const testing::CommandResult migrate = testing::RunCommand(
      "env " + env + " " + TORGHUT_BIN + " migrate --only trading", dir_.path());
  ASSERT_EQ(migrate.exit_code, 0) << migrate.err;
  HealthRun h = Health(env, "--json --stores");
  EXPECT_EQ(h.State("trading_store"), "ok") << h.out;
  EXPECT_NE(h.Field("trading_store", "detail").find("schema version"), std::string::npos);
  pg.Stop();
  h = Health(env, "--json --stores");
  EXPECT_EQ(h.exit_code, 2) << h.out;
  EXPECT_EQ(h.State("trading_store"), "down") << h.out;
  EXPECT_NE(h.Field("trading_store", "next_step").find("is Postgres running"), std::string::npos);
  EXPECT_EQ(h.out.find(pg.dsn()), std::string::npos) << "the DSN may hold a password";
}

// Separate roles on Kafka into ClickHouse: the forwarder and TA answering, the store fresh; a
// read-only replica; the server stopped.
TEST_F(HealthProcessTest, KafkaAndClickHouseHealthyReadOnlyReplicaAndServerStopped) {
  testing::MockClusterProcess cluster(TORGHUT_KAFKA_MOCK, "--brokers 1");
  const std::string topics[] = {"trades",  "quotes",     "bars",     "status",
                                "ta.bars", "ta.signals", "ta.status"};
  for (const std::string& t : topics) ASSERT_EQ(cluster.Command("topic h." + t + " 3"), "ok");
  testing::ClickHouseTestServer ch(dir_.path() / "clickhouse");
  ASSERT_TRUE(ch.Start()) << ch.log();
  const std::string bus_env =
      "BUS=kafka KAFKA_BOOTSTRAP_SERVERS=" + cluster.bootstrap() +
      " KAFKA_SESSION_TIMEOUT_MS=6000 KAFKA_HEARTBEAT_INTERVAL_MS=500"
      " TOPIC_TRADES=h.trades TOPIC_QUOTES=h.quotes TOPIC_BARS_1M=h.bars TOPIC_STATUS=h.status"
      " TA_MICROBARS_TOPIC=h.ta.bars TA_SIGNALS_TOPIC=h.ta.signals TA_STATUS_TOPIC=h.ta.status";
  const std::string store_env = "TA_STORE=clickhouse TA_CLICKHOUSE_URL=" + ch.url() +
                                " TA_CLICKHOUSE_DATABASE=torghut TA_CLICKHOUSE_TIMEOUT_MS=2000";
  const std::string sim = StartSim("--symbols AAPL,MSFT --rate 20");
  TaProcess ws(TORGHUT_BIN,
               bus_env + " TORGHUT_DATA_DIR=" + (dir_.path() / "ws").string() +
                   " ALPACA_STREAM_URL=ws://127.0.0.1:" + Port(sim) +
                   " ALPACA_DATA_URL=http://127.0.0.1:" + Port(sim) +
                   " ALPACA_KEY_ID=sim-key ALPACA_SECRET_KEY=" + kSecret + " SYMBOLS=AAPL,MSFT",
               dir_.path() / "ws.log", "ws");
  TaProcess ta(TORGHUT_BIN,
               bus_env + " " + store_env + " TORGHUT_DATA_DIR=" + (dir_.path() / "ta").string() +
                   " TA_AUTO_OFFSET_RESET=earliest TA_CLICKHOUSE_FLUSH_MS=200"
                   " TA_CHECKPOINT_INTERVAL_MS=2000 TA_WATERMARK_IDLE_TIMEOUT_MS=1500",
               dir_.path() / "ta.log", "ta");
  const std::string ws_base = testing::HttpBaseFromLog(dir_.path() / "ws.log", 0, 20s);
  const std::string ta_base = testing::HttpBaseFromLog(dir_.path() / "ta.log", 0, 20s);
  ASSERT_FALSE(ws_base.empty()) << testing::Tail(dir_.path() / "ws.log");
  ASSERT_FALSE(ta_base.empty()) << testing::Tail(dir_.path() / "ta.log");
  const std::string env = bus_env + " " + store_env;
  const std::string args = "--ws " + ws_base + " --ta " + ta_base;

  HealthRun h = HealthUntil(
      env, args, [](const HealthRun& r) { return r.exit_code == 0; }, 90s);
  ASSERT_EQ(h.exit_code, 0) << h.out << h.err << testing::Tail(dir_.path() / "ta.log");
  for (const char* name : {"forwarder", "bus", "ta", "ta_store", "disk", "replicas"}) {
    EXPECT_EQ(h.State(name), "ok") << name << ": " << h.out;
  }
  EXPECT_NE(h.Field("bus", "detail").find("kafka; torghut-ta-live: h.trades/0="), std::string::npos)
      << h.out;
  EXPECT_NE(h.Field("ta_store", "detail").find("clickhouse " + ch.url()), std::string::npos);
  EXPECT_NE(h.Field("replicas", "detail").find("no replicated tables"), std::string::npos) << h.out;

  // A replicated table attached on a server without ZooKeeper is read-only: named, with the
  // statement this server's version has.
  store::ClickHouseHttp client({.url = ch.url()});
  ASSERT_TRUE(client
                  .Query("ATTACH TABLE torghut.replicated_probe (d Date, x UInt64) ENGINE = "
                         "ReplicatedMergeTree('/clickhouse/tables/probe', 'r1', d, (x), 8192)")
                  .ok());
  const std::string version = client.Query("SELECT version()").value();
  h = Health(env, "--json " + args);
  EXPECT_EQ(h.exit_code, 1) << h.out;
  EXPECT_EQ(h.State("replicas"), "degraded") << h.out;
  EXPECT_NE(h.Field("replicas", "detail").find("torghut.replicated_probe"), std::string::npos)
      << h.out;
  const std::string statement = version.rfind("18.", 0) == 0
                                    ? "SYSTEM RESTART REPLICA torghut.replicated_probe"
                                    : "REPLICA torghut.replicated_probe";
  EXPECT_NE(h.Field("replicas", "next_step").find(statement), std::string::npos)
      << version << ": " << h.out;
  // The statement named is one this server accepts (18.16 has no RESTORE REPLICA: a syntax error).
  const std::string step = h.Field("replicas", "next_step");
  const size_t run = step.find("run: ");
  ASSERT_NE(run, std::string::npos) << step;
  EXPECT_TRUE(client.Query(step.substr(run + 5)).ok()) << step;
  ASSERT_TRUE(client.Query("DETACH TABLE torghut.replicated_probe").ok());

  // The server stopped: the store is down (exit 2), and says where it looked.
  ch.Stop();
  h = Health(env, "--json --timeout-ms 2000 " + args);
  EXPECT_EQ(h.exit_code, 2) << h.out;
  EXPECT_EQ(h.State("ta_store"), "down") << h.out;
  EXPECT_NE(h.Field("ta_store", "next_step").find("is ClickHouse running"), std::string::npos)
      << h.out;
  EXPECT_EQ(h.State("replicas"), "down") << h.out;
}

}  // namespace
}  // namespace torghut
