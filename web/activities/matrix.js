// @ts-check
// Matrix (2×2): each phone places the items of an earlier brainstorm or word cloud (its
// `source`, frozen as the ballot at the first open) on two axes, 1..STEPS each. Results are
// each item's mean position and spread: a chart of numbered dots with a legend beside it.
// The module brings its own editor inputs (`editor.build`) and its own styles (an adopted
// stylesheet: no inline style, so the pages' CSP holds), so adding it touched no page. The
// chart, the console's table and the editor are in matrix_views.js, which a phone never fetches.
import { t, el } from '../common.js';
import { LIMITS } from '../limits.js';

/** Positions on each axis (1 = the low end); the server's bound. */
export const STEPS = LIMITS.matrix_steps;

/** The projector's and the console's parts: loaded before this module resolves, except on a phone. */
const views = document.documentElement.dataset.strings === 'participant' ? null : await import('./matrix_views.js');

// The phone's styles, adopted by the page (constructed sheets are not inline styles).
const sheet = new CSSStyleSheet();
sheet.replaceSync(`.m-phone{display:grid;gap:.6rem}
.m-count,.m-placed{margin:0;color:var(--muted)}
.m-text{font-size:1.15rem;font-weight:700;margin:0;overflow-wrap:anywhere;hyphens:auto}
.m-axis-y,.m-axis-x{margin:0;font-weight:600}
.m-frame{display:grid;grid-template-columns:auto 1fr;gap:.3rem}
.m-yends,.m-xends{display:flex;justify-content:space-between;gap:.5rem;margin:0;font-size:.85rem;color:var(--muted);overflow-wrap:anywhere}
.m-yends{writing-mode:vertical-rl;transform:rotate(180deg)}
.m-grid{display:grid;grid-template-columns:repeat(${STEPS},minmax(44px,1fr));gap:3px}
.m-cell{min-height:44px;padding:0;border:1px solid var(--line);border-radius:6px;background:var(--card);justify-content:center}
.m-cell[aria-checked=true]{background:var(--accent);color:#fff}
.m-xends,.m-axis-x{grid-column:2;text-align:center}
.m-nav{display:flex;flex-wrap:wrap;gap:.5rem}
.m-nav button{flex:1;min-height:48px}
`);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];

/** An axis as sent: its name and its ends ("" when none). */
/** @typedef {{ label: string, low: string, high: string }} Axis */

export const axis = (/** @type {any} */ a) => /** @type {Axis} */ ({ label: (a && a.label) || '', low: (a && a.low) || '', high: (a && a.high) || '' });

/**
 * One ballot item at a time, a grid of STEPS×STEPS cells to place it (a radio group with a
 * roving tabindex), and Back / Skip-or-Next / Remove.
 * @param {HTMLElement} box
 * @param {PhoneContext} ctx
 */
