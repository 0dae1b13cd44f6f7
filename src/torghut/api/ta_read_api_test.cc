// The read API over a real SQLite TA store (and an unreachable ClickHouse for the 503 path),
// through the router: shapes, validation, fallback, resolution buckets, latest and symbols.
#include "torghut/api/ta_read_api.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "torghut/store/clickhouse/clickhouse_ta_store.h"
#include "torghut/store/store_config.h"
#include "torghut/testing/test_support.h"

namespace torghut::api {
namespace {

using nlohmann::json;

class FixedClock : public Clock {
 public:
  int64_t NowNanos() const override { return now_ns; }
  int64_t now_ns = 0;
};

using namespace std::chrono_literals;

constexpr int64_t kT0 = 1'704'205'800;  // 2024-01-02T14:30:00Z

ta::MicrobarRow Bar(const std::string& symbol, int64_t second, double price, int64_t volume) {
  ta::MicrobarRow r;
  r.id.symbol = symbol;
  r.id.window_start = Timestamp::FromSeconds(kT0 + second);
  r.id.window_end = r.id.event_ts = Timestamp::FromSeconds(kT0 + second + 1);
  r.id.ingest_ts = r.id.event_ts;
  r.id.is_final = true;
  r.id.version = 3;
  r.o = r.h = r.l = r.c = price;
  r.h = price + 1;
  r.v = volume;
  r.vwap = price;
  r.count = 2;
  return r;
}

ta::SignalRow Signal(const std::string& symbol, int64_t second, double ema) {
  ta::SignalRow s;
  s.id = Bar(symbol, second, 0, 0).id;
  s.ema12 = ema;
  return s;
}

class ReadApiTest : public ::testing::Test {
 protected:
  ReadApiTest() : dir_("torghut-api") {
    store::StoreConfig c;
    c.data_dir = dir_.path();
    store_ = store::OpenTaStore(c).value();
    EXPECT_TRUE(store_->Migrate().ok());
    std::vector<ta::MicrobarRow> bars;
    std::vector<ta::SignalRow> signals;
    for (int64_t s = 0; s < 600; ++s) {  // ten minutes of AAPL
      bars.push_back(Bar("AAPL", s, 100 + static_cast<double>(s % 7), 10 + s % 5));
      signals.push_back(Signal("AAPL", s, 100 + static_cast<double>(s) / 10));
    }
    bars.push_back(Bar("BRK.B", 0, 400, 1));
    EXPECT_TRUE(store_->WriteMicrobars(bars).ok());
    EXPECT_TRUE(store_->WriteSignals(signals).ok());
    clock_.now_ns = (kT0 + 600 + 5) * kNanosPerSecond;
    AddTaReadApi(router_, store_.get(), &clock_);
  }
  http::Response Get(const std::string& path, const std::string& query) {
    http::Request r;
    r.method = "GET";
    r.path = path;
    EXPECT_TRUE(http::ParseQuery(query, &r.query));
    return router_.Dispatch(r);
  }
  static std::string Iso(int64_t second) {
    return std::string(FormatRfc3339(Timestamp::FromSeconds(kT0 + second)));
  }

  testing::ScratchDir dir_;
  std::unique_ptr<store::TaStore> store_;
  FixedClock clock_;
  http::Router router_;
};

TEST_F(ReadApiTest, BarsAndSignalsHaveTheDocumentedShape) {
  const http::Response r =
      Get("/api/torghut/ta/bars", "symbol=AAPL&from=" + Iso(0) + "&to=" + Iso(59));
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = json::parse(r.body);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["symbol"], "AAPL");
  EXPECT_EQ(j["resolution"], "1s");
  ASSERT_EQ(j["items"].size(), 59u);  // bar ends 14:30:01 … 14:30:59
  EXPECT_EQ(j["items"][0]["event_ts"], "2024-01-02T14:30:01.000Z");
  EXPECT_EQ(j["items"][0]["o"], 100);
  EXPECT_EQ(j["range"]["fallback"], false);
  EXPECT_EQ(j["range"]["requested"]["from"], "2024-01-02T14:30:00.000Z");
  EXPECT_EQ(j["range"]["effective"], j["range"]["requested"]);

