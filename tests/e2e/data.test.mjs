// The Data page as a user drives it: every real-shaped fixture uploaded through the file
// input imports to the right result or a precise error; settings can be corrected; a project
// exported, cleared and imported again gives identical results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { start, screenshot, projectHeader, FIXTURES } from './harness.mjs';

const IMPORT = path.join(FIXTURES, 'import');

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

async function upload(page, file) {
  await page.getByTestId('file-input').setInputFiles(path.join(IMPORT, file));
}

test('every fixture imports through the page to the right result or a precise error', async () => {
  const h = await start();
  try {
    const { page } = h;
    await h.open();
    await page.getByTestId('n-customers').waitFor({ timeout: 60000 });
    for (const [file, [slot, customers]] of Object.entries(GOOD)) {
      await upload(page, file);
      const card = page.getByTestId(`source-${slot}`);
      await card.locator('h3', { hasText: file }).first().waitFor({ timeout: 30000 });
      if (customers !== null) {
        assert.equal(await card.getByTestId('n-customers').innerText(), String(customers), file);
      }
      if (REPORTED.includes(file)) {
        const issues = await card.getByTestId('issues').textContent();
        assert.match(issues, /row \d+ \(line \d+\), column "/, file);
      }
    }
    // The German export was read with its own conventions.
    await upload(page, 'german_semicolon.csv');
    const tx = page.getByTestId('source-transactions');
    await tx.locator('h3', { hasText: 'german_semicolon.csv' }).waitFor();
    const det = await tx.getByTestId('detection').innerText();
    assert.match(det, /semicolon/);
    assert.match(det, /decimal: ,/);
    assert.match(det, /day\/month\/year/);
    await screenshot(page, 'data-german');
    for (const [file, message] of Object.entries(BAD)) {
      await upload(page, file);
      const err = page.getByTestId('import-failed').filter({ hasText: file });
      await err.waitFor({ timeout: 30000 });
      assert.match(await err.getByTestId('import-error').innerText(), message, file);
    }
    await screenshot(page, 'data-error');
  } finally {
    await h.stop(assert);
  }
});

test('a wrong guess can be corrected: header row and column roles', async () => {
  const h = await start();
  try {
    const { page } = h;
    await h.open();
    await page.getByTestId('n-customers').waitFor({ timeout: 60000 });
    await upload(page, 'no_header.csv');
    const tx = page.getByTestId('source-transactions');
    await tx.locator('h3', { hasText: 'no_header.csv' }).waitFor();
    assert.match(await tx.getByTestId('detection').innerText(), /no header row/);
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
    const { page } = h;
    await h.open();
    await page.getByTestId('n-customers').waitFor({ timeout: 60000 });
    await upload(page, 'german_semicolon.csv');
    await page.getByTestId('source-transactions').locator('h3', { hasText: 'german_semicolon.csv' }).waitFor();
    await page.locator('[data-testid="datasets"] tbody tr').nth(3).waitFor();
    const rowsBefore = await page.locator('[data-testid="datasets"] tbody tr').count();
    const kpisBefore = await page.getByTestId('source-transactions').getByTestId('summary-kpis').innerText();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-project').click()]);
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
    await page.getByTestId('clear-all').click();
    await page.getByText('Nothing saved yet.').waitFor();
    await page.getByTestId('import-project').setInputFiles(file);
    await page.locator('[data-testid="datasets"] tbody tr').nth(rowsBefore - 1).waitFor();
    assert.equal(await page.locator('[data-testid="datasets"] tbody tr').count(), rowsBefore);
    // Open the German file again: same figures as before.
    // (The imported datasets open one after another; open the German one until it stays open.)
    const row = page.locator('[data-testid="datasets"] tbody tr', { hasText: 'german_semicolon.csv' });
    const shown = page.getByTestId('source-transactions').locator('h3', { hasText: 'german_semicolon.csv' });
    for (let i = 0; i < 60 && !(await shown.isVisible() && await page.getByTestId('progress').count() === 0); i++) {
      await row.getByRole('button', { name: 'Open' }).click({ timeout: 1000 }).catch(() => {});
      await page.waitForTimeout(500);
    }
    await shown.waitFor();
    assert.equal(await page.getByTestId('source-transactions').getByTestId('summary-kpis').innerText(), kpisBefore);
    // And it all survives a reload.
    await page.reload();
    await page.locator('[data-testid="datasets"] tbody tr').nth(rowsBefore - 1).waitFor({ timeout: 60000 });
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
    const { page } = h;
    await h.open();
    await page.getByTestId('n-customers').waitFor({ timeout: 60000 });
    await page.getByTestId('file-input').setInputFiles(file);
    const card = page.getByTestId('source-transactions');
    await card.locator('h3', { hasText: path.basename(file) }).waitFor({ timeout: 120000 });
    assert.equal(await card.getByTestId('n-customers').innerText(), String(customers));
    assert.equal(await card.getByTestId('n-transactions').innerText(), '600000');
    await page.locator('[data-testid="datasets"] tbody tr', { hasText: path.basename(file) }).waitFor();
    await page.reload();
    await page.waitForSelector('[data-testid="main"]');
    const again = page.getByTestId('source-transactions');
    await again.locator('h3', { hasText: path.basename(file) }).waitFor({ timeout: 120000 });
    assert.equal(await again.getByTestId('n-customers').innerText(), String(customers));
  } finally {
    await h.stop(assert);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
});

test('cancel stops reading a large file and keeps nothing of it', async () => {
  const { file } = bigLog(600_000);
  const h = await start();
  try {
    const { page } = h;
    await h.open();
    await page.getByTestId('n-customers').waitFor({ timeout: 60000 });
    await page.getByTestId('file-input').setInputFiles(file);
    await page.getByTestId('cancel').click({ timeout: 30000 });
    await page.getByTestId('status-error').filter({ hasText: 'cancelled' }).waitFor({ timeout: 30000 });
    await page.waitForTimeout(1500);
    assert.equal(await page.locator('[data-testid="datasets"] tbody tr', { hasText: path.basename(file) }).count(), 0);
    assert.equal(await page.getByTestId('source-transactions').locator('h3', { hasText: path.basename(file) }).count(), 0);
    // Cancelling between slices keeps the worker and the sample's purchases it holds: the
    // Lifetime value page's validation and a customer's history still work. (Had the worker
    // been let go, they would read the dataset again from storage first.)
    await page.goto(`${h.origin}/#/lifetime-value`);
    await page.getByTestId('chart-holdout').waitFor({ timeout: 60000 });
    const row = page.locator('[data-testid="clv-table"] tbody tr').first();
    const x = Number((await row.locator('td').nth(1).innerText()).replace(/[^0-9]/g, ''));
    await row.click();
    const history = page.getByTestId('detail-history');
    await history.waitFor({ timeout: 30000 });
    const dates = await history.locator('tbody tr td:first-child').allInnerTexts();
    assert.ok(dates.length >= x + 1, `${dates.length} purchases for x = ${x}`);
    assert.deepEqual([...dates].sort(), dates, 'purchases in date order');
    await page.goto(`${h.origin}/#/`);
    // The page still works: the next file imports.
    await upload(page, 'comma_header.csv');
    await page.getByTestId('source-transactions').locator('h3', { hasText: 'comma_header.csv' }).waitFor({ timeout: 30000 });
  } finally {
    await h.stop(assert);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
});
