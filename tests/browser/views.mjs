// Issue 6, the views' details that a person notices first.
//
// The phone's layout as a participant meets it on a cheap phone:
// - from 320 px wide nothing runs off the side and the tap targets are large (≥ 44×44 px);
// - on a 360×640 screen with the keyboard up (the page's viewport shrinks to 360×340, as
//   `interactive-widget=resizes-content` asks Android's Chrome to do), the prompt, its
//   instructions, the time left and the Send button are all on screen without scrolling.
// Writes target/screenshots/phone-keyboard.png.
//
// The projector speaks the session's language unless told otherwise (`?lang=`, or its language
// buttons, remembered apart from the console's); the console shows the join QR code.
//
//   node tests/browser/views.mjs http://127.0.0.1:PORT

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BASE, LAPTOP, PHONE, PROJECTOR, addPrompt, createSession, inBrowser } from './lib.mjs';

const SHOTS = process.env.PAJA_SCREENSHOTS || fileURLToPath(new URL('../../target/screenshots/', import.meta.url));
/** What a typical Android keyboard with its suggestion strip takes of a 640 px screen. */
const KEYBOARD = 300;
/** The smallest comfortable tap target (WCAG 2.5.5, Android and iOS guidelines). */
const TAP = 44;
// A long prompt as facilitators write them (from the Presemo seminar programme).
const QUESTION = 'Mitkä toimijat pitäisi olla mukana nuorten hyvinvoinnin verkostossa alueellasi?';
const INSTRUCTIONS = 'Kirjoita yksi toimija kerrallaan ja paina Lähetä jokaisen jälkeen. 2 min.';

/** The parts of the prompt a participant must see, with their boxes in the viewport. */
async function boxes(page) {
  return page.evaluate(() => {
    const ids = ['q', 'instructions', 'timer', 'text', 'send'];
    return Object.fromEntries(ids.map((id) => {
      const r = document.getElementById(id).getBoundingClientRect();
      return [id, { top: Math.round(r.top), bottom: Math.round(r.bottom), height: Math.round(r.height) }];
    }));
  });
}

test('the phone fits small screens and the keyboard', { timeout: 180_000 }, () => inBrowser(async (browser, watch) => {
  const s = await createSession('puhelin', 'Nuorten hyvinvoinnin verkosto');
  const control = await watch.page(browser, 'control', LAPTOP);
  await control.goto(s.control);
  await control.waitForSelector('#conn[data-status="connected"]');
  await addPrompt(control, { kind: 'brainstorm', title: QUESTION, instructions: INSTRUCTIONS, minutes: '2' });
  await control.click('#next');

  // 320 px: the narrowest phones still in use.
  const narrow = await watch.page(browser, 'phone320', { ...PHONE, viewport: { width: 320, height: 568 } });
  await narrow.goto(s.participant);
  await narrow.waitForSelector('#form:not([hidden])');
  await narrow.fill('#text', 'Ohjaamo');
  await narrow.click('#send');
  await narrow.waitForSelector('#mine .item.saved');
  const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow} px wider than a 320 px screen`);
  const small = await narrow.evaluate((tap) => [...document.querySelectorAll('button, a[href], textarea, input, select')]
    .filter((e) => e.offsetParent !== null)
    .map((e) => ({ e, r: e.getBoundingClientRect() }))
    .filter(({ r }) => r.width < tap || r.height < tap)
    .map(({ e, r }) => `${e.tagName.toLowerCase()}#${e.id || e.className || e.textContent.trim()} ${Math.round(r.width)}×${Math.round(r.height)}`), TAP);
  assert.deepEqual(small, [], `tap targets under ${TAP}×${TAP} px at 320 px wide`);

  // 360×640 with the keyboard up: the participant taps the text box to write.
  const phone = await watch.page(browser, 'phone', PHONE);
  await phone.goto(s.participant);
  await phone.waitForSelector('#form:not([hidden])');
  const viewport = await phone.evaluate(() => document.querySelector('meta[name=viewport]').content);
  assert.match(viewport, /interactive-widget=resizes-content/, 'the keyboard must shrink the page, not cover it');
  await phone.tap('#text');
  await phone.setViewportSize({ width: 360, height: 640 - KEYBOARD });
  await phone.waitForTimeout(300);
  const at = await boxes(phone);
  const height = 640 - KEYBOARD;
  fs.mkdirSync(SHOTS, { recursive: true });
  await phone.screenshot({ path: `${SHOTS}/phone-keyboard.png` });
  for (const [id, b] of Object.entries(at)) {
    assert.ok(b.height > 0, `#${id} is not shown`);
    assert.ok(b.top >= 0 && b.bottom <= height, `#${id} is off screen with the keyboard up: ${JSON.stringify(b)} in ${height} px`);
  }
  assert.equal(await phone.evaluate(() => document.activeElement.id), 'text', 'the text box keeps the focus');

  // Typing and sending with the keyboard up keeps everything in place.
  await phone.fill('#text', 'Etsivä nuorisotyö');
  await phone.press('#text', 'Enter');
  await phone.waitForSelector('#mine .item.saved');
  const after = await boxes(phone);
  assert.ok(after.send.bottom <= height && after.q.top >= 0, `after sending: ${JSON.stringify(after)}`);
}));

