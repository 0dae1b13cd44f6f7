#include "torghut/sim/generator.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <queue>
#include <vector>

#include "torghut/core/calendar.h"
#include "torghut/core/symbols.h"

namespace torghut::sim {
namespace {

// xoshiro256** seeded through splitmix64: fast, well distributed, and identical everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& word : s_) word = SplitMix(seed);
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform integer in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  // Standard normal (Marsaglia polar method: only log and sqrt, no trigonometry).
  double Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u, v, s;
    do {
      u = Uniform() * 2 - 1;
      v = Uniform() * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s == 0);
    const double m = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * m;
    has_spare_ = true;
    return u * m;
  }
  // Exponential inter-arrival in nanoseconds for a rate per second (at least 1 ns).
  int64_t ExpNanos(double rate_per_second) {
    const double seconds = -std::log(1.0 - Uniform()) / rate_per_second;
    const auto ns = static_cast<int64_t>(seconds * 1e9);
    return ns < 1 ? 1 : ns;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t SplitMix(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t s_[4];
  double spare_ = 0;
  bool has_spare_ = false;
};

// Trading seconds in a year (252 sessions × 6.5 h): the GBM's time unit.
constexpr double kSecondsPerTradingYear = 252.0 * 6.5 * 3600.0;
constexpr char kExchanges[] = "VPKQZNDXJYHA";  // weighted towards IEX ('V') and the big venues

double RoundTo(double x, double grid) {
  return std::round(x / grid) * grid;
}

// Fixed-point text with at most `decimals` digits and no trailing zeros ("312.36", "100",
// "462.0585"): what a feed sends, without binary-floating-point noise such as 462.05850000000004.
struct Px {
  double value;
  int decimals;
};

}  // namespace
}  // namespace torghut::sim

template <>
struct fmt::formatter<torghut::sim::Px> : fmt::formatter<std::string_view> {
  auto format(const torghut::sim::Px& p, format_context& ctx) const {
    char buf[64];
    auto end = fmt::format_to_n(buf, sizeof buf, "{:.{}f}", p.value, p.decimals).out;
    char* last = end - 1;
    while (last > buf && *last == '0') --last;
    if (*last == '.') --last;
    return fmt::formatter<std::string_view>::format(std::string_view(buf, last - buf + 1), ctx);
  }
};

namespace torghut::sim {
namespace {

struct MinuteAccumulator {
  int64_t minute_start_ns = INT64_MIN;
  double open = 0, high = 0, low = 0, close = 0, pv = 0;
  int64_t volume = 0, count = 0;
  void Add(double p, int64_t s) {
    if (count == 0) open = high = low = p;
    high = std::max(high, p);
    low = std::min(low, p);
    close = p;
    pv += p * static_cast<double>(s);
    volume += s;
    ++count;
  }
};

struct SymbolState {
  std::string name;
  Rng rng{0};
  double log_price = 0;
  int64_t last_move_ns = 0;
  int64_t next_trade_ns = 0;
  int64_t next_quote_ns = 0;
  int64_t next_trade_id = 0;
  char tape = 'C';
  MinuteAccumulator minute;
  size_t window = 0;  // the session its newest event is in (sessions mode)
};

// The rate's shape at `f` ∈ [0, 1] of a session: 3 at the open and the close, 0.75 at midday. Its
// mean over the session is 0.75 + 2.25/5 = 1.2 (kIntensityMean): the rate at f is the mean rate ×
// SessionIntensity(f) / 1.2 — 2.5× at the edges, 0.625× at midday.
double SessionIntensity(double f) {
  const double x = 2 * f - 1;
  return 0.75 + 2.25 * x * x * x * x;
}
constexpr double kIntensityMean = 1.2;
constexpr double kIntensityPeak = 3.0;

// A line waiting for its emission time; ties break by creation order, so output is deterministic.
struct PendingLine {
  int64_t emit_ns;
  uint64_t order;
  std::string text;
  bool operator>(const PendingLine& o) const {
    return emit_ns != o.emit_ns ? emit_ns > o.emit_ns : order > o.order;
  }
};

}  // namespace

Status ValidateOptions(const GeneratorOptions& o) {
  std::vector<std::string> errors;
  if (o.symbols.empty()) errors.push_back("at least one symbol is required");
  for (const auto& s : o.symbols) {
    if (Status st = ValidateSymbol(s); !st.ok()) errors.push_back(st.message());
  }
  if (o.seconds <= 0) errors.push_back("seconds must be > 0");
  if (!(o.trades_per_second > 0) || o.trades_per_second > 1e6) {
    errors.push_back("trade rate must be in (0, 1e6] per second per symbol");
  }
  if (!(o.quotes_per_trade >= 0) || o.quotes_per_trade > 100) {
    errors.push_back("quotes per trade must be in [0, 100]");
  }
  if (!(o.annual_volatility >= 0) || o.annual_volatility > 10) {
    errors.push_back("volatility must be in [0, 10]");
  }
  for (double share : {o.duplicate_share, o.late_share, o.cancel_share}) {
    if (!(share >= 0 && share <= 1)) {
      errors.push_back("duplicate/late/cancel shares must be in [0, 1]");
      break;
    }
  }
  if (o.max_lateness_ms < 0 || o.max_lateness_ms > 60'000) {
    errors.push_back("max lateness must be in [0, 60000] ms");
  }
  if (o.sessions < 0 || o.sessions > 2520) errors.push_back("sessions must be in [0, 2520]");
  if (!(o.overnight_gap_sigma >= 0) || o.overnight_gap_sigma > 1) {
    errors.push_back("overnight gap sigma must be in [0, 1]");
  }
  if (errors.empty()) return Status::Ok();
  std::string m = errors[0];
  for (size_t i = 1; i < errors.size(); ++i) m += "; " + errors[i];
  return InvalidArgument(m);
}

struct Generator::Impl {
  GeneratorOptions opt;
  GeneratorStats stats;
  std::vector<SymbolState> symbols;
  std::priority_queue<PendingLine, std::vector<PendingLine>, std::greater<>> pending;
  uint64_t order = 0;
  int64_t end_ns = 0;
  int64_t next_minute_end_ns = 0;
  bool generation_done = false;
  Rng side_rng{0};  // decisions that are not per symbol (duplicates, lateness)
  // Sessions mode: the [open, close) of each session, in ns.
  std::vector<std::pair<int64_t, int64_t>> windows;

