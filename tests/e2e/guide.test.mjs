// For the classroom (issue 15, items 4 and 5): the glossary is reachable from every page and
// searchable; the "?" beside a figure opens its formula filled in with the figure's own value
// (Overview, a customer's lifetime value); projector mode toggles and is remembered after a
// reload, with no horizontal scroll at 1280×720; the guided tour steps forward and back by
// buttons and keys through every page, keeps focus in its panel and closes with Esc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './harness.mjs';
import { App, SAMPLE_MS, JOB_MS } from './pages.mjs';

const PAGES = ['#/overview', '#/', '#/segments', '#/satisfaction', '#/lifetime-value', '#/strategy', '#/learn', '#/report'];
const hashOf = (page) => new URL(page.url()).hash || '#/';
const number = (s) => Number(s.replace(/[^0-9.eE-]/g, ''));

test('the glossary is one click away on every page, searchable, with an anchor per term', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    for (const hash of PAGES) {
      await app.open(hash);
      await page.getByTestId('glossary-link').click();
      await page.getByTestId('glossary-list').waitFor();
      assert.equal(hashOf(page), '#/glossary', `from ${hash}`);
      assert.match(await app.heading(), /Glossary/);
    }
    const all = await page.locator('[data-testid="glossary-list"] article').count();
    assert.ok(all >= 40, `${all} terms`);
    await page.getByTestId('glossary-search').fill('promoters');
    await page.getByTestId('term-nps').waitFor();
    const hits = await page.locator('[data-testid="glossary-list"] article').count();
    assert.ok(hits >= 1 && hits < all, `${hits} of ${all} match "promoters"`);
    assert.match(await app.figure('glossary-count'), /of \d+ terms match "promoters"/);
    assert.equal(await page.getByTestId('term-p-alive').count(), 0);
    // A link to one term opens it, marked and focused.
    await app.open('#/glossary?term=p-alive');
    const term = page.getByTestId('term-p-alive');
    await term.waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'term-p-alive');
    assert.match(await term.getAttribute('class'), /current/);
    assert.match(await term.innerText(), /probability that a customer is still a customer/);
  } finally {
    await h.stop(assert);
  }
});

test('explain shows the formula filled in with the figure\'s own value', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    // The Overview: customer equity and the customer count.
    await app.open('#/overview');
    await page.getByTestId('fig-equity-value').waitFor({ timeout: SAMPLE_MS });
    const equity = number(await app.figure('fig-equity-value'));
    const btn = page.getByTestId('explain-fig-equity');
    assert.equal(await btn.getAttribute('aria-expanded'), 'false');
    await btn.click();
    assert.equal(await btn.getAttribute('aria-expanded'), 'true');
    const filled = page.getByTestId('explain-fig-equity-filled');
    const value = Number(await filled.getAttribute('data-value'));
    assert.ok(Math.abs(value - equity) <= 0.5, `explained ${value}, shown ${equity}`);
    assert.match(await filled.innerText(), new RegExp(`= ${value.toFixed(2)}$`));
    assert.match(await app.figure('explain-fig-equity-formula'), /Σ CLV/);
    await page.getByTestId('explain-fig-customers').click();
    assert.match(await app.figure('explain-fig-customers-filled'), new RegExp(`= ${number(await app.figure('fig-customers-value')).toLocaleString('en-US')}$`));
    // The NPS explain carries the interval shown on the card.
    await page.getByTestId('explain-fig-nps').click();
    const range = await app.figure('fig-nps-range');
    const [lo, hi] = range.match(/-?[0-9.]+/g).slice(-2);
    assert.match(await app.figure('explain-fig-nps-filled'), new RegExp(`${lo} to ${hi}`));
    // Its glossary link opens the term.
    await page.getByTestId('explain-fig-equity-glossary').click();
    await page.getByTestId('term-customer-equity').waitFor();
    assert.equal(hashOf(page), '#/glossary?term=customer-equity');

    // A customer's lifetime value: P(alive) and CLV with that customer's x, tₓ and T.
    await app.open('#/lifetime-value');
    await app.job('param-r');
    await app.rows('clv-table').first().click();
    const detail = page.getByTestId('customer-detail');
    await detail.waitFor();
    const pAlive = number(await app.figure('detail-p-alive')) / 100;
    await page.getByTestId('explain-detail-p-alive').click();
    const pf = page.getByTestId('explain-detail-p-alive-filled');
    assert.ok(Math.abs(Number(await pf.getAttribute('data-value')) - pAlive) <= 0.0005, `P(alive) ${pAlive}`);
    const tx = (await detail.locator('.kpi').nth(1).locator('.value').innerText()).trim();
    const x = (await detail.locator('.kpi').nth(0).locator('.value').innerText()).trim();
    const ptext = await pf.innerText();
    if (Number(x) > 0) assert.ok(ptext.includes(tx) && ptext.includes(`+ ${x} − 1`), ptext);
    const clv = number(await app.figure('detail-clv'));
    await page.getByTestId('explain-detail-clv').click();
    const cf = page.getByTestId('explain-detail-clv-filled');
    assert.ok(Math.abs(Number(await cf.getAttribute('data-value')) - clv) <= 0.005, `CLV ${clv}`);
    assert.match(await cf.innerText(), new RegExp(`= ${clv.toFixed(2)}$`));
    await page.getByTestId('explain-detail-spend').click();
    const spend = number(await app.figure('detail-spend'));
    assert.ok(Math.abs(Number(await page.getByTestId('explain-detail-spend-filled').getAttribute('data-value')) - spend) <= 0.005);
    // Esc closes a panel.
    await page.getByTestId('explain-detail-clv').focus();
    await page.keyboard.press('Escape');
    assert.equal(await page.getByTestId('explain-detail-clv-filled').count(), 0);
  } finally {
    await h.stop(assert);
  }
});

