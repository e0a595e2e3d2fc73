// Issue 11 §1: reconnection that always completes, in the real pages. One console, one projector
// and twelve phones, each in its own browser context, reach the real `paja` binary through a
// fault proxy (tests/it/fault_proxy.rs) and go through every fault of a seminar hall:
//
//   reset      every TCP connection reset at once
//   offline8   the browsers offline for 8 s (Chromium's offline mode, and the network swallowed)
//   offline60  the same for 60 s
//   blackhole  a network that swallows every packet for 30 s, while the pages think it is up
//   sigterm    the server stopped with SIGTERM and started again
//   sigkill    the server killed with SIGKILL and started again
//   sleep      the facilitator's laptop asleep for 2 minutes (console and projector frozen,
//              their network gone) while the phones keep sending
//
// During each fault every phone sends an item and the console hides one; after it, the script
// measures per view the time until it is usable again — a phone's queued item acked, the
// console's queued command in effect, the projector showing what it missed — from the moment the
// network returned (or the restarted server answered), and fails past 5 s (10 s for restarts).
// At the end every item is on the server exactly once, and on the console and the projector.
// Prints the table that docs/benchmarks.md quotes.
//
//   run by `cargo test --test field` (it starts the server and the proxy and
//   passes the proxy's control address in PAJA_FAULTS)

import assert from 'node:assert/strict';
import { BASE, LAPTOP, PHONE, PROJECTOR, addPrompt, createSession, inBrowser } from './lib.mjs';
import { TITLE } from './worst.mjs';

const CONTROL = process.env.PAJA_FAULTS;
if (!CONTROL) {
  console.error('PAJA_FAULTS (the fault proxy control address) is not set; run through cargo test');
  process.exit(2);
}
/** Phones in the room (the issue asks for at least twelve). */
const PHONES = 12;
/** Usable again within this after the network returns (ms). */
const NETWORK_BOUND = 5000;
/** Usable again within this after a restarted server answers (ms). */
const RESTART_BOUND = 10000;
/** How often the conditions are polled (ms): the resolution of the measured times. */
const POLL = 100;
/** While iterating: `PAJA_FAULTS_ONLY=reset,blackhole` runs only these faults (CI runs all). */
const ONLY = process.env.PAJA_FAULTS_ONLY?.split(',');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ctl = async (path) => {
  const r = await fetch(`${CONTROL}${path}`, { method: 'POST' });
  assert.equal(r.status, 200, `control ${path}: ${r.status}`);
  return r.json();
};

/** Resolves with the ms from `t0` until `fn(arg)` is true in `page`, or fails after `limit`. */
async function timeUntil(page, t0, fn, arg, limit = 60_000) {
  await page.waitForFunction(fn, arg, { polling: POLL, timeout: limit });
  return Date.now() - t0;
}

/** In a phone: whether its own item with this text shows as saved (acked). */
const savedIn = (text) => [...document.querySelectorAll('#mine li.item')]
  .some((li) => li.querySelector('.item-text')?.textContent.replace(/\u00AD/g, '') === text && li.classList.contains('saved'));

