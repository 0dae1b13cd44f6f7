// One conformance suite for every TA store backend: SQLite, and ClickHouse started by the test on
// loopback (Debian's 18.16 → the legacy layout). A server that cannot start fails the test.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <thread>

#include "torghut/store/clickhouse/clickhouse_ta_store.h"
#include "torghut/store/sqlite/sqlite_ta_store.h"
#include "torghut/store/ta_store.h"
#include "torghut/testing/store_servers.h"

namespace torghut::store {
namespace {

using testing::ClickHouseTestServer;
using testing::ScratchDir;

constexpr int64_t kT0 = 1'700'000'100'000;  // epoch ms, 2023-11-14T22:15:00Z (5-minute aligned)

ta::MicrobarRow Bar(std::string symbol, int64_t second, double close, int64_t version = 1) {
  ta::MicrobarRow r;
  r.id.symbol = std::move(symbol);
  r.id.window_start = Timestamp::FromMillis(kT0 + second * 1000);
  r.id.window_end = Timestamp::FromMillis(kT0 + (second + 1) * 1000);
  r.id.event_ts = r.id.window_end;
  r.id.ingest_ts = Timestamp::FromMillis(kT0 + (second + 1) * 1000 + 37);
  r.id.seq = second * 3 + 1;
  r.id.is_final = version > 1 || second % 7 != 0;
  r.id.source = second % 2 ? market::Source::kWs : market::Source::kRest;
  r.id.version = version;
  r.o = close - 0.25;
  r.h = close + 0.5 + static_cast<double>(second % 5) * 0.01;
  r.l = close - 0.75;
  r.c = close;
  r.v = second % 11 == 0 ? 0 : 100 + second % 13;
  r.vwap = r.v == 0 ? ta::kNull : close - 0.1 + static_cast<double>(second % 3) * 0.05;
  r.count = r.v == 0 ? 0 : 1 + second % 4;
  return r;
}

ta::SignalRow Signal(std::string symbol, int64_t second, int64_t version = 1) {
  ta::SignalRow r;
  r.id = Bar(symbol, second, 100, version).id;
  const double x = static_cast<double>(second);
  r.ema12 = 100 + x / 7;
  r.ema26 = second < 26 ? ta::kNull : 100 + x / 9;
  r.macd = second < 26 ? ta::kNull : r.ema12 - r.ema26;
  r.rsi14 = second < 14 ? ta::kNull : std::fmod(x * 3.7, 100.0);
  r.boll_mid = 100.125;
  r.boll_upper = 101.5;
  r.boll_lower = 98.75;
  r.vwap_session = 100 + x / 1000;
  r.imbalance_spread = second % 2 ? 0.01 : ta::kNull;
  r.vol_realized_w60s = 1e-4 * x;
  return r;
}

// Equal field by field, doubles by bits (NaN = NULL equals NaN).
bool SameDouble(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0;
}
void ExpectSameId(const ta::RowIdentity& a, const ta::RowIdentity& b) {
  EXPECT_EQ(a.symbol, b.symbol);
  EXPECT_EQ(a.event_ts, b.event_ts);
  EXPECT_EQ(a.seq, b.seq);
  EXPECT_EQ(a.ingest_ts, b.ingest_ts);
  EXPECT_EQ(a.is_final, b.is_final);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.window_size, b.window_size);
  EXPECT_EQ(a.window_step, b.window_step);
  EXPECT_EQ(a.window_start, b.window_start);
  EXPECT_EQ(a.window_end, b.window_end);
  EXPECT_EQ(a.version, b.version);
}
void ExpectSameBar(const ta::MicrobarRow& a, const ta::MicrobarRow& b) {
  ExpectSameId(a.id, b.id);
  EXPECT_TRUE(SameDouble(a.o, b.o) && SameDouble(a.h, b.h) && SameDouble(a.l, b.l) &&
              SameDouble(a.c, b.c) && SameDouble(a.vwap, b.vwap))
      << a.id.symbol << " " << a.id.event_ts.millis();
  EXPECT_EQ(a.v, b.v);
  EXPECT_EQ(a.count, b.count);
}
void ExpectSameSignal(const ta::SignalRow& a, const ta::SignalRow& b) {
  ExpectSameId(a.id, b.id);
  const double* fa[] = {&a.macd,
                        &a.macd_signal,
                        &a.macd_hist,
                        &a.ema12,
                        &a.ema26,
                        &a.rsi14,
                        &a.boll_mid,
                        &a.boll_upper,
                        &a.boll_lower,
                        &a.vwap_session,
                        &a.vwap_w5m,
                        &a.imbalance_spread,
                        &a.imbalance_bid_px,
                        &a.imbalance_ask_px,
                        &a.imbalance_bid_sz,
                        &a.imbalance_ask_sz,
                        &a.vol_realized_w60s};
  const double* fb[] = {&b.macd,
                        &b.macd_signal,
                        &b.macd_hist,
                        &b.ema12,
                        &b.ema26,
                        &b.rsi14,
                        &b.boll_mid,
                        &b.boll_upper,
                        &b.boll_lower,
                        &b.vwap_session,
                        &b.vwap_w5m,
                        &b.imbalance_spread,
                        &b.imbalance_bid_px,
                        &b.imbalance_ask_px,
                        &b.imbalance_bid_sz,
                        &b.imbalance_ask_sz,
                        &b.vol_realized_w60s};
  for (size_t i = 0; i < std::size(fa); ++i) {
    EXPECT_TRUE(SameDouble(*fa[i], *fb[i]))
        << "signal field " << i << " at " << a.id.event_ts.millis();
  }
}

RangeQuery Range(std::string symbol, int64_t from_s, int64_t to_s, Resolution r = Resolution::k1s,
                 int64_t limit = 5000) {
  RangeQuery q;
  q.symbol = std::move(symbol);
  q.from = Timestamp::FromMillis(kT0 + from_s * 1000);
  q.to = Timestamp::FromMillis(kT0 + to_s * 1000);
  q.resolution = r;
  q.limit = limit;
  return q;
}

class TaStoreConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = std::make_unique<ScratchDir>("torghut-ta-store");
    if (GetParam() == "clickhouse") {
      server_ = std::make_unique<ClickHouseTestServer>(dir_->path() / "clickhouse");
      ASSERT_TRUE(server_->Start()) << "clickhouse-server did not start:\n" << server_->log();
    }
    store_ = Open();
    auto report = store_->Migrate();
    ASSERT_TRUE(report.ok()) << report.status().ToString();
  }

  std::unique_ptr<TaStore> Open(SqliteDb::Options sqlite_options = {}) {
    if (GetParam() == "clickhouse") {
      ClickHouseTaOptions o;
      o.http.url = server_->url();
      o.http.timeout_ms = 5000;
      o.http.connect_timeout_ms = 500;
      return OpenClickHouseTaStore(o);
    }
    auto s = OpenSqliteTaStore(dir_->path() / "ta.sqlite", sqlite_options);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  }

  std::unique_ptr<ScratchDir> dir_;
  std::unique_ptr<ClickHouseTestServer> server_;
  std::unique_ptr<TaStore> store_;
};

