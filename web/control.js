// @ts-check
// The facilitator's console, wired: the connection and its frames into the store
// (control/store.js), and the views that redraw from it — the agenda (control/agenda.js), the
// groups (control/groups.js), the selected prompt's head and chart (control/head.js), its items
// and their moderation (control/items.js), a brainstorm's themes (control/themes.js), the notes on
// each prompt (control/notes.js), the editor, the export dialog, the Files menu and the
// keyboard shortcuts. The key comes from the URL fragment.
import {
  $, t, setLang, savedLang, lang, initLangSwitch, onLang, slug, Conn, errorText, applyLimits,
} from './common.js';
import { LIMITS } from './limits.js';
import { loadAll } from './activities/index.js';
import { bindKeys } from './control/keys.js';
import { createEditor } from './control/editor.js';
import { createExporter } from './control/exporter.js';
import * as store from './control/store.js';
import { createAgenda } from './control/agenda.js';
import { createGroups } from './control/groups.js';
import { createHead } from './control/head.js';
import { createItems } from './control/items.js';
import { createFiles } from './control/files.js';
import { createRehearsal } from './control/rehearsal.js';
import { createThemes } from './control/themes.js';
import { createNotes } from './control/notes.js';
import { createLanguages } from './control/languages.js';
import { fill } from './control/ui.js';
import { joinAddress } from './api.js';

const { state, sel, onScreen } = store;

applyLimits(LIMITS);
// The console shows every kind: all their modules before anything renders.
await loadAll();

const key = new URLSearchParams(location.hash.slice(1)).get('key') || '';
store.refuse(key ? null : 'key_required');
/** The last request id. */
let rid = 0;
let statusTimer = 0;
/** Request ids waiting for an answer, with what to do on the ack. */
const requests = new Map();

const conn = new Conn(
  () => ({ type: 'hello', protocol: 1, role: 'facilitator', key, last_seq: state.seq }),
  onMessage,
);
conn.onStatus = renderConn;
// Live again (a resume keeps the items already here): fetch the older items still missing.
conn.onLive = () => fetchItems();
conn.onRefused = (/** @type {string} */ code) => { store.refuse(code); renderAll(); };
// Commands on a socket that died may or may not have been applied: say so; the fresh welcome
// that follows shows the truth.
conn.onLost = (ids) => {
  if (ids.map(String).includes(pageId)) pageId = '';
  const lost = ids.filter((id) => requests.delete(id)).length > 0;
  if (lost) showStatus(errorText('connection_lost'));
  return lost;
};

/**
 * Sends a command with a fresh request id; `done` runs on its ack.
 * @param {object} message
 * @param {() => void} [done]
 */
function request(message, done) {
  const id = `r${++rid}`;
  requests.set(id, done);
  // While reconnecting a command waits for the connection (shown in the status), never lost.
  if (!conn.queue({ ...message, id })) renderConn();
}

/** The request id of the page of older items on its way ('' when none; answers to others are stale). */
let pageId = '';

/**
 * Asks for the next page of older items, if any are missing: the welcome carries only the
 * newest (docs/protocol.md, `items`). One page at a time; each answer asks for the next.
 */
function fetchItems() {
  if (state.itemsBefore == null || pageId) return;
  pageId = `i${++rid}`;
  if (!conn.send({ type: 'items', id: pageId, before: state.itemsBefore })) pageId = '';
}

/** @param {string} text a status line that goes away after ten seconds */
function showStatus(text) {
  $('status').textContent = text;
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => { $('status').textContent = ''; }, 10000);
}

/** @param {any} p opens a prompt, or closes it when open */
function toggleOpen(p) {
  if (p.state === 'open') request({ type: 'close_prompt', prompt_id: p.id });
  else request({ type: 'open_prompt', prompt_id: p.id });
}

/** @param {any} p shows it on the projector, or (already shown) goes back to following the current one */
function toggleScreen(p) {
  const view = onScreen(p) ? { kind: 'follow' } : { kind: 'prompt', prompt_id: p.id };
  request({ type: 'show_on_screen', view });
}

