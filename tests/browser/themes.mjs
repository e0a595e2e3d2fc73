// Themes as a facilitator curates them live (issue 14, part 1), on a 1280×720 laptop: phones send
// items; the console makes themes, picks items with the keyboard (Space, then M and the menu)
// and by Shift+click, drags one onto a theme's chip, makes a theme from the picked items in one
// step, renames and merges themes, filters by theme and moves an item to another column and
// group from its edit form. Notes on the prompt are saved and come back after a reload. The
// projector, turned to "by theme", shows the headings with their counts, everything on screen at
// 1280×720, also with 8 themes × 6 items of long Finnish words; a 320 px phone is unaffected.
// Suggestions from the server are accepted with one click or ignored; none applies itself.
// Writes console-themes.png, projector-themes.png and projector-themes-720.png to target/screenshots
// (PAJA_SCREENSHOTS: another directory, e.g. docs/screenshots).
//
//   node tests/browser/themes.mjs http://127.0.0.1:PORT

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { PHONE, addPrompt, createSession, inBrowser, texts } from './lib.mjs';
import { sendItems } from './worst.mjs';

const SHOTS = process.env.PAJA_SCREENSHOTS || fileURLToPath(new URL('../../target/screenshots/', import.meta.url));
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SMALL = { viewport: { width: 1280, height: 720 } };

/** The first round: what a seminar's groups say about young people's wellbeing. */
const FIRST = [
  'Nuorten mielenterveyspalvelut lähemmäksi kouluja',
  'Nuorille maksuttomia harrastuksia joka kuntaan',
  'Digitaalinen ajanvaraus terveyspalveluihin',
  'Etäyhteydet harvaan asutuille alueille',
  'Nuorten osallisuus päätöksentekoon',
  'Ohjaamon palvelut myös verkossa',
];

/**
 * 48 long Finnish items (8 themes × 6): compounds of 20 letters and more, as the seminar's
 * programme writes them.
 */
const MANY = Array.from({ length: 48 }, (_, n) => [
  'Opiskeluterveydenhuoltopalvelujen saatavuus toisella asteella',
  'Lastensuojelunjälkihuollon yhteistyöverkostot maakunnassa',
  'Työllisyydenhoitoyksikön ja Ohjaamon asiakasohjausprosessit',
  'Mielenterveyspalvelujärjestelmän matalan kynnyksen toiminta',
  'Kolmannensektorintoimijoiden vapaaehtoistoiminnan verkostot',
  'Maahanmuuttajataustaisten nuorten kotoutumispalveluketjut',
][n % 6].concat(` ${n + 1}`));

const THEMES8 = ['Terveyspalvelut', 'Lastensuojelu', 'Työllisyyspalvelut', 'Mielenterveys', 'Järjestötoiminta',
  'Kotoutumispalvelut', 'Yhteistyörakenteet', 'Harrastusmahdollisuudet'];

/** axe's WCAG 2.1 A and AA violations on `page` as it is now (as a11y.mjs runs it). */
async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

/** The console's theme chips as `name n`, in order (the last is the items in no theme). */
const chips = (control) => control.$$eval('#theme-chips .theme-chip', (bs) => bs.map((b) => `${b.querySelector('.theme-chip-name').textContent} ${b.querySelector('.theme-chip-n').textContent}`));

/** Waits until the console's chips are `want`. */
async function chipsAre(control, want) {
  await control.waitForFunction((want) => JSON.stringify([...document.querySelectorAll('#theme-chips .theme-chip')]
    .map((b) => `${b.querySelector('.theme-chip-name').textContent} ${b.querySelector('.theme-chip-n').textContent}`)) === JSON.stringify(want), want)
    .catch(async (e) => { throw new Error(`chips ${JSON.stringify(await chips(control))}, want ${JSON.stringify(want)}: ${e.message}`); });
}

/** The row of the item `text` in the console's list. */
const row = (control, text) => control.locator('#items .item-row', { hasText: text });

/** Makes a theme from the panel (its name box, Enter), and waits for its chip. */
async function newTheme(control, name) {
  if (!(await control.isVisible('#theme-panel'))) await control.click('#themes-open');
  await control.fill('#theme-name', name);
  await control.press('#theme-name', 'Enter');
  await control.waitForFunction((name) => [...document.querySelectorAll('#theme-rows input')].some((i) => i.value === name), name);
}

