// The Overview on the sample data: the app opens on it from its bare address once data exists
// (the Data page one click away), every figure links to the page that computed it, each
// recommended action leads to the page and the customers it names, the report downloads as
// an XLSX workbook (its sheets, tables and methods appendix read back here) and the print view
// renders each section with SVG charts and a print stylesheet without navigation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { start, screenshot } from './harness.mjs';
import { App, SAMPLE_MS, JOB_MS, unzip } from './pages.mjs';

const overviewShown = (app) => app.page.getByTestId('fig-customers-value').waitFor({ timeout: SAMPLE_MS + JOB_MS });

test('the sample opens on the Overview; figures and actions lead to their pages and customers; the report downloads and prints', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    await app.openBare();
    await overviewShown(app);
    await page.waitForURL(/#\/overview$/);
    assert.match(await app.heading(), /Overview/);
    assert.equal(await app.figure('fig-customers-value'), '2,000');
    assert.equal(await app.figure('fig-active-value'), '1,670');
    // The rule is said once, on the figure's own card.
    assert.match(await app.figure('fig-active-how'), /at least 50%/);
    assert.equal(await page.getByText(/at least 50%/).count(), 1);
    // Equity and NPS with their ranges, concentration as a share.
    await page.getByTestId('fig-equity-range').waitFor({ timeout: JOB_MS });
    assert.match(await app.figure('fig-equity-value'), /^58,10\d$/);
    assert.match(await app.figure('fig-equity-range'), /\d+% range over \d+ parameter draws/);
    assert.match(await app.figure('fig-concentration-value'), /^60\.7%$/);
    const nps = await app.figure('fig-nps-value');
    const npsRange = (await app.figure('fig-nps-range')).match(/95% interval: (-?\d+\.\d) to (-?\d+\.\d)/);
    assert.ok(npsRange, 'NPS with its interval');
    assert.match(await app.figure('fig-csat-value'), /%$/);
    assert.ok(await page.getByTestId('top-value-list').locator('li').count() >= 1);
    assert.ok(await page.getByTestId('top-risk-list').locator('li').count() >= 1);
    await screenshot(page, 'overview');
    // The figure cards are a section of their own, first in the contents bar.
    const firstEntry = page.getByTestId('contents-bar').locator('.contents-link').first();
    assert.equal(await firstEntry.innerText(), 'Key figures');
    assert.equal(await page.getByTestId('key-figures').getByTestId('overview-figures').count(), 1);

    // Every figure names its page: equity opens the Lifetime value page.
    assert.equal(await page.getByTestId('fig-equity').getAttribute('href'), '#/lifetime-value');
    assert.equal(await page.getByTestId('fig-nps').getAttribute('href'), '#/satisfaction');
    await page.getByTestId('fig-equity').click();
    await page.waitForURL(/#\/lifetime-value$/);
    assert.match(await app.heading(), /Lifetime value/);
    // NPS opens the Satisfaction page, which shows the same score and interval.
    await app.nav('overview');
    await overviewShown(app);
    await page.getByTestId('fig-nps').click();
    await page.waitForURL(/#\/satisfaction$/);
    await app.job('nps-value');
    assert.equal(await app.figure('nps-value'), nps);
    assert.equal(await app.figure('nps-ci'), `95% interval ${npsRange[1]} to ${npsRange[2]}`);
    // The Data page is one click away.
    await app.nav('overview');
    await overviewShown(app);
    await page.getByTestId('to-data').click();
    await page.getByTestId('n-customers').waitFor();
    assert.equal(await app.figure('n-customers'), '2,000');
    await app.nav('overview');
    await overviewShown(app);

    // Each action: its link leads to the page and the customers it names.
    const n = await page.locator('[data-testid^="action-"][data-action]').count();
    assert.ok(n >= 3 && n <= 5, `${n} actions`);
    for (let i = 0; i < n; i += 1) {
      const item = page.getByTestId(`action-${i}`);
      const [kind, segment, customers] = await Promise.all(
        ['data-action', 'data-segment', 'data-customers'].map((a) => item.getAttribute(a)));
      assert.match(await item.innerText(), /Why: .*\d/);
      await page.getByTestId(`action-link-${i}`).click();
      if (segment) {
        await page.waitForURL(new RegExp(`#/segments\\?segment=${encodeURIComponent(segment)}$`));
        const card = page.getByTestId('segment-customers-card');
        await card.waitFor({ timeout: JOB_MS });
        const title = await card.locator('h2').innerText();
        assert.ok(title.startsWith(`Customers in "${segment}"`), title);
        // The recovery action names the detractors within the segment; the others the segment.
        if (kind !== 'recover') assert.ok(title.endsWith(`(${customers})`), `${title} vs ${customers}`);
        const rows = await page.locator('[data-testid="segment-customers"] tbody tr td:nth-child(2)').allInnerTexts();
        assert.ok(rows.length > 0 && rows.every((r) => r === segment), `rows of ${segment}`);
      } else {
        await page.waitForURL(/#\/satisfaction$/);
        assert.match(await app.heading(), /Satisfaction/);
      }
      await page.goBack();
      await overviewShown(app);
    }

    // The XLSX report: every sheet, the tables and the methods appendix.
    const dl = await app.download(page.getByTestId('download-report'));
    assert.equal(dl.suggestedFilename(), 'report.xlsx');
    const files = unzip(fs.readFileSync(await dl.path()));
    const sheets = [...files['xl/workbook.xml'].matchAll(/<sheet name="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(sheets, ['Overview', 'Actions', 'Customers', 'Segments', 'Model', 'Satisfaction',
      'Settings', 'Data quality', 'Methods', 'About']);
    const rows = (k) => (files[`xl/worksheets/sheet${k}.xml`].match(/<row /g) || []).length;
    assert.equal(rows(3), 2001, 'a header and one row per customer');
    assert.equal(rows(2), n + 1, 'a header and one row per action');
    const strings = files['xl/sharedStrings.xml'];
    for (const s of ['Customer lifetime value', 'In plain words', 'Formula', 'BG/NBD', 'Rows read', 'Champions']) {
      assert.ok(strings.includes(s), `workbook mentions ${s}`);
    }

    // The print view: each section, SVG charts, no navigation when printed.
    await page.getByTestId('open-report').click();
    await page.waitForURL(/#\/report$/);
    for (const s of ['overview', 'segments', 'model', 'satisfaction', 'settings', 'quality', 'methods']) {
      await page.getByTestId(`report-${s}`).waitFor({ timeout: JOB_MS });
    }
    assert.ok(await page.locator('[data-testid="report-chart"] svg').count() >= 2);
    assert.match(await app.figure('report-methods'), /P\(alive\)/);
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('nav.main').isVisible(), false);
    assert.equal(await page.getByTestId('print-report').isVisible(), false);
    const breaks = await page.locator('.report-section').evaluateAll(
      (els) => els.map((e) => getComputedStyle(e).breakBefore));
    assert.deepEqual(breaks.slice(1).filter((b) => b !== 'page'), [], breaks.join(','));
    await screenshot(page, 'report-print');
    await page.emulateMedia({ media: 'screen' });
  } finally {
    await h.stop(assert);
  }
});
