// The `torghut` binary as a user runs it: usage errors, --help, and sim generate → replay.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "torghut/core/time.h"
#include "torghut/testing/test_support.h"

namespace {

namespace fs = std::filesystem;

using torghut::testing::CommandResult;
using torghut::testing::Lines;
using torghut::testing::Slurp;

class CliTest : public ::testing::Test {
 protected:
  CommandResult Torghut(const std::string& args, const std::string& env = "") {
    return torghut::testing::RunCommand(env + " " + TORGHUT_BIN + " " + args, dir_);
  }
  torghut::testing::ScratchDir scratch_{"torghut-cli"};
  const fs::path dir_ = scratch_.path();
};

TEST_F(CliTest, UsageErrorsAreOneLineAndExitTwo) {
  for (const std::string args :
       {"frobnicate", "--bogus", "sim generate --seconds nope --out x", "replay",
        "replay --from-file /nonexistent/file.jsonl", "sim generate --out x --symbols aapl",
        "ta savepoint", "ta savepoint --name ../up", "replay --group-id g --from-file x"}) {
    CommandResult r = Torghut(args);
    EXPECT_EQ(r.exit_code, 2) << args << ": " << r.err;
    EXPECT_EQ(Lines(r.err).size(), 1u) << args << ": " << r.err;
    EXPECT_NE(r.err.find("torghut"), std::string::npos) << r.err;
  }
  CommandResult unknown = Torghut("frobnicate");
  EXPECT_NE(unknown.err.find("unknown command 'frobnicate'"), std::string::npos) << unknown.err;
}

TEST_F(CliTest, EverySubcommandHasHelp) {
  for (const std::string args :
       {"--help", "sim --help", "sim generate --help", "sim publish --help", "replay --help",
        "ta --help", "ta savepoint --help", "sim serve --help", "ws --help", "serve --help",
        "up --help"}) {
    CommandResult r = Torghut(args);
    EXPECT_EQ(r.exit_code, 0) << args;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << args << ": " << r.out;
  }
  EXPECT_NE(Torghut("replay --help").out.find("TA_MAX_OUT_OF_ORDER_MS"), std::string::npos);
  const std::string ta_help = Torghut("ta --help").out;
  for (const char* name : {"TA_GROUP_ID", "TA_CHECKPOINT_DIR", "TA_RESTORE_FROM", "TA_JOB_STATE",
                           "TA_CLICKHOUSE_BATCH_SIZE", "KAFKA_BOOTSTRAP_SERVERS", "TA_STORE"}) {
    EXPECT_NE(ta_help.find(name), std::string::npos) << name;
  }
}

TEST_F(CliTest, WsAndSimServeRefuseBadSettings) {
  const std::string ws_help = Torghut("ws --help").out;
  for (const char* name :
       {"ALPACA_STREAM_URL", "ALPACA_FEED", "ALPACA_KEY_ID", "SYMBOLS", "JANGAR_SYMBOLS_URL",
        "DEDUP_TTL_SEC", "WS_406_FLOOR_MS", "TOPIC_STATUS", "TORGHUT_HTTP_ADDR"}) {
    EXPECT_NE(ws_help.find(name), std::string::npos) << name;
  }
  CommandResult r = Torghut("ws", "TORGHUT_DATA_DIR=" + dir_.string() +
                                      " ALPACA_FEED=nasdaq SYMBOLS=AAPL,bad%sym DEDUP_TTL_SEC=x"
                                      " ALPACA_SECRET_KEY=top-secret-1");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  for (const char* name : {"ALPACA_FEED", "bad%sym", "DEDUP_TTL_SEC", "ALPACA_KEY_ID"}) {
    EXPECT_NE(r.err.find(name), std::string::npos) << name << ": " << r.err;
  }
  EXPECT_EQ(r.err.find("top-secret-1"), std::string::npos) << r.err;
  r = Torghut("sim serve --feed nasdaq");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("feed 'nasdaq'"), std::string::npos) << r.err;
  r = Torghut("sim serve --speed 0");
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(CliTest, TaRefusesBadSettingsAllAtOnce) {
  CommandResult r = Torghut("ta", "TORGHUT_DATA_DIR=" + dir_.string() +
                                      " TA_JOB_STATE=paused TA_CLICKHOUSE_BATCH_SIZE=0"
                                      " TA_RESTORE_FROM=../x TA_GROUP_ID=a/b");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  for (const char* name :
       {"TA_JOB_STATE", "TA_CLICKHOUSE_BATCH_SIZE", "TA_RESTORE_FROM", "TA_GROUP_ID"}) {
    EXPECT_NE(r.err.find(name), std::string::npos) << name << ": " << r.err;
  }
}

TEST_F(CliTest, BadEnvironmentIsReportedAllAtOnce) {
  const std::string sample = (dir_ / "s.jsonl").string();
  ASSERT_EQ(Torghut("sim generate --symbols AAPL --seconds 5 --out " + sample).exit_code, 0);
  CommandResult r = Torghut("replay --from-file " + sample,
                            "TA_MAX_OUT_OF_ORDER_MS=-1 TA_REALIZED_VOL_WINDOW=abc");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("TA_MAX_OUT_OF_ORDER_MS"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("TA_REALIZED_VOL_WINDOW"), std::string::npos) << r.err;
}

TEST_F(CliTest, GenerateThenReplayWritesSortedFinalRows) {
  const std::string sample = (dir_ / "sample.jsonl").string();
  CommandResult gen =
      Torghut("sim generate --symbols MSFT,AAPL --seconds 90 --seed 5 --out " + sample);
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  // Same seed → the same bytes.
  CommandResult again =
      Torghut("sim generate --symbols MSFT,AAPL --seconds 90 --seed 5 --out " + sample + "2");
  ASSERT_EQ(again.exit_code, 0);
  EXPECT_EQ(Slurp(sample), Slurp(sample + "2"));

  // Two bad lines in the middle.
  std::vector<std::string> lines = Lines(Slurp(sample));
  ASSERT_GT(lines.size(), 1000u);
  lines.insert(lines.begin() + 500, "{\"T\":\"t\",\"S\":\"AAPL\"}");
  lines.insert(lines.begin() + 100, "not json");
  {
    std::ofstream out(sample);
    for (const auto& l : lines) out << l << '\n';
  }
  const fs::path out_dir = dir_ / "out";
  CommandResult r = Torghut("replay --from-file " + sample + " --out " + out_dir.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(":101: skipped"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(":502: skipped"), std::string::npos) << r.err;
  const std::vector<std::string> err_lines = Lines(r.err);
  ASSERT_FALSE(err_lines.empty());
  const std::string& summary = err_lines.back();
  EXPECT_NE(summary.find("events/s"), std::string::npos) << summary;
  EXPECT_NE(summary.find("2 bad lines"), std::string::npos) << summary;

  for (const char* file : {"microbars.jsonl", "signals.jsonl"}) {
    const std::vector<std::string> rows = Lines(Slurp(out_dir / file));
    ASSERT_GT(rows.size(), 170u) << file;  // 2 symbols × 90 s, plus PT1M rows
    std::tuple<std::string, std::string, std::string> previous;
    for (const std::string& line : rows) {
      auto j = nlohmann::json::parse(line);
      for (const char* key : {"symbol", "event_ts", "window_size", "version", "is_final",
                              "window_start", "window_end", "seq", "ingest_ts", "source"}) {
        ASSERT_TRUE(j.contains(key)) << key << " in " << line;
      }
      EXPECT_EQ(j["is_final"], 1);
      const std::string ts = j["event_ts"];
      EXPECT_EQ(ts.size(), 24u) << ts;  // YYYY-MM-DDTHH:MM:SS.mmmZ
      EXPECT_TRUE(torghut::ParseRfc3339(ts).ok()) << ts;
      auto key =
          std::make_tuple(j["symbol"].get<std::string>(), j["window_size"].get<std::string>(), ts);
      EXPECT_LT(previous, key) << "not sorted at " << line;
      previous = key;
    }
  }
}

// On a terminal the replay draws a progress bar (and clears it before the summary); in a pipe
// it writes no control characters at all. `script` gives the command a pseudo-terminal.
TEST_F(CliTest, ProgressBarOnlyOnATerminal) {
  const std::string sample = (dir_ / "sample.jsonl").string();
  ASSERT_EQ(Torghut("sim generate --symbols A,B,C,D,E,F --seconds 400 --out " + sample).exit_code,
            0);
  const std::string tty_log = (dir_ / "tty.txt").string();
  const std::string cmd = "script -qfec '" + std::string(TORGHUT_BIN) + " replay --from-file " +
                          sample + " --out " + (dir_ / "out1").string() + "' /dev/null > " +
                          tty_log + " 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << Slurp(tty_log);
  const std::string on_tty = Slurp(tty_log);
  EXPECT_NE(on_tty.find("\rreplay ["), std::string::npos) << on_tty.substr(0, 400);
  EXPECT_NE(on_tty.find("% "), std::string::npos);
  EXPECT_NE(on_tty.find("\033[K"), std::string::npos);  // cleared before the summary
  EXPECT_NE(on_tty.find("events/s"), std::string::npos);

  CommandResult piped =
      Torghut("replay --from-file " + sample + " --out " + (dir_ / "out2").string());
  ASSERT_EQ(piped.exit_code, 0);
  EXPECT_EQ(piped.err.find('\r'), std::string::npos);
  EXPECT_EQ(piped.err.find('\033'), std::string::npos);
  EXPECT_EQ(Slurp(dir_ / "out1" / "signals.jsonl"), Slurp(dir_ / "out2" / "signals.jsonl"));
}

}  // namespace