test('the projector picks its language; the console shows the QR code', { timeout: 180_000 }, () => inBrowser(async (browser, watch) => {
  const s = await createSession('kieli', 'Kielet');
  const joinText = (page) => page.textContent('.band-join span');

  // Without a choice: the session's language (Finnish).
  const screen = await watch.page(browser, 'screen', PROJECTOR);
  await screen.goto(s.screen);
  await screen.waitForSelector('#idle:not([hidden])');
  await screen.waitForFunction(() => document.documentElement.lang === 'fi');
  assert.equal(await joinText(screen), 'Osallistu:');

  // Between prompts the join page fills the screen, and all of it is on screen: the QR code
  // too, on a 16:9 projector and on an old 4:3 one.
  for (const size of [{ width: 1920, height: 1080 }, { width: 1280, height: 720 }, { width: 1024, height: 768 }]) {
    await screen.setViewportSize(size);
    await screen.waitForTimeout(200);
    const out = await screen.evaluate(() => ['idle-title', 'idle-url', 'idle-qr'].filter((id) => {
      const r = document.getElementById(id).getBoundingClientRect();
      return r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth || r.height === 0;
    }));
    assert.deepEqual(out, [], `cut off at ${size.width}×${size.height}`);
  }
  await screen.setViewportSize(PROJECTOR.viewport);

  // The address asks for Swedish.
  await screen.goto(`${s.screen}?lang=sv`);
  await screen.waitForFunction(() => document.documentElement.lang === 'sv');
  assert.equal(await joinText(screen), 'Delta:');
  assert.match(await screen.textContent('.idle-how'), /Delta med din telefon/);

  // The projector's own buttons (shown when the keyboard or pointer reaches them): English,
  // remembered for this projector after a reload without `?lang`.
  await screen.focus('.screen-tools [data-lang="en"]');
  assert.equal(await screen.evaluate(() => getComputedStyle(document.querySelector('.screen-tools')).opacity), '1');
  await screen.click('.screen-tools [data-lang="en"]');
  await screen.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal(await joinText(screen), 'Join at');
  await screen.goto(s.screen);
  await screen.waitForSelector('#idle:not([hidden])');
  await screen.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal(await screen.getAttribute('.screen-tools [data-lang="en"]', 'aria-pressed'), 'true');

  // The console's QR code is the server's, and opens large.
  const control = await watch.page(browser, 'control', LAPTOP);
  await control.goto(s.control);
  await control.waitForSelector('#conn[data-status="connected"]');
  await control.waitForFunction(() => document.getElementById('qr').naturalWidth > 0);
  assert.equal(await control.getAttribute('#qr-link', 'href'), `/${s.slug}/qr.svg`);
  assert.match(await control.getAttribute('#qr', 'alt'), /QR/);
}));

