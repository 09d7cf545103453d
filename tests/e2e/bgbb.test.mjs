// BG/BB on the Lifetime value page: lifetimes' donations file (frequency, recency, periods,
// weights) dropped on the Data page opens as a weighted customer summary; the "Discrete periods
// (BG/BB)" section fits it in the worker and shows the published estimates of Fader, Hardie &
// Shang (2010): alpha 1.204, beta 0.750, gamma 0.657, delta 2.783, LL -33,225.6; the table of
// histories exports as CSV.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { start, screenshot, FIXTURES } from './harness.mjs';
import { DataPage, JOB_MS } from './pages.mjs';

const DONATIONS = path.join(FIXTURES, 'bgbb', 'donations.csv');

test('the donations summary dropped on the Data page fits BG/BB on the Lifetime value page', async () => {
  const h = await start();
  try {
    const app = new DataPage(h);
    const { page } = app;
    await app.openOnData();
    await app.importFile(DONATIONS);
    await app.nav('lifetime-value');
    await page.getByTestId('bgbb-section').waitFor({ timeout: JOB_MS });
    // A summary has no log to cut: the section says it reads whole periods, no period picker.
    assert.equal(await page.getByTestId('bgbb-period').count(), 0);
    await page.getByTestId('bgbb-fit').click();
    await app.job('bgbb-param-alpha');
    const estimate = async (name) => Number((await page.getByTestId(`bgbb-param-${name}`).locator('td').nth(1).innerText()).trim());
    for (const [name, want] of [['alpha', 1.204], ['beta', 0.750], ['gamma', 0.657], ['delta', 2.783]]) {
      const got = await estimate(name);
      assert.ok(Math.abs(got - want) <= 0.002, `${name}: ${got} vs ${want}`);
    }
    assert.match(await app.figure('bgbb-ll'), /Log-likelihood -33225\.6; converged: yes/);
    assert.match(await app.figure('bgbb-totals'), /^11,104 customers:/);
    assert.equal(await app.rows('bgbb-table').count() > 0, true);
    await screenshot(page, 'bgbb');
    const dl = await app.download(page.locator('[data-testid="bgbb-table"] [data-testid="export-csv"]').first());
    assert.equal(dl.suggestedFilename(), 'bgbb-predictions.csv');
    const lines = fs.readFileSync(await dl.path(), 'utf8').trim().split(/\r?\n/);
    assert.equal(lines.length, 23, 'header and the 22 histories');
  } finally {
    await h.stop(assert);
  }
});
