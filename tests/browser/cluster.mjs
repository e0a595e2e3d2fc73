// Issue 16 as a participant meets it: a three-node cluster (tests/it/cluster/, started by
// tests/it/browser.rs), a phone page on one node and the console on another, the session's
// owner (the third node) SIGKILLed mid-brainstorm. The phone keeps its one websocket (no
// reconnect: its node relays to the new owner), the items it sent during the stall are
// confirmed afterwards, and the console shows each item exactly once.
//
//   node tests/browser/cluster.mjs http://PHONE-NODE   with PAJA_CLUSTER_CONSOLE (the console's
//   full URL, key included), PAJA_CLUSTER_PHONE_URL (the phone page) and PAJA_CLUSTER_OWNER_PID

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LAPTOP, PHONE, inBrowser, texts } from './lib.mjs';

const CONSOLE = process.env.PAJA_CLUSTER_CONSOLE;
const PHONE_URL = process.env.PAJA_CLUSTER_PHONE_URL;
const OWNER_PID = Number(process.env.PAJA_CLUSTER_OWNER_PID);

const BEFORE = ['Ohjaamo', 'Etsivä nuorisotyö'];
const DURING = ['Kela', 'TE-palvelut', 'Seurakunnan nuorisotyö'];

/** Sends `text` from the phone's form (the participant's way). */
async function send(phone, text) {
  await phone.fill('#text', text);
  await phone.click('#send');
}

test('the owner dies mid-brainstorm; the phone on another node carries on', { timeout: 180_000 }, () => inBrowser(async (browser, watch) => {
  assert.ok(CONSOLE && PHONE_URL && OWNER_PID > 0, 'run by tests/it/browser.rs (PAJA_CLUSTER_* unset)');
  const control = await watch.page(browser, 'control', LAPTOP);
  await control.goto(CONSOLE);
  await control.waitForSelector('#conn[data-status="connected"]');

  const phone = await watch.page(browser, 'phone', PHONE);
  // Count the websockets the page opens and every connection status it shows.
  await phone.addInitScript(() => {
    const Native = window.WebSocket;
    window.__sockets = 0;
    window.WebSocket = class extends Native {
      constructor(...args) { super(...args); window.__sockets += 1; }
    };
    window.__statuses = [];
    document.addEventListener('DOMContentLoaded', () => {
      const conn = document.getElementById('conn');
      new MutationObserver(() => window.__statuses.push(conn.dataset.status))
        .observe(conn, { attributes: true, attributeFilter: ['data-status'] });
    });
  });
  await phone.goto(PHONE_URL);
  await phone.waitForSelector('#form:not([hidden])');
  for (const text of BEFORE) await send(phone, text);
  await phone.waitForFunction((n) => document.querySelectorAll('#mine .item.saved').length === n, BEFORE.length);
  const statusesBefore = (await phone.evaluate(() => window.__statuses)).length;

  // The owner dies; the phone goes on sending during the stall.
  process.kill(OWNER_PID, 'SIGKILL');
  for (const text of DURING) await send(phone, text);
  const all = [...BEFORE, ...DURING];
  await phone.waitForFunction((n) => document.querySelectorAll('#mine .item.saved').length === n, all.length, { timeout: 60_000 });
  assert.deepEqual((await texts(phone, '#mine .item-text')).sort(), [...all].sort());

  const sockets = await phone.evaluate(() => window.__sockets);
  assert.equal(sockets, 1, 'the phone opened a second websocket: it reconnected');
  const statuses = (await phone.evaluate(() => window.__statuses)).slice(statusesBefore);
  const lost = statuses.filter((s) => !['connected', 'slow'].includes(s));
  assert.deepEqual(lost, [], `the phone showed a lost connection: ${statuses.join(' → ')}`);

  // The console shows each item exactly once.
  await control.waitForFunction((n) => document.querySelectorAll('#items .item-row').length >= n, all.length, { timeout: 60_000 });
  await new Promise((r) => setTimeout(r, 1000));
  const rows = await texts(control, '#items .item-row .item-text');
  assert.deepEqual([...rows].sort(), [...all].sort(), 'the console shows every item exactly once');
}));
