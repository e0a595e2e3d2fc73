// @ts-check
// The room's wall on the phone (a prompt with the wall on): everyone's items, newest first,
// with likes; the phone's own are marked and cannot be liked.
import { $, t, el } from '../common.js';
import * as store from './store.js';
import { says, button } from './text.js';

const { state, cols, open } = store;

/**
 * Wires the wall; `act` sends a like.
 * @param {{ act: (frame: object, ok: (() => void) | null, fail: (() => void) | null) => boolean }} phone
 */
export function createWall({ act }) {
  /** @type {Map<string, { i: any, node: HTMLElement }>} Everyone's items of the current prompt, with their nodes. */
  const wall = new Map();

  /** @param {any} i adds or redraws an item, newest first */
  function put(i) {
    const list = $('wall');
    const old = wall.get(i.id);
    const own = state.items.has(i.id);
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
      const liked = state.mine.liked.has(i.id);
      const heart = el('span', '', liked ? '♥ ' : '♡ ');
      heart.setAttribute('aria-hidden', 'true');
      const b = button('', 'like', () => like(i.id));
      b.append(heart, String(i.likes));
      b.setAttribute('aria-pressed', String(liked));
      b.setAttribute('aria-label', t('participant.like', { n: i.likes }));
      b.disabled = !open();
      li.append(b);
    }
    if (old) old.node.replaceWith(li);
    else {
      let at = /** @type {HTMLElement | null} */ (list.firstElementChild);
      while (at && +(at.dataset.seq || 0) > i.seq) at = /** @type {HTMLElement | null} */ (at.nextElementSibling);
      list.insertBefore(li, at);
    }
    wall.set(i.id, { i, node: li });
  }

  /** @param {string} id likes an item, or takes the like back; undone if refused */
  function like(id) {
    const on = !state.mine.liked.has(id);
    const flip = (/** @type {boolean} */ yes) => {
      store.liked(id, yes);
      const w = wall.get(id);
      if (w) put({ ...w.i, likes: w.i.likes + (yes ? 1 : -1) });
    };
    if (act({ type: 'like', item_id: id, liked: on }, null, () => flip(!on))) flip(on);
  }

  /** @param {any[]} list the whole wall, replacing what is shown */
  function reset(list) {
    wall.clear();
    $('wall').replaceChildren();
    for (const i of list) put(i);
    $('wall-title').hidden = !wall.size;
  }

  /** @param {any} m a `wall` frame: the whole wall, or what came and went */
  function update(m) {
    if (m.full) reset([]);
    for (const id of m.removed) {
      wall.get(id)?.node.remove();
      wall.delete(id);
    }
    for (const i of m.items) put(i);
    $('wall-title').hidden = !wall.size;
  }

  /** Redraws every item (the prompt opened or closed: likes on or off). */
  const redraw = () => { for (const w of wall.values()) put(w.i); };
  /** @returns {any[]} the items shown */
  const shown = () => [...wall.values()].map((w) => w.i);

  return { reset, update, redraw, shown };
}
