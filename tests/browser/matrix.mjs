// The matrix (2×2) activity as people use it (issue 12, "The proof"): a facilitator makes a
// brainstorm that gets the fourteen long Finnish items of worst.mjs, then a matrix on it at the
// console; two phones at 320×568 place the items, one by tapping, one with the keyboard only
// (arrow keys and Enter/Space in a radio group with a roving tabindex); the projector at
// 1920×1080 shows every item numbered in its legend and a dot for each placed one, nothing out
// of view or overlapping, live; the console shows the numbers table; a second matrix with
// results "after close" shows no dots until it closes.
// Writes matrix-{phone,projector,console}.png to target/screenshots (PAJA_SCREENSHOTS:
// another directory, e.g. docs/screenshots).
//
//   node tests/browser/matrix.mjs http://127.0.0.1:PORT

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LAPTOP, PROJECTOR, addPrompt, createSession, inBrowser, axeViolations } from './lib.mjs';
import { ITEMS, sendItems } from './worst.mjs';

const SHOTS = process.env.PAJA_SCREENSHOTS || fileURLToPath(new URL('../../target/screenshots/', import.meta.url));
const PHONE_320 = { viewport: { width: 320, height: 568 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const BRAINSTORM = 'Mitkä toimijat pitäisi saada mukaan nuorten palveluihin Lapissa?';
const X = { label: 'Vaikutus nuorten arkeen', low: 'pieni', high: 'suuri' };
const Y = { label: 'Toteutettavuus ensi vuonna', low: 'vaikea', high: 'helppo' };
/** The smallest legend text on a 1080p projector (px). */
const LEGEND_1080 = 20;


async function shot(page, name, fullPage = false) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage });
}

/** Adds a matrix on the first prompt with the console's editor, its own inputs built by matrix.js. */
async function addMatrix(control, title, results) {
  const before = await control.locator('#agenda > li').count();
  await control.click('#new');
  await control.waitForSelector('#editor[open]');
  await control.selectOption('#e-kind', 'matrix');
  await control.fill('#e-title', title);
  assert.ok(await control.isVisible('#e-m-source'), 'the matrix fields show for the matrix');
  assert.ok(!(await control.isVisible('#e-dots')), "the dot vote's fields do not");
  // Nothing chosen yet: the editor says what is missing and where.
  await control.click('#e-save');
  await control.waitForSelector('#e-error:not([hidden])');
  assert.equal(await control.evaluate(() => document.activeElement.id), 'e-m-source');
  await control.selectOption('#e-m-source', { label: `1. ${BRAINSTORM}` });
  for (const [a, v] of [['x', X], ['y', Y]]) {
    for (const part of ['label', 'low', 'high']) await control.fill(`#e-m${a}-${part}`, v[part]);
  }
  if (results) await control.selectOption('#e-results', results);
  await control.click('#e-save');
  await control.waitForFunction(
    (n) => document.querySelectorAll('#agenda > li').length === n + 1 && !document.getElementById('editor').open,
    before,
  );
}

/** In the page: what of `selector` is not wholly in the viewport or is clipped by an ancestor. */
function offScreen(selector) {
  const out = [];
  for (const e of document.querySelectorAll(selector)) {
    const r = e.getBoundingClientRect();
    const name = `${selector} "${e.textContent.slice(0, 30)}"`;
    if (!r.width || !r.height) out.push(`${name}: not rendered`);
    else if (r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5) out.push(`${name}: outside the viewport`);
    for (let a = e.parentElement; a; a = a.parentElement) {
      if (getComputedStyle(a).overflow === 'visible') continue;
      const b = a.getBoundingClientRect();
      if (r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5 || r.left < b.left - 0.5 || r.right > b.right + 0.5) {
        out.push(`${name}: hidden by the overflow of ${a.id || a.className}`);
        break;
      }
    }
  }
  return out;
}

/** In the page: pairs of `selector`'s boxes that overlap. */
function overlaps(selector) {
  const boxes = [...document.querySelectorAll(selector)].map((e) => [e.textContent.slice(0, 20), e.getBoundingClientRect()]);
  const out = [];
  boxes.forEach(([a, r], i) => boxes.slice(i + 1).forEach(([b, q]) => {
    if (r.left < q.right - 0.5 && q.left < r.right - 0.5 && r.top < q.bottom - 0.5 && q.top < r.bottom - 0.5) out.push(`${a} × ${b}`);
  }));
  return out;
}

/** A phone at 320 px on the open prompt, its grid up. */
async function phone(browser, watch, s, name) {
  const page = await watch.page(browser, name, PHONE_320);
  await page.goto(s.participant);
  await page.waitForSelector('.m-grid .m-cell');
  // The strings come after the page's first render.
  await page.waitForFunction(() => /^\d/.test(document.querySelector('.m-count').textContent));
  return page;
}

/** The item the phone shows now (without the soft hyphens the phone adds to long words). */
const shown = async (page) => (await page.textContent('.m-text')).replace(/\u00AD/g, '');

