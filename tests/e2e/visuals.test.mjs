// Browser end-to-end tests of /torghut/visuals (SPEC §8), one per step of the "TA visuals
// validation" runbook, against a real `torghut up` (simulated market → forwarder → embedded bus →
// TA → SQLite → read API + UI) and Debian's chromium driven by playwright-core.
//
//   TORGHUT_BIN=build/…/torghut node --test tests/e2e/visuals.test.mjs
//
// Environment (support.mjs): TORGHUT_BIN (required), TORGHUT_WEB_DIR (default web/dist), CHROMIUM
// (default /usr/bin/chromium), E2E_ARTIFACTS (screenshots and the server's log; default
// tests/artifacts/e2e), E2E_STEP (run one step only).
// What the page drew is read from window.torghutVisuals (the chart draws on canvases) and compared
// with the API answers the page itself received; screenshots of every step are kept.
import assert from 'node:assert/strict';
import { api, base, e2e, newPage, runSteps, shot, step, waitFor } from './support.mjs';

const SYMBOL = 'AAPL';
const ADMIN_TOKEN = 'e2e-admin-token';
const SIGNAL_FIELDS = {
  ema: ['ema12', 'ema26'],
  bollinger: ['boll_upper', 'boll_mid', 'boll_lower'],
  vwap: ['vwap_session'],
  macd: ['macd', 'macd_signal', 'macd_hist'],
  rsi: ['rsi14'],
};
const PILL_COLOURS = { green: 'rgb(45, 164, 78)', amber: 'rgb(212, 167, 44)', red: 'rgb(207, 34, 46)' };

e2e({
  symbols: [SYMBOL, 'MSFT'],
  page: 'index.html',
  // The markers step turns the kill switch on.
  env: { TORGHUT_ADMIN_TOKEN: ADMIN_TOKEN },
  ready: () => waitFor('bars for AAPL', async () => (await api(`/api/torghut/ta/latest?symbol=${SYMBOL}`)).bars),
});

const state = (page) => page.evaluate(() => window.torghutVisuals.state());
const points = (page, name) => page.evaluate((n) => window.torghutVisuals.points(n), name);
const seconds = (iso) => Math.floor(Date.parse(iso) / 1000);
const round2 = (v) => Math.round(v * 100) / 100;

// Opens the page and returns the /bars and /signals answers the page loaded its window from.
async function open(page, query) {
  const isWindow = (kind) => (r) => r.url().includes(`/api/torghut/ta/${kind}?`);
  const [bars, signals] = await Promise.all([
    page.waitForResponse(isWindow('bars')),
    page.waitForResponse(isWindow('signals')),
    page.goto(`${base}/torghut/visuals?${query}`),
  ]);
  await page.waitForFunction(() => window.torghutVisuals && window.torghutVisuals.state().status !== 'loading');
  return { bars: await bars.json(), signals: await signals.json() };
}

