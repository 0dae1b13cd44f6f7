// Seeded randomness shared by generate.js and bench.js, so inputs are reproducible without a
// library: mulberry32 for uniforms, Box–Muller for normals.
'use strict';

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gauss(r) {
  const u = Math.max(r(), 1e-12), v = r();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

const round2 = (x) => Math.round(x * 100) / 100;  // prices on a cent grid, like real quotes

// A geometric random walk of `n` cent-rounded closes.
function randomWalk(seed, n, start, sigma) {
  const r = rng(seed), out = [];
  let p = start;
  for (let i = 0; i < n; i++) {
    p *= Math.exp(sigma * gauss(r));
    out.push(round2(p));
  }
  return out;
}

module.exports = {rng, gauss, round2, randomWalk};
