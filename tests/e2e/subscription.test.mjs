// The subscription (sBG) section of the Lifetime value page: when the worker dies during its
// fit, the section says so and offers "Try again", which fits again on a fresh worker.
// The worker is made to panic from the test through its DevTools target (no hook in the app),
// as in worker.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './harness.mjs';
import { DataPage, SAMPLE_MS, JOB_MS } from './pages.mjs';

test('the sBG section retries after the worker died during its fit', async () => {
  const h = await start();
  h.expectError(/^console error: analysis worker: panicked at .*can't deserialize an worker message/s);
  try {
    const app = new DataPage(h);
    const { page } = app;
    await app.openOnData();
    await app.waitForDatasets(3, SAMPLE_MS);
    // A first visit: the fit and the sBG fit done (the fit stays in the page's memory).
    await app.nav('lifetime-value');
    await app.job('param-r');
    await app.job('sbg-alpha');
    await app.nav('data');
    await app.waitForData();
    const workers = page.workers();
    assert.equal(workers.length, 1, 'one analysis worker');
    // Back on Lifetime value the fit comes from memory, so the first job the worker gets is
    // the sBG fit; it reaches the worker damaged, and decoding it panics.
    await workers[0].evaluate(() => {
      const real = self.onmessage;
      self.onmessage = () => real.call(self, new MessageEvent('message', { data: new Uint8Array([0xff]) }));
    });
    await app.nav('lifetime-value');
    const error = page.getByTestId('sbg-error');
    await error.waitFor({ timeout: JOB_MS });
    assert.match(await error.innerText(), /could not be fitted: The analysis engine stopped unexpectedly: .+Try again\./s);
    // The button the message asks for: the fit runs again, on the fresh worker.
    await page.getByTestId('sbg-retry').click();
    await app.job('sbg-alpha');
    assert.equal(await page.getByTestId('sbg-error').count(), 0);
    const alpha = Number((await app.figure('sbg-alpha')).replace(/[^0-9.]/g, ''));
    assert.ok(alpha > 0.3 && alpha < 1.5, `sBG alpha = ${alpha}`);
  } finally {
    await h.stop(assert);
  }
});
