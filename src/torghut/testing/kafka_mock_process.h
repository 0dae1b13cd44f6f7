// The torghut-kafka-mock fixture (tests/fixtures) as a child process of a test: a Kafka cluster on
// loopback that other processes (torghut, kcat) reach at bootstrap(), with stdin commands for
// faults (header-only; test programs only).
//
//   MockClusterProcess cluster(TORGHUT_KAFKA_MOCK, "--brokers 1 --topic t:3");
//   cluster.Command("down 1");
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace torghut::testing {

// The torghut-kafka-mock fixture as a child process we can send commands to.
class MockClusterProcess {
 public:
  MockClusterProcess(const std::string& fixture, const std::string& args) {
    int in[2], out[2];
    EXPECT_EQ(::pipe(in), 0);
    EXPECT_EQ(::pipe(out), 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      ::close(in[1]);
      ::close(out[0]);
      ::execl("/bin/sh", "sh", "-c", (fixture + " " + args).c_str(), nullptr);
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    to_ = ::fdopen(in[1], "w");
    from_ = ::fdopen(out[0], "r");
    const std::string first = ReadLine();
    EXPECT_EQ(first.rfind("bootstrap=", 0), 0u) << first;
    bootstrap_ = first.substr(10);
  }
  ~MockClusterProcess() {
    std::fputs("quit\n", to_);
    std::fflush(to_);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    std::fclose(to_);
    std::fclose(from_);
  }
  // Sends one command, returns the fixture's answer.
  std::string Command(const std::string& line) {
    std::fputs((line + "\n").c_str(), to_);
    std::fflush(to_);
    return ReadLine();
  }
  const std::string& bootstrap() const { return bootstrap_; }

 private:
  std::string ReadLine() {
    char buf[4096];
    if (std::fgets(buf, sizeof buf, from_) == nullptr) return "";
    std::string s(buf);
    if (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
  }
  pid_t pid_ = -1;
  FILE* to_ = nullptr;
  FILE* from_ = nullptr;
  std::string bootstrap_;
};

}  // namespace torghut::testing
