// @ts-check
// The console's agenda: one row per prompt with its state, kind, answer count and actions
// (open or close, move, edit, duplicate, delete), the Next button, and the projector's state in
// the top bar. Counts are redrawn alone when results or items change (`count`), never the list.
import { $, t, el } from '../common.js';
import { activity } from '../activities/index.js';
import { state, promptById, itemsOf, takesItems, onScreen, nextDraft } from './store.js';
import { button, minutes, badge } from './ui.js';

/** Whether the projector shows an item: neither hidden, waiting for approval nor merged. @param {any} i */
export const shownOnScreen = (i) => !i.hidden && i.approved !== false && !i.merged_into;

/**
 * An answer count for the agenda, counted as the projector counts it (screen.js `renderHead`):
 * a brainstorm's shown items; a word cloud's, poll's and dot vote's people; a scale's raters.
 * @param {any} p
 */
export function answered(p) {
  if (!activity(p.kind).results) return t('control.count', { n: itemsOf(p.id).filter(shownOnScreen).length });
  const r = state.results[p.id];
  if (!r) return '';
  return t('control.answered', { n: activity(p.kind).answered(r) });
}

/**
 * The selected prompt's count: the projector's number, then, when the console holds more, what
 * else it counts, so the two screens never seem to disagree ("14 · 17 in all: hidden 2, …").
 * @param {any} p
 */
export function countText(p) {
  const people = answered(p);
  if (!takesItems(p)) return people;
  const list = itemsOf(p.id);
  const n = list.filter(shownOnScreen).length;
  const words = n === list.length ? t('control.count', { n }) : t('control.count_detail', {
    n,
    total: list.length,
    hidden: list.filter((i) => i.hidden).length,
    waiting: list.filter((i) => !i.approved && !i.hidden).length,
    merged: list.filter((i) => i.merged_into && !i.hidden).length,
  });
  // An item kind with results (a word cloud) counts people on the projector; its items are
  // counted beside them.
  return activity(p.kind).results ? [people, words].filter(Boolean).join(' · ') : words;
}

/**
 * Wires the agenda and returns its redraws.
 * @param {{
 *   request: (message: object, done?: () => void) => void,
 *   select: (id: string) => void,
 *   edit: (p: any) => void,
 *   toggleOpen: (p: any) => void,
 * }} console
 */
export function createAgenda({ request, select, edit, toggleOpen }) {
  /** The agenda's count spans, by prompt id. */
  const counts = new Map();

  /** @param {string} id redraws one prompt's count */
  function count(id) {
    const s = counts.get(id);
    const p = promptById(id);
    if (s && p) s.textContent = answered(p);
  }

  /** @param {any} p @param {number} index */
  function row(p, index) {
    const li = el('li', `agenda-item${p.id === state.selected ? ' selected' : ''} is-${p.state}`);
    li.dataset.id = p.id;
    const pick = /** @type {HTMLButtonElement} */ (el('button', 'agenda-pick'));
    pick.type = 'button';
    pick.dataset.act = 'pick';
    pick.setAttribute('aria-current', String(p.id === state.selected));
    pick.append(el('span', 'agenda-num', `${index + 1}.`), el('span', 'agenda-title', p.title));
    pick.addEventListener('click', () => select(p.id));
    const line = el('div', 'agenda-line');
    const n = el('span', 'count', answered(p));
    counts.set(p.id, n);
    line.append(badge(p.state), el('span', 'kind', t(`kind.${p.kind}`)), n);
    if (p.time_limit_secs) line.append(el('span', 'count', t('control.minutes', { n: minutes(p.time_limit_secs) })));
    if (p.locked) line.append(el('span', 'tag', t('control.locked')));
    if (onScreen(p)) line.append(el('span', 'tag onscreen', t('control.on_screen')));
    const actions = el('div', 'agenda-actions');
    actions.append(button(p.state === 'open' ? 'control.close' : p.state === 'draft' ? 'control.open' : 'control.reopen',
      p.state === 'open' ? 'primary' : 'secondary', () => toggleOpen(p)));
    const up = button('control.up', 'secondary icon', () => request({ type: 'move_prompt', prompt_id: p.id, position: index - 1 }));
    const down = button('control.down', 'secondary icon', () => request({ type: 'move_prompt', prompt_id: p.id, position: index + 1 }));
    up.disabled = index === 0;
    down.disabled = index === state.prompts.length - 1;
    up.setAttribute('aria-label', t('control.move_up'));
    down.setAttribute('aria-label', t('control.move_down'));
    actions.append(up, down, button('control.edit', 'secondary', () => edit(p)),
      button('control.duplicate', 'secondary', () => request({ type: 'duplicate_prompt', prompt_id: p.id })));
    if (p.state === 'draft') {
      actions.append(button('control.delete', 'secondary danger', () => {
        if (confirm(t('control.confirm_delete', { title: p.title }))) request({ type: 'delete_prompt', prompt_id: p.id });
      }));
    }
    li.append(pick, line, actions);
    return li;
  }

  /** The whole agenda, keeping the focus on the button it was on. */
  function render() {
    $('agenda-empty').hidden = state.prompts.length > 0;
    counts.clear();
    const active = /** @type {PageElement | null} */ (document.activeElement);
    const focused = /** @type {PageElement | null} */ (active && active.closest('#agenda li'));
    const refocus = focused && active && [focused.dataset.id, active.dataset.act];
    $('agenda').replaceChildren(...state.prompts.map(row));
    if (refocus) /** @type {PageElement | null} */ ($('agenda').querySelector(`[data-id="${refocus[0]}"] [data-act="${refocus[1]}"]`))?.focus();
    const next = nextDraft();
    $('next').disabled = !next;
    $('next-title').textContent = next ? t('control.next_is', { title: next.title }) : t('control.no_next');
    renderScreen();
  }

  /** The projector's state in the top bar: the join-page toggle and what is shown, in words. */
  function renderScreen() {
    const screen = state.screen;
    const joining = screen.kind === 'join';
    $('join-screen').setAttribute('aria-pressed', String(joining));
    const shown = !joining && (screen.kind === 'prompt' ? promptById(screen.prompt_id) : promptById(state.current));
    const now = t('control.screen_now', { what: shown ? shown.title : t('control.screen_join_page') });
    // A status region: said aloud when it changes, so not rewritten when it does not.
    if ($('screen-now').textContent !== now) $('screen-now').textContent = now;
    // An earlier prompt pinned on the projector: one click back to the live one. Kept in its
    // place while unneeded (invisible, not removed), so the toolbar never reflows.
    $('screen-follow').classList.toggle('is-off', screen.kind !== 'prompt');
  }

  return { render, count };
}
