// The bus across real processes: `torghut bus produce` in one process, consumers in others,
// through the Kafka mock-cluster fixture (a separate process speaking the Kafka protocol) and
// through the embedded bus on disk; kcat, an independent Kafka client, reads what Torghut wrote.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "torghut/testing/bus_test_support.h"
#include "torghut/testing/kafka_mock_process.h"
#include "torghut/testing/test_support.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

using torghut::testing::CommandResult;
using torghut::testing::Lines;

CommandResult RunShell(const std::string& command_line, const fs::path& dir) {
  return torghut::testing::RunCommand(command_line, dir);
}

class BusProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Trade envelopes (SPEC §3) for five symbols.
    const std::vector<std::string> symbols = {"AAPL", "MSFT", "NVDA", "TSLA", "SPY"};
    std::ofstream f(dir_ / "envelopes.jsonl");
    for (int i = 0; i < 500; ++i) {
      const std::string& s = symbols[static_cast<size_t>(i) % symbols.size()];
      nlohmann::json env = {{"ingestTs", "2024-01-02T14:30:00.100Z"},
                            {"eventTs", "2024-01-02T14:30:00.000Z"},
                            {"feed", "iex"},
                            {"channel", "trades"},
                            {"symbol", s},
                            {"seq", i / 5},
                            {"payload",
                             {{"T", "t"},
                              {"S", s},
                              {"i", i},
                              {"x", "V"},
                              {"p", 100.25 + i},
                              {"s", 100},
                              {"t", "2024-01-02T14:30:00Z"},
                              {"c", {"@"}},
                              {"z", "C"}}},
                            {"isFinal", true},
                            {"source", "sim"},
                            {"version", 1},
                            {"provider", "alpaca"}};
      envelopes_.push_back(env.dump());
      f << envelopes_.back() << "\n";
    }
  }
  std::string Torghut(const std::string& env, const std::string& args) {
    return env + " " + TORGHUT_BIN + " " + args;
  }

  torghut::testing::ScratchDir scratch_{"torghut-busproc"};
  const fs::path dir_ = scratch_.path();
  std::vector<std::string> envelopes_;
};

TEST_F(BusProcessTest, KafkaProducerAndConsumersInSeparateProcessesAndKcatReadsEnvelopes) {
  torghut::testing::MockClusterProcess cluster(TORGHUT_KAFKA_MOCK,
                                               "--brokers 3 --topic torghut.trades.v1:3");
  ASSERT_FALSE(cluster.bootstrap().empty());
  // Retriable faults on the way in: the idempotent producer must still store each once.
  EXPECT_EQ(cluster.Command("errors 0 3 19"), "ok");
  EXPECT_EQ(cluster.Command("bogus"), "error: unknown command 'bogus'");
  const std::string env = "BUS=kafka KAFKA_BOOTSTRAP_SERVERS=" + cluster.bootstrap();

  const CommandResult produced =
      RunShell(Torghut(env, "bus produce --topic torghut.trades.v1 --key-field symbol " +
                                (dir_ / "envelopes.jsonl").string()),
               dir_);
  ASSERT_EQ(produced.exit_code, 0) << produced.err;
  EXPECT_NE(produced.err.find("500 delivered, 0 failed"), std::string::npos) << produced.err;

  // A consumer in this process (a third one) sees every envelope, keyed by symbol, in order.
  auto bus = torghut::bus::kafka::KafkaBus::Open(
                 torghut::bus::testing::TestKafkaOptions(cluster.bootstrap()))
                 .value();
  auto consumer = bus->NewConsumer({.group_id = "proc"}).value();
  ASSERT_TRUE(consumer->Subscribe({"torghut.trades.v1"}).ok());
  const auto got = torghut::bus::testing::ConsumeN(*consumer, 500);
  ASSERT_EQ(got.size(), 500u);
  std::map<std::string, std::vector<std::string>> by_key;
  for (const auto& m : got) by_key[m.key].push_back(m.value);
  for (const auto& [key, values] : by_key) {
    std::vector<std::string> expected;
    for (const auto& e : envelopes_) {
      if (nlohmann::json::parse(e)["symbol"] == key) expected.push_back(e);
    }
    EXPECT_EQ(values, expected) << key;
  }
  EXPECT_EQ(by_key.size(), 5u);

  // kcat, an independent Kafka client, reads the same topic and sees the envelope JSON.
  const CommandResult kcat = RunShell(
      "kcat -b " + cluster.bootstrap() + " -C -t torghut.trades.v1 -e -q -f '%k\\t%s\\n'", dir_);
  ASSERT_EQ(kcat.exit_code, 0) << kcat.err;
  const auto lines = Lines(kcat.out);
  ASSERT_EQ(lines.size(), 500u);
  for (const auto& line : lines) {
    const size_t tab = line.find('\t');
    const auto j = nlohmann::json::parse(line.substr(tab + 1));
    EXPECT_EQ(j["symbol"], line.substr(0, tab));
    EXPECT_EQ(j["channel"], "trades");
    EXPECT_EQ(j["provider"], "alpaca");
  }

  // `torghut bus dump` (another process) reads it all too, in a throwaway group.
  const CommandResult dump =
      RunShell(Torghut(env, "bus dump --topic torghut.trades.v1 --from-beginning"), dir_);
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  EXPECT_EQ(Lines(dump.out).size(), 500u);
  // And the group's lag, as oncall sees it, after this process commits everything.
  std::vector<torghut::bus::TopicPartitionOffset> all;
  for (const auto& o : bus->Offsets("torghut.trades.v1").value()) {
    all.push_back({"torghut.trades.v1", o.partition, o.high});
  }
  ASSERT_TRUE(consumer->Commit(all).ok());
  const CommandResult groups =
      RunShell(Torghut(env, "bus groups --group proc --topic torghut.trades.v1"), dir_);
  ASSERT_EQ(groups.exit_code, 0) << groups.err;
  const auto rows = Lines(groups.out);
  ASSERT_EQ(rows.size(), 4u) << groups.out;  // header + 3 partitions
  for (size_t i = 1; i < rows.size(); ++i) {
    std::istringstream row(rows[i]);
    std::string group, topic, partition, committed, end, lag;
    row >> group >> topic >> partition >> committed >> end >> lag;
    EXPECT_EQ(group, "proc");
    EXPECT_EQ(committed, end) << rows[i];
    EXPECT_EQ(lag, "0") << rows[i];
  }
}