test('the console exports what the facilitator picks', { timeout: 180_000 }, () => inBrowser(async (browser, watch) => {
  const s = await createSession('vienti', 'Vienti');
  const control = await watch.page(browser, 'control', { ...LAPTOP, acceptDownloads: true });
  await control.goto(s.control);
  await control.waitForSelector('#conn[data-status="connected"]');
  await addPrompt(control, { kind: 'brainstorm', title: 'Mitä hyötyä verkostosta on?' });
  await addPrompt(control, { kind: 'brainstorm', title: 'Mitä esteitä yhteistyöllä on?' });
  await control.click('#next');
  const phone = await watch.page(browser, 'phone', PHONE);
  await phone.goto(s.participant);
  await phone.waitForSelector('#form:not([hidden])');
  await phone.fill('#text', 'Tieto kulkee; ei päällekkäistä työtä');
  await phone.click('#send');
  await phone.waitForSelector('#mine .item.saved');

  // Files → Export…: CSV for Finnish Excel, the first question only.
  await control.click('.menu summary');
  await control.click('#export');
  await control.waitForSelector('#exporter[open]');
  assert.ok(await control.isHidden('#x-delim-box'), 'the separator is a CSV matter');
  await control.check('input[name="x-format"][value="csv"]');
  assert.ok(await control.isVisible('#x-delim-box'));
  assert.equal(await control.inputValue('#x-delim'), 'semicolon', 'a Finnish console defaults to Excel\'s separator');
  await control.uncheck('#x-all');
  await control.uncheck('#x-prompts input[value="2"]');
  const [download] = await Promise.all([control.waitForEvent('download'), control.click('#x-go')]);
  // Named by the server: the session and the day it was held, in the session's time zone.
  const day = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Helsinki' }).format(new Date());
  assert.equal(download.suggestedFilename(), `${s.slug}-${day}-1.csv`);
  const csv = fs.readFileSync(await download.path(), 'utf8');
  assert.ok(csv.startsWith('\uFEFF'), 'a BOM, so Excel reads ä and ö');
  const lines = csv.slice(1).trim().split(/\r?\n/);
  assert.match(lines[0], /^prompt;text;/);
  assert.equal(lines.length, 2, csv);
  assert.match(lines[1], /^Mitä hyötyä verkostosta on\?;"Tieto kulkee; ei päällekkäistä työtä";/);
  await control.waitForSelector('#exporter', { state: 'hidden' });

  // The workbook and the report, every question: real files, named for the session.
  for (const [format, magic] of [['xlsx', 'PK'], ['html', '<!doctype html>']]) {
    await control.click('.menu summary');
    await control.click('#export');
    await control.waitForSelector('#exporter[open]');
    await control.check(`input[name="x-format"][value="${format}"]`);
    assert.equal(await control.isChecked('#x-hidden'), format === 'xlsx', 'hidden answers: in data, out of reports');
    const [file] = await Promise.all([control.waitForEvent('download'), control.click('#x-go')]);
    assert.equal(file.suggestedFilename(), `${s.slug}-${day}.${format}`);
    const bytes = fs.readFileSync(await file.path());
    assert.equal(bytes.subarray(0, magic.length).toString('latin1').toLowerCase(), magic.toLowerCase());
    if (format === 'html') assert.match(bytes.toString('utf8'), /Tieto kulkee; ei päällekkäistä työtä/);
    await control.waitForSelector('#exporter', { state: 'hidden' });
  }

  // Nothing picked: the dialog says so and stays open.
  await control.click('.menu summary');
  await control.click('#export');
  await control.uncheck('#x-all');
  for (const box of await control.$$('#x-prompts input')) await box.uncheck();
  await control.click('#x-go');
  await control.waitForSelector('#x-error:not([hidden])');
  assert.ok(await control.isVisible('#exporter[open]'));
  await control.click('#x-cancel');
}));

test('the console decides what the projector shows', { timeout: 180_000 }, () => inBrowser(async (browser, watch) => {
  const s = await createSession('valkokangas', 'Projektori');
  const control = await watch.page(browser, 'control', LAPTOP);
  await control.goto(s.control);
  await control.waitForSelector('#conn[data-status="connected"]');
  await addPrompt(control, { kind: 'poll', title: 'Aamun kysely', options: ['Kyllä', 'Ei'] });
  await addPrompt(control, { kind: 'brainstorm', title: 'Iltapäivän ideointi' });
  const screen = await watch.page(browser, 'screen', PROJECTOR);
  await screen.goto(s.screen);
  await screen.waitForSelector('#idle:not([hidden])');
  const stage = () => screen.evaluate(() => (document.getElementById('idle').hidden ? document.getElementById('q').textContent : 'join'));

  // N opens the poll, N again the brainstorm: the projector follows.
  await control.keyboard.press('n');
  await screen.waitForFunction(() => document.getElementById('q').textContent === 'Aamun kysely');
  await control.keyboard.press('n');
  await screen.waitForFunction(() => document.getElementById('q').textContent === 'Iltapäivän ideointi');

  // Q: the join page full-screen while the brainstorm stays open; Q again: back.
  await control.keyboard.press('q');
  await screen.waitForSelector('#idle:not([hidden])');
  assert.equal(await stage(), 'join');
  // Q toggles what the console knows is shown: pressed again before the console's own
  // `screen_changed` arrived (the projector's can come first under load), it asked for the
  // join page a second time.
  await control.waitForSelector('#join-screen[aria-pressed="true"]');
  await control.keyboard.press('q');
  await screen.waitForSelector('#idle', { state: 'hidden' });
  assert.equal(await stage(), 'Iltapäivän ideointi');

  // The morning's poll again: select it (K) and S; the console says what is shown and
  // offers the way back.
  await control.keyboard.press('k');
  await control.keyboard.press('s');
  await screen.waitForFunction(() => document.getElementById('q').textContent === 'Aamun kysely');
  await control.waitForFunction(() => /Aamun kysely/.test(document.getElementById('screen-now').textContent));
  assert.ok(await control.isVisible('#screen-follow'));
  await control.click('#screen-follow');
  await screen.waitForFunction(() => document.getElementById('q').textContent === 'Iltapäivän ideointi');
  await control.waitForSelector('#screen-follow', { state: 'hidden' });
}));

