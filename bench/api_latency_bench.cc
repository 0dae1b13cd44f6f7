// Event → provisional signal readable through the read API, in a real `torghut up` (simulated
// market → forwarder → embedded bus → TA → SQLite → read API, one process).
//
//   build/release/bench/api_latency_bench --torghut build/release/src/torghut/app/torghut
//       [--seconds 30] [--rate 20] [--symbols 5]
//
// Settings of `up` (TA_PROVISIONAL_INTERVAL_MS, TA_CLICKHOUSE_FLUSH_MS, …) pass through the
// environment. One client polls `GET /api/torghut/ta/latest?symbol=AAPL` back to back on a
// keep-alive connection and notes each signal row (event_ts, version) the first time it is
// readable. Latency = that moment − the row's `ingest_ts`, the time the forwarder received the last
// event folded into the row: the whole path after Torghut has the event (bus, TA engine,
// provisional emission, store write, API read). The figure is an upper bound by up to one poll
// round trip, reported beside it; the peer in the same run is `GET /healthz` back to back on the
// same server (the HTTP layer with nothing behind it). The first 5 s are left out.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "bench/latency_report.h"
#include "torghut/core/time.h"
#include "torghut/testing/http_client.h"

namespace fs = std::filesystem;
using namespace torghut;
using json = nlohmann::json;

namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The base URL `torghut up` prints ("  API      http://127.0.0.1:PORT/api/…"), or "".
std::string WaitForBase(const fs::path& out, int64_t deadline_ns) {
  const std::regex api(R"(API\s+(http://[0-9.:]+)/api/)");
  while (NowNs() < deadline_ns) {
    std::ifstream in(out);
    std::string line;
    std::smatch m;
    while (std::getline(in, line)) {
      if (std::regex_search(line, m, api)) return m[1];
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  std::string torghut;
  int seconds = 30, rate = 20, symbols = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--torghut") torghut = v;
    if (k == "--seconds") seconds = std::stoi(v);
    if (k == "--rate") rate = std::stoi(v);
    if (k == "--symbols") symbols = std::stoi(v);
  }
  // API_LATENCY_DEBUG=1: rows readable after more than 8 ms are printed (with their times, to set
  // beside up's log) and the run's directory is kept.
  const bool debug = std::getenv("API_LATENCY_DEBUG") != nullptr;
  if (torghut.empty()) {
    std::fprintf(stderr,
                 "usage: api_latency_bench --torghut BIN [--seconds N] [--rate N] [--symbols N]\n");
    return 2;
  }
  const char* kNames[] = {"AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "META", "GOOG", "AMD"};
  std::string list;
  for (int s = 0; s < std::clamp(symbols, 1, 8); ++s)
    list += (s ? "," : "") + std::string(kNames[s]);
  const fs::path dir =
      fs::temp_directory_path() / ("torghut-api-latency-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string cmd = "exec " + torghut + " up --port 0 --data-dir " + (dir / "data").string() +
                          " --symbols " + list + " --rate " + std::to_string(rate) + " >" +
                          (dir / "up.out").string() + " 2>" + (dir / "up.log").string();
  const pid_t up = fork();
  if (up == 0) {
    setenv("TORGHUT_HTTP_ACCESS_LOG", "false", 1);
    setenv("TORGHUT_LOG_LEVEL", "warn", 0);  // the caller's level wins
    execl("/bin/sh", "sh", "-c", cmd.c_str(), nullptr);
    _exit(127);
  }
  int status = 0;
  auto fail = [&](const char* why) {
    std::fprintf(stderr, "api_latency_bench: %s (see %s)\n", why, dir.c_str());
    kill(up, SIGTERM);
    waitpid(up, &status, 0);
    return 1;
  };
  const std::string base = WaitForBase(dir / "up.out", NowNs() + 30'000'000'000);
  if (base.empty()) return fail("torghut up printed no URL");
  const std::string latest = base + "/api/torghut/ta/latest?symbol=AAPL";
  testing::HttpClient client;
  const int64_t warm_until = NowNs() + 5'000'000'000;
  while (NowNs() < warm_until) (void)client.Get(latest);

  std::vector<double> latency_ms, poll_ms, healthz_ms;
  std::string last_key;
  const int64_t end = NowNs() + int64_t{seconds} * 1'000'000'000;
  int64_t polls = 0;
  while (NowNs() < end) {
    const int64_t sent = NowNs();
    testing::HttpResult r = client.Get(latest);
    const int64_t got = NowNs();
    if (r.status != 200) return fail("GET /latest failed");
    poll_ms.push_back(static_cast<double>(got - sent) / 1e6);
    // Every 16th round trip also measures the peer on the same connection.
    if (++polls % 16 == 0) {
      const int64_t h0 = NowNs();
      (void)client.Get(base + "/healthz");
      healthz_ms.push_back(static_cast<double>(NowNs() - h0) / 1e6);
    }
    const json j = json::parse(r.body, nullptr, false);
    if (j.is_discarded() || !j["signals"].is_object()) continue;
    const json& s = j["signals"];
    const std::string key =
        s["event_ts"].get<std::string>() + "/" + std::to_string(s["version"].get<int64_t>());
    if (key == last_key) continue;
    last_key = key;
    auto ingest = ParseRfc3339(s["ingest_ts"].get<std::string>());
    if (!ingest.ok()) continue;
    // Readable no later than `got`, and not before `sent`; `got` makes it an upper bound.
    latency_ms.push_back(static_cast<double>(got - ingest->nanos()) / 1e6);
    if (debug && latency_ms.back() > 8) {
      std::fprintf(stderr, "slow: %s (ingest %s) readable after %.1f ms\n", key.c_str(),
                   s["ingest_ts"].get<std::string>().c_str(), latency_ms.back());
    }
  }
  kill(up, SIGTERM);
  waitpid(up, &status, 0);
  const char* prov = std::getenv("TA_PROVISIONAL_INTERVAL_MS");
  const char* flush = std::getenv("TA_CLICKHOUSE_FLUSH_MS");
  std::printf(
      "torghut up: %d symbols x %d trades/s (simulated), %d s; TA_PROVISIONAL_INTERVAL_MS=%s "
      "TA_CLICKHOUSE_FLUSH_MS=%s\n",
      symbols, rate, seconds, prov ? prov : "(up's default)", flush ? flush : "(up's default)");
  bench::ReportLatency("event -> provisional signal readable (API)", latency_ms, 44);
  bench::ReportLatency("poll round trip: GET /latest", poll_ms, 44);
  bench::ReportLatency("peer: GET /healthz round trip", healthz_ms, 44);
  if (!debug) fs::remove_all(dir);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
