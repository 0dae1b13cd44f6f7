// Writes tests/golden/talib/<series>.csv: five deterministic close series and what TA-Lib (the
// reference implementation, via the `talib` npm package that bundles its C source) computes for
// EMA(12), EMA(26), RSI(14), BBANDS(20, 2, 2, SMA) and MACD(12, 26, 9) on them.
//
//   cd tools/talib-golden && npm ci && node generate.js
//
// Values TA-Lib leaves undefined (before its begIndex) are empty cells. Numbers are written with
// 17 significant digits so that they read back to the same doubles.
'use strict';
const fs = require('fs');
const path = require('path');
const talib = require('talib');

const {rng, gauss, round2, randomWalk} = require('./series');

const series = {
  trending: (() => {
    const r = rng(1), out = [];
    for (let i = 0; i < 600; i++) out.push(round2(50 + 0.08 * i + 0.4 * gauss(r)));
    return out;
  })(),
  mean_reverting: (() => {  // Ornstein–Uhlenbeck around 100
    const r = rng(2), out = [];
    let x = 100;
    for (let i = 0; i < 600; i++) {
      x += 0.15 * (100 - x) + 0.8 * gauss(r);
      out.push(round2(x));
    }
    return out;
  })(),
  flat: Array.from({length: 500}, () => 100.0),
  stepwise: (() => {  // constant levels with jumps every 37 bars
    const r = rng(3), out = [];
    let level = 20;
    for (let i = 0; i < 600; i++) {
      if (i % 37 === 0 && i > 0) level = round2(level + (r() - 0.45) * 4);
      out.push(level);
    }
    return out;
  })(),
  // geometric Brownian motion, 1-second bars of a volatile stock
  random_walk: randomWalk(4, 2500, 187.25, 0.0008),
};

function run(name, inReal, opts) {
  const res = talib.execute(Object.assign({name, startIdx: 0, endIdx: inReal.length - 1, inReal}, opts));
  if (res.error) throw new Error(name + ': ' + res.error);
  return res;
}
// A full-length column: undefined before begIndex.
function column(res, key, n) {
  const col = new Array(n).fill(undefined);
  res.result[key].forEach((v, i) => { col[res.begIndex + i] = v; });
  return col;
}

const outDir = path.join(__dirname, '..', '..', 'tests', 'golden', 'talib');
fs.mkdirSync(outDir, {recursive: true});
for (const [name, closes] of Object.entries(series)) {
  const n = closes.length;
  const ema12 = column(run('EMA', closes, {optInTimePeriod: 12}), 'outReal', n);
  const ema26 = column(run('EMA', closes, {optInTimePeriod: 26}), 'outReal', n);
  const rsi = column(run('RSI', closes, {optInTimePeriod: 14}), 'outReal', n);
  const bb = run('BBANDS', closes, {optInTimePeriod: 20, optInNbDevUp: 2, optInNbDevDn: 2, optInMAType: 0});
  const macd = run('MACD', closes, {optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 9});
  const cols = [
    ['close', closes], ['ema12', ema12], ['ema26', ema26], ['rsi14', rsi],
    ['boll_upper', column(bb, 'outRealUpperBand', n)], ['boll_mid', column(bb, 'outRealMiddleBand', n)],
    ['boll_lower', column(bb, 'outRealLowerBand', n)], ['macd', column(macd, 'outMACD', n)],
    ['macd_signal', column(macd, 'outMACDSignal', n)], ['macd_hist', column(macd, 'outMACDHist', n)],
  ];
  const lines = [cols.map((c) => c[0]).join(',')];
  for (let i = 0; i < n; i++) {
    lines.push(cols.map(([, c]) => (c[i] === undefined ? '' : Number(c[i]).toPrecision(17))).join(','));
  }
  fs.writeFileSync(path.join(outDir, name + '.csv'), lines.join('\n') + '\n');
  console.log(`${name}: ${n} bars`);
}
