// Benchmark (not a test): RFM segmentation and k-means (k = 2..10, silhouette on a sample) on
// 1,000,000 customers in headless Chromium, through the built app as a user does it: upload a
// generated (seeded) customer-summary CSV (id, frequency, recency, T, monetary_value — the
// `lifetimes` columns, weeks), open the Segments page (RFM and the R×F map run in the worker),
// then click "Run k-means", then list the largest segment's customers and their next page. Import and segmentation are timed separately; the worker's own
// compute time is read from its console.debug "computed in N ms" lines. Each step also gives the
// page's main-thread blocks over 50 ms (Chromium's long-task entries). With PROFILE=1 a sampling
// profile of the page's main thread during the two steps is summed by function (self time); for
// function names serve a site whose wasm keeps its name section (ROOT=that folder).
// Usage: [PROFILE=1] [ROOT=dir] node tests/bench/segment_chromium.mjs [customers] [runs]
//        (after `trunk build --release`)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { start } from '../e2e/harness.mjs';
import { writeSummaryCsv } from '../e2e/summary_csv.mjs';

const n = Number(process.argv[2] || 1_000_000);
const runs = Number(process.argv[3] || 3);
const file = path.join(os.tmpdir(), `bench_summary_${n}.csv`);
if (!fs.existsSync(file)) writeSummaryCsv(file, n);
const mb = (fs.statSync(file).size / 1e6).toFixed(1);
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const rows = [];
for (let run = 0; run < runs; run++) {
  const h = await start(process.env.ROOT ? { root: path.resolve(process.env.ROOT) } : {});
  await h.context.addInitScript(() => localStorage.setItem('crm-debug', '1')); // the app's timing lines (worker::log)
  const { page } = h;
  await page.addInitScript(() => {
    window.__long = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push([Math.round(e.startTime), Math.round(e.duration)]); })
      .observe({ type: 'longtask', buffered: true });
  });
  const blocks = async (since) => {
    const t = await page.evaluate((s) => s - performance.timeOrigin, since);
    const long = (await page.evaluate(() => window.__long)).filter(([s]) => s >= t);
    return { n: long.length, max: long.reduce((a, [, d]) => Math.max(a, d), 0), total: long.reduce((a, [, d]) => a + d, 0) };
  };
  let cdp = null;
  const profileStart = async () => {
    if (!process.env.PROFILE) return;
    cdp = await h.context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
  };
  const profileStop = async (label) => {
    if (!cdp) return;
    const { profile } = await cdp.send('Profiler.stop');
    const counts = new Map();
    profile.samples.forEach((id, i) => counts.set(id, (counts.get(id) || 0) + (profile.timeDeltas[i] || 0)));
    const byId = new Map(profile.nodes.map((nd) => [nd.id, nd]));
    const self = new Map();
    for (const [id, us] of counts) {
      const nd = byId.get(id);
      const k = `${nd.callFrame.functionName || '(anon)'} ${nd.callFrame.url.split('/').at(-1)}`;
      self.set(k, (self.get(k) || 0) + us);
    }
    console.log(`  profile of the main thread, ${label} (self time):`);
    for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log((us / 1000).toFixed(1).padStart(9), 'ms', k.slice(0, 150));
    // With CALLERS=1: the call chains (up to 6 callers) of the 12 costliest functions.
    if (process.env.CALLERS) {
      const parent = new Map();
      for (const nd of profile.nodes) for (const c of nd.children || []) parent.set(c, nd.id);
      const name = (nd) => (nd.callFrame.functionName || '(anon)').replace(/::h[0-9a-f]{16}$/, '').slice(0, 90);
      const chains = new Map();
      for (const [id, us] of counts) {
        let nd = byId.get(id);
        const path = [name(nd)];
        for (let p = parent.get(id), i = 0; p && i < 6; p = parent.get(p), i++) path.push(name(byId.get(p)));
        const key = path.join(' < ');
        chains.set(key, (chains.get(key) || 0) + us);
      }
      for (const [k, us] of [...chains].filter(([k]) => !k.startsWith('(')).sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log((us / 1000).toFixed(1).padStart(9), 'ms', k);
    }
    await cdp.detach();
    cdp = null;
  };
  const computed = []; // worker compute times (ms), in job order
  page.on('console', (m) => {
    if (m.type() !== 'debug') return;
    if (process.env.VERBOSE) console.log('   ', m.text());
    const c = m.text().match(/computed in (\d+) ms/);
    if (c) computed.push(Number(c[1]));
  });
  await h.open('#/'); // the Data page (a visit with data opens on Overview)
  await page.getByTestId('n-customers').waitFor({ timeout: 60000 });

  // 1. Import (not part of the segmentation figure).
  let t0 = Date.now();
  await page.getByTestId('file-input').setInputFiles(file);
  await page.getByTestId('source-transactions').locator('h3', { hasText: path.basename(file) }).waitFor({ timeout: 600000 });
  const customers = Number((await page.getByTestId('source-transactions').getByTestId('n-customers').innerText()).replace(/,/g, ''));
  assert.equal(customers, n);
  const importMs = Date.now() - t0;
  const importWorker = computed.at(-1);

  // 2. RFM + R×F map: opening the Segments page starts it.
  let before = computed.length;
  await profileStart();
  t0 = Date.now();
  await page.getByTestId('nav-segments').click();
  await page.getByTestId('segment-count').filter({ hasText: `${n} of ${n} customers` }).waitFor({ timeout: 600000 });
  const rfmMs = Date.now() - t0;
  await new Promise((r) => setTimeout(r, 500));
  await profileStop('opening Segments');
  const rfmBlocks = await blocks(t0);
  const rfmWorker = computed.slice(before).reduce((a, b) => a + b, 0);

  // 3. RFM + k-means for k = 2..10 with the silhouette on a sample: "Run k-means".
  before = computed.length;
  await profileStart();
  t0 = Date.now();
  await page.getByTestId('run-kmeans').click();
  await page.getByTestId('kmeans-summary').filter({ hasText: `on ${n} customers` }).waitFor({ timeout: 600000 });
  await page.getByTestId('silhouette-curve').waitFor();
  const kmMs = Date.now() - t0;
  await new Promise((r) => setTimeout(r, 500));
  await profileStop('running k-means');
  const kmBlocks = await blocks(t0);
  const kmWorker = computed.slice(before).reduce((a, b) => a + b, 0);
  const summary = await page.getByTestId('kmeans-summary').innerText();

  // 4. A segment's customers: click the largest segment (its first page listed), then the
  // next page of them (only with the worker's pager: a base build pages on the page).
  await profileStart();
  t0 = Date.now();
  await page.locator('[data-testid="segment-table"] tbody tr').first().click();
  await page.getByTestId('segment-customers-card').waitFor({ timeout: 600000 });
  await page.locator('[data-testid="segment-customers"] tbody tr').first().waitFor({ timeout: 600000 });
  const next = page.getByTestId('customers-next');
  if (await next.count()) {
    await next.click();
    await page.getByTestId('customers-page').filter({ hasText: /^Page 2 of/ }).waitFor({ timeout: 600000 });
  } else {
    await page.locator('[data-testid="segment-customers"] .pager button').last().click();
    await page.locator('[data-testid="segment-customers"] .pager', { hasText: /Page 2 of/ }).waitFor({ timeout: 600000 });
  }
  const listMs = Date.now() - t0;
  await new Promise((r) => setTimeout(r, 500));
  await profileStop('listing a segment');
  const listBlocks = await blocks(t0);
  await h.stop(assert);
  rows.push({ importMs, importWorker, rfmMs, rfmWorker, kmMs, kmWorker, rfmMax: rfmBlocks.max, kmMax: kmBlocks.max, listMs, listMax: listBlocks.max });
  const b = (x) => `${x.n} blocks over 50 ms, longest ${x.max} ms, total ${x.total} ms`;
  console.log(`run ${run + 1}: import ${importMs} ms (worker ${importWorker}); RFM page ${rfmMs} ms (worker ${rfmWorker}; ${b(rfmBlocks)}); ` +
    `RFM + k-means ${kmMs} ms (worker ${kmWorker}; ${b(kmBlocks)}); a segment's customers, two pages ${listMs} ms (${b(listBlocks)})\n    ${summary.slice(0, 160)}`);
}
const med = (k) => median(rows.map((r) => r[k]));
console.log(`${n} customers (${mb} MB summary CSV), median of ${runs}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}:`);
console.log(`  import (file chosen -> summary on screen): ${med('importMs')} ms (worker ${med('importWorker')} ms)`);
console.log(`  RFM + R×F map (Segments opened -> table on screen): ${med('rfmMs')} ms (worker ${med('rfmWorker')} ms; longest main-thread block ${med('rfmMax')} ms)`);
console.log(`  RFM + k-means k=2..10 + silhouette (Run k-means -> curve on screen): ${med('kmMs')} ms (worker ${med('kmWorker')} ms; longest main-thread block ${med('kmMax')} ms)`);
console.log(`  a segment's customers (click the largest segment, then its next page): ${med('listMs')} ms (longest main-thread block ${med('listMax')} ms)`);