step('candles', 'candles render for a symbol with data, at 1 s and aggregated resolutions', async (t) => {
  // Final rows never change, so the drawing of those can be compared exactly: wait for a few.
  await waitFor('final bars', async () => {
    const now = Date.now();
    const b = await api(`/api/torghut/ta/bars?symbol=${SYMBOL}&from=${now - 900_000}&to=${now}&resolution=5s`);
    return b.items.filter((r) => r.is_final).length >= 2;
  });
  const page = await newPage(t);
  for (const resolution of ['1s', '5s']) {
    const { bars } = await open(page, `symbol=${SYMBOL}&range=15m&resolution=${resolution}&show=`);
    assert.equal((await state(page)).status, 'ready');
    assert.equal(bars.resolution, resolution);
    assert.ok(bars.items.length > 0, 'the API has bars');
    const candles = new Map((await points(page, 'candles')).map((c) => [c.time, c]));
    assert.ok(candles.size >= bars.items.length, `${candles.size} candles for ${bars.items.length} bars`);
    const finals = bars.items.filter((b) => b.is_final);
    assert.ok(finals.length > 0, 'some bars are final');
    for (const b of finals) {
      const c = candles.get(seconds(b.window_start));
      assert.ok(c, `a candle at ${b.window_start}`);
      assert.deepEqual([c.open, c.high, c.low, c.close], [b.o, b.h, b.l, b.c], `candle at ${b.window_start}`);
    }
    assert.ok(await page.locator('#chart canvas').first().isVisible());
    // The legend follows the crosshair: hovering the chart's middle names that candle's values.
    const box = await page.locator('#chart').boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 3);
    const legend = page.locator('#legend');
    await waitFor('a legend for the hovered candle', async () => (await legend.getAttribute('data-time')) !== null);
    // The legend's time and text are read in one evaluation: a live bar arriving between two reads
    // shifts the chart under the still mouse and so the hovered candle.
    const read = await legend.evaluate((el) => ({ time: Number(el.dataset.time), text: el.textContent ?? '' }));
    const hovered = read.time;
    const candle = (await points(page, 'candles')).find((c) => c.time === hovered);
    assert.ok(candle, `the legend names a drawn candle (${hovered})`);
    const shown = Object.fromEntries([...read.text.matchAll(/\b([OHLC]) ([\d,.]+)/g)].map((m) => [m[1], Number(m[2].replaceAll(',', ''))]));
    assert.deepEqual(shown, { O: round2(candle.open), H: round2(candle.high), L: round2(candle.low), C: round2(candle.close) });
    await shot(page, `1-legend-${resolution}`);
    await page.mouse.move(0, 0);
    assert.equal(await page.locator('#nodata').isVisible(), false);
    assert.equal(await page.locator('#error').isVisible(), false);
    await shot(page, `1-candles-${resolution}`);
  }
});

step('live', 'live updates extend the chart without reloading the window', async (t) => {
  const page = await newPage(t);
  let windowLoads = 0;
  page.on('request', (r) => {
    if (r.url().includes('/api/torghut/ta/bars?')) windowLoads++;
  });
  // The window holds the bar of the second in progress (a bar's event time is the end of its
  // second, after now). A window that stopped at now would leave it out and, in a symbol's first
  // second of data, be empty: "no data", then a second load on the stream's first row. So the page
  // is opened early in the newest bar's second, and that bar must be in the window.
  const newest = await waitFor('a bar in its first 300 ms', async () => {
    const bar = (await api(`/api/torghut/ta/latest?symbol=${SYMBOL}`)).bars;
    return bar && Date.parse(bar.window_end) - Date.now() > 700 ? bar : null;
  });
  const { bars } = await open(page, `symbol=${SYMBOL}&range=15m&resolution=1s&show=`);
  assert.ok(
    bars.items.some((b) => b.window_start === newest.window_start),
    `the window holds the bar in progress when the page opened (${newest.window_start}); its newest is ${bars.items.at(-1)?.window_start}`,
  );
  const first = (await state(page)).chart.lastCandle.time;
  const later = await waitFor('a newer candle from the stream', async () => {
    const s = await state(page);
    return s.chart.lastCandle.time > first && s.liveEvents > 0 ? s : null;
  });
  assert.equal(windowLoads, 1, 'the newer candle came from the stream, not another /bars load');
  assert.equal(await page.locator('#live').getAttribute('data-state'), 'on');
  assert.ok(later.chart.lastCandle.time > first);
  await shot(page, '2-live');
});

step('lag', 'the lag pill updates and shows the right colour', async (t) => {
  const page = await newPage(t);
  await open(page, `symbol=${SYMBOL}&range=15m&show=`);
  const pill = page.locator('#lag');
  const colour = () => pill.evaluate((e) => getComputedStyle(e).backgroundColor);
  // A live symbol is seconds behind: green. The pill follows /latest as it changes.
  const firstLag = await waitFor('a green pill', async () => (await pill.getAttribute('data-level')) === 'green' && pill.getAttribute('data-lag-ms'));
  await waitFor('the pill to update', async () => (await pill.getAttribute('data-lag-ms')) !== firstLag);
  assert.equal(await colour(), PILL_COLOURS.green);
  assert.match(await pill.textContent(), /^lag \d/);
  await shot(page, '3-lag-green');
  // The thresholds (60 s, 180 s), with /latest's answer rewritten on its way to the page.
  for (const [lagMs, level, text] of [[90_000, 'amber', 'lag 90 s'], [200_000, 'red', 'lag 3 min'], [59_999, 'green', 'lag 60 s']]) {
    await page.unroute('**/api/torghut/ta/latest?*');
    await page.route('**/api/torghut/ta/latest?*', async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      assert.ok(body.bars, 'the real /latest has bars');
      await route.fulfill({ response: res, json: { ...body, lag_ms: lagMs } });
    });
    await waitFor(`a ${level} pill`, async () => (await pill.getAttribute('data-lag-ms')) === String(lagMs));
    assert.equal(await pill.getAttribute('data-level'), level);
    assert.equal(await colour(), PILL_COLOURS[level]);
    assert.equal(await pill.textContent(), text);
    await shot(page, `3-lag-${level}-${lagMs}`);
  }
});

