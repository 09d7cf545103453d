// The model comparison and the look-ahead lists on the Lifetime value page: run the comparison
// on the sample data in the worker, read the table (three models) and the recommendation; run
// it again with BG/BB by month (a fourth row, no AIC/BIC, the recommendation unchanged); make
// the look-ahead lists and export one as CSV; then run the comparison again and cancel it (the
// BG/BB table stays).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start, screenshot } from './harness.mjs';
import { App } from './pages.mjs';

test('compares the three models (and BG/BB by month) on the sample, recommends one, cancels a rerun; lists customers ahead', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    await app.open('#/lifetime-value');
    await app.job('param-r');

    await page.getByTestId('compare-run').click();
    await app.job('compare-recommendation');
    const rows = page.getByTestId('compare-row');
    assert.equal(await rows.count(), 3);
    const names = await rows.locator('td:first-child').allInnerTexts();
    assert.deepEqual(names, ['BG/NBD', 'MBG/NBD', 'Pareto/NBD']);
    for (let i = 0; i < 3; i++) {
      const cells = await rows.nth(i).locator('td').allInnerTexts();
      assert.ok(Number.isFinite(Number(cells[1])), `log-likelihood ${cells[1]}`);
      assert.equal(cells[5], 'yes');
    }
    const rec = await page.getByTestId('compare-recommendation').innerText();
    // The sample is simulated from BG/NBD.
    assert.match(rec, /Recommendation: BG\/NBD/);
    await screenshot(page, 'compare');

    // BG/BB too, on the log cut into months: a fourth row scored on the holdout only.
    await page.getByTestId('compare-period').selectOption('month');
    const old = await page.getByTestId('compare-table').elementHandle();
    await page.getByTestId('compare-run').click();
    await old.waitForElementState('hidden');
    await app.job('compare-recommendation');
    assert.equal(await rows.count(), 4);
    const bgbb = await rows.nth(3).locator('td').allInnerTexts();
    assert.equal(bgbb[0], 'BG/BB');
    assert.ok(Number.isFinite(Number(bgbb[1])), `BG/BB log-likelihood ${bgbb[1]}`);
    assert.equal(bgbb[3], '–');
    assert.equal(bgbb[4], '–');
    assert.ok(Number.isFinite(Number(bgbb[7])), `BG/BB holdout error ${bgbb[7]}`);
    assert.equal(await page.getByTestId('compare-recommendation').innerText(), rec);

    await page.getByTestId('ahead-horizon').selectOption('30');
    await page.getByTestId('ahead-run').click();
    await app.job('ahead-buy');
    const download = await app.download(page.locator('[data-testid="ahead-buy"] [data-testid="export-csv"]'));
    assert.equal(download.suggestedFilename(), 'likely_to_buy.csv');
    await page.getByTestId('ahead-lost').waitFor();

    // Last (a cancel lets the worker go, and later jobs wait for the data to be sent again):
    // cancelled, the page returns to the comparison it showed.
    const cancelled = await app.startAndCancel('compare-run');
    assert.ok(cancelled, 'the Cancel button appeared while comparing');
    await app.job('compare-recommendation');
    assert.equal(await rows.count(), 4);
    assert.equal(await page.getByTestId('compare-run').isEnabled(), true);
  } finally {
    await h.stop(assert);
  }
});
