// The Learn page's lessons: each one is opened from the lesson list (its key kept in the URL,
// reached with the keyboard), an input is changed, and the live figure must become the value
// computed by hand here (the arithmetic is written out beside each expectation). The RFM
// table's scores are read after a cell is edited.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start, screenshot } from './harness.mjs';
import { App } from './pages.mjs';

// Types `value` into the input `id` and leaves it (the lessons read a committed edit).
async function edit(page, id, value) {
  const input = page.getByTestId(id);
  await input.fill(String(value));
  await input.blur();
}

// Waits until the element `id` reads `expected` exactly (trimmed), and fails with what it read.
async function reads(page, id, expected) {
  const el = page.getByTestId(id);
  try {
    await el.filter({ hasText: expected }).waitFor({ timeout: 10000 });
  } catch {
    // fall through to the assertion, which names what was shown
  }
  assert.equal((await el.innerText()).trim(), expected, id);
}

// Opens a lesson from the list with the keyboard: focus its link, press Enter.
async function openLesson(page, key) {
  await page.getByTestId(`lesson-link-${key}`).focus();
  await page.keyboard.press('Enter');
  await page.getByTestId(`lesson-${key}`).waitFor();
  assert.match(page.url(), new RegExp(`#/learn\\?lesson=${key}$`));
  assert.equal(await page.getByTestId(`lesson-link-${key}`).getAttribute('aria-current'), 'page');
  // Wide tables scroll inside their box: the page itself never scrolls sideways.
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(wide <= 0, `${key}: the page is ${wide}px wider than the window`);
}

const money = (x) => x.toFixed(2);

