// What the browser end-to-end tests share: a real `torghut up` (simulated market → forwarder →
// embedded bus → TA → SQLite → trader → read API + UI) on a free port, Debian's chromium driven by
// playwright-core, pages that fail their test on a console error, screenshots, polling with a
// deadline, and the runbook's steps (E2E_STEP=<id> runs one; ctest runs each as its own test).
//
//   import { api, base, e2e, newPage, shot, step, runSteps, waitFor } from './support.mjs';
//   e2e({ page: 'index.html', ready: () => waitFor('bars', async () => (await api('/api/…')).bars) });
//   step('candles', 'candles render', async (t) => { const page = await newPage(t); … });
//   runSteps();
//
// Environment: TORGHUT_BIN (required), TORGHUT_WEB_DIR (default web/dist), CHROMIUM (default
// /usr/bin/chromium), E2E_ARTIFACTS (screenshots and the server's log; default
// tests/artifacts/e2e), E2E_STEP (run one step only).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const here = path.dirname(new URL(import.meta.url).pathname);
export const root = path.resolve(here, '../..');
// playwright-core is a dependency of the UI's package (web/package.json, committed lockfile).
const { chromium } = createRequire(path.join(root, 'web/package.json'))('playwright-core');

const BIN = process.env.TORGHUT_BIN;
const WEB_DIR = process.env.TORGHUT_WEB_DIR ?? path.join(root, 'web/dist');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = process.env.E2E_ARTIFACTS ?? path.join(root, 'tests/artifacts/e2e');

// Set by e2e()'s `before`: the server's http://127.0.0.1:PORT, and the browser.
export let base;
export let browser;
let up; // the torghut up process
let upExited = null;
let dataDir;

// Starts `torghut up` and chromium before the file's tests, stops both after them:
// `symbols` to simulate, `page` the built HTML file the tests need, `env` added to up's
// environment, `ready` an async check that the data the tests start from is there.
export function e2e({ symbols = ['AAPL', 'MSFT'], page = 'index.html', env = {}, ready = async () => {} } = {}) {
  before(async () => {
    assert.ok(BIN, 'TORGHUT_BIN must name the torghut binary');
    assert.ok(fs.existsSync(path.join(WEB_DIR, page)), `the UI is not built in ${WEB_DIR} (scripts/setup.sh builds it)`);
    assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing (scripts/setup.sh installs chromium)`);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'torghut-e2e-'));
    up = spawn(BIN, ['up', '--port', '0', '--data-dir', dataDir, '--symbols', symbols.join(','), '--rate', '20'], {
      env: { ...process.env, TORGHUT_WEB_DIR: WEB_DIR, TORGHUT_HTTP_ACCESS_LOG: 'false', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    up.on('exit', (code, signal) => (upExited = signal ?? String(code)));
    const logName = `torghut-up-${process.env.E2E_STEP ?? 'all'}.log`;
    const log = fs.createWriteStream(path.join(ARTIFACTS, logName));
    up.stderr.pipe(log);
    base = await new Promise((resolve, reject) => {
      const lines = readline.createInterface({ input: up.stdout });
      lines.on('line', (line) => {
        log.write(line + '\n');
        const m = line.match(/UI\s+(http:\/\/[^/]+)\/torghut\/visuals/);
        if (m) resolve(m[1]);
      });
      up.on('exit', () => reject(new Error(`torghut up exited (${upExited}); see ${ARTIFACTS}/${logName}`)));
    });
    await ready();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
  });

  after(async () => {
    await browser?.close();
    if (up && !upExited) {
      const exited = new Promise((r) => up.once('exit', r));
      up.kill('SIGTERM');
      await exited;
      assert.equal(upExited, '0', 'torghut up exits 0 on SIGTERM');
    }
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });
}

// Polls `check` (which returns a truthy value when done) until it holds or `ms` pass; the last
// error `check` threw is named in the timeout's message.
export async function waitFor(what, check, ms = 60_000) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    if (upExited) throw new Error(`torghut up exited (${upExited}) while waiting for ${what}`);
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// One GET of the server's API, as JSON (error answers included: they are JSON too).
export async function api(p) {
  const r = await fetch(base + p);
  return r.json();
}

// A page whose test fails if it logged an error (a failed resource load aside: the error-banner
// steps make requests fail on purpose). Closed after the test.
export async function newPage(t, viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport });
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.stack ?? e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
  });
  t.after(async () => {
    await page.close();
    assert.deepEqual(problems, [], 'the page logged errors');
  });
  return page;
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

// The runbook's steps, in order; runSteps() registers them (or only E2E_STEP's) with node:test.
const steps = [];
export const step = (id, name, fn) => steps.push({ id, name, fn });

export function runSteps() {
  const only = process.env.E2E_STEP;
  if (only && !steps.some((s) => s.id === only)) {
    throw new Error(`E2E_STEP=${only} names no step (${steps.map((s) => s.id).join(', ')})`);
  }
  for (const s of steps) if (!only || s.id === only) test(s.name, s.fn);
}
