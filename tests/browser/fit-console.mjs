// Issue 11 §4 and §5: the facilitator's console on a 1366×768 laptop with the worst realistic
// content (worst.mjs: the seminar's 90-character title, a 200-character question with 300
// characters of instructions, six columns, five groups, fourteen 60-character items).
//
// - While moderating (the item list scrolled to its end) the live prompt's controls are on
//   screen and uncovered: Next, the join page toggle, open/close, +1 min, lock, show on the
//   projector, the timer; at least six items are wholly visible at once.
// - The toolbars keep their boxes in the draft, open, locked and closed states (and with an
//   earlier prompt pinned on the projector): the top bar's buttons do not move at all, the
//   prompt's buttons stay in one row at one height.
// - The Files menu, the export dialog and the editor open inside the viewport, their buttons
//   included (at 1366×768 and on a narrower window whose toolbar wraps).
// - §5: each kind's editor has its own instructions placeholder; "+1 min" only with a time box;
//   the console's answer count starts with the projector's and says what else it counts.
// Writes target/screenshots/console-worst.png (PAJA_SCREENSHOTS=docs/screenshots refreshes the README's).
//
//   node tests/browser/fit-console.mjs http://127.0.0.1:PORT

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PROJECTOR, inBrowser, texts } from './lib.mjs';
import { ITEMS, worstSession } from './worst.mjs';

const SHOTS = process.env.PAJA_SCREENSHOTS || fileURLToPath(new URL('../../target/screenshots/', import.meta.url));
/** Items the facilitator must see at once to moderate a busy brainstorm. */
const MIN_ITEMS = 6;

/** Boxes of the elements matching `selector` (visible ones), rounded to the pixel. */
function boxes(page, selector) {
  return page.$$eval(selector, (nodes) => nodes
    .filter((n) => n.getClientRects().length && getComputedStyle(n).visibility !== 'hidden')
    .map((n) => {
      const r = n.getBoundingClientRect();
      return {
        what: n.id || n.dataset.act || n.textContent.trim().slice(0, 30),
        left: Math.round(r.left), top: Math.round(r.top), width: Math.round(r.width), height: Math.round(r.height),
      };
    }));
}

/**
 * Fails unless every element matching a selector is inside the viewport and, at its centre,
 * not covered by anything else (a sticky bar, a dialog's backdrop, a neighbour).
 */
async function assertOnScreen(page, selectors, when) {
  const problems = await page.evaluate((list) => list.flatMap((sel) => {
    const nodes = [...document.querySelectorAll(sel)];
    if (!nodes.length) return [`${sel}: missing`];
    return nodes.flatMap((n) => {
      const r = n.getBoundingClientRect();
      const where = `${sel} at ${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}×${Math.round(r.height)}`;
      if (!r.width || !r.height) return [`${where}: not shown`];
      if (r.left < 0 || r.top < 0 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5) return [`${where}: outside ${innerWidth}×${innerHeight}`];
      const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      if (!top || !(n.contains(top) || top.contains(n))) return [`${where}: covered by ${top && (top.id || top.className || top.tagName)}`];
      return [];
    });
  }), selectors);
  assert.deepEqual(problems, [], `${when}: not on screen`);
}

/** Items of the list wholly visible: inside the viewport and inside the list's scroll box. */
function itemsInView(page) {
  return page.evaluate(() => {
    const scroller = document.querySelector('.mod-scroll');
    const clip = scroller.getBoundingClientRect();
    return [...document.querySelectorAll('#items > li')].filter((li) => {
      const r = li.getBoundingClientRect();
      return r.top >= Math.max(0, clip.top) - 0.5 && r.bottom <= Math.min(innerHeight, clip.bottom) + 0.5;
    }).length;
  });
}

/** Scrolls the item list (and, should the page scroll at all, the page) to the end. */
async function scrollToEnd(page) {
  await page.evaluate(() => {
    const s = document.querySelector('.mod-scroll');
    s.scrollTop = s.scrollHeight;
    scrollTo(0, document.documentElement.scrollHeight);
  });
  await page.waitForTimeout(100);
}

/** The top bar's and the prompt head's toolbars, as boxes. */
async function toolbars(page) {
  return {
    top: await boxes(page, '.topbar-actions button, .topbar-actions summary'),
    actions: await boxes(page, '#sel-actions > *'),
    bar: (await boxes(page, '.sel-bar'))[0],
  };
}

/** Waits until the selected prompt's toolbar offers the command `act` (an i18n key). */
const offers = (page, act) => page.waitForSelector(`#sel-actions [data-act="${act}"]`);

