// The facilitator's console: the agenda (with Next, reordering, templates) and the groups on
// the left; the selected prompt on the right with its results and, for items, moderation
// (approve, hide, edit, star, merge), filters and counts; what the projector shows (the
// current prompt, the join page or an earlier prompt). The key comes from the URL fragment.
import {
  $, t, el, setLang, savedLang, lang, initLangSwitch, onLang, slug, Conn, remaining, mmss, errorText, chip, applyLimits,
} from './common.js';
import { LIMITS } from './limits.js';
import * as draw from './results.js';
import { activity, loadAll } from './activities/index.js';
import { bindKeys } from './control/keys.js';
import * as api from './api.js';
import { createEditor } from './control/editor.js';
import { createExporter } from './control/exporter.js';

applyLimits(LIMITS);
// The console shows every kind: all their modules before anything renders.
await loadAll();

const key = new URLSearchParams(location.hash.slice(1)).get('key') || '';
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];

let session = null;
let prompts = [];
let groups = [];
let current = null;
/** What the projector shows: `{kind: 'follow' | 'join' | 'prompt', prompt_id?}`. */
let screen = { kind: 'follow' };
let selected = null;
let refused = key ? null : 'key_required';
let participants = 0;
/** Participants online per group; null until the first presence frame. */
let present = null;
let seq = 0;
let rid = 0;
let statusTimer = 0;
let chartFor = null;
let editItem = null;
let filterGroup = '';
let filterCol = '';
/** Items picked for a merge, in the order picked: the first is the one that stays. */
let picked = [];
const items = new Map();
const results = {};
/** Nodes of the selected prompt's listed items, and the agenda's count spans. */
const nodes = new Map();
const counts = new Map();
/** Request ids waiting for an answer, with what to do on the ack. */
const requests = new Map();

const conn = new Conn(
  () => ({ type: 'hello', protocol: 1, role: 'facilitator', key, last_seq: seq }),
  onMessage,
);
conn.onStatus = renderConn;
conn.onRefused = (code) => { refused = code; renderAll(); };
// Commands on a socket that died may or may not have been applied: say so; the fresh welcome
// that follows shows the truth.
conn.onLost = (ids) => {
  const lost = ids.filter((id) => requests.delete(id)).length > 0;
  if (lost) showStatus(errorText('connection_lost'));
  return lost;
};

const promptById = (id) => prompts.find((p) => p.id === id);
const sel = () => (selected ? promptById(selected) : null);
const replacePrompt = (p) => { prompts = prompts.map((q) => (q.id === p.id ? p : q)); };
const takesItems = (p) => activity(p.kind).items;
const itemsOf = (id) => [...items.values()].filter((i) => i.prompt_id === id);
/** Whether the projector shows this prompt now (under the join page it shows none). */
const onScreen = (p) => (screen.kind === 'follow' ? p.id === current
  : screen.kind === 'prompt' && p.id === screen.prompt_id);

