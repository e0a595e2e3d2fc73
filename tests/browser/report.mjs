// Issue 7, the report: a short Finnish workshop (a brainstorm in two columns by two groups with a
// hidden item, a merge and participant markup; a poll; a scale; a word cloud; a dot vote) run over
// the real websocket protocol from a browser page, then the report downloaded with the facilitator
// key and opened in Chromium as the file it is: it renders with no console error, no request of
// any kind and no participant markup running; its SVG charts have a size; it prints to an A4 PDF.
// Writes target/screenshots/report.png (PAJA_SCREENSHOTS: another directory, e.g. docs/screenshots
// to refresh the screenshot the README shows) and the page and its PDF to target/report/.
//
//   node tests/browser/report.mjs http://127.0.0.1:PORT

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BASE, LAPTOP, createSession, inBrowser, texts } from './lib.mjs';

const SHOTS = process.env.PAJA_SCREENSHOTS || fileURLToPath(new URL('../../target/screenshots/', import.meta.url));
/** Where the downloaded page and its PDF are kept for a look (never committed). */
const OUT = fileURLToPath(new URL('../../target/report/', import.meta.url));

const HIDDEN = 'Asiaton viesti, joka piilotetaan';
const SCRIPT = '<script>window.__pwned = 1</script>';
const IMG = '"><img src=x onerror="window.__pwned = 2">';

/**
 * Runs in the page: facilitator and three phones over websockets, as the console and the phones
 * would send the same frames. Throws on any refused command.
 */
async function runWorkshop({ slug, key, SCRIPT, IMG, HIDDEN }) {
  const url = `${location.origin.replace(/^http/, 'ws')}/ws/${slug}`;
  const connect = (hello) => new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const waiting = new Map();
    const frames = [];
    const client = {
      frames,
      ask(frame) {
        const id = frame.id || crypto.randomUUID();
        const reply = new Promise((done) => waiting.set(id, done));
        ws.send(JSON.stringify({ ...frame, id }));
        return reply.then((r) => {
          if (r.type !== 'ack') throw new Error(`${JSON.stringify(frame)} → ${JSON.stringify(r)}`);
          return r;
        });
      },
      close: () => ws.close(),
    };
    let welcomed = false;
    ws.onopen = () => ws.send(JSON.stringify(hello));
    ws.onerror = () => reject(new Error(`websocket ${url} failed`));
    ws.onmessage = (m) => {
      const frame = JSON.parse(m.data);
      frames.push(frame);
      if (frame.type === 'welcome' && !welcomed) {
        welcomed = true;
        resolve(client);
      }
      if ((frame.type === 'ack' || frame.type === 'error') && waiting.has(frame.id)) {
        waiting.get(frame.id)(frame);
        waiting.delete(frame.id);
      }
    };
  });
  const fac = await connect({ type: 'hello', protocol: 1, role: 'facilitator', key, last_seq: 0 });
  const open = async (prompt) => {
    await fac.ask({ type: 'add_prompt', prompt });
    const id = fac.frames.filter((f) => f.type === 'prompt_added').at(-1).prompt.id;
    await fac.ask({ type: 'open_prompt', prompt_id: id });
    return id;
  };
  const submit = async (phone, prompt_id, text, column) => {
    const id = crypto.randomUUID();
    await phone.ask({ type: 'submit', id, prompt_id, text, ...(column === undefined ? {} : { column }) });
    return id;
  };

  await fac.ask({ type: 'add_group', name: 'Toimijat ja verkostot', color: '#1f77b4' });
  await fac.ask({ type: 'add_group', name: 'Digitaalisuus', color: '#2ca02c' });
  const phones = [];
  for (const group of ['g1', 'g1', 'g2']) {
    const phone = await connect({ type: 'hello', protocol: 1, role: 'participant', participant_id: crypto.randomUUID(), last_seq: 0 });
    await phone.ask({ type: 'choose_group', group_id: group });
    phones.push(phone);
  }
  const [a, b, c] = phones;

  const brainstorm = await open({
    kind: 'brainstorm',
    title: 'Mikä toimii nuorten palveluissa – ja mikä ei vielä?',
    instructions: 'Kirjatkaa yksi asia kerrallaan ja valitkaa sarake.',
    columns: ['Toimii nyt', 'Ei toimi vielä'],
    wall: true,
  });
  const ohjaamo = await submit(a, brainstorm, 'Ohjaamo – matalan kynnyksen palvelupiste', 0);
  const dup = await submit(c, brainstorm, 'Ohjaamo', 0);
  await submit(c, brainstorm, 'Etsivä nuorisotyö tavoittaa', 0);
  await submit(b, brainstorm, 'Koulujen ja sosiaalitoimen yhteiset tapaamiset', 0);
  const star = await submit(b, brainstorm, 'Tieto ei kulje koulun ja sote-palvelujen välillä', 1);
  await submit(a, brainstorm, 'Jonot nuorisopsykiatriaan', 1);
  await submit(c, brainstorm, SCRIPT, 1);
  await submit(c, brainstorm, IMG, 1);
  const hidden = await submit(a, brainstorm, HIDDEN, 1);
  await fac.ask({ type: 'hide_item', item_id: hidden });
  await fac.ask({ type: 'merge_items', into: ohjaamo, items: [dup] });
  await fac.ask({ type: 'star_item', item_id: star, starred: true });
  await b.ask({ type: 'like', item_id: ohjaamo, liked: true });
  await c.ask({ type: 'like', item_id: star, liked: true });

  const poll = await open({
    kind: 'poll',
    title: 'Millä sektorilla työskentelet?',
    options: ['Kunta', 'Hyvinvointialue', 'Järjestö', 'Valtio'],
  });
  for (const [phone, option] of [[a, 0], [b, 1], [c, 0]]) await phone.ask({ type: 'vote', prompt_id: poll, options: [option] });

  const scale = await open({
    kind: 'scale',
    title: 'Miten hyvin yhteistyö sujuu?',
    statements: ['Tieto kulkee toimijoiden välillä', 'Tavoitteet ovat yhteiset'],
    max: 5,
    min_label: 'Ei lainkaan',
    max_label: 'Erittäin hyvin',
  });
  for (const [phone, s, v] of [[a, 0, 2], [b, 0, 3], [c, 0, 2], [a, 1, 4], [b, 1, 5], [c, 1, 3]]) {
    await phone.ask({ type: 'rate', prompt_id: scale, statement: s, value: v });
  }

  const cloud = await open({ kind: 'word_cloud', title: 'Yksi sana hyvästä yhteistyöstä', max_answers: 3 });
  for (const [phone, word] of [[a, 'Luottamus'], [b, 'luottamus'], [c, 'Luottamus'], [a, 'Avoimuus'], [b, 'Yhteinen kieli'], [c, 'avoimuus']]) {
    await submit(phone, cloud, word);
  }

  const vote = await open({ kind: 'dot_vote', title: 'Mihin tartutaan ensin?', source: brainstorm, dots: 3, max_per_item: 2 });
  for (const [phone, item] of [[a, star], [a, star], [b, star], [b, ohjaamo], [c, ohjaamo]]) {
    await phone.ask({ type: 'place_dot', prompt_id: vote, item_id: item });
  }
  await fac.ask({ type: 'close_prompt', prompt_id: vote });
  for (const client of [fac, ...phones]) client.close();
}

