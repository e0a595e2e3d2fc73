// @ts-check
// The matrix's projector chart, the console's table and the editor's inputs (matrix.js loads
// this off the phone): axes with their names and ends, quadrant lines, each item a numbered
// dot at its mean with a ±1 sd ellipse, and the legend "1 Text (n)" scaled to fit.
import { $, t, el, lang, reset } from '../common.js';
import { LIMITS } from '../limits.js';
import { both } from '../translate.js';

/** @typedef {{ label: string, low: string, high: string }} Axis */
/** @typedef {{ item_id: string, text: string, n: number, x: number | null, y: number | null, sx: number | null, sy: number | null }} Placed */

const SVG = 'http://www.w3.org/2000/svg';
/** Positions on each axis (as matrix.js, which imports this module: no import back). */
const STEPS = LIMITS.matrix_steps;
const axis = (/** @type {any} */ a) => /** @type {Axis} */ ({ label: (a && a.label) || '', low: (a && a.low) || '', high: (a && a.high) || '' });

const sheet = new CSSStyleSheet();
sheet.replaceSync(`
.chart.matrix { display: block; }
.m-wrap { display: flex; gap: 2%; height: 100%; min-height: 16rem; list-style: none; align-items: flex-start; }
.m-svg { flex: none; height: 100%; max-width: 62%; }
.m-svg { color: inherit; overflow: visible; }
.m-svg text { fill: currentColor; font-family: inherit; }
.m-svg .m-edge { stroke: currentColor; fill: none; stroke-width: 3; }
.m-svg .m-step { stroke: currentColor; stroke-opacity: 0.2; stroke-width: 1.5; }
.m-svg .m-mid { stroke: currentColor; stroke-opacity: 0.7; stroke-width: 4; }
.m-svg .m-spread { fill: var(--bar, var(--accent)); fill-opacity: 0.12; stroke: var(--bar, var(--accent)); stroke-opacity: 0.6; stroke-width: 2; }
.m-svg .m-dot circle { fill: var(--bar, var(--accent)); stroke: var(--sbg, #fff); stroke-width: 3; }
.m-svg .m-dot text { fill: var(--band-fg, #fff); font-weight: 700; }
.m-side { flex: 1; min-width: 0; height: 100%; display: flex; flex-direction: column; gap: 0.5em; }
.m-legend { margin: 0; padding: 0; list-style: none; overflow: hidden; flex: 1; min-height: 0; line-height: 1.2; }
.m-legend li { break-inside: avoid; display: flex; gap: 0.4em; margin-bottom: 0.3em; overflow-wrap: break-word; hyphens: auto; }
.m-legend .m-num { flex: none; min-width: 1.6em; height: 1.6em; border-radius: 50%; background: var(--bar, var(--accent));
  color: var(--band-fg, #fff); display: inline-flex; align-items: center; justify-content: center; font-weight: 700; font-size: 0.75em; }
.m-legend .none { opacity: 0.6; }
.m-legend .m-t { min-width: 0; }
.m-table { border-collapse: collapse; font-size: 0.9rem; width: 100%; }
.m-table th { white-space: nowrap; }
.m-table th, .m-table td { border-bottom: 1px solid var(--line); padding: 0.2em 0.4em; text-align: right; }
.m-table th:first-child, .m-table td:first-child { text-align: left; }
.chart.small .m-wrap { height: 18rem; min-height: 0; }
.chart.small .m-side { display: none; }
.m-table caption { text-align: left; color: var(--muted); caption-side: top; padding-bottom: 0.3em; }
.m-table td:first-child { overflow-wrap: anywhere; }
.m-console { display: grid; gap: 0.6rem; list-style: none; overflow-x: auto; }
`);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];

/** An SVG element with attributes. */
function svg(/** @type {string} */ tag, /** @type {Record<string, string | number>} */ attrs = {}, /** @type {string} */ text = '') {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text) e.textContent = text;
  return e;
}

/** The chart's square, in viewBox units: the plot and the margins for the axes' words. */
const BOX = 1000;
const PLOT = { left: 150, right: 975, top: 25, bottom: 850 };
const DOT = 30;

/** Where value `v` (1..STEPS, or a mean) falls between `lo` and `hi`. */
const at = (/** @type {number} */ v, /** @type {number} */ lo, /** @type {number} */ hi) => lo + ((v - 1) / (STEPS - 1)) * (hi - lo);

/** A font size (viewBox units) at which `words` fill no more than `room`, at most `most`. */
const fitText = (/** @type {string[]} */ words, /** @type {number} */ room, /** @type {number} */ most) =>
  Math.min(most, room / Math.max(1, words.join('   ').length * 0.6));

