// @ts-check
// The projector, wired: the join address and what the facilitator puts on it (the current
// prompt by default, the full-screen join page, or an earlier prompt) with, by kind, its wall of
// items (screen/wall.js) or, when the facilitator asks, its items by theme (screen/themes.js), poll bars, scale distributions, the word cloud or the dot-vote
// ranking, all fitted to the screen (screen/fit.js). Public, so it only shows what the screen
// role receives; its state is screen/store.js.
// `?group=g1` shows one group's items; `?theme=light` (or T, or the button) a light theme;
// `?lang=sv` (or the buttons) a language other than the session's; F (or the button) full screen.
import {
  $, t, el, setLang, lang, pickLang, onLang, slug, store as local, Conn, remaining, mmss, errorText, chip, isPublic,
  initLangSwitch, markRehearsal, reset,
} from './common.js';
import { activity, loadAll } from './activities/index.js';
import * as store from './screen/store.js';
import { createWall, textLang } from './screen/wall.js';
import { createFit } from './screen/fit.js';
import { byTheme, fitThemes } from './screen/themes.js';
import { createQuestions } from './screen/questions.js';
import { joinAddress } from './api.js';
import { stack, put, both } from './translate.js';

const { state, shows, LANG_KEY, chosenLang } = store;

// The projector may show any kind: all their modules before anything renders.
await loadAll();

/** The most dot-vote places the projector lists. */
const RANKED = 15;
// The join address as printed: the server's public host once known (the page may have been
// opened as 127.0.0.1 on the laptop that serves it).
let joinHost = location.host;
let join = `${joinHost}/${slug}`;
joinAddress().then((address) => {
  joinHost = address.host;
  join = `${joinHost}/${slug}`;
  render();
});
// The server draws the participant address as a QR code: in the band always, large between prompts.
const qr = `/${encodeURIComponent(slug)}/qr.svg`;
$('qr').src = qr;
$('idle-qr').src = qr;

const conn = new Conn(() => ({ type: 'hello', protocol: 1, role: 'screen', last_seq: state.seq }), onMessage);
conn.onStatus = renderConn;
conn.onRefused = (code) => { store.refuse(code); render(); };

const wall = createWall({
  changed: (stars) => {
    if (stars) wall.renderStars();
    renderHead();
    refit();
  },
});
// Questions to the speaker: the highlighted one and the top of the list (screen/questions.js).
const qa = createQuestions();

// A brainstorm shown by theme is drawn afresh at each fit (at most once a frame); else the wall.
const { refit } = createFit({ fitCards: () => (byTheme() ? fitThemes() : wall.fit()) });

