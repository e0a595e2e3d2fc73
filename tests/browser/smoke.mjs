// Issue 6, "Tested as a person would": a facilitator creates a session on the front page and
// prepares the agenda in the console; a phone joins by typing the session name, sends three
// items and sees them confirmed; the projector shows them; the facilitator hides one and the
// projector drops it; a poll and a word cloud render on the projector; no console errors.
// Writes target/screenshots/{phone,console,projector}.png (PAJA_SCREENSHOTS: another directory,
// e.g. docs/screenshots to refresh the ones the README shows).
//
//   node tests/browser/smoke.mjs http://127.0.0.1:PORT

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BASE, LAPTOP, PHONE, PROJECTOR, addPrompt, inBrowser, texts } from './lib.mjs';

// Default: target/screenshots (a test run leaves the tree clean); refresh the committed ones with
// PAJA_SCREENSHOTS=docs/screenshots cargo test browser.
const SHOTS = process.env.PAJA_SCREENSHOTS || fileURLToPath(new URL('../../target/screenshots/', import.meta.url));

const BRAINSTORM = 'Mitkä toimijat pitäisi olla verkostossa mukana?';
const POLL = 'Millä sektorilla työskentelet?';
const SECTORS = ['Kunta', 'Hyvinvointialue', 'Valtio', 'Järjestö', 'Yritys', 'Oppilaitos'];
const CLOUD = 'Yksi sana hyvästä yhteistyöstä';
const MINE = ['Ohjaamo', 'Etsivä nuorisotyö', 'TE-palvelut'];
const THEIRS = ['Oppilaitokset ja opinto-ohjaus', 'Seurakunnan nuorisotyö', 'Kela', 'Liikuntaseurat'];

