// Issue 14, part 4: two short seminars of one series, run as people run them, then compared.
// The start page makes the series; its page takes the template (a brainstorm answered in
// groups, then a dot vote on the brainstorm's themes) and makes two seminars from it. In each,
// phones at 360 px pick their group and send items (inflected forms across the seminars, one
// item in both); the console sorts them into themes (pick several → "To theme"), writes notes,
// opens the dot vote on the themes and the phones place their dots. The comparison report,
// downloaded from the series page, opens in Chromium: the shared prompt side by side, each
// seminar's counts as its own export says, the recurring item, the themes and the top-voted
// theme per seminar, the notes; it prints to an A4 PDF with nothing wider than the page. The
// other formats come with the series key.
// Writes comparison-report.png and series.png to target/screenshots (PAJA_SCREENSHOTS: another
// directory, e.g. docs/screenshots to refresh the README's), and the report and its PDF to
// target/report/.
//
//   node tests/browser/seminar_series.mjs http://127.0.0.1:PORT

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BASE, LAPTOP, PHONE, inBrowser, texts } from './lib.mjs';

const SHOTS = process.env.PAJA_SCREENSHOTS || fileURLToPath(new URL('../../target/screenshots/', import.meta.url));
/** Where the downloaded report and its PDF are kept for a look (never committed). */
const OUT = fileURLToPath(new URL('../../target/report/', import.meta.url));

const QUESTION = 'Mitkä asiat vaikuttavat nuorten hyvinvointiin?';
const VOTE = 'Mikä teemoista on tärkein?';
const AGENDA = {
  format: 'paja-agenda',
  version: 1,
  title: 'HYVINSIVI',
  prompts: [
    { kind: 'brainstorm', title: QUESTION, per_group: true },
    { kind: 'dot_vote', source: '@0', vote_on: 'themes', dots: 3, max_per_item: 2, title: VOTE },
  ],
};
const GROUPS = ['Ryhmä 1', 'Ryhmä 2'];
/** In both seminars, word for word: the report's recurring item. */
const RECURRING = 'Yksinäisyys';
/** A4 (210 mm) less the report's @page margins (14 mm each side), in CSS pixels. */
const A4_CONTENT = ((210 - 2 * 14) * 96) / 25.4;

/**
 * The two seminars: per phone its group and items; the themes the console makes (name → items);
 * the dots each phone places (theme → dots); the notes; the theme that wins the vote.
 */
const SEMINARS = [
  {
    title: 'Rovaniemi 24.5.',
    phones: [
      { group: 0, items: ['Nuorten syrjäytyminen', 'Harrastusten hinta'], dots: { Harrastukset: 2, Syrjäytyminen: 1 } },
      { group: 0, items: ['Mielenterveyspalvelujen jonot', RECURRING], dots: { Harrastukset: 2, Palvelut: 1 } },
      { group: 1, items: ['Harrastusmahdollisuudet maaseudulla', 'Koulukuraattorin saatavuus'], dots: { Syrjäytyminen: 2, Harrastukset: 1 } },
    ],
    themes: {
      Syrjäytyminen: ['Nuorten syrjäytyminen', RECURRING],
      Harrastukset: ['Harrastusten hinta', 'Harrastusmahdollisuudet maaseudulla'],
      Palvelut: ['Mielenterveyspalvelujen jonot', 'Koulukuraattorin saatavuus'],
    },
    notes: 'Purku: harrastusten hinta nousi esiin kaikissa ryhmissä.\nJatkoon: kunnan harrastustuki.',
    top: 'Harrastukset',
  },
  {
    title: 'Seinäjoki 3.5.',
    phones: [
      { group: 0, items: ['nuorille syrjäytymistä', RECURRING], dots: { Syrjäytyminen: 2, Koulu: 1 } },
      { group: 1, items: ['Syrjäytyminen', 'Koulun ilmapiiri'], dots: { Syrjäytyminen: 2, Koulu: 1 } },
      { group: 1, items: ['Kiusaaminen koulussa'], dots: { Koulu: 2, Syrjäytyminen: 1 } },
      { group: 0, items: ['Vanhempien jaksaminen'], dots: { Syrjäytyminen: 2, Koulu: 1 } },
      // Picks a group and says nothing: in the export's people, not among those who took part.
      { group: 1, items: [], dots: {} },
    ],
    themes: {
      Syrjäytyminen: ['nuorille syrjäytymistä', 'Syrjäytyminen', RECURRING, 'Vanhempien jaksaminen'],
      Koulu: ['Koulun ilmapiiri', 'Kiusaaminen koulussa'],
    },
    notes: 'Purku: syrjäytyminen ja yksinäisyys kulkevat yhdessä.',
    top: 'Syrjäytyminen',
  },
];

