// `torghut ta` as processes on Kafka (the mock-cluster fixture, a separate process) into a real
// ClickHouse server: exactly-once under SIGKILL, a 30 s ClickHouse outage, and two processes
// sharing three partitions (one killed mid-run). Each test has its own topics and database; the
// reference is always an uninterrupted single process over the same topics.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>

#include "torghut/store/clickhouse/clickhouse_ta_store.h"
#include "torghut/testing/bus_test_support.h"
#include "torghut/testing/http_client.h"
#include "torghut/testing/kafka_mock_process.h"
#include "torghut/testing/store_servers.h"
#include "torghut/testing/ta_process_support.h"
#include "torghut/testing/test_support.h"

namespace torghut {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::CommandResult;
using testing::StoreRows;
using testing::TaProcess;

class TaKafkaClickHouseTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new testing::ScratchDirAt(fs::temp_directory_path() /
                                      ("torghut-ta-kafka-" + std::to_string(::getpid())));
    cluster_ = new testing::MockClusterProcess(TORGHUT_KAFKA_MOCK, "--brokers 1");
    clickhouse_ = new testing::ClickHouseTestServer(root_->path() / "clickhouse");
    ASSERT_TRUE(clickhouse_->Start()) << clickhouse_->log();
  }
  static void TearDownTestSuite() {
    delete clickhouse_;
    delete cluster_;
    delete root_;
  }

  void SetUp() override {
    name_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dir_ = root_->path() / name_;
    fs::create_directories(dir_);
    for (const char* t : {"trades", "quotes", "bars", "ta.bars", "ta.signals", "ta.status"}) {
      ASSERT_EQ(cluster_->Command("topic " + Topic(t) + " 3"), "ok");
    }
    bus_ =
        bus::kafka::KafkaBus::Open(bus::testing::TestKafkaOptions(cluster_->bootstrap())).value();
  }

  std::string Topic(const std::string& what) const { return name_ + "." + what; }
  std::vector<std::string> InputTopics() const {
    return {Topic("trades"), Topic("quotes"), Topic("bars")};
  }
  std::string BusEnv() const {
    return "BUS=kafka KAFKA_BOOTSTRAP_SERVERS=" + cluster_->bootstrap() +
           " KAFKA_SESSION_TIMEOUT_MS=6000 KAFKA_HEARTBEAT_INTERVAL_MS=500"
           " KAFKA_TOPIC_METADATA_REFRESH_INTERVAL_MS=1000"
           " TOPIC_TRADES=" +
           Topic("trades") + " TOPIC_QUOTES=" + Topic("quotes") +
           " TOPIC_BARS_1M=" + Topic("bars") + " TA_MICROBARS_TOPIC=" + Topic("ta.bars") +
           " TA_SIGNALS_TOPIC=" + Topic("ta.signals") + " TA_STATUS_TOPIC=" + Topic("ta.status");
  }
  // One TA process's environment: its group writes into database `db`.
  std::string Env(const std::string& group, const std::string& db) const {
    return BusEnv() + " TA_STORE=clickhouse TA_CLICKHOUSE_URL=" + clickhouse_->url() +
           " TA_CLICKHOUSE_DATABASE=" + db + " TA_CLICKHOUSE_TIMEOUT_MS=2000" +
           " TORGHUT_DATA_DIR=" + (dir_ / group).string() +
           " TA_CHECKPOINT_DIR=" + (dir_ / "checkpoints").string() + " TA_GROUP_ID=" + group +
           " TA_RETENTION_DAYS=36500 TA_WATERMARK_IDLE_TIMEOUT_MS=1500"
           " TA_CHECKPOINT_INTERVAL_MS=1000 TA_STATUS_INTERVAL_MS=300 TA_CLICKHOUSE_FLUSH_MS=200";
  }
  CommandResult Run(const std::string& cmd) {
    return testing::RunCommand(std::string(TORGHUT_BIN) + " " + cmd, dir_);
  }
  // Generates a file and produces it to this test's topics; returns the file.
  fs::path Publish(const std::string& file_name, const std::string& generate_flags) {
    const fs::path file = dir_ / file_name;
    CommandResult g = Run("sim generate " + generate_flags + " --out " + file.string());
    EXPECT_EQ(g.exit_code, 0) << g.err;
    CommandResult p = testing::RunCommand(
        "env " + BusEnv() + " " + TORGHUT_BIN + " sim publish --from-file " + file.string(), dir_);
    EXPECT_EQ(p.exit_code, 0) << p.err;
    return file;
  }
  testing::ExpectedRows Expected(const std::vector<fs::path>& files) {
    const fs::path joined = dir_ / "expected-input.jsonl";
    std::string cat = "cat";
    for (const auto& f : files) cat += " " + f.string();
    EXPECT_EQ(std::system((cat + " > " + joined.string()).c_str()), 0);
    CommandResult r = Run("replay --no-progress --from-file " + joined.string() + " --out " +
                          (dir_ / "expected").string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return testing::CountReplayOutput(dir_ / "expected");
  }
  std::unique_ptr<store::TaStore> Store(const std::string& db) {
    store::ClickHouseTaOptions o;
    o.http.url = clickhouse_->url();
    o.http.database = db;
    o.http.timeout_ms = 5000;
    return store::OpenClickHouseTaStore(o);
  }
  bool WaitComplete(const std::string& group, const std::string& db,
                    const testing::ExpectedRows& want, TaProcess* ta, StoreRows* rows) {
    auto store = Store(db);
    const auto deadline = std::chrono::steady_clock::now() + 600s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (ta != nullptr && ta->Exited()) return false;
      const testing::GroupPosition pos = testing::Position(*bus_, group, InputTopics());
      if (pos.ok && pos.partitions > 0 && pos.lag == 0 &&
          pos.partitions_committed == pos.partitions) {
        *rows = testing::DumpStore(*store);
        if (rows->ok && rows->provisional == 0 && rows->microbar_rows == want.microbars &&
            rows->signal_rows == want.signals) {
          return true;
        }
      }
      std::this_thread::sleep_for(250ms);  // poll period
    }
    return false;
  }
  // An uninterrupted single process over everything on this test's topics.
  StoreRows Reference(const testing::ExpectedRows& want) {
    TaProcess ta(TORGHUT_BIN, Env("reference", "reference_" + name_), Log("reference"));
    StoreRows rows;
    EXPECT_TRUE(WaitComplete("reference", "reference_" + name_, want, &ta, &rows))
        << testing::Tail(Log("reference"));
    ta.Signal(SIGTERM);
    EXPECT_EQ(ta.Wait(), 0) << testing::Tail(Log("reference"));
    return rows;
  }
  fs::path Log(const std::string& who) const { return dir_ / (who + ".log"); }
  bool LogSays(const std::string& who, const std::string& what, size_t times = 1) const {
    return testing::CountOccurrences(testing::Slurp(Log(who)), what) >= static_cast<int>(times);
  }

  static testing::ScratchDirAt* root_;
  static testing::MockClusterProcess* cluster_;
  static testing::ClickHouseTestServer* clickhouse_;
  std::string name_;
  fs::path dir_;
  std::unique_ptr<bus::Bus> bus_;
};