function onMessage(m) {
  if (typeof m.seq === 'number' && m.type !== 'ack') seq = Math.max(seq, m.seq);
  switch (m.type) {
    case 'welcome':
      session = m.session;
      seq = m.seq;
      prompts = m.prompts || [];
      groups = m.groups || [];
      current = m.prompt ? m.prompt.id : null;
      screen = m.screen || { kind: 'follow' };
      participants = m.participants || 0;
      Object.assign(results, m.results);
      items.clear();
      for (const i of m.items) items.set(i.id, i);
      if (!savedLang() && session.language !== lang) setLang(session.language);
      if (!sel()) selected = current || (prompts[0] && prompts[0].id) || null;
      renderAll();
      break;
    case 'presence':
      participants = m.participants;
      present = m.groups || {};
      renderTop();
      renderPresence();
      break;
    case 'groups_changed':
      groups = m.groups;
      renderGroups();
      renderSelected();
      break;
    case 'prompt_added':
      prompts.push(m.prompt);
      if (!selected) selected = m.prompt.id;
      renderAgenda();
      renderSelected();
      break;
    case 'agenda_reordered': {
      const order = new Map(m.order.map((id, n) => [id, n]));
      prompts.sort((a, b) => order.get(a.id) - order.get(b.id));
      renderAgenda();
      break;
    }
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
    case 'screen_changed':
      screen = m.view;
      renderAgenda();
      renderHead();
      break;
    case 'prompt_deleted':
      prompts = prompts.filter((p) => p.id !== m.prompt_id);
      if (selected === m.prompt_id) selected = current;
      renderAgenda();
      renderSelected();
      break;
    case 'results':
      results[m.prompt_id] = m.results;
      renderCount(m.prompt_id);
      if (m.prompt_id === selected) {
        renderChart();
        renderHead();
      }
      break;
    case 'item_added':
    case 'item_unhidden':
    case 'item_updated':
      items.set(m.item.id, m.item);
      itemChanged(m.item);
      break;
    case 'item_hidden': {
      const it = items.get(m.item_id);
      if (it) {
        it.hidden = true;
        itemChanged(it);
      }
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
      if (conn.welcomed) {
        const detail = ['invalid_prompt', 'invalid_group'].includes(m.code) ? ` (${m.message})` : '';
        if (editor.isOpen()) editor.error(errorText(m.code) + detail);
        else showStatus(errorText(m.code) + detail);
      }
      break;
  }
}

/** Sends a command with a fresh request id; `done` runs on its ack. */
function request(message, done) {
  const id = `r${++rid}`;
  requests.set(id, done);
  // While reconnecting a command waits for the connection (shown in the status), never lost.
  if (!conn.queue({ ...message, id })) renderConn();
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
  renderGroups();
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
  const qr = `/${encodeURIComponent(slug)}/qr.svg`;
  $('qr-link').href = qr;
  if ($('qr').getAttribute('src') !== qr) $('qr').src = qr;
}

/** The projector's state in the top bar: the join-page toggle and what is shown, in words. */
function renderScreen() {
  const joining = screen.kind === 'join';
  $('join-screen').setAttribute('aria-pressed', String(joining));
  const shown = !joining && (screen.kind === 'prompt' ? promptById(screen.prompt_id) : promptById(current));
  const now = t('control.screen_now', { what: shown ? shown.title : t('control.screen_join_page') });
  // A status region: said aloud when it changes, so not rewritten when it does not.
  if ($('screen-now').textContent !== now) $('screen-now').textContent = now;
  // An earlier prompt pinned on the projector: one click back to the live one. Kept in its
  // place while unneeded (invisible, not removed), so the toolbar never reflows.
  $('screen-follow').classList.toggle('is-off', screen.kind !== 'prompt');
}

/** Shows a prompt on the projector, or (already shown) goes back to following the current one. */
function toggleScreen(p) {
  const view = onScreen(p) ? { kind: 'follow' } : { kind: 'prompt', prompt_id: p.id };
  request({ type: 'show_on_screen', view });
}

$('screen-follow').addEventListener('click', () => request({ type: 'show_on_screen', view: { kind: 'follow' } }));

/** The join page on the projector, or back to following the current prompt. */
function toggleJoin() {
  request({ type: 'show_on_screen', view: { kind: screen.kind === 'join' ? 'follow' : 'join' } });
}

function renderConn() {
  $('conn').dataset.status = conn.status;
  const queued = conn.waiting.length;
  $('conn-text').textContent = t(`conn.${conn.status}`) + (queued ? ` – ${t('conn.queued', { n: queued })}` : '');
}

function button(k, cls, onClick, vars) {
  const b = el('button', cls, t(k, vars));
  b.type = 'button';
  b.dataset.act = k;
  b.addEventListener('click', onClick);
  return b;
}

/** Whether the projector shows an item: neither hidden, waiting for approval nor merged. */
const shownOnScreen = (i) => !i.hidden && i.approved !== false && !i.merged_into;

/**
 * An answer count for the agenda, counted as the projector counts it (screen.js `renderHead`):
 * a brainstorm's shown items; a word cloud's, poll's and dot vote's people; a scale's raters.
 */
function answered(p) {
  if (!activity(p.kind).results) return t('control.count', { n: itemsOf(p.id).filter(shownOnScreen).length });
  const r = results[p.id];
  if (!r) return '';
  return t('control.answered', { n: activity(p.kind).answered(r) });
}

/**
 * The selected prompt's count: the projector's number, then, when the console holds more, what
 * else it counts, so the two screens never seem to disagree ("14 · 17 in all: hidden 2, …").
 */
function countText(p) {
  const people = answered(p);
  if (!takesItems(p)) return people;
  const list = itemsOf(p.id);
  const n = list.filter(shownOnScreen).length;
  const words = n === list.length ? t('control.count', { n }) : t('control.count_detail', {
    n,
    total: list.length,
    hidden: list.filter((i) => i.hidden).length,
    waiting: list.filter((i) => !i.approved && !i.hidden).length,
    merged: list.filter((i) => i.merged_into && !i.hidden).length,
  });
  // An item kind with results (a word cloud) counts people on the projector; its items are
  // counted beside them.
  return activity(p.kind).results ? [people, words].filter(Boolean).join(' · ') : words;
}

function renderCount(id) {
  const s = counts.get(id);
  const p = promptById(id);
  if (s && p) s.textContent = answered(p);
}

/** The first draft after the open prompt: what Next opens. */
function nextDraft() {
  const from = prompts.findIndex((p) => p.id === current) + 1;
  return prompts.slice(from).find((p) => p.state === 'draft');
}

function toggleOpen(p) {
  if (p.state === 'open') request({ type: 'close_prompt', prompt_id: p.id });
  else request({ type: 'open_prompt', prompt_id: p.id });
}

function renderAgenda() {
  $('agenda-empty').hidden = prompts.length > 0;
  counts.clear();
  const focused = document.activeElement && document.activeElement.closest('#agenda li');
  const active = /** @type {PageElement} */ (document.activeElement);
  const refocus = focused && [/** @type {PageElement} */ (focused).dataset.id, active.dataset.act];
  $('agenda').replaceChildren(...prompts.map((p, index) => {
    const li = el('li', `agenda-item${p.id === selected ? ' selected' : ''} is-${p.state}`);
    li.dataset.id = p.id;
    const pick = el('button', 'agenda-pick');
    pick.type = 'button';
    pick.dataset.act = 'pick';
    pick.setAttribute('aria-current', String(p.id === selected));
    pick.append(el('span', 'agenda-num', `${index + 1}.`), el('span', 'agenda-title', p.title));
    pick.addEventListener('click', () => select(p.id));
    const line = el('div', 'agenda-line');
    const n = el('span', 'count', answered(p));
    counts.set(p.id, n);
    line.append(badge(p.state), el('span', 'kind', t(`kind.${p.kind}`)), n);
    if (p.time_limit_secs) line.append(el('span', 'count', t('control.minutes', { n: minutes(p.time_limit_secs) })));
    if (p.locked) line.append(el('span', 'tag', t('control.locked')));
    if (onScreen(p)) line.append(el('span', 'tag onscreen', t('control.on_screen')));
    const actions = el('div', 'agenda-actions');
    actions.append(button(p.state === 'open' ? 'control.close' : p.state === 'draft' ? 'control.open' : 'control.reopen',
      p.state === 'open' ? 'primary' : 'secondary', () => toggleOpen(p)));
    const up = button('control.up', 'secondary icon', () => request({ type: 'move_prompt', prompt_id: p.id, position: index - 1 }));
    const down = button('control.down', 'secondary icon', () => request({ type: 'move_prompt', prompt_id: p.id, position: index + 1 }));
    up.disabled = index === 0;
    down.disabled = index === prompts.length - 1;
    up.setAttribute('aria-label', t('control.move_up'));
    down.setAttribute('aria-label', t('control.move_down'));
    actions.append(up, down, button('control.edit', 'secondary', () => startEdit(p)),
      button('control.duplicate', 'secondary', () => request({ type: 'duplicate_prompt', prompt_id: p.id })));
    if (p.state === 'draft') {
      actions.append(button('control.delete', 'secondary danger', () => {
        if (confirm(t('control.confirm_delete', { title: p.title }))) request({ type: 'delete_prompt', prompt_id: p.id });
      }));
    }
    li.append(pick, line, actions);
    return li;
  }));
  if (refocus) /** @type {PageElement} */ ($('agenda').querySelector(`[data-id="${refocus[0]}"] [data-act="${refocus[1]}"]`))?.focus();
  const next = nextDraft();
  $('next').disabled = !next;
  $('next-title').textContent = next ? t('control.next_is', { title: next.title }) : t('control.no_next');
  renderScreen();
}

const minutes = (secs) => draw.num(Math.round((secs / 60) * 10) / 10);
const badge = (state) => el('span', `badge ${state}`, t(`state.${state}`));

function select(id) {
  selected = id;
  picked = [];
  filterGroup = filterCol = '';
  renderAgenda();
  renderSelected();
}

function renderGroups() {
  $('groups-empty').hidden = groups.length > 0;
  $('groups').replaceChildren(...groups.map((g) => {
    const li = el('li', 'group-row');
    const color = el('input', 'color');
    color.type = 'color';
    color.value = g.color || '#8a949e';
    color.setAttribute('aria-label', t('control.group_color'));
    const name = el('input');
    name.value = g.name;
    name.maxLength = LIMITS.group_name_max;
    name.setAttribute('aria-label', t('control.group_name'));
    const save = () => {
      if (name.value.trim() && (name.value.trim() !== g.name || color.value !== g.color)) {
        request({ type: 'update_group', group_id: g.id, name: name.value.trim(), color: color.value });
      }
    };
    name.addEventListener('change', save);
    color.addEventListener('change', save);
    const n = el('span', 'count group-n');
    n.dataset.group = g.id;
    const link = el('a', 'small-link', t('control.group_screen'));
    link.href = `/${slug}/screen?group=${encodeURIComponent(g.id)}`;
    link.target = '_blank';
    link.rel = 'noopener';
    const meta = el('span', 'group-meta');
    meta.append(n, link);
    li.append(color, name, button('control.delete', 'secondary danger small', () => {
      if (confirm(t('control.confirm_delete_group', { name: g.name }))) request({ type: 'delete_group', group_id: g.id });
    }), meta);
    return li;
  }));
  $('g-color').value = PALETTE[groups.length % PALETTE.length];
  renderPresence();
}

function renderPresence() {
  for (const n of $('groups').querySelectorAll('.group-n')) {
    n.textContent = present ? t('control.present', { n: present[/** @type {PageElement} */ (n).dataset.group] || 0 }) : '';
  }
}

$('gform').addEventListener('submit', (e) => {
  e.preventDefault();
  const name = $('g-name').value.trim();
  if (!name) return $('g-name').focus();
  request({ type: 'add_group', name, color: $('g-color').value }, () => {
    if ($('g-name').value.trim() === name) $('g-name').value = '';
  });
});

function renderHead() {
  const p = sel();
  // Long texts are clamped to fit the console's head (so the live controls and the items stay
  // in view); the whole text is in the editor and, for the pointer, in the tooltip.
  clamped($('sel-title'), p ? p.title : t('control.no_prompt'));
  clamped($('sel-instr'), p ? p.instructions : '');
  $('sel-state').replaceChildren(...(p ? [badge(p.state)] : []));
  $('sel-kind').textContent = p ? t(`kind.${p.kind}`) : '';
  clamped($('sel-settings'), p ? settings(p) : '');
  const acts = [];
  if (p) {
    acts.push(button(p.state === 'open' ? 'control.close' : p.state === 'draft' ? 'control.open' : 'control.reopen',
      'primary', () => toggleOpen(p)));
    // A minute more only where there is a time box to lengthen.
    if (p.state === 'open' && p.time_limit_secs) {
      acts.push(button('control.add_minute', 'secondary', () => request({ type: 'add_time', prompt_id: p.id, secs: 60 })));
    }
    if (p.state === 'open') {
      acts.push(button(p.locked ? 'control.unlock' : 'control.lock', 'secondary', () => request({ type: 'lock_prompt', prompt_id: p.id, locked: !p.locked })));
    }
    acts.push(button('control.edit', 'secondary', () => startEdit(p)));
    if (p.state !== 'draft') {
      // The button turns into the indicator; both answer to `screen`, so focus stays put.
      const s = onScreen(p) ? el('span', 'tag onscreen', t('control.on_screen'))
        : button('control.show_on_screen', 'secondary', () => toggleScreen(p));
      s.dataset.act = 'screen';
      if (s.tagName === 'SPAN') s.tabIndex = -1;
      acts.push(s);
    }
  }
  const active = /** @type {PageElement} */ (document.activeElement);
  const had = active && active.closest('#sel-actions') && active.dataset.act;
  $('sel-actions').replaceChildren(...acts);
  if (had) /** @type {PageElement} */ ($('sel-actions').querySelector(`[data-act="${had}"]`))?.focus();
  const list = p ? itemsOf(p.id) : [];
  $('sel-count').textContent = p ? countText(p) : '';
  $('sel-empty').hidden = !p || list.length > 0;
  $('sel-empty').textContent = p && p.state === 'draft' ? t('control.not_opened') : t('control.no_items');
  tick();
}

/** Sets a clamped element's text, and the same as its tooltip. */
function clamped(e, text) {
  e.textContent = text;
  e.title = text;
}

/** The prompt's settings in one line: columns, options, groups, moderation, results. */
function settings(p) {
  const s = [];
  s.push(...activity(p.kind).summary(p, { title: (id) => { const q = promptById(id); return q ? q.title : id; } }));
  if (p.time_limit_secs) s.push(t(p.auto_close ? 'control.s_time_auto' : 'control.s_time', { n: minutes(p.time_limit_secs) }));
  for (const f of ['per_group', 'premoderation', 'wall']) if (p[f]) s.push(t(`control.s_${f}`));
  if (activity(p.kind).results) s.push(t(`vis.${p.show_results}`));
  return s.join(' · ');
}

function renderChart() {
  const p = sel();
  const show = !!p && activity(p.kind).results;
  $('results-box').hidden = !show;
  if (!show) return;
  const box = $('chart');
  if (chartFor !== p.id) {
    draw.reset(box);
    chartFor = p.id;
  }
  box.className = `chart small ${p.kind}`;
  $('results-h').textContent = t('control.results_title');
  const r = results[p.id];
  activity(p.kind).chart(box, p, r, { words: 100 });
}

function renderSelected() {
  renderHead();
  renderChart();
  const p = sel();
  const mod = !!p && takesItems(p);
  $('mod').hidden = !mod;
  if (!mod) return;
  const cols = activity(p.kind).columns(p);
  fill($('f-group'), filterGroup, [['', t('control.all_groups')], ...groups.map((g) => [g.id, g.name]), ['-', t('control.no_group')]]);
  fill($('f-col'), filterCol, [['', t('control.all_columns')], ...cols.map((c, n) => [String(n), c])]);
  $('f-group-box').hidden = !groups.length;
  $('f-col-box').hidden = !cols.length;
  renderItems();
}

function fill(select, value, options) {
  select.replaceChildren(...options.map(([v, text]) => {
    const o = el('option', '', text);
    o.value = v;
    return o;
  }));
  select.value = value;
}

const passes = (i) => (!filterGroup || (filterGroup === '-' ? !i.group : i.group === filterGroup))
  && (filterCol === '' || String(i.column) === filterCol);
/** Where an item is listed: the approval queue, the main list, or nowhere (merged or filtered). */
const listFor = (i) => (i.prompt_id !== selected || i.merged_into || !passes(i) ? null
  : !i.approved && !i.hidden ? $('queue') : $('items'));

function renderItems() {
  nodes.clear();
  $('queue').replaceChildren();
  $('items').replaceChildren();
  const list = itemsOf(selected).sort((a, b) => b.seq - a.seq);
  // Merged duplicates by the item they went into, found once rather than per row.
  const kids = new Map();
  for (const i of list) if (i.merged_into) kids.set(i.merged_into, [...(kids.get(i.merged_into) || []), i]);
  for (const i of list) {
    const to = listFor(i);
    if (!to) continue;
    const n = itemNode(i, kids.get(i.id) || []);
    nodes.set(i.id, n);
    to.append(n);
  }
  renderTallies();
}

/** An item arrived or changed: redraw its row (and its merge target's), the counts, the agenda. */
function itemChanged(i) {
  renderCount(i.prompt_id);
  if (i.prompt_id !== selected) return;
  place(i);
  if (i.merged_into) place(items.get(i.merged_into));
  renderHead();
  renderTallies();
}

function place(i) {
  if (!i) return;
  const old = nodes.get(i.id);
  const to = listFor(i);
  if (!to) {
    old?.remove();
    nodes.delete(i.id);
    return;
  }
  const focus = old && old.contains(document.activeElement) && /** @type {PageElement} */ (document.activeElement).dataset.act;
  const n = itemNode(i);
  nodes.set(i.id, n);
  if (old && old.parentNode === to) old.replaceWith(n);
  else {
    old?.remove();
    let at = to.firstChild;
    while (at && +/** @type {PageElement} */ (at).dataset.seq > i.seq) at = at.nextSibling;
    to.insertBefore(n, at);
  }
  if (focus) n.querySelector(`[data-act="${focus}"]`)?.focus();
}

/** Counts per column and per group (visible items), the queue's heading and the merge button. */
function renderTallies() {
  const p = sel();
  if (!p || !takesItems(p)) return;
  const list = itemsOf(p.id);
  const shown = list.filter((i) => !i.hidden && i.approved && !i.merged_into);
  const parts = [];
  activity(p.kind).columns(p).forEach((c, n) => {
    parts.push(el('span', 'tally', `${c}: ${shown.filter((i) => i.column === n).length}`));
  });
  for (const g of groups) {
    const c = chip(g, `${g.name}: ${shown.filter((i) => i.group === g.id).length}`);
    c.classList.add('tally');
    parts.push(c);
  }
  $('tallies').replaceChildren(...parts);
  $('tallies').hidden = !parts.length;
  // One line on a laptop, cut at its end: the whole of it for the pointer.
  $('tallies').title = parts.map((x) => x.textContent).join(' · ');
  const waiting = list.filter((i) => !i.approved && !i.hidden).length;
  $('queue-box').hidden = !waiting;
  $('queue-h').textContent = t('control.queue', { n: waiting });
  picked = picked.filter((id) => items.get(id) && !items.get(id).merged_into);
  const merge = $('merge');
  merge.textContent = t('control.merge', { n: picked.length });
  merge.disabled = picked.length < 2;
  merge.title = picked.length ? t('control.merge_into', { text: items.get(picked[0]).text }) : t('control.merge_help');
  $('unselect').hidden = !picked.length;
}

const clockTime = (ms) => new Date(ms).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });

function itemNode(i, merged = [...items.values()].filter((x) => x.merged_into === i.id)) {
  const li = el('li', 'item-row');
  li.dataset.seq = i.seq;
  li.classList.toggle('is-hidden', i.hidden);
  li.classList.toggle('is-starred', i.starred);
  li.classList.toggle('is-waiting', !i.approved && !i.hidden);
  const box = el('input', 'pick');
  box.type = 'checkbox';
  box.dataset.act = 'pick';
  box.checked = picked.includes(i.id);
  box.setAttribute('aria-label', t('control.pick_for_merge'));
  box.addEventListener('change', () => {
    picked = box.checked ? [...picked, i.id] : picked.filter((x) => x !== i.id);
    renderTallies();
  });
  const body = el('div', 'item-body');
  if (editItem === i.id) body.append(editForm(i));
  else body.append(el('p', 'item-text', i.text));
  const p = sel();
  const meta = el('p', 'item-meta', `${clockTime(i.created_at)} · ${i.author || ''}`);
  const g = groups.find((x) => x.id === i.group);
  if (g) meta.append(' ', chip(g));
  const c = p && activity(p.kind).columns(p)[i.column];
  if (c) meta.append(' ', el('span', 'tag col', c));
  if (i.hidden) meta.prepend(el('span', 'tag', t('control.hidden_label')), ' ');
  if (!i.approved && !i.hidden) meta.prepend(el('span', 'tag wait', t('control.waiting_label')), ' ');
  if (i.starred) meta.prepend(el('span', 'tag fav', t('control.starred_label')), ' ');
  if (i.likes) meta.append(` · ♥ ${i.likes}`);
  body.append(meta);
  if (i.edited && i.history && i.history.length) {
    const d = el('details', 'history');
    d.append(el('summary', '', t('control.edited')),
      ...i.history.map((h) => el('p', 'item-meta', t('control.original', { time: clockTime(h.at), text: h.text }))));
    body.append(d);
  }
  if (merged.length) {
    const ul = el('ul', 'merged');
    ul.setAttribute('aria-label', t('control.merged_here'));
    for (const x of merged) {
      const m = el('li', '', x.text);
      m.append(button('control.unmerge', 'secondary small', () => request({ type: 'unmerge_item', item_id: x.id })));
      ul.append(m);
    }
    body.append(ul);
  }
  const acts = el('div', 'row-actions');
  if (!i.approved && !i.hidden) acts.append(button('control.approve', 'primary', () => request({ type: 'approve_item', item_id: i.id })));
  acts.append(
    button(i.starred ? 'control.unstar' : 'control.star', 'secondary', () => request({ type: 'star_item', item_id: i.id, starred: !i.starred })),
    button('control.edit', 'secondary', () => { editItem = i.id; place(i); nodes.get(i.id).querySelector('textarea')?.focus(); }),
    button(i.hidden ? 'control.unhide' : 'control.hide', 'secondary', () => request({ type: i.hidden ? 'unhide_item' : 'hide_item', item_id: i.id })),
  );
  li.append(box, body, acts);
  return li;
}

