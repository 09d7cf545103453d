// Manual check (not a test): where the page's main thread spends its time while a file is
// imported (and, with a second argument, while the Lifetime value page is opened on it): a
// sampling profile through the DevTools protocol, summed by function (self time).
// Usage: node tests/bench/profile_main.mjs FILE [ltv]   (after `trunk build --release`)
import fs from 'node:fs';
import assert from 'node:assert/strict';
import { start } from '../e2e/harness.mjs';
const file = process.argv[2];
const h = await start();
await h.open('#/');
await h.page.getByTestId('n-customers').waitFor({ timeout: 60000 });
const cdp = await h.context.newCDPSession(h.page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
await cdp.send('Profiler.start');
const t0 = Date.now();
await h.page.getByTestId('file-input').setInputFiles(file);
await h.page.getByTestId('source-transactions').locator('h3', { hasText: file.split('/').at(-1) }).waitFor({ timeout: 600000 });
const t1 = Date.now();
if (process.argv[3]) {
  await h.page.getByTestId('nav-lifetime-value').click();
  await h.page.getByTestId('param-r').waitFor({ timeout: 600000 });
}
await new Promise((r) => setTimeout(r, 1500));
const { profile } = await cdp.send('Profiler.stop');
console.log('import ms', t1 - t0);
const self = new Map();
const dt = profile.timeDeltas; const counts = new Map();
profile.samples.forEach((id, i) => counts.set(id, (counts.get(id) || 0) + (dt[i] || 0)));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
for (const [id, us] of counts) { const n = byId.get(id); const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').at(-1)}`; self.set(k, (self.get(k) || 0) + us); }
const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 40);
for (const [k, us] of top) console.log((us / 1000).toFixed(1).padStart(8), 'ms', k);
await h.stop(assert).catch((e) => console.log(String(e).slice(0, 300)));