TEST_P(TaStoreConformance, MigrateIsIdempotentAndRecordsTheVersion) {
  auto again = store_->Migrate();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(again->from_version, 1);
  EXPECT_EQ(again->to_version, 1);
  auto v = store_->SchemaVersion();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 1);
  if (GetParam() == "clickhouse") {
    EXPECT_NE(again->detail.find("legacy layout"), std::string::npos);
  }
}

TEST_P(TaStoreConformance, RowsRoundTripExactly) {
  std::vector<ta::MicrobarRow> bars;
  std::vector<ta::SignalRow> signals;
  for (int s = 0; s < 40; ++s) {
    bars.push_back(Bar("AAPL", s, 187.25 + s * 0.01));
    signals.push_back(Signal("AAPL", s));
  }
  bars[3].o = 0.1 + 0.2;  // a double with no short decimal form
  bars[4].c = 1e-300;
  ASSERT_TRUE(store_->WriteMicrobars(bars).ok());
  ASSERT_TRUE(store_->WriteSignals(signals).ok());

  auto got = store_->ReadMicrobars(Range("AAPL", 0, 100));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), bars.size());
  for (size_t i = 0; i < bars.size(); ++i) ExpectSameBar((*got)[i], bars[i]);

  auto sig = store_->ReadSignals(Range("AAPL", 0, 100));
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  ASSERT_EQ(sig->size(), signals.size());
  for (size_t i = 0; i < signals.size(); ++i) ExpectSameSignal((*sig)[i], signals[i]);

  // Range bounds are inclusive on event_ts (= window end): seconds 10..19 end at 11..20.
  auto window = store_->ReadMicrobars(Range("AAPL", 11, 20));
  ASSERT_TRUE(window.ok());
  ASSERT_EQ(window->size(), 10u);
  EXPECT_EQ(window->front().id.event_ts, bars[10].id.event_ts);
  EXPECT_EQ(window->back().id.event_ts, bars[19].id.event_ts);
  // Another symbol and the other window size see nothing.
  EXPECT_TRUE(store_->ReadMicrobars(Range("MSFT", 0, 100))->empty());
  RangeQuery minute = Range("AAPL", 0, 100, Resolution::k1m);
  minute.window_size = ta::WindowSize::k1m;
  EXPECT_TRUE(store_->ReadMicrobars(minute)->empty());
}

