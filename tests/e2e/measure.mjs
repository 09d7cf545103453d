// Release build figures: wasm and JS sizes (raw and gzip) and time to first render on loopback,
// median of 5 cold loads (fresh browser profile each time) in headless Chromium.
// Usage: node tests/e2e/measure.mjs   (after `trunk build --release`)
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import assert from 'node:assert/strict';
import { start, DIST } from './harness.mjs';

const files = fs.readdirSync(DIST).filter((f) => /\.(wasm|js|css)$/.test(f)).sort();
console.log('| file | raw | gzip -9 |\n| --- | ---: | ---: |');
for (const f of files) {
  const b = fs.readFileSync(path.join(DIST, f));
  const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
  console.log(`| ${f.replace(/-[0-9a-f]{16}/, '')} | ${kb(b.length)} | ${kb(zlib.gzipSync(b, { level: 9 }).length)} |`);
}
const shell = [], data = [];
for (let i = 0; i < 5; i++) {
  const h = await start();
  const t0 = Date.now();
  await h.page.goto(`${h.origin}/`);
  await h.page.waitForSelector('[data-testid="main"]');
  shell.push(Date.now() - t0);
  await h.page.getByTestId('n-customers').waitFor({ timeout: 60000 });
  data.push(Date.now() - t0);
  await h.stop(assert);
}
const med = (v) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
console.log(`\nfirst render (app shell): median ${med(shell)} ms of ${shell.join(', ')}`);
console.log(`sample data analysed and shown (first visit): median ${med(data)} ms of ${data.join(', ')}`);