  // Epoch seconds and milliseconds work too; limit keeps the newest items.
  const json s = json::parse(
      Get("/api/torghut/ta/signals", "symbol=AAPL&from=" + std::to_string(kT0) +
                                         "&to=" + std::to_string((kT0 + 60) * 1000) + "&limit=10")
          .body);
  ASSERT_EQ(s["items"].size(), 10u);
  EXPECT_EQ(s["items"][9]["event_ts"], "2024-01-02T14:31:00.000Z");
  EXPECT_DOUBLE_EQ(s["items"][9]["ema12"].get<double>(), 100 + 59.0 / 10);
}

TEST_F(ReadApiTest, BadInputIs400WithAMessage) {
  const std::string ok_range = "&from=" + Iso(0) + "&to=" + Iso(60);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"from=" + Iso(0) + "&to=" + Iso(60), "symbol is required"},
      {"symbol=aapl" + ok_range, "must match"},
      {"symbol=" + std::string(40, 'A') + ok_range, "must match"},
      {"symbol=AAPL&to=" + Iso(60), "from is required"},
      {"symbol=AAPL&from=" + Iso(0), "to is required"},
      {"symbol=AAPL&from=yesterday&to=" + Iso(60), "from:"},
      {"symbol=AAPL&from=" + Iso(60) + "&to=" + Iso(0), "to must not be before from"},
      {"symbol=AAPL&from=" + Iso(0) + "&to=" + Iso(8 * 86400), "at most 7 days"},
      {"symbol=AAPL" + ok_range + "&limit=0", "limit"},
      {"symbol=AAPL" + ok_range + "&limit=5001", "limit"},
      {"symbol=AAPL" + ok_range + "&limit=ten", "limit"},
      {"symbol=AAPL" + ok_range + "&resolution=2m", "resolution"},
  };
  for (const auto& [query, message] : cases) {
    for (const char* path : {"/api/torghut/ta/bars", "/api/torghut/ta/signals"}) {
      const http::Response r = Get(path, query);
      EXPECT_EQ(r.status, 400) << path << "?" << query;
      const json j = json::parse(r.body);
      EXPECT_EQ(j["ok"], false);
      EXPECT_NE(j["message"].get<std::string>().find(message), std::string::npos)
          << query << " -> " << j["message"];
    }
  }
  EXPECT_EQ(Get("/api/torghut/ta/bars", "symbol=AAPL" + ok_range + "&limit=5000").status, 200);
  EXPECT_EQ(Get("/api/torghut/ta/latest", "symbol=bad!").status, 400);
}

TEST_F(ReadApiTest, AnEmptyWindowFallsBackToTheSameSpanEndingAtTheNewestBar) {
  // An hour after the data ends: nothing there, so the last hour of data comes back.
  const json j = json::parse(
      Get("/api/torghut/ta/bars", "symbol=AAPL&from=" + Iso(3600) + "&to=" + Iso(3900)).body);
  EXPECT_EQ(j["range"]["fallback"], true);
  EXPECT_EQ(j["range"]["effective"]["to"], "2024-01-02T14:40:00.000Z");
  EXPECT_EQ(j["range"]["effective"]["from"], "2024-01-02T14:35:00.000Z");
  EXPECT_EQ(j["items"].size(), 301u);  // bar ends 14:35:00 … 14:40:00, both ends included
  // A symbol without data: empty, no fallback.
  const json none = json::parse(
      Get("/api/torghut/ta/bars", "symbol=MSFT&from=" + Iso(0) + "&to=" + Iso(60)).body);
  EXPECT_EQ(none["items"].size(), 0u);
  EXPECT_EQ(none["range"]["fallback"], false);
}

TEST_F(ReadApiTest, ResolutionBucketsEqualADirectComputation) {
  const json j = json::parse(Get("/api/torghut/ta/bars", "symbol=AAPL&from=" + Iso(0) +
                                                             "&to=" + Iso(600) + "&resolution=1m")
                                 .body);
  ASSERT_EQ(j["items"].size(), 10u);
  for (int m = 0; m < 10; ++m) {
    double h = 0, l = 1e9;
    int64_t v = 0;
    for (int s = m * 60; s < (m + 1) * 60; ++s) {
      const ta::MicrobarRow b = Bar("AAPL", s, 100 + s % 7, 10 + s % 5);
      h = std::max(h, b.h);
      l = std::min(l, b.l);
      v += b.v;
    }
    const json& c = j["items"][static_cast<size_t>(m)];
    EXPECT_EQ(c["o"], 100 + (m * 60) % 7) << m;
    EXPECT_EQ(c["c"], 100 + (m * 60 + 59) % 7) << m;
    EXPECT_EQ(c["h"], h);
    EXPECT_EQ(c["l"], l);
    EXPECT_EQ(c["v"], v);
    EXPECT_EQ(c["bars"], 60);
    EXPECT_EQ(c["window_start"], std::string(FormatRfc3339(Timestamp::FromSeconds(kT0 + m * 60),
                                                           FracDigits::kMillis)));
  }
}

TEST_F(ReadApiTest, LatestAndSymbols) {
  const json latest = json::parse(Get("/api/torghut/ta/latest", "symbol=AAPL").body);
  EXPECT_EQ(latest["bars"]["event_ts"], "2024-01-02T14:40:00.000Z");
  EXPECT_EQ(latest["signals"]["event_ts"], "2024-01-02T14:40:00.000Z");
  EXPECT_EQ(latest["lag_ms"], 5000);
  const json none = json::parse(Get("/api/torghut/ta/latest", "symbol=MSFT").body);
  EXPECT_TRUE(none["bars"].is_null());
  EXPECT_TRUE(none["lag_ms"].is_null());
  const json symbols = json::parse(Get("/api/torghut/symbols", "").body);
  EXPECT_EQ(symbols["symbols"], json({"AAPL", "BRK.B"}));
}

