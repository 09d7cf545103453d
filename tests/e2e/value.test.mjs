// The Value & strategy page opened before the lifetime values exist: the firm-value card says the
// customer equity is still to come and that firm value will follow, never "Current customers 0";
// once the default fit has answered, firm value adds the equity of the current customers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './harness.mjs';
import { App } from './pages.mjs';

const money = (s) => Number(s.replace(/[^0-9.-]/g, ''));

test('firm value waits for the customer equity instead of counting it as 0', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    await app.open('#/strategy');
    await page.getByTestId('no-clv').waitFor();
    const pending = await app.figure('firm-value-pending');
    assert.match(pending, /firm value will follow/, pending);
    assert.doesNotMatch(await page.getByTestId('firm-card').innerText(), /Current customers 0\b/);
    assert.equal(await page.getByTestId('firm-value').count(), 0, 'no firm value without the equity');
    assert.match(await app.figure('roc-pending'), /return on customer will follow/);
    // The explain panel works out the future customers only and names the equity as to come.
    await page.getByTestId('explain-firm-future').click();
    assert.match(await app.figure('explain-firm-future-filled'), /customer equity \(still being computed\) \+/);

    await page.getByTestId('run-clv').click();
    await app.job('firm-value');
    const text = await app.figure('firm-value');
    const m = text.match(/Current customers (\S+) \+ future customers (\S+) = firm value (\S+)/);
    assert.ok(m, text);
    assert.ok(money(m[1]) > 0, `current customers ${m[1]}`);
    assert.equal(await page.getByTestId('firm-value-pending').count(), 0);
    assert.match(await app.figure('roc'), /^Return on customer: -?[\d.,]+%/);
  } finally {
    await h.stop(assert);
  }
});
