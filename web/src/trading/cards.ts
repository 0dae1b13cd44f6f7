// The day's figures as cards (SPEC §8): realized P&L, fills, rejections with the top reasons, win
// rate, equity delta — all from one /summary answer. Each card's value element carries the
// API's raw figure in data-value (what tests compare), its text the formatted one.
import type { Summary } from './trading_api';
import { decimalSign, groupDecimal, percent, signedDecimal } from './format';

// How many reasons the rejections card names; the diagnostics list every one.
const CARD_REASONS = 3;

interface Card {
  value: HTMLElement;
  sub: HTMLElement;
}

export interface CardTexts {
  pnl: string;
  fills: string;
  rejections: string;
  winRate: string;
  equity: string;
}

function card(id: string): Card {
  const root = document.getElementById(id)!;
  return { value: root.querySelector<HTMLElement>('.value')!, sub: root.querySelector<HTMLElement>('.sub')! };
}

function show(c: Card, raw: string, text: string, sub: string, sign: -1 | 0 | 1 | null = null): void {
  c.value.dataset.value = raw;
  c.value.textContent = text;
  c.value.dataset.sign = sign === null ? '' : String(sign);
  c.sub.textContent = sub;
}

export class Cards {
  private readonly pnl = card('card-pnl');
  private readonly fills = card('card-fills');
  private readonly rejections = card('card-rejections');
  private readonly winRate = card('card-winrate');
  private readonly equity = card('card-equity');

  // The cards for one answer, or every card blank ("–") while none is there (loading, or the
  // summary failed: the banner says why).
  render(s: Summary | null): void {
    if (!s) {
      for (const c of [this.pnl, this.fills, this.rejections, this.winRate, this.equity]) show(c, '', '–', '');
      return;
    }
    const p = s.realizedPnl;
    show(this.pnl, p.value, signedDecimal(p.value), `closed qty ${groupDecimal(p.closedQty)}`, decimalSign(p.value));
    show(this.fills, String(s.executions.filledCount), String(s.executions.filledCount), 'orders filled, wholly or in part');
    const reasons = s.rejections.topReasons.slice(0, CARD_REASONS).map((r) => `${r.reason} ×${r.count}`);
    show(
      this.rejections,
      String(s.rejections.rejectedCount),
      String(s.rejections.rejectedCount),
      reasons.length ? reasons.join(', ') : 'no rejected decisions',
    );
    show(this.winRate, p.winRate ?? '', percent(p.winRate), `${p.winCount} won · ${p.lossCount} lost`);
    const account = s.equity.available ? s.equity.byAccount[0] : undefined;
    if (account) {
      show(
        this.equity,
        account.delta,
        signedDecimal(account.delta),
        `${account.alpacaAccountLabel} · ${account.series.length} snapshots`,
        decimalSign(account.delta),
      );
    } else {
      show(this.equity, '', 'no snapshots', 'no account snapshot in this day');
    }
  }

  texts(): CardTexts {
    return {
      pnl: this.pnl.value.textContent ?? '',
      fills: this.fills.value.textContent ?? '',
      rejections: this.rejections.value.textContent ?? '',
      winRate: this.winRate.value.textContent ?? '',
      equity: this.equity.value.textContent ?? '',
    };
  }
}
