// /torghut/visuals (and /torghut/charts): the TA view of one symbol (SPEC §8). The page loads a
// window of candles and signals for the chosen range and resolution, follows the live stream,
// polls /latest for the lag pill, and says so plainly when a symbol has no data or the API fails.
// Where a trading store is present, the strategies' decisions and fills are markers on the candles
// (trade_markers.ts), refreshed while the window is live.
import './style.css';
import { ApiError, fetchBars, fetchLatest, fetchSignals, fetchSymbols, streamUrl, type BarRow, type Resolution, type SignalRow, type WindowQuery } from './api';
import { TaChart, type ChartSnapshot, type SignalField } from './ta_chart';
import { chartMarkers, fetchMarkers, type PlacedMarker } from './trade_markers';
import {
  INDICATORS,
  MAX_ITEMS,
  RANGES,
  effectiveResolution,
  formatLag,
  lagLevel,
  parseViewState,
  resolutionMs,
  viewStateQuery,
  type Indicator,
  type RangeName,
  type ViewState,
} from './view_state';

const LAG_POLL_MS = 2000;
// Coarser than 1 s, live rows trigger a re-read of the newest buckets (aggregated by the store)
// at most this often.
const TAIL_REFRESH_MS = 1000;
const MARKERS_POLL_MS = 3000;

type ChartStatus = 'loading' | 'ready' | 'no-data' | 'error';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  symbol: $<HTMLInputElement>('symbol'),
  symbols: $<HTMLDataListElement>('symbols'),
  range: $<HTMLSelectElement>('range'),
  resolution: $<HTMLSelectElement>('resolution'),
  toggles: [...document.querySelectorAll<HTMLInputElement>('#toggles input[data-indicator]')],
  lag: $<HTMLSpanElement>('lag'),
  live: $<HTMLSpanElement>('live'),
  error: $<HTMLDivElement>('error'),
  notice: $<HTMLDivElement>('notice'),
  chart: $<HTMLDivElement>('chart'),
  nodata: $<HTMLDivElement>('nodata'),
};

const chart = new TaChart(ui.chart, $<HTMLDivElement>('legend'), $<HTMLDivElement>('marker-tip'));
let view: ViewState; // set by start(), before anything is drawn
let status: ChartStatus = 'loading';
let generation = 0; // bumps on every new window; answers for an older one are dropped
let inflight: AbortController | null = null;
let stream: EventSource | null = null;
let liveEvents = 0;
let lagMs: number | null = null;
let tailTimer: number | null = null;
let lastTailRefresh = 0;
let lastQuery: WindowQuery | null = null;
// false once the server said it has no trading store: no markers, and no error for it.
let markersAvailable = true;
let markerLoads = 0;

// One message per failing source (bars, latest, …), shown together; a source's success clears it.
const errors = new Map<string, string>();
function setError(source: string, message: string | null): void {
  if (message === null) errors.delete(source);
  else errors.set(source, message);
  ui.error.hidden = errors.size === 0;
  ui.error.textContent = [...errors.values()].join(' · ');
}

function setStatus(next: ChartStatus, nodata = ''): void {
  status = next;
  ui.chart.dataset.state = next;
  ui.nodata.hidden = next !== 'no-data';
  ui.nodata.textContent = nodata;
}

function showView(): void {
  ui.symbol.value = view.symbol;
  ui.range.value = view.range;
  ui.resolution.value = view.resolution;
  for (const t of ui.toggles) t.checked = view.shown.has(t.dataset.indicator as Indicator);
  history.replaceState(null, '', location.pathname + viewStateQuery(view));
  document.title = `${view.symbol} · Torghut`;
}

function describe(e: unknown): string {
  return e instanceof ApiError ? e.message : `unexpected failure: ${(e as Error).message}`;
}

