// @ts-check
// The console's themes for the selected brainstorm (issue 14): the bar above the list with a
// chip per theme and its count (a click shows only its items, a drop of dragged items puts them
// in it), the panel that makes, renames, merges, removes and reorders themes and asks the
// server for suggestions (each taken with one click, never on its own), the "move to theme"
// menu for the picked items (its button, or M), and the projector's by-theme switch. Every
// change is a command; the view redraws from the `prompt_updated` and `item_updated` that follow.
import { $, t, el, slug, uuid, errorText } from '../common.js';
import { suggestions } from '../api.js';
import { LIMITS } from '../limits.js';
import * as store from './store.js';
import { button } from './ui.js';

const { state, sel, itemsOf, themesOf } = store;

/** The drag data type of items dragged from the console's list: their ids, as JSON. */
export const DRAG_TYPE = 'application/x-paja-items';

/** The chip and filter value of the items in no theme. */
const NONE = '-';

/** @param {any} i whether it counts in a theme's tally: as the projector shows it */
const counted = (i) => !i.hidden && i.approved && !i.merged_into;

/**
 * Puts a popover under `anchor`, inside the window, and shows it.
 * @param {HTMLElement} pop
 * @param {HTMLElement} anchor
 */
function showUnder(pop, anchor) {
  if (!pop.matches(':popover-open')) pop.showPopover();
  const a = anchor.getBoundingClientRect();
  const r = pop.getBoundingClientRect();
  const left = Math.max(8, Math.min(a.left, innerWidth - r.width - 8));
  const below = a.bottom + 4;
  const top = below + r.height <= innerHeight - 8 ? below : Math.max(8, a.top - r.height - 4);
  pop.style.setProperty('left', `${left}px`);
  pop.style.setProperty('top', `${top}px`);
}

/** @param {HTMLElement} pop hides a popover if shown */
const hide = (pop) => { if (pop.matches(':popover-open')) pop.hidePopover(); };

/**
 * Wires the themes and returns their redraw and the move menu (for the M key).
 * @param {{
 *   request: (message: object, done?: () => void) => void,
 *   key: string,
 *   changed: () => void,
 * }} console `changed` redraws the list (a filter or the picks changed)
 */
