// `torghut ta` with its checkpoints in an S3 bucket (s3rver on loopback, SigV4 verified): two
// processes on different machines' worth of local state (separate TORGHUT_DATA_DIRs) hand
// partitions to each other through the bucket alone; a wrong key and an endpoint that goes away
// are reported and lose nothing; a malformed s3:// setting is one clear line and exit 2.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "torghut/object_store/s3_object_store.h"
#include "torghut/store/clickhouse/clickhouse_ta_store.h"
#include "torghut/testing/http_client.h"
#include "torghut/testing/s3_test_server.h"
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

class TaS3ProcessTest : public ::testing::Test {
 protected:
  TaS3ProcessTest() : dir_("torghut-ta-s3"), s3_(dir_.path() / "s3") {}
  void SetUp() override { ASSERT_TRUE(s3_.Start()) << s3_.log(); }

  fs::path bus_dir() const { return dir_.path() / "bus"; }
  // A process's environment: its own data directory, the shared bus, checkpoints in the bucket.
  std::string Env(const std::string& data, const std::string& group,
                  const std::string& s3_env) const {
    return "BUS_DIR=" + bus_dir().string() + " TORGHUT_DATA_DIR=" + (dir_.path() / data).string() +
           " TA_GROUP_ID=" + group + " " + s3_env +
           // The generated data is from 2024: keep it.
           " TA_RETENTION_DAYS=36500"
           " TA_WATERMARK_IDLE_TIMEOUT_MS=1500 TA_CHECKPOINT_INTERVAL_MS=1000"
           " TA_STATUS_INTERVAL_MS=300 TA_CLICKHOUSE_FLUSH_MS=200";
  }
  CommandResult Run(const std::string& cmd) {
    return testing::RunCommand(std::string(TORGHUT_BIN) + " " + cmd, dir_.path());
  }
  CommandResult RunEnv(const std::string& env, const std::string& cmd) {
    return testing::RunCommand("env " + env + " " + TORGHUT_BIN + " " + cmd, dir_.path());
  }
  void Publish(const fs::path& file) {
    CommandResult p =
        RunEnv("BUS_DIR=" + bus_dir().string(), "sim publish --from-file " + file.string());
    ASSERT_EQ(p.exit_code, 0) << p.err;
  }
  std::unique_ptr<bus::Bus> Bus() {
    bus::EmbeddedOptions o;
    o.dir = bus_dir().string();
    return bus::embedded::EmbeddedBus::Open(o).value();
  }
  // The final rows of a file replay of what is on the input topics (sorted lines).
  struct ReplayRows {
    std::vector<std::string> microbars, signals;
  };
  ReplayRows ReplayOfInputTopics() {
    const fs::path envelopes = dir_.path() / "envelopes.jsonl";
    std::string all;
    for (const char* topic : {"torghut.trades.v1", "torghut.quotes.v1", "torghut.bars.1m.v1"}) {
      CommandResult d = RunEnv("BUS_DIR=" + bus_dir().string(),
                               std::string("bus dump --from-beginning --topic ") + topic);
      EXPECT_EQ(d.exit_code, 0) << d.err;
      all += d.out;
    }
    testing::WriteFile(envelopes, all);
    const fs::path out = dir_.path() / "replay-out";
    CommandResult r =
        Run("replay --no-progress --from-file " + envelopes.string() + " --out " + out.string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return {Sorted(testing::Lines(testing::Slurp(out / "microbars.jsonl"))),
            Sorted(testing::Lines(testing::Slurp(out / "signals.jsonl")))};
  }
  static std::vector<std::string> Sorted(std::vector<std::string> lines) {
    std::sort(lines.begin(), lines.end());
    return lines;
  }
  static std::string Join(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& l : lines) out += l + "\n";
    return out;
  }
  // Keys under the bucket prefix (what the processes wrote there).
  std::vector<std::string> Objects(const std::string& prefix, const std::string& under) {
    object_store::S3ObjectStore store(s3_.Config(prefix));
    std::vector<std::string> out;
    for (const auto& o : store.List(under).value()) out.push_back(o.key);
    return out;
  }
  bool HasLocalCheckpoints(const std::string& data) const {
    return fs::exists(dir_.path() / data / "checkpoints");
  }

