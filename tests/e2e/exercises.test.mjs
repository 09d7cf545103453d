// Lessons' exercises, at the end of each lesson (`#/learn?lesson=…`; the old `#/exercises?lesson=…`
// links open the lesson with its exercises focused): a wrong answer is marked wrong, the right one
// (read from the worked solution) right; the BG/NBD workbook downloads with live formulas (<f>
// elements) and its named parameter cells; parameters edited by hand change the total
// log-likelihood and "Fit" restores the engine's; instructor mode saves the exercise set with its
// data as a project file, and a student who opens that file in a fresh browser gets the same
// questions on the same data, marked, with worked solutions only when the instructor included them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { start, projectHeader } from './harness.mjs';
import { App, DataPage, JOB_MS, unzip } from './pages.mjs';

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
    await app.open('#/learn?lesson=rfm');
    const rfm = page.getByTestId('exercise-1');
    await rfm.waitFor({ timeout: JOB_MS });
    const solution = await answerQuestion(page, rfm);
    assert.match(solution, /total spend/);

    // BG/NBD: the sheet, its formulas, the fit, the workbook and P(alive).
    await app.open('#/learn?lesson=bgnbd');
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
    // The instructor's own copy still shows the worked solutions once reopened.
    await app.open('#/learn?lesson=clv');
    await page.getByTestId('exercise-1').waitFor({ timeout: JOB_MS });
    await page.locator('[data-testid="exercise-copy"][data-copy="Teacher copy"]').waitFor();
    assert.equal(await page.getByTestId('exercise-show-solution').count(), 2);
  } finally {
    await h.stop(assert);
  }
});

// The questions of the open lesson's exercises: each prompt, and (when `reveal`) each worked
// solution and its answer, read by opening the solutions.
async function readQuestions(page, reveal) {
  const cards = page.locator('[data-testid="exercise-list"] > li');
  const out = [];
  for (let i = 0; i < await cards.count(); i++) {
    const card = cards.nth(i);
    const q = { prompt: await card.locator('label').innerText() };
    if (reveal) {
      await card.getByTestId('exercise-show-solution').click();
      const text = await card.getByTestId('exercise-solution').innerText();
      q.solution = text.split('\n')[0].trim();
      q.answer = text.match(/Answer: (.+)$/m)[1].trim();
    }
    out.push(q);
  }
  return out;
}

// The seed shown above the questions ("Exercise set 1234.").
async function shownSeed(page) {
  return Number((await page.getByTestId('exercise-copy').innerText()).match(/Exercise set (\d+)\./)[1]);
}

// "Save for students" (with or without worked solutions); returns the file, saved to `dir`.
async function saveForStudents(page, dir, withSolutions) {
  const box = page.getByTestId('exercise-include-solutions');
  if (withSolutions) await box.check(); else await box.uncheck();
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: JOB_MS }),
    page.getByTestId('exercise-save').click(),
  ]);
  assert.equal(download.suggestedFilename(), 'customer-analytics.crmproject');
  const file = path.join(dir, `students-${withSolutions ? 'with' : 'without'}-solutions.crmproject`);
  await download.saveAs(file);
  await page.getByTestId('exercise-save-note').filter({ hasText: 'is downloading' }).waitFor();
  return file;
}

// A student in a fresh browser (empty storage) opens `file` on the Data page, then the RFM
// lesson; returns the harness, still running.
async function openAsStudent(file) {
  const h = await start();
  const data = new DataPage(h);
  await data.openOnData();
  const opened = new Map(projectHeader(file).datasets.map((d) => [d.meta.kind, d.meta.name]));
  await data.importProject(file, [...opened.values()]);
  await data.open('#/learn?lesson=rfm');
  await h.page.getByTestId('exercise-1').waitFor({ timeout: JOB_MS });
  await h.page.locator('[data-testid="exercise-copy"][data-copy="Student file"]').waitFor();
  return h;
}

