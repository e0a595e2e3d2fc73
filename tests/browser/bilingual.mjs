// Issue 17 §1: prompts in Finnish and Swedish at once, as people use them. The facilitator
// writes a 12-option poll (the most a poll has) with a 200-character question in Finnish and
// its Swedish twin beside it in the console's editor (side by side on a laptop), and sets the
// projector to "fi + sv". Phones at 320×568 and 360×640 in fi, sv and en: the Swedish phone
// reads Swedish (lang="sv"; the one option left without Swedish in Finnish, tagged), the English
// one Finnish with an "FI" tag (lang="fi"), the Finnish one Finnish without a tag; nothing is
// wider than the screen; the group picker names a group in the phone's language. The projector at 1920×1080 and
// 1280×720 stacks the Swedish under every Finnish text: the question, the instructions and
// every option on screen, the Swedish at least 70 % of the Finnish size, with its own lang; the
// facilitator turns stacking off and an open projector drops the Swedish at once.
// Writes bilingual-*.png to target/screenshots (or PAJA_SCREENSHOTS).
//
//   node tests/browser/bilingual.mjs http://127.0.0.1:PORT

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { LAPTOP, PHONE, PROJECTOR, createSession, inBrowser } from './lib.mjs';
import { COLUMNS, INSTRUCTIONS, ITEMS, OPTIONS, QUESTION, sendItems } from './worst.mjs';

const SHOTS = process.env.PAJA_SCREENSHOTS || fileURLToPath(new URL('../../target/screenshots/', import.meta.url));
const TITLE_SV = 'Att främja ungas välbefinnande efter landskapsreformen: vilka aktörer, nätverk och kontaktytor borde vara med i Navigatorns samarbete, så att ingen ung person faller mellan tjänsterna i Lappland?';
const INSTR_SV = 'OBS! Skriv alltid en aktör i taget och tryck på "Skicka" efter varje. Tänk på kommunernas, landskapets, organisationernas, läroanstalternas och företagens aktörer samt det uppsökande ungdomsarbetet.';
const OPTIONS_FI = [...OPTIONS, 'Yhteiset henkilöstökoulutukset', 'Alueelliset kehittämisverkostot'];
const OPTIONS_SV = [
  'Regelbundna ledningsmöten', 'Informella kontakter', 'Gemensam lägesbild', 'Branschvis samarbete',
  'Delad förståelse av ramvillkoren', 'Gemensamma kundprocesser', 'Avtalsbaserat samarbete', 'Samutveckling',
  'Kunskapsbaserad ledning', '', 'Gemensamma personalutbildningar', 'Regionala utvecklingsnätverk',
];
/** The option left without a Swedish text: shown in Finnish everywhere. */
const UNTRANSLATED = OPTIONS_SV.indexOf('');
/** The six columns of worst.mjs in Swedish. */
const COLUMNS_SV = [
  'Kommunens bildningsväsende', 'Landskapets social- och hälsovårdstjänster', 'Organisationer och församlingar',
  'Läroanstalter', 'Sysselsättningstjänster', 'Övriga aktörer',
];
const strip = (/** @type {string} */ s) => s.replace(/\u00AD/g, '');
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe's WCAG 2.1 A and AA violations on `page` as it is now (as a11y.mjs runs it), in the
 * elements matching `within` (default: the whole page).
 */
async function axeViolations(page, within = null) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  return page.evaluate(async (within) => {
    const r = await window.axe.run(within ? { include: within.map((w) => [w]) } : document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }, within);
}

