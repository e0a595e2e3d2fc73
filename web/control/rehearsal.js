// @ts-check
// The console's rehearsal: the Files menu puts the session in rehearsal (every view is marked
// "HARJOITUS"), and while it is one a band under the top bar offers the reset (every answer,
// vote and participant goes; the agenda, groups and settings stay) and the way back to live.
import { $, t, markRehearsal } from '../common.js';

/**
 * Wires the rehearsal switch, band and reset.
 * @param {{
 *   request: (message: object, done?: () => void) => void,
 *   status: (text: string) => void,
 * }} console
 */
export function createRehearsal({ request, status }) {
  let on = false;
  const toggle = $('rehearsal-toggle');

  /** @param {boolean} now the session's rehearsal state, as the server says */
  function set(now) {
    on = now;
    markRehearsal(on);
    if (!on) asking(false);
    toggle.dataset.i18n = on ? 'control.rehearsal_end' : 'control.rehearsal_start';
    toggle.textContent = t(toggle.dataset.i18n);
    toggle.setAttribute('aria-pressed', String(on));
  }

  const ask = $('rehearsal-confirm');
  /** @param {boolean} open the reset's confirmation shown (Cancel in focus) or not */
  function asking(open) {
    ask.hidden = !open;
    $('rehearsal-reset').setAttribute('aria-expanded', String(open));
    if (open) $('rehearsal-cancel').focus();
  }

  // Ending rehearsal mode deletes nothing (the answers stay until a reset), so it asks nothing.
  toggle.addEventListener('click', () => request({ type: 'set_rehearsal', on: !on }));
  $('rehearsal-end').addEventListener('click', () => request({ type: 'set_rehearsal', on: false }));
  $('rehearsal-reset').addEventListener('click', () => asking(ask.hidden !== false));
  $('rehearsal-cancel').addEventListener('click', () => {
    asking(false);
    $('rehearsal-reset').focus();
  });
  $('rehearsal-reset-do').addEventListener('click', () => {
    asking(false);
    request({ type: 'reset_rehearsal' }, () => status(t('control.rehearsal_reset_done')));
  });

  return {
    set,
    /** The server reset the session: the console starts over from a fresh page. */
    reset() {
      location.reload();
    },
  };
}