test('projector mode toggles, is remembered after a reload and needs no horizontal scroll at 1280×720', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    await page.setViewportSize({ width: 1280, height: 720 });
    await app.open('#/overview');
    await page.getByTestId('fig-customers-value').waitFor({ timeout: SAMPLE_MS });
    const toggle = page.getByTestId('projector-toggle');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    const before = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    await toggle.click();
    await page.waitForFunction(() => document.documentElement.dataset.projector === 'on');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    const after = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    assert.ok(after > before * 1.15, `type ${before}px → ${after}px`);
    await app.reload();
    await page.waitForFunction(() => document.documentElement.dataset.projector === 'on', null, { timeout: SAMPLE_MS });
    assert.equal(await page.getByTestId('projector-toggle').getAttribute('aria-pressed'), 'true');
    for (const [hash, ready] of [['#/overview', 'fig-equity-value'], ['#/', 'n-customers'], ['#/segments', 'segment-count'],
      ['#/satisfaction', 'nps-value'], ['#/lifetime-value', 'param-r'], ['#/strategy', 'budget-total'], ['#/glossary', 'glossary-list']]) {
      await app.open(hash);
      await page.getByTestId(ready).first().waitFor({ timeout: JOB_MS });
      await page.waitForFunction(() => document.documentElement.dataset.projector === 'on');
      const { sw, cw } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
      assert.ok(sw <= cw, `${hash}: page ${sw}px wide in a ${cw}px window`);
    }
    await page.getByTestId('projector-toggle').click();
    await page.waitForFunction(() => document.documentElement.dataset.projector === undefined);
  } finally {
    await h.stop(assert);
  }
});