testing::ScratchDirAt* TaKafkaClickHouseTest::root_ = nullptr;
testing::MockClusterProcess* TaKafkaClickHouseTest::cluster_ = nullptr;
testing::ClickHouseTestServer* TaKafkaClickHouseTest::clickhouse_ = nullptr;

constexpr const char* kSymbols = "--symbols AAPL,MSFT,NVDA,TSLA,AMZN,GOOG";

// Sized for the mock cluster's ~5 MiB per partition: ~36 k trades and ~18 k quotes.
TEST_F(TaKafkaClickHouseTest, ExactlyOnceUnderSigkill) {
  const fs::path file = Publish("in.jsonl", std::string(kSymbols) +
                                                " --rate 10 --quotes-per-trade 0.5 --seconds 600 "
                                                "--seed 21");
  const testing::ExpectedRows want = Expected({file});
  const StoreRows reference = Reference(want);
  ASSERT_EQ(reference.microbar_rows, want.microbars);

  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> delay_ms(300, 3000);
  for (int kill = 0; kill < 10; ++kill) {
    TaProcess ta(TORGHUT_BIN, Env("chaos", "chaos"), Log("chaos"));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));  // a random moment
    ta.Signal(SIGKILL);
    EXPECT_EQ(ta.Wait(), 128 + SIGKILL);
  }
  TaProcess ta(TORGHUT_BIN, Env("chaos", "chaos"), Log("chaos"));
  StoreRows chaos;
  ASSERT_TRUE(WaitComplete("chaos", "chaos", want, &ta, &chaos)) << testing::Tail(Log("chaos"));
  ta.Signal(SIGTERM);
  EXPECT_EQ(ta.Wait(), 0);
  EXPECT_EQ(testing::FirstDifference(chaos.microbars, reference.microbars), "") << "microbars";
  EXPECT_EQ(testing::FirstDifference(chaos.signals, reference.signals), "") << "signals";
}