  testing::ScratchDir dir_;
  testing::S3TestServer s3_;
};

// Two `ta` processes of one group, each with its own data directory, sharing only the bus, the
// TA store (ClickHouse) and an s3:// checkpoint location. One is SIGKILLed and restarted while
// input keeps arriving, so partitions move back and forth through revocation checkpoints in the
// bucket; the final rows are byte-identical to a file replay of the same input.
TEST_F(TaS3ProcessTest, PartitionsMoveBetweenTwoMachinesThroughTheBucket) {
  testing::ClickHouseTestServer clickhouse(dir_.path() / "clickhouse");
  ASSERT_TRUE(clickhouse.Start()) << clickhouse.log();
  // The idle rule must not fire between chunks (a processing-time rule), hence a long idle
  // timeout, and a closing trade per symbol an hour later pushes every watermark past the data.
  const fs::path file = dir_.path() / "all.jsonl";
  CommandResult g =
      Run("sim generate --symbols AAPL,MSFT,NVDA,TSLA --seconds 120 --seed 34 "
          "--quotes-per-trade 0.5 --late-share 0.05 --out " +
          file.string());
  ASSERT_EQ(g.exit_code, 0) << g.err;
  std::vector<std::string> lines = testing::Lines(testing::Slurp(file));
  for (const char* sym : {"AAPL", "MSFT", "NVDA", "TSLA"}) {
    lines.push_back(std::string("{\"T\":\"t\",\"S\":\"") + sym +
                    "\",\"i\":999999999,\"x\":\"V\",\"p\":100,\"s\":1,"
                    "\"t\":\"2024-01-02T15:40:00Z\",\"z\":\"C\"}");
  }
  constexpr int kChunks = 3;
  std::vector<fs::path> chunks;
  for (int c = 0; c < kChunks; ++c) {
    const size_t from = lines.size() * c / kChunks, to = lines.size() * (c + 1) / kChunks;
    chunks.push_back(dir_.path() / ("chunk-" + std::to_string(c) + ".jsonl"));
    std::string text;
    for (size_t i = from; i < to; ++i) text += lines[i] + "\n";
    testing::WriteFile(chunks.back(), text);
  }
  const std::string store_env =
      " TA_STORE=clickhouse TA_CLICKHOUSE_URL=" + clickhouse.url() +
      " TA_CLICKHOUSE_DATABASE=ta_s3 TA_WATERMARK_IDLE_TIMEOUT_MS=3600000";
  const std::string env_a = Env("machine-a", "ta-s3", s3_.Env("shared/ckpt")) + store_env;
  const std::string env_b = Env("machine-b", "ta-s3", s3_.Env("shared/ckpt")) + store_env;
  auto bus = Bus();
  auto caught_up = [&] {
    const testing::GroupPosition pos = testing::Position(*bus, "ta-s3");
    return pos.ok && pos.partitions > 0 && pos.lag == 0 &&
           pos.partitions_committed == pos.partitions;
  };
  Publish(chunks[0]);
  auto a = std::make_unique<TaProcess>(TORGHUT_BIN, env_a, dir_.path() / "a.log");
  TaProcess b(TORGHUT_BIN, env_b, dir_.path() / "b.log");
  testing::HttpClient client;
  auto owned = [&](const char* log, size_t from) -> int {
    const std::string base = testing::HttpBaseFromLog(dir_.path() / log, from, 100ms);
    if (base.empty()) return -1;
    const auto j = nlohmann::json::parse(client.Get(base + "/status").body, nullptr, false);
    return j.is_object() && j["state"] == "running" ? static_cast<int>(j["partitions"].size()) : -1;
  };
  for (int c = 1; c < kChunks; ++c) {
    ASSERT_TRUE(testing::WaitFor(caught_up, 120s))
        << testing::Tail(dir_.path() / "a.log") << testing::Tail(dir_.path() / "b.log");
    // Kill one member: the other takes all partitions, from the checkpoints in the bucket.
    a->Signal(SIGKILL);
    EXPECT_EQ(a->Wait(), 128 + SIGKILL);
    ASSERT_TRUE(testing::WaitFor([&] { return owned("b.log", 0) == 3; }, 120s))
        << testing::Tail(dir_.path() / "b.log");
    ASSERT_TRUE(testing::WaitFor(caught_up, 120s)) << testing::Tail(dir_.path() / "b.log");
    // Its restart takes some back, through the survivor's revocation checkpoints.
    const size_t a_log = testing::Slurp(dir_.path() / "a.log").size();
    a = std::make_unique<TaProcess>(TORGHUT_BIN, env_a, dir_.path() / "a.log");
    ASSERT_TRUE(testing::WaitFor(
        [&] {
          const int in_a = owned("a.log", a_log);
          return in_a > 0 && in_a + owned("b.log", 0) == 3;
        },
        120s))
        << testing::Tail(dir_.path() / "a.log") << testing::Tail(dir_.path() / "b.log");
    // Neither reads while a chunk is being published: the bus orders nothing across topics.
    a->Signal(SIGSTOP);
    b.Signal(SIGSTOP);
    Publish(chunks[static_cast<size_t>(c)]);
    a->Signal(SIGCONT);
    b.Signal(SIGCONT);
  }
  ASSERT_TRUE(testing::WaitFor(caught_up, 120s))
      << testing::Tail(dir_.path() / "a.log") << testing::Tail(dir_.path() / "b.log");
  EXPECT_GE(testing::CountOccurrences(testing::Slurp(dir_.path() / "b.log"), "partitions revoked"),
            kChunks - 1);
  // State went through the bucket only: restored from checkpoints there, none on local disk.
  EXPECT_NE(testing::Slurp(dir_.path() / "a.log").find("\"from\":\"checkpoint\""),
            std::string::npos);
  EXPECT_FALSE(HasLocalCheckpoints("machine-a"));
  EXPECT_FALSE(HasLocalCheckpoints("machine-b"));
  for (int p = 0; p < 3; ++p) {
    EXPECT_FALSE(
        Objects("shared/ckpt", "groups/ta-s3/partition-" + std::to_string(p) + "/").empty())
        << p;
  }

  const ReplayRows replay = ReplayOfInputTopics();
  auto before_close = [](const std::vector<std::string>& rows) {
    std::vector<std::string> out;
    for (const std::string& r : rows) {
      if (r.find("\"event_ts\":\"2024-01-02T15:") == std::string::npos) out.push_back(r);
    }
    return out;
  };
  const std::vector<std::string> want_bars = before_close(replay.microbars);
  const std::vector<std::string> want_signals = before_close(replay.signals);
  ASSERT_GT(want_bars.size(), 300u);
  store::ClickHouseTaOptions o;
  o.http.url = clickhouse.url();
  o.http.database = "ta_s3";
  o.http.timeout_ms = 5000;
  auto store = store::OpenClickHouseTaStore(o);
  std::vector<std::string> got_bars, got_signals;
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        const StoreRows rows = testing::DumpStore(*store);
        got_bars = before_close(Sorted(testing::Lines(rows.microbars)));
        got_signals = before_close(Sorted(testing::Lines(rows.signals)));
        return got_bars == want_bars && got_signals == want_signals;
      },
      60s));
  EXPECT_EQ(testing::FirstDifference(Join(got_bars), Join(want_bars)), "") << "microbars";
  EXPECT_EQ(testing::FirstDifference(Join(got_signals), Join(want_signals)), "") << "signals";
  a->Signal(SIGTERM);
  b.Signal(SIGTERM);
  EXPECT_EQ(a->Wait(), 0);
  EXPECT_EQ(b.Wait(), 0);
}

