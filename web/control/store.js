// @ts-check
// The console's state in one object: what the server said (session, agenda, groups, items,
// results, what the projector shows) and what the facilitator chose here (the selected prompt,
// the filters, the items picked for a merge, the item being edited). Views read it; only the
// update functions below change it, each named for the frame or the click that calls it.
import { activity } from '../activities/index.js';

/** What the console holds; the views read it and never write it. */
export const state = {
  /** @type {SessionView | null} */
  session: null,
  /** @type {any[]} The agenda, in its order. */
  prompts: [],
  /** @type {Group[]} */
  groups: [],
  /** @type {string | null} The open prompt. */
  current: null,
  /** @type {ScreenView} What the projector shows. */
  screen: { kind: 'follow' },
  /** @type {string | null} The prompt on the right. */
  selected: null,
  /** @type {string | null} Why the server refused this console (an error code). */
  refused: null,
  participants: 0,
  /** @type {Record<string, number> | null} Participants online per group; null until the first presence frame. */
  present: null,
  /** The last event seq seen, for a resume. */
  seq: 0,
  /** @type {Map<string, any>} Every item of the session, by id. */
  items: new Map(),
  /** @type {number | null} Older items still to fetch (the welcome carries the newest): those below this seq. */
  itemsBefore: null,
  /** @type {Record<string, any>} Results by prompt id. */
  results: {},
  /** @type {string | null} The item whose text is being edited in its row. */
  editItem: null,
  /** Group filter of the item list: '' all, '-' none, else a group id. */
  filterGroup: '',
  /** Column filter of the item list: '' all, else a column's index. */
  filterCol: '',
  /** Theme filter of the item list: '' all, '-' none, else a theme's id. */
  filterTheme: '',
  /** @type {'top' | 'new'} The list's order where the kind ranks its items (a Q&A): Top, or newest first. */
  sort: 'top',
  /** @type {string[]} Items picked for a merge or a theme, in the order picked: the first is the one a merge keeps. */
  picked: [],
  /** @type {Record<string, string>} The facilitator's notes by prompt id (facilitator-only, from the welcome and `notes_changed`). */
  notes: {},
};

/** @param {string | null} id */
export const promptById = (id) => state.prompts.find((p) => p.id === id);
/** The selected prompt, if any. */
export const sel = () => (state.selected ? promptById(state.selected) : null);
/** @param {any} p whether it takes items from phones */
export const takesItems = (p) => activity(p.kind).items;
/** @param {string | null} id a prompt's items */
export const itemsOf = (id) => [...state.items.values()].filter((i) => i.prompt_id === id);
/**
 * Whether the projector shows this prompt now (under the join page it shows none).
 * @param {any} p
 */
export const onScreen = (p) => (state.screen.kind === 'follow' ? p.id === state.current
  : state.screen.kind === 'prompt' && p.id === state.screen.prompt_id);
/** The first draft after the open prompt: what Next opens. */
export function nextDraft() {
  const from = state.prompts.findIndex((p) => p.id === state.current) + 1;
  return state.prompts.slice(from).find((p) => p.state === 'draft');
}

/** @param {number} seq an event's seq */
export function seen(seq) { state.seq = Math.max(state.seq, seq); }

/** @param {string | null} code */
export function refuse(code) { state.refused = code; }

/**
 * A welcome: everything the server holds, replacing what was here.
 * @param {Welcome} m
 */
export function welcome(m) {
  state.session = m.session;
  state.seq = m.seq;
  state.prompts = m.prompts || [];
  state.groups = m.groups || [];
  state.current = m.prompt ? m.prompt.id : null;
  state.screen = m.screen || { kind: 'follow' };
  state.participants = m.participants || 0;
  Object.assign(state.results, m.results);
  state.items.clear();
  for (const i of m.items) state.items.set(i.id, i);
  state.itemsBefore = m.items_before ?? null;
  state.notes = { ...(m.notes || {}) };
  if (!sel()) state.selected = state.current || (state.prompts[0] && state.prompts[0].id) || null;
}

