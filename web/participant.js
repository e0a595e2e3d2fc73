// @ts-check
// The phone, wired: the current prompt as its kind asks — short texts (into columns, with the
// room's wall and likes), poll buttons, 1–N ratings, dots on a ballot — and the group picker.
// State lives in participant/store.js; the wall, the phone's own texts and the group picker
// are views of their own (participant/{wall,mine,groups}.js), the wall and the group picker
// loaded only when the session uses them. Texts go through a localStorage
// outbox that survives reloads and lost connections; every answer shows its fate (sending,
// saved, or refused and why), the last one in a line right under the box, so it is in view
// while typing the next one.
import {
  $, $$, t, setLang, savedLang, pickLang, lang, initLangSwitch, onLang, store as local, uuid,
  Conn, clock, remaining, mmss, errorText, applyLimits, markRehearsal, reset,
} from './common.js';
import { LIMITS } from './limits.js';
import { activity, load, ready } from './activities/index.js';
import * as store from './participant/store.js';
import { says, button, langOf, loc, useTranslate } from './participant/text.js';
import { createMine } from './participant/mine.js';

const { state, DRAFT, unit, texty, cols, open, canAnswer, maxLen, given, full } = store;

applyLimits(LIMITS);

/**
 * How long (ms) after voting the phone offers "Change / Undo" on a poll whose answers are
 * otherwise final: the server's window (POLL_GRACE_MS) less a second, as the phone counts
 * from sending and the server from receiving, on a clock synced only to within the latency.
 */
const GRACE_MS = LIMITS.poll_grace_ms - 1000;

/** Redraws the current prompt's answering view (its activity's `phone`). */
let refresh = () => {};
/** Loads translate.js (on demand: a first load does without it), then draws the prompt in the phone's language. */
const translate = () => import('./translate.js').then(useTranslate).then(again);
/** The current prompt as the server sent it, in every language (`state.prompt` is in this phone's). */
let raw = /** @type {any} */ (null);
/** @type {Map<string, [(() => void) | null | undefined, ((code: string) => void) | null | undefined]>} Requests waiting for their ack. */
const reqs = new Map();

const ta = $('text');
const sendBtn = $('send');
const colSel = $('col');

/** The first of the browser's languages that Paja speaks ("fi-FI" counts as fi), if any. */
const browserLang = () => [...(navigator.languages || []), navigator.language || '']
  .map((l) => l.slice(0, 2).toLowerCase())
  .find((l) => ['fi', 'sv', 'en'].includes(l));

/** @param {import('./participant/store.js').Queued} o */
const sendItem = (o) => conn.send({
  type: 'submit', id: o.id, prompt_id: o.prompt_id, text: o.text, ...(o.col != null && { column: o.col }),
  ...(o.name && { name: o.name }),
});

const conn = new Conn(
  () => ({ type: 'hello', protocol: 1, role: 'participant', participant_id: state.pid, last_seq: state.seq }),
  onMessage,
);
conn.onStatus = () => { mine.renderList(); renderConn(); };
// Votes, ratings, dots, likes and group choices on a socket that died: their fate is unknown, so
// they are undone here and the next connection brings a fresh welcome with the truth. Items
// need nothing: they stay in the outbox and go again (the server stores each id once).
conn.onLost = (ids) => {
  let lost = false;
  for (const id of ids) {
    const r = reqs.get(String(id));
    if (!r) continue;
    reqs.delete(String(id));
    r[1]?.('connection_lost');
    lost = true;
  }
  if (lost) say(errorText('connection_lost'));
  render();
  return lost;
};
// Usable again (a welcome, a resume, or a suspicion cleared): what the outbox holds goes again.
// The server stores each id once, so a resend of an item that did arrive is harmless.
conn.onLive = () => {
  for (const o of state.outbox) if (!conn.inflight.has(o.id)) sendItem(o);
  mine.renderList();
  renderConn();
};
conn.onRefused = (code) => { store.refuse(code); render(); };

const mine = createMine({ retry, withdraw, usable: () => conn.usable(), render });

/**
 * Views a phone needs only in some sessions, loaded on first use so that its first load stays
 * small: the wall (a prompt with the wall on, once it has items) and the group picker (a
 * session with groups). Each draws from the store once loaded, so nothing that came meanwhile
 * is lost; a failed load is tried again at the next redraw.
 */
const views = {
  /** @type {{ render(): void, update(m: any): void } | null} */
  wall: null,
  /** @type {{ render(): void } | null} */
  groups: null,
  /** @type {Promise<void> | null} */
  wallLoading: null,
  /** @type {Promise<void> | null} */
  groupsLoading: null,
};

