// The app shell: it renders, opens on the sample data, routes work with the back button, the
// keyboard reaches the navigation, and nothing leaves the page's origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start, screenshot } from './harness.mjs';

test('opens on sample data, routes and back button work', async () => {
  const h = await start();
  try {
    const { page } = h;
    await h.open();
    await page.getByTestId('privacy').waitFor();
    assert.match(await page.getByTestId('privacy').innerText(), /stays in this browser/);
    await page.getByTestId('n-customers').waitFor({ timeout: 60000 });
    assert.equal(await page.getByTestId('n-customers').innerText(), '2000');
    await screenshot(page, 'data');
    for (const [nav, hash, heading] of [
      ['nav-segments', '#/segments', /Segments/],
      ['nav-satisfaction', '#/satisfaction', /Satisfaction/],
      ['nav-lifetime-value', '#/lifetime-value', /Lifetime value/],
      ['nav-value---strategy', '#/strategy', /Value/],
      ['nav-learn', '#/learn', /Learn/],
    ]) {
      await page.getByTestId(nav).click();
      await page.waitForURL(new RegExp(hash.replace('/', '\\/') + '$'));
      assert.match(await page.locator('main h1').first().innerText(), heading);
    }
    await page.goBack();
    await page.waitForURL(/#\/strategy$/);
    // Deep link straight to a page.
    await h.open('#/segments');
    assert.match(await page.locator('main h1').first().innerText(), /Segments/);
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
    const { page } = h;
    await h.open();
    await page.getByTestId('n-customers').waitFor({ timeout: 60000 });
    await page.locator('[data-testid="datasets"] tbody tr').nth(2).waitFor();
    const before = await page.getByTestId('datasets').innerText();
    await page.reload();
    await page.getByTestId('n-customers').waitFor({ timeout: 60000 });
    assert.equal(await page.getByTestId('datasets').innerText(), before);
    assert.equal((await page.getByTestId('datasets').locator('tbody tr').count()), 3);
  } finally {
    await h.stop(assert);
  }
});
