// The facilitator's console: the agenda on the left, the selected prompt's items in the
// middle, exports and addresses on top. The key comes from the URL fragment.
import {
  $, t, el, setLang, savedLang, lang, initLangSwitch, onLang, slug, Conn, remaining, mmss, errorText,
} from './common.js';

const key = new URLSearchParams(location.hash.slice(1)).get('key') || '';

let session = null;
let prompts = [];
let current = null;
let selected = null;
let refused = key ? null : 'key_required';
let editing = null;
let participants = 0;
let seq = 0;
let rid = 0;
let statusTimer = 0;
const items = new Map();
/** Nodes of the selected prompt's items. */
const nodes = new Map();
/** Request ids waiting for an answer, with what they were for. */
const requests = new Map();

const pTitle = $('p-title');
const pInstr = $('p-instr');
const pMin = $('p-min');

const conn = new Conn(
  () => ({ type: 'hello', protocol: 1, role: 'facilitator', key, last_seq: seq }),
  onMessage,
);
conn.onStatus = renderConn;
conn.onRefused = (code) => { refused = code; renderAll(); };

const promptById = (id) => prompts.find((p) => p.id === id);
const replacePrompt = (p) => { prompts = prompts.map((q) => (q.id === p.id ? p : q)); };

function onMessage(m) {
  if (typeof m.seq === 'number' && m.type !== 'ack') seq = Math.max(seq, m.seq);
  switch (m.type) {
    case 'welcome':
      session = m.session;
      seq = m.seq;
      prompts = m.prompts || [];
      current = m.prompt ? m.prompt.id : null;
      participants = m.participants || 0;
      items.clear();
      for (const i of m.items) items.set(i.id, i);
      if (!savedLang() && session.language !== lang) setLang(session.language);
      if (!selected || !promptById(selected)) selected = current || (prompts[0] && prompts[0].id) || null;
      renderAll();
      break;
    case 'presence':
      participants = m.participants;
      renderTop();
      break;
    case 'prompt_added':
      prompts.push(m.prompt);
      if (!selected) selected = m.prompt.id;
      renderAgenda();
      renderSelected();
      break;
    case 'prompt_updated':
    case 'prompt_closed':
      replacePrompt(m.prompt);
      renderAgenda();
      if (m.prompt.id === selected) renderHead();
      break;
    case 'prompt_opened':
      replacePrompt(m.prompt);
      current = m.prompt.id;
      selected = current;
      renderAgenda();
      renderSelected();
      break;
    case 'prompt_deleted':
      prompts = prompts.filter((p) => p.id !== m.prompt_id);
      if (selected === m.prompt_id) selected = current;
      if (editing === m.prompt_id) resetForm();
      renderAgenda();
      renderSelected();
      break;
    case 'item_added':
      items.set(m.item.id, m.item);
      if (m.item.prompt_id === selected) {
        const n = itemNode(m.item);
        nodes.set(m.item.id, n);
        $('items').prepend(n);
        renderHead();
      }
      renderAgenda();
      break;
    case 'item_hidden': {
      const it = items.get(m.item_id);
      if (it) it.hidden = true;
      refreshItem(m.item_id);
      break;
    }
    case 'item_unhidden':
      items.set(m.item.id, m.item);
      refreshItem(m.item.id);
      break;
    case 'ack':
      if (requests.get(m.id) === 'save') resetForm();
      requests.delete(m.id);
      break;
    case 'error':
      if (m.id) requests.delete(m.id);
      if (conn.welcomed) showStatus(errorText(m.code));
      break;
  }
}

/** Sends a command with a fresh request id. */
function request(kind, message) {
  const id = `r${++rid}`;
  if (!conn.send({ ...message, id })) {
    showStatus(t('control.not_connected'));
    return;
  }
  requests.set(id, kind);
}

function showStatus(text) {
  $('status').textContent = text;
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => { $('status').textContent = ''; }, 10000);
}