/** The wall afresh, loading its module once there is something on it. */
function renderWall() {
  // A kind that draws the wall in its own view (questions) redraws it there.
  if (unit().ownWall) {
    $('wall').replaceChildren();
    $('wall-title').hidden = true;
    return refresh();
  }
  if (views.wall) views.wall.render();
  else if (state.wall.size) {
    views.wallLoading ||= import('./participant/wall.js').then((m) => {
      views.wall = m.createWall({ act });
      views.wall.render();
    }, () => { views.wallLoading = null; });
  }
}

/** The group line and picker, loading their module once the session has groups. */
function renderGroups() {
  if (views.groups) views.groups.render();
  else if (state.groups.length) {
    views.groupsLoading ||= import('./participant/groups.js').then((m) => {
      views.groups = m.createGroups({ act, chosen });
      views.groups.render();
    }, () => { views.groupsLoading = null; });
  }
}

/** A group chosen: what the server refused for want of one goes again. */
function chosen() {
  for (const i of [...state.items.values()]) if (i.state === 'error' && i.code === 'group_required') retry(i);
  // A per-group wall now shows the new group's items: the server sends them after the ack.
  render();
}

/** @param {any} m a frame from the server */
function onMessage(m) {
  if (m.type !== 'ack' && typeof m.seq === 'number') store.seen(m.seq);
  const prompt = state.prompt;
  switch (m.type) {
    case 'welcome': {
      store.welcome(m);
      markRehearsal(!!m.session.rehearsal);
      if (store.wasReset()) showReset();
      // The phone's language: the one chosen on it, else the browser's, else the session's.
      if (!savedLang() && !browserLang() && pickLang(m.session.language) !== lang) setLang(m.session.language);
      reqs.clear();
      show(m.prompt, m.mine || {}, m.prompt && m.results[m.prompt.id], m.wall);
      break;
    }
    case 'rehearsal':
      markRehearsal(m.on);
      break;
    case 'languages_changed':
      // The main texts' language: their tags and `lang` follow at once.
      store.setLanguage(m.language);
      if (prompt) {
        store.updatePrompt(loc(raw, translate));
        render();
      }
      break;
    case 'session_reset':
      // Every answer is gone on the server: the phone forgets its own too and starts over
      // from a fresh page (which says what happened).
      store.forgetAll(m.seq);
      location.reload();
      break;
    case 'resumed':
      // Back after a short break: missed events follow; the outbox goes again (`onLive`).
      break;
    case 'prompt_opened':
      clock.sync(m.server_time);
      show(m.prompt, {}, null, null);
      announce(t('participant.announce_new', { title: m.prompt.title }));
      break;
    case 'prompt_updated':
    case 'prompt_closed':
      if (prompt && m.prompt.id === prompt.id) {
        store.updatePrompt(loc(raw = m.prompt, translate));
        renderWall();
        render();
        if (m.type === 'prompt_closed') announce(t('participant.closed'));
      }
      break;
    case 'groups_changed':
      store.setGroups(m.groups);
      render();
      break;
    case 'results':
      if (prompt && m.prompt_id === prompt.id) {
        store.setResult(m.results);
        renderResults();
      }
      break;
    case 'wall':
      if (prompt && m.prompt_id === prompt.id) {
        store.wallFrame(m);
        if (views.wall && !unit().ownWall) views.wall.update(m);
        else renderWall();
      }
      break;
    case 'item_erased':
      // Withdrawn here or on another tab, or erased by the facilitator: gone from the list
      // of one's own and from the wall.
      if (store.erased(m.item_id)) {
        dropFromWall(m.item_id);
        render();
      }
      break;
    case 'ack': {
      const r = reqs.get(m.id);
      if (r) {
        reqs.delete(m.id);
        r[0]?.();
        update();
      } else if (store.itemSaved(m.id)) {
        mine.renderList();
        renderConn();
        announce(t('participant.saved'));
      }
      break;
    }
    case 'error': {
      if (m.code === 'group_required') store.groupRequired();
      const r = reqs.get(m.id);
      if (r) {
        reqs.delete(m.id);
        r[1]?.(m.code);
        say(errorText(m.code));
        render();
        break;
      }
      // `unavailable`: the server is restarting; the item stays queued for the next connection.
      if (!m.id || m.code === 'unavailable' || !store.itemRefused(m.id, m.code)) break;
      render();
      announce(errorText(m.code));
      break;
    }
  }
}

/** Says, once, that the facilitator reset the rehearsal and this phone's answers went. */
function showReset() {
  const note = $('reset-note');
  note.textContent = t('participant.reset_done');
  note.hidden = false;
  // The text box's draft went too (it was the rehearsal's).
  ta.value = '';
}

/** @param {string} id an erased item off the wall (only its node changes) */
function dropFromWall(id) {
  if (unit().ownWall) refresh();
  else if (views.wall) views.wall.update({ full: false, removed: [id], items: [] });
}