function editForm(i) {
  const f = el('form', 'edit-form');
  const ta = el('textarea');
  ta.value = i.text;
  ta.maxLength = LIMITS.item_text_max;
  ta.rows = 2;
  ta.setAttribute('aria-label', t('control.edit_text'));
  const done = () => { editItem = null; place(items.get(i.id)); };
  f.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = ta.value.trim();
    if (text && text !== i.text) request({ type: 'edit_item', item_id: i.id, text }, done);
    else done();
  });
  ta.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') done();
    if (e.key === 'Enter' && !e.shiftKey) f.requestSubmit();
  });
  const save = el('button', 'primary small', t('control.save'));
  save.type = 'submit';
  const row = el('div', 'inline');
  row.append(save, button('control.cancel_edit', 'secondary small', done));
  f.append(ta, row);
  return f;
}

$('merge').addEventListener('click', () => {
  if (picked.length < 2) return;
  request({ type: 'merge_items', into: picked[0], items: picked.slice(1) }, () => { picked = []; renderItems(); });
});
$('unselect').addEventListener('click', () => { picked = []; renderItems(); });
$('f-group').addEventListener('change', (e) => { filterGroup = /** @type {PageElement} */ (e.target).value; renderItems(); });
$('f-col').addEventListener('change', (e) => { filterCol = /** @type {PageElement} */ (e.target).value; renderItems(); });