function renderAll() {
  document.body.classList.toggle('is-refused', !!refused);
  $('refused').hidden = !refused;
  $('console').hidden = !!refused;
  if (refused) $('refused-text').textContent = errorText(refused);
  renderTop();
  renderConn();
  renderAgenda();
  renderSelected();
}

function renderTop() {
  const title = session ? session.title : '';
  $('title').textContent = title;
  document.title = title ? t('control.title_with', { title }) : t('control.page_title');
  $('participants').textContent = t('control.participants', { n: participants });
  const join = $('join-url');
  join.href = `/${slug}`;
  join.textContent = `${location.host}/${slug}`;
  $('screen-link').href = `/${slug}/screen`;
}

function renderConn() {
  $('conn').dataset.status = conn.status;
  $('conn-text').textContent = t(`conn.${conn.status}`);
}

const countOf = (promptId) => {
  let n = 0;
  for (const i of items.values()) if (i.prompt_id === promptId) n++;
  return n;
};

function badge(state) {
  return el('span', `badge ${state}`, t(`state.${state}`));
}

function button(key, cls, onClick) {
  const b = el('button', cls, t(key));
  b.setAttribute('type', 'button');
  b.addEventListener('click', onClick);
  return b;
}

function renderAgenda() {
  $('agenda-empty').hidden = prompts.length > 0;
  $('agenda').replaceChildren(...prompts.map((p, index) => {
    const li = el('li', `agenda-item${p.id === selected ? ' selected' : ''}`);
    const pick = el('button', 'agenda-pick');
    pick.setAttribute('type', 'button');
    pick.setAttribute('aria-current', String(p.id === selected));
    pick.append(el('span', 'agenda-num', `${index + 1}.`), el('span', 'agenda-title', p.title));
    pick.addEventListener('click', () => { selected = p.id; renderAgenda(); renderSelected(); });
    const line = el('div', 'agenda-line');
    line.append(badge(p.state), el('span', 'count', t('control.count', { n: countOf(p.id) })));
    if (p.time_limit_secs) line.append(el('span', 'count', t('control.minutes', { n: Math.round((p.time_limit_secs / 60) * 10) / 10 })));
    const actions = el('div', 'agenda-actions');
    if (p.state === 'open') {
      actions.append(button('control.close', 'primary', () => request('close', { type: 'close_prompt', prompt_id: p.id })));
    } else {
      actions.append(button(p.state === 'draft' ? 'control.open' : 'control.reopen', 'primary',
        () => request('open', { type: 'open_prompt', prompt_id: p.id })));
    }
    actions.append(button('control.edit', 'secondary', () => startEdit(p)));
    if (p.state === 'draft') {
      actions.append(button('control.delete', 'secondary danger', () => {
        if (confirm(t('control.confirm_delete', { title: p.title }))) request('delete', { type: 'delete_prompt', prompt_id: p.id });
      }));
    }
    li.append(pick, line, actions);
    return li;
  }));
}

function renderHead() {
  const p = selected ? promptById(selected) : null;
  $('sel-title').textContent = p ? p.title : t('control.no_prompt');
  $('sel-instr').textContent = p ? p.instructions : '';
  $('sel-instr').hidden = !(p && p.instructions);
  $('sel-state').replaceChildren(...(p ? [badge(p.state)] : []));
  let n = 0;
  let hidden = 0;
  for (const i of items.values()) {
    if (p && i.prompt_id === p.id) {
      n++;
      if (i.hidden) hidden++;
    }
  }
  $('sel-count').textContent = p ? t(hidden ? 'control.count_hidden' : 'control.count', { n, hidden }) : '';
  $('sel-empty').hidden = !p || n > 0;
  $('sel-empty').textContent = p && p.state === 'draft' ? t('control.not_opened') : t('control.no_items');
  tick();
}

function renderSelected() {
  renderHead();
  nodes.clear();
  const list = [...items.values()].filter((i) => i.prompt_id === selected).sort((a, b) => b.seq - a.seq);
  $('items').replaceChildren(...list.map((i) => {
    const n = itemNode(i);
    nodes.set(i.id, n);
    return n;
  }));
}