  explicit Impl(const GeneratorOptions& o) : opt(o) {
    int64_t start_ns = opt.start.nanos();
    end_ns = start_ns + opt.seconds * kNanosPerSecond;
    if (opt.sessions > 0) {
      Result<TradingCalendar> calendar = TradingCalendar::NewYork();
      // (The zone is part of the build's tz database; without it there is no session to make.)
      Timestamp t = calendar.ok() ? calendar->SessionStartAtOrBefore(opt.start) : opt.start;
      while (calendar.ok() && static_cast<int>(windows.size()) < opt.sessions) {
        std::optional<SessionTimes> s = calendar->SessionAt(t);
        if (s && s->regular_close > opt.start) {
          windows.emplace_back(s->regular_open.nanos(), s->regular_close.nanos());
        }
        t = calendar->NextSessionStartAfter(t);
      }
      if (!windows.empty()) {
        start_ns = windows.front().first;
        end_ns = windows.back().second;
      }
    }
    next_minute_end_ns =
        Timestamp::FromNanos(start_ns).FloorTo(kNanosPerMinute).nanos() + kNanosPerMinute;
    side_rng = Rng(opt.seed ^ 0x5eed5eed5eedULL);
    symbols.resize(opt.symbols.size());
    for (size_t i = 0; i < opt.symbols.size(); ++i) {
      SymbolState& s = symbols[i];
      s.name = opt.symbols[i];
      uint64_t h = opt.seed * 0x9e3779b97f4a7c15ULL;
      for (char c : s.name) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001b3ULL;
      s.rng = Rng(h);
      s.log_price = std::log(20.0 + static_cast<double>(s.rng.Next() % 48000) / 100.0);
      s.last_move_ns = start_ns;
      s.next_trade_ns = NextArrival(s, start_ns, opt.trades_per_second);
      s.next_quote_ns = opt.quotes_per_trade > 0
                            ? NextArrival(s, start_ns, opt.trades_per_second * opt.quotes_per_trade)
                            : INT64_MAX;
      s.next_trade_id = 1 + static_cast<int64_t>(s.rng.Next() % 1'000'000) * 1000;
      s.tape = "ABC"[s.rng.Next() % 3];
    }
  }

  // The session holding `t`, or the first after it (windows.size() when none).
  size_t WindowAt(int64_t t) const {
    size_t w = 0;
    while (w < windows.size() && windows[w].second <= t) ++w;
    return w;
  }

  // The time of the symbol's next arrival after `now` at a mean of `rate` per second: Poisson in a
  // plain span; in sessions mode thinned to the session's U-shaped intensity, and only inside
  // sessions (INT64_MAX after the last).
  int64_t NextArrival(SymbolState& s, int64_t now, double rate) {
    if (windows.empty()) return now + s.rng.ExpNanos(rate);
    for (;;) {
      const int64_t t = now + s.rng.ExpNanos(rate * kIntensityPeak / kIntensityMean);
      const size_t w = WindowAt(t);
      if (w == windows.size()) return INT64_MAX;
      const auto [open, close] = windows[w];
      if (t < open) {  // overnight: arrivals are memoryless, so start again at the open
        now = open;
        continue;
      }
      const double f = static_cast<double>(t - open) / static_cast<double>(close - open);
      if (s.rng.Uniform() * kIntensityPeak <= SessionIntensity(f)) return t;
      now = t;
    }
  }