test('the projector takes hundreds of items without redrawing', { timeout: 180_000 }, () => inBrowser(async (browser, watch) => {
  const s = await createSession('tulva', 'Tulva');
  const key = new URL(s.control).hash.replace('#key=', '');
  const screen = await watch.page(browser, 'screen', PROJECTOR);
  await screen.goto(s.screen);
  await screen.waitForSelector('#idle:not([hidden])');
  // A page of the service drives the room over websockets: the facilitator opens a
  // brainstorm, then 20 phones send 15 items each at once (300 items in a few seconds, far
  // more than the hundreds a minute of a busy seminar).
  const driver = await watch.page(browser, 'driver', LAPTOP);
  await driver.goto(`${BASE}/`);
  const room = async ({ slug, key, first }) => {
    const url = `${location.origin.replace(/^http/, 'ws')}/ws/${slug}`;
    const connect = (hello) => new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const waiting = new Map();
      const frames = [];
      ws.onopen = () => ws.send(JSON.stringify(hello));
      ws.onerror = () => reject(new Error('websocket failed'));
      ws.onmessage = (m) => {
        const f = JSON.parse(m.data);
        frames.push(f);
        if (f.type === 'welcome') resolve({ ws, waiting, frames });
        if ((f.type === 'ack' || f.type === 'error') && waiting.has(f.id)) waiting.get(f.id)(f);
      };
    });
    const ask = (c, frame) => new Promise((done) => {
      const id = crypto.randomUUID();
      c.waiting.set(id, done);
      c.ws.send(JSON.stringify({ ...frame, id }));
    }).then((r) => { if (r.type !== 'ack') throw new Error(JSON.stringify(r)); });
    const fac = await connect({ type: 'hello', protocol: 1, role: 'facilitator', key, last_seq: 0 });
    await ask(fac, { type: 'add_prompt', prompt: { kind: 'brainstorm', title: 'Mitä verkostolta toivotaan?' } });
    const id = fac.frames.find((f) => f.type === 'prompt_added').prompt.id;
    await ask(fac, { type: 'open_prompt', prompt_id: id });
    const phones = [];
    for (let n = 0; n < 20; n++) {
      phones.push(await connect({ type: 'hello', protocol: 1, role: 'participant', participant_id: crypto.randomUUID(), last_seq: 0 }));
    }
    const submit = (p, text) => ask(p, { type: 'submit', id: crypto.randomUUID(), prompt_id: id, text });
    await submit(phones[0], first);
    // Let the projector draw the first card before the flood.
    await new Promise((r) => setTimeout(r, 1000));
    await Promise.all(phones.flatMap((p, n) => Array.from({ length: 15 }, (_, k) => submit(p, `Toive ${n + 1}.${k + 1}: yhteinen kalenteri ja tieto kulkemaan`))));
  };
  const flood = driver.evaluate(room, { slug: s.slug, key, first: 'Ensimmäinen kortti' });
  await screen.waitForFunction(() => document.querySelectorAll('#cards .card-item').length === 1);
  // Watch the first card and the stage through the flood: a redraw would replace the card's
  // node or leave a frame without cards.
  await screen.evaluate(() => {
    window.__first = document.querySelector('#cards .card-item');
    window.__removed = 0;
    window.__emptyFrames = 0;
    new MutationObserver((records) => {
      for (const r of records) window.__removed += [...r.removedNodes].filter((n) => n.classList?.contains('card-item')).length;
    }).observe(document.getElementById('cards'), { childList: true, subtree: true });
    const sample = () => {
      if (!document.querySelector('#cards .card-item')) window.__emptyFrames += 1;
      window.__raf = requestAnimationFrame(sample);
    };
    sample();
  });
  await flood;
  await screen.waitForFunction(() => document.querySelectorAll('#cards .card-item').length === 301, null, { timeout: 30_000 });
  const seen = await screen.evaluate(() => ({
    same: document.querySelector('#cards .card-item') === window.__first || document.contains(window.__first),
    removed: window.__removed,
    empty: window.__emptyFrames,
    count: document.getElementById('count').textContent,
  }));
  assert.deepEqual(seen, { same: true, removed: 0, empty: 0, count: seen.count });
  assert.match(seen.count, /301/);
  // Every card on screen fits it: the text shrinks rather than running off the stage.
  const overflow = await screen.evaluate(() => [...document.querySelectorAll('#cards .card-item:not(.gone)')]
    .filter((c) => c.getBoundingClientRect().bottom > innerHeight + 1).length);
  assert.equal(overflow, 0, 'cards below the bottom of the screen');
}));
