// /torghut/trading: the trading history of one America/New_York day (SPEC §8) — cards, the equity
// and realized-P&L curves, the reason histogram and LLM diagnostics, and the tables of fills and
// decisions, for every strategy or one. The day and strategy live in the URL. A day's answers are
// read together (/summary, /executions, /decisions) and read again every few seconds while the
// day is today in New York (the only day whose figures still change); a failure of any of them
// shows the banner naming it, which clears when that request next succeeds.
import '../style.css';
import './trading.css';
import {
  ApiError,
  fetchDecisions,
  fetchExecutions,
  fetchStrategies,
  fetchSummary,
  type Decision,
  type Execution,
  type Rows,
  type Selection,
  type Strategy,
  type Summary,
} from './trading_api';
import { isToday, newYorkDay, parseSelection, selectionQuery } from './trading_state';
import { Cards, type CardTexts } from './cards';
import { LineChart, toPoints, type Point } from './charts';
import { Diagnostics } from './diagnostics';
import { DecisionsTable, FillsTable, fillsOf } from './tables';

// How often today's answers are read again. Fills come seconds apart; a few seconds' delay is
// "live" for a history page, and three requests per poll stay cheap for the store.
const POLL_MS = 3000;
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

type PageStatus = 'loading' | 'ready' | 'no-data' | 'error';
type Source = 'summary' | 'executions' | 'decisions';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  day: $<HTMLInputElement>('day'),
  strategy: $<HTMLSelectElement>('strategy'),
  interval: $<HTMLSpanElement>('interval'),
  live: $<HTMLSpanElement>('live'),
  error: $<HTMLDivElement>('error'),
  warnings: $<HTMLDivElement>('warnings'),
  page: $<HTMLElement>('page'),
  nodata: $<HTMLDivElement>('nodata'),
};

const cards = new Cards();
const equityChart = new LineChart($('chart-equity'), $('chart-equity-empty'), '#2980b9', false);
const pnlChart = new LineChart($('chart-pnl'), $('chart-pnl-empty'), '#26a69a', true);
const diagnostics = new Diagnostics($('reasons'), $<HTMLTableElement>('verdicts'), $('circuit'));
const fillsTable = new FillsTable($<HTMLTableElement>('fills'), $('fills-note'));
const decisionsTable = new DecisionsTable($<HTMLTableElement>('decisions'), $('decisions-note'));

let sel: Selection = parseSelection(location.search);
let strategies: Strategy[] = [];
let status: PageStatus = 'loading';
let generation = 0; // bumps on every new selection; answers for an older one are dropped
let inflight: AbortController | null = null;
let polling = false;
let loads = 0; // completed reads of the current selection: the first, then one per poll
// The newest good answer of each source for the current selection: a refresh that fails keeps
// showing it (under the banner) rather than blanking the page.
let last: { summary: Summary | null; executions: Rows<Execution> | null; decisions: Rows<Decision> | null } = {
  summary: null,
  executions: null,
  decisions: null,
};

// One message per failing source (strategies, summary, …), shown together; a source's success
// clears its own.
const errors = new Map<string, string>();
function setError(source: string, message: string | null): void {
  if (message === null) errors.delete(source);
  else errors.set(source, message);
  ui.error.hidden = errors.size === 0;
  ui.error.textContent = [...errors.values()].join(' · ');
}

function describe(e: unknown): string {
  return e instanceof ApiError ? e.message : `unexpected failure: ${(e as Error).message}`;
}

function setStatus(next: PageStatus): void {
  status = next;
  ui.page.dataset.state = next;
}

function setLive(on: boolean): void {
  polling = on;
  ui.live.dataset.state = on ? 'on' : 'off';
  ui.live.title = on ? `refreshed every ${POLL_MS / 1000} s while the day is today in New York` : 'a past day does not change';
}

// The pickers and the URL follow the selection. A day that is not a date cannot be shown by the
// date input (it stays empty); it is still what the page asked the API for.
function showSelection(): void {
  const today = newYorkDay();
  ui.day.max = today;
  ui.day.value = DAY_RE.test(sel.day) ? sel.day : '';
  if (sel.strategy !== '' && !strategies.some((s) => s.name === sel.strategy)) {
    // A strategy the catalog does not list (a link from before it was removed): kept as chosen,
    // and the API's answer says what it makes of it.
    ui.strategy.append(Object.assign(document.createElement('option'), { value: sel.strategy, textContent: sel.strategy }));
  }
  ui.strategy.value = sel.strategy;
  history.replaceState(null, '', location.pathname + selectionQuery(sel));
  document.title = `Trading ${sel.day}${sel.strategy ? ` · ${sel.strategy}` : ''} · Torghut`;
}

function showStrategies(): void {
  ui.strategy.replaceChildren(
    Object.assign(document.createElement('option'), { value: '', textContent: 'all' }),
    ...strategies.map((s) =>
      Object.assign(document.createElement('option'), {
        value: s.name,
        textContent: s.enabled ? s.name : `${s.name} (disabled)`,
        title: `${s.type}, ${s.base_timeframe}: ${s.description}`,
      }),
    ),
  );
}

