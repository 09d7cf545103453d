// Benchmark (not a test): the Segments page's k-means search (k = 2..10, silhouette on a
// sample) on one worker against the search split across workers (src/ui/hooks/kpool.rs), in
// headless Chromium, interleaved in one run: main's build (BASE, a copy of its dist), this
// build with the split turned off (localStorage crm-split=never), and this build split over
// 2, 3 and 5 workers (the page's navigator.hardwareConcurrency set to 2, 3, 5: pool_size() is
// one less, plus the main worker). Per size and setting: the time from "Run k-means" to the
// curve on screen, Chromium's long tasks (main-thread blocks over 50 ms) during it, and the
// result's summary line (must be the same in every setting).
// Usage: BASE=/path/to/base-dist node tests/bench/segment_pool.mjs [sizes,comma,separated] [runs]
//   (after `trunk build --release`; the summary CSVs are made as in segment_chromium.mjs)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { start, DIST } from '../e2e/harness.mjs';
import { writeSummaryCsv } from '../e2e/summary_csv.mjs';

const sizes = (process.argv[2] || '1000000').split(',').map(Number);
const runs = Number(process.argv[3] || 2);
const base = process.env.BASE;

function summaryFile(n) {
  const file = path.join(os.tmpdir(), `bench_summary_${n}.csv`);
  return fs.existsSync(file) ? file : writeSummaryCsv(file, n);
}

// ONLY=regex keeps the settings whose name matches (e.g. ONLY='off|2 workers').
const only = process.env.ONLY ? new RegExp(process.env.ONLY) : null;
const settings = [
  ...(base ? [{ name: 'main (1 worker)', root: base }] : []),
  { name: 'this, split off (1 worker)', split: 'never' },
  { name: 'this, split, 2 workers', split: 'always', cores: 2 },
  { name: 'this, split, 3 workers', split: 'always', cores: 3 },
  { name: 'this, split, 5 workers', split: 'always', cores: 5 },
].filter((s) => !only || only.test(s.name));

async function one(n, s) {
  const file = summaryFile(n);
  const h = await start({ root: s.root || DIST });
  await h.context.addInitScript(({ split, cores }) => {
    if (split) localStorage.setItem('crm-split', split);
    if (cores) Object.defineProperty(navigator, 'hardwareConcurrency', { get: () => cores });
    window.__long = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push([Math.round(e.startTime), Math.round(e.duration)]); })
      .observe({ type: 'longtask', buffered: true });
  }, { split: s.split, cores: s.cores });
  const { page } = h;
  const blocks = async (since) => {
    const t = await page.evaluate((x) => x - performance.timeOrigin, since);
    const long = (await page.evaluate(() => window.__long)).filter(([st]) => st >= t).map(([, d]) => d);
    return { count: long.length, longest: Math.max(0, ...long) };
  };
  await h.open('#/');
  await page.getByTestId('n-customers').waitFor({ timeout: 60000 });
  await page.getByTestId('file-input').setInputFiles(file);
  await page.getByTestId('source-transactions').locator('h3', { hasText: path.basename(file) }).waitFor({ timeout: 600000 });
  let t0 = Date.now();
  await page.getByTestId('nav-segments').click();
  await page.getByTestId('segment-count').filter({ hasText: `${n} of ${n} customers` }).waitFor({ timeout: 600000 });
  const rfmMs = Date.now() - t0;
  const rfmBlocks = await blocks(t0);
  t0 = Date.now();
  await page.getByTestId('run-kmeans').click();
  await page.getByTestId('kmeans-summary').filter({ hasText: `on ${n} customers` }).waitFor({ timeout: 600000 });
  await page.getByTestId('silhouette-curve').waitFor();
  const kmMs = Date.now() - t0;
  const kmBlocks = await blocks(t0);
  const summary = await page.getByTestId('kmeans-summary').innerText();
  const curve = await page.getByTestId('silhouette-curve').innerText().catch(() => '');
  await h.stop(assert);
  return { rfmMs, rfmBlocks, kmMs, kmBlocks, result: `${summary}\n${curve}` };
}

for (const n of sizes) {
  const got = new Map(settings.map((s) => [s.name, []]));
  for (let r = 0; r < runs; r++) {
    for (const s of settings) {
      const x = await one(n, s);
      got.get(s.name).push(x);
      console.log(`${n} customers, ${s.name}, run ${r + 1}: k-means ${x.kmMs} ms (blocks over 50 ms: ${x.kmBlocks.count}, longest ${x.kmBlocks.longest} ms); ` +
        `Segments opened ${x.rfmMs} ms (blocks ${x.rfmBlocks.count}, longest ${x.rfmBlocks.longest} ms); load ${os.loadavg()[0].toFixed(2)}`);
    }
  }
  const results = new Set([...got.values()].flat().map((x) => x.result));
  console.log(`${n} customers: ${results.size === 1 ? 'the same k-means result in every setting' : 'RESULTS DIFFER'}`);
  if (results.size !== 1) for (const r of results) console.log(`---\n${r.slice(0, 400)}`);
}
