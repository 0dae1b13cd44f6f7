// `torghut ta` as a process with its SQLite file on a small filesystem (a size-limited tmpfs the
// test mounts; the tests run as root): free disk below TA_MIN_FREE_DISK_PCT, or an insert failing
// for space with the check off, pauses its writes —
// `degraded` with reason `store_full`, still running, nothing committed past what was written —
// and freeing the space resumes them with no row lost: the final rows are byte-identical to a file
// replay of the same input.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

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

// A tmpfs of `size` mounted at `dir` for the object's life (lazily unmounted: a process that still
// holds a file there cannot keep it mounted after the test).
class TmpfsMount {
 public:
  TmpfsMount(fs::path dir, const std::string& size) : dir_(std::move(dir)) {
    fs::create_directories(dir_);
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, ("size=" + size).c_str()) != 0) {
      error_ = std::string("mount -t tmpfs -o size=") + size + " on " + dir_.string() +
               " refused: " + std::strerror(errno) + " (these tests need root)";
      return;
    }
    mounted_ = true;
  }
  ~TmpfsMount() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;
  const std::string& error() const { return error_; }

 private:
  fs::path dir_;
  bool mounted_ = false;
  std::string error_;
};

struct Space {
  int64_t free_bytes = 0, total_bytes = 0;
};
Space SpaceOf(const fs::path& dir) {
  struct statvfs vfs {};
  EXPECT_EQ(::statvfs(dir.c_str(), &vfs), 0) << std::strerror(errno);
  return {static_cast<int64_t>(vfs.f_bavail) * static_cast<int64_t>(vfs.f_frsize),
          static_cast<int64_t>(vfs.f_blocks) * static_cast<int64_t>(vfs.f_frsize)};
}

// Writes `bytes` of data (really allocated: tmpfs has no holes to hide it in); `until_full`: the
// last write may be cut short by the filesystem filling up.
void WriteFiller(const fs::path& file, int64_t bytes, bool until_full = false) {
  std::ofstream out(file, std::ios::binary);
  const std::string block(1 << 16, 'x');
  for (int64_t left = bytes; left > 0; left -= static_cast<int64_t>(block.size())) {
    out.write(block.data(), static_cast<std::streamsize>(
                                std::min<int64_t>(left, static_cast<int64_t>(block.size()))));
  }
  out.close();
  if (!until_full) {
    ASSERT_TRUE(out.good()) << "cannot write the filler " << file;
  }
}

class TaDiskProcessTest : public ::testing::Test {
 protected:
  TaDiskProcessTest() : dir_("torghut-ta-disk"), small_(dir_.path() / "small", "16m") {}

