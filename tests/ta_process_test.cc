// `torghut ta` as a process on the embedded bus and SQLite: exactly-once results under SIGKILL,
// savepoints carried into a new group, bus replays that leave the live group alone, and the
// suspended state. Input goes on the bus through `torghut sim generate` + `torghut sim publish`.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>

#include "torghut/testing/http_client.h"
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

class TaProcessTest : public ::testing::Test {
 protected:
  TaProcessTest() : dir_("torghut-ta") {}

  fs::path bus_dir() const { return dir_.path() / "bus"; }
  std::string Env(const std::string& data, const std::string& group) const {
    return "BUS_DIR=" + bus_dir().string() + " TORGHUT_DATA_DIR=" + (dir_.path() / data).string() +
           " TA_GROUP_ID=" + group +
           " TA_CHECKPOINT_DIR=" + (dir_.path() / "checkpoints").string() +
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
  // Generates a file and puts it on the bus; returns the file's path.
  fs::path Publish(const std::string& name, const std::string& generate_flags) {
    const fs::path file = dir_.path() / name;
    CommandResult g = Run("sim generate " + generate_flags + " --out " + file.string());
    EXPECT_EQ(g.exit_code, 0) << g.err;
    CommandResult p =
        RunEnv("BUS_DIR=" + bus_dir().string(), "sim publish --from-file " + file.string());
    EXPECT_EQ(p.exit_code, 0) << p.err;
    return file;
  }
  // Final-row counts of a file replay over `files` (the same identities the service must end with).
  testing::ExpectedRows Expected(const std::vector<fs::path>& files) {
    const fs::path joined = dir_.path() / "expected-input.jsonl";
    std::string cat = "cat";
    for (const auto& f : files) cat += " " + f.string();
    EXPECT_EQ(std::system((cat + " > " + joined.string()).c_str()), 0);
    const fs::path out = dir_.path() / "expected";
    CommandResult r =
        Run("replay --no-progress --from-file " + joined.string() + " --out " + out.string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return testing::CountReplayOutput(out);
  }
  std::unique_ptr<store::TaStore> Store(const std::string& data) {
    store::StoreConfig c;
    c.data_dir = dir_.path() / data;
    return store::OpenTaStore(c).value();
  }
  std::unique_ptr<bus::Bus> Bus() {
    bus::EmbeddedOptions o;
    o.dir = bus_dir().string();
    return bus::embedded::EmbeddedBus::Open(o).value();
  }
  // Runs `torghut ta` until the store holds `want` final rows and the group committed everything,
  // then stops it with SIGTERM (which must exit 0).
  StoreRows RunToEnd(const std::string& data, const std::string& group,
                     const testing::ExpectedRows& want, const std::string& extra_env = "") {
    const fs::path log = dir_.path() / (data + ".log");
    const size_t log_before = testing::Slurp(log).size();
    TaProcess ta(TORGHUT_BIN, Env(data, group) + " " + extra_env, log);
    auto store = Store(data);
    auto bus = Bus();
    StoreRows rows;
    // Started (signal handlers installed, partitions restored) before anything else is judged.
    EXPECT_TRUE(testing::WaitFor(
        [&] {
          return testing::Slurp(log).find("partition assigned", log_before) != std::string::npos ||
                 ta.Exited();
        },
        60s));
    EXPECT_TRUE(testing::WaitUntilComplete(*store, *bus, group, want, &ta, &rows, 600s))
        << testing::Tail(dir_.path() / (data + ".log"));
    ta.Signal(SIGTERM);
    EXPECT_EQ(ta.Wait(), 0) << testing::Tail(dir_.path() / (data + ".log"));
    return rows;
  }

  // The service's input topics dumped as envelope lines (each topic partition in order).
  fs::path DumpInputTopics(const std::string& name) {
    const fs::path out = dir_.path() / name;
    std::string all;
    for (const char* topic : {"torghut.trades.v1", "torghut.quotes.v1", "torghut.bars.1m.v1"}) {
      CommandResult d = RunEnv("BUS_DIR=" + bus_dir().string(),
                               std::string("bus dump --from-beginning --topic ") + topic);
      EXPECT_EQ(d.exit_code, 0) << d.err;
      all += d.out;
    }
    testing::WriteFile(out, all);
    return out;
  }
  struct ReplayRows {
    std::vector<std::string> microbars, signals;  // sorted lines
  };
  ReplayRows ReplayRowsOf(const fs::path& file, const std::string& out_name) {
    const fs::path out = dir_.path() / out_name;
    CommandResult r =
        Run("replay --no-progress --from-file " + file.string() + " --out " + out.string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return {SortedLines(testing::Slurp(out / "microbars.jsonl")),
            SortedLines(testing::Slurp(out / "signals.jsonl"))};
  }
  static std::vector<std::string> SortedLines(const std::string& text) {
    std::vector<std::string> lines = testing::Lines(text);
    std::sort(lines.begin(), lines.end());
    return lines;
  }
  static std::string Join(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& l : lines) out += l + "\n";
    return out;
  }

  testing::ScratchDir dir_;
};

// ≥ 5 M trades through the embedded bus into SQLite; the TA process is SIGKILLed at random moments
// twelve times and restarted; the store ends identical, row for row, to an uninterrupted run.
TEST_F(TaProcessTest, ExactlyOnceUnderSigkillOnEmbeddedBusAndSqlite) {
  const fs::path file =
      Publish("two-and-a-half-million.jsonl",
              "--symbols AAPL,MSFT,NVDA,TSLA,AMZN,GOOG,META,AMD --rate 50 --quotes-per-trade 0.2 "
              "--seconds 5000 --seed 11");
  const testing::ExpectedRows want = Expected({file});
  ASSERT_GT(want.microbars, 38'000);

  const StoreRows reference = RunToEnd("reference", "ta-reference", want);
  ASSERT_EQ(reference.microbar_rows, want.microbars);

  std::mt19937_64 rng(20261123);
  std::uniform_int_distribution<int> delay_ms(500, 4000);
  auto store = Store("chaos");
  auto bus = Bus();
  int kills = 0;
  for (; kills < 12; ++kills) {
    TaProcess ta(TORGHUT_BIN, Env("chaos", "ta-chaos"), dir_.path() / "chaos.log");
    // A random moment of its life: restoring, reading, writing, checkpointing or committing.
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    ta.Signal(SIGKILL);
    EXPECT_EQ(ta.Wait(), 128 + SIGKILL);
  }
  const testing::GroupPosition mid = testing::Position(*bus, "ta-chaos");
  EXPECT_GT(mid.committed, 0) << "no progress was committed between kills";
  // Every kill fell inside the stream (the input outlasts the twelve lives).
  EXPECT_GT(mid.lag, 0) << "the input was consumed before the last kill";
  const StoreRows chaos = RunToEnd("chaos", "ta-chaos", want);
  EXPECT_EQ(kills, 12);
  EXPECT_EQ(chaos.microbar_rows, reference.microbar_rows);
  EXPECT_EQ(chaos.signal_rows, reference.signal_rows);
  EXPECT_EQ(testing::FirstDifference(chaos.microbars, reference.microbars), "") << "microbars";
  EXPECT_EQ(testing::FirstDifference(chaos.signals, reference.signals), "") << "signals";
  // The restarts restored checkpoints (not everything from scratch).
  EXPECT_NE(testing::Slurp(dir_.path() / "chaos.log").find("\"from\":\"checkpoint\""),
            std::string::npos);
}

// The two drivers of the TA engine agree: the input the TA service read from the bus (trades,
// quotes and minute bars, with late, duplicate and cancelled trades), dumped back out as envelopes
// and run through `replay --from-file`, gives byte-identical final rows.
TEST_F(TaProcessTest, FileReplayAndTheServiceOverTheBusGiveTheSameRows) {
  Publish("in.jsonl",
          "--symbols AAPL,MSFT,NVDA,TSLA --seconds 240 --seed 21 --quotes-per-trade 0.5 "
          "--late-share 0.05 --duplicate-share 0.02 --cancel-share 0.01");
  const fs::path envelopes = DumpInputTopics("envelopes.jsonl");
  const ReplayRows replay = ReplayRowsOf(envelopes, "replay-out");
  ASSERT_GT(replay.microbars.size(), 900u);
  const StoreRows service = RunToEnd(
      "service", "ta-service",
      {static_cast<int64_t>(replay.microbars.size()), static_cast<int64_t>(replay.signals.size())});
  EXPECT_EQ(SortedLines(service.microbars), replay.microbars);
  EXPECT_EQ(SortedLines(service.signals), replay.signals);
  // Quotes met trades in both (the imbalance columns are filled), and minute bars were there.
  EXPECT_NE(service.signals.find("\"imbalance_spread\":0."), std::string::npos);
  EXPECT_NE(service.signals.find("\"window_size\":\"PT1M\""), std::string::npos);
}

// Two `ta` processes in one group share one checkpoint directory; one is killed and restarted
// again and again while input keeps arriving, so partitions move back and forth through
// revocation checkpoints and are restored by a process that is caught up at once. The final rows
// are byte-identical to a file replay of the same input (they used to drift in vwap_session and
// vwap_w5m: a restored partition finalized every open bar at once).
TEST_F(TaProcessTest, PartitionsMovingBetweenTwoProcessesChangeNoRow) {
  // One recording, published in chunks; the idle rule must not fire between chunks (it is a
  // processing-time rule, so a pause would legitimately change rows), hence a long idle timeout,
  // and a closing trade per symbol an hour later pushes every watermark past the data.
  const fs::path file = dir_.path() / "all.jsonl";
  CommandResult g =
      Run("sim generate --symbols AAPL,MSFT,NVDA,TSLA,AMZN,META --seconds 240 --seed 33 "
          "--quotes-per-trade 0.5 --late-share 0.05 --out " +
          file.string());
  ASSERT_EQ(g.exit_code, 0) << g.err;
  std::vector<std::string> lines = testing::Lines(testing::Slurp(file));
  for (const char* sym : {"AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "META"}) {
    lines.push_back(std::string("{\"T\":\"t\",\"S\":\"") + sym +
                    "\",\"i\":999999999,\"x\":\"V\",\"p\":100,\"s\":1,"
                    "\"t\":\"2024-01-02T15:40:00Z\",\"z\":\"C\"}");
  }
  constexpr int kChunks = 6;
  std::vector<fs::path> chunks;
  for (int c = 0; c < kChunks; ++c) {
    const size_t from = lines.size() * c / kChunks, to = lines.size() * (c + 1) / kChunks;
    chunks.push_back(dir_.path() / ("chunk-" + std::to_string(c) + ".jsonl"));
    std::string text;
    for (size_t i = from; i < to; ++i) text += lines[i] + "\n";
    testing::WriteFile(chunks.back(), text);
  }
  const std::string env = Env("shared", "ta-shared") + " TA_WATERMARK_IDLE_TIMEOUT_MS=3600000";
  auto bus = Bus();
  auto publish = [&](const fs::path& chunk) {
    CommandResult p =
        RunEnv("BUS_DIR=" + bus_dir().string(), "sim publish --from-file " + chunk.string());
    ASSERT_EQ(p.exit_code, 0) << p.err;
  };
  auto caught_up = [&] {
    const testing::GroupPosition pos = testing::Position(*bus, "ta-shared");
    return pos.ok && pos.partitions > 0 && pos.lag == 0 &&
           pos.partitions_committed == pos.partitions;
  };
  publish(chunks[0]);
  auto a = std::make_unique<TaProcess>(TORGHUT_BIN, env, dir_.path() / "a.log");
  TaProcess b(TORGHUT_BIN, env, dir_.path() / "b.log");
  // How many input partitions a member owns, from its /status (-1 while it does not answer).
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
    // Kill one member: the other takes all partitions, from the checkpoints.
    a->Signal(SIGKILL);
    EXPECT_EQ(a->Wait(), 128 + SIGKILL);
    ASSERT_TRUE(testing::WaitFor([&] { return owned("b.log", 0) == 3; }, 120s))
        << testing::Tail(dir_.path() / "b.log");
    ASSERT_TRUE(testing::WaitFor(caught_up, 120s)) << testing::Tail(dir_.path() / "b.log");
    // Its restart takes some back, through the survivor's revocation checkpoints, while nothing
    // newer is on the bus (so the new owner is caught up the moment it has restored them).
    const size_t a_log = testing::Slurp(dir_.path() / "a.log").size();
    a = std::make_unique<TaProcess>(TORGHUT_BIN, env, dir_.path() / "a.log");
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
    publish(chunks[static_cast<size_t>(c)]);
    a->Signal(SIGCONT);
    b.Signal(SIGCONT);
  }
  ASSERT_TRUE(testing::WaitFor(caught_up, 120s))
      << testing::Tail(dir_.path() / "a.log") << testing::Tail(dir_.path() / "b.log");
  EXPECT_GE(testing::CountOccurrences(testing::Slurp(dir_.path() / "b.log"), "partitions revoked"),
            kChunks - 1);

  const ReplayRows replay = ReplayRowsOf(DumpInputTopics("envelopes.jsonl"), "replay-out");
  auto before_close = [](const std::vector<std::string>& rows) {
    std::vector<std::string> out;
    for (const std::string& r : rows) {
      if (r.find("\"event_ts\":\"2024-01-02T15:") == std::string::npos) out.push_back(r);
    }
    return out;
  };
  const std::vector<std::string> want_bars = before_close(replay.microbars);
  const std::vector<std::string> want_signals = before_close(replay.signals);
  ASSERT_GT(want_bars.size(), 1000u);
  auto store = Store("shared");
  std::vector<std::string> got_bars, got_signals;
  // Every row is written before the offsets that produced it are committed; poll the store only
  // for the rows' final versions to land (they do before the commit this waited for).
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        const StoreRows rows = testing::DumpStore(*store);
        got_bars = before_close(SortedLines(rows.microbars));
        got_signals = before_close(SortedLines(rows.signals));
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

// A savepoint taken from a running group seeds a new group: the new group continues with the
// old one's state and produces exactly the rows the old group produces for the later input.
TEST_F(TaProcessTest, SavepointSeedsANewGroupWithTheSameState) {
  const fs::path a = Publish("a.jsonl", "--symbols AAPL,MSFT,NVDA,TSLA --seconds 300 --seed 1");
  const testing::ExpectedRows want_a = Expected({a});
  {
    TaProcess ta(TORGHUT_BIN, Env("first", "ta-first"), dir_.path() / "first.log");
    auto store = Store("first");
    auto bus = Bus();
    StoreRows rows;
    ASSERT_TRUE(testing::WaitUntilComplete(*store, *bus, "ta-first", want_a, &ta, &rows, 300s))
        << testing::Tail(dir_.path() / "first.log");
    const CommandResult sp =
        RunEnv(Env("first", "ta-first"), "ta savepoint --name sp1 --timeout-ms 60000");
    EXPECT_EQ(sp.exit_code, 0) << sp.err << testing::Tail(dir_.path() / "first.log");
    EXPECT_NE(sp.out.find("savepoint sp1: 3 partitions"), std::string::npos) << sp.out;
    // Names are checked, and a savepoint is never overwritten.
    EXPECT_EQ(RunEnv(Env("first", "ta-first"), "ta savepoint --name ../x").exit_code, 2);
    EXPECT_EQ(RunEnv(Env("first", "ta-first"), "ta savepoint --name sp1").exit_code, 2);
    ta.Signal(SIGTERM);
    EXPECT_EQ(ta.Wait(), 0);
  }
  const StoreRows first_a = testing::DumpStore(*Store("first"));
  const fs::path b =
      Publish("b.jsonl",
              "--symbols AAPL,MSFT,NVDA,TSLA --seconds 300 --seed 2 --start 2024-01-02T14:40:00Z");
  const testing::ExpectedRows want_ab = Expected({a, b});
  const StoreRows first_ab = RunToEnd("first", "ta-first", want_ab);

  // The new group starts from the savepoint: only the rows of the later input.
  testing::ExpectedRows want_b{want_ab.microbars - first_a.microbar_rows,
                               want_ab.signals - first_a.signal_rows};
  const StoreRows second = RunToEnd("second", "ta-second", want_b, "TA_RESTORE_FROM=sp1");
  EXPECT_GT(second.microbar_rows, 0);
  EXPECT_EQ(testing::RowsMissingFrom(second.microbars, first_ab.microbars), 0);
  EXPECT_EQ(testing::RowsMissingFrom(second.signals, first_ab.signals), 0);
  EXPECT_NE(testing::Slurp(dir_.path() / "second.log").find("\"from\":\"savepoint sp1\""),
            std::string::npos);
  // A restart of the new group continues from its checkpoints, not from the savepoint again.
  const StoreRows again = RunToEnd("second", "ta-second", want_b, "TA_RESTORE_FROM=sp1");
  EXPECT_EQ(testing::FirstDifference(again.microbars, second.microbars), "");
  // Two starts of three partitions: the savepoint seeded each partition once.
  const std::string log = testing::Slurp(dir_.path() / "second.log");
  EXPECT_EQ(testing::CountOccurrences(log, "\"from\":\"savepoint sp1\""), 3);
  EXPECT_EQ(testing::CountOccurrences(log, "\"from\":\"checkpoint\""), 3);
}

// `torghut replay --group-id` recomputes into the same tables without moving the live group's
// offsets, records itself in the ledger, and refuses a group id that was used before.
TEST_F(TaProcessTest, BusReplayIsIsolatedAndRefusesAUsedGroupId) {
  const fs::path a = Publish("a.jsonl", "--symbols AAPL,MSFT,NVDA --seconds 300 --seed 5");
  const StoreRows live = RunToEnd("live", "ta-live", Expected({a}));
  auto bus = Bus();
  const testing::GroupPosition before = testing::Position(*bus, "ta-live");

  const std::string env = Env("live", "ta-live");
  const CommandResult r = RunEnv(env, "replay --group-id torghut-ta-replay-1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("freshness: ta_microbars max(event_ts) = 2024-01-02T14:35:00.000Z"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("TA_GROUP_ID=ta-live"), std::string::npos) << r.out;
  EXPECT_EQ(testing::Position(*bus, "ta-live"), before);
  // Recomputed from the same log: the same rows.
  const StoreRows after = testing::DumpStore(*Store("live"));
  EXPECT_EQ(testing::FirstDifference(after.microbars, live.microbars), "");
  EXPECT_EQ(testing::FirstDifference(after.signals, live.signals), "");

  const CommandResult again = RunEnv(env, "replay --group-id torghut-ta-replay-1");
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("has been used"), std::string::npos) << again.err;
  EXPECT_EQ(RunEnv(env, "replay --group-id ta-live").exit_code, 2);
  // A window older than the store keeps rows is refused, and says so.
  const CommandResult old =
      RunEnv(env + " TA_RETENTION_DAYS=35",
             "replay --group-id torghut-ta-replay-2 --from 2024-01-02T14:30:00Z");
  EXPECT_EQ(old.exit_code, 2);
  EXPECT_NE(old.err.find("older than TA_RETENTION_DAYS (35 days"), std::string::npos) << old.err;

  store::StoreConfig c;
  c.data_dir = dir_.path() / "live";
  auto ledger = store::OpenTradingStore(c).value()->ListReplays().value();
  ASSERT_EQ(ledger.size(), 1u);
  EXPECT_EQ(ledger[0].group_id, "torghut-ta-replay-1");
  EXPECT_EQ(ledger[0].previous_group_id, "ta-live");
  EXPECT_EQ(ledger[0].outcome.value_or(""), "ok");
}

// The admin port: GET /status, /readyz, /healthz and /metrics describe the running group, and
// POST /savepoint (admin token) asks every member for a savepoint that then lands on disk.
TEST_F(TaProcessTest, StatusReadinessMetricsAndSavepointOverHttp) {
  Publish("a.jsonl", "--symbols AAPL,MSFT,NVDA --seconds 200 --seed 3");
  const testing::ExpectedRows want = Expected({dir_.path() / "a.jsonl"});
  const fs::path log = dir_.path() / "http.log";
  TaProcess ta(TORGHUT_BIN, Env("http", "ta-http") + " TORGHUT_ADMIN_TOKEN=tok-0123456789", log);
  const std::string base = testing::HttpBaseFromLog(log, 0, 60s);
  ASSERT_FALSE(base.empty()) << testing::Tail(log);
  testing::HttpClient client;
  EXPECT_EQ(client.Get(base + "/healthz").status, 200);
  auto store = Store("http");
  auto bus = Bus();
  StoreRows rows;
  ASSERT_TRUE(testing::WaitUntilComplete(*store, *bus, "ta-http", want, &ta, &rows, 300s))
      << testing::Tail(log);

  // /status is the heartbeat's report; poll until a heartbeat after the last commit is in it.
  nlohmann::json status;
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        status = nlohmann::json::parse(client.Get(base + "/status").body, nullptr, false);
        return status.is_object() && status["source_lag_messages"] == 0 &&
               status["rows_written"].get<int64_t>() >= want.microbars + want.signals;
      },
      60s))
      << status.dump();
  EXPECT_EQ(status["state"], "running");
  EXPECT_EQ(status["health"], "ok");
  EXPECT_EQ(status["group_id"], "ta-http");
  EXPECT_EQ(status["partitions"].size(), 3u);
  EXPECT_GT(status["messages"].get<int64_t>(), 0);

  const testing::HttpResult ready = client.Get(base + "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(nlohmann::json::parse(ready.body)["ready"], true);
  const std::string metrics = client.Get(base + "/metrics").body;
  EXPECT_NE(metrics.find("torghut_ta_ready 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("torghut_ta_partitions 3\n"), std::string::npos);
  EXPECT_NE(metrics.find("torghut_ta_messages_total " +
                         std::to_string(status["messages"].get<int64_t>())),
            std::string::npos);
  EXPECT_NE(metrics.find("torghut_http_requests_total{route=\"/status\",code=\"200\"}"),
            std::string::npos);

  // Savepoints: the token is required, names are checked, and an accepted request is carried out.
  const std::string auth = "Authorization: Bearer tok-0123456789";
  EXPECT_EQ(client.Post(base + "/savepoint", "{\"name\":\"sp-http\"}").status, 401);
  EXPECT_EQ(
      client.Post(base + "/savepoint", "{\"name\":\"sp-http\"}", {"Authorization: Bearer nope"})
          .status,
      401);
  EXPECT_EQ(client.Post(base + "/savepoint", "{\"name\":\"../x\"}", {auth}).status, 400);
  EXPECT_EQ(client.Post(base + "/savepoint", "not json", {auth}).status, 400);
  const testing::HttpResult accepted = client.Post(base + "/savepoint?name=sp-http", "", {auth});
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  EXPECT_EQ(nlohmann::json::parse(accepted.body)["restore_with"], "TA_RESTORE_FROM=sp-http");
  const fs::path request =
      dir_.path() / "checkpoints" / "groups" / "ta-http" / "savepoint-requests" / "sp-http";
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        const auto s = nlohmann::json::parse(client.Get(base + "/status").body, nullptr, false);
        return s.is_object() && s["savepoints_taken"].size() == 1 && !fs::exists(request);
      },
      60s))
      << testing::Tail(log);
  for (int p = 0; p < 3; ++p) {
    EXPECT_TRUE(fs::exists(dir_.path() / "checkpoints" / "savepoints" / "sp-http" /
                           ("partition-" + std::to_string(p) + ".tacp")));
  }
  EXPECT_EQ(client.Post(base + "/savepoint?name=sp-http", "", {auth}).status, 409);
  EXPECT_EQ(RunEnv(Env("http", "ta-http"), "ta savepoint --name sp-http").exit_code, 2);

  ta.Signal(SIGTERM);
  EXPECT_EQ(ta.Wait(), 0) << testing::Tail(log);
}

// TA_JOB_STATE=suspended: connected and reporting (with the restart nonce), consuming nothing.
TEST_F(TaProcessTest, SuspendedConsumesAndWritesNothing) {
  Publish("a.jsonl", "--symbols AAPL,MSFT --seconds 120 --seed 9");
  auto bus = Bus();
  TaProcess ta(TORGHUT_BIN,
               Env("suspended", "ta-suspended") + " TA_JOB_STATE=suspended TA_RESTART_NONCE=n42",
               dir_.path() / "suspended.log");
  const std::vector<nlohmann::json> beats =
      testing::ReadHeartbeats(*bus, "torghut.ta.status.v1", "ta-suspended", 3, 60s);
  ASSERT_GE(beats.size(), 3u) << testing::Tail(dir_.path() / "suspended.log");
  for (const auto& b : beats) {
    EXPECT_EQ(b["state"], "suspended");
    EXPECT_EQ(b["health"], "ok");
    EXPECT_EQ(b["restart_nonce"], "n42");
  }
  // Suspended is a healthy, ready state (SPEC §4): probes must not restart it.
  const std::string base = testing::HttpBaseFromLog(dir_.path() / "suspended.log", 0, 10s);
  testing::HttpClient client;
  const testing::HttpResult ready = client.Get(base + "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(nlohmann::json::parse(ready.body, nullptr, false)["state"], "suspended");
  ta.Signal(SIGTERM);
  EXPECT_EQ(ta.Wait(), 0);
  EXPECT_EQ(testing::Position(*bus, "ta-suspended").committed, 0);
  EXPECT_EQ(testing::Position(*bus, "ta-suspended").partitions_committed, 0);
  EXPECT_EQ(testing::DumpStore(*Store("suspended")).microbar_rows, 0);
}

}  // namespace
}  // namespace torghut
