// Hostile text is only ever text: customer ids, column headers and a file name holding markup
// and script render literally on every page (no element is created from them, no script runs:
// the harness fails on any dialog), and ids that a spreadsheet would run as formulas are
// neutralised in the CSV the page exports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { start } from './harness.mjs';
import { DataPage, JOB_MS } from './pages.mjs';

const HOSTILE = [
  '<img src=x onerror=alert(1)>',
  '<script>alert(2)</script>',
  '=HYPERLINK("http://example.invalid","x")',
  '+1+cmd|\' /C calc\'!A0',
  '@SUM(1+1)',
  '<b data-testid="injected">bold</b>',
];

function hostileLog() {
  const q = (s) => `"${s.replace(/"/g, '""')}"`;
  const lines = ['customer_id,date,amount,"<svg onload=alert(3)>"'];
  const ids = [...HOSTILE, ...Array.from({ length: 60 }, (_, i) => `C${i}`)];
  ids.forEach((id, i) => {
    for (let k = 0; k <= i % 4; k++) {
      const day = 1 + ((i * 7 + k * 41) % 300);
      const d = new Date(Date.UTC(2024, 0, day)).toISOString().slice(0, 10);
      lines.push(`${q(id)},${d},${(5 + (i * 3 + k) % 40).toFixed(2)},x`);
    }
  });
  return lines.join('\n') + '\n';
}

test('markup and script in ids, headers and file names render as text; exported ids cannot run as formulas', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-hostile-'));
  const file = path.join(dir, '<img src=y onerror=alert(4)>.csv');
  fs.writeFileSync(file, hostileLog());
  const h = await start();
  try {
    const app = new DataPage(h);
    const { page } = app;
    await app.openOnData();
    await app.importFile(file);
    const injected = () => page.evaluate(() => ({
      imgs: [...document.querySelectorAll('img')].filter((i) => /^(x|y)$/.test(i.getAttribute('src') || '')).length,
      scripts: [...document.querySelectorAll('body script')].filter((s) => /alert/.test(s.textContent)).length,
      svgs: document.querySelectorAll('svg[onload]').length,
      bold: document.querySelectorAll('[data-testid="injected"]').length,
    }));
    const none = { imgs: 0, scripts: 0, svgs: 0, bold: 0 };
    assert.deepEqual(await injected(), none);
    // The file name and the header show as text.
    assert.match(await app.card().innerText(), /<img src=y onerror=alert\(4\)>\.csv/);
    for (const [nav, ready] of [['segments', 'segment-count'], ['lifetime-value', 'clv-table'], ['value---strategy', null], ['satisfaction', null]]) {
      await app.nav(nav);
      if (ready) await page.getByTestId(ready).waitFor({ timeout: JOB_MS });
      await page.locator('main h1').first().waitFor();
      assert.deepEqual(await injected(), none, `on ${nav}`);
    }
    // A hostile id appears literally in the lifetime-value table.
    await app.nav('lifetime-value');
    await page.getByTestId('clv-table').waitFor({ timeout: JOB_MS });
    const filter = page.getByTestId('clv-table').getByTestId('table-search');
    if (await filter.count()) {
      await filter.fill('<img');
      await page.getByTestId('clv-table').getByText('<img src=x onerror=alert(1)>', { exact: true }).first().waitFor();
      await filter.fill('');
    }

    // Export the lifetime-value table: formula-like ids are neutralised, numbers stay numbers.
    const dl = await app.download(page.locator('[data-testid="clv-table"] [data-testid="export-csv"]').first());
    const text = fs.readFileSync(await dl.path(), 'utf8');
    for (const id of HOSTILE.filter((s) => /^[=+@-]/.test(s))) {
      assert.ok(!text.split(/\r?\n/).some((l) => l.startsWith(id) || l.startsWith(`"${id.replace(/"/g, '""')}`)),
        `${id} is not written as a live formula`);
      assert.ok(text.includes(`'${id.slice(0, 5)}`) || text.includes(`"'${id.slice(0, 5)}`), `${id} is written with a leading quote`);
    }
    assert.deepEqual(await injected(), none);
  } finally {
    await h.stop(assert);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