test('the tour steps through every page by buttons and keys and closes with Esc', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    await app.open('#/');
    await page.getByTestId('n-customers').waitFor({ timeout: SAMPLE_MS });
    const routes = ['#/overview', '#/overview', '#/', '#/segments', '#/satisfaction', '#/lifetime-value', '#/strategy', '#/learn', '#/glossary'];
    const n = routes.length;
    const count = page.getByTestId('tour-count');
    const at = async (i) => {
      await page.waitForFunction((want) => document.querySelector('[data-testid="tour-count"]')?.textContent === want, `${i + 1} of ${n}`);
      await page.waitForFunction((want) => (location.hash || '#/') === want, routes[i]);
      // The element the step explains is marked, and focus is in the panel.
      await page.locator('[data-tour-target]').first().waitFor({ timeout: JOB_MS });
      assert.ok(await page.evaluate(() => !!document.activeElement?.closest('[data-testid="tour-panel"]')), `focus in the panel at step ${i + 1}`);
    };
    await page.getByTestId('tour-start').click();
    await at(0);
    assert.equal(await count.innerText(), `1 of ${n}`);
    assert.ok(await page.getByTestId('tour-back').isDisabled());
    await page.getByTestId('tour-next').click();
    await at(1);
    for (let i = 2; i < n; i += 1) {
      await page.keyboard.press('ArrowRight');
      await at(i);
    }
    // The last step finishes instead of going on; → does nothing there.
    assert.equal(await page.getByTestId('tour-next').count(), 0);
    await page.getByTestId('tour-finish').waitFor();
    await page.keyboard.press('ArrowRight');
    await at(n - 1);
    await page.keyboard.press('ArrowLeft');
    await at(n - 2);
    await page.getByTestId('tour-back').click();
    await at(n - 3);
    await page.keyboard.press('Escape');
    await page.getByTestId('tour-panel').waitFor({ state: 'detached' });
    assert.equal(await page.locator('[data-tour-target]').count(), 0);
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'tour-start');
  } finally {
    await h.stop(assert);
  }
});