/**
 * Draws the axes (names in the middle, ends at their ends) and the quadrant lines.
 * @param {SVGElement} g
 * @param {Axis} x
 * @param {Axis} y
 */
function drawAxes(g, x, y) {
  const { left, right, top, bottom } = PLOT;
  const w = right - left;
  const h = bottom - top;
  const line = (/** @type {number} */ x1, /** @type {number} */ y1, /** @type {number} */ x2, /** @type {number} */ y2, /** @type {string} */ cls) =>
    svg('line', { x1, y1, x2, y2, class: cls });
  g.replaceChildren(svg('rect', { x: left, y: top, width: w, height: h, class: 'm-edge' }));
  // A line at each step, and the quadrants' lines through the middle.
  const mid = (STEPS + 1) / 2;
  for (let v = 2; v < STEPS; v++) {
    const cls = v === mid ? 'm-mid' : 'm-step';
    g.append(line(at(v, left, right), top, at(v, left, right), bottom, cls), line(left, at(v, bottom, top), right, at(v, bottom, top), cls));
  }
  if (!Number.isInteger(mid)) {
    g.append(line(at(mid, left, right), top, at(mid, left, right), bottom, 'm-mid'), line(left, at(mid, bottom, top), right, at(mid, bottom, top), 'm-mid'));
  }
  const xs = fitText([x.low, `${x.label} →`, x.high], w, 48);
  const ys = fitText([y.low, `${y.label} →`, y.high], h, 48);
  // The ends sit clear of a dot at the plot's edge (its radius reaches past the frame).
  const xb = bottom + DOT + 8 + xs;
  g.append(
    svg('text', { x: left, y: xb, 'font-size': xs, 'text-anchor': 'start' }, x.low),
    svg('text', { x: (left + right) / 2, y: xb + xs * 1.25, 'font-size': xs, 'text-anchor': 'middle', 'font-weight': 700 }, `${x.label} →`),
    svg('text', { x: right, y: xb, 'font-size': xs, 'text-anchor': 'end' }, x.high),
  );
  const yb = left - DOT - 8;
  const rot = (/** @type {number} */ v) => `rotate(-90 ${yb} ${v})`;
  g.append(
    svg('text', { x: yb, y: bottom, 'font-size': ys, 'text-anchor': 'start', transform: rot(bottom) }, y.low),
    svg('text', { x: yb - ys * 1.25, y: (top + bottom) / 2, 'font-size': ys, 'text-anchor': 'middle', 'font-weight': 700, transform: `rotate(-90 ${yb - ys * 1.25} ${(top + bottom) / 2})` }, `${y.label} →`),
    svg('text', { x: yb, y: top, 'font-size': ys, 'text-anchor': 'end', transform: rot(top) }, y.high),
  );
}

/**
 * Each placed item: a ±1 sd ellipse and a numbered dot at its mean. Dots that would cover each
 * other are pushed apart a little (the legend and the table carry the exact numbers).
 * @param {SVGElement} under the spreads' layer
 * @param {SVGElement} g the dots' layer
 * @param {Placed[]} items
 */
function drawDots(under, g, items) {
  const { left, right, top, bottom } = PLOT;
  const dots = items.map((it, i) => ({ i, it, cx: at(it.x || 1, left, right), cy: at(it.y || 1, bottom, top) }))
    .filter((d) => d.it.n > 0 && d.it.x != null && d.it.y != null);
  for (let round = 0; round < 30; round++) {
    let moved = false;
    for (const a of dots) {
      for (const b of dots) {
        if (a === b) continue;
        const dx = b.cx - a.cx;
        const dy = b.cy - a.cy;
        const d = Math.hypot(dx, dy);
        if (d >= DOT * 2) continue;
        const push = (DOT * 2 - d) / 2 + 0.5;
        const [ux, uy] = d ? [dx / d, dy / d] : [Math.cos(a.i), Math.sin(a.i)];
        b.cx += ux * push;
        b.cy += uy * push;
        a.cx -= ux * push;
        a.cy -= uy * push;
        moved = true;
      }
    }
    for (const d of dots) {
      d.cx = Math.min(right, Math.max(left, d.cx));
      d.cy = Math.min(bottom, Math.max(top, d.cy));
    }
    if (!moved) break;
  }
  const spreads = dots.map(({ it }) => svg('ellipse', {
    cx: at(it.x || 1, left, right), cy: at(it.y || 1, bottom, top),
    rx: Math.max(1, ((it.sx || 0) / (STEPS - 1)) * (right - left)), ry: Math.max(1, ((it.sy || 0) / (STEPS - 1)) * (bottom - top)),
    class: 'm-spread',
  }));
  const marks = dots.map(({ i, cx, cy }) => {
    const m = svg('g', { class: 'm-dot' });
    m.append(svg('circle', { cx, cy, r: DOT }),
      svg('text', { x: cx, y: cy, 'font-size': i + 1 > 9 ? 30 : 36, 'text-anchor': 'middle', 'dominant-baseline': 'central' }, String(i + 1)));
    return m;
  });
  under.replaceChildren(...spreads);
  g.replaceChildren(...marks);
}