// A wrong secret: `ta` stays up, says checkpoint_auth in /status, /readyz and its log, consumes
// and commits nothing, writes no checkpoint. Restarted with the right key it produces exactly the
// rows of a clean run (a file replay of the same input).
TEST_F(TaS3ProcessTest, AWrongKeyIsReportedAndLosesNothing) {
  const fs::path file = dir_.path() / "in.jsonl";
  CommandResult g =
      Run("sim generate --symbols AAPL,MSFT,NVDA --seconds 120 --seed 35 --quotes-per-trade 0.5 "
          "--out " +
          file.string());
  ASSERT_EQ(g.exit_code, 0) << g.err;
  Publish(file);
  const std::string wrong_secret = "wrong-secret-0123456789";
  const fs::path log = dir_.path() / "ta.log";
  auto bus = Bus();
  {
    TaProcess ta(TORGHUT_BIN, Env("data", "ta-auth", s3_.Env("ckpt", wrong_secret)), log);
    const std::string base = testing::HttpBaseFromLog(log, 0, 60s);
    ASSERT_FALSE(base.empty()) << testing::Tail(log);
    testing::HttpClient client;
    nlohmann::json status;
    ASSERT_TRUE(testing::WaitFor(
        [&] {
          status = nlohmann::json::parse(client.Get(base + "/status").body, nullptr, false);
          return status.is_object() &&
                 status.value("reason", "").rfind("checkpoint_auth: ", 0) == 0;
        },
        60s))
        << status.dump() << testing::Tail(log);
    EXPECT_EQ(status["health"], "degraded");
    EXPECT_NE(status["reason"].get<std::string>().find("SignatureDoesNotMatch"), std::string::npos);
    const testing::HttpResult ready = client.Get(base + "/readyz");
    EXPECT_NE(ready.status, 200) << ready.body;
    EXPECT_NE(ready.body.find("checkpoint_auth"), std::string::npos) << ready.body;
    EXPECT_NE(testing::Slurp(log).find("checkpoint_auth"), std::string::npos);
    EXPECT_EQ(testing::Slurp(log).find(wrong_secret), std::string::npos) << "secret logged";
    EXPECT_FALSE(ta.Exited()) << testing::Tail(log);
    ta.Signal(SIGTERM);
    EXPECT_EQ(ta.Wait(), 0) << testing::Tail(log);
  }
  EXPECT_TRUE(Objects("ckpt", "").empty());
  EXPECT_EQ(testing::Position(*bus, "ta-auth").partitions_committed, 0);

  const ReplayRows replay = ReplayOfInputTopics();
  ASSERT_GT(replay.microbars.size(), 300u);
  // The right secret, this time from a file (TA_S3_SECRET_ACCESS_KEY_FILE, read at start).
  testing::WriteFile(dir_.path() / "s3-secret",
                     std::string(testing::S3TestServer::kSecretKey) + "\n");
  TaProcess ta(TORGHUT_BIN,
               Env("data", "ta-auth", s3_.EnvWithSecretFile("ckpt", dir_.path() / "s3-secret")),
               log);
  store::StoreConfig c;
  c.data_dir = dir_.path() / "data";
  auto store = store::OpenTaStore(c).value();
  StoreRows rows;
  ASSERT_TRUE(testing::WaitUntilComplete(
      *store, *bus, "ta-auth",
      {static_cast<int64_t>(replay.microbars.size()), static_cast<int64_t>(replay.signals.size())},
      &ta, &rows, 300s))
      << testing::Tail(log);
  EXPECT_EQ(Sorted(testing::Lines(rows.microbars)), replay.microbars);
  EXPECT_EQ(Sorted(testing::Lines(rows.signals)), replay.signals);
  EXPECT_FALSE(Objects("ckpt", "groups/ta-auth/").empty());
  ta.Signal(SIGTERM);
  EXPECT_EQ(ta.Wait(), 0) << testing::Tail(log);
}

