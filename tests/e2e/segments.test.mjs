// Segments and Value & strategy pages on the sample data: RFM segments through the worker
// (heat map and table, every customer counted), a segment's customers listed and exported as
// CSV (header, one row per customer of that segment), an edited map and a setting kept across a
// reload and in the project file, k-means with its silhouette curve (the previous result kept on
// screen, dimmed, while it runs; the scatter's points on a canvas, every one in its SVG export),
// and a budget split that sums to the budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { start, screenshot, projectHeader } from './harness.mjs';
import { App } from './pages.mjs';

test('segments the sample, exports a segment, keeps an edited map, runs k-means, splits a budget', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    await app.open('#/segments');
    await app.job('segment-count');
    await page.getByTestId('rf-heatmap').waitFor();
    assert.match(await app.figure('segment-count'), /^2,000 of 2,000 customers/);
    const cuts = await app.figure('cut-points');
    assert.match(cuts, /Recency \(days\)/);
    // Table numbers in the page's number format: the revenue column (5th) grouped by thousands.
    const revenue = await page.locator('[data-testid="segment-table"] tbody tr td:nth-child(5)').allInnerTexts();
    assert.ok(revenue.some((r) => /^\d{1,3}(,\d{3})+$/.test(r)) && revenue.every((r) => !/\d{4}/.test(r)), revenue.join(' | '));
    await screenshot(page, 'segments');

    // Click the first segment: its customers are listed; export them.
    const firstRow = app.rows('segment-table').first();
    const size = Number((await firstRow.locator('td').nth(1).innerText()).replace(/[^0-9]/g, ''));
    await firstRow.click();
    const card = page.getByTestId('segment-customers-card');
    await card.waitFor();
    assert.match(await card.locator('h2').innerText(), new RegExp(`\\(${size}\\)`));
    const button = page.locator('[data-testid="segment-customers"] [data-testid="export-csv"]');
    const dl = await app.download(button);
    assert.match(dl.suggestedFilename(), /^segment-.*\.csv$/);
    const text = fs.readFileSync(await dl.path(), 'utf8').trim().split(/\r?\n/);
    assert.match(text[0], /^Customer,Segment,R,F,M/);
    assert.equal(text.length - 1, size);
    const name = (await firstRow.locator('td').first().innerText()).trim();
    const rows = text.slice(1).map((l) => l.split(','));
    assert.ok(rows.every((r) => r[1].replace(/"/g, '') === name), `every exported row is in "${name}"`);
    assert.equal(new Set(rows.map((r) => r[0])).size, size, 'each customer once');

    // Edit the map: reassign one cell to a new segment; every customer is still counted once.
    await page.getByTestId('map-cell-1-1').click();
    await page.getByTestId('assign-to').fill('Fresh Faces');
    await page.getByTestId('assign-cell').click();
    await page.locator('[data-testid="segment-table"] td', { hasText: 'Fresh Faces' }).first().waitFor({ timeout: 60000 });
    assert.match(await app.figure('segment-count'), /^2,000 of 2,000 customers/);
    assert.match(await app.figure('map-editor'), /\(edited\)/);
    // ... and choose 4 bins: both are kept in the settings store across a reload ...
    await page.getByTestId('rfm-bins').selectOption('4');
    await page.getByTestId('cut-points').filter({ hasText: /— 4 bins/ }).waitFor({ timeout: 60000 });
    await app.reload();
    await app.job('segment-count');
    assert.equal(await page.getByTestId('rfm-bins').inputValue(), '4');
    assert.match(await app.figure('map-editor'), /\(edited\)/);
    await page.locator('[data-testid="segment-table"] td', { hasText: 'Fresh Faces' }).first().waitFor({ timeout: 60000 });
    // ... and travel in the project file.
    await app.nav('data');
    const proj = await app.download(page.getByTestId('export-project'));
    const project = projectHeader(await proj.path());
    const saved = project.settings.find(([k]) => k === 'segments/settings');
    assert.ok(saved, 'the project file has the Segments settings');
    assert.match(saved[1], /Fresh Faces/);
    assert.equal(JSON.parse(saved[1]).value.bins, 4);
    await app.nav('segments');
    await app.job('segment-count');

    // k-means with the silhouette curve. While it runs the previous result stays on screen,
    // dimmed (marked stale), under the status line: the page is not torn down and rebuilt.
    const watch = (ids) => page.evaluate((ids) => {
      const seen = { gone: [], stale: false };
      window.__seg = seen;
      new MutationObserver(() => {
        for (const id of ids) if (!document.querySelector(`[data-testid="${id}"]`) && !seen.gone.includes(id)) seen.gone.push(id);
        if (document.querySelector('[data-testid="segments-result"][data-stale="true"]')) seen.stale = true;
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    }, ids);
    await watch(['segment-table']);
    await page.getByTestId('run-kmeans').click();
    await app.job('silhouette-curve');
    await page.getByTestId('cluster-scatter').waitFor();
    await page.locator('[data-testid="segments-result"][data-stale="false"]').waitFor();
    let seen = await page.evaluate(() => window.__seg);
    assert.deepEqual(seen, { gone: [], stale: true }, 'the segment table stayed, dimmed, while k-means ran');
    assert.match(await app.figure('kmeans-summary'), /seed 42/);
    assert.ok((await page.locator('[data-testid="silhouette-curve"] svg polyline, [data-testid="silhouette-curve"] svg path').count()) > 0);
    // 2,000 points: drawn on a canvas over the chart's SVG; the exported SVG has every one.
    const scatter = page.getByTestId('cluster-scatter');
    assert.equal(await scatter.locator('svg circle').count(), 0);
    const inked = await scatter.locator('canvas[data-testid="chart-dots"]').evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]) n++;
      return n;
    });
    assert.ok(inked > 2000, `${inked} pixels drawn`);
    const svgFile = await app.download(scatter.getByTestId('export-svg'));
    assert.equal((fs.readFileSync(await svgFile.path(), 'utf8').match(/<circle /g) || []).length, 2000);
    await screenshot(page, 'segments-kmeans');
    // Again without log(1 + x): the previous clusters stay until the new ones arrive.
    await watch(['segment-table', 'cluster-scatter', 'kmeans-summary']);
    await page.getByTestId('km-log').click();
    await page.getByTestId('kmeans-summary').filter({ hasNotText: 'log(1 + x)' }).waitFor({ timeout: 60000 });
    await page.locator('[data-testid="segments-result"][data-stale="false"]').waitFor();
    seen = await page.evaluate(() => window.__seg);
    assert.deepEqual(seen, { gone: [], stale: true }, 'the previous clusters stayed, dimmed, while k-means ran again');
    // Cancelled while k-means runs (Cancel clicked in the very update that shows it): the page
    // says so above the previous clusters, and "Compute again" asks again with the same settings
    // (when the cancel let the worker go, the dataset goes to a fresh worker first).
    // A seed not run before, so the result is not in the cache.
    const cancelled = await app.startAndCancel(async () => {
      await page.getByTestId('km-seed').fill('7');
      await page.getByTestId('km-seed').press('Tab');
    }, 30000);
    assert.ok(cancelled, 'Cancel shown while k-means runs');
    await page.getByTestId('seg-again').waitFor({ timeout: 30000 });
    assert.match(await page.locator('main').innerText(), /The segmentation was cancelled: the results below are the previous ones\./);
    // It stays cancelled: the dataset sent again to a fresh worker (other questions about the
    // previous clusters have it sent) does not start the cancelled run by itself.
    await page.waitForTimeout(2000);
    assert.equal(await page.getByTestId('seg-again').count(), 1, 'still cancelled 2 s later');
    assert.equal(await page.getByTestId('kmeans-summary').filter({ hasText: 'seed 7' }).count(), 0);
    assert.equal(await page.getByTestId('cluster-scatter').count(), 1, 'the previous clusters stay after a cancel');
    await page.getByTestId('seg-again').click();
    await page.getByTestId('kmeans-summary').filter({ hasText: 'seed 7' }).waitFor({ timeout: 90000 });
    await page.locator('[data-testid="segments-result"][data-stale="false"]').waitFor();
    assert.equal(await page.getByTestId('seg-again').count(), 0);

    // Value & strategy: the budget split sums to the budget.
    await app.nav('value---strategy');
    await app.job('budget-total');
    const budget = Number(await page.getByTestId('budget').inputValue());
    const total = Number(await app.figure('budget-total'));
    assert.ok(Math.abs(total - budget) < 0.5, `allocated ${total} of ${budget}`);
    const spends = await page.getByTestId('budget-spend').allInnerTexts();
    const sum = spends.map(Number).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - budget) < 1, `segments sum to ${sum}`);
    assert.ok((await app.rows('strategy-table').count()) > 1);
    await screenshot(page, 'strategy');
  } finally {
    await h.stop(assert);
  }
});
