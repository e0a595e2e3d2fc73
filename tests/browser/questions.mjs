// Questions to the speaker as people use them (issue 17, part 2): a facilitator makes a
// pre-moderated Q&A that takes names at the laptop console; phones at 320×568 (fi) and
// 360×640 (sv, en) ask (one signs with a name) and see their own question "waiting for
// approval"; a moderator on a 360 px console (no horizontal overflow, tap targets ≥ 44 px)
// approves them; the phones upvote; 100 more phones (websockets driven from a page) vote at
// once, some taking a vote back; the projector at 1920×1080 then shows the export's top five
// with their counts. A vote arriving while a phone's list is held (a thumb on it) changes the
// count in place but not the order until the list is idle. The moderator highlights a
// question (large on the projector), marks it answered (it sinks, marked), merges a duplicate
// and hides one. Screenshots go to target/screenshots (PAJA_SCREENSHOTS: another directory).
//
//   node tests/browser/questions.mjs http://127.0.0.1:PORT

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BASE, LAPTOP, PROJECTOR, createSession, inBrowser } from './lib.mjs';

const SHOTS = process.env.PAJA_SCREENSHOTS || fileURLToPath(new URL('../../target/screenshots/', import.meta.url));
const PHONE_320 = { viewport: { width: 320, height: 568 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const PHONE_360 = { viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const TITLE = 'Kysymykset alustajalle: nuorten palvelut Lapissa';
/** Long Finnish questions, as a seminar's are. */
const ASKED = [
  ['fi', 'Miten hyvinvointialueen palveluverkkosuunnitelma huomioi pitkät välimatkat ja nuorten liikkumismahdollisuudet?', 'Maija'],
  ['sv', 'Hur säkerställer ni att tjänsterna finns på svenska i hela regionen?', null],
  ['en', 'How will the results of this seminar be used in next year\'s budget?', null],
];
/** Phones driven from a page at once. */
const BULK = 100;

async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
}

/** In a page: `n` participants over websockets, each liking the questions `pick(k)` names. */
function bulkVote({ slug, n, plans }) {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/${encodeURIComponent(slug)}`;
  const phone = (k) => new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const steps = plans[k];
    let next = 0;
    const send = () => {
      if (next === steps.length) { ws.close(); resolve(); return; }
      const [item, liked] = steps[next];
      ws.send(JSON.stringify({ type: 'like', id: `l${next}`, item_id: item, liked }));
    };
    ws.onerror = () => reject(new Error('websocket error'));
    ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', protocol: 1, role: 'participant', participant_id: crypto.randomUUID(), last_seq: 0 }));
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === 'welcome') send();
      else if (m.type === 'ack' && m.id === `l${next}`) { next += 1; send(); }
      else if (m.type === 'error') reject(new Error(`refused: ${m.code}`));
    };
  });
  return Promise.all(Array.from({ length: n }, (_, k) => phone(k)));
}

/** The session's export, as the facilitator downloads it. */
async function exported(s) {
  const key = new URL(s.control).hash.match(/key=([^&]+)/)[1];
  const r = await fetch(`${BASE}/api/sessions/${s.slug}/export.json`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(r.status, 200);
  return r.json();
}

/** Ranked as the projector ranks: unanswered first, most votes, oldest. */
const ranked = (items) => [...items].sort((a, b) => (!!a.answered - !!b.answered) || b.likes - a.likes
  || a.created_at.localeCompare(b.created_at) || a.seq - b.seq);

/** In a page: the ids of the phone's question rows, in order. */
const order = (page) => page.$$eval('.qa-list > li', (lis) => lis.map((li) => li.dataset.id));

test('questions: asked, moderated at 360 px, voted on by 100 phones, ranked on the projector', () => inBrowser(async (browser, watch) => {
  const s = await createSession('kysy', 'Nuorisoseminaari 2026');
  // The facilitator at the laptop: a pre-moderated Q&A that takes names, opened.
  const laptop = await watch.page(browser, 'laptop', LAPTOP);
  await laptop.goto(s.control);
  await laptop.waitForSelector('#conn[data-status="connected"]');
  await laptop.click('#new');
  await laptop.waitForSelector('#editor[open]');
  // Per group, ticked while the form was still a brainstorm, is neither offered nor sent for
  // questions (the server refuses a per-group Q&A, and the editor would stay open).
  await laptop.check('#e-per-group');
  await laptop.selectOption('#e-kind', 'questions');
  await laptop.fill('#e-title', TITLE);
  assert.ok(!(await laptop.isVisible('#e-per-group')), 'per group is not offered for questions');
  assert.ok(!(await laptop.isVisible('#e-wall')), 'the wall setting is not offered for questions (always on)');
  assert.ok(await laptop.isVisible('#e-qa-names'), 'the Q&A setting shows for questions');
  await laptop.check('#e-qa-names');
  await laptop.check('#e-premod');
  await laptop.click('#e-save');
  await laptop.waitForFunction(() => document.querySelectorAll('#agenda > li').length === 1 && !document.getElementById('editor').open);
  await laptop.click('#next');
  await laptop.waitForSelector('#agenda > li.is-open');

  const screen = await watch.page(browser, 'projector', PROJECTOR);
  await screen.goto(s.screen);
  await screen.waitForSelector('#qa:not([hidden])');

  // Phones in three languages ask; each sees its own question waiting for approval.
  const phones = [];
  for (const [lang, text, name] of ASKED) {
    const page = await watch.page(browser, `phone-${lang}`, { ...(lang === 'fi' ? PHONE_320 : PHONE_360), locale: lang });
    await page.goto(s.participant);
    await page.waitForSelector('.qa-tools');
    assert.equal(await page.textContent('#q'), TITLE);
    assert.ok(await page.isVisible('#qa-name'), 'the name field shows where names are taken');
    if (name) await page.fill('#qa-name', name);
    await page.fill('#text', text);
    await page.click('#send');
    const waiting = { fi: 'Odottaa hyväksyntää', sv: 'Väntar på godkännande', en: 'Waiting for approval' }[lang];
    const yours = { fi: 'Oma', sv: 'Eget', en: 'Yours' }[lang];
    await page.waitForFunction(([w, y]) => {
      const own = document.querySelector('.item.own');
      return !!own && own.textContent.includes(w) && own.textContent.includes(y);
    }, [waiting, yours]);
    phones.push({ lang, page });
  }
  await shot(phones[0].page, 'questions-phone-waiting-320');

  // The moderator on a phone-sized console approves them all.
  const mod = await watch.page(browser, 'moderator-360', PHONE_360);
  await mod.goto(s.control);
  await mod.waitForSelector('#conn[data-status="connected"]');
  await mod.waitForFunction(() => document.querySelectorAll('#queue > li').length === 3);
  const layout = await mod.evaluate(() => ({
    wide: document.documentElement.scrollWidth,
    inner: innerWidth,
    small: [...document.querySelectorAll('#queue .row-actions button, #queue .qa-merge')]
      .filter((b) => b.getBoundingClientRect().height < 44).map((b) => b.textContent),
  }));
  // A phone widens its layout viewport to fit what overflows: both must stay at 360.
  assert.ok(layout.wide <= 360 && layout.inner <= 360, `the 360 px console overflows: ${layout.wide}, ${layout.inner}`);
  assert.deepEqual(layout.small, [], 'tap targets under 44 px');
  await shot(mod, 'questions-console-360');
  while (await mod.locator('#queue [data-act="control.approve"]').count()) {
    await mod.locator('#queue [data-act="control.approve"]').first().click();
    await mod.waitForTimeout(100);
  }
  await mod.waitForFunction(() => document.querySelectorAll('#items > li').length === 3);
  for (const { page } of phones) await page.waitForFunction(() => document.querySelectorAll('.qa-list > li').length === 3 && !document.querySelector('.qa-item .tag + .tag, .item.own .tag:nth-child(2)'));
  // The named question shows its name on the projector and the phones.
  await screen.waitForFunction(() => document.querySelectorAll('#qa-list > li').length === 3);
  assert.ok((await screen.textContent('#qa-list')).includes('— Maija'), 'the name is on the projector');

  // Each phone votes for the others' questions (its own has no button).
  for (const { page } of phones) {
    assert.equal(await page.locator('.item.own .qa-vote').count(), 0, 'no vote on one\'s own');
    for (const b of await page.locator('.qa-vote').all()) {
      await b.click();
      await page.waitForTimeout(50);
    }
    await page.waitForTimeout(2100);
    assert.equal(await page.locator('.qa-vote[aria-pressed="true"]').count(), 2);
  }

  // A thumb on the sv phone's list: votes change counts in place, not the order.
  const doc = await exported(s);
  const items = doc.prompts[0].items;
  const sv = phones[1].page;
  await sv.waitForTimeout(2100);
  const still = await order(sv);
  const last = still[still.length - 1];
  await sv.dispatchEvent('.qa-list', 'pointerdown');
  const plans = Array.from({ length: BULK }, (_, k) => {
    // Everyone votes for the last one; a spread for the rest; every fourth takes one back.
    const steps = [[last, true]];
    for (const [q, i] of items.entries()) if (i.id !== last && (k + q) % (q + 2) === 0) steps.push([i.id, true]);
    if (k % 4 === 0 && steps.length > 1) steps.push([steps[1][0], false]);
    return steps;
  });
  // The facilitator's mouse rests on the console's list (ranked, Top): it holds still too.
  const rowIds = (page) => page.$$eval('#items > li', (lis) => lis.map((li) => li.dataset.id));
  await laptop.waitForFunction(() => document.querySelectorAll('#items > li').length === 3);
  assert.equal(await laptop.inputValue('#f-sort'), 'top', 'a Q&A lists Top first on the console');
  await laptop.hover('#items > li:first-child .item-text');
  const held = await rowIds(laptop);
  const started = Date.now();
  await laptop.evaluate(bulkVote, { slug: s.slug, n: BULK, plans });
  const took = Date.now() - started;
  await sv.waitForFunction((id) => +document.querySelector(`.qa-list > li[data-id="${id}"] [aria-hidden]`).textContent.replace(/\D/g, '') >= 100, last);
  assert.deepEqual(await order(sv), still, 'the order held while the list was touched');
  await sv.dispatchEvent('.qa-list', 'pointerup');
  await sv.waitForFunction((id) => document.querySelector('.qa-list > li').dataset.id === id, last, { timeout: 6000 });
  await sv.waitForTimeout(600);
  await shot(sv, 'questions-phone-sv-360');

  // The projector's top five (here: all three) with the export's counts.
  const after = (await exported(s)).prompts[0].items;
  const want = ranked(after).slice(0, 5).map((i) => [i.id, String(i.likes)]);
  await screen.waitForFunction((w) => {
    const rows = [...document.querySelectorAll('#qa-list > li')];
    return rows.length === w.length && rows.every((r, k) => r.querySelector('.qa-count').textContent === w[k][1]);
  }, want);
  const shown = await screen.$$eval('#qa-list .qa-q', (q) => q.map((x) => x.textContent.replace(/\u00ad/g, '')));
  assert.deepEqual(shown, ranked(after).slice(0, 5).map((i) => i.text));
  // The console ranks as the projector does: the moderator's (a touch screen) at once, the
  // laptop's once its mouse leaves the list (not a row moved under it meanwhile).
  const top = ranked(after).map((i) => i.id);
  assert.notDeepEqual(held, top, 'the votes changed the ranking');
  await mod.waitForFunction((w) => JSON.stringify([...document.querySelectorAll('#items > li')].map((li) => li.dataset.id)) === w, JSON.stringify(top), { timeout: 6000 });
  assert.deepEqual(await rowIds(laptop), held, 'the laptop\'s list held still under its mouse');
  await laptop.mouse.move(5, 5);
  await laptop.waitForFunction((w) => JSON.stringify([...document.querySelectorAll('#items > li')].map((li) => li.dataset.id)) === w, JSON.stringify(top), { timeout: 6000 });
  // Newest first at a choice.
  await mod.selectOption('#f-sort', 'new');
  const newest = [...after].filter((i) => !i.hidden && !i.merged_into).sort((a, b) => b.seq - a.seq).map((i) => i.id);
  assert.deepEqual(await rowIds(mod), newest);
  await mod.selectOption('#f-sort', 'top');
  console.log(`questions figure: ${BULK} phones' votes acked in ${took} ms; projector's top ${want.length}: ${want.map((w) => w[1]).join(', ')}`);

  // Highlight the top one: large on the projector, marked on phones.
  const topId = want[0][0];
  const topText = after.find((i) => i.id === topId).text;
  // A row by its own text (its "Merge into…" lists the others' texts too).
  const rowOf = (text) => mod.locator('#items > li').filter({ has: mod.locator('.item-text', { hasText: text }) });
  const row = (id) => rowOf(after.find((i) => i.id === id).text.slice(0, 30));
  await row(topId).locator('[data-act="control.qa_highlight"]').click();
  await screen.waitForFunction((t) => document.querySelector('.qa-now-q')?.textContent.replace(/\u00ad/g, '') === t, topText);
  await phones[2].page.waitForSelector('.item.now');
  await shot(screen, 'questions-projector-1080');
  // At 1280×720 too: the highlighted question and every listed row wholly on screen.
  const small = await watch.page(browser, 'projector-720', { viewport: { width: 1280, height: 720 } });
  await small.goto(s.screen);
  await small.waitForSelector('.qa-now-q');
  await small.waitForFunction(() => document.querySelectorAll('#qa-list > li').length >= 2);
  const cut = await small.evaluate(() => [...document.querySelectorAll('.qa-now, #qa-list > li')]
    .filter((e) => e.getBoundingClientRect().bottom > innerHeight + 0.5 || e.getBoundingClientRect().right > innerWidth + 0.5)
    .map((e) => e.textContent.slice(0, 40)));
  assert.deepEqual(cut, [], 'off the 720p projector');
  await shot(small, 'questions-projector-720');
  await small.context().close();
  // Answered: off the highlight, below the rest, marked.
  await row(topId).locator('[data-act="control.qa_answer"]').click();
  await screen.waitForFunction(() => document.getElementById('qa-now-box').hidden);
  await screen.waitForFunction(() => document.querySelector('#qa-list > li:last-child').classList.contains('answered'));
  await phones[0].page.waitForFunction(() => document.querySelector('.qa-list > li:last-child').classList.contains('answered'), null, { timeout: 6000 });

  // A duplicate from the fi phone, merged into the en question; then the sv one hidden.
  const fi = phones[0].page;
  await fi.fill('#text', 'Miten seminaarin tuloksia käytetään ensi vuoden talousarviossa?');
  await fi.click('#send');
  await mod.waitForSelector('#queue > li');
  await mod.locator('#queue [data-act="control.approve"]').click();
  const enId = after.find((i) => i.text.startsWith('How will')).id;
  await mod.waitForFunction(() => document.querySelectorAll('#items > li').length === 4);
  const dup = rowOf('Miten seminaarin tuloksia');
  await dup.locator('select.qa-merge').selectOption(enId);
  await mod.waitForFunction(() => document.querySelectorAll('#items > li').length === 3);
  const svId = after.find((i) => i.text.startsWith('Hur')).id;
  await row(svId).locator('[data-act="control.hide"]').click();
  for (const { page } of phones) await page.waitForFunction(() => document.querySelectorAll('.qa-list > li').length === 2, null, { timeout: 6000 });
  await screen.waitForFunction(() => document.querySelectorAll('#qa-list > li').length === 2);
  await shot(mod, 'questions-console-360-after');
  fs.mkdirSync(SHOTS, { recursive: true });
  await mod.locator('#mod').screenshot({ path: `${SHOTS}/questions-console-360-panel.png` });
  await shot(fi, 'questions-phone-fi-320');

  // Every export names the questions' state: the JSON as the server holds it.
  const final = (await exported(s)).prompts[0].items;
  const byId = new Map(final.map((i) => [i.id, i]));
  assert.equal(byId.get(topId).answered, true);
  assert.equal(byId.get(svId).hidden, true);
  assert.ok(final.some((i) => i.merged_into === enId));
  assert.equal(final.find((i) => i.text.startsWith('Miten hyvinvointialueen')).name, 'Maija');
}));