TEST_P(TaStoreConformance, NewestVersionWinsWhateverTheWriteOrder) {
  std::vector<ta::MicrobarRow> v1 = {Bar("MSFT", 1, 400.0, 1), Bar("MSFT", 2, 401.0, 1)};
  std::vector<ta::MicrobarRow> v3 = {Bar("MSFT", 1, 410.0, 3)};
  std::vector<ta::SignalRow> s1 = {Signal("MSFT", 1, 1)}, s2 = {Signal("MSFT", 1, 2)};
  s2[0].ema12 = 555.5;
  ASSERT_TRUE(store_->WriteMicrobars(v1).ok());
  ASSERT_TRUE(store_->WriteMicrobars(v3).ok());
  ASSERT_TRUE(store_->WriteMicrobars(v1).ok());  // an old version after the new one
  ASSERT_TRUE(store_->WriteMicrobars(v3).ok());  // the same batch twice
  ASSERT_TRUE(store_->WriteSignals(s2).ok());
  ASSERT_TRUE(store_->WriteSignals(s1).ok());

  auto got = store_->ReadMicrobars(Range("MSFT", 0, 10));
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  ExpectSameBar((*got)[0], v3[0]);
  ExpectSameBar((*got)[1], v1[1]);
  auto candles = store_->ReadCandles(Range("MSFT", 0, 10, Resolution::k1m));
  ASSERT_TRUE(candles.ok());
  ASSERT_EQ(candles->size(), 1u);
  EXPECT_EQ((*candles)[0].bars, 2);  // not 3 or 4: versions never double-count
  EXPECT_EQ((*candles)[0].version, 3);
  auto sig = store_->ReadSignals(Range("MSFT", 0, 10));
  ASSERT_TRUE(sig.ok());
  ASSERT_EQ(sig->size(), 1u);
  EXPECT_EQ((*sig)[0].id.version, 2);
  EXPECT_EQ((*sig)[0].ema12, 555.5);
}

// Buckets computed here directly from the rows written, compared with the store's aggregation.
std::vector<Candle> ExpectedCandles(const std::vector<ta::MicrobarRow>& bars, int64_t width_ms) {
  std::map<int64_t, std::vector<const ta::MicrobarRow*>> buckets;
  for (const auto& b : bars) {
    buckets[b.id.window_start.millis() / width_ms * width_ms].push_back(&b);
  }
  std::vector<Candle> out;
  for (const auto& [start, rows] : buckets) {
    Candle c;
    c.bucket_start = Timestamp::FromMillis(start);
    c.bucket_end = Timestamp::FromMillis(start + width_ms);
    c.o = rows.front()->o;
    c.c = rows.back()->c;
    c.h = rows.front()->h;
    c.l = rows.front()->l;
    c.is_final = true;
    double pv = 0;
    int64_t vol = 0;
    for (const auto* r : rows) {
      c.h = std::max(c.h, r->h);
      c.l = std::min(c.l, r->l);
      c.v += r->v;
      c.count += r->count;
      c.bars += 1;
      c.is_final = c.is_final && r->id.is_final;
      c.version = std::max(c.version, r->id.version);
      if (r->v > 0) {
        pv += r->vwap * static_cast<double>(r->v);
        vol += r->v;
      }
    }
    c.vwap = vol ? pv / static_cast<double>(vol) : ta::kNull;
    out.push_back(c);
  }
  return out;
}

