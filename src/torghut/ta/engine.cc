#include "torghut/ta/engine.h"

#include <algorithm>
#include <string>

#include "torghut/ta/indicator_set.h"
#include "torghut/ta/internal/ring.h"
#include "torghut/ta/internal/trade_id_set.h"

namespace torghut::ta {
namespace {

constexpr int64_t kBarNs = kNanosPerSecond;
constexpr uint32_t kSnapshotMagic = 0x54484754;  // "TGHT"
// 2: the PT1M indicator chain is optional (a presence flag precedes it).
// 3: the rolling-VWAP ring is saved verbatim (a revision right after a restore needs it).
constexpr uint32_t kSnapshotVersion = 3;
constexpr size_t kMaxPendingQuotes = 4096;
constexpr int64_t kIdleClockUnknown = INT64_MIN;
constexpr size_t kMinuteHistory = 16;

struct QuoteAt {
  int64_t ts = INT64_MIN;
  double bid_px = 0, ask_px = 0;
  int64_t bid_sz = 0, ask_sz = 0;
  bool valid() const { return ts != INT64_MIN; }
};

// One 1-second bar, open or final-but-still-revisable.
struct BarAgg {
  int64_t start = 0;
  double o = 0, h = 0, l = 0, c = 0;
  int64_t open_ts = 0, close_ts = 0;  // event times of the trades that set o and c
  int64_t v = 0;
  double pv = 0;
  int64_t count = 0;
  int64_t mutations = 0;  // inputs folded in (trades, cancels, corrections)
  int64_t seq = 0;
  int64_t ingest_ns = INT64_MIN;
  Source source = Source::kWs;
  bool final = false;
  bool dirty = false;  // changed since the last provisional emission
};

struct MinuteRef {
  int64_t start = 0;
  int64_t mutations = 0;
};

void SaveQuote(BinaryWriter& w, const QuoteAt& q) {
  w.PutI64(q.ts);
  w.PutF64(q.bid_px);
  w.PutF64(q.ask_px);
  w.PutI64(q.bid_sz);
  w.PutI64(q.ask_sz);
}
bool LoadQuote(BinaryReader& r, QuoteAt* q) {
  return r.GetI64(&q->ts) && r.GetF64(&q->bid_px) && r.GetF64(&q->ask_px) && r.GetI64(&q->bid_sz) &&
         r.GetI64(&q->ask_sz);
}

// Latest of `asof` and the pending quotes at or before `end`.
QuoteAt QuoteAsOf(const internal::Ring<QuoteAt>& pending, QuoteAt asof, int64_t end) {
  for (size_t i = 0; i < pending.size(); ++i) {
    if (pending[i].ts <= end && pending[i].ts >= asof.ts) asof = pending[i];
  }
  return asof;
}

// Folds every pending quote at or before `end` into `asof` and removes it (order preserved).
void ConsumeQuotes(internal::Ring<QuoteAt>& pending, QuoteAt& asof, int64_t end) {
  size_t kept = 0;
  const size_t n = pending.size();
  for (size_t i = 0; i < n; ++i) {
    const QuoteAt q = pending[i];
    if (q.ts <= end) {
      if (q.ts >= asof.ts) asof = q;
    } else {
      pending[kept++] = q;
    }
  }
  while (pending.size() > kept) pending.pop_back();
}

}  // namespace

struct Engine::SymbolState {
  explicit SymbolState(const EngineConfig& c)
      : ind1s(c.vwap_window_seconds, c.realized_vol_window, kNanosPerSecond) {}

  // The PT1M chain exists only for symbols that receive upstream minute bars: most of a broad
  // universe never does, and the chain is half of a symbol's fixed state.
  IndicatorSet& Ind1m(const EngineConfig& c) {
    if (!ind1m) {
      ind1m = std::make_unique<IndicatorSet>(c.vwap_window_seconds, c.realized_vol_window,
                                             kNanosPerMinute);
    }
    return *ind1m;
  }

