// @ts-check
// The projector's by-theme view (issue 14), the room's "Purku yhdessä": when the facilitator
// turns it on for a brainstorm, each theme in the facilitator's order is a heading with its
// count and its items under it, the items in no theme last. Like the wall (screen/wall.js) it
// is all on screen: the fit tries text sizes from the largest down, in one to five columns,
// and keeps the first at which every block and every word fits.
import { $, t, el } from '../common.js';
import { state } from './store.js';
import { finnishHyphens, wordsFit } from './wall.js';

/** Text sizes (vh), tried from the largest down (2 vh is 22 px at 1080p, 14 px at 720p). */
const SIZES = [4.6, 4.2, 3.8, 3.4, 3.1, 2.8, 2.5, 2.2, 2, 1.8, 1.6, 1.45];
/** The item size (vh) the view should get: 19 px at 1080p, as the question yields for it. */
const GOOD = 1.8;
/** The most columns the blocks are set in (five headings side by side on a 16:9 screen). */
const MAX_COLS = 5;

/** Whether the stage shows its prompt by theme. */
export const byTheme = () => !!state.prompt && state.prompt.kind === 'brainstorm' && !!state.prompt.by_theme;

/**
 * A theme's block: its heading with the count, then its items (in the order they came).
 * @param {string} name
 * @param {any[]} items
 * @param {boolean} other the items in no theme
 */
function block(name, items, other) {
  const s = el('section', other ? 'theme-block other' : 'theme-block');
  const h = el('h2', 'theme-h');
  h.append(el('span', 'theme-name', finnishHyphens(name)), el('span', 'theme-n', String(items.length)));
  const ul = el('ul', 'theme-items');
  ul.append(...items.map((i) => el('li', 'theme-item', finnishHyphens(i.text))));
  s.append(h, ul);
  return s;
}

/**
 * Draws the blocks of the stage's prompt from the items on the stage, then fits them; false
 * when the text had to go below `GOOD` (the question then gives up a size for them).
 */
export function fitThemes() {
  const p = state.prompt;
  const box = $('themes');
  const themes = (p && p.themes) || [];
  const known = new Set(themes.map((/** @type {Theme} */ th) => th.id));
  const items = [...state.items.values()].sort((a, b) => a.seq - b.seq);
  const blocks = themes.map((/** @type {Theme} */ th) => block(th.name, items.filter((i) => i.theme === th.id), false));
  const rest = items.filter((i) => !i.theme || !known.has(i.theme));
  if (rest.length) blocks.push(block(t('screen.unthemed'), rest, true));
  box.replaceChildren(...blocks);
  const fits = () => box.scrollHeight <= box.clientHeight + 1 && box.scrollWidth <= box.clientWidth + 1
    && wordsFit(box.querySelectorAll('.theme-name, .theme-item'));
  const set = (/** @type {number} */ size, /** @type {number} */ cols) => {
    box.style.setProperty('--theme-size', `${SIZES[size]}vh`);
    box.style.setProperty('--theme-cols', String(cols));
  };
  // Each theme whole in its column while the text stays at `GOOD` or more; else blocks flow on
  // into the next column, which packs them tighter.
  for (const whole of [true, false]) {
    box.classList.toggle('whole', whole);
    for (let s = 0; s < SIZES.length && (!whole || SIZES[s] >= GOOD); s++) {
      for (let cols = 1; cols <= MAX_COLS; cols++) {
        set(s, cols);
        if (fits()) return SIZES[s] >= GOOD;
      }
    }
  }
  set(SIZES.length - 1, MAX_COLS);
  return false;
}
