// @ts-check
// The console's small view helpers, shared by its views: a button that names its action
// (`data-act`, so focus can be put back after a redraw), a select's options, a state badge.
import { t, el } from '../common.js';
import * as draw from '../results.js';

/**
 * A button labelled with the string `k`, which also names it in `data-act`.
 * @param {string} k
 * @param {string} cls
 * @param {() => void} onClick
 * @param {Record<string, any>} [vars]
 */
export function button(k, cls, onClick, vars) {
  const b = /** @type {HTMLButtonElement} */ (el('button', cls, t(k, vars)));
  b.type = 'button';
  b.dataset.act = k;
  b.addEventListener('click', onClick);
  return b;
}

/**
 * Fills a select with `[value, text]` options and selects `value`.
 * @param {HTMLElement} select
 * @param {string} value
 * @param {string[][]} options
 */
export function fill(select, value, options) {
  select.replaceChildren(...options.map(([v, text]) => {
    const o = /** @type {HTMLOptionElement} */ (el('option', '', text));
    o.value = v;
    return o;
  }));
  /** @type {HTMLSelectElement} */ (select).value = value;
}

/** @param {number} secs a time box, in minutes with one decimal */
export const minutes = (secs) => draw.num(Math.round((secs / 60) * 10) / 10);
/** @param {string} state a prompt's state, as a badge */
export const badge = (state) => el('span', `badge ${state}`, t(`state.${state}`));