// A store connection whose candle reads wait until the test opens a gate: a slow wide window.
class GatedStore : public store::TaStore {
 public:
  explicit GatedStore(std::unique_ptr<store::TaStore> inner) : inner_(std::move(inner)) {}
  void Open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  bool Waiting() {
    std::lock_guard lock(mu_);
    return waiting_;
  }
  std::string_view backend() const override { return inner_->backend(); }
  Result<store::MigrationReport> Migrate() override { return inner_->Migrate(); }
  Result<int> SchemaVersion() override { return inner_->SchemaVersion(); }
  Status WriteMicrobars(std::span<const ta::MicrobarRow> r) override {
    return inner_->WriteMicrobars(r);
  }
  Status WriteSignals(std::span<const ta::SignalRow> r) override { return inner_->WriteSignals(r); }
  Result<std::vector<ta::MicrobarRow>> ReadMicrobars(const store::RangeQuery& q) override {
    return inner_->ReadMicrobars(q);
  }
  Result<std::vector<store::Candle>> ReadCandles(const store::RangeQuery& q) override {
    std::unique_lock lock(mu_);
    waiting_ = true;
    cv_.wait(lock, [&] { return open_; });
    waiting_ = false;
    return inner_->ReadCandles(q);
  }
  Result<std::vector<ta::SignalRow>> ReadSignals(const store::RangeQuery& q) override {
    return inner_->ReadSignals(q);
  }
  Result<store::LatestRows> Latest(std::string_view s) override { return inner_->Latest(s); }
  Result<store::Freshness> GetFreshness() override { return inner_->GetFreshness(); }
  Result<std::vector<std::string>> Symbols() override { return inner_->Symbols(); }
  Result<store::StorageUsage> Usage() override { return inner_->Usage(); }
  Result<int64_t> DropDaysBefore(Timestamp cutoff) override {
    return inner_->DropDaysBefore(cutoff);
  }

 private:
  std::unique_ptr<store::TaStore> inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false, waiting_ = false;
};

TEST_F(ReadApiTest, ASlowWindowDoesNotHoldUpOtherRequestsOnAnotherConnection) {
  store::StoreConfig c;
  c.data_dir = dir_.path();
  auto connections = store::OpenTaStores(c, 2).value();
  // Both connections gate their candle reads: whichever one the wide window borrows holds it.
  std::vector<GatedStore*> gates;
  for (auto& conn : connections) {
    auto gated = std::make_unique<GatedStore>(std::move(conn));
    gates.push_back(gated.get());
    conn = std::move(gated);
  }
  http::Router router;
  AddTaReadApi(router, std::move(connections), &clock_);
  auto dispatch = [&router](const std::string& path, const std::string& query) {
    http::Request r;
    r.method = "GET";
    r.path = path;
    EXPECT_TRUE(http::ParseQuery(query, &r.query));
    return router.Dispatch(r);
  };
  std::thread slow([&] {
    const http::Response r =
        dispatch("/api/torghut/ta/bars", "symbol=AAPL&from=" + std::to_string(kT0) +
                                             "&to=" + std::to_string(kT0 + 600) + "&resolution=1m");
    EXPECT_EQ(r.status, 200) << r.body;
  });
  ASSERT_TRUE(testing::WaitFor([&] { return gates[0]->Waiting() || gates[1]->Waiting(); }, 10s));
  // The other connection answers while the wide window is still being read.
  std::atomic<bool> answered{false};
  http::Response latest;
  std::thread fast([&] {
    latest = dispatch("/api/torghut/ta/latest", "symbol=AAPL");
    answered = true;
  });
  EXPECT_TRUE(testing::WaitFor([&] { return answered.load(); }, 10s))
      << "latest waited for the wide window's connection";
  EXPECT_TRUE(gates[0]->Waiting() || gates[1]->Waiting());
  for (GatedStore* g : gates) g->Open();
  slow.join();
  fast.join();
  EXPECT_EQ(latest.status, 200) << latest.body;
  EXPECT_EQ(json::parse(latest.body)["bars"]["c"], 100 + 599 % 7);
}

TEST(ReadApiStoreDownTest, AnUnreachableStoreIs503) {
  store::ClickHouseTaOptions o;
  o.http.url = "http://127.0.0.1:1";  // nothing listens on port 1
  o.http.connect_timeout_ms = 500;
  auto store = store::OpenClickHouseTaStore(o);
  FixedClock clock;
  http::Router router;
  AddTaReadApi(router, store.get(), &clock);
  for (const char* path :
       {"/api/torghut/ta/bars", "/api/torghut/ta/latest", "/api/torghut/symbols"}) {
    http::Request r;
    r.method = "GET";
    r.path = path;
    ASSERT_TRUE(http::ParseQuery("symbol=AAPL&from=2024-01-02T14:30:00Z&to=2024-01-02T14:31:00Z",
                                 &r.query));
    const http::Response res = router.Dispatch(r);
    EXPECT_EQ(res.status, 503) << path << " " << res.body;
    EXPECT_NE(res.body.find("TA store unavailable"), std::string::npos) << res.body;
  }
}

}  // namespace
}  // namespace torghut::api
