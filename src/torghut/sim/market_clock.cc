#include "torghut/sim/market_clock.h"

#include <pthread.h>

#include <algorithm>

#include "torghut/alpaca/message_json.h"
#include "torghut/core/log.h"
#include "torghut/core/time.h"

namespace torghut::sim {

namespace {

// The REST object of a trade or bar: the stream message without its "T" and "S" keys, which our
// own encoder always writes first.
std::string RestObject(const alpaca::DecodedMessage& m, const SymbolTable& symbols) {
  std::string full;
  if (!alpaca::AppendMessageJson(m, symbols, &full)) return "";
  const size_t second_comma = full.find(',', full.find(',') + 1);
  return "{" + full.substr(second_comma + 1);
}

}  // namespace

MarketClock::MarketClock(const MarketServerOptions& options, const Clock* clock)
    : options_(options), clock_(clock) {}

MarketClock::~MarketClock() {
  Stop();
}

void MarketClock::OnRelease(Listener listener) {
  listeners_.push_back(std::move(listener));
}

void MarketClock::StartWhen(std::function<bool()> ready) {
  ready_ = std::move(ready);
}

Status MarketClock::Start() {
  if (thread_.joinable()) return FailedPrecondition("market already started");
  TORGHUT_RETURN_IF_ERROR(Open());
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void MarketClock::Stop() {
  {
    std::lock_guard lock(wake_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Timestamp MarketClock::market_time() const {
  std::lock_guard lock(mu_);
  return market_time_;
}

int64_t MarketClock::released() const {
  std::lock_guard lock(mu_);
  return released_;
}

Status MarketClock::Open() {
  if (generator_ || file_) return Status::Ok();
  if (!options_.from_file.empty()) {
    auto reader = io::LineReader::Open(options_.from_file);
    if (!reader.ok()) return reader.status();
    file_ = std::move(*reader);
    return Status::Ok();
  }
  GeneratorOptions g = options_.generator;
  g.start = options_.start ? *options_.start : Timestamp::FromMillis(clock_->NowMillis());
  g.seconds = std::max<int64_t>(g.seconds, int64_t{30} * 86400);  // a market that goes on
  generator_ = std::make_unique<Generator>(g);
  return Status::Ok();
}

// Fills `upcoming_` with at least one message; false when the source is exhausted.
bool MarketClock::Refill() {
  std::string owned;
  std::string_view line;
  while (upcoming_.empty()) {
    if (generator_) {
      if (!generator_->Next(&owned)) return false;
      line = owned;
    } else {
      if (!file_->Next(&line)) return false;
    }
    if (!decoder_.Decode(line, &batch_).ok()) {
      ++bad_lines_;
      continue;
    }
    for (const auto& m : batch_.messages) {
      SymbolId symbol;
      Timestamp ts;
      if (!alpaca::SymbolAndTime(m, &symbol, &ts)) continue;
      MarketItem item;
      item.type = m.type;
      item.channel = alpaca::ChannelFor(m.type);
      item.symbol = std::string(symbols_.Name(symbol));
      item.ts = ts;
      item.json = std::string(m.raw_json);
      alpaca::ToMarketEvent(m, &item.event);
      if (m.type == alpaca::MessageType::kTrade || m.type == alpaca::MessageType::kBar) {
        item.rest = RestObject(m, symbols_);
      }
      upcoming_.push_back(std::move(item));
    }
  }
  return true;
}

bool MarketClock::Tick() {
  std::unique_lock lock(wake_mu_);
  return wake_.wait_for(lock, std::chrono::milliseconds(options_.batch_ms),
                        [this] { return stopping_; });
}

void MarketClock::Run() {
  pthread_setname_np(pthread_self(), "sim-market");
  while (options_.wait_for_subscriber && ready_ && !ready_()) {
    if (Tick()) return;
  }
  const int64_t wall0 = clock_->NowNanos();
  bool have = Refill();
  // Synthetic time starts at a whole millisecond; a recording at its first message.
  const int64_t market0 = generator_ ? (options_.start ? options_.start->nanos()
                                                       : wall0 / kNanosPerMilli * kNanosPerMilli)
                                     : (have ? upcoming_.front().ts.nanos() : wall0);
  std::vector<MarketItem> due;
  while (!Tick()) {
    const int64_t wall = clock_->NowNanos();
    ReleaseTick tick;
    tick.market_now_ns =
        market0 + static_cast<int64_t>(static_cast<double>(wall - wall0) * options_.speed);
    tick.now_ms = wall / kNanosPerMilli;
    due.clear();
    while (have && upcoming_.front().ts.nanos() <= tick.market_now_ns) {
      due.push_back(std::move(upcoming_.front()));
      upcoming_.pop_front();
      if (upcoming_.empty()) have = Refill();
    }
    {
      std::lock_guard lock(mu_);
      market_time_ = Timestamp::FromNanos(tick.market_now_ns);
      released_ += static_cast<int64_t>(due.size());
    }
    for (const Listener& l : listeners_) l(due, tick);
    if (!have) {
      exhausted_.store(true);
      if (!logged_end_) {
        logged_end_ = true;
        log::Info("sim", "recording finished",
                  {{"released", released()}, {"bad_lines", bad_lines_}});
      }
    }
  }
}

}  // namespace torghut::sim
