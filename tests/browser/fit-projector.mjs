// Issue 11 §4: the projector with the worst realistic content (worst.mjs) at 1920×1080 (dark
// theme) and 1280×720 (light), measured, not only photographed:
// - the six-column brainstorm (groups, 14 items of 60-character Finnish compounds, a
//   200-character question, 300 characters of instructions): every card on screen (the board
//   scales; none gives way), the question and all of the instructions readable, the join band in
//   view, nothing overlapping;
// - a card hidden from the console leaves its place empty: no other card moves;
// - two items merged at the console: the card shows ×2;
// - the 10-option poll and the 14-item dot vote, with votes and dots and 300 characters of
//   instructions each: every row on screen, labels ≥ 28 px at 1080p;
// - no line of a card, option, question or instructions ends inside a word without a hyphen
//   (measured per character with Range.getClientRects), `lang` set to the session's language;
// - the join page with the 90-character title: title, address and QR code on screen;
// - a six-column wall of 120 such items, more than fit: each column shows its newest cards
//   whole and says how many earlier ones gave way.
// Writes projector-*.png to target/screenshots (or PAJA_SCREENSHOTS).
//
//   node tests/browser/fit-projector.mjs http://127.0.0.1:PORT

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PROJECTOR, addPrompt, createSession, inBrowser } from './lib.mjs';
import { COLUMNS, INSTRUCTIONS, ITEMS, OPTIONS, QUESTION, TITLE, sendItems, worstSession } from './worst.mjs';

const SHOTS = process.env.PAJA_SCREENSHOTS || fileURLToPath(new URL('../../target/screenshots/', import.meta.url));
/** The smallest label on a 1080p projector that the back of a seminar hall reads (issue 11). */
const LABEL_1080 = 28;
/** The smallest instructions, as a share of the screen height (24 px at 1080p). */
const INSTR_VH = 2.2;
/** The two screens, each with its theme. */
const SCREENS = [
  { name: '1080', viewport: PROJECTOR.viewport, query: '' },
  { name: '720', viewport: { width: 1280, height: 720 }, query: '?theme=light' },
];

/**
 * In the page: what of `selector` is not wholly on screen: outside the viewport, clipped by an
 * ancestor's overflow, or cut short itself (clamped). Returns descriptions, empty when all show.
 */
function offScreen(selector) {
  const out = [];
  for (const e of document.querySelectorAll(selector)) {
    const r = e.getBoundingClientRect();
    const name = `${selector} "${e.textContent.slice(0, 30)}"`;
    if (!r.width || !r.height) out.push(`${name}: not rendered`);
    else if (r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5) {
      out.push(`${name}: outside the viewport ${JSON.stringify(r)}`);
    } else if (e.scrollHeight > e.clientHeight + 1 && getComputedStyle(e).overflow !== 'visible') out.push(`${name}: cut short`);
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

/**
 * In the page: the places where a line of `selector` ends inside a word without a hyphen (none
 * of a space, a soft hyphen, or "-", "–", "/" ends the line). Per character, since a word's
 * range gives one box per line. `autoHyphens`: the browser hyphenates this language by itself,
 * so a break with its hyphen (not in the text) is allowed.
 */
function brokenWords([selector, autoHyphens]) {
  const bad = [];
  for (const e of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const s = n.data;
      let top = null;
      let at = -1;
      for (let k = 0; k < s.length; k++) {
        if (/[\s\u00AD]/.test(s[k])) continue;
        const range = document.createRange();
        range.setStart(n, k);
        range.setEnd(n, k + 1);
        // A character just after a break can also report an empty box at the end of the line before.
        const box = [...range.getClientRects()].filter((r) => r.width > 0).pop();
        if (!box) continue;
        if (top !== null && box.top > top + 2) {
          const between = s.slice(at + 1, k);
          if (!/[\s\u00AD]/.test(between) && !/[-–—/]/.test(s[at]) && !autoHyphens) {
            bad.push(`${s.slice(Math.max(0, at - 15), at + 1)}|${s.slice(k, k + 15)}`);
          }
        }
        top = box.top;
        at = k;
      }
    }
  }
  return bad;
}

/** In the page: whether Chromium hyphenates `lang` by itself (it has the dictionary). */
function hyphenatesItself(lang) {
  const probe = (h) => {
    const d = document.createElement('div');
    d.lang = lang;
    d.textContent = 'Mielenterveyspalvelut';
    for (const [k, v] of [['width', '6em'], ['hyphens', h], ['position', 'absolute']]) d.style.setProperty(k, v);
    document.body.append(d);
    const height = d.getBoundingClientRect().height;
    d.remove();
    return height;
  };
  return probe('auto') > probe('manual');
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

/** Lets the projector's fit (one animation frame after a change) settle. */
const settle = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 50)))));

