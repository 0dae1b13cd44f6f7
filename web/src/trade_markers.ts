// The strategies' decisions and fills on the candles (SPEC §8 markers): read from
// /api/torghut/trading/markers, placed on the candle that holds them at the chart's resolution,
// and drawn by a series primitive over the candle series.
//
// A decision is a triangle at its bar (the candle holding the end of the evaluated bar): pointing
// up below the candle for a buy, down above it for a sell; solid when it was acted upon, hollow
// when it was rejected (risk or the LLM). A fill is a dot at its price on the candle of its time.
// Several at one candle are stacked outwards from it. What a marker stands for (side, qty,
// strategy, status, reasons, price) is listed for the hover tip.
import type { ISeriesApi, ISeriesPrimitive, IPrimitivePaneRenderer, IPrimitivePaneView, SeriesAttachedParameter, Time, UTCTimestamp } from 'lightweight-charts';
import { getJson } from './http';

export interface MarkerDecision {
  id: string;
  strategy_id: string;
  timeframe: string;
  event_ts: string | null;
  created_at: string | null;
  action: 'buy' | 'sell';
  qty: string;
  order_type: string;
  limit_price: string | null;
  reference_price: string | null;
  status: string;
  risk_reasons: string[];
  rationale: string;
  client_order_id: string;
}

export interface MarkerFill {
  id: string;
  client_order_id: string;
  decision_id: string | null;
  strategy_id: string;
  side: 'buy' | 'sell';
  qty: string;
  price: string;
  filled_at: string | null;
}

export interface MarkersResponse {
  ok: true;
  symbol: string;
  decisions: MarkerDecision[];
  fills: MarkerFill[];
  truncated: boolean;
}

export function fetchMarkers(symbol: string, fromMs: number, toMs: number, signal?: AbortSignal) {
  const p = new URLSearchParams({ symbol, from: String(Math.floor(fromMs)), to: String(Math.floor(toMs)), limit: '5000' });
  return getJson<MarkersResponse>(`/api/torghut/trading/markers?${p}`, `trade markers for ${symbol}`, signal);
}

// One marker as drawn: `time` is the candle's (s), `price` only for fills.
export interface ChartMarker {
  id: string;
  kind: 'decision' | 'fill';
  side: 'buy' | 'sell';
  hollow: boolean;
  time: number;
  price: number | null;
  status: string;
  lines: string[]; // the hover tip's text, one line per fact
}

// Decisions that did not become an order: drawn hollow.
const NOT_ACTED = new Set(['rejected']);

function bucket(ms: number, widthMs: number): number {
  return (Math.floor(ms / widthMs) * widthMs) / 1000;
}

// The markers of an answer at a resolution of `widthMs`. A decision's event_ts is the end of its
// bar (exclusive), so it sits on the candle holding the bar's last millisecond; a fill on the
// candle holding its time.
export function chartMarkers(r: MarkersResponse, widthMs: number): ChartMarker[] {
  const out: ChartMarker[] = [];
  for (const d of r.decisions) {
    if (!d.event_ts) continue;
    const reasons = d.risk_reasons.length ? [`reasons: ${d.risk_reasons.join(', ')}`] : [];
    out.push({
      id: d.id,
      kind: 'decision',
      side: d.action,
      hollow: NOT_ACTED.has(d.status),
      time: bucket(Date.parse(d.event_ts) - 1, widthMs),
      price: null,
      status: d.status,
      lines: [
        `${d.action.toUpperCase()} ${d.qty} · ${d.strategy_id} · ${d.status}`,
        ...reasons,
        ...(d.rationale ? [d.rationale] : []),
      ],
    });
  }
  for (const f of r.fills) {
    if (!f.filled_at) continue;
    out.push({
      id: f.id,
      kind: 'fill',
      side: f.side,
      hollow: false,
      time: bucket(Date.parse(f.filled_at), widthMs),
      price: Number(f.price),
      status: 'filled',
      lines: [`fill ${f.side} ${f.qty} @ ${f.price} · ${f.strategy_id}`],
    });
  }
  return out;
}

