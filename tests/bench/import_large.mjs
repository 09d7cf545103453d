// Manual check (not a test): import a very large file through the page and watch that the tab
// stays responsive while it is read. Prints, every second, the progress text, how long the page
// took to answer a trivial request (main-thread responsiveness) and the total resident memory
// of the Chromium processes; then the time to the summary on screen.
// Usage: [VERBOSE=1] [ROOT=dir] [NOMEM=1] node tests/bench/import_large.mjs FILE   (after `trunk build --release`)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { start } from '../e2e/harness.mjs';

const file = process.argv[2];
if (!file || !fs.existsSync(file)) throw new Error('usage: node tests/bench/import_large.mjs FILE');
// Chromium's memory, over all its processes: the sum of their resident sets (RSS, which counts
// pages shared between processes once per process, so it overstates) and of their proportional
// sets (PSS from /proc/PID/smaps_rollup: a shared page split between its sharers, so the sum is
// the memory the browser really holds), with the largest process's PSS.
// NOMEM=1 skips it: reading smaps_rollup walks every mapping of a process of several GB, and
// sampling it every second slows the import it measures (time it with NOMEM=1).
const memMB = () => {
  if (process.env.NOMEM) return { rss: -1, pss: -1, top: -1 };
  let rss = 0, pss = 0, top = 0;
  try {
    for (const pid of execSync('pgrep -x chromium || true').toString().split('\n').filter(Boolean)) {
      try {
        const roll = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
        const kb = (k) => Number((roll.match(new RegExp(`^${k}:\\s+(\\d+)`, 'm')) || [0, 0])[1]);
        rss += kb('Rss'); pss += kb('Pss'); top = Math.max(top, kb('Pss'));
      } catch { /* the process ended */ }
    }
  } catch { return { rss: -1, pss: -1, top: -1 }; }
  return { rss: Math.round(rss / 1024), pss: Math.round(pss / 1024), top: Math.round(top / 1024) };
};
console.log(`${path.basename(file)}: ${(fs.statSync(file).size / 1e6).toFixed(0)} MB; load average ${os.loadavg().map((x) => x.toFixed(2)).join(', ')}`);
const h = await start(process.env.ROOT ? { root: path.resolve(process.env.ROOT) } : {}); // ROOT: another built site
await h.context.addInitScript(() => localStorage.setItem('crm-debug', '1')); // the app's timing lines (worker::log)
// Main-thread blocks over 50 ms (the browser's "long tasks"): the freezes a user would feel.
await h.page.addInitScript(() => {
  window.__long = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push([Math.round(e.startTime), Math.round(e.duration)]); })
    .observe({ type: 'longtask', buffered: true });
});
const lines = [];
h.page.on('console', (m) => { if (m.type() === 'debug') lines.push(`${Date.now()} ${m.text()}`); });
await h.open('#/'); // the Data page (a visit with data opens on Overview)
await h.page.getByTestId('n-customers').waitFor({ timeout: 60000 });
{
  const m = memMB();
  console.log(`before the import (sample data open): Chromium RSS ${m.rss} MB, PSS ${m.pss} MB (largest process ${m.top} MB)`);
}
// Polls the page every second until `done` shows (or an error does), printing progress, how
// fast the page answered and Chromium's memory; then the main-thread blocks since `t0`.
async function watch(label, t0, done) {
  const peak = { rss: 0, pss: 0, top: 0 };
  let worstAnswer = 0;
  for (;;) {
    const q = Date.now();
    const progress = await h.page.evaluate(() => document.querySelector('[data-testid="status-loading"]')?.innerText ?? '');
    const answer = Date.now() - q;
    worstAnswer = Math.max(worstAnswer, answer);
    const mem = memMB();
    for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], mem[k]);
    console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s: page answered in ${answer} ms, Chromium RSS ${mem.rss} MB, PSS ${mem.pss} MB (largest process ${mem.top} MB), ${progress.replace(/\s+/g, ' ').slice(0, 90)}`);
    if (await done.count() || await h.page.getByTestId('status-error').count() || await h.page.getByTestId('import-failed').count()) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const seconds = (Date.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 1500));
  const t0Page = await h.page.evaluate((t) => t - performance.timeOrigin, t0);
  const long = (await h.page.evaluate(() => window.__long)).filter(([s]) => s >= t0Page);
  const worst = long.reduce((a, [, d]) => Math.max(a, d), 0);
  const customers = await done.count() ? await h.page.getByTestId('source-transactions').getByTestId('n-customers').innerText() : '-';
  console.log(`${label}: done in ${seconds.toFixed(1)} s; customers ${customers}; main-thread blocks over 50 ms: ${long.length}, longest ${worst} ms, total ${long.reduce((a, [, d]) => a + d, 0)} ms; slowest page answer ${worstAnswer} ms; peak Chromium RSS ${peak.rss} MB, PSS ${peak.pss} MB (largest process ${peak.top} MB)`);
  for (const [s, d] of long.filter(([, d]) => d >= 100)) console.log(`  block at ${((s - t0Page) / 1000).toFixed(1)} s: ${d} ms`);
  if (!(await done.count())) console.log((await h.page.getByTestId('main').innerText()).slice(0, 2000));
  return done.count();
}

const shown = h.page.getByTestId('source-transactions').locator('h3', { hasText: path.basename(file) });
const t0 = Date.now();
await h.page.getByTestId('file-input').setInputFiles(file);
if (await watch('import', t0, shown)) {
  // Kept? Then reload: the dataset is read again from browser storage.
  const saved = h.page.locator('[data-testid="datasets"] tbody tr', { hasText: path.basename(file) });
  await saved.waitFor({ timeout: 120000 }).catch(() => {});
  if (await saved.count()) {
    const t1 = Date.now();
    await h.page.reload();
    if (await watch('reload', t1, shown)) {
      // Move it through a project file: export, clear everything, import.
      const t2 = Date.now();
      const [download] = await Promise.all([h.page.waitForEvent('download', { timeout: 600000 }), h.page.getByTestId('export-project').click()]);
      const project = path.join(os.tmpdir(), 'large.crmproject');
      await download.saveAs(project);
      console.log(`project export: ${((Date.now() - t2) / 1000).toFixed(1)} s, ${(fs.statSync(project).size / 1e6).toFixed(0)} MB`);
      // The page asks before deleting: announce the question (an unannounced dialog is
      // dismissed and counted as a failure, so nothing was deleted and the wait below timed out).
      h.expectDialog('confirm', /^Delete every saved dataset from this browser\?$/);
      await h.page.getByTestId('clear-all').click();
      await h.page.getByText('Nothing saved yet.').waitFor({ timeout: 120000 });
      const t3 = Date.now();
      await h.page.getByTestId('import-project').setInputFiles(project);
      await watch('project import', t3, shown);
      fs.rmSync(project);
    }
  } else {
    console.log('not kept in storage: ' + (await h.page.getByTestId('main').innerText()).slice(0, 400));
  }
}
if (process.env.VERBOSE) for (const l of lines.filter((l) => !l.includes('slice of'))) console.log(`  ${l}`);
await h.stop(assert).catch((e) => console.log(String(e).slice(0, 500)));
