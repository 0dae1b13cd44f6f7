// The columns of ta_microbars and ta_signals (SPEC §5), in table order, defined once for every
// backend: a backend writes a visitor (bind to a statement, encode RowBinary, decode a result
// row, ...) and VisitMicrobar / VisitSignal walk a row's fields in column order with it.
//
// A visitor provides, for a field `name`:
//   Text(name, std::string&)  Ts(name, Timestamp&)  Int(name, int64_t&)  Bool(name, bool&)
//   Real(name, double&)  NullableReal(name, double&)   (NaN = NULL)
//   Source(name, market::Source&)  Window(name, ta::WindowSize&)
// Row is either const (writing) or not (reading); visitors take the matching reference type.
#pragma once

#include <string>
#include <string_view>

#include "torghut/ta/rows.h"

namespace torghut::store::internal {

inline constexpr std::string_view kMicrobarsTable = "ta_microbars";
inline constexpr std::string_view kSignalsTable = "ta_signals";
inline constexpr int kIdentityColumns = 11;
inline constexpr int kMicrobarColumns = kIdentityColumns + 7;
inline constexpr int kSignalColumns = kIdentityColumns + 17;

template <typename Id, typename V>
void VisitIdentity(Id& id, V& v) {
  v.Text("symbol", id.symbol);
  v.Ts("event_ts", id.event_ts);
  v.Int("seq", id.seq);
  v.Ts("ingest_ts", id.ingest_ts);
  v.Bool("is_final", id.is_final);
  v.Source("source", id.source);
  v.Window("window_size", id.window_size);
  v.Window("window_step", id.window_step);
  v.Ts("window_start", id.window_start);
  v.Ts("window_end", id.window_end);
  v.Int("version", id.version);
}

template <typename Row, typename V>
void VisitMicrobar(Row& r, V& v) {
  VisitIdentity(r.id, v);
  v.Real("o", r.o);
  v.Real("h", r.h);
  v.Real("l", r.l);
  v.Real("c", r.c);
  v.Int("v", r.v);
  v.NullableReal("vwap", r.vwap);
  v.Int("count", r.count);
}

template <typename Row, typename V>
void VisitSignal(Row& r, V& v) {
  VisitIdentity(r.id, v);
  v.NullableReal("macd", r.macd);
  v.NullableReal("macd_signal", r.macd_signal);
  v.NullableReal("macd_hist", r.macd_hist);
  v.NullableReal("ema12", r.ema12);
  v.NullableReal("ema26", r.ema26);
  v.NullableReal("rsi14", r.rsi14);
  v.NullableReal("boll_mid", r.boll_mid);
  v.NullableReal("boll_upper", r.boll_upper);
  v.NullableReal("boll_lower", r.boll_lower);
  v.NullableReal("vwap_session", r.vwap_session);
  v.NullableReal("vwap_w5m", r.vwap_w5m);
  v.NullableReal("imbalance_spread", r.imbalance_spread);
  v.NullableReal("imbalance_bid_px", r.imbalance_bid_px);
  v.NullableReal("imbalance_ask_px", r.imbalance_ask_px);
  v.NullableReal("imbalance_bid_sz", r.imbalance_bid_sz);
  v.NullableReal("imbalance_ask_sz", r.imbalance_ask_sz);
  v.NullableReal("vol_realized_w60s", r.vol_realized_w60s);
}

// Column kinds, for generating DDL: visits a default row and records each field's kind.
enum class ColumnKind { kText, kTs, kInt, kBool, kReal, kNullableReal, kSource, kWindow };
struct ColumnDef {
  std::string_view name;
  ColumnKind kind;
};

template <size_t N>
struct ColumnList {
  ColumnDef cols[N];
  int n = 0;
  void Add(std::string_view name, ColumnKind k) { cols[n++] = {name, k}; }
  template <typename T>
  void Text(std::string_view name, const T&) { Add(name, ColumnKind::kText); }
  template <typename T>
  void Ts(std::string_view name, const T&) { Add(name, ColumnKind::kTs); }
  template <typename T>
  void Int(std::string_view name, const T&) { Add(name, ColumnKind::kInt); }
  template <typename T>
  void Bool(std::string_view name, const T&) { Add(name, ColumnKind::kBool); }
  template <typename T>
  void Real(std::string_view name, const T&) { Add(name, ColumnKind::kReal); }
  template <typename T>
  void NullableReal(std::string_view name, const T&) { Add(name, ColumnKind::kNullableReal); }
  template <typename T>
  void Source(std::string_view name, const T&) { Add(name, ColumnKind::kSource); }
  template <typename T>
  void Window(std::string_view name, const T&) { Add(name, ColumnKind::kWindow); }
};

inline ColumnList<kMicrobarColumns> MicrobarColumns() {
  ColumnList<kMicrobarColumns> l;
  const ta::MicrobarRow row;
  VisitMicrobar(row, l);
  return l;
}
inline ColumnList<kSignalColumns> SignalColumns() {
  ColumnList<kSignalColumns> l;
  const ta::SignalRow row;
  VisitSignal(row, l);
  return l;
}

// "a, b, c" of a column list (optionally each wrapped as fmt-style pattern "{}" → e.g. "x.{}").
template <size_t N>
std::string JoinColumns(const ColumnList<N>& l, std::string_view pattern = "{}") {
  std::string out;
  for (int i = 0; i < l.n; ++i) {
    if (i) out += ", ";
    for (size_t p = 0; p < pattern.size(); ++p) {
      if (pattern.compare(p, 2, "{}") == 0) {
        out += l.cols[i].name;
        ++p;
      } else {
        out += pattern[p];
      }
    }
  }
  return out;
}

}  // namespace torghut::store::internal
