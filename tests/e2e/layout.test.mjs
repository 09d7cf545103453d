// Charts that fit, long pages you can find your way in, and charts with a text alternative.
// With the sample data, every page is visited on a laptop (1366×900), a small laptop (1280×720)
// and a projector (1280×720 CSS px at 150%: 1920×1080 device pixels): the document never scrolls
// sideways, no chart or table is wider than its card (a table may scroll inside its own
// wrapper), and chart text is at least 12 CSS px as drawn. Every chart card has its data as a
// table; the contents bar lists a page's sections, follows the scroll, moves the focus; sections
// collapse, stay collapsed for the session and print expanded. Screenshots of the Overview and
// the print view go to test-results/ to be looked at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { start, screenshot } from './harness.mjs';
import { App } from './pages.mjs';

// Page, and an element that shows its results are on screen.
const PAGES = [
  ['#/overview', 'fig-customers-value'],
  ['#/', 'report-ok'],
  ['#/segments', 'segment-count'],
  ['#/satisfaction', 'nps-value'],
  ['#/lifetime-value', 'param-r'],
  ['#/strategy', 'budget-total'],
  ['#/learn', 'learn-clv'],
  ['#/report', 'report-chart'],
];

const SIZES = [
  { name: '1366x900', width: 1366, height: 900, scale: 1 },
  { name: '1280x720', width: 1280, height: 720, scale: 1 },
  { name: 'projector-1920x1080-at-150', width: 1280, height: 720, scale: 1.5 },
];

async function setSize(page, cdp, s) {
  await page.setViewportSize({ width: s.width, height: s.height });
  await cdp.send('Emulation.setDeviceMetricsOverride', {
    width: s.width, height: s.height, deviceScaleFactor: s.scale, mobile: false,
  });
}

// A full-page screenshot at the device's pixel ratio (Playwright's own screenshot resets the
// emulated ratio to the context's, 1): the projector's is 1920 pixels wide.
async function shot(page, cdp, name, s) {
  if (s.scale === 1) return screenshot(page, name);
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  const { data } = await cdp.send('Page.captureScreenshot', {
    format: 'png', captureBeyondViewport: true, clip: { x: 0, y: 0, width: s.width, height, scale: 1 },
  });
  const dir = new URL('./test-results/', import.meta.url).pathname;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.png`), Buffer.from(data, 'base64'));
  return undefined;
}

// Everything that does not fit, as readable lines (empty: all fits).
function misfits() {
  const out = [];
  const de = document.documentElement;
  if (de.scrollWidth > de.clientWidth + 1) out.push(`the page scrolls sideways: ${de.scrollWidth} > ${de.clientWidth}`);
  const name = (el) => el.getAttribute('data-testid') || el.getAttribute('aria-label')?.slice(0, 60)
    || el.querySelector('h2, figcaption')?.textContent.slice(0, 60) || el.tagName;
  for (const el of document.querySelectorAll('main svg, main table')) {
    const r0 = el.getBoundingClientRect();
    if (r0.width === 0) continue; // collapsed or on another tab
    const card = el.parentElement.closest('.card, .report-section, figure.report-chart');
    if (!card) continue;
    // A wrapper between the element and its card that scrolls (or clips) is what must fit.
    let box = el;
    for (let a = el.parentElement; a && a !== card; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') { box = a; break; }
    }
    const r = box.getBoundingClientRect();
    const c = card.getBoundingClientRect();
    if (r.right > c.right + 1 || r.left < c.left - 1) {
      out.push(`${el.tagName.toLowerCase()} "${name(el.closest('.chart-card, table') || el)}" is wider than its card "${name(card)}": ${Math.round(r.left)}..${Math.round(r.right)} vs ${Math.round(c.left)}..${Math.round(c.right)}`);
    }
  }
  for (const svg of document.querySelectorAll('main svg[viewBox]')) {
    const w = svg.getBoundingClientRect().width;
    if (w === 0) continue;
    const scale = w / svg.viewBox.baseVal.width;
    let min = Infinity;
    for (const t of svg.querySelectorAll('text')) {
      if (!t.textContent.trim()) continue;
      min = Math.min(min, parseFloat(getComputedStyle(t).fontSize) * scale);
    }
    if (min < 12 - 0.05) out.push(`chart "${svg.getAttribute('aria-label')?.slice(0, 60)}" has text of ${min.toFixed(1)} px`);
  }
  return out;
}

// A value of the query in the address's fragment (`#/page?a=1&b=2`).
function param(url, name) {
  return new URLSearchParams(url.split('?')[1] || '').get(name);
}

async function visit(app, hash, ready) {
  await app.open(hash);
  await app.page.getByTestId(ready).first().waitFor({ timeout: 120000 });
}

test('every page fits at 1366×900, 1280×720 and on a projector; chart text is at least 12 px', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    const cdp = await page.context().newCDPSession(page);
    const found = [];
    for (const s of SIZES) {
      for (const [hash, ready] of PAGES) {
        await setSize(page, cdp, s);
        await visit(app, hash, ready);
        assert.equal(await page.evaluate(() => window.devicePixelRatio), s.scale, `${s.name}: device pixel ratio`);
        for (const m of await page.evaluate(misfits)) found.push(`${s.name} ${hash}: ${m}`);
        if (hash === '#/strategy') {
          // The cohorts table shows every column, Payback included, without scrolling.
          await page.getByTestId('cohort-table').waitFor({ timeout: 120000 });
          const [sw, cw] = await page.locator('[data-testid="cohort-table"] .scroll').evaluate((e) => [e.scrollWidth, e.clientWidth]);
          if (sw > cw + 1) found.push(`${s.name} ${hash}: the cohorts table scrolls sideways (${sw} > ${cw})`);
        }
        if (hash === '#/overview' || hash === '#/report') {
          const tag = hash === '#/overview' ? 'overview' : 'report-print';
          if (hash === '#/report') await page.emulateMedia({ media: 'print' });
          await shot(page, cdp, `layout-${tag}-${s.name}`, s);
          await page.emulateMedia({ media: 'screen' });
        }
      }
    }
    assert.deepEqual(found, [], found.join('\n'));
  } finally {
    await h.stop(assert);
  }
});