export function createThemes({ request, key, changed }) {
  const panel = $('theme-panel');
  const move = $('theme-move');
  /** Suggestions still to take or ignore, and the prompt they are for. */
  let proposals = /** @type {{ prompt: string, list: { label: string, items: string[] }[] }} */ ({ prompt: '', list: [] });

  function render() {
    const p = sel();
    const on = !!p && p.kind === 'brainstorm';
    const n = state.picked.length;
    // The chips only once there are themes, the move button only while items are picked: a
    // brainstorm not being sorted keeps its rows for items.
    $('themes-open').hidden = !on;
    $('themes-bar').hidden = !on || !themesOf(p).length;
    $('to-theme').hidden = !on || !n;
    if (!on) {
      hide(panel);
      hide(move);
      return;
    }
    renderChips(p);
    $('by-theme').setAttribute('aria-pressed', String(!!p.by_theme));
    $('to-theme').textContent = t('control.to_theme', { n });
    if (panel.matches(':popover-open')) renderPanel(p);
    if (move.matches(':popover-open')) renderMove(p);
  }

  /** @param {any} p a chip per theme with its count, then the items in none */
  function renderChips(p) {
    const items = itemsOf(p.id).filter(counted);
    const count = (/** @type {string} */ id) => items.filter((i) => (i.theme || NONE) === id).length;
    const themes = themesOf(p);
    const chips = themes.map((th) => chip(th.id, th.name, count(th.id)));
    chips.push(chip(NONE, t('control.unthemed'), count(NONE)));
    $('theme-chips').replaceChildren(...chips);
  }

  /**
   * A theme's chip: a filter toggle, and where dragged items are dropped.
   * @param {string} id a theme's id, or NONE
   * @param {string} name
   * @param {number} n its items
   */
  function chip(id, name, n) {
    const li = el('li');
    const b = /** @type {HTMLButtonElement} */ (el('button', 'theme-chip'));
    b.type = 'button';
    b.dataset.theme = id;
    b.setAttribute('aria-pressed', String(state.filterTheme === id));
    b.append(el('span', 'theme-chip-name', name), el('span', 'theme-chip-n', String(n)));
    b.addEventListener('click', () => {
      store.filter('filterTheme', state.filterTheme === id ? '' : id);
      changed();
    });
    b.addEventListener('dragover', (e) => {
      if (!e.dataTransfer?.types.includes(DRAG_TYPE)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'move';
      b.classList.add('drop');
    });
    b.addEventListener('dragleave', () => b.classList.remove('drop'));
    b.addEventListener('drop', (e) => {
      b.classList.remove('drop');
      let ids = [];
      try {
        ids = JSON.parse(e.dataTransfer?.getData(DRAG_TYPE) || '[]');
      } catch {
        return;
      }
      e.preventDefault();
      if (Array.isArray(ids)) moveTo(ids.filter((x) => typeof x === 'string'), id === NONE ? null : id);
    });
    li.append(b);
    return li;
  }

  /**
   * Puts items into a theme (null: into none); the picks are done with once it is.
   * @param {string[]} ids
   * @param {string | null} theme
   */
  function moveTo(ids, theme) {
    if (!ids.length) return;
    request({ type: 'set_item_theme', items: ids, theme }, () => {
      store.setPicked(state.picked.filter((x) => !ids.includes(x)));
      changed();
    });
  }

  /**
   * A new theme of the selected prompt, with `items` in it at once (one command, so a retry
   * after a lost connection makes it once).
   * @param {string} name
   * @param {string[]} items
   * @param {() => void} [done]
   */
  function addTheme(name, items, done) {
    const p = sel();
    const clean = name.trim();
    if (!p || !clean) return;
    /** @type {Record<string, any>} */
    const m = { type: 'add_theme', prompt: p.id, theme: uuid(), name: clean };
    if (items.length) m.items = items;
    request(m, () => {
      if (items.length) store.setPicked(state.picked.filter((x) => !items.includes(x)));
      changed();
      done?.();
    });
  }

  /** @param {any} p the panel: new theme, the themes with their controls, suggestions */
  function renderPanel(p) {
    const themes = themesOf(p);
    const active = /** @type {HTMLElement | null} */ (document.activeElement);
    const focus = active && panel.contains(active) ? { theme: active.dataset.theme, act: active.dataset.act, value: /** @type {HTMLInputElement} */ (active).value } : null;
    $('theme-rows').replaceChildren(...themes.map((th, n) => themeRow(p, th, n, themes)));
    $('themes-empty').hidden = themes.length > 0;
    if (focus?.theme) {
      const again = /** @type {HTMLInputElement | null} */ (panel.querySelector(`[data-theme="${focus.theme}"][data-act="${focus.act}"]`));
      if (again) {
        if (again.tagName === 'INPUT') again.value = focus.value;
        again.focus();
      }
    }
    renderProposals(p);
  }

  /**
   * One theme in the panel: its name (renamed on Enter or leaving the box), up, down, merge
   * into another, remove.
   * @param {any} p
   * @param {Theme} th
   * @param {number} n its place
   * @param {Theme[]} themes
   */
  function themeRow(p, th, n, themes) {
    const li = el('li', 'theme-row');
    const name = /** @type {HTMLInputElement} */ (el('input'));
    name.value = th.name;
    name.maxLength = LIMITS.theme_name_max;
    name.setAttribute('aria-label', t('control.theme_rename', { name: th.name }));
    name.dataset.theme = th.id;
    name.dataset.act = 'rename';
    const rename = () => {
      const v = name.value.trim();
      if (v && v !== th.name) request({ type: 'rename_theme', prompt: p.id, theme: th.id, name: v });
      else name.value = th.name;
    };
    name.addEventListener('change', rename);
    name.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); rename(); } });
    const at = (/** @type {number} */ to) => () => request({ type: 'move_theme', prompt: p.id, theme: th.id, to });
    const up = button('control.theme_up', 'secondary small icon', at(n - 1), { name: th.name });
    up.textContent = '↑';
    up.setAttribute('aria-label', t('control.theme_up', { name: th.name }));
    up.disabled = n === 0;
    const down = button('control.theme_down', 'secondary small icon', at(n + 1), { name: th.name });
    down.textContent = '↓';
    down.setAttribute('aria-label', t('control.theme_down', { name: th.name }));
    down.disabled = n === themes.length - 1;
    const merge = /** @type {HTMLSelectElement} */ (el('select'));
    merge.setAttribute('aria-label', t('control.theme_merge', { name: th.name }));
    merge.dataset.theme = th.id;
    merge.dataset.act = 'merge';
    merge.append(new Option(t('control.theme_merge_into'), ''), ...themes.filter((x) => x.id !== th.id).map((x) => new Option(x.name, x.id)));
    merge.disabled = themes.length < 2;
    merge.addEventListener('change', () => {
      if (merge.value) request({ type: 'merge_themes', prompt: p.id, from: th.id, into: merge.value });
    });
    const remove = button('control.theme_remove', 'danger small', () => request({ type: 'remove_theme', prompt: p.id, theme: th.id }));
    remove.setAttribute('aria-label', t('control.theme_remove_named', { name: th.name }));
    for (const b of [up, down, remove]) b.dataset.theme = th.id;
    li.append(name, up, down, merge, remove);
    return li;
  }

  /** @param {any} p the suggestions for the selected prompt, each to take or ignore */
  function renderProposals(p) {
    const list = proposals.prompt === p.id ? proposals.list : [];
    $('suggestions').replaceChildren(...list.map((s, n) => {
      const li = el('li', 'suggestion');
      const texts = s.items.map((id) => state.items.get(id)?.text).filter(Boolean);
      li.append(el('p', 'suggestion-h', t('control.suggestion', { label: s.label, n: s.items.length })),
        el('p', 'item-meta', texts.slice(0, 4).join(' · ') + (texts.length > 4 ? ' …' : '')));
      const take = button('control.suggestion_accept', 'primary small', () => {
        addTheme(s.label, s.items, () => drop(n));
      });
      take.setAttribute('aria-label', t('control.suggestion_accept_named', { label: s.label }));
      const ignore = button('control.suggestion_ignore', 'secondary small', () => drop(n));
      ignore.setAttribute('aria-label', t('control.suggestion_ignore_named', { label: s.label }));
      const row = el('div', 'inline');
      row.append(take, ignore);
      li.append(row);
      return li;
    }));
  }

  /** @param {number} n a suggestion dealt with: it leaves the list */
  function drop(n) {
    proposals = { ...proposals, list: proposals.list.filter((_, k) => k !== n) };
    const p = sel();
    if (p) renderProposals(p);
    if (!proposals.list.length) $('suggest-status').textContent = t('control.suggestions_done');
  }

  /** Asks the server for suggestions for the selected prompt. */
  async function suggest() {
    const p = sel();
    if (!p) return;
    $('suggest-status').textContent = t('control.suggestions_wait');
    try {
      const r = await suggestions(slug, key, p.id);
      if (!r.ok) {
        $('suggest-status').textContent = errorText(r.body?.error?.code);
        return;
      }
      /** @type {Suggestions} */
      const body = r.body;
      proposals = { prompt: p.id, list: Array.isArray(body.suggestions) ? body.suggestions : [] };
      $('suggest-status').textContent = proposals.list.length ? t('control.suggestions_found', { n: proposals.list.length }) : t('control.suggestions_none');
      const now = sel();
      if (now) renderProposals(now);
    } catch {
      $('suggest-status').textContent = errorText('network');
    }
  }

  /** @param {any} p the move menu: each theme, none, and a new one named here */
  function renderMove(p) {
    const n = state.picked.length;
    $('move-h').textContent = t('control.move_h', { n });
    const entry = (/** @type {string} */ id, /** @type {HTMLButtonElement} */ b) => {
      b.dataset.theme = id;
      const li = el('li');
      li.append(b);
      return li;
    };
    const to = (/** @type {string | null} */ theme) => () => {
      hide(move);
      moveTo([...state.picked], theme);
    };
    $('move-list').replaceChildren(
      ...themesOf(p).map((th) => entry(th.id, button('control.move_to', 'secondary small', to(th.id), { name: th.name }))),
      entry(NONE, button('control.move_none', 'secondary small', to(null))),
    );
  }

  /** Opens the move menu for the picked items, focus on its first theme (M, or its button). */
  function openMove() {
    const p = sel();
    if (!p || p.kind !== 'brainstorm' || !state.picked.length) return;
    renderMove(p);
    showUnder(move, $('to-theme'));
    /** @type {HTMLElement | null} */ (move.querySelector('button'))?.focus();
  }

  function openPanel() {
    const p = sel();
    if (!p || p.kind !== 'brainstorm') return;
    renderPanel(p);
    showUnder(panel, $('themes-open'));
    $('theme-name').focus();
  }

  $('themes-open').addEventListener('click', () => (panel.matches(':popover-open') ? hide(panel) : openPanel()));
  $('to-theme').addEventListener('click', () => (move.matches(':popover-open') ? hide(move) : openMove()));
  $('by-theme').addEventListener('click', () => {
    const p = sel();
    if (p) request({ type: 'show_by_theme', prompt: p.id, on: !p.by_theme });
  });
  $('theme-suggest').addEventListener('click', suggest);
  $('theme-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('theme-name');
    addTheme(input.value, [], () => { input.value = ''; });
  });
  $('move-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('move-name');
    addTheme(input.value, [...state.picked], () => { input.value = ''; });
    hide(move);
  });
  // Up and down walk the move menu's buttons, as in any menu.
  move.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const all = /** @type {HTMLElement[]} */ ([...move.querySelectorAll('button, input')]);
    const at = all.indexOf(/** @type {HTMLElement} */ (document.activeElement));
    all[(at + (e.key === 'ArrowDown' ? 1 : all.length - 1)) % all.length]?.focus();
    e.preventDefault();
  });
  // Focus goes back to what opened a popover when it closes.
  move.addEventListener('toggle', (e) => { if (/** @type {ToggleEvent} */ (e).newState === 'closed' && move.contains(document.activeElement)) $('to-theme').focus(); });
  panel.addEventListener('toggle', (e) => { if (/** @type {ToggleEvent} */ (e).newState === 'closed' && panel.contains(document.activeElement)) $('themes-open').focus(); });

  return { render, openMove, moveTo };
}
