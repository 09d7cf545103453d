// Benchmark (not a test): fit lifetime-value models in headless Chromium through the page, as
// a user would: upload a customer-summary CSV on the Data page, open Lifetime value, choose the
// model, press "Fit again", and read the fit time the worker reports ("Fitted in", grouping + search + standard
// errors, measured inside the web worker) and the wall clock from pressing the button to the
// parameters on screen (which adds predicting every customer, the charts and drawing).
//
// Usage (after `trunk build --release`):
//   node tests/bench/clv_chromium.mjs FILE.csv [bgnbd,pnbd] [runs]
// Prints one JSON line per model: {"model", "customers", "fit_seconds": [...], "wall_seconds":
// [...], "params": {...}}. tests/bench/clv_vs_lifetimes.py calls it to put the browser next to
// the native command and lifetimes in one run.
import path from 'node:path';
import assert from 'node:assert/strict';
import { start } from '../e2e/harness.mjs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node tests/bench/clv_chromium.mjs FILE.csv [bgnbd,pnbd] [runs]');
  process.exit(2);
}
const models = (process.argv[3] || 'bgnbd').split(',');
const runs = Number(process.argv[4] || 3);
const PARAMS = { bgnbd: ['r', 'alpha', 'a', 'b'], pnbd: ['r', 'alpha', 's', 'beta'], mbgnbd: ['r', 'alpha', 'a', 'b'] };
const num = async (page, id) => Number((await page.getByTestId(id).innerText()).replace(/[^0-9.eE+-]/g, ''));

const h = await start();
try {
  const { page } = h;
  await h.open('#/'); // the Data page (a visit with data opens on Overview)
  await page.getByTestId('n-customers').first().waitFor({ timeout: 60000 });
  await page.getByTestId('file-input').setInputFiles(file);
  await page.getByTestId('source-transactions').locator('h3', { hasText: path.basename(file) }).waitFor({ timeout: 600000 });
  const customers = (await page.getByTestId('source-transactions').getByTestId('n-customers').innerText()).trim();
  await h.open('#/lifetime-value');
  // The page fits BG/NBD on arrival; wait for that first fit before timing anything.
  await page.getByTestId('fit-seconds').waitFor({ timeout: 600000 });
  for (const model of models) {
    const fit = [];
    const wall = [];
    let params = {};
    await page.getByTestId('model-select').selectOption(model);
    await page.locator(`[data-testid="model-fit"][data-model="${model}"] [data-testid="fit-seconds"]`).waitFor({ timeout: 600000 });
    for (let run = 0; run < runs; run++) {
      // "Fit again" fits afresh (choosing a model can reuse a cached fit).
      const old = await page.getByTestId('model-fit').elementHandle();
      const t0 = Date.now();
      await page.getByTestId('fit').click();
      await old.waitForElementState('hidden', { timeout: 600000 });
      await page.locator(`[data-testid="model-fit"][data-model="${model}"] [data-testid="fit-seconds"]`).waitFor({ timeout: 600000 });
      wall.push((Date.now() - t0) / 1000);
      fit.push(await num(page, 'fit-seconds'));
      params = {};
      for (const p of PARAMS[model]) params[p] = await num(page, `param-${p}`);
    }
    console.log(JSON.stringify({ model, customers, fit_seconds: fit, wall_seconds: wall, params }));
  }
} finally {
  await h.stop(assert);
}