test('every chart has a text alternative: a summarising label and its data as a table', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    const problems = [];
    let charts = 0;
    for (const [hash, ready] of PAGES.filter(([p]) => p !== '#/report')) {
      await visit(app, hash, ready);
      const cards = page.locator('main .chart-card');
      const n = await cards.count();
      charts += n;
      for (let i = 0; i < n; i += 1) {
        const card = cards.nth(i);
        const label = await card.locator('svg').first().getAttribute('aria-label');
        const role = await card.locator('svg').first().getAttribute('role');
        if (role !== 'img' || !label || !/table below/.test(label)) problems.push(`${hash} chart ${i}: role ${role}, label ${label}`);
        if (await card.getByTestId('chart-table').count() !== 1) problems.push(`${hash} chart ${i}: no "Show as table"`);
      }
      // Every chart drawn on the page is in a chart card.
      const loose = await page.locator('main svg[viewBox]').evaluateAll((s) => s.filter((x) => !x.closest('.chart-card')).length);
      if (loose) problems.push(`${hash}: ${loose} chart(s) outside a chart card`);
      if (n > 0) {
        const first = cards.first();
        await first.getByText('Show as table').click();
        const rows = await first.locator('[data-testid="chart-data"] tbody tr').count();
        if (rows === 0) problems.push(`${hash}: the first chart's table is empty`);
      }
    }
    assert.ok(charts >= 10, `charts seen: ${charts}`);
    assert.deepEqual(problems, [], problems.join('\n'));
  } finally {
    await h.stop(assert);
  }
});