TEST_F(BusProcessTest, EmbeddedBusThroughTheCommandLine) {
  const std::string env = "TORGHUT_DATA_DIR=" + dir_.string();
  const CommandResult produced =
      RunShell(Torghut(env, "bus produce --topic torghut.trades.v1 --key-field symbol " +
                                (dir_ / "envelopes.jsonl").string()),
               dir_);
  ASSERT_EQ(produced.exit_code, 0) << produced.err;
  const CommandResult topics = RunShell(Torghut(env, "bus topics"), dir_);
  ASSERT_EQ(topics.exit_code, 0) << topics.err;
  EXPECT_EQ(Lines(topics.out).size(), 4u);  // header + 3 partitions
  const CommandResult dump =
      RunShell(Torghut(env, "bus dump --topic torghut.trades.v1 --from-beginning --count 7"), dir_);
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  EXPECT_EQ(Lines(dump.out).size(), 7u);
  const CommandResult all =
      RunShell(Torghut(env, "bus dump --topic torghut.trades.v1 --from-beginning"), dir_);
  EXPECT_EQ(Lines(all.out).size(), 500u);
  // Dumping used throwaway groups; `groups` lists them with nothing committed.
  const CommandResult groups = RunShell(Torghut(env, "bus groups"), dir_);
  EXPECT_EQ(groups.exit_code, 0) << groups.err;

  // Bad input: a line without the key field stops with a clear error, keeping what came before.
  std::ofstream(dir_ / "bad.jsonl") << envelopes_[0] << "\n{\"no_symbol\":1}\n";
  const CommandResult bad =
      RunShell(Torghut(env, "bus produce --topic other.v1 --key-field symbol " +
                                (dir_ / "bad.jsonl").string()),
               dir_);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("line 2 has no string field \"symbol\""), std::string::npos) << bad.err;
  const CommandResult kept =
      RunShell(Torghut(env, "bus dump --topic other.v1 --from-beginning"), dir_);
  EXPECT_EQ(Lines(kept.out).size(), 1u);
  // Bad configuration: exit 2, a count line and one line per bad variable.
  const CommandResult conf = RunShell(Torghut("BUS=kafka", "bus topics"), dir_);
  EXPECT_EQ(conf.exit_code, 2);
  EXPECT_NE(conf.err.find("KAFKA_BOOTSTRAP_SERVERS: required when BUS=kafka"), std::string::npos);
  EXPECT_EQ(Lines(conf.err).size(), 2u) << conf.err;
}

}  // namespace