async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/bilingual-${name}.png` });
}

test('a prompt in Finnish and Swedish on phones, the projector and the console', () => inBrowser(async (browser, watch) => {
  const s = await createSession('kaksikielinen', 'Nuorten palvelut Lapissa – Ungdomstjänster i Lappland');
  const control = await watch.page(browser, 'control', LAPTOP);
  await control.goto(s.control);
  await control.waitForSelector('#conn[data-status="connected"]');

  // The editor: the Swedish twin of each text beside it.
  await control.click('#new');
  await control.waitForSelector('#editor[open]');
  await control.selectOption('#e-kind', 'poll');
  await control.fill('#e-title', QUESTION);
  await control.fill('#e-instr', INSTRUCTIONS);
  await control.fill('#e-options', OPTIONS_FI.join('\n'));
  assert.ok(!(await control.isVisible('#e-title-tr')), 'no twin before a second language is chosen');
  await control.selectOption('#e-lang2', 'sv');
  await control.fill('#e-title-tr', TITLE_SV);
  await control.fill('#e-instr-tr', INSTR_SV);
  await control.fill('#e-options-tr', OPTIONS_SV.join('\n'));
  const [fi, sv] = await Promise.all(['#e-title', '#e-title-tr'].map((sel) => control.locator(sel).boundingBox()));
  assert.ok(sv.x >= fi.x + fi.width - 1 && Math.abs(sv.y + sv.height - (fi.y + fi.height)) < 40, `side by side: ${JSON.stringify([fi, sv])}`);
  assert.equal(await control.getAttribute('#e-title-tr', 'lang'), 'sv');
  // The console's strings may come after the editor opened: its labels follow them.
  await control.waitForFunction(() => /Svenska/.test(document.querySelector('label[for="e-title-tr"]').textContent));
  await shot(control, 'editor');
  // On a narrow console (a moderator's phone) the twin goes under its field.
  await control.setViewportSize({ width: 480, height: 800 });
  const [fiN, svN] = await Promise.all(['#e-title', '#e-title-tr'].map((sel) => control.locator(sel).boundingBox()));
  assert.ok(svN.y >= fiN.y + fiN.height - 1, `stacked when narrow: ${JSON.stringify([fiN, svN])}`);
  assert.ok(await control.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'the narrow editor fits its width');
  await shot(control, 'editor-narrow');
  await control.setViewportSize(LAPTOP.viewport);
  await control.click('#e-save');
  await control.waitForFunction(() => document.querySelectorAll('#agenda > li').length === 1 && !document.getElementById('editor').open);

  // The projector stacks Swedish; a group gets its Swedish name beside its Finnish one.
  await control.selectOption('#l-screen', 'sv');
  await control.fill('#g-name', 'Keskusta');
  await control.click('#gform button[type="submit"]');
  await control.waitForSelector('.group-row .group-tr[lang="sv"]');
  await control.fill('.group-row .group-tr[lang="sv"]', 'Centrum');
  await control.press('.group-row .group-tr[lang="sv"]', 'Tab');
  assert.deepEqual(await axeViolations(control, ['.languages-panel', '.groups-panel']), [], 'console: axe');
  await control.click('#next');
  await control.waitForSelector('#agenda > li.is-open');

  // Phones in three languages at two sizes.
  for (const size of [{ width: 320, height: 568 }, { width: 360, height: 640 }]) {
    for (const [locale, language] of [['fi-FI', 'fi'], ['sv-SE', 'sv'], ['en-GB', 'en']]) {
      const phone = await watch.page(browser, `phone-${language}-${size.width}`, { ...PHONE, viewport: size, locale });
      await phone.goto(s.participant);
      await phone.waitForFunction((n) => document.querySelectorAll('#choices .choice').length === n, OPTIONS_FI.length);
      // The phone's strings (and with them its language) load after its first render.
      await phone.waitForFunction((l) => document.documentElement.lang === l, language);
      const q = await phone.$eval('#q', (e) => ({ lang: e.lang, text: [...e.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('').trim(), tag: e.querySelector('.lang-tag')?.textContent || null }));
      const first = await phone.$eval('#choices .choice span', (e) => ({ lang: e.lang, text: e.textContent }));
      if (language === 'sv') {
        assert.deepEqual([q.lang, strip(q.text), q.tag], ['sv', TITLE_SV, null], `${language} ${size.width}`);
        assert.deepEqual([first.lang, strip(first.text)], ['sv', OPTIONS_SV[0]]);
        // The one option without Swedish: in Finnish, tagged, lang="fi".
        const other = await phone.$eval(`#choices .choice:nth-child(${UNTRANSLATED + 1}) span`, (e) => ({
          lang: e.lang, text: [...e.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('').trim(), tag: e.querySelector('.lang-tag')?.textContent || null,
        }));
        assert.deepEqual([other.lang, strip(other.text), other.tag], ['fi', OPTIONS_FI[UNTRANSLATED], 'FI']);
      } else {
        assert.deepEqual([q.lang, strip(q.text)], ['fi', QUESTION], `${language} ${size.width}`);
        assert.equal(q.tag, language === 'en' ? 'FI' : null, `${language}: the tag says the question is in Finnish`);
        assert.deepEqual([first.lang, strip(first.text)], ['fi', OPTIONS_FI[0]]);
      }
      const wide = await phone.evaluate(() => document.documentElement.scrollWidth - innerWidth);
      assert.ok(wide <= 0, `${language} at ${size.width}: ${wide} px wider than the screen`);
      if (language === 'en') {
        const tag = await phone.locator('#q .lang-tag').boundingBox();
        assert.ok(tag && tag.y + tag.height <= size.height && tag.x + tag.width <= size.width, `the FI tag is in view: ${JSON.stringify(tag)}`);
      }
      const off = await phone.evaluate(() => [...document.querySelectorAll('#q, .choice, .lang-tag')]
        .filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5).map((e) => e.textContent.slice(0, 30)));
      assert.deepEqual(off, [], `${language} at ${size.width}: nothing runs off the right edge`);
      await shot(phone, `phone-${language}-${size.width}`);
      if (size.width === 360) {
        // The group picker names the group in the phone's language where it has that name.
        await phone.click('#group-change');
        const chip = await phone.waitForSelector('#group-list .chip');
        assert.deepEqual(await chip.evaluate((e) => [e.textContent, e.lang]), language === 'sv' ? ['Centrum', 'sv'] : ['Keskusta', 'fi']);
        assert.deepEqual(await axeViolations(phone), [], `phone ${language}: axe`);
      }
      await phone.context().close();
    }
  }

  // The facilitator corrects the main language while a phone is open: the phone's tag and the
  // question's `lang` follow at once, without a reload (and back).
  const en = await watch.page(browser, 'phone-en-live', { ...PHONE, locale: 'en-GB' });
  await en.goto(s.participant);
  await en.waitForFunction(() => document.documentElement.lang === 'en' && document.querySelector('#q .lang-tag')?.textContent === 'FI');
  await control.selectOption('#l-main', 'sv');
  await en.waitForFunction(() => document.querySelector('#q .lang-tag')?.textContent === 'SV' && document.getElementById('q').lang === 'sv');
  await control.selectOption('#l-main', 'fi');
  await en.waitForFunction(() => document.querySelector('#q .lang-tag')?.textContent === 'FI' && document.getElementById('q').lang === 'fi');
  await en.context().close();
  // Swedish as the main language dropped the stacked Swedish: the projector's "fi + sv" again.
  await control.selectOption('#l-screen', 'sv');

  // The projector in "fi + sv" at 1080p and 720p: everything stacked and on screen.
  for (const [name, viewport] of [['1080', PROJECTOR.viewport], ['720', { width: 1280, height: 720 }]]) {
    const screen = await watch.page(browser, `screen-${name}`, { viewport });
    await screen.goto(s.screen);
    await screen.waitForFunction((n) => document.querySelectorAll('#chart .bar-label .second').length === n, OPTIONS_FI.length - 1);
    await screen.waitForSelector('#q .second');
    const geometry = await screen.evaluate(() => {
      const out = [];
      const size = (e) => parseFloat(getComputedStyle(e).fontSize);
      for (const e of document.querySelectorAll('#q, #instr, .bar-row')) {
        const r = e.getBoundingClientRect();
        if (r.top < -0.5 || r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5) out.push(`${e.id || e.className} off screen ${JSON.stringify(r)}`);
        if (e.scrollHeight > e.clientHeight + 1 && getComputedStyle(e).overflow !== 'visible') out.push(`${e.id || e.className} cut short`);
      }
      for (const s of document.querySelectorAll('.second')) {
        if (s.lang !== 'sv') out.push(`a second text without lang="sv": ${s.textContent.slice(0, 20)}`);
        if (size(s) < 0.7 * size(s.parentElement) - 0.01) out.push(`the Swedish under "${s.parentElement.firstChild.textContent.slice(0, 20)}" is ${size(s)} px of ${size(s.parentElement)}`);
      }
      const rows = [...document.querySelectorAll('.bar-row')].map((e) => e.getBoundingClientRect().bottom);
      return {
        out,
        smallest: Math.min(...[...document.querySelectorAll('.bar-label .second')].map(size)),
        label: Math.min(...[...document.querySelectorAll('.bar-label')].map(size)),
        question: [size(document.getElementById('q')), size(document.querySelector('#q .second'))],
        lastRow: Math.round(Math.max(...rows)),
      };
    });
    console.log(`measure: projector ${name}: question ${geometry.question.join('/')} px, options ${geometry.label}/${geometry.smallest} px (fi/sv), last option ends at ${geometry.lastRow} of ${viewport.height} px`);
    assert.deepEqual(geometry.out, [], `projector ${name}`);
    if (name === '1080') assert.ok(geometry.smallest >= 20, `the Swedish options are ${geometry.smallest} px at 1080p`);
    assert.equal(strip(await screen.$eval('#q .second', (e) => e.textContent)), TITLE_SV);
    await shot(screen, `projector-${name}`);
    if (name === '1080') assert.deepEqual(await axeViolations(screen), [], 'projector fi + sv: axe');
    if (name === '1080') {
      // Stacking off at the console: the open projector drops the Swedish at once.
      await control.selectOption('#l-screen', '');
      await screen.waitForFunction(() => !document.querySelector('.second'));
      await control.selectOption('#l-screen', 'sv');
      await screen.waitForSelector('#q .second');
    }
    await screen.context().close();
  }

  // The six-column brainstorm of worst.mjs with its columns in Swedish too, stacked at 1080p:
  // every heading shows both languages, and every card and heading is on screen.
  await control.click('#new');
  await control.waitForSelector('#editor[open]');
  await control.selectOption('#e-kind', 'brainstorm');
  await control.fill('#e-title', QUESTION);
  await control.fill('#e-columns', COLUMNS.join('\n'));
  await control.selectOption('#e-lang2', 'sv');
  await control.fill('#e-title-tr', TITLE_SV);
  await control.fill('#e-columns-tr', COLUMNS_SV.join('\n'));
  await control.click('#e-save');
  await control.waitForFunction(() => document.querySelectorAll('#agenda > li').length === 2 && !document.getElementById('editor').open);
  await control.click('#next');
  await control.waitForSelector('#agenda > li:nth-child(2).is-open');
  await sendItems(control, s.slug, ITEMS.slice(0, 12), 6);
  const screen = await watch.page(browser, 'screen-columns', { viewport: PROJECTOR.viewport });
  await screen.goto(s.screen);
  await screen.waitForFunction(() => document.querySelectorAll('.wall-col-name .second').length === 6);
  await screen.waitForFunction(() => document.querySelectorAll('.card-item').length >= 12);
  const off = await screen.evaluate(() => [...document.querySelectorAll('.wall-col-h, .card-item, #q')]
    .filter((e) => { const r = e.getBoundingClientRect(); return r.top < -0.5 || r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5; })
    .map((e) => e.textContent.slice(0, 30)));
  assert.deepEqual(off, [], 'six columns in fi + sv: everything on screen');
  const wide = await screen.evaluate(() => [...document.querySelectorAll('.second')]
    .filter((e) => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > e.parentElement.getBoundingClientRect().right + 1)
    .map((e) => e.textContent));
  assert.deepEqual(wide, [], 'no Swedish heading runs into the next column');
  const langs = await screen.$$eval('.wall-col-name .second', (es) => es.map((e) => e.lang));
  assert.deepEqual(langs, Array(6).fill('sv'));
  await shot(screen, 'projector-columns');
}));