  fs::path bus_dir() const { return dir_.path() / "bus"; }
  fs::path store_dir() const { return dir_.path() / "small"; }
  std::string Env(const std::string& group) const {
    // Only the TA store is on the small filesystem; the bus and the checkpoints are not.
    return "BUS_DIR=" + bus_dir().string() + " TORGHUT_DATA_DIR=" + store_dir().string() +
           " TA_GROUP_ID=" + group +
           " TA_CHECKPOINT_DIR=" + (dir_.path() / "checkpoints").string() +
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
  fs::path Publish(const std::string& name, const std::string& generate_flags) {
    const fs::path file = dir_.path() / name;
    CommandResult g = Run("sim generate " + generate_flags + " --out " + file.string());
    EXPECT_EQ(g.exit_code, 0) << g.err;
    CommandResult p =
        RunEnv("BUS_DIR=" + bus_dir().string(), "sim publish --from-file " + file.string());
    EXPECT_EQ(p.exit_code, 0) << p.err;
    return file;
  }
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
  std::unique_ptr<store::TaStore> Store() {
    store::StoreConfig c;
    c.data_dir = store_dir();
    return store::OpenTaStore(c).value();
  }
  std::unique_ptr<bus::Bus> Bus() {
    bus::EmbeddedOptions o;
    o.dir = bus_dir().string();
    return bus::embedded::EmbeddedBus::Open(o).value();
  }
  // The input topics as envelope lines, replayed from the file: the rows the service must end with.
  std::pair<std::vector<std::string>, std::vector<std::string>> ReplayOfTheBus() {
    std::string all;
    for (const char* topic : {"torghut.trades.v1", "torghut.quotes.v1", "torghut.bars.1m.v1"}) {
      CommandResult d = RunEnv("BUS_DIR=" + bus_dir().string(),
                               std::string("bus dump --from-beginning --topic ") + topic);
      EXPECT_EQ(d.exit_code, 0) << d.err;
      all += d.out;
    }
    const fs::path envelopes = dir_.path() / "envelopes.jsonl";
    testing::WriteFile(envelopes, all);
    const fs::path out = dir_.path() / "replay-out";
    CommandResult r =
        Run("replay --no-progress --from-file " + envelopes.string() + " --out " + out.string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return {SortedLines(testing::Slurp(out / "microbars.jsonl")),
            SortedLines(testing::Slurp(out / "signals.jsonl"))};
  }
  static std::string Join(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& l : lines) out += l + "\n";
    return out;
  }
  static std::vector<std::string> SortedLines(const std::string& text) {
    std::vector<std::string> lines = testing::Lines(text);
    std::sort(lines.begin(), lines.end());
    return lines;
  }

  enum class Fill { kBelowHalf, kEveryByte };
  // Writes input until complete, fills the store's filesystem (`fill`), writes more input and
  // checks the pause (reason `store_full: …` containing `reason_part`), then frees the space and
  // checks the resumption and the final rows.
  void PauseAndResume(int min_free_disk_pct, Fill fill, const std::string& reason_part);

  testing::ScratchDir dir_;
  TmpfsMount small_;  // destroyed before dir_: unmounted, then the directory removed
};

void TaDiskProcessTest::PauseAndResume(int min_free_disk_pct, Fill fill,
                                       const std::string& reason_part) {
  ASSERT_EQ(small_.error(), "");
  const std::string group = "ta-disk";
  const fs::path a = Publish("a.jsonl", "--symbols AAPL,MSFT,NVDA --seconds 200 --seed 31");
  const testing::ExpectedRows want_a = Expected({a});
  ASSERT_GT(want_a.microbars, 0);

  const fs::path log = dir_.path() / "ta.log";
  // Measured before every write: the pause starts at the first write after the filler.
  TaProcess ta(TORGHUT_BIN,
               Env(group) + " TA_DISK_CHECK_INTERVAL_MS=0 TA_MIN_FREE_DISK_PCT=" +
                   std::to_string(min_free_disk_pct),
               log);
  const std::string base = testing::HttpBaseFromLog(log, 0, 60s);
  ASSERT_FALSE(base.empty()) << testing::Tail(log);
  testing::HttpClient client;
  auto status = [&] {
    return nlohmann::json::parse(client.Get(base + "/status").body, nullptr, false);
  };
  auto store = Store();
  auto bus = Bus();
  StoreRows rows;
  // Plenty of space: the first input is written and committed as usual.
  ASSERT_TRUE(testing::WaitUntilComplete(*store, *bus, group, want_a, &ta, &rows, 300s))
      << testing::Tail(log);
  const testing::GroupPosition written = testing::Position(*bus, group);

  // The second input goes on the bus whole while TA is stopped (SIGSTOP), so TA reads it as a file
  // replay does: rows read while a publisher is still writing may merge a trade before a quote
  // published after it, which is not what this test is about.
  ta.Signal(SIGSTOP);
  const Space before = SpaceOf(store_dir());
  const fs::path filler = store_dir() / "filler";
  if (fill == Fill::kBelowHalf) {
    // About 44% free of 16 MiB: below a 50% threshold, and no insert would fail yet.
    WriteFiller(filler, before.free_bytes - before.total_bytes / 2 + (int64_t{1} << 20));
    const Space low = SpaceOf(store_dir());
    ASSERT_LT(low.free_bytes * 2, low.total_bytes);
    ASSERT_GT(low.free_bytes, int64_t{4} << 20);
  } else {
    // Every free byte: the next insert that needs a new page fails with SQLITE_FULL.
    WriteFiller(filler, before.free_bytes, /*until_full=*/true);
    ASSERT_EQ(SpaceOf(store_dir()).free_bytes, 0);
  }

  const fs::path b =
      Publish("b.jsonl", std::string(fill == Fill::kEveryByte
                                         ? "--symbols AAPL,MSFT,NVDA,TSLA,AMZN --seconds 900"
                                         : "--symbols AAPL,MSFT,NVDA --seconds 200") +
                             " --seed 32 "
                             "--start 2024-01-02T14:40:00Z");
  ta.Signal(SIGCONT);
  const testing::ExpectedRows want_ab = Expected({a, b});
  nlohmann::json degraded;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        degraded = status();
        return (degraded.is_object() && degraded["health"] == "degraded") || ta.Exited();
      },
      60s))
      << degraded.dump() << testing::Tail(log);
  ASSERT_FALSE(ta.Exited()) << testing::Tail(log);
  const std::string reason = degraded["reason"].get<std::string>();
  EXPECT_EQ(reason.rfind("store_full: ", 0), 0u) << reason;
  EXPECT_NE(reason.find(reason_part), std::string::npos) << reason;
  if (fill == Fill::kBelowHalf) {
    // "store_full: <dir>: 43.7% free (7 MiB of 16 MiB) < TA_MIN_FREE_DISK_PCT 50%"
    EXPECT_EQ(reason.rfind("store_full: " + store_dir().string() + ": 4", 0), 0u) << reason;
    EXPECT_NE(reason.find(" MiB of 16 MiB) < TA_MIN_FREE_DISK_PCT 50%"), std::string::npos)
        << reason;
  }
  EXPECT_EQ(degraded["sink_health"], reason);
  EXPECT_EQ(degraded["state"], "running");

  // Paused for several checkpoint intervals (heartbeats keep coming): nothing more is written or
  // committed, and the process keeps running.
  const testing::GroupPosition at_pause = testing::Position(*bus, group);
  const StoreRows held = testing::DumpStore(*store);
  const int64_t paused_at = degraded["time_ms"].get<int64_t>();
  nlohmann::json later;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        later = status();
        return later.is_object() && later["time_ms"].get<int64_t>() >= paused_at + 3'000;
      },
      60s))
      << later.dump();
  EXPECT_EQ(later["health"], "degraded");
  EXPECT_EQ(later["reason"].get<std::string>().rfind("store_full: ", 0), 0u) << later.dump();
  EXPECT_EQ(later["rows_written"], degraded["rows_written"]);
  EXPECT_EQ(later["commits"], degraded["commits"]);
  EXPECT_FALSE(ta.Exited());
  const testing::GroupPosition paused = testing::Position(*bus, group);
  EXPECT_EQ(paused.committed, at_pause.committed);
  EXPECT_GE(paused.committed, written.committed);
  if (fill == Fill::kBelowHalf) {
    // Paused at the first write of the second input: none of it written, nor committed past the
    // checkpoint that holds what was read.
    EXPECT_EQ(held.microbar_rows, rows.microbar_rows);
    EXPECT_EQ(held.signal_rows, rows.signal_rows);
    EXPECT_GT(paused.lag, 0);
  }
  const StoreRows still = testing::DumpStore(*store);
  EXPECT_EQ(still.microbar_rows, held.microbar_rows);
  EXPECT_EQ(still.signal_rows, held.signal_rows);
  EXPECT_LT(still.microbar_rows + still.signal_rows, want_ab.microbars + want_ab.signals);

  // Space back: TA resumes by itself and ends with every row.
  fs::remove(filler);
  ASSERT_TRUE(testing::WaitUntilComplete(*store, *bus, group, want_ab, &ta, &rows, 300s))
      << testing::Tail(log);
  nlohmann::json resumed;
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        resumed = status();
        return resumed.is_object() && resumed["health"] == "ok";
      },
      60s))
      << resumed.dump();
  EXPECT_EQ(resumed["reason"], "");
  EXPECT_NE(testing::Slurp(log).find("recovered"), std::string::npos) << testing::Tail(log);
  ta.Signal(SIGTERM);
  EXPECT_EQ(ta.Wait(), 0) << testing::Tail(log);

  const auto [microbars, signals] = ReplayOfTheBus();
  ASSERT_EQ(static_cast<int64_t>(microbars.size()), want_ab.microbars);
  const StoreRows final_rows = testing::DumpStore(*store);
  EXPECT_EQ(testing::FirstDifference(Join(SortedLines(final_rows.microbars)), Join(microbars)), "")
      << "microbars";
  EXPECT_EQ(testing::FirstDifference(Join(SortedLines(final_rows.signals)), Join(signals)), "")
      << "signals";
}