/** A chart's parts, kept per box so frames update it in place. */
/** @typedef {{ id: string, wrap: HTMLElement, svg: SVGSVGElement, axes: SVGElement, spreads: SVGElement, dots: SVGElement, legend: HTMLElement, table: HTMLTableElement | null }} Parts */
/** Charts drawn so far on this page, for unique clip ids. */
let clips = 0;
/** @type {WeakMap<HTMLElement, Parts>} */
const charts = new WeakMap();

function build(/** @type {HTMLElement} */ box, /** @type {any} */ p) {
  const wrap = el('li', 'm-wrap');
  const s = /** @type {SVGSVGElement} */ (svg('svg', { viewBox: `0 0 ${BOX} ${BOX}`, class: 'm-svg', role: 'img' }));
  const axes = svg('g');
  // The spreads stay inside the plot: an item at an edge is still an item at that edge.
  const clip = `m-clip-${++clips}`;
  const defs = svg('defs');
  const path = svg('clipPath', { id: clip });
  path.append(svg('rect', { x: PLOT.left, y: PLOT.top, width: PLOT.right - PLOT.left, height: PLOT.bottom - PLOT.top }));
  defs.append(path);
  const spreads = svg('g', { 'clip-path': `url(#${clip})` });
  const dots = svg('g');
  s.append(defs, axes, spreads, dots);
  const side = el('div', 'm-side');
  const legend = el('ol', 'm-legend');
  side.append(legend);
  wrap.append(s, side);
  let table = null;
  if (box.classList.contains('small')) {
    table = /** @type {HTMLTableElement} */ (el('table', 'm-table'));
  }
  reset(box);
  box.append(wrap);
  if (table) {
    const under = el('li', 'm-console');
    // It scrolls sideways in a narrow console: reachable from the keyboard.
    under.tabIndex = 0;
    under.append(table);
    box.append(under);
  }
  return { id: p.id, wrap, svg: s, axes, spreads, dots, legend, table };
}

/** A mean or a spread the local way with two decimals; "–" when none. */
const fmt = (/** @type {number | null | undefined} */ v) => (v == null ? '–' : v.toLocaleString(lang, { maximumFractionDigits: 2, minimumFractionDigits: 2 }));

/** The console's numbers: item, n, the means and the spreads. */
function fillTable(/** @type {HTMLTableElement} */ table, /** @type {Axis} */ x, /** @type {Axis} */ y, /** @type {Placed[]} */ items) {
  const row = (/** @type {string} */ tag, /** @type {string[]} */ cells) => {
    const tr = el('tr');
    tr.append(...cells.map((c) => el(tag, '', c)));
    return tr;
  };
  const caption = el('caption', '', t('control.matrix_t_axes', { x: x.label, y: y.label }));
  const head = el('thead');
  head.append(row('th', ['item', 'n', 'mean_x', 'mean_y', 'sd_x', 'sd_y'].map((k) => t(`control.matrix_t_${k}`))));
  const body = el('tbody');
  body.append(...items.map((it, i) => row('td', [`${i + 1}. ${it.text}`, String(it.n), fmt(it.x), fmt(it.y), fmt(it.sx), fmt(it.sy)])));
  table.replaceChildren(caption, head, body);
}

/** Shrinks the legend's words (and adds a column) until every line shows. */
function fitLegend(/** @type {Parts} */ c) {
  const l = c.legend;
  const h = c.wrap.clientHeight;
  if (!h) return;
  // The square chart as tall as the box, but leaving the legend at least a third (the
  // console's table stands for its legend).
  const side = Math.min(h, c.wrap.clientWidth * (c.table ? 1 : 0.62));
  c.svg.style.width = `${side}px`;
  c.svg.style.height = `${side}px`;
  if (c.table) return;
  const fits = () => l.scrollHeight <= l.clientHeight + 1 && l.scrollWidth <= l.clientWidth + 1;
  for (const cols of [1, 2]) {
    l.style.columns = String(cols);
    let lo = 8;
    let hi = Math.max(lo, Math.round(h / 14));
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      l.style.fontSize = `${mid}px`;
      if (fits()) lo = mid;
      else hi = mid - 1;
    }
    l.style.fontSize = `${lo}px`;
    if (fits() && (lo >= h / 40 || cols === 2)) return;
  }
}

/**
 * The chart: axes, quadrants, each item's mean and spread, and the numbered legend (the ballot
 * without numbers while results are hidden). Under the console's small chart, the table.
 * @param {HTMLElement} box
 * @param {any} p
 * @param {any} r
 */
