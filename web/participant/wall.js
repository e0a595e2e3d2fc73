// @ts-check
// The room's wall on the phone (a prompt with the wall on): everyone's items, newest first,
// with likes; the phone's own are marked and cannot be liked. Loaded only once a wall has
// items (participant.js `views`): most prompts have none. The items are the store's
// (`state.wall`); this keeps their nodes and changes only those a frame touches.
import { $, t, el } from '../common.js';
import * as store from './store.js';
import { says, button } from './text.js';

const { state, cols, open } = store;

/**
 * Wires the wall; `act` sends a like.
 * @param {{ act: (frame: object, ok: (() => void) | null, fail: (() => void) | null) => boolean }} phone
 */
export function createWall({ act }) {
  /** @type {Map<string, HTMLElement>} The items' nodes, by id. */
  const nodes = new Map();

  /** @param {string} id adds or redraws an item from the store, newest first */
  function put(id) {
    const i = state.wall.get(id);
    if (!i) return;
    const list = $('wall');
    const old = nodes.get(id);
    const own = state.items.has(id);
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
      const liked = state.mine.liked.has(id);
      const heart = el('span', '', liked ? '♥ ' : '♡ ');
      heart.setAttribute('aria-hidden', 'true');
      const b = button('', 'like', () => like(id));
      b.append(heart, String(i.likes));
      b.setAttribute('aria-pressed', String(liked));
      b.setAttribute('aria-label', t('participant.like', { n: i.likes }));
      b.disabled = !open();
      li.append(b);
    }
    if (old) old.replaceWith(li);
    else {
      let at = /** @type {HTMLElement | null} */ (list.firstElementChild);
      while (at && +(at.dataset.seq || 0) > i.seq) at = /** @type {HTMLElement | null} */ (at.nextElementSibling);
      list.insertBefore(li, at);
    }
    nodes.set(id, li);
  }

  /** @param {string} id likes an item, or takes the like back; undone if refused */
  function like(id) {
    const on = !state.mine.liked.has(id);
    const flip = (/** @type {boolean} */ yes) => {
      store.liked(id, yes);
      put(id);
    };
    if (act({ type: 'like', item_id: id, liked: on }, null, () => flip(!on))) flip(on);
  }

  /** The whole wall afresh (a new prompt, a new language, likes on or off). */
  function render() {
    nodes.clear();
    $('wall').replaceChildren();
    for (const id of state.wall.keys()) put(id);
    $('wall-title').hidden = !state.wall.size;
  }

  /** @param {any} m a `wall` frame, already in the store: only its items' nodes change */
  function update(m) {
    if (m.full) return render();
    for (const id of m.removed) {
      nodes.get(id)?.remove();
      nodes.delete(id);
    }
    for (const i of m.items) put(i.id);
    $('wall-title').hidden = !state.wall.size;
  }

  return { render, update };
}
