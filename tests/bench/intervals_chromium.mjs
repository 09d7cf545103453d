// Benchmark (not a test): ranges on every value figure for 1,000,000 customers in headless
// Chromium, through the built app as a user does it: upload a generated (seeded) customer
// summary simulated from BG/NBD (the `lifetimes` columns, weeks, day resolution), open Lifetime
// value (BG/NBD is fitted on arrival), then time inside the page, from the click on "Compute
// ranges" to the ranges on screen:
//   - parameter draws (the main worker), `runs` times;
//   - the parametric bootstrap refitting `refits` times, the refits on the page's pool of web
//     workers and the ranges in the main worker, `bootRuns` times.
// The pool's size (navigator.hardwareConcurrency − 1, 1 to 8) is read from the progress line.
// Usage (after `trunk build --release`):
//   node tests/bench/intervals_chromium.mjs [customers] [runs] [refits] [bootRuns]
// Prints one JSON line per method: {"method", "customers", "seconds": [...], "median", ...}.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { start } from '../e2e/harness.mjs';

const n = Number(process.argv[2] || 1_000_000);
const runs = Number(process.argv[3] || 3);
const refits = String(process.argv[4] || 100);
const bootRuns = Number(process.argv[5] || 1);
const file = path.join(os.tmpdir(), `intervals_bgnbd_${n}.csv`);

if (!fs.existsSync(file)) {
  // BG/NBD with the CDNOW estimates (r=0.243, alpha=4.414, a=0.793, b=2.426), acquired over
  // 12 weeks and observed to week 39 (as tests/bench/clv_vs_lifetimes.py), times rounded to
  // whole days; spend per purchase Gamma(6.25) × 3. mulberry32: a small seeded generator.
  let seed = 2026;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
  const gamma = (k) => { // Marsaglia–Tsang, boosted below shape 1
    if (k < 1) return gamma(k + 1) * rand() ** (1 / k);
    const d = k - 1 / 3, c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const z = normal(), v = (1 + c * z) ** 3;
      if (v > 0 && Math.log(rand()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
    }
  };
  const out = fs.openSync(file, 'w');
  let buf = 'customer_id,frequency,recency,T,monetary_value\n';
  for (let i = 0; i < n; i++) {
    const T = Math.round((39 - rand() * 12) * 7) / 7;
    const lam = gamma(0.243) / 4.414;
    const ga = gamma(0.793), p = ga / (ga + gamma(2.426));
    let t = 0, x = 0, tx = 0;
    for (;;) {
      t += -Math.log(rand()) / Math.max(lam, 1e-12);
      if (t > T) break;
      x += 1; tx = t;
      if (rand() < p) break;
    }
    tx = Math.min(Math.round(tx * 7) / 7, T);
    const m = x > 0 ? gamma(6.25) * 3 : 0;
    buf += `C${String(i).padStart(7, '0')},${x},${tx.toFixed(4)},${T.toFixed(4)},${m.toFixed(2)}\n`;
    if (buf.length > 1 << 20) { fs.writeSync(out, buf); buf = ''; }
  }
  fs.writeSync(out, buf);
  fs.closeSync(out);
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const h = await start();
try {
  const { page } = h;
  await h.open('#/'); // the Data page (a visit with data opens on Overview)
  await page.getByTestId('n-customers').first().waitFor({ timeout: 60000 });
  await page.getByTestId('file-input').setInputFiles(file);
  await page.getByTestId('source-transactions').locator('h3', { hasText: path.basename(file) }).waitFor({ timeout: 600000 });
  const customers = (await page.getByTestId('source-transactions').getByTestId('n-customers').innerText()).trim();
  await h.open('#/lifetime-value');
  await page.getByTestId('fit-seconds').waitFor({ timeout: 600000 });
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  await page.evaluate(() => {
    window.benchStages = [];
    new MutationObserver(() => {
      const m = (document.querySelector('[data-testid="ranges"]')?.innerText || '').match(/Refit \d+ of \d+ on \d+ workers?/);
      if (m && window.benchStages.at(-1) !== m[0]) window.benchStages.push(m[0]);
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });

  // One timed run of `method` (0: draws; N: the bootstrap's refits): click, ranges on screen.
  const once = async (method, label) => {
    await page.getByTestId('interval-method').selectOption(method);
    const old = await page.getByTestId('ranges-method').elementHandle({ timeout: 100 }).catch(() => null);
    const t0 = Date.now();
    await page.getByTestId('compute-ranges').click();
    if (old) await old.waitForElementState('hidden', { timeout: 600000 });
    await page.locator(`[data-testid="ranges-method"][data-method="${label}"]`).waitFor({ timeout: 3600000 });
    return (Date.now() - t0) / 1000;
  };
  const report = async (method, seconds, extra = {}) => {
    const note = await page.getByTestId('ranges-method').innerText();
    const eq = page.getByTestId('equity-range');
    const equity = ['data-estimate', 'data-lower', 'data-upper'].map(async (a) => Number(await eq.getAttribute(a)));
    const notes = await page.getByTestId('ranges-note').allInnerTexts();
    console.log(JSON.stringify({
      method, customers, cores, seconds, median: median(seconds), equity: await Promise.all(equity), note, notes, ...extra,
    }));
  };

  const draws = [];
  for (let r = 0; r < runs; r++) draws.push(await once('0', 'Parameter draws'));
  await report('parameter draws', draws);

  const boot = [];
  for (let r = 0; r < bootRuns; r++) {
    await page.evaluate(() => { window.benchStages = []; });
    boot.push(await once(refits, 'Bootstrap'));
  }
  const stages = await page.evaluate(() => window.benchStages);
  await report(`bootstrap, ${refits} refits`, boot, { progress: [stages[0], stages.at(-1)] });
} finally {
  await h.stop(assert);
}