test('every lesson answers its inputs with the hand-computed figure', async () => {
  const h = await start();
  try {
    const app = new App(h);
    const { page } = app;
    await app.open('#/learn?lesson=clv');
    await page.getByTestId('lesson-clv').waitFor();

    // CLV: m = 100, r = 0.8, d = 0.1 → 100 · 0.8 / 0.3 = 266.67. Retention 0.9 →
    // 100 · 0.9 / (1.1 − 0.9) = 450.00. Two periods: 90/1.1 + 81/1.21 = 81.818 + 66.942 = 148.76;
    // gap 450 − 148.76 = 301.24.
    await reads(page, 'learn-clv', '266.67');
    await page.getByTestId('learn-retention').fill('0.9');
    await reads(page, 'learn-clv', '450.00');
    await edit(page, 'clv-periods', 2);
    await reads(page, 'clv-sum', money(90 / 1.1 + 81 / 1.21));
    await reads(page, 'clv-gap', money(450 - (90 / 1.1 + 81 / 1.21)));
    assert.equal(await app.rows('clv-table').count(), 2);

    // Retention economics: 1,000 customers, r = 0.8, Δ = 0.05, d = 0.1, two years, no
    // acquisition cost. Year 1 profit 25, year 2 25 + 5 + 3 + 2 + 1 = 36.
    // At 0.80: 1000·25/1.1 + 800·36/1.21; at 0.85: 1000·25/1.1 + 850·36/1.21.
    await openLesson(page, 'retention');
    await edit(page, 'ret-horizon', 2);
    await edit(page, 'ret-acquisition', 0);
    const at = (r, y2) => 1000 * 25 / 1.1 + 1000 * r * y2 / 1.21;
    await reads(page, 'ret-equity', money(at(0.8, 36)));
    await reads(page, 'ret-equity-more', money(at(0.85, 36)));
    await reads(page, 'ret-change', `+${(100 * (at(0.85, 36) - at(0.8, 36)) / at(0.8, 36)).toFixed(1)}%`);
    // Year 2's growth in spending 5 → 15: the year's profit 46, and the equity follows.
    await edit(page, 'ret-2-1', 15);
    await reads(page, 'ret-total-2', '46.00');
    await reads(page, 'ret-equity', money(at(0.8, 46)));
    await screenshot(page, 'lesson-retention');

    // Satisfaction: expectation 7, tolerance 0.5, performance 6 → D = −1 < −0.5: dissatisfied.
    await openLesson(page, 'satisfaction');
    await reads(page, 'sat-verdict', 'delighted');
    await page.getByTestId('sat-performance').fill('6');
    await reads(page, 'sat-verdict', 'dissatisfied');
    await reads(page, 'sat-d', 'D = -1.00');
    // The lesson holds at the defaults; with w = 1 the cumulative measure is the latest answer,
    // so the two AUCs are equal.
    const auc = async (id) => Number(await app.figure(id));
    assert.ok(await auc('sat-auc-cum') > await auc('sat-auc-latest') + 0.05);
    await edit(page, 'sat-weight', 1);
    await page.getByTestId('sat-lesson').filter({ hasText: 'does as well' }).waitFor();
    assert.equal(await auc('sat-auc-cum'), await auc('sat-auc-latest'));
    await screenshot(page, 'lesson-satisfaction');

    // Perceived value: ours (60+20+15+10) − (50+10+5+5) = 35 beats B's 25. Money 65 → ours
    // 105 − 85 = 20: Competitor B (75 − 50 = 25) is chosen.
    await openLesson(page, 'perceived-value');
    await reads(page, 'pv-perceived-0', '35.00');
    await edit(page, 'pv-0-money', 65);
    await reads(page, 'pv-perceived-0', '20.00');
    await reads(page, 'pv-chosen', 'The customer chooses Competitor B.');
    await screenshot(page, 'lesson-perceived-value');

    // Share of wallet: C1's spend 200 → 500 of 1,000: 50.0 %; share of customer
    // (500 + 450 + 100 + 300) / (1000 + 500 + 800 + 600) = 1350 / 2900 = 46.6 %.
    // 20 points: min(200, 500) + min(100, 50) + min(160, 700) + min(120, 300) = 530; · 0.3 = 159.
    await openLesson(page, 'share-of-wallet');
    await reads(page, 'sow-share-0', '20.0%');
    await edit(page, 'sow-ours-0', 500);
    await reads(page, 'sow-share-0', '50.0%');
    await reads(page, 'sow-soc', `${(100 * 1350 / 2900).toFixed(1)}%`);
    await edit(page, 'sow-points', 20);
    await reads(page, 'sow-extra', '530.00');
    await reads(page, 'sow-extra-margin', '159.00');

    // RFM (the engine's quintiles): Ana 5/5/5 Champions. Chloé's purchases 1 → 20: purchases
    // sorted 1 2 2 3 4 5 6 8 12 20, cut points at ranks 1, 3, 5, 7 → 2 | 3 | 5 | 8; Chloé F = 5,
    // and with 200 days (above the last recency cut 150) R = 1: "Can't Lose Them".
    await openLesson(page, 'rfm');
    await reads(page, 'rfm-r-0', '5');
    await reads(page, 'rfm-f-0', '5');
    await reads(page, 'rfm-m-0', '5');
    await reads(page, 'rfm-segment-0', 'Champions');
    await reads(page, 'rfm-cuts-f', '1 | 2 | 4 | 6');
    await edit(page, 'rfm-purchases-2', 20);
    await reads(page, 'rfm-cuts-f', '2 | 3 | 5 | 8');
    await reads(page, 'rfm-f-2', '5');
    await reads(page, 'rfm-r-2', '1');
    await reads(page, 'rfm-segment-2', "Can't Lose Them");
    await reads(page, 'rfm-f-5', '1');
    await screenshot(page, 'lesson-rfm');

    // Relationships: Regulars (margin 120, d = 0.1): accountable 110·0.65/0.45 = 158.89 beats
    // proactive 70·0.75/0.35 = 150.00. Proactive cost 50 → 30: 90·0.75/0.35 = 192.86 wins.
    await openLesson(page, 'relationships');
    await reads(page, 'rel-best-1', 'Accountable');
    await edit(page, 'rel-cost-3', 30);
    await reads(page, 'rel-clv-1-3', money(90 * 0.75 / 0.35));
    await reads(page, 'rel-best-1', 'Proactive');
    assert.match(await app.figure('rel-app-2'), /^Partnership \(Retain\)$/);
    assert.equal(await page.getByTestId('rel-rules').locator('li').count(), 6);
    await screenshot(page, 'lesson-relationships');

    // The BG/NBD slot and the simulator are entries of the list too.
    await openLesson(page, 'bgnbd');
    assert.match(await app.figure('lesson-bgnbd'), /BG\/NBD step by step/);
    await page.getByTestId('lesson-link-simulator').click();
    await page.getByTestId('sim-customers').waitFor();

    // An unknown key is said so, with the list still there.
    await app.open('#/learn?lesson=nope');
    await page.getByTestId('lesson-unknown').waitFor();
    await page.getByTestId('lesson-list').waitFor();
  } finally {
    await h.stop(assert);
  }
});