test('the report opens, renders its charts and prints to PDF', { timeout: 240_000 }, () => inBrowser(async (browser, watch) => {
  const session = await createSession('raportti', 'HYVINSIVI – yhdyspinnat nuorten hyvinvoinnissa');
  const key = decodeURIComponent(new URL(session.control).hash.replace(/^#key=/, ''));
  assert.ok(key.length > 10, `a key in ${session.control}`);

  // The workshop, from a page of the service (same origin, so its CSP lets the socket through).
  const driver = await watch.page(browser, 'driver', LAPTOP);
  await driver.goto(`${BASE}/`);
  await driver.evaluate(runWorkshop, { slug: session.slug, key, SCRIPT, IMG, HIDDEN });

  // The download, as the control view fetches it: the key in the Authorization header.
  const response = await fetch(`${BASE}/api/sessions/${session.slug}/export.html`, {
    headers: { authorization: `Bearer ${key}` },
  });
  assert.equal(response.status, 200, await response.clone().text());
  assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
  const html = await response.text();
  const refused = await fetch(`${BASE}/api/sessions/${session.slug}/export.html`);
  assert.equal(refused.status, 401, 'no key, no report');

  // Opened as a file would be: nothing may be fetched, nothing may run.
  const report = await watch.page(browser, 'report', { viewport: { width: 1000, height: 900 } });
  const requests = [];
  report.on('request', (r) => requests.push(r.url()));
  await fs.promises.mkdir(SHOTS, { recursive: true });
  await fs.promises.mkdir(OUT, { recursive: true });
  const file = `${OUT}/report.html`;
  await fs.promises.writeFile(file, html);
  await report.goto(new URL(`file://${file}`).href);
  await report.waitForLoadState('load');
  assert.deepEqual(requests.filter((u) => !u.startsWith('file://')), [], 'the report fetched something');
  assert.equal(await report.evaluate(() => document.documentElement.lang), 'fi');
  assert.equal(await report.evaluate(() => window.__pwned), undefined, 'participant markup ran');
  assert.equal(await report.locator('img, script, iframe, object').count(), 0);

  // What a reader sees.
  assert.equal(await report.textContent('h1'), 'HYVINSIVI – yhdyspinnat nuorten hyvinvoinnissa');
  const headings = await texts(report, 'main h2');
  assert.deepEqual(headings.map((h) => h.replace(/\s+/g, ' ')), [
    '1. Mikä toimii nuorten palveluissa – ja mikä ei vielä?',
    '2. Millä sektorilla työskentelet?',
    '3. Miten hyvin yhteistyö sujuu?',
    '4. Yksi sana hyvästä yhteistyöstä',
    '5. Mihin tartutaan ensin?',
  ]);
  for (const text of [SCRIPT, IMG, 'Ohjaamo – matalan kynnyksen palvelupiste', 'Tieto ei kulje koulun ja sote-palvelujen välillä']) {
    assert.ok(await report.locator('.items .text', { hasText: text }).first().isVisible(), `${text} is not visible`);
  }
  assert.equal(await report.getByText(HIDDEN).count(), 0, 'a hidden item is in the report');
  assert.deepEqual(await texts(report, 'h3'), ['Toimii nyt', 'Ei toimi vielä', 'Tieto kulkee toimijoiden välillä', 'Tavoitteet ovat yhteiset']);
  const pollRows = await report.$$eval('#p2 tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  assert.deepEqual(pollRows, [['Kunta', '2', '67\u00a0%'], ['Hyvinvointialue', '1', '33\u00a0%'], ['Järjestö', '0', '0\u00a0%'], ['Valtio', '0', '0\u00a0%']]);

  // Charts: four SVGs (poll, two statements, dot vote), drawn with a size, bars to scale.
  const charts = await report.$$eval('svg', (svgs) => svgs.map((s) => {
    const r = s.getBoundingClientRect();
    return [r.width, r.height];
  }));
  assert.equal(charts.length, 4);
  for (const [w, h] of charts) assert.ok(w > 300 && h > 50, `a chart drawn at ${w}×${h}`);
  const bars = await report.$$eval('#p2 rect.bar', (rs) => rs.map((r) => r.getBoundingClientRect().width));
  assert.ok(Math.abs(bars[0] - 2 * bars[1]) < 1 && bars[1] > 50 && bars[2] === 0, `poll bars ${bars}`);
  const cloud = await report.$$eval('.cloud li', (ws) => ws.map((w) => [w.firstChild.nodeValue.trim(), parseFloat(getComputedStyle(w).fontSize)]));
  assert.equal(cloud[0][0], 'luottamus');
  assert.ok(cloud[0][1] > cloud.at(-1)[1], `the frequent word is bigger: ${JSON.stringify(cloud)}`);
  const ranking = await report.$$eval('#p5 tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  assert.deepEqual(ranking.slice(0, 2), [['1', 'Tieto ei kulje koulun ja sote-palvelujen välillä', '3'], ['2', 'Ohjaamo – matalan kynnyksen palvelupiste', '2']]);

  await report.screenshot({ path: `${SHOTS}/report.png`, fullPage: true, animations: 'disabled' });

  // Print: black on white, charts and tables kept whole; a PDF with pages.
  await report.emulateMedia({ media: 'print' });
  const print = await report.evaluate(() => ({
    color: getComputedStyle(document.body).color,
    chart: getComputedStyle(document.querySelector('.chart')).breakInside,
    heading: getComputedStyle(document.querySelector('main h2')).breakAfter,
  }));
  assert.deepEqual(print, { color: 'rgb(0, 0, 0)', chart: 'avoid', heading: 'avoid' });
  const pdf = await report.pdf({ format: 'A4', preferCSSPageSize: true });
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page\b/g) || []).length;
  assert.ok(pdf.length > 10_000 && pages >= 2, `a PDF of ${pdf.length} bytes, ${pages} pages`);
  await fs.promises.writeFile(`${OUT}/report.pdf`, pdf);
  assert.deepEqual(requests.filter((u) => !u.startsWith('file://')), [], 'printing fetched something');
}));