test('contents bar: lists the sections, follows the scroll, moves the focus; sections collapse for the session and print expanded', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    await visit(app, '#/satisfaction', 'nps-value');
    const bar = page.getByTestId('contents-bar');
    await bar.waitFor();
    const entries = bar.locator('.contents-link');
    const n = await entries.count();
    assert.ok(n >= 8, `sections listed: ${n}`);
    // Entries are in page order and name the sections' headings.
    const titles = await entries.allInnerTexts();
    const headings = await page.locator('main .page-section > h2').allInnerTexts();
    assert.deepEqual(titles, headings.slice(0, titles.length));
    // The last entry: scrolls there and focuses its heading; the bar marks it as current.
    const last = entries.nth(n - 1);
    await last.click();
    const focused = await page.evaluate(() => document.activeElement?.tagName);
    assert.equal(focused, 'H2');
    await page.waitForFunction(() => document.querySelector('[data-testid="contents-bar"] [aria-current="location"]')
      === [...document.querySelectorAll('[data-testid="contents-bar"] .contents-link')].at(-1));
    assert.ok(await page.evaluate(() => window.scrollY > 1000), 'scrolled down');
    // The bar follows scrolling done without it: to the top (the first entry), then to a
    // section in the middle brought to the top of the window (its entry).
    const current = () => document.querySelector('[data-testid="contents-bar"] [aria-current="location"]')?.dataset.testid;
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForFunction((first) => document.querySelector('[data-testid="contents-bar"] [aria-current="location"]')?.dataset.testid === first,
      await entries.first().getAttribute('data-testid'));
    // A section between the first and the last that is taller than the window's top third
    // (a shorter one shares that band with the next section, which the bar then marks).
    const middle = await page.evaluate(() => {
      const ids = [...document.querySelectorAll('[data-testid="contents-bar"] .contents-link')].map((b) => b.dataset.testid);
      return ids.slice(1, -1).find((id) => (document.getElementById(`section-${id.replace(/^contents-/, '')}`)?.offsetHeight ?? 0) > innerHeight * 0.4);
    });
    assert.ok(middle, 'a tall section in the middle of the page');
    await page.evaluate((id) => document.getElementById(`section-${id.replace(/^contents-/, '')}`).scrollIntoView(), middle);
    await page.waitForFunction((want) => document.querySelector('[data-testid="contents-bar"] [aria-current="location"]')?.dataset.testid === want, middle)
      .catch(async (e) => { throw new Error(`after scrolling to ${middle} the bar marks ${await page.evaluate(current)}: ${e.message}`); });
    // Keyboard: Tab reaches an entry, Enter follows it.
    await entries.first().focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.scrollY < 1500);
    // Collapse the first section: its button says so, its body is hidden; a reload keeps it.
    const section = page.locator('main .page-section').first();
    const id = await section.getAttribute('id');
    const toggle = section.getByTestId('section-toggle').first();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    assert.equal(await section.locator('.section-body').first().isVisible(), false);
    await app.reload();
    await page.getByTestId('nps-value').first().waitFor({ state: 'attached', timeout: 120000 });
    const again = page.locator(`#${id}`);
    assert.equal(await again.getByTestId('section-toggle').first().getAttribute('aria-expanded'), 'false');
    // Printed: every section expanded, no contents bar.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await again.locator('.section-body').first().isVisible(), true);
    assert.equal(await bar.isVisible(), false);
    await page.emulateMedia({ media: 'screen' });
    await again.getByTestId('section-toggle').first().click();
    // Narrow screens: the bar is a compact list at the top, opened by its button.
    await page.setViewportSize({ width: 700, height: 900 });
    const compact = page.getByTestId('contents-toggle');
    assert.equal(await compact.isVisible(), true);
    assert.equal(await entries.first().isVisible(), false);
    await compact.click();
    assert.equal(await compact.getAttribute('aria-expanded'), 'true');
    assert.equal(await entries.first().isVisible(), true);
    await page.setViewportSize({ width: 1366, height: 900 });
    // The Satisfaction page is long but every section is one click away: its height is now
    // recorded for the report.
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    console.log(`satisfaction page height at 1366x900: ${height} px, ${n} sections`);
  } finally {
    await h.stop(assert);
  }
});

