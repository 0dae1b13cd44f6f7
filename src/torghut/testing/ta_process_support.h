// Helpers for tests that run `torghut ta` as a process (header-only; test programs only):
//
//   TaProcess ta(TORGHUT_BIN, "TA_GROUP_ID=g BUS_DIR=...", dir / "ta.log");   // `env ... torghut
//   ta` StoreRows rows; ASSERT_TRUE(WaitUntilComplete(*store, *bus, "g", expected, &ta, &rows,
//   600s)); ta.Signal(SIGTERM); EXPECT_EQ(ta.Wait(), 0);
//
// "Complete" = the group committed every input partition up to its end, and the store holds
// exactly the expected number of rows, all final — polled with a deadline, never a fixed sleep.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "torghut/bus/bus.h"
#include "torghut/bus/embedded/embedded_bus.h"
#include "torghut/store/store_config.h"
#include "torghut/store/ta_store.h"
#include "torghut/ta/row_json.h"
#include "torghut/testing/test_support.h"

namespace torghut::testing {

// `env <env> <bin> <args>` in the background, stderr appended to `log`. Killed at destruction.
// Its HTTP port is any free one (TORGHUT_HTTP_ADDR=127.0.0.1:0, unless `env` says otherwise):
// HttpBaseFromLog finds it.
class TaProcess {
 public:
  TaProcess(const std::string& bin, const std::string& env, const std::filesystem::path& log,
            const std::string& args = "ta") {
    const std::string line = "exec env TORGHUT_HTTP_ADDR=127.0.0.1:0 " + env + " " + bin + " " +
                             args + " 2>>" + log.string();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execl("/bin/sh", "sh", "-c", line.c_str(), nullptr);
      ::_exit(127);
    }
  }
  ~TaProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      Wait();
    }
  }
  TaProcess(const TaProcess&) = delete;
  TaProcess& operator=(const TaProcess&) = delete;

  void Signal(int sig) {
    if (pid_ > 0) ::kill(pid_, sig);
  }
  // Exit code, or 128 + signal.
  int Wait() {
    if (pid_ <= 0) return exit_code_;
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return exit_code_;
  }
  bool Exited() {
    if (pid_ <= 0) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) != pid_) return false;
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return true;
  }

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

// A whole TA store as sorted JSONL (the store's own column names and values).
struct StoreRows {
  std::string microbars, signals;
  int64_t microbar_rows = 0, signal_rows = 0, provisional = 0;
  bool ok = true;
};

inline StoreRows DumpStore(store::TaStore& s) {
  StoreRows out;
  auto symbols = s.Symbols();
  if (!symbols.ok()) {
    out.ok = false;
    return out;
  }
  for (const std::string& symbol : *symbols) {
    store::RangeQuery q;
    q.symbol = symbol;
    q.from = Timestamp::FromSeconds(0);
    q.to = Timestamp::FromSeconds(4'000'000'000);
    q.limit = 100'000;
    for (auto [window, resolution] : {std::pair{ta::WindowSize::k1s, store::Resolution::k1s},
                                      std::pair{ta::WindowSize::k1m, store::Resolution::k1m}}) {
      q.window_size = window;
      q.resolution = resolution;
      auto bars = s.ReadMicrobars(q);
      if (!bars.ok()) {
        out.ok = false;
        return out;
      }
      for (const auto& row : *bars) {
        ta::AppendMicrobarJson(row, &out.microbars);
        out.microbars += '\n';
        ++out.microbar_rows;
        out.provisional += row.id.is_final ? 0 : 1;
      }
      auto signals = s.ReadSignals(q);
      if (!signals.ok()) {
        out.ok = false;
        return out;
      }
      for (const auto& row : *signals) {
        ta::AppendSignalJson(row, &out.signals);
        out.signals += '\n';
        ++out.signal_rows;
        out.provisional += row.id.is_final ? 0 : 1;
      }
    }
  }
  return out;
}

// Lines of `subset` that are not lines of `superset`.
inline int64_t RowsMissingFrom(const std::string& subset, const std::string& superset) {
  const std::vector<std::string> all = Lines(superset);
  const std::set<std::string> have(all.begin(), all.end());
  int64_t missing = 0;
  for (const std::string& line : Lines(subset)) missing += have.count(line) == 0 ? 1 : 0;
  return missing;
}

// "" when `got` and `want` are equal; otherwise how many rows differ and the first pair, which is
// what a failing comparison of two dumps needs to show.
inline std::string FirstDifference(const std::string& got, const std::string& want) {
  if (got == want) return "";
  const std::vector<std::string> a = Lines(got), b = Lines(want);
  size_t first = std::max(a.size(), b.size()), differing = 0;
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const std::string* x = i < a.size() ? &a[i] : nullptr;
    const std::string* y = i < b.size() ? &b[i] : nullptr;
    if (x != nullptr && y != nullptr && *x == *y) continue;
    ++differing;
    first = std::min(first, i);
  }
  return std::to_string(differing) + " of " + std::to_string(b.size()) + " rows differ; row " +
         std::to_string(first) + ":\n  got  " + (first < a.size() ? a[first] : "(none)") +
         "\n  want " + (first < b.size() ? b[first] : "(none)");
}