/** The console's row of the item whose text is exactly `text` (soft hyphens aside). */
const row = (control, text) => control.locator('#items .item-row').filter({
  has: control.locator('.item-text', { hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }),
});

/** Runs one seminar at its console with its phones; returns its slug. */
async function runSeminar(browser, watch, seminar, controlUrl) {
  const slug = new URL(controlUrl).pathname.split('/')[1];
  const control = await watch.page(browser, `${slug} console`, LAPTOP);
  await control.goto(controlUrl);
  await control.waitForSelector('#conn[data-status="connected"]');
  // The template's agenda was copied: the brainstorm and the dot vote.
  await control.waitForFunction(() => document.querySelectorAll('#agenda > li').length === 2);
  for (const [n, name] of GROUPS.entries()) {
    await control.fill('#g-name', name);
    await control.press('#g-name', 'Enter');
    await control.waitForFunction((n) => document.querySelectorAll('#groups > li').length === n, n + 1);
  }
  await control.click('#next');
  await control.waitForSelector('#agenda > li:nth-child(1).is-open');

  // The phones: a group first (the brainstorm is answered in groups), then their items.
  const phones = [];
  for (const [n, p] of seminar.phones.entries()) {
    const phone = await watch.page(browser, `${slug} phone ${n + 1}`, PHONE);
    await phone.goto(`${BASE}/${slug}`);
    await phone.waitForSelector('#groups:not([hidden]) #group-list button');
    await phone.locator('#group-list button', { hasText: GROUPS[p.group] }).click();
    await phone.waitForSelector('#form:not([hidden])');
    assert.equal((await phone.textContent('#q')).replace(/\u00AD/g, ''), QUESTION);
    for (const text of p.items) {
      await phone.fill('#text', text);
      await phone.click('#send');
    }
    if (p.items.length) await phone.waitForFunction((n) => document.querySelectorAll('#mine .item.saved').length === n, p.items.length);
    const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 360, `${slug} phone ${n + 1} is ${wide} px wide`);
    phones.push(phone);
  }
  const total = seminar.phones.reduce((n, p) => n + p.items.length, 0);
  await control.waitForFunction((n) => document.querySelectorAll('#items .item-row').length === n, total);

  // Themes: pick the theme's items, "To theme", a new name.
  for (const [name, items] of Object.entries(seminar.themes)) {
    for (const text of items) await row(control, text).locator('input.pick').check();
    await control.waitForFunction((n) => document.getElementById('to-theme').textContent.includes(`(${n})`), items.length);
    await control.click('#to-theme');
    await control.fill('#move-name', name);
    await control.press('#move-name', 'Enter');
    await control.waitForFunction(
      ([name, n]) => [...document.querySelectorAll('#theme-chips .theme-chip')].some((c) =>
        c.querySelector('.theme-chip-name').textContent === name && c.querySelector('.theme-chip-n').textContent === String(n)),
      [name, items.length],
    );
    await control.waitForFunction(() => document.getElementById('to-theme').hidden);
  }
  for (const [name, items] of Object.entries(seminar.themes)) {
    for (const text of items) assert.equal(await row(control, text).locator('.tag.theme').textContent(), name, text);
  }

  // Notes on the brainstorm, saved.
  await control.click('#notes-toggle');
  await control.fill('#notes', seminar.notes);
  await control.waitForFunction(() => document.getElementById('notes-state').textContent === 'Tallennettu');
  await control.click('#notes-toggle');

  // The dot vote on the themes: its ballot is the themes, in the facilitator's order.
  await control.click('#next');
  await control.waitForSelector('#agenda > li:nth-child(2).is-open');
  const names = Object.keys(seminar.themes);
  for (const [n, p] of seminar.phones.entries()) {
    const phone = phones[n];
    await phone.waitForFunction((n) => document.querySelectorAll('.ballot-item').length === n, names.length);
    const ballot = (await texts(phone, '.ballot-text')).map((x) => x.replace(/\u00AD/g, '').trim());
    assert.deepEqual(ballot, names, `${slug} phone ${n + 1}: the ballot is the themes`);
    let left = 3;
    for (const [theme, dots] of Object.entries(p.dots)) {
      for (let d = 0; d < dots; d += 1) {
        await phone.locator('.ballot-item').filter({ hasText: theme }).locator('button').nth(1).click();
        left -= 1;
        await phone.waitForFunction((n) => document.querySelector('.dots-left').textContent.includes(`${n} / 3`), left);
      }
    }
  }
  // Every dot at the console, the top first, before the vote is closed.
  const dots = {};
  for (const p of seminar.phones) for (const [theme, d] of Object.entries(p.dots)) dots[theme] = (dots[theme] || 0) + d;
  const want = Object.entries(dots).sort((a, b) => b[1] - a[1]).map(([theme, d]) => `${theme} ${d}`);
  assert.equal(want[0], `${seminar.top} ${dots[seminar.top]}`, `${slug}: the test's own top`);
  await control.waitForFunction((want) => [...document.querySelectorAll('#chart .rank-row')]
    .map((r) => `${r.querySelector('.rank-text').textContent.replace(/\u00AD/g, '')} ${r.querySelector('.rank-n').textContent.replace(/\D/g, '')}`)
    .join('|') === want.join('|'), want)
    .catch(async (e) => { throw new Error(`${slug}: console ranks ${await control.$eval('#chart', (c) => c.innerText)}, want ${want}: ${e.message}`); });
  await control.click('#sel-actions [data-act="control.close"]');
  await control.waitForSelector('#agenda > li:nth-child(2):not(.is-open)');
  for (const page of [control, ...phones]) await page.context().close();
  return slug;
}

