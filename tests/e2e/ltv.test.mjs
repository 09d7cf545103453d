// The Lifetime value page: fit the sample data in the worker, read the parameters (near the
// simulation's truth r=0.243 alpha=4.414 a=0.793 b=2.426), switch to Pareto/NBD, open a
// customer's detail, export the table as CSV, cancel a fit and fit again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start, screenshot } from './harness.mjs';
import { App } from './pages.mjs';

const num = async (app, id) => Number((await app.figure(id)).replace(/[^0-9.eE+-]/g, ''));

test('fits BG/NBD and Pareto/NBD on the sample, shows a customer, exports CSV', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    await app.open('#/lifetime-value');
    assert.match(await app.heading(), /Lifetime value/);
    await app.job('param-r');
    const r = await num(app, 'param-r');
    const alpha = await num(app, 'param-alpha');
    const a = await num(app, 'param-a');
    const b = await num(app, 'param-b');
    assert.ok(r > 0.15 && r < 0.4, `r = ${r}`);
    assert.ok(alpha > 2.5 && alpha < 7, `alpha = ${alpha}`);
    assert.ok(a > 0.3 && a < 2, `a = ${a}`);
    assert.ok(b > 1 && b < 6, `b = ${b}`);
    assert.equal(await app.figure('converged'), 'yes');
    assert.ok(Number.isFinite(await num(app, 'log-likelihood')));
    assert.ok((await num(app, 'customer-equity')) > 0);
    await page.getByTestId('chart-holdout').waitFor();
    await page.getByTestId('chart-palive').waitFor();
    await page.getByTestId('sbg-alpha').waitFor();
    const sa = await num(app, 'sbg-alpha');
    assert.ok(sa > 0.3 && sa < 1.5, `sBG alpha = ${sa}`);

    // A customer's detail.
    await app.rows('clv-table').first().click();
    await page.getByTestId('customer-detail').waitFor();
    assert.match(await app.figure('customer-detail'), /Total \(CLV\)/);
    // The purchase history comes from the worker, which keeps the log: at least x + 1 rows.
    const x = Number(await app.rows('clv-table').first().locator('td').nth(1).innerText());
    const heading = await page.getByTestId('customer-detail').locator('h4', { hasText: 'Purchase history' }).innerText({ timeout: 30000 });
    assert.ok(Number(heading.match(/\(([\d,]+) purchases\)/)[1].replaceAll(',', '')) >= x + 1, `${heading} for x = ${x}`);
    // Its amounts are money in the chosen format (grouped, the money decimals), as the CLV is.
    const amounts = await page.getByTestId('detail-history').locator('tbody tr td:nth-child(2)').allInnerTexts();
    assert.ok(amounts.length >= x + 1 && amounts.every((a) => /^\D*-?\d{1,3}(,\d{3})*\.\d{2}\D*$/.test(a)), amounts.join(' '));
    await screenshot(page, 'ltv');

    // A new calibration end checks the model again on the calibration period; the fit on
    // the whole period (its parameters) is not asked again.
    const summary = page.getByTestId('holdout-summary');
    const before = await summary.innerText();
    const end = before.match(/to (\d{4}-\d{2}-\d{2}) \(/)[1];
    const earlier = new Date(Date.parse(end) - 60 * 86400000).toISOString().slice(0, 10);
    const rBefore = await app.figure('param-r');
    // Were the fit asked again, its section would leave the page while it runs.
    await page.evaluate(() => {
      window.fitLeft = false;
      new MutationObserver(() => {
        if (!document.querySelector('[data-testid="model-fit"]')) window.fitLeft = true;
      }).observe(document.body, { childList: true, subtree: true });
    });
    await page.getByTestId('calibration-end').fill(earlier);
    await page.getByTestId('calibration-end').dispatchEvent('change');
    await page.getByTestId('holdout-summary').filter({ hasText: `to ${earlier} (` }).waitFor({ timeout: 30000 });
    assert.equal(await app.figure('param-r'), rBefore);
    assert.equal(await page.evaluate(() => window.fitLeft), false, 'the fit was not asked again');
    await page.getByTestId('chart-cumulative').waitFor();

    // CSV export.
    const download = await app.download(page.locator('[data-testid="clv-table"] [data-testid="export-csv"]'));
    assert.equal(download.suggestedFilename(), 'lifetime_value.csv');

    // Pareto/NBD.
    await page.getByTestId('model-select').selectOption('pnbd');
    await app.job('param-s');
    assert.ok((await num(app, 'param-r')) > 0);
    assert.ok(Number.isFinite(await num(app, 'log-likelihood')));
    await page.getByTestId('param-beta').waitFor();

    // Cancel a fit: the worker is let go, and with it the purchases it kept. Fitting again
    // reads the dataset again from storage; the validation and a customer's history come back.
    const cancelled = await app.startAndCancel('fit');
    assert.ok(cancelled, 'the Cancel button appeared while fitting');
    await page.getByTestId('status-error').filter({ hasText: 'Cancelled' }).waitFor({ timeout: 10000 });
    await page.getByTestId('fit').click();
    await app.job('chart-holdout');
    await page.getByTestId('param-s').waitFor();
    await app.rows('clv-table').first().click();
    await app.job('detail-history', 60000);
  } finally {
    await h.stop(assert);
  }
});