/** @param {any} m a frame from the server */
function onMessage(m) {
  if (typeof m.seq === 'number' && m.type !== 'ack') store.seen(m.seq);
  const prompt = state.prompt;
  switch (m.type) {
    case 'welcome':
      store.welcome(m);
      markRehearsal(!!m.session.rehearsal);
      if (!chosenLang() && pickLang(m.session.language) !== lang) setLang(m.session.language);
      load(m.prompt, m.items, m.prompt && m.results[m.prompt.id]);
      break;
    case 'rehearsal':
      markRehearsal(m.on);
      refit();
      break;
    case 'session_reset':
      // Every answer is gone: the projector starts over from a fresh page.
      location.reload();
      break;
    case 'screen_changed':
      store.setView(m.view);
      // The same prompt stays on the stage (the join page went on or off): keep its cards,
      // only the view changes. Another prompt: lay it out, hidden or not, in one go.
      if (m.prompt && prompt && m.prompt.id === prompt.id) {
        store.updatePrompt(m.prompt);
        store.setResult(m.results[m.prompt.id] || null);
        render();
      } else load(m.prompt, m.items, m.prompt && m.results[m.prompt.id]);
      break;
    case 'languages_changed':
      // "fi + sv" on or off, or a new main language: the stage is laid out again in them.
      if (state.session) {
        state.session.language = m.language;
        state.session.screen_language = m.screen_language;
      }
      load(state.prompt, [...state.items.values()], state.result);
      break;
    case 'presence':
      store.presence(m.participants, m.groups);
      renderBand();
      renderPresence();
      break;
    case 'groups_changed':
      store.setGroups(m.groups);
      restack();
      renderBand();
      renderPresence();
      for (const i of state.items.values()) wall.put(i);
      break;
    case 'prompt_opened':
      // Showing an earlier prompt, the stage stays; the `screen_changed` that follows an
      // opening brings the new prompt.
      if (state.view.kind !== 'prompt') load(m.prompt, m.items || [], null);
      break;
    case 'prompt_updated':
    case 'prompt_closed':
      if (prompt && m.prompt.id === prompt.id) {
        // New columns, or new words for them in another language: the wall is laid out again.
        const relayout = String(m.prompt.columns) !== String(prompt.columns)
          || JSON.stringify(m.prompt.translations) !== JSON.stringify(prompt.translations);
        store.updatePrompt(m.prompt);
        if (relayout) load(m.prompt, [...state.items.values()], state.result);
        else {
          renderHead();
          renderChart();
          refit();
        }
      }
      break;
    case 'results':
      if (prompt && m.prompt_id === prompt.id) {
        store.setResult(m.results);
        renderChart();
        renderHead();
      }
      break;
    case 'item_added':
    case 'item_unhidden':
    case 'item_updated':
      if (prompt && m.item.prompt_id === prompt.id) {
        if (shows(m.item)) wall.put(m.item);
        else wall.drop(m.item.id);
        if (m.item.prompt_id === prompt.id && prompt.kind === 'questions') {
          qa.render();
          renderHead();
        }
      }
      break;
    case 'item_hidden':
    case 'item_removed':
    case 'item_erased':
      wall.drop(m.item_id);
      qa.render();
      break;
  }
}

/**
 * A new prompt (or a fresh welcome): lays out the stage for its kind.
 * @param {any} p
 * @param {any[]} list its items
 * @param {any} r its results
 */
function load(p, list, r) {
  store.stage(p, r);
  restack();
  wall.lay();
  reset($('chart'));
  for (const i of [...list].sort((a, b) => a.seq - b.seq)) if (shows(i)) wall.put(i, true);
  render();
}

/** The second language the facilitator stacks under the main one ("fi + sv"), for this stage. */
function restack() {
  const s = state.session;
  stack(state.prompt, state.groups, s ? s.language : 'fi', s ? s.screen_language : undefined);
  document.body.classList.toggle('stacked', !!(s && s.screen_language));
}

function render() {
  restack();
  const { session, prompt, refused, view } = state;
  $('refused').hidden = !refused;
  if (refused) $('refused').textContent = errorText(refused);
  renderBand();
  renderConn();
  // The join page: asked for, or nothing on the stage yet.
  const joining = !prompt || view.kind === 'join';
  $('idle').hidden = !session || !joining;
  $('live').hidden = joining;
  $('idle-title').textContent = session ? session.title : '';
  // Host and session name as two unbreakable pieces: a long address wraps at the slash only.
  if ($('idle-url').textContent !== join) {
    $('idle-url').replaceChildren(el('span', 'nowrap', joinHost), el('span', 'nowrap', `/${slug}`));
  }
  if (session) document.title = session.title;
  // Participants write in the session's language: hyphenation (where the browser can) follows it.
  $('live').lang = textLang();
  $('idle-title').lang = textLang();
  renderHead();
  renderPresence();
  renderChart();
  wall.renderStars();
  qa.render();
  refit();
}

function renderBand() {
  $('join-url').textContent = join;
  $('participants').textContent = t('screen.participants', { n: state.participants });
  const g = state.groups.find((x) => x.id === state.only);
  $('group-name').hidden = !g;
  if (g) $('group-name').replaceChildren(chip(g, both(g.name)));
}

