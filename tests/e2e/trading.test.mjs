// Browser end-to-end tests of /torghut/trading (SPEC §8), one per step of the trading page's
// validation, against a real `torghut up` whose paper trader trades the simulator's broker on the
// demo strategies (with the LLM reviewer on, and a cooldown so that risk rejects some decisions)
// and Debian's chromium driven by playwright-core.
//
//   TORGHUT_BIN=build/…/torghut node --test tests/e2e/trading.test.mjs
//
// Environment (support.mjs): TORGHUT_BIN (required), TORGHUT_WEB_DIR (default web/dist), CHROMIUM
// (default /usr/bin/chromium), E2E_ARTIFACTS (screenshots and the server's log), E2E_STEP (one step).
// Today's figures change while the trader runs, so the page is compared with the API by waiting
// until the two agree: the API's answers read before and after reading the page must be the same
// (nothing changed meanwhile) and equal what the page shows. Past days do not change.
import assert from 'node:assert/strict';
import { api, base, e2e, newPage, runSteps, shot, step, waitFor } from './support.mjs';

const NY = 'America/New_York';
const STRATEGIES = ['demo-bollinger', 'demo-macd-cross'];
const PAST_DAY = '2020-01-02';
const POLL_MS = 3000; // the page's refresh period (web/src/trading/main.ts)
// Tall enough for the screenshots to show the cards, charts, diagnostics and the tables' first rows.
const VIEWPORT = { width: 1280, height: 1500 };

e2e({
  symbols: ['AAPL', 'MSFT'],
  page: 'trading.html',
  // The reviewer answers every decision (verdict counts); the cooldown rejects some (reasons).
  env: { LLM_ENABLED: 'true', TRADING_COOLDOWN_SECONDS: '15' },
  ready: () => waitFor('the strategies', async () => (await api('/api/torghut/trading/strategies')).strategies?.length),
});

// ---- what the page should show, computed here from the API's answers -------------------------

