// The TA read API (SPEC §7) as the UI uses it. Every failure — an HTTP error with the server's
// `{ok:false, message}`, a body that is not the expected JSON, or no answer at all — becomes an
// ApiError whose message a user can act on (http.ts).
import { getJson } from './http';

export { ApiError } from './http';

export type Resolution = '1s' | '5s' | '15s' | '1m' | '5m';

// A candle: a 1 s microbar, or a bucket of them aggregated by the store.
export interface BarRow {
  symbol: string;
  event_ts: string;
  window_start: string;
  window_end: string;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  vwap: number | null;
  is_final: number;
  version: number;
}

// The indicator values at the end of a window; null while an indicator is warming up.
export interface SignalRow {
  symbol: string;
  event_ts: string;
  window_start: string;
  window_end: string;
  version: number;
  macd: number | null;
  macd_signal: number | null;
  macd_hist: number | null;
  ema12: number | null;
  ema26: number | null;
  rsi14: number | null;
  boll_mid: number | null;
  boll_upper: number | null;
  boll_lower: number | null;
  vwap_session: number | null;
  vwap_w5m: number | null;
}

export interface TimeRange {
  from: string;
  to: string;
}

export interface WindowResponse<Row> {
  ok: true;
  symbol: string;
  resolution: Resolution;
  items: Row[];
  range: { requested: TimeRange; effective: TimeRange; fallback: boolean };
}

export interface LatestResponse {
  ok: true;
  symbol: string;
  bars: BarRow | null;
  signals: SignalRow | null;
  lag_ms: number | null;
}

export interface WindowQuery {
  symbol: string;
  fromMs: number;
  toMs: number;
  resolution: Resolution;
  limit: number;
}

export function windowUrl(kind: 'bars' | 'signals', q: WindowQuery): string {
  const p = new URLSearchParams({
    symbol: q.symbol,
    from: String(Math.floor(q.fromMs)),
    to: String(Math.floor(q.toMs)),
    resolution: q.resolution,
    limit: String(q.limit),
  });
  return `/api/torghut/ta/${kind}?${p}`;
}

export function fetchBars(q: WindowQuery, signal?: AbortSignal) {
  return getJson<WindowResponse<BarRow>>(windowUrl('bars', q), `bars for ${q.symbol}`, signal);
}

export function fetchSignals(q: WindowQuery, signal?: AbortSignal) {
  return getJson<WindowResponse<SignalRow>>(
    windowUrl('signals', q),
    `signals for ${q.symbol}`,
    signal,
  );
}

export function fetchLatest(symbol: string, signal?: AbortSignal) {
  return getJson<LatestResponse>(
    `/api/torghut/ta/latest?${new URLSearchParams({ symbol })}`,
    `latest for ${symbol}`,
    signal,
  );
}

export async function fetchSymbols(signal?: AbortSignal): Promise<string[]> {
  const r = await getJson<{ ok: true; symbols: string[] }>('/api/torghut/symbols', 'symbols', signal);
  return r.symbols;
}

export function streamUrl(symbol: string): string {
  return `/api/torghut/ta/stream?${new URLSearchParams({ symbol })}`;
}
