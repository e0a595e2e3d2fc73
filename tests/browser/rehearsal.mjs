// A rehearsal as a facilitator runs one (issue 17, part 3): the console puts the session in
// rehearsal from the Files menu; phones at 320 and 360 px in Finnish, Swedish and English and
// the projector at 1080p all show the mark, nothing overflows, and axe finds no violation. A
// colleague's phone sends a canary; another phone, offline, has one waiting in its outbox. The
// facilitator resets (Cancel first in focus, then Reset): the console and the projector start
// over, the online phone says the rehearsal was reset, the offline phone, back online, drops its
// waiting canary instead of sending it; no file under the data directory holds either canary
// while the agenda is intact; and the rehearsal runs again from its first question.
//
//   PAJA_DATA_DIR=... node tests/browser/rehearsal.mjs http://127.0.0.1:PORT

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { LAPTOP, PHONE, PROJECTOR, addPrompt, createSession, inBrowser, texts, axeViolations } from './lib.mjs';

const DATA = process.env.PAJA_DATA_DIR || '';
const QUESTION = 'Mitkä toimijat kuuluvat hyvinvointialueen verkostoon ja kuka kutsuu ne koolle?';
const CANARY = 'harjoituskanaria-sent-41d2';
const WAITING = 'harjoituskanaria-waiting-77af';
const SMALL = { ...PHONE, viewport: { width: 320, height: 568 } };
const MARKS = { fi: 'HARJOITUS', sv: 'ÖVNING', en: 'REHEARSAL' };


/** Every file under `dir` whose bytes hold one of `needles`. */
function holding(dir, needles) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...holding(p, needles));
    else {
      let bytes = '';
      try { bytes = fs.readFileSync(p, 'latin1'); } catch { continue; }
      if (needles.some((n) => bytes.includes(n))) out.push(p);
    }
  }
  return out;
}

/** Polls until no file holds a needle (the rebase runs just after the reset's ack). */
async function clean(needles) {
  for (let i = 0; i < 100; i++) {
    if (!holding(DATA, needles).length) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(holding(DATA, needles), [], 'a canary is still on disk');
}

/** Nothing wider than the viewport (no sideways scrolling on a phone). */
async function fitsWidth(page, what) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: innerWidth }));
  assert.ok(scroll <= width, `${what}: ${scroll}px wide in a ${width}px viewport`);
}

/** A phone page in `lang`, answering. */
async function phoneIn(browser, watch, name, lang, device, url) {
  const page = await watch.page(browser, name, device);
  await page.goto(url);
  await page.waitForSelector('#conn[data-status="connected"]');
  // The switch offers only the other languages: the page's own has no button showing.
  if ((await page.evaluate(() => document.documentElement.lang)) !== lang) await page.click(`.langs [data-lang="${lang}"]`);
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
  return page;
}

