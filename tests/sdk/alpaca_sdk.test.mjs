// Alpaca's own JS SDK (@alpacahq/alpaca-trade-api 4.0.2, tests/sdk/package.json) as an
// independent client of `torghut sim serve` (SPEC §10: Alpaca's client libraries work against it
// unchanged): the trading REST API (account, clock, assets, orders created, read, listed and
// canceled, by client order id, positions after a fill, Alpaca's errors), trade updates over the
// SDK's trading stream, and the SDK's market-data stream, which speaks msgpack.
//
//   TORGHUT_BIN=build/…/torghut node --test tests/sdk/alpaca_sdk.test.mjs
//
// The SDK is pointed at the simulator the way its options allow: `basePath` on the REST
// configurations, `url` on the streams (the SDK's defaults are Alpaca's hosts). scripts/setup.sh
// installs the SDK from the committed lockfile.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { OrdersApi, streaming, trading, ValidationError, NotFoundError, AuthError } from '@alpacahq/alpaca-trade-api';

const BIN = process.env.TORGHUT_BIN;
const KEY = 'sim-key';
const SECRET = 'sim-secret';
const credentials = { keyId: KEY, secret: SECRET };

let sim; // the `torghut sim serve` process
let simExit = null;
let simLog = '';
let host; // 127.0.0.1:PORT
let config; // trading REST configuration for the simulator

// Polls `check` until it returns a truthy value or `ms` pass.
async function waitFor(what, check, ms = 20_000) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    if (simExit) throw new Error(`torghut sim serve exited (${simExit}) while waiting for ${what}\n${simLog}`);
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  assert.ok(BIN, 'TORGHUT_BIN must name the torghut binary');
  // A session's first minutes (2024-01-02 09:30 ET) at real speed: the market is open.
  sim = spawn(BIN, ['sim', 'serve', '--port', '0', '--symbols', 'AAPL,MSFT', '--rate', '20',
    '--start', '2024-01-02T14:30:00Z'], { stdio: ['ignore', 'pipe', 'pipe'] });
  sim.on('exit', (code, signal) => { simExit = `code ${code}, signal ${signal}`; });
  sim.stderr.on('data', (d) => { simLog += d; });
  const lines = readline.createInterface({ input: sim.stdout });
  host = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no address from sim serve\n${simLog}`)), 30_000);
    lines.on('line', (line) => {
      const m = /REST http:\/\/(\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  config = new trading.Configuration({ ...credentials, basePath: `http://${host}`, timeoutMs: 10_000 });
});

after(async () => {
  if (sim && !simExit) {
    const exited = new Promise((r) => sim.on('exit', r));
    sim.kill('SIGTERM');
    await exited;
  }
});

test('account, clock and assets', async () => {
  const account = await new trading.AccountsApi(config).getAccount();
  assert.equal(account.status, 'ACTIVE');
  assert.equal(account.currency, 'USD');
  assert.equal(account.cash, '100000');
  assert.equal(account.buyingPower, '100000');
  const clock = await new trading.ClockApi(config).legacyClock();
  assert.equal(clock.isOpen, true);
  assert.equal(clock.nextClose.toISOString(), '2024-01-02T21:00:00.000Z');
  assert.equal(clock.nextOpen.toISOString(), '2024-01-03T14:30:00.000Z');
  assert.ok(clock.timestamp instanceof Date && clock.timestamp.getUTCFullYear() === 2024);
  const asset = await new trading.AssetsApi(config).getV2AssetsSymbolOrAssetId({ symbolOrAssetId: 'AAPL' });
  assert.equal(asset.symbol, 'AAPL');
  assert.equal(asset.tradable, true);
  await assert.rejects(new trading.AssetsApi(config).getV2AssetsSymbolOrAssetId({ symbolOrAssetId: 'ZZZZ' }),
    (e) => e instanceof NotFoundError && e.status === 404);
  // Other keys: the SDK's authentication error.
  const wrong = new trading.Configuration({ keyId: 'x', secret: 'y', basePath: `http://${host}` });
  await assert.rejects(new trading.AccountsApi(wrong).getAccount(),
    (e) => e instanceof AuthError && e.status === 401 && e.code === 40110000);
});