/** The projector's blocks as `name n: items`. */
const blocks = (screen) => screen.$$eval('#themes .theme-block', (bs) => bs.map((b) => ({
  name: b.querySelector('.theme-name').textContent.replace(/\u00AD/g, ''),
  n: Number(b.querySelector('.theme-n').textContent),
  items: [...b.querySelectorAll('.theme-item')].map((i) => i.textContent.replace(/\u00AD/g, '')),
})));

/** Fails unless the projector's theme view is all on screen: no overflow, every word whole. */
async function assertFits(screen, when) {
  const r = await screen.evaluate(() => {
    const box = document.getElementById('themes');
    const rect = box.getBoundingClientRect();
    const words = [...box.querySelectorAll('.theme-name, .theme-item')].filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent);
    const outside = [...box.querySelectorAll('.theme-item, .theme-h')].filter((e) => {
      const b = e.getBoundingClientRect();
      return b.right > innerWidth + 0.5 || b.bottom > innerHeight + 0.5 || b.left < -0.5;
    }).length;
    return {
      overflow: box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1,
      words, outside, bottom: rect.bottom, size: parseFloat(getComputedStyle(box.querySelector('.theme-item') || box).fontSize),
      page: document.documentElement.scrollHeight > innerHeight || document.documentElement.scrollWidth > innerWidth,
    };
  });
  assert.equal(r.overflow, false, `${when}: the theme view overflows`);
  assert.deepEqual(r.words, [], `${when}: words stick out`);
  assert.equal(r.outside, 0, `${when}: items outside the screen`);
  assert.equal(r.page, false, `${when}: the projector page scrolls`);
  return r.size;
}

