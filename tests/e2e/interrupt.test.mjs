// Interrupted work leaves the previous state intact: a tab closed in the middle of saving an
// imported file, or closed or reloaded in the middle of importing a large project file, leaves
// the saved list as it was when the app is opened again, with no half dataset listed and no
// stray piece kept. (Reloading in the middle of an import: storage.test.mjs.)
// A closed tab's interruption is proven to land mid-way by looking at the stored data right
// after the tab closed, from a page of the same origin that is not the app (so nothing sweeps it yet):
// some pieces of the new dataset are stored, its record (written last) is not; a reload's,
// by the progress bar strictly between 0 and 100%.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { start } from './harness.mjs';
import { DataPage, SAMPLE_MS, IMPORT_MS } from './pages.mjs';

// A file of the built site that is not the app: a page there reads storage without the app.
const NOT_THE_APP = '/manifest.webmanifest';

// Every key of every object store, read from `page`.
function keys(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('crm-analytics');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const names = [...db.objectStoreNames];
      const tx = db.transaction(names, 'readonly');
      const out = {};
      for (const n of names) {
        const r = tx.objectStore(n).getAllKeys();
        r.onsuccess = () => { out[n] = r.result.map(String); };
      }
      tx.oncomplete = () => { db.close(); resolve(out); };
      tx.onerror = () => reject(tx.error);
    };
  }));
}

// File chunks whose dataset has no record.
const orphans = (k) => k.files.filter((f) => !k.datasets.includes(f.split('/')[0]));

const listed = async (data) => (await data.datasetRows().allInnerTexts())
  .map((t) => t.split('\t')[0].trim().replace(/\s*open$/, '')).sort();

// The app in a new tab of the browser; `h.page` stays on a page that is not the app, so the
// app's tab is the only one when it opens (it then sweeps pieces of interrupted writes).
async function appTab(h) {
  await h.page.goto(`${h.origin}${NOT_THE_APP}`);
  const page = await h.context.newPage();
  return new DataPage({
    ...h,
    page,
    async open(hash = '') {
      await page.goto(`${h.origin}/${hash}`);
      await page.waitForSelector('[data-testid="main"]');
    },
  });
}

// Orders in the sample's columns: `rows` rows, about 25 bytes each.
function bigOrders(file, rows) {
  const lines = [];
  for (let i = 0; i < rows; i++) lines.push(`c${i % 50000},2024-0${1 + (i % 9)}-1${i % 10},${(i % 997) + 0.5}`);
  fs.writeFileSync(file, `customer,date,amount\n${lines.join('\n')}\n`);
}

// A project file of one large dataset (about 55 MB, five pieces, id `e2e-big-project`), its
// record modelled on the saved sample's (exported from `tab`).
async function bigProject(tab, dir) {
  const exported = path.join(dir, 'sample.crmproject');
  await (await tab.exportProject()).saveAs(exported);
  const bytes = fs.readFileSync(exported);
  const first = bytes.indexOf(10);
  const header = JSON.parse(bytes.subarray(first + 1, bytes.indexOf(10, first + 1)).toString('utf8'));
  const model = header.datasets.find((d) => d.meta.kind === 'transactions' || d.meta.kind === 'Transactions') || header.datasets[0];
  const csv = path.join(dir, 'big-orders.csv');
  bigOrders(csv, 2_200_000);
  const data = fs.readFileSync(csv);
  const meta = { ...model.meta, id: 'e2e-big-project', name: 'big-orders.csv', file_name: 'big-orders.csv', size_bytes: data.length, sample: false };
  const project = path.join(dir, 'big.crmproject');
  const head = { ...header, datasets: [{ meta, offset: 0, length: data.length }], settings: [] };
  fs.writeFileSync(project, Buffer.concat([Buffer.from(`crm-analytics-project 2\n${JSON.stringify(head)}\n`), data]));
  return project;
}

// Waits until the progress bar shows a value strictly between 0 and 100%: the work is mid-way.
function midWay(page) {
  return page.waitForFunction(() => {
    const p = document.querySelector('[data-testid="progress"]');
    const v = p ? Number(p.getAttribute('aria-valuenow')) : NaN;
    return v > 0 && v < 100 ? v : null;
  }, null, { timeout: IMPORT_MS, polling: 'raf' }).then((v) => v.jsonValue());
}

// Reopens the app in one tab and checks the saved list is `before`, with no stray piece.
async function reopenedIntact(h, before, beforeKeys) {
  const data = new DataPage(h);
  await data.openOnData('#data');
  await data.waitForDatasets(before.length, SAMPLE_MS);
  assert.deepEqual(await listed(data), before);
  const after = await keys(data.page);
  assert.deepEqual(orphans(after), [], 'no piece of the interrupted dataset is kept');
  assert.deepEqual(after.datasets.sort(), beforeKeys.datasets.sort());
  assert.deepEqual(after.files.sort(), beforeKeys.files.sort());
}