/** Fails unless the element and its buttons are inside the viewport and not clipped. */
async function assertInside(page, selector, when) {
  const problems = await page.$eval(selector, (box) => {
    const out = [];
    for (const n of [box, ...box.querySelectorAll('button, summary, a, label, legend, h2')]) {
      if (!n.getClientRects().length) continue;
      const r = n.getBoundingClientRect();
      const what = `${n.id || n.tagName} "${n.textContent.trim().slice(0, 30)}" at ${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}×${Math.round(r.height)}`;
      if (r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5) out.push(`${what}: outside ${innerWidth}×${innerHeight}`);
      if (n.tagName === 'BUTTON' && n.scrollWidth > n.clientWidth + 1) out.push(`${what}: its label is cut`);
    }
    return out;
  });
  assert.deepEqual(problems, [], `${when}: off screen`);
}

await inBrowser(async (browser, watch) => {
  const { s, control } = await worstSession(browser, watch, 'konsoli');
  const screen = await watch.page(browser, 'screen', PROJECTOR);
  await screen.goto(s.screen);
  await control.waitForFunction((n) => document.querySelectorAll('#items > li').length === n, ITEMS.length);
  const viewport = control.viewportSize();
  assert.deepEqual(viewport, { width: 1366, height: 768 });

  // Moderating the open brainstorm: at the list's top and at its end.
  const live = ['#next', '#join-screen', '.menu summary', '#sel-timer', '#sel-actions [data-act="control.close"]',
    '#sel-actions [data-act="control.add_minute"]', '#sel-actions [data-act="control.lock"]', '#sel-actions [data-act="screen"]'];
  await control.waitForFunction(() => /\d:\d\d/.test(document.getElementById('sel-timer').textContent));
  await assertOnScreen(control, live, 'the open brainstorm');
  const atTop = await itemsInView(control);
  fs.mkdirSync(SHOTS, { recursive: true });
  await control.screenshot({ path: `${SHOTS}/console-worst.png`, animations: 'disabled' });
  await scrollToEnd(control);
  await assertOnScreen(control, [...live, '#items > li:last-child [data-act="control.hide"]'], 'the list scrolled to its end');
  const atEnd = await itemsInView(control);
  assert.equal(await control.evaluate(() => scrollY), 0, 'the console page itself does not scroll');
  assert.ok(atTop >= MIN_ITEMS && atEnd >= MIN_ITEMS, `items wholly visible: ${atTop} at the top, ${atEnd} at the end (want ≥ ${MIN_ITEMS})`);
  const itemFont = await control.$eval('#items .item-text', (e) => parseFloat(getComputedStyle(e).fontSize));
  assert.ok(itemFont >= 15, `item text ${itemFont} px`);
  const rows = await boxes(control, '#items > li');
  for (let n = 1; n < rows.length; n++) assert.ok(rows[n].top >= rows[n - 1].top + rows[n - 1].height, `items ${n} and ${n + 1} overlap`);
  console.log(`console 1366×768: ${atTop} items wholly visible at the top of the list, ${atEnd} at its end`);
  const open = await toolbars(control);

  // §5: the count begins with what the projector shows and says what else it counts.
  for (let n = 0; n < 2; n++) {
    await control.click('#items > li:not(.is-hidden) [data-act="control.hide"]');
    await control.waitForFunction((k) => document.querySelectorAll('#items > li.is-hidden').length === k, n + 1);
  }
  await screen.waitForFunction((n) => document.getElementById('count').textContent.includes(String(n)), ITEMS.length - 2);
  const projected = (await screen.textContent('#count')).trim();
  assert.equal(projected, `Vastauksia: ${ITEMS.length - 2}`);
  const counted = await control.textContent('#sel-count');
  assert.ok(counted.startsWith(projected), `console "${counted}", projector "${projected}"`);
  assert.match(counted, new RegExp(`kaikkiaan ${ITEMS.length}: piilotettu 2`));
  assert.equal(await control.textContent('#agenda > li:first-child .agenda-line .count'), projected, 'the agenda counts as the projector does');

  // Locked, then closed: the same toolbars.
  await control.click('#sel-actions [data-act="control.lock"]');
  await offers(control, 'control.unlock');
  const locked = await toolbars(control);
  await control.click('#sel-actions [data-act="control.unlock"]');
  await offers(control, 'control.lock');
  await control.click('#sel-actions [data-act="control.close"]');
  await offers(control, 'control.reopen');
  assert.equal(await control.$('#sel-actions [data-act="control.add_minute"]'), null, 'no +1 min on a closed prompt');
  const closed = await toolbars(control);

  // A draft: the poll, selected in the agenda.
  await control.click('#agenda > li:nth-child(2) .agenda-pick');
  await offers(control, 'control.open');
  const draft = await toolbars(control);

  // The poll opened by Next: no time box, so no "+1 min" (and T does nothing).
  await control.click('#next');
  await offers(control, 'control.close');
  assert.equal(await control.$('#sel-actions [data-act="control.add_minute"]'), null, '+1 min without a time box');
  assert.equal(await control.isVisible('#sel-timer'), false);
  const pollOpen = await toolbars(control);

  // The closed brainstorm pinned on the projector: "back to the open prompt" appears in place.
  await control.click('#agenda > li:nth-child(1) .agenda-pick');
  await control.click('#sel-actions [data-act="screen"]');
  await control.waitForSelector('#screen-follow', { state: 'visible' });
  const pinned = await toolbars(control);
  await assertOnScreen(control, ['#screen-follow', '#screen-now'], 'an earlier prompt pinned on the projector');

  const states = { open, locked, closed, draft, pollOpen, pinned };
  const topOf = (b) => b.top.filter((x) => x.what !== 'screen-follow');
  for (const [name, t] of Object.entries(states)) {
    assert.deepEqual(topOf(t), topOf(open), `the top bar moved in state "${name}"`);
    assert.ok(t.actions.length >= 2, `${name}: ${JSON.stringify(t.actions)}`);
    for (const b of t.actions) {
      assert.equal(b.top, t.actions[0].top, `${name}: the prompt's toolbar wrapped (${JSON.stringify(t.actions)})`);
      assert.equal(b.height, t.actions[0].height, `${name}: buttons of different heights`);
    }
    assert.equal(t.actions[0].top, open.actions[0].top, `${name}: the prompt's toolbar moved`);
    assert.equal(t.actions[0].height, open.actions[0].height, `${name}: the prompt's toolbar changed height`);
    assert.deepEqual({ ...t.bar, what: '' }, { ...open.bar, what: '' }, `${name}: the prompt's bar moved`);
  }
  const follow = pinned.top.find((x) => x.what === 'screen-follow');
  const nextBox = open.top.find((x) => x.what === 'next');
  const join = open.top.find((x) => x.what === 'join-screen');
  assert.equal(follow.top + follow.height / 2, join.top + join.height / 2, 'the follow button sits in the top bar\'s row');
  assert.ok(nextBox.top >= 0 && follow.left + follow.width <= viewport.width);
  await control.click('#screen-follow');
  await control.waitForSelector('#screen-follow', { state: 'hidden' });

  // The Files menu, the export dialog and the editor: inside the viewport, labels whole.
  await control.click('.menu summary');
  await control.waitForSelector('.menu[open] .menu-body');
  await assertInside(control, '.menu-body', 'the Files menu');
  await control.click('#export');
  await control.waitForSelector('#exporter[open]');
  await assertInside(control, '#exporter', 'the export dialog');
  await assertOnScreen(control, ['#x-go', '#x-cancel'], 'the export dialog');
  await control.click('#x-cancel');
  await control.click('#agenda > li:nth-child(1) .agenda-pick');
  await control.click('#sel-actions [data-act="control.edit"]');
  await control.waitForSelector('#editor[open]');
  await assertInside(control, '#editor', 'the editor');
  await assertOnScreen(control, ['#e-save', '#e-cancel'], 'the editor (its buttons stay at its bottom edge)');
  await control.click('#e-cancel');

  // §5: every kind has its own example instructions; the options have theirs.
  await control.click('#new');
  await control.waitForSelector('#editor[open]');
  const placeholders = {};
  for (const kind of ['brainstorm', 'poll', 'scale', 'word_cloud', 'dot_vote']) {
    await control.selectOption('#e-kind', kind);
    placeholders[kind] = await control.getAttribute('#e-instr', 'placeholder');
    assert.ok(placeholders[kind], `${kind}: no placeholder`);
  }
  assert.equal(new Set(Object.values(placeholders)).size, 5, `shared placeholders: ${JSON.stringify(placeholders)}`);
  assert.match(placeholders.brainstorm, /Lähetä/);
  assert.doesNotMatch(placeholders.poll, /Lähetä/);
  assert.doesNotMatch(placeholders.dot_vote, /Lähetä/);
  await control.selectOption('#e-kind', 'poll');
  assert.match(await control.getAttribute('#e-options', 'placeholder'), /Kyllä\nEi/);
  await control.click('#e-cancel');

  // A narrower window, where the top bar wraps: the Files menu still opens on the screen.
  for (const size of [{ width: 1024, height: 600 }, { width: 800, height: 600 }, { width: 400, height: 700 }]) {
    await control.setViewportSize(size);
    await control.evaluate(() => scrollTo(0, 0));
    await control.click('.menu summary');
    await control.waitForSelector('.menu[open] .menu-body');
    // The menu's `toggle` handler (scroll into view) runs after [open] is set: let it.
    await control.waitForFunction(() => {
      const r = document.querySelector('.menu-body').getBoundingClientRect();
      return r.top >= 0 && r.bottom <= innerHeight + 0.5;
    }, null, { timeout: 2000 }).catch(() => {});
    await assertInside(control, '.menu-body', `the Files menu at ${size.width}×${size.height}`);
    await control.click('.menu summary');
    await control.waitForSelector('.menu:not([open])');
  }
  assert.deepEqual((await texts(control, '#agenda .agenda-title')).length, 3);
});
