// The number format, chosen once on the Data page ("1.234,56" with "€" after the figure) and
// used everywhere: the Overview's customer equity, the Lifetime value page (figures, a chart
// tick, the CSV export with ';' between columns) and the report's print view; after a reload
// the choice is still in force (it is kept in the settings store).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { start, screenshot } from './harness.mjs';
import { DataPage, JOB_MS } from './pages.mjs';

const NBSP = '\u00a0';

test('a chosen number format is used on every page, chart, export and the report, and survives a reload', async () => {
  const h = await start();
  try {
    const app = new DataPage(h);
    const { page } = app;
    await app.openOnData('#/');
    // Choose the German separators, then the euro sign after the figure.
    await page.getByTestId('numfmt-preset').selectOption('de');
    // Every page is drawn again with a new format: wait for it before the next field.
    const preview = (text) => page.waitForFunction((t) => document.querySelector('[data-testid="numfmt-preview"]')?.textContent.includes(t), text);
    await preview('-1.234.567,89');
    await page.getByTestId('numfmt-symbol').fill('€');
    await page.getByTestId('numfmt-symbol').press('Tab');
    await preview('-1.234.567,89\u00a0€');
    assert.equal(await page.getByTestId('numfmt-place').inputValue(), 'after-space');
    await screenshot(page, 'numberformat-data');

    // The Overview: customer equity in euros with a thousands point.
    await app.nav('overview');
    await page.getByTestId('fig-equity-value').waitFor({ timeout: JOB_MS });
    assert.match(await app.figure('fig-equity-value'), new RegExp(`^\\d{2}\\.\\d{3}${NBSP}€$`));
    assert.match(await app.figure('fig-concentration-value'), /^\d+,\d%$/);

    // The Lifetime value page: parameters with a decimal comma, equity in euros.
    await app.nav('lifetime-value');
    await app.job('param-r');
    assert.match(await app.figure('param-r'), /^0,\d{4}$/);
    assert.match(await app.figure('customer-equity'), new RegExp(`^\\d+,\\d${NBSP}k${NBSP}€$`));
    // A chart tick with a decimal comma, and none with a decimal point.
    await page.getByTestId('chart-palive').waitFor();
    const ticks = await page.locator('main svg text').allTextContents();
    assert.ok(ticks.some((t) => /^-?\d+,\d+k?%?$/.test(t.trim())), `a tick with a decimal comma: ${ticks.slice(0, 20)}`);
    assert.ok(!ticks.some((t) => /^-?\d+\.\d+$/.test(t.trim())), 'no tick with a decimal point');
    // The CSV export: ';' between columns, numbers with a decimal comma, and said so.
    const table = page.getByTestId('clv-table');
    assert.match(await table.getByTestId('csv-delimiter-note').innerText(), /separated by ;/);
    const dl = await app.download(table.getByTestId('export-csv'));
    const csv = fs.readFileSync(await dl.path(), 'utf8').split('\n');
    assert.ok(csv[0].includes(';') && !csv[0].includes(','), `header: ${csv[0]}`);
    assert.match(csv[1], /;\d+,\d+/);

    // The report's print view.
    await app.nav('overview');
    await page.getByTestId('open-report').click();
    await page.waitForURL(/#\/report$/);
    await page.getByTestId('report-overview').waitFor({ timeout: JOB_MS });
    const report = await app.figure('report-overview');
    assert.match(report, new RegExp(`\\d{2}\\.\\d{3}${NBSP}€`));
    await page.getByTestId('report-segments').waitFor({ timeout: JOB_MS });
    assert.match(await app.figure('report-segments'), /\d+,\d%/);

    // After a reload the format is still the chosen one.
    await app.reload();
    await app.open('#/overview');
    await page.waitForFunction(() => document.querySelector('[data-testid="fig-equity-value"]')?.textContent.endsWith('€'),
      null, { timeout: JOB_MS });
    assert.match(await app.figure('fig-equity-value'), new RegExp(`^\\d{2}\\.\\d{3}${NBSP}€$`));
    await screenshot(page, 'numberformat-overview');
  } finally {
    await h.stop(assert);
  }
});
