// Shared set-up for end-to-end tests: serve dist/ on loopback, launch the system Chromium, and
// fail on any console error, uncaught exception, wasm panic, crash (the app's crash screen or the
// renderer's), dialog the test did not announce, or request leaving the page's origin.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from './serve.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const DIST = path.resolve(here, '../../dist');
export const FIXTURES = path.resolve(here, '../fixtures');

// `root`: the built site to serve (default dist/); the offline test serves a copy it changes.
export async function start({ root = DIST } = {}) {
  if (!fs.existsSync(path.join(root, 'index.html'))) throw new Error(`${root} is missing: run trunk build --release first`);
  const server = await serve(root, 0);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1366, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const problems = [];
  // Dialogs a test announced with `expectDialog`, in order; any other dialog is a failure (and
  // is dismissed, so a confirm() nobody asked for changes nothing).
  const expectedDialogs = [];
  // Errors a test announced with `expectError` (a pattern each): a matching problem is not a
  // failure, and a pattern nothing matched fails the test at `stop`.
  const expectedErrors = [];
  const watch = (page) => {
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`uncaught exception: ${e.message}`));
    page.on('crash', () => problems.push('the page crashed'));
    page.on('dialog', (d) => {
      const expected = expectedDialogs[0];
      if (expected && d.type() === expected.type && expected.message.test(d.message())) {
        expectedDialogs.shift();
        return d.accept();
      }
      problems.push(`unexpected dialog (${d.type()}): ${d.message()}`);
      return d.dismiss();
    });
  };
  context.on('page', watch);
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    problems.push(`request left the origin: ${url}`);
    return route.abort();
  });
  const page = context.pages()[0] || await context.newPage();
  watch(page);
  return {
    origin, context, page, problems, server,
    // Takes the site off the network: no new connection is answered and open ones are cut,
    // and the browser reports itself offline.
    async goOffline() {
      await context.setOffline(true);
      server.close();
      server.closeAllConnections();
    },
    async open(hash = '') {
      await page.goto(`${origin}/${hash}`);
      await page.waitForSelector('[data-testid="main"]');
    },
    // Announce the next dialog: it is accepted if it has this type ('confirm', 'alert',
    // 'prompt') and its message matches; a dialog never shown fails the test at `stop`.
    expectDialog(type, message) {
      expectedDialogs.push({ type, message });
    },
    // Announce a console error or uncaught exception the test causes on purpose (`pattern`
    // matches the whole problem line, e.g. /^console error: analysis worker: panicked at /); it
    // must occur, and nothing else is excused.
    expectError(pattern) {
      expectedErrors.push({ pattern, seen: false });
    },
    // Assert the guards, then shut down.
    async stop(assert) {
      const crashed = await page.locator('[data-testid="crash"]').count().catch(() => 0);
      if (crashed) problems.push('the crash screen is shown');
      for (const d of expectedDialogs) problems.push(`expected ${d.type} dialog never shown: ${d.message}`);
      await context.close();
      server.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
      const unexpected = problems.filter((p) => {
        const e = expectedErrors.find((x) => x.pattern.test(p));
        if (e) e.seen = true;
        return !e;
      });
      for (const e of expectedErrors) if (!e.seen) unexpected.push(`expected error never seen: ${e.pattern}`);
      assert.deepEqual(unexpected, [], unexpected.join('\n'));
    },
  };
}

export async function screenshot(page, name) {
  const dir = path.resolve(here, 'test-results');
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

// The header of a project file (its second line), after checking its first line; the datasets'
// bytes follow the header as they are.
export function projectHeader(file) {
  const bytes = fs.readFileSync(file);
  const first = bytes.indexOf(10);
  const second = bytes.indexOf(10, first + 1);
  if (bytes.subarray(0, first).toString() !== 'crm-analytics-project 2') throw new Error(`${file} is not a project file`);
  const header = JSON.parse(bytes.subarray(first + 1, second).toString('utf8'));
  header.dataBytes = bytes.length - second - 1;
  return header;
}