step('no-data', 'a symbol without data shows the no-data message', async (t) => {
  const page = await newPage(t);
  await open(page, 'symbol=ZZZZ&range=1h&show=');
  assert.equal((await state(page)).status, 'no-data');
  assert.match(await page.locator('#nodata').textContent(), /^No data for ZZZZ/);
  assert.ok(await page.locator('#nodata').isVisible());
  assert.equal(await page.locator('#error').isVisible(), false, 'no data is not an error');
  assert.equal((await state(page)).chart.candles, 0);
  await shot(page, '4-no-data-url');
  // The same through the symbol picker, and back to a symbol with data.
  await open(page, `symbol=${SYMBOL}&range=15m&show=`);
  await page.locator('#symbol').fill('qqqq9');
  await page.locator('#symbol').press('Enter');
  await page.waitForFunction(() => window.torghutVisuals.state().status === 'no-data');
  assert.match(await page.locator('#nodata').textContent(), /^No data for QQQQ9/);
  // Nothing of the previous symbol's lag stays: the pill has no colour without data.
  await waitFor('a grey pill', async () => (await page.locator('#lag').getAttribute('data-level')) === 'none');
  assert.equal(await page.locator('#lag').textContent(), 'lag –');
  assert.ok(new URL(page.url()).searchParams.get('symbol') === 'QQQQ9', 'the URL follows the picker');
  await shot(page, '4-no-data-picker');
  await page.locator('#symbol').fill(SYMBOL);
  await page.locator('#symbol').press('Enter');
  await page.waitForFunction(() => window.torghutVisuals.state().status === 'ready');
  assert.equal(await page.locator('#nodata').isVisible(), false);
});

step('error-banner', 'an API failure shows the error banner: bad symbol, blocked endpoint, store unavailable', async (t) => {
  const page = await newPage(t);
  const banner = page.locator('#error');
  // A symbol the API refuses: its 400 message is shown as it is.
  await open(page, 'symbol=BAD%21&range=15m&show=');
  assert.equal((await state(page)).status, 'error');
  assert.ok(await banner.isVisible());
  // (/bars and /signals are asked together; the banner names whichever refused first.)
  assert.match(await banner.textContent(), /^(bars|signals) for BAD!: symbol 'BAD!' must match \^\[A-Z0-9\._:-\]\{1,32\}\$/);
  await shot(page, '5-error-bad-symbol');

  // A blocked endpoint: no answer at all.
  await page.route('**/api/torghut/ta/bars?*', (route) => route.abort('connectionrefused'));
  await page.goto(`${base}/torghut/visuals?symbol=${SYMBOL}&range=15m&show=`);
  await page.waitForFunction(() => window.torghutVisuals.state().status === 'error');
  assert.ok(await banner.isVisible());
  assert.match(await banner.textContent(), new RegExp(`bars for ${SYMBOL}: the API did not answer`));
  await shot(page, '5-error-blocked');

  // The store down: 503 with the server's message.
  await page.unroute('**/api/torghut/ta/bars?*');
  await page.route('**/api/torghut/ta/signals?*', (route) =>
    route.fulfill({ status: 503, json: { ok: false, message: 'TA store unavailable: database is locked' } }));
  await page.selectOption('#range', '1h');
  await page.waitForFunction(() => window.torghutVisuals.state().status === 'error');
  assert.match(await banner.textContent(), /signals for AAPL: TA store unavailable: database is locked/);
  await shot(page, '5-error-503');

  // Once the API answers again, the banner goes away with the next load.
  await page.unroute('**/api/torghut/ta/signals?*');
  await page.selectOption('#range', '15m');
  await page.waitForFunction(() => window.torghutVisuals.state().status === 'ready');
  assert.equal(await banner.isVisible(), false);
});

