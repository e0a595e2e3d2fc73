// The phone: the current prompt as its kind asks — short texts (into columns, with the room's
// wall and likes), poll buttons, 1–N ratings, dots on a ballot — and the group picker. Texts go
// through a localStorage outbox that survives reloads and lost connections; every answer
// shows its fate (sending, saved, or refused and why), the last one in a line right under the
// box, so it is in view while typing the next one.
import {
  $, $$, t, el, setLang, savedLang, pickLang, lang, initLangSwitch, onLang, store, slug, uuid,
  Conn, clock, remaining, mmss, errorText, chip, applyLimits,
} from './common.js';
import { LIMITS } from './limits.js';
import { reset } from './results.js';
import { activity, load, ready } from './activities/index.js';

applyLimits(LIMITS);

const OUTBOX = `paja.outbox.${slug}`;
const DRAFT = `paja.draft.${slug}`;
const COL = `paja.col.${slug}`;
// Rejections that a plain resend cannot fix: only Remove is offered.
const FINAL = ['text_empty', 'text_too_long', 'prompt_closed', 'prompt_not_open', 'prompt_not_found',
  'session_full', 'forbidden', 'invalid_message', 'answer_limit', 'wrong_activity', 'invalid_column'];
/**
 * How long (ms) after voting the phone offers "Change / Undo" on a poll whose answers are
 * otherwise final: the server's window (POLL_GRACE_MS) less a second, as the phone counts
 * from sending and the server from receiving, on a clock synced only to within the latency.
 */
const GRACE_MS = LIMITS.poll_grace_ms - 1000;
/** Words of 13 letters or more get soft hyphens (shorter ones fit a line even at 320 px). */
const LONG_WORD = /\p{L}{13,}/gu;

let pid = store.get('paja.pid') || '';
if (!/^[0-9a-f-]{36}$/i.test(pid)) {
  pid = uuid();
  store.set('paja.pid', pid);
}

let session = null;
let prompt = null;
let seq = 0;
let refused = null;
let groups = [];
let group = null;
let picking = false;
// This prompt's own answers: poll, scale, dots ({item: n}), liked (a Set).
let mine = { dots: {}, liked: new Set() };
let result = null;
let note = '';
// Redraws the current prompt's answering view (its activity's `phone`).
let refresh = () => {};
// The column picked last, for the prompt it belongs to: {prompt id: index}.
let col = store.getJSON(COL, {});
// Every item this page made, all prompts: id -> {id, prompt_id, text, t, col, state, code}.
const items = new Map();
// Everyone's items of the current prompt (wall on): id -> {i, node}.
const wall = new Map();
// Requests waiting for their ack: id -> [onAck, onError].
const reqs = new Map();
// Sent but not acknowledged, oldest first: [{id, prompt_id, text, t, col}].
let outbox = store.getJSON(OUTBOX, []);
if (!Array.isArray(outbox)) outbox = [];
for (const o of outbox) items.set(o.id, { ...o, state: 'pending' });

const ta = $('text');
const sendBtn = $('send');
const colSel = $('col');

/** The first of the browser's languages that Paja speaks ("fi-FI" counts as fi), if any. */
const browserLang = () => [...(navigator.languages || []), navigator.language || '']
  .map((l) => l.slice(0, 2).toLowerCase())
  .find((l) => ['fi', 'sv', 'en'].includes(l));

/**
 * `text` with soft hyphens in its long Finnish words, so they break with a hyphen on narrow
 * screens even where the browser has no Finnish hyphenation dictionary (Chromium on Linux, older
 * Android). Finnish syllables are regular: a break goes before a consonant followed by a vowel,
 * once a vowel came before it ("mie-len-ter-veys-pal-ve-lut"). Other languages are left to
 * `hyphens: auto`.
 */
function hyphenate(text, language) {
  if (language !== 'fi') return text;
  return text.replace(LONG_WORD, (w) => {
    let out = w[0];
    let vowel = /[aeiouyäöå]/i.test(w[0]);
    for (let i = 1; i < w.length; i++) {
      const c = w[i];
      const isVowel = /[aeiouyäöå]/i.test(c);
      if (!isVowel && vowel && i >= 2 && w.length - i > 2 && /[aeiouyäöå]/i.test(w[i + 1])) out += '\u00AD';
      out += c;
      vowel ||= isVowel;
    }
    return out;
  });
}

