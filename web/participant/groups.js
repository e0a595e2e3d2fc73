// @ts-check
// The phone's group: the line that names it, and the list to choose one (asked for first when
// a prompt is answered per group).
import { $, t, chip, lang } from '../common.js';
import * as store from './store.js';
import { button, langOf } from './text.js';

const { state } = store;

/**
 * Wires the group picker; `act` sends the choice, `chosen` runs once it is taken.
 * @param {{ act: (frame: object, ok: (() => void) | null, fail: (() => void) | null) => boolean, chosen: () => void }} phone
 */
export function createGroups({ act, chosen }) {
  /** @param {string | null} id joins a group (null: leaves it) */
  function choose(id) {
    act({ type: 'choose_group', group_id: id }, () => {
      store.joinGroup(id);
      chosen();
    }, null);
  }

  /** A group's chip, named in the phone's language where the facilitator gave one. */
  const named = (/** @type {Group} */ x) => {
    const given = x.translations && x.translations[/** @type {Lang} */ (lang)];
    const mainLang = state.session ? state.session.language : 'fi';
    const c = chip(x, (lang !== mainLang && given) || x.name);
    c.lang = lang !== mainLang && given ? lang : langOf(x.name);
    return c;
  };

  function render() {
    const { prompt, groups, group } = state;
    const need = !!prompt && prompt.per_group && !group && prompt.state === 'open';
    const g = groups.find((x) => x.id === group);
    const ask = groups.length > 0 && (state.picking || need);
    $('group-line').hidden = !groups.length || ask;
    $('group-now').replaceChildren(`${t('participant.group')} `, g ? named(g) : t('participant.no_group'));
    $('group-change').textContent = t(g ? 'participant.change_group' : 'participant.choose_group');
    $('groups').hidden = !ask;
    $('groups-why').hidden = !need;
    $('group-list').replaceChildren(...groups.map((x) => {
      const b = button('', 'choice', () => choose(x.id));
      b.append(named(x));
      b.setAttribute('aria-pressed', String(x.id === group));
      return b;
    }), ...(need ? [] : [
      ...(group ? [button(t('participant.leave_group'), 'secondary', () => choose(null))] : []),
      button(t('participant.cancel'), 'secondary', () => { store.picking(false); render(); }),
    ]));
  }

  $('group-change').addEventListener('click', () => { store.picking(true); render(); $('groups').scrollIntoView(); });

  return { render };
}