function tick() {
  const p = sel();
  const ms = p && p.state === 'open' ? remaining(p) : null;
  const tm = $('sel-timer');
  tm.hidden = ms === null;
  if (ms !== null) {
    tm.textContent = ms > 0 ? mmss(ms) : t('participant.time_up');
    tm.classList.toggle('up', ms <= 0);
  }
}

// The prompt editor (control/editor.js).
const editor = createEditor({ prompts: () => prompts, promptById, request, fill });
const startEdit = editor.start;

$('next').addEventListener('click', () => request({ type: 'next_prompt' }));
$('join-screen').addEventListener('click', toggleJoin);

// Keyboard: N next, O open/close, J/K move the selection, E edit, T +1 min, L lock,
// S show the selected on the projector (again: follow), Q join page on or off.
bindKeys({
  n: () => request({ type: 'next_prompt' }),
  o: () => { const p = sel(); if (p) toggleOpen(p); },
  j: () => { const at = prompts.indexOf(sel()); if (prompts[at + 1]) select(prompts[at + 1].id); },
  k: () => { const at = prompts.indexOf(sel()); if (at > 0) select(prompts[at - 1].id); },
  e: () => { const p = sel(); if (p) startEdit(p); },
  t: () => { const p = sel(); if (p && p.state === 'open' && p.time_limit_secs) request({ type: 'add_time', prompt_id: p.id, secs: 60 }); },
  l: () => { const p = sel(); if (p && p.state === 'open') request({ type: 'lock_prompt', prompt_id: p.id, locked: !p.locked }); },
  // A draft goes to the server too, which says why it cannot be shown.
  s: () => { const p = sel(); if (p) toggleScreen(p); },
  q: () => toggleJoin(),
}, () => editor.isOpen() || exporter.isOpen() || !!refused);