// The S3 endpoint goes away mid-run: `ta` keeps running, says checkpoint_unavailable in /status
// and readiness, reads on but commits nothing past its last checkpoint; when the endpoint is
// back it checkpoints, commits and ends with exactly the rows of a file replay.
TEST_F(TaS3ProcessTest, AnUnreachableEndpointIsReportedCommitsNothingAndLosesNothing) {
  const fs::path first = dir_.path() / "first.jsonl", second = dir_.path() / "second.jsonl";
  ASSERT_EQ(
      Run("sim generate --symbols AAPL,MSFT,NVDA --seconds 60 --seed 36 --out " + first.string())
          .exit_code,
      0);
  ASSERT_EQ(Run("sim generate --symbols AMZN,META --seconds 60 --seed 37 --out " + second.string())
                .exit_code,
            0);
  Publish(first);
  const fs::path log = dir_.path() / "ta.log";
  auto bus = Bus();
  TaProcess ta(TORGHUT_BIN, Env("data", "ta-outage", s3_.Env("ckpt")), log);
  const std::string base = testing::HttpBaseFromLog(log, 0, 60s);
  ASSERT_FALSE(base.empty()) << testing::Tail(log);
  testing::HttpClient client;
  auto status = [&] {
    const auto j = nlohmann::json::parse(client.Get(base + "/status").body, nullptr, false);
    return j.is_object() ? j : nlohmann::json::object();
  };
  auto caught_up = [&] {
    const testing::GroupPosition pos = testing::Position(*bus, "ta-outage");
    return pos.ok && pos.partitions > 0 && pos.lag == 0 &&
           pos.partitions_committed == pos.partitions;
  };
  ASSERT_TRUE(testing::WaitFor(caught_up, 120s)) << testing::Tail(log);

  s3_.Stop();
  nlohmann::json j;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        j = status();
        return j.value("reason", "").rfind("checkpoint_unavailable: ", 0) == 0;
      },
      60s))
      << j.dump() << testing::Tail(log);
  EXPECT_NE(client.Get(base + "/readyz").status, 200);
  const testing::GroupPosition before = testing::Position(*bus, "ta-outage");
  // More input while the bucket is away: it is read (and its rows written), never committed.
  Publish(second);
  const int64_t on_bus = [&] {
    int64_t n = 0;
    for (const char* t : {"torghut.trades.v1", "torghut.quotes.v1", "torghut.bars.1m.v1"}) {
      for (const auto& o : bus->Offsets(t).value()) n += o.high;
    }
    return n;
  }();
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        j = status();
        return j.value("source_lag_messages", int64_t{-1}) == 0 &&
               j.value("messages", int64_t{0}) + j.value("bad_messages", int64_t{0}) +
                       j.value("ignored_messages", int64_t{0}) >=
                   on_bus;
      },
      60s))
      << j.dump() << testing::Tail(log);
  EXPECT_EQ(testing::Position(*bus, "ta-outage").committed, before.committed);
  EXPECT_FALSE(ta.Exited()) << testing::Tail(log);
  EXPECT_TRUE(j.value("reason", "").rfind("checkpoint_unavailable: ", 0) == 0) << j.dump();

  ASSERT_TRUE(s3_.Start()) << s3_.log();
  const ReplayRows replay = ReplayOfInputTopics();
  store::StoreConfig c;
  c.data_dir = dir_.path() / "data";
  auto store = store::OpenTaStore(c).value();
  StoreRows rows;
  ASSERT_TRUE(testing::WaitUntilComplete(
      *store, *bus, "ta-outage",
      {static_cast<int64_t>(replay.microbars.size()), static_cast<int64_t>(replay.signals.size())},
      &ta, &rows, 300s))
      << testing::Tail(log);
  EXPECT_GT(testing::Position(*bus, "ta-outage").committed, before.committed);
  EXPECT_EQ(status().value("health", ""), "ok");
  EXPECT_EQ(Sorted(testing::Lines(rows.microbars)), replay.microbars);
  EXPECT_EQ(Sorted(testing::Lines(rows.signals)), replay.signals);
  ta.Signal(SIGTERM);
  EXPECT_EQ(ta.Wait(), 0) << testing::Tail(log);
}

