// The Segments page's k-means search split across workers (src/ui/hooks/kpool.rs) gives the
// same result as one worker: a generated summary of 20,000 customers, k-means run with the split
// turned off (localStorage crm-split=never: no extra worker starts) and forced on with three
// cores (crm-split=always, navigator.hardwareConcurrency = 3: two pool workers start beside the
// main one); the summary line (k, best k, customers), every cluster's size and profile and the
// silhouette curve are the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { start } from './harness.mjs';
import { App, JOB_MS } from './pages.mjs';

const N = 20000;

// A customer summary CSV (mulberry32, seed 2024, as tests/bench/segment_pool.mjs).
function summaryFile() {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crm-split-')), `split_summary_${N}.csv`);
  let seed = 2024;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let out = 'customer_id,frequency,recency,T,monetary_value\n';
  for (let i = 0; i < N; i++) {
    const T = 1 + Math.floor(rand() * 104 * 7) / 7;
    const x = rand() < 0.6 ? 0 : 1 + Math.floor(rand() * 39);
    const tx = x === 0 ? 0 : Math.floor(rand() * T * 7) / 7;
    const m = x === 0 ? 0 : 5 + rand() * 195;
    out += `C${String(i).padStart(7, '0')},${x},${tx.toFixed(4)},${T.toFixed(4)},${m.toFixed(2)}\n`;
  }
  fs.writeFileSync(file, out);
  return file;
}

async function kmeans(file, split, cores) {
  const h = await start();
  try {
    await h.context.addInitScript(({ split, cores }) => {
      localStorage.setItem('crm-split', split);
      if (cores) Object.defineProperty(navigator, 'hardwareConcurrency', { get: () => cores });
    }, { split, cores });
    const app = new App(h);
    const { page } = app;
    let workers = 0;
    page.on('worker', () => { workers += 1; });
    await app.open('#/');
    // A fresh browser opens the sample data first.
    await page.getByTestId('n-customers').waitFor({ timeout: JOB_MS });
    await page.getByTestId('file-input').setInputFiles(file);
    await page.getByTestId('source-transactions').locator('h3', { hasText: path.basename(file) }).waitFor({ timeout: JOB_MS });
    await app.nav('segments');
    await page.getByTestId('segment-count').filter({ hasText: `${N} of ${N} customers` }).waitFor({ timeout: JOB_MS });
    const before = workers;
    await page.getByTestId('run-kmeans').click();
    await page.getByTestId('kmeans-summary').filter({ hasText: `on ${N} customers` }).waitFor({ timeout: JOB_MS });
    await page.getByTestId('silhouette-curve').waitFor();
    const result = {
      summary: await app.figure('kmeans-summary'),
      profiles: await app.rows('cluster-profiles').allInnerTexts(),
      curve: await app.figure('silhouette-curve'),
      extra: workers - before,
    };
    await h.stop(assert);
    return result;
  } catch (e) {
    await h.stop(assert).catch(() => {});
    throw e;
  }
}

test('the split k-means search shows the segments of one worker', async () => {
  const file = summaryFile();
  const one = await kmeans(file, 'never');
  const split = await kmeans(file, 'always', 3);
  assert.equal(one.extra, 0, 'no pool worker with the split off');
  assert.equal(split.extra, 2, 'two pool workers with the split on and 3 cores');
  const k = Number(one.summary.match(/^(\d+) clusters \(best k by silhouette: (\d+)\)/)?.[1]);
  assert.ok(k >= 2 && k <= 10, `a k was chosen: ${one.summary}`);
  assert.equal(one.profiles.length, k, 'one profile row per cluster');
  assert.equal(split.summary, one.summary);
  assert.deepEqual(split.profiles, one.profiles);
  assert.equal(split.curve, one.curve);
});
