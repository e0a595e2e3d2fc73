// A dot vote on a brainstorm's themes as people use it (issue 14, part 1): the facilitator
// sorts a brainstorm into themes, makes a dot vote on its themes with the console's editor
// (the "vote on" choice), opens it; a phone sees the themes' names on its ballot and places
// dots with its + buttons; the projector ranks the themes by name, live.
// Writes dot-themes-{editor,phone,projector}.png to target/screenshots (PAJA_SCREENSHOTS: another
// directory).
//
//   node tests/browser/dot_themes.mjs http://127.0.0.1:PORT

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LAPTOP, PHONE, PROJECTOR, addPrompt, createSession, inBrowser, texts } from './lib.mjs';
import { sendItems } from './worst.mjs';

const SHOTS = process.env.PAJA_SCREENSHOTS || fileURLToPath(new URL('../../target/screenshots/', import.meta.url));
const BRAINSTORM = 'Mitkä kysymykset ovat tärkeimpiä?';
const VOTE = 'Mikä teemoista on tärkein?';

/** In the console page: the facilitator's commands over a websocket of its own (the key from the URL). */
function facilitator({ slug, commands }) {
  const key = new URLSearchParams(location.hash.slice(1)).get('key');
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/${encodeURIComponent(slug)}`);
  return new Promise((resolve, reject) => {
    let next = 0;
    const send = () => {
      if (next === commands.length) { ws.close(); resolve(); return; }
      ws.send(JSON.stringify({ ...commands[next], id: `t${next}` }));
    };
    ws.onerror = () => reject(new Error('websocket error'));
    ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', protocol: 1, role: 'facilitator', key, last_seq: 0 }));
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === 'welcome') send();
      else if (m.type === 'ack' && m.id === `t${next}`) { next += 1; send(); }
      else if (m.type === 'error') reject(new Error(`refused: ${m.code}`));
    };
  });
}

test('a dot vote on themes: made in the editor, answered on a phone, ranked on the projector', () => inBrowser(async (browser, watch) => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const s = await createSession('teemaaanet', 'Purku yhdessä');
  const control = await watch.page(browser, 'control', LAPTOP);
  await control.goto(s.control);
  await control.waitForSelector('#conn[data-status="connected"]');
  await addPrompt(control, { kind: 'brainstorm', title: BRAINSTORM });
  await control.click('#next');
  await control.waitForSelector('#agenda > li.is-open');
  const ids = await sendItems(control, s.slug, ['Nuorten ääni', 'Digituki', 'Nuoret mukaan']);
  const prompt = 'p1';
  const [nuoret, digi] = ['6a1e0000-0000-4000-8000-000000000001', '6a1e0000-0000-4000-8000-000000000002'];
  await control.evaluate(facilitator, { slug: s.slug, commands: [
    { type: 'add_theme', prompt, theme: nuoret, name: 'Nuoret', items: [ids[0], ids[2]] },
    { type: 'add_theme', prompt, theme: digi, name: 'Digi', items: [ids[1]] },
  ] });

  // The editor: a dot vote on the brainstorm's themes.
  const before = await control.locator('#agenda > li').count();
  await control.click('#new');
  await control.waitForSelector('#editor[open]');
  await control.selectOption('#e-kind', 'dot_vote');
  await control.fill('#e-title', VOTE);
  await control.selectOption('#e-source', { label: `1. ${BRAINSTORM}` });
  assert.ok(await control.isVisible('#e-vote-on'), 'the vote-on choice shows for a dot vote');
  assert.equal(await control.inputValue('#e-vote-on'), 'items', 'items by default');
  await control.selectOption('#e-vote-on', 'themes');
  await control.screenshot({ path: `${SHOTS}/dot-themes-editor.png` });
  await control.fill('#e-dots', '3');
  await control.fill('#e-per-item', '2');
  await control.click('#e-save');
  await control.waitForFunction((n) => document.querySelectorAll('#agenda > li').length === n + 1 && !document.getElementById('editor').open, before);
  await control.click('#agenda > li:nth-child(2) [data-act="pick"]');
  await control.waitForFunction(() => document.getElementById('sel-settings').textContent.includes('teemoista'));
  await control.click('#next');
  await control.waitForSelector('#agenda > li:nth-child(2).is-open');

  const screen = await watch.page(browser, 'screen', PROJECTOR);
  await screen.goto(s.screen);
  const phone = await watch.page(browser, 'phone', PHONE);
  await phone.goto(s.participant);
  await phone.waitForFunction(() => document.querySelectorAll('.ballot-item').length === 2);
  const ballot = (await texts(phone, '.ballot-text')).map((x) => x.replace(/\u00AD/g, '').trim());
  assert.deepEqual(ballot, ['Nuoret', 'Digi'], 'the ballot is the themes, in the facilitator\'s order');
  // Two dots on Digi, one on Nuoret: the buttons are named by the theme.
  const plus = (name) => phone.locator('.ballot-item').filter({ hasText: name }).locator('button').nth(1);
  const left = (n) => phone.waitForFunction((n) => document.querySelector('.dots-left').textContent.includes(`${n} / 3`), n);
  await plus('Digi').click();
  await left(2);
  await plus('Digi').click();
  await left(1);
  await plus('Nuoret').click();
  await left(0);
  assert.ok(await plus('Digi').isDisabled(), 'no more dots to place');

  // The order alone is reached at Digi's second dot, before Nuoret's arrives: wait for both counts.
  await screen.waitForFunction(() => {
    const rows = [...document.querySelectorAll('#chart .rank-row')].map((r) => `${r.querySelector('.rank-text').textContent} ${r.querySelector('.rank-n').textContent.replace(/\D/g, '')}`);
    return rows.join('|') === 'Digi 2|Nuoret 1';
  });
  const counts = await texts(screen, '#chart .rank-n');
  assert.match(counts[0], /2/);
  assert.match(counts[1], /1/);
  await phone.screenshot({ path: `${SHOTS}/dot-themes-phone.png` });
  await screen.screenshot({ path: `${SHOTS}/dot-themes-projector.png` });
}));
