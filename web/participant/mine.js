// @ts-check
// The phone's own texts and their fate: the list (this prompt's, and any not yet saved) and
// the line right under the box about the one sent last — sending, waiting, saved, or refused
// and why, with Retry where a resend can help and Remove; a saved text of the open prompt can
// be withdrawn (×, then a confirmation: it is erased for good).
import { $, t, el, errorText } from '../common.js';
import { state, cols, texty, open } from './store.js';
import * as store from './store.js';
import { says, button } from './text.js';

/** Rejections that a plain resend cannot fix: only Remove is offered. */
const FINAL = ['text_empty', 'text_too_long', 'prompt_closed', 'prompt_not_open', 'prompt_not_found',
  'session_full', 'forbidden', 'invalid_message', 'answer_limit', 'wrong_activity', 'invalid_column'];
const SYM = { saved: '✓', pending: '○', error: '!' };

/**
 * Wires the list; `retry` sends a refused item again, `withdraw` takes a saved one back,
 * `usable` says whether the connection is.
 * @param {{ retry: (i: import('./store.js').OwnItem) => void, withdraw: (i: import('./store.js').OwnItem) => void,
 *   usable: () => boolean, render: () => void }} phone
 */
export function createMine({ retry, withdraw, usable, render }) {
  /** @type {string | null} The text whose withdrawal awaits a confirmation. */
  let asking = null;

  /** @param {import('./store.js').OwnItem} i its state in words */
  function stateText(i) {
    if (i.state === 'saved') return t('participant.saved');
    if (i.state === 'error') return errorText(i.code);
    return t(usable() ? 'participant.sending' : 'participant.queued');
  }

  /** @param {import('./store.js').OwnItem} i */
  function itemNode(i) {
    const li = el('li', `item ${i.state}`);
    const status = el('p', 'item-status');
    const sym = el('span', 'sym', SYM[i.state]);
    sym.setAttribute('aria-hidden', 'true');
    const c = state.prompt && state.prompt.id === i.prompt_id && cols()[i.col ?? -1];
    status.append(sym, stateText(i));
    if (c) status.append(says(el('span', 'tag'), c));
    li.append(says(el('p', 'item-text'), i.text), status);
    const mayWithdraw = i.state === 'saved' && open() && state.prompt.id === i.prompt_id;
    if (mayWithdraw && asking === i.id) li.append(confirmRow(i));
    else if (mayWithdraw) {
      const x = button('×', 'secondary small withdraw', () => {
        asking = i.id;
        renderList();
        /** @type {HTMLElement | null} */ ($('mine').querySelector('.confirm button.secondary'))?.focus();
      });
      x.setAttribute('aria-label', t('participant.withdraw', { text: i.text }));
      li.append(x);
    }
    if (i.state === 'error') {
      const row = el('div', 'item-actions');
      if (!FINAL.includes(i.code || '')) row.append(button(t('participant.retry'), 'secondary', () => retry(i)));
      row.append(button(t('participant.remove'), 'secondary', () => { store.forget(i.id); render(); }));
      li.append(row);
    }
    return li;
  }

  /** @param {import('./store.js').OwnItem} i the question and its two answers (Cancel first in focus) */
  function confirmRow(i) {
    const row = el('div', 'item-actions confirm');
    row.setAttribute('role', 'group');
    const cancel = () => { asking = null; renderList(); };
    row.append(el('p', 'item-status', t('participant.withdraw_confirm')),
      button(t('participant.withdraw_do'), 'danger', () => { asking = null; withdraw(i); }),
      button(t('participant.cancel'), 'secondary', cancel));
    row.addEventListener('keydown', (/** @type {KeyboardEvent} */ e) => { if (e.key === 'Escape') cancel(); });
    return row;
  }

  /** @param {import('./store.js').OwnItem | undefined} i the fate of the item sent last, right under the box */
  function renderLast(i) {
    const line = $('last');
    line.hidden = !i || !texty();
    if (!i) return;
    line.className = `last ${i.state}`;
    const sym = el('span', 'sym', SYM[i.state]);
    sym.setAttribute('aria-hidden', 'true');
    const s = el('span', 'last-state');
    s.append(sym, ` ${stateText(i)}`);
    line.replaceChildren(s, says(el('span', 'last-text'), i.text));
  }

  function renderList() {
    const p = state.prompt;
    const shown = [...state.items.values()]
      .filter((i) => (p && i.prompt_id === p.id) || i.state !== 'saved')
      .sort((a, b) => b.t - a.t);
    $('mine').replaceChildren(...shown.map(itemNode));
    $('mine-title').hidden = !shown.length;
    renderLast(shown.find((i) => p && i.prompt_id === p.id));
  }

  return { renderList };
}