test('closing the tab while an imported file is being saved keeps the saved list as it was', async () => {
  const h = await start();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-interrupt-'));
  try {
    const tab = await appTab(h);
    await tab.openOnData('#data');
    await tab.waitForDatasets(3, SAMPLE_MS);
    const before = await listed(tab);
    const beforeKeys = await keys(tab.page);
    // About 55 MB: five 12 MiB pieces to save once its import is shown.
    const file = path.join(dir, 'big-orders.csv');
    bigOrders(file, 2_200_000);
    // Told when the app starts writing the second piece of a new dataset; that write's
    // transaction is then held open (a read placed from each read's success, so it never
    // completes) until the tab is closed: the app waits for every write's transaction to
    // complete, so no later piece and not the record can be written, and the close aborts the
    // held one. (A busy wait on the page's thread held it before, but the close was only handled
    // after the wait, and the app could then finish saving before it: a race.)
    let told;
    const saving = new Promise((resolve) => { told = resolve; });
    await tab.page.exposeBinding('e2eSaving', (_, key) => told(key));
    await tab.page.evaluate((known) => {
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (value, key) {
        const k = String(key);
        const request = put.call(this, value, key);
        if (this.name === 'files' && !known.includes(k.split('/')[0]) && k.endsWith('/000001')) {
          const store = this;
          const hold = () => { store.get('\u0000e2e-hold').onsuccess = hold; };
          request.addEventListener('success', hold);
          window.e2eSaving(k);
        }
        return request;
      };
    }, beforeKeys.datasets);
    await tab.upload(file);
    await tab.shown('big-orders.csv').waitFor({ timeout: 4 * IMPORT_MS });
    const key = await saving;
    await tab.page.close();

    // Mid-way: pieces of the new dataset are stored, its record is not.
    const id = key.split('/')[0];
    const mid = await keys(h.page);
    assert.ok(mid.files.some((k) => k.startsWith(`${id}/`)), 'some pieces were saved');
    assert.ok(!mid.datasets.includes(id), 'its record was not written');
    console.log(`closed while saving: ${mid.files.filter((k) => k.startsWith(`${id}/`)).length} of ${Math.ceil(fs.statSync(file).size / (12 << 20))} pieces stored`);

    await reopenedIntact(h, before, beforeKeys);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await h.stop(assert);
  }
});

test('closing the tab while a large project file is imported keeps the saved list as it was', async () => {
  const h = await start();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-interrupt-'));
  try {
    const tab = await appTab(h);
    await tab.openOnData('#data');
    await tab.waitForDatasets(3, SAMPLE_MS);
    const before = await listed(tab);
    const beforeKeys = await keys(tab.page);
    const project = await bigProject(tab, dir);
    await tab.page.getByTestId('import-project').setInputFiles(project);
    const at = await midWay(tab.page);
    await tab.page.close();
    assert.ok(at > 0 && at < 100, `closed at ${at}%`);
    const mid = await keys(h.page);
    assert.ok(mid.files.some((k) => k.startsWith('e2e-big-project/')), 'some pieces were stored');
    assert.ok(!mid.datasets.includes('e2e-big-project'), 'its record was not written');
    console.log(`closed at ${at}% of the project import: ${mid.files.filter((k) => k.startsWith('e2e-big-project/')).length} pieces stored`);

    await reopenedIntact(h, before, beforeKeys);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await h.stop(assert);
  }
});

test('reloading while a large project file is imported keeps the saved list as it was', async () => {
  const h = await start();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-interrupt-'));
  try {
    const data = new DataPage(h);
    await data.openOnData('#data');
    await data.waitForDatasets(3, SAMPLE_MS);
    const before = await listed(data);
    const beforeKeys = await keys(data.page);
    const project = await bigProject(data, dir);
    await data.page.getByTestId('import-project').setInputFiles(project);
    const at = await midWay(data.page);
    await data.reload();
    assert.ok(at > 0 && at < 100, `reloaded at ${at}%`);
    console.log(`reloaded at ${at}% of the project import`);
    await data.waitForDatasets(3, SAMPLE_MS);
    assert.deepEqual(await listed(data), before);
    const after = await keys(data.page);
    assert.deepEqual(orphans(after), [], 'no piece of the interrupted import is kept');
    assert.deepEqual(after.datasets.sort(), beforeKeys.datasets.sort());
    assert.deepEqual(after.files.sort(), beforeKeys.files.sort());
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await h.stop(assert);
  }
});