test('a rehearsal is marked everywhere and its reset leaves no answer anywhere', { timeout: 240_000 }, () => inBrowser(async (browser, watch) => {
  assert.ok(DATA && fs.existsSync(DATA), 'PAJA_DATA_DIR names the server\'s data directory');
  const s = await createSession('harjoitus', 'Aluetyöpaja: harjoitus');
  const control = await watch.page(browser, 'control', LAPTOP);
  await control.goto(s.control);
  await control.waitForSelector('#conn[data-status="connected"]');
  await addPrompt(control, { kind: 'brainstorm', title: QUESTION, wall: true });
  await control.click('.menu summary');
  await control.click('#rehearsal-toggle');
  await control.waitForSelector('#rehearsal:not([hidden])');
  assert.equal(await control.getAttribute('#rehearsal-toggle', 'aria-pressed'), 'true');
  await control.click('#next');

  const screen = await watch.page(browser, 'screen', PROJECTOR);
  await screen.goto(s.screen);
  await screen.waitForSelector('#live:not([hidden])');
  await screen.waitForSelector('#rehearsal:not([hidden])');
  const mark = await screen.locator('#rehearsal').boundingBox();
  assert.ok(mark && mark.y >= 0 && mark.y + mark.height <= 1080 && mark.x + mark.width <= 1920, 'the projector mark is on screen');
  assert.ok(mark.height >= 30, `the projector mark is readable from the back: ${mark.height}px`);
  assert.match(await screen.textContent('#rehearsal'), /HARJOITUS · ÖVNING · REHEARSAL/);
  const overflow = await screen.evaluate(() => document.documentElement.scrollHeight - innerHeight);
  assert.ok(overflow <= 0, `the projector scrolls by ${overflow}px`);

  const phones = {};
  for (const [lang, device] of [['fi', SMALL], ['sv', PHONE], ['en', PHONE]]) {
    const phone = await phoneIn(browser, watch, `phone-${lang}`, lang, device, s.participant);
    await phone.waitForSelector('#form:not([hidden])');
    await phone.waitForSelector('#rehearsal:not([hidden])');
    assert.match(await phone.textContent('#rehearsal'), new RegExp(MARKS[lang]));
    await fitsWidth(phone, `phone ${lang} ${device.viewport.width}px`);
    assert.deepEqual(await axeViolations(phone), [], `phone ${lang} in rehearsal`);
    phones[lang] = phone;
  }
  await screen.screenshot({ path: path.join('..', '..', 'target', 'screenshots', 'rehearsal-projector.png') }).catch(() => {});
  await phones.fi.screenshot({ path: path.join('..', '..', 'target', 'screenshots', 'rehearsal-phone-320.png') }).catch(() => {});
  assert.deepEqual(await axeViolations(screen), [], 'the projector in rehearsal');
  assert.deepEqual(await axeViolations(control), [], 'the console in rehearsal');

  // A colleague answers; another phone goes offline with an answer waiting.
  await phones.fi.fill('#text', CANARY);
  await phones.fi.click('#send');
  await phones.fi.waitForSelector('#mine .item.saved');
  await control.waitForFunction((t) => document.body.innerText.includes(t), CANARY);
  const away = phones.en;
  await away.context().setOffline(true);
  await away.fill('#text', WAITING);
  await away.click('#send');
  await away.waitForSelector('#mine .item.pending');
  assert.ok(holding(DATA, [CANARY]).length > 0, 'the sent canary is on disk before the reset');

  // The reset: Cancel first in focus, then Reset.
  await control.click('#rehearsal-reset');
  await control.waitForSelector('#rehearsal-confirm:not([hidden])');
  assert.equal(await control.evaluate(() => document.activeElement?.id), 'rehearsal-cancel');
  assert.deepEqual(await axeViolations(control), [], 'the console asking to reset');
  const reloaded = control.waitForEvent('load');
  await control.click('#rehearsal-reset-do');
  await reloaded;
  await control.waitForSelector('#conn[data-status="connected"]');
  await control.waitForSelector('#rehearsal:not([hidden])');
  await control.waitForFunction(() => document.querySelectorAll('#agenda .agenda-title').length === 1);
  assert.deepEqual(await texts(control, '#agenda .agenda-title'), [QUESTION], 'the agenda is kept');

  // The phone that was online says what happened and holds nothing of the rehearsal.
  for (const lang of ['fi', 'sv']) {
    await phones[lang].waitForSelector('#reset-note:not([hidden])');
    await phones[lang].waitForSelector('#waiting:not([hidden])');
    assert.deepEqual(await texts(phones[lang], '#mine .item-text'), []);
    await fitsWidth(phones[lang], `phone ${lang} after the reset`);
  }
  await screen.waitForSelector('#rehearsal:not([hidden])');
  assert.ok(!(await screen.evaluate(() => document.body.innerText)).includes(CANARY));

  // The phone that was away comes back: its waiting answer is dropped, never sent.
  await away.context().setOffline(false);
  await away.waitForSelector('#reset-note:not([hidden])');
  assert.deepEqual(await texts(away, '#mine .item-text'), []);
  assert.equal(await away.evaluate(() => localStorage.getItem(`paja.outbox.${location.pathname.slice(1)}`)), null);

  // No file holds either canary; the agenda is intact on disk.
  await clean([CANARY, WAITING]);
  const snapshot = fs.readFileSync(path.join(DATA, 'sessions', s.slug, 'snapshot.json'), 'utf8');
  assert.ok(snapshot.includes('hyvinvointialueen verkostoon'), 'the agenda is kept');

  // The rehearsal runs again from its first question.
  await control.click('#next');
  await phones.sv.waitForSelector('#form:not([hidden])');
  await phones.sv.fill('#text', 'Kommunen');
  await phones.sv.click('#send');
  await phones.sv.waitForSelector('#mine .item.saved');
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(holding(DATA, [WAITING]), [], 'the waiting answer was never sent');

  // Rehearsal mode off: the marks go everywhere.
  await control.click('#rehearsal-end');
  await control.waitForSelector('#rehearsal', { state: 'hidden' });
  await screen.waitForSelector('#rehearsal', { state: 'hidden' });
  await phones.sv.waitForSelector('#rehearsal', { state: 'hidden' });
}));
