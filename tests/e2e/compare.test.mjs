// The model comparison and the look-ahead lists on the Lifetime value page: run the comparison
// on the sample data in the worker, read the table (three models) and the recommendation, then
// make the look-ahead lists and export one as CSV.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start, screenshot } from './harness.mjs';
import { App } from './pages.mjs';

test('compares the three models on the sample and recommends one; lists customers ahead', async () => {
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

    await page.getByTestId('ahead-horizon').selectOption('30');
    await page.getByTestId('ahead-run').click();
    await app.job('ahead-buy');
    const download = await app.download(page.locator('[data-testid="ahead-buy"] [data-testid="export-csv"]'));
    assert.equal(download.suggestedFilename(), 'likely_to_buy.csv');
    await page.getByTestId('ahead-lost').waitFor();
  } finally {
    await h.stop(assert);
  }
});
