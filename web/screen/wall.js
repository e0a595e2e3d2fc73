// @ts-check
// The projector's wall of items: cards in rows in the order they came (in columns when the
// prompt has them), starred ones large on top, and the fit that picks the largest card size at
// which all fit. Changes touch only their own card: hundreds of items a minute never redraw it
// all, and a hidden card leaves an empty slot so the cards after it do not move.
import { $, t, el, lang, pickLang, chip } from '../common.js';
import { activity } from '../activities/index.js';
import * as store from './store.js';
import { put as putText } from '../translate.js';

const { state } = store;

/** Card text sizes, in vh, tried from the largest down until the cards fit. */
const SIZES = [5.2, 4.4, 3.7, 3.1, 2.6, 2.3, 2];
/**
 * Below this card size (vh) Finnish cards get soft hyphens: narrow columns (six on one wall)
 * would otherwise shrink the text until "opiskeluterveydenhuoltopalvelut" fits on one line.
 */
const HYPHENATE_BELOW = 2.6;
/** The one language whose syllables `hyphenate` knows. */
const FINNISH = 'fi';
const VOWEL = /[aeiouyäöå]/i;

/** The language participants write in: the session's. */
export const textLang = () => (state.session ? pickLang(state.session.language) : lang);

/**
 * Soft hyphens at Finnish syllable boundaries (before a consonant that starts a syllable: one
 * followed by a vowel) in words of 12 letters or more, at least three letters from either end.
 * Debian's Chromium has no hyphenation dictionaries, so `hyphens: auto` alone breaks nothing;
 * the browser breaks at these only where a line is full, and shows the hyphen.
 * @param {string} text
 */
function hyphenate(text) {
  return text.replace(/\p{L}{12,}/gu, (w) => {
    const c = [...w];
    let out = c[0];
    for (let k = 1; k < c.length; k++) {
      if (k >= 3 && c.length - k >= 3 && !VOWEL.test(c[k]) && VOWEL.test(c[k + 1])
        && c.slice(0, k).some((x) => VOWEL.test(x))) out += '\u00AD';
      out += c[k];
    }
    return out;
  });
}

/** @param {string} text with soft hyphens when the session is in Finnish */
export const finnishHyphens = (text) => (textLang() === FINNISH ? hyphenate(text) : text);

/** Whether every word of `nodes` fits its box (none sticks out unbroken). @param {Iterable<Element>} nodes */
export const wordsFit = (nodes) => [...nodes].every((e) => e.scrollWidth <= e.clientWidth + 1);

/**
 * Wires the wall; `changed` runs after a card came or went (`stars`: a starred one).
 * @param {{ changed: (stars: boolean) => void }} screen
 */
