// A crashed analysis worker is seen: a job whose worker dies fails with a plain message (the
// progress bar does not spin forever), the dead worker is let go, and the next job runs on a
// fresh worker. Two deaths, caused from the test through the worker's DevTools target (no hook
// in the app): a worker that stops silently as a job reaches it (as when the browser kills it;
// caught by the heartbeat), and a worker that panics while handling a job (it reports the panic
// on its broadcast channel and closes itself before it aborts). Either way its thread ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './harness.mjs';
import { DataPage, SAMPLE_MS, JOB_MS } from './pages.mjs';

// Opens the app on its first visit (the sample data analysed in the worker and saved) and
// returns the one analysis worker.
async function ready(h) {
  const app = new DataPage(h);
  await app.openOnData();
  await app.waitForDatasets(3, SAMPLE_MS);
  const workers = app.page.workers();
  assert.equal(workers.length, 1, 'one analysis worker');
  return { app, worker: workers[0] };
}

// Opens Lifetime value (jobs for the worker), waits for the failure of the one the worker had,
// then opens Segments and waits for its result: the next job runs.
// The dead worker's thread ends (a worker that stopped, or one that closed itself after
// reporting its panic): only the fresh worker is left.
async function jobFailsThenNextRuns(app, old) {
  const { page } = app;
  const gone = new Promise((resolve) => old.once('close', resolve));
  const fresh = page.waitForEvent('worker', { timeout: JOB_MS });
  await app.nav('lifetime-value');
  const started = Date.now();
  // The page sends more than one job (the fit, the subscription section's sBG fit): the one
  // the dying worker had fails with the message, wherever on the page it is shown.
  const failed = page.getByText('The analysis engine stopped unexpectedly').first();
  await failed.waitFor({ timeout: JOB_MS });
  const ms = Date.now() - started;
  const message = await failed.innerText();
  assert.match(message, /The analysis engine stopped unexpectedly: .+; it was restarted\. Try again\./);
  // No progress bar left spinning: the jobs sent after the failure end on the fresh worker.
  await page.getByTestId('status-loading').first().waitFor({ state: 'detached', timeout: JOB_MS });
  // The next job: Segments, on a fresh worker (which is sent the saved dataset again).
  await app.nav('segments');
  await app.job('segment-count', JOB_MS);
  assert.match(await app.figure('segment-count'), /^2,000 of 2,000 customers/);
  const next = await fresh;
  assert.notEqual(next, old, 'a fresh worker was started');
  await gone;
  assert.ok(!page.workers().includes(old), 'the dead worker is gone');
  assert.equal(page.workers().length, 1);
  // And Lifetime value, which failed, now runs too.
  await app.nav('lifetime-value');
  await app.job('clv-table', JOB_MS);
  return { message, ms };
}

test('a worker that stops silently during a job: the job fails with a message, a fresh worker runs the next', async () => {
  const h = await start();
  try {
    const { app, worker } = await ready(h);
    // The worker's next message (the Lifetime value job) makes it stop without answering.
    await worker.evaluate(() => { self.onmessage = () => self.close(); });
    const { message, ms } = await jobFailsThenNextRuns(app, worker);
    assert.match(message, /stopped unexpectedly: it stopped answering;/);
    console.log(`silent worker: the job failed after ${ms} ms`);
  } finally {
    await h.stop(assert);
  }
});

test('a worker that panics during a job: the job fails at once with a message, a fresh worker runs the next', async () => {
  const h = await start();
  // The worker's own report of its panic. (The abort that follows it is not reported: the
  // worker has closed itself by then.)
  h.expectError(/^console error: analysis worker: panicked at .*can't deserialize an worker message/s);
  try {
    const { app, worker } = await ready(h);
    // The worker's next message (the Lifetime value job) reaches it damaged: decoding it panics.
    await worker.evaluate(() => {
      const real = self.onmessage;
      self.onmessage = () => real.call(self, new MessageEvent('message', { data: new Uint8Array([0xff]) }));
    });
    // The page cannot end the panicked worker's thread (gloo-worker's bridge has no terminate),
    // so the worker closes itself once it has reported its panic: checked gone here.
    const { message, ms } = await jobFailsThenNextRuns(app, worker);
    assert.match(message, /stopped unexpectedly: can't deserialize an worker message/);
    // Reported by the worker itself, not found by the heartbeat's minute of silence.
    assert.ok(ms < 30000, `the job failed after ${ms} ms`);
    console.log(`panicking worker: the job failed after ${ms} ms`);
  } finally {
    await h.stop(assert);
  }
});
