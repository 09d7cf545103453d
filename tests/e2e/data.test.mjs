// The Data page as a user drives it: every real-shaped fixture uploaded through the file
// input imports to the right result or a precise error; settings can be corrected; a project
// exported, cleared and imported again gives identical results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { start, screenshot, projectHeader } from './harness.mjs';
import { DataPage, IMPORT } from './pages.mjs';

// file → [slot, expected customers] for files that import; computed by hand from the fixtures
// (and equal to what `crm summarize` prints for them).
const GOOD = {
  'comma_header.csv': ['transactions', 2], 'german_semicolon.csv': ['transactions', 2], 'tab.tsv': ['transactions', 2],
  'pipe.txt': ['transactions', 2], 'fixed_width_noheader.txt': ['transactions', 3], 'no_header.csv': ['transactions', 2],
  'utf8_bom.csv': ['transactions', 2], 'windows1252.csv': ['transactions', 2], 'quoted_multiline.csv': ['transactions', 3],
  'crlf.csv': ['transactions', 2], 'us_dates_dollars.csv': ['transactions', 2], 'day_first_ambiguous.csv': ['transactions', 3],
  'yyyymmdd.csv': ['transactions', 2], 'datetimes.csv': ['transactions', 2], 'parentheses_negative.csv': ['transactions', 1],
  'returns_negative.csv': ['transactions', 2], 'leading_zero_ids.csv': ['transactions', 3], 'currency_codes.csv': ['transactions', 3],
  'french.csv': ['transactions', 2], 'spanish.csv': ['transactions', 2], 'italian_dutch.csv': ['transactions', 2],
  'two_sheets.xlsx': ['transactions', 2], 'sheet.ods': ['transactions', 2], 'customer_summary.csv': ['transactions', 3],
  'ragged.csv': ['transactions', 2], 'bad_dates.csv': ['transactions', 2], 'text_amounts.csv': ['transactions', 2],
  'survey.csv': ['survey', null], 'cohort.csv': ['cohort', null], 'cohort_single_column.csv': ['cohort', null],
};
// Files with problems the report must locate by row and line.
const REPORTED = ['ragged.csv', 'bad_dates.csv', 'text_amounts.csv'];
const BAD = {
  'empty.csv': /empty/i,
  'binary.png': /not text and not a spreadsheet/i,
  'header_only.csv': /header .* but no/i,
};

test('every fixture imports through the page to the right result or a precise error', async () => {
  const h = await start();
  try {
    const data = new DataPage(h);
    await data.openOnData();
    for (const [file, [slot, customers]] of Object.entries(GOOD)) {
      const card = await data.importFile(file, { slot });
      if (customers !== null) {
        assert.equal(await data.figure('n-customers', card), customers.toLocaleString('en-US'), file);
      }
      if (REPORTED.includes(file)) {
        const issues = await card.getByTestId('issues').textContent();
        assert.match(issues, /row \d+ \(line \d+\), column "/, file);
      }
    }
    // The German export was read with its own conventions.
    const tx = await data.importFile('german_semicolon.csv');
    const det = await data.figure('detection', tx);
    assert.match(det, /semicolon/);
    assert.match(det, /decimal: ,/);
    assert.match(det, /day\/month\/year/);
    await screenshot(data.page, 'data-german');
    for (const [file, message] of Object.entries(BAD)) {
      await data.upload(file);
      const err = data.failed(file);
      await err.waitFor({ timeout: 30000 });
      assert.match(await data.figure('import-error', err), message, file);
    }
    await screenshot(data.page, 'data-error');
  } finally {
    await h.stop(assert);
  }
});

test('a wrong guess can be corrected: header row and column roles', async () => {
  const h = await start();
  try {
    const data = new DataPage(h);
    const { page } = data;
    await data.openOnData();
    const tx = await data.importFile('no_header.csv');
    assert.match(await data.figure('detection', tx), /no header row/);
    // Say the first row is a header: the file now has one row fewer, read with its names.
    await tx.getByTestId('settings-editor').locator('summary').click();
    await tx.getByTestId('set-header').selectOption('yes');
    await tx.getByTestId('detection').filter({ hasText: 'header row' }).filter({ hasNotText: 'no header' }).waitFor({ timeout: 30000 });
    // Back to detection, then move the amount role to "not in this file": a precise error.
    await tx.getByTestId('set-header').selectOption('auto');
    await tx.getByTestId('detection').filter({ hasText: 'no header row' }).waitFor({ timeout: 30000 });
    await tx.getByTestId('map-amount').selectOption('none');
    const err = page.getByTestId('import-failed');
    await err.waitFor({ timeout: 30000 });
    assert.match(await err.innerText(), /amount/i);
  } finally {
    await h.stop(assert);
  }
});

test('project export, clear, import gives identical results', async () => {
  const h = await start();
  try {
    const data = new DataPage(h);
    await data.openOnData();
    const tx = await data.importFile('german_semicolon.csv');
    await data.waitForDatasets(4);
    const rowsBefore = await data.datasetRows().count();
    const kpisBefore = await data.figure('summary-kpis', tx);
    const download = await data.exportProject();
    assert.equal(download.suggestedFilename(), 'customer-analytics.crmproject');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'proj-')), 'project.crmproject');
    await download.saveAs(file);
    const project = projectHeader(file);
    assert.equal(project.format, 'crm-analytics-project');
    assert.equal(project.datasets.length, rowsBefore);
    // The datasets' bytes follow the header, each where the header says.
    assert.equal(project.datasets.reduce((a, d) => a + d.length, 0), project.dataBytes);
    const german = project.datasets.find((d) => d.meta.file_name === 'german_semicolon.csv');
    assert.equal(german.length, fs.statSync(path.join(IMPORT, 'german_semicolon.csv')).size);
    await data.clearAll();
    // The page opens one dataset per kind (the last of each kind in the file); wait until each
    // of those has been opened.
    const opened = new Map(project.datasets.map((d) => [d.meta.kind, d.meta.name]));
    assert.ok(opened.size < project.datasets.length, 'the project holds two datasets of one kind');
    await data.importProject(file, [...opened.values()]);
    await data.waitForDatasets(rowsBefore);
    assert.equal(await data.datasetRows().count(), rowsBefore);
    // Open the German file again (unless it was opened last): same figures as before.
    await data.openDataset('german_semicolon.csv');
    await data.shown('german_semicolon.csv').waitFor();
    assert.equal(await data.figure('summary-kpis', data.card()), kpisBefore);
    // And it all survives a reload.
    await data.reload();
    await data.waitForDatasets(rowsBefore, 60000);
  } finally {
    await h.stop(assert);
  }
});