/** Card boxes by their text (rounded to 0.1 px). */
const cardBoxes = (page) => page.$$eval('#cols .card-item', (cs) => Object.fromEntries(cs.map((c) => {
  const r = c.getBoundingClientRect();
  return [c.querySelector('.card-text').textContent.replace(/\u00AD/g, ''), [r.left, r.top, r.width, r.height].map((x) => Math.round(x * 10) / 10)];
})));

/** What every view of the stage must meet: band, question and instructions in view, words whole. */
async function assertStage(page, name, withInstructions) {
  await settle(page);
  const lang = await page.$eval('#live', (e) => e.lang);
  assert.equal(lang, 'fi', `${name}: the stage carries the session's language`);
  const auto = await page.evaluate(hyphenatesItself, lang);
  for (const sel of ['#join-url', '#qr', '#participants', '#q', ...(withInstructions ? ['#instr'] : [])]) {
    assert.deepEqual(await page.evaluate(offScreen, sel), [], `${name}: ${sel} on screen`);
  }
  if (withInstructions) {
    assert.equal(await page.textContent('#instr'), INSTRUCTIONS, `${name}: the instructions shown`);
    const size = await page.$eval('#instr', (e) => parseFloat(getComputedStyle(e).fontSize) / innerHeight * 100);
    assert.ok(size >= INSTR_VH - 0.01, `${name}: instructions at ${size.toFixed(2)} vh`);
  }
  const broken = await page.evaluate(brokenWords, ['#q, #instr, .wall-col-name, .card-text, .bar-label, .rank-text', auto]);
  assert.deepEqual(broken, [], `${name}: lines that end inside a word without a hyphen`);
  // The band, the head and what follows it each keep their own part of the screen.
  const parts = await page.evaluate(() => ['.band', '.live-head', '#cols', '#chart']
    .map((s) => document.querySelector(s)).filter((e) => e && !e.hidden).map((e) => e.getBoundingClientRect()));
  for (let k = 1; k < parts.length; k++) assert.ok(parts[k].top >= parts[k - 1].bottom - 0.5, `${name}: part ${k} overlaps the one above`);
  return auto;
}

/**
 * `n` participants over the page's own websocket: the k-th votes for option k (a poll) or puts
 * its three dots on items 3k, 3k+1 and 3k+2 (a dot vote); resolves when every command is acked.
 */
