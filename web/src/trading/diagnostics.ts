// Why the day went as it did (SPEC §8 "diagnostics"): a histogram of the rejection reasons (every
// reason, by count, as /summary lists them) and the LLM reviewer's verdict counts with the state of
// its circuit breaker (closed | open | half_open; "unknown" where the reviewer runs elsewhere).
import type { Summary } from './trading_api';

const VERDICTS = ['approve', 'veto', 'adjust', 'error'] as const;

export class Diagnostics {
  constructor(
    private readonly reasons: HTMLElement,
    private readonly verdicts: HTMLTableElement,
    private readonly circuit: HTMLElement,
  ) {}

  // null: nothing to show (loading, or the summary failed).
  render(s: Summary | null): void {
    this.renderReasons(s?.rejections.topReasons ?? null);
    this.renderLlm(s?.llm ?? null);
  }

  private renderReasons(top: Summary['rejections']['topReasons'] | null): void {
    if (!top || top.length === 0) {
      const p = document.createElement('p');
      p.className = 'muted';
      p.textContent = top ? 'No rejected decisions.' : '–';
      this.reasons.replaceChildren(p);
      return;
    }
    const most = Math.max(...top.map((r) => r.count));
    this.reasons.replaceChildren(
      ...top.map(({ reason, count }) => {
        const line = document.createElement('div');
        line.className = 'bar-row';
        line.dataset.reason = reason;
        line.dataset.count = String(count);
        const name = Object.assign(document.createElement('span'), { className: 'bar-name', textContent: reason });
        const track = Object.assign(document.createElement('span'), { className: 'bar-track' });
        const bar = Object.assign(document.createElement('span'), { className: 'bar' });
        bar.style.width = `${(100 * count) / most}%`;
        track.append(bar);
        const n = Object.assign(document.createElement('span'), { className: 'bar-count', textContent: String(count) });
        line.append(name, track, n);
        return line;
      }),
    );
  }

  private renderLlm(llm: Summary['llm'] | null): void {
    this.circuit.dataset.state = llm?.circuit ?? 'unknown';
    this.circuit.textContent = `circuit ${llm?.circuit.replace('_', '-') ?? 'unknown'}`;
    const rows = VERDICTS.map((v) => {
      const tr = document.createElement('tr');
      tr.dataset.verdict = v;
      const name = Object.assign(document.createElement('th'), { textContent: v });
      const count = Object.assign(document.createElement('td'), { textContent: llm ? String(llm.verdicts[v]) : '–' });
      tr.append(name, count);
      return tr;
    });
    this.verdicts.replaceChildren(...rows);
  }
}
