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
import { writeSummaryCsv } from './summary_csv.mjs';
import { App, JOB_MS } from './pages.mjs';

const N = 20000;

// A customer summary CSV (mulberry32, seed 2024, as tests/bench/segment_pool.mjs).
function summaryFile() {
  return writeSummaryCsv(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crm-split-')), `split_summary_${N}.csv`), N);
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
    await page.getByTestId('segment-count').filter({ hasText: `${N.toLocaleString('en-US')} of ${N.toLocaleString('en-US')} customers` }).waitFor({ timeout: JOB_MS });
    const before = workers;
    await page.getByTestId('run-kmeans').click();
    await page.getByTestId('kmeans-summary').filter({ hasText: `on ${N.toLocaleString('en-US')} customers` }).waitFor({ timeout: JOB_MS });
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