/** The report's tables in a section: per row its header and cells (text, white space collapsed). */
function table(page, selector) {
  return page.$$eval(`${selector} tr`, (rows) => rows.map((r) => [...r.cells].map((c) => c.innerText.replace(/\s+/g, ' ').trim())));
}

test('two seminars of a series, run with phones and compared in a report that prints', { timeout: 240_000 }, () => inBrowser(async (browser, watch) => {
  fs.mkdirSync(SHOTS, { recursive: true });
  fs.mkdirSync(OUT, { recursive: true });

  // The series, made on the start page; its template from an agenda file on its page.
  const title = 'HYVINSIVI 2018';
  const start = await watch.page(browser, 'start', LAPTOP);
  await start.goto(`${BASE}/`);
  await start.click('#series-box summary');
  await start.fill('#s-title', title);
  await start.click('#s-submit');
  await start.waitForSelector('#series-created:not([hidden])');
  const link = await start.inputValue('#s-link');
  const key = new URLSearchParams(new URL(link).hash.slice(1)).get('key');
  const name = new URL(link).pathname.split('/')[2];
  await start.context().close();

  const page = await watch.page(browser, 'series', { viewport: { width: 1280, height: 800 } });
  await page.goto(link);
  await page.waitForFunction((t) => document.getElementById('s-title')?.textContent === t, title);
  await page.setInputFiles('#a-file', { name: 'hyvinsivi.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(AGENDA)) });
  await page.waitForFunction(() => document.querySelectorAll('#a-list > li').length === 2);

  const slugs = [];
  for (const seminar of SEMINARS) {
    await page.fill('#n-title', seminar.title);
    await page.click('#n-submit');
    await page.waitForSelector('#created:not([hidden])');
    await page.waitForFunction((n) => document.querySelectorAll('#s-rows > tr').length === n, slugs.length + 1);
    const control = await page.inputValue('#r-control');
    await page.evaluate(() => { document.getElementById('created').hidden = true; });
    slugs.push(await runSeminar(browser, watch, seminar, control));
  }

  // What each seminar's own export says (the series key reads it).
  const own = [];
  for (const slug of slugs) {
    const r = await fetch(`${BASE}/api/sessions/${slug}/export.json`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(r.status, 200, `${slug}: ${await r.clone().text()}`);
    const doc = await r.json();
    const visible = doc.prompts.flatMap((p) => p.items).filter((i) => !i.hidden && i.approved && !i.merged_into);
    // Who took part: wrote, liked or answered (as the session's own report counts them).
    const took = new Set([
      ...doc.prompts.flatMap((p) => p.items).flatMap((i) => [i.participant, ...(i.liked_by || [])]),
      ...doc.prompts.flatMap((p) => p.answers || []).map((a) => a.participant),
    ]);
    own.push({ participants: took.size, items: visible.length, mentioned: doc.participants.length });
  }
  SEMINARS.forEach((s, n) => {
    assert.equal(own[n].items, s.phones.reduce((k, p) => k + p.items.length, 0), `${s.title}: items in its export`);
    const quiet = s.phones.filter((p) => !p.items.length && !Object.keys(p.dots).length).length;
    assert.equal(own[n].participants, s.phones.length - quiet, `${s.title}: who took part, in its export`);
    assert.equal(own[n].mentioned, s.phones.length, `${s.title}: everyone in its export, the quiet one too`);
  });

  // The series page lists both with the same counts.
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll('#s-rows > tr').length === 2);
  const rows = await table(page, '#s-rows');
  SEMINARS.forEach((s, n) => {
    assert.match(rows[n][0], new RegExp(s.title.replace(/\./g, '\\.')));
    assert.deepEqual(rows[n].slice(2, 4), [String(own[n].participants), String(own[n].items)], `${s.title} on the series page`);
  });
  await page.screenshot({ path: `${SHOTS}/series.png`, fullPage: true, animations: 'disabled' });

  // The comparison report, as the series page downloads it.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-report="html"]')]);
  assert.match(download.suggestedFilename(), /\.html$/);
  const file = `${OUT}/seminar-series.html`;
  await download.saveAs(file);
  await page.context().close();

  const report = await watch.page(browser, 'report', { viewport: { width: 1280, height: 800 } });
  const requests = [];
  report.on('request', (r) => requests.push(r.url()));
  await report.goto(new URL(`file://${file}`).href);
  await report.waitForLoadState('load');
  assert.equal(await report.textContent('h1'), title);

  // Each seminar's counts: as its own export says.
  const sessions = await table(report, 'header table tbody');
  assert.deepEqual(sessions.map((r) => [r[0], r[2], r[3]]),
    SEMINARS.map((s, n) => [s.title, String(own[n].participants), String(own[n].items)]));

  // The brainstorm side by side: a column per seminar.
  const q1 = report.locator('section.prompt').filter({ has: report.locator('h2', { hasText: QUESTION }) });
  assert.equal(await q1.count(), 1, 'the brainstorm is a shared prompt');
  const head = await q1.locator('thead th').allInnerTexts();
  assert.deepEqual(head.slice(1), SEMINARS.map((s) => s.title), 'side by side');
  const brainstorm = await q1.evaluate((s) => Object.fromEntries([...s.querySelectorAll('tbody tr')]
    .map((r) => [r.cells[0].innerText.trim(), [...r.cells].slice(1).map((c) => c.innerText.replace(/\s+/g, ' ').trim())])));
  SEMINARS.forEach((s, n) => {
    assert.equal(brainstorm.Vastauksia[n], String(own[n].items), `${s.title}: the brainstorm's items`);
    assert.equal(brainstorm.Osallistujia[n], String(s.phones.filter((p) => p.items.length).length), `${s.title}: the brainstorm's participants`);
    for (const [theme, items] of Object.entries(s.themes)) {
      assert.ok(brainstorm.Teemat[n].includes(`${theme} (${items.length})`), `${s.title}: theme ${theme} in ${brainstorm.Teemat[n]}`);
    }
    assert.equal(brainstorm.Muistiinpanot[n], s.notes.replace(/\s+/g, ' '), `${s.title}: the notes`);
  });
  // The top-voted theme per seminar: the first of its "most dots" list, wherever the vote shows.
  const tops = await report.$$eval('section.prompt tbody tr', (rs) => rs.filter((r) => r.cells[0].innerText.trim() === 'Eniten pisteitä')
    .map((r) => [...r.cells].slice(1).map((c) => [...c.querySelectorAll('li')].map((li) => li.textContent))));
  assert.ok(tops.length >= 1, 'a row of the most dots');
  SEMINARS.forEach((s, n) => {
    // The dots each theme got, as the phones placed them.
    const dots = {};
    for (const p of s.phones) for (const [theme, d] of Object.entries(p.dots)) dots[theme] = (dots[theme] || 0) + d;
    const want = Object.entries(dots).sort((a, b) => b[1] - a[1]).map(([theme, d]) => `${theme} (${d})`);
    assert.equal(want[0], `${s.top} (${dots[s.top]})`, `${s.title}: the test's own top`);
    assert.ok(tops.some((t) => JSON.stringify(t[n]) === JSON.stringify(want)), `${s.title}: most dots ${JSON.stringify(tops.map((t) => t[n]))}, want ${JSON.stringify(want)}`);
  });
  // The recurring item, found in both.
  const recurring = await table(report, '#recurring tbody');
  console.log(`recurring: ${JSON.stringify(recurring)}`);
  const again = recurring.find((r) => r[0] === RECURRING);
  assert.ok(again, `${RECURRING} recurs: ${JSON.stringify(recurring)}`);
  assert.deepEqual(again.slice(2), ['2', '1', '1']);
  // Inflected forms across the seminars: "Nuorten syrjäytyminen" and "nuorille syrjäytymistä".
  const syrj = recurring.find((r) => r[1] === 'Vastaus' && /^(Nuorten syrjäytyminen|nuorille syrjäytymistä)$/.test(r[0]));
  assert.deepEqual(syrj?.slice(2), ['2', '1', '1'], `inflected forms recur: ${JSON.stringify(recurring)}`);
  assert.ok(recurring.some((r) => r[0] === 'Syrjäytyminen' && r[1] === 'Teema'), 'the shared theme recurs');
  await report.screenshot({ path: `${SHOTS}/comparison-report.png`, animations: 'disabled' });

  // Print: at the width of A4's content box nothing is wider than it; a PDF with pages.
  await report.setViewportSize({ width: Math.floor(A4_CONTENT), height: 1000 });
  await report.emulateMedia({ media: 'print' });
  const wide = await report.evaluate((max) => [...document.body.querySelectorAll('*')]
    .map((e) => [e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? `.${e.className}` : ''), e.getBoundingClientRect()])
    .filter(([, r]) => r.right > max + 0.5 || r.width > max + 0.5)
    .map(([tag, r]) => `${tag} ${Math.round(r.left)}–${Math.round(r.right)}`), A4_CONTENT);
  assert.deepEqual(wide, [], `wider than A4's ${A4_CONTENT.toFixed(0)} px content box in print`);
  const scroll = await report.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= Math.ceil(A4_CONTENT), `the printed page scrolls sideways: ${scroll} px`);
  const pdf = await report.pdf({ format: 'A4', preferCSSPageSize: true });
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page\b/g) || []).length;
  assert.ok(pages >= 1, `a PDF of ${pdf.length} bytes, ${pages} pages`);
  console.log(`comparison PDF: ${pdf.length} bytes, ${pages} pages`);
  fs.writeFileSync(`${OUT}/seminar-series.pdf`, pdf);
  assert.deepEqual(requests.filter((u) => !u.startsWith('file://')), [], 'the report fetched something');

  // The other formats, with the series key.
  const types = {
    md: 'text/markdown; charset=utf-8',
    csv: 'text/csv; charset=utf-8',
    xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    json: 'application/json',
  };
  for (const [ext, type] of Object.entries(types)) {
    const r = await fetch(`${BASE}/api/series/${name}/report.${ext}?lang=fi`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(r.status, 200, `report.${ext}`);
    assert.equal(r.headers.get('content-type'), type, `report.${ext}`);
    const body = Buffer.from(await r.arrayBuffer());
    if (ext === 'xlsx') assert.equal(body.subarray(0, 2).toString(), 'PK');
    if (ext === 'md') assert.ok(body.toString().includes(RECURRING));
    if (ext === 'json') assert.equal(JSON.parse(body.toString()).sessions.length, 2);
    if (ext === 'csv') {
      const lines = body.toString().replace(/^\uFEFF/, '').trim().split(/\r?\n/);
      const header = lines[0].split(';');
      const at = header.indexOf('session');
      assert.ok(at >= 0, `a session column: ${lines[0]}`);
      const inCsv = new Set(lines.slice(1).map((l) => l.split(';')[at]));
      assert.deepEqual([...inCsv].sort(), [...slugs].sort(), 'both seminars in the CSV');
      assert.equal(lines.length - 1, own[0].items + own[1].items, 'a row per visible item');
    }
  }
  const refused = await fetch(`${BASE}/api/series/${name}/report.html`);
  assert.equal(refused.status, 401, 'no key, no report');
}));
