// The Satisfaction page: the sample survey's scores, and a messy survey loaded through the Data
// page (semicolons, decimal commas, blanks, Kano answers in words) whose NPS is known by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start, screenshot } from './harness.mjs';
import { App, DataPage } from './pages.mjs';

const num = (s) => Number.parseFloat(String(s).replace('%', '').replace('−', '-'));

test('sample survey: scores are numbers in range, every section renders', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    await app.open('#/satisfaction');
    await app.job('nps-value', 90000);
    const nps = num(await app.figure('nps-value'));
    assert.ok(nps >= -100 && nps <= 100, `NPS ${nps}`);
    assert.match(await app.figure('nps-ci'), /95% interval -?\d+\.\d to -?\d+\.\d/);
    assert.match(await app.figure('nps-n'), /n = \d{3}/);
    const csat = num(await app.figure('csat-value'));
    assert.ok(csat >= 0 && csat <= 100, `CSAT ${csat}`);
    const ces = num(await app.figure('ces-value'));
    assert.ok(ces >= 1 && ces <= 7, `CES ${ces}`);
    // Kano: four features classified; IPA chart drawn with its quadrant labels.
    assert.equal(await app.rows('kano-table').count(), 4);
    const ipa = await page.getByTestId('ipa-chart').innerHTML();
    assert.match(ipa, /Concentrate here/);
    assert.match(ipa, /Possible overkill/);
    // Respondents are the sample's customers: all of them match.
    await page.getByTestId('match-rate').waitFor();
    assert.match(await app.figure('match-rate'), /\(100\.0%\)/);
    // The NPS test between two periods gives a p-value in words.
    assert.match(await app.figure('nps-test-date'), /p = /);
    // The lifetime-value fit either worked or says plainly that it is not available.
    await page.waitForFunction(() => !document.body.innerText.includes('fit is running'), null, { timeout: 60000 });
    await screenshot(page, 'satisfaction');
    // Editing a setting recomputes: a quarter trend has fewer periods than a month trend.
    const months = await app.rows('trend-table').count();
    await page.getByTestId('trend-period').selectOption('quarter');
    await page.waitForFunction((m) => document.querySelectorAll('[data-testid="trend-table"] tbody tr').length < m, months);

    // Cancelled while the scores are computed (Cancel clicked in the very DOM update that shows
    // it, from the page's first frame): the page says so, with no error, and computes them again
    // on request.
    await page.addInitScript(() => {
      window.e2eCancelled = false;
      const observer = new MutationObserver(() => {
        const cancel = document.querySelector('[data-testid="cancel"]');
        if (!cancel || window.e2eCancelled) return;
        observer.disconnect();
        cancel.click();
        window.e2eCancelled = true;
      });
      observer.observe(document, { childList: true, subtree: true });
    });
    await app.reload();
    await page.waitForFunction(() => window.e2eCancelled === true, null, { timeout: 60000 });
    await app.job('sat-again');
    assert.equal(await page.locator('main [role="alert"]').count(), 0, 'a cancel is not an error');
    await page.getByTestId('sat-again').click();
    await app.job('nps-value', 90000);
    assert.equal(num(await app.figure('nps-value')), nps, 'the same NPS once computed again');
  } finally {
    await h.stop(assert);
  }
});

test('a messy survey loaded on the Data page shows its hand-computed NPS', async () => {
  const h = await start();
  try {
    const data = new DataPage(h);
    const { page } = data;
    await data.openOnData('#/');
    await data.upload('survey_messy.csv');
    await data.job('survey-info', 60000);
    await page.waitForFunction(() => document.querySelector('[data-testid="survey-info"]').innerText.startsWith('12 responses'), null, { timeout: 60000 });
    await data.open('#/satisfaction');
    await data.job('nps-value', 60000);
    // 11 valid NPS answers (one blank): promoters 10,9,10,9,10 = 5; passives 8,7 = 2;
    // detractors 6,3,0,5 = 4. NPS = 100 × (5 − 4) / 11 = 9.09.
    assert.equal(await data.figure('nps-value'), '9.1');
    assert.match(await data.figure('nps-n'), /^n = 11/);
    // CSAT top-2 box on 1–5: 5,4,4,5,5,4 of 12 = 50%.
    assert.equal(await data.figure('csat-value'), '50.0%');
    // CES: 11 answers summing to 46: mean 4.18.
    assert.equal(await data.figure('ces-value'), '4.18');
    // Decimal commas were read: overall mean = 54.5 / 12 = 4.54.
    assert.equal(await data.figure('overall-value'), '4.54');
    // Small sample: a caution is shown; the Kano answers in words were classified.
    assert.match(await data.figure('nps-card'), /only 11 answers/);
    assert.equal(await data.rows('kano-table').count(), 1);
    assert.match(await data.figure('kano-table'), /live_chat/);
    await screenshot(page, 'satisfaction-messy');
  } finally {
    await h.stop(assert);
  }
});