/** Participant and facilitator text in the session's language (`lang` set, long words hyphenated). */
function says(node, text) {
  const language = session ? session.language : 'fi';
  node.lang = language;
  node.textContent = hyphenate(text, language);
  return node;
}

const saveOutbox = () => (outbox.length ? store.setJSON(OUTBOX, outbox) : store.del(OUTBOX));
const unqueue = (id) => { outbox = outbox.filter((o) => o.id !== id); saveOutbox(); };
const sendItem = (o) => conn.send({
  type: 'submit', id: o.id, prompt_id: o.prompt_id, text: o.text, ...(o.col != null && { column: o.col }),
});

const kind = () => prompt && prompt.kind;
/** The current prompt's activity module (web/activities/). */
const unit = () => activity(kind());
const texty = () => !!prompt && unit().items;
const cols = () => (prompt ? unit().columns(prompt) : []);
const open = () => prompt && prompt.state === 'open' && !prompt.locked;
// A per-group prompt takes answers only once the phone is in a group.
const canAnswer = () => open() && (!prompt.per_group || !!group);
const maxLen = () => (unit().text || { max: LIMITS.item_text_max }).max;
const given = () => [...items.values()].filter((i) => i.prompt_id === prompt.id && i.state !== 'error').length;
const full = () => given() >= unit().answerLimit(prompt);

