// Page objects for the end-to-end tests: the steps every test repeats (open a page, upload a file
// and wait for its import, read a figure by data-testid, wait for a worker job), written once.
// Every step waits for a condition the user could see (an element, a text, a DOM state), never
// for a fixed time.
import path from 'node:path';
import zlib from 'node:zlib';
import { FIXTURES } from './harness.mjs';

// The real-shaped import fixtures.
export const IMPORT = path.join(FIXTURES, 'import');

// How long a step may take on a slow machine: the sample data analysed on a first visit, a file
// imported, a model fitted or a segmentation computed in the worker.
export const SAMPLE_MS = 90000;
export const IMPORT_MS = 30000;
export const JOB_MS = 120000;

// The app as a whole: the shell, navigation, figures and worker jobs on whichever page is open.
export class App {
  constructor(h) {
    this.h = h;
    this.page = h.page;
  }

  // Opens the app at `hash` (a fresh page load) and waits for the shell. The default is the
  // Data page (`#/`): the bare address opens the Overview once data exists (see `openBare`).
  async open(hash = '#/') {
    await this.h.open(hash);
  }

  // Opens the app at its bare address, as a user does: the Overview once data exists.
  async openBare() {
    await this.h.open('');
  }

  // Reloads the page and waits for the shell.
  async reload() {
    await this.page.reload();
    await this.page.waitForSelector('[data-testid="main"]');
  }

  // Navigates through the menu entry `nav-<name>`.
  async nav(name) {
    await this.page.getByTestId(`nav-${name}`).click();
  }

  // The open page's heading.
  heading() {
    return this.page.locator('main h1').first().innerText();
  }

  // The text of the element `data-testid=id`, inside `within` (a locator) when given.
  figure(id, within = this.page) {
    return within.getByTestId(id).innerText();
  }

  // The body rows of the table `data-testid=id`.
  rows(id) {
    return this.page.locator(`[data-testid="${id}"] tbody tr`);
  }

  // Waits for a worker job's result: the element `data-testid=id` appears (and no result on
  // screen is a stale one).
  async job(id, timeout = JOB_MS) {
    await this.page.getByTestId(id).waitFor({ timeout });
    // A page may keep its previous result on screen, marked stale, while a new one runs.
    await this.page.locator('[data-stale="true"]').waitFor({ state: 'detached', timeout });
  }

  // Clicks `locator` and returns the download it starts.
  async download(locator) {
    const [download] = await Promise.all([this.page.waitForEvent('download'), locator.click()]);
    return download;
  }

  // Starts a job with the button `data-testid=start` (or by calling `start`, a function) and
  // clicks Cancel in the very DOM update that shows it (a job on the sample data may take only
  // a few frames). True when Cancel was clicked within `timeout`.
  async startAndCancel(start, timeout = 10000) {
    await this.page.evaluate(() => {
      window.e2eCancelled = false;
      const observer = new MutationObserver(() => {
        const cancel = document.querySelector('[data-testid="cancel"]');
        if (!cancel) return;
        observer.disconnect();
        cancel.click();
        window.e2eCancelled = true;
      });
      observer.observe(document.body, { childList: true, subtree: true });
    });
    if (typeof start === 'function') await start();
    else await this.page.getByTestId(start).click();
    return this.page.waitForFunction(() => window.e2eCancelled === true, null, { timeout })
      .then(() => true, () => false);
  }
}

// The Data page: files in, what was read, the saved datasets and project files.
export class DataPage extends App {
  // Opens the app on the Data page and waits for the data it opens on (the sample on a first
  // visit, what was saved after that) to be analysed.
  async openOnData(hash = '#/') {
    await this.open(hash);
    await this.waitForData();
  }

  // Waits for the open transactions' customer count.
  async waitForData() {
    await this.page.getByTestId('n-customers').waitFor({ timeout: SAMPLE_MS });
  }

  // The card of the open dataset of `slot` (transactions, survey, cohort).
  card(slot = 'transactions') {
    return this.page.getByTestId(`source-${slot}`);
  }