/** The join page on the projector, or back to following the current prompt. */
function toggleJoin() {
  request({ type: 'show_on_screen', view: { kind: state.screen.kind === 'join' ? 'follow' : 'join' } });
}

/** @param {string} id selects a prompt */
function select(id) {
  store.select(id);
  agenda.render();
  renderSelected();
}

const edit = (/** @type {any} */ p) => editor.start(p);
const agenda = createAgenda({ request, select, edit, toggleOpen });
const groups = createGroups({ request });
const head = createHead({ request, edit, toggleOpen, toggleScreen });
const items = createItems({ request, head: head.render, count: agenda.count, themes: () => themes.render() });
const themes = createThemes({ request, key, changed: () => items.render() });
const notes = createNotes({ request });
const files = createFiles({ key, request, status: showStatus });
const rehearsal = createRehearsal({ request, status: showStatus });
// The prompt editor (control/editor.js) and the export dialog (control/exporter.js).
const editor = createEditor({
  prompts: () => state.prompts, promptById: store.promptById, request, fill, main: () => (state.session ? state.session.language : 'fi'),
});
const languages = createLanguages({ request, session: () => state.session });
const exporter = createExporter({
  prompts: () => state.prompts, language: () => (state.session ? state.session.language : lang), download: files.download,
});

/** @param {any} m a frame from the server */
function onMessage(m) {
  if (typeof m.seq === 'number' && m.type !== 'ack') store.seen(m.seq);
  switch (m.type) {
    case 'welcome':
      store.welcome(m);
      rehearsal.set(!!m.session.rehearsal);
      if (!savedLang() && m.session.language !== lang) setLang(m.session.language);
      renderAll();
      languages.render();
      notes.resync();
      // Older items are fetched once the connection is live (`onLive`, right after this).
      pageId = '';
      break;
    case 'items':
      if (m.id !== pageId) break;
      pageId = '';
      store.addPage(m);
      renderAll();
      fetchItems();
      break;
    case 'presence':
      store.presence(m.participants, m.groups);
      renderTop();
      groups.renderPresence();
      break;
    case 'groups_changed':
      store.setGroups(m.groups);
      groups.render();
      renderSelected();
      break;
    case 'languages_changed':
      languages.changed(m);
      groups.render();
      break;
    case 'prompt_added':
      store.addPrompt(m.prompt);
      agenda.render();
      renderSelected();
      break;
    case 'agenda_reordered':
      store.reorder(m.order);
      agenda.render();
      break;
    case 'prompt_updated':
    case 'prompt_closed': {
      const was = store.promptById(m.prompt.id);
      store.replacePrompt(m.prompt);
      agenda.render();
      if (m.prompt.id !== state.selected) break;
      head.render();
      // Renamed, merged or removed themes: the rows name them.
      if (JSON.stringify(was && was.themes) !== JSON.stringify(m.prompt.themes)) items.render();
      else themes.render();
      break;
    }
    case 'notes_changed':
      notes.changed(m.prompt, m.notes);
      break;
    case 'rehearsal':
      rehearsal.set(m.on);
      break;
    case 'session_reset':
      rehearsal.reset();
      break;
    case 'prompt_opened':
      store.openPrompt(m.prompt);
      agenda.render();
      renderSelected();
      break;
    case 'screen_changed':
      store.setScreen(m.view);
      agenda.render();
      head.render();
      break;
    case 'prompt_deleted':
      store.deletePrompt(m.prompt_id);
      agenda.render();
      renderSelected();
      break;
    case 'results':
      store.setResults(m.prompt_id, m.results);
      agenda.count(m.prompt_id);
      if (m.prompt_id === state.selected) {
        head.renderChart();
        head.render();
      }
      break;
    case 'item_added':
    case 'item_unhidden':
    case 'item_updated':
      store.putItem(m.item);
      items.changed(m.item);
      break;
    case 'item_hidden': {
      const it = store.hideItem(m.item_id);
      if (it) items.changed(it);
      break;
    }
    case 'item_erased': {
      const it = store.eraseItem(m.item_id);
      if (it) items.erased(it);
      break;
    }
    case 'ack': {
      const done = requests.get(m.id);
      requests.delete(m.id);
      if (done) done();
      break;
    }
    case 'error':
      if (m.id) requests.delete(m.id);
      // A page refused (rate_limited): asked again when the connection is next live.
      if (m.id === pageId) pageId = '';
      if (conn.welcomed) {
        const detail = ['invalid_prompt', 'invalid_group'].includes(m.code) ? ` (${m.message})` : '';
        if (editor.isOpen()) editor.error(errorText(m.code) + detail);
        else showStatus(errorText(m.code) + detail);
      }
      break;
  }
}

