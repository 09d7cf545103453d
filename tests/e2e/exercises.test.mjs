// Lessons' exercises and the BG/NBD step-by-step sheet, on their own route (`#/exercises?lesson=…`):
// a wrong answer is marked wrong, the right one (read from the worked solution) right; the BG/NBD
// workbook downloads with live formulas (<f> elements) and its named parameter cells; parameters
// edited by hand change the total log-likelihood and "Fit" restores the engine's; instructor mode
// saves the exercise set with its data as a project file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { start } from './harness.mjs';
import { App, JOB_MS, unzip } from './pages.mjs';

async function answerQuestion(page, card) {
  const verdict = card.getByTestId('exercise-verdict');
  await card.getByTestId('exercise-answer').fill('-98765');
  await card.getByTestId('exercise-check').click();
  assert.equal(await verdict.getAttribute('data-verdict'), 'wrong');
  assert.match(await verdict.innerText(), /Not right/);
  assert.equal(await verdict.getAttribute('aria-live'), 'polite');
  await card.getByTestId('exercise-show-solution').click();
  const solution = await card.getByTestId('exercise-solution').innerText();
  const answer = solution.match(/Answer: (.+)$/m)[1].trim();
  await card.getByTestId('exercise-answer').fill(answer);
  await card.getByTestId('exercise-check').click();
  assert.equal(await verdict.getAttribute('data-verdict'), 'right', `${answer} accepted`);
  return solution;
}

test('exercises check answers and show worked solutions; the BG/NBD workbook holds live formulas; instructor mode saves a project', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;

    // RFM: which segment holds the most value (a text answer, case-insensitive).
    await app.open('#/exercises?lesson=rfm');
    const rfm = page.getByTestId('exercise-1');
    await rfm.waitFor({ timeout: JOB_MS });
    const solution = await answerQuestion(page, rfm);
    assert.match(solution, /total spend/);

    // BG/NBD: the sheet, its formulas, the fit, the workbook and P(alive).
    await app.open('#/exercises?lesson=bgnbd');
    await page.getByTestId('bgnbd-table').waitFor({ timeout: JOB_MS });
    assert.equal(await page.locator('[data-testid="bgnbd-table"] tbody tr').count(), 20);
    const ll = page.getByTestId('bgnbd-ll');
    const before = await ll.innerText();
    await page.getByTestId('bgnbd-r').fill('0.5');
    await page.getByTestId('bgnbd-r').press('Tab');
    await page.waitForFunction((b) => document.querySelector('[data-testid="bgnbd-ll"]').innerText !== b, before);
    await page.getByTestId('bgnbd-fit').click();
    await page.getByTestId('bgnbd-fit-note').filter({ hasText: 'Fitted by the app' }).waitFor();
    const fitted = Number((await ll.innerText()).match(/-?\d+\.\d+/)[0]);
    assert.ok(Number.isFinite(fitted) && fitted < 0, `fitted LL ${fitted}`);
    await page.getByTestId('bgnbd-show-formulas').check();
    assert.match(await ll.innerText(), /=SUM\(I10:I29\)/);
    assert.match(await page.getByTestId('bgnbd-table').innerText(), /=GAMMALN\(r_\+B10\)-GAMMALN\(r_\)\+r_\*LN\(alpha\)/);

    const dl = await app.download(page.getByTestId('bgnbd-download'));
    assert.equal(dl.suggestedFilename(), 'bgnbd.xlsx');
    const files = unzip(fs.readFileSync(await dl.path()));
    const book = files['xl/workbook.xml'];
    const sheets = [...book.matchAll(/<sheet name="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(sheets, ['BGNBD', 'Series', 'Notes']);
    for (const name of ['r_', 'alpha', 'a', 'b', 'horizon']) {
      assert.ok(book.includes(`<definedName name="${name}">`), `named cell ${name}`);
    }
    const main = files['xl/worksheets/sheet1.xml'];
    const formulas = [...main.matchAll(/<f>([^<]*)<\/f>/g)].map((m) => m[1]);
    assert.ok(formulas.length >= 20 * 12 + 1, `${formulas.length} formulas`);
    assert.ok(formulas.includes('SUM(I10:I29)'));
    assert.ok(formulas.some((f) => f.startsWith('GAMMALN(r_+B10)')));
    assert.ok(formulas.some((f) => f.startsWith('SUM(Series!B10:')));
    // The cached total LL is the fitted one shown on the page.
    const cached = Number(main.match(/<c r="B7"[^>]*><f>[^<]*<\/f><v>([^<]+)<\/v>/)[1]);
    assert.ok(Math.abs(cached - fitted) < 1e-3, `${cached} vs ${fitted}`);
    assert.ok(/<f>B10\*\(BGNBD!\$K10/.test(files['xl/worksheets/sheet2.xml']), 'series terms are formulas');

    // BG/NBD exercise: P(alive) of a customer.
    await answerQuestion(page, page.getByTestId('exercise-1'));

    // Instructor mode: a new set, saved without solutions, as a project file.
    const first = await page.getByTestId('exercise-1').locator('label').innerText();
    await page.locator('[data-testid="instructor-mode"] summary').click();
    await page.getByTestId('exercise-new-set').click();
    await page.waitForFunction((f) => document.querySelector('[data-testid="exercise-1"] label')?.innerText !== f, first);
    await page.getByTestId('exercise-include-solutions').uncheck();
    const [project] = await Promise.all([
      page.waitForEvent('download', { timeout: JOB_MS }),
      page.getByTestId('exercise-save').click(),
    ]);
    assert.equal(project.suggestedFilename(), 'customer-analytics.crmproject');
    assert.ok(fs.statSync(await project.path()).size > 1000);
    // The stored set hides worked solutions once reopened.
    await app.open('#/exercises?lesson=clv');
    await page.getByTestId('exercise-1').waitFor({ timeout: JOB_MS });
    await page.getByTestId('exercises').filter({ hasText: 'Worked solutions are hidden' }).waitFor();
    assert.equal(await page.getByTestId('exercise-show-solution').count(), 0);
  } finally {
    await h.stop(assert);
  }
});