test('state in the address: model, customer, segment map, segment and survey columns are bookmarkable; back and forward work; unknown values are noted', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    // Lifetime value: choose a model and a customer; the address says so.
    await app.open('#/lifetime-value');
    await page.getByTestId('clv-table').waitFor({ timeout: 120000 });
    await page.getByTestId('model-select').selectOption('pnbd');
    await page.waitForURL(/#\/lifetime-value\?model=pnbd$/);
    await page.locator('[data-testid="model-fit"][data-model="pnbd"]').waitFor({ timeout: 120000 });
    await app.rows('clv-table').first().click();
    await page.waitForURL(/#\/lifetime-value\?model=pnbd&customer=[^&]+$/);
    const url = page.url();
    const customer = param(url, 'customer');
    assert.match(await page.getByTestId('customer-detail').locator('h3').innerText(), new RegExp(customer));
    // Back: the detail closes; forward: it opens again.
    await page.goBack();
    await page.getByTestId('customer-detail').waitFor({ state: 'detached' });
    await page.goForward();
    await page.getByTestId('customer-detail').waitFor();
    // A fresh load of the bookmark restores the view.
    await app.open('#/');
    await page.goto(url);
    await app.reload();
    await page.getByTestId('customer-detail').waitFor({ timeout: 120000 });
    assert.equal(await page.getByTestId('model-select').inputValue(), 'pnbd');
    await page.locator('[data-testid="model-fit"][data-model="pnbd"]').waitFor({ timeout: 120000 });
    // Unknown values: a note, no crash, the defaults.
    await app.open('#/lifetime-value?model=nosuch&customer=NOBODY');
    await page.getByTestId('address-note-model').waitFor({ timeout: 120000 });
    await page.getByTestId('address-note-customer').waitFor({ timeout: 120000 });
    assert.equal(await page.getByTestId('model-select').inputValue(), 'bgnbd');

    // Segments: a map and a segment from the address; back returns to the previous segment.
    await app.open('#/segments?map=rfm');
    await page.getByTestId('segment-count').waitFor({ timeout: 120000 });
    assert.equal(await page.getByTestId('map-select').inputValue(), 'rfm');
    const rows = app.rows('segment-table');
    await rows.first().click();
    await page.waitForURL(/#\/segments\?map=rfm&segment=[^&]+$/);
    const first = param(page.url(), 'segment');
    await rows.nth(1).click();
    await page.waitForURL((u) => param(u.href, 'segment') && param(u.href, 'segment') !== first);
    await page.goBack();
    await page.waitForFunction((s) => document.querySelector('[data-testid="segment-customers-card"] h2')?.textContent.includes(`"${s}"`), first);
    await app.open('#/segments?map=nosuch&segment=Nobody');
    await page.getByTestId('address-note-map').waitFor({ timeout: 120000 });
    await page.getByTestId('address-note-segment').waitFor({ timeout: 120000 });

    // Satisfaction: the NPS column from the address; an unknown column is noted.
    await app.open('#/satisfaction');
    await page.getByTestId('nps-value').first().waitFor({ state: 'attached', timeout: 120000 });
    await page.getByTestId('sat-columns').locator('summary').click();
    await page.getByTestId('col-nps').selectOption('');
    await page.waitForURL(/#\/satisfaction\?nps=&csat=/);
    await page.goBack();
    await page.waitForURL(/#\/satisfaction$/);
    // Straight after the new address, with no wait and no reload: the columns are read from the
    // address at each render (before, an effect copied them into the page's state and lost the
    // race with a quick Back in 6 of 8 tries).
    await page.getByTestId('nps-value').first().waitFor({ state: 'attached', timeout: 20000 });
    await app.open('#/satisfaction?nps=nosuch');
    await page.getByTestId('address-note-columns').waitFor({ timeout: 120000 });
  } finally {
    await h.stop(assert);
  }
});

test('the header fits on one line at 1366 and 1280 px wide, its buttons reachable by keyboard', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    await visit(app, '#/overview', 'fig-customers-value');
    for (const width of [1366, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      // Every item of the header sits in one row: their vertical extents all overlap.
      const boxes = await page.evaluate(() => [...document.querySelectorAll('header.top > *')].map((e) => {
        const r = e.getBoundingClientRect();
        return { name: e.className || e.tagName, top: r.top, bottom: r.bottom, right: r.right };
      }));
      const top = Math.max(...boxes.map((b) => b.top));
      const bottom = Math.min(...boxes.map((b) => b.bottom));
      assert.ok(top < bottom, `header on one line at ${width}: ${JSON.stringify(boxes)}`);
      assert.ok(boxes.every((b) => b.right <= width), `nothing past the edge at ${width}`);
      for (const id of ['glossary-link', 'tour-start', 'projector-toggle', 'theme-select']) {
        assert.equal(await page.getByTestId(id).isVisible(), true, `${id} at ${width}`);
      }
    }
    // Keyboard: the header's controls are in the tab order (the theme, Glossary, Tour, Projector).
    const tour = page.getByTestId('tour-start');
    await page.getByTestId('glossary-link').focus();
    await page.keyboard.press('Tab');
    assert.equal(await tour.evaluate((e) => e === document.activeElement), true);
    await page.setViewportSize({ width: 1366, height: 900 });
  } finally {
    await h.stop(assert);
  }
});
