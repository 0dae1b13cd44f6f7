// The trading page's read API (SPEC §7 "for the trading page"; src/torghut/api/trading_read_api.h)
// as the page uses it. Amounts are exact decimals as JSON strings and stay strings here: the page
// shows them as given (format.ts) and only the charts turn them into numbers, to draw. Times are
// RFC 3339 UTC with milliseconds. Every failure is an ApiError naming what was asked (../http).
import { getJson } from '../http';

export { ApiError } from '../http';

// The most rows /executions and /decisions return per request (SPEC §7).
export const MAX_ROWS = 500;

export interface Strategy {
  name: string;
  description: string;
  enabled: boolean;
  type: string;
  base_timeframe: string;
  symbols: string[];
}

// The America/New_York day as the UTC interval [startUtc, endUtc) the API selected rows by.
export interface DayInterval {
  tz: string;
  day: string;
  startUtc: string;
  endUtc: string;
}

export interface Summary {
  interval: DayInterval;
  strategy: string | null;
  realizedPnl: {
    value: string;
    closedQty: string;
    winRate: string | null; // wins / judged round trips, 9 decimals; null when none ended
    winCount: number;
    lossCount: number;
    series: { ts: string; realizedPnl: string }[]; // cumulative, one point per closing fill
    warnings: string[];
  };
  executions: { filledCount: number };
  rejections: { rejectedCount: number; topReasons: { reason: string; count: number }[] };
  equity: {
    available: boolean;
    byAccount: { alpacaAccountLabel: string; delta: string; series: { ts: string; equity: string }[] }[];
  };
  llm: {
    verdicts: { approve: number; veto: number; adjust: number; error: number };
    circuit: string; // closed | open | half_open | unknown
  };
}

export interface Execution {
  id: string;
  trade_decision_id: string;
  strategy_id: string;
  symbol: string;
  side: string;
  order_type: string;
  time_in_force: string;
  submitted_qty: string;
  filled_qty: string;
  avg_fill_price: string | null;
  status: string;
  created_at: string;
  last_update_at: string | null;
  alpaca_order_id: string | null;
  client_order_id: string;
}

export interface LlmReview {
  verdict: string; // approve | veto | adjust | error | skipped
  confidence: string | null;
  rationale: string;
  risk_flags: string[];
  model: string;
  adjusted_qty: string | null;
  error: string | null;
}

export interface Decision {
  id: string;
  strategy_id: string;
  symbol: string;
  timeframe: string;
  status: string;
  rationale: string;
  decision: {
    action: string;
    qty: string;
    order_type: string;
    limit_price: string | null;
    reference_price: string | null;
    event_ts: string; // the bar the decision was made on
    risk_reasons: string[];
    llm_review?: LlmReview;
  };
  created_at: string;
  executed_at: string | null;
  alpaca_account_label: string;
}

export interface Rows<T> {
  ok: true;
  interval: DayInterval;
  strategy: string | null;
  items: T[]; // newest first
}

// What one view shows: a New York day and a strategy ('' = every strategy).
export interface Selection {
  day: string;
  strategy: string;
}

// `day` is sent as the page was given it: a day the API refuses comes back as its 400 message.
function query(sel: Selection, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams({ day: sel.day, ...extra });
  if (sel.strategy !== '') q.set('strategy', sel.strategy);
  return q.toString();
}

// "summary for 2026-12-01" or "summary for 2026-12-01 (demo-bollinger)": the banner's words.
function what(kind: string, sel: Selection): string {
  return `${kind} for ${sel.day}${sel.strategy === '' ? '' : ` (${sel.strategy})`}`;
}

export async function fetchStrategies(signal?: AbortSignal): Promise<Strategy[]> {
  const r = await getJson<{ ok: true; strategies: Strategy[] }>('/api/torghut/trading/strategies', 'strategies', signal);
  return r.strategies;
}

export async function fetchSummary(sel: Selection, signal?: AbortSignal): Promise<Summary> {
  const r = await getJson<{ ok: true; summary: Summary }>(`/api/torghut/trading/summary?${query(sel)}`, what('summary', sel), signal);
  return r.summary;
}

export function fetchExecutions(sel: Selection, signal?: AbortSignal): Promise<Rows<Execution>> {
  return getJson<Rows<Execution>>(
    `/api/torghut/trading/executions?${query(sel, { limit: String(MAX_ROWS) })}`,
    what('executions', sel),
    signal,
  );
}

export function fetchDecisions(sel: Selection, signal?: AbortSignal): Promise<Rows<Decision>> {
  return getJson<Rows<Decision>>(
    `/api/torghut/trading/decisions?${query(sel, { limit: String(MAX_ROWS) })}`,
    what('decisions', sel),
    signal,
  );
}
