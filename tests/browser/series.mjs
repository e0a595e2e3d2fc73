// Issue 14, part 3: a series as a person makes one. The start page creates a series and shows
// its private link once; the series page takes an agenda file as its template, makes a seminar
// from it (its control link shown once, the seminar listed with its counts), downloads that
// seminar's export with the series key, and the seminar's console opens with the copied agenda.
//
//   node tests/browser/series.mjs http://127.0.0.1:PORT

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { BASE, LAPTOP, inBrowser } from './lib.mjs';

const fi = JSON.parse(await readFile(new URL('../../web/i18n/fi.json', import.meta.url), 'utf8'));

const AGENDA = {
  format: 'paja-agenda',
  version: 1,
  title: 'HYVINSIVI',
  prompts: [
    { kind: 'brainstorm', title: 'Mitkä kysymykset ovat tärkeitä teemassanne?' },
    { kind: 'dot_vote', source: '@0', dots: 3, max_per_item: 2, title: 'Tärkeimmät kysymykset' },
  ],
};

test('a series is made on the start page and a seminar in it on the series page', { timeout: 180_000 }, async () => {
  await inBrowser(async (browser, watch) => {
    const title = `HYVINSIVI ${Math.floor(Math.random() * 1e6)}`;
    const start = await watch.page(browser, 'start', LAPTOP);
    await start.goto(`${BASE}/`);
    await start.click('#series-box summary');
    await start.fill('#s-title', title);
    await start.click('#s-submit');
    await start.waitForSelector('#series-created:not([hidden])');
    const link = await start.inputValue('#s-link');
    assert.match(link, new RegExp(`^${BASE}/series/hyvinsivi-\\d+#key=[0-9a-f]{48}$`));
    assert.ok(await start.isHidden('#series'), 'the form gives way to the link, shown once');

    const page = await watch.page(browser, 'series', LAPTOP);
    await page.goto(link);
    await page.waitForFunction((t) => document.getElementById('s-title')?.textContent === t, title);
    assert.equal(await page.textContent('#sessions-h'), fi['series.sessions_title']);
    assert.ok(await page.isVisible('#s-none'));
    assert.ok(await page.isVisible('#a-none'));

    // The template from an agenda file.
    await page.setInputFiles('#a-file', {
      name: 'hyvinsivi-agenda.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(AGENDA)),
    });
    await page.waitForFunction(() => document.querySelectorAll('#a-list > li').length === 2);
    assert.match(await page.textContent('#a-list'), /Mitkä kysymykset ovat tärkeitä teemassanne\?/);
    // Said in the page's language, also when the strings arrive after the answer.
    await page.waitForFunction((text) => document.getElementById('a-status')?.textContent === text, fi['series.agenda_set'].replace('{n}', '2'));

    // A seminar in the series: its control link once, then listed.
    await page.fill('#n-title', 'Rovaniemi 24.5.');
    await page.click('#n-submit');
    await page.waitForSelector('#created:not([hidden])');
    const control = await page.inputValue('#r-control');
    assert.match(control, new RegExp(`^${BASE}/rovaniemi-24-5(-\\d+)?/control#key=[0-9a-f]{48}$`));
    await page.waitForFunction(() => document.querySelectorAll('#s-rows > tr').length === 1);
    const row = await page.textContent('#s-rows');
    assert.match(row, /Rovaniemi 24\.5\./);
    assert.ok(!row.includes('control'), 'no way to the console from the series page');
    assert.equal(await page.$$eval('#s-rows a', (as) => as.length), 0);

    // The series key downloads the seminar's export.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#s-rows .series-exports button:first-child'),
    ]);
    assert.match(download.suggestedFilename(), /^rovaniemi-24-5(-\d+)?-\d{4}-\d{2}-\d{2}\.json$/);

    // The seminar's console has the template's agenda.
    const console_ = await watch.page(browser, 'control', LAPTOP);
    await console_.goto(control);
    await console_.waitForSelector('#conn[data-status="connected"]');
    await console_.waitForFunction(() => document.querySelectorAll('#agenda > li').length === 2);
    assert.match(await console_.textContent('#agenda'), /Tärkeimmät kysymykset/);
  });
});