export function chart(box, p, r) {
  let c = charts.get(box);
  if (!c || c.id !== p.id || c.wrap.parentNode !== box) {
    c = build(box, p);
    charts.set(box, c);
  }
  // On a projector stacking a second language: "Vaikutus / Effekt" (each end likewise).
  const both2 = (/** @type {Axis} */ a) => /** @type {Axis} */ ({ label: both(a.label), low: both(a.low), high: both(a.high) });
  const x = both2(axis(p.x));
  const y = both2(axis(p.y));
  /** @type {Placed[]} */
  const items = r && r.items ? r.items
    : (p.ballot_items || []).map((/** @type {{id: string, text: string}} */ b) => ({ item_id: b.id, text: b.text, n: 0, x: null, y: null, sx: null, sy: null }));
  c.svg.setAttribute('aria-label', t('results.matrix_chart', { x: x.label, y: y.label }));
  drawAxes(c.axes, x, y);
  drawDots(c.spreads, c.dots, r ? items : []);
  c.legend.replaceChildren(...items.map((it, i) => {
    const li = el('li', r && !it.n ? 'none' : '');
    const n = el('span', 'm-num', String(i + 1));
    n.setAttribute('aria-hidden', 'true');
    const text = el('span', 'm-t', r ? t('results.matrix_legend', { text: it.text, n: it.n }) : it.text);
    li.append(n, text);
    return li;
  }));
  if (c.table) fillTable(c.table, x, y, items);
  fitLegend(c);
}

/** The editor's inputs: the source and each axis's name and ends. */
const AXES = /** @type {const} */ (['x', 'y']);
const PARTS = /** @type {const} */ (['label', 'low', 'high']);
const inputId = (/** @type {string} */ a, /** @type {string} */ part) => `e-m${a}-${part}`;

export function buildEditor() {
  const fs = el('fieldset', 'kind-fields stack');
  fs.dataset.kinds = 'matrix';
  fs.id = 'e-matrix';
  const label = (/** @type {string} */ key, /** @type {string} */ forId) => {
    const l = el('label', '', t(key));
    l.dataset.i18n = key;
    l.setAttribute('for', forId);
    return l;
  };
  const source = el('select');
  source.id = 'e-m-source';
  fs.append(label('control.matrix_source', 'e-m-source'), source);
  for (const a of AXES) {
    const group = el('div', 'grid3');
    for (const part of PARTS) {
      const box = el('div', 'stack');
      const input = /** @type {HTMLInputElement} */ (el('input'));
      input.id = inputId(a, part);
      input.maxLength = part === 'label' ? LIMITS.matrix_label_max : LIMITS.matrix_end_max;
      box.append(label(`control.matrix_${a}_${part}`, input.id), input);
      group.append(box);
    }
    fs.append(group);
  }
  return fs;
}

/** Fills the editor's inputs from `v`; `sources` are the prompts a ballot may come from. */
export function fill(/** @type {Record<string, any>} */ v, /** @type {string[][] | undefined} */ sources) {
  const select = $('e-m-source');
  select.replaceChildren(...(sources || []).map(([id, text]) => {
    const o = el('option', '', text);
    o.setAttribute('value', id);
    return o;
  }));
  select.value = v.kind === 'matrix' ? v.source || '' : '';
  for (const a of AXES) for (const part of PARTS) $(inputId(a, part)).value = axis(v[a])[part];
  // Once opened, the axes and the source stay as they are (the server refuses a change).
  const fs = /** @type {HTMLFieldSetElement} */ (document.getElementById('e-matrix'));
  fs.disabled = !!v.state && v.state !== 'draft';
}

/**
 * Copies the inputs into the draft `d`; a problem as [string key, input id], else null.
 * @returns {[string, string] | null}
 */
export function read(/** @type {Record<string, any>} */ d) {
  d.source = $('e-m-source').value;
  for (const a of AXES) {
    const v = axis(null);
    for (const part of PARTS) v[part] = $(inputId(a, part)).value.trim();
    d[a] = v;
  }
  if (!d.source) return ['control.source_required', 'e-m-source'];
  if (!d.x.label) return ['control.matrix_label_required', inputId('x', 'label')];
  if (!d.y.label) return ['control.matrix_label_required', inputId('y', 'label')];
  return null;
}

/** The console's one line on the prompt: the axes and the source. */
export const summary = (/** @type {any} */ p, /** @type {SummaryContext} */ ctx) => [t('control.s_matrix', { x: axis(p.x).label, y: axis(p.y).label, source: ctx.title(p.source) })];

/** A new prompt's axes: unnamed. */
export const defaults = { x: axis(null), y: axis(null) };