// A rebalance while the bucket is away: the survivor of a SIGKILL is handed the dead member's
// partitions but cannot read their checkpoints. It stays up, degraded (checkpoint_unavailable),
// commits nothing, and starts them once the bucket is back — rows identical to a file replay.
TEST_F(TaS3ProcessTest, ARebalanceDuringAnOutageWaitsForTheBucket) {
  const fs::path file = dir_.path() / "in.jsonl";
  ASSERT_EQ(Run("sim generate --symbols AAPL,MSFT,NVDA,TSLA --seconds 60 --seed 39 "
                "--quotes-per-trade 0.5 --out " +
                file.string())
                .exit_code,
            0);
  Publish(file);
  auto bus = Bus();
  auto caught_up = [&] {
    const testing::GroupPosition pos = testing::Position(*bus, "ta-rebalance");
    return pos.ok && pos.partitions > 0 && pos.lag == 0 &&
           pos.partitions_committed == pos.partitions;
  };
  const std::string env = Env("shared", "ta-rebalance", s3_.Env("ckpt"));
  TaProcess a(TORGHUT_BIN, env, dir_.path() / "a.log");
  TaProcess b(TORGHUT_BIN, env, dir_.path() / "b.log");
  testing::HttpClient client;
  auto status_of = [&](const char* log) {
    const std::string base = testing::HttpBaseFromLog(dir_.path() / log, 0, 100ms);
    const auto j = base.empty()
                       ? nlohmann::json()
                       : nlohmann::json::parse(client.Get(base + "/status").body, nullptr, false);
    return j.is_object() ? j : nlohmann::json::object();
  };
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        return caught_up() &&
               status_of("a.log").value("partitions", nlohmann::json::array()).size() > 0 &&
               status_of("b.log").value("partitions", nlohmann::json::array()).size() > 0;
      },
      120s))
      << testing::Tail(dir_.path() / "a.log") << testing::Tail(dir_.path() / "b.log");
  const size_t b_log = testing::Slurp(dir_.path() / "b.log").size();
  const testing::GroupPosition before = testing::Position(*bus, "ta-rebalance");

  s3_.Stop();
  a.Signal(SIGKILL);
  EXPECT_EQ(a.Wait(), 128 + SIGKILL);
  nlohmann::json j;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        j = status_of("b.log");
        return j.value("reason", "").rfind("checkpoint_unavailable: ", 0) == 0 &&
               testing::Slurp(dir_.path() / "b.log")
                       .find("waiting for the checkpoint store to start them", b_log) !=
                   std::string::npos;
      },
      120s))
      << j.dump() << testing::Tail(dir_.path() / "b.log");
  EXPECT_FALSE(b.Exited()) << testing::Tail(dir_.path() / "b.log");
  EXPECT_EQ(testing::Position(*bus, "ta-rebalance").committed, before.committed);

  ASSERT_TRUE(s3_.Start()) << s3_.log();
  ASSERT_TRUE(testing::WaitFor(
      [&] { return status_of("b.log").value("partitions", nlohmann::json::array()).size() == 3; },
      120s))
      << testing::Tail(dir_.path() / "b.log");
  const ReplayRows replay = ReplayOfInputTopics();
  store::StoreConfig c;
  c.data_dir = dir_.path() / "shared";
  auto store = store::OpenTaStore(c).value();
  StoreRows rows;
  ASSERT_TRUE(testing::WaitUntilComplete(
      *store, *bus, "ta-rebalance",
      {static_cast<int64_t>(replay.microbars.size()), static_cast<int64_t>(replay.signals.size())},
      &b, &rows, 300s))
      << testing::Tail(dir_.path() / "b.log");
  EXPECT_EQ(Sorted(testing::Lines(rows.microbars)), replay.microbars);
  EXPECT_EQ(Sorted(testing::Lines(rows.signals)), replay.signals);
  EXPECT_EQ(testing::Slurp(dir_.path() / "b.log").find("cannot start partition"),
            std::string::npos);
  b.Signal(SIGTERM);
  EXPECT_EQ(b.Wait(), 0) << testing::Tail(dir_.path() / "b.log");
}

