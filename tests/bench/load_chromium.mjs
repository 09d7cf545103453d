// Benchmark (not a test): how fast the built app's shell renders on loopback, and what the page
// downloads. Opens dist/ in headless Chromium `runs` times (a fresh profile each time, so
// nothing is cached) and times from navigation start to the first page's heading on screen.
// Prints one JSON line: {"shell_ms": [...], "app_wasm_bytes", "app_wasm_gzip_bytes",
// "worker_wasm_bytes", "worker_wasm_gzip_bytes", "js_bytes"}.
// Usage: node tests/bench/load_chromium.mjs [runs]   (after `trunk build --release`)
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import assert from 'node:assert/strict';
import { start, DIST } from '../e2e/harness.mjs';

const runs = Number(process.argv[2] || 5);
const files = fs.readdirSync(DIST);
const size = (f) => fs.statSync(path.join(DIST, f)).size;
const gz = (f) => zlib.gzipSync(fs.readFileSync(path.join(DIST, f)), { level: 9 }).length;
const wasm = files.filter((f) => f.endsWith('.wasm'));
const app = wasm.find((f) => f.startsWith('app'));
const worker = wasm.find((f) => f.startsWith('worker'));
const shell = [];
for (let run = 0; run < runs; run++) {
  const h = await start();
  // Navigation start to the first render of the app shell (its main area in the page),
  // noted inside the page by a mutation observer.
  await h.page.addInitScript(() => {
    const seen = () => {
      if (window.__shell === undefined && document.querySelector('[data-testid="main"]')) window.__shell = performance.now();
    };
    new MutationObserver(seen).observe(document, { childList: true, subtree: true });
  });
  await h.open('#/'); // the Data page (a visit with data opens on Overview)
  await h.page.getByTestId('n-customers').waitFor({ timeout: 60000 });
  const ms = await h.page.evaluate(() => window.__shell);
  shell.push(Math.round(ms));
  await h.stop(assert);
}
console.log(JSON.stringify({
  shell_ms: shell,
  app_wasm: app, app_wasm_bytes: app && size(app), app_wasm_gzip_bytes: app && gz(app),
  worker_wasm: worker, worker_wasm_bytes: worker && size(worker), worker_wasm_gzip_bytes: worker && gz(worker),
  js_bytes: files.filter((f) => f.endsWith('.js')).reduce((a, f) => a + size(f), 0),
}));