function renderAll() {
  const refused = state.refused;
  document.body.classList.toggle('is-refused', !!refused);
  $('refused').hidden = !refused;
  $('console').hidden = !!refused;
  if (refused) $('refused-text').textContent = errorText(refused);
  renderTop();
  renderConn();
  agenda.render();
  groups.render();
  renderSelected();
}

function renderSelected() {
  head.render();
  head.renderChart();
  items.render();
  themes.render();
  notes.render();
}

/** The host participants join at: the server's public one once known (see api.js). */
let joinHost = location.host;
joinAddress().then((address) => {
  joinHost = address.host;
  renderTop();
});

function renderTop() {
  const title = state.session ? state.session.title : '';
  $('title').textContent = title;
  document.title = title ? t('control.title_with', { title }) : t('control.page_title');
  $('participants').textContent = t('control.participants', { n: state.participants });
  const join = $('join-url');
  join.href = `/${slug}`;
  join.textContent = `${joinHost}/${slug}`;
  $('screen-link').href = `/${slug}/screen`;
  const qr = `/${encodeURIComponent(slug)}/qr.svg`;
  $('qr-link').href = qr;
  if ($('qr').getAttribute('src') !== qr) $('qr').src = qr;
}

function renderConn() {
  $('conn').dataset.status = conn.status;
  const queued = conn.waiting.length;
  $('conn-text').textContent = t(`conn.${conn.status}`) + (queued ? ` – ${t('conn.queued', { n: queued })}` : '');
}

$('screen-follow').addEventListener('click', () => request({ type: 'show_on_screen', view: { kind: 'follow' } }));
$('next').addEventListener('click', () => request({ type: 'next_prompt' }));
$('join-screen').addEventListener('click', toggleJoin);

// Keyboard: N next, O open/close, J/K move the selection, E edit, T +1 min, L lock,
// S show the selected on the projector (again: follow), Q join page on or off, M the picked
// items into a theme.
bindKeys({
  n: () => request({ type: 'next_prompt' }),
  o: () => { const p = sel(); if (p) toggleOpen(p); },
  j: () => { const ps = state.prompts; const at = ps.indexOf(sel()); if (ps[at + 1]) select(ps[at + 1].id); },
  k: () => { const ps = state.prompts; const at = ps.indexOf(sel()); if (at > 0) select(ps[at - 1].id); },
  e: () => { const p = sel(); if (p) edit(p); },
  t: () => { const p = sel(); if (p && p.state === 'open' && p.time_limit_secs) request({ type: 'add_time', prompt_id: p.id, secs: 60 }); },
  l: () => { const p = sel(); if (p && p.state === 'open') request({ type: 'lock_prompt', prompt_id: p.id, locked: !p.locked }); },
  // A draft goes to the server too, which says why it cannot be shown.
  s: () => { const p = sel(); if (p) toggleScreen(p); },
  q: () => toggleJoin(),
  // The picked items into a theme: the menu of the selected brainstorm's themes.
  m: () => themes.openMove(),
}, () => editor.isOpen() || exporter.isOpen() || !!state.refused || !!document.querySelector('.pop:popover-open'));

setInterval(head.tick, 500);

initLangSwitch();
onLang(() => { head.redraw(); renderAll(); });
setLang(savedLang() || 'fi');
renderAll();
if (!state.refused) conn.connect();
