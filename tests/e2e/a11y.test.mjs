// Accessibility, checked: axe-core (from npm, pinned in package.json) runs the WCAG 2.1 A and AA
// rules on every page with the sample data's results on screen, in the light theme and in the
// dark one (the system's colour scheme emulated); any violation fails the test
// with the rule, its help text and the elements. The script is evaluated through DevTools, so
// the app's strict Content-Security-Policy stays as it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { start } from './harness.mjs';
import { App } from './pages.mjs';

const AXE = fs.readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
const PAGES = [
  ['#/overview', 'fig-customers-value'],
  ['#/', 'report-ok'],
  ['#/segments', 'segment-count'],
  ['#/satisfaction', 'nps-value'],
  ['#/lifetime-value', 'param-r'],
  ['#/strategy', 'budget-total'],
  ['#/learn', 'learn-clv'],
  ['#/report', 'report-chart'],
  ['#/exercises?lesson=bgnbd', 'bgnbd-table'],
  ['#/glossary', 'glossary-list'],
  ...['clv', 'retention', 'satisfaction', 'perceived-value', 'share-of-wallet', 'rfm', 'relationships']
    .map((k) => [`#/learn?lesson=${k}`, `lesson-${k}`]),
];

test('axe finds no WCAG 2.1 AA violation on any page, in the light and the dark theme', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    const found = [];
    for (const [scheme, [hash, ready]] of ['light', 'dark'].flatMap((c) => PAGES.map((p) => [c, p]))) {
      await page.emulateMedia({ colorScheme: scheme });
      await app.open(hash);
      await page.getByTestId(ready).first().waitFor({ timeout: 120000 });
      await page.evaluate(AXE);
      const r = await page.evaluate(() => window.axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      }));
      assert.ok(r.passes.length > 10, `${hash}: axe ran (${r.passes.length} rules passed)`);
      for (const v of r.violations) {
        found.push(`${scheme} ${hash} ${v.id} (${v.impact}): ${v.help}; ${v.nodes.length} element(s): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
      }
    }
    assert.deepEqual(found, [], found.join('\n'));
  } finally {
    await h.stop(assert);
  }
});


// fmt14: the theme chosen in the header (data-theme on <html>) against the system's: Dark on a
// light system and Light on a dark one; every page stays free of violations.
test('axe finds no violation with the theme chosen in the header against the system one', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    const found = [];
    for (const [scheme, theme] of [['light', 'Dark'], ['dark', 'Light']]) {
      await page.emulateMedia({ colorScheme: scheme });
      await app.open('#/overview');
      await page.getByTestId('theme-select').selectOption(theme);
      await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme.toLowerCase());
      for (const [hash, ready] of PAGES) {
        await app.open(hash);
        await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme.toLowerCase(), { timeout: 60000 });
        await page.getByTestId(ready).first().waitFor({ timeout: 120000 });
        await page.evaluate(AXE);
        const r = await page.evaluate(() => window.axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        }));
        for (const v of r.violations) {
          found.push(`${theme} on ${scheme} ${hash} ${v.id} (${v.impact}): ${v.help}; ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
        }
      }
    }
    assert.deepEqual(found, [], found.join('\n'));
  } finally {
    await h.stop(assert);
  }
});


// guide15: projector mode (large type, high contrast) on every page, with an explain panel and the
// guided tour's panel open, stays free of violations.
test('axe finds no WCAG 2.1 AA violation in projector mode, with explain and tour panels open', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    const found = [];
    const check = async (label) => {
      await page.evaluate(AXE);
      const r = await page.evaluate(() => window.axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      }));
      assert.ok(r.passes.length > 10, `${label}: axe ran (${r.passes.length} rules passed)`);
      for (const v of r.violations) {
        found.push(`projector ${label} ${v.id} (${v.impact}): ${v.help}; ${v.nodes.length} element(s): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
      }
    };
    await app.open('#/overview');
    await page.getByTestId('fig-customers-value').waitFor({ timeout: 120000 });
    await page.getByTestId('projector-toggle').click();
    for (const [hash, ready] of PAGES) {
      await app.open(hash);
      await page.getByTestId(ready).first().waitFor({ timeout: 120000 });
      await page.waitForFunction(() => document.documentElement.dataset.projector === 'on', null, { timeout: 120000 });
      if (hash === '#/overview') await page.getByTestId('explain-fig-equity').click();
      if (hash === '#/satisfaction') await page.getByTestId('explain-nps').click();
      await check(hash);
    }
    await page.getByTestId('tour-start').click();
    await page.getByTestId('tour-panel').waitFor();
    await page.locator('[data-tour-target]').first().waitFor();
    await check('tour');
    assert.deepEqual(found, [], found.join('\n'));
  } finally {
    await h.stop(assert);
  }
});

// explain15: the explain panels under the Data counts and a model parameter, open, in both themes.
test('axe finds no violation with the Data and Lifetime value explain panels open', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    const found = [];
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [hash, ready, ids] of [
        ['#/', 'data-explains', ['explain-rows-used', 'explain-tx']],
        ['#/lifetime-value', 'param-r', ['explain-param-r', 'explain-gg-p', 'explain-discount']],
      ]) {
        await app.open(hash);
        await page.getByTestId(ready).first().waitFor({ timeout: 120000 });
        for (const id of ids) {
          await page.getByTestId(id).click();
          await page.getByTestId(`${id}-filled`).waitFor();
        }
        await page.evaluate(AXE);
        const r = await page.evaluate(() => window.axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        }));
        for (const v of r.violations) {
          found.push(`${scheme} ${hash} ${v.id} (${v.impact}): ${v.help}; ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
        }
      }
    }
    assert.deepEqual(found, [], found.join('\n'));
  } finally {
    await h.stop(assert);
  }
});
