// A segment's customers come from the worker a page at a time (the page never holds each
// customer's segment or scores: the worker keeps the whole segmentation and answers its view):
// on the sample data, the largest segment's pages add up to its size with every customer once and
// in that segment; a search and a sort are answered by the worker before the page; the cross-tab
// counts every customer; after a reload the view comes from storage while the worker no longer
// holds the segmentation, and listing a segment computes it again instead of failing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './harness.mjs';
import { App, JOB_MS } from './pages.mjs';

const num = (s) => Number(String(s).replace(/[^0-9.-]/g, ''));

async function pageRows(page) {
  return page.locator('[data-testid="segment-customers"] tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
}

async function waitPage(page, n) {
  await page.getByTestId('customers-page').filter({ hasText: new RegExp(`^Page ${n} of`) }).waitFor({ timeout: JOB_MS });
}

test("a segment's customers are paged, searched and sorted by the worker, also after a reload", async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    await app.open('#/segments');
    await app.job('segment-count');
    assert.match(await app.figure('segment-count'), /^2,000 of 2,000 customers/);

    // The largest segment (the table is largest first).
    const firstRow = app.rows('segment-table').first();
    const name = (await firstRow.locator('td').first().innerText()).trim();
    const size = num(await firstRow.locator('td').nth(1).innerText());
    assert.ok(size > 20, `${name} has ${size} customers`);
    await firstRow.click();
    const card = page.getByTestId('segment-customers-card');
    await card.waitFor({ timeout: JOB_MS });
    assert.match(await card.locator('h2').innerText(), new RegExp(`\\(${size}\\)`));
    const pages = Math.ceil(size / 10);
    assert.equal(await app.figure('customers-page'), `Page 1 of ${pages}`);

    // Every page: ten rows (the last the rest), all in the segment, each customer once.
    const seen = new Set();
    for (let p = 1; p <= pages; p += 1) {
      if (p > 1) {
        await page.getByTestId('customers-next').click();
        await waitPage(page, p);
        await page.waitForFunction(([id]) => ![...document.querySelectorAll('[data-testid="segment-customers"] tbody tr td:first-child')]
          .some((td) => td.textContent.trim() === id), [[...seen].at(-1)]);
      }
      const rows = await pageRows(page);
      assert.equal(rows.length, p < pages ? 10 : size - 10 * (pages - 1), `page ${p}`);
      for (const r of rows) {
        assert.equal(r[1], name);
        assert.ok(!seen.has(r[0]), `${r[0]} listed once`);
        seen.add(r[0]);
      }
    }
    assert.equal(seen.size, size);
    assert.ok(await page.getByTestId('customers-next').isDisabled());

    // A search for one id: that customer only.
    const id = [...seen][3];
    await page.locator('[data-testid="segment-customers"] [data-testid="table-search"]').fill(id);
    await page.getByTestId('segment-customers-count').filter({ hasText: new RegExp(`of ${size.toLocaleString('en-US')} rows$`) })
      .filter({ hasNotText: new RegExp(`^${size.toLocaleString('en-US')} of`) }).waitFor({ timeout: JOB_MS });
    const found = await pageRows(page);
    assert.ok(found.length >= 1 && found.every((r) => r[0].includes(id)), JSON.stringify(found));
    await page.locator('[data-testid="segment-customers"] [data-testid="table-search"]').fill('');
    await page.getByTestId('segment-customers-count').filter({ hasText: `${size.toLocaleString('en-US')} of ${size.toLocaleString('en-US')} rows` }).waitFor({ timeout: JOB_MS });

    // Sorted by monetary value, largest first, over the whole segment (not the page).
    const monetary = page.locator('[data-testid="segment-customers"] thead th button', { hasText: /^Monetary/ });
    await monetary.click(); // ascending
    await page.locator('[data-testid="segment-customers"] thead th[aria-sort="ascending"]').waitFor();
    await monetary.click(); // descending
    await page.locator('[data-testid="segment-customers"] thead th[aria-sort="descending"]').waitFor();
    await page.waitForFunction(() => {
      const v = [...document.querySelectorAll('[data-testid="segment-customers"] tbody tr td:nth-child(8)')]
        .map((td) => Number(td.textContent.replace(/[^0-9.-]/g, '')));
      return v.length > 1 && v.every((x, i) => i === 0 || v[i - 1] >= x);
    }, null, { timeout: JOB_MS });
    const top = num((await pageRows(page))[0][7]);

    // The export has the whole segment, from the worker.
    const dl = await app.download(page.locator('[data-testid="segment-customers"] [data-testid="export-csv"]'));
    const fs = await import('node:fs');
    const text = fs.readFileSync(await dl.path(), 'utf8').trim().split(/\r?\n/);
    assert.match(text[0], /^Customer,Segment,R,F,M/);
    assert.equal(text.length - 1, size);
    const exported = text.slice(1).map((l) => Number(l.split(',')[7]));
    assert.ok(Math.abs(Math.max(...exported) - top) < 0.01, `the top of the sort (${top}) is the segment's largest`);

    // The cross-tab counts every customer.
    const totals = await page.locator('[data-testid="crosstab"] tbody tr td:last-child').allInnerTexts();
    assert.equal(totals.map(num).reduce((a, b) => a + b, 0), 2000);

    // After a reload the view comes from storage; the worker no longer holds the segmentation,
    // and listing a segment computes it again.
    await app.reload();
    await app.job('segment-count');
    await app.rows('segment-table').first().click();
    await card.waitFor({ timeout: JOB_MS });
    assert.equal((await pageRows(page)).length, 10);
    assert.ok((await pageRows(page)).every((r) => r[1] === name));
  } finally {
    await h.stop(assert);
  }
});