function renderHead() {
  const { prompt, result: r } = state;
  if (!prompt) return;
  restack();
  $('live').classList.toggle('by-theme', byTheme());
  put($('q'), prompt.title);
  put($('instr'), prompt.instructions || '');
  $('instr').hidden = !prompt.instructions;
  $('closed').hidden = prompt.state !== 'closed';
  const unit = activity(prompt.kind);
  const secret = unit.results && !isPublic(prompt);
  $('rnote').hidden = !secret;
  $('rnote').textContent = t(prompt.show_results === 'hidden' ? 'screen.results_hidden' : 'screen.results_after');
  $('notes').hidden = secret === false && prompt.state !== 'closed';
  const n = !unit.results ? state.items.size : !r ? null : unit.answered(r);
  $('count').textContent = n === null ? ''
    : t(unit.results ? 'screen.answered' : 'screen.count', { n });
  wall.renderCounts();
  tick();
}

/** Participants online per group, when the prompt is done in groups. */
function renderPresence() {
  const { prompt, groups, present, only } = state;
  const box = $('presence');
  box.hidden = !prompt || !prompt.per_group || !groups.length;
  if (box.hidden) return;
  box.replaceChildren(...groups.filter((g) => !only || g.id === only).map((g) => {
    const li = el('li');
    li.append(chip(g, both(g.name)), present ? ` ${present[g.id] || 0}` : '');
    return li;
  }));
}

function renderChart() {
  const prompt = state.prompt;
  const box = $('chart');
  const k = prompt && prompt.kind;
  const unit = activity(k);
  box.hidden = !k || !unit.results;
  if (box.hidden) return;
  box.className = `chart ${k}`;
  const r = isPublic(prompt) ? state.result : null;
  // Bars shrink with their number so that all fit under the question.
  box.style.setProperty('--rows', String(unit.chartRows(prompt, RANKED) || 1));
  unit.chart(box, prompt, r, { ranked: RANKED });
  stackLabels(box);
  refit();
}

/**
 * The chart's option and statement labels and scale ends with the second language under each
 * (results.js draws them in the main language only; it is the phones' too).
 * @param {HTMLElement} box
 */
function stackLabels(box) {
  for (const e of box.querySelectorAll('.bar-label, .scale-statement, .scale-ends > span')) {
    const [, before, text] = /^(\d+ = )?([\s\S]*)$/.exec(e.firstChild ? e.firstChild.textContent || '' : '') || [];
    if (text) put(/** @type {HTMLElement} */ (e), text).prepend(before || '');
  }
}

function renderConn() {
  $('conn').dataset.status = conn.status;
  $('conn-text').textContent = t(`conn.${conn.status}`);
}

function tick() {
  const prompt = state.prompt;
  const ms = prompt && prompt.state === 'open' ? remaining(prompt) : null;
  const tm = $('timer');
  tm.hidden = ms === null;
  if (ms === null) return;
  tm.textContent = ms > 0 ? mmss(ms) : t('screen.time_up');
  tm.classList.toggle('up', ms <= 0);
}

/** @param {boolean} light the light theme on or off, remembered */
function theme(light) {
  document.body.classList.toggle('light', light);
  local.set('paja.theme', light ? 'light' : 'dark');
}

/** Full screen on or off (browsers allow it only from a key press or a click). */
function fullscreen() {
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  else document.documentElement.requestFullscreen?.().catch(() => {});
}

theme((store.askedTheme() || local.get('paja.theme')) === 'light');
$('theme').addEventListener('click', () => theme(!document.body.classList.contains('light')));
$('fullscreen').addEventListener('click', fullscreen);
addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const k = e.key.toLowerCase();
  if (k === 't') theme(!document.body.classList.contains('light'));
  else if (k === 'f') fullscreen();
});
setInterval(tick, 500);

/** The pending refit after a resize (the window settles first). */
const resizing = { timer: 0 };
addEventListener('resize', () => {
  clearTimeout(resizing.timer);
  resizing.timer = setTimeout(refit, 100);
});
onLang(() => load(state.prompt, [...state.items.values()], state.result));
initLangSwitch(LANG_KEY);
setLang(chosenLang() || 'fi');
render();
conn.connect();