/**
 * @param {number} participants
 * @param {Record<string, number>} groups
 */
export function presence(participants, groups) {
  state.participants = participants;
  state.present = groups || {};
}

/** @param {Group[]} groups */
export function setGroups(groups) { state.groups = groups; }

/** @param {any} p a prompt added at the agenda's end */
export function addPrompt(p) {
  state.prompts.push(p);
  if (!state.selected) state.selected = p.id;
}

/** @param {string[]} order the agenda's prompt ids in their new order */
export function reorder(order) {
  const at = new Map(order.map((id, n) => [id, n]));
  state.prompts.sort((a, b) => (at.get(a.id) ?? 0) - (at.get(b.id) ?? 0));
}

/** @param {any} p a prompt's new state */
export function replacePrompt(p) {
  state.prompts = state.prompts.map((q) => (q.id === p.id ? p : q));
}

/** @param {any} p the prompt just opened: it becomes the current and the selected one */
export function openPrompt(p) {
  replacePrompt(p);
  state.current = p.id;
  state.selected = p.id;
}

/** @param {string} id */
export function deletePrompt(id) {
  state.prompts = state.prompts.filter((p) => p.id !== id);
  if (state.selected === id) state.selected = state.current;
}

/** @param {ScreenView} view */
export function setScreen(view) { state.screen = view; }

/**
 * @param {string} id a prompt's id
 * @param {any} r its results
 */
export function setResults(id, r) { state.results[id] = r; }

/**
 * A page of older items. Each is as the server holds it when the page was made, which is at
 * least as new as any event for it that came before the page (later events come after it).
 * @param {ItemsPage} m
 */
export function addPage(m) {
  for (const i of m.items) state.items.set(i.id, i);
  state.itemsBefore = m.items_before ?? null;
}

/** @param {any} i an item added or changed */
export function putItem(i) { state.items.set(i.id, i); }

/**
 * An item hidden by the facilitator; returns it (undefined when unknown).
 * @param {string} id
 */
export function hideItem(id) {
  const it = state.items.get(id);
  if (it) it.hidden = true;
  return it;
}

/**
 * Another prompt on the right: its filters and merge picks start afresh.
 * @param {string} id
 */
export function select(id) {
  state.selected = id;
  state.picked = [];
  state.filterGroup = state.filterCol = state.filterTheme = '';
}

/**
 * An item erased: it leaves the console's state (picked, being edited) for good.
 * @param {string} id
 * @returns {any} what the console knew of it, if anything
 */
export function eraseItem(id) {
  const it = state.items.get(id);
  state.items.delete(id);
  state.picked = state.picked.filter((x) => x !== id);
  if (state.editItem === id) state.editItem = null;
  // Its duplicates stand on their own again (the server sends them as `item_updated` too).
  for (const x of state.items.values()) if (x.merged_into === id) state.items.set(x.id, { ...x, merged_into: it?.merged_into || null });
  return it;
}

/** @param {string[]} ids the items picked for a merge */
export function setPicked(ids) { state.picked = ids; }

/** @param {string | null} id the item being edited in its row, or none */
export function editing(id) { state.editItem = id; }

/**
 * @param {'filterGroup' | 'filterCol' | 'filterTheme'} which
 * @param {string} value
 */
export function filter(which, value) { state[which] = value; }

/** @param {'top' | 'new'} how the list's order where the kind ranks its items */
export function sortBy(how) { state.sort = how; }

/**
 * A prompt's notes as the server now holds them.
 * @param {string} id
 * @param {string} notes
 */
export function setNotes(id, notes) { state.notes[id] = notes; }

/**
 * The selected prompt's themes (none unless it is a brainstorm with some).
 * @param {any} [p]
 * @returns {Theme[]}
 */
export const themesOf = (p = sel()) => (p && p.kind === 'brainstorm' && p.themes) || [];