// explain15: the "?" on the Data counts, a model parameter and the model comparison, a k-means
// cluster and a value tier, a satisfaction driver and a cohort: each panel's value (the engine's)
// equals the figure the page shows, and its glossary link opens the term.
test('explain on the Data, Lifetime value, Segments, Satisfaction and cohort figures matches the page', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    // Opens the explain `id`, returns its panel's value and filled text.
    const explain = async (id) => {
      await page.getByTestId(id).click();
      const filled = page.getByTestId(`${id}-filled`);
      await filled.waitFor();
      return [Number(await filled.getAttribute('data-value')), await filled.innerText()];
    };
    const near = (a, b, tol, what) => assert.ok(Math.abs(a - b) <= tol, `${what}: explained ${a}, shown ${b}`);
    const cell = (table, col) => page.locator(`[data-testid="${table}"] tbody tr`).first().locator(`td:nth-child(${col})`).innerText();
    const glossary = async (id, term) => {
      await page.getByTestId(`${id}-glossary`).click();
      await page.getByTestId(`term-${term}`).waitFor();
      assert.equal(hashOf(page), `#/glossary?term=${term}`);
    };

    // Data: rows used, customers, one customer's tₓ worked out from their dates.
    await app.open('#/');
    await page.getByTestId('data-explains').waitFor({ timeout: SAMPLE_MS });
    const [rows, rowsText] = await explain('explain-rows-used');
    assert.match(await app.figure('report-ok'), new RegExp(`All ${rows.toLocaleString('en-US')} rows`));
    assert.match(rowsText, new RegExp(`= ${rows.toLocaleString('en-US')}`));
    const [customers] = await explain('explain-customers');
    near(customers, number(await app.figure('n-customers')), 0, 'customers');
    const [tx, txText] = await explain('explain-tx');
    near(tx, number(await app.figure('explain-tx-shown')), 0.005, 'tₓ');
    assert.match(txText, /days \/ 7\.0000 = [0-9.]+ weeks$/);
    const [repeat, repeatText] = await explain('explain-repeat');
    near(repeat, number(await app.figure('n-repeat')), 0, 'repeat buyers');
    assert.match(repeatText, new RegExp(`^${repeat.toLocaleString('en-US')} of the ${customers.toLocaleString('en-US')} customers have x > 0`));
    await glossary('explain-tx', 'recency-tx');

    // Lifetime value: a parameter, then a row of the model comparison.
    await app.open('#/lifetime-value');
    await app.job('param-r');
    const [r, rText] = await explain('explain-param-r');
    near(r, number(await app.figure('param-r')), 0.00005, 'r');
    assert.match(rText, /standard error/);
    await page.getByTestId('compare-run').click();
    await app.job('compare-table');
    const [bic, bicText] = await explain('explain-compare-bic-0');
    near(bic, number(await cell('compare-table', 5)), 0.005, 'BIC');
    assert.match(bicText, /AIC = 2 × \d+ − 2 × \(/);
    await glossary('explain-compare-bic-0', 'bic');
    await app.open('#/lifetime-value');
    await app.job('param-r');
    await page.getByTestId('explain-param-r').click();
    await glossary('explain-param-r', 'param-r');

    // Subscriptions (the sample's sBG cohort): the chance of cancelling in period 1.
    await app.open('#/lifetime-value');
    await app.job('explain-sbg-churn');
    const [churn, churnText] = await explain('explain-sbg-churn');
    near(churn, number(await app.figure('sbg-churn')), 0.05, 'sBG churn %');
    assert.match(churnText, /^P\(T = 1\) = /);
    const [retention] = await explain('explain-sbg-retention');
    near(retention, number(await app.figure('explain-sbg-retention-shown')), 0.05, 'sBG retention %');
    await glossary('explain-sbg-retention', 'retention-rate');

    // Segments: a k-means cluster's share and the top tier's share of value.
    await app.open('#/segments');
    await app.job('segment-count');
    const [top] = await explain('explain-tiers-pyramid-0');
    near(100 * top, number(await cell('tiers-pyramid', 5)), 0.05, 'top tier % value');
    const [heavy] = await explain('explain-tiers-hml-0');
    near(100 * heavy, number(await cell('tiers-hml', 5)), 0.05, 'heavy tier % value');
    await page.getByTestId('run-kmeans').click();
    await app.job('explain-cluster-0');
    const [share, shareText] = await explain('explain-cluster-0');
    near(100 * share, number(await cell('cluster-profiles', 3)), 0.05, 'cluster % customers');
    assert.match(shareText, /z × sd \+ mean/);
    const [sil, silText] = await explain('explain-best-k');
    near(sil, number(await app.figure('explain-best-k-shown')), 0.0005, 'best k silhouette');
    assert.match(silText, /← highest/);
    await glossary('explain-cluster-0', 'cluster');

    // Satisfaction: the first driver's relative weight with its interval.
    await app.open('#/satisfaction');
    // With the lifetime values and segments fitted above, the drivers are worked out again once
    // they are linked (the value at risk appears): wait for that before opening a panel.
    await app.job('value-at-risk');
    await app.job('explain-drivers-overall-0');
    const [w, wText] = await explain('explain-drivers-overall-0');
    near(w, number(await cell('drivers-overall', 2)), 0.0005, 'relative weight');
    const [lo, hi] = [await cell('drivers-overall', 3), await cell('drivers-overall', 4)];
    assert.ok(wText.includes(`${lo} to ${hi}`), wText);
    await glossary('explain-drivers-overall-0', 'relative-weights');

    // Cohorts (Value & strategy): the first cohort's value per customer.
    // The lifetime values fitted above are kept, so the cohorts are valued without a new fit.
    await app.open('#/strategy');
    await app.job('explain-cohort');
    const [value, valueText] = await explain('explain-cohort');
    near(value, number(await cell('cohort-table', 6)), 0.005, 'value per customer');
    assert.match(valueText, /CLV\/CAC = /);
    // The retention what-if's simple CLV, m · r / (1 + d − r).
    const [simple] = await explain('explain-whatif');
    near(simple, Number((await app.figure('whatif-result')).match(/^CLV (\d+)/)[1]), 0.5, 'simple CLV');
    // Firm value: current equity plus the discounted new customers, filled with the inputs.
    const [firm, firmText] = await explain('explain-firm');
    assert.ok(firm > 0, `firm value ${firm}`);
    assert.match(firmText, /firm value = \S+ \+ \S+ = \S+$/);
    await glossary('explain-firm', 'firm-value');
    // The budget split: the best-funded segment's expected gain, V · (1 − exp(−s / k)).
    await app.open('#/strategy');
    await app.job('explain-budget');
    const [gain, gainText] = await explain('explain-budget');
    near(gain, number(await app.figure('explain-budget-shown')), 0.5, 'expected gain');
    assert.match(gainText, /marginal return = /);
    await app.open('#/strategy');
    await app.job('explain-cohort');
    await page.getByTestId('explain-cohort').click();
    await glossary('explain-cohort', 'cohort-value');
  } finally {
    await h.stop(assert);
  }
});