test('a set saved for students carries no solutions, the teacher copy keeps them, and a fresh browser gets the same marked questions', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exercise-set-'));
  const teacher = await start();
  let seed, questions, without, withSolutions;
  try {
    const app = new App(teacher);
    const { page } = app;
    await app.open('#/learn?lesson=rfm');
    await page.getByTestId('exercise-1').waitFor({ timeout: JOB_MS });
    await page.locator('[data-testid="instructor-mode"] summary').click();
    const before = await shownSeed(page);
    await page.getByTestId('exercise-new-set').click();
    await page.waitForFunction((b) => !document.querySelector('[data-testid="exercise-copy"]').innerText.includes(`Exercise set ${b}.`), before);
    seed = await shownSeed(page);
    assert.equal(await page.getByTestId('exercise-copy').getAttribute('data-copy'), 'Teacher copy');
    assert.match(await page.getByTestId('exercise-file-note').innerText(), /a student with the app can still compute the answers/);
    questions = await readQuestions(page, true);
    assert.ok(questions.length >= 2, `${questions.length} questions`);

    without = await saveForStudents(page, dir, false);
    // The file's bytes: the set is its seed and "no solutions", nothing else; no worked solution
    // anywhere in it and no answer in its header.
    const header = projectHeader(without);
    const sets = header.settings.filter(([k]) => k === 'exercise-set').map(([, v]) => JSON.parse(v).value);
    assert.deepEqual(sets, [{ seed, include_solutions: false }]);
    const bytes = fs.readFileSync(without).toString('utf8');
    const headerLine = bytes.split('\n')[1];
    for (const q of questions) {
      assert.ok(!bytes.includes(q.solution), `worked solution in the file: ${q.solution}`);
      if (q.answer.length >= 3) assert.ok(!headerLine.includes(q.answer), `answer in the header: ${q.answer}`);
    }
    assert.ok(!headerLine.includes('teacher'), 'no teacher mark in the file');
    assert.ok(header.datasets.some((d) => d.meta.file_name.includes(String(seed))), 'the set\'s data travels with it');

    // The instructor's page still shows the solutions, there and after a reload.
    assert.equal(await page.getByTestId('exercise-copy').getAttribute('data-copy'), 'Teacher copy');
    assert.equal(await page.getByTestId('exercise-solution').count(), questions.length);
    await app.reload();
    await page.locator('[data-testid="exercise-copy"][data-copy="Teacher copy"]').waitFor({ timeout: JOB_MS });
    assert.equal(await shownSeed(page), seed);
    assert.equal(await page.getByTestId('exercise-show-solution').count(), questions.length);

    await page.locator('[data-testid="instructor-mode"] summary').click();
    withSolutions = await saveForStudents(page, dir, true);
    const sets2 = projectHeader(withSolutions).settings.filter(([k]) => k === 'exercise-set').map(([, v]) => JSON.parse(v).value);
    assert.deepEqual(sets2, [{ seed, include_solutions: true }]);
    assert.equal(projectHeader(withSolutions).datasets.length, header.datasets.length, 'the data is stored once');
  } finally {
    await teacher.stop(assert);
  }

  // A student without solutions: the same seed and questions, marked, no worked solutions.
  let h = await openAsStudent(without);
  try {
    const { page } = h;
    assert.equal(await shownSeed(page), seed);
    assert.deepEqual(await readQuestions(page, false), questions.map((q) => ({ prompt: q.prompt })));
    assert.match(await page.getByTestId('exercise-copy').innerText(), /Worked solutions are not part of this set/);
    assert.equal(await page.getByTestId('exercise-show-solution').count(), 0);
    assert.equal(await page.getByTestId('exercise-solution').count(), 0);
    const card = page.getByTestId('exercise-1');
    const verdict = card.getByTestId('exercise-verdict');
    await card.getByTestId('exercise-answer').fill('not this one');
    await card.getByTestId('exercise-check').click();
    assert.equal(await verdict.getAttribute('data-verdict'), 'wrong');
    await card.getByTestId('exercise-answer').fill(questions[0].answer);
    await card.getByTestId('exercise-check').click();
    assert.equal(await verdict.getAttribute('data-verdict'), 'right');
    // The student cannot turn the file into a teacher copy of the same set.
    await page.locator('[data-testid="instructor-mode"] summary').click();
    assert.ok(await page.getByTestId('exercise-save').isDisabled());
    await page.getByTestId('exercise-student-note').waitFor();
  } finally {
    await h.stop(assert);
  }

  // A student with solutions: revealed on request, the instructor's own.
  h = await openAsStudent(withSolutions);
  try {
    const { page } = h;
    assert.equal(await shownSeed(page), seed);
    assert.match(await page.getByTestId('exercise-copy').innerText(), /included the worked solutions/);
    assert.equal(await page.getByTestId('exercise-solution').count(), 0, 'hidden until asked for');
    assert.deepEqual(await readQuestions(page, true), questions);
  } finally {
    await h.stop(assert);
  }
});

test('old #/exercises links open the lesson with its exercises focused, Back skips them, an unknown lesson is named', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    await app.open('#/learn');
    await page.getByTestId('lesson-list').waitFor();
    await page.evaluate(() => { window.location.hash = '#/exercises?lesson=rfm'; });
    await page.waitForURL(/#\/learn\?lesson=rfm$/);
    await page.getByTestId('lesson-rfm').waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'exercises-title');
    assert.equal(await page.getByTestId('exercises').count(), 1, 'one home for the exercises');
    const inView = await page.getByTestId('exercises').evaluate((el) => {
      const r = el.getBoundingClientRect();
      return r.top < window.innerHeight && r.bottom > 0;
    });
    assert.ok(inView, 'the exercises are scrolled into view');
    await page.goBack();
    await page.waitForURL(/#\/learn$/);

    // A fresh load of an old link, and one to a lesson with no exercises.
    await app.open('#/exercises?lesson=bgnbd');
    await page.waitForURL(/#\/learn\?lesson=bgnbd$/);
    await page.getByTestId('bgnbd-table').waitFor({ timeout: JOB_MS });
    await app.open('#/exercises?lesson=nonsense');
    await page.getByTestId('exercises-unknown').filter({ hasText: '“nonsense”' }).waitFor();
    assert.match(page.url(), /#\/exercises\?lesson=nonsense$/);
  } finally {
    await h.stop(assert);
  }
});
