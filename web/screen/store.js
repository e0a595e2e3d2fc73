// @ts-check
// The projector's state in one object: the session, what the facilitator chose to show, the
// prompt on the stage with its results and its visible items (of one group with `?group=`),
// and who is online. Views read `state`; only the update functions below change it.
import { store as local } from '../common.js';

const query = new URLSearchParams(location.search);
/** Where the projector remembers a language chosen on it (apart from the console's). */
export const LANG_KEY = 'paja.screen.lang';
/** A language asked for in the address or chosen on this projector; else the session's. */
export const chosenLang = () => query.get('lang') || local.get(LANG_KEY);
/** The theme asked for in the address, if any. */
export const askedTheme = () => query.get('theme');

/** What the projector holds; the views read it and never write it. */
export const state = {
  /** The one group whose items are shown (`?group=g1`), or null for all. */
  only: query.get('group'),
  /** @type {SessionView | null} */
  session: null,
  /** @type {ScreenView} What the facilitator chose to show. */
  view: { kind: 'follow' },
  /** @type {any} The prompt on the stage: the one shown, or the current one (beneath the join page, too). */
  prompt: null,
  /** @type {string | null} Why the server refused this screen (an error code). */
  refused: null,
  participants: 0,
  /** @type {Record<string, number> | null} Participants online per group; null until the first presence frame. */
  present: null,
  /** @type {Group[]} */
  groups: [],
  /** @type {any} The stage prompt's results. */
  result: null,
  /** The last event seq seen, for a resume. */
  seq: 0,
  /** @type {Map<string, any>} The stage prompt's visible items (of `only`'s group), by id. */
  items: new Map(),
};

/** @param {any} i whether the projector shows an item */
export const shows = (i) => !i.hidden && i.approved !== false && !i.merged_into && (!state.only || i.group === state.only);

/** @param {number} seq an event's seq */
export function seen(seq) { state.seq = Math.max(state.seq, seq); }

/** @param {string | null} code */
export function refuse(code) { state.refused = code; }

/** @param {any} m a welcome: the session, its groups, who is online and what is shown */
export function welcome(m) {
  state.session = m.session;
  state.seq = m.seq;
  state.participants = m.participants || 0;
  state.groups = m.groups || [];
  state.view = m.screen || { kind: 'follow' };
}

/** @param {ScreenView} view */
export function setView(view) { state.view = view; }

/**
 * A prompt on the stage, with no items yet (they come one by one through `putItem`).
 * @param {any} p
 * @param {any} r its results
 */
export function stage(p, r) {
  state.prompt = p;
  state.result = r || null;
  state.items.clear();
}

/** @param {any} p the stage prompt's new state */
export function updatePrompt(p) { state.prompt = p; }

/** @param {any} r */
export function setResult(r) { state.result = r; }

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

/**
 * An item shown or changed; returns what it was.
 * @param {any} i
 */
export function putItem(i) {
  const was = state.items.get(i.id);
  state.items.set(i.id, i);
  return was;
}

/**
 * An item off the stage; returns what it was (undefined when not shown).
 * @param {string} id
 */
export function dropItem(id) {
  const was = state.items.get(id);
  state.items.delete(id);
  return was;
}