export function createWall({ changed }) {
  /** The wall's layout: its cards, the slots hidden ones left, its lists, its last fit. */
  const wall = {
    /** @type {Map<string, HTMLElement>} Cards by item id. */
    cards: new Map(),
    /** @type {Map<string, HTMLElement>} Empty places of hidden cards, by item id, so that the cards after them do not move. */
    slots: new Map(),
    /** @type {HTMLElement[]} The lists the cards go into: one, or one per column. */
    lists: [],
    /** The card size (index into SIZES) of the last fit: hidden cards leave slots until it changes. */
    sized: -1,
    /** Whether the cards carry soft hyphens (set by the fit, for this prompt). */
    hy: false,
  };

  /** @param {any} i an item's text for its card: with soft hyphens once the fit asked for them */
  const cardText = (i) => (wall.hy ? hyphenate(i.text) : i.text);

  /** A new prompt on the stage: empty lists for its kind, one per column. */
  function lay() {
    const p = state.prompt;
    wall.cards.clear();
    wall.slots.clear();
    wall.sized = -1;
    wall.hy = false;
    const colNames = p ? activity(p.kind).columns(p) : [];
    const box = $('cols');
    box.replaceChildren(...colNames.map((name) => {
      const c = el('section', 'wall-col');
      const h = el('h2', 'wall-col-h');
      // Narrow columns (six on a wall): a long Finnish heading breaks at a hyphen, not mid-word.
      const n = putText(el('span', 'wall-col-name'), name);
      if (n.firstChild) n.firstChild.textContent = finnishHyphens(name);
      h.append(n, el('span', 'wall-col-n'));
      c.append(h, el('ul', 'cards'));
      return c;
    }));
    box.hidden = !colNames.length;
    box.style.setProperty('--cols', String(colNames.length || 1));
    $('cards').replaceChildren();
    $('cards').hidden = !p || !activity(p.kind).cards || colNames.length > 0;
    wall.lists = colNames.length ? [.../** @type {NodeListOf<HTMLElement>} */ (box.querySelectorAll('.cards'))] : [$('cards')];
    $('stars').replaceChildren();
  }

  /**
   * Adds or redraws an item's card, in seq order within its list.
   * @param {any} i
   * @param {boolean} [quiet] part of laying out a prompt: not new, no refit
   */
  function put(i, quiet) {
    const was = store.putItem(i);
    if (!activity(state.prompt.kind).cards) return;
    const card = el('li', quiet || was ? 'card-item' : 'card-item new');
    card.dataset.seq = i.seq;
    card.classList.toggle('starred', i.starred);
    card.append(el('span', 'card-text', cardText(i)));
    const g = !state.only && state.groups.find((x) => x.id === i.group);
    if (g || i.likes || i.merged) {
      const foot = el('span', 'card-foot');
      if (g) foot.append(chip(g));
      // Duplicates merged into it: the card stands for them all.
      if (i.merged) foot.append(el('span', 'card-merged', `×${i.merged + 1}`));
      if (i.likes) foot.append(el('span', 'card-likes', `♥ ${i.likes}`));
      card.append(foot);
    }
    // Shown again: back into the place it left; moved to another column (by the facilitator):
    // into that column's list, in its order.
    let old = wall.cards.get(i.id) || wall.slots.get(i.id);
    if (old && was && (was.column || 0) !== (i.column || 0)) {
      old.remove();
      old = undefined;
    }
    wall.slots.delete(i.id);
    wall.cards.set(i.id, card);
    if (old) old.replaceWith(card);
    else {
      const list = wall.lists[Math.min(i.column || 0, wall.lists.length - 1)];
      let at = /** @type {HTMLElement | null} */ (list.lastElementChild);
      if (!at || +(at.dataset.seq || 0) < i.seq) list.append(card);
      else {
        /** @type {HTMLElement | null} */
        let before;
        while ((before = /** @type {HTMLElement | null} */ (at.previousElementSibling)) && +(before.dataset.seq || 0) > i.seq) at = before;
        list.insertBefore(card, at);
      }
    }
    if (!quiet) changed(i.starred || (was && was.starred));
  }

  /**
   * Takes an item's card off the wall, leaving an empty slot of its size: the cards after it keep
   * their places (people are reading them) until the next change of text size closes the gaps.
   * @param {string} id
   */
  function drop(id) {
    const was = store.dropItem(id);
    if (!was) return;
    const card = wall.cards.get(id);
    wall.cards.delete(id);
    if (card && card.isConnected && !card.classList.contains('gone')) {
      const slot = el('li', 'card-slot');
      slot.dataset.seq = card.dataset.seq;
      slot.setAttribute('aria-hidden', 'true');
      slot.style.setProperty('height', `${card.getBoundingClientRect().height}px`);
      card.replaceWith(slot);
      wall.slots.set(id, slot);
    } else card?.remove();
    changed(was.starred);
  }

  /** Starred items, largest on top (the newest two). */
  function renderStars() {
    const starred = [...state.items.values()].filter((i) => i.starred).sort((a, b) => b.seq - a.seq).slice(0, 2);
    $('stars').hidden = !starred.length || !state.prompt || !activity(state.prompt.kind).cards;
    $('stars').replaceChildren(...starred.map((i) => el('li', 'star-item', i.text)));
  }

  /** Items per column, in the columns' headings. */
  function renderCounts() {
    if (wall.lists.length < 2) return;
    const per = wall.lists.map(() => 0);
    for (const i of state.items.values()) per[i.column || 0]++;
    $('cols').querySelectorAll('.wall-col-n').forEach((e, c) => { e.textContent = String(per[c]); });
  }

  /**
   * Picks the largest card size at which every card fits, its longest word unbroken (Finnish
   * below `HYPHENATE_BELOW`: at a soft hyphen); below the smallest, the oldest give way and a
   * count says how many. The cards stay in rows in the order they came, so a new card never moves
   * the others, and a hidden card's slot stays empty until the size changes.
   */
  function fit() {
    const lists = wall.lists;
    for (const c of wall.cards.values()) c.classList.remove('gone');
    for (const l of lists) l.querySelector('.card-more')?.remove();
    const size = (/** @type {number} */ s) => lists.forEach((l) => l.style.setProperty('--card-size', `${SIZES[s]}vh`));
    const fits = (/** @type {HTMLElement} */ l) => l.scrollHeight <= l.clientHeight + 1 && wordsFit(l.querySelectorAll('.card-text'));
    const search = () => {
      let lo = 0;
      let hi = SIZES.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        size(mid);
        if (lists.every(fits)) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    };
    let s = search();
    if (s !== wall.sized && wall.slots.size) {
      for (const slot of wall.slots.values()) slot.remove();
      wall.slots.clear();
      s = search();
    }
    if (SIZES[s] < HYPHENATE_BELOW && !wall.hy && textLang() === FINNISH) {
      wall.hy = true;
      for (const [id, c] of wall.cards) /** @type {HTMLElement} */ (c.querySelector('.card-text')).textContent = cardText(state.items.get(id));
      s = search();
    }
    size(s);
    wall.sized = s;
    for (const l of lists) {
      if (fits(l)) continue;
      const more = el('li', 'card-more');
      more.dataset.seq = '-1';
      more.textContent = t('screen.earlier', { n: l.children.length });
      l.prepend(more);
      const all = [...l.querySelectorAll('.card-item')];
      const batch = Math.max(1, Math.ceil(all.length / 20));
      for (let k = 0; k < all.length - 1 && !fits(l); k += batch) {
        for (const c of all.slice(k, k + batch)) c.classList.add('gone');
        more.textContent = t('screen.earlier', { n: Math.min(all.length - 1, k + batch) });
      }
    }
  }

  return { lay, put, drop, renderStars, renderCounts, fit, multi: () => wall.lists.length > 1 };
}
