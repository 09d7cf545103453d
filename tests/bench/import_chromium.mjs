// Benchmark (not a test): import and summarise a 1,000,000-row transaction log through the page
// in headless Chromium, from choosing the file to the summary on screen. The file is generated
// here (seeded), 200,000 customers over one year. The file is read in slices and imported by
// the worker as they arrive; VERBOSE=1 prints the page's and the worker's timings.
// Usage: [ROOT=dir] [RUNS=n] [PAUSE_MS=ms] node tests/bench/import_chromium.mjs [rows]   (after `trunk build --release`)
// PAUSE_MS: wait that long between the page showing its sample and choosing the file, as a user
// does (default 0: the file is chosen at once, as in every figure before the twenty-first session).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { start } from '../e2e/harness.mjs';

const rows = Number(process.argv[2] || 1_000_000);
const file = path.join(os.tmpdir(), `bench_${rows}.csv`);
if (!fs.existsSync(file)) {
  let seed = 42; // mulberry32: a small seeded generator with exact 32-bit arithmetic.
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const lines = ['customer_id,date,amount'];
  const start = Date.UTC(2024, 0, 1);
  for (let i = 0; i < rows; i++) {
    const c = Math.floor(rand() * rows / 5);
    const d = new Date(start + Math.floor(rand() * 365) * 86400000).toISOString().slice(0, 10);
    lines.push(`C${String(c).padStart(7, '0')},${d},${(5 + rand() * 95).toFixed(2)}`);
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}
const mb = (fs.statSync(file).size / 1e6).toFixed(1);
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(', ');
console.log(`load average before: ${load()}`);
const times = [];
const inPage = [];
const runs = Number(process.env.RUNS || 3); // RUNS=1: one run (to interleave two builds)
for (let run = 0; run < runs; run++) {
  const h = await start(process.env.ROOT ? { root: path.resolve(process.env.ROOT) } : {}); // ROOT: another built site
  await h.context.addInitScript(() => localStorage.setItem('crm-debug', '1')); // the app's timing lines (worker::log)
  if (process.env.VERBOSE) h.page.on('worker', (w) => w.on('console', (m) => { if (m.type() === 'debug') console.log('   ', m.text()); }));
  await h.open('#/'); // the Data page (a visit with data opens on Overview)
  await h.page.getByTestId('n-customers').waitFor({ timeout: 60000 });
  if (process.env.VERBOSE) {
    h.page.on('console', (m) => { if (m.type() === 'debug') console.log('   ', m.text()); });
  }
  await h.page.evaluate(() => {
    window.__long = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push([Math.round(e.startTime), Math.round(e.duration)]); })
      .observe({ type: 'longtask', buffered: true });
  });
  // Timed inside the page too: from the file input's change event (the user has chosen the
  // file) to the frame after the summary's heading appears, without Playwright's own time to
  // hand the file over and to notice the heading.
  const since = await h.page.evaluate((name) => {
    window.__chosen = window.__shown = null;
    document.addEventListener('change', () => { window.__chosen ??= performance.now(); }, { capture: true, once: true });
    const seen = () => [...document.querySelectorAll('[data-testid="source-transactions"] h3')].some((e) => e.textContent.includes(name));
    new MutationObserver((_, o) => {
      if (window.__chosen !== null && seen()) { o.disconnect(); requestAnimationFrame(() => { window.__shown = performance.now(); }); }
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
    return performance.now();
  }, path.basename(file));
  if (process.env.PAUSE_MS) await new Promise((r) => setTimeout(r, Number(process.env.PAUSE_MS)));
  const t0 = Date.now();
  await h.page.getByTestId('file-input').setInputFiles(file);
  await h.page.getByTestId('source-transactions').locator('h3', { hasText: path.basename(file) }).waitFor({ timeout: 600000 });
  times.push(Date.now() - t0);
  await h.page.waitForFunction(() => window.__shown !== null);
  inPage.push(Math.round(await h.page.evaluate(() => window.__shown - window.__chosen)));
  const n = await h.page.getByTestId('source-transactions').getByTestId('n-customers').innerText();
  await new Promise((r) => setTimeout(r, 1500)); // the saving that follows the summary
  const long = (await h.page.evaluate(() => window.__long)).filter(([s]) => s >= since);
  await h.stop(assert);
  const blocks = `main-thread blocks over 50 ms: ${long.length}, longest ${long.reduce((a, [, d]) => Math.max(a, d), 0)} ms`;
  console.log(`run ${run + 1}: ${times.at(-1)} ms (in the page, change event to the summary drawn: ${inPage.at(-1)} ms), ${n} customers; ${blocks}${process.env.VERBOSE ? ` ${JSON.stringify(long.map(([s, d]) => [s - Math.round(since), d]))}` : ''}`);
}
times.sort((a, b) => a - b);
inPage.sort((a, b) => a - b);
const median = (v) => v[Math.floor(v.length / 2)];
console.log(`${rows} rows (${mb} MB): median ${median(times)} ms from choosing the file to the summary on screen as Playwright sees it (runs: ${times.join(', ')} ms); inside the page, from the change event to the summary drawn: median ${median(inPage)} ms (runs: ${inPage.join(', ')} ms); load average after: ${load()}`);