/**
 * Withdraws one of this phone's own texts (confirmed on the phone first).
 * @param {import('./participant/store.js').OwnItem} i
 */
function withdraw(i) {
  act({ type: 'withdraw', item_id: i.id }, () => {
    store.erased(i.id);
    dropFromWall(i.id);
    render();
    announce(t('participant.withdrawn'));
  });
}

/**
 * Sends a request with an id; `ok` runs on its ack, `fail` on its error. False if offline.
 * @param {object} frame
 * @param {(() => void) | null} [ok]
 * @param {((code: string) => void) | null} [fail]
 */
function act(frame, ok, fail) {
  const id = uuid();
  if (!conn.send({ ...frame, id })) {
    say(t('participant.offline'));
    return false;
  }
  reqs.set(id, [ok, fail]);
  return true;
}

/**
 * Shows a prompt (a new one, or the same after a reconnect) with the phone's own answers.
 * @param {any} p
 * @param {any} my
 * @param {any} r
 * @param {any[] | null} w the wall
 */
function show(p, my, r, w) {
  if (p && (!state.prompt || p.id !== state.prompt.id)) scrollTo(0, 0);
  store.setPrompt(loc(raw = p, translate), my, r);
  store.setWall(w || []);
  renderWall();
  const box = $('choices');
  box.replaceChildren();
  reset($('res-list'));
  refresh = () => {};
  if (p) {
    // The kind's module loads on first use; then the prompt is shown again as it is by then.
    if (!ready(p.kind)) load(p.kind).then(() => { if (state.prompt && state.prompt.id === p.id) again(); });
    const a = activity(p.kind);
    if (a.phone) refresh = a.phone(box, phoneContext);
    const c = cols();
    $('cols').hidden = !c.length;
    colSel.replaceChildren(new Option(t('participant.pick_column'), ''), ...c.map((name, i) => new Option(name, String(i))));
    colSel.lang = langOf(c[0] || '');
    ta.maxLength = maxLen();
    if (a.text) {
      ta.rows = a.text.rows;
      ta.classList.toggle('short', a.text.short);
      $('text-label').textContent = t(a.text.label);
    }
  }
  render();
}

/** Shows the current prompt again as it is (a module loaded, a new language). */
const again = () => show(raw, { ...state.mine, liked: [...state.mine.liked] }, state.result, [...state.wall.values()]);

/** What an activity's phone view reads and does (web/activities/activity.d.ts). */
const phoneContext = {
  get prompt() { return state.prompt; },
  get mine() { return state.mine; },
  act,
  say,
  canAnswer,
  button,
  says,
  graceMs: GRACE_MS,
  now: () => clock.now(),
  store,
};

/** @param {import('./participant/store.js').Queued} o a text into the outbox and onto the wire */
function queue(o) {
  store.queue(o);
  sendItem(o);
  mine.renderList();
  renderConn();
  update();
}

function submit() {
  const text = ta.value.trim();
  if (!canAnswer() || full()) return;
  const prompt = state.prompt;
  const c = cols().length ? state.col[prompt.id] : undefined;
  if (c === undefined && cols().length) {
    say(t('participant.pick_column_first'));
    colSel.focus();
    return;
  }
  if (text && [...text].length <= maxLen()) {
    // The facilitator asked for a fresh choice of column for every item.
    if (prompt.reset_column && cols().length > 1) store.setCol(undefined);
    queue({ id: uuid(), prompt_id: prompt.id, text, t: clock.now(), col: c, ...unit().submitExtra?.() });
    ta.value = '';
    local.del(DRAFT);
    count();
  }
  ta.focus();
}

/** @param {import('./participant/store.js').OwnItem} i a refused item, sent again */
function retry(i) {
  store.forget(i.id);
  // A conflicting id is someone else's: take a new one. Otherwise keep it, so a resend of an
  // item that did get stored is still stored once.
  const { state: _, code, ...o } = i;
  queue({ ...o, id: code === 'item_id_conflict' ? uuid() : i.id });
}

function render() {
  const { session, prompt, refused, group } = state;
  says($('title'), session ? session.title : '');
  if (session) document.title = session.title;
  $('refused').hidden = !refused;
  if (refused) $('refused').textContent = errorText(refused);
  $('waiting').hidden = !session || !!prompt;
  $('prompt').hidden = !prompt;
  if (prompt) {
    says($('q'), prompt.title);
    says($('instructions'), prompt.instructions);
    $('instructions').hidden = !prompt.instructions;
    $('closed').hidden = open();
    $('closed').textContent = t(prompt.state === 'open' ? 'participant.locked' : 'participant.closed');
    $('form').hidden = !texty() || prompt.state === 'closed' || (prompt.per_group && !group);
  }
  renderGroups();
  update();
  count();
  tick();
  mine.renderList();
  renderConn();
  fitAsk();
}