  // The heading of `slot`'s card once it shows the dataset `name`.
  shown(name, slot = 'transactions') {
    return this.card(slot).locator('h3', { hasText: name }).first();
  }

  // Puts `file` (a fixture name or a path) into the file input.
  async upload(file) {
    await this.page.getByTestId('file-input').setInputFiles(path.isAbsolute(file) ? file : path.join(IMPORT, file));
  }

  // Uploads `file` and waits for its import to be shown in `slot`'s card; returns the card.
  async importFile(file, { slot = 'transactions', timeout = IMPORT_MS } = {}) {
    await this.upload(file);
    await this.shown(path.basename(file), slot).waitFor({ timeout });
    return this.card(slot);
  }

  // The report of a file that could not be read.
  failed(file) {
    return this.page.getByTestId('import-failed').filter({ hasText: file });
  }

  // Clicks Cancel on the import under way and waits for the page to say it was cancelled.
  async cancelImport() {
    await this.page.getByTestId('cancel').click({ timeout: IMPORT_MS });
    await this.page.getByTestId('status-error').filter({ hasText: 'cancelled' }).waitFor({ timeout: IMPORT_MS });
  }

  // The list of saved datasets, its rows, and the row of one file.
  datasets() {
    return this.page.getByTestId('datasets');
  }

  datasetRows() {
    return this.rows('datasets');
  }

  datasetRow(file) {
    return this.page.locator('[data-testid="datasets"] tbody tr', { hasText: file });
  }

  // Waits until at least `n` datasets are listed.
  async waitForDatasets(n, timeout) {
    await this.datasetRows().nth(n - 1).waitFor({ timeout });
  }

  // Saves the project file; returns the download.
  exportProject() {
    return this.download(this.page.getByTestId('export-project'));
  }

  // Deletes every saved dataset, confirming the page's question, and waits for the empty list.
  async clearAll() {
    this.h.expectDialog('confirm', /^Delete every saved dataset from this browser\?$/);
    await this.page.getByTestId('clear-all').click();
    await this.page.getByText('Nothing saved yet.').waitFor();
  }

  // Imports a project file and waits until each of its datasets (`names`, as the cards title
  // them) has been opened: the page opens them all at once, so only then is no import of the
  // project still under way.
  async importProject(file, names, timeout = SAMPLE_MS) {
    await this.page.evaluate(() => {
      window.e2eShown = new Set();
      new MutationObserver(() => {
        for (const h of document.querySelectorAll('[data-testid^="source-"] h3')) window.e2eShown.add(h.textContent);
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    await this.page.getByTestId('import-project').setInputFiles(file);
    await this.page.waitForFunction(
      (all) => all.every((n) => [...window.e2eShown].some((t) => t.endsWith(` — ${n}`))), names, { timeout });
  }

  // Opens the saved dataset `name` (a transaction log) unless it is open, and waits until its
  // card is shown with no work under way.
  async openDataset(name, timeout = SAMPLE_MS) {
    if (!(await this.shown(name).isVisible())) {
      await this.datasetRow(name).getByRole('button', { name: 'Open' }).click();
    }
    await this.page.waitForFunction(
      (n) => [...document.querySelectorAll('[data-testid="source-transactions"] h3')].some((h) => h.textContent.includes(n))
        && !document.querySelector('[data-testid="progress"]'),
      name, { timeout });
  }
}

// The files of a zip archive (an XLSX workbook) by name, read through its central directory.
export function unzip(buf) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd -= 1;
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const files = {};
  for (let i = 0; i < count; i += 1) {
    const method = buf.readUInt16LE(at + 10);
    const size = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28);
    const extra = buf.readUInt16LE(at + 30);
    const comment = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.subarray(at + 46, at + 46 + nameLen).toString('utf8');
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    files[name] = (method === 8 ? zlib.inflateRawSync(data) : data).toString('utf8');
    at += 46 + nameLen + extra + comment;
  }
  return files;
}