  void Push(int64_t emit_ns, std::string text) {
    pending.push(PendingLine{emit_ns, order++, std::move(text)});
  }

  // Advances the symbol's GBM to `now_ns` and returns the mid price.
  double MoveTo(SymbolState& s, int64_t now_ns) {
    if (!windows.empty()) {
      // A new session opens with the overnight gap; the night itself adds no diffusion.
      const size_t w = WindowAt(now_ns);
      if (w != s.window && w < windows.size()) {
        s.log_price += opt.overnight_gap_sigma * s.rng.Normal();
        s.last_move_ns = std::max(s.last_move_ns, windows[w].first);
        s.window = w;
      }
    }
    const double dt = static_cast<double>(now_ns - s.last_move_ns) / 1e9 / kSecondsPerTradingYear;
    if (dt > 0) {
      const double sigma = opt.annual_volatility;
      s.log_price += -0.5 * sigma * sigma * dt + sigma * std::sqrt(dt) * s.rng.Normal();
      s.last_move_ns = now_ns;
    }
    return std::exp(s.log_price);
  }

  static std::string Ts(int64_t ns) { return FormatRfc3339(Timestamp::FromNanos(ns)); }

  void EmitTrade(SymbolState& s, int64_t t_ns) {
    const double mid = MoveTo(s, t_ns);
    const double half_spread = 0.005 + 0.005 * static_cast<double>(s.rng.Next() % 3);
    const double side = s.rng.Uniform();
    double price = side < 0.45 ? mid - half_spread : side < 0.9 ? mid + half_spread : mid;
    price = RoundTo(price, side < 0.9 ? 0.01 : 0.0001);
    if (price < 0.01) price = 0.01;
    // Sizes: mostly round lots, a share of odd lots, a rare block.
    const double r = s.rng.Uniform();
    int64_t size;
    if (r < 0.35) {
      size = s.rng.Between(1, 99);
    } else if (r < 0.99) {
      size = 100 * s.rng.Between(1, 5);
    } else {
      size = 100 * s.rng.Between(10, 100);
    }
    const char exchange = kExchanges[s.rng.Next() % (sizeof(kExchanges) - 1)];
    const int64_t id = s.next_trade_id++;
    std::string line = fmt::format(
        R"({{"T":"t","S":"{}","i":{},"x":"{}","p":{},"s":{},"c":[{}],"t":"{}","z":"{}"}})", s.name,
        id, exchange, Px{price, 4}, size, size < 100 ? R"("@","I")" : R"("@")", Ts(t_ns), s.tape);
    ++stats.trades;
    if (s.minute.minute_start_ns != Timestamp::FromNanos(t_ns).FloorTo(kNanosPerMinute).nanos()) {
      // First trade of a new minute for this symbol (the previous minute was flushed already).
      s.minute = MinuteAccumulator{};
      s.minute.minute_start_ns = Timestamp::FromNanos(t_ns).FloorTo(kNanosPerMinute).nanos();
    }
    s.minute.Add(price, size);

    int64_t emit_ns = t_ns;
    if (side_rng.Uniform() < opt.late_share && opt.max_lateness_ms > 0) {
      emit_ns += side_rng.Between(1, opt.max_lateness_ms * kNanosPerMilli);
      ++stats.late;
    }
    if (side_rng.Uniform() < opt.duplicate_share) {
      Push(emit_ns + side_rng.Between(1, 500 * kNanosPerMilli), line);
      ++stats.duplicates;
    }
    if (side_rng.Uniform() < opt.cancel_share) {
      Push(emit_ns + side_rng.Between(100 * kNanosPerMilli, 5 * kNanosPerSecond),
           fmt::format(
               R"({{"T":"x","S":"{}","i":{},"x":"{}","p":{},"s":{},"a":"C","t":"{}","z":"{}"}})",
               s.name, id, exchange, Px{price, 4}, size, Ts(t_ns), s.tape));
      ++stats.cancels;
    }
    Push(emit_ns, std::move(line));
  }

