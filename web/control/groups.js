// @ts-check
// The console's groups: a row per group (colour, name, delete, how many are online, a link to
// the group's own projector) and the form that adds one.
import { $, t, el, slug } from '../common.js';
import { LIMITS } from '../limits.js';
import { state } from './store.js';
import { button } from './ui.js';

/** Colours offered for a new group, in turn. */
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];

/**
 * Wires the group list and its form; returns the redraws.
 * @param {{ request: (message: object, done?: () => void) => void }} console
 */
export function createGroups({ request }) {
  /**
   * The languages besides the main one that the session uses: the projector's second one and
   * those the prompts are given in. Group names get a field for each.
   */
  function otherLanguages() {
    const main = state.session ? state.session.language : 'fi';
    /** @type {Set<string>} */
    const used = new Set(state.session && state.session.screen_language ? [state.session.screen_language] : []);
    for (const p of state.prompts) for (const l of Object.keys(p.translations || {})) used.add(l);
    used.delete(main);
    return ['fi', 'sv', 'en'].filter((l) => used.has(l));
  }

  /** @param {Group} g */
  function row(g) {
    const li = el('li', 'group-row');
    const color = /** @type {HTMLInputElement} */ (el('input', 'color'));
    color.type = 'color';
    color.value = g.color || '#8a949e';
    color.setAttribute('aria-label', t('control.group_color'));
    const name = /** @type {HTMLInputElement} */ (el('input'));
    name.value = g.name;
    name.maxLength = LIMITS.group_name_max;
    name.setAttribute('aria-label', t('control.group_name'));
    const save = () => {
      if (name.value.trim() && (name.value.trim() !== g.name || color.value !== g.color)) {
        request({ type: 'update_group', group_id: g.id, name: name.value.trim(), color: color.value });
      }
    };
    name.addEventListener('change', save);
    color.addEventListener('change', save);
    // Its name in the session's other languages, each saved as it changes.
    const names = otherLanguages().map((l) => {
      const input = /** @type {HTMLInputElement} */ (el('input', 'group-tr'));
      input.value = (g.translations && g.translations[/** @type {Lang} */ (l)]) || '';
      input.maxLength = LIMITS.group_name_max;
      input.lang = l;
      input.placeholder = t(`lang.${l}`);
      input.setAttribute('aria-label', t('control.in_language', { field: t('control.group_name'), language: t(`lang.${l}`) }));
      input.addEventListener('change', () => {
        const translations = { ...g.translations, [l]: input.value.trim() };
        request({ type: 'update_group', group_id: g.id, name: g.name, color: g.color, translations });
      });
      return input;
    });
    const n = el('span', 'count group-n');
    n.dataset.group = g.id;
    const link = /** @type {HTMLAnchorElement} */ (el('a', 'small-link', t('control.group_screen')));
    link.href = `/${slug}/screen?group=${encodeURIComponent(g.id)}`;
    link.target = '_blank';
    link.rel = 'noopener';
    const meta = el('span', 'group-meta');
    meta.append(n, link);
    li.append(color, name, button('control.delete', 'secondary danger small', () => {
      if (confirm(t('control.confirm_delete_group', { name: g.name }))) request({ type: 'delete_group', group_id: g.id });
    }), ...names, meta);
    return li;
  }

  function render() {
    $('groups-empty').hidden = state.groups.length > 0;
    $('groups').replaceChildren(...state.groups.map(row));
    $('g-color').value = PALETTE[state.groups.length % PALETTE.length];
    renderPresence();
  }

  /** How many are online in each group. */
  function renderPresence() {
    const present = state.present;
    for (const n of /** @type {NodeListOf<HTMLElement>} */ ($('groups').querySelectorAll('.group-n'))) {
      n.textContent = present ? t('control.present', { n: present[n.dataset.group || ''] || 0 }) : '';
    }
  }

  $('gform').addEventListener('submit', (e) => {
    e.preventDefault();
    const name = $('g-name').value.trim();
    if (!name) return $('g-name').focus();
    request({ type: 'add_group', name, color: $('g-color').value }, () => {
      if ($('g-name').value.trim() === name) $('g-name').value = '';
    });
  });

  return { render, renderPresence };
}
