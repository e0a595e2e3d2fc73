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
    // Every frame the console receives, to count the pages it asked for.
    const pages = [];
    const asked = [];
    control.on('websocket', (ws) => {
      ws.on('framereceived', (f) => {
        if (typeof f.payload === 'string' && f.payload.startsWith('{"type":"items"')) pages.push(f.payload.slice(0, 40));
      });
      ws.on('framesent', (f) => {
        if (typeof f.payload === 'string' && f.payload.includes('"type":"items"')) asked.push(f.payload);
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
    assert.equal(pages.length, Math.ceil((ITEMS - 2000) / 2000), `one request per page, no repeats: ${asked.join(' ')}`);
    watch.assertClean(assert);
  } finally {
    await browser.close();
  }
});
