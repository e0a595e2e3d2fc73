// @ts-check
// The phone's state in one object: the session and prompt the server sent, this phone's own
// answers and items, its group, and the outbox of texts not yet acknowledged, which (with the
// draft and the chosen column) survives a reload in localStorage. Views read `state`; only the
// update functions below change it.
import { store as local, slug, uuid } from '../common.js';
import { LIMITS } from '../limits.js';
import { activity } from '../activities/index.js';

const OUTBOX = `paja.outbox.${slug}`;
const COL = `paja.col.${slug}`;
/** The seq of the last rehearsal reset this phone knows of (see `welcome`). */
const RESET = `paja.reset.${slug}`;
/** Set when a reset reloaded the page, so the reloaded page says why. */
const WAS_RESET = `paja.wasreset.${slug}`;
/** Where the text box's draft is kept between visits. */
export const DRAFT = `paja.draft.${slug}`;

/** This phone's id, kept for good: a reload is the same participant. */
function participantId() {
  let pid = local.get('paja.pid') || '';
  if (!/^[0-9a-f-]{36}$/i.test(pid)) {
    pid = uuid();
    local.set('paja.pid', pid);
  }
  return pid;
}

/**
 * An item this page made: `t` when it was made, `col` its column, `name` a question's
 * optional name, `approved` whether the server had let it through (as the welcome said), `state`
 * its fate.
 * @typedef {{ id: string, prompt_id: string, text: string, t: number, col?: number, name?: string,
 *   approved?: boolean, state: 'pending' | 'saved' | 'error', code?: string }} OwnItem
 */
/** @typedef {{ id: string, prompt_id: string, text: string, t: number, col?: number, name?: string }} Queued */

const saved = local.getJSON(OUTBOX, []);

/** What the phone holds; the views read it and never write it. */
export const state = {
  pid: participantId(),
  /** @type {SessionView | null} */
  session: null,
  /** @type {any} The current prompt. */
  prompt: null,
  /** The last event seq seen, for a resume. */
  seq: 0,
  /** @type {string | null} Why the server refused this phone (an error code). */
  refused: null,
  /** @type {Group[]} */
  groups: [],
  /** @type {string | null} This phone's group. */
  group: null,
  /** Whether the group list is open. */
  picking: false,
  /** @type {Record<string, any>} This prompt's own answers: poll, scale, dots ({item: n}), liked (a Set). */
  mine: { dots: {}, liked: new Set() },
  /** @type {any} The current prompt's results, when the phone gets them. */
  result: null,
  /** The line under the answer: what happened last. */
  note: '',
  /** @type {Record<string, number>} The column picked last, for the prompt it belongs to. */
  col: local.getJSON(COL, {}),
  /** @type {Map<string, OwnItem>} Every item this page made, all prompts. */
  items: new Map(),
  /** @type {Map<string, any>} Everyone's items of the current prompt (wall on), by id. */
  wall: new Map(),
  /** @type {Set<string>} Items a wall frame took off the wall (hidden, merged away). */
  left: new Set(),
  /** @type {Queued[]} Sent but not acknowledged, oldest first. */
  outbox: /** @type {Queued[]} */ (Array.isArray(saved) ? saved : []),
};
for (const o of state.outbox) state.items.set(o.id, { ...o, state: 'pending' });

/** The current prompt's activity module (web/activities/). */
export const unit = () => activity(state.prompt && state.prompt.kind);
/** Whether the current prompt takes texts. */
export const texty = () => !!state.prompt && unit().items;
/** @returns {string[]} the current prompt's columns */
export const cols = () => (state.prompt ? unit().columns(state.prompt) : []);
/** Whether the current prompt takes answers now. */
export const open = () => !!state.prompt && state.prompt.state === 'open' && !state.prompt.locked;
// A per-group prompt takes answers only once the phone is in a group.
export const canAnswer = () => open() && (!state.prompt.per_group || !!state.group);
/** The longest text the current prompt takes. */
export const maxLen = () => (unit().text || { max: LIMITS.item_text_max }).max;
/** How many texts this phone gave the current prompt (refused ones aside). */
export const given = () => [...state.items.values()].filter((i) => i.prompt_id === state.prompt.id && i.state !== 'error').length;
/** Whether this phone gave the current prompt all it takes. */
export const full = () => given() >= unit().answerLimit(state.prompt);

const saveOutbox = () => (state.outbox.length ? local.setJSON(OUTBOX, state.outbox) : local.del(OUTBOX));

/** @param {number} seq an event's seq */
export function seen(seq) { state.seq = Math.max(state.seq, seq); }

/** @param {string | null} code */
export function refuse(code) { state.refused = code; }

/**
 * A welcome: the session, groups and this phone's saved items; what the server already has
 * leaves the outbox (the rest goes again once this is taken in).
 * @param {any} m
 */