const nyDayOf = (ms) => {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: NY, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(ms).map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day}`;
};
const today = () => nyDayOf(Date.now());
const dayOffset = (day, days) => new Date(Date.parse(`${day}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const nyTime = (iso) =>
  new Intl.DateTimeFormat('en-US', { timeZone: NY, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(Date.parse(iso));

// A decimal string grouped by thousands with its sign ("+1,234.5", "-9.48", "0"), by BigInt.
function signed(s) {
  const [, minus, int, frac] = /^(-?)(\d+)(?:\.(\d+))?$/.exec(s);
  const zero = /^0*$/.test(int + (frac ?? ''));
  const text = `${BigInt(int).toLocaleString('en-US')}${frac === undefined ? '' : `.${frac}`}`;
  return zero ? text : `${minus === '-' ? '-' : '+'}${text}`;
}
const grouped = (s) => signed(s).replace(/^\+/, '');
// A win rate (9 decimals, 0..1) as a percentage with one decimal, half up.
function percent(s) {
  if (s === null) return '–';
  const [int, frac = ''] = s.split('.');
  const tenths = (BigInt(int + frac.padEnd(9, '0')) + 500_000n) / 1_000_000n;
  return `${tenths / 10n}.${tenths % 10n}%`;
}
// The chart's points for an API series: whole seconds, the last value of each second.
function points(series, field) {
  const out = new Map();
  for (const p of series) out.set(Math.floor(Date.parse(p.ts) / 1000), Number(p[field]));
  return [...out].map(([time, value]) => ({ time, value }));
}
const filled = (e) => Number(e.filled_qty) > 0;

function query(sel) {
  const q = new URLSearchParams({ day: sel.day });
  if (sel.strategy) q.set('strategy', sel.strategy);
  return q.toString();
}

// The selection's three answers, as the page asks for them.
async function answers(sel) {
  const q = query(sel);
  const [summary, executions, decisions] = await Promise.all([
    api(`/api/torghut/trading/summary?${q}`),
    api(`/api/torghut/trading/executions?${q}&limit=500`),
    api(`/api/torghut/trading/decisions?${q}&limit=500`),
  ]);
  for (const r of [summary, executions, decisions]) assert.equal(r.ok, true, r.message);
  return { summary: summary.summary, executions: executions.items, decisions: decisions.items };
}

function expected({ summary, executions, decisions }) {
  const p = summary.realizedPnl;
  const account = summary.equity.available ? summary.equity.byAccount[0] : null;
  return {
    interval: { startUtc: summary.interval.startUtc, endUtc: summary.interval.endUtc },
    cards: {
      pnl: { raw: p.value, text: signed(p.value) },
      fills: { raw: String(summary.executions.filledCount), text: String(summary.executions.filledCount) },
      rejections: { raw: String(summary.rejections.rejectedCount), text: String(summary.rejections.rejectedCount) },
      winRate: { raw: p.winRate ?? '', text: percent(p.winRate), sub: `${p.winCount} won · ${p.lossCount} lost` },
      equity: account ? { raw: account.delta, text: signed(account.delta) } : { raw: '', text: 'no snapshots' },
    },
    rejectionSub: summary.rejections.topReasons.slice(0, 3).map((r) => `${r.reason} ×${r.count}`),
    warnings: p.warnings,
    reasons: summary.rejections.topReasons.map((r) => ({ reason: r.reason, count: String(r.count) })),
    verdicts: Object.fromEntries(['approve', 'veto', 'adjust', 'error'].map((v) => [v, String(summary.llm.verdicts[v])])),
    circuit: summary.llm.circuit,
    equity: points(account?.series ?? [], 'equity'),
    pnl: points(p.series, 'realizedPnl'),
    fills: executions.filter(filled).map((e) => ({
      id: e.id,
      time: nyTime(e.created_at),
      symbol: e.symbol,
      side: e.side,
      qty: grouped(e.filled_qty) + (e.filled_qty === e.submitted_qty ? '' : ` of ${grouped(e.submitted_qty)}`),
      price: e.avg_fill_price === null ? '–' : grouped(e.avg_fill_price),
      decision: e.trade_decision_id.slice(0, 10),
      strategy: e.strategy_id,
    })),
    decisions: decisions.map((d) => ({
      id: d.id,
      time: nyTime(d.created_at),
      strategy: d.strategy_id,
      symbol: d.symbol,
      action: d.decision.action,
      qty: grouped(d.decision.qty),
      status: d.status,
      rationale: d.rationale,
      reasons: d.decision.risk_reasons.length ? d.decision.risk_reasons.join(', ') : '–',
      llm: d.decision.llm_review?.verdict ?? '–',
      link: { path: '/torghut/visuals', symbol: d.symbol, range: '15m', at: d.decision.event_ts, dataAt: d.decision.event_ts },
    })),
  };
}

// What the page shows, read from its DOM and its drawn charts in one evaluation.
const shown = (page) =>
  page.evaluate(() => {
    const card = (id) => {
      const v = document.querySelector(`#${id} .value`);
      return { raw: v.dataset.value, text: v.textContent, sub: document.querySelector(`#${id} .sub`).textContent };
    };
    const rows = (table) =>
      [...document.querySelectorAll(`#${table} tbody tr[data-id]`)].map((tr) => {
        const row = { id: tr.dataset.id };
        for (const td of tr.cells) row[td.dataset.col] = td.textContent;
        const a = tr.querySelector('a.chart-link');
        if (a) {
          const u = new URL(a.href);
          row.link = { path: u.pathname, symbol: u.searchParams.get('symbol'), range: u.searchParams.get('range'), at: u.searchParams.get('at'), dataAt: a.dataset.at };
          delete row.chart;
        }
        return row;
      });
    const warnings = document.getElementById('warnings');
    return {
      state: window.torghutTrading.state(),
      cards: { pnl: card('card-pnl'), fills: card('card-fills'), rejections: card('card-rejections'), winRate: card('card-winrate'), equity: card('card-equity') },
      warnings: warnings.hidden ? [] : warnings.textContent.replace(/^P&L warnings: /, '').split(' · '),
      reasons: [...document.querySelectorAll('#reasons .bar-row')].map((r) => ({ reason: r.dataset.reason, count: r.dataset.count })),
      verdicts: Object.fromEntries([...document.querySelectorAll('#verdicts tr')].map((tr) => [tr.dataset.verdict, tr.cells[1].textContent])),
      circuit: document.getElementById('circuit').dataset.state,
      equity: window.torghutTrading.points('equity'),
      pnl: window.torghutTrading.points('pnl'),
      fills: rows('fills'),
      decisions: rows('decisions'),
      banner: document.getElementById('error').hidden ? null : document.getElementById('error').textContent,
    };
  });

// Asserts that what the page shows is what the API answers for `sel`.
function compare(s, e, sel) {
  assert.equal(s.state.day, sel.day);
  assert.equal(s.state.strategy, sel.strategy);
  assert.equal(s.banner, null, 'no error banner');
  assert.deepEqual(s.state.interval, e.interval, 'the day\'s UTC interval');
  for (const [name, want] of Object.entries(e.cards)) {
    assert.equal(s.cards[name].raw, want.raw, `the ${name} card's figure`);
    assert.equal(s.cards[name].text, want.text, `the ${name} card's text`);
    if (want.sub) assert.equal(s.cards[name].sub, want.sub, `the ${name} card's counts`);
  }
  for (const r of e.rejectionSub) assert.ok(s.cards.rejections.sub.includes(r), `the rejections card names ${r}`);
  assert.deepEqual(s.warnings, e.warnings, 'P&L warnings');
  assert.deepEqual(s.reasons, e.reasons, 'the reason histogram');
  assert.deepEqual(s.verdicts, e.verdicts, 'the LLM verdict counts');
  assert.equal(s.circuit, e.circuit, 'the LLM circuit');
  assert.deepEqual(s.equity, e.equity, 'the equity curve');
  assert.deepEqual(s.pnl, e.pnl, 'the realized-P&L curve');
  assert.deepEqual(s.fills, e.fills, 'the fills table');
  // Each decision links to the chart at its bar, the time as the API gave it.
  assert.deepEqual(s.decisions, e.decisions, 'the decisions table');
  assert.equal(s.state.status, e.fills.length === 0 && e.decisions.length === 0 ? 'no-data' : 'ready');
}

// Waits until the page and the API agree on `sel` (see the file's header), and returns both.
async function agree(page, sel, ms = 30_000) {
  return waitFor(`the page to show the API's answers for ${query(sel)}`, async () => {
    const before = await answers(sel);
    const s = await shown(page);
    const after = await answers(sel);
    if (JSON.stringify(before) !== JSON.stringify(after)) return null; // moved while reading
    compare(s, expected(before), sel);
    return { shown: s, answers: before };
  }, ms);
}

async function open(page, q = '') {
  await page.goto(`${base}/torghut/trading${q}`);
  await page.waitForFunction(() => window.torghutTrading && window.torghutTrading.state().status !== 'loading');
  return state(page);
}

const state = (page) => page.evaluate(() => window.torghutTrading.state());
// (Read in the page: a replaceState reaches page.url() only with a later event.)
const selectionOfUrl = (page) =>
  page.evaluate(() => {
    const q = new URLSearchParams(location.search);
    return { day: q.get('day'), strategy: q.get('strategy') };
  });

// Today's answers once the trader has filled, rejected and closed a round trip.
async function tradedToday(extra = () => true, ms = 180_000) {
  return waitFor('fills, rejections and realized P&L today', async () => {
    const s = (await api('/api/torghut/trading/summary')).summary;
    return s && s.executions.filledCount >= 2 && s.rejections.rejectedCount >= 1 && s.realizedPnl.series.length >= 1 && (await extra(s)) ? s : null;
  }, ms);
}

// ---- the steps ----------------------------------------------------------------------------------

step('today', "today's fills, decisions, cards and charts agree with the API", async (t) => {
  await tradedToday();
  const page = await newPage(t, VIEWPORT);
  await open(page); // no query: today in New York, every strategy
  const day = today();
  assert.deepEqual(await selectionOfUrl(page), { day, strategy: null }, 'the URL names the day it shows');
  assert.equal(await page.locator('#day').inputValue(), day);
  assert.equal(await page.locator('#strategy').inputValue(), '');
  const { shown: s, answers: a } = await agree(page, { day, strategy: '' });
  assert.ok(s.fills.length >= 2 && s.fills.length === a.summary.executions.filledCount, 'every fill of the day is a row');
  assert.ok(s.decisions.some((d) => d.status === 'rejected' && d.reasons !== '–'), 'a rejected decision shows its reasons');
  assert.ok(s.decisions.every((d) => d.llm !== '–'), 'every decision shows its LLM verdict');
  assert.ok(s.pnl.length >= 1 && s.equity.length >= 1, 'both curves are drawn');
  assert.match(await page.locator('#interval').textContent(), new RegExp(`^UTC ${a.summary.interval.startUtc} – ${a.summary.interval.endUtc}$`));
  assert.equal(s.state.live, true, 'today is refreshed');
  assert.equal(await page.locator('#live').getAttribute('data-state'), 'on');
  assert.equal(await page.locator('#nodata').isVisible(), false);
  for (const id of ['chart-equity', 'chart-pnl']) {
    assert.ok(await page.locator(`#${id} canvas`).first().isVisible(), `${id} draws`);
    assert.equal(await page.locator(`#${id}-empty`).isVisible(), false);
  }
  // A decision's link opens the chart at its bar.
  const link = page.locator('#decisions tbody tr[data-id] a.chart-link').first();
  const first = a.decisions[0];
  const href = new URL(await link.getAttribute('href'), base);
  assert.equal(href.pathname, '/torghut/visuals');
  assert.equal(href.searchParams.get('at'), first.decision.event_ts);
  assert.equal(href.searchParams.get('symbol'), first.symbol);
  assert.ok(href.search.endsWith(`&at=${first.decision.event_ts}`), `the bar's time is written as given: ${href.search}`);
  await shot(page, '1-today');
});

step('live', 'with today open, new fills and decisions reach the page without a reload', async (t) => {
  await waitFor('a fill today', async () => (await api('/api/torghut/trading/summary')).summary?.executions.filledCount >= 1, 180_000);
  const page = await newPage(t, VIEWPORT);
  let loads = 0; // documents loaded (a replaceState of the URL is no load)
  page.on('load', () => loads++);
  await open(page);
  const sel = { day: today(), strategy: '' };
  const { shown: first } = await agree(page, sel);
  await page.evaluate(() => (window.sameDocument = true));
  await shot(page, '2-live-before');
  // Newer fills and decisions in the API, then on the page.
  await waitFor('a newer fill', async () => (await api(`/api/torghut/trading/summary?${query(sel)}`)).summary.executions.filledCount > first.fills.length, 120_000);
  const { shown: later } = await agree(page, sel);
  const known = new Set(first.fills.map((f) => f.id));
  assert.ok(later.fills.some((f) => !known.has(f.id)), 'a fill that was not there reached the table');
  const knownDecisions = new Set(first.decisions.map((d) => d.id));
  assert.ok(later.decisions.some((d) => !knownDecisions.has(d.id)), 'a newer decision reached the table');
  assert.ok(later.state.loads > first.state.loads, 'by a refresh');
  assert.equal(loads, 1, 'without loading the page again');
  assert.equal(await page.evaluate(() => window.sameDocument), true, 'in the same document');
  await shot(page, '2-live-after');
});

step('switch', 'the strategy and day pickers update the URL, the cards and the tables; a reload restores them', async (t) => {
  // Both 1-second strategies have filled today.
  await tradedToday(async () => {
    for (const strategy of STRATEGIES) {
      const s = (await api(`/api/torghut/trading/summary?strategy=${strategy}`)).summary;
      if (s.executions.filledCount < 1) return false;
    }
    return true;
  });
  const page = await newPage(t, VIEWPORT);
  await open(page);
  const day = today();
  await agree(page, { day, strategy: '' });
  const strategies = await page.locator('#strategy option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(strategies, ['', ...(await api('/api/torghut/trading/strategies')).strategies.map((s) => s.name)]);

  // One strategy: only its rows, its figures.
  for (const strategy of STRATEGIES) {
    await page.selectOption('#strategy', strategy);
    assert.deepEqual(await selectionOfUrl(page), { day, strategy });
    const { shown: s } = await agree(page, { day, strategy });
    assert.ok(s.fills.length >= 1 && s.fills.every((f) => f.strategy === strategy), `only ${strategy}'s fills`);
    assert.ok(s.decisions.every((d) => d.strategy === strategy), `only ${strategy}'s decisions`);
    // (Read after the page: fills only add up, and the other strategy has filled too.)
    const everyStrategy = (await api(`/api/torghut/trading/summary?day=${day}`)).summary.executions.filledCount;
    assert.ok(s.fills.length < everyStrategy, `fewer fills than every strategy has (${s.fills.length} of ${everyStrategy})`);
    await shot(page, `3-switch-${strategy}`);
  }
  // Back to every strategy.
  await page.selectOption('#strategy', '');
  assert.deepEqual(await selectionOfUrl(page), { day, strategy: null });
  await agree(page, { day, strategy: '' });

  // Another day: yesterday (before this server traded), with a strategy; not refreshed.
  const yesterday = dayOffset(day, -1);
  await page.locator('#day').fill(yesterday);
  await page.selectOption('#strategy', STRATEGIES[0]);
  assert.deepEqual(await selectionOfUrl(page), { day: yesterday, strategy: STRATEGIES[0] });
  const { shown: past } = await agree(page, { day: yesterday, strategy: STRATEGIES[0] });
  assert.equal(past.state.live, false, 'a past day is not refreshed');
  assert.equal(await page.locator('#live').getAttribute('data-state'), 'off');
  await shot(page, '3-switch-yesterday');

  // A reload of the URL restores the selection.
  await page.reload();
  await page.waitForFunction(() => window.torghutTrading && window.torghutTrading.state().status !== 'loading');
  assert.equal(await page.locator('#day').inputValue(), yesterday);
  assert.equal(await page.locator('#strategy').inputValue(), STRATEGIES[0]);
  await agree(page, { day: yesterday, strategy: STRATEGIES[0] });

  // Today again through the picker: refreshed again; and a reload keeps it.
  await page.locator('#day').fill(day);
  assert.deepEqual(await selectionOfUrl(page), { day, strategy: STRATEGIES[0] });
  await agree(page, { day, strategy: STRATEGIES[0] });
  assert.equal((await state(page)).live, true);
  await page.reload();
  await page.waitForFunction(() => window.torghutTrading && window.torghutTrading.state().status !== 'loading');
  assert.equal(await page.locator('#strategy').inputValue(), STRATEGIES[0]);
  assert.equal(await page.locator('#day').inputValue(), day);
  await agree(page, { day, strategy: STRATEGIES[0] });
  await shot(page, '3-switch-reloaded');
});

step('no-data', 'a past day without trading shows the empty state, not an error', async (t) => {
  const page = await newPage(t, VIEWPORT);
  // The page's timers run on a clock the test moves, and its requests are counted as it makes
  // them: the polls a past day must not make.
  await page.clock.install();
  await page.addInitScript(() => {
    const fetch = window.fetch;
    window.summaryReads = 0;
    window.fetch = (input, init) => {
      if (String(input).includes('/api/torghut/trading/summary?')) window.summaryReads++;
      return fetch(input, init);
    };
  });
  const summaryReads = () => page.evaluate(() => window.summaryReads);
  const s = await open(page, `?day=${PAST_DAY}`);
  assert.equal(s.status, 'no-data');
  assert.equal(s.live, false);
  assert.deepEqual(s.errors, []);
  assert.equal(await page.locator('#error').isVisible(), false, 'no data is not an error');
  assert.ok(await page.locator('#nodata').isVisible());
  assert.match(await page.locator('#nodata').textContent(), new RegExp(`^No trading on ${PAST_DAY} \\(America/New_York\\): no decisions and no fills\\.$`));
  // Cards at zero.
  assert.deepEqual(s.cards, { pnl: '0', fills: '0', rejections: '0', winRate: '–', equity: 'no snapshots' });
  // The interval of that New York day (EST: UTC−5).
  assert.deepEqual(s.interval, { startUtc: `${PAST_DAY}T05:00:00.000Z`, endUtc: `${dayOffset(PAST_DAY, 1)}T05:00:00.000Z` });
  // No broken charts: nothing drawn, a message over each.
  for (const [name, text] of [['equity', 'No equity snapshots in this day.'], ['pnl', 'No round trip closed in this day.']]) {
    assert.deepEqual(await page.evaluate((n) => window.torghutTrading.points(n), name), []);
    assert.ok(await page.locator(`#chart-${name}-empty`).isVisible());
    assert.equal(await page.locator(`#chart-${name}-empty`).textContent(), text);
  }
  assert.equal(await page.locator('#fills tbody').textContent(), 'No fills in this day.');
  assert.equal(await page.locator('#decisions tbody').textContent(), 'No decisions in this day.');
  assert.equal(await page.locator('#reasons').textContent(), 'No rejected decisions.');
  await agree(page, { day: PAST_DAY, strategy: '' }, 10_000);
  await shot(page, '4-no-data');
  // Never refreshed: far past the refresh period, still the one read.
  assert.equal(await summaryReads(), 1);
  await page.clock.runFor(10 * POLL_MS);
  assert.equal(await summaryReads(), 1, 'a past day is not polled');

  // The same through the day picker, from today.
  await open(page);
  await page.clock.runFor(POLL_MS);
  await page.waitForFunction(() => window.torghutTrading.state().loads >= 2);
  assert.equal((await state(page)).live, true, 'today is polled');
  await page.locator('#day').fill(PAST_DAY);
  await page.waitForFunction((d) => window.torghutTrading.state().day === d && window.torghutTrading.state().status !== 'loading', PAST_DAY);
  assert.equal((await state(page)).status, 'no-data');
  assert.equal(await page.locator('#live').getAttribute('data-state'), 'off');
  assert.deepEqual(await selectionOfUrl(page), { day: PAST_DAY, strategy: null });
  const reads = await summaryReads();
  await page.clock.runFor(10 * POLL_MS);
  assert.equal(await summaryReads(), reads, 'choosing a past day stops the refresh');
  await shot(page, '4-no-data-picker');
});

step('error-banner', "the banner shows the API's 400 messages, a blocked endpoint and a 503, and clears when the API answers", async (t) => {
  const page = await newPage(t, VIEWPORT);
  const banner = page.locator('#error');
  const messageOf = async (q) => {
    const r = await api(`/api/torghut/trading/summary?${q}`);
    assert.equal(r.ok, false);
    return r.message;
  };

  // A day that is not a date, from the URL: sent to the API as it is; its 400 message shown.
  let s = await open(page, '?day=not-a-date');
  assert.equal(s.status, 'error');
  assert.ok(await banner.isVisible());
  const badDay = await messageOf('day=not-a-date');
  assert.equal(badDay, "day 'not-a-date' is not a date YYYY-MM-DD");
  for (const kind of ['summary', 'executions', 'decisions']) {
    assert.ok((await banner.textContent()).includes(`${kind} for not-a-date: ${badDay}`), `the banner names ${kind}`);
  }
  assert.equal(await page.locator('#day').inputValue(), '', 'the date input cannot show it');
  await shot(page, '5-error-not-a-date');
  // The next successful load clears it.
  await page.locator('#day').fill(PAST_DAY);
  await page.waitForFunction(() => window.torghutTrading.state().status === 'no-data');
  assert.equal(await banner.isVisible(), false);

  // A day in the future.
  const future = dayOffset(today(), 2);
  s = await open(page, `?day=${future}`);
  assert.equal(s.status, 'error');
  const futureMessage = await messageOf(`day=${future}`);
  assert.match(futureMessage, new RegExp(`^day ${future} is in the future`));
  assert.ok((await banner.textContent()).includes(`summary for ${future}: ${futureMessage}`));
  await shot(page, '5-error-future');

  // A blocked endpoint: no answer at all. Today is refreshed, so the banner follows each read.
  const day = today();
  await page.route('**/api/torghut/trading/summary?*', (route) => route.abort('connectionrefused'));
  s = await open(page);
  assert.equal(s.status, 'error');
  assert.match(await banner.textContent(), new RegExp(`^summary for ${day}: the API did not answer`));
  assert.equal(await page.locator('#card-pnl .value').textContent(), '–', 'no figure without a summary');
  await shot(page, '5-error-blocked');

  // The store down for one endpoint: 503 with the server's message; the summary answers again.
  await page.route('**/api/torghut/trading/executions?*', (route) =>
    route.fulfill({ status: 503, json: { ok: false, message: 'trading store unavailable: database is locked' } }));
  await page.unroute('**/api/torghut/trading/summary?*');
  await waitFor('the banner to name only the executions', async () => {
    const text = await banner.textContent();
    return text === `executions for ${day}: trading store unavailable: database is locked`;
  }, 20_000);
  assert.equal((await state(page)).status, 'error');
  await shot(page, '5-error-503');

  // Once the API answers again, the next refresh clears the banner (no reload, no new choice).
  await page.unroute('**/api/torghut/trading/executions?*');
  await page.waitForFunction(() => window.torghutTrading.state().status !== 'error', null, { timeout: 20_000 });
  assert.equal(await banner.isVisible(), false);
  assert.deepEqual((await state(page)).errors, []);
  await shot(page, '5-error-cleared');
});

runSteps();
