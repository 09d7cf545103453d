// Manual check (not a test): where the page's main thread spends its time while a file is
// imported, or (with the second argument `ltv`) while the Lifetime value page is opened on it
// after the import: a sampling profile through the DevTools protocol, summed by function (self
// time), with Chromium's long-task entries of the same span.
// Usage: node tests/bench/profile_main.mjs FILE [ltv]   (after `trunk build --release`)
// ROOT=dir serves another built site, for instance one whose app wasm kept its name section
// (run `wasm-bindgen --target web` on target/wasm32-unknown-unknown/app/app.wasm and put the
// `_bg.wasm` in place of the built one, without the `integrity` attributes in index.html).
// CALLERS=1 adds, for the 15 costliest functions, their callers up to 6 levels.
import path from 'node:path';
import assert from 'node:assert/strict';
import { start } from '../e2e/harness.mjs';
const [file, mode] = process.argv.slice(2);
const h = await start(process.env.ROOT ? { root: path.resolve(process.env.ROOT) } : {});
await h.page.addInitScript(() => {
  window.__long = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push([Math.round(e.startTime), Math.round(e.duration)]); })
    .observe({ type: 'longtask', buffered: true });
});
await h.open('#/');
await h.page.getByTestId('n-customers').waitFor({ timeout: 60000 });
const cdp = await h.context.newCDPSession(h.page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
const imported = async () => {
  await h.page.getByTestId('file-input').setInputFiles(file);
  await h.page.getByTestId('source-transactions').locator('h3', { hasText: path.basename(file) }).waitFor({ timeout: 600000 });
};
if (mode === 'ltv') await imported();
await new Promise((r) => setTimeout(r, 1000));
const since = await h.page.evaluate(() => performance.now());
await cdp.send('Profiler.start');
const t0 = Date.now();
if (mode === 'ltv') {
  await h.page.getByTestId('nav-lifetime-value').click();
  await h.page.getByTestId('param-r').waitFor({ timeout: 600000 });
  await h.page.getByTestId('chart-holdout').waitFor({ timeout: 600000 }).catch(() => {});
} else {
  await imported();
}
const t1 = Date.now();
await new Promise((r) => setTimeout(r, 1500));
const { profile } = await cdp.send('Profiler.stop');
if (process.env.PROFILE_OUT) (await import('node:fs')).writeFileSync(process.env.PROFILE_OUT, JSON.stringify(profile));
const long = (await h.page.evaluate(() => window.__long)).filter(([s]) => s >= since);
console.log(mode === 'ltv' ? 'Lifetime value ms' : 'import ms', t1 - t0, 'long tasks', JSON.stringify(long.map(([s, d]) => [Math.round(s - since), d])));
const self = new Map();
const dt = profile.timeDeltas; const counts = new Map();
profile.samples.forEach((id, i) => counts.set(id, (counts.get(id) || 0) + (dt[i] || 0)));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
const name = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').at(-1)}`;
const callers = new Map();
for (const [id, us] of counts) {
  const n = byId.get(id); const k = name(n);
  self.set(k, (self.get(k) || 0) + us);
  if (process.env.CALLERS) {
    const chain = []; let p = parent.get(id);
    while (p !== undefined && chain.length < 6) { chain.push(byId.get(p).callFrame.functionName || '(anon)'); p = parent.get(p); }
    const m = callers.get(k) || new Map(); const c = chain.join(' < ');
    m.set(c, (m.get(c) || 0) + us); callers.set(k, m);
  }
}
const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 40);
for (const [k, us] of top) console.log((us / 1000).toFixed(1).padStart(8), 'ms', k);
if (process.env.CALLERS) {
  for (const [k] of top.slice(0, 15)) {
    console.log(`\n${k}`);
    for (const [c, us] of [...callers.get(k)].sort((a, b) => b[1] - a[1]).slice(0, 4)) console.log(`  ${(us / 1000).toFixed(1).padStart(7)} ms < ${c}`);
  }
}
await h.stop(assert).catch((e) => console.log(String(e).slice(0, 300)));
