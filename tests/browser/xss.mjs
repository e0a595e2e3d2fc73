// Issue 4, Security: participant text is rendered as text everywhere. A participant sends HTML
// and script; the projector, the facilitator's console, the sender's own list and another
// participant's wall show it literally, no element is made from it, nothing runs (no dialog),
// and the browser reports no error and no CSP violation (so nothing even tried to run).
//
//   node tests/browser/xss.mjs http://127.0.0.1:PORT

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LAPTOP, PHONE, PROJECTOR, addPrompt, createSession, inBrowser, texts } from './lib.mjs';

const PAYLOADS = [
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  '"><svg onload=alert(1)>',
  '<iframe src=javascript:alert(1)></iframe>',
];

/** Elements that participant text must never turn into. */
const MADE = 'img, script, svg, iframe';

/** Where each page lists participant text. */
const CONTAINERS = {
  screen: ['#cards', '#stars', '#cols', '#chart'],
  control: ['#items', '#queue', '#chart'],
  phone: ['#mine', '#wall', '#res-list'],
};

/** Asserts that nothing in `page`'s item containers was made from markup, and that no element
 * anywhere carries an event-handler attribute. */
async function assertInert(page, name) {
  const found = await page.evaluate(
    ({ containers, made }) => ({
      made: containers.flatMap((c) => [...document.querySelectorAll(`${c} :is(${made})`)].map((e) => `${c} ${e.outerHTML}`)),
      handlers: [...document.querySelectorAll('*')]
        .filter((e) => [...e.attributes].some((a) => a.name.startsWith('on')))
        .map((e) => e.outerHTML.slice(0, 200)),
      inlineScripts: [...document.scripts].filter((s) => !s.src).map((s) => s.outerHTML.slice(0, 200)),
    }),
    { containers: CONTAINERS[name.replace(/\d$/, '')], made: MADE },
  );
  assert.deepEqual(found, { made: [], handlers: [], inlineScripts: [] }, `${name}: markup from participant text`);
}

const sorted = (list) => [...list].sort();

test('participant HTML and script are shown as text and never run', { timeout: 180_000 }, () => inBrowser(async (browser, watch) => {
  const session = await createSession('xss', 'Turvallisuus <b>ei lihavoitu</b>');
  const control = await watch.page(browser, 'control', LAPTOP);
  await control.goto(session.control);
  await control.waitForSelector('#conn[data-status="connected"]');
  await addPrompt(control, { kind: 'brainstorm', title: 'Kirjoita mitä tahansa', wall: true });
  await addPrompt(control, { kind: 'word_cloud', title: 'Yksi sana', results: 'live' });
  await control.click('#next');

  const screen = await watch.page(browser, 'screen', PROJECTOR);
  await screen.goto(session.screen);
  await screen.waitForSelector('#live:not([hidden])');
  const phone = await watch.page(browser, 'phone', PHONE);
  await phone.goto(session.participant);
  await phone.waitForSelector('#form:not([hidden])');
  // Another participant, whose wall lists everyone's items.
  const other = await watch.page(browser, 'phone2', PHONE);
  await other.goto(session.participant);
  await other.waitForSelector('#form:not([hidden])');

  for (const text of PAYLOADS) {
    await phone.fill('#text', text);
    await phone.click('#send');
  }
  const n = PAYLOADS.length;
  await phone.waitForFunction((n) => document.querySelectorAll('#mine .item.saved').length === n, n);
  await screen.waitForFunction((n) => document.querySelectorAll('#cards .card-item').length === n, n);
  await control.waitForFunction((n) => document.querySelectorAll('#items .item-row').length === n, n);
  await other.waitForFunction((n) => document.querySelectorAll('#wall .item').length === n, n);
  // Starred items are drawn again, large, on the projector.
  await control.locator('#items .item-row', { hasText: PAYLOADS[0] }).locator('[data-act="control.star"]').click();
  await screen.waitForSelector('#stars .star-item');

  const check = async () => {
    assert.deepEqual(sorted(await texts(screen, '#cards .card-text')), sorted(PAYLOADS), 'projector wall');
    assert.deepEqual(await texts(screen, '#stars .star-item'), [PAYLOADS[0]], 'projector star');
    assert.deepEqual(sorted(await texts(control, '#items .item-text')), sorted(PAYLOADS), 'console items');
    assert.deepEqual(sorted(await texts(phone, '#mine .item-text')), sorted(PAYLOADS), "sender's own list");
    assert.deepEqual(sorted(await texts(other, '#wall .item-text')), sorted(PAYLOADS), "another participant's wall");
    for (const [page, name] of [[screen, 'screen'], [control, 'control'], [phone, 'phone'], [other, 'phone2']]) {
      await assertInert(page, name);
    }
  };
  // Drawn from live events…
  await check();
  // …and from the full state a page gets when it (re)opens.
  await Promise.all([screen.reload(), control.reload(), phone.reload(), other.reload()]);
  await screen.waitForFunction((n) => document.querySelectorAll('#cards .card-item').length === n, n);
  await screen.waitForSelector('#stars .star-item');
  await control.waitForFunction((n) => document.querySelectorAll('#items .item-row').length === n, n);
  await phone.waitForFunction((n) => document.querySelectorAll('#mine .item.saved').length === n, n);
  await other.waitForFunction((n) => document.querySelectorAll('#wall .item').length === n, n);
  await check();

  // A word cloud draws participant text on the projector and in the console as words.
  await control.click('#next');
  await phone.waitForFunction(() => document.getElementById('q').textContent === 'Yksi sana');
  const words = PAYLOADS.slice(0, 3);
  for (const text of words) {
    await phone.fill('#text', text);
    await phone.click('#send');
  }
  await phone.waitForFunction((n) => document.querySelectorAll('#mine .item.saved').length === n, words.length);
  for (const page of [screen, control]) {
    await page.waitForFunction((n) => document.querySelectorAll('#chart .word').length === n, words.length);
    const drawn = await page.$$eval('#chart .word', (nodes) => nodes.map((w) => w.firstChild.nodeValue));
    assert.deepEqual(sorted(drawn), sorted(words), 'word cloud');
  }
  for (const [page, name] of [[screen, 'screen'], [control, 'control'], [phone, 'phone']]) {
    await assertInert(page, name);
  }
  // The session title is facilitator text, but it too stays text.
  assert.equal(await control.textContent('#title'), 'Turvallisuus <b>ei lihavoitu</b>');

  // An onerror handler would fire once the image failed to load; give it that time.
  await screen.waitForTimeout(500);
}));