struct ExpectedRows {
  int64_t microbars = 0, signals = 0;
};

// Row counts of a `torghut replay --from-file ... --out DIR` result.
inline ExpectedRows CountReplayOutput(const std::filesystem::path& dir) {
  return {static_cast<int64_t>(Lines(Slurp(dir / "microbars.jsonl")).size()),
          static_cast<int64_t>(Lines(Slurp(dir / "signals.jsonl")).size())};
}

// A group's committed positions over the three input topics.
struct GroupPosition {
  int64_t committed = 0;         // sum of committed offsets
  int partitions = 0;            // input partitions
  int partitions_committed = 0;  // with a committed offset
  int64_t lag = 0;               // messages after the committed positions
  bool ok = true;
  bool operator==(const GroupPosition&) const = default;
};

inline GroupPosition Position(bus::Bus& bus, const std::string& group,
                              const std::vector<std::string>& topics = {
                                  "torghut.trades.v1", "torghut.quotes.v1", "torghut.bars.1m.v1"}) {
  GroupPosition g;
  for (const std::string& t : topics) {
    auto lag = bus.GroupLag(group, t);
    if (!lag.ok()) {
      g.ok = false;
      continue;
    }
    for (const auto& l : *lag) {
      ++g.partitions;
      g.lag += l.lag;
      if (l.committed >= 0) {
        ++g.partitions_committed;
        g.committed += l.committed;
      }
    }
  }
  return g;
}

inline bool WaitUntilComplete(store::TaStore& store, bus::Bus& bus, const std::string& group,
                              const ExpectedRows& want, TaProcess* ta, StoreRows* rows,
                              std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ta != nullptr && ta->Exited()) return false;
    const GroupPosition pos = Position(bus, group);
    if (pos.ok && pos.partitions > 0 && pos.lag == 0 &&
        pos.partitions_committed == pos.partitions) {
      *rows = DumpStore(store);
      if (rows->ok && rows->provisional == 0 && rows->microbar_rows == want.microbars &&
          rows->signal_rows == want.signals) {
        return true;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));  // poll period
  }
  return false;
}

// Heartbeats of `group` on the status topic (JSON), up to `count`, waiting up to `timeout`.
inline std::vector<nlohmann::json> ReadHeartbeats(bus::Bus& bus, const std::string& topic,
                                                  const std::string& group, size_t count,
                                                  std::chrono::seconds timeout) {
  std::vector<nlohmann::json> out;
  bus::ConsumerOptions o;
  o.group_id = "heartbeat-reader-" + std::to_string(::getpid()) + "-" + group;
  auto consumer = bus.NewConsumer(o);
  if (!consumer.ok() || !(*consumer)->Subscribe({topic}).ok()) return out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<bus::Message> batch;
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    if (!(*consumer)->Poll(&batch, 100, std::chrono::milliseconds(100)).ok()) break;
    for (const auto& m : batch) {
      if (m.key != group) continue;
      out.push_back(nlohmann::json::parse(m.value, nullptr, /*allow_exceptions=*/false));
    }
  }
  (void)(*consumer)->Close();
  return out;
}

// The last lines of a log, for failure messages.
// "http://host:port" from the first `"msg":"listening"` line of `log` after byte `from` (the
// HTTP server's start), waiting up to `timeout`; "" if none appeared.
inline std::string HttpBaseFromLog(const std::filesystem::path& log, size_t from,
                                   std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const std::string text = Slurp(log);
    const size_t at = text.find("\"msg\":\"listening\"", from);
    const size_t addr = at == std::string::npos ? at : text.find("\"addr\":\"", at);
    if (addr != std::string::npos) {
      const size_t begin = addr + 8, end = text.find('"', begin);
      return "http://" + text.substr(begin, end - begin);
    }
    if (std::chrono::steady_clock::now() >= deadline) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // poll period
  }
}

inline std::string Tail(const std::filesystem::path& log, size_t lines = 30) {
  const std::vector<std::string> all = Lines(Slurp(log));
  std::string out = "\n--- " + log.string() + " (tail) ---\n";
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
    out += all[i] + "\n";
  }
  return out;
}

}  // namespace torghut::testing
