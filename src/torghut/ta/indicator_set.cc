#include "torghut/ta/indicator_set.h"

namespace torghut::ta {

IndicatorSet::IndicatorSet(int64_t vwap_window_seconds, int32_t realized_vol_window, int64_t bar_ns)
    : vwap_window_(vwap_window_seconds * kNanosPerSecond,
                   static_cast<size_t>(vwap_window_seconds * kNanosPerSecond / bar_ns) + 1),
      vol_(realized_vol_window) {}

void IndicatorSet::Apply(const BarClose& bar, SignalRow* out) {
  undo_.macd = macd_;
  undo_.rsi = rsi14_;
  undo_.vwap_session = vwap_session_;
  undo_.boll = boll_.Mark();
  undo_.vwap_window = vwap_window_.Mark();
  undo_.vol = vol_.Mark();
  undo_.session_start_ns = session_start_ns_;
  has_undo_ = true;
  if (bar.session_start.nanos() != session_start_ns_) {
    session_start_ns_ = bar.session_start.nanos();
    vwap_session_.Reset();
  }
  macd_.Update(bar.close);
  rsi14_.Update(bar.close);
  boll_.Update(bar.close);
  vwap_session_.Update(bar.notional, bar.volume);
  vwap_window_.Update(bar.end.nanos(), bar.notional, bar.volume);
  vol_.Update(bar.close);

  out->ema12 = macd_.fast().value();
  out->ema26 = macd_.slow().value();
  out->macd = macd_.macd();
  out->macd_signal = macd_.signal();
  out->macd_hist = macd_.hist();
  out->rsi14 = rsi14_.value();
  out->boll_mid = boll_.mid();
  out->boll_upper = boll_.upper();
  out->boll_lower = boll_.lower();
  out->vwap_session = vwap_session_.value();
  out->vwap_w5m = vwap_window_.value();
  out->vol_realized_w60s = vol_.value();
}

void IndicatorSet::UndoLast() {
  if (!has_undo_) return;
  macd_ = undo_.macd;
  rsi14_ = undo_.rsi;
  vwap_session_ = undo_.vwap_session;
  boll_.Restore(undo_.boll);
  vwap_window_.Restore(undo_.vwap_window);
  vol_.Restore(undo_.vol);
  session_start_ns_ = undo_.session_start_ns;
  has_undo_ = false;
}

void IndicatorSet::Save(BinaryWriter& w) const {
  macd_.Save(w);
  rsi14_.Save(w);
  boll_.Save(w);
  vwap_session_.Save(w);
  vwap_window_.Save(w);
  vol_.Save(w);
  w.PutI64(session_start_ns_);
  w.PutBool(has_undo_);
  if (!has_undo_) return;
  undo_.macd.Save(w);
  undo_.rsi.Save(w);
  undo_.vwap_session.Save(w);
  const auto& b = undo_.boll;
  for (double d : {b.sum, b.sum_sq, b.mid, b.upper, b.lower, b.overwritten}) w.PutF64(d);
  w.PutI64(b.seen);
  const auto& v = undo_.vwap_window;
  w.PutU64(v.capacity);
  w.PutU64(v.head);
  w.PutU64(v.size);
  w.PutI64(v.pops_since_resum);
  w.PutF64(v.notional);
  w.PutF64(v.volume);
  const auto& q = undo_.vol;
  w.PutI64(q.count);
  for (double d : {q.prev_close, q.sum, q.sum_sq, q.value, q.overwritten}) w.PutF64(d);
  w.PutI64(undo_.session_start_ns);
}

bool IndicatorSet::Load(BinaryReader& r) {
  if (!(macd_.Load(r) && rsi14_.Load(r) && boll_.Load(r) && vwap_session_.Load(r) &&
        vwap_window_.Load(r) && vol_.Load(r) && r.GetI64(&session_start_ns_) &&
        r.GetBool(&has_undo_))) {
    return false;
  }
  if (!has_undo_) return true;
  auto& b = undo_.boll;
  auto& v = undo_.vwap_window;
  auto& q = undo_.vol;
  uint64_t cap = 0, head = 0, size = 0;
  const bool ok = undo_.macd.Load(r) && undo_.rsi.Load(r) && undo_.vwap_session.Load(r) &&
                  r.GetF64(&b.sum) && r.GetF64(&b.sum_sq) && r.GetF64(&b.mid) &&
                  r.GetF64(&b.upper) && r.GetF64(&b.lower) && r.GetF64(&b.overwritten) &&
                  r.GetI64(&b.seen) && r.GetU64(&cap) && r.GetU64(&head) && r.GetU64(&size) &&
                  r.GetI64(&v.pops_since_resum) && r.GetF64(&v.notional) && r.GetF64(&v.volume) &&
                  r.GetI64(&q.count) && r.GetF64(&q.prev_close) && r.GetF64(&q.sum) &&
                  r.GetF64(&q.sum_sq) && r.GetF64(&q.value) && r.GetF64(&q.overwritten) &&
                  r.GetI64(&undo_.session_start_ns);
  v.capacity = cap, v.head = head, v.size = size;
  return ok;
}

size_t IndicatorSet::HeapBytes() const {
  return vwap_window_.HeapBytes() + 20 * sizeof(double) + vol_.HeapBytes();
}

}  // namespace torghut::ta
