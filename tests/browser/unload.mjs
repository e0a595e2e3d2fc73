// Issue 15, part 5, as people meet it: the hall empties for lunch, the facilitator's laptop and
// the projector leave the session's pages, every phone too; the server (started with a 1 s
// `unload_after`) snapshots the idle session and unloads it. After lunch everyone comes back
// to the same pages: the phone still has its two items confirmed, sends one more and sees it
// confirmed; the console and the projector show all three. Nothing is retyped, no error shows.
//
//   node tests/browser/unload.mjs http://127.0.0.1:PORT   (a server with a short unload time)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LAPTOP, PHONE, PROJECTOR, BASE, addPrompt, createSession, inBrowser, texts } from './lib.mjs';

const BEFORE = ['Ohjaamo', 'Etsivä nuorisotyö'];
const AFTER = 'Kela ja TE-palvelut yhdessä';

/** One series' value in the server's `/metrics` (open: the test server has no token). */
async function metric(name) {
  const text = await (await fetch(`${BASE}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line, `${name} not in /metrics`);
  return Number(line.split(' ')[1]);
}

/** Waits until `check()` holds, polling `/metrics` twice a second for up to `secs`. */
async function until(what, secs, check) {
  const end = Date.now() + secs * 1000;
  while (!(await check())) {
    assert.ok(Date.now() < end, `${what}: not within ${secs} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

test('a session unloaded over lunch comes back as it was', { timeout: 180_000 }, () => inBrowser(async (browser, watch) => {
  const s = await createSession('lounas', 'Lounastauko');
  const control = await watch.page(browser, 'control', LAPTOP);
  await control.goto(s.control);
  await control.waitForSelector('#conn[data-status="connected"]');
  await addPrompt(control, { kind: 'brainstorm', title: 'Mitkä toimijat tulisi olla verkostossa mukana?' });
  await control.click('#next');
  await control.waitForSelector('#agenda > li.is-open');

  const screen = await watch.page(browser, 'screen', PROJECTOR);
  await screen.goto(s.screen);
  await screen.waitForSelector('#live:not([hidden])');
  const phone = await watch.page(browser, 'phone', PHONE);
  await phone.goto(s.participant);
  await phone.waitForSelector('#form:not([hidden])');
  for (const text of BEFORE) {
    await phone.fill('#text', text);
    await phone.click('#send');
  }
  await phone.waitForFunction((n) => document.querySelectorAll('#mine .item.saved').length === n, BEFORE.length);
  await screen.waitForFunction((n) => document.querySelectorAll('#cards .card-item').length === n, BEFORE.length);

  // Lunch: every page leaves; the session is unloaded once nobody is connected.
  const unloads = await metric('paja_session_unloads_total');
  for (const page of [phone, screen, control]) await page.goto('about:blank');
  await until('the idle session unloaded', 30, async () => await metric('paja_session_unloads_total') > unloads
    && await metric('paja_sessions_live') === 0);

  // After lunch, the same pages in the same browsers: the session loads on the first of them.
  const loads = await metric('paja_session_loads_total');
  await phone.goto(s.participant);
  await phone.waitForSelector('#form:not([hidden])');
  await phone.waitForFunction((n) => document.querySelectorAll('#mine .item.saved').length === n, BEFORE.length);
  assert.deepEqual((await texts(phone, '#mine .item-text')).sort(), [...BEFORE].sort());
  assert.ok(await metric('paja_session_loads_total') > loads, 'the phone loaded the stored session');
  await control.goto(s.control);
  await control.waitForSelector('#conn[data-status="connected"]');
  await screen.goto(s.screen);
  await screen.waitForSelector('#live:not([hidden])');
  await phone.fill('#text', AFTER);
  await phone.click('#send');
  const all = [...BEFORE, AFTER];
  await phone.waitForFunction((n) => document.querySelectorAll('#mine .item.saved').length === n, all.length);
  await screen.waitForFunction((n) => document.querySelectorAll('#cards .card-item').length === n, all.length);
  assert.deepEqual((await texts(screen, '#cards .card-text')).sort(), [...all].sort());
  await control.waitForFunction((n) => document.querySelectorAll('#items .item-row').length === n, all.length);
}));
