// The chart of one symbol: candles with EMA 12/26, Bollinger and VWAP overlays in the main pane,
// and MACD and RSI in panes of their own below it. Rows arrive as the API gives them (a window
// from /bars and /signals, then single rows from the live stream, possibly a newer version of a
// row already shown); the chart keeps one row per candle time and redraws only what changed.
import {
  CandlestickSeries,
  ColorType,
  HistogramSeries,
  LineSeries,
  createChart,
  type IChartApi,
  type ISeriesApi,
  type SeriesType,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { BarRow, SignalRow } from './api';
import { TradeMarkersPrimitive, type ChartMarker, type PlacedMarker } from './trade_markers';
import type { Indicator } from './view_state';

export type SignalField = 'ema12' | 'ema26' | 'boll_upper' | 'boll_mid' | 'boll_lower' | 'vwap_session' | 'macd' | 'macd_signal' | 'macd_hist' | 'rsi14';

interface LineSpec {
  field: SignalField;
  title: string;
  color: string;
  kind: 'line' | 'histogram';
  width?: 1 | 2;
}

// What each toggle draws, and where: `pane: 'main'` over the candles, `'own'` in a pane below.
const INDICATOR_SERIES: Record<Indicator, { pane: 'main' | 'own'; lines: LineSpec[] }> = {
  ema: {
    pane: 'main',
    lines: [
      { field: 'ema12', title: 'EMA 12', color: '#f5a623', kind: 'line', width: 2 },
      { field: 'ema26', title: 'EMA 26', color: '#8e44ad', kind: 'line', width: 2 },
    ],
  },
  bollinger: {
    pane: 'main',
    lines: [
      { field: 'boll_upper', title: 'BB upper', color: '#3498db', kind: 'line', width: 1 },
      { field: 'boll_mid', title: 'BB mid', color: '#95a5a6', kind: 'line', width: 1 },
      { field: 'boll_lower', title: 'BB lower', color: '#3498db', kind: 'line', width: 1 },
    ],
  },
  vwap: { pane: 'main', lines: [{ field: 'vwap_session', title: 'VWAP', color: '#e84393', kind: 'line', width: 2 }] },
  macd: {
    pane: 'own',
    lines: [
      { field: 'macd_hist', title: 'hist', color: '#7f8c8d', kind: 'histogram' },
      { field: 'macd', title: 'MACD', color: '#2980b9', kind: 'line', width: 2 },
      { field: 'macd_signal', title: 'signal', color: '#e67e22', kind: 'line', width: 1 },
    ],
  },
  rsi: { pane: 'own', lines: [{ field: 'rsi14', title: 'RSI 14', color: '#16a085', kind: 'line', width: 2 }] },
};

// A snapshot of what is drawn, for tests and the browser console (window.torghutVisuals).
export interface ChartSnapshot {
  candles: number;
  lastCandle: { time: number; o: number; h: number; l: number; c: number } | null;
  panes: number;
  // Per drawn signal field: how many points, and the last one.
  series: Record<string, { points: number; last: { time: number; value: number } | null }>;
}

const NEW_YORK = 'America/New_York';
const timeOfDay = new Intl.DateTimeFormat('en-US', { timeZone: NEW_YORK, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const dayAndTime = new Intl.DateTimeFormat('en-US', { timeZone: NEW_YORK, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const dayOnly = new Intl.DateTimeFormat('en-US', { timeZone: NEW_YORK, month: 'short', day: 'numeric' });

// Prices and indicator values: 2 decimals at least, up to 4 for small magnitudes (MACD, spreads).
function fmt(v: number): string {
  return v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: Math.abs(v) < 10 ? 4 : 2 });
}

function toTime(iso: string): UTCTimestamp {
  return Math.floor(Date.parse(iso) / 1000) as UTCTimestamp;
}

export class TaChart {
  private readonly chart: IChartApi;
  private readonly candles: ISeriesApi<'Candlestick'>;
  private readonly bars = new Map<number, BarRow>();
  private readonly signals = new Map<number, SignalRow>();
  private lastBarTime = -Infinity;
  // Per shown indicator, its series and the time of each one's newest point.
  private readonly drawn = new Map<Indicator, { field: SignalField; series: ISeriesApi<SeriesType>; last: number }[]>();

  // The time under the crosshair, or null: the legend then shows the newest candle.
  private hovered: number | null = null;
  private readonly markers = new TradeMarkersPrimitive((t) => {
    const b = this.bars.get(t);
    return b ? { high: b.h, low: b.l } : undefined;
  });

  constructor(
    container: HTMLElement,
    private readonly legend: HTMLElement,
    private readonly tip: HTMLElement,
  ) {
    this.chart = createChart(container, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: '#ffffff' }, textColor: '#1f2d3d', panes: { separatorColor: '#d0d7de' } },
      grid: { vertLines: { color: '#f0f2f4' }, horzLines: { color: '#f0f2f4' } },
      // Times are shown in the exchange's zone (the market day is New York's).
      localization: { timeFormatter: (t: Time) => dayAndTime.format(new Date((t as number) * 1000)) },
      timeScale: {
        timeVisible: true,
        secondsVisible: true,
        tickMarkFormatter: (t: Time, kind: number) =>
          (kind <= 2 ? dayOnly : timeOfDay).format(new Date((t as number) * 1000)),
      },
    });
    this.candles = this.chart.addSeries(CandlestickSeries, {
      upColor: '#26a69a',
      downColor: '#ef5350',
      borderVisible: false,
      wickUpColor: '#26a69a',
      wickDownColor: '#ef5350',
    });
    this.candles.attachPrimitive(this.markers);
    this.chart.subscribeCrosshairMove((p) => {
      this.hovered = p.time === undefined ? null : (p.time as number);
      this.renderLegend();
      this.renderTip(p.point ?? null);
    });
  }

  // The trade markers to draw (replacing those shown), their times already candle times.
  setMarkers(markers: ChartMarker[]): void {
    this.markers.set(markers);
  }

  // The markers as placed on screen now (media px relative to the chart), for tests.
  placedMarkers(): PlacedMarker[] {
    return this.markers.placed();
  }

  // The hovered candle's markers, listed beside the cursor: what each decision or fill was and
  // why (a rejection's reasons). Hidden over a candle without any.
  private renderTip(point: { x: number; y: number } | null): void {
    const shown = this.hovered === null || point === null ? [] : this.markers.at(this.hovered);
    if (shown.length === 0) {
      this.tip.hidden = true;
      delete this.tip.dataset.time;
      return;
    }
    this.tip.replaceChildren(
      ...shown.map((m) => {
        const row = document.createElement('div');
        row.className = `tip-${m.kind}`;
        row.dataset.side = m.side;
        row.dataset.hollow = String(m.hollow);
        row.textContent = m.lines.join('\n');
        return row;
      }),
    );
    this.tip.dataset.time = String(this.hovered);
    this.tip.hidden = false;
    // Beside the cursor, on the side with room.
    const width = this.tip.parentElement?.clientWidth ?? 0;
    const left = point!.x > width / 2;
    this.tip.style.left = left ? '' : `${point!.x + 16}px`;
    this.tip.style.right = left ? `${width - point!.x + 16}px` : '';
    this.tip.style.top = `${point!.y + 16}px`;
  }

  // The values at the hovered (or newest) candle: its OHLCV and each shown indicator, from the
  // rows as the API gave them. data-time names the candle.
  private renderLegend(): void {
    const t = this.hovered ?? this.lastCandleTime();
    const bar = t === null ? undefined : this.bars.get(t);
    if (t === null || !bar) {
      this.legend.hidden = true;
      return;
    }
    const parts: string[] = [
      dayAndTime.format(new Date(t * 1000)),
      `O ${fmt(bar.o)}`,
      `H ${fmt(bar.h)}`,
      `L ${fmt(bar.l)}`,
      `C ${fmt(bar.c)}`,
      `V ${bar.v}`,
    ];
    const sig = this.signals.get(t);
    for (const [indicator, lines] of this.drawn) {
      for (const { field } of lines) {
        const spec = INDICATOR_SERIES[indicator].lines.find((l) => l.field === field)!;
        const value = sig ? sig[field] : null;
        parts.push(`${spec.title} ${value === null ? '–' : fmt(value)}`);
      }
    }
    this.legend.hidden = false;
    this.legend.dataset.time = String(t);
    this.legend.textContent = parts.join('   ');
  }

  // Replaces everything with a window's rows.
  setWindow(bars: BarRow[], signals: SignalRow[]): void {
    this.bars.clear();
    this.signals.clear();
    for (const b of bars) this.bars.set(toTime(b.window_start), b);
    for (const s of signals) this.signals.set(toTime(s.window_start), s);
    this.redrawCandles();
    for (const indicator of this.drawn.keys()) this.redrawIndicator(indicator);
    this.renderLegend();
  }

  // Rows from the live stream or a refreshed tail: new candles, or newer versions of shown ones.
  // A newer version of a drawn point is updated in place and a new newest point appended; only a
  // point that appears before the newest one makes the series be drawn again.
  applyBars(rows: BarRow[]): void {
    let redraw = false;
    for (const row of rows) {
      const t = toTime(row.window_start);
      const old = this.bars.get(t);
      if (old && old.version >= row.version) continue;  // already shown, or an older version late
      const last = this.lastBarTime;
      this.bars.set(t, row);
      if (redraw) continue;
      if (old) this.candles.update(this.candle(t, row), t < last);
      else if (t > last) {
        this.candles.update(this.candle(t, row));
        this.lastBarTime = t;
      } else redraw = true;
    }
    if (redraw) this.redrawCandles();
    this.renderLegend();
  }

  applySignals(rows: SignalRow[]): void {
    const redraw = new Set<Indicator>();
    for (const row of rows) {
      const t = toTime(row.window_start);
      const old = this.signals.get(t);
      if (old && old.version >= row.version) continue;
      this.signals.set(t, row);
      for (const [indicator, lines] of this.drawn) {
        if (redraw.has(indicator)) continue;
        for (const line of lines) {
          const value = row[line.field];
          const drawnBefore = old !== undefined && old[line.field] !== null;
          if (value === null) {
            if (drawnBefore) redraw.add(indicator);  // a value withdrawn: rare, redraw
          } else if (drawnBefore) {
            line.series.update({ time: t as UTCTimestamp, value }, t < line.last);
          } else if (t > line.last) {
            line.series.update({ time: t as UTCTimestamp, value });
            line.last = t;
          } else {
            redraw.add(indicator);
          }
        }
      }
    }
    for (const indicator of redraw) this.redrawIndicator(indicator);
    this.renderLegend();
  }

  setShown(indicator: Indicator, shown: boolean): void {
    const present = this.drawn.has(indicator);
    if (shown === present) return;
    if (!shown) {
      // Removing a pane's last series removes the pane.
      for (const { series } of this.drawn.get(indicator)!) this.chart.removeSeries(series);
      this.drawn.delete(indicator);
      this.renderLegend();
      return;
    }
    const spec = INDICATOR_SERIES[indicator];
    const pane = spec.pane === 'main' ? 0 : this.chart.panes().length;
    const created = spec.lines.map((line) => {
      const common = { color: line.color, priceLineVisible: false, lastValueVisible: spec.pane === 'own', title: line.title };
      const series =
        line.kind === 'histogram'
          ? this.chart.addSeries(HistogramSeries, common, pane)
          : this.chart.addSeries(LineSeries, { ...common, lineWidth: line.width ?? 1 }, pane);
      return { field: line.field, series: series as ISeriesApi<SeriesType>, last: -Infinity };
    });
    if (indicator === 'rsi') {
      for (const price of [70, 30]) {
        created[0].series.createPriceLine({ price, color: '#b0b7bf', lineWidth: 1, lineStyle: 2, axisLabelVisible: true, title: '' });
      }
    }
    if (spec.pane === 'own') this.chart.panes()[pane]?.setStretchFactor(0.35);
    this.drawn.set(indicator, created);
    this.redrawIndicator(indicator);
    this.renderLegend();
  }

  // Shows the whole window (after a new window is loaded).
  fit(): void {
    this.chart.timeScale().fitContent();
  }

  // The newest candle's time (s), or null when there is none.
  lastCandleTime(): number | null {
    return Number.isFinite(this.lastBarTime) ? this.lastBarTime : null;
  }

  // The points drawn for the candles or one signal field (empty when that field is not shown).
  points(name: 'candles' | SignalField): { time: number; [k: string]: number }[] {
    if (name === 'candles') return this.candles.data().map((d) => ({ ...(d as object) }) as { time: number });
    for (const lines of this.drawn.values()) {
      const line = lines.find((l) => l.field === name);
      if (line) return line.series.data().map((d) => ({ ...(d as object) }) as { time: number });
    }
    return [];
  }

  snapshot(): ChartSnapshot {
    const candles = this.candles.data();
    const last = candles.length ? (candles[candles.length - 1] as { time: number; open: number; high: number; low: number; close: number }) : null;
    const series: ChartSnapshot['series'] = {};
    for (const lines of this.drawn.values()) {
      for (const { field, series: s } of lines) {
        const data = s.data() as readonly { time: Time; value?: number }[];
        const lastPoint = data.length ? data[data.length - 1] : null;
        series[field] = {
          points: data.length,
          last: lastPoint && lastPoint.value !== undefined ? { time: lastPoint.time as number, value: lastPoint.value } : null,
        };
      }
    }
    return {
      candles: candles.length,
      lastCandle: last ? { time: last.time, o: last.open, h: last.high, l: last.low, c: last.close } : null,
      panes: this.chart.panes().length,
      series,
    };
  }

  private candle(t: number, b: BarRow) {
    return { time: t as UTCTimestamp, open: b.o, high: b.h, low: b.l, close: b.c };
  }

  private redrawCandles(): void {
    const times = [...this.bars.keys()].sort((a, b) => a - b);
    this.candles.setData(times.map((t) => this.candle(t, this.bars.get(t)!)));
    this.lastBarTime = times.length ? times[times.length - 1] : -Infinity;
  }

  private redrawIndicator(indicator: Indicator): void {
    const times = [...this.signals.keys()].sort((a, b) => a - b);
    for (const line of this.drawn.get(indicator) ?? []) {
      const points = [];
      for (const t of times) {
        const value = this.signals.get(t)![line.field];
        if (value !== null) points.push({ time: t as UTCTimestamp, value });
      }
      line.series.setData(points);
      line.last = points.length ? points[points.length - 1].time : -Infinity;
    }
  }
}