export function welcome(m) {
  // A rehearsal was reset since this phone last heard of the session (it was offline then,
  // or asleep): what it still holds from before goes, unsent texts included, never to be sent
  // into the session that starts over.
  const reset = m.session.last_reset;
  if (reset != null && String(reset) !== local.get(RESET)) {
    if (local.get(RESET) !== null || state.outbox.length || state.items.size) forgetAll(reset);
    else local.set(RESET, String(reset));
  }
  state.session = m.session;
  state.seq = m.seq;
  state.groups = m.groups || [];
  state.group = (m.mine || {}).group || null;
  const known = new Set();
  for (const i of m.items) {
    known.add(i.id);
    state.items.set(i.id, { id: i.id, prompt_id: i.prompt_id, text: i.text, t: i.created_at, col: i.column, state: 'saved', approved: i.approved });
  }
  // The welcome lists every own item of its prompt: a saved one it leaves out was erased.
  for (const i of [...state.items.values()]) {
    if (m.prompt && i.prompt_id === m.prompt.id && i.state === 'saved' && !known.has(i.id)) state.items.delete(i.id);
  }
  state.outbox = state.outbox.filter((o) => !known.has(o.id));
  saveOutbox();
}

/**
 * A prompt on the phone, with its own answers and results.
 * @param {any} p
 * @param {any} my this phone's answers to it (`mine` of the wire)
 * @param {any} r
 */
export function setPrompt(p, my, r) {
  state.prompt = p;
  // A kind's own answers (`places`…) come along as sent; the shared ones are copied.
  state.mine = {
    ...my, poll: my.poll, poll_until: my.poll_until, scale: my.scale && [...my.scale], dots: { ...my.dots }, liked: new Set(my.liked),
  };
  state.result = r || null;
  state.note = '';
  if (p && cols().length === 1) state.col = { [p.id]: 0 };
}

/** @param {any} p the current prompt's new state */
export function updatePrompt(p) { state.prompt = p; }

/** @param {Lang} l the session's new main language (`languages_changed`) */
export function setLanguage(l) { if (state.session) state.session.language = l; }

/** @param {Group[]} groups the session's groups: a group that went leaves this phone */
export function setGroups(groups) {
  state.groups = groups;
  if (!groups.some((g) => g.id === state.group)) state.group = null;
}

/** @param {string | null} id this phone's group, chosen (the list closes) */
export function joinGroup(id) {
  state.group = id;
  state.picking = false;
}

/** The server asks for a group first: the list opens. */
export function groupRequired() {
  state.group = null;
  state.picking = true;
}

/** @param {boolean} on the group list open or closed */
export function picking(on) { state.picking = on; }

/** @param {any} r */
export function setResult(r) { state.result = r; }

/** @param {string} text the line under the answer */
export function note(text) { state.note = text; }

/**
 * The column for the current prompt's next text (none: undefined).
 * @param {number | undefined} c
 */
export function setCol(c) {
  state.col = c === undefined ? {} : { [state.prompt.id]: c };
  local.setJSON(COL, state.col);
}

/** @param {Queued} o a text into the outbox, pending */
export function queue(o) {
  state.outbox.push(o);
  saveOutbox();
  state.items.set(o.id, { ...o, state: 'pending' });
}

/** @param {string} id out of the outbox (acknowledged or refused) */
function unqueue(id) {
  state.outbox = state.outbox.filter((o) => o.id !== id);
  saveOutbox();
}

/**
 * A text acknowledged; true when it was not known saved before.
 * @param {string} id
 */
export function itemSaved(id) {
  const it = state.items.get(id);
  if (!it) return false;
  unqueue(id);
  if (it.state === 'saved') return false;
  it.state = 'saved';
  return true;
}

/**
 * A text refused, for good: it leaves the outbox and shows why.
 * @param {string} id
 * @param {string} code
 */
export function itemRefused(id, code) {
  const it = state.items.get(id);
  if (!it) return false;
  unqueue(id);
  it.state = 'error';
  it.code = code;
  return true;
}

/** @param {any[]} list the whole wall, replacing what was there */
export function setWall(list) {
  state.wall.clear();
  for (const i of list) state.wall.set(i.id, i);
}

/** @param {any} m a `wall` frame: the whole wall, or what came and went */
export function wallFrame(m) {
  if (m.full) state.wall.clear();
  for (const id of m.removed) {
    state.wall.delete(id);
    state.left.add(id);
  }
  for (const i of m.items) state.wall.set(i.id, i);
}

/**
 * A like given or taken back: the phone's own answer and the item's count.
 * @param {string} id
 * @param {boolean} yes
 */
export function liked(id, yes) {
  if (yes) state.mine.liked.add(id);
  else state.mine.liked.delete(id);
  const i = state.wall.get(id);
  if (i) state.wall.set(id, { ...i, likes: i.likes + (yes ? 1 : -1) });
}

/**
 * An item erased (withdrawn, or by the facilitator): out of the phone's own list, the
 * outbox and the wall. True when the phone had it anywhere.
 * @param {string} id
 */
export function erased(id) {
  const had = state.items.has(id) || state.wall.has(id);
  state.items.delete(id);
  state.wall.delete(id);
  unqueue(id);
  return had;
}

/**
 * A rehearsal reset: everything this phone kept of the session goes (its unsent texts, the
 * draft in the box, the column); a reloaded page then says the session started over.
 * @param {number} seq the reset's seq
 */
export function forgetAll(seq) {
  state.outbox = [];
  state.items.clear();
  state.wall.clear();
  saveOutbox();
  local.del(DRAFT);
  local.del(COL);
  state.col = {};
  local.set(RESET, String(seq));
  local.set(WAS_RESET, '1');
}

/** Whether a reset reloaded this page; asked once (the answer is forgotten). */
export function wasReset() {
  const was = local.get(WAS_RESET) === '1';
  local.del(WAS_RESET);
  return was;
}

/** @param {string} id forgets an item of this page */
export function forget(id) { state.items.delete(id); }
