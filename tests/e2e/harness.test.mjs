// The harness's own guards: each thing it must fail on is reported, and an announced dialog is
// accepted. (Every other test relies on these guards staying strict.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './harness.mjs';
import { App } from './pages.mjs';

// Stops the harness and returns the problems it would have failed the test with.
async function problemsAtStop(h) {
  let reported = null;
  await h.stop({ deepEqual: (problems) => { reported = [...problems]; } });
  return reported;
}

test('the harness reports console errors, exceptions, unannounced dialogs and requests leaving the origin', async () => {
  const h = await start();
  const app = new App(h);
  await app.open('#/learn');
  // An announced dialog is accepted; any other is dismissed and reported.
  h.expectDialog('confirm', /^Go ahead\?$/);
  assert.equal(await app.page.evaluate(() => window.confirm('Go ahead?')), true);
  assert.equal(await app.page.evaluate(() => window.confirm('Delete it all?')), false);
  await app.page.evaluate(() => window.alert('Hello'));
  assert.equal(await app.page.evaluate(() => window.prompt('Name?', 'x')), null);
  const logged = app.page.waitForEvent('console', (m) => m.type() === 'error');
  await app.page.evaluate(() => console.error('something broke'));
  await logged;
  const thrown = app.page.waitForEvent('pageerror');
  await app.page.evaluate(() => queueMicrotask(() => { throw new Error('thrown later'); }));
  await thrown;
  // (The app's own Content-Security-Policy already stops its pages fetching elsewhere; a blank
  // page of the same browser shows the harness stops it too.)
  const blank = await h.context.newPage();
  const blocked = await blank.evaluate(() => fetch('http://198.51.100.7/x').then(() => 'fetched', () => 'blocked'));
  assert.equal(blocked, 'blocked');
  await blank.close();
  h.expectDialog('alert', /^never shown$/);
  const problems = await problemsAtStop(h);
  for (const expected of [
    /^unexpected dialog \(confirm\): Delete it all\?$/,
    /^unexpected dialog \(alert\): Hello$/,
    /^unexpected dialog \(prompt\): Name\?$/,
    /^console error: something broke$/,
    /^uncaught exception: thrown later$/,
    /^request left the origin: http:\/\/198\.51\.100\.7\/x$/,
    /^expected alert dialog never shown/,
  ]) {
    assert.ok(problems.some((p) => expected.test(p)), `${expected} not in:\n${problems.join('\n')}`);
  }
  assert.ok(!problems.some((p) => p.includes('Go ahead')), 'the announced dialog is not a problem');
});