function phone(box, ctx) {
  const p = ctx.prompt;
  const x = axis(p.x);
  const y = axis(p.y);
  /** @type {{id: string, text: string}[]} */
  const ballot = p.ballot_items || [];
  /** This phone's placements, by item id. */
  const places = () => /** @type {Record<string, [number, number]>} */ (ctx.mine.places || (ctx.mine.places = {}));
  /** @param {number} from */
  const nextUnplaced = (from) => {
    for (let k = 1; k <= ballot.length; k++) {
      const i = (from + k) % ballot.length;
      if (!places()[ballot[i].id]) return i;
    }
    return -1;
  };
  let at = Math.max(0, nextUnplaced(ballot.length - 1));
  /** The roving cell: [x, y]. */
  let cursor = [3, 3].map(() => Math.ceil(STEPS / 2));

  const wrap = el('div', 'm-phone');
  const count = el('p', 'm-count');
  const text = el('p', 'm-text');
  text.id = 'm-text';
  text.setAttribute('aria-live', 'polite');
  const yName = ctx.says(el('p', 'm-axis-y'), y.label);
  yName.prepend('↑ ');
  const frame = el('div', 'm-frame');
  const yEnds = el('p', 'm-yends');
  yEnds.append(ctx.says(el('span'), y.low), ctx.says(el('span'), y.high));
  const grid = el('div', 'm-grid');
  grid.setAttribute('role', 'radiogroup');
  grid.setAttribute('aria-labelledby', 'm-text');
  /** @type {HTMLButtonElement[]} */
  const cells = [];
  for (let cy = STEPS; cy >= 1; cy--) {
    for (let cx = 1; cx <= STEPS; cx++) {
      const c = ctx.button('', 'm-cell', () => place(cx, cy));
      c.setAttribute('role', 'radio');
      c.setAttribute('aria-label', t('participant.matrix_cell', {
        x: x.label, xv: cx, y: y.label, yv: cy,
      }));
      c.dataset.x = String(cx);
      c.dataset.y = String(cy);
      cells.push(c);
    }
  }
  grid.append(...cells);
  /**
   * @param {number} cx
   * @param {number} cy
   */
  const cellAt = (cx, cy) => cells[(STEPS - cy) * STEPS + cx - 1];
  /** @type {Record<string, number[]>} */
  const MOVES = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
  grid.addEventListener('keydown', (/** @type {KeyboardEvent} */ e) => {
    const move = MOVES[e.key];
    if (!move) return;
    e.preventDefault();
    cursor = [Math.min(STEPS, Math.max(1, cursor[0] + move[0])), Math.min(STEPS, Math.max(1, cursor[1] + move[1]))];
    refresh();
    cellAt(cursor[0], cursor[1]).focus();
  });
  const xEnds = el('p', 'm-xends');
  xEnds.append(ctx.says(el('span'), x.low), ctx.says(el('span'), x.high));
  const xName = ctx.says(el('p', 'm-axis-x'), x.label);
  xName.append(' →');
  frame.append(yEnds, grid, xEnds, xName);
  const placed = el('p', 'm-placed');
  const back = ctx.button(t('participant.matrix_back'), 'secondary', () => go(at - 1));
  const next = ctx.button('', 'secondary', () => go(at + 1));
  const remove = ctx.button(t('participant.matrix_remove'), 'secondary', () => unplace());
  const nav = el('div', 'm-nav');
  nav.append(back, next, remove);
  wrap.append(count, text, yName, frame, nav, placed);
  box.append(wrap);

  /** Shows the item `i` (its placement as the roving cell). */
  /** @param {number} i */
  function go(i) {
    at = Math.min(ballot.length - 1, Math.max(0, i));
    const here = ballot[at] && places()[ballot[at].id];
    if (here) cursor = [...here];
    refresh();
    // The new item's text in view above the grid (a tap low on the page moves on to it).
    if (count.getBoundingClientRect().top < 0) count.scrollIntoView({ block: 'nearest' });
  }

  /**
   * @param {number} cx
   * @param {number} cy
   */
  function place(cx, cy) {
    cursor = [cx, cy];
    const item = ballot[at];
    if (!item || !ctx.canAnswer()) return;
    const before = places()[item.id];
    const undo = () => {
      if (before) places()[item.id] = before;
      else delete places()[item.id];
      refresh();
    };
    if (before && before[0] === cx && before[1] === cy) return;
    const sent = ctx.act({ type: 'place', prompt_id: p.id, item_id: item.id, x: cx, y: cy },
      () => ctx.say(t('participant.answer_saved')), undo);
    if (sent) {
      places()[item.id] = [cx, cy];
      const n = nextUnplaced(at);
      if (n >= 0) go(n);
    }
    refresh();
  }

  function unplace() {
    const item = ballot[at];
    const before = item && places()[item.id];
    if (!before || !ctx.canAnswer()) return;
    const sent = ctx.act({ type: 'unplace', prompt_id: p.id, item_id: item.id },
      () => ctx.say(t('participant.matrix_removed')), () => {
        places()[item.id] = before;
        refresh();
      });
    if (sent) delete places()[item.id];
    refresh();
  }

  const refresh = () => {
    const item = ballot[at];
    wrap.hidden = !item;
    if (!item) return;
    const here = places()[item.id];
    count.textContent = t('participant.matrix_count', { n: at + 1, total: ballot.length });
    ctx.says(text, item.text);
    const can = ctx.canAnswer();
    for (const c of cells) {
      const cx = Number(c.dataset.x);
      const cy = Number(c.dataset.y);
      const on = !!here && here[0] === cx && here[1] === cy;
      c.setAttribute('aria-checked', String(on));
      c.textContent = on ? '●' : '';
      c.tabIndex = cx === cursor[0] && cy === cursor[1] ? 0 : -1;
      c.disabled = !can;
    }
    const done = ballot.filter((b) => places()[b.id]).length;
    placed.textContent = t('participant.matrix_placed', { n: done, total: ballot.length });
    back.disabled = at === 0;
    next.textContent = t(here ? 'participant.matrix_next' : 'participant.matrix_skip');
    next.disabled = at >= ballot.length - 1;
    remove.hidden = !here;
    remove.disabled = !can;
  };
  return refresh;
}

/** @type {Activity} */
export default {
  kind: 'matrix',
  items: false,
  results: true,
  cards: false,
  columns: () => [],
  answered: (r) => ('participants' in r ? r.participants : 0),
  answerLimit: () => Infinity,
  phone,
  chartRows: () => 0,
  rowChart: false,
  chart: (box, p, r) => views && views.chart(box, p, r),
  summary: (p, ctx) => (views ? views.summary(p, ctx) : []),
  editor: {
    fields: ['source', 'x', 'y'],
    defaults: views ? views.defaults : {},
    build: views ? views.buildEditor : undefined,
    fill: (v, sources) => views && views.fill(v, sources),
    read: (d) => (views ? views.read(d) : null),
  },
};