step('toggles', 'toggling EMA, Bollinger, VWAP, MACD and RSI draws each from /signals', async (t) => {
  // MACD's signal line needs 34 bars of warm-up, the slowest of the five; the comparison below
  // is of final rows (they never change), so wait until some carry every field.
  await waitFor('final rows of warmed-up indicators', async () => {
    const now = Date.now();
    const s = await api(`/api/torghut/ta/signals?symbol=${SYMBOL}&from=${now - 900_000}&to=${now}`);
    const fields = Object.values(SIGNAL_FIELDS).flat();
    return s.items.some((r) => r.is_final && fields.every((f) => r[f] !== null));
  }, 180_000);
  const page = await newPage(t);
  const { signals } = await open(page, `symbol=${SYMBOL}&range=15m&resolution=1s&show=`);
  assert.equal((await state(page)).chart.panes, 1);
  for (const [indicator, fields] of Object.entries(SIGNAL_FIELDS)) {
    for (const f of fields) assert.deepEqual(await points(page, f), [], `${f} is not drawn before its toggle`);
    await page.locator(`#toggles input[data-indicator=${indicator}]`).check();
    const s = await state(page);
    assert.ok(s.view.shown.includes(indicator));
    assert.ok(new URL(page.url()).searchParams.get('show').split(',').includes(indicator), 'the URL keeps the toggle');
    for (const f of fields) {
      const drawn = new Map((await points(page, f)).map((p) => [p.time, p.value]));
      const finals = signals.items.filter((r) => r.is_final && r[f] !== null);
      assert.ok(finals.length > 0, `/signals has final ${f} values`);
      for (const r of finals) assert.equal(drawn.get(seconds(r.window_start)), r[f], `${f} at ${r.window_start}`);
    }
    const ownPane = indicator === 'macd' || indicator === 'rsi';
    await shot(page, `6-toggle-${indicator}`);
    const panesBefore = s.chart.panes;
    await page.locator(`#toggles input[data-indicator=${indicator}]`).uncheck();
    for (const f of fields) assert.deepEqual(await points(page, f), [], `${f} is removed with its toggle`);
    assert.equal((await state(page)).chart.panes, ownPane ? panesBefore - 1 : panesBefore);
  }
  // All on at once: MACD and RSI get a pane each below the candles.
  for (const indicator of Object.keys(SIGNAL_FIELDS)) await page.locator(`#toggles input[data-indicator=${indicator}]`).check();
  assert.equal((await state(page)).chart.panes, 3);
  await shot(page, '6-toggle-all');
});

