// The day's fills and decisions as tables (SPEC §8), newest first as the API lists them. Every
// data row is a <tr data-id> whose cells carry data-col (what tests read); amounts are shown as
// the API's strings. Each decision row links to the chart at its bar (a.chart-link).
import { MAX_ROWS, type Decision, type Execution } from './trading_api';
import { groupDecimal, isPositive, nyTime } from './format';
import { visualsLink } from './trading_state';

// A decision id is a 64-hex hash; its first characters tell rows apart (the full id is the title).
const SHORT_ID = 10;

type Cell = string | Node | { text: string; title?: string; className?: string; data?: Record<string, string> };

function row(id: string, cells: [string, Cell][]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.dataset.id = id;
  for (const [col, cell] of cells) {
    const td = document.createElement('td');
    td.dataset.col = col;
    if (typeof cell === 'string') td.textContent = cell;
    else if (cell instanceof Node) td.append(cell);
    else {
      const span = document.createElement('span');
      span.textContent = cell.text;
      if (cell.title) span.title = cell.title;
      if (cell.className) span.className = cell.className;
      Object.assign(span.dataset, cell.data ?? {});
      td.append(span);
    }
    tr.append(td);
  }
  return tr;
}

function emptyRow(columns: number, text: string): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.className = 'empty-row';
  const td = document.createElement('td');
  td.colSpan = columns;
  td.textContent = text;
  tr.append(td);
  return tr;
}

// The orders of the day that filled, wholly or in part (filledCount counts the same).
export function fillsOf(executions: Execution[]): Execution[] {
  return executions.filter((e) => isPositive(e.filled_qty));
}

// One table body, redrawn only when its rows changed: a live refresh with nothing new leaves the
// DOM (and a user's text selection) alone.
class Table<T> {
  private readonly body: HTMLTableSectionElement;
  private readonly columns: number;
  private key: string | null = null;
  private count = 0;

  constructor(
    table: HTMLTableElement,
    private readonly note: HTMLElement,
    private readonly toRow: (item: T) => HTMLTableRowElement,
    private readonly noun: string,
  ) {
    this.body = table.tBodies[0];
    this.columns = table.tHead!.rows[0].cells.length;
  }

  // `rows` to show, of `read` rows the API returned (at most MAX_ROWS); null: nothing to show
  // (loading, or that request failed — the banner says why).
  render(rows: T[] | null, read: number, emptyText: string): void {
    const key = rows === null ? null : JSON.stringify(rows);
    if (key === this.key && rows !== null) return;
    this.key = key;
    this.count = rows?.length ?? 0;
    if (rows === null) {
      this.body.replaceChildren(emptyRow(this.columns, '–'));
      this.note.textContent = '';
      return;
    }
    this.body.replaceChildren(...(rows.length ? rows.map(this.toRow) : [emptyRow(this.columns, emptyText)]));
    this.note.textContent =
      read >= MAX_ROWS ? `${rows.length} ${this.noun} of the newest ${MAX_ROWS} rows (the API's most)` : `${rows.length} ${this.noun}`;
  }

  rows(): number {
    return this.count;
  }
}

export class FillsTable extends Table<Execution> {
  constructor(table: HTMLTableElement, note: HTMLElement) {
    super(table, note, fillRow, 'fills');
  }
}

export class DecisionsTable extends Table<Decision> {
  constructor(table: HTMLTableElement, note: HTMLElement) {
    super(table, note, decisionRow, 'decisions');
  }
}

function fillRow(e: Execution): HTMLTableRowElement {
  const partial = e.filled_qty !== e.submitted_qty;
  return row(e.id, [
    ['time', { text: nyTime(e.created_at), title: `submitted ${e.created_at}, last update ${e.last_update_at ?? '–'}`, data: { ts: e.created_at } }],
    ['symbol', e.symbol],
    ['side', { text: e.side, className: 'side', data: { side: e.side } }],
    ['qty', { text: groupDecimal(e.filled_qty) + (partial ? ` of ${groupDecimal(e.submitted_qty)}` : ''), title: `status ${e.status}` }],
    ['price', e.avg_fill_price === null ? '–' : groupDecimal(e.avg_fill_price)],
    ['decision', { text: e.trade_decision_id.slice(0, SHORT_ID), title: e.trade_decision_id, className: 'mono' }],
    ['strategy', e.strategy_id],
  ]);
}

function decisionRow(d: Decision): HTMLTableRowElement {
  const review = d.decision.llm_review;
  const link = document.createElement('a');
  link.className = 'chart-link';
  link.href = visualsLink(d.symbol, d.decision.event_ts);
  link.dataset.symbol = d.symbol;
  link.dataset.at = d.decision.event_ts;
  link.textContent = 'chart';
  link.title = `${d.symbol} at its bar ${d.decision.event_ts}`;
  const reasons = d.decision.risk_reasons;
  return row(d.id, [
    ['time', { text: nyTime(d.created_at), title: `decided ${d.created_at} on the bar of ${d.decision.event_ts}`, data: { ts: d.created_at } }],
    ['strategy', d.strategy_id],
    ['symbol', d.symbol],
    ['action', { text: d.decision.action, className: 'side', data: { side: d.decision.action } }],
    ['qty', groupDecimal(d.decision.qty)],
    ['status', { text: d.status, className: 'status', data: { status: d.status } }],
    ['rationale', { text: d.rationale, className: 'rationale', title: d.rationale }],
    ['reasons', reasons.length ? reasons.join(', ') : '–'],
    ['llm', review ? { text: review.verdict, className: 'verdict', title: review.error ?? review.rationale, data: { verdict: review.verdict } } : '–'],
    ['chart', link],
  ]);
}