async function loadWindow(): Promise<void> {
  const mine = ++generation;
  inflight?.abort();
  inflight = new AbortController();
  closeStream();
  setStatus('loading');
  ui.notice.hidden = true;
  // Nothing of the previous view's lag stays on screen.
  setError('latest', null);
  showLag(null);
  const resolution = effectiveResolution(view);
  // The range ends with the bucket in progress, so the window holds the newest candle; with `at`,
  // it is centred there unless that would reach past now.
  const nowEnd = bucketEnd(Date.now(), resolution);
  const toMs = view.at === null ? nowEnd : Math.min(nowEnd, bucketEnd(view.at + RANGES[view.range] / 2, resolution));
  const live = toMs === nowEnd;
  const q: WindowQuery = {
    symbol: view.symbol,
    fromMs: wholeBucketsFrom(toMs - RANGES[view.range], resolution),
    toMs,
    resolution,
    limit: MAX_ITEMS,
  };
  lastQuery = q;
  let bars, signals;
  try {
    [bars, signals] = await Promise.all([fetchBars(q, inflight.signal), fetchSignals(q, inflight.signal)]);
  } catch (e) {
    if (mine !== generation) return;
    setError('window', describe(e));
    chart.setWindow([], []);
    setStatus('error');
    return;
  }
  if (mine !== generation) return;
  setError('window', null);
  chart.setWindow(bars.items, signals.items);
  chart.fit();
  if (bars.items.length === 0) {
    setStatus('no-data', `No data for ${view.symbol}: the store has no bars for it in the last ${view.range} or before.`);
  } else {
    setStatus('ready');
    if (bars.range.fallback) {
      ui.notice.hidden = false;
      ui.notice.textContent = `Nothing in the last ${view.range}; showing the ${view.range} up to the newest data (${bars.range.effective.to}).`;
    }
  }
  const effective = bars.range.effective;
  void pollMarkers(mine, Date.parse(effective.from), Date.parse(effective.to) + 1, resolution, live);
  if (live) openStream(mine);
  void pollLag(mine);
}

// The window's markers, then again every few seconds while the window is live (a new decision's
// bar is in the window's newest seconds). `toMs` is exclusive.
async function pollMarkers(mine: number, fromMs: number, toMs: number, resolution: Resolution, live: boolean): Promise<void> {
  chart.setMarkers([]);
  while (mine === generation && markersAvailable) {
    const end = live ? Math.max(toMs, bucketEnd(Date.now(), resolution)) : toMs;
    try {
      const r = await fetchMarkers(view.symbol, fromMs, end);
      if (mine !== generation) return;
      setError('markers', null);
      chart.setMarkers(chartMarkers(r, resolutionMs(resolution)));
      markerLoads++;
    } catch (e) {
      if (mine !== generation) return;
      if (e instanceof ApiError && e.disabled) {
        markersAvailable = false;
        setError('markers', null);
        return;
      }
      setError('markers', describe(e));
    }
    if (!live) return;
    await new Promise((r) => setTimeout(r, MARKERS_POLL_MS));
  }
}

// The API selects 1 s bars by their end time (inclusive; a bar's event time is the end of its
// second) and aggregates them into buckets by start time. Asking from 1 ms after a bucket boundary
// gives whole buckets only: the bar that ends exactly on the boundary belongs to the bucket before,
// and would come back as a partial candle.
function wholeBucketsFrom(ms: number, resolution: Resolution): number {
  const width = resolutionMs(resolution);
  return Math.floor(ms / width) * width + 1;
}

// The end of the bucket that holds `ms`, the inclusive end of a window that reaches `ms`. The bar
// of the second in progress ends after now: a window that stopped at now would leave out the
// newest candle and, in a symbol's first second of data, every candle — the page would say "no
// data" and load the window again on the stream's first row.
function bucketEnd(ms: number, resolution: Resolution): number {
  const width = resolutionMs(resolution);
  return Math.floor(ms / width) * width + width;
}

function closeStream(): void {
  stream?.close();
  stream = null;
  ui.live.dataset.state = 'off';
  if (tailTimer !== null) clearTimeout(tailTimer);
  tailTimer = null;
}

function openStream(mine: number): void {
  const s = new EventSource(streamUrl(view.symbol));
  stream = s;
  s.onopen = () => {
    if (mine === generation) ui.live.dataset.state = 'on';
  };
  // The browser reconnects by itself; the badge says so meanwhile.
  s.onerror = () => {
    if (mine === generation) ui.live.dataset.state = s.readyState === EventSource.CLOSED ? 'off' : 'reconnecting';
  };
  const onRow = (kind: 'bar' | 'signal') => (ev: MessageEvent<string>) => {
    if (mine !== generation) return;
    liveEvents++;
    if (status === 'no-data') {
      void loadWindow(); // the symbol's first data: load it as a window
      return;
    }
    if (status !== 'ready') return;
    if (effectiveResolution(view) === '1s') {
      const row = JSON.parse(ev.data);
      if (kind === 'bar') chart.applyBars([row as BarRow]);
      else chart.applySignals([row as SignalRow]);
    } else {
      scheduleTailRefresh(mine);
    }
  };
  s.addEventListener('bar', onRow('bar'));
  s.addEventListener('signal', onRow('signal'));
}

