// The promises of the app's shell: it works offline from the first visit (the service worker
// precaches the whole build on install), a new release is offered and taken only when the user
// accepts (old caches deleted), and the page runs no inline script (strict Content-Security-Policy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { start, DIST } from './harness.mjs';
import { App, SAMPLE_MS, JOB_MS } from './pages.mjs';

const release = (root) => fs.readFileSync(path.join(root, 'release.txt'), 'utf8').trim();

// Waits until the service worker controls the page, and returns the app's cache names.
async function controlled(page) {
  await page.waitForFunction(() => navigator.serviceWorker && navigator.serviceWorker.controller, null, { timeout: 30000 });
  return page.evaluate(() => caches.keys());
}

test('the built page has no inline script and a CSP without unsafe-inline scripts', () => {
  const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
  const csp = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/);
  assert.ok(csp, 'the page declares a Content-Security-Policy');
  const scriptSrc = csp[1].split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src'));
  assert.ok(scriptSrc && !scriptSrc.includes("'unsafe-inline'"), scriptSrc);
  const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.ok(scripts.length >= 2);
  for (const [, attrs, body] of scripts) {
    assert.match(attrs, /\ssrc=/, 'every script is a file');
    assert.equal(body.trim(), '');
  }
  assert.doesNotMatch(html, /\son[a-z]+="/, 'no inline event handler');
  const sw = fs.readFileSync(path.join(DIST, 'sw.js'), 'utf8');
  assert.ok(sw.includes(JSON.stringify(release(DIST))), 'sw.js carries the release id');
  for (const f of fs.readdirSync(DIST).filter((f) => f.endsWith('.wasm') || f.endsWith('.js'))) {
    if (f !== 'sw.js') assert.ok(sw.includes(`"./${f}"`), `${f} is precached`);
  }
});

test('one visit, then offline: the reload works and an analysis runs on the stored data', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    await app.open();
    await page.getByTestId('n-customers').waitFor({ timeout: SAMPLE_MS });
    const caches = await controlled(page);
    assert.deepEqual(caches, [`crm-analytics-${release(DIST)}`]);
    // Everything the page needs is in the cache after the first visit, before any reload.
    const missing = await page.evaluate(async () => {
      const c = await caches.open((await caches.keys())[0]);
      const want = performance.getEntriesByType('resource').map((e) => e.name)
        .filter((u) => u.startsWith(location.origin) && !u.includes('/sw.js'));
      const out = [];
      for (const u of want) if (!(await c.match(u, { ignoreSearch: true }))) out.push(u);
      return out;
    });
    assert.deepEqual(missing, []);

    await h.goOffline();
    await app.reload();
    await page.getByTestId('n-customers').waitFor({ timeout: SAMPLE_MS });
    assert.equal(await app.figure('n-customers'), '2,000');
    // An analysis in the worker (loaded from the cache) on the data kept in IndexedDB.
    await app.nav('segments');
    await app.job('segment-count', JOB_MS);
    assert.match(await app.figure('segment-count'), /^2,000 of 2,000 customers/);
  } finally {
    await h.stop(assert);
  }
});

test('a new release waits until the user accepts it, then replaces the old cache', async () => {
  // A copy of the build whose service worker belongs to another release.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-release-'));
  fs.cpSync(DIST, root, { recursive: true });
  const h = await start({ root });
  try {
    const app = new App(h);
    const { page } = app;
    await app.open();
    await page.getByTestId('n-customers').waitFor({ timeout: SAMPLE_MS });
    const old = release(root);
    assert.deepEqual(await controlled(page), [`crm-analytics-${old}`]);

    const next = 'next' + old.slice(4);
    const sw = fs.readFileSync(path.join(root, 'sw.js'), 'utf8');
    fs.writeFileSync(path.join(root, 'sw.js'), sw.replace(JSON.stringify(old), JSON.stringify(next)));
    fs.writeFileSync(path.join(root, 'release.txt'), next + '\n');
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
    const offer = page.getByTestId('update-available');
    await offer.waitFor({ timeout: 30000 });
    assert.match(await offer.innerText(), /new version/);
    // Until accepted, the page still runs on the old release.
    assert.ok((await page.evaluate(() => caches.keys())).includes(`crm-analytics-${old}`));

    await Promise.all([page.waitForEvent('load'), page.getByTestId('update-reload').click()]);
    await page.waitForSelector('[data-testid="main"]');
    await page.waitForFunction((name) => caches.keys().then((k) => k.length === 1 && k[0] === name),
      `crm-analytics-${next}`, { timeout: 30000 });
    await page.getByTestId('n-customers').waitFor({ timeout: SAMPLE_MS });
    assert.equal(await page.getByTestId('update-available').count(), 0);
  } finally {
    await h.stop(assert);
    fs.rmSync(root, { recursive: true, force: true });
  }
});
