// The app shell: it renders, opens on the sample data, routes work with the back button, the
// keyboard reaches the navigation, and nothing leaves the page's origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start, screenshot } from './harness.mjs';
import { DataPage } from './pages.mjs';

test('opens on sample data, routes and back button work', async () => {
  const h = await start();
  try {
    const app = new DataPage(h);
    const { page } = app;
    await app.open();
    await page.getByTestId('privacy').waitFor();
    assert.match(await app.figure('privacy'), /stays in this browser/);
    await app.waitForData();
    assert.equal(await app.figure('n-customers'), '2,000');
    await screenshot(page, 'data');
    for (const [nav, hash, heading] of [
      ['segments', '#/segments', /Segments/],
      ['satisfaction', '#/satisfaction', /Satisfaction/],
      ['lifetime-value', '#/lifetime-value', /Lifetime value/],
      ['value---strategy', '#/strategy', /Value/],
      ['learn', '#/learn', /Learn/],
    ]) {
      await app.nav(nav);
      await page.waitForURL(new RegExp(hash.replace('/', '\\/') + '$'));
      assert.match(await app.heading(), heading);
    }
    await page.goBack();
    await page.waitForURL(/#\/strategy$/);
    // Deep link straight to a page.
    await app.open('#/segments');
    assert.match(await app.heading(), /Segments/);
    // Keyboard: the skip link is the first stop, then navigation links.
    await page.locator('footer').click();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
  } finally {
    await h.stop(assert);
  }
});

test('data is still there after a reload', async () => {
  const h = await start();
  try {
    const data = new DataPage(h);
    await data.openOnData();
    await data.waitForDatasets(3);
    const before = await data.figure('datasets');
    await data.reload();
    await data.waitForData();
    assert.equal(await data.figure('datasets'), before);
    assert.equal(await data.datasetRows().count(), 3);
  } finally {
    await h.stop(assert);
  }
});
