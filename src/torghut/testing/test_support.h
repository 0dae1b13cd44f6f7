// Helpers shared by tests (header-only; GoogleTest programs only).
//
//   ScratchDir dir("torghut-cli");           // /tmp/torghut-cli-<pid>-<test name>, removed at end
//   CommandResult r = RunCommand("FOO=1 " + bin + " --help", dir.path());
//   EXPECT_EQ(r.exit_code, 0); for (auto& line : Lines(r.out)) ...
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace torghut::testing {

// A fresh directory for the running test, named after it, removed when this goes out of scope.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& prefix) {
    path_ = std::filesystem::temp_directory_path() /
            (prefix + "-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  // TORGHUT_TEST_KEEP=1 keeps it (logs, stores, bus) for a look after a failure.
  ~ScratchDir() {
    if (std::getenv("TORGHUT_TEST_KEEP") != nullptr) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A scratch directory at a given path (for per-suite state), removed when this goes away.
class ScratchDirAt {
 public:
  explicit ScratchDirAt(std::filesystem::path path) : path_(std::move(path)) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDirAt() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDirAt(const ScratchDirAt&) = delete;
  ScratchDirAt& operator=(const ScratchDirAt&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void WriteFile(const std::filesystem::path& p, const std::string& content) {
  std::ofstream out(p, std::ios::binary);
  out << content;
}

inline int CountOccurrences(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// The lines of `text`, without their newlines.
inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream s(text);
  for (std::string l; std::getline(s, l);) lines.push_back(l);
  return lines;
}

// Polls `ready` every 20 ms until it holds or `timeout` passes (a condition with a deadline,
// never a fixed sleep).
template <typename Pred>
bool WaitFor(Pred ready, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return ready();
}

struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};

// Runs a shell command line, capturing stdout and stderr through files in `dir`.
inline CommandResult RunCommand(const std::string& command_line, const std::filesystem::path& dir) {
  const std::filesystem::path out = dir / "command.stdout", err = dir / "command.stderr";
  const int status =
      std::system((command_line + " >" + out.string() + " 2>" + err.string()).c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = Slurp(out);
  r.err = Slurp(err);
  return r;
}

}  // namespace torghut::testing