function refreshItem(id) {
  const old = nodes.get(id);
  const it = items.get(id);
  if (!old || !it) return;
  const hadFocus = old.contains(document.activeElement);
  const n = itemNode(it);
  old.replaceWith(n);
  nodes.set(id, n);
  if (hadFocus) n.querySelector('button')?.focus();
  renderHead();
}

const clockTime = (ms) => new Date(ms).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });

function itemNode(i) {
  const li = el('li', `item-row${i.hidden ? ' is-hidden' : ''}`);
  const body = el('div', 'item-body');
  body.append(el('p', 'item-text', i.text));
  const meta = el('p', 'item-meta', `${clockTime(i.created_at)} · ${i.author || ''}`);
  if (i.hidden) meta.prepend(el('span', 'tag', t('control.hidden_label')), ' ');
  body.append(meta);
  const b = button(i.hidden ? 'control.unhide' : 'control.hide', 'secondary', () => {
    const now = items.get(i.id);
    request('hide', { type: now && now.hidden ? 'unhide_item' : 'hide_item', item_id: i.id });
  });
  li.append(body, b);
  return li;
}

function tick() {
  const p = selected ? promptById(selected) : null;
  const ms = p && p.state === 'open' ? remaining(p) : null;
  const tm = $('sel-timer');
  tm.hidden = ms === null;
  if (ms !== null) {
    tm.textContent = ms > 0 ? mmss(ms) : t('participant.time_up');
    tm.classList.toggle('up', ms <= 0);
  }
}

function startEdit(p) {
  editing = p.id;
  pTitle.value = p.title;
  pInstr.value = p.instructions;
  pMin.value = p.time_limit_secs ? String(Math.round((p.time_limit_secs / 60) * 100) / 100) : '';
  renderForm();
  pTitle.focus();
}

function resetForm() {
  editing = null;
  pTitle.value = pInstr.value = pMin.value = '';
  renderForm();
}

function renderForm() {
  const h = $('pform-h');
  h.dataset.i18n = editing ? 'control.edit_prompt' : 'control.new_prompt';
  h.textContent = t(h.dataset.i18n);
  const save = $('p-save');
  save.dataset.i18n = editing ? 'control.save_prompt' : 'control.add_prompt';
  save.textContent = t(save.dataset.i18n);
  $('p-cancel').hidden = !editing;
}

$('pform').addEventListener('submit', (e) => {
  e.preventDefault();
  const title = pTitle.value.trim();
  if (!title) {
    showStatus(t('control.question_required'));
    pTitle.focus();
    return;
  }
  const raw = pMin.value.trim().replace(',', '.');
  let secs = null;
  if (raw) {
    secs = Math.round(Number(raw) * 60);
    if (!(secs >= 10 && secs <= 10800)) {
      showStatus(t('control.time_invalid'));
      pMin.focus();
      return;
    }
  }
  const prompt = { title, instructions: pInstr.value.trim(), time_limit_secs: secs };
  if (editing) request('save', { type: 'update_prompt', prompt_id: editing, prompt });
  else request('save', { type: 'add_prompt', prompt });
});

$('p-cancel').addEventListener('click', resetForm);

/** Downloads an export with the key as a Bearer token. */
async function download(ext) {
  try {
    const r = await fetch(`/api/sessions/${encodeURIComponent(slug)}/export.${ext}`, {
      headers: { Authorization: `Bearer ${key}` },
      cache: 'no-store',
    });
    if (!r.ok) {
      const body = await r.json().catch(() => ({}));
      showStatus(errorText(body?.error?.code));
      return;
    }
    const url = URL.createObjectURL(await r.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = `${slug}.${ext}`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30000);
  } catch {
    showStatus(errorText('network'));
  }
}

$('csv').addEventListener('click', () => download('csv'));
$('json').addEventListener('click', () => download('json'));

setInterval(tick, 500);

initLangSwitch();
onLang(() => { renderAll(); renderForm(); });
setLang(savedLang() || 'fi');
renderAll();
if (!refused) conn.connect();