/**
 * Offers "Show more" when the question or its instructions are cut to their
 * first lines (on small screens and with the keyboard up, so the box and Send stay in view).
 */
function fitAsk() {
  const ask = $('ask');
  const opened = ask.classList.contains('open');
  const cut = [...$$(':scope > *', ask)].some((e) => !e.hidden && e.scrollHeight > e.clientHeight + 1);
  $('more').hidden = !state.prompt || (!opened && !cut);
  $('more').textContent = t(opened ? 'participant.less' : 'participant.more');
  $('more').setAttribute('aria-expanded', String(opened));
  $('ask-row').hidden = $('more').hidden === true && $('timer').hidden === true;
}

/** Redraws what answering changes: buttons, counters, the note and results. */
function update() {
  const prompt = state.prompt;
  if (!prompt) return;
  refresh();
  if (texty()) {
    ta.disabled = sendBtn.disabled = !canAnswer() || full();
    const c = state.col[prompt.id];
    colSel.value = c === undefined ? '' : String(c);
    colSel.disabled = !canAnswer();
    // Where the item goes, on the button that sends it.
    const to = $('send-col');
    to.hidden = !cols().length;
    to.classList.toggle('none', c === undefined);
    to.textContent = c === undefined ? t('participant.send_no_column') : t('participant.send_to', { column: cols()[c] });
    $('hint').textContent = unit().text?.hint(given(), prompt) ?? '';
  }
  $('note').textContent = state.note;
  renderResults();
}

/** @param {string} s tells the participant (and a screen reader) what happened */
function say(s) {
  store.note(s);
  $('note').textContent = s;
  announce(s);
}

function renderResults() {
  const { prompt, result } = state;
  const view = prompt && unit().phoneResults;
  const shown = !!result && !!view && view.shown(prompt, state.mine);
  $('res').hidden = !shown;
  if (!shown) return;
  const box = $('res-list');
  box.className = view.className;
  view.draw(box, prompt, result);
}

function renderConn() {
  const s = conn.status;
  const waiting = state.outbox.length;
  $('conn').dataset.status = s;
  // Never "connected" while an item waits: then the status says the server is slow (`slow`).
  $('conn-text').textContent = t(`conn.${s}`)
    + (s !== 'connected' && waiting ? ` – ${t('conn.waiting', { n: waiting })}` : '');
}

function tick() {
  const prompt = state.prompt;
  const ms = prompt && prompt.state === 'open' ? remaining(prompt) : null;
  const tm = $('timer');
  // A countdown in the answering view (a final poll answer's grace window) follows the clock.
  if (prompt && unit().phoneTicks?.(state.mine)) refresh();
  const was = tm.hidden;
  tm.hidden = ms === null;
  if (was !== tm.hidden) fitAsk();
  if (ms === null) return;
  tm.textContent = ms > 0 ? t('participant.time_left', { time: mmss(ms) }) : t('participant.time_up');
  tm.classList.toggle('up', ms <= 0);
}

function count() {
  const n = [...ta.value].length;
  const max = maxLen();
  $('count').textContent = t('participant.count', { n, max });
  $('count').classList.toggle('near', n > max - Math.min(20, max / 4));
}

/** @param {string} s said by a screen reader */
function announce(s) {
  const live = $('live');
  live.textContent = '';
  setTimeout(() => { live.textContent = s; }, 50);
}

ta.value = local.get(DRAFT) || '';
ta.addEventListener('input', () => {
  if (ta.value) local.set(DRAFT, ta.value);
  else local.del(DRAFT);
  count();
});
ta.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    submit();
  }
});
$('form').addEventListener('submit', (e) => { e.preventDefault(); submit(); });
colSel.addEventListener('change', () => {
  store.setCol(colSel.value === '' ? undefined : Number(colSel.value));
  update();
});
$('more').addEventListener('click', () => {
  $('ask').classList.toggle('open');
  fitAsk();
});
// The keyboard going up or down changes how many lines the question may take.
addEventListener('resize', fitAsk);
// The bars that stick under the header (the dot vote's dots left) start where it ends, however
// many lines the title and the status take; with the keyboard up the header is gone (0).
new ResizeObserver(() => {
  document.documentElement.style.setProperty('--bar-h', `${$('bar').offsetHeight}px`);
}).observe($('bar'));
// Keep the phone's keyboard up: tapping Send must not take the focus from the text box.
sendBtn.addEventListener('pointerdown', (e) => { if (document.activeElement === ta) e.preventDefault(); });
setInterval(tick, 500);

initLangSwitch();
// A new language redraws the prompt's buttons and labels in it.
onLang(again);
setLang(savedLang() || browserLang() || 'fi');
render();
conn.connect();
