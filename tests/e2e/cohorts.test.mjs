// New customers and acquisition cohorts on the Value & strategy page, computed in the worker:
// after the default lifetime-value fit, the new-customer value shows its 90% range, every
// sample customer is in a cohort, and a changed acquisition cost is answered with new figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start, screenshot } from './harness.mjs';
import { App } from './pages.mjs';

const money = (s) => Number(s.replace(/[^0-9.-]/g, ''));

test('values a new customer with its range and the cohorts against the acquisition cost', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    await app.open('#/strategy');
    await page.getByTestId('cohort-no-clv').waitFor();
    await page.getByTestId('run-clv').click();
    await app.job('cohort-table');
    const text = await app.figure('new-customer-value');
    const m = text.match(/= ([\d.,]+[kM]?) \(90% range ([\d.,]+[kM]?) to ([\d.,]+[kM]?), from the parameters' uncertainty\)\. Against an acquisition cost of 20: CLV\/CAC ([\d.]+)/);
    assert.ok(m, text);
    const [value, lower, upper] = [m[1], m[2], m[3]].map(money);
    assert.ok(lower <= value && value <= upper, `${lower} ≤ ${value} ≤ ${upper}`);
    assert.ok(lower < upper, 'a range, not a point');
    const customers = (await page.locator('[data-testid="cohort-table"] tbody tr td:nth-child(2)').allInnerTexts())
      .map(money).reduce((a, b) => a + b, 0);
    assert.ok(customers > 0 && customers <= 2000, `${customers} customers in the cohorts on the first page of the table`);

    // A new acquisition cost: the worker answers with the new CLV/CAC.
    const cac = page.getByTestId('cohort-cac');
    await cac.fill('80');
    await cac.press('Enter');
    await cac.blur();
    await page.waitForFunction(() => /acquisition cost of 80:/.test(document.querySelector('[data-testid="new-customer-value"]')?.innerText ?? ''));
    const again = await app.figure('new-customer-value');
    const ratio = Number(again.match(/CLV\/CAC ([\d.]+)/)[1]);
    assert.ok(Math.abs(ratio - Number(m[4]) / 4) < 0.02, `CLV/CAC ${ratio} is a quarter of ${m[4]}`);
    await screenshot(page, 'cohorts');
  } finally {
    await h.stop(assert);
  }
});
