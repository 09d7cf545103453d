// Benchmark (not a test): RFM segmentation and k-means (k = 2..10, silhouette on a sample) on
// 1,000,000 customers in headless Chromium, through the built app as a user does it: upload a
// generated (seeded) customer-summary CSV (id, frequency, recency, T, monetary_value — the
// `lifetimes` columns, weeks), open the Segments page (RFM and the R×F map run in the worker),
// then click "Run k-means". Import and segmentation are timed separately; the worker's own
// compute time is read from its console.debug "computed in N ms" lines.
// Usage: node tests/bench/segment_chromium.mjs [customers] [runs]   (after `trunk build --release`)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { start } from '../e2e/harness.mjs';

const n = Number(process.argv[2] || 1_000_000);
const runs = Number(process.argv[3] || 3);
const file = path.join(os.tmpdir(), `bench_summary_${n}.csv`);
if (!fs.existsSync(file)) {
  let seed = 2024; // mulberry32: a small seeded generator with exact 32-bit arithmetic.
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = fs.openSync(file, 'w');
  let buf = 'customer_id,frequency,recency,T,monetary_value\n';
  for (let i = 0; i < n; i++) {
    const T = 1 + Math.floor(rand() * 104 * 7) / 7; // weeks observed, day resolution
    const x = rand() < 0.6 ? 0 : 1 + Math.floor(rand() * 39); // repeat purchase days
    const tx = x === 0 ? 0 : Math.floor(rand() * T * 7) / 7;
    const m = x === 0 ? 0 : 5 + rand() * 195;
    buf += `C${String(i).padStart(7, '0')},${x},${tx.toFixed(4)},${T.toFixed(4)},${m.toFixed(2)}\n`;
    if (buf.length > 1 << 20) { fs.writeSync(out, buf); buf = ''; }
  }
  fs.writeSync(out, buf);
  fs.closeSync(out);
}
const mb = (fs.statSync(file).size / 1e6).toFixed(1);
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const rows = [];
for (let run = 0; run < runs; run++) {
  const h = await start();
  await h.context.addInitScript(() => localStorage.setItem('crm-debug', '1')); // the app's timing lines (worker::log)
  const { page } = h;
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
  const customers = Number(await page.getByTestId('source-transactions').getByTestId('n-customers').innerText());
  assert.equal(customers, n);
  const importMs = Date.now() - t0;
  const importWorker = computed.at(-1);

  // 2. RFM + R×F map: opening the Segments page starts it.
  let before = computed.length;
  t0 = Date.now();
  await page.getByTestId('nav-segments').click();
  await page.getByTestId('segment-count').filter({ hasText: `${n} of ${n} customers` }).waitFor({ timeout: 600000 });
  const rfmMs = Date.now() - t0;
  const rfmWorker = computed.slice(before).reduce((a, b) => a + b, 0);

  // 3. RFM + k-means for k = 2..10 with the silhouette on a sample: "Run k-means".
  before = computed.length;
  t0 = Date.now();
  await page.getByTestId('run-kmeans').click();
  await page.getByTestId('kmeans-summary').filter({ hasText: `on ${n} customers` }).waitFor({ timeout: 600000 });
  await page.getByTestId('silhouette-curve').waitFor();
  const kmMs = Date.now() - t0;
  const kmWorker = computed.slice(before).reduce((a, b) => a + b, 0);
  const summary = await page.getByTestId('kmeans-summary').innerText();
  await h.stop(assert);
  rows.push({ importMs, importWorker, rfmMs, rfmWorker, kmMs, kmWorker });
  console.log(`run ${run + 1}: import ${importMs} ms (worker ${importWorker}); RFM page ${rfmMs} ms (worker ${rfmWorker}); ` +
    `RFM + k-means ${kmMs} ms (worker ${kmWorker})\n    ${summary.slice(0, 160)}`);
}
const med = (k) => median(rows.map((r) => r[k]));
console.log(`${n} customers (${mb} MB summary CSV), median of ${runs}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}:`);
console.log(`  import (file chosen -> summary on screen): ${med('importMs')} ms (worker ${med('importWorker')} ms)`);
console.log(`  RFM + R×F map (Segments opened -> table on screen): ${med('rfmMs')} ms (worker ${med('rfmWorker')} ms)`);
console.log(`  RFM + k-means k=2..10 + silhouette (Run k-means -> curve on screen): ${med('kmMs')} ms (worker ${med('kmWorker')} ms)`);
