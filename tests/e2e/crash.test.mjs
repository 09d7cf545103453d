// The crash screen's buttons work: after a real panic of the app (caused from the test: the
// browser refuses to copy an element, and the page's renderer panics on it; no hook in the
// app), "Save my data as a project file" downloads the saved datasets as a project file that
// imports back, "Start without opening my datasets" opens the app with the saved datasets
// listed and none opened, and "Reload the app" reloads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { start, projectHeader } from './harness.mjs';
import { DataPage, SAMPLE_MS, IMPORT } from './pages.mjs';

// Makes the next page the app draws panic: the browser refuses to copy an element (yew copies
// a cached element for every new tag and panics when it cannot), then opens `nav`.
async function crash(app, nav) {
  await app.page.evaluate(() => {
    Node.prototype.cloneNode = function () { throw new Error('e2e: this browser refuses to copy elements'); };
  });
  await app.nav(nav);
  await app.page.getByTestId('crash').waitFor({ timeout: 30000 });
}

// The app on its sample data (three saved datasets), expecting the panic `crash` causes; and a
// folder for downloads.
async function crashable() {
  const h = await start();
  // The app's panic (twice), logged by its crash screen, and the abort that follows it.
  h.expectError(/^console error: (panic: )?panicked at .*e2e: this browser refuses to copy elements/s);
  h.expectError(/^uncaught exception: (RuntimeError: )?unreachable/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-crash-'));
  const data = new DataPage(h);
  await data.openOnData();
  await data.waitForDatasets(3, SAMPLE_MS);
  return { h, dir, data };
}

test('the crash screen saves the data as a project file, starts safe and reloads', async () => {
  const { h, dir, data } = await crashable();
  try {
    const { page } = data;
    const names = (await data.datasetRows().allInnerTexts()).map((t) => t.split('\t')[0].trim().replace(/\s*open$/, '')).sort();

    await crash(data, 'segments');
    assert.match(await page.getByTestId('crash').innerText(), /Something went wrong/);
    // Save: a project file with every saved dataset.
    const download = await data.download(page.getByTestId('crash-export'));
    assert.equal(download.suggestedFilename(), 'customer-analytics.crmproject');
    const file = path.join(dir, 'saved.crmproject');
    await download.saveAs(file);
    await page.getByTestId('crash-status').filter({ hasText: 'Saved 3 dataset(s)' }).waitFor();
    const project = projectHeader(file);
    assert.equal(project.datasets.length, 3);
    assert.equal(project.datasets.reduce((a, d) => a + d.length, 0), project.dataBytes);
    assert.deepEqual(project.datasets.map((d) => d.meta.name).sort(), names);

    // Safe start: the app, the saved datasets listed, none opened.
    await Promise.all([page.waitForEvent('load'), page.getByTestId('crash-safe-start').click()]);
    assert.match(new URL(page.url()).search, /^\?safe/);
    await page.waitForSelector('[data-testid="main"]');
    // (The crash happened on Segments: the safe start keeps the page's address.)
    await data.nav('data');
    await data.waitForDatasets(3, SAMPLE_MS);
    await page.getByText('safe start').first().waitFor();
    assert.equal(await page.getByTestId('n-customers').count(), 0);
    assert.equal(await page.getByTestId('crash').count(), 0);

    // Reload: the app starts again (here on its normal address) and opens the saved data.
    await data.open();
    await data.waitForData();
    await crash(data, 'lifetime-value');
    await Promise.all([page.waitForEvent('load'), page.getByTestId('crash-reload').click()]);
    await page.waitForSelector('[data-testid="main"]');
    await data.nav('data');
    await data.waitForData();
    assert.equal(await page.getByTestId('crash').count(), 0);

    // The saved file imports back: delete everything, import it, the three datasets are back.
    await data.waitForDatasets(3, SAMPLE_MS);
    await data.clearAll();
    const opened = new Map(project.datasets.map((d) => [d.meta.kind, d.meta.name]));
    await data.importProject(file, [...opened.values()]);
    await data.waitForDatasets(3, SAMPLE_MS);
    const back = (await data.datasetRows().allInnerTexts()).map((t) => t.split('\t')[0].trim().replace(/\s*open$/, '')).sort();
    assert.deepEqual(back, names);
  } finally {
    await h.stop(assert);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// A chosen file's pieces are kept as Blobs (and so is any stored value over 1 MiB): the crash
// screen reads them straight from IndexedDB, so it must read Blobs too (it once wrote them as
// empty pieces).
test('the crash screen saves a chosen file kept as Blobs with all its bytes', async () => {
  const { h, dir, data } = await crashable();
  try {
    await data.importFile('crlf.csv');
    await data.waitForDatasets(4, SAMPLE_MS);
    await data.datasetRow('crlf.csv').waitFor();
    await crash(data, 'segments');
    const download = await data.download(data.page.getByTestId('crash-export'));
    const file = path.join(dir, 'saved.crmproject');
    await download.saveAs(file);
    await data.page.getByTestId('crash-status').filter({ hasText: 'Saved 4 dataset(s)' }).waitFor();
    const project = projectHeader(file);
    const chosen = project.datasets.find((d) => d.meta.file_name === 'crlf.csv');
    assert.ok(chosen, JSON.stringify(project.datasets.map((d) => d.meta.file_name)));
    assert.equal(chosen.length, fs.statSync(path.join(IMPORT, 'crlf.csv')).size);
    assert.equal(project.datasets.reduce((a, d) => a + d.length, 0), project.dataBytes);
    // Leave the crash screen (the harness fails on one still shown).
    await Promise.all([data.page.waitForEvent('load'), data.page.getByTestId('crash-reload').click()]);
    await data.page.waitForSelector('[data-testid="main"]');
  } finally {
    await h.stop(assert);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