// ClickHouse stopped for 30 s while input keeps arriving: degraded (with the reason), no crash,
// nothing committed past what is stored, and identical final rows once it is back.
TEST_F(TaKafkaClickHouseTest, ClickHouseOutageDegradesAndLosesNothing) {
  const fs::path first = Publish("first.jsonl", std::string(kSymbols) + " --seconds 300 --seed 3");
  TaProcess ta(TORGHUT_BIN, Env("outage", "outage"), Log("outage"));
  StoreRows rows;
  ASSERT_TRUE(WaitComplete("outage", "outage", Expected({first}), &ta, &rows))
      << testing::Tail(Log("outage"));
  const testing::GroupPosition before = testing::Position(*bus_, "outage", InputTopics());

  clickhouse_->Stop();
  const auto outage_start = std::chrono::steady_clock::now();
  // Frozen while the input is published: Kafka orders nothing across topics, so a reader racing
  // the publisher could see a trade before the quote that precedes it, and the rows would
  // legitimately differ from the replay of the file they are compared with.
  ta.Signal(SIGSTOP);
  const fs::path second =
      Publish("second.jsonl",
              std::string(kSymbols) + " --seconds 300 --seed 4 --start 2024-01-02T14:40:00Z");
  ta.Signal(SIGCONT);
  const auto beats = testing::ReadHeartbeats(*bus_, Topic("ta.status"), "outage", 1000, 10s);
  bool degraded = false;
  for (const auto& b : beats) {
    if (b["health"] == "degraded" &&
        b["reason"].get<std::string>().rfind("store_unavailable", 0) == 0) {
      degraded = true;
    }
  }
  EXPECT_TRUE(degraded) << testing::Tail(Log("outage"));
  // The probes say so too: not ready, with the reason; still alive.
  const std::string base = testing::HttpBaseFromLog(Log("outage"), 0, 10s);
  testing::HttpClient client;
  const testing::HttpResult ready = client.Get(base + "/readyz");
  EXPECT_EQ(ready.status, 503) << ready.body;
  const auto why = nlohmann::json::parse(ready.body, nullptr, false);
  EXPECT_EQ(why["status"], "degraded") << ready.body;
  EXPECT_EQ(why["reason"].get<std::string>().rfind("store_unavailable", 0), 0u) << ready.body;
  EXPECT_EQ(client.Get(base + "/healthz").status, 200);
  EXPECT_NE(client.Get(base + "/metrics").body.find("torghut_ta_degraded 1\n"), std::string::npos);
  std::this_thread::sleep_until(outage_start + 30s);  // the outage lasts 30 s
  EXPECT_FALSE(ta.Exited()) << testing::Tail(Log("outage"));
  // Nothing new could be stored, so nothing new was committed.
  EXPECT_EQ(testing::Position(*bus_, "outage", InputTopics()).committed, before.committed);
  ASSERT_TRUE(clickhouse_->Start()) << clickhouse_->log();

  const testing::ExpectedRows want = Expected({first, second});
  ASSERT_TRUE(WaitComplete("outage", "outage", want, &ta, &rows)) << testing::Tail(Log("outage"));
  EXPECT_EQ(client.Get(base + "/readyz").status, 200);
  ta.Signal(SIGTERM);
  EXPECT_EQ(ta.Wait(), 0);
  EXPECT_TRUE(LogSays("outage", "\"msg\":\"recovered\""));
  const StoreRows reference = Reference(want);
  EXPECT_EQ(testing::FirstDifference(rows.microbars, reference.microbars), "") << "microbars";
  EXPECT_EQ(testing::FirstDifference(rows.signals, reference.signals), "") << "signals";
}

// Two processes in one group share three partitions and produce the rows one process does; when
// one is killed, the other takes its partitions (from its checkpoints) without loss.
TEST_F(TaKafkaClickHouseTest, TwoProcessesShareThePartitionsAndHandOverOnAKill) {
  const fs::path first = Publish("first.jsonl", std::string(kSymbols) + " --seconds 300 --seed 5");
  TaProcess a(TORGHUT_BIN, Env("shared", "shared"), Log("a"));
  TaProcess b(TORGHUT_BIN, Env("shared", "shared"), Log("b"));
  StoreRows rows;
  ASSERT_TRUE(WaitComplete("shared", "shared", Expected({first}), &a, &rows))
      << testing::Tail(Log("a")) << testing::Tail(Log("b"));
  // Both take part (range assignment over 3 partitions: 2 + 1) — on a loaded machine the second
  // may join only after the first has done everything, so wait for its assignment.
  EXPECT_TRUE(testing::WaitFor(
      [&] { return LogSays("a", "partition assigned") && LogSays("b", "partition assigned"); },
      60s))
      << testing::Tail(Log("a")) << testing::Tail(Log("b"));
  b.Signal(SIGKILL);
  EXPECT_EQ(b.Wait(), 128 + SIGKILL);

  a.Signal(SIGSTOP);  // not reading while the input is published (see the outage test)
  const fs::path second =
      Publish("second.jsonl",
              std::string(kSymbols) + " --seconds 300 --seed 6 --start 2024-01-02T14:40:00Z");
  a.Signal(SIGCONT);
  const testing::ExpectedRows want = Expected({first, second});
  ASSERT_TRUE(WaitComplete("shared", "shared", want, &a, &rows)) << testing::Tail(Log("a"));
  a.Signal(SIGTERM);
  EXPECT_EQ(a.Wait(), 0);
  const StoreRows reference = Reference(want);
  EXPECT_EQ(testing::FirstDifference(rows.microbars, reference.microbars), "") << "microbars";
  EXPECT_EQ(testing::FirstDifference(rows.signals, reference.signals), "") << "signals";
}

}  // namespace
}  // namespace torghut
