// The worst realistic content, from the HYVINSIVI seminar programme (../shared/reference): the
// real 90-character title, a 200-character question with 300 characters of instructions, groups,
// six columns, 60-character items of Finnish compounds, a 14-item dot vote and a 10-option poll.
// Shared by the geometry tests (fit-*.mjs) and the fault test (faults.mjs), so every view is
// measured with the same content.

import { LAPTOP, addPrompt, createSession } from './lib.mjs';

/** The seminar's real title (90 characters). */
export const TITLE = 'Maakuntauudistus ja vahvistuvat yhteistyörakenteet sivistyksessä ja hyvinvoinnissa – HYVINSIVI Rovaniemi 24.5.2018';

/** A 200-character question (the facilitator's own words, as long as they get). */
export const QUESTION = fit(
  'Nuorten hyvinvoinnin edistäminen maakuntauudistuksen jälkeen: mitkä toimijat, verkostot ja yhdyspinnat pitäisi saada mukaan Ohjaamon yhteistyöhön, jotta yksikään nuori ei putoa palveluiden väliin Lapissa?',
  200,
);

/** 300 characters of instructions, the seminar's "HUOM!" included. */
export const INSTRUCTIONS = fit(
  'HUOM! Kirjatkaa aina yksi taho kerrallaan ja painakaa jokaisen jälkeen "Lähetä". Miettikää kuntien, maakunnan, järjestöjen, oppilaitosten ja yritysten toimijoita sekä etsivää nuorisotyötä. Valitkaa ensin sarake, johon vastauksenne kuuluu. Aikaa on viisi minuuttia, minkä jälkeen käymme vastaukset yhdessä läpi.',
  300,
);

/** Six columns (the most a brainstorm has). */
export const COLUMNS = [
  'Kunnan sivistystoimi', 'Maakunnan sosiaali- ja terveyspalvelut', 'Järjestöt ja seurakunnat',
  'Oppilaitokset', 'Työllisyyspalvelut', 'Muut toimijat',
];

/** Groups as the seminar's afternoon themes named them. */
export const GROUPS = ['Toimijat ja verkostot', 'Digitalisaation hyödyntäminen', 'Tiedon tuottaminen', 'Järjestöt ja yritykset', 'LAPE + Ohjaamo'];

/** Fourteen 60-character items made of Finnish compounds (the dot vote's ballot). */
export const ITEMS = [
  'Mielenterveyspalvelut ja päihdetyön matalan kynnyksen palvelut',
  'Etsivä nuorisotyö yhteistyössä Ohjaamon asiakasohjauksen kanssa',
  'Toisen asteen opiskeluhuolto ja opiskeluterveydenhuoltopalvelut',
  'Työllisyydenhoitoyksikkö ja kasvupalveluiden järjestäjäorganisaatio',
  'Lastensuojelun jälkihuolto ja sosiaalitoimen aikuissosiaalityö',
  'Kolmannen sektorin nuorisojärjestöt ja vapaaehtoistoiminnan verkostot',
  'Maahanmuuttajataustaisten nuorten kotoutumispalveluiden toimijat',
  'Kuntouttava työtoiminta ja ammatillinen kuntoutusohjaus yhdessä',
  'Ammattikorkeakoulun ja yliopiston opinto-ohjaajat ja uraohjaus',
  'Seurakuntien nuorisotyö ja diakoniatyön yhteisölliset palvelut',
  'Liikuntaneuvonta ja elintapaohjaus osana hyvinvointipalveluketjua',
  'Kulttuurihyvinvointi ja taiteen perusopetuksen oppilaitokset',
  'Poliisin ennaltaehkäisevä toiminta ja rikosseuraamuslaitos',
  'Yrittäjäjärjestöt ja työnantajien kesätyöpaikkaverkostot Lapissa',
];

/** Ten poll options. */
export const OPTIONS = [
  'Säännölliset johdon tapaamiset', 'Epävirallinen yhteydenpito', 'Yhteinen tilannekuva',
  'Toimialakohtainen yhteistyö', 'Jaettu ymmärrys reunaehdoista', 'Yhteiset asiakasprosessit',
  'Sopimuksellisuus', 'Yhteiskehittäminen', 'Tiedolla johtaminen', 'Jotain muuta',
];