// Below TA_MIN_FREE_DISK_PCT: paused before any insert can fail; the reason names the volume.
TEST_F(TaDiskProcessTest, LowFreeDiskPausesWritesAsStoreFullAndFreeingItResumesWithoutLoss) {
  PauseAndResume(50, Fill::kBelowHalf, "% free (");
}

// TA_MIN_FREE_DISK_PCT=0 (the check off) and a full filesystem: SQLite's SQLITE_FULL pauses the
// writes the same way.
TEST_F(TaDiskProcessTest, AnInsertFailingForSpacePausesWritesAsStoreFullAndResumesWithoutLoss) {
  PauseAndResume(0, Fill::kEveryByte, "full");
}

// Both settings are in `ta --help`; a bad value stops `ta` (exit 2) with the variable named.
TEST_F(TaDiskProcessTest, TheSettingsAreInTaHelpAndABadValueIsRefusedByName) {
  const CommandResult help = Run("ta --help");
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_NE(help.out.find("TA_MIN_FREE_DISK_PCT        below this % free disk"), std::string::npos)
      << help.out;
  EXPECT_NE(help.out.find("TA_DISK_CHECK_INTERVAL_MS"), std::string::npos);
  for (const std::string bad : {"TA_MIN_FREE_DISK_PCT=101", "TA_MIN_FREE_DISK_PCT=-1",
                                "TA_MIN_FREE_DISK_PCT=five", "TA_DISK_CHECK_INTERVAL_MS=-5"}) {
    const CommandResult r = RunEnv(Env("ta-bad") + " " + bad, "ta");
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.err;
    EXPECT_NE(r.err.find(bad.substr(0, bad.find('='))), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("1 bad setting"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace torghut