// `torghut ta savepoint` and TA_RESTORE_FROM through the bucket: the request reaches the running
// group, the savepoint lands under s3://…/savepoints/, and it seeds a new group (another data
// directory) once per partition — a restart of that group continues from its checkpoints.
TEST_F(TaS3ProcessTest, SavepointsInTheBucketSeedANewGroupOnce) {
  const fs::path file = dir_.path() / "in.jsonl";
  ASSERT_EQ(
      Run("sim generate --symbols AAPL,MSFT,NVDA --seconds 60 --seed 38 --out " + file.string())
          .exit_code,
      0);
  Publish(file);
  auto bus = Bus();
  auto caught_up = [&](const std::string& group) {
    const testing::GroupPosition pos = testing::Position(*bus, group);
    return pos.ok && pos.partitions > 0 && pos.lag == 0 &&
           pos.partitions_committed == pos.partitions;
  };
  const std::string env_first = Env("first", "ta-first", s3_.Env("ckpt"));
  {
    TaProcess ta(TORGHUT_BIN, env_first, dir_.path() / "first.log");
    ASSERT_TRUE(testing::WaitFor([&] { return caught_up("ta-first") || ta.Exited(); }, 120s));
    ASSERT_FALSE(ta.Exited()) << testing::Tail(dir_.path() / "first.log");
    const CommandResult sp = RunEnv(env_first, "ta savepoint --name sp1 --timeout-ms 60000");
    EXPECT_EQ(sp.exit_code, 0) << sp.err << testing::Tail(dir_.path() / "first.log");
    EXPECT_NE(sp.out.find("savepoint sp1: 3 partitions in s3://torghut-test/ckpt/savepoints/sp1"),
              std::string::npos)
        << sp.out;
    EXPECT_EQ(RunEnv(env_first, "ta savepoint --name sp1").exit_code, 2);  // never overwritten
    ta.Signal(SIGTERM);
    EXPECT_EQ(ta.Wait(), 0);
  }
  EXPECT_EQ(Objects("ckpt", "savepoints/sp1/"),
            (std::vector<std::string>{"savepoints/sp1/partition-0.tacp",
                                      "savepoints/sp1/partition-1.tacp",
                                      "savepoints/sp1/partition-2.tacp"}));
  EXPECT_TRUE(Objects("ckpt", "groups/ta-first/savepoint-requests/").empty());

  const fs::path log = dir_.path() / "second.log";
  for (int run = 0; run < 2; ++run) {
    const size_t from = testing::Slurp(log).size();
    TaProcess ta(TORGHUT_BIN, Env("second", "ta-second", s3_.Env("ckpt")) + " TA_RESTORE_FROM=sp1",
                 log);
    ASSERT_TRUE(testing::WaitFor(
        [&] {
          return testing::CountOccurrences(testing::Slurp(log).substr(from),
                                           "partition assigned") == 3 ||
                 ta.Exited();
        },
        60s))
        << testing::Tail(log);
    ASSERT_TRUE(testing::WaitFor([&] { return caught_up("ta-second") || ta.Exited(); }, 60s))
        << testing::Tail(log);
    ta.Signal(SIGTERM);
    EXPECT_EQ(ta.Wait(), 0) << testing::Tail(log);
  }
  // The savepoint's positions became the new group's; each partition was seeded once.
  EXPECT_EQ(testing::Position(*bus, "ta-second").committed,
            testing::Position(*bus, "ta-first").committed);
  const std::string text = testing::Slurp(log);
  EXPECT_EQ(testing::CountOccurrences(text, "\"from\":\"savepoint sp1\""), 3) << text;
  EXPECT_EQ(testing::CountOccurrences(text, "\"from\":\"checkpoint\""), 3) << text;
  for (int p = 0; p < 3; ++p) {
    const std::string marker = "groups/ta-second/partition-" + std::to_string(p) + "/restored-sp1";
    EXPECT_EQ(Objects("ckpt", marker), std::vector<std::string>{marker});
  }
}