const COLOURS = { buy: '#1a7f37', sell: '#cf222e' };
const SIZE = 7; // half a triangle's width, px
const GAP = 6; // between a candle's wick and its first marker, px

// Where a marker is on screen (media px), for drawing, hit testing and tests.
export interface PlacedMarker extends ChartMarker {
  x: number;
  y: number;
}

type CandleLookup = (time: number) => { high: number; low: number } | undefined;
type RenderTarget = Parameters<IPrimitivePaneRenderer['draw']>[0];

export class TradeMarkersPrimitive implements ISeriesPrimitive<Time> {
  private markers: ChartMarker[] = [];
  private series: ISeriesApi<'Candlestick'> | null = null;
  private chart: SeriesAttachedParameter<Time>['chart'] | null = null;
  private requestUpdate: (() => void) | null = null;
  private readonly views: readonly IPrimitivePaneView[];

  constructor(private readonly candleAt: CandleLookup) {
    const renderer: IPrimitivePaneRenderer = { draw: (target) => this.draw(target) };
    this.views = [{ renderer: () => renderer, zOrder: () => 'top' }];
  }

  attached(p: SeriesAttachedParameter<Time>): void {
    this.series = p.series as ISeriesApi<'Candlestick'>;
    this.chart = p.chart;
    this.requestUpdate = p.requestUpdate;
  }

  detached(): void {
    this.series = this.chart = this.requestUpdate = null;
  }

  paneViews(): readonly IPrimitivePaneView[] {
    return this.views;
  }

  set(markers: ChartMarker[]): void {
    this.markers = markers;
    this.requestUpdate?.();
  }

  at(time: number): ChartMarker[] {
    return this.markers.filter((m) => m.time === time);
  }

  // Every marker whose candle is drawn, with its position now. Decisions stack away from their
  // candle (buys below the low, sells above the high) in the order given.
  placed(): PlacedMarker[] {
    if (!this.series || !this.chart) return [];
    const out: PlacedMarker[] = [];
    const stacked = new Map<string, number>();
    for (const m of this.markers) {
      const candle = this.candleAt(m.time);
      if (!candle) continue;
      const x = this.chart.timeScale().timeToCoordinate(m.time as UTCTimestamp);
      if (x === null) continue;
      let y: number | null;
      if (m.kind === 'fill') {
        y = this.series.priceToCoordinate(m.price!);
      } else {
        const key = `${m.time}:${m.side}`;
        const n = stacked.get(key) ?? 0;
        stacked.set(key, n + 1);
        const edge = this.series.priceToCoordinate(m.side === 'buy' ? candle.low : candle.high);
        const offset = GAP + SIZE + n * (2 * SIZE + 3);
        y = edge === null ? null : m.side === 'buy' ? edge + offset : edge - offset;
      }
      if (y === null) continue;
      out.push({ ...m, x, y });
    }
    return out;
  }

  private draw(target: RenderTarget): void {
    const placed = this.placed();
    target.useMediaCoordinateSpace(({ context: ctx }) => {
      for (const m of placed) {
        ctx.beginPath();
        if (m.kind === 'fill') {
          ctx.arc(m.x, m.y, 5, 0, 2 * Math.PI);
        } else {
          const dir = m.side === 'buy' ? -1 : 1; // the apex points at the candle
          ctx.moveTo(m.x, m.y + dir * SIZE);
          ctx.lineTo(m.x - SIZE, m.y - dir * SIZE);
          ctx.lineTo(m.x + SIZE, m.y - dir * SIZE);
          ctx.closePath();
        }
        // A fill's dot is ringed in dark over white so it shows on a candle of its own colour.
        ctx.fillStyle = m.hollow ? '#ffffff' : COLOURS[m.side];
        ctx.fill();
        if (m.kind === 'fill') {
          ctx.lineWidth = 3;
          ctx.strokeStyle = '#ffffff';
          ctx.stroke();
        }
        ctx.lineWidth = m.kind === 'fill' ? 1.5 : 2;
        ctx.strokeStyle = m.kind === 'fill' ? '#1f2d3d' : COLOURS[m.side];
        ctx.stroke();
      }
    });
  }
}
