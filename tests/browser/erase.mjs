// Erasure as people do it (issue 13, part 5): a phone sends two texts and withdraws one (× and
// a confirmation); it leaves its list, the other phone's wall, the projector and the console.
// The facilitator erases another phone's text from the console with the keyboard only (Edit,
// Erase…, then the confirmation, Cancel first in focus); it leaves that phone's list, the walls and
// the projector. After a reload every page shows the same.
//
//   node tests/browser/erase.mjs http://127.0.0.1:PORT

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LAPTOP, PHONE, PROJECTOR, addPrompt, createSession, inBrowser, texts, axeViolations } from './lib.mjs';

const WITHDRAWN = 'Peruttava ajatus';
const KEPT = 'Pysyvä ajatus';
const ERASED = 'Poistettava ajatus';


/** Waits until `selector`'s texts on `page` are exactly `want` (any order). */
async function shows(page, selector, want) {
  await page.waitForFunction(
    ({ selector, want }) => {
      const got = [...document.querySelectorAll(selector)].map((n) => n.textContent).sort();
      return JSON.stringify(got) === JSON.stringify([...want].sort());
    },
    { selector, want },
  );
}

/** Sends `text` from a phone and waits until it is saved. */
async function send(phone, text) {
  const before = await phone.locator('#mine .item.saved').count();
  await phone.fill('#text', text);
  await phone.click('#send');
  await phone.waitForFunction((n) => document.querySelectorAll('#mine .item.saved').length === n, before + 1);
}

test('a withdrawn and an erased text leave every screen, also after a reload', { timeout: 240_000 }, () => inBrowser(async (browser, watch) => {
  const s = await createSession('poisto', 'Poistot');
  const control = await watch.page(browser, 'control', LAPTOP);
  await control.goto(s.control);
  await control.waitForSelector('#conn[data-status="connected"]');
  await addPrompt(control, { kind: 'brainstorm', title: 'Ideat', wall: true });
  await control.click('#next');

  const screen = await watch.page(browser, 'screen', PROJECTOR);
  await screen.goto(s.screen);
  await screen.waitForSelector('#live:not([hidden])');
  const phone = await watch.page(browser, 'phone', PHONE);
  await phone.goto(s.participant);
  await phone.waitForSelector('#form:not([hidden])');
  const other = await watch.page(browser, 'phone2', PHONE);
  await other.goto(s.participant);
  await other.waitForSelector('#form:not([hidden])');

  await send(phone, WITHDRAWN);
  await send(phone, KEPT);
  await send(other, ERASED);
  const all = [WITHDRAWN, KEPT, ERASED];
  await shows(screen, '#cards .card-item .card-text', all);
  await shows(control, '#items .item-row .item-text', all);
  await shows(other, '#wall .item-text', all);

  // The phone withdraws its first text: × asks first, Cancel keeps it.
  const mine = phone.locator('#mine .item', { hasText: WITHDRAWN });
  await mine.locator('button.withdraw').click();
  await mine.locator('.confirm').waitFor();
  await mine.locator('.confirm button.secondary').click();
  await mine.locator('button.withdraw').waitFor();
  await mine.locator('button.withdraw').click();
  await mine.locator('.confirm').waitFor();
  assert.deepEqual(await axeViolations(phone), [], 'the phone asking to withdraw');
  await mine.locator('.confirm button.danger').click();
  await shows(phone, '#mine .item-text', [KEPT]);
  await shows(screen, '#cards .card-item .card-text', [KEPT, ERASED]);
  await shows(control, '#items .item-row .item-text', [KEPT, ERASED]);
  await shows(other, '#wall .item-text', [KEPT, ERASED]);

  // The facilitator erases the other phone's text with the keyboard only.
  const row = control.locator('#items .item-row', { hasText: ERASED });
  await row.locator('[data-act="control.edit"]').focus();
  await control.keyboard.press('Enter');
  // The row is now its edit form (the text is in the text box), with Erase… beside Save.
  await control.locator('#items .edit-form [data-act="control.erase"]').focus();
  await control.keyboard.press('Enter');
  await row.locator('.confirm').waitFor();
  assert.deepEqual(await axeViolations(control), [], 'the console asking to erase');
  assert.equal(await control.evaluate(() => document.activeElement?.dataset.act), 'control.cancel_edit',
    'Cancel is in focus, so a slip of Enter erases nothing');
  await control.keyboard.press('Shift+Tab');
  assert.equal(await control.evaluate(() => document.activeElement?.dataset.act), 'control.erase_do');
  await control.keyboard.press('Enter');
  await shows(control, '#items .item-row .item-text', [KEPT]);
  await shows(screen, '#cards .card-item .card-text', [KEPT]);
  await shows(other, '#mine .item-text', []);
  await shows(other, '#wall .item-text', [KEPT]);
  await shows(phone, '#wall .item-text', [KEPT]);

  // A reload shows the same everywhere.
  for (const page of [control, screen, phone, other]) await page.reload();
  await control.waitForSelector('#conn[data-status="connected"]');
  await shows(control, '#items .item-row .item-text', [KEPT]);
  await shows(screen, '#cards .card-item .card-text', [KEPT]);
  await phone.waitForSelector('#form:not([hidden])');
  await shows(phone, '#mine .item-text', [KEPT]);
  await shows(phone, '#wall .item-text', [KEPT]);
  await other.waitForSelector('#form:not([hidden])');
  await shows(other, '#mine .item-text', []);
  for (const page of [control, screen, phone, other]) {
    const body = await page.evaluate(() => document.body.innerText);
    for (const gone of [WITHDRAWN, ERASED]) assert.ok(!body.includes(gone), `${gone} still shown`);
  }
  assert.deepEqual(await texts(phone, '#mine .item-text'), [KEPT]);
}));
