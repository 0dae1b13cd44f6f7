// What the page shows, as plain data: read from and written to the URL's query string, so a view
// can be linked and reloaded (/torghut/visuals?symbol=AAPL&range=1h&resolution=auto&show=ema,rsi).
import type { Resolution } from './api';

export const RANGES = { '15m': 15 * 60e3, '1h': 3600e3, '4h': 4 * 3600e3, '1d': 86400e3, '1w': 7 * 86400e3 };
export type RangeName = keyof typeof RANGES;
export const INDICATORS = ['ema', 'bollinger', 'vwap', 'macd', 'rsi'] as const;
export type Indicator = (typeof INDICATORS)[number];
export const RESOLUTIONS: Resolution[] = ['1s', '5s', '15s', '1m', '5m'];
// The API's most items per request (SPEC §7).
export const MAX_ITEMS = 5000;
const RESOLUTION_MS: Record<Resolution, number> = { '1s': 1e3, '5s': 5e3, '15s': 15e3, '1m': 60e3, '5m': 300e3 };
const SYMBOL_RE = /^[A-Z0-9._:-]{1,32}$/;

export interface ViewState {
  symbol: string;
  range: RangeName;
  resolution: Resolution | 'auto';
  shown: Set<Indicator>;
  // A moment to show (epoch ms): the window is centred on it (a link from a trading decision to
  // its bar); null: the window ends now.
  at: number | null;
}

export function resolutionMs(r: Resolution): number {
  return RESOLUTION_MS[r];
}

// "auto": the finest resolution that covers the range in at most ~1,000 candles.
export function effectiveResolution(state: ViewState): Resolution {
  if (state.resolution !== 'auto') return state.resolution;
  const span = RANGES[state.range];
  return RESOLUTIONS.find((r) => span / RESOLUTION_MS[r] <= 1000) ?? '5m';
}

export function parseViewState(search: string, fallbackSymbol: string): ViewState {
  const q = new URLSearchParams(search);
  const range = q.get('range') ?? '1h';
  const res = q.get('resolution') ?? 'auto';
  const shown = new Set<Indicator>();
  for (const name of (q.get('show') ?? 'ema').split(',')) {
    if ((INDICATORS as readonly string[]).includes(name)) shown.add(name as Indicator);
  }
  return {
    // Kept as typed (upper-cased): a symbol the API refuses is shown as the API's error.
    symbol: (q.get('symbol') ?? fallbackSymbol).trim().toUpperCase(),
    range: range in RANGES ? (range as RangeName) : '1h',
    resolution: res === 'auto' || (RESOLUTIONS as string[]).includes(res) ? (res as Resolution | 'auto') : 'auto',
    shown,
    at: parseAt(q.get('at')),
  };
}

// `at` as RFC 3339 or epoch ms; anything else is ignored (the window then ends now).
function parseAt(text: string | null): number | null {
  if (!text) return null;
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

export function viewStateQuery(state: ViewState): string {
  const q = new URLSearchParams({
    symbol: state.symbol,
    range: state.range,
    resolution: state.resolution,
    show: INDICATORS.filter((i) => state.shown.has(i)).join(','),
  });
  if (state.at !== null) q.set('at', new Date(state.at).toISOString());
  return `?${q}`;
}

export function isValidSymbol(symbol: string): boolean {
  return SYMBOL_RE.test(symbol);
}

// The lag pill's colour (SPEC §8): green under 60 s, amber under 180 s, red beyond; "none" when
// the symbol has no data yet.
export type LagLevel = 'green' | 'amber' | 'red' | 'none';
export function lagLevel(lagMs: number | null): LagLevel {
  if (lagMs === null) return 'none';
  if (lagMs < 60e3) return 'green';
  if (lagMs < 180e3) return 'amber';
  return 'red';
}

export function formatLag(lagMs: number | null): string {
  if (lagMs === null) return 'lag –';
  const ms = Math.max(0, lagMs);
  if (ms < 10e3) return `lag ${(ms / 1e3).toFixed(1)} s`;
  if (ms < 120e3) return `lag ${Math.round(ms / 1e3)} s`;
  if (ms < 2 * 3600e3) return `lag ${Math.round(ms / 60e3)} min`;
  if (ms < 2 * 86400e3) return `lag ${Math.round(ms / 3600e3)} h`;
  return `lag ${Math.round(ms / 86400e3)} d`;
}
