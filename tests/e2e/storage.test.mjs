// Storage as a user meets it: reloading the tab in the middle of an import leaves the saved
// list as it was (and no stray pieces in IndexedDB), "Delete everything" leaves no stored
// byte, and `?safe` starts without reopening the saved datasets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { start } from './harness.mjs';
import { DataPage, SAMPLE_MS } from './pages.mjs';

// Records in each object store, and the file chunks no dataset record lists, read from the page.
function stored(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('crm-analytics');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const names = [...db.objectStoreNames];
      const tx = db.transaction(names, 'readonly');
      const keys = {};
      for (const n of names) {
        const r = tx.objectStore(n).getAllKeys();
        r.onsuccess = () => { keys[n] = r.result.map(String); };
      }
      tx.oncomplete = () => {
        db.close();
        const counts = Object.fromEntries(names.map((n) => [n, keys[n].length]));
        const ids = new Set(keys.datasets || []);
        const orphans = (keys.files || []).filter((k) => !ids.has(k.split('/')[0]));
        resolve({ counts, orphans });
      };
      tx.onerror = () => reject(tx.error);
    };
  }));
}

async function listed(data) {
  // A row's first cell: the name, and an "open" mark while the dataset is open.
  return (await data.datasetRows().allInnerTexts()).map((t) => t.split('\t')[0].trim().replace(/\s*open$/, '')).sort();
}

test('reloading in the middle of an import leaves the saved list as it was', async () => {
  const h = await start();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-storage-e2e-'));
  try {
    const data = new DataPage(h);
    await data.openOnData();
    await data.waitForDatasets(3, SAMPLE_MS);
    const before = await listed(data);
    const storedBefore = await stored(data.page);
    // A file of several 12 MiB chunks: its import and its saving take a while.
    const file = path.join(dir, 'big-orders.csv');
    const rows = ['customer,date,amount'];
    for (let i = 0; i < 1_400_000; i++) rows.push(`c${i % 50000},2024-0${1 + (i % 9)}-1${i % 10},${(i % 997) + 0.5}`);
    fs.writeFileSync(file, rows.join('\n'));
    await data.upload(file);
    // Proof that the reload lands in the middle of the import: its progress bar shows a value
    // strictly between 0 and 100%.
    const mid = await data.page.waitForFunction(() => {
      const p = document.querySelector('[data-testid="progress"]');
      const v = p ? Number(p.getAttribute('aria-valuenow')) : NaN;
      return v > 0 && v < 100 ? v : null;
    }, null, { timeout: 30000, polling: 'raf' }).then((v) => v.jsonValue());
    assert.ok(mid > 0 && mid < 100, `interrupted at ${mid}%`);
    await data.reload();
    await data.waitForDatasets(3, SAMPLE_MS);
    assert.deepEqual(await listed(data), before);
    const after = await stored(data.page);
    assert.deepEqual(after.orphans, [], 'no chunk of the interrupted import is left');
    assert.equal(after.counts.datasets, storedBefore.counts.datasets);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await h.stop(assert);
  }
});

test('"Delete everything" leaves no IndexedDB data, and ?safe reopens nothing', async () => {
  const h = await start();
  try {
    const data = new DataPage(h);
    await data.openOnData();
    await data.waitForDatasets(3, SAMPLE_MS);
    // Safe start: the saved datasets are listed, none is opened.
    await data.open('?safe');
    await data.waitForDatasets(3, SAMPLE_MS);
    await data.page.getByText('safe start').first().waitFor();
    assert.equal(await data.page.getByTestId('n-customers').count(), 0);
    const full = await stored(data.page);
    assert.ok(full.counts.files >= 3, JSON.stringify(full));
    await data.clearAll();
    const empty = await stored(data.page);
    assert.deepEqual(empty.counts, { datasets: 0, files: 0, results: 0, settings: 0 });
  } finally {
    await h.stop(assert);
  }
});