test('a phone, the console and the projector through a seminar', { timeout: 240_000 }, () => inBrowser(async (browser, watch) => {
  const slug = `hyvinsivi${Math.floor(Math.random() * 1e6)}`;

  // The facilitator creates the session on the front page and opens the console.
  const control = await watch.page(browser, 'control', LAPTOP);
  await control.goto(`${BASE}/`);
  await control.fill('#c-slug', slug);
  await control.fill('#c-title', 'HYVINSIVI – yhdyspinnat nuorten hyvinvoinnissa');
  await control.selectOption('#c-lang', 'fi');
  await control.click('#c-submit');
  await control.waitForSelector('#created:not([hidden]), #c-error:not([hidden])');
  assert.ok(await control.isHidden('#c-error'), `creating the session: ${await control.textContent('#c-error')}`);
  assert.match(await control.inputValue('#r-control'), new RegExp(`/${slug}/control#key=.+`));
  await control.click('#r-open');
  await control.waitForURL(`**/${slug}/control#key=*`);
  await control.waitForSelector('#conn[data-status="connected"]');
  await addPrompt(control, {
    kind: 'brainstorm',
    title: BRAINSTORM,
    instructions: 'Kirjaa yksi taho kerrallaan ja paina Lähetä.',
    minutes: '10',
  });
  await addPrompt(control, { kind: 'poll', title: POLL, options: SECTORS });
  await addPrompt(control, { kind: 'word_cloud', title: CLOUD, results: 'live' });
  assert.equal(await control.locator('#agenda > li').count(), 3);

  // The projector waits with the join address and its QR code.
  const screen = await watch.page(browser, 'screen', PROJECTOR);
  await screen.goto(`${BASE}/${slug}/screen`);
  await screen.waitForSelector('#idle:not([hidden])');
  assert.match(await screen.textContent('#idle-url'), new RegExp(slug));
  // Both QR codes (large between prompts, small in the band) come from the server as SVG.
  await screen.waitForFunction(() => ['idle-qr', 'qr'].every((id) => document.getElementById(id).naturalWidth > 0));

  // A participant types the session name on the front page of a phone.
  const phone = await watch.page(browser, 'phone', PHONE);
  await phone.goto(`${BASE}/`);
  await phone.fill('#join-slug', slug);
  await phone.press('#join-slug', 'Enter');
  await phone.waitForURL(`**/${slug}`);
  await phone.waitForSelector('#waiting:not([hidden])');
  // A second participant, so the projector is not a one-person show.
  const other = await watch.page(browser, 'phone2', PHONE);
  await other.goto(`${BASE}/${slug}`);
  await other.waitForSelector('#waiting:not([hidden])');

  // Brainstorm: three items from the phone, all confirmed, all on the projector.
  await control.click('#next');
  await phone.waitForSelector('#form:not([hidden])');
  assert.equal(await phone.textContent('#q'), BRAINSTORM);
  await screen.waitForSelector('#live:not([hidden])');
  assert.equal(await screen.textContent('#q'), BRAINSTORM);
  for (const text of MINE) {
    await phone.fill('#text', text);
    await phone.click('#send');
  }
  await phone.waitForFunction((n) => document.querySelectorAll('#mine .item.saved').length === n, MINE.length);
  assert.deepEqual((await texts(phone, '#mine .item-text')).sort(), [...MINE].sort());
  assert.equal(await phone.inputValue('#text'), '', 'the text box is cleared for the next item');
  await other.waitForSelector('#form:not([hidden])');
  for (const text of THEIRS) {
    await other.fill('#text', text);
    await other.click('#send');
  }
  await other.waitForFunction((n) => document.querySelectorAll('#mine .item.saved').length === n, THEIRS.length);
  const all = [...MINE, ...THEIRS];
  await screen.waitForFunction((n) => document.querySelectorAll('#cards .card-item').length === n, all.length);
  assert.deepEqual((await texts(screen, '#cards .card-text')).sort(), [...all].sort());
  await control.waitForFunction((n) => document.querySelectorAll('#items .item-row').length === n, all.length);

  // Moderation: the facilitator hides one; the projector drops it, the console keeps it, marked.
  const hidden = MINE[2];
  const row = control.locator('#items .item-row', { hasText: hidden });
  await row.locator('[data-act="control.hide"]').click();
  await screen.waitForFunction((n) => document.querySelectorAll('#cards .card-item').length === n, all.length - 1);
  assert.ok(!(await texts(screen, '#cards .card-text')).includes(hidden), 'hidden item still on the projector');
  await row.and(control.locator('.is-hidden')).waitFor();
  // The sender still sees their own item as sent.
  assert.equal(await phone.locator('#mine .item.saved').count(), MINE.length);

  await fs.promises.mkdir(SHOTS, { recursive: true });
  const shot = (page, name) => page.screenshot({ path: `${SHOTS}/${name}.png`, animations: 'disabled' });
  await phone.locator('#text').fill('Nuorisopalvelut');
  await shot(phone, 'phone');
  await phone.locator('#text').fill('');
  await control.evaluate(() => window.scrollTo(0, 0));
  await shot(control, 'console');
  await shot(screen, 'projector');

  // Poll: both vote; the projector draws one bar per option with the counts.
  await control.click('#next');
  for (const p of [phone, other]) await p.waitForSelector('#choices .choice-list');
  await phone.click('#choices .choice-list button:nth-child(1)');
  await other.click('#choices .choice-list button:nth-child(4)');
  await screen.waitForFunction(() => document.getElementById('q').textContent.startsWith('Millä'));
  await screen.waitForFunction(
    () => [...document.querySelectorAll('#chart .bar-num')].filter((n) => n.textContent.startsWith('1')).length === 2,
  );
  assert.deepEqual(await texts(screen, '#chart .bar-label'), SECTORS);
  // Bars grow in a transition; wait until they are drawn to scale (one vote each of two: halves).
  await screen.waitForFunction(() => {
    const [a, b, , d] = [...document.querySelectorAll('#chart .bar-fill')].map((f) => f.getBoundingClientRect().width);
    const track = document.querySelector('#chart .bar-track').getBoundingClientRect().width;
    return b === 0 && a === d && Math.abs(a - track / 2) < 1;
  });

  // Word cloud: words from both phones, counted case-insensitively, drawn live.
  await control.click('#next');
  for (const p of [phone, other]) await p.waitForFunction((q) => document.getElementById('q').textContent === q, CLOUD);
  for (const [p, words] of [[phone, ['Luottamus', 'Yhteistyö', 'Avoimuus']], [other, ['luottamus', 'Tiedonkulku']]]) {
    for (const w of words) {
      await p.fill('#text', w);
      await p.click('#send');
    }
  }
  await screen.waitForFunction(() => document.querySelectorAll('#chart .word').length === 4);
  const cloud = await screen.$$eval('#chart .word', (ws) => ws.map((w) => w.textContent));
  assert.ok(cloud.includes('luottamus (2)'), `word cloud: ${cloud}`);
  const sizes = await screen.$$eval('#chart .word', (ws) =>
    Object.fromEntries(ws.map((w) => [w.firstChild.nodeValue, parseFloat(getComputedStyle(w).fontSize)])));
  assert.ok(sizes.luottamus > sizes.avoimuus, `the more frequent word is bigger: ${JSON.stringify(sizes)}`);
}));
