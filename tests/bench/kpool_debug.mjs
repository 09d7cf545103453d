// Debug run (not a test): the Segments page's k-means on the sample data with the split forced
// (localStorage crm-split=always, crm-debug=1), printing the console of the page and of every
// worker (the pool workers included) until the k-means summary shows or TIMEOUT ms pass.
// Usage: SPLIT=always|never TIMEOUT=120000 [FILE=path] node tests/bench/kpool_debug.mjs
import assert from 'node:assert/strict';
import { start } from '../e2e/harness.mjs';

const split = process.env.SPLIT || 'always';
const timeout = Number(process.env.TIMEOUT || 120000);
const h = await start();
const t0 = Date.now();
const log = (who, m) => console.log(`${String(Date.now() - t0).padStart(6)} ${who} ${m.type()}: ${m.text()}`);
await h.context.addInitScript((s) => { localStorage.setItem('crm-split', s); localStorage.setItem('crm-debug', '1'); }, split);
const { page } = h;
page.on('console', (m) => log('page', m));
let n = 0;
page.on('worker', (w) => { const id = `worker${n++}`; console.log(`${Date.now() - t0} ${id} started ${w.url().slice(0, 60)}`); w.on('console', (m) => log(id, m)); w.on('close', () => console.log(`${Date.now() - t0} ${id} closed`)); });
if (process.env.FILE) {
  // A file of your own (e.g. a summary CSV from segment_pool.mjs) instead of the sample data.
  await h.open('#/');
  await page.getByTestId('n-customers').waitFor({ timeout: 90000 });
  await page.getByTestId('file-input').setInputFiles(process.env.FILE);
  await page.getByTestId('source-transactions').locator('h3', { hasText: process.env.FILE.split('/').pop() }).waitFor({ timeout: 600000 });
  await page.getByTestId('nav-segments').click();
} else {
  await h.open('#/segments');
}
await page.getByTestId('segment-count').waitFor({ timeout: 600000 });
console.log('--- segments shown; running k-means');
await page.getByTestId('run-kmeans').click();
try {
  await page.getByTestId('kmeans-summary').waitFor({ timeout });
  console.log('--- summary:', await page.getByTestId('kmeans-summary').innerText());
} catch (e) {
  console.log('--- no summary:', e.message.split('\n')[0]);
  console.log(await page.locator('[data-testid="main"]').innerText().then((t) => t.slice(0, 1500)));
}
await h.stop(assert).catch((e) => console.log('stop:', e.message));
