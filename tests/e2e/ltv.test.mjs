// The Lifetime value page: fit the sample data in the worker, read the parameters (near the
// simulation's truth r=0.243 alpha=4.414 a=0.793 b=2.426), switch to Pareto/NBD, open a
// customer's detail, export the table as CSV, cancel a fit and fit again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start, screenshot } from './harness.mjs';

const num = async (page, id) => Number((await page.getByTestId(id).innerText()).replace(/[^0-9.eE+-]/g, ''));

test('fits BG/NBD and Pareto/NBD on the sample, shows a customer, exports CSV', async () => {
  const h = await start();
  try {
    const { page } = h;
    await h.open('#/lifetime-value');
    assert.match(await page.locator('main h1').first().innerText(), /Lifetime value/);
    await page.getByTestId('param-r').waitFor({ timeout: 120000 });
    const r = await num(page, 'param-r');
    const alpha = await num(page, 'param-alpha');
    const a = await num(page, 'param-a');
    const b = await num(page, 'param-b');
    assert.ok(r > 0.15 && r < 0.4, `r = ${r}`);
    assert.ok(alpha > 2.5 && alpha < 7, `alpha = ${alpha}`);
    assert.ok(a > 0.3 && a < 2, `a = ${a}`);
    assert.ok(b > 1 && b < 6, `b = ${b}`);
    assert.equal(await page.getByTestId('converged').innerText(), 'yes');
    assert.ok(Number.isFinite(await num(page, 'log-likelihood')));
    assert.ok((await num(page, 'customer-equity')) > 0);
    await page.getByTestId('chart-holdout').waitFor();
    await page.getByTestId('chart-palive').waitFor();
    await page.getByTestId('sbg-alpha').waitFor();
    const sa = await num(page, 'sbg-alpha');
    assert.ok(sa > 0.3 && sa < 1.5, `sBG alpha = ${sa}`);

    // A customer's detail.
    await page.locator('[data-testid="clv-table"] tbody tr').first().click();
    await page.getByTestId('customer-detail').waitFor();
    assert.match(await page.getByTestId('customer-detail').innerText(), /Total \(CLV\)/);
    // The purchase history comes from the worker, which keeps the log: at least x + 1 rows.
    const x = Number(await page.locator('[data-testid="clv-table"] tbody tr').first().locator('td').nth(1).innerText());
    const heading = await page.getByTestId('customer-detail').locator('h4', { hasText: 'Purchase history' }).innerText({ timeout: 30000 });
    assert.ok(Number(heading.match(/\((\d+) purchases\)/)[1]) >= x + 1, `${heading} for x = ${x}`);
    await screenshot(page, 'ltv');

    // CSV export.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid="clv-table"] [data-testid="export-csv"]').click(),
    ]);
    assert.equal(download.suggestedFilename(), 'lifetime_value.csv');

    // Pareto/NBD.
    await page.getByTestId('model-select').selectOption('pnbd');
    await page.getByTestId('param-s').waitFor({ timeout: 120000 });
    assert.ok((await num(page, 'param-r')) > 0);
    assert.ok(Number.isFinite(await num(page, 'log-likelihood')));
    await page.getByTestId('param-beta').waitFor();

    // Cancel a fit: the worker is let go, and with it the purchases it kept. Fitting again
    // reads the dataset again from storage; the validation and a customer's history come back.
    const cancelled = await page.evaluate(async () => {
      document.querySelector('[data-testid="fit"]').click();
      for (let i = 0; i < 500; i++) {
        const c = document.querySelector('[data-testid="cancel"]');
        if (c) { c.click(); return true; }
        await new Promise((r) => setTimeout(r, 1));
      }
      return false;
    });
    assert.ok(cancelled, 'the Cancel button appeared while fitting');
    await page.getByTestId('status-error').filter({ hasText: 'Cancelled' }).waitFor({ timeout: 10000 });
    await page.getByTestId('fit').click();
    await page.getByTestId('chart-holdout').waitFor({ timeout: 120000 });
    await page.getByTestId('param-s').waitFor();
    await page.locator('[data-testid="clv-table"] tbody tr').first().click();
    await page.getByTestId('detail-history').waitFor({ timeout: 60000 });
  } finally {
    await h.stop(assert);
  }
});