// Re-reads the newest two buckets at the view's resolution (the store aggregates them).
function scheduleTailRefresh(mine: number): void {
  if (tailTimer !== null) return;
  const wait = Math.max(0, lastTailRefresh + TAIL_REFRESH_MS - Date.now());
  tailTimer = window.setTimeout(async () => {
    tailTimer = null;
    lastTailRefresh = Date.now();
    const last = chart.lastCandleTime();
    if (last === null || !lastQuery || mine !== generation) return;
    const fromMs = wholeBucketsFrom(last * 1000 - resolutionMs(lastQuery.resolution), lastQuery.resolution);
    const q: WindowQuery = { ...lastQuery, fromMs, toMs: bucketEnd(Date.now(), lastQuery.resolution) };
    try {
      const [bars, signals] = await Promise.all([fetchBars(q), fetchSignals(q)]);
      if (mine !== generation) return;
      setError('window', null);
      chart.applyBars(bars.items);
      chart.applySignals(signals.items);
    } catch (e) {
      if (mine === generation) setError('window', describe(e));
    }
  }, wait);
}

async function pollLag(mine: number): Promise<void> {
  while (mine === generation) {
    try {
      const latest = await fetchLatest(view.symbol);
      if (mine !== generation) return;
      setError('latest', null);
      showLag(latest.bars ? latest.lag_ms : null);
    } catch (e) {
      if (mine !== generation) return;
      setError('latest', describe(e));
      showLag(null);
    }
    await new Promise((r) => setTimeout(r, LAG_POLL_MS));
  }
}

function showLag(ms: number | null): void {
  lagMs = ms;
  ui.lag.dataset.level = lagLevel(ms);
  ui.lag.dataset.lagMs = ms === null ? '' : String(ms);
  ui.lag.textContent = formatLag(ms);
}

function wireControls(): void {
  ui.symbol.addEventListener('change', () => {
    view.symbol = ui.symbol.value.trim().toUpperCase();
    view.at = null; // a moment of one symbol's trading: not another's
    showView();
    void loadWindow();
  });
  ui.range.addEventListener('change', () => {
    view.range = ui.range.value as RangeName;
    showView();
    void loadWindow();
  });
  ui.resolution.addEventListener('change', () => {
    view.resolution = ui.resolution.value as ViewState['resolution'];
    showView();
    void loadWindow();
  });
  for (const t of ui.toggles) {
    t.addEventListener('change', () => {
      const indicator = t.dataset.indicator as Indicator;
      if (t.checked) view.shown.add(indicator);
      else view.shown.delete(indicator);
      chart.setShown(indicator, t.checked);
      showView();
    });
  }
}

// What the page shows, for tests and the browser console.
declare global {
  interface Window {
    torghutVisuals: {
      state(): {
        // null until the symbol list has answered and the view is read from the address.
        view: { symbol: string; range: string; resolution: string; shown: string[]; at: number | null } | null;
        status: ChartStatus;
        errors: string[];
        lagMs: number | null;
        liveEvents: number;
        chart: ChartSnapshot;
        markerLoads: number;
      };
      points(name: 'candles' | SignalField): { time: number; [k: string]: number }[];
      // The trade markers as drawn now: candle time, kind, side, hollow, and x/y in the chart (px).
      markers(): PlacedMarker[];
    };
  }
}

window.torghutVisuals = {
  state: () => ({
    // (A test may ask while the page is still starting: a snapshot never throws.)
    view:
      (view as ViewState | undefined) === undefined
        ? null
        : { symbol: view.symbol, range: view.range, resolution: effectiveResolution(view), shown: INDICATORS.filter((i) => view.shown.has(i)), at: view.at },
    status,
    errors: [...errors.values()],
    lagMs,
    liveEvents,
    chart: chart.snapshot(),
    markerLoads,
  }),
  points: (name) => chart.points(name),
  markers: () => chart.placedMarkers(),
};

async function start(): Promise<void> {
  let symbols: string[] = [];
  try {
    symbols = await fetchSymbols();
    setError('symbols', null);
  } catch (e) {
    setError('symbols', describe(e));
  }
  ui.symbols.replaceChildren(...symbols.map((s) => Object.assign(document.createElement('option'), { value: s })));
  view = parseViewState(location.search, symbols[0] ?? 'AAPL');
  for (const indicator of view.shown) chart.setShown(indicator, true);
  showView();
  wireControls();
  await loadWindow();
}

void start();