const conn = new Conn(
  () => ({ type: 'hello', protocol: 1, role: 'participant', participant_id: pid, last_seq: seq }),
  onMessage,
);
conn.onStatus = () => { renderList(); renderConn(); };
// Votes, ratings, dots, likes and group choices on a socket that died: their fate is unknown, so
// they are undone here and the next connection brings a fresh welcome with the truth. Items
// need nothing: they stay in the outbox and go again (the server stores each id once).
conn.onLost = (ids) => {
  let lost = false;
  for (const id of ids) {
    const r = reqs.get(id);
    if (!r) continue;
    reqs.delete(id);
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
  for (const o of outbox) if (!conn.inflight.has(o.id)) sendItem(o);
  renderList();
  renderConn();
};
conn.onRefused = (code) => { refused = code; render(); };

function onMessage(m) {
  if (m.type !== 'ack' && typeof m.seq === 'number') seq = Math.max(seq, m.seq);
  switch (m.type) {
    case 'welcome': {
      session = m.session;
      seq = m.seq;
      groups = m.groups || [];
      const my = m.mine || {};
      group = my.group || null;
      // The phone's language: the one chosen on it, else the browser's, else the session's.
      if (!savedLang() && !browserLang() && pickLang(session.language) !== lang) setLang(session.language);
      const known = new Set();
      for (const i of m.items) {
        known.add(i.id);
        items.set(i.id, { id: i.id, prompt_id: i.prompt_id, text: i.text, t: i.created_at, col: i.column, state: 'saved' });
      }
      // What the server already has leaves the outbox; the rest goes again once this is taken in.
      outbox = outbox.filter((o) => !known.has(o.id));
      saveOutbox();
      reqs.clear();
      show(m.prompt, my, m.prompt && m.results[m.prompt.id], m.wall);
      break;
    }
    case 'resumed':
      // Back after a short break: missed events follow; the outbox goes again (`onLive`).
      break;
    case 'prompt_opened':
      clock.sync(m.server_time);
      show(m.prompt, {}, null, null);
      announce(t('participant.announce_new', { title: prompt.title }));
      break;
    case 'prompt_updated':
    case 'prompt_closed':
      if (prompt && m.prompt.id === prompt.id) {
        prompt = m.prompt;
        for (const w of wall.values()) putWall(w.i);
        render();
        if (m.type === 'prompt_closed') announce(t('participant.closed'));
      }
      break;
    case 'groups_changed':
      groups = m.groups;
      if (!groups.some((g) => g.id === group)) group = null;
      render();
      break;
    case 'results':
      if (prompt && m.prompt_id === prompt.id) {
        result = m.results;
        renderResults();
      }
      break;
    case 'wall':
      if (prompt && m.prompt_id === prompt.id) {
        if (m.full) {
          // The whole wall: replace what is shown.
          for (const w of wall.values()) w.node.remove();
          wall.clear();
        }
        for (const id of m.removed) {
          wall.get(id)?.node.remove();
          wall.delete(id);
        }
        for (const i of m.items) putWall(i);
        $('wall-title').hidden = !wall.size;
      }
      break;
    case 'ack': {
      const r = reqs.get(m.id);
      if (r) {
        reqs.delete(m.id);
        r[0]?.();
        update();
        break;
      }
      const it = items.get(m.id);
      if (!it) break;
      unqueue(m.id);
      if (it.state !== 'saved') {
        it.state = 'saved';
        renderList();
        renderConn();
        announce(t('participant.saved'));
      }
      break;
    }
    case 'error': {
      if (m.code === 'group_required') {
        group = null;
        picking = true;
      }
      const r = reqs.get(m.id);
      if (r) {
        reqs.delete(m.id);
        r[1]?.(m.code);
        say(errorText(m.code));
        render();
        break;
      }
      const it = m.id && items.get(m.id);
      // `unavailable`: the server is restarting; the item stays queued for the next connection.
      if (!it || m.code === 'unavailable') break;
      unqueue(m.id);
      it.state = 'error';
      it.code = m.code;
      render();
      announce(errorText(m.code));
      break;
    }
  }
}

/** Sends a request with an id; `ok` runs on its ack, `fail` on its error. False if offline. */
function act(frame, ok, fail) {
  const id = uuid();
  if (!conn.send({ ...frame, id })) {
    say(t('participant.offline'));
    return false;
  }
  reqs.set(id, [ok, fail]);
  return true;
}

/** Shows a prompt (a new one, or the same after a reconnect) with the phone's own answers. */
function show(p, my, r, w) {
  if (p && (!prompt || p.id !== prompt.id)) scrollTo(0, 0);
  prompt = p;
  // A kind's own answers (`places`…) come along as sent; the shared ones are copied.
  mine = {
    ...my, poll: my.poll, poll_until: my.poll_until, scale: my.scale && [...my.scale], dots: { ...my.dots }, liked: new Set(my.liked),
  };
  result = r || null;
  note = '';
  wall.clear();
  $('wall').replaceChildren();
  for (const i of w || []) putWall(i);
  $('wall-title').hidden = !wall.size;
  const box = $('choices');
  box.replaceChildren();
  reset($('res-list'));
  refresh = () => {};
  if (p) {
    // The kind's module loads on first use; then the prompt is shown again as it is by then.
    if (!ready(p.kind)) load(p.kind).then(() => { if (prompt && prompt.id === p.id) show(prompt, mine, result, [...wall.values()].map((x) => x.i)); });
    const a = activity(p.kind);
    if (a.phone) refresh = a.phone(box, phoneContext);
    const c = cols();
    if (c.length === 1) col = { [p.id]: 0 };
    $('cols').hidden = !c.length;
    colSel.replaceChildren(new Option(t('participant.pick_column'), ''), ...c.map((name, i) => new Option(name, String(i))));
    colSel.lang = session ? session.language : 'fi';
    ta.maxLength = maxLen();
    if (a.text) {
      ta.rows = a.text.rows;
      ta.classList.toggle('short', a.text.short);
      $('text-label').textContent = t(a.text.label);
    }
  }
  render();
}

function button(text, cls, onClick) {
  const b = el('button', cls, text);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

/** What an activity's phone view reads and does (web/activities/activity.d.ts). */
const phoneContext = {
  get prompt() { return prompt; },
  get mine() { return mine; },
  act,
  say,
  canAnswer,
  button,
  says,
  graceMs: GRACE_MS,
  now: () => clock.now(),
};

/** Adds or redraws an item on the wall, newest first. */
function putWall(i) {
  const list = $('wall');
  const old = wall.get(i.id);
  const own = items.has(i.id);
  const li = el('li', own ? 'item own' : 'item');
  li.dataset.seq = i.seq;
  const body = el('div');
  body.append(says(el('p', 'item-text'), i.text));
  const c = cols()[i.column];
  if (c || own) {
    const tags = el('p', 'item-status');
    if (own) tags.append(el('span', 'tag own', t('participant.own')));
    if (c) tags.append(el('span', 'tag', c));
    body.append(tags);
  }
  li.append(body);
  // Hearts are drawn, not read; one this phone has liked is filled, not only coloured.
  if (own) {
    const shown = el('span', '', `♥ ${i.likes}`);
    shown.setAttribute('aria-hidden', 'true');
    const n = el('span', 'likes');
    n.append(shown, el('span', 'sr-only', t('participant.likes', { n: i.likes })));
    li.append(n);
  } else {
    const liked = mine.liked.has(i.id);
    const heart = el('span', '', liked ? '♥ ' : '♡ ');
    heart.setAttribute('aria-hidden', 'true');
    const b = button('', 'like', () => like(i.id));
    b.append(heart, String(i.likes));
    b.setAttribute('aria-pressed', liked);
    b.setAttribute('aria-label', t('participant.like', { n: i.likes }));
    b.disabled = !open();
    li.append(b);
  }
  if (old) old.node.replaceWith(li);
  else {
    let at = list.firstChild;
    while (at && +/** @type {PageElement} */ (at).dataset.seq > i.seq) at = at.nextSibling;
    list.insertBefore(li, at);
  }
  wall.set(i.id, { i, node: li });
}

function like(id) {
  const on = !mine.liked.has(id);
  const flip = (yes) => {
    if (yes) mine.liked.add(id);
    else mine.liked.delete(id);
    const w = wall.get(id);
    if (w) putWall({ ...w.i, likes: w.i.likes + (yes ? 1 : -1) });
  };
  if (act({ type: 'like', item_id: id, liked: on }, null, () => flip(!on))) flip(on);
}

function choose(id) {
  act({ type: 'choose_group', group_id: id }, () => {
    group = id;
    picking = false;
    for (const i of [...items.values()]) if (i.state === 'error' && i.code === 'group_required') retry(i);
    // A per-group wall now shows the new group's items: the server sends them after the ack.
    render();
  });
}

function queue(o) {
  outbox.push(o);
  saveOutbox();
  items.set(o.id, { ...o, state: 'pending' });
  sendItem(o);
  renderList();
  renderConn();
  update();
}

function submit() {
  const text = ta.value.trim();
  if (!canAnswer() || full()) return;
  const c = cols().length ? col[prompt.id] : undefined;
  if (c === undefined && cols().length) {
    say(t('participant.pick_column_first'));
    colSel.focus();
    return;
  }
  if (text && [...text].length <= maxLen()) {
    // The facilitator asked for a fresh choice of column for every item.
    if (prompt.reset_column && cols().length > 1) {
      col = {};
      store.setJSON(COL, col);
    }
    queue({ id: uuid(), prompt_id: prompt.id, text, t: clock.now(), col: c });
    ta.value = '';
    store.del(DRAFT);
    count();
  }
  ta.focus();
}

function retry(i) {
  items.delete(i.id);
  // A conflicting id is someone else's: take a new one. Otherwise keep it, so a resend of an
  // item that did get stored is still stored once.
  queue({ id: i.code === 'item_id_conflict' ? uuid() : i.id, prompt_id: i.prompt_id, text: i.text, t: i.t, col: i.col });
}

function render() {
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
  renderList();
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
  $('more').hidden = !prompt || (!opened && !cut);
  $('more').textContent = t(opened ? 'participant.less' : 'participant.more');
  $('more').setAttribute('aria-expanded', String(opened));
  $('ask-row').hidden = $('more').hidden === true && $('timer').hidden === true;
}

function renderGroups() {
  const need = !!prompt && prompt.per_group && !group && prompt.state === 'open';
  const g = groups.find((x) => x.id === group);
  const ask = groups.length > 0 && (picking || need);
  $('group-line').hidden = !groups.length || ask;
  $('group-now').replaceChildren(`${t('participant.group')} `, g ? chip(g) : t('participant.no_group'));
  $('group-change').textContent = t(g ? 'participant.change_group' : 'participant.choose_group');
  $('groups').hidden = !ask;
  $('groups-why').hidden = !need;
  $('group-list').replaceChildren(...groups.map((x) => {
    const b = button('', 'choice', () => choose(x.id));
    b.append(chip(x));
    b.setAttribute('aria-pressed', x.id === group);
    return b;
  }), ...(need ? [] : [
    ...(group ? [button(t('participant.leave_group'), 'secondary', () => choose(null))] : []),
    button(t('participant.cancel'), 'secondary', () => { picking = false; renderGroups(); }),
  ]));
}

/** Redraws what answering changes: buttons, counters, the note and results. */
function update() {
  if (!prompt) return;
  refresh();
  if (texty()) {
    ta.disabled = sendBtn.disabled = !canAnswer() || full();
    const c = col[prompt.id];
    colSel.value = c === undefined ? '' : String(c);
    colSel.disabled = !canAnswer();
    // Where the item goes, on the button that sends it.
    const to = $('send-col');
    to.hidden = !cols().length;
    to.classList.toggle('none', c === undefined);
    to.textContent = c === undefined ? t('participant.send_no_column') : t('participant.send_to', { column: cols()[c] });
    $('hint').textContent = unit().text.hint(given(), prompt);
  }
  $('note').textContent = note;
  renderResults();
}

function say(s) {
  note = s;
  $('note').textContent = s;
  announce(s);
}

function renderResults() {
  const view = prompt && unit().phoneResults;
  const shown = !!result && !!view && view.shown(prompt, mine);
  $('res').hidden = !shown;
  if (!shown) return;
  const box = $('res-list');
  box.className = view.className;
  view.draw(box, prompt, result);
}

function renderList() {
  const shown = [...items.values()]
    .filter((i) => (prompt && i.prompt_id === prompt.id) || i.state !== 'saved')
    .sort((a, b) => b.t - a.t);
  $('mine').replaceChildren(...shown.map(itemNode));
  $('mine-title').hidden = !shown.length;
  renderLast(shown.find((i) => prompt && i.prompt_id === prompt.id));
}

/** The fate of the item sent last, right under the box: sending, waiting, saved or refused and why. */
function renderLast(i) {
  const line = $('last');
  line.hidden = !i || !texty();
  if (!i) return;
  line.className = `last ${i.state}`;
  const sym = el('span', 'sym', SYM[i.state]);
  sym.setAttribute('aria-hidden', 'true');
  const state = el('span', 'last-state');
  state.append(sym, ` ${stateText(i)}`);
  line.replaceChildren(state, says(el('span', 'last-text'), i.text));
}

const SYM = { saved: '✓', pending: '○', error: '!' };

/** An item's state in words. */
function stateText(i) {
  if (i.state === 'saved') return t('participant.saved');
  if (i.state === 'error') return errorText(i.code);
  return t(conn.usable() ? 'participant.sending' : 'participant.queued');
}

function itemNode(i) {
  const li = el('li', `item ${i.state}`);
  const status = el('p', 'item-status');
  const sym = el('span', 'sym', SYM[i.state]);
  sym.setAttribute('aria-hidden', 'true');
  const c = prompt && prompt.id === i.prompt_id && cols()[i.col];
  status.append(sym, stateText(i));
  if (c) status.append(says(el('span', 'tag'), c));
  li.append(says(el('p', 'item-text'), i.text), status);
  if (i.state === 'error') {
    const row = el('div', 'item-actions');
    if (!FINAL.includes(i.code)) row.append(button(t('participant.retry'), 'secondary', () => retry(i)));
    row.append(button(t('participant.remove'), 'secondary', () => { items.delete(i.id); render(); }));
    li.append(row);
  }
  return li;
}

function renderConn() {
  const s = conn.status;
  $('conn').dataset.status = s;
  // Never "connected" while an item waits: then the status says the server is slow (`slow`).
  $('conn-text').textContent = t(`conn.${s}`)
    + (s !== 'connected' && outbox.length ? ` – ${t('conn.waiting', { n: outbox.length })}` : '');
}

function tick() {
  const ms = prompt && prompt.state === 'open' ? remaining(prompt) : null;
  const tm = $('timer');
  // A countdown in the answering view (a final poll answer's grace window) follows the clock.
  if (prompt && unit().phoneTicks?.(mine)) refresh();
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

function announce(s) {
  const live = $('live');
  live.textContent = '';
  setTimeout(() => { live.textContent = s; }, 50);
}

ta.value = store.get(DRAFT) || '';
ta.addEventListener('input', () => {
  if (ta.value) store.set(DRAFT, ta.value);
  else store.del(DRAFT);
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
  col = colSel.value === '' ? {} : { [prompt.id]: Number(colSel.value) };
  store.setJSON(COL, col);
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
$('group-change').addEventListener('click', () => { picking = true; renderGroups(); $('groups').scrollIntoView(); });
setInterval(tick, 500);

initLangSwitch();
// A new language redraws the prompt's buttons and labels in it.
onLang(() => show(prompt, { ...mine, liked: [...mine.liked] }, result, [...wall.values()].map((w) => w.i)));
setLang(savedLang() || browserLang() || 'fi');
render();
conn.connect();
