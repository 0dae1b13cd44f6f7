// ClickHouse replication with real servers: a ZooKeeper and two ClickHouse servers on loopback
// configured as one cluster of two replicas. `torghut migrate` with TA_CLICKHOUSE_CLUSTER creates
// the Replicated tables on both; a `torghut ta` writing to replica 1 is `store_readonly` while the
// keeper is gone (back-pressure: it keeps running, commits nothing past what it wrote; one
// restarted then waits the same way), `torghut health` names the read-only tables, and once the
// keeper is back the rows on replica 2 are byte-identical to a file replay of the same input.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "torghut/bus/embedded/embedded_bus.h"
#include "torghut/store/clickhouse/clickhouse_http.h"
#include "torghut/store/store_config.h"
#include "torghut/testing/http_client.h"
#include "torghut/testing/store_servers.h"
#include "torghut/testing/ta_process_support.h"
#include "torghut/testing/test_support.h"
#include "torghut/testing/zookeeper_test_server.h"

namespace torghut {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::CommandResult;
using testing::TaProcess;
using testing::WaitFor;

constexpr char kCluster[] = "torghut_replicas";

class ClickHouseReplicasTest : public ::testing::Test {
 protected:
  ClickHouseReplicasTest()
      : dir_("torghut-replicas"),
        zk_(dir_.path() / "zk"),
        ch1_(dir_.path() / "ch1"),
        ch2_(dir_.path() / "ch2") {}

  // The cluster (both replicas in one shard), the keeper and this server's macros.
  std::string ClusterConfig(const std::string& replica) const {
    auto server = [](int tcp) {
      return "<replica><host>127.0.0.1</host><port>" + std::to_string(tcp) + "</port></replica>";
    };
    return std::string("<remote_servers><") + kCluster +
           "><shard><internal_replication>true</internal_replication>" + server(ch1_.tcp_port()) +
           server(ch2_.tcp_port()) + "</shard></" + kCluster +
           "></remote_servers>"
           "<zookeeper><node index=\"1\"><host>127.0.0.1</host><port>" +
           std::to_string(zk_.port()) +
           "</port></node><session_timeout_ms>3000</session_timeout_ms></zookeeper>"
           "<macros><shard>01</shard><replica>" +
           replica + "</replica></macros>";
  }

  void SetUp() override {
    ASSERT_TRUE(zk_.Start()) << zk_.log();
    ch1_.set_extra_config(ClusterConfig("r1"));
    ch2_.set_extra_config(ClusterConfig("r2"));
    ASSERT_TRUE(ch1_.Start()) << ch1_.log();
    ASSERT_TRUE(ch2_.Start()) << ch2_.log();
  }
  // Servers stop in the destructors (also when an assertion failed), the keeper last.

  std::string StoreEnv(const testing::ClickHouseTestServer& ch) const {
    return std::string("TA_STORE=clickhouse TA_CLICKHOUSE_URL=") + ch.url() +
           " TA_CLICKHOUSE_DATABASE=torghut TA_CLICKHOUSE_CLUSTER=" + kCluster +
           " TA_CLICKHOUSE_TIMEOUT_MS=5000";
  }
  fs::path bus_dir() const { return dir_.path() / "bus"; }
  CommandResult Run(const std::string& cmd) {
    return testing::RunCommand(std::string(TORGHUT_BIN) + " " + cmd, dir_.path());
  }
  CommandResult RunEnv(const std::string& env, const std::string& cmd) {
    return testing::RunCommand("env " + env + " " + TORGHUT_BIN + " " + cmd, dir_.path());
  }
  std::string Query(const testing::ClickHouseTestServer& ch, const std::string& sql) {
    store::ClickHouseHttp client({.url = ch.url(), .timeout_ms = 5000});
    auto r = client.Query(sql);
    return r.ok() ? *r : "error: " + r.status().ToString();
  }
  std::unique_ptr<store::TaStore> Store(const testing::ClickHouseTestServer& ch) {
    store::StoreConfig c;
    c.data_dir = dir_.path() / "reader";
    c.ta_backend = "clickhouse";
    c.clickhouse.http.url = ch.url();
    c.clickhouse.http.database = "torghut";
    c.clickhouse.cluster = kCluster;
    return store::OpenTaStore(c).value();
  }
  static std::vector<std::string> SortedLines(const std::string& text) {
    std::vector<std::string> lines = testing::Lines(text);
    std::sort(lines.begin(), lines.end());
    return lines;
  }