TEST_P(TaStoreConformance, CandlesAtEveryResolutionEqualADirectComputation) {
  // One hour of 1 s bars with gaps (every 17th second has no trades, so no bar).
  std::vector<ta::MicrobarRow> bars;
  uint64_t x = 12345;
  double price = 100;
  for (int s = 0; s < 3600; ++s) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    price += static_cast<double>(static_cast<int64_t>(x >> 40) % 21 - 10) * 0.01;
    if (s % 17 == 5) continue;
    bars.push_back(Bar("NVDA", s, price));
  }
  for (size_t i = 0; i < bars.size(); i += 1000) {
    const size_t n = std::min<size_t>(1000, bars.size() - i);
    ASSERT_TRUE(store_->WriteMicrobars(std::span(bars).subspan(i, n)).ok());
  }
  for (Resolution r :
       {Resolution::k1s, Resolution::k5s, Resolution::k15s, Resolution::k1m, Resolution::k5m}) {
    SCOPED_TRACE(std::string(ResolutionName(r)));
    const auto want = ExpectedCandles(bars, ResolutionMillis(r));
    auto got = store_->ReadCandles(Range("NVDA", 0, 3600, r));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_EQ(got->size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      const Candle &g = (*got)[i], &w = want[i];
      ASSERT_EQ(g.bucket_start, w.bucket_start) << i;
      EXPECT_EQ(g.bucket_end, w.bucket_end);
      EXPECT_EQ(g.o, w.o);
      EXPECT_EQ(g.h, w.h);
      EXPECT_EQ(g.l, w.l);
      EXPECT_EQ(g.c, w.c);
      EXPECT_EQ(g.v, w.v);
      EXPECT_EQ(g.count, w.count);
      EXPECT_EQ(g.bars, w.bars);
      EXPECT_EQ(g.is_final, w.is_final);
      EXPECT_EQ(g.version, w.version);
      // Σ(vwap·v) may be summed in another order by the server: equal to the last few ulps.
      if (std::isnan(w.vwap)) {
        EXPECT_TRUE(std::isnan(g.vwap)) << i;
      } else {
        EXPECT_NEAR(g.vwap, w.vwap, 1e-12 * w.vwap) << i;
      }
    }
    // The newest `limit` buckets, still ascending.
    auto last = store_->ReadCandles(Range("NVDA", 0, 3600, r, 7));
    ASSERT_TRUE(last.ok());
    ASSERT_EQ(last->size(), 7u);
    EXPECT_EQ(last->front().bucket_start, want[want.size() - 7].bucket_start);
    EXPECT_EQ(last->back().bucket_start, want.back().bucket_start);
    EXPECT_EQ(last->back().c, want.back().c);
  }
}

TEST_P(TaStoreConformance, SignalsAreSampledAtTheEndOfEachBucket) {
  std::vector<ta::SignalRow> signals;
  for (int s = 0; s < 300; ++s) {
    if (s % 60 == 59 && s != 299) continue;  // a bucket's last second may be missing
    signals.push_back(Signal("TSLA", s));
  }
  ASSERT_TRUE(store_->WriteSignals(signals).ok());
  auto all = store_->ReadSignals(Range("TSLA", 0, 300));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), signals.size());

  auto minute = store_->ReadSignals(Range("TSLA", 0, 300, Resolution::k1m));
  ASSERT_TRUE(minute.ok()) << minute.status().ToString();
  ASSERT_EQ(minute->size(), 5u);
  const int64_t want_seconds[] = {58, 118, 178, 238, 299};
  for (size_t i = 0; i < 5; ++i) {
    ExpectSameSignal((*minute)[i], Signal("TSLA", want_seconds[i]));
  }
  auto newest_two = store_->ReadSignals(Range("TSLA", 0, 300, Resolution::k1m, 2));
  ASSERT_TRUE(newest_two.ok());
  ASSERT_EQ(newest_two->size(), 2u);
  EXPECT_EQ((*newest_two)[1].id.event_ts, Signal("TSLA", 299).id.event_ts);
}