/** `text` cut or padded (with its own words) to exactly `n` characters. */
function fit(text, n) {
  let s = text;
  while ([...s].length < n) s += ` ${text}`;
  return [...s].slice(0, n).join('').trimEnd().padEnd(n, '.');
}

/**
 * Sends `texts` as one participant over the page's own websocket (the wire protocol the phone
 * uses) into the open prompt, spread over the columns; resolves with the acked ids. Fast, so a
 * test can fill a board without typing 14 items.
 */
export async function sendItems(page, slug, texts, columns = 0) {
  return page.evaluate(async ({ slug, texts, columns }) => {
    const id = () => crypto.getRandomValues(new Uint8Array(16)).reduce((s, b, i) => s
      + ([4, 6, 8, 10].includes(i) ? '-' : '') + (i === 6 ? ((b & 15) | 64) : i === 8 ? ((b & 63) | 128) : b).toString(16).padStart(2, '0'), '');
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/${encodeURIComponent(slug)}`);
    const acked = [];
    await new Promise((resolve, reject) => {
      const pending = new Set();
      ws.onerror = () => reject(new Error('websocket error'));
      ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', protocol: 1, role: 'participant', participant_id: id(), last_seq: 0 }));
      ws.onmessage = (e) => {
        const m = JSON.parse(e.data);
        if (m.type === 'welcome') {
          if (!m.prompt) return reject(new Error('no open prompt'));
          texts.forEach((text, i) => {
            const item = id();
            pending.add(item);
            ws.send(JSON.stringify({ type: 'submit', id: item, prompt_id: m.prompt.id, text, ...(columns && { column: i % columns }) }));
          });
        } else if (m.type === 'ack' && pending.delete(m.id)) {
          acked.push(m.id);
          if (!pending.size) resolve();
        } else if (m.type === 'error') {
          reject(new Error(`submit refused: ${m.code}`));
        }
      };
    });
    ws.close();
    return acked;
  }, { slug, texts, columns });
}

/**
 * A session with the worst content, prepared at the console as a facilitator does: the groups,
 * then a brainstorm (question, instructions, six columns, 5 min, wall), a 10-option poll and a
 * 14-item dot vote on the brainstorm. The brainstorm is open and holds `ITEMS`; the console page
 * is returned still open. Returns `{ s, control }` (`s` as `createSession` gives it).
 */
export async function worstSession(browser, watch, prefix = 'pahin') {
  const s = await createSession(prefix, TITLE);
  const control = await watch.page(browser, 'control', LAPTOP);
  await control.goto(s.control);
  await control.waitForSelector('#conn[data-status="connected"]');
  for (const name of GROUPS) {
    await control.fill('#g-name', name);
    await control.press('#g-name', 'Enter');
  }
  await control.waitForFunction((n) => document.querySelectorAll('#groups > li').length === n, GROUPS.length);
  await addPrompt(control, { kind: 'brainstorm', title: QUESTION, instructions: INSTRUCTIONS, columns: COLUMNS, minutes: '5', wall: true });
  await addPrompt(control, { kind: 'poll', title: 'Mikä yhteistyön muoto on tärkein maakuntauudistuksen jälkeen?', options: OPTIONS });
  await addPrompt(control, { kind: 'dot_vote', title: 'Mitkä toimijat ovat tärkeimpiä? Jaa pisteesi.', source: `1. ${QUESTION}` });
  await control.click('#next');
  // The agenda marks the open prompt `is-open` (control.js `renderAgenda`).
  await control.waitForSelector('#agenda > li.is-open', { timeout: 10_000 });
  const acked = await sendItems(control, s.slug, ITEMS, COLUMNS.length);
  if (acked.length !== ITEMS.length) throw new Error(`only ${acked.length} of ${ITEMS.length} items acked`);
  return { s, control };
}