  testing::ScratchDir dir_;
  testing::ZooKeeperTestServer zk_;
  testing::ClickHouseTestServer ch1_, ch2_;
};

TEST_F(ClickHouseReplicasTest, MigrateReplicatesAndAReadOnlyReplicaIsBackPressureWithoutLoss) {
  // migrate on replica 1 creates the Replicated tables ON CLUSTER: both replicas have them.
  CommandResult m = RunEnv(StoreEnv(ch1_), "migrate");
  ASSERT_EQ(m.exit_code, 0) << m.out << m.err << ch1_.log();
  for (auto [ch, replica] : {std::pair{&ch1_, "r1"}, std::pair{&ch2_, "r2"}}) {
    EXPECT_EQ(Query(*ch,
                    "SELECT table, zookeeper_path, replica_name, is_readonly FROM system.replicas "
                    "WHERE database = 'torghut' ORDER BY table FORMAT TSV"),
              std::string("schema_migrations\t/clickhouse/tables/01/torghut/schema_migrations\t") +
                  replica + "\t0\nta_microbars\t/clickhouse/tables/01/torghut/ta_microbars\t" +
                  replica + "\t0\nta_signals\t/clickhouse/tables/01/torghut/ta_signals\t" +
                  replica + "\t0\n")
        << ch->url();
    for (const char* table : {"ta_microbars", "ta_signals"}) {
      const std::string create = Query(*ch, std::string("SHOW CREATE TABLE torghut.") + table);
      EXPECT_NE(create.find("ENGINE = ReplicatedReplacingMergeTree(\\'/clickhouse/tables/{shard}/"
                            "torghut/" +
                            std::string(table) + "\\', \\'{replica}\\', version)"),
                std::string::npos)
          << create;
    }
  }
  // The schema version migrate wrote on replica 1 is read on replica 2.
  EXPECT_TRUE(WaitFor(
      [&] {
        return Query(ch2_,
                     "SELECT max(version) FROM torghut.schema_migrations WHERE component = "
                     "'ta'") == "1\n";
      },
      30s))
      << Query(ch2_, "SELECT * FROM torghut.schema_migrations");

  // The input in two chunks; a long idle timeout (a processing-time rule must not fire between
  // chunks) and a closing trade per symbol an hour later push every watermark past the data.
  const fs::path file = dir_.path() / "all.jsonl";
  CommandResult g =
      Run("sim generate --symbols AAPL,MSFT,NVDA --seconds 120 --seed 7 --quotes-per-trade 0.5 "
          "--out " +
          file.string());
  ASSERT_EQ(g.exit_code, 0) << g.err;
  std::vector<std::string> lines = testing::Lines(testing::Slurp(file));
  for (const char* sym : {"AAPL", "MSFT", "NVDA"}) {
    lines.push_back(std::string("{\"T\":\"t\",\"S\":\"") + sym +
                    "\",\"i\":999999999,\"x\":\"V\",\"p\":100,\"s\":1,"
                    "\"t\":\"2024-01-02T15:40:00Z\",\"z\":\"C\"}");
  }
  std::vector<fs::path> chunks;
  for (int c = 0; c < 2; ++c) {
    const size_t from = lines.size() * c / 2, to = lines.size() * (c + 1) / 2;
    chunks.push_back(dir_.path() / ("chunk-" + std::to_string(c) + ".jsonl"));
    std::string text;
    for (size_t i = from; i < to; ++i) text += lines[i] + "\n";
    testing::WriteFile(chunks.back(), text);
  }
  auto publish = [&](const fs::path& chunk) {
    CommandResult p =
        RunEnv("BUS_DIR=" + bus_dir().string(), "sim publish --from-file " + chunk.string());
    ASSERT_EQ(p.exit_code, 0) << p.err;
  };
  bus::EmbeddedOptions bo;
  bo.dir = bus_dir().string();
  publish(chunks[0]);
  auto bus = bus::embedded::EmbeddedBus::Open(bo).value();
  auto caught_up = [&] {
    const testing::GroupPosition pos = testing::Position(*bus, "ta-replicas");
    return pos.ok && pos.partitions > 0 && pos.lag == 0 &&
           pos.partitions_committed == pos.partitions;
  };

  // `torghut ta` writing to replica 1; its log and HTTP base.
  fs::path log;
  std::string base;
  auto start_ta = [&](const std::string& name) {
    log = dir_.path() / (name + ".log");
    auto p = std::make_unique<TaProcess>(
        TORGHUT_BIN,
        StoreEnv(ch1_) + " BUS_DIR=" + bus_dir().string() +
            " TORGHUT_DATA_DIR=" + (dir_.path() / "ta").string() +
            " TA_GROUP_ID=ta-replicas TA_CHECKPOINT_DIR=" + (dir_.path() / "checkpoints").string() +
            " TA_RETENTION_DAYS=36500 TA_WATERMARK_IDLE_TIMEOUT_MS=3600000"
            " TA_CHECKPOINT_INTERVAL_MS=1000 TA_STATUS_INTERVAL_MS=300"
            " TA_CLICKHOUSE_FLUSH_MS=200",
        log);
    base = testing::HttpBaseFromLog(log, 0, 30s);
    return p;
  };
  auto ta = start_ta("ta");
  ASSERT_FALSE(base.empty()) << testing::Tail(log);
  ASSERT_TRUE(WaitFor(caught_up, 60s)) << testing::Tail(log);
  testing::HttpClient client;
  auto status = [&] {
    const auto j = nlohmann::json::parse(client.Get(base + "/status").body, nullptr, false);
    return j.is_object() ? j : nlohmann::json::object();
  };

  // The keeper crashes: both replicas turn read-only once their sessions expire.
  zk_.Stop();
  ASSERT_TRUE(WaitFor(
      [&] {
        return Query(ch1_,
                     "SELECT min(is_readonly) FROM system.replicas WHERE database = "
                     "'torghut'") == "1\n";
      },
      30s))
      << Query(ch1_, "SELECT table, is_readonly FROM system.replicas FORMAT TSV");
  // ClickHouse's own words for a write there (what TA turns into store_readonly).
  const std::string refused =
      Query(ch1_,
            "INSERT INTO torghut.schema_migrations (component, version, description) VALUES "
            "('probe', 9, 'probe')");
  EXPECT_NE(refused.find("TABLE_IS_READ_ONLY"), std::string::npos) << refused;
  EXPECT_NE(refused.find("Table is in readonly mode"), std::string::npos) << refused;

  const testing::GroupPosition before = testing::Position(*bus, "ta-replicas");
  ta->Signal(SIGSTOP);  // the bus orders nothing across topics: no reading while publishing
  publish(chunks[1]);
  ta->Signal(SIGCONT);
  nlohmann::json s;
  ASSERT_TRUE(WaitFor(
      [&] {
        s = status();
        return s.value("health", "") == "degraded" &&
               s.value("reason", "").rfind("store_readonly: ", 0) == 0;
      },
      30s))
      << s.dump() << testing::Tail(log);
  EXPECT_EQ(s.value("state", ""), "running") << s.dump();
  // Back-pressure: the input is there, nothing past what was written is committed.
  const testing::GroupPosition during = testing::Position(*bus, "ta-replicas");
  EXPECT_EQ(during.committed, before.committed);
  EXPECT_GT(during.lag, 0);
  EXPECT_FALSE(ta->Exited()) << testing::Tail(log);

  // health names the read-only tables and exits 1.
  CommandResult h =
      RunEnv(StoreEnv(ch1_) + " BUS_DIR=" + bus_dir().string(), "health --json --ta " + base);
  EXPECT_EQ(h.exit_code, 1) << h.out << h.err;
  const auto report = nlohmann::json::parse(h.out, nullptr, false);
  nlohmann::json replicas = nlohmann::json::object();
  if (report.is_object()) {
    for (const auto& c : report["components"]) {
      if (c["name"] == "replicas") replicas = c;
    }
  }
  EXPECT_EQ(replicas.value("state", ""), "degraded") << h.out;
  for (const char* table : {"torghut.ta_microbars", "torghut.ta_signals"}) {
    EXPECT_NE(replicas.value("detail", "").find(table), std::string::npos) << h.out;
  }
  EXPECT_EQ(testing::Position(*bus, "ta-replicas").committed, before.committed);

  // A `ta` (re)started during the outage waits the same way (its startup runs no DDL, which ON
  // CLUSTER would need the keeper for) instead of exiting.
  ta->Signal(SIGKILL);
  EXPECT_EQ(ta->Wait(), 128 + SIGKILL);
  ta = start_ta("ta-restarted");
  ASSERT_FALSE(base.empty()) << testing::Tail(log);
  ASSERT_TRUE(WaitFor(
      [&] {
        s = status();
        return ta->Exited() || s.value("reason", "").rfind("store_readonly: ", 0) == 0;
      },
      30s))
      << s.dump() << testing::Tail(log);
  EXPECT_FALSE(ta->Exited()) << testing::Tail(log);
  EXPECT_EQ(s.value("state", ""), "running") << s.dump();
  EXPECT_EQ(testing::Position(*bus, "ta-replicas").committed, before.committed);

  // The keeper is back: the replicas leave read-only mode and TA resumes by itself.
  ASSERT_TRUE(zk_.Start()) << zk_.log();
  ASSERT_TRUE(WaitFor(caught_up, 90s)) << status().dump() << testing::Tail(log);
  EXPECT_TRUE(WaitFor([&] { return status().value("health", "") == "ok"; }, 30s))
      << status().dump();
  EXPECT_GT(testing::Position(*bus, "ta-replicas").committed, before.committed);
  // health's replicas line is ok again.
  EXPECT_TRUE(WaitFor(
      [&] {
        h = RunEnv(StoreEnv(ch1_) + " BUS_DIR=" + bus_dir().string(), "health --json --ta " + base);
        const auto j = nlohmann::json::parse(h.out, nullptr, false);
        if (!j.is_object()) return false;
        for (const auto& c : j["components"]) {
          if (c["name"] == "replicas") return c.value("state", "") == "ok";
        }
        return false;
      },
      30s))
      << h.out;

  // The rows, read on replica 2, are a file replay's of the same input (the bars of the closing
  // trades' minute stay open in both and are left out).
  std::string envelopes;
  for (const char* topic : {"torghut.trades.v1", "torghut.quotes.v1", "torghut.bars.1m.v1"}) {
    CommandResult d = RunEnv("BUS_DIR=" + bus_dir().string(),
                             std::string("bus dump --from-beginning --topic ") + topic);
    ASSERT_EQ(d.exit_code, 0) << d.err;
    envelopes += d.out;
  }
  testing::WriteFile(dir_.path() / "envelopes.jsonl", envelopes);
  CommandResult r =
      Run("replay --no-progress --from-file " + (dir_.path() / "envelopes.jsonl").string() +
          " --out " + (dir_.path() / "replay-out").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto before_close = [](const std::vector<std::string>& rows) {
    std::vector<std::string> out;
    for (const std::string& row : rows) {
      if (row.find("\"event_ts\":\"2024-01-02T15:") == std::string::npos) out.push_back(row);
    }
    return out;
  };
  const auto want_bars =
      before_close(SortedLines(testing::Slurp(dir_.path() / "replay-out/microbars.jsonl")));
  const auto want_signals =
      before_close(SortedLines(testing::Slurp(dir_.path() / "replay-out/signals.jsonl")));
  ASSERT_GT(want_bars.size(), 300u);
  auto replica2 = Store(ch2_);
  std::vector<std::string> got_bars, got_signals;
  EXPECT_TRUE(WaitFor(
      [&] {
        const testing::StoreRows rows = testing::DumpStore(*replica2);
        got_bars = before_close(SortedLines(rows.microbars));
        got_signals = before_close(SortedLines(rows.signals));
        return rows.ok && got_bars == want_bars && got_signals == want_signals;
      },
      60s))
      << got_bars.size() << " of " << want_bars.size() << " microbars, " << got_signals.size()
      << " of " << want_signals.size() << " signals";

  ta->Signal(SIGTERM);
  EXPECT_EQ(ta->Wait(), 0) << testing::Tail(log);
}

}  // namespace
}  // namespace torghut