TEST_P(TaStoreConformance, LatestFreshnessSymbolsAndUsage) {
  auto empty = store_->GetFreshness();
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_FALSE(empty->microbars.has_value());
  EXPECT_FALSE(empty->signals.has_value());
  auto none = store_->Latest("AAPL");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->microbar.has_value());

  std::vector<ta::MicrobarRow> bars = {Bar("SPY", 5, 450), Bar("SPY", 9, 451), Bar("AAPL", 3, 1),
                                       Bar("BRK.B", 7, 2)};
  std::vector<ta::SignalRow> signals = {Signal("SPY", 4), Signal("SPY", 8)};
  ASSERT_TRUE(store_->WriteMicrobars(bars).ok());
  ASSERT_TRUE(store_->WriteSignals(signals).ok());

  auto latest = store_->Latest("SPY");
  ASSERT_TRUE(latest.ok());
  ASSERT_TRUE(latest->microbar && latest->signal);
  ExpectSameBar(*latest->microbar, bars[1]);
  ExpectSameSignal(*latest->signal, signals[1]);
  auto fresh = store_->GetFreshness();
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->microbars, bars[1].id.event_ts);
  EXPECT_EQ(fresh->signals, signals[1].id.event_ts);
  auto symbols = store_->Symbols();
  ASSERT_TRUE(symbols.ok());
  EXPECT_EQ(*symbols, (std::vector<std::string>{"AAPL", "BRK.B", "SPY"}));
  auto usage = store_->Usage();
  ASSERT_TRUE(usage.ok()) << usage.status().ToString();
  EXPECT_GT(usage->bytes_used, 0);
  if (GetParam() == "sqlite") {
    EXPECT_GT(usage->bytes_free, 0);
  }
}

TEST_P(TaStoreConformance, BadSymbolsAndQueriesAreRefusedAndLoseNothing) {
  ASSERT_TRUE(store_->WriteMicrobars(std::vector{Bar("AMD", 1, 150)}).ok());
  for (std::string bad : std::vector<std::string>{"amd", "A'B", "X; DROP TABLE ta_microbars", "",
                                                  std::string(33, 'A'), "AAPL\n", "A B"}) {
    std::vector<ta::MicrobarRow> batch = {Bar("AMD", 2, 151), Bar(bad, 2, 1)};
    Status s = store_->WriteMicrobars(batch);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("must match"), std::string::npos) << s.message();
    EXPECT_EQ(store_->ReadMicrobars(Range(bad, 0, 10)).status().code(),
              StatusCode::kInvalidArgument);
    EXPECT_EQ(store_->Latest(bad).status().code(), StatusCode::kInvalidArgument);
  }
  // Nothing of the refused batches was written; what was accepted before is intact.
  auto got = store_->ReadMicrobars(Range("AMD", 0, 10));
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].c, 150);
  // Other bad queries.
  RangeQuery reversed = Range("AMD", 10, 0);
  EXPECT_EQ(store_->ReadCandles(reversed).status().code(), StatusCode::kInvalidArgument);
  RangeQuery too_fine = Range("AMD", 0, 10, Resolution::k5s);
  too_fine.window_size = ta::WindowSize::k1m;
  EXPECT_EQ(store_->ReadCandles(too_fine).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ReadCandles(Range("AMD", 0, 10, Resolution::k1s, 0)).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_P(TaStoreConformance, ConcurrentWritersLoseNoRows) {
  // Two writers, each with its own store object, interleaving batches over shared and own
  // symbols; shared identities are written by both with different versions.
  auto writer = [&](int id) {
    std::unique_ptr<TaStore> store = Open();
    for (int batch = 0; batch < 20; ++batch) {
      std::vector<ta::MicrobarRow> rows;
      for (int i = 0; i < 50; ++i) {
        const int s = batch * 50 + i;
        rows.push_back(Bar(id == 0 ? "OWNA" : "OWNB", s, 10 + id));
        rows.push_back(Bar("SHARED", s, 20 + id, /*version=*/1 + id));
      }
      Status st = store->WriteMicrobars(rows);
      ASSERT_TRUE(st.ok()) << st.ToString();
    }
  };
  std::thread a(writer, 0), b(writer, 1);
  a.join();
  b.join();
  for (const char* symbol : {"OWNA", "OWNB", "SHARED"}) {
    auto got = store_->ReadMicrobars(Range(symbol, 0, 2000));
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->size(), 1000u) << symbol;
    if (std::string(symbol) == "SHARED") {
      for (const auto& r : *got) ASSERT_EQ(r.id.version, 2) << r.id.event_ts.millis();
    }
  }
}

