// report.html of `torghut backtest` in Debian's chromium (playwright-core), opened from the file
// with every network request refused: it must show everything without one. What it drew (the
// equity curve, the drawdown, the daily bars, each symbol's fill markers, the trade table, the
// cards) is compared with the report.json of the same run; screenshots land in E2E_ARTIFACTS.
//
//   TORGHUT_BIN=build/…/torghut node --test tests/e2e/backtest_report.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '../..');
const { chromium } = createRequire(path.join(root, 'web/package.json'))('playwright-core');
const BIN = process.env.TORGHUT_BIN && path.resolve(process.env.TORGHUT_BIN);
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = process.env.E2E_ARTIFACTS ?? path.join(root, 'tests/artifacts/e2e');

test('report.html shows the run from the file alone and agrees with report.json', async (t) => {
  assert.ok(BIN, 'TORGHUT_BIN must name the torghut binary');
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torghut-backtest-e2e-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const run = (...args) => execFileSync(BIN, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  run('sim', 'generate', '--symbols', 'AAPL,MSFT', '--sessions', '2', '--rate', '1', '--quotes-per-trade', '0.5', '--out', 's.jsonl');
  run('backtest', '--from-file', 's.jsonl', '--out', 'out', '--commission-per-share', '0.005', '--no-progress');
  const report = JSON.parse(fs.readFileSync(path.join(dir, 'out/report.json'), 'utf8'));
  assert.ok(report.fills.length > 10, 'the run traded');

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  const requests = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    requests.push(url);
    return route.abort();
  });
  await page.goto(`file://${path.join(dir, 'out/report.html')}`);
  assert.deepEqual(requests, [], 'the page asked for nothing beyond itself');
  assert.deepEqual(problems, []);
  await page.screenshot({ path: path.join(ARTIFACTS, 'backtest-report-top.png') });

  // The cards say what the summary says.
  const card = (id) => page.locator(`#card-${id} .v`).textContent();
  assert.equal(await card('total-pnl'), report.summary.total_pnl);
  assert.equal(await card('fills'), String(report.summary.fills));
  assert.equal(await card('trades'), String(report.summary.trades));
  assert.equal(await card('drawdown'), `${(report.summary.max_drawdown.pct * 100).toFixed(2)}%`);
  // The equity curve has a point per minute sample; the drawdown one too (plus the area's ends).
  const points = (sel) => page.locator(sel).getAttribute('points').then((p) => p.trim().split(/\s+/).length);
  assert.equal(await points('#equity-chart polyline'), report.equity.length);
  assert.equal(await points('#drawdown-chart polygon'), report.equity.length + 2);
  // A bar per New York day, coloured by its sign, named on hover.
  const days = page.locator('#daily-chart rect.day');
  assert.equal(await days.count(), report.days.length);
  for (let i = 0; i < report.days.length; i++) {
    assert.equal(await days.nth(i).locator('title').textContent(), `${report.days[i].day}: ${report.days[i].pnl}`);
    assert.equal(await days.nth(i).getAttribute('fill'), report.days[i].pnl.startsWith('-') ? '#cf222e' : '#1a7f37');
  }
  // Each symbol's chart marks each of its fills (its minute is always a price bar: fills are
  // made at prints), buys and sells apart.
  for (const symbol of Object.keys(report.prices)) {
    const chart = page.locator(`svg.price[data-symbol="${symbol}"]`);
    const fills = report.fills.filter((f) => f.symbol === symbol);
    assert.equal(await chart.locator('.fill-marker').count(), fills.length, symbol);
    assert.equal(await chart.locator('.fill-marker[data-side=buy]').count(), fills.filter((f) => f.side === 'buy').length);
    if (fills.length) assert.match(await chart.locator('.fill-marker title').first().textContent(), new RegExp(`^${fills[0].ts} ${fills[0].side} ${fills[0].qty} @ ${fills[0].price}`));
  }
  await page.locator('svg.price').first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(ARTIFACTS, 'backtest-report-prices.png') });
  // The trade table: one row per fill (up to 2000), in the report's order.
  const rows = page.locator('#trades tbody tr');
  assert.equal(await rows.count(), Math.min(report.fills.length, 2000));
  const first = (await rows.first().locator('td').allTextContents());
  assert.deepEqual(first.slice(0, 6), [report.fills[0].ts, report.fills[0].symbol, report.fills[0].side, report.fills[0].qty, report.fills[0].price, report.fills[0].commission]);
  assert.equal(await page.locator('#days tbody tr').count(), report.days.length);
  assert.equal(await page.locator('#by-strategy tbody tr').count(), report.by_strategy.length);
});