// A generated log larger than one 12 MiB slice: read slice by slice with progress, the same
// customers as counted here, saved in chunks and read back from storage after a reload.
function bigLog(rows) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'big-')), `big_${rows}.csv`);
  let seed = 7;
  const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  const customers = new Set();
  const parts = ['customer_id,date,amount,channel\n'];
  for (let i = 0; i < rows; i++) {
    const c = `K${String(Math.floor(rand() * rows / 4)).padStart(7, '0')}`;
    customers.add(c);
    const day = String(1 + Math.floor(rand() * 28)).padStart(2, '0');
    const month = String(1 + Math.floor(rand() * 12)).padStart(2, '0');
    parts.push(`${c},2024-${month}-${day},${(1 + rand() * 99).toFixed(2)},"web shop, main site"\n`);
  }
  fs.writeFileSync(file, parts.join(''));
  return { file, customers: customers.size };
}

test('a file larger than one slice is read in slices, counted exactly and kept across a reload', async () => {
  const { file, customers } = bigLog(600_000);
  const size = fs.statSync(file).size;
  assert.ok(size > 2 * 12 * 1024 * 1024, `only ${size} bytes`);
  const h = await start();
  try {
    const data = new DataPage(h);
    await data.openOnData();
    const card = await data.importFile(file, { timeout: 120000 });
    assert.equal(await data.figure('n-customers', card), customers.toLocaleString('en-US'));
    assert.equal(await data.figure('n-transactions', card), '600,000');
    await data.datasetRow(path.basename(file)).waitFor();
    await data.reload();
    await data.shown(path.basename(file)).waitFor({ timeout: 120000 });
    assert.equal(await data.figure('n-customers', data.card()), customers.toLocaleString('en-US'));
  } finally {
    await h.stop(assert);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
});

test('cancel stops reading a large file and keeps nothing of it', async () => {
  // Large enough (about 72 MB, a few seconds to read) that the import is still under way
  // when Cancel is clicked: 600,000 rows were once read in full while the click was retried.
  const { file } = bigLog(1_500_000);
  const h = await start();
  try {
    const data = new DataPage(h);
    const { page } = data;
    const big = path.basename(file);
    await data.openOnData();
    await data.upload(file);
    // Cancel keeps its place while the progress text changes length (it once moved with it).
    await page.getByTestId('cancel').waitFor({ timeout: 30000 });
    const seen = [];
    for (let i = 0; i < 8; i++) {
      const s = await page.evaluate(() => {
        const b = document.querySelector('[data-testid="cancel"]');
        const m = document.querySelector('.status.loading .row > span');
        return b && m ? { x: Math.round(b.getBoundingClientRect().x), text: m.textContent } : null;
      });
      if (s) seen.push(s);
      await page.waitForTimeout(40);
    }
    assert.ok(seen.length >= 2, 'the import was still under way');
    assert.equal(new Set(seen.map((s) => s.x)).size, 1, `Cancel moved: ${JSON.stringify(seen)}`);
    await data.cancelImport();
    assert.equal(await data.datasetRow(big).count(), 0);
    assert.equal(await data.shown(big).count(), 0);
    // Cancelling between slices keeps the worker and the sample's purchases it holds: the
    // Lifetime value page's validation and a customer's history still work. (Had the worker
    // been let go, they would read the dataset again from storage first.)
    await page.goto(`${h.origin}/#/lifetime-value`);
    await data.job('chart-holdout', 60000);
    const row = data.rows('clv-table').first();
    const x = Number((await row.locator('td').nth(1).innerText()).replace(/[^0-9]/g, ''));
    await row.click();
    const history = page.getByTestId('detail-history');
    await history.waitFor({ timeout: 30000 });
    const dates = await history.locator('tbody tr td:first-child').allInnerTexts();
    assert.ok(dates.length >= x + 1, `${dates.length} purchases for x = ${x}`);
    assert.deepEqual([...dates].sort(), dates, 'purchases in date order');
    await page.goto(`${h.origin}/#/`);
    // The page still works: the next file imports, and it is saved ...
    await data.importFile('comma_header.csv');
    await data.datasetRow('comma_header.csv').waitFor();
    // ... while nothing of the cancelled file ever was (checked again now that later work is done).
    assert.equal(await data.datasetRow(big).count(), 0);
  } finally {
    await h.stop(assert);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
});
