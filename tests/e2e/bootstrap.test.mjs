// The parametric bootstrap on the Lifetime value page, its refits split across a pool of web
// workers: on the sample data pick "Bootstrap: refit 100 times", compute, see the combined
// progress ("Refit 37 of 100 on 3 workers"), read the ranges named as the bootstrap's on the
// cards, in the table and in a customer's detail; then start a second run and cancel it: the
// page returns to the bootstrap's ranges and stays usable (parameter draws run afterwards).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start, screenshot } from './harness.mjs';
import { App } from './pages.mjs';

const attr = async (locator, name) => Number(await locator.getAttribute(name));

test('runs the bootstrap across workers from the page, shows its ranges, and cancels a second run', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    await app.open('#/lifetime-value');
    await app.job('param-r');
    // The parameter draws come at once on small data.
    await app.job('equity-range');
    assert.equal(await page.getByTestId('ranges-method').getAttribute('data-method'), 'Parameter draws');

    // Record every progress line the page shows.
    await page.evaluate(() => {
      window.e2eStages = [];
      const observer = new MutationObserver(() => {
        const t = document.querySelector('[data-testid="ranges"]')?.innerText || '';
        const m = t.match(/Refit \d+ of \d+ on \d+ workers?/);
        if (m && window.e2eStages.at(-1) !== m[0]) window.e2eStages.push(m[0]);
      });
      observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    await page.getByTestId('interval-method').selectOption('100');
    await page.getByTestId('compute-ranges').click();
    await page.locator('[data-testid="ranges-method"][data-method="Bootstrap"]').waitFor({ timeout: 300000 });
    const stages = await page.evaluate(() => window.e2eStages);
    assert.ok(stages.length >= 1, 'progress was shown');
    assert.ok(stages.every((s) => /^Refit \d+ of 100 on [1-8] workers?$/.test(s)), stages.join(' | '));
    assert.match(await page.getByTestId('ranges-method').innerText(), /^Bootstrap: a 90% range/);
    assert.match(await page.getByTestId('ranges-method').innerText(), /parametric bootstrap/);

    const eq = page.getByTestId('equity-range');
    const [lo, est, hi] = [await attr(eq, 'data-lower'), await attr(eq, 'data-estimate'), await attr(eq, 'data-upper')];
    assert.ok(Number.isFinite(lo) && lo > 0 && lo <= hi && est > 0, `equity ${lo} – ${hi} (estimate ${est})`);
    const headers = await page.locator('[data-testid="clv-table"] thead th').allInnerTexts();
    assert.ok(headers.some((t) => /CLV 90% range: lower/.test(t)), headers.join(' | '));

    // A customer's range in the detail.
    await app.rows('clv-table').first().click();
    await page.getByTestId('detail-clv-range').waitFor();
    const d = page.getByTestId('detail-clv-range');
    const [cl, cu] = [await attr(d, 'data-lower'), await attr(d, 'data-upper')];
    assert.ok(Number.isFinite(cl) && cl <= cu, `customer CLV range ${cl} – ${cu}`);
    await page.getByTestId('chart-clv-band').waitFor();
    await screenshot(page, 'bootstrap');

    // A second run, cancelled: back to the bootstrap's ranges, nothing else changed.
    await page.getByTestId('interval-method').selectOption('500');
    const cancelled = await app.startAndCancel('compute-ranges');
    assert.ok(cancelled, 'the Cancel button appeared while refitting');
    await page.locator('[data-testid="ranges-method"][data-method="Bootstrap"]').waitFor();
    assert.equal(await attr(page.getByTestId('equity-range'), 'data-lower'), lo);
    assert.equal(await page.getByTestId('compute-ranges').isEnabled(), true);
    assert.equal(await page.getByTestId('cancel').count(), 0);

    // The page stays usable: parameter draws run afterwards.
    await page.getByTestId('interval-method').selectOption('0');
    await page.getByTestId('compute-ranges').click();
    await page.locator('[data-testid="ranges-method"][data-method="Parameter draws"]').waitFor();
  } finally {
    await h.stop(assert);
  }
});