await inBrowser(async (browser, watch) => {
  const s = await createSession('teemat', 'Purku yhdessä');
  const control = await watch.page(browser, 'control', SMALL);
  await control.goto(s.control);
  await control.waitForSelector('#conn[data-status="connected"]');
  await control.fill('#g-name', 'Ryhmä A');
  await control.press('#g-name', 'Enter');
  await control.waitForFunction(() => document.querySelectorAll('#groups > li').length === 1);
  await addPrompt(control, { kind: 'brainstorm', title: 'Miten nuorten hyvinvointia edistetään Lapissa?', columns: ['Kunta', 'Maakunta'] });
  await control.click('#next');
  await control.waitForSelector('#agenda > li.is-open');

  const screen = await watch.page(browser, 'screen', SMALL);
  await screen.goto(s.screen);
  await screen.waitForSelector('#live:not([hidden])');
  const phone = await watch.page(browser, 'phone', { ...PHONE, viewport: { width: 320, height: 568 } });
  await phone.goto(s.participant);
  await phone.waitForSelector('#form:not([hidden])');
  assert.equal((await sendItems(phone, s.slug, FIRST, 2)).length, FIRST.length);
  await control.waitForFunction((n) => document.querySelectorAll('#items > li').length === n, FIRST.length);

  // No themes yet: no chips, no move button; the Themes button opens the panel.
  assert.equal(await control.isVisible('#themes-bar'), false);
  assert.equal(await control.isVisible('#to-theme'), false);
  // Suggestions: proposed by the server (shared stems: "Nuorten", "Nuorille"), nothing applied
  // until a click; one accepted is a theme with its items at once, the rest ignored.
  await control.click('#themes-open');
  await control.click('#theme-suggest');
  await control.waitForSelector('#suggestions .suggestion');
  assert.equal(await control.isVisible('#themes-bar'), false, 'a suggestion changes nothing by itself');
  const [, label, n] = /^(.*) \((\d+)\)$/.exec(await control.locator('#suggestions .suggestion-h').first().textContent());
  assert.ok(Number(n) >= 2, `suggestion ${label} of ${n}`);
  console.log(`suggestions: ${await control.locator('#suggestions .suggestion').count()}, the first "${label}" of ${n} items`);
  // Each click waits for its suggestion to leave the list before the next count: a count
  // taken while the accepted one is still on its way out clicked a vanished button (seen under load).
  const handled = async (act) => {
    const before = await control.locator('#suggestions .suggestion').count();
    await control.locator('#suggestions .suggestion').first().locator(`[data-act="${act}"]`).click();
    await control.waitForFunction((k) => document.querySelectorAll('#suggestions .suggestion').length < k, before);
  };
  await handled('control.suggestion_accept');
  await chipsAre(control, [`${label} ${n}`, `Ilman teemaa ${FIRST.length - Number(n)}`]);
  while (await control.locator('#suggestions .suggestion').count()) {
    await handled('control.suggestion_ignore');
  }
  assert.equal(await control.textContent('#suggest-status'), 'Kaikki ehdotukset käsitelty.');
  assert.equal(await control.locator('#theme-rows li').count(), 1, 'an ignored suggestion makes no theme');
  // Removed again: its items stay, in no theme.
  await control.locator('#theme-rows li').first().locator('[data-act="control.theme_remove"]').click();
  await control.waitForFunction(() => document.getElementById('themes-bar').hidden);
  await newTheme(control, 'Nuoret');
  await newTheme(control, 'Digi');
  await control.keyboard.press('Escape');
  await chipsAre(control, ['Nuoret 0', 'Digi 0', 'Ilman teemaa 6']);

  // Keyboard: Space picks two items, M opens the move menu, Down and Enter choose "Digi".
  await row(control, FIRST[2]).locator('input.pick').focus();
  await control.keyboard.press('Space');
  await row(control, FIRST[3]).locator('input.pick').focus();
  await control.keyboard.press('Space');
  await control.keyboard.press('m');
  await control.waitForSelector('#theme-move:popover-open');
  assert.equal(await control.evaluate(() => document.activeElement.dataset.act), 'control.move_to');
  await control.keyboard.press('ArrowDown');
  assert.equal(await control.evaluate(() => document.activeElement.textContent), 'Digi');
  await control.keyboard.press('Enter');
  await chipsAre(control, ['Nuoret 0', 'Digi 2', 'Ilman teemaa 4']);
  assert.equal(await row(control, FIRST[2]).locator('.tag.theme').textContent(), 'Digi');

  // Drag: an item onto "Nuoret".
  await row(control, FIRST[0]).dragTo(control.locator('#theme-chips .theme-chip', { hasText: 'Nuoret' }));
  await chipsAre(control, ['Nuoret 1', 'Digi 2', 'Ilman teemaa 3']);

  // Shift+click picks a range (the list is newest first: items 5, 4 and 3… of the unthemed).
  await row(control, FIRST[5]).locator('input.pick').click();
  await row(control, FIRST[4]).locator('input.pick').click({ modifiers: ['Shift'] });
  await control.waitForFunction(() => document.getElementById('to-theme').textContent.includes('(2)'));
  // "To theme" → a new theme made with the picked items in one command.
  await control.click('#to-theme');
  await control.fill('#move-name', 'Osallisuus');
  await control.press('#move-name', 'Enter');
  await chipsAre(control, ['Nuoret 1', 'Digi 2', 'Osallisuus 2', 'Ilman teemaa 1']);
  assert.equal(await control.isVisible('#to-theme'), false, 'the picks are done with');

  // Rename "Digi", then merge "Osallisuus" into "Nuoret" (its items follow).
  await control.click('#themes-open');
  const digi = control.locator('#theme-rows input').nth(1);
  await digi.fill('Digitalisaatio');
  await digi.press('Enter');
  await chipsAre(control, ['Nuoret 1', 'Digitalisaatio 2', 'Osallisuus 2', 'Ilman teemaa 1']);
  await control.locator('#theme-rows li').nth(2).locator('select').selectOption({ label: 'Nuoret' });
  await chipsAre(control, ['Nuoret 3', 'Digitalisaatio 2', 'Ilman teemaa 1']);
  // Reorder: "Digitalisaatio" up.
  await control.locator('#theme-rows li').nth(1).locator('[data-act="control.theme_up"]').click();
  await chipsAre(control, ['Digitalisaatio 2', 'Nuoret 3', 'Ilman teemaa 1']);
  assert.deepEqual(await axeViolations(control), [], 'the console with the themes panel open');
  fs.mkdirSync(SHOTS, { recursive: true });
  await control.screenshot({ path: `${SHOTS}/console-themes.png`, animations: 'disabled' });
  await control.keyboard.press('Escape');

  // Filter by a theme's chip, then back to all.
  await control.click('#theme-chips .theme-chip >> text=Nuoret');
  await control.waitForFunction(() => document.querySelectorAll('#items > li').length === 3);
  await control.click('#theme-chips .theme-chip >> text=Nuoret');
  await control.waitForFunction((n) => document.querySelectorAll('#items > li').length === n, FIRST.length);

  // Move an item to the other column and into the group, from its edit form.
  await row(control, FIRST[0]).locator('[data-act="control.edit"]').click();
  // The row is its edit form now (the text in a text box).
  const form = control.locator('#items .edit-form');
  await form.locator('select[data-act="control.move_column"]').selectOption({ label: 'Maakunta' });
  const editing = (want) => control.waitForFunction(([sel, text]) => document.querySelector('#items .edit-form')
    ?.closest('.item-row')?.querySelector(sel)?.textContent === text, want);
  await editing(['.tag.col', 'Maakunta']);
  await form.locator('select[data-act="control.move_group"]').selectOption({ label: 'Ryhmä A' });
  await editing(['.chip', 'Ryhmä A']);
  await form.locator('[data-act="control.cancel_edit"]').click();
  // The projector's wall has it in the second column.
  await screen.waitForFunction((t) => [...document.querySelectorAll('#cols .wall-col')][1]?.textContent.includes(t), FIRST[0]);

  // Notes: typed, saved (the state says so), still there after a reload.
  const NOTES = 'Purku: nuoret haluavat palvelut lähelle.\nSeuraavaksi: Ohjaamo mukaan.';
  await control.click('#notes-toggle');
  await control.fill('#notes', NOTES);
  await control.waitForFunction(() => document.getElementById('notes-state').textContent === 'Tallennettu');
  await control.reload();
  await control.waitForSelector('#conn[data-status="connected"]');
  await control.waitForFunction(() => document.getElementById('notes-toggle').textContent.includes('✓'));
  await control.click('#notes-toggle');
  assert.equal(await control.inputValue('#notes'), NOTES);
  await control.click('#notes-toggle');

  // By theme on the projector: headings with counts, the items in no theme last.
  await control.click('#by-theme');
  await screen.waitForSelector('#live.by-theme #themes .theme-block');
  await control.waitForSelector('#by-theme[aria-pressed="true"]');
  assert.deepEqual((await blocks(screen)).map((b) => `${b.name} ${b.n}`), ['Digitalisaatio 2', 'Nuoret 3', 'Muut 1']);
  assert.equal(await screen.isVisible('#cols'), false, 'the wall gives way');
  const first = await assertFits(screen, '3 themes');
  console.log(`projector 1280×720, 3 themes of 6 items: item text ${first} px`);
  assert.ok(first >= 24, `3 themes: item text ${first} px`);
  fs.mkdirSync(SHOTS, { recursive: true });
  await screen.screenshot({ path: `${SHOTS}/projector-themes.png` });

  // The worst: 8 themes × 6 long Finnish items, made as the facilitator does (the unthemed
  // filter, Shift+click six, "To theme", a new name).
  for (let k = 0; k < MANY.length; k += 12) assert.equal((await sendItems(phone, s.slug, MANY.slice(k, k + 12), 2)).length, 12);
  await control.waitForFunction((n) => document.querySelectorAll('#items > li').length === n, FIRST.length + MANY.length);
  await control.click('#theme-chips .theme-chip >> text=Ilman teemaa');
  for (const name of THEMES8) {
    const rows = control.locator('#items > li');
    await rows.nth(0).locator('input.pick').click();
    await rows.nth(5).locator('input.pick').click({ modifiers: ['Shift'] });
    await control.click('#to-theme');
    await control.fill('#move-name', name);
    await control.press('#move-name', 'Enter');
    await control.waitForFunction((name) => [...document.querySelectorAll('#theme-chips .theme-chip-name')].some((c) => c.textContent === name), name);
    await control.waitForFunction(() => document.getElementById('to-theme').hidden);
  }
  await control.click('#theme-chips .theme-chip >> text=Ilman teemaa');
  await screen.waitForFunction(() => document.querySelectorAll('#themes .theme-block').length === 11);
  const all = await blocks(screen);
  assert.deepEqual(all.slice(2, 10).map((b) => b.n), [6, 6, 6, 6, 6, 6, 6, 6]);
  assert.equal(all.reduce((n, b) => n + b.items.length, 0), FIRST.length + MANY.length, 'every item shown once');
  await screen.screenshot({ path: `${SHOTS}/projector-themes-720.png` });
  const worst = await assertFits(screen, '10 themes, 54 items');
  console.log(`projector 1280×720, 10 themes and 54 items: item text ${worst} px`);
  // 1.6 vh: 11.5 px here, 17 px on a 1080p projector, for 3,200 characters on one screen.
  assert.ok(worst >= 11.5, `10 themes: item text ${worst} px`);

  // The 320 px phone: no theme anywhere, nothing wider than the screen.
  const ph = await phone.evaluate(() => ({ wide: document.documentElement.scrollWidth, themes: document.body.innerText.includes('Digitalisaatio') }));
  assert.ok(ph.wide <= 320, `the phone is ${ph.wide} px wide`);
  assert.equal(ph.themes, false, 'a phone does not see themes');
  assert.ok(await phone.isVisible('#send'));
  assert.equal((await texts(control, '#theme-chips .theme-chip-name')).length, 11);
});