TEST_P(TaStoreConformance, NewerSchemaIsRefused) {
  if (GetParam() == "clickhouse") {
    ClickHouseHttp http({.url = server_->url()});
    ASSERT_TRUE(http.Query("INSERT INTO torghut.schema_migrations (component, version, "
                           "description) VALUES ('ta', 99, 'from the future')")
                    .ok());
  } else {
    auto db = SqliteDb::Open(dir_->path() / "ta.sqlite");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(
        db->Exec("INSERT INTO schema_migrations VALUES ('ta', 99, 'from the future', 0)").ok());
  }
  auto r = Open()->Migrate();
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("v99"), std::string::npos) << r.status().message();
}

// The failure a caller backs off on, then recovery without loss.
TEST_P(TaStoreConformance, AnUnavailableOrFullStoreReturnsATypedErrorAndRecovers) {
  ASSERT_TRUE(store_->WriteMicrobars(std::vector{Bar("QQQ", 1, 380)}).ok());
  if (GetParam() == "clickhouse") {
    server_->Stop();
    Status s = store_->WriteMicrobars(std::vector{Bar("QQQ", 2, 381)});
    EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
    EXPECT_EQ(store_->ReadCandles(Range("QQQ", 0, 10)).status().code(), StatusCode::kUnavailable);
    EXPECT_EQ(store_->GetFreshness().status().code(), StatusCode::kUnavailable);
    // Bad input is refused before any request: the answer is about the input, not the server.
    EXPECT_EQ(store_->WriteMicrobars(std::vector{Bar("bad", 2, 1)}).code(),
              StatusCode::kInvalidArgument);
    ASSERT_TRUE(server_->Start()) << server_->log();
  } else {
    // A database that may not grow: SQLite reports SQLITE_FULL exactly as on a full disk.
    auto db = SqliteDb::Open(dir_->path() / "ta.sqlite");
    ASSERT_TRUE(db.ok());
    auto st = db->Prepare("PRAGMA page_count");
    ASSERT_TRUE(st.ok());
    ASSERT_TRUE(*(*st)->Step());
    const int64_t pages = (*st)->Int(0);
    (*st)->Reset();
    std::unique_ptr<TaStore> full =
        Open({.pragmas = {{"max_page_count", std::to_string(pages + 1)}}});
    std::vector<ta::MicrobarRow> big;
    for (int s = 10; s < 5000; ++s) big.push_back(Bar("QQQ", s, 380));
    Status s = full->WriteMicrobars(big);
    EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.ToString();
    full.reset();
  }
  // What was accepted before the outage is intact, and writes work again.
  ASSERT_TRUE(store_->WriteMicrobars(std::vector{Bar("QQQ", 2, 381)}).ok());
  auto got = store_->ReadMicrobars(Range("QQQ", 0, 6000));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 2u);  // the refused batch left nothing behind
  EXPECT_EQ((*got)[0].c, 380);
  EXPECT_EQ((*got)[1].c, 381);
}

TEST_P(TaStoreConformance, RetentionDropsWholeDaysBeforeTheCutoff) {
  const int64_t day_s = 86400;
  // kT0 is 22:15 UTC: seconds -day_s lie on the day before, 0 and 3000 on kT0's day and the next.
  std::vector<ta::MicrobarRow> bars = {Bar("AAPL", -day_s, 1), Bar("AAPL", -day_s + 60, 2),
                                       Bar("AAPL", 0, 3), Bar("AAPL", 7000, 4)};
  std::vector<ta::SignalRow> signals = {Signal("AAPL", -day_s), Signal("AAPL", 0)};
  ASSERT_TRUE(store_->WriteMicrobars(bars).ok());
  ASSERT_TRUE(store_->WriteSignals(signals).ok());
  // Any moment of kT0's day keeps that whole day.
  auto dropped = store_->DropDaysBefore(Timestamp::FromMillis(kT0 + 1000));
  ASSERT_TRUE(dropped.ok()) << dropped.status().ToString();
  EXPECT_EQ(*dropped, 1);
  auto left = store_->ReadMicrobars(Range("AAPL", -2 * day_s, day_s));
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 2u);
  EXPECT_EQ((*left)[0].c, 3);
  EXPECT_EQ((*left)[1].c, 4);
  auto left_signals = store_->ReadSignals(Range("AAPL", -2 * day_s, day_s));
  ASSERT_TRUE(left_signals.ok());
  ASSERT_EQ(left_signals->size(), 1u);
  EXPECT_EQ(*store_->DropDaysBefore(Timestamp::FromMillis(kT0 + 1000)), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, TaStoreConformance, ::testing::Values("sqlite", "clickhouse"),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace torghut::store
