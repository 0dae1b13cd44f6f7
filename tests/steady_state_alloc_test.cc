// The hot path allocates nothing in steady state: decoding a frame of trades and quotes and
// folding them into the TA engine, once per-symbol buffers have grown. Global operator new is
// replaced in this test binary to count allocations between two points.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>

#include "torghut/alpaca/frame_decoder.h"
#include "torghut/alpaca/message_json.h"
#include "torghut/core/calendar.h"
#include "torghut/ta/engine.h"

namespace {
std::atomic<int64_t> g_allocations{0};
}

namespace {
void* Allocate(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}
}  // namespace

// Every ordinary form, so that no allocation escapes the count and new/delete stay paired.
void* operator new(std::size_t n) {
  if (void* p = Allocate(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (void* p = Allocate(n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return Allocate(n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return Allocate(n);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}

namespace torghut {
namespace {

// Counts rows without keeping them (a store sink batches into preallocated buffers).
class CountingSink : public ta::RowSink {
 public:
  void OnMicrobar(const ta::MicrobarRow& r) override { bars += r.id.is_final; }
  void OnSignal(const ta::SignalRow& r) override { signals += r.id.is_final; }
  int64_t bars = 0, signals = 0;
};

// A frame of `per_second` trades and quotes for each symbol in second `sec`.
std::string Frame(int sec, int per_second, int64_t* next_id) {
  std::string frame = "[";
  const char* symbols[] = {"AAPL", "MSFT", "NVDA"};
  for (int k = 0; k < per_second; ++k) {
    for (const char* sym : symbols) {
      market::Trade t;
      t.id = ++*next_id;
      t.price = 100 + (sec % 17) * 0.01 + k * 0.001;
      t.size = 100;
      t.ts = Timestamp::FromSeconds(1704205800 + sec) + int64_t{k} * 1'000'000;
      if (frame.size() > 1) frame += ',';
      alpaca::AppendTradeJson(t, sym, &frame);
      market::Quote q;
      q.bid_price = t.price - 0.01;
      q.ask_price = t.price + 0.01;
      q.bid_size = q.ask_size = 5;
      q.ts = t.ts;
      frame += ',';
      alpaca::AppendQuoteJson(q, sym, &frame);
    }
  }
  return frame + "]";
}

TEST(SteadyStateTest, DecodeAndEngineAllocateNothingPerEvent) {
  const TradingCalendar calendar = *TradingCalendar::NewYork();
  ta::TradingSessions sessions(&calendar);
  SymbolTable symbols;
  CountingSink sink;
  ta::Engine engine(ta::EngineConfig{}, &symbols, &sessions, &sink);
  alpaca::FrameDecoder decoder(&symbols);
  alpaca::MessageBatch batch;
  int64_t next_id = 0;
  {  // the counter sees allocations at all
    const int64_t before = g_allocations.load();
    auto probe = std::make_unique<std::string>(100, 'x');
    EXPECT_GT(g_allocations.load() - before, 0);
  }
  // Frames are built up front: building them allocates, feeding them must not.
  std::vector<std::string> frames;
  for (int sec = 0; sec < 1200; ++sec) frames.push_back(Frame(sec, 20, &next_id));

  int64_t events = 0;
  auto feed = [&](int from, int to) {
    for (int sec = from; sec < to; ++sec) {
      ASSERT_TRUE(decoder.Decode(frames[sec], &batch).ok());
      for (const alpaca::DecodedMessage& m : batch.messages) {
        ta::InputMeta meta{Timestamp::FromSeconds(1704205800 + sec), ++events, market::Source::kWs};
        if (m.type == alpaca::MessageType::kTrade) {
          engine.OnTrade(std::get<market::Trade>(m.event), meta);
        } else if (m.type == alpaca::MessageType::kQuote) {
          engine.OnQuote(std::get<market::Quote>(m.event), meta);
        }
      }
      engine.EmitProvisional();
    }
  };
  // Warm-up: 10 minutes, so every window (5-minute VWAP, 60-bar volatility, de-dup horizon) is
  // full and every buffer has reached its steady size.
  feed(0, 600);
  const int64_t bars_before = sink.bars;
  const int64_t allocations_before = g_allocations.load();
  feed(600, 1200);
  const int64_t allocations = g_allocations.load() - allocations_before;
  EXPECT_GT(sink.bars - bars_before, 1700);  // ~3 symbols × 600 s of new final bars
  EXPECT_EQ(allocations, 0) << "over " << events / 2 << " events";
}

}  // namespace
}  // namespace torghut