step('markers', 'decisions and fills are markers on their candles, rejected ones hollow, reasons on hover', async (t) => {
  // Wait for the demo strategies' first fill on the symbol, then stop trading with the kill
  // switch: the decisions after it are rejected (kill_switch) and drawn hollow.
  const markersNow = () => api(`/api/torghut/trading/markers?symbol=${SYMBOL}&from=${Date.now() - 900_000}&to=${Date.now() + 1000}`);
  await waitFor('a fill on AAPL', async () => (await markersNow()).fills.length > 0, 180_000);
  const kill = await fetch(`${base}/trading/kill-switch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ on: true }),
  });
  assert.equal(kill.status, 200, 'the kill switch turns on');
  await waitFor('a decision rejected by the kill switch', async () =>
    (await markersNow()).decisions.some((d) => d.status === 'rejected' && d.risk_reasons.includes('kill_switch')), 180_000);

  const page = await newPage(t);
  const isMarkers = (r) => r.url().includes('/api/torghut/trading/markers?');
  const [answer] = await Promise.all([
    page.waitForResponse(isMarkers).then((r) => r.json()),
    open(page, `symbol=${SYMBOL}&range=15m&resolution=1s&show=`),
  ]);
  await page.waitForFunction(() => window.torghutVisuals.state().markerLoads > 0);
  const candles = new Set((await points(page, 'candles')).map((c) => c.time));
  const drawn = await page.evaluate(() => window.torghutVisuals.markers());
  const drawnById = new Map(drawn.map((m) => [m.id, m]));
  // Every fill and decision of the answer whose candle is drawn is a marker on that candle.
  let fills = 0;
  for (const f of answer.fills) {
    const time = seconds(f.filled_at);
    if (!candles.has(time)) continue;
    const m = drawnById.get(f.id);
    assert.ok(m, `fill ${f.id} at ${f.filled_at} is drawn`);
    assert.deepEqual([m.kind, m.time, m.side, m.hollow], ['fill', time, f.side, false], `fill ${f.id}`);
    fills++;
  }
  assert.ok(fills > 0, 'fills are drawn at their candles');
  let rejected = null;
  for (const d of answer.decisions) {
    const time = Math.floor((Date.parse(d.event_ts) - 1) / 1000);
    if (!candles.has(time)) continue;
    const m = drawnById.get(d.id);
    assert.ok(m, `decision ${d.id} (${d.status}) at ${d.event_ts} is drawn`);
    assert.deepEqual([m.kind, m.time, m.side, m.hollow], ['decision', time, d.action, d.status === 'rejected'], `decision ${d.id}`);
    if (d.status === 'rejected' && d.risk_reasons.includes('kill_switch')) rejected = { d, m };
  }
  assert.ok(rejected, 'a rejected decision is drawn');
  await shot(page, '7-markers');

  // Hovering a marker lists what its candle's markers stand for, with a rejection's reasons. Live
  // bars shift the chart under a still mouse, so the marker is found and hovered again until the
  // tip names its candle; only a marker inside the pane can be hovered.
  const box = await page.locator('#chart').boundingBox();
  const tip = page.locator('#marker-tip');
  // (x and y are in the candles' pane; the price scale takes ~60 px at the right, the time scale
  // ~30 px at the bottom.)
  const inside = (m) => m.x > 5 && m.x < box.width - 70 && m.y > 5 && m.y < box.height - 35;
  const killed = new Set(answer.decisions.filter((d) => d.risk_reasons.includes('kill_switch')).map((d) => d.id));
  const hoverable = (await page.evaluate(() => window.torghutVisuals.markers())).filter(
    (m) => m.kind === 'decision' && m.hollow && killed.has(m.id) && inside(m));
  assert.ok(hoverable.length > 0, 'a rejected decision is drawn inside the pane');
  rejected = { d: answer.decisions.find((d) => d.id === hoverable[0].id), m: hoverable[0] };
  await waitFor('the hover tip of the rejected decision', async () => {
    const m = (await page.evaluate(() => window.torghutVisuals.markers())).find((x) => x.id === rejected.m.id);
    if (!m) return false;
    await page.mouse.move(box.x + m.x, box.y + m.y);
    rejected.m = m;
    return (await tip.getAttribute('data-time')) === String(m.time);
  });
  const text = await tip.textContent();
  assert.match(text, new RegExp(`${rejected.d.action.toUpperCase()} ${rejected.d.qty} · ${rejected.d.strategy_id} · rejected`));
  assert.match(text, /reasons: .*kill_switch/);
  assert.equal(await tip.locator('[data-hollow=true]').count() > 0, true);
  await shot(page, '7-markers-hover');

  // A decision's link (`at` its bar, as the trading page makes it) opens the window around that
  // bar, with the decision's marker on it.
  const linked = answer.decisions.find((d) => d.status !== 'rejected') ?? rejected.d;
  await open(page, `symbol=${SYMBOL}&range=15m&at=${encodeURIComponent(linked.event_ts)}`);
  const s = await state(page);
  assert.equal(s.view.at, Date.parse(linked.event_ts));
  await page.waitForFunction(() => window.torghutVisuals.state().markerLoads > 0);
  const at = (await page.evaluate(() => window.torghutVisuals.markers())).find((m) => m.id === linked.id);
  assert.ok(at, `the linked decision ${linked.id} is drawn`);
  assert.ok(at.x >= 0 && at.x <= box.width, `its marker is inside the chart (x ${at.x} of ${box.width})`);
  await shot(page, '7-markers-linked');
});

runSteps();
