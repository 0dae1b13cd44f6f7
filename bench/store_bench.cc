// TA store throughput and read latency, one backend per run (bench/run_store_bench.sh runs them
// all beside clickhouse-client as the peer):
//   store_bench write sqlite PATH N          N microbars through TaStore, batches of 10000
//   store_bench write clickhouse URL N       the same rows into a ClickHouse server
//   store_bench rowbinary FILE N             the same rows as a RowBinary file (for the peer)
//   store_bench read sqlite PATH | read clickhouse URL
//       latency of one hour of 1 s bars (raw rows and 1m candles) and of `latest`, p50/p99
// Prints one line per figure.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "torghut/store/clickhouse/clickhouse_ta_store.h"
#include "torghut/store/clickhouse/row_binary.h"
#include "torghut/store/internal/ta_columns.h"
#include "torghut/store/sqlite/sqlite_ta_store.h"

namespace {

using namespace torghut;
using Clock = std::chrono::steady_clock;

constexpr int64_t kT0 = 1'700'000'100'000;
const char* kSymbols[] = {"AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "META", "GOOG", "AMD", "SPY",
                          "QQQ"};

// Row i: symbol i % 10, second i / 10 — so N rows span N/10 seconds of ten symbols.
ta::MicrobarRow MakeRow(int64_t i) {
  ta::MicrobarRow r;
  const int64_t second = i / 10;
  r.id.symbol = kSymbols[i % 10];
  r.id.window_start = Timestamp::FromMillis(kT0 + second * 1000);
  r.id.window_end = Timestamp::FromMillis(kT0 + second * 1000 + 1000);
  r.id.event_ts = r.id.window_end;
  r.id.ingest_ts = Timestamp::FromMillis(kT0 + second * 1000 + 1012);
  r.id.seq = i;
  r.id.is_final = true;
  r.id.version = 1;
  const double p = 100 + static_cast<double>((i * 7919) % 1000) / 100;
  r.o = p;
  r.h = p + 0.05;
  r.l = p - 0.05;
  r.c = p + 0.01;
  r.v = 100 + i % 50;
  r.vwap = p + 0.002;
  r.count = 1 + i % 5;
  return r;
}

std::unique_ptr<store::TaStore> Open(const std::string& backend, const std::string& where) {
  if (backend == "clickhouse") {
    store::ClickHouseTaOptions o;
    o.http.url = where;
    return store::OpenClickHouseTaStore(o);
  }
  return store::OpenSqliteTaStore(where).value();
}

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

int Write(const std::string& backend, const std::string& where, int64_t n) {
  auto store = Open(backend, where);
  if (auto m = store->Migrate(); !m.ok()) {
    std::fprintf(stderr, "%s\n", m.status().ToString().c_str());
    return 1;
  }
  constexpr int64_t kBatch = 10000;
  std::vector<ta::MicrobarRow> batch;
  double busy = 0;
  for (int64_t i = 0; i < n; i += kBatch) {
    batch.clear();
    for (int64_t j = i; j < std::min(n, i + kBatch); ++j) batch.push_back(MakeRow(j));
    const auto t0 = Clock::now();  // row construction is not the store's cost
    if (Status s = store->WriteMicrobars(batch); !s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
    busy += Seconds(t0, Clock::now());
  }
  std::printf("write %s: %lld rows in %.3f s = %.0f rows/s (batches of %lld)\n", backend.c_str(),
              static_cast<long long>(n), busy, static_cast<double>(n) / busy,
              static_cast<long long>(kBatch));
  return 0;
}

int RowBinaryFile(const std::string& path, int64_t n) {
  std::string bytes;
  store::rowbinary::Writer w(&bytes);
  for (int64_t i = 0; i < n; ++i) {
    const ta::MicrobarRow r = MakeRow(i);
    store::internal::VisitMicrobar(r, w);
  }
  std::ofstream(path, std::ios::binary) << bytes;
  std::printf("%s\n", store::internal::JoinColumns(store::internal::MicrobarColumns()).c_str());
  return 0;
}

template <typename Fn>
void Latency(const char* what, int runs, Fn fn) {
  std::vector<double> us;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = Clock::now();
    if (!fn()) {
      std::fprintf(stderr, "%s failed\n", what);
      std::exit(1);
    }
    us.push_back(Seconds(t0, Clock::now()) * 1e6);
  }
  std::sort(us.begin(), us.end());
  std::printf("read %s: p50 %.0f us, p99 %.0f us (%d runs)\n", what, us[us.size() / 2],
              us[us.size() * 99 / 100], runs);
}

int Read(const std::string& backend, const std::string& where) {
  auto store = Open(backend, where);
  store::RangeQuery q;
  q.symbol = "NVDA";
  // One hour in the middle of the data: bars whose windows start at seconds 3600..7199.
  q.from = Timestamp::FromMillis(kT0 + 3601'000);
  q.to = Timestamp::FromMillis(kT0 + 7200'000);
  q.limit = 5000;
  size_t rows = 0;
  Latency("1h of 1s bars (rows)", 200, [&] {
    auto r = store->ReadMicrobars(q);
    rows = r.ok() ? r->size() : 0;
    return r.ok() && rows == 3600;
  });
  q.resolution = store::Resolution::k1m;
  Latency("1h of 1s bars as 1m candles", 200, [&] {
    auto r = store->ReadCandles(q);
    return r.ok() && r->size() == 60;
  });
  Latency("latest", 1000, [&] {
    auto r = store->Latest("NVDA");
    return r.ok() && r->microbar.has_value();
  });
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> a(argv + 1, argv + argc);
  if (a.size() == 4 && a[0] == "write") return Write(a[1], a[2], std::atoll(a[3].c_str()));
  if (a.size() == 3 && a[0] == "rowbinary") return RowBinaryFile(a[1], std::atoll(a[2].c_str()));
  if (a.size() == 3 && a[0] == "read") return Read(a[1], a[2]);
  std::fprintf(stderr,
               "usage: store_bench write sqlite|clickhouse PATH|URL N | rowbinary FILE N | read "
               "sqlite|clickhouse PATH|URL\n");
  return 2;
}
