// Issue 13, part 8: the facilitator's welcome carries only the newest 2,000 items; the console
// fetches the rest page by page, so the facilitator still sees every item. The session (more
// items than the welcome carries, in one open brainstorm) is made by tests/it/welcome_paging.rs,
// which passes its control address and item count.
//
//   PAJA_CONTROL=/slug/control#key=… PAJA_ITEMS=4500 node tests/browser/paging.mjs http://127.0.0.1:PORT

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, LAPTOP, Watch, launch } from './lib.mjs';

const CONTROL = process.env.PAJA_CONTROL || '';
const ITEMS = Number(process.env.PAJA_ITEMS || 0);

test('the console shows every item of a session larger than the welcome', { timeout: 180_000 }, async () => {
  assert.ok(CONTROL && ITEMS > 2000, 'PAJA_CONTROL and PAJA_ITEMS (> 2000) are set');
  const watch = new Watch();
  const browser = await launch();
  try {
    const control = await watch.page(browser, 'control', LAPTOP);
    // The pages the console asks for, per connection: on a loaded machine a ping can go
    // overdue and the console reconnect, and a fresh welcome rightly starts the paging again.
    // What must never happen is the same page asked twice on one connection.
    /** @type {string[][]} */
    const sockets = [];
    control.on('websocket', (ws) => {
      const asked = [];
      sockets.push(asked);
      ws.on('framesent', (f) => {
        if (typeof f.payload === 'string' && f.payload.includes('"type":"items"')) {
          asked.push(JSON.parse(f.payload).before);
        }
      });
    });
    await control.goto(BASE + CONTROL);
    await control.waitForSelector('#conn[data-status="connected"]');
    // The open brainstorm is selected: its list fills up to every item, each once.
    await control.waitForFunction(
      (n) => document.querySelectorAll('#items > li').length === n,
      ITEMS,
      { timeout: 60_000 },
    );
    const ids = await control.$$eval('#items > li', (rows) => rows.map((r) => r.textContent));
    assert.equal(ids.length, ITEMS);
    assert.equal(new Set(ids).size, ITEMS, 'no item twice');
    const pages = Math.ceil((ITEMS - 2000) / 2000);
    const last = sockets[sockets.length - 1];
    for (const asked of sockets) {
      assert.equal(new Set(asked).size, asked.length, `no page asked twice on one connection: ${asked.join(' ')}`);
    }
    // The connection that ended with every item asked for each page once (unless it resumed
    // with items already there, when it asked for the rest only).
    assert.ok(last.length <= pages, `at most one request per page: ${last.join(' ')}`);
    if (sockets.length === 1) assert.equal(last.length, pages, `one request per page: ${last.join(' ')}`);
    watch.assertClean(assert);
  } finally {
    await browser.close();
  }
});
