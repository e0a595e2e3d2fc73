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
    toggle.dataset.i18n = on ? 'control.rehearsal_end' : 'control.rehearsal_start';
    toggle.textContent = t(toggle.dataset.i18n);
    toggle.setAttribute('aria-pressed', String(on));
  }

  toggle.addEventListener('click', () => {
    if (!on || confirm(t('control.rehearsal_end_confirm'))) request({ type: 'set_rehearsal', on: !on });
  });
  $('rehearsal-end').addEventListener('click', () => {
    if (confirm(t('control.rehearsal_end_confirm'))) request({ type: 'set_rehearsal', on: false });
  });
  $('rehearsal-reset').addEventListener('click', () => {
    if (!confirm(t('control.rehearsal_reset_confirm'))) return;
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