/** Downloads a file of the session with the key as a Bearer token; true when it did. */
async function download(file, name, report = showStatus) {
  try {
    const res = await api.sessionFile(slug, key, file);
    if (!res.ok) {
      report(errorText(res.body?.error?.code));
      return false;
    }
    const r = res.response;
    const url = URL.createObjectURL(await r.blob());
    const a = document.createElement('a');
    a.href = url;
    // The server's name carries the session and the day it was held, in the session's zone.
    const given = /filename="([^"]+)"/.exec(r.headers.get('content-disposition') || '');
    a.download = given ? given[1] : name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30000);
    return true;
  } catch {
    report(errorText('network'));
    return false;
  }
}

// The Files menu closes once used, or on a click elsewhere.
addEventListener('click', (e) => {
  const menu = /** @type {PageElement} */ (document.querySelector('.menu'));
  const target = /** @type {PageElement} */ (e.target);
  if (menu.open && (!menu.contains(target) || target.closest('.menu-body button'))) menu.open = false;
});
// It opens towards the side with room: wherever the toolbar wrapped it, never off the screen.
document.querySelector('.menu').addEventListener('toggle', (e) => {
  const menu = /** @type {PageElement} */ (e.target);
  const body = menu.querySelector('.menu-body');
  body.classList.remove('to-right');
  if (!menu.open) return;
  if (body.getBoundingClientRect().left < 0) body.classList.add('to-right');
  // On a small screen where the page scrolls, bring the whole menu into view.
  body.scrollIntoView({ block: 'nearest' });
});
// The export dialog (control/exporter.js).
const exporter = createExporter({ prompts: () => prompts, language: () => (session ? session.language : lang), download });
$('tpl-save').addEventListener('click', () => download('agenda.json', `${slug}-agenda.json`));
$('tpl-load').addEventListener('click', () => $('tpl-file').click());
$('delete-session').addEventListener('click', async () => {
  if (!confirm(t('control.delete_confirm', { slug }))) return;
  try {
    const r = await api.deleteSession(slug, key);
    if (!r.ok) {
      showStatus(errorText(r.body?.error?.code));
      return;
    }
    location.assign('/');
  } catch {
    showStatus(errorText('network'));
  }
});
$('tpl-file').addEventListener('change', async (e) => {
  const input = /** @type {PageElement} */ (e.target);
  const file = input.files[0];
  input.value = '';
  if (!file) return;
  let tpl = null;
  try { tpl = JSON.parse(await file.text()); } catch { /* reported below */ }
  if (!tpl || tpl.format !== 'paja-agenda' || !Array.isArray(tpl.prompts) || !tpl.prompts.length) {
    showStatus(t('control.template_invalid'));
    return;
  }
  if (confirm(t('control.confirm_import', { n: tpl.prompts.length, title: tpl.title || file.name }))) {
    request({ type: 'import_agenda', prompts: tpl.prompts }, () => showStatus(t('control.imported', { n: tpl.prompts.length })));
  }
});

setInterval(tick, 500);

initLangSwitch();
onLang(() => { chartFor = null; renderAll(); });
setLang(savedLang() || 'fi');
renderAll();
if (!refused) conn.connect();
