// Manual check (not a test): import a large transaction log, then open Lifetime value and time
// the fit to the page, reporting main-thread blocks (the freezes a user would feel).
// Usage: node tests/bench/ltv_large.mjs FILE   (after `trunk build --release`)
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { start } from '../e2e/harness.mjs';

const file = process.argv[2];
if (!file || !fs.existsSync(file)) throw new Error('usage: node tests/bench/ltv_large.mjs FILE');
const h = await start(process.env.ROOT ? { root: path.resolve(process.env.ROOT) } : {}); // ROOT: another built site
await h.context.addInitScript(() => localStorage.setItem('crm-debug', '1')); // the app's timing lines (worker::log)
await h.page.addInitScript(() => {
  window.__long = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push([Math.round(e.startTime), Math.round(e.duration)]); })
    .observe({ type: 'longtask', buffered: true });
});
h.page.on('console', (m) => { if (process.env.VERBOSE && m.type() === 'debug' && !m.text().includes('slice of')) console.log(`  ${m.text()}`); });
h.page.on('worker', (w) => w.on('console', (m) => { if (process.env.VERBOSE && m.type() === 'debug' && !m.text().includes('slice of')) console.log(`  ${m.text()}`); }));
await h.open('#/'); // the Data page (a visit with data opens on Overview)
await h.page.getByTestId('n-customers').waitFor({ timeout: 60000 });
await h.page.getByTestId('file-input').setInputFiles(file);
await h.page.getByTestId('source-transactions').locator('h3', { hasText: path.basename(file) }).waitFor({ timeout: 600000 });
const blocks = async (since) => {
  const t = await h.page.evaluate((s) => s - performance.timeOrigin, since);
  const long = (await h.page.evaluate(() => window.__long)).filter(([s]) => s >= t);
  return `main-thread blocks over 50 ms: ${long.length}, longest ${long.reduce((a, [, d]) => Math.max(a, d), 0)} ms, total ${long.reduce((a, [, d]) => a + d, 0)} ms (at ms: ${long.map(([s, d]) => `${Math.round(s - t)}+${d}`).join(' ')})`;
};
const t0 = Date.now();
await h.page.getByTestId('nav-lifetime-value').click();
await h.page.getByTestId('param-r').waitFor({ timeout: 600000 });
const fitted = (Date.now() - t0) / 1000;
await h.page.getByTestId('chart-holdout').waitFor({ timeout: 600000 }).catch(() => {});
const all = (Date.now() - t0) / 1000;
await new Promise((r) => setTimeout(r, 1500));
const fit = await h.page.getByTestId('fit-seconds').innerText().catch(() => '-');
console.log(`Lifetime value: parameters on screen after ${fitted.toFixed(1)} s, validation after ${all.toFixed(1)} s (${fit}); ${await blocks(t0)}`);
const t1 = Date.now();
await h.page.locator('[data-testid="clv-table"] tbody tr').first().click();
await h.page.getByTestId('detail-history').waitFor({ timeout: 120000 });
console.log(`a customer's purchase history after ${((Date.now() - t1) / 1000).toFixed(2)} s; ${await blocks(t1)}`);
await h.stop(assert).catch((e) => console.log(String(e).slice(0, 500)));