  void EmitQuote(SymbolState& s, int64_t t_ns) {
    const double mid = MoveTo(s, t_ns);
    const double half_spread = 0.005 + 0.005 * static_cast<double>(s.rng.Next() % 3);
    const double bid = std::max(0.01, RoundTo(mid - half_spread, 0.01));
    const double ask = std::max(bid + 0.01, RoundTo(mid + half_spread, 0.01));
    const int64_t bs = s.rng.Between(1, 20);
    const int64_t as = s.rng.Between(1, 20);
    const char bx = kExchanges[s.rng.Next() % (sizeof(kExchanges) - 1)];
    const char ax = kExchanges[s.rng.Next() % (sizeof(kExchanges) - 1)];
    Push(
        t_ns,
        fmt::format(
            R"({{"T":"q","S":"{}","bx":"{}","bp":{},"bs":{},"ax":"{}","ap":{},"as":{},"c":["R"],"t":"{}","z":"{}"}})",
            s.name, bx, Px{bid, 2}, bs, ax, Px{ask, 2}, as, Ts(t_ns), s.tape));
    ++stats.quotes;
  }

  // Emits the minute bar of every symbol that traded in the minute ending at `minute_end_ns`.
  void EmitMinuteBars(int64_t minute_end_ns) {
    for (SymbolState& s : symbols) {
      MinuteAccumulator& m = s.minute;
      if (m.count == 0 || m.minute_start_ns != minute_end_ns - kNanosPerMinute) continue;
      const double vw = RoundTo(m.pv / static_cast<double>(m.volume), 0.000001);
      Push(minute_end_ns,
           fmt::format(
               R"({{"T":"b","S":"{}","o":{},"h":{},"l":{},"c":{},"v":{},"t":"{}","n":{},"vw":{}}})",
               s.name, Px{m.open, 4}, Px{m.high, 4}, Px{m.low, 4}, Px{m.close, 4}, m.volume,
               Ts(m.minute_start_ns), m.count, Px{vw, 6}));
      ++stats.bars;
      m = MinuteAccumulator{};
    }
  }

  // Generates the next event in event-time order; false when the span is exhausted.
  bool GenerateOne(int64_t* generated_at) {
    SymbolState* best = nullptr;
    bool is_trade = true;
    int64_t best_ns = INT64_MAX;
    for (SymbolState& s : symbols) {
      if (s.next_trade_ns < best_ns) best = &s, best_ns = s.next_trade_ns, is_trade = true;
      if (s.next_quote_ns < best_ns) best = &s, best_ns = s.next_quote_ns, is_trade = false;
    }
    if (opt.minute_bars && next_minute_end_ns <= best_ns && next_minute_end_ns <= end_ns) {
      EmitMinuteBars(next_minute_end_ns);
      *generated_at = next_minute_end_ns;
      next_minute_end_ns += kNanosPerMinute;
      return true;
    }
    if (best == nullptr || best_ns >= end_ns) return false;
    *generated_at = best_ns;
    if (is_trade) {
      EmitTrade(*best, best_ns);
      best->next_trade_ns = NextArrival(*best, best_ns, opt.trades_per_second);
    } else {
      EmitQuote(*best, best_ns);
      best->next_quote_ns =
          NextArrival(*best, best_ns, opt.trades_per_second * opt.quotes_per_trade);
    }
    return true;
  }

  bool Next(std::string* line) {
    // A pending line may be emitted once nothing generated later can be emitted before it; every
    // generated line's emit time is at least its generation time, so that is the case once the
    // generator has moved past the line's emit time.
    while (!generation_done) {
      int64_t generated_at = 0;
      if (!GenerateOne(&generated_at)) {
        generation_done = true;
        break;
      }
      if (!pending.empty() && pending.top().emit_ns < generated_at) break;
    }
    if (pending.empty()) return false;
    *line = std::move(const_cast<PendingLine&>(pending.top()).text);
    pending.pop();
    ++stats.lines;
    stats.bytes += static_cast<int64_t>(line->size()) + 1;
    return true;
  }
};

Generator::Generator(const GeneratorOptions& options) : impl_(std::make_unique<Impl>(options)) {}
Generator::~Generator() = default;
bool Generator::Next(std::string* line) {
  return impl_->Next(line);
}
const GeneratorStats& Generator::stats() const {
  return impl_->stats;
}

Result<GeneratorStats> GenerateFile(const GeneratorOptions& options, const std::string& path) {
  TORGHUT_RETURN_IF_ERROR(ValidateOptions(options));
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) return InvalidArgument("cannot open '" + tmp + "' for writing");
  std::vector<char> buffer(1 << 20);
  std::setvbuf(f, buffer.data(), _IOFBF, buffer.size());
  Generator gen(options);
  std::string line;
  bool ok = true;
  while (ok && gen.Next(&line)) {
    line.push_back('\n');
    ok = std::fwrite(line.data(), 1, line.size(), f) == line.size();
  }
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) {
    std::remove(tmp.c_str());
    return ResourceExhausted("write to '" + tmp + "' failed (disk full?)");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Unavailable("rename to '" + path + "' failed: " + ec.message());
  return gen.stats();
}

}  // namespace torghut::sim
