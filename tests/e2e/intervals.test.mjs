// Ranges on the Lifetime value page: on the sample data (few enough distinct customer
// histories for the ranges to be computed at once), read the customer equity's 90% range and
// a customer's CLV range (lower ≤ value ≤ upper), the range columns of the table, the band
// chart with its table; then pick 80%, compute again with the button, and cancel a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start, screenshot } from './harness.mjs';
import { App } from './pages.mjs';

const attr = async (locator, name) => Number(await locator.getAttribute(name));

test('computes ranges on the Lifetime value page and shows them everywhere', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    await app.open('#/lifetime-value');
    await app.job('param-r');
    // Automatic on small data: the equity range appears.
    await app.job('equity-range');
    const eq = page.getByTestId('equity-range');
    const [lo, est, hi] = [await attr(eq, 'data-lower'), await attr(eq, 'data-estimate'), await attr(eq, 'data-upper')];
    assert.ok(lo > 0 && lo <= est && est <= hi, `equity ${lo} ≤ ${est} ≤ ${hi}`);
    assert.match(await page.getByTestId('ranges-method').innerText(), /90% range/);
    assert.ok((await page.getByTestId('purchases-range').innerText()).includes('–'));

    // The table has the range columns.
    const headers = await page.locator('[data-testid="clv-table"] thead th').allInnerTexts();
    assert.ok(headers.some((t) => /CLV 90% range: lower/.test(t)), headers.join(' | '));

    // A customer's ranges in the detail, and the band chart with its table.
    await app.rows('clv-table').first().click();
    await page.getByTestId('detail-clv-range').waitFor();
    const d = page.getByTestId('detail-clv-range');
    const [cl, cv, cu] = [await attr(d, 'data-lower'), await attr(d, 'data-value'), await attr(d, 'data-upper')];
    const tol = 1e-5 * Math.abs(cv);
    assert.ok(cl - tol <= cv && cv <= cu + tol, `customer CLV ${cl} ≤ ${cv} ≤ ${cu}`);
    await page.getByTestId('chart-clv-band').waitFor();
    assert.ok((await page.locator('[data-testid="clv-band-text"] tbody tr').count()) >= 1);
    await screenshot(page, 'intervals');

    // 80%: computed again; the range is narrower than the 90% one.
    await page.getByTestId('interval-level').selectOption('0.8');
    await app.job('equity-range');
    assert.match(await page.getByTestId('ranges-method').innerText(), /80% range/);
    const lo80 = await attr(page.getByTestId('equity-range'), 'data-lower');
    assert.ok(lo80 >= lo, `80% lower ${lo80} ≥ 90% lower ${lo}`);

    // Compute again with the button, and cancel: the page stays usable.
    const cancelled = await app.startAndCancel('compute-ranges');
    assert.ok(cancelled, 'the Cancel button appeared while computing');
    await page.getByTestId('compute-ranges').waitFor();
  } finally {
    await h.stop(assert);
  }
});