test('a matrix on the room\'s own items: phones place, the projector and the console show', () => inBrowser(async (browser, watch) => {
  const s = await createSession('matriisi', 'Nelikenttä Rovaniemellä');
  const control = await watch.page(browser, 'control', LAPTOP);
  await control.goto(s.control);
  await control.waitForSelector('#conn[data-status="connected"]');
  await addPrompt(control, { kind: 'brainstorm', title: BRAINSTORM });
  await addMatrix(control, 'Mihin kannattaa tarttua ensin?');
  await addMatrix(control, 'Entä kun tulokset näytetään vasta lopuksi?', 'after_close');
  // The console's one-line summary names the axes and the source.
  await control.click('#agenda > li:nth-child(2) [data-act="pick"]');
  await control.waitForFunction((x) => document.getElementById('sel-settings').textContent.includes(x), X.label);

  await control.click('#next');
  await control.waitForSelector('#agenda > li.is-open');
  assert.equal((await sendItems(control, s.slug, ITEMS)).length, ITEMS.length);
  await control.click('#next');
  await control.waitForSelector('#agenda > li:nth-child(2).is-open');

  const screen = await watch.page(browser, 'screen', PROJECTOR);
  await screen.goto(s.screen);
  await screen.waitForFunction((n) => document.querySelectorAll('#chart.matrix .m-legend > li').length === n, ITEMS.length);
  assert.equal(await screen.locator('#chart .m-dot').count(), 0, 'no dots before anyone placed');

  // Phone A taps: each tap places the item and moves on to the next unplaced one.
  const a = await phone(browser, watch, s, 'tapper');
  assert.match(await a.textContent('.m-count'), /^1 \/ 14$/);
  const grid = await a.$eval('.m-grid', (g) => {
    const cells = [...g.querySelectorAll('.m-cell')].map((c) => c.getBoundingClientRect());
    return { n: cells.length, w: Math.min(...cells.map((r) => r.width)), h: Math.min(...cells.map((r) => r.height)), right: Math.max(...cells.map((r) => r.right)) };
  });
  assert.equal(grid.n, 25, 'a 5×5 grid');
  assert.ok(grid.w >= 44 && grid.h >= 44, `cells of 44 px or more (${grid.w}×${grid.h})`);
  assert.ok(grid.right <= 320, 'the grid fits 320 px');
  assert.equal(await a.getAttribute('.m-grid', 'role'), 'radiogroup');
  for (let i = 0; i < ITEMS.length; i++) {
    const text = await shown(a);
    assert.equal(text, ITEMS[i], `item ${i + 1} shown in ballot order`);
    // Column i % 5 + 1, row (i * 2) % 5 + 1: the grid's rows run from the high end down.
    const cx = (i % 5) + 1;
    const cy = ((i * 2) % 5) + 1;
    await a.tap(`.m-cell[data-x="${cx}"][data-y="${cy}"]`);
    await a.waitForFunction((n) => document.querySelector('.m-placed').textContent.includes(String(n)), i + 1);
    if (i < ITEMS.length - 1) await a.waitForFunction((t) => document.querySelector('.m-text').textContent.replace(/\u00AD/g, '') !== t, text);
  }
  await a.waitForFunction(() => document.getElementById('note').textContent.length > 0);
  assert.match(await a.textContent('.m-placed'), /14\/14/);
  // A placed item: its cell checked, "Remove" offered; Back goes to the one before.
  await a.tap('.m-nav button:first-child');
  assert.equal(await a.locator('.m-cell[aria-checked="true"]').count(), 1);
  assert.ok(await a.isVisible('.m-nav button:nth-child(3)'), 'Remove shows for a placed item');
  assert.ok(await a.$eval('.m-count', (e) => e.getBoundingClientRect().top >= 0), 'the item moved to is in view');
  await shot(a, 'matrix-phone');
  assert.deepEqual(await axeViolations(a), [], 'the phone view passes axe');

  // The projector: a dot per item, all fourteen in the legend with their counts, all on screen.
  await screen.waitForFunction((n) => document.querySelectorAll('#chart .m-dot').length === n, ITEMS.length);
  assert.deepEqual(await screen.evaluate(offScreen, '#chart .m-legend > li'), [], 'every legend row on screen');
  assert.deepEqual(await screen.evaluate(overlaps, '#chart .m-legend > li'), [], 'legend rows overlap');
  assert.deepEqual(await screen.evaluate(offScreen, '#chart .m-svg'), [], 'the chart on screen');
  assert.deepEqual(await screen.evaluate(overlaps, '#chart .m-svg, #chart .m-legend'), [], 'the chart and its legend overlap');
  const legendPx = await screen.$eval('#chart .m-legend', (l) => parseFloat(getComputedStyle(l).fontSize));
  assert.ok(legendPx >= LEGEND_1080, `legend at ${legendPx} px`);
  const legend = await screen.$$eval('#chart .m-legend > li', (ls) => ls.map((l) => l.textContent));
  ITEMS.forEach((text, i) => assert.equal(legend[i], `${i + 1}${text} (1)`, `legend row ${i + 1}`));
  // Axis names and ends are drawn.
  const words = await screen.$$eval('#chart .m-svg text', (ts) => ts.map((t) => t.textContent));
  for (const w of [X.low, X.high, Y.low, Y.high]) assert.ok(words.includes(w), `the chart says ${w}`);
  assert.ok(words.some((w) => w.startsWith(X.label)) && words.some((w) => w.startsWith(Y.label)), 'the chart names its axes');
  // Every drawn word of the axes inside the screen.
  assert.deepEqual(await screen.evaluate(offScreen, '#chart .m-svg text'), [], 'axis words on screen');

  // Phone B with the keyboard only: into the grid with Tab, arrows move, Enter and Space place.
  const b = await phone(browser, watch, s, 'keyboard');
  for (let k = 0; k < 40 && !(await b.evaluate(() => document.activeElement.classList.contains('m-cell'))); k++) await b.keyboard.press('Tab');
  assert.ok(await b.evaluate(() => document.activeElement.classList.contains('m-cell')), 'Tab reaches the grid');
  assert.equal(await b.locator('.m-cell[tabindex="0"]').count(), 1, 'one cell in the tab order (roving tabindex)');
  const at = () => b.evaluate(() => [document.activeElement.dataset.x, document.activeElement.dataset.y].map(Number));
  assert.deepEqual(await at(), [3, 3], 'the roving cell starts in the middle');
  await b.keyboard.press('ArrowUp');
  await b.keyboard.press('ArrowUp');
  await b.keyboard.press('ArrowRight');
  assert.deepEqual(await at(), [4, 5]);
  await b.keyboard.press('ArrowUp');
  assert.deepEqual(await at(), [4, 5], 'the edge holds');
  await b.keyboard.press('Enter');
  await b.waitForFunction((t) => document.querySelector('.m-text').textContent.replace(/\u00AD/g, '') === t, ITEMS[1]);
  assert.deepEqual(await at(), [4, 5], 'focus stays in the grid for the next item');
  await b.keyboard.press('ArrowLeft');
  await b.keyboard.press(' ');
  await b.waitForFunction((t) => document.querySelector('.m-text').textContent.replace(/\u00AD/g, '') === t, ITEMS[2]);
  assert.match(await b.textContent('.m-placed'), /2\/14/);
  // Both counted: the first item now has two placements, at (1, 1) and (4, 5).
  await screen.waitForFunction(() => document.querySelector('#chart .m-legend > li').textContent.endsWith('(2)'));

  // The console: the numbers table under the small chart.
  await control.click('#agenda > li:nth-child(2) [data-act="pick"]');
  await control.waitForFunction((n) => document.querySelectorAll('#chart .m-table tbody tr').length === n, ITEMS.length);
  const first = await control.$$eval('#chart .m-table tbody tr:first-child td', (tds) => tds.map((td) => td.textContent));
  assert.deepEqual(first, [`1. ${ITEMS[0]}`, '2', '2,50', '3,00', '1,50', '2,00']);
  await control.locator('#results-box').scrollIntoViewIfNeeded();
  await shot(control, 'matrix-console');
  await shot(screen, 'matrix-projector');
  assert.deepEqual(await axeViolations(screen), [], 'the projector passes axe');
  assert.deepEqual(await axeViolations(control), [], 'the console passes axe');

  // Remove: the placement goes, and the count with it.
  await b.click('.m-nav button:first-child');
  await b.click('.m-nav button:first-child');
  assert.equal(await shown(b), ITEMS[0]);
  await b.click('.m-nav button:nth-child(3)');
  await screen.waitForFunction(() => document.querySelector('#chart .m-legend > li').textContent.endsWith('(1)'));

  // After close: the second matrix shows its items but no dots until it closes.
  await control.click('#next');
  await control.waitForSelector('#agenda > li:nth-child(3).is-open');
  await a.waitForFunction(() => document.querySelector('.m-count') && document.querySelector('.m-placed').textContent.includes('0/'));
  await a.tap('.m-cell[data-x="5"][data-y="5"]');
  await a.waitForFunction(() => document.querySelector('.m-placed').textContent.includes('1/'));
  await screen.waitForFunction((n) => document.querySelectorAll('#chart .m-legend > li').length === n
    && document.getElementById('q').textContent.startsWith('Entä'), ITEMS.length);
  await control.waitForFunction(() => document.querySelector('#agenda > li:nth-child(3) .count').textContent.includes('1'));
  assert.equal(await screen.locator('#chart .m-dot').count(), 0, 'results hidden until close');
  await control.click('#agenda > li:nth-child(3) [data-act="control.close"]');
  await screen.waitForFunction(() => document.querySelectorAll('#chart .m-dot').length === 1);
  // Closed: the phone's grid no longer takes a placement.
  await a.waitForFunction(() => document.querySelector('.m-cell').disabled);
}));