test('orders: create, get, by client order id, list, cancel, errors; positions after a fill', async () => {
  const orders = new OrdersApi(config);
  const cid = `sdk-${Date.now()}`;
  const created = await orders.market({ symbol: 'AAPL', qty: 3, side: 'buy', clientOrderId: cid });
  assert.equal(created.status, 'new');
  assert.equal(created.qty, '3');
  assert.equal(created.clientOrderId, cid);
  assert.equal(created.type, 'market');
  assert.equal(created.timeInForce, 'day');
  const filled = await waitFor('the market order to fill', async () => {
    const o = await orders.getOrderByOrderID({ orderId: created.id });
    return o.status === 'filled' ? o : null;
  });
  assert.equal(filled.filledQty, '3');
  assert.ok(Number(filled.filledAvgPrice) > 0);
  assert.ok(filled.filledAt instanceof Date);
  const byCid = await orders.getOrderByClientOrderId({ clientOrderId: cid });
  assert.equal(byCid.id, created.id);
  // The same client order id again: Alpaca's 422.
  await assert.rejects(orders.market({ symbol: 'AAPL', qty: 1, side: 'buy', clientOrderId: cid }),
    (e) => e instanceof ValidationError && e.status === 422 && e.code === 40010001);
  // More than is held, shorting off: 403.
  await assert.rejects(orders.market({ symbol: 'AAPL', qty: 50, side: 'sell' }),
    (e) => e.status === 403 && /insufficient qty available/.test(e.message));

  const positions = await new trading.PositionsApi(config).getAllOpenPositions();
  const aapl = positions.find((p) => p.symbol === 'AAPL');
  assert.ok(aapl, JSON.stringify(positions));
  assert.equal(aapl.qty, '3');
  assert.equal(aapl.avgEntryPrice, filled.filledAvgPrice);
  assert.equal(aapl.side, 'long');
  const one = await new trading.PositionsApi(config).getOpenPosition({ symbolOrAssetId: 'AAPL' });
  assert.equal(one.qty, '3');

  // A resting limit order, listed as open, then canceled.
  const resting = await orders.limit({ symbol: 'MSFT', qty: 1, side: 'buy', limitPrice: 1.25, timeInForce: 'gtc' });
  assert.equal(resting.limitPrice, '1.25');
  const open = await orders.getAllOrders({ status: 'open', symbols: ['MSFT'] });
  assert.deepEqual(open.map((o) => o.id), [resting.id]);
  await orders.deleteOrderByOrderID({ orderId: resting.id });
  const canceled = await orders.getOrderByOrderID({ orderId: resting.id });
  assert.equal(canceled.status, 'canceled');
  assert.ok(canceled.canceledAt instanceof Date);
  const all = await orders.getAllOrders({ status: 'all', direction: 'asc', limit: 500 });
  assert.ok(all.some((o) => o.id === created.id) && all.some((o) => o.id === resting.id));
  await assert.rejects(orders.getOrderByOrderID({ orderId: 'no-such-order' }), (e) => e.status === 404);
});

test('trade updates over the SDK trading stream', async () => {
  const stream = new streaming.TradingStream({ credentials, url: `ws://${host}/stream`, reconnect: false });
  const updates = [];
  const errors = [];
  stream.onTradeUpdate((u) => updates.push(u));
  stream.onError((e) => errors.push(e));
  const listening = new Promise((resolve) => stream.on(streaming.EVENT.SUBSCRIPTION, resolve));
  stream.subscribeTradeUpdates();
  stream.connect();
  try {
    const auth = await stream.waitForAuthenticationResult(10_000);
    assert.equal(auth.authenticated, true, JSON.stringify(auth));
    assert.deepEqual(await listening, ['trade_updates']);
    const cid = `sdk-tu-${Date.now()}`;
    const order = await new OrdersApi(config).market({ symbol: 'MSFT', qty: 2, side: 'buy', clientOrderId: cid });
    const fill = await waitFor('a fill event', () =>
      updates.find((u) => u.event === 'fill' && u.order.clientOrderId === cid));
    const events = updates.filter((u) => u.order.id === order.id).map((u) => u.event);
    assert.deepEqual(events, ['new', 'fill']);
    assert.equal(fill.qty, '2');
    assert.equal(fill.positionQty, '2');
    assert.ok(Number(fill.price) > 0);
    assert.ok(fill.executionId);
    assert.ok(fill.timestamp instanceof Date);
    assert.equal(fill.order.status, 'filled');
    assert.deepEqual(errors, []);
  } finally {
    stream.disconnect();
  }
});

test('the market-data stream in msgpack: subscribe to trades, see some', async () => {
  const stream = new streaming.StockDataStream({ credentials, url: `ws://${host}/v2/iex`, reconnect: false });
  const trades = [];
  const errors = [];
  stream.onTrade((t) => trades.push(t));
  stream.onError((e) => errors.push(e));
  stream.onConnect(() => stream.subscribeForTrades(['AAPL']));
  stream.connect();
  try {
    const auth = await stream.waitForAuthenticationResult(10_000);
    assert.equal(auth.authenticated, true, JSON.stringify(auth));
    await waitFor('20 trades', () => trades.length >= 20);
    for (const t of trades) {
      assert.equal(t.symbol, 'AAPL');
      assert.ok(t.price > 0 && t.size > 0, JSON.stringify(t));
      // The time came as msgpack's timestamp extension: nanoseconds kept, a real Date.
      assert.match(t.timestampRaw, /^2024-01-02T14:\d\d:\d\d\.\d{9}Z$/);
      assert.ok(t.timestamp instanceof Date);
    }
    assert.deepEqual(stream.getSubscriptions().trades, ['AAPL']);
    // The simulator saw a msgpack client (the SDK upgrades with Content-Type: application/msgpack).
    const status = await (await fetch(`http://${host}/sim/status`)).json();
    assert.ok(status.connections.some((c) => c.msgpack && c.authenticated), JSON.stringify(status.connections));
    assert.deepEqual(errors, []);
  } finally {
    stream.disconnect();
  }
});