  internal::Ring<BarAgg> bars;     // sorted by start: final bars first, then open ones
  internal::TradeIdSet ids;        // seen trade ids; a cancelled id is stored as ~id
  internal::Ring<QuoteAt> quotes;  // quotes newer than the newest final bar's end
  QuoteAt asof;                    // latest quote at or before the newest final bar's end
  int64_t max_trade_ts = INT64_MIN;
  int64_t last_final_start = INT64_MIN;
  QuoteAt last_final_quote;  // the as-of quote the newest final bar was computed with
  IndicatorSet ind1s;        // its UndoLast() takes back the newest final bar
  // PT1M chain, fed by upstream minute bars; null until the first one (see Ind1m).
  std::unique_ptr<IndicatorSet> ind1m;
  int64_t last_1m_start = INT64_MIN;
  internal::Ring<MinuteRef> minutes;  // recent minute bars, oldest first
  bool dirty_listed = false;
  // Processing time of the symbol's last input, for the idle rule. Not snapshotted: a restored
  // symbol's clock is kIdleClockUnknown and starts at the first FinalizeIdle after the restore.
  int64_t last_input_processing_ns = kIdleClockUnknown;
};

Status EngineConfig::Validate() const {
  std::string errors;
  auto bad = [&](bool cond, const char* msg) {
    if (!cond) return;
    if (!errors.empty()) errors += "; ";
    errors += msg;
  };
  bad(max_out_of_order_ms < 0 || max_out_of_order_ms > 3'600'000,
      "TA_MAX_OUT_OF_ORDER_MS must be in [0, 3600000]");
  bad(idle_timeout_ms < 1, "TA_WATERMARK_IDLE_TIMEOUT_MS must be >= 1");
  bad(vwap_window_seconds < 1 || vwap_window_seconds > 86'400,
      "TA_VWAP_WINDOW_SECONDS must be in [1, 86400]");
  bad(realized_vol_window < 2 || realized_vol_window > 10'000,
      "TA_REALIZED_VOL_WINDOW must be in [2, 10000]");
  bad(quote_stale_after_ms < 0, "TA_QUOTE_STALE_AFTER_MS must be >= 0");
  bad(revision_horizon_ms < 0 || revision_horizon_ms > 86'400'000,
      "TA_REVISION_HORIZON_MS must be in [0, 86400000]");
  if (errors.empty()) return Status::Ok();
  return InvalidArgument(errors);
}

Engine::Engine(const EngineConfig& config, SymbolTable* symbols, const SessionCalendar* sessions,
               RowSink* sink)
    : config_(config), symbols_(symbols), sessions_(sessions), sink_(sink) {}

Engine::~Engine() = default;

Engine::SymbolState& Engine::State(SymbolId id) {
  if (id >= states_.size()) states_.resize(static_cast<size_t>(id) + 1);
  if (!states_[id]) states_[id] = std::make_unique<SymbolState>(config_);
  SymbolState& st = *states_[id];
  st.last_input_processing_ns = processing_now_.nanos();
  return st;
}

int64_t Engine::SessionStart(int64_t t) {
  if (t >= cached_session_start_ && t < cached_session_next_) return cached_session_start_;
  cached_session_start_ = sessions_->SessionStartAtOrBefore(Timestamp::FromNanos(t)).nanos();
  cached_session_next_ = sessions_->NextSessionStartAfter(Timestamp::FromNanos(t)).nanos();
  if (cached_session_next_ <= t) cached_session_next_ = t + 1;  // a calendar that disagrees
  return cached_session_start_;
}

int64_t Engine::Horizon(const SymbolState& st) const {
  if (st.max_trade_ts == INT64_MIN) return INT64_MIN;
  return st.max_trade_ts -
         (config_.max_out_of_order_ms + config_.revision_horizon_ms) * kNanosPerMilli;
}

size_t Engine::FindBar(const SymbolState& st, int64_t start) {
  // Newest first: trades almost always hit the newest bar.
  for (size_t i = st.bars.size(); i-- > 0;) {
    if (st.bars[i].start == start) return i;
    if (st.bars[i].start < start) break;
  }
  return st.bars.size();
}

// --------------------------------------------------------------------------------------------
// Row emission. One builder for provisional, final and revised rows, so they cannot drift apart.

namespace {

void FillIdentity(RowIdentity* id, std::string_view symbol, WindowSize w, int64_t start,
                  int64_t seq, int64_t ingest_ns, Source source, bool is_final, int64_t mutations) {
  id->symbol.assign(symbol);
  id->window_size = w;
  id->window_step = w;
  id->window_start = Timestamp::FromNanos(start);
  id->window_end = Timestamp::FromNanos(start + WindowNanos(w));
  id->event_ts = id->window_end;
  id->seq = seq;
  id->ingest_ts = ingest_ns == INT64_MIN ? id->window_end : Timestamp::FromNanos(ingest_ns);
  id->source = source;
  id->is_final = is_final;
  id->version = 2 * mutations + (is_final ? 1 : 0);
}

void FillMicrobar(std::string_view symbol, const BarAgg& b, bool is_final, MicrobarRow* row) {
  FillIdentity(&row->id, symbol, WindowSize::k1s, b.start, b.seq, b.ingest_ns, b.source, is_final,
               b.mutations);
  row->o = b.o;
  row->h = b.h;
  row->l = b.l;
  row->c = b.c;
  row->v = b.v;
  row->vwap = b.v > 0 ? b.pv / static_cast<double>(b.v) : kNull;
  row->count = b.count;
}

void FillQuote(const QuoteAt& q, int64_t bar_end, int64_t stale_after_ns, SignalRow* s) {
  if (!q.valid() || bar_end - q.ts > stale_after_ns) return;
  s->imbalance_bid_px = q.bid_px;
  s->imbalance_ask_px = q.ask_px;
  s->imbalance_bid_sz = static_cast<double>(q.bid_sz);
  s->imbalance_ask_sz = static_cast<double>(q.ask_sz);
  s->imbalance_spread = q.ask_px - q.bid_px;
}

}  // namespace

void Engine::FinalizeBar(SymbolId id, SymbolState& st, size_t index) {
  BarAgg& b = st.bars[index];
  b.final = true;
  b.dirty = false;
  const int64_t end = b.start + kBarNs;
  ConsumeQuotes(st.quotes, st.asof, end);
  MicrobarRow row;
  FillMicrobar(symbols_->Name(id), b, true, &row);
  sink_->OnMicrobar(row);
  ++counters_.final_rows;
  if (b.start <= st.last_final_start) return;  // created behind the chain: history stays
  st.last_final_start = b.start;
  st.last_final_quote = st.asof;
  SignalRow sig;
  sig.id = row.id;
  st.ind1s.Apply(BarClose{row.id.event_ts, b.c, b.pv, static_cast<double>(b.v),
                          Timestamp::FromNanos(SessionStart(b.start))},
                 &sig);
  FillQuote(st.asof, end, config_.quote_stale_after_ms * kNanosPerMilli, &sig);
  sink_->OnSignal(sig);
}

void Engine::EmitRevision(SymbolId id, SymbolState& st, size_t index) {
  const BarAgg& b = st.bars[index];
  MicrobarRow row;
  FillMicrobar(symbols_->Name(id), b, true, &row);
  sink_->OnMicrobar(row);
  ++counters_.revisions;
  if (b.start != st.last_final_start) return;
  // The newest final bar: take it back and apply its revised content.
  st.ind1s.UndoLast();
  SignalRow sig;
  sig.id = row.id;
  st.ind1s.Apply(BarClose{row.id.event_ts, b.c, b.pv, static_cast<double>(b.v),
                          Timestamp::FromNanos(SessionStart(b.start))},
                 &sig);
  FillQuote(st.last_final_quote, b.start + kBarNs, config_.quote_stale_after_ms * kNanosPerMilli,
            &sig);
  sink_->OnSignal(sig);
}

void Engine::OnBarChanged(SymbolId id, SymbolState& st, size_t index) {
  BarAgg& b = st.bars[index];
  if (b.final) {
    EmitRevision(id, st, index);
    return;
  }
  b.dirty = true;
  if (!st.dirty_listed) {
    st.dirty_listed = true;
    dirty_.push_back(id);
  }
}

void Engine::FinalizeUpTo(SymbolId id, SymbolState& st, int64_t watermark_ns) {
  // Open bars are the ring's suffix (a handful); find where it starts from the back.
  size_t first_open = st.bars.size();
  while (first_open > 0 && !st.bars[first_open - 1].final) --first_open;
  for (size_t i = first_open; i < st.bars.size(); ++i) {
    if (st.bars[i].start + kBarNs > watermark_ns) break;
    FinalizeBar(id, st, i);
  }
}

void Engine::Prune(SymbolState& st) {
  const int64_t horizon = Horizon(st);
  while (!st.bars.empty() && st.bars.front().final && st.bars.front().start + kBarNs <= horizon) {
    st.bars.pop_front();
  }
  if (st.quotes.size() > kMaxPendingQuotes) {
    // A symbol quoting without trading: fold the oldest half into the as-of quote.
    ConsumeQuotes(st.quotes, st.asof, st.quotes[st.quotes.size() / 2].ts);
  }
}

// --------------------------------------------------------------------------------------------
// Inputs.

bool Engine::Apply(const market::Event& event, const InputMeta& meta) {
  struct Dispatch {
    Engine* e;
    const InputMeta& meta;
    bool operator()(const market::Trade& x) { return e->OnTrade(x, meta), true; }
    bool operator()(const market::Quote& x) { return e->OnQuote(x, meta), true; }
    bool operator()(const market::Bar& x) { return e->OnBar(x, meta), true; }
    bool operator()(const market::Cancel& x) { return e->OnCancel(x, meta), true; }
    bool operator()(const market::Correction& x) { return e->OnCorrection(x, meta), true; }
    bool operator()(const market::TradingStatus&) { return false; }
    bool operator()(const market::Luld&) { return false; }
  };
  return std::visit(Dispatch{this, meta}, event);
}

void Engine::OnTrade(const market::Trade& t, const InputMeta& meta) {
  SymbolState& st = State(t.symbol);
  const int64_t ts = t.ts.nanos();
  const int64_t horizon = Horizon(st);
  if (t.id < 0 || !(t.price > 0) || t.size <= 0) {  // ~id marks cancels; see OnCancel
    ++counters_.invalid_trades;
    return;
  }
  if (ts < horizon) {
    ++counters_.too_late_trades;
    return;
  }
  // A cancel marker ~id only exists for an id already in the set, so one probe suffices.
  if (!st.ids.Insert(t.id, ts, horizon)) {
    ++counters_.duplicate_trades;
    return;
  }
  ++counters_.trades;
  const int64_t start = Timestamp::FromNanos(ts).FloorTo(kBarNs).nanos();
  size_t i = FindBar(st, start);
  if (i == st.bars.size()) {
    // New bar: keep the ring sorted by start.
    size_t pos = st.bars.size();
    while (pos > 0 && st.bars[pos - 1].start > start) --pos;
    BarAgg b;
    b.start = start;
    b.o = b.h = b.l = b.c = t.price;
    b.open_ts = b.close_ts = ts;
    // A bar created behind the newest final bar is final from birth.
    b.final = start <= st.last_final_start;
    st.bars.insert(pos, b);
    i = pos;
  }
  BarAgg& b = st.bars[i];
  if (b.count > 0) {
    if (ts < b.open_ts) b.o = t.price, b.open_ts = ts;
    if (ts >= b.close_ts) b.c = t.price, b.close_ts = ts;
    b.h = std::max(b.h, t.price);
    b.l = std::min(b.l, t.price);
  } else {
    b.o = b.h = b.l = b.c = t.price;
    b.open_ts = b.close_ts = ts;
  }
  b.v += t.size;
  b.pv += t.price * static_cast<double>(t.size);
  ++b.count;
  ++b.mutations;
  b.seq = std::max(b.seq, meta.seq);
  b.ingest_ns = std::max(b.ingest_ns, meta.ingest_ts.nanos());
  b.source = meta.source;
  OnBarChanged(t.symbol, st, i);

  if (ts > st.max_trade_ts) {
    st.max_trade_ts = ts;
    FinalizeUpTo(t.symbol, st, Watermark(st.max_trade_ts));
    Prune(st);
  }
}

int64_t Engine::Watermark(int64_t max_trade_ts) const {
  return max_trade_ts == INT64_MIN ? INT64_MIN
                                   : max_trade_ts - config_.max_out_of_order_ms * kNanosPerMilli;
}

void Engine::OnQuote(const market::Quote& q, const InputMeta&) {
  SymbolState& st = State(q.symbol);
  ++counters_.quotes;
  QuoteAt at{q.ts.nanos(), q.bid_price, q.ask_price, q.bid_size, q.ask_size};
  if (st.last_final_start != INT64_MIN && at.ts <= st.last_final_start + kBarNs) {
    // Behind the chain: it can only matter as the as-of quote of later bars.
    if (at.ts >= st.asof.ts) st.asof = at;
    return;
  }
  st.quotes.push_back(at);
  if (st.quotes.size() > kMaxPendingQuotes) Prune(st);
}

void Engine::OnCancel(const market::Cancel& c, const InputMeta& meta) {
  SymbolState& st = State(c.symbol);
  const int64_t ts = c.ts.nanos();
  const int64_t start = Timestamp::FromNanos(ts).FloorTo(kBarNs).nanos();
  const size_t i = FindBar(st, start);
  // Only a trade we counted, once: a cancelled id is remembered as ~id.
  if (ts < Horizon(st) || i == st.bars.size() || !st.ids.Contains(c.id) ||
      !st.ids.Insert(~c.id, ts, Horizon(st))) {
    ++counters_.unmatched_revisions;
    return;
  }
  ++counters_.cancels;
  BarAgg& b = st.bars[i];
  // The bar keeps no trade list, so open/high/low/close stay as printed; volume, notional and
  // count are exact.
  b.v -= c.size;
  b.pv -= c.price * static_cast<double>(c.size);
  --b.count;
  ++b.mutations;
  b.seq = std::max(b.seq, meta.seq);
  b.ingest_ns = std::max(b.ingest_ns, meta.ingest_ts.nanos());
  OnBarChanged(c.symbol, st, i);
}

void Engine::OnCorrection(const market::Correction& c, const InputMeta& meta) {
  SymbolState& st = State(c.symbol);
  const int64_t ts = c.ts.nanos();
  const int64_t start = Timestamp::FromNanos(ts).FloorTo(kBarNs).nanos();
  const size_t i = FindBar(st, start);
  if (ts < Horizon(st) || i == st.bars.size() || !st.ids.Contains(c.original_id) ||
      st.ids.Contains(~c.original_id)) {
    ++counters_.unmatched_revisions;
    return;
  }
  ++counters_.corrections;
  // The original print is retired (as if cancelled) and the corrected one takes its place.
  st.ids.Insert(~c.original_id, ts, Horizon(st));
  if (c.corrected_id != c.original_id) st.ids.Insert(c.corrected_id, ts, Horizon(st));
  BarAgg& b = st.bars[i];
  b.v += c.corrected_size - c.original_size;
  b.pv += c.corrected_price * static_cast<double>(c.corrected_size) -
          c.original_price * static_cast<double>(c.original_size);
  b.h = std::max(b.h, c.corrected_price);
  b.l = std::min(b.l, c.corrected_price);
  if (b.close_ts == ts) b.c = c.corrected_price;
  if (b.open_ts == ts) b.o = c.corrected_price;
  ++b.mutations;
  b.seq = std::max(b.seq, meta.seq);
  b.ingest_ns = std::max(b.ingest_ns, meta.ingest_ts.nanos());
  OnBarChanged(c.symbol, st, i);
}

void Engine::OnBar(const market::Bar& bar, const InputMeta& meta) {
  if (bar.kind == market::BarKind::kDaily) {
    ++counters_.ignored_daily_bars;
    return;
  }
  SymbolState& st = State(bar.symbol);
  const int64_t start = bar.ts.nanos();
  bar.kind == market::BarKind::kUpdated ? ++counters_.updated_bars : ++counters_.minute_bars;

  size_t i = st.minutes.size();
  for (size_t k = 0; k < st.minutes.size(); ++k) {
    if (st.minutes[k].start == start) i = k;
  }
  const bool is_new = i == st.minutes.size();
  if (is_new && start < st.last_1m_start &&
      (st.minutes.empty() || start < st.minutes.front().start)) {
    ++counters_.stale_minute_bars;  // too old to know which version the store holds
    return;
  }
  if (is_new) {
    size_t pos = st.minutes.size();
    while (pos > 0 && st.minutes[pos - 1].start > start) --pos;
    st.minutes.insert(pos, MinuteRef{start, 0});
    i = pos;
  }
  const int64_t mutations = ++st.minutes[i].mutations;

  MicrobarRow row;
  FillIdentity(&row.id, symbols_->Name(bar.symbol), WindowSize::k1m, start, meta.seq,
               meta.ingest_ts.nanos(), meta.source, true, mutations);
  row.o = bar.open;
  row.h = bar.high;
  row.l = bar.low;
  row.c = bar.close;
  row.v = bar.volume;
  row.vwap = bar.volume > 0 ? bar.vwap : kNull;
  row.count = bar.trade_count;
  sink_->OnMicrobar(row);
  mutations == 1 ? ++counters_.final_rows : ++counters_.revisions;

  const BarClose close{row.id.event_ts, bar.close, bar.vwap * static_cast<double>(bar.volume),
                       static_cast<double>(bar.volume), Timestamp::FromNanos(SessionStart(start))};
  SignalRow sig;
  sig.id = row.id;
  if (start > st.last_1m_start) {
    st.last_1m_start = start;
  } else if (start == st.last_1m_start) {
    st.Ind1m(config_).UndoLast();  // revision of the newest minute: recompute exactly
  } else {
    while (st.minutes.size() > kMinuteHistory) st.minutes.pop_front();
    return;  // an older minute: the chain after it is not rewritten
  }
  st.Ind1m(config_).Apply(close, &sig);
  sink_->OnSignal(sig);
  while (st.minutes.size() > kMinuteHistory) st.minutes.pop_front();
}

// --------------------------------------------------------------------------------------------
// Flushing.

void Engine::EmitProvisional() {
  for (SymbolId id : dirty_) {
    SymbolState& st = *states_[id];
    st.dirty_listed = false;
    // Open bars chain on a scratch copy of the final chain, like they will once final. Copy-
    // assignment into the kept scratch reuses its buffers.
    if (!provisional_scratch_) provisional_scratch_ = std::make_unique<IndicatorSet>(st.ind1s);
    IndicatorSet& scratch = *provisional_scratch_;
    scratch = st.ind1s;
    for (size_t i = 0; i < st.bars.size(); ++i) {
      BarAgg& b = st.bars[i];
      if (b.final) continue;
      MicrobarRow row;
      FillMicrobar(symbols_->Name(id), b, false, &row);
      SignalRow sig;
      sig.id = row.id;
      scratch.Apply(BarClose{row.id.event_ts, b.c, b.pv, static_cast<double>(b.v),
                             Timestamp::FromNanos(SessionStart(b.start))},
                    &sig);
      if (!b.dirty) continue;
      b.dirty = false;
      FillQuote(QuoteAsOf(st.quotes, st.asof, b.start + kBarNs), b.start + kBarNs,
                config_.quote_stale_after_ms * kNanosPerMilli, &sig);
      sink_->OnMicrobar(row);
      sink_->OnSignal(sig);
      ++counters_.provisional_rows;
    }
  }
  dirty_.clear();
}

void Engine::FinalizeIdle(Timestamp processing_now) {
  const int64_t cutoff = processing_now.nanos() - config_.idle_timeout_ms * kNanosPerMilli;
  for (SymbolId id = 0; id < states_.size(); ++id) {
    SymbolState* st = states_[id].get();
    if (st == nullptr) continue;
    if (st->last_input_processing_ns == kIdleClockUnknown) {
      // Restored from a snapshot: idle from now on, not since the epoch — otherwise a partition
      // that moves to another process would have every open bar finalized at once, and the
      // trades still due for them would become revisions that the indicators never see.
      st->last_input_processing_ns = processing_now.nanos();
      continue;
    }
    if (st->last_input_processing_ns > cutoff) continue;
    FinalizeUpTo(id, *st, INT64_MAX);
  }
}

void Engine::FinalizeAll() {
  for (SymbolId id = 0; id < states_.size(); ++id) {
    if (states_[id]) FinalizeUpTo(id, *states_[id], INT64_MAX);
  }
}

// --------------------------------------------------------------------------------------------
// Snapshot.

void Engine::Save(BinaryWriter& w) const {
  w.PutU32(kSnapshotMagic);
  w.PutU32(kSnapshotVersion);
  w.PutI64(config_.max_out_of_order_ms);
  w.PutI64(config_.vwap_window_seconds);
  w.PutI64(config_.realized_vol_window);
  w.PutI64(config_.quote_stale_after_ms);
  w.PutI64(config_.revision_horizon_ms);
  uint32_t present = 0;
  for (const auto& s : states_) present += s ? 1 : 0;
  w.PutU32(present);
  for (SymbolId id = 0; id < states_.size(); ++id) {
    const SymbolState* st = states_[id].get();
    if (st == nullptr) continue;
    w.PutString(symbols_->Name(id));
    w.PutU64(st->bars.size());
    for (size_t i = 0; i < st->bars.size(); ++i) {
      const BarAgg& b = st->bars[i];
      w.PutI64(b.start);
      w.PutF64(b.o);
      w.PutF64(b.h);
      w.PutF64(b.l);
      w.PutF64(b.c);
      w.PutI64(b.open_ts);
      w.PutI64(b.close_ts);
      w.PutI64(b.v);
      w.PutF64(b.pv);
      w.PutI64(b.count);
      w.PutI64(b.mutations);
      w.PutI64(b.seq);
      w.PutI64(b.ingest_ns);
      w.PutU8(static_cast<uint8_t>(b.source));
      w.PutBool(b.final);
      w.PutBool(b.dirty);
    }
    st->ids.Save(w);
    w.PutU64(st->quotes.size());
    for (size_t i = 0; i < st->quotes.size(); ++i) SaveQuote(w, st->quotes[i]);
    SaveQuote(w, st->asof);
    w.PutI64(st->max_trade_ts);
    w.PutI64(st->last_final_start);
    SaveQuote(w, st->last_final_quote);
    st->ind1s.Save(w);
    w.PutBool(st->ind1m != nullptr);
    if (st->ind1m) st->ind1m->Save(w);
    w.PutI64(st->last_1m_start);
    w.PutU64(st->minutes.size());
    for (size_t i = 0; i < st->minutes.size(); ++i) {
      w.PutI64(st->minutes[i].start);
      w.PutI64(st->minutes[i].mutations);
    }
  }
}

namespace {

// The optional PT1M chain: a presence flag, then the set.
bool LoadMinuteChain(BinaryReader& r, const EngineConfig& c, std::unique_ptr<IndicatorSet>* chain) {
  bool present = false;
  if (!r.GetBool(&present)) return false;
  if (!present) {
    chain->reset();
    return true;
  }
  *chain =
      std::make_unique<IndicatorSet>(c.vwap_window_seconds, c.realized_vol_window, kNanosPerMinute);
  return (*chain)->Load(r);
}

}  // namespace

Status Engine::Load(BinaryReader& r) {
  uint32_t magic = 0, version = 0, present = 0;
  int64_t ooo = 0, vwap_w = 0, vol_w = 0, stale = 0, horizon = 0;
  if (!r.GetU32(&magic) || !r.GetU32(&version)) return r.Error();
  if (magic != kSnapshotMagic) return DataLoss("not a TA engine snapshot (bad magic)");
  if (version != kSnapshotVersion) {
    return FailedPrecondition("TA snapshot format " + std::to_string(version) +
                              " is not supported (this build reads " +
                              std::to_string(kSnapshotVersion) + ")");
  }
  if (!r.GetI64(&ooo) || !r.GetI64(&vwap_w) || !r.GetI64(&vol_w) || !r.GetI64(&stale) ||
      !r.GetI64(&horizon) || !r.GetU32(&present)) {
    return r.Error();
  }
  if (ooo != config_.max_out_of_order_ms || vwap_w != config_.vwap_window_seconds ||
      vol_w != config_.realized_vol_window || stale != config_.quote_stale_after_ms ||
      horizon != config_.revision_horizon_ms) {
    return FailedPrecondition(
        "TA snapshot was taken with different TA_* settings; restoring it would change results");
  }
  // The symbol table belongs to the caller, so names are resolved through it; a const table we
  // cannot extend means every snapshotted symbol must already be known.
  SymbolTable* table = symbols_;
  states_.clear();
  dirty_.clear();
  for (uint32_t k = 0; k < present; ++k) {
    std::string name;
    if (!r.GetString(&name, kMaxSymbolLength)) return r.Error();
    const SymbolId id = table->Intern(name);
    if (id >= states_.size()) states_.resize(static_cast<size_t>(id) + 1);
    states_[id] = std::make_unique<SymbolState>(config_);
    SymbolState& st = *states_[id];
    uint64_t n = 0;
    if (!r.GetU64(&n) || n > (1u << 24))
      return r.ok() ? DataLoss("snapshot: bad bar count") : r.Error();
    for (uint64_t i = 0; i < n; ++i) {
      BarAgg b;
      uint8_t source = 0;
      if (!r.GetI64(&b.start) || !r.GetF64(&b.o) || !r.GetF64(&b.h) || !r.GetF64(&b.l) ||
          !r.GetF64(&b.c) || !r.GetI64(&b.open_ts) || !r.GetI64(&b.close_ts) || !r.GetI64(&b.v) ||
          !r.GetF64(&b.pv) || !r.GetI64(&b.count) || !r.GetI64(&b.mutations) || !r.GetI64(&b.seq) ||
          !r.GetI64(&b.ingest_ns) || !r.GetU8(&source) || !r.GetBool(&b.final) ||
          !r.GetBool(&b.dirty)) {
        return r.Error();
      }
      if (source > static_cast<uint8_t>(Source::kFile)) return DataLoss("snapshot: bad source");
      b.source = static_cast<Source>(source);
      st.bars.push_back(b);
      if (b.dirty && !st.dirty_listed) {
        st.dirty_listed = true;
        dirty_.push_back(id);
      }
    }
    if (!st.ids.Load(r) || !r.GetU64(&n) || n > (1u << 24)) {
      return r.ok() ? DataLoss("snapshot: bad quote count") : r.Error();
    }
    for (uint64_t i = 0; i < n; ++i) {
      QuoteAt q;
      if (!LoadQuote(r, &q)) return r.Error();
      st.quotes.push_back(q);
    }
    if (!LoadQuote(r, &st.asof) || !r.GetI64(&st.max_trade_ts) || !r.GetI64(&st.last_final_start) ||
        !LoadQuote(r, &st.last_final_quote) || !st.ind1s.Load(r) ||
        !LoadMinuteChain(r, config_, &st.ind1m) || !r.GetI64(&st.last_1m_start) || !r.GetU64(&n) ||
        n > kMinuteHistory + 1) {
      return r.ok() ? DataLoss("snapshot: bad minute history") : r.Error();
    }
    for (uint64_t i = 0; i < n; ++i) {
      MinuteRef m;
      if (!r.GetI64(&m.start) || !r.GetI64(&m.mutations)) return r.Error();
      st.minutes.push_back(m);
    }
    st.last_input_processing_ns = kIdleClockUnknown;
  }
  if (!r.ok()) return r.Error();
  return Status::Ok();
}

size_t Engine::StateBytes() const {
  size_t total = states_.capacity() * sizeof(void*);
  for (const auto& s : states_) {
    if (!s) continue;
    total += sizeof(SymbolState) + s->bars.capacity() * sizeof(BarAgg) +
             s->quotes.capacity() * sizeof(QuoteAt) + s->ids.HeapBytes() +
             s->minutes.capacity() * sizeof(MinuteRef) + s->ind1s.HeapBytes() +
             (s->ind1m ? sizeof(IndicatorSet) + s->ind1m->HeapBytes() : 0);
  }
  return total;
}

}  // namespace torghut::ta