// Draws what `last` holds; a source with no answer yet draws blank.
function render(): void {
  const { summary, executions, decisions } = last;
  const interval = summary?.interval ?? executions?.interval ?? decisions?.interval ?? null;
  ui.interval.textContent = interval ? `UTC ${interval.startUtc} – ${interval.endUtc}` : '';
  ui.interval.dataset.start = interval?.startUtc ?? '';
  ui.interval.dataset.end = interval?.endUtc ?? '';
  cards.render(summary);
  diagnostics.render(summary);
  const warnings = summary?.realizedPnl.warnings ?? [];
  ui.warnings.hidden = warnings.length === 0;
  ui.warnings.textContent = warnings.length ? `P&L warnings: ${warnings.join(' · ')}` : '';
  const account = summary?.equity.available ? summary.equity.byAccount[0] : undefined;
  $('equity-label').textContent = account ? `(${account.alpacaAccountLabel})` : '';
  equityChart.set(
    toPoints((account?.series ?? []).map((p) => ({ ts: p.ts, value: p.equity }))),
    summary ? 'No equity snapshots in this day.' : '–',
  );
  pnlChart.set(
    toPoints((summary?.realizedPnl.series ?? []).map((p) => ({ ts: p.ts, value: p.realizedPnl }))),
    summary ? 'No round trip closed in this day.' : '–',
  );
  fillsTable.render(executions ? fillsOf(executions.items) : null, executions?.items.length ?? 0, 'No fills in this day.');
  decisionsTable.render(decisions?.items ?? null, decisions?.items.length ?? 0, 'No decisions in this day.');
}

// The page's state after an answer: an error while any source fails; otherwise no-data for a day
// without decisions and fills, ready for one with them.
function settle(): void {
  if (errors.has('summary') || errors.has('executions') || errors.has('decisions')) {
    setStatus('error');
  } else if (last.executions && last.decisions) {
    const empty = fillsOf(last.executions.items).length === 0 && last.decisions.items.length === 0;
    setStatus(empty ? 'no-data' : 'ready');
  }
  ui.nodata.hidden = status !== 'no-data';
  if (status === 'no-data') {
    const who = sel.strategy ? `for ${sel.strategy} ` : '';
    ui.nodata.textContent = `No trading ${who}on ${sel.day} (America/New_York): no decisions and no fills.`;
  }
}

// Reads the selection's three answers together; each one that arrives replaces its part.
async function loadOnce(mine: number, signal: AbortSignal): Promise<void> {
  const asked = { ...sel };
  const [summary, executions, decisions] = await Promise.allSettled([
    fetchSummary(asked, signal),
    fetchExecutions(asked, signal),
    fetchDecisions(asked, signal),
  ]);
  if (mine !== generation) return;
  const take = <T>(source: Source, r: PromiseSettledResult<T>, keep: (value: T) => void) => {
    if (r.status === 'fulfilled') keep(r.value);
    setError(source, r.status === 'fulfilled' ? null : describe(r.reason));
  };
  take('summary', summary, (v) => (last.summary = v));
  take('executions', executions, (v) => (last.executions = v));
  take('decisions', decisions, (v) => (last.decisions = v));
  loads++;
  render();
  settle();
}

// The first read of a selection, then one every POLL_MS while its day is today in New York.
async function follow(mine: number): Promise<void> {
  const controller = new AbortController();
  inflight = controller;
  for (;;) {
    await loadOnce(mine, controller.signal);
    if (mine !== generation) return;
    const live = isToday(sel.day);
    setLive(live);
    if (!live) return;
    await new Promise((r) => setTimeout(r, POLL_MS));
    if (mine !== generation) return;
  }
}

function select(next: Partial<Selection>): void {
  sel = { ...sel, ...next };
  showSelection();
  const mine = ++generation;
  inflight?.abort();
  last = { summary: null, executions: null, decisions: null };
  loads = 0;
  setLive(false);
  setStatus('loading');
  ui.nodata.hidden = true;
  render();
  void follow(mine);
}

function wireControls(): void {
  ui.day.addEventListener('change', () => {
    // A cleared input chooses nothing; the page keeps its day.
    if (ui.day.value !== '' && ui.day.value !== sel.day) select({ day: ui.day.value });
  });
  ui.strategy.addEventListener('change', () => select({ strategy: ui.strategy.value }));
}

// What the page shows, for tests and the browser console.
declare global {
  interface Window {
    torghutTrading: {
      state(): {
        status: PageStatus;
        day: string;
        strategy: string;
        live: boolean;
        loads: number;
        errors: string[];
        interval: { startUtc: string; endUtc: string } | null;
        cards: CardTexts;
        fills: number;
        decisions: number;
      };
      points(name: 'equity' | 'pnl'): Point[];
    };
  }
}

window.torghutTrading = {
  state: () => ({
    status,
    day: sel.day,
    strategy: sel.strategy,
    live: polling,
    loads,
    errors: [...errors.values()],
    interval: ui.interval.dataset.start ? { startUtc: ui.interval.dataset.start, endUtc: ui.interval.dataset.end ?? '' } : null,
    cards: cards.texts(),
    fills: fillsTable.rows(),
    decisions: decisionsTable.rows(),
  }),
  points: (name) => (name === 'equity' ? equityChart : pnlChart).points(),
};

async function start(): Promise<void> {
  try {
    strategies = await fetchStrategies();
    setError('strategies', null);
  } catch (e) {
    setError('strategies', describe(e));
  }
  showStrategies();
  wireControls();
  select({});
}

void start();