function asParticipants(page, slug, n) {
  return page.evaluate(async ({ slug, n }) => {
    const make = (p, k) => (p.kind === 'poll' ? [{ type: 'vote', options: [k % p.options.length] }]
      : [0, 1, 2].map((d) => ({ type: 'place_dot', item_id: p.ballot_items[(k * 3 + d) % p.ballot_items.length].id })));
    const pid = () => crypto.randomUUID();
    const one = (k) => new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${location.host}/ws/${encodeURIComponent(slug)}`);
      const pending = new Set();
      ws.onerror = () => reject(new Error('websocket error'));
      ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', protocol: 1, role: 'participant', participant_id: pid(), last_seq: 0 }));
      ws.onmessage = (e) => {
        const m = JSON.parse(e.data);
        if (m.type === 'welcome') {
          const cmds = make(m.prompt, k);
          cmds.forEach((c, i) => {
            const id = `c${k}-${i}`;
            pending.add(id);
            ws.send(JSON.stringify({ ...c, id, prompt_id: m.prompt.id }));
          });
        } else if (m.type === 'ack' && pending.delete(m.id) && !pending.size) {
          ws.close();
          resolve();
        } else if (m.type === 'error') reject(new Error(`refused: ${m.code}`));
      };
    });
    for (let k = 0; k < n; k++) await one(k);
  }, { slug, n });
}

/** Edits a draft prompt at the console: gives it `instructions`. */
async function giveInstructions(control, position, instructions) {
  await control.click(`#agenda > li:nth-child(${position}) [data-act="control.edit"]`);
  await control.waitForSelector('#editor[open]');
  await control.fill('#e-instr', instructions);
  await control.click('#e-save');
  await control.waitForFunction(() => !document.getElementById('editor').open);
}

test('the projector fits the worst content at 1080p and 720p', () => inBrowser(async (browser, watch) => {
  const { s, control } = await worstSession(browser, watch, 'pjfit');
  // The worst case for the charts too: the poll and the dot vote get the 300 characters.
  await giveInstructions(control, 2, INSTRUCTIONS);
  await giveInstructions(control, 3, INSTRUCTIONS);
  fs.mkdirSync(SHOTS, { recursive: true });
  const screens = [];
  for (const v of SCREENS) {
    const page = await watch.page(browser, `projector-${v.name}`, { viewport: v.viewport });
    await page.goto(s.screen + v.query);
    screens.push([page, v]);
  }
  const shot = (page, name) => page.screenshot({ path: `${SHOTS}/${name}.png`, animations: 'disabled' });

  // The brainstorm: six columns, every card on screen.
  let auto = false;
  for (const [page, v] of screens) {
    await page.waitForFunction((n) => document.querySelectorAll('#cols .card-item').length === n, ITEMS.length);
    assert.equal(await page.textContent('#q'), QUESTION);
    assert.equal(await page.locator('#cols .wall-col').count(), COLUMNS.length);
    auto = (await assertStage(page, `brainstorm ${v.name}`, true)) || auto;
    assert.deepEqual(await page.evaluate(offScreen, '#cols .card-item'), [], `brainstorm ${v.name}: every card on screen`);
    assert.equal(await page.locator('.card-item.gone, .card-more').count(), 0, `brainstorm ${v.name}: no card gives way`);
    assert.deepEqual(await page.evaluate(overlaps, '#cols .card-item'), [], `brainstorm ${v.name}: cards overlap`);
    assert.deepEqual(await page.evaluate(offScreen, '.wall-col-h'), [], `brainstorm ${v.name}: column headings on screen`);
    assert.deepEqual(await page.evaluate(overlaps, '.wall-col-h > span'), [], `brainstorm ${v.name}: a heading runs into its count`);
    const size = await page.$eval('#cols .card-text', (e) => parseFloat(getComputedStyle(e).fontSize));
    console.log(`brainstorm ${v.name}: cards at ${size.toFixed(1)} px, soft hyphens: ${await page.evaluate(() => document.querySelector('#cols .card-text').textContent.includes('\u00AD'))}, browser hyphenates fi: ${auto}`);
    await shot(page, `projector-brainstorm-${v.name}`);
  }

  // A card hidden at the console: its place stays empty, no other card moves.
  const before = await Promise.all(screens.map(([page]) => cardBoxes(page)));
  const gone = ITEMS[6];
  await control.locator('#items .item-row', { hasText: gone }).locator('[data-act="control.hide"]').click();
  for (const [k, [page, v]] of screens.entries()) {
    await page.waitForFunction((n) => document.querySelectorAll('#cols .card-item').length === n, ITEMS.length - 1);
    await settle(page);
    const after = await cardBoxes(page);
    const expected = { ...before[k] };
    delete expected[gone];
    assert.deepEqual(after, expected, `${v.name}: the other cards keep their places when one is hidden`);
  }
  // Shown again, it comes back to its own place.
  await control.locator('#items .item-row', { hasText: gone }).locator('[data-act="control.unhide"]').click();
  for (const [k, [page, v]] of screens.entries()) {
    await page.waitForFunction((n) => document.querySelectorAll('#cols .card-item').length === n, ITEMS.length);
    await settle(page);
    assert.deepEqual(await cardBoxes(page), before[k], `${v.name}: the card shown again is back in its place`);
  }

  // Two items merged at the console: one card says ×2, the other is gone.
  const [keep, dup] = [ITEMS[1], ITEMS[7]];
  for (const text of [keep, dup]) await control.locator('#items .item-row', { hasText: text }).locator('input.pick').check();
  await control.click('#merge');
  for (const [page, v] of screens) {
    await page.waitForFunction((n) => document.querySelectorAll('#cols .card-item').length === n, ITEMS.length - 1);
    // The card's text may carry soft hyphens: found by its text without them.
    const badge = await page.waitForFunction((text) => [...document.querySelectorAll('#cols .card-item')]
      .find((c) => c.querySelector('.card-text').textContent.replace(/\u00AD/g, '') === text)
      ?.querySelector('.card-merged')?.textContent, keep);
    assert.equal(await badge.jsonValue(), '×2', `${v.name}: the merged card's count`);
    assert.deepEqual(await page.evaluate(offScreen, '#cols .card-merged'), [], `${v.name}: the count on screen`);
  }
  // Undone, so that the dot vote has all fourteen on its ballot.
  await control.locator('#items .merged [data-act="control.unmerge"]').click();
  for (const [page] of screens) await page.waitForFunction((n) => document.querySelectorAll('#cols .card-item').length === n, ITEMS.length);

  // The poll: ten options, everyone's vote, every bar on screen with large labels.
  await control.click('#next');
  for (const [page] of screens) await page.waitForFunction((n) => document.querySelectorAll('#chart .bar-row').length === n, OPTIONS.length);
  await asParticipants(control, s.slug, 12);
  for (const [page, v] of screens) {
    await page.waitForFunction(() => document.getElementById('count').textContent.includes('12'));
    await assertStage(page, `poll ${v.name}`, true);
    assert.deepEqual(await page.evaluate(offScreen, '#chart .bar-row'), [], `poll ${v.name}: every option on screen`);
    assert.deepEqual(await page.evaluate(overlaps, '#chart .bar-row'), [], `poll ${v.name}: options overlap`);
    await shot(page, `projector-poll-${v.name}`);
    await assertLabels(page, v, '#chart .bar-label', OPTIONS.length);
  }

  // The dot vote: the 14 items ranked by the dots of twelve participants, every row on screen.
  await control.click('#next');
  for (const [page] of screens) await page.waitForFunction(() => document.querySelector('#chart.dot_vote'));
  await asParticipants(control, s.slug, 12);
  const ballot = ITEMS.length;
  for (const [page, v] of screens) {
    await page.waitForFunction(() => document.getElementById('count').textContent.includes('12'));
    await page.waitForFunction((n) => document.querySelectorAll('#chart .rank-row').length === n, ballot);
    await assertStage(page, `dot vote ${v.name}`, true);
    assert.deepEqual(await page.evaluate(offScreen, '#chart .rank-row'), [], `dot vote ${v.name}: every item on screen`);
    assert.deepEqual(await page.evaluate(overlaps, '#chart .rank-row'), [], `dot vote ${v.name}: items overlap`);
    // The ranking reads in order: down the first column, then the next.
    const order = await page.$$eval('#chart .rank-row', (rs) => rs.map((r) => r.getBoundingClientRect()).map((r) => [r.left, r.top]));
    order.slice(1).forEach(([left, top], k) => {
      const [l0, t0] = order[k];
      assert.ok(left > l0 + 1 || (Math.abs(left - l0) <= 1 && top > t0), `dot vote ${v.name}: place ${k + 2} out of reading order`);
    });
    await shot(page, `projector-dotvote-${v.name}`);
    await assertLabels(page, v, '#chart .rank-text', ballot);
  }

  // The join page: the seminar's 90-character title, the address and the QR code, all in view.
  await control.click('#join-screen');
  for (const [page, v] of screens) {
    await page.waitForSelector('#idle:not([hidden])');
    await settle(page);
    assert.equal(await page.textContent('#idle-title'), TITLE);
    for (const sel of ['#idle-title', '#idle-url', '#idle-qr', '.idle-how']) {
      assert.deepEqual(await page.evaluate(offScreen, sel), [], `join page ${v.name}: ${sel} on screen`);
    }
    await shot(page, `projector-join-${v.name}`);
  }
}));

/** Every label whole, at ≥ 28 px on a 1080p screen (the same share of a 720p one). */
async function assertLabels(page, v, selector, n) {
  const sizes = await page.$$eval(selector, (ls) => ls.map((l) => parseFloat(getComputedStyle(l).fontSize)));
  assert.equal(sizes.length, n);
  const least = (LABEL_1080 * v.viewport.height) / 1080;
  const cols = await page.$eval('#chart', (c) => getComputedStyle(c).getPropertyValue('--chart-cols'));
  console.log(`${selector} ${v.name}: ${n} rows in ${cols} column(s) at ${Math.min(...sizes).toFixed(1)} px`);
  assert.ok(Math.min(...sizes) >= least - 0.5, `${selector} ${v.name}: labels at ${Math.min(...sizes)} px, want ≥ ${least}`);
}

test('a full wall shows the newest cards and counts the rest', () => inBrowser(async (browser, watch) => {
  const s = await createSession('pjfull', TITLE);
  const control = await watch.page(browser, 'control', { viewport: { width: 1366, height: 768 } });
  await control.goto(s.control);
  await control.waitForSelector('#conn[data-status="connected"]');
  await addPrompt(control, { kind: 'brainstorm', title: QUESTION, instructions: INSTRUCTIONS, columns: COLUMNS });
  await control.click('#next');
  const screen = await watch.page(browser, 'projector', { viewport: PROJECTOR.viewport });
  await screen.goto(s.screen);
  await screen.waitForSelector('#cols:not([hidden])');
  // 120 items over the six columns, sent by six participants (each within its burst).
  const all = Array.from({ length: 120 }, (_, k) => `${k + 1}. ${ITEMS[k % ITEMS.length]}`);
  for (let k = 0; k < all.length; k += 20) {
    assert.equal((await sendItems(control, s.slug, all.slice(k, k + 20), COLUMNS.length)).length, 20);
  }
  await screen.waitForFunction((n) => document.querySelectorAll('#cols .card-item').length === n, all.length);
  await screen.waitForSelector('.card-more');
  await settle(screen);
  const cols = await screen.$$eval('#cols .wall-col', (cs) => cs.map((c) => ({
    total: Number(c.querySelector('.wall-col-n').textContent),
    shown: c.querySelectorAll('.card-item:not(.gone)').length,
    more: c.querySelector('.card-more')?.textContent || '',
    newestShown: !c.querySelector('.card-item:last-of-type').classList.contains('gone'),
  })));
  assert.equal(cols.reduce((n, c) => n + c.total, 0), all.length);
  for (const [k, c] of cols.entries()) {
    assert.ok(c.shown > 0 && c.shown < c.total, `column ${k}: some cards give way: ${JSON.stringify(c)}`);
    assert.equal(c.more, `+${c.total - c.shown} aiempaa`, `column ${k}: the count of the rest`);
    assert.ok(c.newestShown, `column ${k}: the newest card shows`);
  }
  assert.deepEqual(await screen.evaluate(offScreen, '#cols .card-item:not(.gone)'), [], 'the cards shown are whole');
  assert.deepEqual(await screen.evaluate(offScreen, '.card-more'), [], 'the counts on screen');
  const size = await screen.$eval('#cols .card-text', (e) => parseFloat(getComputedStyle(e).fontSize));
  console.log(`full wall: ${cols.map((c) => `${c.shown} of ${c.total}`).join(', ')} shown, at ${size.toFixed(1)} px`);
  await screen.screenshot({ path: `${SHOTS}/projector-full-wall-1080.png`, animations: 'disabled' });
}));
