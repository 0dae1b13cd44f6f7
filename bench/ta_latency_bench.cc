// Event → final row visible in the TA store, at a steady live rate, through a real `torghut ta`
// process on the embedded bus and SQLite.
//
//   build/release/bench/ta_latency_bench --torghut build/release/src/torghut/app/torghut
//       [--seconds 40] [--rate 400] [--symbols 8] [--flush-ms 1000]
//
// A producer thread publishes trade envelopes in real time (event time = now, spread evenly over
// the symbols, like a forwarder on a busy feed). A poller reads the store every 2 ms and notes
// when each final 1 s microbar first becomes visible. Figures:
//   - close → visible: from the publish of the trade that closes a bar (the first trade of that
//     symbol at least TA_MAX_OUT_OF_ORDER_MS past the bar's end: the engine's watermark rule) to
//     the row being readable — the pipeline's own delay (bus, engine, batching, store);
//   - bar end → visible: from the bar's end in event time — what a reader of the store waits,
//     including the out-of-order allowance the watermark grants by design;
//   - peer, measured in the same run: the bus alone, publish → delivered to a consumer of another
//     group reading the same topic.
// The first 5 s (group join, schema) are left out.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/latency_report.h"
#include "torghut/alpaca/envelope.h"
#include "torghut/bus/embedded/embedded_bus.h"
#include "torghut/core/time.h"
#include "torghut/store/store_config.h"
#include "torghut/store/ta_store.h"

namespace fs = std::filesystem;
using namespace torghut;
using WallClock = std::chrono::system_clock;

namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(WallClock::now().time_since_epoch())
      .count();
}

struct Args {
  std::string torghut;
  int seconds = 40;
  int rate = 400;  // trades/s over all symbols
  int symbols = 8;
  int flush_ms = 1000;
  int ooo_ms = 2000;
};