await inBrowser(async (browser, watch) => {
  // Chromium logs every failed websocket attempt as a console error: while the server is down
  // or the network swallowed, those are the point of the test. Anything else still fails it.
  watch.expect(/^WebSocket connection to '[^']+' failed: /);
  const s = await createSession('kentta', TITLE);
  const control = await watch.page(browser, 'console', LAPTOP);
  await control.goto(s.control);
  await control.waitForSelector('#conn[data-status="connected"]');
  await addPrompt(control, {
    kind: 'brainstorm',
    title: 'Nuorten hyvinvoinnin edistäminen – mitä toimijoita tulisi olla verkostossa mukana?',
    instructions: 'HUOM! Kirjatkaa aina yksi taho kerrallaan ja paina jokaisen jälkeen "Lähetä".',
  });
  await control.click('#next');
  await control.waitForSelector('#sel-state, #agenda > li', { timeout: 10_000 });

  const projector = await watch.page(browser, 'projector', PROJECTOR);
  await projector.goto(s.screen);
  await projector.waitForSelector('#conn[data-status="connected"]', { state: 'attached' });
  const phones = [];
  for (let n = 0; n < PHONES; n++) {
    const phone = await watch.page(browser, `phone${n + 1}`, PHONE);
    await phone.goto(s.participant);
    await phone.waitForSelector('#form:not([hidden])');
    phones.push(phone);
  }
  const everyone = [control, projector, ...phones];
  const contexts = (pages) => pages.map((p) => p.context());

  /** Every item text sent, and the ones the console hid (the projector must not show them). */
  const sent = [];
  const hidden = new Set();

  async function type(phone, text) {
    await phone.fill('#text', text);
    await phone.click('#send');
    sent.push(text);
  }

  /** The console hides `text` with its own button (queued while the connection is down). */
  async function hide(text) {
    const row = control.locator('#items li.item-row').filter({ has: control.getByText(text, { exact: true }) });
    await row.locator('[data-act="control.hide"]').click();
    hidden.add(text);
  }

  // A first round in calm weather: everything works before any fault.
  for (const [n, phone] of phones.entries()) await type(phone, `Alku – puhelin ${n + 1}`);
  await Promise.all(phones.map((p, n) => p.waitForFunction(savedIn, `Alku – puhelin ${n + 1}`, { polling: POLL })));

  /** Visible cards the projector must show now. */
  const shown = () => sent.filter((t) => !hidden.has(t));

  const results = [];
  /**
   * One fault: `inject` it; while it lasts (`hold` ms) every phone sends an item and the console
   * hides an earlier one (`console: 'during'`, once its status admits the trouble, or `'after'`,
   * for a console that was asleep); `heal` ends it and resolves with the moment the network is
   * back (or the restarted server answers). Then every view must be usable within `bound`.
   */
  async function fault(name, { inject, heal, hold, bound, console: when = 'during', waitDown = false, during }) {
    if (ONLY && !ONLY.includes(name)) return;
    const round = phones.map((_, n) => `${name} – puhelin ${n + 1}`);
    const victim = shown().filter((t) => !t.startsWith('Alku')).at(-1) || shown()[0];
    await inject();
    const started = Date.now();
    // Items typed while the network is down wait on the phones ("Odottaa yhteyttä").
    await Promise.all(phones.map((p, n) => type(p, round[n])));
    if (when === 'during') {
      // The console's command while it cannot reach the server: queued, never lost.
      if (waitDown) {
        await control.waitForFunction(() => document.getElementById('conn').dataset.status !== 'connected', null, { polling: POLL, timeout: 15_000 });
      }
      await hide(victim);
    }
    await during?.(started);
    const rest = hold - (Date.now() - started);
    if (rest > 0) await sleep(rest);
    const t0 = await heal();
    if (when === 'after') await hide(victim);
    const times = {};
    const expect = shown();
    await Promise.all([
      ...phones.map(async (p, n) => {
        times[`phone${n + 1}`] = await timeUntil(p, t0, savedIn, round[n]);
      }),
      (async () => {
        times.console = await timeUntil(control, t0, ({ victim, round }) => {
          const rows = [...document.querySelectorAll('#items li.item-row')];
          const row = rows.find((r) => r.querySelector('.item-text')?.textContent.replace(/\u00AD/g, '') === victim);
          const texts = new Set(rows.map((r) => r.querySelector('.item-text')?.textContent.replace(/\u00AD/g, '')));
          return !!row && row.classList.contains('is-hidden') && round.every((t) => texts.has(t))
            && document.getElementById('conn').dataset.status === 'connected';
        }, { victim, round });
      })(),
      (async () => {
        times.projector = await timeUntil(projector, t0, (want) => {
          const cards = [...document.querySelectorAll('.card-item .card-text')].map((c) => c.textContent.replace(/\u00AD/g, ''));
          return cards.length === want.length && want.every((t) => cards.includes(t));
        }, expect);
      })(),
    ]);
    const worst = Math.max(...Object.values(times));
    const phoneTimes = phones.map((_, n) => times[`phone${n + 1}`]).sort((a, b) => a - b);
    results.push({
      fault: name,
      phones_median_ms: phoneTimes[Math.floor(phoneTimes.length / 2)],
      phones_max_ms: phoneTimes[phoneTimes.length - 1],
      console_ms: times.console,
      projector_ms: times.projector,
      bound_ms: bound,
    });
    console.log(JSON.stringify(results[results.length - 1]));
    assert.ok(worst <= bound, `${name}: a view took ${worst} ms to be usable (bound ${bound} ms): ${JSON.stringify(times)}`);
    // And usable for what comes next: a fresh item from every phone is acked.
    const after = phones.map((_, n) => `${name} jälkeen – puhelin ${n + 1}`);
    await Promise.all(phones.map((p, n) => type(p, after[n])));
    await Promise.all(phones.map((p, n) => p.waitForFunction(savedIn, after[n], { polling: POLL, timeout: bound })));
  }

  /** Every view's connection status now. */
  const statuses = () => Promise.all(everyone.map((p) => p.getAttribute('#conn', 'data-status')));
  /** Fails unless every view's status is one of `allowed` by `at` ms after `started`. */
  async function statusBy(started, at, allowed, why) {
    const wait = started + at - Date.now();
    if (wait > 0) await sleep(wait);
    const now = await statuses();
    assert.ok(now.every((x) => allowed.includes(x)), `${why}: statuses ${now.join(', ')}, expected ${allowed.join(' or ')}`);
  }

  const offline = (secs) => ({
    hold: secs * 1000,
    // The device knows it is offline: every view says so ("your device is offline").
    during: (started) => statusBy(started, 1000, ['offline'], 'offline'),
    inject: async () => {
      await ctl('/blackhole/on');
      await Promise.all(contexts(everyone).map((c) => c.setOffline(true)));
    },
    heal: async () => {
      await ctl('/blackhole/off');
      await Promise.all(contexts(everyone).map((c) => c.setOffline(false)));
      return Date.now();
    },
    bound: NETWORK_BOUND,
  });

  await fault('reset', {
    hold: 0,
    inject: () => ctl('/reset'),
    heal: async () => Date.now(),
    bound: NETWORK_BOUND,
  });
  await fault('offline8', offline(8));
  await fault('offline60', offline(60));
  await fault('blackhole', {
    hold: 30_000,
    waitDown: true,
    inject: () => ctl('/blackhole/on'),
    heal: async () => { await ctl('/blackhole/off'); return Date.now(); },
    // The pages cannot know: within 3 s (plus the 0.5 s of this check's own polling) none says
    // "connected", and soon every one says the server cannot be reached.
    during: async (started) => {
      await statusBy(started, 3500, ['slow', 'reconnecting', 'unreachable'], 'blackhole, 3 s in');
      await statusBy(started, 15000, ['unreachable'], 'blackhole, 15 s in');
    },
    bound: NETWORK_BOUND,
  });
  for (const how of ['term', 'kill']) {
    await fault(`sig${how}`, {
      hold: 2000,
      waitDown: true,
      inject: () => ctl(`/stop/${how}`),
      // From the moment the new server serves.
      heal: async () => { await ctl('/start'); return Date.now(); },
      bound: RESTART_BOUND,
    });
  }
  // The laptop sleeps: console and projector frozen (no script runs, timers stopped) and
  // offline; the phones stay awake and keep sending. Awake again, the console acts at once.
  const laptop = [control, projector];
  const cdp = await Promise.all(laptop.map((p) => p.context().newCDPSession(p)));
  await fault('sleep', {
    hold: 120_000,
    console: 'after',
    inject: async () => {
      await Promise.all(contexts(laptop).map((c) => c.setOffline(true)));
      await Promise.all(cdp.map((c) => c.send('Page.setWebLifecycleState', { state: 'frozen' })));
    },
    heal: async () => {
      await Promise.all(cdp.map((c) => c.send('Page.setWebLifecycleState', { state: 'active' })));
      await Promise.all(contexts(laptop).map((c) => c.setOffline(false)));
      return Date.now();
    },
    bound: NETWORK_BOUND,
  });

  // Every item exactly once: on the server (the JSON export), the console and the projector.
  const key = s.control.split('#key=')[1];
  const r = await fetch(`${BASE}/api/sessions/${s.slug}/export.json`, { headers: { authorization: `Bearer ${key}` } });
  if (r.status === 200) {
    const doc = await r.json();
    const texts = doc.prompts.flatMap((p) => p.items).map((i) => i.text);
    const counts = new Map();
    for (const t of texts) counts.set(t, (counts.get(t) || 0) + 1);
    const doubled = [...counts].filter(([, n]) => n > 1);
    const missing = sent.filter((t) => !counts.has(t));
    assert.deepEqual(doubled, [], 'items stored twice');
    assert.deepEqual(missing, [], 'acked items missing on the server');
    assert.equal(texts.length, sent.length, 'the server holds exactly the items sent');
  } else {
    throw new Error(`export for the count: ${r.status} ${await r.text()}`);
  }
  // The last items were acked a moment ago: give the console and projector a moment to show them.
  await control.waitForFunction((n) => document.querySelectorAll('#items li.item-row .item-text').length >= n, sent.length, { polling: POLL, timeout: NETWORK_BOUND }).catch(() => {});
  await projector.waitForFunction((n) => document.querySelectorAll('.card-item .card-text').length >= n, shown().length, { polling: POLL, timeout: NETWORK_BOUND }).catch(() => {});
  const onConsole = await control.$$eval('#items li.item-row .item-text', (n) => n.map((x) => x.textContent.replace(/\u00AD/g, '')));
  assert.equal(new Set(onConsole).size, onConsole.length, 'an item twice on the console');
  assert.deepEqual([...onConsole].sort(), [...sent].sort(), 'the console lists every item once');
  const onScreen = await projector.$$eval('.card-item .card-text', (n) => n.map((x) => x.textContent.replace(/\u00AD/g, '')));
  assert.deepEqual([...onScreen].sort(), shown().sort(), 'the projector shows every visible item once');

  console.log('\nusable again after each fault (ms from the network back / the server answering):');
  console.table(results);
});
