// What the trading page shows, as plain data in the URL's query string, so a view can be linked
// and reloaded: /torghut/trading?day=2026-12-01&strategy=demo-bollinger. The day is an
// America/New_York calendar day (the trading day, SPEC §8); no strategy (or an empty one) means
// every strategy.
import type { Selection } from './trading_api';

export const NEW_YORK = 'America/New_York';

// en-CA formats a date as YYYY-MM-DD; the parts are read one by one all the same, so the result
// does not hang on a locale's layout.
const nyDate = new Intl.DateTimeFormat('en-CA', { timeZone: NEW_YORK, year: 'numeric', month: '2-digit', day: '2-digit' });

// The New York calendar day that holds the instant `ms` (default now), as YYYY-MM-DD.
export function newYorkDay(ms: number = Date.now()): string {
  const parts = Object.fromEntries(nyDate.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

// Whether `day` is today in New York: the only day whose figures still change, so the only one
// the page keeps polling.
export function isToday(day: string, nowMs: number = Date.now()): boolean {
  return day === newYorkDay(nowMs);
}

// The URL's selection; a missing day is today in New York. Values are kept as given (trimmed):
// a day or strategy the API refuses is shown as the API's 400 message, not silently replaced.
export function parseSelection(search: string, nowMs: number = Date.now()): Selection {
  const q = new URLSearchParams(search);
  const day = (q.get('day') ?? '').trim();
  return { day: day === '' ? newYorkDay(nowMs) : day, strategy: (q.get('strategy') ?? '').trim() };
}

// The query string for a selection; the strategy is left out when it is every strategy.
export function selectionQuery(sel: Selection): string {
  const q = new URLSearchParams({ day: sel.day });
  if (sel.strategy !== '') q.set('strategy', sel.strategy);
  return `?${q}`;
}

// The chart page at a decision's bar (the visuals page centres its window on `at`). The time is
// written as the API gave it: ':' needs no escape in a query (RFC 3986), so the link reads as
// the RFC 3339 instant it is.
export function visualsLink(symbol: string, eventTs: string): string {
  const at = encodeURIComponent(eventTs).replace(/%3A/gi, ':');
  return `/torghut/visuals?symbol=${encodeURIComponent(symbol)}&range=15m&at=${at}`;
}