// Bad S3 settings are refused before anything starts: one line naming the variable, exit 2.
TEST_F(TaS3ProcessTest, BadS3SettingsAreOneClearLineAndExit2) {
  const std::string base = "BUS_DIR=" + bus_dir().string() +
                           " TORGHUT_DATA_DIR=" + (dir_.path() / "data").string() + " ";
  struct Case {
    std::string env, names;
  };
  const std::vector<Case> cases = {
      {"TA_CHECKPOINT_DIR=s3://Not_A_Bucket/x TA_S3_ACCESS_KEY_ID=k TA_S3_SECRET_ACCESS_KEY=s",
       "TA_CHECKPOINT_DIR"},
      {"TA_CHECKPOINT_DIR=s3://bucket/a//b TA_S3_ACCESS_KEY_ID=k TA_S3_SECRET_ACCESS_KEY=s",
       "TA_CHECKPOINT_DIR"},
      {"TA_CHECKPOINT_DIR=s3://bucket/x TA_S3_SECRET_ACCESS_KEY=s", "TA_S3_ACCESS_KEY_ID"},
      {"TA_CHECKPOINT_DIR=s3://bucket/x TA_S3_ACCESS_KEY_ID=k", "TA_S3_SECRET_ACCESS_KEY"},
      {"TA_CHECKPOINT_DIR=s3://bucket/x TA_S3_ENDPOINT=ftp://h TA_S3_ACCESS_KEY_ID=k "
       "TA_S3_SECRET_ACCESS_KEY=s",
       "TA_S3_ENDPOINT"},
      {"TA_CHECKPOINT_DIR=s3://bucket/x TA_S3_ENDPOINT=http://h:9000/path TA_S3_ACCESS_KEY_ID=k "
       "TA_S3_SECRET_ACCESS_KEY=s",
       "TA_S3_ENDPOINT"},
  };
  for (const Case& c : cases) {
    const CommandResult r = RunEnv(base + c.env, "ta");
    EXPECT_EQ(r.exit_code, 2) << c.env << "\n" << r.err;
    // "torghut ta: 1 bad setting:" and the line that names it.
    const std::vector<std::string> err = testing::Lines(r.err);
    ASSERT_EQ(err.size(), 2u) << c.env << "\n" << r.err;
    EXPECT_NE(err[0].find("1 bad setting"), std::string::npos) << err[0];
    EXPECT_EQ(err[1].find("  " + c.names), 0u) << err[1];
  }
  // A secret file that cannot be read (AWrongKeyIsReportedAndLosesNothing reads a good one).
  const CommandResult missing_file =
      RunEnv(base +
                 "TA_CHECKPOINT_DIR=s3://bucket/x TA_S3_ACCESS_KEY_ID=k "
                 "TA_S3_SECRET_ACCESS_KEY_FILE=" +
                 (dir_.path() / "no-such-file").string(),
             "ta");
  EXPECT_EQ(missing_file.exit_code, 2) << missing_file.err;
  EXPECT_NE(missing_file.err.find("TA_S3_SECRET_ACCESS_KEY_FILE"), std::string::npos)
      << missing_file.err;
  const CommandResult help = Run("ta --help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* name : {"TA_S3_ENDPOINT", "TA_S3_REGION", "TA_S3_ACCESS_KEY_ID",
                           "TA_S3_SECRET_ACCESS_KEY", "s3://bucket/prefix"}) {
    EXPECT_NE(help.out.find(name), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace torghut
