// The day's two curves (SPEC §8): the account's equity from its snapshots and the cumulative
// realized P&L, one point per closing fill. Each is a lightweight-charts line in its own panel,
// labelled in New York time as on the visuals page; an empty series shows a message instead of
// an empty grid. The amounts are exact strings in the API; Number() here is only for drawing.
import { ColorType, LineSeries, LineType, createChart, type IChartApi, type ISeriesApi, type Time, type UTCTimestamp } from 'lightweight-charts';
import { nyChartLabel } from './format';

export interface Point {
  time: number; // seconds since the epoch
  value: number;
}

// The chart's time axis is in whole seconds and needs strictly rising times: of the points in one
// second (two snapshots, two fills) the last one stands for that second, as it is the state at
// its end. The API's series are oldest first.
export function toPoints(series: { ts: string; value: string }[]): Point[] {
  const out: Point[] = [];
  for (const { ts, value } of series) {
    const time = Math.floor(Date.parse(ts) / 1000);
    const v = Number(value);
    if (!Number.isFinite(time) || !Number.isFinite(v)) continue;
    if (out.length && out[out.length - 1].time >= time) out[out.length - 1] = { time: out[out.length - 1].time, value: v };
    else out.push({ time, value: v });
  }
  return out;
}

export class LineChart {
  private readonly chart: IChartApi;
  private readonly line: ISeriesApi<'Line'>;
  private key = '';

  constructor(
    container: HTMLElement,
    private readonly empty: HTMLElement,
    color: string,
    stepped: boolean,
  ) {
    this.chart = createChart(container, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: '#ffffff' }, textColor: '#1f2d3d' },
      grid: { vertLines: { color: '#f0f2f4' }, horzLines: { color: '#f0f2f4' } },
      localization: { timeFormatter: (t: Time) => nyChartLabel(t as number, 'full') },
      timeScale: {
        timeVisible: true,
        secondsVisible: true,
        tickMarkFormatter: (t: Time, kind: number) => nyChartLabel(t as number, kind <= 2 ? 'day' : 'time'),
      },
    });
    this.line = this.chart.addSeries(LineSeries, {
      color,
      lineWidth: 2,
      // Realized P&L changes only at a fill: a step from one level to the next.
      lineType: stepped ? LineType.WithSteps : LineType.Simple,
      priceFormat: { type: 'price', precision: 2, minMove: 0.01 },
    });
  }

  // Draws `points` (replacing what was drawn), or the `emptyText` message when there are none,
  // and fits the day's points in view. An unchanged series is left alone, so a live refresh with
  // nothing new keeps the user's zoom.
  set(points: Point[], emptyText: string): void {
    const key = JSON.stringify(points);
    this.empty.textContent = emptyText;
    this.empty.hidden = points.length > 0;
    if (key === this.key) return;
    this.key = key;
    this.line.setData(points.map((p) => ({ time: p.time as UTCTimestamp, value: p.value })));
    if (points.length) this.chart.timeScale().fitContent();
  }

  // What is drawn, for tests and the browser console.
  points(): Point[] {
    return this.line.data().map((d) => ({ time: d.time as number, value: (d as { value: number }).value }));
  }
}
