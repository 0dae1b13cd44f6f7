#include <chrono>
#include <csignal>
#include <thread>

#include "torghut/app/commands.h"

namespace torghut::app {

namespace {
std::atomic<bool> g_stop{false};
}  // namespace

const std::atomic<bool>& StopOnSignals() {
  std::signal(SIGINT, [](int) { g_stop = true; });
  std::signal(SIGTERM, [](int) { g_stop = true; });
  return g_stop;
}

void WaitForStop(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // signal flag check period
  }
}

}  // namespace torghut::app
