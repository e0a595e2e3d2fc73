// @ts-check
// The selected prompt's head in the console: its title and instructions (clamped), state, kind,
// settings in one line, the live controls (open or close, a minute more, lock, edit, show on
// the projector), its count and time left, and its results chart.
import { $, t, el, remaining, mmss, reset } from '../common.js';
import { activity } from '../activities/index.js';
import { state, sel, promptById, itemsOf, onScreen } from './store.js';
import { countText } from './agenda.js';
import { button, minutes, badge } from './ui.js';

/**
 * Sets a clamped element's text, and the same as its tooltip.
 * @param {HTMLElement} e
 * @param {string} text
 */
function clamped(e, text) {
  e.textContent = text;
  e.title = text;
}

/**
 * The prompt's settings in one line: columns, options, groups, moderation, results.
 * @param {any} p
 */
function settings(p) {
  const s = [];
  s.push(...activity(p.kind).summary(p, { title: (id) => { const q = promptById(id); return q ? q.title : id; } }));
  if (p.time_limit_secs) s.push(t(p.auto_close ? 'control.s_time_auto' : 'control.s_time', { n: minutes(p.time_limit_secs) }));
  for (const f of ['per_group', 'premoderation', 'wall']) if (p[f]) s.push(t(`control.s_${f}`));
  if (activity(p.kind).results) s.push(t(`vis.${p.show_results}`));
  return s.join(' · ');
}

/**
 * Wires the head and returns its redraws.
 * @param {{
 *   request: (message: object, done?: () => void) => void,
 *   edit: (p: any) => void,
 *   toggleOpen: (p: any) => void,
 *   toggleScreen: (p: any) => void,
 * }} console
 */
export function createHead({ request, edit, toggleOpen, toggleScreen }) {
  /** The prompt the chart was drawn for: another one starts from an empty box. */
  let chartFor = /** @type {string | null} */ (null);

  /** @param {any} p the live controls */
  function actions(p) {
    const acts = [];
    acts.push(button(p.state === 'open' ? 'control.close' : p.state === 'draft' ? 'control.open' : 'control.reopen',
      'primary', () => toggleOpen(p)));
    // A minute more only where there is a time box to lengthen.
    if (p.state === 'open' && p.time_limit_secs) {
      acts.push(button('control.add_minute', 'secondary', () => request({ type: 'add_time', prompt_id: p.id, secs: 60 })));
    }
    if (p.state === 'open') {
      acts.push(button(p.locked ? 'control.unlock' : 'control.lock', 'secondary', () => request({ type: 'lock_prompt', prompt_id: p.id, locked: !p.locked })));
    }
    acts.push(button('control.edit', 'secondary', () => edit(p)));
    if (p.state !== 'draft') {
      // The button turns into the indicator; both answer to `screen`, so focus stays put.
      const s = onScreen(p) ? el('span', 'tag onscreen', t('control.on_screen'))
        : button('control.show_on_screen', 'secondary', () => toggleScreen(p));
      s.dataset.act = 'screen';
      if (s.tagName === 'SPAN') s.tabIndex = -1;
      acts.push(s);
    }
    return acts;
  }

  function render() {
    const p = sel();
    // Long texts are clamped to fit the console's head (so the live controls and the items stay
    // in view); the whole text is in the editor and, for the pointer, in the tooltip.
    clamped($('sel-title'), p ? p.title : t('control.no_prompt'));
    clamped($('sel-instr'), p ? p.instructions : '');
    $('sel-state').replaceChildren(...(p ? [badge(p.state)] : []));
    $('sel-kind').textContent = p ? t(`kind.${p.kind}`) : '';
    clamped($('sel-settings'), p ? settings(p) : '');
    const active = /** @type {PageElement | null} */ (document.activeElement);
    const had = active && active.closest('#sel-actions') && active.dataset.act;
    $('sel-actions').replaceChildren(...(p ? actions(p) : []));
    if (had) /** @type {PageElement | null} */ ($('sel-actions').querySelector(`[data-act="${had}"]`))?.focus();
    const list = p ? itemsOf(p.id) : [];
    $('sel-count').textContent = p ? countText(p) : '';
    $('sel-empty').hidden = !p || list.length > 0;
    $('sel-empty').textContent = p && p.state === 'draft' ? t('control.not_opened') : t('control.no_items');
    tick();
  }

  function renderChart() {
    const p = sel();
    const show = !!p && activity(p.kind).results;
    $('results-box').hidden = !show;
    if (!show) return;
    const box = $('chart');
    if (chartFor !== p.id) {
      reset(box);
      chartFor = p.id;
    }
    box.className = `chart small ${p.kind}`;
    $('results-h').textContent = t('control.results_title');
    activity(p.kind).chart(box, p, state.results[p.id], { words: 100 });
  }

  /** The selected prompt's time left. */
  function tick() {
    const p = sel();
    const ms = p && p.state === 'open' ? remaining(p) : null;
    const tm = $('sel-timer');
    tm.hidden = ms === null;
    if (ms !== null) {
      tm.textContent = ms > 0 ? mmss(ms) : t('participant.time_up');
      tm.classList.toggle('up', ms <= 0);
    }
  }

  /** The chart is drawn afresh (a new language). */
  const redraw = () => { chartFor = null; };

  return { render, renderChart, tick, redraw };
}