struct Published {
  int symbol;
  int64_t event_ns;
  int64_t publish_ns;
};

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--torghut") a.torghut = v;
    if (k == "--seconds") a.seconds = std::stoi(v);
    if (k == "--rate") a.rate = std::stoi(v);
    if (k == "--symbols") a.symbols = std::stoi(v);
    if (k == "--flush-ms") a.flush_ms = std::stoi(v);
  }
  if (a.torghut.empty()) {
    std::fprintf(stderr,
                 "usage: ta_latency_bench --torghut BIN [--seconds N] [--rate N] "
                 "[--symbols N] [--flush-ms N]\n");
    return 2;
  }
  const fs::path dir = fs::temp_directory_path() / ("torghut-latency-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  bus::EmbeddedOptions bo;
  bo.dir = (dir / "bus").string();
  auto bus = bus::embedded::EmbeddedBus::Open(bo).value();
  for (const char* t : {"torghut.trades.v1", "torghut.quotes.v1", "torghut.bars.1m.v1"}) {
    (void)bus->EnsureTopic(t, 3);
  }
  std::vector<std::string> names;
  for (int s = 0; s < a.symbols; ++s) names.push_back("SYM" + std::to_string(s));

  // The TA process.
  const std::string cmd =
      "exec env BUS_DIR=" + bo.dir + " TORGHUT_DATA_DIR=" + dir.string() +
      " TA_GROUP_ID=latency TORGHUT_HTTP_ADDR=127.0.0.1:0 TORGHUT_LOG_LEVEL=warn"
      " TA_CLICKHOUSE_FLUSH_MS=" +
      std::to_string(a.flush_ms) + " TA_MAX_OUT_OF_ORDER_MS=" + std::to_string(a.ooo_ms) + " " +
      a.torghut + " ta 2>" + (dir / "ta.log").string();
  const pid_t ta = fork();
  if (ta == 0) {
    execl("/bin/sh", "sh", "-c", cmd.c_str(), nullptr);
    _exit(127);
  }

  std::atomic<bool> done{false};
  std::vector<Published> published;
  published.reserve(static_cast<size_t>(a.rate) * static_cast<size_t>(a.seconds + 5));
  std::mutex pub_mu;

  // Peer: the bus alone, another group on the same topic.
  std::vector<double> bus_ms;
  std::thread peer([&] {
    bus::ConsumerOptions co;
    co.group_id = "latency-peer";
    co.reset = bus::OffsetReset::kLatest;
    auto consumer = bus->NewConsumer(co).value();
    (void)consumer->Subscribe({"torghut.trades.v1"});
    std::vector<bus::Message> batch;
    while (!done.load()) {
      if (!consumer->Poll(&batch, 1000, std::chrono::milliseconds(20)).ok()) continue;
      const int64_t now = NowNs();
      for (const auto& m : batch) {
        // The trade id ("i") is the index into `published`.
        const size_t at = m.value.find("\"i\":");
        if (at == std::string::npos) continue;
        size_t idx = 0;
        for (size_t i = at + 4; i < m.value.size() && m.value[i] >= '0' && m.value[i] <= '9'; ++i) {
          idx = idx * 10 + static_cast<size_t>(m.value[i] - '0');
        }
        std::lock_guard lock(pub_mu);
        if (idx < published.size()) {
          bus_ms.push_back(static_cast<double>(now - published[idx].publish_ns) / 1e6);
        }
      }
    }
    (void)consumer->Close();
  });

  // Poller: first time each final row is visible.
  std::map<std::pair<int, int64_t>, int64_t> seen;  // (symbol, bar end ns) → visible at
  std::thread poller([&] {
    std::unique_ptr<store::TaStore> store;
    std::vector<int64_t> newest(static_cast<size_t>(a.symbols), 0);
    while (!done.load()) {
      if (!store) {
        store::StoreConfig sc;
        sc.data_dir = dir;
        if (fs::exists(dir / "ta.sqlite")) {
          auto opened = store::OpenTaStore(sc);
          if (opened.ok()) store = std::move(*opened);
        }
      }
      if (store) {
        for (int s = 0; s < a.symbols; ++s) {
          store::RangeQuery q;
          q.symbol = names[static_cast<size_t>(s)];
          q.from = Timestamp::FromNanos(newest[static_cast<size_t>(s)] + 1);
          q.to = Timestamp::FromNanos(NowNs() + kNanosPerMinute);
          q.limit = 5000;
          auto rows = store->ReadMicrobars(q);
          if (!rows.ok()) continue;
          const int64_t now = NowNs();
          for (const auto& r : *rows) {
            if (!r.id.is_final) continue;
            const int64_t end = r.id.event_ts.nanos();
            seen.emplace(std::make_pair(s, end), now);
            newest[static_cast<size_t>(s)] = std::max(newest[static_cast<size_t>(s)], end);
          }
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));  // poll period
    }
  });

  // Producer: real time, evenly spaced.
  {
    auto producer = bus->NewProducer({}).value();
    const int64_t start = NowNs();
    const int64_t step = kNanosPerSecond / a.rate;
    std::vector<int64_t> seq(static_cast<size_t>(a.symbols), 0);
    std::string payload, json;
    char ts[64];
    for (int64_t i = 0;; ++i) {
      const int64_t due = start + i * step;
      if (due - start >= int64_t{a.seconds} * kNanosPerSecond) break;
      std::this_thread::sleep_until(WallClock::time_point(std::chrono::nanoseconds(due)));
      const int s = static_cast<int>(i % a.symbols);
      const int64_t now = NowNs();
      const std::string_view when = FormatRfc3339(Timestamp::FromNanos(now), ts);
      payload = "{\"T\":\"t\",\"S\":\"" + names[static_cast<size_t>(s)] +
                "\",\"i\":" + std::to_string(i) +
                ",\"x\":\"V\",\"p\":" + std::to_string(100 + (i % 50) * 0.01) +
                ",\"s\":100,\"c\":[\"@\"],\"t\":\"" + std::string(when) + "\",\"z\":\"C\"}";
      alpaca::EnvelopeHeader h;
      h.ingest_ts = h.event_ts = Timestamp::FromNanos(now);
      h.symbol = names[static_cast<size_t>(s)];
      h.seq = ++seq[static_cast<size_t>(s)];
      json.clear();
      alpaca::AppendEnvelopeJson(h, payload, &json);
      {
        std::lock_guard lock(pub_mu);
        published.push_back({s, now, NowNs()});
      }
      (void)producer->Produce("torghut.trades.v1", h.symbol, json);
      producer->Poll(std::chrono::milliseconds(0));
    }
    (void)producer->Flush(std::chrono::seconds(10));
  }
  // Let the last bars close by the watermark's rule, then stop.
  std::this_thread::sleep_for(std::chrono::milliseconds(a.ooo_ms + a.flush_ms + 1500));
  done = true;
  poller.join();
  peer.join();
  kill(ta, SIGTERM);
  int status = 0;
  waitpid(ta, &status, 0);

  // Per bar: the trade that closed it (watermark = max event time − out-of-order allowance).
  const int64_t measure_from =
      published.empty() ? 0 : published.front().event_ns + 5 * kNanosPerSecond;
  std::vector<std::vector<const Published*>> by_symbol(static_cast<size_t>(a.symbols));
  for (const auto& p : published) by_symbol[static_cast<size_t>(p.symbol)].push_back(&p);
  std::vector<double> close_ms, end_ms;
  int64_t missing = 0;
  for (int s = 0; s < a.symbols; ++s) {
    const auto& trades = by_symbol[static_cast<size_t>(s)];
    std::map<int64_t, bool> bars;  // bar end → seen
    for (const Published* p : trades) bars[(p->event_ns / kNanosPerSecond + 1) * kNanosPerSecond];
    for (const auto& [end, unused] : bars) {
      if (end < measure_from) continue;
      const Published* closer = nullptr;
      for (const Published* p : trades) {
        if (p->event_ns - int64_t{a.ooo_ms} * 1'000'000 >= end) {
          closer = p;
          break;
        }
      }
      if (closer == nullptr) continue;  // never closed by a trade (end of the run)
      auto it = seen.find({s, end});
      if (it == seen.end()) {
        ++missing;
        continue;
      }
      close_ms.push_back(static_cast<double>(it->second - closer->publish_ns) / 1e6);
      end_ms.push_back(static_cast<double>(it->second - end) / 1e6);
    }
  }
  std::printf(
      "torghut ta latency: %d trades/s over %d symbols for %d s; TA_CLICKHOUSE_FLUSH_MS=%d, "
      "TA_MAX_OUT_OF_ORDER_MS=%d; store polled every 2 ms\n",
      a.rate, a.symbols, a.seconds, a.flush_ms, a.ooo_ms);
  bench::ReportLatency("closing trade -> final row visible", close_ms);
  bench::ReportLatency("bar end -> final row visible", end_ms);
  bench::ReportLatency("peer: bus publish -> consumed", bus_ms);
  if (missing > 0)
    std::printf("bars closed but never seen: %lld\n", static_cast<long long>(missing));
  fs::remove_all(dir);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
