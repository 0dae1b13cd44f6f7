// TA-Lib's update cost per value, as the peer of bench/indicators_bench.cc: the same kind of
// 1 M-point random walk, each function run over the whole array several times; prints ns/value.
// The figures include the node binding's marshalling of the input and output arrays.
//
//   cd tools/talib-golden && npm ci && node bench.js
'use strict';
const talib = require('talib');

const n = 1000000;
const closes = require('./series').randomWalk(4, n, 187.25, 0.0008);

const cases = [
  ['EMA(12)', {name: 'EMA', optInTimePeriod: 12}],
  ['MACD(12,26,9)', {name: 'MACD', optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 9}],
  ['RSI(14)', {name: 'RSI', optInTimePeriod: 14}],
  ['BBANDS(20,2,2)', {name: 'BBANDS', optInTimePeriod: 20, optInNbDevUp: 2, optInNbDevDn: 2, optInMAType: 0}],
];
for (const [label, opts] of cases) {
  const args = Object.assign({startIdx: 0, endIdx: n - 1, inReal: closes}, opts);
  talib.execute(args);  // warm-up
  let best = Infinity;
  for (let rep = 0; rep < 5; rep++) {
    const t0 = process.hrtime.bigint();
    talib.execute(args);
    best = Math.min(best, Number(process.hrtime.bigint() - t0));
  }
  console.log(`${label.padEnd(16)} ${(best / n).toFixed(2)} ns/value (best of 5, incl. marshalling)`);
}
