// Segment movement on the sample data: the Segments page compares the RFM segments at the
// default dates (calibration end and end of observation), every customer is in one flow, and
// one flow's customers export as CSV (a header with both dates, one row per customer of the
// flow, each in the flow's two segments).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { start, screenshot } from './harness.mjs';
import { App } from './pages.mjs';

test('compares segments at two dates and exports the customers of one flow', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    await app.open('#/segments');
    await app.job('segment-count');
    await page.getByTestId('movement-run').click();
    await app.job('movement-summary');
    const summary = await app.figure('movement-summary');
    // Counts in the page's number format (2,000 with the default one).
    const m = summary.replace(/(\d),(?=\d{3}\b)/g, '$1').match(/^(\d+) customers on [\d-]+: (\d+) stayed in their segment, (\d+) moved, (\d+) joined/);
    assert.ok(m, summary);
    assert.match(summary, /^2,000 customers on /);
    assert.equal(Number(m[1]), 2000);
    assert.equal(Number(m[2]) + Number(m[3]) + Number(m[4]), 2000);
    await page.getByTestId('movement-chart').waitFor();

    // The first flow in the matrix: its count, then its customers exported.
    const cell = page.locator('[data-testid="movement-matrix"] [data-testid^="flow-"]').first();
    const count = Number((await cell.innerText()).split('·')[0].trim());
    await cell.click();
    await page.getByTestId('flow-detail').waitFor();
    const detail = await app.figure('flow-detail');
    const [from, to] = detail.split(':')[0].split('→').map((s) => s.trim());
    const dl = await app.download(page.getByTestId('flow-export'));
    assert.match(dl.suggestedFilename(), /^movement-.*\.csv$/);
    const lines = fs.readFileSync(await dl.path(), 'utf8').trim().split(/\r?\n/);
    assert.match(lines[0], /^customer_id,segment_\d{4}-\d\d-\d\d,segment_\d{4}-\d\d-\d\d,(clv|revenue)$/);
    assert.equal(lines.length - 1, count);
    const rows = lines.slice(1).map((l) => l.split(','));
    assert.ok(rows.every((r) => r[1] === from && r[2] === to), `every row moves ${from} → ${to}`);
    assert.equal(new Set(rows.map((r) => r[0])).size, count, 'each customer once');
    await screenshot(page, 'segment-movement');
  } finally {
    await h.stop(assert);
  }
});
