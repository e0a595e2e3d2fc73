// The phone: shows the current prompt and sends items through a localStorage outbox that
// survives reloads and lost connections, showing each item's fate.
import {
  $, t, el, setLang, savedLang, pickLang, lang, initLangSwitch, onLang, store, slug, uuid,
  Conn, clock, remaining, mmss, errorText,
} from './common.js';

const MAX = 280;
const OUTBOX = `paja.outbox.${slug}`;
const DRAFT = `paja.draft.${slug}`;
// Rejections that a plain resend cannot fix: only Remove is offered.
const FINAL = ['text_empty', 'text_too_long', 'prompt_closed', 'prompt_not_open', 'prompt_not_found',
  'session_full', 'forbidden', 'invalid_message'];

let pid = store.get('paja.pid') || '';
if (!/^[0-9a-f-]{36}$/i.test(pid)) {
  pid = uuid();
  store.set('paja.pid', pid);
}

let session = null;
let prompt = null;
let seq = 0;
let refused = null;
// Every item this page knows of, all prompts: id -> {id, prompt_id, text, t, state, code}.
const items = new Map();
// Sent but not acknowledged, oldest first: [{id, prompt_id, text, t}].
let outbox = store.getJSON(OUTBOX, []);
if (!Array.isArray(outbox)) outbox = [];
for (const o of outbox) items.set(o.id, { ...o, state: 'pending' });

const ta = $('text');
const sendBtn = $('send');

const saveOutbox = () => (outbox.length ? store.setJSON(OUTBOX, outbox) : store.del(OUTBOX));
const unqueue = (id) => { outbox = outbox.filter((o) => o.id !== id); saveOutbox(); };
const sendItem = (o) => conn.send({ type: 'submit', id: o.id, prompt_id: o.prompt_id, text: o.text });

const conn = new Conn(
  () => ({ type: 'hello', protocol: 1, role: 'participant', participant_id: pid, last_seq: seq }),
  onMessage,
);
conn.onStatus = () => { renderList(); renderConn(); };
conn.onRefused = (code) => { refused = code; render(); };

function onMessage(m) {
  if (m.type !== 'ack' && typeof m.seq === 'number') seq = Math.max(seq, m.seq);
  switch (m.type) {
    case 'welcome': {
      session = m.session;
      prompt = m.prompt;
      seq = m.seq;
      if (!savedLang() && pickLang(session.language) !== lang) setLang(session.language);
      const known = new Set();
      for (const i of m.items) {
        known.add(i.id);
        items.set(i.id, { id: i.id, prompt_id: i.prompt_id, text: i.text, t: i.created_at, state: 'saved' });
      }
      outbox = outbox.filter((o) => !known.has(o.id));
      saveOutbox();
      // The server stores each id once, so resending everything still queued is safe.
      for (const o of outbox) sendItem(o);
      render();
      break;
    }
    case 'prompt_opened':
      clock.sync(m.server_time);
      prompt = m.prompt;
      render();
      announce(t('participant.announce_new', { title: prompt.title }));
      break;
    case 'prompt_updated':
    case 'prompt_closed':
      if (prompt && m.prompt.id === prompt.id) {
        prompt = m.prompt;
        render();
        if (m.type === 'prompt_closed') announce(t('participant.closed'));
      }
      break;
    case 'ack': {
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
      const it = m.id && items.get(m.id);
      // `unavailable`: the server is restarting; the item stays queued for the next connection.
      if (!it || m.code === 'unavailable') break;
      unqueue(m.id);
      it.state = 'error';
      it.code = m.code;
      renderList();
      renderConn();
      announce(errorText(m.code));
      break;
    }
  }
}

function queue(o) {
  outbox.push(o);
  saveOutbox();
  items.set(o.id, { ...o, state: 'pending' });
  sendItem(o);
  renderList();
  renderConn();
}

// `locked` (newer servers): open but read-only for participants.
const accepting = () => prompt && prompt.state === 'open' && !prompt.locked;

function submit() {
  const text = ta.value.trim();
  if (accepting() && text && [...text].length <= MAX) {
    queue({ id: uuid(), prompt_id: prompt.id, text, t: clock.now() });
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
  queue({ id: i.code === 'item_id_conflict' ? uuid() : i.id, prompt_id: i.prompt_id, text: i.text, t: i.t });
}

function render() {
  $('title').textContent = session ? session.title : '';
  if (session) document.title = session.title;
  $('refused').hidden = !refused;
  if (refused) $('refused').textContent = errorText(refused);
  $('waiting').hidden = !session || !!prompt;
  $('prompt').hidden = !prompt;
  if (prompt) {
    $('q').textContent = prompt.title;
    $('instructions').textContent = prompt.instructions;
    $('instructions').hidden = !prompt.instructions;
    const open = accepting();
    $('closed').hidden = open;
    ta.disabled = sendBtn.disabled = !open;
  }
  tick();
  renderList();
  renderConn();
}

function renderList() {
  const shown = [...items.values()]
    .filter((i) => (prompt && i.prompt_id === prompt.id) || i.state !== 'saved')
    .sort((a, b) => b.t - a.t);
  $('mine').replaceChildren(...shown.map(itemNode));
  $('mine-title').hidden = !shown.length;
}

function itemNode(i) {
  const li = el('li', `item ${i.state}`);
  const status = el('p', 'item-status');
  const sym = el('span', 'sym', { saved: '✓', pending: '○', error: '!' }[i.state]);
  sym.setAttribute('aria-hidden', 'true');
  status.append(sym, i.state === 'saved' ? t('participant.saved')
    : i.state === 'error' ? errorText(i.code)
      : t(conn.status === 'connected' ? 'participant.sending' : 'participant.queued'));
  li.append(el('p', 'item-text', i.text), status);
  if (i.state === 'error') {
    const row = el('div', 'item-actions');
    if (!FINAL.includes(i.code)) row.append(button('participant.retry', () => retry(i)));
    row.append(button('participant.remove', () => { items.delete(i.id); renderList(); }));
    li.append(row);
  }
  return li;
}

function button(key, onClick) {
  const b = el('button', 'secondary', t(key));
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

function renderConn() {
  const s = conn.status;
  $('conn').dataset.status = s;
  $('conn-text').textContent = t(`conn.${s}`)
    + (s !== 'connected' && outbox.length ? ` – ${t('conn.waiting', { n: outbox.length })}` : '');
}

function tick() {
  const ms = prompt && prompt.state === 'open' ? remaining(prompt) : null;
  const tm = $('timer');
  tm.hidden = ms === null;
  if (ms === null) return;
  tm.textContent = ms > 0 ? t('participant.time_left', { time: mmss(ms) }) : t('participant.time_up');
  tm.classList.toggle('up', ms <= 0);
}

function count() {
  const n = [...ta.value].length;
  $('count').textContent = t('participant.count', { n, max: MAX });
  $('count').classList.toggle('near', n > MAX - 20);
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
// Keep the phone's keyboard up: tapping Send must not take the focus from the text box.
sendBtn.addEventListener('pointerdown', (e) => { if (document.activeElement === ta) e.preventDefault(); });
setInterval(tick, 500);

initLangSwitch();
onLang(() => { count(); render(); });
setLang(savedLang() || 'fi');
count();
render();
conn.connect();
